//! Fixtures shared by the benchmarks in `benches/`: payloads, devices and keys of a given
//! size, built the same way for every run.
#![forbid(unsafe_code)]

use authbackup::account::{
    AccountState, AccountType, BackupAccount, CodeParams, DeviceAccount, OtpKey,
};
use authbackup::container::{Credential, RecoveryKey};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::Secret;

/// A 20-byte secret that differs per `i`.
pub fn secret(i: usize) -> Secret {
    let mut bytes = [0u8; 20];
    for (k, b) in bytes.iter_mut().enumerate() {
        *b = (i.wrapping_mul(31).wrapping_add(k * 7)) as u8;
    }
    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
    Secret::from_bytes(bytes.to_vec()).expect("20 bytes")
}

/// Backup account number `i`: three in four code-bearing, one in four a placeholder.
pub fn backup_account(i: usize) -> BackupAccount {
    let t = [
        AccountType::Totp,
        AccountType::MsaTotp,
        AccountType::Totp,
        AccountType::WorkSchool,
    ][i % 4];
    let (id, name) = (format!("account-{i:08}"), format!("user{i}@example.com"));
    let account = if t.bears_codes() {
        let key = OtpKey {
            secret: secret(i),
            params: CodeParams::default(),
        };
        BackupAccount::with_codes(id, t, Some(format!("Issuer {}", i % 97)), name, key)
    } else {
        BackupAccount::placeholder(id, t, name)
    };
    account.expect("a valid account")
}

/// A payload of `n` accounts.
pub fn payload(n: usize) -> Payload {
    Payload::new(
        BackupMeta::new(Platform::Ios, "bench", 1, 1_700_000_000).unwrap(),
        (0..n).map(backup_account).collect(),
    )
    .unwrap()
}

/// A device of `n` accounts: every other one also in [`payload`] (same id and secret), the
/// rest hand-added accounts that match backup accounts by name with another secret, or match
/// nothing.
pub fn device(n: usize) -> Vec<DeviceAccount> {
    (0..n)
        .map(|i| {
            let b = backup_account(i);
            let same = i % 2 == 0;
            DeviceAccount {
                id: if same {
                    b.id().to_string()
                } else {
                    format!("hand-{i:08}")
                },
                account_type: b.account_type(),
                issuer: b.issuer().map(str::to_string),
                name: if i % 4 == 1 {
                    b.name().to_string()
                } else {
                    format!("device{i}@example.com")
                },
                secret: b.key().map(|k| {
                    if same {
                        k.secret.clone()
                    } else {
                        secret(i + 1_000_000_000)
                    }
                }),
                params: CodeParams::default(),
                token: None,
                excluded_by_policy: false,
                state: AccountState::Ready,
            }
        })
        .collect()
}

/// The fixed 256-bit recovery key the container benchmarks use.
pub fn key() -> Credential {
    let jwk = br#"{"kty":"oct","kid":"bench","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#;
    Credential::Key(RecoveryKey::from_jwk_json(jwk).expect("fixed key"))
}
