//! Aegis vaults: `{"version": 1, "header": {...}, "db": ...}`. Plain vaults carry the database
//! as an object; encrypted ones as base64 AES-256-GCM ciphertext under a master key that each
//! password slot wraps with a scrypt-derived key. Database content versions 1 to 3.

use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use super::crypto::{open_gcm, scrypt};
use super::{need_password, wrong_password, Candidate, SecretForm};
use authbackup::error::{Error, Result};

#[derive(Deserialize)]
struct Vault {
    version: u64,
    header: Header,
    db: Value,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<Params>,
}

#[derive(Deserialize)]
struct Params {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u64,
    key: String,
    key_params: Params,
    n: Option<u64>,
    r: Option<u64>,
    p: Option<u64>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct Db {
    version: u64,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    info: Value,
}

/// The most scrypt work one file may ask for, in units of n · r · p: one slot at the largest
/// parameters [`scrypt`] accepts (n · r at its 256 MiB memory bound, p = 16). A vault with
/// many password slots would otherwise make the importer run each derivation in turn.
const MAX_SCRYPT_WORK: u64 = (256 * 1024 * 1024 / 128) * 16;

/// Refuses, before any key derivation, a vault whose password slots together ask for more
/// than [`MAX_SCRYPT_WORK`] (`kdf_params_out_of_range`).
fn check_work(slots: &[Slot]) -> Result<()> {
    let work = slots
        .iter()
        .filter(|s| s.kind == 1)
        .map(|s| {
            let (n, r, p) = (s.n.unwrap_or(0), s.r.unwrap_or(0), s.p.unwrap_or(0));
            n.saturating_mul(r).saturating_mul(p)
        })
        .fold(0u64, u64::saturating_add);
    if work > MAX_SCRYPT_WORK {
        return Err(Error::new(
            authbackup::error::ErrorCode::KdfParamsOutOfRange,
            format!(
                "the vault's password slots ask for {work} units of scrypt work together; at most {MAX_SCRYPT_WORK} (one slot at the largest parameters) are accepted"
            ),
        ));
    }
    Ok(())
}

fn hex(s: &str) -> Result<Vec<u8>> {
    HEXLOWER_PERMISSIVE
        .decode(s.as_bytes())
        .map_err(|_| Error::malformed("a hex field of the vault is not hex"))
}

pub(crate) fn read(bytes: &[u8], password: Option<&[u8]>) -> Result<Vec<Candidate>> {
    let vault: Vault = crate::unique::parse("the Aegis vault", bytes)?;
    if vault.version != 1 {
        return Err(Error::new(
            authbackup::error::ErrorCode::UnsupportedVersion,
            format!("Aegis vault version {} is not supported", vault.version),
        ));
    }
    let db: Db = match (&vault.db, &vault.header.slots) {
        (Value::Object(_), _) => serde_json::from_value(vault.db.clone())
            .map_err(|e| Error::json("the vault database", &e))?,
        (Value::String(ciphertext), Some(slots)) => {
            let password = need_password(password)?;
            check_work(slots)?;
            let master = slots
                .iter()
                .filter(|s| s.kind == 1)
                .find_map(|s| {
                    let key =
                        scrypt(password, &hex(s.salt.as_deref()?).ok()?, s.n?, s.r?, s.p?).ok()?;
                    open_gcm(
                        &*key,
                        &hex(&s.key_params.nonce).ok()?,
                        &hex(&s.key).ok()?,
                        &hex(&s.key_params.tag).ok()?,
                    )
                })
                .ok_or_else(wrong_password)?;
            let params = vault
                .header
                .params
                .as_ref()
                .ok_or_else(|| Error::malformed("an encrypted vault needs header.params"))?;
            let ct = BASE64
                .decode(ciphertext.as_bytes())
                .map_err(|_| Error::malformed("db is not base64"))?;
            let plain = open_gcm(&master, &hex(&params.nonce)?, &ct, &hex(&params.tag)?)
                .ok_or_else(wrong_password)?;
            crate::unique::parse("the decrypted database", &plain)?
        }
        _ => {
            return Err(Error::malformed(
                "the vault's db is neither a database nor encrypted with password slots",
            ))
        }
    };
    if !(1..=3).contains(&db.version) {
        return Err(Error::new(
            authbackup::error::ErrorCode::UnsupportedVersion,
            format!(
                "Aegis database version {} is not supported (1 to 3)",
                db.version
            ),
        ));
    }
    Ok(db
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let label = format!("entry {}: {}", i + 1, authbackup::account::display_name((!e.issuer.is_empty()).then_some(e.issuer.as_str()), &e.name));
            match e.kind.as_str() {
                "totp" => {
                    let secret = e.info["secret"].as_str().unwrap_or_default().to_string();
                    Candidate::totp(label, Some(e.issuer), e.name, SecretForm::Base32(Zeroizing::new(secret)))
                        .with_params(&e.info, ["algo", "digits", "period"])
                }
                "hotp" => Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only"),
                "steam" => Candidate::unsupported(label, "Steam Guard codes are not TOTP codes ABF can hold"),
                "motp" => Candidate::unsupported(label, "mOTP is not TOTP"),
                "yandex" => Candidate::unsupported(label, "Yandex.Key codes are not TOTP codes ABF can hold"),
                _ => Candidate::unsupported(label, "its type is not TOTP (the only type ABF holds)".to_string()),
            }
        })
        .collect())
}
