//! Fixtures shared by the benchmarks in `benches/`: payloads, devices and keys of a given
//! size, built the same way for every run.
#![forbid(unsafe_code)]

use authbackup::account::{
    AccountState, AccountType, BackupAccount, CodeParams, DeviceAccount, OtpKey,
};
use authbackup::container::{Credential, RecoveryKey};
use authbackup::payload::{BackupMeta, Payload, Platform};
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
    BackupAccount {
        id: format!("account-{i:08}"),
        account_type: t,
        issuer: t.bears_codes().then(|| format!("Issuer {}", i % 97)),
        name: format!("user{i}@example.com"),
        otp: t.bears_codes().then(|| OtpKey {
            secret: secret(i),
            params: CodeParams::default(),
        }),
    }
}

/// A payload of `n` accounts.
pub fn payload(n: usize) -> Payload {
    Payload {
        meta: BackupMeta {
            platform: Platform::Ios,
            backup_id: "bench".into(),
            generation: 1,
            created: 1_700_000_000,
        },
        accounts: (0..n).map(backup_account).collect(),
    }
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
                    b.id.clone()
                } else {
                    format!("hand-{i:08}")
                },
                account_type: b.account_type,
                issuer: b.issuer.clone(),
                name: if i % 4 == 1 {
                    b.name.clone()
                } else {
                    format!("device{i}@example.com")
                },
                secret: b.otp.as_ref().map(|k| {
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
