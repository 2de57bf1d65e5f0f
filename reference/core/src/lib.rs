//! `authbackup`: the reference implementation of the Authenticator Backup Format (ABF).
//!
//! Each module is one concept of the specification in `spec/`:
//!
//! - [`otp`]: HOTP (RFC 4226) and TOTP (RFC 6238) code generation and verification;
//! - [`secret`]: the shared secret, its base32 text form and its bounds;
//! - [`uri`]: `otpauth://` Key URIs, parsed and produced;
//! - [`account`]: the account model and the per-type backup rules;
//! - [`payload`]: the backup payload (JSON), parsed and checked;
//! - [`platform`]: the platform a backup is bound to;
//! - [`container`]: the encrypted JWE container: seal, open, inspect, recipients;
//! - [`restore`]: restore a backup onto a device: match, plan, report, apply;
//! - [`coverage`]: is everything on this device in the backup (before wiping it)?
//! - [`lifecycle`]: the backup state machine (pure: events in, effects out);
//! - [`store`]: device state and backups on disk, atomic writes, the lifecycle's effects;
//! - [`error`]: the one error type, with the stable codes the conformance suite compares.
#![forbid(unsafe_code)]

pub mod account;
pub mod container;
pub mod coverage;
pub mod error;
pub mod lifecycle;
pub mod otp;
pub mod payload;
pub mod platform;
pub mod restore;
pub mod secret;
pub mod store;
pub mod uri;

pub use error::{Error, ErrorCode, Result};

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctest;
pub use platform::Platform;
pub use secret::Secret;
