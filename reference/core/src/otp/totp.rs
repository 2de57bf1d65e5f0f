//! TOTP (RFC 6238): HOTP with the counter derived from the time.

use std::num::NonZeroU64;

use super::{Algorithm, Code, Digits, Hotp};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The default time step, 30 seconds.
pub const DEFAULT_PERIOD: NonZeroU64 = NonZeroU64::new(30).unwrap();
/// The widest verification window accepted, in steps on each side of the current one.
pub const MAX_WINDOW: u64 = 10;

/// The parameters of a TOTP account besides its secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TotpParams {
    /// The HMAC hash function.
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
    /// The time step X in seconds ([`period`] reads one).
    pub period: NonZeroU64,
    /// The Unix time T0 at which step 0 begins.
    pub t0: u64,
}

impl Default for TotpParams {
    /// SHA1, 6 digits, 30-second steps from the Unix epoch.
    fn default() -> TotpParams {
        TotpParams {
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: DEFAULT_PERIOD,
            t0: 0,
        }
    }
}

/// A TOTP generator and verifier for one secret.
///
/// ```
/// use authbackup::otp::{Algorithm, Digits, Totp, TotpParams};
/// use authbackup::Secret;
///
/// // RFC 6238, Appendix B: the SHA-1 seed, 8 digits, T = 59 s.
/// let secret = Secret::from_bytes(b"12345678901234567890".to_vec())?;
/// let params = TotpParams { algorithm: Algorithm::Sha1, digits: Digits::EIGHT, ..TotpParams::default() };
/// let totp = Totp::new(&secret, params);
/// assert_eq!(totp.code_at(59)?.to_string(), "94287082");
/// assert_eq!(totp.code_at(1_111_111_109)?.to_string(), "07081804"); // leading zero kept
/// # Ok::<(), authbackup::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Totp {
    hotp: Hotp,
    period: NonZeroU64,
    t0: u64,
}

/// Reads a time step in seconds: 0 is `invalid_parameter` (REQ-TOTP-001). The one place
/// this rule lives; everything after it holds a `NonZeroU64`.
pub fn period(seconds: u64) -> Result<NonZeroU64> {
    NonZeroU64::new(seconds)
        .ok_or_else(|| Error::invalid_parameter("period must be at least 1 second"))
}

impl Totp {
    /// Prepares TOTP for `secret`.
    pub fn new(secret: &Secret, params: TotpParams) -> Totp {
        Totp {
            hotp: Hotp::new(secret, params.algorithm, params.digits),
            period: params.period,
            t0: params.t0,
        }
    }

    /// The time step containing `time` (Unix seconds): `floor((time - T0) / period)`.
    /// A time before T0 is `invalid_parameter`, never a wrapped counter.
    pub fn step_at(&self, time: u64) -> Result<u64> {
        match time.checked_sub(self.t0) {
            // The common 30-second period divides by a constant (a multiplication).
            Some(elapsed) if self.period == DEFAULT_PERIOD => Ok(elapsed / 30),
            Some(elapsed) => Ok(elapsed / self.period),
            None => Err(Error::invalid_parameter(format!(
                "time {time} is before T0 ({})",
                self.t0
            ))),
        }
    }

    /// The code at Unix time `time`.
    pub fn code_at(&self, time: u64) -> Result<Code> {
        Ok(self.hotp.code(self.step_at(time)?))
    }

    /// The code of time step `step`.
    pub fn code_at_step(&self, step: u64) -> Code {
        self.hotp.code(step)
    }

