//! What the OTP sections (`hotp`, `totp`, `secret`) share: the RFC seeds, the independent
//! HMAC oracle every expected code comes from, input builders and the notes of the policies
//! they have in common.

use data_encoding::HEXLOWER;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use super::Builder;

/// The three hash names, in the RFCs' order.
pub(crate) const ALGORITHMS: [&str; 3] = ["SHA1", "SHA256", "SHA512"];

/// The RFC 4226 / RFC 6238 seeds: ASCII "1234567890" repeated to 20, 32 and 64 bytes.
pub(crate) fn seed(algorithm: &str) -> Vec<u8> {
    let n = match algorithm {
        "SHA256" => 32,
        "SHA512" => 64,
        _ => 20,
    };
    b"1234567890".iter().copied().cycle().take(n).collect()
}

fn mac(algorithm: &str, key: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    match algorithm {
        "SHA256" => run::<Hmac<sha2::Sha256>>(key, msg),
        "SHA512" => run::<Hmac<sha2::Sha512>>(key, msg),
        _ => run::<Hmac<sha1::Sha1>>(key, msg),
    }
}

/// HOTP computed independently of the reference: `hmac` crate, RFC 4226 section 5.3.
pub(crate) fn oracle(algorithm: &str, key: &[u8], counter: u64, digits: u32) -> String {
    let mac = mac(algorithm, key, &counter.to_be_bytes());
    let o = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[o] & 0x7f, mac[o + 1], mac[o + 2], mac[o + 3]]);
    format!("{:0w$}", bin % 10u32.pow(digits), w = digits as usize)
}

/// The first counter from `from` whose `digits`-digit SHA-1 code (RFC seed) starts with
/// exactly `zeros` zeros: the codes a generator that does not left-pad gets wrong.
pub(crate) fn with_leading_zeros(digits: u32, zeros: usize, from: u64) -> u64 {
    let key = seed("SHA1");
    (from..)
        .find(|&c| {
            let code = oracle("SHA1", &key, c, digits);
            code.len() - code.trim_start_matches('0').len() == zeros
        })
        .expect("such a counter exists")
}

/// A `hotp.generate` input.
pub(crate) fn hotp_input(key: &[u8], algorithm: &str, digits: u64, counter: u64) -> Value {
    json!({ "secret": HEXLOWER.encode(key), "algorithm": algorithm, "digits": digits, "counter": counter })
}

/// A `totp.generate` input.
pub(crate) fn totp_input(
    key: &[u8],
    alg: &str,
    digits: u64,
    period: u64,
    t0: u64,
    time: u64,
) -> Value {
    json!({ "secret": HEXLOWER.encode(key), "algorithm": alg, "digits": digits, "period": period, "t0": t0, "time": time })
}

/// The parameters of a `totp.verify` input besides the secret (SHA-1 RFC seed, T0 = 0).
#[derive(Clone, Copy)]
pub(crate) struct Verify {
    pub digits: u64,
    pub period: u64,
    pub time: u64,
    pub window: u64,
}

impl Verify {
    /// 8 digits, 30-second steps, the middle of `step`, window `window`.
    pub(crate) fn at_step(step: u64, window: u64) -> Verify {
        Verify {
            digits: 8,
            period: 30,
            time: step * 30 + 7,
            window,
        }
    }

    /// The input, checking `candidate`.
    pub(crate) fn input(self, candidate: &str) -> Value {
        let mut v = totp_input(
            &seed("SHA1"),
            "SHA1",
            self.digits,
            self.period,
            0,
            self.time,
        );
        v["window"] = self.window.into();
        v["candidate"] = candidate.into();
        v
    }

    /// The code of `step` with these digits.
    pub(crate) fn code(self, step: u64) -> String {
        oracle("SHA1", &seed("SHA1"), step, self.digits as u32)
    }
}

/// Documents `MayRefuse`, the flag of inputs the RFCs let an implementation refuse.
fn may_refuse(b: &mut Builder) {
    b.note("MayRefuse", "Implementation limit", "The RFCs do not oblige an implementation to accept this input (a key longer than the 64 bytes of RFC 6238's longest seed, a period other than 30 seconds, a URI with a fragment), only to answer it correctly if it does: a refusal deviates from this format's policy only, a wrong answer from the RFCs.", &["RFC 4226 section 5.1", "RFC 6238 section 4.1"]);
}

/// The policy notes the OTP sections share.
pub(crate) fn shared_policies(b: &mut Builder) {
    may_refuse(b);
    b.policy("SecretLength", "Format policy: secret bounds", "This format takes secrets of 10 to 128 bytes and refuses others with invalid_secret (REQ-SECRET-001). RFC 4226 asks for at least 16 bytes and sets no upper bound, so a library that refuses 10- to 15-byte secrets, or accepts 9 or 129, follows the RFC and fails only these cases.", &["REQ-SECRET-001", "RFC 4226 section 4, R6"]);
    b.policy("AlgorithmName", "Format policy: names", "Hash names are SHA1, SHA256 and SHA512 in any letter case; every other name is refused with invalid_parameter (REQ-HOTP-002). The RFCs name no text form.", &["REQ-HOTP-002"]);
    b.policy("DigitsRange", "Format policy: digits", "Codes have 6, 7 or 8 digits; any other count is refused with invalid_parameter (REQ-HOTP-004). Libraries that allow 9 or 10 digits, or 5, do not break the RFCs.", &["REQ-HOTP-004"]);
}
