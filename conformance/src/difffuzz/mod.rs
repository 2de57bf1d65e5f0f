//! `authbackup-conformance fuzz`: differential fuzzing for implementers. Structured inputs
//! are drawn with `arbitrary` from a seeded generator, sent to the implementation (through
//! the adapter protocol) and to the reference, and every disagreement is shrunk and printed
//! as a vector ready to add. Runs on stable Rust; no libFuzzer.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use arbitrary::{Result as AResult, Unstructured};
use data_encoding::{BASE32, HEXLOWER};
use serde_json::{json, Value};

use crate::generate::Rng;
use crate::glob;
use crate::implementation::{Answer, Implementation};
use crate::model::Case;
use crate::reference::Reference;
use crate::runner::ExpectedFailures;

mod container;

/// The profiles the fuzzer draws inputs for.
pub const PROFILES: [&str; 8] = [
    "hotp",
    "totp",
    "secret",
    "uri",
    "payload",
    "container",
    "restore",
    "lifecycle",
];

/// What to fuzz, and for how long.
#[derive(Clone, Debug, Default)]
pub struct FuzzConfig {
    /// The seed of the input generator: the same seed gives the same inputs.
    pub seed: u64,
    /// How long to run at most.
    pub time: Duration,
    /// Profiles to fuzz; empty means all.
    pub profiles: Vec<String>,
    /// Stop after this many distinct disagreements.
    pub max_findings: usize,
    /// Globs on operations, features (`t0`, ...) and policy tags (`SecretLength`, ...): inputs
    /// that match one are not drawn into the run.
    pub skip: Vec<String>,
    /// Known disagreements: a glob on the finding's kind (`operation/expected/got`, for
    /// example `totp.verify/ok/error:*`) or on one of its tags, to the reason.
    pub expected: ExpectedFailures,
}

/// One disagreement, shrunk.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The operation.
    pub operation: String,
    /// The input, shrunk.
    pub input: Value,
    /// The reference's answer.
    pub expected: Answer,
    /// The implementation's answer.
    pub got: Answer,
    /// The optional features and policy tags of the input ([`tags`]).
    pub tags: Vec<String>,
    /// How many drawn inputs disagreed the same way (same kind, same tags).
    pub repeats: u64,
}

fn answer_kind(a: &Answer) -> String {
    match a {
        Answer::Ok(_) => "ok".into(),
        Answer::Error(code) => format!("error:{code}"),
        Answer::Unsupported => "unsupported".into(),
        Answer::Broken(_) => "broken".into(),
    }
}

impl Finding {
    /// What kind of disagreement it is: `operation/expected/got`, answers as `ok`,
    /// `error:CODE` or `broken`.
    pub fn kind(&self) -> String {
        format!(
            "{}/{}/{}",
            self.operation,
            answer_kind(&self.expected),
            answer_kind(&self.got)
        )
    }

    /// The finding as a vector case, ready to add as `tc_id` to a group of its operation in
    /// its section's file, with the requirements the vectors give the same operation and
    /// expectation.
    pub fn as_vector(&self, seed: u64, tc_id: u64, requirements: &[String]) -> Value {
        let policy: Vec<&String> = self
            .tags
            .iter()
            .filter(|t| POLICY_TAGS.contains(&t.as_str()))
            .collect();
        let mut case = json!({
            "tcId": tc_id,
            "comment": format!("found by `authbackup-conformance fuzz --seed {seed}` ({})", self.kind()),
            "requirements": requirements,
            "flags": policy,
            "level": if policy.is_empty() { "rfc" } else { "policy" },
            "features": crate::model::features(&self.operation, &self.input),
            "input": self.input,
        });
        match &self.expected {
            Answer::Ok(v) => {
                case["result"] = "valid".into();
                case["output"] = v.clone();
                // What a writer wrote is judged by opening it, as the vectors' writing
                // cases are (spec/adapter-protocol.md).
                let written = match self.operation.as_str() {
                    "container.seal" => {
                        Some(("sealed", json!({ "payload": self.input["payload"] })))
                    }
                    "container.add_recipient" => Some(("recipient_added", json!({}))),
                    "container.remove_recipient" => Some(("recipient_removed", json!({}))),
                    _ => None,
                };
                if let Some((check, output)) = written {
                    case["check"] = check.into();
                    case["output"] = output;
                }
            }
            Answer::Error(code) => {
                case["result"] = "invalid".into();
                case["error"] = code.clone().into();
            }
            _ => {}
        }
        case
    }
}