    /// Checks `candidate` at `time`, accepting up to `window` steps on each side
    /// (at most [`MAX_WINDOW`]). Every step of the window is computed and compared in
    /// constant time. Returns the matched step, nearest the current one first (current,
    /// then one before, one after, two before, ...), so the caller can refuse a code of a
    /// step it has already accepted (a replay). Steps below 0 are not part of the window.
    ///
    /// ```
    /// use authbackup::otp::{Totp, TotpParams};
    /// use authbackup::Secret;
    ///
    /// let totp = Totp::new(&Secret::from_base32("JBSWY3DPEHPK3PXP")?, TotpParams::default());
    /// let code = totp.code_at(1_700_000_000)?.to_string();
    /// // Typed 20 seconds late, in the next step: accepted with a window of one step.
    /// assert_eq!(totp.verify(&code, 1_700_000_020, 1)?, Some(56_666_666));
    /// assert_eq!(totp.verify(&code, 1_700_000_020, 0)?, None);
    /// assert_eq!(totp.verify("000000", 1_700_000_000, 1)?, None);
    /// # Ok::<(), authbackup::Error>(())
    /// ```
    pub fn verify(&self, candidate: &str, time: u64, window: u64) -> Result<Option<u64>> {
        if window > MAX_WINDOW {
            return Err(Error::invalid_parameter(format!(
                "a verification window of {window} steps is wider than {MAX_WINDOW}"
            )));
        }
        let current = self.step_at(time)?;
        let order = std::iter::once(Some(current))
            .chain((1..=window).flat_map(|d| [current.checked_sub(d), current.checked_add(d)]));
        Ok(self.hotp.verify_counters(candidate, order.flatten()))
    }

    /// The time step in seconds.
    pub fn period(&self) -> NonZeroU64 {
        self.period
    }

    /// The digit count.
    pub fn digits(&self) -> Digits {
        self.hotp.digits()
    }
}

