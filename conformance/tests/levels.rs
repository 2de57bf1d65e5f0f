//! Levels and precise skipping, tried as implementers meet them: an RFC-correct library that
//! chose other policies sees a clean `rfc` run and fails only cases flagged with the policy
//! it differs on; a library without an optional feature loses only the cases that need it.

use authbackup_conformance::model::{self, Level};
use authbackup_conformance::runner::{self, Status};
use authbackup_conformance::{report, Answer};
use common::{cases, refusing_short_secrets, run_with as run, without_t0, Variant};

mod common;
use serde_json::{json, Value};

fn otp_only(levels: &[Level]) -> runner::Selection {
    runner::Selection {
        profiles: ["hotp", "totp", "secret", "uri"].map(String::from).to_vec(),
        levels: levels.to_vec(),
        ..Default::default()
    }
}

#[test]
fn an_implementation_without_t0_loses_only_the_t0_cases() {
    let mut no_t0 = Variant(without_t0);
    let r = run(&mut no_t0, &Default::default());
    assert!(r.success(), "{}", report::human(&r));
    let t0_cases = cases()
        .iter()
        .filter(|c| c.case.features.contains(&"t0".into()))
        .count();
    assert!(t0_cases >= 6);
    assert_eq!(r.summary.skipped, t0_cases);
    // Grouped by what each skipped case needs: t0, alone or with another feature.
    let needs = r.skipped_by_need();
    assert!(
        needs.keys().all(|need| need.split('+').any(|f| f == "t0")),
        "{needs:?}"
    );
    assert_eq!(needs.values().sum::<usize>(), t0_cases);
    let alone = needs["t0"];
    assert!(
        report::closing(&r).contains(&format!("t0 ({alone} cases)")),
        "{}",
        report::closing(&r)
    );
}

#[test]
fn unsupported_operations_skip_their_cases_and_nothing_else() {
    let mut no_timing = Variant(|op: &str, _: &Value, answer| match op {
        "totp.verify_timing" | "uri.emit" => Answer::Unsupported,
        _ => answer,
    });
    let r = run(&mut no_timing, &otp_only(&[]));
    assert!(r.success(), "{}", report::human(&r));
    let skipped: Vec<_> = r
        .cases
        .iter()
        .filter(|c| matches!(c.status, Status::Skipped { .. }))
        .collect();
    assert!(skipped
        .iter()
        .all(|c| c.operation == "totp.verify_timing" || c.operation == "uri.emit"));
    assert_eq!(
        skipped.len(),
        2 + cases().iter().filter(|c| c.operation == "uri.emit").count()
    );
}

#[test]
fn refusing_secrets_under_16_bytes_fails_only_secret_length_cases() {
    let mut strict = Variant(refusing_short_secrets);
    let r = run(&mut strict, &otp_only(&[]));
    let failed: Vec<_> = r
        .cases
        .iter()
        .filter(|c| matches!(c.status, Status::Failed { .. }))
        .collect();
    assert!(!failed.is_empty());
    for c in &failed {
        assert!(
            c.flags.contains(&"SecretLength".into()),
            "{} fails: {}",
            c.id,
            c.comment
        );
        assert_eq!(c.level, Level::Policy, "{}", c.id);
    }
    let rfc = run(&mut strict, &otp_only(&[Level::Rfc]));
    assert!(rfc.success(), "{}", report::human(&rfc));
}

#[test]
fn at_level_rfc_any_error_code_refuses_and_a_matched_flag_verifies() {
    // A library whose refusals all map to one code, and whose verifier says only whether the
    // candidate matched: both are RFC behaviour.
    let mut plain = Variant(|op: &str, _: &Value, answer| match answer {
        Answer::Error(_) => Answer::Error("malformed".into()),
        Answer::Ok(v) if op == "totp.verify" => {
            Answer::Ok(json!({ "matched": !v["step"].is_null() }))
        }
        other => other,
    });
    let rfc = run(&mut plain, &otp_only(&[Level::Rfc]));
    assert!(rfc.success(), "{}", report::human(&rfc));
    assert!(rfc.cases.iter().all(|c| c.level == Level::Rfc));
    // Run at both levels, the same answers fail, each as a deviation from policy only.
    let both = run(&mut plain, &otp_only(&[]));
    assert!(!both.success());
    let rfc_counts = both.levels.get(&Level::Rfc).cloned().unwrap_or_default();
    assert_eq!(rfc_counts.failed, 0, "{}", report::closing(&both));
    assert!(both.cases.iter().any(|c| {
        c.level == Level::Rfc
            && matches!(
                c.status,
                Status::Failed {
                    deviation: Level::Policy,
                    ..
                }
            )
    }));
}

