//! Every failure the command-line issue (#15) lists, as the user sees it: one snapshot of the
//! error lines, each of which must carry a stable code (`error: CODE: message`), must not
//! repeat any secret of the input, and must leave the folder exactly as it was.

mod common;

use common::{authbackup, contents, create_args, strs, two_backups, Scratch};

/// Strings of the inputs below that are secrets (or stand for them): no error line may
/// contain any of them.
const SECRETS: [&str; 3] = [
    "JBSWY3DPEHPK3PX",
    "MFRGGZDFMZTWQ2L",
    "Correct-Horse-Battery",
];

/// The input files of the failing commands, beside a key and two backups.
/// Returns the kid of the key.
fn inputs(s: &Scratch) -> String {
    two_backups(s);
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.path("key.jwk")).unwrap()).unwrap();
    let write = |name: &str, text: &str| std::fs::write(s.path(name), text).unwrap();
    std::fs::create_dir(s.dir.join("sub")).unwrap();
    write("empty.txt", "");
    write(
        "one.txt",
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\n",
    );
    write(
        "half.txt",
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\notpauth://hotp/B:bob?secret=MFRGGZDFMZTWQ2LB\n",
    );
    write(
        "bad.csv",
        "name,login_username,login_totp\n\"open,alice,JBSWY3DPEHPK3PXP\n",
    );
    write("dup.json", r#"{"tokens": [{"label": "a", "label": "b"}]}"#);
    write("device.json", r#"{"accounts": []}"#);
    write("quoted-k.jwk", &key["k"].to_string());
    write("secret-string.json", r#"{"accounts": "JBSWY3DPEHPK3PXP"}"#);
    write(
        "services.json",
        r#"{"schemaVersion": 4, "services": "JBSWY3DPEHPK3PXP"}"#,
    );
    write(
        "db.json",
        r#"{"version": 1, "header": {"slots": null, "params": null}, "db": "MFRGGZDFMZTWQ2LB"}"#,
    );
    write("big.jwk", &" ".repeat(70 * 1024));
    write("password.txt", "Correct-Horse-Battery-Staple");
    let slot = serde_json::json!({
        "type": 1, "uuid": "01234567-89ab-4cde-8f01-23456789abcd", "key": "00", "salt": "00",
        "key_params": { "nonce": "000000000000000000000000", "tag": "00000000000000000000000000000000" },
        "n": 1 << 20, "r": 8, "p": 16
    });
    let vault = serde_json::json!({
        "version": 1,
        "header": { "slots": vec![slot; 1000], "params": { "nonce": "00", "tag": "00" } },
        "db": "AAAA"
    });
    write("slots.json", &vault.to_string());
    let key_kid = key["kid"].as_str().unwrap().to_string();
    common::ok(&strs(&command(
        s,
        "backup add-recipient {a.abf} --key {key.jwk} --new-passphrase-file {password.txt} -o {two.abf}",
    )));
    std::os::unix::fs::symlink(s.dir.join("gone.json"), s.dir.join("link.json")).unwrap();
    key_kid
}

/// `args` with `{NAME}` replaced by the path of NAME in `s`.
fn command(s: &Scratch, args: &str) -> Vec<String> {
    args.split(' ')
        .map(
            |a| match a.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
                Some(name) => s.path(name),
                None => a.to_string(),
            },
        )
        .collect()
}

#[test]
fn error_lines() {
    let s = Scratch::new("error-lines");
    let kid = inputs(&s);
    let restore = |backup: &str, device: &str| {
        command(
            &s,
            &format!("restore {{{backup}}} --key {{key.jwk}} --device {{{device}}} --platform ios"),
        )
    };
    let import = |from: &str, file: &str| {
        command(
            &s,
            &format!("import --from {from} {{{file}}} -o {{new.json}}"),
        )
    };
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("keygen over a folder", command(&s, "keygen -o {sub}")),
        ("keygen twice to one file", command(&s, "keygen --ec -o {k2.jwk} --public-out {k2.jwk}")),
        ("keygen, public key in a missing folder", command(&s, "keygen --ec -o {k3.jwk} --public-out {nodir/pub.jwk}")),
        ("backup over its key", create_args(&s, "a.json", &s.path("key.jwk"))),
        ("backup over an accounts file", create_args(&s, "a.json", &s.path("b.json"))),
        ("backup into a folder", create_args(&s, "a.json", &s.path("sub"))),
        ("add-recipient into a folder", command(&s, "backup add-recipient {a.abf} --key {key.jwk} --new-passphrase-file {password.txt} -o {sub}")),
        ("remove-recipient into a folder", command(&s, &format!("backup remove-recipient {{two.abf}} --kid {kid} -o {{sub}}"))),
        ("import into a folder", command(&s, "import --from otpauth {one.txt} -o {sub}")),
        ("export into a folder", command(&s, "export --format otpauth --accounts {a.json} -o {sub}")),
        ("export over its input", command(&s, "export --format otpauth --accounts {a.json} -o {a.json}")),
        ("import over a device file", command(&s, "import --from otpauth {one.txt} -o {device.json}")),
        ("import of nothing", command(&s, "import --from otpauth {empty.txt} -o {new.json} --allow-partial")),
        ("import with an entry it cannot take", import("otpauth", "half.txt")),
        ("unterminated CSV quote", import("bitwarden", "bad.csv")),
        ("repeated member", import("freeotp-plus", "dup.json")),
        ("Aegis with 1000 expensive slots", command(&s, "import --from aegis {slots.json} --password-file {password.txt} -o {new.json}")),
        ("Aegis db holding a string", import("aegis", "db.json")),
        ("2FAS services holding a string", import("2fas", "services.json")),
        ("accounts holding a string", create_args(&s, "secret-string.json", &s.path("c.abf"))),
        ("key file holding only the quoted k", command(&s, "backup open {a.abf} --key {quoted-k.jwk}")),
        ("key file over its size limit", command(&s, "backup open {a.abf} --key {big.jwk}")),
        ("empty passphrase file", command(&s, "backup add-recipient {a.abf} --key {key.jwk} --new-passphrase-file {empty.txt} -o {c.abf}")),
        ("missing device", restore("a.abf", "nope/device.json")),
        ("restore through a dangling symlink", restore("a.abf", "link.json")),
        ("wipe check of a backup lacking accounts", command(&s, "backup verify {a.abf} --key {key.jwk} --device {b.json}")),
    ];
    let before = contents(&s.dir);
    let mut report = String::new();
    for (what, args) in &cases {
        let out = authbackup(&strs(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.lines().last().unwrap_or_default();
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        let (code, message) = line
            .strip_prefix("error: ")
            .and_then(|l| l.split_once(": "))
            .unwrap_or_else(|| panic!("{what}: no `error: CODE: message` in {line:?}"));
        assert!(
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{what}: {code:?} is not a code"
        );
        for secret in SECRETS {
            assert!(!stderr.contains(secret), "{what} echoes a secret: {stderr}");
        }
        assert!(!message.is_empty());
        assert_eq!(contents(&s.dir), before, "{what} changed the folder");
        report.push_str(&format!(
            "{what}: [exit 1] {}\n",
            line.replace(&s.dir.to_string_lossy().to_string(), "<tmp>")
        ));
    }
    insta::assert_snapshot!(report);
}
