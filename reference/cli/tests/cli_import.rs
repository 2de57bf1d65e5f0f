//! `authbackup import` and `authbackup export` as a user runs them, and the whole journey:
//! import, back up, restore on an empty phone, same codes.

mod common;

use std::path::PathBuf;

use common::{authbackup, ok, Scratch};
use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../import/tests/fixtures/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn an_entry_that_cannot_be_imported_stops_the_import_and_is_named() {
    let s = Scratch::new("import-partial");
    let out = authbackup(&[
        "import",
        "--from",
        "aegis",
        &fixture("aegis-plain.json"),
        "-o",
        &s.path("accounts.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("entry 3: Legacy: alice") && stderr.contains("entry 4: Steam: alice"),
        "{stderr}"
    );
    assert!(
        !std::path::Path::new(&s.path("accounts.json")).exists(),
        "wrote despite a refused entry"
    );
    let report = ok(&[
        "import",
        "--from",
        "aegis",
        &fixture("aegis-plain.json"),
        "-o",
        &s.path("accounts.json"),
        "--allow-partial",
    ]);
    assert!(report.contains("NOT IMPORTED  entry 3: Legacy: alice"));
    let written: Value =
        serde_json::from_slice(&std::fs::read(s.path("accounts.json")).unwrap()).unwrap();
    assert_eq!(written["accounts"].as_array().unwrap().len(), 2);
}

#[test]
fn a_wrong_password_says_so() {
    let s = Scratch::new("import-password");
    std::fs::write(s.path("wrong.txt"), "guess\n").unwrap();
    let out = authbackup(&[
        "import",
        "--from",
        "2fas",
        &fixture("2fas-encrypted.2fas"),
        "--password-file",
        &s.path("wrong.txt"),
        "-o",
        &s.path("a.json"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: decryption_failed: wrong password"),
        "{stderr}"
    );
    let out = authbackup(&[
        "import",
        "--from",
        "2fas",
        &fixture("2fas-encrypted.2fas"),
        "-o",
        &s.path("a.json"),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("give its password"));
}

#[test]
fn import_backup_restore_gives_every_account_ready_with_the_same_codes() {
    let s = Scratch::new("import-journey");
    for (format, file, password) in [
        ("aegis", "aegis-encrypted.json", true),
        ("andotp", "andotp-encrypted.json.aes", true),
        ("google", "google-migration.txt", false),
        ("bitwarden", "bitwarden.csv", false),
    ] {
        let accounts = s.path(&format!("{format}.json"));
        let mut args = vec!["import", "--from", format];
        let f = fixture(file);
        let pw = fixture("password.txt");
        args.push(&f);
        if password {
            args.extend(["--password-file", &pw]);
        }
        args.extend(["-o", &accounts, "--allow-partial"]);
        ok(&args);
        ok(&["keygen", "-o", &s.path(&format!("{format}.jwk"))]);
        let backup = s.path(&format!("{format}.abf"));
        ok(&[
            "backup",
            "create",
            "--accounts",
            &accounts,
            "--platform",
            "android",
            "--key",
            &s.path(&format!("{format}.jwk")),
            "-o",
            &backup,
        ]);
        let phone = s.path(&format!("{format}-phone.json"));
        std::fs::write(&phone, "{\"accounts\": []}\n").unwrap();
        let report: Value = serde_json::from_str(&ok(&[
            "restore",
            &backup,
            "--key",
            &s.path(&format!("{format}.jwk")),
            "--device",
            &phone,
            "--platform",
            "android",
            "--json",
        ]))
        .unwrap();
        let imported: Value = serde_json::from_slice(&std::fs::read(&accounts).unwrap()).unwrap();
        let restored: Value = serde_json::from_slice(&std::fs::read(&phone).unwrap()).unwrap();
        assert_eq!(
            report["summary"]["added"],
            imported["accounts"].as_array().unwrap().len()
        );
        for (a, b) in imported["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .zip(restored["accounts"].as_array().unwrap())
        {
            assert!(b.get("state").is_none(), "{format}: restored as {b}");
            let code = |acct: &Value| {
                ok(&[
                    "code",
                    "--secret",
                    acct["secret"].as_str().unwrap(),
                    "--algorithm",
                    acct["algorithm"].as_str().unwrap(),
                    "--digits",
                    &acct["digits"].to_string(),
                    "--period",
                    &acct["period"].to_string(),
                    "--time",
                    "1700000000",
                ])
            };
            assert_eq!(code(a), code(b), "{format}");
        }
    }
}

#[test]
fn export_writes_otpauth_uris_that_import_back() {
    let s = Scratch::new("export");
    ok(&[
        "import",
        "--from",
        "andotp",
        &fixture("andotp-plain.json"),
        "-o",
        &s.path("a.json"),
        "--allow-partial",
    ]);
    let uris = ok(&[
        "export",
        "--format",
        "otpauth",
        "--accounts",
        &s.path("a.json"),
    ]);
    assert_eq!(uris.lines().count(), 2);
    assert!(uris.lines().all(|l| l.starts_with("otpauth://totp/")));
    std::fs::write(s.path("uris.txt"), &uris).unwrap();
    ok(&[
        "import",
        "--from",
        "otpauth",
        &s.path("uris.txt"),
        "-o",
        &s.path("b.json"),
    ]);
    assert_eq!(
        std::fs::read(s.path("a.json")).unwrap(),
        std::fs::read(s.path("b.json")).unwrap()
    );
}
