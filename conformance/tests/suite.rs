//! The suite tests itself: the reference passes every case, in process and through the
//! adapter protocol; every known-bad implementation is caught; broken adapters fail cases
//! without stopping the run; the reports are well formed; the vectors match the generator,
//! their schema, and cover the spec.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use authbackup_conformance::{
    bad, coverage, generate, model, process::Process, reference::Reference, report, runner, spec,
    Implementation,
};

use common::{cases, run_with};

mod common;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_authbackup-conformance")
}

#[test]
fn the_reference_passes_every_case() {
    let r = run_with(&mut Reference, &Default::default());
    assert!(r.success(), "{}", report::human(&r));
    assert_eq!(r.summary.passed, r.cases.len());
    assert!(r.cases.len() > 400);
    // Every section has cases, and every operation of the protocol is exercised.
    for section in model::SECTIONS {
        assert!(r.cases.iter().any(|c| c.section == section), "{section}");
    }
}

#[test]
fn the_vectors_are_what_the_generator_writes() {
    assert_eq!(
        generate::check(&model::source_dir()),
        Vec::<String>::new(),
        "run `authbackup-conformance generate`"
    );
    // And the generator is deterministic.
    let (a, b) = (generate::generate(), generate::generate());
    assert_eq!(
        a.iter().map(generate::render).collect::<Vec<_>>(),
        b.iter().map(generate::render).collect::<Vec<_>>()
    );
}

#[test]
fn the_vectors_follow_their_schema_and_ids_are_unique() {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/schemas/vectors.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for section in model::SECTIONS {
        let doc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(model::source_dir().join(format!("{section}.json"))).unwrap(),
        )
        .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{section}: {errors:?}");
    }
    let files = model::load(&model::source_dir()).unwrap();
    for f in &files {
        let n: usize = f.test_groups.iter().map(|g| g.tests.len()).sum();
        assert_eq!(n, f.number_of_tests, "{}", f.section);
        for g in &f.test_groups {
            for t in &g.tests {
                for flag in &t.flags {
                    assert!(
                        f.notes.contains_key(flag),
                        "{}/{}: flag {flag} has no note",
                        f.section,
                        t.tc_id
                    );
                }
            }
        }
    }
    let all = model::cases(&files);
    let ids: std::collections::HashSet<_> = all.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), all.len());
}

#[test]
fn rfc_values_are_in_verbatim() {
    let all = cases();
    let find = |id: &str| all.iter().find(|c| c.id == id).unwrap().case.clone();
    // RFC 4226 Appendix D, count 0, and RFC 6238 Appendix B, SHA1 at T = 59 and SHA512 at 20000000000.
    assert_eq!(find("hotp/1").output.unwrap()["code"], "755224");
    assert_eq!(find("totp/1").output.unwrap()["code"], "94287082");
    assert_eq!(find("totp/18").output.unwrap()["code"], "47863826");
}

#[test]
fn every_known_bad_implementation_is_caught() {
    // Judged as the runner judges, stopping at the first failing case, the huge inputs last
    // (the `self-test` command runs every case and counts them).
    let mut all = cases();
    all.sort_by_key(|c| c.case.timeout_ms.is_some());
    for mut m in bad::mutants() {
        let caught = all.iter().any(|case| {
            let (answers, message) = runner::ask(&mut m, case);
            let leaks =
                message.is_some_and(|t| runner::leaked_secret(&case.case.input, &t).is_some());
            leaks || runner::judge_all(case, &answers).is_err()
        });
        assert!(caught, "{} ({}) passed every case", m.name, m.bug);
    }
}

