//! One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238), as `spec/otp.md` states them.
//!
//! A [`Hotp`] or [`Totp`] is built once per secret (the HMAC key is folded in then) and
//! generates codes without allocating. A code is a [`Code`]: an integer plus its digit count,
//! displayed with its leading zeros.

mod hotp;
mod keyed_hmac;
mod totp;

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

pub use hotp::Hotp;
pub use totp::{codes_at, period, Totp, TotpParams, DEFAULT_PERIOD, MAX_WINDOW};

/// The HMAC hash function of an OTP account.
///
/// Deliberately exhaustive: RFC 6238 names these three, and the format admits no other.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA-1: the RFC 4226 default and what nearly every site issues.
    #[default]
    Sha1,
    /// HMAC-SHA-256 (RFC 6238).
    Sha256,
    /// HMAC-SHA-512 (RFC 6238).
    Sha512,
}

impl Algorithm {
    /// Every algorithm, in a fixed order.
    pub const ALL: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

    /// The canonical name: `SHA1`, `SHA256` or `SHA512`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Accepts the canonical names in any letter case; anything else is `invalid_parameter`.
    fn from_str(s: &str) -> Result<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid_parameter(format!(
                    "algorithm {} is not one of SHA1, SHA256, SHA512",
                    crate::error::shown(s)
                ))
            })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The number of decimal digits of a code: 6, 7 or 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Digits(u8);

impl Digits {
    /// Six digits, the default.
    pub const SIX: Digits = Digits(6);
    /// Seven digits.
    pub const SEVEN: Digits = Digits(7);
    /// Eight digits.
    pub const EIGHT: Digits = Digits(8);

    /// Checks that `n` is 6, 7 or 8 (`invalid_parameter` otherwise).
    pub fn new(n: u64) -> Result<Digits> {
        match n {
            6..=8 => Ok(Digits(n as u8)),
            _ => Err(Error::invalid_parameter(format!(
                "digits must be 6, 7 or 8, not {n}"
            ))),
        }
    }

    /// The digit count as a number.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// `value` modulo 10 to the power of the digit count, with a constant divisor per digit
    /// count (a multiplication rather than a division).
    #[inline]
    pub(crate) const fn reduce(self, value: u32) -> u32 {
        match self.0 {
            6 => value % 1_000_000,
            7 => value % 10_000_000,
            _ => value % 100_000_000,
        }
    }
}

impl Default for Digits {
    fn default() -> Digits {
        Digits::SIX
    }
}

/// A generated code: its value and its digit count. `Display` keeps leading zeros
/// (`Code` 7081804 with 8 digits displays as `07081804`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    value: u32,
    digits: Digits,
}

impl Code {
    /// The code as an integer (below 10^digits).
    pub const fn value(self) -> u32 {
        self.value
    }

    /// How many digits the code is shown with.
    pub const fn digits(self) -> Digits {
        self.digits
    }

    /// Writes the code with leading zeros into `buf` and returns it as text, without
    /// allocating.
    pub fn write_to(self, buf: &mut [u8; 8]) -> &str {
        let n = self.digits.get() as usize;
        let mut v = self.value;
        for slot in buf[..n].iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        // Only ASCII digits were written.
        std::str::from_utf8(&buf[..n]).unwrap_or_default()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 8];
        f.write_str(self.write_to(&mut buf))
    }
}

/// RFC 4226 section 5.3 dynamic truncation: 31 bits taken at the offset named by the low
/// nibble of the MAC's last byte.
fn dynamic_truncate(mac: &[u8]) -> u32 {
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4226_section_5_4_truncation_example() {
        // The worked example of RFC 4226 section 5.4.
        let mac = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncate(&mac), 0x50ef7f19);
        assert_eq!(0x50ef7f19 % 1_000_000, 872921);
    }

    #[test]
    fn codes_keep_leading_zeros() {
        let code = Code {
            value: 7081804,
            digits: Digits::EIGHT,
        };
        assert_eq!(code.to_string(), "07081804");
        let zero = Code {
            value: 0,
            digits: Digits::SIX,
        };
        assert_eq!(zero.to_string(), "000000");
    }

    #[test]
    fn algorithm_names_parse_in_any_case() {
        assert_eq!("sha256".parse::<Algorithm>().unwrap(), Algorithm::Sha256);
        assert_eq!("SHA512".parse::<Algorithm>().unwrap(), Algorithm::Sha512);
        for bad in ["SHA-1", "MD5", "", "SHA1 "] {
            assert!(bad.parse::<Algorithm>().is_err(), "{bad}");
        }
    }

    #[test]
    fn digits_outside_six_to_eight_are_refused() {
        for n in [0, 5, 9, 10, u64::MAX] {
            assert_eq!(
                Digits::new(n).unwrap_err().code(),
                crate::error::ErrorCode::InvalidParameter
            );
        }
    }
}