/// The findings as vector cases: each numbered after the last case of its section in
/// `cases`, with the requirements of the cases of the same operation and expectation.
pub fn vectors(findings: &[Finding], seed: u64, cases: &[Case]) -> Vec<Value> {
    let mut next: BTreeMap<&str, u64> = BTreeMap::new();
    for c in cases {
        let n = next.entry(&c.section).or_insert(1);
        *n = (*n).max(c.case.tc_id + 1);
    }
    findings
        .iter()
        .map(|f| {
            let same_op = || cases.iter().filter(|c| c.operation == f.operation);
            let alike = |c: &&Case| match &f.expected {
                Answer::Error(code) => c.case.error.as_ref() == Some(code),
                _ => c.case.error.is_none(),
            };
            let mut reqs: BTreeSet<&String> = same_op()
                .filter(alike)
                .flat_map(|c| &c.case.requirements)
                .collect();
            if reqs.is_empty() {
                reqs = same_op().flat_map(|c| &c.case.requirements).collect();
            }
            let section = same_op().next().map_or("", |c| c.section.as_str());
            let id = next.entry(section).or_insert(1);
            *id += 1;
            let reqs: Vec<String> = reqs.into_iter().cloned().collect();
            f.as_vector(seed, *id - 1, &reqs)
        })
        .collect()
}

/// The policy tags [`tags`] can give an input: rules of this format that the RFCs do not
/// make, named as the vectors' policy flags.
pub const POLICY_TAGS: [&str; 7] = [
    "SecretLength",
    "TimeRange",
    "BeforeT0",
    "WindowLimit",
    "AlgorithmName",
    "DigitsRange",
    "ZeroPeriod",
];

/// The optional features ([`crate::model::features`]) and policy tags of an OTP input, so
/// that `--skip` and expected failures can name them. `reference` is the reference's answer
/// (a secret read from text counts by its decoded length).
pub fn tags(operation: &str, input: &Value, reference: &Answer) -> Vec<String> {
    let uint = |name: &str| input.get(name).and_then(Value::as_u64);
    let hex_len = |v: &Value| v.get("secret").and_then(Value::as_str).map(|h| h.len() / 2);
    let secret = hex_len(input).or(match reference {
        Answer::Ok(v) => hex_len(v),
        _ => None,
    });
    let algorithm = input.get("algorithm").and_then(Value::as_str);
    let policy = [
        secret.is_some_and(|n| !(16..=128).contains(&n)),
        uint("time").is_some_and(|t| t >= 1 << 53),
        matches!((uint("time"), uint("t0")), (Some(t), Some(t0)) if t < t0),
        uint("window").is_some_and(|w| w > 10),
        algorithm.is_some_and(|a| !["SHA1", "SHA256", "SHA512"].contains(&a)),
        uint("digits").is_some_and(|d| !(6..=8).contains(&d)),
        uint("period") == Some(0),
    ];
    let mut out = crate::model::features(operation, input);
    out.extend(
        POLICY_TAGS
            .iter()
            .zip(policy)
            .filter(|(_, on)| *on)
            .map(|(t, _)| t.to_string()),
    );
    out
}

/// What a fuzzing run did.
#[derive(Clone, Debug, Default)]
pub struct FuzzReport {
    /// Inputs tried.
    pub iterations: u64,
    /// Distinct disagreements, each once, with how often it came up.
    pub findings: Vec<Finding>,
    /// Disagreements the expected-failures list names, with its reason.
    pub listed: Vec<(Finding, String)>,
    /// Inputs the implementation answered `unsupported` for, by what they need (their
    /// features, or their operation).
    pub skipped: BTreeMap<String, u64>,
}