#[test]
fn every_policy_case_of_the_otp_sections_names_its_policy() {
    let files = model::load(&model::source_dir()).unwrap();
    for f in files
        .iter()
        .filter(|f| ["hotp", "totp", "secret", "uri"].contains(&f.section.as_str()))
    {
        for c in f.test_groups.iter().flat_map(|g| &g.tests) {
            let policy_flags: Vec<_> = c
                .flags
                .iter()
                .filter(|fl| f.notes[fl.as_str()].level == Some(Level::Policy))
                .collect();
            assert_eq!(
                c.level == Level::Policy,
                !policy_flags.is_empty(),
                "{}/{}",
                f.section,
                c.tc_id
            );
        }
    }
}

#[test]
fn known_bad_otp_implementations_with_rfc_bugs_are_caught_at_level_rfc() {
    for name in [
        "wrong-dynamic-truncation",
        "off-by-one-time-step",
        "lost-leading-zeros",
        "window-zero-means-default",
        "verify-unpadded-codes",
        "candidate-as-integer",
        "crashes-on-non-ascii",
        "float-counters",
        "verify-ignores-digits",
        "emits-raw-label",
    ] {
        let mut m = authbackup_conformance::bad::mutants()
            .into_iter()
            .find(|m| m.name == name)
            .unwrap();
        let r = run(&mut m, &otp_only(&[Level::Rfc]));
        assert!(r.summary.failed > 0, "{name} passes the rfc level");
    }
}

/// True for inputs the RFCs let a library refuse but not answer wrongly: those of the cases
/// flagged `MayRefuse` (keys over 64 bytes, periods other than 30 seconds, a URI fragment),
/// and a candidate that is not d ASCII digits, which a verifier may refuse instead of matching
/// nothing.
fn may_refuse(op: &str, input: &Value) -> bool {
    thread_local! {
        static FLAGGED: Vec<Value> = cases()
            .into_iter()
            .filter(|c| c.case.flags.iter().any(|f| f == "MayRefuse"))
            .map(|c| c.case.input)
            .collect();
    }
    let digits = input["digits"].as_u64().unwrap_or(6) as usize;
    let candidate = input["candidate"].as_str().unwrap_or("");
    let not_digits = candidate.len() != digits || !candidate.bytes().all(|b| b.is_ascii_digit());
    (op == "totp.verify" && not_digits) || FLAGGED.with(|f| f.contains(input))
}

#[test]
fn refusals_the_rfcs_allow_deviate_from_policy_only_and_wrong_answers_from_the_rfcs() {
    let mut refusing = Variant(|op: &str, input: &Value, answer| {
        if may_refuse(op, input) {
            Answer::Error("invalid_parameter".into())
        } else {
            answer
        }
    });
    let rfc = run(&mut refusing, &otp_only(&[Level::Rfc]));
    assert!(rfc.success(), "{}", report::human(&rfc));
    let both = run(&mut refusing, &otp_only(&[]));
    let failed: Vec<_> = both
        .cases
        .iter()
        .filter(|c| matches!(c.status, Status::Failed { .. }))
        .collect();
    assert!(failed.len() > 10, "the refusals fail at the policy level");
    assert!(failed.iter().all(|c| matches!(
        c.status,
        Status::Failed {
            deviation: Level::Policy,
            ..
        }
    )));
    // The same inputs answered wrongly instead: deviations from the RFCs.
    let mut wrong = Variant(|op: &str, input: &Value, answer| match answer {
        Answer::Ok(v) if may_refuse(op, input) && v.get("code").is_some() => {
            Answer::Ok(json!({ "code": "0".repeat(v["code"].as_str().unwrap().len()) }))
        }
        Answer::Ok(v) if may_refuse(op, input) && op == "totp.verify" => {
            Answer::Ok(json!({ "step": v["step"].as_u64().map_or(0, |s| s + 1) }))
        }
        other => other,
    });
    let rfc = run(&mut wrong, &otp_only(&[Level::Rfc]));
    assert!(rfc.summary.failed > 10, "{}", report::closing(&rfc));
}
