//! HOTP, TOTP and secret vectors. Expected codes come from the RFCs verbatim or from
//! [`oracle`], an HMAC computed with the RustCrypto `hmac` crate and truncated here.

use data_encoding::{BASE32, HEXLOWER};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use super::{Builder, Rng};
use crate::model::VectorFile;

/// The RFC 4226 / RFC 6238 seeds: ASCII "1234567890" repeated to 20, 32 and 64 bytes.
fn seed(algorithm: &str) -> Vec<u8> {
    let n = match algorithm {
        "SHA256" => 32,
        "SHA512" => 64,
        _ => 20,
    };
    b"1234567890".iter().copied().cycle().take(n).collect()
}

/// HOTP computed independently of the reference: `hmac` crate, RFC 4226 section 5.3.
pub(crate) fn oracle(algorithm: &str, key: &[u8], counter: u64, digits: u32) -> String {
    let msg = counter.to_be_bytes();
    let mac = match algorithm {
        "SHA256" => Hmac::<sha2::Sha256>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
        "SHA512" => Hmac::<sha2::Sha512>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
        _ => Hmac::<sha1::Sha1>::new_from_slice(key)
            .unwrap()
            .chain_update(msg)
            .finalize()
            .into_bytes()
            .to_vec(),
    };
    let o = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[o] & 0x7f, mac[o + 1], mac[o + 2], mac[o + 3]]);
    format!("{:0w$}", bin % 10u32.pow(digits), w = digits as usize)
}

fn hotp_input(key: &[u8], algorithm: &str, digits: u64, counter: u64) -> Value {
    json!({ "secret": HEXLOWER.encode(key), "algorithm": algorithm, "digits": digits, "counter": counter })
}

