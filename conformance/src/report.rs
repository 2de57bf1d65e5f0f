//! The three forms of a run's report: text for people, JSON, and JUnit XML for CI systems.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::Level;
use crate::runner::{CaseResult, RunReport, Status, Summary};

/// The text report, as `run` prints it while the cases run ([`Stream`]): every failure with
/// its level, requirements, input, expected and got (each cut at 600 characters;
/// `--format json` has them whole) and, for a failed check, why; a summary line per profile;
/// then [`closing`].
pub fn human(report: &RunReport) -> String {
    let mut stream = Stream::new(report.cases.iter().map(|c| c.section.as_str()));
    let mut out: String = report.cases.iter().map(|c| stream.on_case(c)).collect();
    out.push_str(&closing(report));
    out
}

/// The text of one result worth showing on its own: a failure, or a listed failure that
/// passed.
pub fn case_text(c: &CaseResult) -> Option<String> {
    let mut out = String::new();
    match &c.status {
        Status::Failed {
            expected,
            got,
            deviation,
        } => {
            let _ = writeln!(out, "FAIL {} [{}] — {}", c.id, c.level.as_str(), c.comment);
            let _ = writeln!(out, "  deviates from: {}", deviation_text(c, *deviation));
            let _ = writeln!(out, "  requirements: {}", c.requirements.join(", "));
            let _ = writeln!(out, "  input:    {}", shorten(&c.input.to_string()));
            let _ = writeln!(out, "  expected: {}", shorten(&expected.to_string()));
            match got.get("check_failed").and_then(|w| w.as_str()) {
                Some(why) => {
                    let _ = writeln!(out, "  got:      {}", shorten(&got["ok"].to_string()));
                    let _ = writeln!(out, "  because:  {why}");
                }
                None => {
                    let _ = writeln!(out, "  got:      {}", shorten(&got.to_string()));
                }
            }
        }
        Status::UnexpectedPass { reason, .. } => {
            let _ = writeln!(
                out,
                "UNEXPECTED PASS {} — listed as failing ({reason}); remove it from the list",
                c.id
            );
        }
        _ => return None,
    }
    Some(out)
}

fn deviation_text(c: &CaseResult, deviation: Level) -> String {
    match (deviation, c.level) {
        (Level::Rfc, _) => "the RFCs".into(),
        (Level::Policy, Level::Rfc) => {
            "this format's policy only (the RFCs are met: error code or reported step)".into()
        }
        (Level::Policy, Level::Policy) if c.flags.is_empty() => "this format's policy".into(),
        (Level::Policy, Level::Policy) => {
            format!("this format's policy (flags: {})", c.flags.join(", "))
        }
    }
}

/// The text report as it happens: [`Stream::on_case`] gives what to print after each case
/// (its failure, and the profile's summary line once its last case has run).
#[derive(Debug, Default)]
pub struct Stream {
    /// Selected cases per section not yet run.
    left: BTreeMap<String, usize>,
    counts: BTreeMap<String, Summary>,
}

impl Stream {
    /// A stream for a run of cases of these sections (one entry per selected case).
    pub fn new<'a>(sections: impl IntoIterator<Item = &'a str>) -> Stream {
        let mut left = BTreeMap::new();
        for s in sections {
            *left.entry(s.to_string()).or_insert(0) += 1;
        }
        Stream {
            left,
            counts: BTreeMap::new(),
        }
    }

    /// What to print once `c` has run.
    pub fn on_case(&mut self, c: &CaseResult) -> String {
        let mut out = case_text(c).unwrap_or_default();
        let counts = self.counts.entry(c.section.clone()).or_default();
        counts.add(&c.status);
        let left = self.left.entry(c.section.clone()).or_insert(1);
        *left = left.saturating_sub(1);
        if *left == 0 {
            let _ = writeln!(out, "{}: {}", c.section, self::counts(counts));
        }
        out
    }
}

fn counts(s: &Summary) -> String {
    let mut text = format!(
        "{} passed, {} failed, {} skipped",
        s.passed, s.failed, s.skipped
    );
    if s.expected_failures + s.unexpected_passes > 0 {
        let _ = write!(
            text,
            " ({} listed failures still fail, {} now pass)",
            s.expected_failures, s.unexpected_passes
        );
    }
    text
}

/// The end of the text report: the results per level, what was skipped and why, and the
/// closing line `N passed, N failed, N skipped`.
pub fn closing(report: &RunReport) -> String {
    let mut out = String::new();
    for (level, s) in &report.levels {
        let what = match level {
            Level::Rfc => "what the RFCs require",
            Level::Policy => "this format's policy",
        };
        let _ = writeln!(out, "level {} ({what}): {}", level.as_str(), counts(s));
    }
    let skipped = report.skipped_by_need();
    if !skipped.is_empty() {
        let list: Vec<String> = skipped
            .iter()
            .map(|(need, n)| format!("{need} ({n} case{})", if *n == 1 { "" } else { "s" }))
            .collect();
        let _ = writeln!(out, "skipped, unsupported: {}", list.join(", "));
    }
    let s = &report.summary;
    if s.expected_failures + s.unexpected_passes > 0 {
        let _ = writeln!(
            out,
            "{} listed failures still fail, {} listed failures now pass",
            s.expected_failures, s.unexpected_passes
        );
    }
    let _ = write!(
        out,
        "{} passed, {} failed, {} skipped",
        s.passed, s.failed, s.skipped
    );
    out
}

fn shorten(s: &str) -> String {
    if s.len() <= 600 {
        return s.to_string();
    }
    let cut: String = s.chars().take(600).collect();
    format!("{cut}… ({} bytes)", s.len())
}

/// The JSON report.
pub fn json(report: &RunReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .fold(String::with_capacity(s.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                _ => out.push(c),
            }
            out
        })
}

/// The JUnit XML report: one `testsuite` per section, one `testcase` per case.
pub fn junit(report: &RunReport) -> String {
    let mut sections: Vec<&str> = Vec::new();
    for c in &report.cases {
        if !sections.contains(&c.section.as_str()) {
            sections.push(&c.section);
        }
    }
    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        escape(&format!(
            "authbackup conformance: {}",
            report.implementation
        )),
        report.cases.len(),
        s.failed + s.unexpected_passes,
        s.skipped
    );
    for section in sections {
        let cases: Vec<_> = report
            .cases
            .iter()
            .filter(|c| c.section == section)
            .collect();
        let failures = cases
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    Status::Failed { .. } | Status::UnexpectedPass { .. }
                )
            })
            .count();
        let skipped = cases
            .iter()
            .filter(|c| matches!(c.status, Status::Skipped { .. }))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
            escape(section),
            cases.len()
        );
        for c in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(section),
                escape(&format!("{} {}", c.id, c.comment))
            );
            match &c.status {
                Status::Passed | Status::ExpectedFailure { .. } => {
                    let _ = writeln!(out, "/>");
                }
                Status::Skipped { reason } => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(reason)
                    );
                }
                Status::Failed {
                    expected,
                    got,
                    deviation,
                } => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">level: {} (deviates from {})\nrequirements: {}\ninput: {}\nexpected: {}\ngot: {}</failure>\n    </testcase>",
                        escape(&format!("expected {expected}, got {got}")),
                        c.level.as_str(),
                        deviation.as_str(),
                        escape(&c.requirements.join(", ")),
                        escape(&shorten(&c.input.to_string())),
                        escape(&expected.to_string()),
                        escape(&got.to_string())
                    );
                }
                Status::UnexpectedPass { reason, .. } => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\"/>\n    </testcase>",
                        escape(&format!("listed as failing ({reason}) but passed"))
                    );
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
