//! The `hotp` section: HOTP code generation (spec/otp.md section 2). RFC 4226 values
//! verbatim; every other code from the independent [`oracle`].

use serde_json::json;

use super::otp::{hotp_input, oracle, seed, shared_policies, with_leading_zeros, ALGORITHMS};
use super::{Builder, Rng};
use crate::model::VectorFile;

const CODE_REQS: [&str; 4] = [
    "REQ-HOTP-001",
    "REQ-HOTP-003",
    "REQ-HOTP-004",
    "REQ-HOTP-005",
];

pub(crate) fn hotp() -> VectorFile {
    let mut b = Builder::new("hotp", "hotp.generate", &[
        "HOTP code generation (spec/otp.md section 2).",
        "RFC 4226 Appendix D values are copied verbatim from the RFC; every other expected code is computed by an independent HMAC (RustCrypto hmac, RFC 4226 truncation in the generator).",
        "Every case is level rfc unless a policy flag says otherwise; secrets are 20 bytes or longer except in SecretLength cases.",
    ]);
    notes(&mut b);
    rfc_4226(&mut b);
    counters(&mut b);
    keys(&mut b);
    leading_zeros(&mut b);
    refused(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    shared_policies(b);
    b.note(
        "RFC4226",
        "Known answer",
        "RFC 4226 Appendix D test values, verbatim.",
        &["RFC 4226 Appendix D"],
    );
    b.note("LargeCounter", "Integer overflow", "Counters past 2^32: implementations that keep the counter in 32 bits give the code of a wrapped counter.", &["REQ-HOTP-005", "RFC 4226 section 5.1 (8-byte counter)"]);
    b.note("FloatCounter", "Integer precision", "Counters above 2^53 that a 64-bit float cannot hold: implementations that keep the counter in a floating-point number give the code of a rounded counter.", &["REQ-HOTP-005", "RFC 4226 section 5.1 (8-byte counter)"]);
    b.note("LongKey", "Edge case", "Keys longer than the hash's block must be hashed first (RFC 2104), their own padding included; keys of exactly the block size must not.", &["REQ-HOTP-001"]);
    b.note("LeadingZero", "Formatting", "Codes whose truncated value has fewer digits than asked: returning an integer or not left-padding loses the zeros.", &["REQ-HOTP-004"]);
    b.note("Truncation", "Wrong algorithm", "The truncation offset is the low nibble of the last MAC byte, for SHA-256 and SHA-512 too.", &["REQ-HOTP-003"]);
}

fn rfc_4226(b: &mut Builder) {
    b.group(
        "RFC 4226 Appendix D: secret \"12345678901234567890\", HMAC-SHA-1, 6 digits",
        None,
    );
    let rfc = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (count, code) in rfc.iter().enumerate() {
        b.valid(
            &format!("RFC 4226 Appendix D, count {count}"),
            &["REQ-HOTP-001", "REQ-HOTP-003", "REQ-HOTP-004"],
            &["RFC4226"],
            hotp_input(&seed("SHA1"), "SHA1", 6, count as u64),
            json!({ "code": code }),
        );
    }
}

/// Every algorithm and digit count, counters across 32 bits, 2^53 and 64 bits.
fn counters(b: &mut Builder) {
    b.group(
        "Every algorithm, every digit count, counters across 32 bits, 2^53 and 64 bits",
        None,
    );
    let table: [(u64, u64); 9] = [
        (6, 0),
        (7, 1),
        (8, 0xFFFF_FFFF),
        (6, 0x1_0000_0000),
        (7, (1 << 53) + 1),
        (8, (1 << 53) + 3),
        (6, (1 << 63) + 1),
        (7, u64::MAX - 1),
        (8, u64::MAX),
    ];
    for alg in ALGORITHMS {
        for (digits, counter) in table {
            let mut flags = vec!["Truncation"];
            if counter > u64::from(u32::MAX) {
                flags.push("LargeCounter");
            }
            if (counter as f64) as u64 != counter || counter == u64::MAX {
                flags.push("FloatCounter");
            }
            b.valid(
                &format!("{alg}, {digits} digits, counter {counter}"),
                &[
                    "REQ-HOTP-001",
                    "REQ-HOTP-002",
                    "REQ-HOTP-003",
                    "REQ-HOTP-004",
                    "REQ-HOTP-005",
                ],
                &flags,
                hotp_input(&seed(alg), alg, digits, counter),
                json!({ "code": oracle(alg, &seed(alg), counter, digits as u32) }),
            );
        }
    }
}

/// Key lengths around the block size, and long keys whose last block does or does not leave
/// room for the length field (SHA-1 and SHA-256: 55 or 56 bytes past a block); 10 bytes is
/// this format's lower bound.
fn keys(b: &mut Builder) {
    b.group(
        "Key lengths around the block size (64 bytes for SHA-1/SHA-256, 128 for SHA-512)",
        None,
    );
    let mut rng = Rng::new(0xABF0_0001);
    for alg in ALGORITHMS {
        for len in [10usize, 16, 20, 63, 64, 65, 100, 119, 120, 127, 128] {
            let key = rng.bytes(len);
            // Longer than the longest RFC 6238 seed (64 bytes): the RFCs oblige no library
            // to take such keys, only to use them right if it does.
            let flags: &[&str] = if len < 16 {
                &["LongKey", "SecretLength"]
            } else if len > 64 {
                &["LongKey", "MayRefuse"]
            } else {
                &["LongKey"]
            };
            b.valid(
                &format!("{alg}, {len}-byte key"),
                &["REQ-HOTP-001", "REQ-SECRET-001"],
                flags,
                hotp_input(&key, alg, 6, 7),
                json!({ "code": oracle(alg, &key, 7, 6) }),
            );
        }
    }
}

fn leading_zeros(b: &mut Builder) {
    b.group(
        "Codes whose value has fewer digits than asked: left-padded with zeros",
        None,
    );
    let key = seed("SHA1");
    for digits in [6u32, 7, 8] {
        for zeros in [1usize, 2] {
            let counter = with_leading_zeros(digits, zeros, 0);
            let code = oracle("SHA1", &key, counter, digits);
            b.valid(
                &format!("counter {counter}: the {digits}-digit code {code} keeps its {zeros} leading zero(s)"),
                &CODE_REQS,
                &["LeadingZero"],
                hotp_input(&key, "SHA1", u64::from(digits), counter),
                json!({ "code": code }),
            );
        }
    }
}

fn refused(b: &mut Builder) {
    b.group("Algorithm names, digit counts and secret lengths", None);
    b.valid(
        "lower-case algorithm name is accepted",
        &["REQ-HOTP-002"],
        &["AlgorithmName"],
        hotp_input(&seed("SHA256"), "sha256", 6, 1),
        json!({ "code": oracle("SHA256", &seed("SHA256"), 1, 6) }),
    );
    for alg in ["MD5", "SHA-1", "SHA384", ""] {
        b.invalid(
            &format!("algorithm {alg:?} is not allowed"),
            &["REQ-HOTP-002"],
            &["AlgorithmName"],
            hotp_input(&seed("SHA1"), alg, 6, 0),
            "invalid_parameter",
        );
    }
    for digits in [0u64, 5, 9, 10] {
        b.invalid(
            &format!("{digits} digits"),
            &["REQ-HOTP-004"],
            &["DigitsRange"],
            hotp_input(&seed("SHA1"), "SHA1", digits, 0),
            "invalid_parameter",
        );
    }
    for (comment, len) in [
        ("an empty secret", 0usize),
        ("a 9-byte secret is too short", 9),
        ("a 129-byte secret is too long", 129),
    ] {
        b.invalid(
            comment,
            &["REQ-SECRET-001"],
            &["SecretLength"],
            hotp_input(&vec![1; len], "SHA1", 6, 0),
            "invalid_secret",
        );
    }
}
