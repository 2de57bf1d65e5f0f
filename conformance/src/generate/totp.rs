//! The `totp` section: TOTP generation (spec/otp.md section 3); verification is in
//! [`super::verify`]. RFC 6238 values verbatim; every other code from the independent
//! [`oracle`].

use serde_json::json;

use super::otp::{oracle, seed, shared_policies, totp_input, with_leading_zeros, ALGORITHMS};
use super::Builder;
use crate::model::VectorFile;

pub(crate) fn totp() -> VectorFile {
    let mut b = Builder::new("totp", "totp.generate", &[
        "TOTP generation and verification (spec/otp.md sections 3 and 4).",
        "RFC 6238 Appendix B values are copied verbatim from the RFC; every other expected code is computed by an independent HMAC in the generator.",
        "Every case is level rfc unless a policy flag says otherwise; secrets are the RFC seeds (20, 32, 64 bytes) except in SecretLength cases.",
    ]);
    notes(&mut b);
    rfc_6238(&mut b);
    boundaries(&mut b);
    times(&mut b);
    leading_zeros(&mut b);
    refused(&mut b);
    super::verify::verification(&mut b);
    super::verify::timing(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    shared_policies(b);
    b.note(
        "RFC6238",
        "Known answer",
        "RFC 6238 Appendix B test values, verbatim, with their seeds (20, 32, 64 bytes).",
        &["RFC 6238 Appendix B"],
    );
    b.note("StepBoundary", "Off by one", "Times at and just before a step boundary: an off-by-one step or a rounding division gives the neighbour's code.", &["REQ-TOTP-001"]);
    b.note("Time64", "Integer overflow", "Times at 2^31 (2038) and 2^32 (2106): 32-bit or signed 32-bit time truncates or wraps. RFC 6238 section 4.2 requires times beyond 2038.", &["REQ-TOTP-003", "RFC 6238 section 4.2"]);
    b.policy("TimeRange", "Format policy: 64-bit times", "Times from 2^53 up to 2^64 - 1: this format reads times as unsigned 64-bit integers (REQ-TOTP-003); RFC 6238 only requires more than 32 bits, so a library with float or signed 64-bit time follows the RFC and fails only these cases. Floating-point steps above 2^53 round, and a loop over them may never end.", &["REQ-TOTP-003"]);
    b.policy("BeforeT0", "Format policy: input validation", "A time before T0 is refused with invalid_parameter, not wrapped to a huge step (REQ-TOTP-002); the RFCs leave it undefined.", &["REQ-TOTP-002"]);
    b.policy(
        "ZeroPeriod",
        "Format policy: input validation",
        "A period of 0 is refused with invalid_parameter (REQ-TOTP-001).",
        &["REQ-TOTP-001"],
    );
    b.note(
        "T0",
        "Edge case",
        "A non-zero T0 shifts the steps.",
        &["REQ-TOTP-001"],
    );
    b.note("LeadingZero", "Formatting", "Codes whose truncated value has fewer digits than asked: returning an integer or not left-padding loses the zeros; a verifier comparing unpadded text never matches them.", &["REQ-HOTP-004", "REQ-VERIFY-002"]);
}

fn rfc_6238(b: &mut Builder) {
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
        for (alg, code) in ALGORITHMS.iter().zip(codes) {
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
}

fn code(alg: &str, period: u64, t0: u64, time: u64, digits: u32) -> serde_json::Value {
    json!({ "code": oracle(alg, &seed(alg), (time - t0) / period, digits) })
}

fn boundaries(b: &mut Builder) {
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
            if period == 30 {
                &["StepBoundary"]
            } else {
                &["StepBoundary", "MayRefuse"]
            },
            totp_input(&seed("SHA1"), "SHA1", 6, period, 0, time),
            code("SHA1", period, 0, time, 6),
        );
    }
    for (t0, time) in [(1000u64, 1000u64), (1000, 1029), (1000, 1030), (1000, 1059)] {
        b.valid(
            &format!("T0 {t0}, time {time}"),
            &["REQ-TOTP-001"],
            &["T0", "StepBoundary"],
            totp_input(&seed("SHA1"), "SHA1", 8, 30, t0, time),
            code("SHA1", 30, t0, time, 8),
        );
    }
}

/// Times past 2038 and 2106 (RFC), and from 2^53 to 2^64 - 1 (this format's range).
fn times(b: &mut Builder) {
    b.group("Times past 2038 and 2106, and up to 2^64 - 1", None);
    let rfc = [(1u64 << 31) - 1, 1 << 31, (1 << 32) - 1, 1 << 32];
    let wide = [(1u64 << 53) + 1, 1 << 63, u64::MAX];
    for alg in ALGORITHMS {
        for (time, flag) in rfc
            .map(|t| (t, "Time64"))
            .into_iter()
            .chain(wide.map(|t| (t, "TimeRange")))
        {
            b.valid(
                &format!("{alg}, time {time}"),
                &["REQ-TOTP-003"],
                &[flag],
                totp_input(&seed(alg), alg, 7, 30, 0, time),
                code(alg, 30, 0, time, 7),
            );
        }
    }
    let per_second = [
        (1u64 << 31, "Time64"),
        (1 << 32, "Time64"),
        (1 << 53, "TimeRange"),
        ((1 << 53) + 1, "TimeRange"),
        (u64::MAX, "TimeRange"),
    ];
    for (time, flag) in per_second {
        b.valid(
            &format!("period 1 at time {time}: step {time}"),
            &["REQ-TOTP-003", "REQ-HOTP-005"],
            // A period of one second is this format's choice; the RFCs let a library refuse it.
            &[flag, "MayRefuse"],
            totp_input(&seed("SHA1"), "SHA1", 6, 1, 0, time),
            code("SHA1", 1, 0, time, 6),
        );
    }
}

fn leading_zeros(b: &mut Builder) {
    b.group(
        "Codes whose value has fewer digits than asked: left-padded with zeros",
        None,
    );
    for digits in [6u32, 7, 8] {
        let step = with_leading_zeros(digits, 1, 1_000_000);
        let time = step * 30 + 11;
        b.valid(
            &format!("time {time}: the {digits}-digit code keeps its leading zero"),
            &["REQ-HOTP-004", "REQ-TOTP-001"],
            &["LeadingZero"],
            totp_input(&seed("SHA1"), "SHA1", u64::from(digits), 30, 0, time),
            code("SHA1", 30, 0, time, digits),
        );
    }
}

fn refused(b: &mut Builder) {
    b.group(
        "Refused: times before T0, period 0, secrets out of bounds",
        None,
    );
    for (comment, t0, time) in [
        ("time one second before T0", 1000u64, 999u64),
        ("time 0 with T0 at 2^63", 1 << 63, 0),
    ] {
        b.invalid(
            comment,
            &["REQ-TOTP-002"],
            &["BeforeT0"],
            totp_input(&seed("SHA1"), "SHA1", 6, 30, t0, time),
            "invalid_parameter",
        );
    }
    b.invalid(
        "period 0",
        &["REQ-TOTP-001"],
        &["ZeroPeriod"],
        totp_input(&seed("SHA1"), "SHA1", 6, 0, 0, 59),
        "invalid_parameter",
    );
    for (comment, len) in [("an empty secret", 0usize), ("a 9-byte secret", 9)] {
        b.invalid(
            comment,
            &["REQ-SECRET-001"],
            &["SecretLength"],
            totp_input(&vec![7; len], "SHA1", 6, 30, 0, 59),
            "invalid_secret",
        );
    }
}