pub(crate) fn hotp() -> VectorFile {
    let mut b = Builder::new("hotp", "hotp.generate", &[
        "HOTP code generation (spec/otp.md section 2).",
        "RFC 4226 Appendix D values are copied verbatim from the RFC; every other expected code is computed by an independent HMAC (RustCrypto hmac, RFC 4226 truncation in the generator).",
    ]);
    b.note(
        "RFC4226",
        "Known answer",
        "RFC 4226 Appendix D test values, verbatim.",
        &["RFC 4226 Appendix D"],
    );
    b.note("LargeCounter", "Integer overflow", "Counters past 2^32: implementations that keep the counter in 32 bits give the code of a wrapped counter.", &["REQ-HOTP-005"]);
    b.note("LongKey", "Edge case", "Keys longer than the hash's block must be hashed first (RFC 2104); keys of exactly the block size must not.", &["REQ-HOTP-001"]);
    b.note(
        "LeadingZero",
        "Formatting",
        "Codes that begin with 0: returning an integer or trimming loses the zero.",
        &["REQ-HOTP-004"],
    );
    b.note("Truncation", "Wrong algorithm", "The truncation offset is the low nibble of the last MAC byte, for SHA-256 and SHA-512 too.", &["REQ-HOTP-003"]);
    b.note(
        "InvalidParameter",
        "Input validation",
        "Parameters outside the allowed set must be refused, not clamped.",
        &["REQ-HOTP-002", "REQ-HOTP-004"],
    );

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

    b.group(
        "Every algorithm, every digit count, counters across 32 and 64 bits",
        None,
    );
    for alg in ["SHA1", "SHA256", "SHA512"] {
        for (digits, counter) in [
            (6u64, 0u64),
            (7, 1),
            (8, 0xFFFF_FFFF),
            (6, 0x1_0000_0000),
            (7, 1 << 63),
            (8, u64::MAX),
        ] {
            let flags: &[&str] = if counter > u32::MAX as u64 {
                &["LargeCounter", "Truncation"]
            } else {
                &["Truncation"]
            };
            b.valid(
                &format!("{alg}, {digits} digits, counter {counter}"),
                &[
                    "REQ-HOTP-001",
                    "REQ-HOTP-002",
                    "REQ-HOTP-003",
                    "REQ-HOTP-004",
                    "REQ-HOTP-005",
                ],
                flags,
                hotp_input(&seed(alg), alg, digits, counter),
                json!({ "code": oracle(alg, &seed(alg), counter, digits as u32) }),
            );
        }
    }

    b.group(
        "Key lengths around the block size (64 bytes for SHA-1/SHA-256, 128 for SHA-512)",
        None,
    );
    let mut rng = Rng::new(0xABF0_0001);
    for alg in ["SHA1", "SHA256", "SHA512"] {
        for len in [10usize, 20, 63, 64, 65, 127, 128] {
            let key = rng.bytes(len);
            b.valid(
                &format!("{alg}, {len}-byte key"),
                &["REQ-HOTP-001", "REQ-SECRET-001"],
                &["LongKey"],
                hotp_input(&key, alg, 6, 7),
                json!({ "code": oracle(alg, &key, 7, 6) }),
            );
        }
    }

    b.group("Codes with leading zeros", None);
    let key = seed("SHA1");
    let mut found = 0;
    for counter in 0..100_000u64 {
        for digits in [6u32, 8] {
            let code = oracle("SHA1", &key, counter, digits);
            if code.starts_with('0') && found < 4 {
                found += 1;
                b.valid(
                    &format!(
                        "counter {counter}: {digits}-digit code {code} keeps its leading zero"
                    ),
                    &["REQ-HOTP-004"],
                    &["LeadingZero"],
                    hotp_input(&key, "SHA1", digits as u64, counter),
                    json!({ "code": code }),
                );
            }
        }
        if found >= 4 {
            break;
        }
    }

    b.group("Algorithm names and invalid parameters", None);
    b.valid(
        "lower-case algorithm name is accepted",
        &["REQ-HOTP-002"],
        &[],
        hotp_input(&seed("SHA256"), "sha256", 6, 1),
        json!({ "code": oracle("SHA256", &seed("SHA256"), 1, 6) }),
    );
    for alg in ["MD5", "SHA-1", "SHA384", ""] {
        b.invalid(
            &format!("algorithm {alg:?} is not allowed"),
            &["REQ-HOTP-002"],
            &["InvalidParameter"],
            hotp_input(&seed("SHA1"), alg, 6, 0),
            "invalid_parameter",
        );
    }
    for digits in [0u64, 5, 9, 10] {
        b.invalid(
            &format!("{digits} digits"),
            &["REQ-HOTP-004"],
            &["InvalidParameter"],
            hotp_input(&seed("SHA1"), "SHA1", digits, 0),
            "invalid_parameter",
        );
    }
    b.invalid(
        "a 9-byte secret is too short",
        &["REQ-SECRET-001"],
        &["InvalidParameter"],
        hotp_input(&[1; 9], "SHA1", 6, 0),
        "invalid_secret",
    );
    b.invalid(
        "a 129-byte secret is too long",
        &["REQ-SECRET-001"],
        &["InvalidParameter"],
        hotp_input(&[1; 129], "SHA1", 6, 0),
        "invalid_secret",
    );
    b.finish()
}

fn totp_input(key: &[u8], alg: &str, digits: u64, period: u64, t0: u64, time: u64) -> Value {
    json!({ "secret": HEXLOWER.encode(key), "algorithm": alg, "digits": digits, "period": period, "t0": t0, "time": time })
}

