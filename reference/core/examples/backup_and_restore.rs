//! A complete round trip with the library alone: an old phone's accounts become an encrypted
//! backup; the backup is restored onto a new phone that already holds one of them; the
//! program prints what happened to every account and the codes the new phone shows.
//!
//! Run it with `cargo run -p authbackup --example backup_and_restore`.

use authbackup::account::{AccountState, DeviceAccount};
use authbackup::container::{self, Credential, RecoveryKey};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::restore::{self, Outcome, Policy};
use authbackup::{Platform, Result};

const OLD_PHONE: &str = r#"{"accounts": [
  {"id": "gh", "type": "totp", "issuer": "GitHub", "name": "alice@example.com",
   "secret": "JBSWY3DPEHPK3PXP"},
  {"id": "bank", "type": "totp", "issuer": "Example Bank", "name": "alice",
   "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algorithm": "SHA256", "digits": 8, "period": 60},
  {"id": "work", "type": "work_school", "issuer": "Contoso", "name": "alice@contoso.com",
   "token": "eyJ0eXAiOiJKV1QiLCJhbGciOi"}
]}"#;

const NEW_PHONE: &str = r#"{"accounts": [
  {"id": "hand-1", "type": "totp", "issuer": "example bank", "name": "ALICE",
   "secret": "MFRGGZDFMZTWQ2LK"}
]}"#;

fn main() -> Result<()> {
    let now = 1_700_000_000;

    // 1. The old phone makes a backup, sealed to the user's recovery key.
    let old_phone = DeviceAccount::list_from_json(OLD_PHONE.as_bytes())?;
    let meta = BackupMeta::new(
        Platform::Ios,
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        1,
        now,
    )?;
    let (payload, built) = Payload::from_device(meta, &old_phone)?;
    let key = Credential::Key(RecoveryKey::generate_symmetric());
    let sealed = container::seal(&payload, std::slice::from_ref(&key))?;
    println!(
        "backup: {} bytes, {} accounts ({} kept as placeholders)",
        sealed.len(),
        built.entries.len(),
        payload
            .accounts()
            .iter()
            .filter(|a| a.is_placeholder())
            .count()
    );

    // 2. The new phone opens it and plans the restore: nothing on it is overwritten.
    let new_phone = DeviceAccount::list_from_json(NEW_PHONE.as_bytes())?;
    let opened = container::open(&sealed, &key)?;
    let plan = restore::plan(&new_phone, &opened.payload, Platform::Ios, Policy::KeepBoth)?;
    for a in &plan.outcomes {
        let what = match &a.outcome {
            Outcome::Added => "restored".to_string(),
            Outcome::AlreadyPresent { device, .. } => format!("already there as {}", device.id),
            Outcome::KeptBoth {
                device, added_id, ..
            } => {
                format!("kept both: {} unchanged, added as {added_id}", device.id)
            }
            Outcome::Replaced { device, .. } => format!("replaced {}", device.id),
            Outcome::DeviceKept { device, .. } => format!("kept {}", device.id),
        };
        let sign_in = if a.state == AccountState::ActionRequired {
            ", sign in again"
        } else {
            ""
        };
        println!("  {:<32} {what}{sign_in}", a.display_name);
    }

    // 3. Apply it (all or nothing) and show the codes the new phone now gives.
    let after = restore::apply(&new_phone, &plan)?;
    for d in &after {
        match &d.secret {
            Some(secret) => {
                let totp = authbackup::otp::Totp::new(secret, d.params.totp_params());
                println!("  {:<12} code {}", d.id, totp.code_at(now)?);
            }
            None => println!("  {:<12} action required", d.id),
        }
    }
    Ok(())
}
