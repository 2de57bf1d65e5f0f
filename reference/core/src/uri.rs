//! `otpauth://` Key URIs: the text form most apps use to hand an OTP account over (QR codes,
//! exports). Parsing and emitting follow `spec/uri.md`, which settles every ambiguous case;
//! the requirement ids in comments below point there.

use std::fmt::Write as _;
use std::num::NonZeroU64;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use zeroize::Zeroizing;

use crate::account::{check_issuer, check_length, check_name, check_no_controls};
use crate::error::{Error, ErrorCode, Result};
use crate::otp::{self, Algorithm, Digits, Hotp, Totp, TotpParams, DEFAULT_PERIOD};
use crate::secret::Secret;

/// The longest URI accepted, in bytes (REQ-URI-002).
pub const MAX_URI_BYTES: usize = 4096;
pub use crate::account::MAX_NAME_BYTES;

/// What the URI generates codes from: the time (TOTP) or a counter (HOTP).
///
/// Deliberately exhaustive: the Key URI format has these two types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtpKind {
    /// `otpauth://totp/...` with its time step in seconds.
    Totp {
        /// The time step in seconds (`period`, default 30).
        period: NonZeroU64,
    },
    /// `otpauth://hotp/...` with its next counter value.
    Hotp {
        /// The counter (`counter`, required).
        counter: u64,
    },
}

/// One account as a Key URI describes it. `Debug` redacts the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUri {
    /// TOTP with its period, or HOTP with its counter.
    pub kind: OtpKind,
    /// The service that issued the account, if known. Never contains `:`.
    pub issuer: Option<String>,
    /// The account name (typically the user's login).
    pub name: String,
    /// The shared secret.
    pub secret: Secret,
    /// The HMAC hash function.
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
}

/// Everything but unreserved characters (RFC 3986: ALPHA DIGIT - . _ ~) is percent-encoded
/// when emitting, so spaces become `%20`, `+` becomes `%2B` and `:` inside names `%3A`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const KNOWN_PARAMETERS: [&str; 6] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
];

impl KeyUri {
    /// Parses a Key URI (REQ-URI-001 to REQ-URI-026).
    ///
    /// ```
    /// use authbackup::uri::{KeyUri, OtpKind};
    ///
    /// let k = KeyUri::parse("otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&period=60")?;
    /// assert_eq!((k.issuer.as_deref(), k.name.as_str()), (Some("ACME Co"), "alice@example.com"));
    /// assert!(matches!(k.kind, OtpKind::Totp { period } if period.get() == 60));
    /// // A label prefix the issuer parameter contradicts stays part of the name: nothing is lost.
    /// let k = KeyUri::parse("otpauth://totp/A:bob?secret=JBSWY3DPEHPK3PXP&issuer=B")?;
    /// assert_eq!((k.issuer.as_deref(), k.name.as_str()), (Some("B"), "A:bob"));
    /// let e = KeyUri::parse("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&period=0").unwrap_err();
    /// assert_eq!(e.code(), authbackup::ErrorCode::InvalidParameter);
    /// # Ok::<(), authbackup::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<KeyUri> {
        if text.len() > MAX_URI_BYTES {
            return Err(Error::too_large(format!(
                "the URI is {} bytes; at most {MAX_URI_BYTES} are accepted",
                text.len()
            )));
        }
        let rest = strip_prefix_ignore_case(text, "otpauth://")
            .ok_or_else(|| Error::malformed("a Key URI must start with otpauth://"))?;
        let rest = rest
            .split_once('#')
            .map_or(rest, |(before, _fragment)| before);
        let (kind_text, rest) = rest
            .split_once('/')
            .ok_or_else(|| Error::malformed("the URI has no label (otpauth://TYPE/LABEL?...)"))?;
        let is_totp = if kind_text.eq_ignore_ascii_case("totp") {
            true
        } else if kind_text.eq_ignore_ascii_case("hotp") {
            false
        } else {
            return Err(Error::new(
                ErrorCode::UnsupportedAccountType,
                format!(
                    "OTP type {} is not totp or hotp",
                    crate::error::shown(kind_text)
                ),
            ));
        };
        let (label_text, query) = rest.split_once('?').unwrap_or((rest, ""));
        let params = Parameters::parse(query)?;

