//! `authbackup restore` and `authbackup backup verify` as a user runs them.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::{authbackup, examples, ok};
use serde_json::Value;

/// A scratch folder with a key, an ios backup of the example accounts, and a copy of the
/// example device file.
struct Setup {
    dir: PathBuf,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let dir =
            std::env::temp_dir().join(format!("authbackup-restore-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let s = Setup { dir };
        ok(&["keygen", "-o", &s.path("key.jwk")]);
        ok(&[
            "backup",
            "create",
            "--accounts",
            examples().join("accounts.json").to_str().unwrap(),
            "--platform",
            "ios",
            "--key",
            &s.path("key.jwk"),
            "-o",
            &s.path("backup.abf"),
        ]);
        std::fs::copy(examples().join("device.json"), s.path("device.json")).unwrap();
        s
    }
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
    fn device(&self) -> Vec<u8> {
        std::fs::read(self.path("device.json")).unwrap()
    }
    fn restore(&self, extra: &[&str]) -> Output {
        let mut args = vec!["restore", "--key"];
        let (key, backup, device) = (
            self.path("key.jwk"),
            self.path("backup.abf"),
            self.path("device.json"),
        );
        args.extend([key.as_str(), backup.as_str(), "--device", device.as_str()]);
        args.extend(extra);
        authbackup(&args)
    }
    /// The report with what changes on every run (backup id, time) replaced by names.
    fn stable(&self, text: &str) -> String {
        let line = text.lines().next().unwrap_or_default();
        let id = line
            .split("backup ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap_or("?")
            .to_string();
        let created = line
            .split("created ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap_or("?")
            .to_string();
        text.replace(&id, "<backup id>")
            .replace(&created, "<created>")
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn an_ios_backup_is_refused_on_android_and_nothing_changes() {
    let s = Setup::new("platform");
    let before = s.device();
    let out = s.restore(&["--platform", "android"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: platform_mismatch: "), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(s.device(), before, "the device file changed");
}

#[test]
fn keep_both_keeps_the_hand_added_account_and_says_so() {
    let s = Setup::new("keep-both");
    let out = s.restore(&["--platform", "ios"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("keep_both_report", s.stable(&report));
    let device: Value = serde_json::from_slice(&s.device()).unwrap();
    let accounts = device["accounts"].as_array().unwrap();
    let hand_added = accounts
        .iter()
        .find(|a| a["id"] == "0d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5")
        .unwrap();
    assert_eq!(
        hand_added["secret"], "NBSWY3DPO5XXE3DEEBRGC3TL",
        "the hand-added secret was overwritten"
    );
    assert_eq!(accounts.len(), 7);
    let work = accounts
        .iter()
        .find(|a| a["type"] == "work_school")
        .unwrap();
    assert_eq!(work["state"], "action_required");
    assert!(work.get("secret").is_none() && work.get("token").is_none());
}

#[test]
fn prefer_backup_names_what_it_replaced() {
    let s = Setup::new("prefer-backup");
    let report = String::from_utf8(
        s.restore(&["--platform", "ios", "--policy", "prefer-backup"])
            .stdout,
    )
    .unwrap();
    assert!(
        report.contains(
            "replaced your entry \"example bank: Alice\" (0d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5)"
        ),
        "{report}"
    );
    let device = String::from_utf8(s.device()).unwrap();
    assert!(!device.contains("0d1e2f30-4a5b-4c6d-8e7f-90a1b2c3d4e5"));
}

#[test]
fn restoring_the_same_backup_twice_changes_nothing_the_second_time() {
    for policy in ["keep-both", "prefer-backup", "prefer-device"] {
        let s = Setup::new(&format!("twice-{policy}"));
        assert!(s
            .restore(&["--platform", "ios", "--policy", policy])
            .status
            .success());
        let once = s.device();
        let out = s.restore(&["--platform", "ios", "--policy", policy]);
        assert!(out.status.success());
        assert_eq!(
            s.device(),
            once,
            "{policy}: the second restore changed the device"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing on this device changes."));
    }
}

#[test]
fn a_dry_run_changes_nothing_and_json_is_json() {
    let s = Setup::new("dry-run");
    let before = s.device();
    let out = s.restore(&["--platform", "ios", "--dry-run", "--json"]);
    assert!(out.status.success());
    assert_eq!(s.device(), before);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["policy"], "keep-both");
    assert_eq!(report["changes_device"], true);
    assert_eq!(report["summary"]["kept_both"], 1);
    assert_eq!(report["summary"]["action_required"], 2);
}

#[test]
fn failed_restores_change_nothing() {
    let s = Setup::new("failures");
    ok(&["keygen", "-o", &s.path("other.jwk")]);
    let before = s.device();
    let wrong_key = authbackup(&[
        "restore",
        &s.path("backup.abf"),
        "--key",
        &s.path("other.jwk"),
        "--device",
        &s.path("device.json"),
        "--platform",
        "ios",
    ]);
    assert!(String::from_utf8_lossy(&wrong_key.stderr).starts_with("error: decryption_failed"));
    std::fs::write(
        s.path("bad-device.json"),
        r#"{"accounts":[{"id":"x","type":"totp","name":"n"}],"extra":1}"#,
    )
    .unwrap();
    let bad_device = authbackup(&[
        "restore",
        &s.path("backup.abf"),
        "--key",
        &s.path("key.jwk"),
        "--device",
        &s.path("bad-device.json"),
        "--platform",
        "ios",
    ]);
    assert!(String::from_utf8_lossy(&bad_device.stderr).starts_with("error: malformed"));
    let bad_policy = s.restore(&["--platform", "ios", "--policy", "overwrite"]);
    assert_eq!(bad_policy.status.code(), Some(2));
    for out in [wrong_key, bad_device, bad_policy] {
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
    }
    assert_eq!(s.device(), before);
}

#[test]
fn verify_says_whether_the_old_phone_is_safe_to_wipe() {
    let s = Setup::new("verify");
    std::fs::copy(examples().join("accounts.json"), s.path("old.json")).unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "backup".to_string(),
            "verify".into(),
            s.path("backup.abf"),
            "--key".into(),
            s.path("key.jwk"),
            "--device".into(),
            s.path("old.json"),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        authbackup(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let fresh = verify(&["--time", "1700000000"]);
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stdout)
    );
    insta::assert_snapshot!("verify_fresh", String::from_utf8(fresh.stdout).unwrap());
    // The user adds an account on the old phone; the backup is not updated.
    let mut old: Value =
        serde_json::from_slice(&std::fs::read(s.path("old.json")).unwrap()).unwrap();
    old["accounts"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "new-1", "type": "totp", "issuer": "Forge", "name": "alice", "secret": "ONSWG4TFOQQGM33SEBTG64THMU"
    }));
    // And the bank re-issues the secret of an account already backed up.
    old["accounts"][1]["secret"] = "KRSXG5BAONSWG4TFOQQGE33OEBVWK6I".into();
    std::fs::write(s.path("old.json"), serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    let stale = verify(&["--time", "1700000000"]);
    assert_eq!(stale.status.code(), Some(1));
    let stderr = String::from_utf8(stale.stderr).unwrap();
    assert_eq!(stderr, "error: unsafe_to_wipe: not safe to wipe: the backup lacks 2 account(s): Example Bank: alice, Forge: alice\n");
    insta::assert_snapshot!("verify_stale", String::from_utf8(stale.stdout).unwrap());
    let json: Value =
        serde_json::from_slice(&verify(&["--time", "1700000000", "--json"]).stdout).unwrap();
    assert_eq!(json["safe_to_wipe"], false);
}
