//! A plain list of `otpauth://` URIs, one per line (blank lines and `#` comments ignored).

use zeroize::Zeroizing;

use super::{text, Candidate, SecretForm};
use authbackup::error::Result;
use authbackup::uri::{KeyUri, OtpKind};

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Candidate>> {
    Ok(text(bytes)?
        .lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, line)| from_uri(&format!("line {}", i + 1), line))
        .collect())
}

/// One Key URI as a candidate (also used by the Bitwarden reader).
pub(crate) fn from_uri(place: &str, uri: &str) -> Candidate {
    match KeyUri::parse(uri) {
        Err(e) => {
            Candidate::unsupported(place.to_string(), format!("{} ({})", e.message(), e.code()))
        }
        Ok(k) => {
            let label = format!(
                "{place}: {}",
                authbackup::account::display_name(k.issuer.as_deref(), &k.name)
            );
            if let OtpKind::Hotp { .. } = k.kind {
                return Candidate::unsupported(label, "HOTP (counter-based) accounts cannot be backed up: ABF holds TOTP accounts only");
            }
            let OtpKind::Totp { period } = k.kind else {
                unreachable!()
            };
            let mut c = Candidate::totp(
                label,
                k.issuer.clone(),
                k.name.clone(),
                SecretForm::Bytes(Zeroizing::new(k.secret.expose_bytes().to_vec())),
            );
            c.algorithm = k.algorithm.name().into();
            c.digits = u64::from(k.digits.get());
            c.period = period.get();
            c
        }
    }
}
