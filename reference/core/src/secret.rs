//! The shared secret of an OTP account: base32 as people type it, held in memory that is
//! wiped on drop, never printed, compared in constant time (`spec/otp.md`, "Secrets").

use std::fmt;

use data_encoding::{DecodeKind, BASE32, BASE32_NOPAD};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Error, Result};

/// The fewest secret bytes accepted (80 bits: what many real sites issue).
pub const MIN_SECRET_BYTES: usize = 10;
/// The most secret bytes accepted.
pub const MAX_SECRET_BYTES: usize = 128;

/// An OTP shared secret (the raw key bytes, not their base32 text).
///
/// Its length is always within [`MIN_SECRET_BYTES`]..=[`MAX_SECRET_BYTES`]. `Debug` and
/// `Display` print `<redacted>`; equality runs in constant time for secrets of equal length;
/// the bytes are zeroized when the value is dropped.
///
/// The bytes live on the heap, never inline: moving a `Secret` (into a vector that then
/// grows, say) copies only a pointer, so the key is in one place, wiped on drop, and no copy
/// of it is left behind in memory that was moved from.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Box<[u8]>);

impl Secret {
    /// Takes raw key bytes, checking the length bounds. The bytes are wiped, whether or not
    /// they make a secret.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Result<Secret> {
        let secret = Secret::from_slice(&bytes);
        bytes.zeroize();
        secret
    }

    /// A copy of raw key bytes, checking the length bounds.
    fn from_slice(bytes: &[u8]) -> Result<Secret> {
        check_length(bytes.len())?;
        Ok(Secret(bytes.into()))
    }

    /// Decodes RFC 4648 base32 as people type it: letters of either case, spaces anywhere
    /// (ignored), `=` padding optional but correct when present. Rejects other characters,
    /// impossible lengths, non-zero trailing bits and empty input with `invalid_secret`.
    pub fn from_base32(text: &str) -> Result<Secret> {
        // The form writers produce (upper case, no spaces, no padding) decodes as it is;
        // anything else, errors included, is cleaned and decoded again below.
        if let Some(secret) = Secret::from_canonical(text) {
            return secret;
        }
        let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
        for (index, c) in text.chars().enumerate() {
            match c {
                ' ' => {}
                'A'..='Z' | '2'..='7' | '=' => cleaned.push(c),
                'a'..='z' => cleaned.push(c.to_ascii_uppercase()),
                _ => {
                    return Err(Error::invalid_secret(format!(
                        "character {} is not in the base32 alphabet (A-Z, 2-7)",
                        index + 1
                    )))
                }
            }
        }
        if cleaned.is_empty() {
            return Err(Error::invalid_secret("the secret is empty"));
        }
        // REQ-SECRET-004: padding stands at the end only. (data-encoding would also decode a
        // concatenation of padded blocks, `AAAAAAA=` followed by more text.)
        if cleaned.trim_end_matches('=').contains('=') {
            return Err(base32_error(DecodeKind::Padding, cleaned.len()));
        }
        let encoding = if cleaned.contains('=') {
            &BASE32
        } else {
            &BASE32_NOPAD
        };
        let bytes = encoding
            .decode(cleaned.as_bytes())
            .map_err(|e| base32_error(e.kind, cleaned.len()))?;
        Secret::from_bytes(bytes)
    }

    /// Decodes upper-case base32 without padding or spaces into a wiped stack buffer, so that
    /// the only heap copy is the secret's own; `None` when `text` is not in that form or too
    /// long.
    fn from_canonical(text: &str) -> Option<Result<Secret>> {
        let len = BASE32_NOPAD
            .decode_len(text.len())
            .ok()
            .filter(|len| (1..=MAX_SECRET_BYTES).contains(len))?;
        let mut buffer = [0; MAX_SECRET_BYTES];
        let decoded = BASE32_NOPAD.decode_mut(text.as_bytes(), &mut buffer[..len]);
        let secret = decoded.is_ok().then(|| Secret::from_slice(&buffer[..len]));
        buffer[..len].zeroize();
        secret
    }

    /// The canonical text form: upper-case base32 without padding or spaces.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(self.expose_bytes()))
    }

    /// The raw key bytes. Named so that every use of the secret material stands out.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.expose_bytes().len()
    }

    /// Always false: a secret holds at least [`MIN_SECRET_BYTES`] bytes.
    pub fn is_empty(&self) -> bool {
        self.expose_bytes().is_empty()
    }
}

