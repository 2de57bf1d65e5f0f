//! The restore report (REQ-RESTORE-050, REQ-RESTORE-051): for every backup account, what came
//! back, what needs a sign-in, what was kept and what was replaced; as text for people and as
//! JSON for programs.

use std::fmt;

use serde::Serialize;

use authbackup::account::AccountState;
use authbackup::restore::{Outcome, RestorePlan};

/// The report of one restore plan, as `authbackup restore` prints it.
pub struct RestoreReport<'a> {
    plan: &'a RestorePlan,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    platform: &'a str,
    backup_id: &'a str,
    generation: u64,
    created: u64,
    policy: &'a str,
    changes_device: bool,
    accounts: Vec<JsonAccount<'a>>,
    untouched: Vec<JsonDevice<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonAccount<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    account_type: &'a str,
    name: &'a str,
    outcome: &'static str,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<JsonDevice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    added_id: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDevice<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize, Default)]
struct Summary {
    added: usize,
    already_present: usize,
    kept_both: usize,
    replaced: usize,
    device_kept: usize,
    action_required: usize,
    untouched: usize,
}

fn outcome_name(o: &Outcome) -> &'static str {
    match o {
        Outcome::Added => "added",
        Outcome::AlreadyPresent { .. } => "already_present",
        Outcome::KeptBoth { .. } => "kept_both",
        Outcome::Replaced { .. } => "replaced",
        Outcome::DeviceKept { .. } => "device_kept",
    }
}

