//! The container's JSON form (JWE General JSON Serialization, RFC 7516 section 7.2.1) and
//! every check `spec/container.md` makes before a key is touched, in the spec's order.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::keys::{check_kid, on_p256, KeyAlgorithm};
use super::limits::{
    MAX_CONTAINER_BYTES, MAX_PROTECTED_HEADER_BYTES, MAX_RECIPIENTS, P2C_MAX, P2C_MIN, P2S_BYTES,
};
use super::slots::{Member, Slots};
use crate::error::{Error, ErrorCode, Result};
use crate::payload::{BackupMeta, FORMAT_VERSION};
use crate::platform::Platform;

/// The `typ` of every ABF container.
pub const TYP: &str = "abf+jwe";
/// The `cty` of every ABF container: the payload's media type.
pub const CTY: &str = "abf-payload+json";
/// The only content encryption allowed.
pub const ENC: &str = "A256GCM";

/// A container that passed every check that needs no key.
pub(super) struct Parsed {
    /// The protected header exactly as sent: it is the AAD of the content encryption.
    pub protected_b64: String,
    pub meta: BackupMeta,
    pub recipients: Vec<ParsedRecipient>,
    pub iv: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub tag: Vec<u8>,
}

/// One recipient that passed its checks.
pub(super) struct ParsedRecipient {
    pub alg: KeyAlgorithm,
    pub kid: String,
    pub p2c: Option<u32>,
    /// The recipient header's members as sent (what josekit needs to unwrap).
    pub header: Vec<(&'static str, Value)>,
    pub encrypted_key: Vec<u8>,
}

impl ParsedRecipient {
    /// The recipient header as a JSON object.
    pub fn header_map(&self) -> Map<String, Value> {
        let members = self.header.iter();
        members.map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }
}

/// The container's members, its long base64url texts borrowed from the input where they hold
/// no escapes (they never do when well formed), so that reading a container does not copy its
/// ciphertext before decoding it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireContainer<'a> {
    #[serde(borrow)]
    protected: Cow<'a, str>,
    #[serde(borrow)]
    recipients: Vec<WireRecipient<'a>>,
    #[serde(borrow)]
    iv: Base64Text<'a>,
    #[serde(borrow)]
    ciphertext: Base64Text<'a>,
    #[serde(borrow)]
    tag: Base64Text<'a>,
}

/// A base64url member's text as bytes, borrowed from the input where it holds no escapes.
/// The base64url decoding that follows checks every byte against its alphabet, so the text is
/// not checked as UTF-8 first (for a ciphertext, that check would cost as much as the
/// decoding).
struct Base64Text<'a>(Cow<'a, [u8]>);

impl<'de: 'a, 'a> Deserialize<'de> for Base64Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Base64Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64url string")
            }
            fn visit_borrowed_bytes<E: de::Error>(
                self,
                v: &'de [u8],
            ) -> std::result::Result<Self::Value, E> {
                Ok(Base64Text(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> std::result::Result<Self::Value, E> {
                Ok(Base64Text(Cow::Owned(v.to_vec())))
            }
        }
        d.deserialize_bytes(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRecipient<'a> {
    #[serde(borrow)]
    header: RecipientHeader<'a>,
    #[serde(borrow)]
    encrypted_key: Cow<'a, str>,
}

/// The members a recipient header may have, whatever its algorithm.
const RECIPIENT_MEMBERS: [&str; 5] = ["alg", "kid", "epk", "p2s", "p2c"];

/// A recipient header, read into [`RECIPIENT_MEMBERS`]' slots.
struct RecipientHeader<'de>(Slots<'de, 5>);

impl<'de: 'a, 'a> Deserialize<'de> for RecipientHeader<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let slots = de::DeserializeSeed::deserialize(Slots::new(&RECIPIENT_MEMBERS), d)?;
        Ok(RecipientHeader(slots))
    }
}

