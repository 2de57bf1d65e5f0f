//! Runs selected cases against an implementation and judges each answer.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::glob;
use crate::implementation::{Answer, Implementation};
use crate::model::{Case, Expected, Level};

/// Which cases to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Sections (profiles) to run; empty means all.
    pub profiles: Vec<String>,
    /// Globs on case ids to run; empty means all.
    pub run: Vec<String>,
    /// Globs on case ids to leave out.
    pub skip: Vec<String>,
    /// Levels to run; empty means both.
    pub levels: Vec<Level>,
}

impl Selection {
    /// True when `case` is selected.
    pub fn includes(&self, case: &Case) -> bool {
        (self.profiles.is_empty() || self.profiles.contains(&case.section))
            && (self.run.is_empty() || self.run.iter().any(|g| glob::matches(g, &case.id)))
            && !self.skip.iter().any(|g| glob::matches(g, &case.id))
            && (self.levels.is_empty() || self.levels.contains(&case.case.level))
    }

    /// True when deviations from this format's policy count: the policy level is selected.
    pub fn judges_policy(&self) -> bool {
        self.levels.is_empty() || self.levels.contains(&Level::Policy)
    }
}

pub use crate::known::{parse as parse_expected_failures, ExpectedFailures, Known};

/// How one case ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The answer was the expected one.
    Passed,
    /// The answer was not the expected one.
    Failed {
        /// What the vector expects.
        expected: Value,
        /// What the implementation answered.
        got: Value,
        /// What the answer deviates from: the RFCs, or only this format's policy (an RFC
        /// case refused with another error code, or answered without the matched step).
        deviation: Level,
    },
    /// Not run: the implementation answered `unsupported`.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Failed, as the expected-failures list says it does.
    ExpectedFailure {
        /// The list's reason.
        reason: String,
        /// The list's glob that names the case.
        listed_as: String,
        /// What the vector expects.
        expected: Value,
        /// What the implementation answered.
        got: Value,
        /// What the answer deviates from.
        deviation: Level,
    },
    /// Passed although the expected-failures list says it fails: remove it from the list.
    UnexpectedPass {
        /// The list's reason.
        reason: String,
        /// The list's glob that names the case.
        listed_as: String,
    },
}

/// One case's result.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// `section/tcId`.
    pub id: String,
    /// The section.
    pub section: String,
    /// The operation called.
    pub operation: String,
    /// What the case is about.
    pub comment: String,
    /// The requirements it exercises.
    pub requirements: Vec<String>,
    /// What the case checks: the RFCs or this format's policy.
    pub level: Level,
    /// The case's flags (policy flags name the policy).
    pub flags: Vec<String>,
    /// The optional features the case needs.
    pub features: Vec<String>,
    /// The input sent.
    pub input: Value,
    /// How it ended.
    #[serde(flatten)]
    pub status: Status,
}

impl CaseResult {
    /// The level a result counts under: a failure under the level it deviates from, anything
    /// else under the case's own level.
    pub fn counted_level(&self) -> Level {
        match &self.status {
            Status::Failed { deviation, .. } | Status::ExpectedFailure { deviation, .. } => {
                *deviation
            }
            _ => self.level,
        }
    }
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases skipped (the implementation answered `unsupported`).
    pub skipped: usize,
    /// Listed failures that failed.
    pub expected_failures: usize,
    /// Listed failures that passed.
    pub unexpected_passes: usize,
}

impl Summary {
    /// Counts `status` in.
    pub fn add(&mut self, status: &Status) {
        match status {
            Status::Passed => self.passed += 1,
            Status::Failed { .. } => self.failed += 1,
            Status::Skipped { .. } => self.skipped += 1,
            Status::ExpectedFailure { .. } => self.expected_failures += 1,
            Status::UnexpectedPass { .. } => self.unexpected_passes += 1,
        }
    }

    /// The counts of `results`.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CaseResult>) -> Summary {
        let mut s = Summary::default();
        results.into_iter().for_each(|r| s.add(&r.status));
        s
    }
}

/// The outcome of a run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// The implementation's name.
    pub implementation: String,
    /// The counts.
    pub summary: Summary,
    /// The counts per level (a failure counts under the level it deviates from).
    pub levels: BTreeMap<Level, Summary>,
    /// Every selected case, in run order.
    pub cases: Vec<CaseResult>,
}

impl RunReport {
    /// True when no case failed and no listed failure passed.
    pub fn success(&self) -> bool {
        self.summary.failed == 0 && self.summary.unexpected_passes == 0
    }