fn check_length(len: usize) -> Result<()> {
    if len < MIN_SECRET_BYTES {
        return Err(Error::invalid_secret(format!(
            "the secret is {len} bytes; at least {MIN_SECRET_BYTES} bytes (80 bits) are required"
        )));
    }
    if len > MAX_SECRET_BYTES {
        return Err(Error::invalid_secret(format!(
            "the secret is {len} bytes; at most {MAX_SECRET_BYTES} bytes are allowed"
        )));
    }
    Ok(())
}

fn base32_error(kind: DecodeKind, symbols: usize) -> Error {
    Error::invalid_secret(match kind {
        DecodeKind::Length => format!(
            "{symbols} base32 characters (spaces not counted) cannot encode whole bytes; \
             the secret is incomplete or mistyped"
        ),
        DecodeKind::Trailing => "the last character has non-zero unused bits; \
                                 the secret is truncated or mistyped"
            .to_string(),
        DecodeKind::Padding | DecodeKind::Symbol => {
            "'=' padding is only allowed at the end, in the number RFC 4648 requires".to_string()
        }
    })
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Secret {}

impl ConstantTimeEq for Secret {
    fn ct_eq(&self, other: &Secret) -> subtle::Choice {
        self.expose_bytes().ct_eq(other.expose_bytes())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use proptest::prelude::*;

    fn code_of(text: &str) -> ErrorCode {
        Secret::from_base32(text).unwrap_err().code()
    }

    #[test]
    fn decodes_with_and_without_padding() {
        // Expected texts computed independently (Python's base64.b32encode).
        let ten = Secret::from_bytes(b"foobarfoob".to_vec()).unwrap();
        assert_eq!(ten.to_base32().as_str(), "MZXW6YTBOJTG633C");
        assert_eq!(Secret::from_base32("MZXW6YTBOJTG633C").unwrap(), ten);
        let twelve = Secret::from_bytes(b"foobarfoobar".to_vec()).unwrap();
        assert_eq!(twelve.to_base32().as_str(), "MZXW6YTBOJTG633CMFZA");
        assert_eq!(
            Secret::from_base32("MZXW6YTBOJTG633CMFZA====").unwrap(),
            twelve
        );
        assert_eq!(Secret::from_base32("MZXW6YTBOJTG633CMFZA").unwrap(), twelve);
    }

    #[test]
    fn accepts_what_people_type() {
        let canonical = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for typed in [
            "jbswy3dpehpk3pxp",
            "jbsw y3dp ehpk 3pxp",
            " JBSW Y3DP EHPK 3PXP ",
            "JbSwY3dPeHpK3pXp",
        ] {
            assert_eq!(Secret::from_base32(typed).unwrap(), canonical, "{typed}");
        }
    }

    #[test]
    fn rejects_bad_input_with_invalid_secret() {
        for bad in [
            "",
            "    ",
            "JBSWY3DPEHPK3PX1", // '1' is not base32
            "JBSWY3DPEHPK3PX0",
            "JBSWY3DPEHPK3PX8",
            "JBSWY3DP-EHPK3PXP",
            "JBSWY3DP\tEHPK3PXP",
            "JBSWY3DPEHPK3PXPÄ",
            // Two padded encodings concatenated: padding stands at the end only.
            "MZXW6YTBOI======MZXW6YTBOI======",
            "GEZDGNBVGY3TQOI=GEZDGNBVGY3TQOJQ",
        ] {
            assert_eq!(code_of(bad), ErrorCode::InvalidSecret, "{bad:?}");
        }
    }

    #[test]
    fn rejects_non_zero_trailing_bits() {
        // 17 symbols is no possible length of whole bytes (17 mod 8 = 1).
        assert!(Secret::from_base32("JBSWY3DPEHPK3PXPA").is_err());
        // 18 symbols = 90 bits: 11 bytes plus 2 unused bits. 'A' (0) then 'A' ok.
        assert!(Secret::from_base32("JBSWY3DPEHPK3PXPAA").is_ok());
        // Same length, last symbol 'B' (00001): unused bits non-zero.
        let e = Secret::from_base32("JBSWY3DPEHPK3PXPAB").unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSecret);
        assert!(e.message().contains("unused bits"), "{e}");
    }

    #[test]
    fn rejects_wrong_padding() {
        assert!(Secret::from_base32("MZXW6YTBOJTG633CMFZA====").is_ok());
        for bad in [
            "MZXW6YTBOJTG633CMFZA===",   // too little padding
            "MZXW6YTBOJTG633CMFZA=====", // too much
            "MZXW6YTB=OJTG633CMFZA",     // padding in the middle
            "MZXW6YTBOJTG633C========",  // a whole block of padding
        ] {
            assert_eq!(code_of(bad), ErrorCode::InvalidSecret, "{bad:?}");
        }
    }

    #[test]
    fn enforces_length_bounds() {
        assert_eq!(code_of("MZXW6YTBOI"), ErrorCode::InvalidSecret); // 6 bytes
        assert!(Secret::from_bytes(vec![7; MIN_SECRET_BYTES]).is_ok());
        assert!(Secret::from_bytes(vec![7; MIN_SECRET_BYTES - 1]).is_err());
        assert!(Secret::from_bytes(vec![7; MAX_SECRET_BYTES]).is_ok());
        assert!(Secret::from_bytes(vec![7; MAX_SECRET_BYTES + 1]).is_err());
    }

    #[test]
    fn empty_and_blank_secrets_say_so() {
        for blank in ["", "   "] {
            let e = Secret::from_base32(blank).unwrap_err();
            assert_eq!(e.to_string(), "invalid_secret: the secret is empty");
        }
    }

    #[test]
    fn error_messages_name_position_not_content() {
        let e = Secret::from_base32("jbsw y3dp ehpk 3px!").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid_secret: character 19 is not in the base32 alphabet (A-Z, 2-7)"
        );
    }

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{s}"), "<redacted>");
        assert!(!format!("{s:?}{s}").contains("JBSW"));
    }

    #[test]
    fn equality_compares_bytes() {
        let a = Secret::from_bytes(vec![1; 20]).unwrap();
        let mut other = vec![1; 20];
        other[19] = 2;
        assert_ne!(a, Secret::from_bytes(other).unwrap());
        assert_ne!(a, Secret::from_bytes(vec![1; 21]).unwrap());
        assert_eq!(a, a.clone());
    }

    #[test]
    fn zeroize_wipes_the_key_and_keeps_its_length() {
        for len in [MIN_SECRET_BYTES, MAX_SECRET_BYTES] {
            let mut secret = Secret::from_bytes(vec![7; len]).unwrap();
            assert_eq!(secret.clone().expose_bytes(), vec![7; len]);
            secret.zeroize();
            assert_eq!(secret.expose_bytes(), vec![0; len], "{len} bytes");
        }
    }

    proptest! {
        #[test]
        fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), MIN_SECRET_BYTES..=MAX_SECRET_BYTES)) {
            let s = Secret::from_bytes(bytes.clone()).unwrap();
            let text = s.to_base32();
            prop_assert_eq!(Secret::from_base32(&text).unwrap().expose_bytes().to_vec(), bytes.clone());
            // Lower case with a space every four symbols, as people copy it, decodes the same.
            let typed: String = text
                .to_ascii_lowercase()
                .chars()
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" ");
            prop_assert_eq!(Secret::from_base32(&typed).unwrap().expose_bytes().to_vec(), bytes);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
            let _ = Secret::from_base32(&text);
        }
    }
}