pub(crate) fn totp() -> VectorFile {
    let mut b = Builder::new("totp", "totp.generate", &[
        "TOTP generation and verification (spec/otp.md sections 3 and 4).",
        "RFC 6238 Appendix B values are copied verbatim from the RFC; every other expected code is computed by an independent HMAC in the generator.",
    ]);
    b.note(
        "RFC6238",
        "Known answer",
        "RFC 6238 Appendix B test values, verbatim, with their seeds (20, 32, 64 bytes).",
        &["RFC 6238 Appendix B"],
    );
    b.note("StepBoundary", "Off by one", "Times at and just before a step boundary: an off-by-one step or a rounding division gives the neighbour's code.", &["REQ-TOTP-001"]);
    b.note("Time64", "Integer overflow", "Times at 2^31 (2038), 2^32 (2106), 2^63 and 2^64-1: 32-bit or signed time truncates or wraps.", &["REQ-TOTP-003"]);
    b.note(
        "BeforeT0",
        "Input validation",
        "A time before T0 must be refused, not wrapped to a huge step.",
        &["REQ-TOTP-002"],
    );
    b.note(
        "T0",
        "Edge case",
        "A non-zero T0 shifts the steps.",
        &["REQ-TOTP-001"],
    );
    b.note(
        "Window",
        "Verification",
        "Verification windows: edges, steps below 0, the matched step reported.",
        &["REQ-VERIFY-001", "REQ-VERIFY-004"],
    );
    b.note(
        "CandidateShape",
        "Input validation",
        "A candidate of the wrong length or with non-digits matches nothing.",
        &["REQ-VERIFY-002"],
    );

    b.group("RFC 6238 Appendix B: 8 digits, X = 30, T0 = 0", None);
    let table: [(u64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1111111109, ["07081804", "68084774", "25091201"]),
        (1111111111, ["14050471", "67062674", "99943326"]),
        (1234567890, ["89005924", "91819424", "93441116"]),
        (2000000000, ["69279037", "90698825", "38618901"]),
        (20000000000, ["65353130", "77737706", "47863826"]),
    ];
    for (time, codes) in table {
        for (alg, code) in ["SHA1", "SHA256", "SHA512"].iter().zip(codes) {
            b.valid(
                &format!("RFC 6238 Appendix B, {alg}, T = {time}"),
                &[
                    "REQ-TOTP-001",
                    "REQ-TOTP-003",
                    "REQ-HOTP-001",
                    "REQ-HOTP-003",
                ],
                &["RFC6238"],
                totp_input(&seed(alg), alg, 8, 30, 0, time),
                json!({ "code": code }),
            );
        }
    }

    let code = |alg: &str, period: u64, t0: u64, time: u64, digits: u32| {
        oracle(alg, &seed(alg), (time - t0) / period, digits)
    };
    b.group("Step boundaries, periods and T0", None);
    for (period, time) in [
        (30u64, 0u64),
        (30, 29),
        (30, 30),
        (30, 59),
        (30, 60),
        (1, 0),
        (1, 1),
        (1, 12345),
        (60, 59),
        (60, 60),
        (86400, 86399),
        (86400, 86400),
    ] {
        b.valid(
            &format!("period {period}, time {time}"),
            &["REQ-TOTP-001"],
            &["StepBoundary"],
            totp_input(&seed("SHA1"), "SHA1", 6, period, 0, time),
            json!({ "code": code("SHA1", period, 0, time, 6) }),
        );
    }
    for (t0, time) in [(1000u64, 1000u64), (1000, 1029), (1000, 1030), (1000, 1059)] {
        b.valid(
            &format!("T0 {t0}, time {time}"),
            &["REQ-TOTP-001"],
            &["T0"],
            totp_input(&seed("SHA1"), "SHA1", 8, 30, t0, time),
            json!({ "code": code("SHA1", 30, t0, time, 8) }),
        );
    }
    b.invalid(
        "time one second before T0",
        &["REQ-TOTP-002"],
        &["BeforeT0"],
        totp_input(&seed("SHA1"), "SHA1", 6, 30, 1000, 999),
        "invalid_parameter",
    );
    b.invalid(
        "time 0 with T0 at 2^63",
        &["REQ-TOTP-002"],
        &["BeforeT0"],
        totp_input(&seed("SHA1"), "SHA1", 6, 30, 1 << 63, 0),
        "invalid_parameter",
    );
    b.invalid(
        "period 0",
        &["REQ-TOTP-001"],
        &[],
        totp_input(&seed("SHA1"), "SHA1", 6, 0, 0, 59),
        "invalid_parameter",
    );

    b.group("Times past 2038, 2106 and up to 2^64 - 1", None);
    for alg in ["SHA1", "SHA256", "SHA512"] {
        for time in [
            (1u64 << 31) - 1,
            1 << 31,
            (1 << 32) - 1,
            1 << 32,
            1 << 63,
            u64::MAX,
        ] {
            b.valid(
                &format!("{alg}, time {time}"),
                &["REQ-TOTP-003"],
                &["Time64"],
                totp_input(&seed(alg), alg, 7, 30, 0, time),
                json!({ "code": code(alg, 30, 0, time, 7) }),
            );
        }
    }
    b.valid(
        "period 1 at 2^64 - 1: step 2^64 - 1",
        &["REQ-TOTP-003", "REQ-HOTP-005"],
        &["Time64"],
        totp_input(&seed("SHA1"), "SHA1", 6, 1, 0, u64::MAX),
        json!({ "code": code("SHA1", 1, 0, u64::MAX, 6) }),
    );

    b.group("Verification windows", Some("totp.verify"));
    let verify = |time: u64, window: u64, candidate: String| {
        let mut v = totp_input(&seed("SHA1"), "SHA1", 8, 30, 0, time);
        v["window"] = window.into();
        v["candidate"] = candidate.into();
        v
    };
    let step_code = |step: u64| oracle("SHA1", &seed("SHA1"), step, 8);
    b.valid(
        "window 0, the current step",
        &["REQ-VERIFY-001", "REQ-VERIFY-004"],
        &["Window"],
        verify(59, 0, step_code(1)),
        json!({ "step": 1 }),
    );
    b.valid(
        "window 0, the previous step is refused",
        &["REQ-VERIFY-001"],
        &["Window"],
        verify(60, 0, step_code(1)),
        json!({ "step": null }),
    );
    b.valid(
        "window 1, the previous step",
        &["REQ-VERIFY-001", "REQ-VERIFY-004"],
        &["Window"],
        verify(60, 1, step_code(1)),
        json!({ "step": 1 }),
    );
    b.valid(
        "window 1, the next step",
        &["REQ-VERIFY-001", "REQ-VERIFY-004"],
        &["Window"],
        verify(0, 1, step_code(1)),
        json!({ "step": 1 }),
    );
    b.valid(
        "window 1, two steps back is outside",
        &["REQ-VERIFY-001"],
        &["Window"],
        verify(90, 1, step_code(1)),
        json!({ "step": null }),
    );
    b.valid(
        "window 10, ten steps back",
        &["REQ-VERIFY-001"],
        &["Window"],
        verify(11 * 30, 10, step_code(1)),
        json!({ "step": 1 }),
    );
    b.valid(
        "at step 0 the window does not wrap to 2^64 - 1",
        &["REQ-VERIFY-001"],
        &["Window"],
        verify(0, 1, step_code(u64::MAX)),
        json!({ "step": null }),
    );
    b.invalid(
        "a window of 11 is too wide",
        &["REQ-VERIFY-001"],
        &["Window"],
        verify(59, 11, step_code(1)),
        "invalid_parameter",
    );
    for candidate in [
        step_code(1)[1..].to_string(),
        format!("{}0", step_code(1)),
        format!("{}a", &step_code(1)[..7]),
        format!("+{}", &step_code(1)[1..]),
        String::new(),
    ] {
        b.valid(
            &format!("candidate {candidate:?} matches nothing"),
            &["REQ-VERIFY-002"],
            &["CandidateShape"],
            verify(59, 1, candidate),
            json!({ "step": null }),
        );
    }
    b.invalid(
        "verification before T0",
        &["REQ-TOTP-002"],
        &["BeforeT0"],
        {
            let mut v = verify(59, 1, step_code(1));
            v["t0"] = 100.into();
            v
        },
        "invalid_parameter",
    );
    timing(&mut b);
    b.finish()
}