/// The codes of many accounts at one Unix time, written into `out` (cleared first): the batch
/// path for an app showing every account at once. Each code costs two compression-function
/// calls; nothing is allocated beyond `out`'s own growth. A time before an account's T0 is
/// `invalid_parameter`, and `out` then holds the codes before it.
pub fn codes_at(generators: &[Totp], time: u64, out: &mut Vec<Code>) -> Result<()> {
    out.clear();
    out.reserve(generators.len());
    for g in generators {
        out.push(g.code_at(time)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn seed(algorithm: Algorithm) -> Secret {
        // RFC 6238 Appendix B seeds: the ASCII string "1234567890" repeated to the length of
        // the hash output (20, 32 and 64 bytes).
        let text = match algorithm {
            Algorithm::Sha1 => "12345678901234567890",
            Algorithm::Sha256 => "12345678901234567890123456789012",
            Algorithm::Sha512 => "1234567890123456789012345678901234567890123456789012345678901234",
        };
        Secret::from_bytes(text.as_bytes().to_vec()).unwrap()
    }

    /// RFC 6238, Appendix B, the table of test values: time (s), TOTP, mode. 8 digits, X=30, T0=0.
    pub(crate) const RFC_6238_APPENDIX_B: [(u64, &str, Algorithm); 18] = [
        (59, "94287082", Algorithm::Sha1),
        (59, "46119246", Algorithm::Sha256),
        (59, "90693936", Algorithm::Sha512),
        (1111111109, "07081804", Algorithm::Sha1),
        (1111111109, "68084774", Algorithm::Sha256),
        (1111111109, "25091201", Algorithm::Sha512),
        (1111111111, "14050471", Algorithm::Sha1),
        (1111111111, "67062674", Algorithm::Sha256),
        (1111111111, "99943326", Algorithm::Sha512),
        (1234567890, "89005924", Algorithm::Sha1),
        (1234567890, "91819424", Algorithm::Sha256),
        (1234567890, "93441116", Algorithm::Sha512),
        (2000000000, "69279037", Algorithm::Sha1),
        (2000000000, "90698825", Algorithm::Sha256),
        (2000000000, "38618901", Algorithm::Sha512),
        (20000000000, "65353130", Algorithm::Sha1),
        (20000000000, "77737706", Algorithm::Sha256),
        (20000000000, "47863826", Algorithm::Sha512),
    ];

    fn rfc_totp(algorithm: Algorithm) -> Totp {
        let params = TotpParams {
            algorithm,
            digits: Digits::EIGHT,
            ..TotpParams::default()
        };
        Totp::new(&seed(algorithm), params)
    }

    #[test]
    fn rfc_6238_appendix_b() {
        for (time, expected, algorithm) in RFC_6238_APPENDIX_B {
            let code = rfc_totp(algorithm).code_at(time).unwrap();
            assert_eq!(code.to_string(), expected, "{algorithm} at {time}");
        }
    }

    #[test]
    fn t0_shifts_the_steps_and_earlier_times_are_errors() {
        let params = TotpParams {
            t0: 1000,
            digits: Digits::EIGHT,
            ..TotpParams::default()
        };
        let totp = Totp::new(&seed(Algorithm::Sha1), params);
        // 59 s after T0 is step 1, the same as 59 s after the epoch with T0 = 0.
        assert_eq!(totp.code_at(1059).unwrap().to_string(), "94287082");
        assert_eq!(totp.step_at(1000).unwrap(), 0);
        let err = totp.code_at(999).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidParameter);
        assert_eq!(err.message(), "time 999 is before T0 (1000)");
    }

    #[test]
    fn step_boundaries_and_times_past_2106() {
        let totp = rfc_totp(Algorithm::Sha1);
        assert_eq!(totp.step_at(29).unwrap(), 0);
        assert_eq!(totp.step_at(30).unwrap(), 1);
        assert_eq!(totp.step_at(u64::MAX).unwrap(), u64::MAX / 30);
        // 2^32 seconds is in 2106: its step does not fit in 32 bits of time but the counter
        // is 64-bit, so it differs from the step of 2^32 mod 2^32 = 0.
        assert_ne!(
            totp.code_at(1 << 32).unwrap(),
            totp.code_at(0).unwrap(),
            "time must not wrap at 2^32"
        );
    }

    #[test]
    fn batch_codes_equal_single_codes() {
        let gens: Vec<Totp> = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
            .into_iter()
            .map(rfc_totp)
            .collect();
        let mut out = Vec::new();
        codes_at(&gens, 59, &mut out).unwrap();
        let codes: Vec<String> = out.iter().map(ToString::to_string).collect();
        assert_eq!(codes, ["94287082", "46119246", "90693936"]);
    }

    #[test]
    fn period_zero_is_refused() {
        let err = super::period(0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidParameter);
        assert_eq!(super::period(1).unwrap().get(), 1);
    }

    #[test]
    fn verify_accepts_the_window_and_reports_the_step() {
        let totp = rfc_totp(Algorithm::Sha1);
        // 94287082 is the code of step 1 (time 30..59).
        assert_eq!(totp.verify("94287082", 59, 0).unwrap(), Some(1));
        assert_eq!(totp.verify("94287082", 60, 0).unwrap(), None);
        assert_eq!(totp.verify("94287082", 60, 1).unwrap(), Some(1));
        assert_eq!(totp.verify("94287082", 0, 1).unwrap(), Some(1));
        assert_eq!(totp.verify("94287082", 90, 1).unwrap(), None);
        assert_eq!(totp.verify("94287082", 90, 2).unwrap(), Some(1));
        // At step 0 the window has no step -1; nothing wraps to u64::MAX.
        let at_max = totp.code_at_step(u64::MAX).to_string();
        assert_eq!(totp.verify(&at_max, 0, 1).unwrap(), None);
        // Near the end of time the window stops at u64::MAX instead of wrapping to 0.
        let per_second = Totp::new(
            &seed(Algorithm::Sha1),
            TotpParams {
                period: NonZeroU64::MIN,
                digits: Digits::EIGHT,
                ..TotpParams::default()
            },
        );
        assert_eq!(
            per_second.verify(&at_max, u64::MAX, 1).unwrap(),
            Some(u64::MAX)
        );
        let at_zero = per_second.code_at_step(0).to_string();
        assert_eq!(per_second.verify(&at_zero, u64::MAX, 1).unwrap(), None);
        assert_eq!(
            totp.verify("94287082", 59, MAX_WINDOW + 1)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidParameter
        );
    }
}
