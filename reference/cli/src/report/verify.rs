//! What `authbackup backup verify` says about every account on the device.

use std::fmt;

use authbackup::coverage::{Coverage, CoverageReport};
use serde::Serialize;

/// A [`CoverageReport`] as text or JSON.
pub struct VerifyText<'a>(pub &'a CoverageReport);

impl VerifyText<'_> {
    /// The report as JSON (`authbackup backup verify --json`).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            safe_to_wipe: bool,
            #[serde(flatten)]
            report: &'a CoverageReport,
        }
        serde_json::to_string_pretty(&Doc {
            safe_to_wipe: self.0.safe_to_wipe(),
            report: self.0,
        })
        .unwrap_or_default()
    }
}

impl fmt::Display for VerifyText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Backup generation {} against this device (codes compared at {}):",
            self.0.generation, self.0.time
        )?;
        for a in &self.0.accounts {
            let (status, what) = match a.coverage {
                Coverage::InBackup => ("ok", "in the backup, same secret, same codes"),
                Coverage::Placeholder => (
                    "ok",
                    "in the backup as a placeholder: sign in again after restore",
                ),
                Coverage::ExcludedByPolicy => {
                    ("ok", "not backed up: excluded by organisation policy")
                }
                Coverage::Missing => ("MISSING", "not in the backup: wiping this device loses it"),
                Coverage::Different => (
                    "DIFFERENT",
                    "the backup holds another secret or other settings: it is stale",
                ),
            };
            writeln!(f, "  {status:<10} {} ({}): {what}", a.name, a.id)?;
        }
        for b in &self.0.only_in_backup {
            writeln!(
                f,
                "  {:<10} {b}: in the backup but not on this device",
                "note"
            )?;
        }
        let bad = self
            .0
            .accounts
            .iter()
            .filter(|a| !a.coverage.is_safe())
            .count();
        if bad == 0 {
            write!(
                f,
                "Safe to wipe: every account on this device is in the backup."
            )
        } else {
            write!(
                f,
                "NOT safe to wipe: {bad} account(s) would be lost. Update the backup first."
            )
        }
    }
}