    /// The skipped cases grouped by what they need: their optional features (`t0`, ...) or,
    /// for cases that need none, their operation; with the count of each.
    pub fn skipped_by_need(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for c in &self.cases {
            if matches!(c.status, Status::Skipped { .. }) {
                let need = if c.features.is_empty() {
                    c.operation.clone()
                } else {
                    c.features.join("+")
                };
                *out.entry(need).or_insert(0) += 1;
            }
        }
        out
    }
}

/// Why an answer is not the expected one.
#[derive(Clone, Debug, PartialEq)]
pub struct Deviation {
    /// What the vector expects.
    pub expected: Value,
    /// What the implementation answered.
    pub got: Value,
    /// What it deviates from.
    pub level: Level,
}

fn answer_json(answer: &Answer) -> Value {
    match answer {
        Answer::Ok(v) => json!({ "ok": v }),
        Answer::Error(code) => json!({ "error": code }),
        Answer::Unsupported => json!({ "unsupported": true }),
        Answer::Broken(why) => json!({ "broken": why }),
    }
}

/// True when the answer is right as far as the RFCs go: a refusal with another error code
/// than the vector's; a refusal of an input the RFCs let an implementation refuse (flag
/// `MayRefuse`); a verifier's refusal of a candidate that matches nothing (the RFCs do not
/// say how a verifier says no); or a verification that says whether the candidate matched
/// (`{"matched": BOOL}`) without the step.
fn right_as_rfc_goes(case: &Case, answer: &Answer) -> bool {
    let t = &case.case;
    let matches_nothing = case.operation == "totp.verify"
        && t.output.as_ref().and_then(|o| o.get("step")) == Some(&Value::Null);
    let may_refuse = matches_nothing || t.flags.iter().any(|f| f == "MayRefuse");
    match (t.result, answer) {
        (Expected::Invalid | Expected::Acceptable, Answer::Error(_)) => true,
        (Expected::Valid, Answer::Error(_)) => may_refuse,
        (Expected::Valid | Expected::Acceptable, Answer::Ok(v)) => {
            let matched = v.get("matched").and_then(Value::as_bool);
            let step = t.output.as_ref().and_then(|o| o.get("step"));
            case.operation == "totp.verify"
                && v.get("step").is_none()
                && matched.is_some()
                && matched == step.map(|s| !s.is_null())
        }
        _ => false,
    }
}

/// Judges one answer against the case's expectation.
pub fn judge(case: &Case, answer: &Answer) -> Result<(), Box<Deviation>> {
    let t = &case.case;
    if let (Some(_), Answer::Ok(v)) = (&t.check, answer) {
        return crate::checks::check(t, v).map_err(|why| {
            Box::new(Deviation {
                expected: json!({ "check": t.check, "of": t.output }),
                got: json!({ "ok": v, "check_failed": why }),
                level: t.level,
            })
        });
    }
    let output = t.output.as_ref().map(crate::model::expanded);
    let pass = match (t.result, answer) {
        (Expected::Valid, Answer::Ok(v)) => Some(v) == output.as_deref(),
        (Expected::Invalid, Answer::Error(code)) => Some(code) == t.error.as_ref(),
        (Expected::Acceptable, Answer::Ok(v)) => Some(v) == output.as_deref(),
        (Expected::Acceptable, Answer::Error(code)) => t.error.as_ref().is_none_or(|e| e == code),
        _ => false,
    };
    if pass {
        return Ok(());
    }
    let expected = match t.result {
        Expected::Valid => json!({ "ok": t.output }),
        Expected::Invalid => json!({ "error": t.error }),
        Expected::Acceptable => json!({ "ok": t.output, "or_error": t.error }),
    };
    let level = if t.level == Level::Rfc && right_as_rfc_goes(case, answer) {
        Level::Policy
    } else {
        t.level
    };
    Err(Box::new(Deviation {
        expected,
        got: answer_json(answer),
        level,
    }))
}

/// Sends the case's request to `implementation` as many times as the case says (once by
/// default; a refusal ends the repeats): the answers, and the error message of the first.
pub fn ask(implementation: &mut dyn Implementation, case: &Case) -> (Vec<Answer>, Option<String>) {
    let input = crate::model::expand(&case.case.input);
    let (first, message) = implementation.call_with_message(&case.operation, &input);
    let mut answers = vec![first];
    for _ in 1..case.case.calls.unwrap_or(1) {
        if !matches!(answers[0], Answer::Ok(_)) {
            break;
        }
        answers.push(implementation.call(&case.operation, &input));
    }
    (answers, message)
}

