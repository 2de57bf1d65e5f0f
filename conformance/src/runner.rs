//! Runs selected cases against an implementation and judges each answer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::glob;
use crate::implementation::{Answer, Implementation};
use crate::model::{Case, Expected};

/// Which cases to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Sections (profiles) to run; empty means all.
    pub profiles: Vec<String>,
    /// Globs on case ids to run; empty means all.
    pub run: Vec<String>,
    /// Globs on case ids to leave out.
    pub skip: Vec<String>,
}

impl Selection {
    /// True when `case` is selected.
    pub fn includes(&self, case: &Case) -> bool {
        (self.profiles.is_empty() || self.profiles.contains(&case.section))
            && (self.run.is_empty() || self.run.iter().any(|g| glob::matches(g, &case.id)))
            && !self.skip.iter().any(|g| glob::matches(g, &case.id))
    }
}

/// An implementer's list of known failures: case-id glob to the reason.
pub type ExpectedFailures = BTreeMap<String, String>;

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
    },
    /// Not run: the implementation does not support the profile.
    Skipped {
        /// Why.
        reason: String,
    },
    /// Failed, as the expected-failures list says it does.
    ExpectedFailure {
        /// The list's reason.
        reason: String,
    },
    /// Passed although the expected-failures list says it fails: remove it from the list.
    UnexpectedPass {
        /// The list's reason.
        reason: String,
    },
}

/// One case's result.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// `section/tcId`.
    pub id: String,
    /// The section.
    pub section: String,
    /// What the case is about.
    pub comment: String,
    /// The requirements it exercises.
    pub requirements: Vec<String>,
    /// The input sent.
    pub input: Value,
    /// How it ended.
    #[serde(flatten)]
    pub status: Status,
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases skipped (unsupported profile).
    pub skipped: usize,
    /// Listed failures that failed.
    pub expected_failures: usize,
    /// Listed failures that passed.
    pub unexpected_passes: usize,
}

/// The outcome of a run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// The implementation's name.
    pub implementation: String,
    /// The counts.
    pub summary: Summary,
    /// Every selected case, in run order.
    pub cases: Vec<CaseResult>,
}

impl RunReport {
    /// True when no case failed and no listed failure passed.
    pub fn success(&self) -> bool {
        self.summary.failed == 0 && self.summary.unexpected_passes == 0
    }
}

/// Judges one answer against the case's expectation.
pub fn judge(case: &Case, answer: &Answer) -> Result<(), Box<(Value, Value)>> {
    let t = &case.case;
    let expected = || match t.result {
        Expected::Valid => serde_json::json!({ "ok": t.output }),
        Expected::Invalid => serde_json::json!({ "error": t.error }),
        Expected::Acceptable => serde_json::json!({ "ok": t.output, "or_error": t.error }),
    };
    let got = match answer {
        Answer::Ok(v) => serde_json::json!({ "ok": v }),
        Answer::Error(code) => serde_json::json!({ "error": code }),
        Answer::Unsupported => serde_json::json!({ "unsupported": true }),
        Answer::Broken(why) => serde_json::json!({ "broken": why }),
    };
    if let (Some(_), Answer::Ok(v)) = (&t.check, answer) {
        return crate::checks::check(t, v).map_err(|why| {
            Box::new((
                serde_json::json!({ "check": t.check, "of": t.output }),
                serde_json::json!({ "ok": v, "check_failed": why }),
            ))
        });
    }
    let pass = match (t.result, answer) {
        (Expected::Valid, Answer::Ok(v)) => Some(v) == t.output.as_ref(),
        (Expected::Invalid, Answer::Error(code)) => Some(code) == t.error.as_ref(),
        (Expected::Acceptable, Answer::Ok(v)) => Some(v) == t.output.as_ref(),
        (Expected::Acceptable, Answer::Error(code)) => t.error.as_ref().is_none_or(|e| e == code),
        _ => false,
    };
    if pass {
        Ok(())
    } else {
        Err(Box::new((expected(), got)))
    }
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
/// each. A profile the implementation answers `unsupported` for is skipped from then on.
pub fn run(
    implementation: &mut dyn Implementation,
    cases: &[Case],
    selection: &Selection,
    expected_failures: &ExpectedFailures,
    progress: &mut dyn FnMut(&CaseResult),
) -> RunReport {
    let mut unsupported: BTreeSet<String> = BTreeSet::new();
    let mut results = Vec::new();
    let mut summary = Summary::default();
    for case in cases.iter().filter(|c| selection.includes(c)) {
        let status = if unsupported.contains(&case.section) {
            Status::Skipped {
                reason: format!(
                    "the implementation does not support the {} profile",
                    case.section
                ),
            }
        } else {
            let (answer, message) = implementation
                .call_with_message(&case.operation, &crate::model::expand(&case.case.input));
            let leak = message
                .as_deref()
                .and_then(|m| leaked_secret(&case.case.input, m));
            if answer == Answer::Unsupported {
                unsupported.insert(case.section.clone());
                Status::Skipped {
                    reason: format!(
                        "the implementation answered unsupported for {}",
                        case.operation
                    ),
                }
            } else {
                let listed = expected_failures
                    .iter()
                    .find(|(g, _)| glob::matches(g, &case.id))
                    .map(|(_, reason)| reason.clone());
                let verdict = match leak {
                    Some(leaked) => Err(Box::new((
                        serde_json::json!({ "message": "without secret material (REQ-SECRET-010)" }),
                        serde_json::json!({ "message_leaks": leaked }),
                    ))),
                    None => judge(case, &answer),
                };
                match (verdict, listed) {
                    (Ok(()), None) => Status::Passed,
                    (Ok(()), Some(reason)) => Status::UnexpectedPass { reason },
                    (Err(_), Some(reason)) => Status::ExpectedFailure { reason },
                    (Err(diff), None) => {
                        let (expected, got) = *diff;
                        Status::Failed { expected, got }
                    }
                }
            }
        };
        match status {
            Status::Passed => summary.passed += 1,
            Status::Failed { .. } => summary.failed += 1,
            Status::Skipped { .. } => summary.skipped += 1,
            Status::ExpectedFailure { .. } => summary.expected_failures += 1,
            Status::UnexpectedPass { .. } => summary.unexpected_passes += 1,
        }
        let result = CaseResult {
            id: case.id.clone(),
            section: case.section.clone(),
            comment: case.case.comment.clone(),
            requirements: case.case.requirements.clone(),
            input: case.case.input.clone(),
            status,
        };
        progress(&result);
        results.push(result);
    }
    RunReport {
        implementation: implementation.name(),
        summary,
        cases: results,
    }
}