/// The container as written: protected header, recipients, iv, ciphertext, tag.
#[derive(Serialize)]
pub(super) struct OutContainer<'a> {
    pub protected: &'a str,
    pub recipients: Vec<OutRecipient>,
    pub iv: &'a str,
    pub ciphertext: &'a str,
    pub tag: &'a str,
}

/// One recipient as written.
#[derive(Serialize)]
pub(super) struct OutRecipient {
    pub header: Map<String, Value>,
    pub encrypted_key: String,
}

/// The protected header as written, members in this order.
#[derive(Serialize)]
pub(super) struct OutProtected<'a> {
    pub typ: &'a str,
    pub cty: &'a str,
    pub enc: &'a str,
    pub abf_version: u64,
    pub platform: &'a str,
    pub backup_id: &'a str,
    pub generation: u64,
    pub created: u64,
}

/// REQ-CONTAINER-001 to REQ-CONTAINER-028: everything that can be checked without a key.
pub(super) fn parse(container: &[u8]) -> Result<Parsed> {
    if container.len() > MAX_CONTAINER_BYTES {
        return Err(Error::too_large(format!(
            "the container is {} bytes; at most {MAX_CONTAINER_BYTES} are accepted",
            container.len()
        )));
    }
    let wire: WireContainer =
        serde_json::from_slice(container).map_err(|e| Error::json("the container", &e))?;
    if wire.recipients.is_empty() {
        return Err(Error::malformed("the container has no recipients"));
    }
    if wire.recipients.len() > MAX_RECIPIENTS {
        return Err(Error::too_large(format!(
            "the container has {} recipients; at most {MAX_RECIPIENTS} are accepted",
            wire.recipients.len()
        )));
    }
    let meta = parse_protected(&wire.protected)?;
    let mut kids = HashSet::new();
    let mut recipients = Vec::with_capacity(wire.recipients.len());
    for (index, r) in wire.recipients.into_iter().enumerate() {
        let parsed = parse_recipient(r, &mut kids)
            .map_err(|e| e.context(format_args!("recipients[{index}]")))?;
        recipients.push(parsed);
    }
    let passphrases = recipients
        .iter()
        .filter(|r| r.alg == KeyAlgorithm::Pbes2Hs512A256Kw)
        .count();
    if passphrases > 1 {
        return Err(Error::malformed(
            "a container has at most one passphrase recipient",
        ));
    }
    let iv = decode_exact("iv", &wire.iv.0, Some(12))?;
    let ciphertext = decode_exact("ciphertext", &wire.ciphertext.0, None)?;
    let tag = decode_exact("tag", &wire.tag.0, Some(16))?;
    Ok(Parsed {
        protected_b64: wire.protected.into_owned(),
        meta,
        recipients,
        iv,
        ciphertext,
        tag,
    })
}

/// The members of a protected header, all required.
const PROTECTED_MEMBERS: [&str; 8] = [
    "typ",
    "cty",
    "enc",
    "abf_version",
    "platform",
    "backup_id",
    "generation",
    "created",
];

