//! Differential fuzzing as implementers use it: each distinct disagreement reported once,
//! unsupported inputs skipped one by one, `--skip` and expected failures naming features and
//! policies, findings written as vectors with real ids and requirements.

use std::time::Duration;

use authbackup_conformance::difffuzz::{self, FuzzConfig};
use authbackup_conformance::{bad, model};
use common::{refusing_short_secrets, without_t0, Variant};

mod common;

fn config(profiles: &[&str], seconds: u64) -> FuzzConfig {
    FuzzConfig {
        seed: 7,
        time: Duration::from_secs(seconds),
        profiles: profiles.iter().map(|p| p.to_string()).collect(),
        max_findings: 50,
        ..Default::default()
    }
}

#[test]
fn each_distinct_disagreement_is_reported_once() {
    let mut sha1 = bad::mutants()
        .into_iter()
        .find(|m| m.name == "sha1-always")
        .unwrap();
    let r = difffuzz::fuzz(&mut sha1, &config(&["hotp", "totp"], 3));
    assert!(!r.findings.is_empty());
    let mut seen = std::collections::BTreeSet::new();
    for f in &r.findings {
        assert!(
            seen.insert((f.kind(), f.tags.clone())),
            "{} reported twice",
            f.kind()
        );
    }
    assert!(
        r.findings.iter().any(|f| f.repeats > 1),
        "repeats are counted, not reported"
    );
}

#[test]
fn an_unsupported_input_skips_that_input_only() {
    let mut no_t0 = Variant(without_t0);
    let r = difffuzz::fuzz(&mut no_t0, &config(&["totp"], 2));
    assert!(r.findings.is_empty());
    assert!(
        r.skipped.keys().all(|need| need.contains("t0")),
        "{:?}",
        r.skipped
    );
    let skipped: u64 = r.skipped.values().sum();
    // The other inputs of the profile went on being fuzzed.
    assert!(
        skipped > 100 && r.iterations - skipped > 100,
        "{skipped} of {}",
        r.iterations
    );
}

#[test]
fn skip_and_expected_failures_name_policies() {
    let mut refuses_short = Variant(refusing_short_secrets);
    let plain = difffuzz::fuzz(&mut refuses_short, &config(&["hotp", "totp", "uri"], 2));
    assert!(!plain.findings.is_empty());
    assert!(plain
        .findings
        .iter()
        .all(|f| f.tags.contains(&"SecretLength".into())));
    let skipping = FuzzConfig {
        skip: vec!["SecretLength".into()],
        ..config(&["hotp", "totp", "uri"], 2)
    };
    assert!(difffuzz::fuzz(&mut refuses_short, &skipping)
        .findings
        .is_empty());
    let listing = FuzzConfig {
        expected: [(
            "SecretLength".to_string(),
            authbackup_conformance::runner::Known::because("we require 128 bits"),
        )]
        .into(),
        ..config(&["hotp", "totp", "uri"], 2)
    };
    let r = difffuzz::fuzz(&mut refuses_short, &listing);
    assert!(r.findings.is_empty());
    assert!(r
        .listed
        .iter()
        .all(|(_, reason)| reason == "we require 128 bits"));
    assert!(!r.listed.is_empty());
}

#[test]
fn findings_become_vectors_with_real_ids_and_requirements() {
    let cases = model::cases(&model::load(&model::source_dir()).unwrap());
    let mut zeros = bad::mutants()
        .into_iter()
        .find(|m| m.name == "lost-leading-zeros")
        .unwrap();
    let r = difffuzz::fuzz(&mut zeros, &config(&["hotp", "totp"], 3));
    let vectors = difffuzz::vectors(&r.findings, 7, &cases);
    assert_eq!(vectors.len(), r.findings.len());
    let mut ids = std::collections::BTreeSet::new();
    for (f, v) in r.findings.iter().zip(&vectors) {
        let case: model::TestCase = serde_json::from_value(v.clone()).unwrap();
        let section = cases
            .iter()
            .find(|c| c.operation == f.operation)
            .unwrap()
            .section
            .clone();
        let last = cases
            .iter()
            .filter(|c| c.section == section)
            .map(|c| c.case.tc_id)
            .max()
            .unwrap();
        assert!(case.tc_id > last, "{} is not after {last}", case.tc_id);
        assert!(ids.insert((section, case.tc_id)));
        assert!(!case.requirements.is_empty());
        assert!(case.requirements.iter().all(|r| r.starts_with("REQ-")));
    }
}

/// REQ-PAYLOAD-009: past 64 levels a reader may refuse a payload as `malformed` whatever the
/// reference answers, so the fuzzer finds nothing in one that does; below, it may not.
#[test]
fn a_depth_limit_of_64_agrees_and_one_of_32_does_not() {
    // The document, its accounts and the account are three levels: 62 arrays make 65.
    let deeper_than_64 = "[".repeat(62);
    let mut limit_64 = Variant(|op: &str, input: &serde_json::Value, answer| {
        let deep = input["payload"]
            .as_str()
            .is_some_and(|t| t.contains(&deeper_than_64));
        if op == "payload.parse" && deep {
            authbackup_conformance::implementation::Answer::Error("malformed".into())
        } else {
            answer
        }
    });
    let r = difffuzz::fuzz(&mut limit_64, &config(&["payload"], 3));
    assert!(
        r.findings.is_empty(),
        "{:?}",
        r.findings.first().map(|f| f.kind())
    );
    let mut limit_32 = bad::mutants()
        .into_iter()
        .find(|m| m.name == "depth-limit-32")
        .unwrap();
    assert!(!difffuzz::fuzz(&mut limit_32, &config(&["payload"], 3))
        .findings
        .is_empty());
}
