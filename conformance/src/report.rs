//! The three forms of a run's report: text for people, JSON, and JUnit XML for CI systems.

use std::fmt::Write as _;

use crate::runner::{RunReport, Status};

/// The text report: every failure with its requirements, input, expected and got (each cut
/// at 600 characters; `--format json` has them whole) and, for a failed check, why; then the
/// closing line `N passed, N failed, N skipped`.
pub fn human(report: &RunReport) -> String {
    let mut out = String::new();
    for c in &report.cases {
        match &c.status {
            Status::Failed { expected, got } => {
                let _ = writeln!(out, "FAIL {} — {}", c.id, c.comment);
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
            Status::UnexpectedPass { reason } => {
                let _ = writeln!(
                    out,
                    "UNEXPECTED PASS {} — listed as failing ({reason}); remove it from the list",
                    c.id
                );
            }
            _ => {}
        }
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
                Status::Failed { expected, got } => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">requirements: {}\ninput: {}\nexpected: {}\ngot: {}</failure>\n    </testcase>",
                        escape(&format!("expected {expected}, got {got}")),
                        escape(&c.requirements.join(", ")),
                        escape(&shorten(&c.input.to_string())),
                        escape(&expected.to_string()),
                        escape(&got.to_string())
                    );
                }
                Status::UnexpectedPass { reason } => {
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