/// Whether the implementation's answer `b` to `operation` agrees with the reference's `a`:
/// the same output (a write judged by what it wrote) or the same error code.
fn agree(operation: &str, input: &Value, a: &Answer, b: &Answer) -> bool {
    match (a, b) {
        (Answer::Ok(x), Answer::Ok(y))
            if operation.starts_with("container.") && x.get("container").is_some() =>
        {
            container::agree_on_write(operation, input, x, y)
        }
        (Answer::Ok(x), Answer::Ok(y)) => x == y,
        (Answer::Error(x), Answer::Error(y)) => x == y || too_deep(operation, input, y),
        (Answer::Ok(_), Answer::Error(y)) => too_deep(operation, input, y),
        _ => false,
    }
}

/// A payload nested deeper than 64 levels, refused as `malformed`: REQ-PAYLOAD-009 lets a
/// reader answer so whatever the reference answered.
fn too_deep(operation: &str, input: &Value, code: &str) -> bool {
    operation == "payload.parse"
        && code == "malformed"
        && input["payload"]
            .as_str()
            .is_some_and(|text| crate::nesting::depth(text) > 64)
}

fn listed_reason(config: &FuzzConfig, f: &Finding) -> Option<String> {
    let kind = f.kind();
    config
        .expected
        .iter()
        .find(|(g, _)| glob::matches(g, &kind) || f.tags.iter().any(|t| glob::matches(g, t)))
        .map(|(_, known)| known.reason.clone())
}

/// Records a disagreement: once per kind and tags, counted when it repeats.
fn record(report: &mut FuzzReport, config: &FuzzConfig, finding: Finding) {
    let same = |f: &Finding| f.kind() == finding.kind() && f.tags == finding.tags;
    if let Some(f) = report.findings.iter_mut().find(|f| same(f)) {
        f.repeats += 1;
    } else if let Some((f, _)) = report.listed.iter_mut().find(|(f, _)| same(f)) {
        f.repeats += 1;
    } else if let Some(reason) = listed_reason(config, &finding) {
        report.listed.push((finding, reason));
    } else {
        report.findings.push(finding);
    }
}

/// Runs the differential fuzzer against `implementation`. An input the implementation
/// answers `unsupported` for is skipped, and only that input.
pub fn fuzz(implementation: &mut dyn Implementation, config: &FuzzConfig) -> FuzzReport {
    let start = Instant::now();
    let mut rng = Rng::new(config.seed);
    let mut report = FuzzReport::default();
    let profiles: Vec<&str> = PROFILES
        .iter()
        .copied()
        .filter(|p| config.profiles.is_empty() || config.profiles.iter().any(|q| q == p))
        .collect();
    let mut turn = 0usize;
    while start.elapsed() < config.time
        && report.findings.len() < config.max_findings
        && !profiles.is_empty()
    {
        let profile = profiles[turn % profiles.len()];
        turn += 1;
        let bytes = rng.bytes(512);
        let Some((operation, input)) = draw(profile, &bytes) else {
            continue;
        };
        let expected = Reference.call(&operation, &input);
        let tags = tags(&operation, &input, &expected);
        if config
            .skip
            .iter()
            .any(|g| glob::matches(g, &operation) || tags.iter().any(|t| glob::matches(g, t)))
        {
            continue;
        }
        report.iterations += 1;
        let got = implementation.call(&operation, &input);
        if got == Answer::Unsupported {
            let features = crate::model::features(&operation, &input);
            let need = if features.is_empty() {
                operation
            } else {
                features.join("+")
            };
            *report.skipped.entry(need).or_insert(0) += 1;
            continue;
        }
        if !agree(&operation, &input, &expected, &got) {
            let found = Finding {
                operation,
                input,
                expected,
                got,
                tags,
                repeats: 1,
            };
            let shrunk = shrink(implementation, profile, bytes, found);
            record(&mut report, config, shrunk);
        }
    }
    report
}

