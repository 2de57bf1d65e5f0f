//! The verification groups of the `totp` section (spec/otp.md section 4): windows, digit
//! counts, candidate shapes, the ends of the 64-bit range, equal codes in one window, and the
//! verifier's timing.

use std::collections::BTreeSet;

use serde_json::json;

use super::otp::{oracle, seed, totp_input, with_leading_zeros, Verify};
use super::{Builder, Rng};

/// The step most verification cases stand at: far from 0, so windows do not reach below it.
const STEP: u64 = 1000;

/// Every verification group, after its notes.
pub(crate) fn verification(b: &mut Builder) {
    notes(b);
    windows(b);
    digits(b);
    shapes(b);
    range_ends(b);
    equal_codes(b);
    refused(b);
}

fn notes(b: &mut Builder) {
    b.note("Window", "Verification", "Verification windows: the steps at their edges are in, the next ones out, steps below 0 and above 2^64 - 1 do not wrap.", &["REQ-VERIFY-001", "REQ-VERIFY-004"]);
    b.note("WindowZero", "Verification", "A window of 0 accepts the current step only: a verifier that takes 0 as \"use the default window\" accepts neighbours.", &["REQ-VERIFY-001"]);
    b.policy("WindowLimit", "Format policy: window limit", "Windows wider than 10 steps are refused with invalid_parameter (REQ-VERIFY-001); the RFCs set no limit.", &["REQ-VERIFY-001"]);
    b.policy("StepOrder", "Format policy: reported step", "Two steps of the window share the candidate's code: the reported step is the first in the order current, one before, one after, two before, ... (REQ-VERIFY-004). A verifier that walks from the lowest step reports another one; the RFCs say nothing of it.", &["REQ-VERIFY-004"]);
    b.note("CandidateShape", "Input validation", "A candidate that is not a string of d decimal digits (a sign, a letter, an underscore, another length, nothing) matches nothing and is not an error: comparing as integers accepts signs, underscores and missing leading zeros; slicing bytes crashes on non-ASCII text.", &["REQ-VERIFY-002"]);
    b.policy("CandidateText", "Format policy: candidates", "A candidate with white space or digits of another script matches nothing (REQ-VERIFY-002). Libraries that trim spaces or apply Unicode normalisation (NFKC turns full-width digits into ASCII) accept what the user meant; the RFCs do not say how a candidate is read, but such a verifier must not crash.", &["REQ-VERIFY-002"]);
    b.note("Digits", "Verification", "Verification at 6, 7 and 8 digits: a verifier that compares codes of another length, or values before the reduction modulo 10^d, matches nothing.", &["REQ-VERIFY-001", "REQ-HOTP-004"]);
}

fn verify_reqs() -> &'static [&'static str] {
    &["REQ-VERIFY-001", "REQ-VERIFY-004"]
}

fn windows(b: &mut Builder) {
    b.group("Verification windows", Some("totp.verify"));
    let table: [(u64, i64, bool, &str); 13] = [
        (0, 0, true, "WindowZero"),
        (0, -1, false, "WindowZero"),
        (0, 1, false, "WindowZero"),
        (0, 50, false, "WindowZero"),
        (1, -1, true, "Window"),
        (1, 1, true, "Window"),
        (1, -2, false, "Window"),
        (1, 2, false, "Window"),
        (10, -10, true, "Window"),
        (10, 10, true, "Window"),
        (10, -11, false, "Window"),
        (10, 11, false, "Window"),
        (10, 0, true, "Window"),
    ];
    for (window, offset, matches, flag) in table {
        let v = Verify::at_step(STEP, window);
        let step = STEP.checked_add_signed(offset).expect("near STEP");
        b.valid(
            &format!(
                "window {window}, the code of step {offset:+}: {}",
                if matches { "matches" } else { "outside" }
            ),
            verify_reqs(),
            &[flag],
            v.input(&v.code(step)),
            json!({ "step": if matches { Some(step) } else { None } }),
        );
    }
    let v = Verify::at_step(0, 1);
    b.valid(
        "at step 0, window 1: the code of step 1 matches",
        verify_reqs(),
        &["Window"],
        v.input(&v.code(1)),
        json!({ "step": 1 }),
    );
    b.valid(
        "at step 0 the window does not wrap to 2^64 - 1",
        verify_reqs(),
        &["Window"],
        v.input(&v.code(u64::MAX)),
        json!({ "step": null }),
    );
}