/// REQ-CONTAINER-010 to REQ-CONTAINER-016.
fn parse_protected(b64: &str) -> Result<BackupMeta> {
    if b64.len() > MAX_PROTECTED_HEADER_BYTES.div_ceil(3) * 4 {
        return Err(Error::too_large(format!(
            "the protected header is longer than {MAX_PROTECTED_HEADER_BYTES} bytes"
        )));
    }
    let bytes = BASE64URL_NOPAD
        .decode(b64.as_bytes())
        .map_err(|_| Error::malformed("the protected header is not unpadded base64url"))?;
    if bytes.len() > MAX_PROTECTED_HEADER_BYTES {
        return Err(Error::too_large(format!(
            "the protected header is longer than {MAX_PROTECTED_HEADER_BYTES} bytes"
        )));
    }
    let h = Slots::read(&bytes, &PROTECTED_MEMBERS)
        .map_err(|e| Error::json("the protected header", &e))?;
    match h.get("abf_version").map(Member::as_u64) {
        None => return Err(Error::malformed("the protected header has no abf_version")),
        Some(None) => return Err(Error::malformed("abf_version must be a non-negative integer")),
        Some(Some(v)) if v != FORMAT_VERSION => {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                format!("container format version {v} is not supported (this implementation reads version {FORMAT_VERSION})"),
            ))
        }
        Some(Some(_)) => {}
    }
    if h.others(&PROTECTED_MEMBERS).any(|k| k == "zip") {
        return Err(Error::new(
            ErrorCode::AlgorithmNotAllowed,
            "compression (\"zip\") is not allowed",
        ));
    }
    match h.get("enc") {
        None => return Err(Error::malformed("the protected header has no enc")),
        Some(enc) if enc.as_str() == Some(ENC) => {}
        Some(other) => {
            return Err(Error::new(
                ErrorCode::AlgorithmNotAllowed,
                format!("content encryption {other} is not allowed (only {ENC})"),
            ))
        }
    }
    if let Some(extra) = h.others(&PROTECTED_MEMBERS).next() {
        return Err(Error::malformed(format!(
            "the protected header must not have {extra:?}"
        )));
    }
    let text = |name: &str| -> Result<&str> {
        h.get(name).and_then(Member::as_str).ok_or_else(|| {
            Error::malformed(format!("the protected header needs a string {name:?}"))
        })
    };
    let number = |name: &str| -> Result<u64> {
        h.get(name).and_then(Member::as_u64).ok_or_else(|| {
            Error::malformed(format!(
                "the protected header needs a non-negative integer {name:?}"
            ))
        })
    };
    if text("typ")? != TYP {
        return Err(Error::malformed(format!("typ must be {TYP:?}")));
    }
    if text("cty")? != CTY {
        return Err(Error::malformed(format!("cty must be {CTY:?}")));
    }
    // REQ-CONTAINER-016: every JSON type first, then the values' rules.
    let (platform, backup_id) = (text("platform")?, text("backup_id")?);
    let (generation, created) = (number("generation")?, number("created")?);
    BackupMeta::new(
        Platform::from_name(platform)?,
        backup_id,
        generation,
        created,
    )
}

