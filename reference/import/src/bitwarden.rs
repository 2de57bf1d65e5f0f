//! Bitwarden exports, JSON (`{"items": [...]}`, unencrypted) or CSV (`login_totp` column):
//! only items with a TOTP value; the value is an `otpauth://` URI, a bare base32 secret, or
//! `steam://` (not importable).

use zeroize::Zeroizing;

use super::{csv, otpauth, text, Candidate, SecretForm};
use authbackup::error::{Error, Result};

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Candidate>> {
    let t = text(bytes)?;
    let items: Vec<(String, String, String)> = if t.trim_start().starts_with('{') {
        let doc: serde_json::Value = crate::unique::parse("the Bitwarden export", t.as_bytes())?;
        if doc["encrypted"].as_bool() == Some(true) {
            return Err(Error::invalid_parameter(
                "encrypted Bitwarden exports are not supported: export unencrypted JSON or CSV",
            ));
        }
        let items = doc["items"]
            .as_array()
            .ok_or_else(|| Error::malformed("not a Bitwarden export: no items"))?;
        items
            .iter()
            .filter_map(|i| {
                let totp = i["login"]["totp"].as_str()?;
                Some((
                    i["name"].as_str().unwrap_or_default().into(),
                    i["login"]["username"].as_str().unwrap_or_default().into(),
                    totp.into(),
                ))
            })
            .collect()
    } else {
        let rows = csv::rows(t).map_err(|line| {
            Error::malformed(format!(
                "the CSV record that begins on line {line} opens a quote it never closes; nothing was imported"
            ))
        })?;
        let header = rows
            .first()
            .ok_or_else(|| Error::malformed("an empty CSV file"))?;
        let col = |name: &str| {
            header.iter().position(|h| h.trim() == name).ok_or_else(|| {
                Error::malformed(format!("not a Bitwarden CSV export: no {name} column"))
            })
        };
        let (name, user, totp) = (col("name")?, col("login_username")?, col("login_totp")?);
        rows[1..]
            .iter()
            .filter(|r| r.get(totp).is_some_and(|v| !v.trim().is_empty()))
            .map(|r| {
                (
                    r.get(name).cloned().unwrap_or_default(),
                    r.get(user).cloned().unwrap_or_default(),
                    r[totp].clone(),
                )
            })
            .collect()
    };
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, (name, user, totp))| {
            let place = format!("item {} ({name})", i + 1);
            let totp = totp.trim();
            if totp.starts_with("otpauth://") {
                otpauth::from_uri(&place, totp)
            } else if totp.starts_with("steam://") {
                Candidate::unsupported(place, "Steam Guard codes are not TOTP codes ABF can hold")
            } else {
                Candidate::totp(
                    format!("{place}: {user}"),
                    Some(name),
                    user,
                    SecretForm::Base32(Zeroizing::new(totp.to_string())),
                )
            }
        })
        .collect())
}