impl<'a> RestoreReport<'a> {
    /// The report of `plan`.
    pub fn new(plan: &'a RestorePlan) -> RestoreReport<'a> {
        RestoreReport { plan }
    }

    fn summary(&self) -> Summary {
        let mut s = Summary {
            untouched: self.plan.untouched.len(),
            ..Summary::default()
        };
        for a in &self.plan.outcomes {
            match a.outcome {
                Outcome::Added => s.added += 1,
                Outcome::AlreadyPresent { .. } => s.already_present += 1,
                Outcome::KeptBoth { .. } => s.kept_both += 1,
                Outcome::Replaced { .. } => s.replaced += 1,
                Outcome::DeviceKept { .. } => s.device_kept += 1,
            }
            if a.state == AccountState::ActionRequired {
                s.action_required += 1;
            }
        }
        s
    }

    /// The report as one JSON document (the `--json` output of `authbackup restore`).
    pub fn to_json(&self) -> String {
        let p = self.plan;
        let doc = JsonReport {
            platform: p.backup.platform().as_str(),
            backup_id: p.backup.backup_id(),
            generation: p.backup.generation(),
            created: p.backup.created(),
            policy: p.policy.as_str(),
            changes_device: p.changes_device(),
            accounts: p
                .outcomes
                .iter()
                .map(|a| {
                    let (device, matched_by, added_id) = match &a.outcome {
                        Outcome::Added => (None, None, None),
                        Outcome::AlreadyPresent { device, matched_by }
                        | Outcome::Replaced { device, matched_by }
                        | Outcome::DeviceKept { device, matched_by } => {
                            (Some(device), Some(*matched_by), None)
                        }
                        Outcome::KeptBoth {
                            device,
                            matched_by,
                            added_id,
                        } => (Some(device), Some(*matched_by), Some(added_id.as_str())),
                    };
                    JsonAccount {
                        id: &a.id,
                        account_type: a.account_type.as_str(),
                        name: &a.display_name,
                        outcome: outcome_name(&a.outcome),
                        state: a.state.as_str(),
                        matched_by: matched_by.map(|m| m.as_str()),
                        device: device.map(|d| JsonDevice {
                            id: &d.id,
                            name: &d.display_name,
                        }),
                        added_id,
                    }
                })
                .collect(),
            untouched: p
                .untouched
                .iter()
                .map(|d| JsonDevice {
                    id: &d.id,
                    name: &d.display_name,
                })
                .collect(),
            summary: self.summary(),
        };
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

impl fmt::Display for RestoreReport<'_> {
    /// The text a person reads: one line per account, then what to do next.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.plan;
        writeln!(
            f,
            "Restore of {} backup {} (generation {}, created {}), policy {}:",
            p.backup.platform(),
            p.backup.backup_id(),
            p.backup.generation(),
            p.backup.created(),
            p.policy
        )?;
        for a in &p.outcomes {
            let name = &a.display_name;
            let sign_in = a.state == AccountState::ActionRequired;
            match &a.outcome {
                Outcome::Added if sign_in => {
                    writeln!(f, "  restored, sign-in needed  {name} ({})", a.account_type)?
                }
                Outcome::Added => writeln!(f, "  restored, ready           {name}")?,
                Outcome::AlreadyPresent { device, matched_by } => writeln!(
                    f,
                    "  already on this device    {name} (as \"{}\", same {})",
                    device.display_name,
                    matched_by.as_str()
                )?,
                Outcome::KeptBoth { device, added_id, .. } => writeln!(
                    f,
                    "  kept both                 {name}: your entry \"{}\" ({}) is unchanged; the backup's was added beside it as {added_id}{}",
                    device.display_name,
                    device.id,
                    if sign_in { ", sign-in needed" } else { "" }
                )?,
                Outcome::Replaced { device, .. } => writeln!(
                    f,
                    "  replaced                  {name}: the backup's entry replaced your entry \"{}\" ({})",
                    device.display_name, device.id
                )?,
                Outcome::DeviceKept { device, .. } => writeln!(
                    f,
                    "  kept your entry           {name}: your entry \"{}\" ({}) stays; the backup's was not restored",
                    device.display_name, device.id
                )?,
            }
        }
        for d in &p.untouched {
            writeln!(
                f,
                "  not in backup, unchanged  {} ({})",
                d.display_name, d.id
            )?;
        }
        let s = self.summary();
        write!(
            f,
            "{} restored, {} already present, {} kept both, {} replaced, {} kept from the device, {} unchanged",
            s.added, s.already_present, s.kept_both, s.replaced, s.device_kept, s.untouched
        )?;
        if s.action_required > 0 {
            write!(
                f,
                "\n{} account(s) need you to sign in again before they work.",
                s.action_required
            )?;
        }
        if !p.changes_device() {
            write!(f, "\nNothing on this device changes.")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authbackup::account::DeviceAccount;
    use authbackup::payload::{BackupMeta, Payload};
    use authbackup::restore::{apply, plan, Policy};
    use authbackup::Platform;

    /// Every account type, a token, an account excluded by policy.
    const OLD_PHONE: &str = r#"{"accounts": [
        {"id": "g", "type": "totp", "issuer": "GitHub", "name": "alice@example.com", "secret": "AEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIB"},
        {"id": "b", "type": "totp", "issuer": "Example Bank", "name": "alice", "secret": "AIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQC"},
        {"id": "m", "type": "msa_totp", "issuer": "Microsoft", "name": "alice@outlook.com", "secret": "AMBQGAYDAMBQGAYDAMBQGAYDAMBQGAYD"},
        {"id": "p", "type": "msa_passwordless", "name": "alice.personal@outlook.com", "secret": "AQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAE"},
        {"id": "w", "type": "work_school", "issuer": "Contoso", "name": "alice@contoso.com", "token": "tok"},
        {"id": "v", "type": "totp", "issuer": "VPN", "name": "alice", "secret": "BEEQSCIJBEEQSCIJBEEQSCIJBEEQSCIJ", "excluded_by_policy": true}
    ]}"#;

    /// A hand-added bank entry (another secret), GitHub renamed (same secret), a local account.
    const NEW_PHONE: &str = r#"{"accounts": [
        {"id": "hand-1", "type": "totp", "issuer": "example bank", "name": "ALICE", "secret": "JVGU2TKNJVGU2TKNJVGU2TKNJVGU2TKN"},
        {"id": "x", "type": "totp", "issuer": "GH", "name": "renamed", "secret": "AEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIB"},
        {"id": "only", "type": "totp", "issuer": "Local", "name": "carol", "secret": "FIVCUKRKFIVCUKRKFIVCUKRKFIVCUKRK"}
    ]}"#;

    fn restore(device: &[DeviceAccount], backup: &Payload, policy: Policy) -> RestorePlan {
        plan(device, backup, Platform::Ios, policy).unwrap()
    }

    fn text(p: &RestorePlan) -> String {
        RestoreReport::new(p).to_string()
    }

    #[test]
    fn reports_read_well() {
        let old = DeviceAccount::list_from_json(OLD_PHONE.as_bytes()).unwrap();
        let meta = BackupMeta::new(Platform::Ios, "backup-1", 4, 1_700_000_000).unwrap();
        let (backup, _) = Payload::from_device(meta, &old).unwrap();
        let device = DeviceAccount::list_from_json(NEW_PHONE.as_bytes()).unwrap();
        let keep = restore(&device, &backup, Policy::KeepBoth);
        let prefer = restore(&device, &backup, Policy::PreferBackup);
        let mine = restore(&device, &backup, Policy::PreferDevice);
        insta::assert_snapshot!("keep_both", text(&keep));
        insta::assert_snapshot!("prefer_backup", text(&prefer));
        insta::assert_snapshot!("prefer_device", text(&mine));
        insta::assert_snapshot!("keep_both_json", RestoreReport::new(&keep).to_json());
        let again = apply(&device, &keep).unwrap();
        insta::assert_snapshot!(
            "second_time",
            text(&restore(&again, &backup, Policy::KeepBoth))
        );
    }
}
