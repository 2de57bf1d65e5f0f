//! Importing accounts from other authenticator apps' exports (`spec/data-model.md` section 5):
//! one module per format, each turning its file into candidates; this module checks them,
//! merges duplicates, and reports every entry (imported, merged, or not imported and why).
//! Nothing is dropped silently.
//!
//! The accounts come out as [`authbackup::account::DeviceAccount`]s, ready for a device file or
//! a backup.
#![forbid(unsafe_code)]

mod aegis;
mod andotp;
mod bitwarden;
mod crypto;
mod csv;
mod freeotp;
mod google;
mod otpauth;
mod twofas;
mod unique;

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use authbackup::account::{
    check_issuer, check_name, display_name, AccountState, AccountType, CodeParams, DeviceAccount,
};
use authbackup::error::{Error, ErrorCode, Result};
use authbackup::secret::Secret;

/// The formats `authbackup import --from` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// `otpauth://` URIs, one per line.
    Otpauth,
    /// Google Authenticator's `otpauth-migration://offline?data=` export (one or more lines).
    Google,
    /// An Aegis vault, plain or password-encrypted.
    Aegis,
    /// A 2FAS `.2fas` backup, plain or encrypted.
    TwoFas,
    /// An andOTP JSON backup, plain or encrypted.
    AndOtp,
    /// A FreeOTP+ JSON backup.
    FreeOtpPlus,
    /// A Bitwarden export, JSON or CSV.
    Bitwarden,
}

impl Source {
    /// Every source with its command-line name.
    pub const ALL: [(Source, &'static str); 7] = [
        (Source::Otpauth, "otpauth"),
        (Source::Google, "google"),
        (Source::Aegis, "aegis"),
        (Source::TwoFas, "2fas"),
        (Source::AndOtp, "andotp"),
        (Source::FreeOtpPlus, "freeotp-plus"),
        (Source::Bitwarden, "bitwarden"),
    ];

    /// Reads a command-line name.
    pub fn from_name(name: &str) -> Result<Source> {
        Source::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(s, _)| *s)
            .ok_or_else(|| Error::invalid_parameter(format!("unknown import format {name:?}")))
    }
}

/// A secret as a format carries it.
pub(crate) enum SecretForm {
    /// Base32 text.
    Base32(Zeroizing<String>),
    /// Raw bytes.
    Bytes(Zeroizing<Vec<u8>>),
}

/// One entry of an export, before checking.
pub(crate) struct Candidate {
    /// How the report names the entry.
    pub label: String,
    /// `None` for a TOTP entry; otherwise why the entry cannot be imported.
    pub unsupported: Option<String>,
    pub issuer: Option<String>,
    pub name: String,
    pub secret: SecretForm,
    pub algorithm: String,
    pub digits: u64,
    pub period: u64,
}

impl Candidate {
    /// A TOTP entry with the usual defaults.
    pub(crate) fn totp(
        label: String,
        issuer: Option<String>,
        name: String,
        secret: SecretForm,
    ) -> Candidate {
        Candidate {
            label,
            unsupported: None,
            issuer,
            name,
            secret,
            algorithm: "SHA1".into(),
            digits: 6,
            period: 30,
        }
    }

    /// Reads the code parameters from `entry`'s members `algorithm`, `digits` and `period`
    /// (the format's names), each optional (SHA1, 6, 30). A member of the wrong JSON type, a
    /// number that is not a whole non-negative one, or one too large makes the entry "not
    /// imported" with the reason, never a silent default.
    pub(crate) fn with_params(
        mut self,
        entry: &serde_json::Value,
        [algorithm, digits, period]: [&str; 3],
    ) -> Candidate {
        let read = |member: &str| -> std::result::Result<Option<u64>, String> {
            match &entry[member] {
                serde_json::Value::Null => Ok(None),
                v => v.as_u64().map(Some).ok_or_else(|| {
                    format!("its {member} is not a whole number (a JSON number without sign or fraction)")
                }),
            }
        };
        let algorithm = match &entry[algorithm] {
            serde_json::Value::Null => Ok("SHA1".to_string()),
            serde_json::Value::String(s) => Ok(s.clone()),
            _ => Err(format!("its {algorithm} is not a text")),
        };
        let params = (algorithm, read(digits), read(period));
        match params {
            (Ok(a), Ok(d), Ok(p)) => {
                self.algorithm = a;
                self.digits = d.unwrap_or(6);
                self.period = p.unwrap_or(30);
            }
            (Err(why), _, _) | (_, Err(why), _) | (_, _, Err(why)) => {
                self.unsupported.get_or_insert(why);
            }
        }
        self
    }