#[test]
fn every_must_is_covered() {
    let reqs = spec::requirements(&spec::source_dir()).unwrap();
    let cov = coverage::compute(&reqs, &cases());
    assert!(cov.complete(), "{}", coverage::human(&cov));
    assert!(cov.uncovered.is_empty());
    let out = Command::new(bin()).arg("coverage").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_reference_adapter_passes_through_the_protocol() {
    let mut adapter = Process::new(&format!("'{}' adapter", bin()), Duration::from_secs(30));
    let r = run_with(&mut adapter, &Default::default());
    assert!(r.success(), "{}", report::human(&r));
    assert_eq!(r.summary.skipped, 0);
    assert_eq!(adapter.restarts(), 0);
}

#[test]
fn the_python_example_adapter_passes_its_profiles() {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("AUTHBACKUP_SKIP_PYTHON").is_some(),
            "python3 is missing: install it or set AUTHBACKUP_SKIP_PYTHON=1"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/python/adapter.py");
    let mut adapter = Process::new(
        &format!("python3 '{}'", script.display()),
        Duration::from_secs(30),
    );
    let r = run_with(&mut adapter, &Default::default());
    assert!(r.success(), "{}", report::human(&r));
    // Every profile but the store's, which reports file operations.
    for section in model::SECTIONS.iter().filter(|s| **s != "store") {
        let cases = r.cases.iter().filter(|c| c.section == *section);
        assert!(
            cases.clone().count() > 0 && cases.clone().all(|c| c.status == runner::Status::Passed),
            "{section}: every case must pass (the container profile needs the packages of \
             conformance/adapters/python/requirements.txt)"
        );
    }
    // The example adapter leaves the store profile out: its cases are skipped, not passed.
    assert!(r
        .cases
        .iter()
        .filter(|c| c.section == "store")
        .all(|c| matches!(c.status, runner::Status::Skipped { .. })));
}

fn few() -> runner::Selection {
    runner::Selection {
        run: vec!["hotp/1".into(), "hotp/2".into(), "totp/1".into()],
        ..Default::default()
    }
}

#[test]
fn a_crashing_adapter_fails_cases_and_the_run_goes_on() {
    let mut adapter = Process::new("read line; exit 3", Duration::from_secs(5));
    let r = run_with(&mut adapter, &few());
    assert_eq!(r.cases.len(), 3);
    assert_eq!(r.summary.failed, 3, "{}", report::human(&r));
    assert!(adapter.restarts() >= 3);
    assert!(
        report::human(&r).contains("the adapter exited"),
        "{}",
        report::human(&r)
    );
}

#[test]
fn a_hanging_adapter_times_out_and_the_run_goes_on() {
    let mut adapter = Process::new("sleep 30", Duration::from_millis(300));
    let r = run_with(&mut adapter, &few());
    assert_eq!(r.summary.failed, 3);
    assert!(
        report::human(&r).contains("no response within 300 ms"),
        "{}",
        report::human(&r)
    );
}

#[test]
fn garbage_output_fails_the_case() {
    let mut adapter = Process::new(
        "while read line; do echo 'this is not json'; done",
        Duration::from_secs(5),
    );
    let r = run_with(&mut adapter, &few());
    assert_eq!(r.summary.failed, 3);
    assert!(report::human(&r).contains("unparsable response"));
}

#[test]
fn junit_output_is_well_formed_xml() {
    let mut lost_zeros = bad::mutants()
        .into_iter()
        .find(|m| m.name == "lost-leading-zeros")
        .unwrap();
    let failing = run_with(&mut lost_zeros, &Default::default());
    for r in [&failing, &run_with(&mut Reference, &Default::default())] {
        let xml = report::junit(r);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let cases = root
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, r.cases.len());
        let failures = root
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, r.summary.failed);
        assert_eq!(
            root.attribute("failures")
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            r.summary.failed
        );
    }
    assert!(failing.summary.failed > 0);
    // The CLI writes the same report to a file.
    let out = std::env::temp_dir().join(format!("abf-junit-{}.xml", std::process::id()));
    let status = Command::new(bin())
        .args(["run", "--profile", "uri", "--format", "junit", "--output"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    roxmltree::Document::parse(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let _ = std::fs::remove_file(out);
}

#[test]
fn expected_failures_keep_ci_green_and_can_only_shrink() {
    let mut lost_zeros = bad::mutants()
        .into_iter()
        .find(|m| m.name == "lost-leading-zeros")
        .unwrap();
    let all = cases();
    let first = runner::run(
        &mut lost_zeros,
        &all,
        &Default::default(),
        &Default::default(),
        &mut |_| {},
    );
    let mut listed: runner::ExpectedFailures = first
        .cases
        .iter()
        .filter(|c| matches!(c.status, runner::Status::Failed { .. }))
        .map(|c| {
            (
                c.id.clone(),
                runner::Known::because("we return codes as integers; fix pending"),
            )
        })
        .collect();
    let green = runner::run(
        &mut lost_zeros,
        &all,
        &Default::default(),
        &listed,
        &mut |_| {},
    );
    assert!(green.success());
    assert_eq!(green.summary.expected_failures, first.summary.failed);
    // A listed case that passes turns the run red: the list can only shrink.
    listed.insert("hotp/2".into(), runner::Known::because("stale entry"));
    let red = runner::run(
        &mut lost_zeros,
        &all,
        &Default::default(),
        &listed,
        &mut |_| {},
    );
    assert!(!red.success());
    assert_eq!(red.summary.unexpected_passes, 1);
    assert!(report::human(&red).contains("UNEXPECTED PASS hotp/2"));
    listed.remove("hotp/2");
    // A list that says what its failures deviate from is held to it: lost zeros deviate
    // from the RFCs, so listing them as policy deviations fails the run, and at the RFC level
    // alone such entries do not apply at all.
    let as_policy: runner::ExpectedFailures = listed
        .iter()
        .map(|(g, k)| {
            let mut k = k.clone();
            k.deviates = Some(authbackup_conformance::model::Level::Policy);
            (g.clone(), k)
        })
        .collect();
    let misclassified = runner::run(
        &mut lost_zeros,
        &all,
        &Default::default(),
        &as_policy,
        &mut |_| {},
    );
    let from_rfcs = first
        .cases
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                runner::Status::Failed {
                    deviation: authbackup_conformance::model::Level::Rfc,
                    ..
                }
            )
        })
        .count();
    assert!(from_rfcs > 0);
    assert_eq!(misclassified.summary.failed, from_rfcs);
    assert_eq!(
        misclassified.summary.expected_failures,
        first.summary.failed - from_rfcs
    );
    let rfc_only = runner::Selection {
        levels: vec![authbackup_conformance::model::Level::Rfc],
        ..Default::default()
    };
    let rfc_run = runner::run(&mut lost_zeros, &all, &rfc_only, &as_policy, &mut |_| {});
    assert_eq!(rfc_run.summary.expected_failures, 0);
    assert!(rfc_run.summary.failed > 0);
}

