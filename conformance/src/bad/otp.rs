//! Known-bad code generators and verifiers: the OTP bugs public libraries have (windows,
//! padding, integer comparison, floating-point counters, overflow at 2^64, the order of equal
//! codes, short secrets, unescaped URIs). Each validates its input with the reference and
//! then computes its answer the wrong way.

use data_encoding::HEXLOWER;
use serde_json::{json, Value};

use super::reference;
use crate::generate::otp::oracle;
use crate::implementation::Answer;

/// A `totp.verify` (or generate) input, read.
struct Verify {
    key: Vec<u8>,
    alg: String,
    digits: u32,
    current: u64,
    window: u64,
    candidate: String,
}

impl Verify {
    fn read(input: &Value) -> Option<Verify> {
        let uint = |name: &str| input.get(name).and_then(Value::as_u64);
        let (time, t0, period) = (uint("time")?, uint("t0")?, uint("period")?);
        Some(Verify {
            key: HEXLOWER.decode(input["secret"].as_str()?.as_bytes()).ok()?,
            alg: input["algorithm"].as_str()?.to_ascii_uppercase(),
            digits: u32::try_from(uint("digits")?).ok()?,
            current: time.checked_sub(t0)? / period.max(1),
            window: uint("window").unwrap_or(0),
            candidate: input["candidate"].as_str().unwrap_or_default().to_string(),
        })
    }

    fn code(&self, step: u64) -> String {
        oracle(&self.alg, &self.key, step, self.digits)
    }

    /// The window's steps in the order of REQ-VERIFY-004.
    fn steps(&self) -> Vec<u64> {
        let around = (1..=self.window)
            .flat_map(|d| [self.current.checked_sub(d), self.current.checked_add(d)]);
        std::iter::once(Some(self.current))
            .chain(around)
            .flatten()
            .collect()
    }

    /// The first step of `steps` whose code `matches` the candidate.
    fn first(&self, steps: &[u64], matches: impl Fn(&str, &str) -> bool) -> Answer {
        let step = steps
            .iter()
            .find(|&&s| matches(&self.code(s), &self.candidate));
        Answer::Ok(json!({ "step": step }))
    }
}

/// `totp.verify` through `buggy` once the reference has accepted the input; everything else
/// as the reference does it.
fn verify_with(op: &str, input: &Value, buggy: impl Fn(&Verify) -> Answer) -> Answer {
    match (op, reference(op, input), Verify::read(input)) {
        ("totp.verify", Answer::Ok(_), Some(v)) => buggy(&v),
        (_, answer, _) => answer,
    }
}

/// Window 0 taken as "no window given": the default window of 1 is used.
pub(super) fn window_zero_means_default(op: &str, input: &Value) -> Answer {
    match (op, input["window"].as_u64()) {
        ("totp.verify", Some(0)) => reference(op, &super::with(input, "window", 1.into())),
        _ => reference(op, input),
    }
}

/// Compares the candidate with the code written without its leading zeros.
pub(super) fn verify_unpadded(op: &str, input: &Value) -> Answer {
    verify_with(op, input, |v| {
        v.first(&v.steps(), |code, c| code.trim_start_matches('0') == c)
    })
}

/// Reads the candidate as an integer the lenient way (white space, a sign, underscores,
/// digits of any script) and compares numbers.
pub(super) fn candidate_as_integer(op: &str, input: &Value) -> Answer {
    fn lenient(text: &str) -> Option<u64> {
        let t = text.trim().trim_start_matches('+');
        let digits: Option<Vec<u32>> = t
            .chars()
            .filter(|&c| c != '_')
            .map(|c| match c {
                '０'..='９' => Some(c as u32 - '０' as u32),
                '٠'..='٩' => Some(c as u32 - '٠' as u32),
                _ => c.to_digit(10),
            })
            .collect();
        let digits = digits.filter(|d| !d.is_empty())?;
        Some(digits.iter().fold(0u64, |n, &d| {
            n.saturating_mul(10).saturating_add(u64::from(d))
        }))
    }
    verify_with(op, input, |v| {
        v.first(&v.steps(), |code, c| {
            lenient(c).is_some_and(|n| code.parse() == Ok(n))
        })
    })
}

/// Crashes on a candidate with non-ASCII characters (it slices bytes as characters).
pub(super) fn crashes_on_non_ascii(op: &str, input: &Value) -> Answer {
    match input["candidate"].as_str() {
        Some(c) if op == "totp.verify" && !c.is_ascii() => {
            Answer::Broken("the adapter exited without answering".into())
        }
        _ => reference(op, input),
    }
}