/// Shrinks the generator bytes while the disagreement persists.
fn shrink(
    implementation: &mut dyn Implementation,
    profile: &str,
    mut bytes: Vec<u8>,
    mut best: Finding,
) -> Finding {
    let mut attempts = 0;
    let mut progress = true;
    while progress && attempts < 400 {
        progress = false;
        let mut candidates = Vec::new();
        for cut in [
            bytes.len() / 2,
            bytes.len() * 3 / 4,
            bytes.len().saturating_sub(8),
        ] {
            candidates.push(bytes[..cut].to_vec());
        }
        for i in (0..bytes.len()).step_by(8) {
            if bytes[i..(i + 8).min(bytes.len())].iter().any(|&b| b != 0) {
                let mut c = bytes.clone();
                c[i..(i + 8).min(bytes.len())].fill(0);
                candidates.push(c);
            }
        }
        for c in candidates {
            attempts += 1;
            if attempts >= 400 {
                break;
            }
            let Some((operation, input)) = draw(profile, &c) else {
                continue;
            };
            let expected = Reference.call(&operation, &input);
            let got = implementation.call(&operation, &input);
            if got != Answer::Unsupported && !agree(&operation, &input, &expected, &got) {
                bytes = c;
                let tags = tags(&operation, &input, &expected);
                best = Finding {
                    operation,
                    input,
                    expected,
                    got,
                    tags,
                    repeats: best.repeats,
                };
                progress = true;
                break;
            }
        }
    }
    best
}

/// Draws one input of `profile` from `bytes`.
pub fn draw(profile: &str, bytes: &[u8]) -> Option<(String, Value)> {
    let mut u = Unstructured::new(bytes);
    let drawn = match profile {
        "hotp" => hotp(&mut u),
        "totp" => totp(&mut u),
        "secret" => secret(&mut u),
        "uri" => uri(&mut u),
        "payload" => payload(&mut u),
        "container" => container::container(&mut u),
        "restore" => restore(&mut u),
        "lifecycle" => lifecycle(&mut u),
        _ => return None,
    };
    drawn.ok()
}

fn key(u: &mut Unstructured) -> AResult<String> {
    let len = u.int_in_range(10..=64)?;
    Ok(HEXLOWER.encode(u.bytes(len)?))
}

fn algorithm(u: &mut Unstructured) -> AResult<&'static str> {
    u.choose(&["SHA1", "SHA256", "SHA512", "sha256", "SHA1", "MD5"])
        .copied()
}

fn big(u: &mut Unstructured) -> AResult<u64> {
    Ok(match u.int_in_range(0..=5)? {
        0 => u.int_in_range(0..=100)?,
        1 => u32::MAX as u64 + u.int_in_range(0..=2)? - 1,
        2 => (1 << 31) + u.int_in_range(0..=2)? - 1,
        3 => u64::MAX - u.int_in_range(0..=2)?,
        4 => (1 << 63) + u.int_in_range(0..=2)?,
        _ => u.arbitrary()?,
    })
}

fn hotp(u: &mut Unstructured) -> AResult<(String, Value)> {
    let input = json!({ "secret": key(u)?, "algorithm": algorithm(u)?, "digits": *u.choose(&[6u64, 7, 8, 6, 9])?, "counter": big(u)? });
    Ok(("hotp.generate".into(), input))
}

fn totp(u: &mut Unstructured) -> AResult<(String, Value)> {
    let period = *u.choose(&[30u64, 60, 1, 30, 0])?;
    let t0: u64 = if u.arbitrary()? {
        0
    } else {
        u.int_in_range(0..=1_000_000)?
    };
    let time = match u.int_in_range(0..=3)? {
        0 => t0
            .saturating_add(u.int_in_range(0..=200)?)
            .saturating_sub(100),
        1 => {
            t0 + (u.int_in_range(0..=50u64)? * period.max(1)).saturating_sub(u.int_in_range(0..=1)?)
        }
        _ => big(u)?,
    };
    let mut input = json!({ "secret": key(u)?, "algorithm": algorithm(u)?, "digits": *u.choose(&[6u64, 7, 8])?, "period": period, "t0": t0, "time": time });
    if u.ratio(1, 4)? {
        input["window"] = u.int_in_range(0..=11u64)?.into();
        input["candidate"] = format!("{:08}", u.int_in_range(0..=99_999_999u32)?).into();
        return Ok(("totp.verify".into(), input));
    }
    Ok(("totp.generate".into(), input))
}

