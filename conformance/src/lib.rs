//! `authbackup-conformance`: the conformance suite of the Authenticator Backup Format.
//!
//! - [`model`]: the vector files (`conformance/vectors/`), in the manner of Project
//!   Wycheproof;
//! - [`generate`]: the deterministic generator of those files;
//! - [`implementation`]: how the runner talks to an implementation (the [`Implementation`]
//!   trait, in process);
//! - [`process`] and [`adapter`]: the same over the stdio adapter protocol
//!   (`spec/adapter-protocol.md`), either side;
//! - [`reference`](mod@reference): the reference implementation behind the operations;
//! - [`checks`]: how answers of writing operations are judged ([`rfc3986`]: the URI syntax
//!   emitted Key URIs must have);
//! - [`runner`] and [`report`]: selection, judging, and text / JSON / JUnit reports;
//! - [`coverage`] and [`spec`]: every MUST of `spec/` against the cases covering it;
//! - [`bench`](mod@bench): code-generation throughput through the protocol;
//! - [`bad`]: known-bad implementations the suite must catch;
//! - [`difffuzz`]: differential fuzzing of an implementation against the reference;
//! - [`fuzzing`]: the fuzz targets' bodies, replayed on stable in the normal test run.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapter;
pub mod bad;
pub mod bench;
pub mod checks;
pub mod coverage;
pub mod crash;
pub mod difffuzz;
pub mod fuzzing;
pub mod generate;
pub mod glob;
pub mod implementation;
pub mod model;
pub mod process;
pub mod reference;
pub mod report;
pub mod rfc3986;
pub mod runner;
pub mod spec;
pub mod timing;

pub use implementation::{Answer, Implementation};
