//! `authbackup keygen` and `authbackup backup ...` as a user runs them.

mod common;

use std::path::Path;

use common::{authbackup, examples, ok, Scratch as Fixture};
use serde_json::Value;

/// A backup of the example accounts sealed to a symmetric key, an EC public key and the
/// example passphrase.
fn made_backup(f: &Fixture) -> String {
    ok(&["keygen", "-o", &f.path("key.jwk")]);
    ok(&[
        "keygen",
        "--ec",
        "-o",
        &f.path("ec.jwk"),
        "--public-out",
        &f.path("ec.pub.jwk"),
    ]);
    let accounts = examples().join("accounts.json");
    let passphrase = examples().join("passphrase.txt");
    ok(&[
        "backup",
        "create",
        "--accounts",
        accounts.to_str().unwrap(),
        "--platform",
        "ios",
        "--key",
        &f.path("key.jwk"),
        "--key",
        &f.path("ec.pub.jwk"),
        "--passphrase-file",
        passphrase.to_str().unwrap(),
        "-o",
        &f.path("backup.abf"),
    ])
}

fn canonical_secret(text: &str) -> String {
    text.replace(' ', "")
        .to_uppercase()
        .trim_end_matches('=')
        .to_string()
}

#[test]
fn create_then_open_gives_back_what_each_type_allows() {
    let f = Fixture::new("roundtrip");
    made_backup(&f);
    let input: Value =
        serde_json::from_slice(&std::fs::read(examples().join("accounts.json")).unwrap()).unwrap();
    let passphrase = examples().join("passphrase.txt");
    let unlocks = [
        vec!["--key".to_string(), f.path("key.jwk")],
        vec!["--key".to_string(), f.path("ec.jwk")],
        vec![
            "--passphrase-file".to_string(),
            passphrase.to_string_lossy().into_owned(),
        ],
    ];
    for unlock in unlocks {
        let mut args = vec!["backup".to_string(), "open".into(), f.path("backup.abf")];
        args.extend(unlock.clone());
        args.push("--reveal-secrets".into());
        let out = ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let payload: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(payload["platform"], "ios");
        let restored = payload["accounts"].as_array().unwrap();
        let expected: Vec<&Value> = input["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a.get("excluded_by_policy") != Some(&Value::Bool(true)))
            .collect();
        assert_eq!(restored.len(), expected.len(), "{unlock:?}");
        for (got, want) in restored.iter().zip(expected) {
            assert_eq!(got["id"], want["id"]);
            assert_eq!(got["type"], want["type"]);
            assert_eq!(got["name"], want["name"]);
            let object = got.as_object().unwrap();
            match want["type"].as_str().unwrap() {
                "totp" | "msa_totp" => {
                    assert_eq!(got["issuer"], want["issuer"]);
                    assert_eq!(
                        got["secret"].as_str().unwrap(),
                        canonical_secret(want["secret"].as_str().unwrap())
                    );
                    assert_eq!(
                        got["digits"],
                        want.get("digits").cloned().unwrap_or(6.into())
                    );
                    assert_eq!(
                        got["period"],
                        want.get("period").cloned().unwrap_or(30.into())
                    );
                }
                _ => {
                    // A placeholder is id, type and name: no secret, no token, nothing else.
                    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
                    keys.sort_unstable();
                    assert_eq!(keys, ["id", "name", "type"], "{got}");
                }
            }
            assert!(!object.contains_key("token"));
        }
        assert!(!out.contains("never-backed-up"), "a token leaked");
    }
}

#[test]
fn open_redacts_secrets_by_default() {
    let f = Fixture::new("redact");
    made_backup(&f);
    let out = ok(&[
        "backup",
        "open",
        &f.path("backup.abf"),
        "--key",
        &f.path("key.jwk"),
    ]);
    assert!(out.contains("\"secret\": \"<redacted>\""));
    assert!(!out.contains("JBSWY3DPEHPK3PXP"));
}

#[test]
fn a_second_recipient_is_added_and_the_first_removed() {
    let f = Fixture::new("recipients");
    ok(&["keygen", "-o", &f.path("old.jwk")]);
    ok(&["keygen", "-o", &f.path("new.jwk")]);
    let accounts = examples().join("accounts.json");
    ok(&[
        "backup",
        "create",
        "--accounts",
        accounts.to_str().unwrap(),
        "--platform",
        "android",
        "--key",
        &f.path("old.jwk"),
        "-o",
        &f.path("b.abf"),
    ]);
    ok(&[
        "backup",
        "add-recipient",
        &f.path("b.abf"),
        "--key",
        &f.path("old.jwk"),
        "--new-key",
        &f.path("new.jwk"),
        "-o",
        &f.path("b.abf"),
    ]);
    let old_kid: Value =
        serde_json::from_slice(&std::fs::read(f.path("old.jwk")).unwrap()).unwrap();
    let old_kid = old_kid["kid"].as_str().unwrap().to_string();
    ok(&[
        "backup",
        "remove-recipient",
        &f.path("b.abf"),
        "--kid",
        &old_kid,
        "-o",
        &f.path("b.abf"),
    ]);
    ok(&[
        "backup",
        "open",
        &f.path("b.abf"),
        "--key",
        &f.path("new.jwk"),
    ]);
    let refused = authbackup(&[
        "backup",
        "open",
        &f.path("b.abf"),
        "--key",
        &f.path("old.jwk"),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).starts_with("error: decryption_failed: "));
}

#[test]
fn a_kid_that_begins_with_a_hyphen_can_be_removed() {
    // Thumbprint kids are base64url: about one in 64 begins with '-'.
    let f = Fixture::new("hyphen");
    let key = |kid: &str, k: &str| format!(r#"{{"kty":"oct","kid":"{kid}","k":"{k}"}}"#);
    std::fs::write(
        f.path("a.jwk"),
        key("-dash", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .unwrap();
    std::fs::write(
        f.path("b.jwk"),
        key("plain", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA"),
    )
    .unwrap();
    let accounts = examples().join("accounts.json");
    ok(&[
        "backup",
        "create",
        "--accounts",
        accounts.to_str().unwrap(),
        "--platform",
        "ios",
        "--key",
        &f.path("a.jwk"),
        "--key",
        &f.path("b.jwk"),
        "-o",
        &f.path("b.abf"),
    ]);
    ok(&[
        "backup",
        "remove-recipient",
        &f.path("b.abf"),
        "--kid",
        "-dash",
        "-o",
        &f.path("b.abf"),
    ]);
    let inspected = ok(&["backup", "inspect", &f.path("b.abf")]);
    assert!(
        !inspected.contains("-dash") && inspected.contains("kid plain"),
        "{inspected}"
    );
}

#[test]
fn inspect_shows_the_headers_without_a_key() {
    let f = Fixture::new("inspect");
    let report = made_backup(&f);
    let inspected = ok(&["backup", "inspect", &f.path("backup.abf")]);
    // Replace what differs on every run (ids, kids, time) with names.
    let jwk = |name: &str| -> String {
        let v: Value = serde_json::from_slice(&std::fs::read(f.path(name)).unwrap()).unwrap();
        v["kid"].as_str().unwrap().to_string()
    };
    let backup_id = report
        .split("ios backup ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let created = inspected
        .lines()
        .find(|l| l.starts_with("created"))
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let stable = inspected
        .replace(&jwk("key.jwk"), "<kid of key.jwk>")
        .replace(&jwk("ec.jwk"), "<kid of ec.jwk>")
        .replace(&backup_id, "<backup id>")
        .replace(&created, "<now>");
    insta::assert_snapshot!("inspect", stable);
    let stable_report = report
        .replace(&backup_id, "<backup id>")
        .replace(&f.dir.to_string_lossy().to_string(), "<tmp>");
    insta::assert_snapshot!("create_report", stable_report);
}

#[test]
fn keygen_never_overwrites_and_writes_private_files() {
    let f = Fixture::new("keygen");
    ok(&["keygen", "-o", &f.path("k.jwk")]);
    let before = std::fs::read(f.path("k.jwk")).unwrap();
    let again = authbackup(&["keygen", "-o", &f.path("k.jwk")]);
    assert!(!again.status.success());
    assert_eq!(std::fs::read(f.path("k.jwk")).unwrap(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f.path("k.jwk"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let printed: Value = serde_json::from_str(&ok(&["keygen"])).unwrap();
    assert_eq!(printed["kty"], "oct");
    assert_eq!(printed["alg"], "A256KW");
}

/// Every error a user can meet with these commands: one line, the stable code, exit 1 (2
/// for usage mistakes), no file written.
#[test]
fn error_messages() {
    let f = Fixture::new("errors");
    made_backup(&f);
    let write = |name: &str, text: &str| {
        std::fs::write(f.path(name), text).unwrap();
        f.path(name)
    };
    let accounts_with =
        |name: &str, account: &str| write(name, &format!(r#"{{"accounts":[{account}]}}"#));
    let examples_accounts = examples()
        .join("accounts.json")
        .to_string_lossy()
        .into_owned();
    let backup = f.path("backup.abf");
    let mut tampered: Value = serde_json::from_slice(&std::fs::read(&backup).unwrap()).unwrap();
    let tag = tampered["tag"].as_str().unwrap().to_string();
    let flipped = if tag.starts_with('A') {
        tag.replacen('A', "B", 1)
    } else {
        format!("A{}", &tag[1..])
    };
    tampered["tag"] = flipped.into();
    let tampered = write("tampered.abf", &tampered.to_string());
    let other_key = f.path("other.jwk");
    ok(&["keygen", "-o", &other_key]);
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "missing backup file",
            vec!["backup".into(), "inspect".into(), f.path("nope.abf")],
        ),
        (
            "not a backup",
            vec!["backup".into(), "inspect".into(), examples_accounts.clone()],
        ),
        (
            "wrong key",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                other_key.clone(),
            ],
        ),
        (
            "wrong passphrase",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--passphrase-file".into(),
                write("pw", "guess\n"),
            ],
        ),
        (
            "tampered tag",
            vec![
                "backup".into(),
                "open".into(),
                tampered.clone(),
                "--key".into(),
                f.path("key.jwk"),
            ],
        ),
        (
            "public key cannot open",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                f.path("ec.pub.jwk"),
            ],
        ),
        (
            "key file is not a JWK",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                write("bad.jwk", "hello"),
            ],
        ),
        (
            "RSA key",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                write("rsa.jwk", r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#),
            ],
        ),
        (
            "short oct key",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                write("short.jwk", r#"{"kty":"oct","k":"AAAA"}"#),
            ],
        ),
        (
            "empty passphrase",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--passphrase-file".into(),
                write("empty", "\n"),
            ],
        ),
        (
            "no key given",
            vec!["backup".into(), "open".into(), backup.clone()],
        ),
        (
            "both key and passphrase",
            vec![
                "backup".into(),
                "open".into(),
                backup.clone(),
                "--key".into(),
                other_key.clone(),
                "--passphrase-file".into(),
                write("pw2", "x"),
            ],
        ),
        (
            "create without recipient",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                examples_accounts.clone(),
                "--platform".into(),
                "ios".into(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "unknown platform",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                examples_accounts.clone(),
                "--platform".into(),
                "windows".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "accounts: unknown type",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                accounts_with("acc1.json", r#"{"id":"a","type":"steam","name":"n"}"#),
                "--platform".into(),
                "ios".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "accounts: totp without secret",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                accounts_with(
                    "acc2.json",
                    r#"{"id":"a","type":"totp","issuer":"GitHub","name":"n"}"#,
                ),
                "--platform".into(),
                "ios".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "accounts: password field",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                accounts_with(
                    "acc11.json",
                    r#"{"id":"a","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PXP","password":"hunter2"}"#,
                ),
                "--platform".into(),
                "ios".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "accounts: duplicate id",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                accounts_with(
                    "acc12.json",
                    r#"{"id":"a","type":"work_school","name":"n"},{"id":"a","type":"work_school","name":"m"}"#,
                ),
                "--platform".into(),
                "ios".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "accounts: bad secret",
            vec![
                "backup".into(),
                "create".into(),
                "--accounts".into(),
                accounts_with(
                    "acc3.json",
                    r#"{"id":"a","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PX1"}"#,
                ),
                "--platform".into(),
                "ios".into(),
                "--key".into(),
                other_key.clone(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
        (
            "remove unknown kid",
            vec![
                "backup".into(),
                "remove-recipient".into(),
                backup.clone(),
                "--kid".into(),
                "nobody".into(),
                "-o".into(),
                f.path("x.abf"),
            ],
        ),
    ];
    let mut report = String::new();
    for (what, args) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = authbackup(&args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!out.status.success(), "{what} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        let shown = stderr
            .replace(&f.dir.to_string_lossy().to_string(), "<tmp>")
            .replace(&examples().to_string_lossy().to_string(), "<examples>");
        report.push_str(&format!(
            "{what}\n[exit {}] {shown}\n",
            out.status.code().unwrap_or(-1)
        ));
    }
    assert!(
        !Path::new(&f.path("x.abf")).exists(),
        "a failed command wrote its output"
    );
    insta::assert_snapshot!(report);
}

#[test]
fn a_passphrase_file_holds_one_line_whatever_it_ends_with() {
    // The example file ends with LF; the line alone, or ending with CRLF, is the same
    // passphrase. Anything else in the line is part of it (REQ-CONTAINER-062).
    let f = Fixture::new("passphrase-line");
    made_backup(&f);
    let open = |text: &str| {
        let file = f.path("pass.txt");
        std::fs::write(&file, text).unwrap();
        authbackup(&[
            "backup",
            "open",
            &f.path("backup.abf"),
            "--passphrase-file",
            &file,
        ])
    };
    for same in [
        "correct horse battery staple",
        "correct horse battery staple\r\n",
    ] {
        assert!(open(same).status.success(), "{same:?}");
    }
    for other in [
        "correct horse battery staple ",
        "correct horse battery staple\n\n",
    ] {
        let out = open(other);
        assert!(!out.status.success(), "{other:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("decryption_failed"),
            "{other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