/// Verification time: the verifier's own measurements of two candidates, in an interleaved
/// order fixed here, judged by the runner (REQ-VERIFY-003).
fn timing(b: &mut Builder) {
    b.note(
        "TimingLeak",
        "Timing side channel",
        "The verifier stops at the first matching step, or otherwise does work that depends on the candidate, so the time of a verification tells an attacker whether, and at which step, a guess matched. The implementation times each verification itself, in the case's order; the runner compares the two candidates with Welch's t-test and fails a difference that is both certain (|t| above 10) and above 10% of the slower candidate's time. Smaller leaks, such as a comparison that stops at the first differing digit, are beyond a black-box measurement: use a timing-leak tool on the implementation itself.",
        &["REQ-VERIFY-003", "https://eprint.iacr.org/2016/1123"],
    );
    b.group(
        "Verification time does not depend on the candidate",
        Some("totp.verify_timing"),
    );
    let key = seed("SHA1");
    let (step, window) = (1_000_000u64, 10u64);
    let codes: Vec<String> = (step - window..=step + window)
        .map(|s| oracle("SHA1", &key, s, 6))
        .collect();
    let distinct: std::collections::BTreeSet<&String> = codes.iter().collect();
    assert_eq!(
        distinct.len(),
        codes.len(),
        "the window's codes must differ"
    );
    let current = oracle("SHA1", &key, step, 6);
    let last = oracle("SHA1", &key, step + window, 6);
    let nothing = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !codes.contains(c))
        .expect("a code outside the window");
    let mut rng = Rng::new(0xABF0_71AE);
    let mut order = |n: usize| {
        let mut classes: Vec<u8> = (0..n).map(|i| b'0' + (i % 2) as u8).collect();
        for i in (1..n).rev() {
            classes.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        String::from_utf8(classes).expect("ASCII")
    };
    for (comment, candidates) in [
        (
            "a candidate of the current step and one matching no step of a window of 10",
            [current.clone(), nothing],
        ),
        (
            "a candidate of the current step and one of the last step checked (10 after)",
            [current, last],
        ),
    ] {
        let mut input = totp_input(&key, "SHA1", 6, 30, 0, step * 30 + 7);
        input["window"] = window.into();
        input["candidates"] = json!(candidates);
        input["order"] = order(1000).into();
        b.valid(
            comment,
            &["REQ-VERIFY-003"],
            &["TimingLeak"],
            input,
            json!({}),
        );
        b.checked_by("timing_independent");
    }
}

