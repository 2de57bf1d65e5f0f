//! The command's writes under stress (issue #15): concurrent restores lose nothing, failed
//! commands leave their folder exactly as it was, temporary files do not outlive the next
//! command, symlinks are written through, and no output replaces one of the command's inputs.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use common::{accounts, authbackup, contents, create_args, ok, strs, two_backups, Scratch};
use serde_json::Value;

/// The ids in a device accounts file.
fn ids(path: &str) -> BTreeSet<String> {
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

fn restore_cmd(s: &Scratch, backup: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_authbackup"));
    c.args([
        "restore",
        &s.path(backup),
        "--key",
        &s.path("key.jwk"),
        "--device",
        &s.path("device.json"),
        "--platform",
        "ios",
    ]);
    c
}

#[test]
fn concurrent_restores_lose_no_account() {
    let s = Scratch::new("concurrent");
    two_backups(&s);
    for round in 0..30 {
        std::fs::write(s.path("device.json"), r#"{"accounts": []}"#).unwrap();
        let mut a = restore_cmd(&s, "a.abf").output_async();
        let mut b = restore_cmd(&s, "b.abf").output_async();
        let (ra, rb) = (a.wait(), b.wait());
        let now = ids(&s.path("device.json"));
        for (result, tag) in [(ra, "a"), (rb, "b")] {
            let theirs: BTreeSet<String> = (0..3).map(|i| format!("{tag}-{i}")).collect();
            if result {
                assert!(
                    theirs.is_subset(&now),
                    "round {round}: {tag} exited 0 but lost accounts: {now:?}"
                );
            } else {
                assert!(
                    theirs.is_disjoint(&now),
                    "round {round}: {tag} failed but applied accounts"
                );
            }
        }
    }
    assert_no_hidden_files(&s);
}

/// No hidden file (a temporary file of this tool) is left in the scratch folder.
fn assert_no_hidden_files(s: &Scratch) {
    let hidden: Vec<String> = contents(&s.dir)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "temporary files left: {hidden:?}");
}

/// A started command, waited for later.
struct Running(std::process::Child);

trait Spawn {
    fn output_async(&mut self) -> Running;
}

impl Spawn for Command {
    fn output_async(&mut self) -> Running {
        Running(
            self.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        )
    }
}

impl Running {
    /// True when the command exited 0.
    fn wait(&mut self) -> bool {
        self.0.wait().unwrap().success()
    }
}

fn fails_and_changes_nothing(s: &Scratch, args: &[&str]) -> Output {
    let before = contents(&s.dir);
    let out = authbackup(args);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(contents(&s.dir), before, "{args:?} changed the folder");
    out
}

/// What `cli_errors` does not already try: a private key in a missing folder (neither key
/// file is written), a backup over its own accounts file, and the one replacement allowed (a
/// backup over a backup).
#[test]
fn failed_writes_leave_the_folder_as_it_was() {
    let s = Scratch::new("failed-writes");
    two_backups(&s);
    fails_and_changes_nothing(
        &s,
        &[
            "keygen",
            "--ec",
            "-o",
            &s.path("nodir/p.jwk"),
            "--public-out",
            &s.path("pub.jwk"),
        ],
    );
    let out = fails_and_changes_nothing(&s, &strs(&create_args(&s, "a.json", &s.path("a.json"))));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to replace it"));
    ok(&strs(&create_args(&s, "a.json", &s.path("b.abf"))));
}

#[test]
fn the_next_command_removes_stale_temporary_files() {
    let s = Scratch::new("stale");
    two_backups(&s);
    std::fs::write(s.path("device.json"), r#"{"accounts": []}"#).unwrap();
    // What a killed command leaves: this tool's temporary files for the target, old and new.
    std::fs::write(
        s.path(".device.json.Xy12Ab34.abf-tmp"),
        accounts("secret", 1),
    )
    .unwrap();
    std::fs::write(s.path(".device.json.tmp"), accounts("secret", 1)).unwrap();
    std::fs::write(s.path(".other.json.Zz99.abf-tmp"), "not ours to remove").unwrap();
    assert!(restore_cmd(&s, "a.abf").output().unwrap().status.success());
    let names: Vec<String> = contents(&s.dir).into_iter().map(|(n, _)| n).collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".device.json")),
        "{names:?}"
    );
    assert!(
        names.contains(&".other.json.Zz99.abf-tmp".to_string()),
        "another target's file stays"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_device_file_is_written_through() {
    let s = Scratch::new("symlink");
    two_backups(&s);
    std::fs::write(s.path("real.json"), r#"{"accounts": []}"#).unwrap();
    std::os::unix::fs::symlink(s.path("real.json"), s.path("device.json")).unwrap();
    assert!(restore_cmd(&s, "a.abf").output().unwrap().status.success());
    let link = std::fs::symlink_metadata(s.path("device.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        ids(&s.path("real.json")).len(),
        3,
        "the real file was not updated"
    );
    // A dangling link is refused, and stays as it was.
    std::fs::remove_file(s.path("real.json")).unwrap();
    let before = contents(&s.dir);
    assert!(!restore_cmd(&s, "a.abf").output().unwrap().status.success());
    assert_eq!(contents(&s.dir), before);
}

#[test]
fn killed_restores_leave_nothing_after_the_next_command() {
    let s = Scratch::new("killed");
    two_backups(&s);
    std::fs::write(s.path("device.json"), r#"{"accounts": []}"#).unwrap();
    // Kill restores at moments spread over their run (a restore takes a few milliseconds).
    for i in 0..50u64 {
        let mut child = restore_cmd(&s, if i % 2 == 0 { "a.abf" } else { "b.abf" })
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 20_000));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the kill interrupted, the device file is whole: one of its states.
        serde_json::from_slice::<Value>(&std::fs::read(s.path("device.json")).unwrap())
            .expect("the device file is always complete JSON");
    }
    assert!(restore_cmd(&s, "a.abf").output().unwrap().status.success());
    assert_no_hidden_files(&s);
}

#[test]
fn restored_placeholders_carry_no_code_parameters_and_export_keeps_policy() {
    let s = Scratch::new("placeholders");
    ok(&["keygen", "-o", &s.path("key.jwk")]);
    std::fs::write(
        s.path("old.json"),
        r#"{"accounts": [
            {"id": "w", "type": "work_school", "name": "alice@contoso.com", "token": "tok"},
            {"id": "v", "type": "totp", "issuer": "VPN", "name": "alice", "secret": "JBSWY3DPEHPK3PXP", "excluded_by_policy": true}
        ]}"#,
    )
    .unwrap();
    ok(&strs(&create_args(&s, "old.json", &s.path("b.abf"))));
    std::fs::write(s.path("device.json"), r#"{"accounts": []}"#).unwrap();
    assert!(restore_cmd(&s, "b.abf").output().unwrap().status.success());
    let device: Value =
        serde_json::from_slice(&std::fs::read(s.path("device.json")).unwrap()).unwrap();
    let w = &device["accounts"][0];
    assert_eq!(w["state"], "action_required");
    for member in ["algorithm", "digits", "period", "secret", "token"] {
        assert!(
            w.get(member).is_none(),
            "a restored placeholder has {member}: {w}"
        );
    }
    // The account policy keeps on the device never leaves it through export either.
    let out = authbackup(&[
        "export",
        "--format",
        "otpauth",
        "--accounts",
        &s.path("old.json"),
    ]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("JBSWY3DPEHPK3PXP"));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("left out 1 account(s) an organisation policy excludes"));
}

