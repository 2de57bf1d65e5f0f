//! 2FAS backups (`.2fas`): `{"services": [...], "schemaVersion": N, ...}`; an encrypted backup
//! leaves `services` empty and carries `servicesEncrypted` = `ciphertext:salt:iv` (base64
//! each), AES-256-GCM under PBKDF2-HMAC-SHA256(password, salt, 10,000 iterations).

use data_encoding::BASE64;
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto::{open_gcm, pbkdf2};
use super::{need_password, wrong_password, Candidate, SecretForm};
use authbackup::error::{Error, Result};

/// The PBKDF2 iteration count 2FAS uses.
pub(crate) const ITERATIONS: u32 = 10_000;

#[derive(Deserialize)]
struct Backup {
    #[serde(default)]
    services: Vec<Value>,
    #[serde(rename = "servicesEncrypted")]
    services_encrypted: Option<String>,
    #[serde(rename = "schemaVersion")]
    schema_version: Option<u64>,
}

pub(crate) fn read(bytes: &[u8], password: Option<&[u8]>) -> Result<Vec<Candidate>> {
    let backup: Backup = crate::unique::parse("the 2FAS backup", bytes)?;
    if backup.schema_version.is_none() {
        return Err(Error::malformed("not a 2FAS backup: no schemaVersion"));
    }
    let services: Vec<Value> = match &backup.services_encrypted {
        Some(enc) if !enc.is_empty() => {
            let password = need_password(password)?;
            let parts: Vec<&str> = enc.split(':').collect();
            let [ct, salt, iv] = parts[..] else {
                return Err(Error::malformed(
                    "servicesEncrypted is not ciphertext:salt:iv",
                ));
            };
            let b64 = |s: &str| {
                BASE64
                    .decode(s.as_bytes())
                    .map_err(|_| Error::malformed("servicesEncrypted is not base64"))
            };
            let (ct, salt, iv) = (b64(ct)?, b64(salt)?, b64(iv)?);
            if ct.len() < 16 {
                return Err(Error::malformed("servicesEncrypted is too short"));
            }
            let key = pbkdf2(password, &salt, ITERATIONS, true)?;
            let (body, tag) = ct.split_at(ct.len() - 16);
            let plain = open_gcm(&*key, &iv, body, tag).ok_or_else(wrong_password)?;
            crate::unique::parse("the decrypted services", &plain)?
        }
        _ => backup.services,
    };
    Ok(services
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let otp = &s["otp"];
            let issuer = otp["issuer"].as_str().or(s["name"].as_str()).unwrap_or_default().to_string();
            let name = otp["account"].as_str().or(otp["label"].as_str()).unwrap_or_default().to_string();
            let label = format!("service {}: {}", i + 1, authbackup::account::display_name((!issuer.is_empty()).then_some(issuer.as_str()), &name));
            match otp["tokenType"].as_str().unwrap_or("TOTP") {
                "TOTP" => {
                    let secret = s["secret"].as_str().unwrap_or_default().to_string();
                    Candidate::totp(label, Some(issuer), name, SecretForm::Base32(Zeroizing::new(secret))).with_params(otp, ["algorithm", "digits", "period"])
                }
                "HOTP" => Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only"),
                "STEAM" => Candidate::unsupported(label, "Steam Guard codes are not TOTP codes ABF can hold"),
                _ => Candidate::unsupported(label, "its type is not TOTP (the only type ABF holds)".to_string()),
            }
        })
        .collect())
}
