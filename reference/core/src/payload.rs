//! The backup payload (`spec/payload.md`): the UTF-8 JSON document a container encrypts,
//! with its platform, backup id, generation, creation time and accounts. Parsed into typed
//! values directly, with every rule checked in the order the spec gives.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::account::{
    build_backup_accounts, check_id, check_issuer, check_length, check_name, check_no_controls,
    AccountType, BackupAccount, BuildReport, CodeParams, DeviceAccount, Kept, OtpKey, Texts,
};
use crate::error::{Error, ErrorCode, Result};
use crate::platform::Platform;
use crate::secret::Secret;

/// The payload format version this implementation reads and writes.
pub const FORMAT_VERSION: u64 = 1;
/// The most accounts one backup may hold (REQ-PAYLOAD-006).
pub const MAX_ACCOUNTS: usize = 100_000;
/// The longest backup id, in bytes (REQ-PAYLOAD-004).
pub const MAX_BACKUP_ID_BYTES: usize = 64;

/// What identifies one backup generation; the container's protected header repeats it.
/// Every value is valid (REQ-PAYLOAD-004, REQ-PAYLOAD-005): made by [`BackupMeta::new`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BackupMeta {
    platform: Platform,
    backup_id: String,
    generation: u64,
    created: u64,
}

impl BackupMeta {
    /// Checks REQ-PAYLOAD-004 (a backup id of 1 to 64 bytes without control characters) and
    /// REQ-PAYLOAD-005 (a generation of at least 1).
    pub fn new(
        platform: Platform,
        backup_id: impl Into<String>,
        generation: u64,
        created: u64,
    ) -> Result<BackupMeta> {
        let backup_id = backup_id.into();
        if backup_id.is_empty() {
            return Err(Error::invalid_parameter("the backup id must not be empty"));
        }
        check_length("backup id", &backup_id, MAX_BACKUP_ID_BYTES)?;
        check_no_controls("backup id", &backup_id)?;
        if generation == 0 {
            return Err(Error::invalid_parameter(
                "the generation must be at least 1",
            ));
        }
        Ok(BackupMeta {
            platform,
            backup_id,
            generation,
            created,
        })
    }

    /// The platform the backup was made on.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// The backup's id, the same for all its generations (a UUID is recommended).
    pub fn backup_id(&self) -> &str {
        &self.backup_id
    }

    /// The generation: 1 for the first backup, one more for every change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When this generation was made, in Unix seconds.
    pub fn created(&self) -> u64 {
        self.created
    }
}

/// A backup's content: its identity and its accounts. Every value is valid: made by
/// [`Payload::new`], [`Payload::from_device`] or [`Payload::from_json`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    meta: BackupMeta,
    accounts: Vec<BackupAccount>,
}

impl Payload {
    /// A payload of `accounts` (each valid by construction): at most [`MAX_ACCOUNTS`]
    /// (`too_large`), no id twice (`duplicate_account`).
    pub fn new(meta: BackupMeta, accounts: Vec<BackupAccount>) -> Result<Payload> {
        check_count(accounts.len())?;
        if let Some(index) = first_repeated_id(accounts.iter().map(BackupAccount::id)) {
            return Err(in_account(index, duplicate()));
        }
        Ok(Payload { meta, accounts })
    }

    /// The payload a device's accounts make under the per-type rules
    /// ([`build_backup_accounts`]), with what was kept of each account. The one place a
    /// backup's content is assembled.
    pub fn from_device(
        meta: BackupMeta,
        device: &[DeviceAccount],
    ) -> Result<(Payload, BuildReport)> {
        let (accounts, report) = build_backup_accounts(device)?;
        Ok((Payload::new(meta, accounts)?, report))
    }

    /// Platform, backup id, generation, creation time.
    pub fn meta(&self) -> &BackupMeta {
        &self.meta
    }

    /// The accounts, in backup order.
    pub fn accounts(&self) -> &[BackupAccount] {
        &self.accounts
    }

