//! Google Authenticator's export: `otpauth-migration://offline?data=...` lines, each a base64
//! protobuf `MigrationPayload` (one batch of a possibly multi-batch export).

use data_encoding::{BASE64, BASE64_NOPAD};
use prost::Message;
use zeroize::Zeroizing;

use super::{text, Candidate, SecretForm};
use authbackup::error::{Error, Result};

#[derive(Clone, PartialEq, Message)]
pub(crate) struct MigrationPayload {
    #[prost(message, repeated, tag = "1")]
    otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    version: i32,
    #[prost(int32, tag = "3")]
    batch_size: i32,
    #[prost(int32, tag = "4")]
    batch_index: i32,
    #[prost(int32, tag = "5")]
    batch_id: i32,
}

#[derive(Clone, PartialEq, Message)]
pub(crate) struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    secret: Vec<u8>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(string, tag = "3")]
    issuer: String,
    #[prost(int32, tag = "4")]
    algorithm: i32,
    #[prost(int32, tag = "5")]
    digits: i32,
    #[prost(int32, tag = "6")]
    kind: i32,
    #[prost(int64, tag = "7")]
    counter: i64,
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text(bytes)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(Error::malformed(
            "the export holds no otpauth-migration:// line",
        ));
    }
    for (n, line) in lines.iter().enumerate() {
        let data = line
            .strip_prefix("otpauth-migration://offline?data=")
            .ok_or_else(|| {
                Error::malformed(format!(
                    "line {} is not an otpauth-migration://offline?data= URI",
                    n + 1
                ))
            })?;
        let decoded = percent_encoding::percent_decode_str(data)
            .decode_utf8()
            .map_err(|_| Error::malformed("the data parameter is not UTF-8"))?;
        let raw = Zeroizing::new(
            BASE64
                .decode(decoded.as_bytes())
                .or_else(|_| BASE64_NOPAD.decode(decoded.trim_end_matches('=').as_bytes()))
                .map_err(|_| {
                    Error::malformed(format!("line {}: the data parameter is not base64", n + 1))
                })?,
        );
        let payload = MigrationPayload::decode(&raw[..]).map_err(|_| {
            Error::malformed(format!("line {}: not a MigrationPayload (protobuf)", n + 1))
        })?;
        for (i, p) in payload.otp_parameters.into_iter().enumerate() {
            let (issuer, name) = match p.name.split_once(':') {
                Some((prefix, rest)) if p.issuer.is_empty() || p.issuer == prefix.trim() => {
                    (Some(prefix.trim().to_string()), rest.trim().to_string())
                }
                _ => (
                    (!p.issuer.is_empty()).then(|| p.issuer.clone()),
                    p.name.clone(),
                ),
            };
            let label = format!(
                "batch {} entry {}: {}",
                payload.batch_index + 1,
                i + 1,
                authbackup::account::display_name(issuer.as_deref(), &name)
            );
            let candidate = match p.kind {
                1 => Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only"),
                0 | 2 => {
                    let mut c = Candidate::totp(label, issuer, name, SecretForm::Bytes(Zeroizing::new(p.secret)));
                    c.algorithm = match p.algorithm {
                        0 | 1 => "SHA1",
                        2 => "SHA256",
                        3 => "SHA512",
                        4 => "MD5",
                        _ => "unknown",
                    }
                    .into();
                    c.digits = match p.digits {
                        0 | 1 => 6,
                        2 => 8,
                        other => other as u64,
                    };
                    c
                }
                other => Candidate::unsupported(label, format!("OTP type {other} is not TOTP")),
            };
            out.push(candidate);
        }
    }
    Ok(out)
}

/// Builds payloads for the fixture writer.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::{MigrationPayload, OtpParameters};

    pub(crate) fn params(
        secret: Vec<u8>,
        name: &str,
        issuer: &str,
        algorithm: i32,
        digits: i32,
        kind: i32,
    ) -> OtpParameters {
        OtpParameters {
            secret,
            name: name.into(),
            issuer: issuer.into(),
            algorithm,
            digits,
            kind,
            counter: 0,
        }
    }

    pub(crate) fn payload(
        otp_parameters: Vec<OtpParameters>,
        batch_index: i32,
    ) -> MigrationPayload {
        MigrationPayload {
            otp_parameters,
            version: 1,
            batch_size: 2,
            batch_index,
            batch_id: 42,
        }
    }
}