fn digits(b: &mut Builder) {
    b.group(
        "Verification at 6, 7 and 8 digits, leading zeros included",
        Some("totp.verify"),
    );
    for d in [6u64, 7, 8] {
        let v = Verify {
            digits: d,
            ..Verify::at_step(STEP, 1)
        };
        b.valid(
            &format!("{d} digits, the code of the next step"),
            verify_reqs(),
            &["Digits"],
            v.input(&v.code(STEP + 1)),
            json!({ "step": STEP + 1 }),
        );
        let eight = oracle("SHA1", &seed("SHA1"), STEP, 8);
        if d != 8 {
            b.valid(
                &format!("{d} digits, the 8-digit code of the step matches nothing"),
                &["REQ-VERIFY-002"],
                &["Digits", "CandidateShape"],
                v.input(&eight),
                json!({ "step": null }),
            );
        }
        let step = with_leading_zeros(d as u32, 1, 1_000_000);
        let v = Verify {
            digits: d,
            ..Verify::at_step(step, 1)
        };
        let code = v.code(step);
        b.valid(
            &format!("{d} digits, the code {code} with its leading zero"),
            verify_reqs(),
            &["Digits", "LeadingZero"],
            v.input(&code),
            json!({ "step": step }),
        );
        b.valid(
            &format!("{d} digits, {code} without its leading zero matches nothing"),
            &["REQ-VERIFY-002"],
            &["LeadingZero", "CandidateShape"],
            v.input(&code[1..]),
            json!({ "step": null }),
        );
    }
}

fn shapes(b: &mut Builder) {
    b.group("Candidate shapes: only exactly d ASCII digits can match (RFC 6238's 07081804 at T = 1111111109)", Some("totp.verify"));
    let v = Verify {
        time: 1_111_111_109,
        ..Verify::at_step(0, 1)
    };
    let step = 1_111_111_109 / 30;
    assert_eq!(v.code(step), "07081804", "RFC 6238 Appendix B");
    b.valid(
        "the code itself",
        verify_reqs(),
        &["CandidateShape"],
        v.input("07081804"),
        json!({ "step": step }),
    );
    let shapes: [(&str, &str, &str); 20] = [
        (
            "7081804",
            "7 digits: the leading zero left out",
            "CandidateShape",
        ),
        (
            "007081804",
            "9 digits: an extra leading zero",
            "CandidateShape",
        ),
        ("+7081804", "a plus sign", "CandidateShape"),
        ("-7081804", "a minus sign", "CandidateShape"),
        ("7081804a", "a trailing letter", "CandidateShape"),
        ("070818O4", "the letter O for a zero", "CandidateShape"),
        ("7_081804", "an underscore between digits", "CandidateShape"),
        ("7081804é", "a non-ASCII letter", "CandidateShape"),
        ("070818\u{0}4", "a NUL character", "CandidateShape"),
        ("", "empty", "CandidateShape"),
        ("0.7081804e7", "a number in exponent form", "CandidateShape"),
        (" 7081804", "a leading space", "CandidateText"),
        ("7081804 ", "a trailing space", "CandidateText"),
        (" 07081804", "the code after a space", "CandidateText"),
        ("07081804\n", "the code and a line break", "CandidateText"),
        ("\t7081804", "a tab", "CandidateText"),
        ("0708 1804", "a space in the middle", "CandidateText"),
        ("０７０８１８０４", "full-width digits", "CandidateText"),
        (
            "0708180４",
            "a full-width digit at the end",
            "CandidateText",
        ),
        ("٠٧٠٨١٨٠٤", "Arabic-Indic digits", "CandidateText"),
    ];
    for (candidate, comment, flag) in shapes {
        b.valid(
            &format!("{comment}: {candidate:?} matches nothing"),
            &["REQ-VERIFY-002"],
            &[flag],
            v.input(candidate),
            json!({ "step": null }),
        );
    }
}