/// REQ-CONTAINER-020 to REQ-CONTAINER-027.
/// One recipient, checked in the order of REQ-CONTAINER-022; `kids` holds the earlier
/// recipients' kids, and gets this one's (a repeat is REQ-CONTAINER-023's, before `p2c`).
fn parse_recipient(r: WireRecipient, kids: &mut HashSet<String>) -> Result<ParsedRecipient> {
    let RecipientHeader(h) = r.header;
    if h.sent().any(|k| k == "zip") {
        return Err(Error::new(
            ErrorCode::AlgorithmNotAllowed,
            "compression (\"zip\") is not allowed",
        ));
    }
    let alg = match h.get("alg") {
        Some(Member::Text(name)) => KeyAlgorithm::from_name(name)?,
        Some(_) => return Err(Error::malformed("alg must be a string")),
        None => return Err(Error::malformed("the recipient header has no alg")),
    };
    let allowed: &[&str] = match alg {
        KeyAlgorithm::A256Kw => &["alg", "kid"],
        KeyAlgorithm::EcdhEsA256Kw => &["alg", "kid", "epk"],
        KeyAlgorithm::Pbes2Hs512A256Kw => &["alg", "kid", "p2s", "p2c"],
    };
    if let Some(extra) = h.others(allowed).next() {
        return Err(Error::malformed(format!(
            "{} recipient headers must not have {extra:?}",
            alg.name()
        )));
    }
    let kid = match h.get("kid") {
        Some(Member::Text(kid)) => kid.to_string(),
        _ => return Err(Error::malformed("the recipient header needs a string kid")),
    };
    check_kid(&kid, ErrorCode::Malformed)?;
    if !kids.insert(kid.clone()) {
        return Err(Error::malformed("its kid is used by an earlier recipient"));
    }
    let mut p2c = None;
    match alg {
        KeyAlgorithm::Pbes2Hs512A256Kw => {
            let count = match h.get("p2c") {
                Some(Member::Unsigned(n)) => Some(*n),
                Some(Member::Other(Value::Number(n))) if n.is_i64() => None,
                _ => return Err(Error::malformed("p2c must be an integer")),
            };
            match count.and_then(|c| u32::try_from(c).ok()) {
                Some(c) if (P2C_MIN..=P2C_MAX).contains(&c) => p2c = Some(c),
                _ => {
                    return Err(Error::new(
                        ErrorCode::KdfParamsOutOfRange,
                        format!(
                            "p2c {} is outside {P2C_MIN} to {P2C_MAX}",
                            h.get("p2c").map(Member::to_value).unwrap_or_default()
                        ),
                    ))
                }
            }
            let salt = match h.get("p2s") {
                Some(Member::Text(s)) => BASE64URL_NOPAD
                    .decode(s.as_bytes())
                    .map_err(|_| Error::malformed("p2s is not unpadded base64url"))?,
                _ => return Err(Error::malformed("p2s must be a string")),
            };
            if !P2S_BYTES.contains(&salt.len()) {
                return Err(Error::new(
                    ErrorCode::KdfParamsOutOfRange,
                    format!(
                        "p2s is {} bytes; {} to {} are accepted",
                        salt.len(),
                        P2S_BYTES.start(),
                        P2S_BYTES.end()
                    ),
                ));
            }
        }
        KeyAlgorithm::EcdhEsA256Kw => check_epk(match h.get("epk") {
            Some(Member::Other(v)) => Some(v),
            _ => None,
        })?,
        KeyAlgorithm::A256Kw => {}
    }
    // Every allowed algorithm wraps a 32-byte key with AES key wrap: 40 bytes.
    let encrypted_key = decode_exact("encrypted_key", r.encrypted_key.as_bytes(), Some(40))?;
    Ok(ParsedRecipient {
        alg,
        kid,
        p2c,
        header: h.into_members(),
        encrypted_key,
    })
}

/// REQ-CONTAINER-026: the ephemeral key is exactly an EC P-256 public key, a point of the
/// curve.
fn check_epk(epk: Option<&Value>) -> Result<()> {
    let epk = match epk {
        Some(Value::Object(m)) => m,
        _ => {
            return Err(Error::malformed(
                "an ECDH-ES+A256KW recipient needs an epk object",
            ))
        }
    };
    let coordinate = |c: &str| {
        epk.get(c)
            .and_then(Value::as_str)
            .and_then(|s| BASE64URL_NOPAD.decode(s.as_bytes()).ok())
            .filter(|b| b.len() == 32)
    };
    let ok = epk.len() == 4
        && epk.get("kty") == Some(&Value::from("EC"))
        && epk.get("crv") == Some(&Value::from("P-256"));
    let (Some(x), Some(y), true) = (coordinate("x"), coordinate("y"), ok) else {
        return Err(Error::malformed(
            "epk must be {kty: EC, crv: P-256, x, y} with 32-byte coordinates",
        ));
    };
    if !on_p256(&x, &y) {
        return Err(Error::malformed(
            "epk is not a point of P-256 (each coordinate below the prime, on the curve)",
        ));
    }
    Ok(())
}

fn decode_exact(name: &str, text: &[u8], len: Option<usize>) -> Result<Vec<u8>> {
    let bytes = BASE64URL_NOPAD
        .decode(text)
        .map_err(|_| Error::malformed(format!("{name} is not unpadded base64url")))?;
    match len {
        Some(n) if bytes.len() != n => Err(Error::malformed(format!(
            "{name} is {} bytes; it must be {n}",
            bytes.len()
        ))),
        _ => Ok(bytes),
    }
}
