//! "Is everything on this device in the backup?" (`spec/restore.md`, "Verifying a backup"),
//! asked before the old phone is wiped: account by account, the backup must hold the same
//! secret and parameters, and give the same codes now.

use std::collections::HashMap;

use serde::Serialize;

use crate::account::{display_name, BackupAccount, DeviceAccount};
use crate::payload::Payload;

/// What the backup holds of one device account.
///
/// Deliberately exhaustive: `spec/restore.md` names these five, and callers should notice a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// In the backup with the same secret and parameters; its codes match.
    InBackup,
    /// In the backup as a placeholder (a passwordless or work account): after restore the
    /// user signs in again, by design.
    Placeholder,
    /// Left out on purpose: an organisation policy excludes it from backups.
    ExcludedByPolicy,
    /// Not in the backup: wiping the device loses it.
    Missing,
    /// In the backup, but with another secret, other parameters or another type: the backup
    /// is stale for this account.
    Different,
}

impl Coverage {
    /// True for the outcomes that lose nothing.
    pub fn is_safe(self) -> bool {
        matches!(
            self,
            Coverage::InBackup | Coverage::Placeholder | Coverage::ExcludedByPolicy
        )
    }
}

/// One device account's line of the verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageEntry {
    /// The device account's id.
    pub id: String,
    /// `issuer: name`, or the name.
    pub name: String,
    /// What the backup holds of it.
    pub coverage: Coverage,
}

/// The verification of a device against a backup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// The generation verified.
    pub generation: u64,
    /// The time the codes were compared at (Unix seconds).
    pub time: u64,
    /// One entry per device account, in device order.
    pub accounts: Vec<CoverageEntry>,
    /// Backup accounts no device account corresponds to (informative: the backup holds
    /// more than the device, which loses nothing).
    pub only_in_backup: Vec<String>,
}

impl CoverageReport {
    /// True when wiping the device loses nothing the backup does not hold.
    pub fn safe_to_wipe(&self) -> bool {
        self.accounts.iter().all(|a| a.coverage.is_safe())
    }
}

/// Checks every account of `device` against `backup` at Unix time `time`
/// (REQ-COVERAGE-001 to REQ-COVERAGE-004): matched by id, a code-bearing account must have the
/// same type, secret and parameters and give the same code at `time`.
pub fn assess(device: &[DeviceAccount], backup: &Payload, time: u64) -> CoverageReport {
    let by_id: HashMap<&str, &BackupAccount> =
        backup.accounts().iter().map(|b| (b.id(), b)).collect();
    let mut seen = std::collections::HashSet::new();
    let accounts = device
        .iter()
        .map(|d| {
            let coverage = if d.excluded_by_policy {
                Coverage::ExcludedByPolicy
            } else {
                match by_id.get(d.id.as_str()) {
                    None => Coverage::Missing,
                    Some(b) => {
                        seen.insert(b.id());
                        covered(d, b, time)
                    }
                }
            };
            CoverageEntry {
                id: d.id.clone(),
                name: display_name(d.issuer.as_deref(), &d.name),
                coverage,
            }
        })
        .collect();
    let only_in_backup = backup
        .accounts()
        .iter()
        .filter(|b| !seen.contains(b.id()))
        .map(|b| format!("{} ({})", display_name(b.issuer(), b.name()), b.id()))
        .collect();
    CoverageReport {
        generation: backup.meta().generation(),
        time,
        accounts,
        only_in_backup,
    }
}

fn covered(d: &DeviceAccount, b: &BackupAccount, time: u64) -> Coverage {
    if d.account_type != b.account_type {
        return Coverage::Different;
    }
    let Some(key) = b.key() else {
        return Coverage::Placeholder;
    };
    let Some(secret) = &d.secret else {
        return Coverage::Different;
    };
    if *secret != key.secret || d.params != key.params {
        return Coverage::Different;
    }
    // The codes a restored phone will show must be the codes this phone shows now.
    let device_code = crate::account::OtpKey {
        secret: secret.clone(),
        params: d.params,
    }
    .totp()
    .code_at(time);
    let backup_code = key.totp().code_at(time);
    match (device_code, backup_code) {
        (Ok(a), Ok(b)) if a == b => Coverage::InBackup,
        _ => Coverage::Different,
    }
}