    /// Parses and checks a payload (REQ-PAYLOAD-001 to REQ-PAYLOAD-020).
    pub fn from_json(bytes: &[u8]) -> Result<Payload> {
        // REQ-PAYLOAD-007: UTF-8 is checked once for the whole text, before anything else,
        // so that bytes no member reads (a token's value, another version's members) are
        // checked too.
        let text = std::str::from_utf8(bytes).map_err(not_utf8)?;
        let wire = match serde_json::from_str::<WirePayload>(text) {
            Ok(wire) => wire,
            Err(e) => return Err(version_error(text).unwrap_or_else(|| malformed_json(&e))),
        };
        if wire.version != FORMAT_VERSION {
            return Err(unsupported_version(wire.version));
        }
        let meta = BackupMeta::new(
            Platform::from_name(&wire.platform)?,
            wire.backup_id,
            wire.generation,
            wire.created,
        )?;
        let Accounts {
            accounts,
            count,
            first_broken,
        } = wire.accounts;
        check_count(count)?;
        // Every account before the first broken one kept its own rules; one of them may
        // still repeat an earlier id (an account's own rules come before that check).
        if let Some(index) = first_repeated_id(accounts.iter().map(BackupAccount::id)) {
            return Err(in_account(index, duplicate()));
        }
        if let Some((index, e)) = first_broken {
            return Err(in_account(index, e));
        }
        Ok(Payload { meta, accounts })
    }

    /// The payload as JSON (REQ-PAYLOAD-030). The bytes hold secrets, so they are wiped on
    /// drop.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        self.write_json(true, false)
    }

    /// The payload as indented JSON for people, with every secret replaced by
    /// `"<redacted>"` unless `reveal_secrets`.
    pub fn to_display_json(&self, reveal_secrets: bool) -> Zeroizing<Vec<u8>> {
        self.write_json(reveal_secrets, true)
    }

    fn write_json(&self, with_secrets: bool, pretty: bool) -> Zeroizing<Vec<u8>> {
        let accounts: Vec<SerAccount<'_>> = self
            .accounts
            .iter()
            .map(|a| SerAccount {
                id: a.id(),
                account_type: a.account_type.as_str(),
                issuer: a.issuer(),
                name: a.name(),
                secret: a.key().map(|k| {
                    if with_secrets {
                        k.secret.to_base32()
                    } else {
                        Zeroizing::new("<redacted>".to_string())
                    }
                }),
                algorithm: a.key().map(|k| k.params.algorithm.name()),
                digits: a.key().map(|k| k.params.digits.get()),
                period: a.key().map(|k| k.params.period.get()),
            })
            .collect();
        let doc = SerPayload {
            version: FORMAT_VERSION,
            platform: self.meta().platform().as_str(),
            backup_id: self.meta().backup_id(),
            generation: self.meta().generation(),
            created: self.meta().created(),
            accounts,
        };
        // Sized up front so that growing the buffer does not leave copies of secrets behind.
        let capacity = self.json_capacity(with_secrets, pretty);
        let mut out = Zeroizing::new(Vec::with_capacity(capacity));
        // Serializing plain data into a Vec cannot fail.
        let _ = if pretty {
            serde_json::to_writer_pretty(&mut *out, &doc)
        } else {
            serde_json::to_writer(&mut *out, &doc)
        };
        out
    }
}

impl Payload {
    /// At least the bytes [`Payload::write_json`] writes, and not many more: the buffer is
    /// wiped over its whole capacity when dropped, so every byte of slack is written twice.
    fn json_capacity(&self, with_secrets: bool, pretty: bool) -> usize {
        // Member names, punctuation, numbers and (when pretty) indentation of one account,
        // and of the document around the accounts.
        let (per_account, document) = if pretty { (260, 400) } else { (160, 200) };
        let account = |a: &BackupAccount| {
            let secret = match a.key() {
                Some(k) if with_secrets => k.secret.expose_bytes().len() * 8 / 5 + 1,
                Some(_) => "<redacted>".len(),
                None => 0,
            };
            per_account
                + json_string_bound(a.id())
                + json_string_bound(a.name())
                + a.issuer().map_or(0, json_string_bound)
                + secret
        };
        document
            + json_string_bound(self.meta.backup_id())
            + self.accounts.iter().map(account).sum::<usize>()
    }
}

/// The most bytes serde_json writes for `text` as a JSON string, quotes excluded: `"` and
/// `\` take two, a control character at most six, anything else itself.
fn json_string_bound(text: &str) -> usize {
    let escapes: usize = text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    text.len() + escapes
}

fn check_count(n: usize) -> Result<()> {
    if n > MAX_ACCOUNTS {
        return Err(Error::too_large(format!(
            "the backup holds {n} accounts; at most {MAX_ACCOUNTS} are accepted"
        )));
    }
    Ok(())
}

