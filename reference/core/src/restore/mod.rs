//! Restore (`spec/restore.md`): what a backup does to a device. [`plan`] decides, account by
//! account, without touching anything; [`apply`] carries a plan out all or nothing, and
//! refuses a plan made for another device state.

mod chains;
mod fingerprint;
mod ids;
mod matching;
mod name_index;
mod restored;

use std::borrow::Cow;
use std::fmt;

use crate::account::{display_name, AccountState, AccountType, DeviceAccount};
use crate::error::{Error, ErrorCode, Result};
use crate::payload::{BackupMeta, Payload};
use crate::platform::Platform;

use fingerprint::fingerprint;
use ids::{fresh_id, Ids};
pub use matching::MatchKind;

/// What happens when a backup account matches a device account with a different secret.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Policy {
    /// Nothing on the device is ever overwritten: the backup's account is added beside it.
    #[default]
    KeepBoth,
    /// The backup's account replaces the device's (the widely used app's behaviour); the
    /// report names the entry replaced.
    PreferBackup,
    /// The device's account stays and the backup's is not restored.
    PreferDevice,
}

impl Policy {
    /// `keep-both`, `prefer-backup` or `prefer-device`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Policy::KeepBoth => "keep-both",
            Policy::PreferBackup => "prefer-backup",
            Policy::PreferDevice => "prefer-device",
        }
    }

    /// Reads a policy name; anything else is `invalid_parameter`.
    pub fn from_name(name: &str) -> Result<Policy> {
        [Policy::KeepBoth, Policy::PreferBackup, Policy::PreferDevice]
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                Error::invalid_parameter(format!(
                    "policy {name:?} is not keep-both, prefer-backup or prefer-device"
                ))
            })
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device account as the report names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRef {
    /// Its id on the device.
    pub id: String,
    /// `issuer: name`, or the name.
    pub display_name: String,
}

impl DeviceRef {
    fn of(d: &DeviceAccount) -> DeviceRef {
        DeviceRef {
            id: d.id.clone(),
            display_name: display_name(d.issuer.as_deref(), &d.name),
        }
    }
}

/// What restore does with one backup account (REQ-RESTORE-020 to REQ-RESTORE-024).
///
/// Deliberately exhaustive: these are the spec's five outcomes, and a sixth would be a new
/// format version, which callers should notice at compile time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing on the device matched: the account is added.
    Added,
    /// The device already has it (the same secret, or the placeholder's account): nothing
    /// changes.
    AlreadyPresent {
        /// The device's account.
        device: DeviceRef,
        /// How it matched.
        matched_by: MatchKind,
    },
    /// `keep-both`: the device's account stays and the backup's is added beside it.
    KeptBoth {
        /// The device's account, unchanged.
        device: DeviceRef,
        /// How it matched.
        matched_by: MatchKind,
        /// The id the added account gets (the backup's, unless the device already uses it).
        added_id: String,
    },
    /// `prefer-backup`: the backup's account replaces the device's.
    Replaced {
        /// The device's account that was replaced.
        device: DeviceRef,
        /// How it matched.
        matched_by: MatchKind,
    },
    /// `prefer-device`: the device's account stays and the backup's is not restored.
    DeviceKept {
        /// The device's account, unchanged.
        device: DeviceRef,
        /// How it matched.
        matched_by: MatchKind,
    },
}

/// One line of a plan: a backup account and what happens to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountOutcome {
    /// The account's id in the backup.
    pub id: String,
    /// Its type.
    pub account_type: AccountType,
    /// `issuer: name`, or the name.
    pub display_name: String,
    /// What restore does with it.
    pub outcome: Outcome,
    /// The state of the account the user will have: `ready` for code-bearing accounts,
    /// `action_required` for placeholders (or the device's own state when the device's entry
    /// is the one kept).
    pub state: AccountState,
}

/// A decided restore: one outcome per backup account, the device accounts the backup does
/// not touch, and the changes [`apply`] makes (kept as changes, not as a copy of the whole
/// device, so that planning costs what the backup brings).
#[derive(Clone, Debug)]
pub struct RestorePlan {
    /// The policy the plan was made under.
    pub policy: Policy,
    /// The backup restored.
    pub backup: BackupMeta,
    /// One entry per backup account, in backup order.
    pub outcomes: Vec<AccountOutcome>,
    /// Device accounts no backup account matched: kept as they are.
    pub untouched: Vec<DeviceRef>,
    /// The accounts the plan puts on the device.
    restored: restored::Restored,
    /// Device accounts replaced (`prefer-backup`): the device index and the account in
    /// `restored` that replaces it, in device order.
    replaced: Vec<(usize, usize)>,
    /// Accounts in `restored` added after the device's own, in backup order.
    added: Vec<usize>,
    device_fingerprint: [u8; 32],
    changes: bool,
}

impl RestorePlan {
    /// True when applying the plan changes the device.
    pub fn changes_device(&self) -> bool {
        self.changes
    }
}