pub(crate) fn secret() -> VectorFile {
    let mut b = Builder::new("secret", "secret.decode", &[
        "Base32 secrets as people type them (spec/otp.md section 1).",
        "Every valid case encodes known random bytes (a fixed seed) and expects exactly those bytes back.",
    ]);
    b.note("Typed", "Usability", "Lower case, spaces and optional padding are how people copy secrets; refusing them locks users out.", &["REQ-SECRET-002", "REQ-SECRET-004"]);
    b.note(
        "Alphabet",
        "Input validation",
        "Characters outside A-Z, 2-7 (and =) must be refused, not skipped or mapped.",
        &["REQ-SECRET-002"],
    );
    b.note(
        "Padding",
        "Input validation",
        "Padding must be complete and at the end when present.",
        &["REQ-SECRET-004"],
    );
    b.note(
        "TrailingBits",
        "Input validation",
        "Non-zero unused bits mean a truncated or mistyped secret.",
        &["REQ-SECRET-005"],
    );
    b.note(
        "Length",
        "Input validation",
        "Secrets must be 10 to 128 bytes; impossible base32 lengths must be refused.",
        &["REQ-SECRET-001", "REQ-SECRET-004"],
    );

    let mut rng = Rng::new(0xABF0_0002);
    let hex = |bytes: &[u8]| json!({ "secret": HEXLOWER.encode(bytes) });
    b.group(
        "Every length from 10 to 128 bytes, padded and unpadded",
        None,
    );
    for len in [
        10usize, 11, 12, 13, 14, 15, 16, 20, 32, 64, 65, 100, 127, 128,
    ] {
        let bytes = rng.bytes(len);
        let padded = BASE32.encode(&bytes);
        b.valid(
            &format!("{len} bytes, padded"),
            &["REQ-SECRET-001", "REQ-SECRET-004"],
            &["Length"],
            json!({ "text": padded }),
            hex(&bytes),
        );
        b.valid(
            &format!("{len} bytes, unpadded"),
            &["REQ-SECRET-001", "REQ-SECRET-004"],
            &["Length"],
            json!({ "text": padded.trim_end_matches('=') }),
            hex(&bytes),
        );
    }
    b.group("As people type them", None);
    let bytes = rng.bytes(20);
    let text = BASE32.encode(&bytes);
    let spaced: String = text
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    for (comment, typed) in [
        ("lower case", text.to_lowercase()),
        ("groups of four separated by spaces", spaced.clone()),
        ("lower case with spaces", spaced.to_lowercase()),
        ("leading and trailing spaces", format!("  {text}  ")),
        (
            "mixed case",
            text.chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect(),
        ),
    ] {
        b.valid(
            comment,
            &["REQ-SECRET-002"],
            &["Typed"],
            json!({ "text": typed }),
            hex(&bytes),
        );
    }
    b.group("Refused", None);
    let s16 = BASE32.encode(&rng.bytes(10));
    let s11 = BASE32.encode(&rng.bytes(11)); // 18 symbols + 6 '='
    let cases: Vec<(&str, String, &[&str], &[&str])> = vec![
        ("empty", String::new(), &["REQ-SECRET-003"], &["Length"]),
        (
            "only spaces",
            "    ".into(),
            &["REQ-SECRET-003"],
            &["Length"],
        ),
        (
            "contains 1",
            format!("{}1", &s16[..15]),
            &["REQ-SECRET-002", "REQ-SECRET-010"],
            &["Alphabet"],
        ),
        (
            "contains 0",
            format!("{}0", &s16[..15]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains 8",
            format!("{}8", &s16[..15]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a hyphen",
            format!("{}-{}", &s16[..8], &s16[8..]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a tab",
            format!("{}\t{}", &s16[..8], &s16[8..]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a non-ASCII letter",
            format!("{}Ä", &s16),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "padding one short",
            s11.replacen('=', "", 1),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "padding one too many",
            format!("{s11}="),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "padding in the middle",
            format!("{}={}", &s16[..8], &s16[8..]),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "a whole block of padding",
            format!("{s16}========"),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "17 symbols: no whole bytes",
            format!("{s16}A"),
            &["REQ-SECRET-004"],
            &["Length"],
        ),
        (
            "19 symbols: no whole bytes",
            format!("{s16}AAA"),
            &["REQ-SECRET-004"],
            &["Length"],
        ),
        (
            "non-zero unused bits",
            format!("{s16}AB"),
            &["REQ-SECRET-005"],
            &["TrailingBits"],
        ),
        (
            "9 bytes",
            BASE32.encode(&rng.bytes(9)),
            &["REQ-SECRET-001"],
            &["Length"],
        ),
        (
            "129 bytes",
            BASE32.encode(&rng.bytes(129)),
            &["REQ-SECRET-001"],
            &["Length"],
        ),
    ];
    for (comment, text, reqs, flags) in cases {
        b.invalid(
            comment,
            reqs,
            flags,
            json!({ "text": text }),
            "invalid_secret",
        );
    }
    b.finish()
}