/// REQ-PAYLOAD-017, no id twice: the index of the first id that came earlier, if any.
fn first_repeated_id<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Option<usize> {
    let mut seen = HashSet::with_capacity(ids.len());
    ids.enumerate()
        .find_map(|(index, id)| (!seen.insert(id)).then_some(index))
}

fn in_account(index: usize, e: Error) -> Error {
    e.context(format_args!("accounts[{index}]"))
}

fn duplicate() -> Error {
    Error::new(
        ErrorCode::DuplicateAccount,
        "its id is used by an earlier account",
    )
}

fn unsupported_version(version: u64) -> Error {
    Error::new(
        ErrorCode::UnsupportedVersion,
        format!("payload version {version} is not supported (this implementation reads version {FORMAT_VERSION})"),
    )
}

fn malformed_json(e: &serde_json::Error) -> Error {
    Error::json("the payload", e)
}

/// REQ-PAYLOAD-007: bytes that are not UTF-8, wherever they are.
fn not_utf8(e: std::str::Utf8Error) -> Error {
    Error::malformed(format!(
        "the payload is not UTF-8: byte {} starts an invalid sequence",
        e.valid_up_to() + 1
    ))
}

/// REQ-PAYLOAD-002: a payload that does not parse as version 1 but says it is another
/// version is `unsupported_version`, not `malformed`.
fn version_error(text: &str) -> Option<Error> {
    #[derive(Deserialize)]
    struct Probe {
        version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(text).ok()?;
    match probe.version?.as_u64() {
        Some(v) if v != FORMAT_VERSION => Some(unsupported_version(v)),
        _ => None,
    }
}

/// The payload as written. Every text is borrowed from the input where it holds no escapes,
/// so reading allocates only what the payload keeps: one buffer of texts per account.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePayload<'a> {
    version: u64,
    #[serde(borrow)]
    platform: Cow<'a, str>,
    backup_id: String,
    generation: u64,
    created: u64,
    accounts: Accounts,
}

/// The accounts array, each account checked and made a [`BackupAccount`] as soon as it is
/// read, so that no list of raw accounts is kept. The first account that breaks a rule is
/// kept with its index and reported once the whole document parsed (REQ-PAYLOAD-001 before
/// any account rule); accounts after it, or past [`MAX_ACCOUNTS`], are only read.
#[derive(Default)]
struct Accounts {
    accounts: Vec<BackupAccount>,
    count: usize,
    first_broken: Option<(usize, Error)>,
}

impl<'de> Deserialize<'de> for Accounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_seq(Accounts::default())
    }
}

impl<'de> Visitor<'de> for Accounts {
    type Value = Accounts;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of accounts")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> std::result::Result<Self, A::Error> {
        self.accounts
            .reserve(seq.size_hint().unwrap_or(0).min(MAX_ACCOUNTS));
        while seq
            .next_element_seed(AccountSeed {
                accounts: &mut self,
            })?
            .is_some()
        {}
        Ok(self)
    }
}

/// Reads one account and, while no account before it broke a rule and the count is within
/// [`MAX_ACCOUNTS`], checks it there and then and keeps what it became (or the first broken
/// account's error): the raw account is not moved out of the parser, nor the result.
struct AccountSeed<'s> {
    accounts: &'s mut Accounts,
}

impl<'de> DeserializeSeed<'de> for AccountSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        let wire = WireAccount::deserialize(d)?;
        let all = self.accounts;
        if all.first_broken.is_none() && all.count < MAX_ACCOUNTS {
            match wire.into_account() {
                Ok(account) => all.accounts.push(account),
                Err(e) => all.first_broken = Some((all.count, e)),
            }
        }
        all.count += 1;
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireAccount<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    account_type: Cow<'a, str>,
    #[serde(default, deserialize_with = "optional_text", borrow)]
    issuer: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, deserialize_with = "present", borrow)]
    secret: Option<FieldValue<'a>>,
    #[serde(default, deserialize_with = "present_any")]
    token: bool,
    #[serde(default, deserialize_with = "optional_text", borrow)]
    algorithm: Option<Cow<'a, str>>,
    #[serde(default)]
    digits: Option<u64>,
    #[serde(default)]
    period: Option<u64>,
}

