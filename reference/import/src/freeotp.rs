//! FreeOTP+ JSON backups: `{"tokens": [...], "tokenOrder": [...]}`, secrets as arrays of
//! signed bytes.

use serde_json::Value;
use zeroize::Zeroizing;

use super::{Candidate, SecretForm};
use authbackup::error::{Error, Result};

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Candidate>> {
    let doc: Value = crate::unique::parse("the FreeOTP+ backup", bytes)?;
    let tokens = doc["tokens"]
        .as_array()
        .ok_or_else(|| Error::malformed("not a FreeOTP+ backup: no tokens array"))?;
    Ok(tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let issuer = t["issuerExt"].as_str().or(t["issuerInt"].as_str()).unwrap_or_default().to_string();
            let name = t["label"].as_str().unwrap_or_default().to_string();
            let label = format!("token {}: {}", i + 1, authbackup::account::display_name((!issuer.is_empty()).then_some(issuer.as_str()), &name));
            let secret: Option<Vec<u8>> = t["secret"].as_array().and_then(|a| a.iter().map(|b| b.as_i64().filter(|b| (-128..=255).contains(b)).map(|b| b as u8)).collect());
            match (t["type"].as_str().unwrap_or("TOTP"), secret) {
                ("TOTP", Some(secret)) => {
                    Candidate::totp(label, Some(issuer), name, SecretForm::Bytes(Zeroizing::new(secret))).with_params(t, ["algo", "digits", "period"])
                }
                ("TOTP", None) => Candidate::unsupported(label, "its secret is not an array of bytes"),
                ("HOTP", _) => Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only"),
                _ => Candidate::unsupported(label, "its type is not TOTP (the only type ABF holds)".to_string()),
            }
        })
        .collect())
}