/// Near 2^53 (where floating-point steps round) and 2^64 (where step + window overflows).
fn range_ends(b: &mut Builder) {
    b.group(
        "Windows near 2^53 and 2^64 - 1 (period 1)",
        Some("totp.verify"),
    );
    let near = |time: u64, window: u64| Verify {
        digits: 8,
        period: 1,
        time,
        window,
    };
    let top = u64::MAX;
    let table: [(u64, u64, u64, Option<u64>, &str); 8] = [
        (
            (1 << 53) + 1,
            1,
            (1 << 53) + 1,
            Some((1 << 53) + 1),
            "the current step 2^53 + 1",
        ),
        (
            (1 << 53) + 1,
            1,
            (1 << 53) + 2,
            Some((1 << 53) + 2),
            "the next step 2^53 + 2",
        ),
        (
            (1 << 53) - 1,
            2,
            (1 << 53) + 1,
            Some((1 << 53) + 1),
            "two steps ahead, across 2^53",
        ),
        (top, 1, top - 1, Some(top - 1), "the step before 2^64 - 1"),
        (top, 1, top, Some(top), "the last step, 2^64 - 1"),
        (top, 1, 0, None, "step 0 is not after 2^64 - 1"),
        (
            top - 3,
            10,
            top,
            Some(top),
            "a window of 10 that would end past 2^64 - 1",
        ),
        (
            top - 3,
            10,
            top - 13,
            Some(top - 13),
            "a window of 10 that would end past 2^64 - 1, its first step",
        ),
    ];
    for (time, window, step, expect, comment) in table {
        let v = near(time, window);
        b.valid(
            &format!("time {time}, window {window}: {comment}"),
            verify_reqs(),
            &["Window", "TimeRange"],
            v.input(&v.code(step)),
            json!({ "step": expect }),
        );
    }
}

/// Steps of one window that share a code (found by search, checked here with the oracle).
fn equal_codes(b: &mut Builder) {
    b.group(
        "Two steps of the window with the same 6-digit code: which step is reported",
        Some("totp.verify"),
    );
    let table: [(u64, u64, u64, u64, u64); 4] = [
        (1_096_428, 1_096_430, 1_096_430, 2, 1_096_430),
        (1_096_428, 1_096_430, 1_096_428, 2, 1_096_428),
        (1_096_428, 1_096_430, 1_096_429, 1, 1_096_428),
        (1_119_194, 1_119_200, 1_119_199, 5, 1_119_200),
    ];
    for (low, high, current, window, reported) in table {
        let v = Verify {
            digits: 6,
            ..Verify::at_step(current, window)
        };
        assert_eq!(
            v.code(low),
            v.code(high),
            "steps {low} and {high} share a code"
        );
        b.valid(
            &format!("steps {low} and {high} share a code; at step {current}, window {window}, step {reported} comes first"),
            verify_reqs(),
            &["StepOrder"],
            v.input(&v.code(low)),
            json!({ "step": reported }),
        );
    }
}

fn refused(b: &mut Builder) {
    b.group("Verification refused", Some("totp.verify"));
    let v = Verify::at_step(STEP, 11);
    b.invalid(
        "a window of 11 is too wide",
        &["REQ-VERIFY-001"],
        &["WindowLimit"],
        v.input(&v.code(STEP)),
        "invalid_parameter",
    );
    let mut before = Verify {
        time: 59,
        ..Verify::at_step(1, 1)
    }
    .input(&oracle("SHA1", &seed("SHA1"), 1, 8));
    before["t0"] = 100.into();
    b.invalid(
        "verification before T0",
        &["REQ-TOTP-002"],
        &["BeforeT0", "T0"],
        before,
        "invalid_parameter",
    );
    for (comment, len) in [("an empty secret", 0usize), ("a 9-byte secret", 9)] {
        let mut input = Verify::at_step(STEP, 1).input("12345678");
        input["secret"] = data_encoding::HEXLOWER.encode(&vec![3u8; len]).into();
        b.invalid(
            comment,
            &["REQ-SECRET-001"],
            &["SecretLength"],
            input,
            "invalid_secret",
        );
    }
}

/// Verification time: the verifier's own measurements of two candidates, in an interleaved
/// order fixed here, judged by the runner (REQ-VERIFY-003).
pub(crate) fn timing(b: &mut Builder) {
    b.policy(
        "TimingLeak",
        "Timing side channel",
        "The verifier stops at the first matching step, or otherwise does work that depends on the candidate, so the time of a verification tells an attacker whether, and at which step, a guess matched. The implementation times each verification itself, in the case's order; the runner leaves out the first third (warm-up), compares the two candidates with Welch's t-test and fails a difference that is both certain (|t| above 10) and above 10% of the slower candidate's time. Smaller leaks, such as a comparison that stops at the first differing digit, are beyond a black-box measurement: use a timing-leak tool on the implementation itself.",
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
    assert_eq!(
        codes.iter().collect::<BTreeSet<_>>().len(),
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
        input["order"] = shuffled_classes(&mut rng, 1500).into();
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

/// `n` class labels, half `0` and half `1`, in a random order fixed by `rng`.
fn shuffled_classes(rng: &mut Rng, n: usize) -> String {
    let mut classes: Vec<u8> = (0..n).map(|i| b'0' + (i % 2) as u8).collect();
    for i in (1..n).rev() {
        classes.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    String::from_utf8(classes).expect("ASCII")
}