/// Decides what restoring `backup` onto a device holding `device` does, under `policy`
/// (REQ-RESTORE-001 to REQ-RESTORE-031). Touches nothing. A backup made on the other
/// platform is `platform_mismatch`; a device of `u32::MAX` accounts or more (more than memory
/// holds) is `too_large`.
///
/// ```
/// use authbackup::account::DeviceAccount;
/// use authbackup::payload::{BackupMeta, Payload};
/// use authbackup::restore::{self, Outcome, Policy};
/// use authbackup::{ErrorCode, Platform};
///
/// let old_phone = DeviceAccount::list_from_json(br#"{"accounts": [
///     {"id": "1", "type": "totp", "issuer": "ACME", "name": "alice", "secret": "JBSWY3DPEHPK3PXP"},
///     {"id": "2", "type": "work_school", "name": "alice@contoso.com"}
/// ]}"#)?;
/// let meta = BackupMeta::new(Platform::Android, "b-1", 1, 1_700_000_000)?;
/// let (backup, _) = Payload::from_device(meta, &old_phone)?;
///
/// // The new phone already has the ACME account, with the same secret.
/// let new_phone = DeviceAccount::list_from_json(br#"{"accounts": [
///     {"id": "x", "type": "totp", "issuer": "ACME", "name": "alice", "secret": "JBSWY3DPEHPK3PXP"}
/// ]}"#)?;
/// let plan = restore::plan(&new_phone, &backup, Platform::Android, Policy::KeepBoth)?;
/// assert!(matches!(plan.outcomes[0].outcome, Outcome::AlreadyPresent { .. }));
/// assert!(matches!(plan.outcomes[1].outcome, Outcome::Added)); // as "action required"
/// let after = restore::apply(&new_phone, &plan)?;
/// assert_eq!(after.len(), 2);
///
/// // An Android backup never restores on iOS, and nothing changes.
/// let refused = restore::plan(&new_phone, &backup, Platform::Ios, Policy::KeepBoth);
/// assert_eq!(refused.unwrap_err().code(), ErrorCode::PlatformMismatch);
/// # Ok::<(), authbackup::Error>(())
/// ```
pub fn plan(
    device: &[DeviceAccount],
    backup: &Payload,
    device_platform: Platform,
    policy: Policy,
) -> Result<RestorePlan> {
    if backup.meta().platform() != device_platform {
        return Err(Error::new(
            ErrorCode::PlatformMismatch,
            format!(
                "this backup was made on {} and restores only on {}; this device is {}",
                backup.meta().platform(),
                backup.meta().platform(),
                device_platform
            ),
        ));
    }
    let mut index = matching::DeviceIndex::new(device)?;
    let mut restored = restored::Restored::with_capacity(backup.accounts().len());
    let mut replaced = Vec::new();
    let mut added = Vec::new();
    let mut outcomes = Vec::with_capacity(backup.accounts().len());
    let mut changes = false;
    let matches = index.match_all(backup.accounts())?;
    let mut ids = Ids::new(&index, backup.accounts().len());
    for (b, m) in backup.accounts().iter().zip(matches) {
        let backup_id = backup.meta().backup_id();
        let restored_state = if b.is_placeholder() {
            AccountState::ActionRequired
        } else {
            AccountState::Ready
        };
        let (outcome, state) = match m.found {
            None => {
                let id = fresh_id(&mut ids, backup_id, b.id(), m.id_on_device);
                added.push(restored.push(b, &id));
                changes = true;
                (Outcome::Added, restored_state)
            }
            Some((i, matched_by)) => {
                let d = &device[i];
                let device_ref = DeviceRef::of(d);
                if matched_by == MatchKind::Secret || b.is_placeholder() {
                    (
                        Outcome::AlreadyPresent {
                            device: device_ref,
                            matched_by,
                        },
                        d.state,
                    )
                } else {
                    match policy {
                        Policy::KeepBoth => {
                            let added_id = fresh_id(&mut ids, backup_id, b.id(), m.id_on_device);
                            added.push(restored.push(b, &added_id));
                            changes = true;
                            let outcome = Outcome::KeptBoth {
                                device: device_ref,
                                matched_by,
                                added_id: added_id.into_owned(),
                            };
                            (outcome, restored_state)
                        }
                        Policy::PreferBackup => {
                            let id = if b.id() == d.id {
                                Cow::Borrowed(b.id())
                            } else {
                                ids.free(&d.id);
                                fresh_id(&mut ids, backup_id, b.id(), m.id_on_device)
                            };
                            replaced.push((i, restored.push(b, &id)));
                            changes = true;
                            (
                                Outcome::Replaced {
                                    device: device_ref,
                                    matched_by,
                                },
                                restored_state,
                            )
                        }
                        Policy::PreferDevice => (
                            Outcome::DeviceKept {
                                device: device_ref,
                                matched_by,
                            },
                            d.state,
                        ),
                    }
                }
            }
        };
        outcomes.push(AccountOutcome {
            id: b.id().to_string(),
            account_type: b.account_type,
            display_name: display_name(b.issuer(), b.name()),
            outcome,
            state,
        });
    }
    let untouched = index.unmatched().map(DeviceRef::of).collect();
    replaced.sort_unstable();
    Ok(RestorePlan {
        policy,
        backup: backup.meta().clone(),
        outcomes,
        untouched,
        restored,
        replaced,
        added,
        device_fingerprint: index.fingerprint(),
        changes,
    })
}

/// Carries out `plan` on `device`, all or nothing (REQ-RESTORE-040): returns the complete
/// new device state, or an error and nothing. A plan made for a different device state is
/// refused with `precondition_failed`; plan again.
pub fn apply(device: &[DeviceAccount], plan: &RestorePlan) -> Result<Vec<DeviceAccount>> {
    if fingerprint(device) != plan.device_fingerprint {
        return Err(Error::new(
            ErrorCode::PreconditionFailed,
            "the device changed after this restore was planned; plan it again",
        ));
    }
    let mut replaced = plan.replaced.iter().peekable();
    let mut after = Vec::with_capacity(device.len() + plan.added.len());
    for (i, d) in device.iter().enumerate() {
        match replaced.next_if(|(r, _)| *r == i) {
            Some(&(_, by)) => after.push(plan.restored.account(by)),
            None => after.push(d.clone()),
        }
    }
    after.extend(plan.added.iter().map(|&a| plan.restored.account(a)));
    Ok(after)
}

#[cfg(test)]
mod tests;