/// Judges every answer to one case ([`judge`]), then, when the request was sent more than
/// once, that the answers differ where the spec asks for fresh randomness
/// (`checks::fresh`).
pub fn judge_all(case: &Case, answers: &[Answer]) -> Result<(), Box<Deviation>> {
    for answer in answers {
        judge(case, answer)?;
    }
    let outputs: Vec<&Value> = answers
        .iter()
        .filter_map(|a| match a {
            Answer::Ok(v) => Some(v),
            _ => None,
        })
        .collect();
    if outputs.len() < 2 {
        return Ok(());
    }
    crate::checks::fresh(&outputs).map_err(|why| {
        Box::new(Deviation {
            expected: json!({ "check": "fresh", "calls": outputs.len() }),
            got: json!({ "ok": outputs, "check_failed": why }),
            level: case.case.level,
        })
    })
}

/// The part of a secret in `input` (any string under a `secret` or `text` member, or a
/// `secret=` URI parameter) that `message` repeats, if 8 or more characters of one appear in
/// it (REQ-SECRET-010).
pub fn leaked_secret(input: &Value, message: &str) -> Option<String> {
    let mut secrets = Vec::new();
    fn collect(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("secret" | "text", Value::String(s)) => out.push(s.clone()),
                        ("uri", Value::String(s)) => {
                            for pair in s.split(['?', '&']) {
                                if let Some(v) = pair.strip_prefix("secret=") {
                                    out.push(v.to_string());
                                }
                            }
                        }
                        _ => collect(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    collect(input, &mut secrets);
    let folded = message.to_uppercase().replace(' ', "");
    for s in secrets {
        let s: Vec<char> = s.to_uppercase().replace(' ', "").chars().collect();
        for window in s.windows(8) {
            let piece: String = window.iter().collect();
            if folded.contains(&piece) {
                return Some(piece);
            }
        }
    }
    None
}

/// Runs every selected case of `cases` against `implementation`, calling `progress` after
/// each. A case the implementation answers `unsupported` for is skipped, and only that case.
/// When the selection leaves out the policy level, deviations from policy alone pass.
pub fn run(
    implementation: &mut dyn Implementation,
    cases: &[Case],
    selection: &Selection,
    expected_failures: &ExpectedFailures,
    progress: &mut dyn FnMut(&CaseResult),
) -> RunReport {
    let mut results = Vec::new();
    for case in cases.iter().filter(|c| selection.includes(c)) {
        let status = run_one(implementation, case, selection, expected_failures);
        let t = &case.case;
        let result = CaseResult {
            id: case.id.clone(),
            section: case.section.clone(),
            operation: case.operation.clone(),
            comment: t.comment.clone(),
            requirements: t.requirements.clone(),
            level: t.level,
            flags: t.flags.clone(),
            features: t.features.clone(),
            input: t.input.clone(),
            status,
        };
        progress(&result);
        results.push(result);
    }
    let mut levels: BTreeMap<Level, Summary> = BTreeMap::new();
    for r in &results {
        levels.entry(r.counted_level()).or_default().add(&r.status);
    }
    RunReport {
        implementation: implementation.name(),
        summary: Summary::of(&results),
        levels,
        cases: results,
    }
}

fn run_one(
    implementation: &mut dyn Implementation,
    case: &Case,
    selection: &Selection,
    expected_failures: &ExpectedFailures,
) -> Status {
    implementation.allow_time(case.case.timeout_ms.map(std::time::Duration::from_millis));
    let (answers, message) = ask(implementation, case);
    if answers.contains(&Answer::Unsupported) {
        let need = if case.case.features.is_empty() {
            case.operation.clone()
        } else {
            case.case.features.join(", ")
        };
        return Status::Skipped {
            reason: format!("the implementation answered unsupported ({need})"),
        };
    }
    let leak = message
        .as_deref()
        .and_then(|m| leaked_secret(&case.case.input, m));
    let verdict = match leak {
        Some(leaked) => Err(Box::new(Deviation {
            expected: json!({ "message": "without secret material (REQ-SECRET-010)" }),
            got: json!({ "message_leaks": leaked }),
            level: Level::Policy,
        })),
        None => judge_all(case, &answers),
    }
    .or_else(|d| {
        if d.level == Level::Policy && !selection.judges_policy() {
            Ok(())
        } else {
            Err(d)
        }
    });
    let listed = crate::known::lookup(expected_failures, &case.id, selection.judges_policy());
    match (verdict, listed) {
        (Ok(()), None) => Status::Passed,
        (Ok(()), Some((glob, known))) => Status::UnexpectedPass {
            reason: known.reason.clone(),
            listed_as: glob.to_string(),
        },
        // Listed as deviating from what it does deviate from (or the list does not say).
        (Err(d), Some((glob, known))) if known.deviates.is_none_or(|l| l == d.level) => {
            Status::ExpectedFailure {
                reason: known.reason.clone(),
                listed_as: glob.to_string(),
                expected: d.expected,
                got: d.got,
                deviation: d.level,
            }
        }
        (Err(d), _) => Status::Failed {
            expected: d.expected,
            got: d.got,
            deviation: d.level,
        },
    }
}