    /// An entry that cannot be imported, and why.
    pub(crate) fn unsupported(label: String, why: impl Into<String>) -> Candidate {
        Candidate {
            label,
            unsupported: Some(why.into()),
            issuer: None,
            name: String::new(),
            secret: SecretForm::Bytes(Zeroizing::new(Vec::new())),
            algorithm: String::new(),
            digits: 0,
            period: 0,
        }
    }
}

/// What became of one entry of the export.
///
/// Deliberately exhaustive: every entry is imported, merged or not imported, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Imported as the account with this id.
    Imported {
        /// The new account's id.
        id: String,
    },
    /// The same issuer and secret as an entry already imported: merged into it.
    Merged {
        /// The account it was merged into.
        into: String,
    },
    /// Not imported, and why.
    NotImported {
        /// The reason, for the user.
        reason: String,
    },
}

/// One line of the import report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportEntry {
    /// The entry as the export names it.
    pub label: String,
    /// What became of it.
    pub outcome: EntryOutcome,
}

/// The import report: every entry of the export, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The entries.
    pub entries: Vec<ImportEntry>,
}

impl ImportReport {
    /// The entries that were not imported.
    pub fn not_imported(&self) -> impl Iterator<Item = &ImportEntry> {
        self.entries
            .iter()
            .filter(|e| matches!(e.outcome, EntryOutcome::NotImported { .. }))
    }
}

/// Imports `bytes` of format `source`; `password` opens encrypted exports. Returns the device
/// accounts (as `backup create` reads them) and the report of every entry. A file that is not
/// of the format is `malformed`; a wrong password is `decryption_failed`.
pub fn import(
    source: Source,
    bytes: &[u8],
    password: Option<&[u8]>,
) -> Result<(Vec<DeviceAccount>, ImportReport)> {
    // A UTF-8 byte-order mark, as some editors and Windows tools write, is not content.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let candidates = match source {
        Source::Otpauth => otpauth::read(bytes)?,
        Source::Google => google::read(bytes)?,
        Source::Aegis => aegis::read(bytes, password)?,
        Source::TwoFas => twofas::read(bytes, password)?,
        Source::AndOtp => andotp::read(bytes, password)?,
        Source::FreeOtpPlus => freeotp::read(bytes)?,
        Source::Bitwarden => bitwarden::read(bytes)?,
    };
    Ok(finish(candidates))
}

pub(crate) fn text(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| Error::malformed("the export is not UTF-8 text"))
}

pub(crate) fn need_password(password: Option<&[u8]>) -> Result<&[u8]> {
    password.ok_or_else(|| {
        Error::invalid_parameter("this export is encrypted: give its password (--password-file)")
    })
}

pub(crate) fn wrong_password() -> Error {
    Error::new(
        ErrorCode::DecryptionFailed,
        "wrong password: the export does not decrypt with it (or the file is damaged)",
    )
}

/// Checks every candidate, merges duplicates (same issuer and secret bytes), and reports.
fn finish(candidates: Vec<Candidate>) -> (Vec<DeviceAccount>, ImportReport) {
    let mut accounts: Vec<DeviceAccount> = Vec::new();
    let mut report = ImportReport::default();
    let mut seen: HashMap<[u8; 32], String> = HashMap::new();
    let mut ids = std::collections::HashSet::new();
    for c in candidates {
        let label = c.label.clone();
        let outcome = match check(c) {
            Err(reason) => EntryOutcome::NotImported { reason },
            Ok(account) => {
                let secret = account.secret.as_ref().expect("checked");
                let key: [u8; 32] = Sha256::new()
                    .chain_update(
                        authbackup::account::normalise(account.issuer.as_deref().unwrap_or(""))
                            .as_bytes(),
                    )
                    .chain_update([0])
                    .chain_update(secret.expose_bytes())
                    .finalize()
                    .into();
                match seen.get(&key) {
                    Some(first) => EntryOutcome::Merged {
                        into: first.clone(),
                    },
                    None => {
                        let mut account = account;
                        account.id = unique_id(&mut ids, &account);
                        seen.insert(key, account.id.clone());
                        let id = account.id.clone();
                        accounts.push(account);
                        EntryOutcome::Imported { id }
                    }
                }
            }
        };
        report.entries.push(ImportEntry { label, outcome });
    }
    (accounts, report)
}

