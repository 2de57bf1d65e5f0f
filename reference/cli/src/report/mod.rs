//! The command's people-facing text: the reports the library returns as data, written out
//! for people (and, with `--json`, for programs). The library itself prints nothing.

mod build;
mod import;
mod inspect;
mod restore;
mod verify;

pub use build::BuildText;
pub use import::ImportText;
pub use inspect::InspectText;
pub use restore::RestoreReport;
pub use verify::VerifyText;
