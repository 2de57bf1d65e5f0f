//! The runner as a command, the way CI meets it: nothing the adapter starts outlives the run,
//! an empty selection is an error, and a piped run prints each failure as it happens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use authbackup_conformance::process::Process;
use authbackup_conformance::{model, runner, Implementation};
use serde_json::json;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_authbackup-conformance")
}

/// The processes whose command line contains `marker`.
fn survivors(marker: &str) -> Vec<String> {
    let out = Command::new("ps")
        .args(["-eo", "pid,args"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(marker) && !l.contains("ps -eo"))
        .map(str::to_string)
        .collect()
}

fn wait_until_gone(marker: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && !survivors(marker).is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    survivors(marker)
}

#[test]
fn no_adapter_process_survives_a_timeout_a_restart_or_the_end() {
    // Each adapter starts a background child; one hangs, one exits, one answers garbage.
    for (marker, tail) in [
        ("7346201", "cat >/dev/null"),
        ("7346202", "read line; exit 3"),
        ("7346203", "while read line; do echo nonsense; done"),
    ] {
        let cmd = format!("sleep {marker} & {tail}");
        let mut adapter = Process::new(&cmd, Duration::from_millis(300));
        for _ in 0..3 {
            adapter.call("hotp.generate", &json!({}));
        }
        drop(adapter);
        assert_eq!(wait_until_gone(marker), Vec::<String>::new(), "{cmd}");
    }
}

#[test]
fn a_run_through_the_command_leaves_no_process_behind() {
    let marker = "7346204";
    let status = Command::new(bin())
        .args([
            "run",
            "--run",
            "hotp/1",
            "--run",
            "hotp/2",
            "--timeout-ms",
            "300",
        ])
        .args(["--impl-cmd", &format!("sleep {marker} & cat >/dev/null")])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert_eq!(wait_until_gone(marker), Vec::<String>::new());
}

#[test]
fn a_selection_that_matches_no_case_fails() {
    for args in [
        &["--run", "nosuch/*"][..],
        &["--profile", "uri", "--run", "hotp/*"],
    ] {
        let out = Command::new(bin()).arg("run").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no case matches the selection"));
    }
}

#[test]
fn a_piped_run_prints_each_failure_and_profile_line_as_it_happens() {
    // The adapter answers its first request wrongly, then hangs: the failure of hotp/1 and
    // the hotp line must be readable while the runner still waits on the next profile.
    let adapter = r#"read line; echo '{"id": 1, "ok": {"code": "000000"}}'; cat >/dev/null"#;
    let mut child = Command::new(bin())
        .args([
            "run",
            "--run",
            "hotp/1",
            "--run",
            "totp/1",
            "--timeout-ms",
            "4000",
        ])
        .args(["--impl-cmd", adapter])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("FAIL hotp/1 [rfc]"), "{first}");
    let mut seen = vec![first];
    while !seen.last().unwrap().starts_with("hotp: ") {
        seen.push(lines.next().unwrap().unwrap());
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{seen:?} came only at the end"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run had already ended"
    );
    assert_eq!(seen.last().unwrap(), "hotp: 0 passed, 1 failed, 0 skipped");
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert_eq!(rest.last().unwrap(), "0 passed, 2 failed, 0 skipped");
    assert!(rest
        .iter()
        .any(|l| l == "level rfc (what the RFCs require): 0 passed, 2 failed, 0 skipped"));
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_verifier_that_stops_at_the_first_match_fails_each_timing_case_run_alone() {
    let cases = model::cases(&model::load(&model::source_dir()).unwrap());
    let timing: Vec<_> = cases
        .iter()
        .filter(|c| c.operation == "totp.verify_timing")
        .collect();
    assert_eq!(timing.len(), 2);
    for case in timing {
        let mut early = authbackup_conformance::bad::mutants()
            .into_iter()
            .find(|m| m.name == "verify-stops-at-first-match")
            .unwrap();
        let selection = runner::Selection {
            run: vec![case.id.clone()],
            ..Default::default()
        };
        let r = runner::run(
            &mut early,
            &cases,
            &selection,
            &Default::default(),
            &mut |_| {},
        );
        assert_eq!(r.summary.failed, 1, "{}", case.id);
    }
}

#[test]
fn an_integer_above_2_64_in_an_answer_is_shown_as_written() {
    let adapter = r#"read line; echo '{"id": 1, "ok": {"code": 18446744073709551616}}'"#;
    let out = Command::new(bin())
        .args(["run", "--run", "hotp/1", "--impl-cmd", adapter])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("18446744073709551616"), "{text}");
    assert!(!text.contains("e19"), "{text}");
}

#[test]
fn a_case_may_allow_more_time_than_the_default() {
    let slow = r#"while read line; do sleep 1; echo "{\"id\": $(echo "$line" | sed 's/.*"id":\([0-9]*\).*/\1/'), \"ok\": {}}"; done"#;
    let mut adapter = Process::new(slow, Duration::from_millis(300));
    assert!(matches!(
        adapter.call("hotp.generate", &json!({})),
        authbackup_conformance::Answer::Broken(_)
    ));
    adapter.allow_time(Some(Duration::from_secs(5)));
    assert_eq!(
        adapter.call("hotp.generate", &json!({})),
        authbackup_conformance::Answer::Ok(json!({}))
    );
    // Exactly the cases with a huge generated input (a $repeat of 10,000 or more) allow more.
    let cases = model::cases(&model::load(&model::source_dir()).unwrap());
    let huge = |v: &serde_json::Value| -> bool {
        let text = v.to_string();
        text.match_indices("\"times\":").any(|(i, m)| {
            text[i + m.len()..]
                .split([',', '}'])
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= 10_000)
        })
    };
    let allowed: Vec<_> = cases
        .iter()
        .filter(|c| c.case.timeout_ms.is_some())
        .map(|c| c.id.clone())
        .collect();
    let big: Vec<_> = cases
        .iter()
        .filter(|c| huge(&c.case.input))
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(allowed, big);
    assert!(
        allowed.len() >= 4,
        "the 64 MiB containers, 100,000 and 100,001 accounts: {allowed:?}"
    );
}

#[test]
fn the_runner_gives_a_case_its_allowance() {
    // An adapter that takes a second per request: only the cases that allow it pass the time.
    let slow = r#"while read line; do sleep 1; echo "{\"id\": $(echo "$line" | cut -c7-20 | cut -d, -f1), \"error\": \"too_large\"}"; done"#;
    let cases = model::cases(&model::load(&model::source_dir()).unwrap());
    // The 4 MB payloads only: the 64 MiB container would just make the test slower.
    let huge: Vec<_> = cases
        .iter()
        .filter(|c| c.case.timeout_ms.is_some() && c.section == "payload")
        .collect();
    // The adapter's one answer is right for the payloads refused as too large.
    let refused = huge
        .iter()
        .filter(|c| c.case.error.as_deref() == Some("too_large"))
        .count();
    assert!(
        refused >= 1 && refused < huge.len(),
        "{refused} of {}",
        huge.len()
    );
    let huge: Vec<String> = huge.iter().map(|c| c.id.clone()).collect();
    let mut adapter = Process::new(slow, Duration::from_millis(300));
    let selection = runner::Selection {
        run: huge,
        ..Default::default()
    };
    let r = runner::run(
        &mut adapter,
        &cases,
        &selection,
        &Default::default(),
        &mut |_| {},
    );
    assert_eq!(
        r.summary.passed,
        refused,
        "{}",
        authbackup_conformance::report::human(&r)
    );
}