#[test]
fn an_import_that_imports_nothing_fails_and_writes_nothing() {
    let s = Scratch::new("empty-import");
    std::fs::write(s.path("empty.txt"), "").unwrap();
    let out = fails_and_changes_nothing(
        &s,
        &[
            "import",
            "--from",
            "otpauth",
            &s.path("empty.txt"),
            "-o",
            &s.path("out.json"),
            "--allow-partial",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: not_imported: "));
}

#[test]
fn import_never_replaces_a_device_file_unless_asked_to_merge() {
    let s = Scratch::new("merge");
    std::fs::write(
        s.path("one.txt"),
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\n",
    )
    .unwrap();
    std::fs::write(
        s.path("two.txt"),
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\notpauth://totp/Other:bob?secret=MFRGGZDFMZTWQ2LK\n",
    )
    .unwrap();
    ok(&[
        "import",
        "--from",
        "otpauth",
        &s.path("one.txt"),
        "-o",
        &s.path("device.json"),
    ]);
    let out = fails_and_changes_nothing(
        &s,
        &[
            "import",
            "--from",
            "otpauth",
            &s.path("two.txt"),
            "-o",
            &s.path("device.json"),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: io_error: "));
    let merged = authbackup(&[
        "import",
        "--from",
        "otpauth",
        &s.path("two.txt"),
        "-o",
        &s.path("device.json"),
        "--merge",
    ]);
    assert!(merged.status.success());
    assert!(String::from_utf8_lossy(&merged.stderr).contains("1 added, 1 already there"));
    assert_eq!(
        ids(&s.path("device.json")).len(),
        2,
        "the account already there is not added twice"
    );
}