fn check(c: Candidate) -> std::result::Result<DeviceAccount, String> {
    if let Some(why) = c.unsupported {
        return Err(why);
    }
    let secret = match &c.secret {
        SecretForm::Base32(text) => Secret::from_base32(text),
        SecretForm::Bytes(bytes) => Secret::from_bytes(bytes.to_vec()),
    }
    .map_err(|e| format!("its secret cannot be used: {}", e.message()))?;
    if c.algorithm.eq_ignore_ascii_case("MD5") {
        return Err("MD5 codes are not TOTP as ABF defines it (SHA1, SHA256, SHA512)".into());
    }
    let params = CodeParams::from_optional(Some(&c.algorithm), Some(c.digits), Some(c.period))
        .map_err(|e| e.message().to_string())?;
    let issuer = c
        .issuer
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty());
    let mut name = c.name.trim().to_string();
    if name.is_empty() {
        name = issuer.clone().unwrap_or_else(|| "(no name)".into());
    }
    if let Some(i) = &issuer {
        check_issuer(i).map_err(|e| e.message().to_string())?;
    }
    check_name("account name", &name).map_err(|e| e.message().to_string())?;
    Ok(DeviceAccount {
        id: String::new(),
        account_type: AccountType::Totp,
        issuer,
        name,
        secret: Some(secret),
        params,
        token: None,
        excluded_by_policy: false,
        state: AccountState::Ready,
    })
}

/// A stable id: `imp-` and 16 hex digits of SHA-256 over issuer, name and secret.
fn unique_id(ids: &mut std::collections::HashSet<String>, a: &DeviceAccount) -> String {
    let digest = Sha256::new()
        .chain_update(display_name(a.issuer.as_deref(), &a.name).as_bytes())
        .chain_update([0])
        .chain_update(a.secret.as_ref().map_or(&[][..], |s| s.expose_bytes()))
        .finalize();
    let base: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let mut id = format!("imp-{base}");
    let mut n = 1;
    while !ids.insert(id.clone()) {
        n += 1;
        id = format!("imp-{base}-{n}");
    }
    id
}

/// Writes code-bearing accounts as `otpauth://` URIs, one per line (the reverse of
/// [`Source::Otpauth`]). Placeholders have no secret and are left out; so are accounts an
/// organisation policy excludes from backup (REQ-RESTORE-002: that credential must not leave
/// the device), which [`excluded_by_policy`] names. The text holds secrets.
pub fn export_otpauth(accounts: &[DeviceAccount]) -> Result<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::new());
    for a in accounts
        .iter()
        .filter(|a| a.account_type.bears_codes() && !a.excluded_by_policy)
    {
        let Some(secret) = &a.secret else { continue };
        let uri = authbackup::uri::KeyUri {
            kind: authbackup::uri::OtpKind::Totp {
                period: a.params.period,
            },
            issuer: a.issuer.clone(),
            name: a.name.clone(),
            secret: secret.clone(),
            algorithm: a.params.algorithm,
            digits: a.params.digits,
        }
        .to_uri()?;
        out.push_str(&uri);
        out.push('\n');
    }
    Ok(out)
}

/// The accounts [`export_otpauth`] leaves out because an organisation policy excludes them.
pub fn excluded_by_policy(accounts: &[DeviceAccount]) -> impl Iterator<Item = &DeviceAccount> {
    accounts.iter().filter(|a| a.excluded_by_policy)
}

#[cfg(test)]
mod tests;