/// Keeps counters and steps in 64-bit floats: above 2^53 they round, and a loop over the
/// window's steps never ends.
pub(super) fn float_counters(op: &str, input: &Value) -> Answer {
    let rounded = |n: u64| (n as f64) as u64;
    match op {
        "hotp.generate" => match input["counter"].as_u64() {
            Some(c) => reference(op, &super::with(input, "counter", rounded(c).into())),
            None => reference(op, input),
        },
        "totp.generate" => match (reference(op, input), Verify::read(input)) {
            (Answer::Ok(_), Some(v)) => Answer::Ok(json!({ "code": v.code(rounded(v.current)) })),
            (answer, _) => answer,
        },
        _ => verify_with(op, input, |v| {
            let current = v.current as f64;
            if current >= 9_007_199_254_740_992.0 && v.window > 0 {
                return Answer::Broken("no response within 5000 ms".into());
            }
            let steps: Vec<u64> = std::iter::once(current)
                .chain((1..=v.window).flat_map(|d| [current - d as f64, current + d as f64]))
                .filter(|s| *s >= 0.0)
                .map(|s| s as u64)
                .collect();
            v.first(&steps, |code, c| code == c)
        }),
    }
}

/// Computes the window's last step as current + window, and refuses when that overflows.
pub(super) fn window_end_overflows(op: &str, input: &Value) -> Answer {
    verify_with(op, input, |v| match v.current.checked_add(v.window) {
        None => Answer::Error("invalid_parameter".into()),
        Some(_) => reference(op, input),
    })
}

/// Walks the window from its lowest step up and reports the first match.
pub(super) fn lowest_step_first(op: &str, input: &Value) -> Answer {
    verify_with(op, input, |v| {
        let mut steps = v.steps();
        steps.sort_unstable();
        v.first(&steps, |code, c| code == c)
    })
}

/// Verifies 8-digit codes whatever the digit count.
pub(super) fn verify_ignores_digits(op: &str, input: &Value) -> Answer {
    verify_with(op, input, |_| {
        let eight = Verify {
            digits: 8,
            ..Verify::read(input).expect("read above")
        };
        eight.first(&eight.steps(), |code, c| code == c)
    })
}

/// Takes any secret, an empty one included, when generating and verifying codes.
pub(super) fn accepts_short_secrets(op: &str, input: &Value) -> Answer {
    let short = input["secret"].as_str().is_some_and(|s| s.len() < 20);
    match (op, reference(op, input), Verify::read(input)) {
        ("hotp.generate", Answer::Error(_), _) if short => {
            let key = HEXLOWER.decode(input["secret"].as_str().unwrap_or("").as_bytes());
            let counter = input["counter"].as_u64().unwrap_or(0);
            let digits = input["digits"].as_u64().unwrap_or(6) as u32;
            let alg = input["algorithm"]
                .as_str()
                .unwrap_or("SHA1")
                .to_ascii_uppercase();
            Answer::Ok(json!({ "code": oracle(&alg, &key.unwrap_or_default(), counter, digits) }))
        }
        ("totp.generate", Answer::Error(_), Some(v)) if short => {
            Answer::Ok(json!({ "code": v.code(v.current) }))
        }
        ("totp.verify", Answer::Error(_), Some(v)) if short => {
            v.first(&v.steps(), |code, c| code == c)
        }
        (_, answer, _) => answer,
    }
}

/// Writes the label of a Key URI without percent-encoding it.
pub(super) fn emits_raw_label(op: &str, input: &Value) -> Answer {
    match reference(op, input) {
        Answer::Ok(v) if op == "uri.emit" => {
            let uri = v["uri"].as_str().unwrap_or_default();
            let (head, query) = uri.split_once('?').unwrap_or((uri, ""));
            let raw = head
                .replace("%20", " ")
                .replace("%C3%A9", "é")
                .replace("%40", "@");
            Answer::Ok(json!({ "uri": format!("{raw}?{query}") }))
        }
        other => other,
    }
}

/// Refuses a URI of exactly 4096 bytes (the limit taken as exclusive).
pub(super) fn uri_limit_off_by_one(op: &str, input: &Value) -> Answer {
    match input["uri"].as_str() {
        Some(uri) if op == "uri.parse" && uri.len() >= 4096 => Answer::Error("too_large".into()),
        _ => reference(op, input),
    }
}

/// Keeps a `%` that starts no valid escape as text, as lenient URL decoders do.
pub(super) fn lenient_percent_decoding(op: &str, input: &Value) -> Answer {
    let Some(uri) = input["uri"].as_str().filter(|_| op == "uri.parse") else {
        return reference(op, input);
    };
    let bytes = uri.as_bytes();
    let mut kept = String::with_capacity(uri.len());
    for (i, ch) in uri.char_indices() {
        let escape = bytes
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        match ch {
            '%' if !escape => kept.push_str("%25"),
            _ => kept.push(ch),
        }
    }
    reference(op, &json!({ "uri": kept }))
}

/// Decodes a base32 secret that is several padded encodings concatenated (`…AAAA====` then
/// more text) as their bytes one after another, as Rust's data-encoding does.
pub(super) fn padding_concatenated(op: &str, input: &Value) -> Answer {
    let text: String = input["text"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|&c| c != ' ')
        .collect::<String>()
        .to_ascii_uppercase();
    let inner_padding = text.trim_end_matches('=').contains('=');
    match data_encoding::BASE32.decode(text.as_bytes()) {
        Ok(bytes)
            if op == "secret.decode" && inner_padding && (10..=128).contains(&bytes.len()) =>
        {
            Answer::Ok(json!({ "secret": HEXLOWER.encode(&bytes) }))
        }
        _ => reference(op, input),
    }
}