#[test]
fn the_command_line_selects_profiles_and_globs() {
    let out = Command::new(bin())
        .args([
            "run",
            "--profile",
            "hotp",
            "--skip",
            "hotp/1*",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = r["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.is_empty()
            && ids
                .iter()
                .all(|id| id.starts_with("hotp/") && !id.starts_with("hotp/1"))
    );
    let list = Command::new(bin()).arg("list").output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("cases in all"));
    let check = Command::new(bin())
        .args(["generate", "--check"])
        .output()
        .unwrap();
    assert!(check.status.success());
}

#[test]
fn a_failure_report_names_requirements_input_expected_and_got() {
    let mut sha1 = bad::mutants()
        .into_iter()
        .find(|m| m.name == "sha1-always")
        .unwrap();
    let r = run_with(
        &mut sha1,
        &runner::Selection {
            run: vec!["totp/2".into()],
            ..Default::default()
        },
    );
    insta::assert_snapshot!(report::human(&r));
}

fn quick(seconds: u64) -> authbackup_conformance::difffuzz::FuzzConfig {
    authbackup_conformance::difffuzz::FuzzConfig {
        seed: 1,
        time: Duration::from_secs(seconds),
        max_findings: 1,
        ..Default::default()
    }
}

#[test]
fn differential_fuzzing_finds_each_kind_of_bug_within_a_minute() {
    let kinds = [
        "wrong-dynamic-truncation",
        "off-by-one-time-step",
        "sha1-always",
        "lost-leading-zeros",
        "base32-padding-refused",
        "uri-repeated-secret-last-wins",
        "secret-kept-in-placeholder",
        "unknown-members-ignored",
        "cross-platform-restore",
        "overwrites-under-keep-both",
        "placeholder-restored-ready",
        "no-precondition-checks",
        "passphrase-trimmed",
        "ec-d-unchecked",
        "surrogates-checked-late",
    ];
    for kind in kinds {
        let mut m = bad::mutants().into_iter().find(|m| m.name == kind).unwrap();
        let r = authbackup_conformance::difffuzz::fuzz(&mut m, &quick(60));
        assert_eq!(
            r.findings.len(),
            1,
            "{kind}: no disagreement in {} inputs",
            r.iterations
        );
        // The finding is a ready-to-add vector the reference passes and the bad one fails.
        let f = &r.findings[0];
        assert_eq!(Reference.call(&f.operation, &f.input), f.expected);
        assert_ne!(m.call(&f.operation, &f.input), f.expected);
        assert!(f.as_vector(1, 1, &[])["result"].is_string());
    }
}

#[test]
fn differential_fuzzing_finds_nothing_in_the_reference() {
    let r = authbackup_conformance::difffuzz::fuzz(&mut Reference, &quick(2));
    assert!(r.findings.is_empty());
    assert!(r.iterations > 100);
    let out = Command::new(bin())
        .args([
            "fuzz",
            "--time",
            "3",
            "--impl-cmd",
            &format!("'{}' adapter", bin()),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(" 0 disagreements"));
}

#[test]
fn bench_checks_every_code_through_the_protocol() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("adapters/python/adapter.py");
    let out = Command::new(bin())
        .args([
            "bench",
            "--seconds",
            "0.2",
            "--accounts",
            "50",
            "--algorithm",
            "SHA256",
            "--impl-cmd",
        ])
        .arg(format!("python3 '{}'", script.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("implementation")
            && text.contains("reference adapter")
            && text.contains(", 0 wrong)"),
        "{text}"
    );
    // The Python adapter times its own code generation (totp.batch_timed); the reference in
    // process and the floor are printed beside it.
    let timed = text
        .lines()
        .find(|l| l.trim_start().starts_with("implementation") && l.contains(" ns "))
        .unwrap_or_else(|| panic!("no timed line in {text}"));
    assert!(timed.contains("0 wrong"), "{timed}");
    assert!(
        text.contains("(in process)") && text.contains("(two compression-function calls)"),
        "{text}"
    );

    /// Gets the first code of every batch wrong.
    struct OneWrong;
    impl Implementation for OneWrong {
        fn call(&mut self, op: &str, input: &serde_json::Value) -> authbackup_conformance::Answer {
            match Reference.call(op, input) {
                authbackup_conformance::Answer::Ok(mut v) => {
                    v["codes"][0] = "000000".into();
                    authbackup_conformance::Answer::Ok(v)
                }
                other => other,
            }
        }
        fn name(&self) -> String {
            "one wrong".into()
        }
    }
    for op in ["totp.batch", "totp.batch_timed"] {
        let t = authbackup_conformance::bench::measure(&mut OneWrong, op, "SHA1", 10, 0.05)
            .unwrap()
            .unwrap();
        assert!(t.wrong > 0 && t.codes > 0, "{op}");
    }
}