fn secret(u: &mut Unstructured) -> AResult<(String, Value)> {
    let len = u.int_in_range(8..=40)?;
    let mut text = BASE32.encode(u.bytes(len)?);
    for _ in 0..u.int_in_range(0..=3)? {
        match u.int_in_range(0..=5)? {
            0 => text = text.to_lowercase(),
            1 => text = text.trim_end_matches('=').to_string(),
            2 => {
                let at = u.int_in_range(0..=text.len())?;
                text.insert(at, ' ');
            }
            3 => text.push('='),
            4 => {
                if !text.is_empty() {
                    let at = u.int_in_range(0..=text.len() - 1)?;
                    let c = *u.choose(&['1', '0', '8', '-', 'A', 'a', '='])?;
                    text.replace_range(at..at + 1, &c.to_string());
                }
            }
            _ => {
                text.pop();
            }
        }
    }
    Ok(("secret.decode".into(), json!({ "text": text })))
}

fn uri(u: &mut Unstructured) -> AResult<(String, Value)> {
    let kind = *u.choose(&["totp", "hotp", "TOTP", "steam"])?;
    let issuer = *u.choose(&["", "Example", "A+B", "Big%20Bank", "x:y", "Example"])?;
    let sep = *u.choose(&[":", "%3A", ":%20", ":"])?;
    let name = *u.choose(&[
        "alice", "a:b", "%C3%A9", "al%20ice", "%20bob", "", "al%zzice",
    ])?;
    let label = if issuer.is_empty() || u.ratio(1, 4)? {
        name.to_string()
    } else {
        format!("{issuer}{sep}{name}")
    };
    let pool: [(&str, &[&str]); 7] = [
        (
            "secret",
            &[
                "JBSWY3DPEHPK3PXP",
                "jbsw+y3dp+ehpk+3pxp",
                "MZXW6YTBOJTG633CMFZA====",
                "JBSWY3DPEHPK3PX1",
                "MZXW6YTBOI",
                "",
            ],
        ),
        ("issuer", &["Example", "Other", "Big+Bank", "A%3AB", ""]),
        ("algorithm", &["SHA1", "sha512", "MD5"]),
        ("digits", &["6", "8", "9", "06", "+6"]),
        ("period", &["30", "1", "0", "-30", "60"]),
        (
            "counter",
            &["0", "7", "18446744073709551615", "18446744073709551616", ""],
        ),
        ("image", &["x", "%zz"]),
    ];
    let mut params = Vec::new();
    for _ in 0..u.int_in_range(0..=6)? {
        let (name, values) = *u.choose(&pool)?;
        params.push(format!("{name}={}", u.choose(values)?));
    }
    if u.ratio(3, 4)? {
        let at = u.int_in_range(0..=params.len())?;
        params.insert(at, "secret=JBSWY3DPEHPK3PXP".into());
    }
    Ok((
        "uri.parse".into(),
        json!({ "uri": format!("otpauth://{kind}/{label}?{}", params.join("&")) }),
    ))
}

