//! `authbackup-conformance`: the conformance suite of the Authenticator Backup Format.
//!
//! Most implementers use the `authbackup-conformance` command and the stdio adapter protocol
//! (`spec/adapter-protocol.md`). A Rust implementation can instead implement
//! [`Implementation`] and call [`runner::run`] on the built-in vectors:
//!
//! - [`model`]: the vector files (in the manner of Project Wycheproof), built into the crate
//!   ([`model::embedded`]) or read from a folder;
//! - [`implementation`]: the [`Implementation`] trait, one operation at a time, in process;
//! - [`process`] and [`adapter`]: the same over the stdio adapter protocol, either side;
//! - [`reference`](mod@reference): the reference implementation behind the operations;
//! - [`runner`] and [`report`]: selection, judging, and text / JSON / JUnit reports.
//!
//! The suite's own machinery (the generator, the known-bad implementations, coverage,
//! differential fuzzing, the fuzz targets' bodies) is public only for its command and tests
//! and carries no stability promise.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// What an implementer uses: the model of the vectors, the runner and its reports, the
// `Implementation` trait, the stdio adapter protocol (both sides), the reference behind it.
pub mod adapter;
pub mod implementation;
pub mod model;
pub mod process;
pub mod reference;
pub mod report;
pub mod runner;

// The suite's own machinery, public only for its command, tests, benchmarks and fuzz targets:
// no stability promise, left out of the documentation.
#[doc(hidden)]
pub mod bad;
#[doc(hidden)]
pub mod bench;
#[doc(hidden)]
pub mod coverage;
#[doc(hidden)]
pub mod difffuzz;
#[doc(hidden)]
pub mod fuzzing;
#[doc(hidden)]
pub mod generate;
#[doc(hidden)]
pub mod spec;

mod checks;
mod crash;
mod glob;
mod known;
mod nesting;
mod rfc3986;
mod timing;

pub use implementation::{Answer, Implementation};
