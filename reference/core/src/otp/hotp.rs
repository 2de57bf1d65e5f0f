//! HOTP (RFC 4226): a code from a secret and a moving counter.

use subtle::{ConditionallySelectable, ConstantTimeEq};

use super::keyed_hmac::{KeyedHmac, MAX_MAC};
use super::{dynamic_truncate, Algorithm, Code, Digits};
use crate::secret::Secret;

/// An HOTP generator for one secret: the HMAC key is folded in once, at construction.
#[derive(Clone)]
pub struct Hotp {
    key: KeyedHmac,
    digits: Digits,
}

impl Hotp {
    /// Prepares code generation for `secret` with the given hash and digit count.
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits) -> Hotp {
        Hotp {
            key: KeyedHmac::new(algorithm, secret.expose_bytes()),
            digits,
        }
    }

    /// The code for `counter` (RFC 4226 section 5.3). Does not allocate.
    #[inline]
    pub fn code(&self, counter: u64) -> Code {
        let mut mac = [0u8; MAX_MAC];
        let len = self.key.mac_counter(counter, &mut mac);
        Code {
            value: self.digits.reduce(dynamic_truncate(&mac[..len])),
            digits: self.digits,
        }
    }

    /// The digit count codes are generated with.
    pub fn digits(&self) -> Digits {
        self.digits
    }

    /// Checks `candidate` against the codes of `counters`, in the order given, in constant
    /// time: every counter is computed and compared whatever matches. Returns the first
    /// counter whose code equals `candidate`. A candidate that is not exactly `digits` ASCII
    /// digits matches nothing (its shape is not secret, so that check may return early).
    pub fn verify_counters(
        &self,
        candidate: &str,
        counters: impl IntoIterator<Item = u64>,
    ) -> Option<u64> {
        let wanted = parse_candidate(candidate, self.digits)?;
        let mut found = subtle::Choice::from(0);
        let mut matched = 0u64;
        for counter in counters {
            let hit = self.code(counter).value.ct_eq(&wanted) & !found;
            matched.conditional_assign(&counter, hit);
            found |= hit;
        }
        bool::from(found).then_some(matched)
    }
}

fn parse_candidate(candidate: &str, digits: Digits) -> Option<u32> {
    let bytes = candidate.as_bytes();
    if bytes.len() != digits.get() as usize || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')),
    )
}

impl std::fmt::Debug for Hotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hotp")
            .field("key", &"<redacted>")
            .field("digits", &self.digits.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_hotp() -> Hotp {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        Hotp::new(&secret, Algorithm::Sha1, Digits::SIX)
    }

    /// RFC 4226, Appendix D: secret "12345678901234567890" (ASCII), HMAC-SHA-1, 6 digits.
    /// Columns: count, truncated value (decimal), HOTP value.
    const RFC_4226_APPENDIX_D: [(u64, u32, &str); 10] = [
        (0, 1284755224, "755224"),
        (1, 1094287082, "287082"),
        (2, 137359152, "359152"),
        (3, 1726969429, "969429"),
        (4, 1640338314, "338314"),
        (5, 868254676, "254676"),
        (6, 1918287922, "287922"),
        (7, 82162583, "162583"),
        (8, 673399871, "399871"),
        (9, 645520489, "520489"),
    ];

    #[test]
    fn rfc_4226_appendix_d() {
        let hotp = rfc_hotp();
        for (count, truncated, expected) in RFC_4226_APPENDIX_D {
            let code = hotp.code(count);
            assert_eq!(code.to_string(), expected, "count {count}");
            assert_eq!(code.value(), truncated % 1_000_000, "count {count}");
        }
    }

    #[test]
    fn verify_returns_the_first_matching_counter() {
        let hotp = rfc_hotp();
        assert_eq!(hotp.verify_counters("969429", 0..10), Some(3));
        assert_eq!(hotp.verify_counters("969429", [5, 4, 3, 2]), Some(3));
        assert_eq!(hotp.verify_counters("969429", 4..10), None);
        assert_eq!(hotp.verify_counters("96942", 0..10), None);
        assert_eq!(hotp.verify_counters("9694290", 0..10), None);
        assert_eq!(hotp.verify_counters("96942a", 0..10), None);
        assert_eq!(hotp.verify_counters("+69429", 0..10), None);
    }

    #[test]
    fn debug_redacts_the_key() {
        assert_eq!(
            format!("{:?}", rfc_hotp()),
            "Hotp { key: \"<redacted>\", digits: 6 }"
        );
    }
}