fn payload(u: &mut Unstructured) -> AResult<(String, Value)> {
    let mut doc = json!({ "version": 1, "platform": "ios", "backup_id": "b", "generation": 1, "created": 0, "accounts": [
        { "id": "t", "type": "totp", "issuer": "I", "name": "n", "secret": "JBSWY3DPEHPK3PXP", "algorithm": "SHA1", "digits": 6, "period": 30 },
        { "id": "w", "type": "work_school", "name": "w" },
        { "id": "p", "type": "msa_passwordless", "name": "p" },
    ] });
    for _ in 0..u.int_in_range(0..=3)? {
        let i = u.int_in_range(0..=2usize)?;
        match u.int_in_range(0..=9)? {
            0 => doc["accounts"][i]["secret"] = "JBSWY3DPEHPK3PXP".into(),
            1 => doc["accounts"][i]["token"] = "t".into(),
            2 => doc["accounts"][i]["password"] = "p".into(),
            3 => doc["version"] = 2.into(),
            4 => doc["accounts"][i]["id"] = "t".into(),
            5 => doc["accounts"][0]["digits"] = 9.into(),
            6 => doc["platform"] = "windows".into(),
            7 => doc["accounts"][i]["issuer"] = "X".into(),
            8 => {
                if let Some(a) = doc["accounts"][0].as_object_mut() {
                    a.remove("period");
                }
            }
            _ => doc["accounts"][i]["secret"] = serde_json::Value::Null,
        }
    }
    let mut text = doc.to_string();
    // The traps of REQ-PAYLOAD-007 and REQ-PAYLOAD-001 that only the text can hold. Lone
    // surrogates only in strings a reader reads and in version 1: elsewhere the spec lets a
    // reader refuse them or not.
    let surrogates_decide = doc["version"] == 1;
    for _ in 0..u.int_in_range(0..=2)? {
        let (from, to) = *u.choose(&PAYLOAD_TEXT_EDITS)?;
        if surrogates_decide || !to.contains(r"\ud") {
            text = text.replacen(from, to, 1);
        }
    }
    // REQ-PAYLOAD-009: a token nested to 64 levels in all (61 arrays), where every reader
    // must give the reference's answer, or deeper, where `malformed` agrees too (`agree`).
    if u.ratio(1, 4)? {
        let n = *u.choose(&[1usize, 30, 61, 62, 2_000, 200_000])?;
        let nested = format!(r#""token":{}{}"#, "[".repeat(n), "]".repeat(n));
        text = text.replacen(r#""token":"t""#, &nested, 1);
    }
    Ok(("payload.parse".into(), json!({ "payload": text })))
}

/// Edits of a payload's text (the first match is replaced): numbers that are not integers,
/// `NaN`, escapes in member names and strings, lone surrogates, unescaped controls, repeated
/// members, a byte order mark, a trailing comma.
const PAYLOAD_TEXT_EDITS: [(&str, &str); 19] = [
    (r#""digits":6"#, r#""digits":6.0"#),
    (r#""digits":6"#, r#""digits":NaN"#),
    (r#""created":0"#, r#""created":-0"#),
    (r#""created":0"#, r#""created":Infinity"#),
    (r#""name":"n""#, r#""n\u0061me":"n""#),
    (r#""name":"n""#, r#""name":"\u006e""#),
    (r#""name":"n""#, r#""name":"n\ud800""#),
    (r#""name":"n""#, r#""name":"n\udc00\ud800""#),
    (r#""name":"n""#, r#""name":"\ud83d\ude00""#),
    (r#""name":"n""#, r#""name":"n\u0001""#),
    (r#""name":"n""#, "\"name\":\"n\u{1}\""),
    (r#""id":"w""#, r#""id":"\u0074""#),
    (r#""id":"w""#, r#""id":"\u0077""#),
    (r#""version":1"#, r#""version":1,"version":1"#),
    (r#""version":1"#, r#""version":2,"x":NaN"#),
    (r#""token":"t""#, r#""token":NaN"#),
    ("{", "\u{feff}{"),
    ("}]}", "},]}"),
    (r#""issuer":"I""#, r#""issuer":"I:x""#),
];

fn small_account(u: &mut Unstructured, code_only: bool) -> AResult<Value> {
    let t = *u.choose(if code_only {
        &["totp", "msa_totp"]
    } else {
        &["totp", "msa_totp", "msa_passwordless", "work_school"]
    })?;
    let mut a = json!({ "id": format!("id{}", u.int_in_range(0..=4)?), "type": t, "name": *u.choose(&["alice", "Alice", "bob"])? });
    if u.arbitrary()? {
        a["issuer"] = (*u.choose(&["Acme", "ACME"])?).into();
    }
    if t == "totp" || t == "msa_totp" {
        a["secret"] =
            (*u.choose(&["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"])?).into();
    } else if let Some(o) = a.as_object_mut() {
        o.remove("issuer");
    }
    Ok(a)
}

fn unique(list: Vec<Value>) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    list.into_iter()
        .filter(|a| seen.insert(a["id"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn restore(u: &mut Unstructured) -> AResult<(String, Value)> {
    let mut backup = Vec::new();
    let mut device = Vec::new();
    for _ in 0..u.int_in_range(0..=5)? {
        backup.push(small_account(u, false)?);
    }
    for _ in 0..u.int_in_range(0..=4)? {
        device.push(small_account(u, false)?);
    }
    let platform = *u.choose(&["ios", "android", "ios"])?;
    let policy = *u.choose(&["keep-both", "prefer-backup", "prefer-device"])?;
    let input = json!({
        "device": unique(device),
        "backup": { "version": 1, "platform": "ios", "backup_id": "b", "generation": 1, "created": 0,
            "accounts": unique(backup).into_iter().map(|mut a| {
                if a.get("secret").is_some() { a["algorithm"] = "SHA1".into(); a["digits"] = 6.into(); a["period"] = 30.into(); }
                a
            }).collect::<Vec<_>>() },
        "platform": platform,
        "policy": policy,
    });
    Ok(("restore.plan".into(), input))
}

fn lifecycle(u: &mut Unstructured) -> AResult<(String, Value)> {
    let env = |u: &mut Unstructured| -> AResult<Value> {
        let mut env = json!({ "platform": "ios", "recovery_account": { "id": "alice", "personal": true }, "os_version": 17,
            "icloud": true, "icloud_keychain": true, "personal_apple_id": "alice@icloud.com", "managed_apple_id": null });
        match u.int_in_range(0..=7)? {
            0 => env["recovery_account"] = Value::Null,
            1 => env["os_version"] = 15.into(),
            2 => env["icloud"] = false.into(),
            3 => env["icloud_keychain"] = false.into(),
            4 => env["managed_apple_id"] = "corp".into(),
            5 => {
                env = json!({ "platform": "android", "recovery_account": { "id": "alice", "personal": u.arbitrary::<bool>()? } })
            }
            _ => {}
        }
        Ok(env)
    };
    // An effect an executor may report done: those the machine emits for the storage
    // accounts the environments above give, and some it never emitted.
    let effect = |u: &mut Unstructured| -> AResult<Value> {
        let storage = *u.choose(&["alice@icloud.com", "corp", "alice"])?;
        Ok(match u.int_in_range(0..=3)? {
            0 => json!({ "effect": "write_backup", "platform": "ios", "storage_account": storage,
                "backup_id": format!("b{}", u.int_in_range(0..=2)?), "generation": u.int_in_range(1..=3)?,
                "recipients": ["recovery_account_key"] }),
            1 => json!({ "effect": "delete_backup", "storage_account": storage }),
            2 => {
                json!({ "effect": "add_recipient", "storage_account": storage, "provider": "platform_keychain" })
            }
            _ => {
                json!({ "effect": "remove_recipient", "storage_account": storage, "provider": "recovery_account_key" })
            }
        })
    };
    let mut events = Vec::new();
    for n in 0..u.int_in_range(1..=8)? {
        events.push(match u.int_in_range(0..=8)? {
            0 | 1 => json!({ "event": "enable", "env": env(u)?, "backup_id": format!("b{n}") }),
            2 => json!({ "event": "disable" }),
            // Sometimes the backup id of an earlier enable: refused while that backup is on.
            3 => json!({ "event": "change_recovery_account", "env": env(u)?,
                "backup_id": format!("{}{}", u.choose(&["b", "c"])?, u.int_in_range(0..=n)?) }),
            4 => json!({ "event": "account_added", "id": "a" }),
            5 => json!({ "event": "start_key_migration" }),
            6 => json!({ "event": "done", "effect": effect(u)? }),
            7 => json!({ "event": "resume" }),
            _ => json!({ "event": "account_deleted", "id": "a" }),
        });
    }
    let auto_done = u.ratio(2, 3)?;
    Ok((
        "lifecycle.run".into(),
        json!({ "events": events, "auto_done": auto_done }),
    ))
}