impl WireAccount<'_> {
    /// REQ-PAYLOAD-010 to REQ-PAYLOAD-016, in that order.
    fn into_account(self) -> Result<BackupAccount> {
        check_id(&self.id)?;
        let account_type = AccountType::from_name(&self.account_type)?;
        let otp_text = if account_type.bears_codes() {
            if self.token {
                return Err(Error::malformed(
                    "a backup carries TOTP secrets and names only: \"token\" is not allowed",
                ));
            }
            if self.algorithm.is_none() || self.digits.is_none() || self.period.is_none() {
                return Err(Error::malformed(format!(
                    "a {account_type} account must have algorithm, digits and period"
                )));
            }
            match self.secret {
                Some(FieldValue::Text(text)) => text,
                Some(FieldValue::Other) => {
                    return Err(Error::malformed("\"secret\" must be a string"))
                }
                None => {
                    return Err(Error::invalid_secret(format!(
                        "a {account_type} account must have a secret"
                    )))
                }
            }
        } else {
            if self.secret.is_some() || self.token {
                return Err(Error::new(
                    ErrorCode::SecretInPlaceholder,
                    format!(
                        "a {account_type} account is a placeholder (name only) and must not carry a secret or token"
                    ),
                ));
            }
            if self.issuer.is_some()
                || self.algorithm.is_some()
                || self.digits.is_some()
                || self.period.is_some()
            {
                return Err(Error::malformed(format!(
                    "a {account_type} placeholder carries id, type and name only"
                )));
            }
            FieldText::Borrowed("")
        };
        if let Some(issuer) = &self.issuer {
            check_issuer(issuer)?;
        }
        check_name("account name", &self.name)?;
        let kept = if account_type.bears_codes() {
            let secret = Secret::from_base32(&otp_text)?;
            // All three are present here (REQ-PAYLOAD-014 checked it).
            let params =
                CodeParams::from_optional(self.algorithm.as_deref(), self.digits, self.period)?;
            Kept::Codes {
                key: OtpKey { secret, params },
            }
        } else {
            Kept::Placeholder
        };
        // Every rule of BackupAccount::with_codes / ::placeholder was checked above, in the
        // order of the payload spec.
        Ok(BackupAccount {
            texts: Texts::new(&self.id, &self.name, self.issuer.as_deref()),
            account_type,
            kept,
        })
    }
}

/// A member whose presence matters whatever its value: a string or anything else (skipped).
/// `null` counts as present.
enum FieldValue<'a> {
    Text(FieldText<'a>),
    Other,
}

/// A string member's text: borrowed from the input (which its owner wipes), or, when it held
/// escapes, an unescaped copy wiped on drop.
enum FieldText<'a> {
    Borrowed(&'a str),
    Owned(Zeroizing<String>),
}

impl std::ops::Deref for FieldText<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            FieldText::Borrowed(s) => s,
            FieldText::Owned(s) => s,
        }
    }
}

/// An optional string member, borrowed from the input where it holds no escapes (serde
/// borrows a `Cow` of its own accord only when it is not inside an `Option`).
fn optional_text<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Cow<'de, str>>, D::Error> {
    #[derive(Deserialize)]
    struct Text<'a>(#[serde(borrow)] Cow<'a, str>);
    Option::<Text<'de>>::deserialize(d).map(|text| text.map(|Text(t)| t))
}

/// A member whose presence matters and whose value does not (`null` counts as present).
fn present_any<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

fn present<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<FieldValue<'de>>, D::Error> {
    FieldValue::deserialize(d).map(Some)
}

impl<'de> Deserialize<'de> for FieldValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<FieldValue<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FieldValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Text(FieldText::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Text(FieldText::Owned(Zeroizing::new(
                    v.to_owned(),
                ))))
            }
            fn visit_string<E: de::Error>(
                self,
                v: String,
            ) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Text(FieldText::Owned(Zeroizing::new(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<FieldValue<'de>, E> {
                Ok(FieldValue::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<FieldValue<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FieldValue::Other)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<FieldValue<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(FieldValue::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Serialize)]
struct SerPayload<'a> {
    version: u64,
    platform: &'a str,
    backup_id: &'a str,
    generation: u64,
    created: u64,
    accounts: Vec<SerAccount<'a>>,
}

#[derive(Serialize)]
struct SerAccount<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    account_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<Zeroizing<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    algorithm: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    digits: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
}

#[cfg(test)]
mod tests;
