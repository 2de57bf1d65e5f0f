//! The per-type backup rules (REQ-ACCOUNT-010 to REQ-ACCOUNT-014): what a backup keeps of
//! each device account, and a report of what it left out and why.

use std::collections::HashSet;

use super::{AccountType, BackupAccount, DeviceAccount, Kept, OtpKey, Texts};
use crate::error::{Error, ErrorCode, Result};

/// What became of one device account when a backup was built.
///
/// Deliberately exhaustive: the per-type rules have these three results, and callers should notice a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildOutcome {
    /// Backed up with its secret: it restores with codes at once.
    WithCodes,
    /// Backed up as a placeholder (name only): it restores as "action required".
    Placeholder,
    /// Left out of the backup by organisation policy.
    ExcludedByPolicy,
}

/// The report line of one device account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildEntry {
    /// The account id.
    pub id: String,
    /// The account type.
    pub account_type: AccountType,
    /// The name shown to the user (`issuer: name` when there is an issuer).
    pub display_name: String,
    /// What the backup kept.
    pub outcome: BuildOutcome,
    /// Fields the device had that the backup does not keep (never their values).
    pub dropped: Vec<&'static str>,
}

/// What a backup kept of every device account, in device order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// One entry per device account.
    pub entries: Vec<BuildEntry>,
}

impl BuildReport {
    /// How many accounts ended with `outcome`.
    pub fn count(&self, outcome: &BuildOutcome) -> usize {
        self.entries
            .iter()
            .filter(|e| &e.outcome == outcome)
            .count()
    }
}

/// Applies the per-type rules to every device account: code-bearing accounts keep issuer,
/// name, secret and parameters; placeholders keep id, type and name; accounts excluded by
/// policy are left out; tokens are never kept. Fails, keeping nothing, when a code-bearing
/// account has no secret or two accounts share an id.
pub fn build_backup_accounts(
    device: &[DeviceAccount],
) -> Result<(Vec<BackupAccount>, BuildReport)> {
    let mut ids = HashSet::new();
    let mut accounts = Vec::with_capacity(device.len());
    let mut report = BuildReport::default();
    for (index, d) in device.iter().enumerate() {
        if !ids.insert(d.id.as_str()) {
            return Err(Error::new(
                ErrorCode::DuplicateAccount,
                format!("accounts[{index}]: its id is used by an earlier account"),
            ));
        }
        let display_name = super::display_name(d.issuer.as_deref(), &d.name);
        let mut dropped = Vec::new();
        if d.token.is_some() && !d.excluded_by_policy {
            dropped.push("token");
        }
        let outcome = if d.excluded_by_policy {
            BuildOutcome::ExcludedByPolicy
        } else if d.account_type.bears_codes() {
            let secret = d.secret.clone().ok_or_else(|| {
                Error::invalid_secret(format!(
                    "accounts[{index}] ({}) has no secret to back up",
                    d.account_type
                ))
            })?;
            accounts.push(BackupAccount {
                texts: Texts::new(&d.id, &d.name, d.issuer.as_deref()),
                account_type: d.account_type,
                kept: Kept::Codes {
                    key: OtpKey {
                        secret,
                        params: d.params,
                    },
                },
            });
            BuildOutcome::WithCodes
        } else {
            if d.secret.is_some() {
                dropped.push("secret");
            }
            if d.issuer.is_some() {
                dropped.push("issuer");
            }
            accounts.push(BackupAccount {
                texts: Texts::new(&d.id, &d.name, None),
                account_type: d.account_type,
                kept: Kept::Placeholder,
            });
            BuildOutcome::Placeholder
        };
        report.entries.push(BuildEntry {
            id: d.id.clone(),
            account_type: d.account_type,
            display_name,
            outcome,
            dropped,
        });
    }
    Ok((accounts, report))
}