        let raw_label = decode(label_text, false)?;
        let (issuer, name) = reconcile_issuer(&raw_label, params.issuer.as_deref())?;
        let secret = match params.secret {
            Some(text) => Secret::from_base32(&text)?,
            None => return Err(Error::invalid_secret("the URI has no secret parameter")),
        };
        let algorithm = match params.algorithm {
            Some(text) => text.parse()?,
            None => Algorithm::Sha1,
        };
        let digits = match params.digits {
            Some(text) => Digits::new(parse_decimal("digits", &text)?)?,
            None => Digits::SIX,
        };
        let kind = if is_totp {
            let period = match params.period {
                Some(text) => otp::period(parse_decimal("period", &text)?)?,
                None => DEFAULT_PERIOD,
            };
            OtpKind::Totp { period }
        } else {
            let counter = params.counter.ok_or_else(|| {
                Error::invalid_parameter("an hotp URI must have a counter parameter")
            })?;
            OtpKind::Hotp {
                counter: parse_decimal("counter", &counter)?,
            }
        };
        Ok(KeyUri {
            kind,
            issuer,
            name,
            secret,
            algorithm,
            digits,
        })
    }

    /// Emits the canonical URI (REQ-URI-030 to REQ-URI-034): `otpauth://TYPE/LABEL?secret=...`
    /// with every parameter explicit. The text holds the secret, so it is wiped on drop.
    /// Fails if the issuer or name could not be read back (REQ-URI-033).
    pub fn to_uri(&self) -> Result<Zeroizing<String>> {
        // REQ-URI-033: refuse what could not be read back as the same account.
        if let Some(issuer) = &self.issuer {
            check_issuer(issuer)?;
        }
        check_name("account name", &self.name)?;
        let mut out = Zeroizing::new(String::with_capacity(128));
        let kind = match self.kind {
            OtpKind::Totp { .. } => "totp",
            OtpKind::Hotp { .. } => "hotp",
        };
        // Writing to a String cannot fail.
        let _ = write!(out, "otpauth://{kind}/");
        match &self.issuer {
            Some(issuer) => {
                let _ = write!(out, "{}:", utf8_percent_encode(issuer, COMPONENT));
            }
            // An empty prefix keeps a colon in the name from being read as a separator.
            None if self.name.contains(':') => out.push(':'),
            None => {}
        }
        let _ = write!(out, "{}", utf8_percent_encode(&self.name, COMPONENT));
        out.push_str("?secret=");
        out.push_str(&self.secret.to_base32());
        if let Some(issuer) = &self.issuer {
            let _ = write!(out, "&issuer={}", utf8_percent_encode(issuer, COMPONENT));
        }
        let _ = write!(
            out,
            "&algorithm={}&digits={}",
            self.algorithm,
            self.digits.get()
        );
        let _ = match self.kind {
            OtpKind::Totp { period } => write!(out, "&period={period}"),
            OtpKind::Hotp { counter } => write!(out, "&counter={counter}"),
        };
        Ok(out)
    }

    /// A TOTP generator for this account; `invalid_parameter` for an HOTP URI.
    pub fn totp(&self) -> Result<Totp> {
        match self.kind {
            OtpKind::Totp { period } => Ok(Totp::new(
                &self.secret,
                TotpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    period,
                    t0: 0,
                },
            )),
            OtpKind::Hotp { .. } => Err(Error::invalid_parameter(
                "this is an hotp URI; it has no time-based codes",
            )),
        }
    }

    /// An HOTP generator for this account (any kind: TOTP is HOTP over time steps).
    pub fn hotp(&self) -> Hotp {
        Hotp::new(&self.secret, self.algorithm, self.digits)
    }
}

/// The known parameters of a query, each at most once, decoded.
#[derive(Default)]
struct Parameters {
    secret: Option<Zeroizing<String>>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
}

