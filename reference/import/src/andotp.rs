//! andOTP backups: a JSON array of entries; encrypted backups are
//! `iterations (4 bytes, big-endian) | salt (12) | nonce (12) | ciphertext | tag (16)`,
//! AES-256-GCM under PBKDF2-HMAC-SHA1(password, salt, iterations).

use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto::{open_gcm, pbkdf2};
use super::{need_password, wrong_password, Candidate, SecretForm};
use authbackup::error::{Error, Result};

pub(crate) fn read(bytes: &[u8], password: Option<&[u8]>) -> Result<Vec<Candidate>> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return Err(Error::malformed(
            "not an andOTP backup: andOTP writes a JSON array (or an encrypted file)",
        ));
    }
    let plain: Zeroizing<Vec<u8>> = if first == Some(&b'[') {
        Zeroizing::new(bytes.to_vec())
    } else {
        let password = need_password(password)?;
        if bytes.len() < 4 + 12 + 12 + 16 {
            return Err(Error::malformed("too short for an encrypted andOTP backup"));
        }
        let iterations = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let (salt, rest) = bytes[4..].split_at(12);
        let (nonce, rest) = rest.split_at(12);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let key = pbkdf2(password, salt, iterations, false)?;
        open_gcm(&*key, nonce, ct, tag).ok_or_else(wrong_password)?
    };
    let entries: Vec<Value> = crate::unique::parse("the andOTP backup", &plain)?;
    Ok(entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let issuer = e["issuer"].as_str().unwrap_or_default().to_string();
            let name = e["label"].as_str().unwrap_or_default().to_string();
            let label = format!("entry {}: {}", i + 1, authbackup::account::display_name((!issuer.is_empty()).then_some(issuer.as_str()), &name));
            match e["type"].as_str().unwrap_or("TOTP") {
                "TOTP" => {
                    let secret = e["secret"].as_str().unwrap_or_default().to_string();
                    Candidate::totp(label, Some(issuer), name, SecretForm::Base32(Zeroizing::new(secret))).with_params(&e, ["algorithm", "digits", "period"])
                }
                "HOTP" => Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only"),
                "STEAM" => Candidate::unsupported(label, "Steam Guard codes are not TOTP codes ABF can hold"),
                "MOTP" => Candidate::unsupported(label, "mOTP is not TOTP"),
                _ => Candidate::unsupported(label, "its type is not TOTP (the only type ABF holds)".to_string()),
            }
        })
        .collect())
}