impl Parameters {
    /// REQ-URI-010 to REQ-URI-013: `&`-separated `name=value` pairs, values decoded with `+`
    /// as space, known names at most once, unknown names ignored.
    fn parse(query: &str) -> Result<Parameters> {
        let mut params = Parameters::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !KNOWN_PARAMETERS.contains(&name) {
                continue;
            }
            let slot_taken = match name {
                "secret" => params.secret.is_some(),
                "issuer" => params.issuer.is_some(),
                "algorithm" => params.algorithm.is_some(),
                "digits" => params.digits.is_some(),
                "period" => params.period.is_some(),
                _ => params.counter.is_some(),
            };
            if slot_taken {
                return Err(Error::malformed(format!(
                    "the parameter {name:?} appears more than once"
                )));
            }
            let value = decode(value, true)?;
            match name {
                "secret" => params.secret = Some(Zeroizing::new(value)),
                "issuer" => params.issuer = Some(value),
                "algorithm" => params.algorithm = Some(value),
                "digits" => params.digits = Some(value),
                "period" => params.period = Some(value),
                _ => params.counter = Some(value),
            }
        }
        Ok(params)
    }
}

/// REQ-URI-014 to REQ-URI-021: splits the decoded label at its first colon and settles the
/// issuer against the `issuer` parameter. Returns (issuer, account name).
fn reconcile_issuer(label: &str, param: Option<&str>) -> Result<(Option<String>, String)> {
    let param = param.map(trim_spaces).filter(|p| !p.is_empty());
    if let Some(p) = param {
        if p.contains(':') {
            return Err(Error::invalid_parameter("the issuer must not contain ':'"));
        }
    }
    let (issuer, name) = match label.split_once(':') {
        None => (param, trim_spaces(label)),
        Some((prefix, rest)) => {
            let prefix = trim_spaces(prefix);
            match param {
                _ if prefix.is_empty() => (param, trim_spaces(rest)),
                None => (Some(prefix), trim_spaces(rest)),
                Some(p) if p == prefix => (param, trim_spaces(rest)),
                // Disagreeing prefix: the parameter names the issuer and the whole label,
                // prefix included, stays the account name, so nothing is lost.
                Some(_) => (param, trim_spaces(label)),
            }
        }
    };
    if name.is_empty() {
        return Err(Error::malformed("the label has no account name"));
    }
    let named = [("issuer", issuer), ("account name", Some(name))];
    for (what, text) in named.iter().filter_map(|(w, t)| Some((w, (*t)?))) {
        check_length(what, text, MAX_NAME_BYTES)?;
    }
    for (what, text) in named.iter().filter_map(|(w, t)| Some((w, (*t)?))) {
        check_no_controls(what, text)?;
    }
    Ok((issuer.map(str::to_owned), name.to_owned()))
}

fn trim_spaces(text: &str) -> &str {
    text.trim_matches(' ')
}

/// Strict percent-decoding (REQ-URI-012): every `%` starts a two-hex-digit escape, and the
/// result must be UTF-8. In query values `+` means a space; in the label it is itself.
fn decode(text: &str, plus_is_space: bool) -> Result<String> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('%') {
        let valid = bytes.len() > i + 2
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit();
        if !valid {
            return Err(Error::malformed(format!(
                "'%' at byte {} does not start a percent-escape of two hex digits",
                i + 1
            )));
        }
    }
    let spaced: Zeroizing<String>;
    let text = if plus_is_space && text.contains('+') {
        spaced = Zeroizing::new(text.replace('+', " "));
        spaced.as_str()
    } else {
        text
    };
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| Error::malformed("a percent-encoded part is not valid UTF-8"))
}

/// Parameters that are numbers: ASCII decimal digits only, no sign, fitting in 64 bits.
fn parse_decimal(name: &str, text: &str) -> Result<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_parameter(format!(
            "{name} must be a decimal number (ASCII digits only)"
        )));
    }
    text.parse()
        .map_err(|_| Error::invalid_parameter(format!("{name} {text} does not fit in 64 bits")))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests;
