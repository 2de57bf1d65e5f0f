use std::path::{Path, PathBuf};

use super::*;
use authbackup::otp::Algorithm;

const PASSWORD: &[u8] = b"correct horse battery staple";
const GH: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const BANK: &str = "JBSWY3DPEHPK3PXP";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What every fixture holds: GitHub (SHA1, 6, 30) and Example Bank (SHA256, 8, 60).
fn expected() -> Vec<(&'static str, &'static str, &'static str, Algorithm, u8, u64)> {
    vec![
        ("GitHub", "alice", GH, Algorithm::Sha1, 6, 30),
        ("Example Bank", "alice", BANK, Algorithm::Sha256, 8, 60),
    ]
}

fn check_accounts(format: &str, accounts: &[DeviceAccount]) {
    let got: Vec<_> = accounts
        .iter()
        .map(|a| {
            (
                a.issuer.clone().unwrap_or_default(),
                a.name.clone(),
                a.secret.as_ref().unwrap().to_base32().to_string(),
                a.params.algorithm,
                a.params.digits.get(),
                a.params.period.get(),
            )
        })
        .collect();
    // Google's export has no period: every account comes back with 30 seconds.
    let google = format.starts_with("google");
    let want: Vec<_> = expected()
        .into_iter()
        .map(|(i, n, s, a, d, p)| {
            (
                i.to_string(),
                n.to_string(),
                s.to_string(),
                a,
                d,
                if google { 30 } else { p },
            )
        })
        .collect();
    assert_eq!(got, want, "{format}");
    // The codes the imported accounts give equal those totp-rs computes from the fixture's
    // secrets, at a fixed time.
    for (a, (_, _, secret, alg, digits, _)) in accounts.iter().zip(expected()) {
        let period = a.params.period.get();
        let peer_alg = match alg {
            Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
            Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
            Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
        };
        let key = data_encoding::BASE32_NOPAD
            .decode(secret.as_bytes())
            .unwrap();
        let peer = totp_rs::TOTP::new_unchecked(peer_alg, digits as usize, 1, period, key);
        let ours = authbackup::account::OtpKey {
            secret: a.secret.clone().unwrap(),
            params: a.params,
        }
        .totp();
        assert_eq!(
            ours.code_at(1_700_000_000).unwrap().to_string(),
            peer.generate(1_700_000_000),
            "{format}"
        );
    }
}

/// The report as data, one entry per line (the people-facing text is the command's).
fn entries(report: &ImportReport) -> String {
    let line = |e: &ImportEntry| match &e.outcome {
        EntryOutcome::Imported { id } => format!("{} => imported as {id}", e.label),
        EntryOutcome::Merged { into } => format!("{} => merged into {into}", e.label),
        EntryOutcome::NotImported { reason } => format!("{} => not imported: {reason}", e.label),
    };
    report
        .entries
        .iter()
        .map(line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(source: Source, file: &str, password: Option<&[u8]>) -> (Vec<DeviceAccount>, ImportReport) {
    import(source, &fixture(file), password).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn every_format_imports_its_fixture() {
    let cases: &[(Source, &str, Option<&[u8]>)] = &[
        (Source::Otpauth, "otpauth.txt", None),
        (Source::Google, "google-migration.txt", None),
        (Source::Aegis, "aegis-plain.json", None),
        (Source::Aegis, "aegis-encrypted.json", Some(PASSWORD)),
        (Source::TwoFas, "2fas-plain.2fas", None),
        (Source::TwoFas, "2fas-encrypted.2fas", Some(PASSWORD)),
        (Source::AndOtp, "andotp-plain.json", None),
        (Source::AndOtp, "andotp-encrypted.json.aes", Some(PASSWORD)),
        (Source::FreeOtpPlus, "freeotp-plus.json", None),
        (Source::Bitwarden, "bitwarden.json", None),
        (Source::Bitwarden, "bitwarden.csv", None),
    ];
    for (source, file, password) in cases {
        let (accounts, report) = run(*source, file, *password);
        check_accounts(file, &accounts);
        // Nothing is dropped silently: every entry is in the report, the duplicate merged.
        assert!(
            report
                .entries
                .iter()
                .any(|e| matches!(e.outcome, EntryOutcome::Merged { .. })),
            "{file}: no merge reported\n{}",
            entries(&report)
        );
        assert!(
            report.not_imported().count() >= 1,
            "{file}: no refusal reported\n{}",
            entries(&report)
        );
        insta::assert_snapshot!(file.replace(['.', '-'], "_"), entries(&report));
    }
}

#[test]
fn wrong_and_missing_passwords() {
    for (source, file) in [
        (Source::Aegis, "aegis-encrypted.json"),
        (Source::TwoFas, "2fas-encrypted.2fas"),
        (Source::AndOtp, "andotp-encrypted.json.aes"),
    ] {
        let wrong = import(source, &fixture(file), Some(b"Tr0ub4dor&3")).unwrap_err();
        assert_eq!(wrong.code(), ErrorCode::DecryptionFailed, "{file}");
        assert!(wrong.message().starts_with("wrong password"), "{wrong}");
        let missing = import(source, &fixture(file), None).unwrap_err();
        assert_eq!(missing.code(), ErrorCode::InvalidParameter, "{file}");
    }
}

#[test]
fn files_of_another_format_are_malformed() {
    for (source, file) in [
        (Source::Aegis, "andotp-plain.json"),
        (Source::TwoFas, "aegis-plain.json"),
        (Source::Google, "otpauth.txt"),
        (Source::FreeOtpPlus, "andotp-plain.json"),
        (Source::AndOtp, "aegis-plain.json"),
    ] {
        assert_eq!(
            import(source, &fixture(file), None).unwrap_err().code(),
            ErrorCode::Malformed,
            "{source:?} {file}"
        );
    }
}

#[test]
fn export_then_import_gives_the_same_accounts() {
    let (accounts, _) = run(Source::Aegis, "aegis-plain.json", None);
    let text = export_otpauth(&accounts).unwrap();
    let (again, report) = import(Source::Otpauth, text.as_bytes(), None).unwrap();
    assert_eq!(report.not_imported().count(), 0);
    assert_eq!(again, accounts);
}

#[test]
fn wrong_types_and_ranges_of_parameters_are_not_imported() {
    let vault = |info: serde_json::Value| {
        serde_json::json!({
            "version": 1, "header": { "slots": null, "params": null },
            "db": { "version": 2, "entries": [
                { "type": "totp", "name": "alice", "issuer": "Example", "info": info }
            ] }
        })
        .to_string()
    };
    let base = serde_json::json!({ "secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30 });
    for (member, value) in [
        ("digits", serde_json::json!("8")),
        ("digits", serde_json::json!(8.0)),
        ("digits", serde_json::json!(-6)),
        ("digits", serde_json::json!(99999999999999999999u128 as f64)),
        ("digits", serde_json::json!(9)),
        ("period", serde_json::json!("60")),
        ("period", serde_json::json!(0)),
        ("algo", serde_json::json!(1)),
    ] {
        let mut info = base.clone();
        info[member] = value.clone();
        let (accounts, report) = import(Source::Aegis, vault(info).as_bytes(), None).unwrap();
        assert!(accounts.is_empty(), "{member} = {value} was imported");
        assert_eq!(report.not_imported().count(), 1, "{member} = {value}");
    }
    let (accounts, _) = import(Source::Aegis, vault(base).as_bytes(), None).unwrap();
    assert_eq!(accounts.len(), 1, "the valid entry imports");
}

#[test]
fn many_expensive_password_slots_are_refused_before_any_derivation() {
    let slot = serde_json::json!({
        "type": 1, "uuid": "01234567-89ab-4cde-8f01-23456789abcd", "key": "00", "salt": "00",
        "key_params": { "nonce": "000000000000000000000000", "tag": "00000000000000000000000000000000" },
        "n": 1 << 20, "r": 2, "p": 16
    });
    let vault = serde_json::json!({
        "version": 1,
        "header": { "slots": vec![slot; 100], "params": { "nonce": "00", "tag": "00" } },
        "db": "AAAA"
    });
    // Were the slots derived first, this would run for minutes and then say wrong password.
    let e = import(Source::Aegis, vault.to_string().as_bytes(), Some(b"pw")).unwrap_err();
    assert_eq!(e.code(), authbackup::ErrorCode::KdfParamsOutOfRange);
}

#[test]
fn repeated_members_are_refused_not_guessed() {
    for (source, text) in [
        (
            Source::Aegis,
            r#"{"version": 1, "version": 1, "header": {"slots": null, "params": null}, "db": {"version": 2, "entries": []}}"#,
        ),
        (
            Source::Aegis,
            r#"{"version": 1, "header": {"slots": null, "params": null}, "db": {"version": 2, "entries": [{"type": "totp", "name": "a", "info": {"secret": "JBSWY3DPEHPK3PXP", "digits": 6, "digits": 8}}]}}"#,
        ),
        (
            Source::TwoFas,
            r#"{"schemaVersion": 4, "services": [{"name": "a", "secret": "JBSWY3DPEHPK3PXP", "secret": "MFRGGZDFMZTWQ2LK"}]}"#,
        ),
        (
            Source::FreeOtpPlus,
            r#"{"tokens": [{"label": "a", "label": "b"}]}"#,
        ),
    ] {
        let e = import(source, text.as_bytes(), None).unwrap_err();
        assert_eq!(e.code(), authbackup::ErrorCode::Malformed, "{text}");
        assert!(e.message().contains("a member twice"), "{e}");
    }
}

#[test]
fn a_byte_order_mark_is_not_content() {
    let text = b"\xEF\xBB\xBFotpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\n";
    let (accounts, report) = import(Source::Otpauth, text, None).unwrap();
    assert_eq!((accounts.len(), report.not_imported().count()), (1, 0));
}

#[test]
fn export_leaves_out_what_policy_excludes() {
    let (mut accounts, _) = run(Source::Aegis, "aegis-plain.json", None);
    accounts[0].excluded_by_policy = true;
    let text = export_otpauth(&accounts).unwrap();
    let secret = accounts[0].secret.as_ref().unwrap().to_base32();
    assert!(
        !text.contains(secret.as_str()),
        "an excluded account's secret was exported"
    );
    assert_eq!(text.lines().count(), accounts.len() - 1);
    let left_out: Vec<&str> = excluded_by_policy(&accounts)
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(left_out, [accounts[0].id.as_str()]);
}

#[test]
fn ids_are_stable_across_imports() {
    let (a, _) = run(Source::TwoFas, "2fas-plain.2fas", None);
    let (b, _) = run(Source::AndOtp, "andotp-plain.json", None);
    assert_eq!(
        a.iter().map(|x| &x.id).collect::<Vec<_>>(),
        b.iter().map(|x| &x.id).collect::<Vec<_>>()
    );
}

/// Writes the fixtures that need encryption or protobuf encoding. They are checked in; run
/// this (`cargo test -p authbackup write_generated_fixtures -- --ignored`) only to change them.
#[test]
#[ignore]
fn write_generated_fixtures() {
    use data_encoding::{BASE32_NOPAD, BASE64, HEXLOWER};
    let dir = fixtures();
    let salt = [7u8; 32];
    // Aegis: a random master key wrapped by a scrypt slot; the database under the master key.
    let plain: serde_json::Value = serde_json::from_slice(&fixture("aegis-plain.json")).unwrap();
    let db = plain["db"].to_string();
    let master = [9u8; 32];
    let slot_key = crypto::scrypt(PASSWORD, &salt, 32768, 8, 1).unwrap();
    let (wrapped, wrap_tag) = crypto::seal_gcm(&*slot_key, &[1u8; 12], &master);
    let (ct, tag) = crypto::seal_gcm(&master, &[2u8; 12], db.as_bytes());
    let vault = serde_json::json!({
        "version": 1,
        "header": {
            "slots": [{ "type": 1, "uuid": "01234567-89ab-4cde-8f01-23456789abcd", "key": HEXLOWER.encode(&wrapped),
                "key_params": { "nonce": HEXLOWER.encode(&[1u8; 12]), "tag": HEXLOWER.encode(&wrap_tag) },
                "n": 32768, "r": 8, "p": 1, "salt": HEXLOWER.encode(&salt), "repaired": true }],
            "params": { "nonce": HEXLOWER.encode(&[2u8; 12]), "tag": HEXLOWER.encode(&tag) }
        },
        "db": BASE64.encode(&ct)
    });
    std::fs::write(
        dir.join("aegis-encrypted.json"),
        serde_json::to_string_pretty(&vault).unwrap() + "\n",
    )
    .unwrap();
    // 2FAS: servicesEncrypted = base64(ciphertext || tag):base64(salt):base64(iv).
    let plain: serde_json::Value = serde_json::from_slice(&fixture("2fas-plain.2fas")).unwrap();
    let key = crypto::pbkdf2(PASSWORD, &salt, twofas::ITERATIONS, true).unwrap();
    let (mut ct, tag) =
        crypto::seal_gcm(&*key, &[3u8; 12], plain["services"].to_string().as_bytes());
    ct.extend(tag);
    let mut enc = plain.clone();
    enc["services"] = serde_json::json!([]);
    enc["servicesEncrypted"] = format!(
        "{}:{}:{}",
        BASE64.encode(&ct),
        BASE64.encode(&salt),
        BASE64.encode(&[3u8; 12])
    )
    .into();
    std::fs::write(
        dir.join("2fas-encrypted.2fas"),
        serde_json::to_string_pretty(&enc).unwrap() + "\n",
    )
    .unwrap();
    // andOTP: iterations | salt (12) | nonce (12) | ciphertext | tag.
    let iterations = 140_000u32;
    let key = crypto::pbkdf2(PASSWORD, &salt[..12], iterations, false).unwrap();
    let (ct, tag) = crypto::seal_gcm(&*key, &[4u8; 12], &fixture("andotp-plain.json"));
    let mut file = iterations.to_be_bytes().to_vec();
    file.extend_from_slice(&salt[..12]);
    file.extend_from_slice(&[4u8; 12]);
    file.extend(ct);
    file.extend(tag);
    std::fs::write(dir.join("andotp-encrypted.json.aes"), file).unwrap();
    // Google Authenticator: two batches of MigrationPayload.
    use prost::Message;
    let p = |secret: &str, name: &str, issuer: &str, algorithm: i32, digits: i32, kind: i32| {
        google::tests_support::params(
            BASE32_NOPAD.decode(secret.as_bytes()).unwrap(),
            name,
            issuer,
            algorithm,
            digits,
            kind,
        )
    };
    let batches = [
        google::tests_support::payload(
            vec![
                p(GH, "GitHub:alice", "GitHub", 1, 1, 2),
                p(BANK, "alice", "Example Bank", 2, 2, 2),
            ],
            0,
        ),
        google::tests_support::payload(
            vec![
                p(BANK, "Legacy:alice", "Legacy", 1, 1, 1),
                p(BANK, "Old:alice", "Old", 4, 1, 2),
                p(GH, "GitHub:alice@work", "GitHub", 1, 1, 2),
            ],
            1,
        ),
    ];
    let lines: Vec<String> = batches
        .iter()
        .map(|b| {
            format!(
                "otpauth-migration://offline?data={}",
                percent_encoding::utf8_percent_encode(
                    &BASE64.encode(&b.encode_to_vec()),
                    percent_encoding::NON_ALPHANUMERIC
                )
            )
        })
        .collect();
    std::fs::write(dir.join("google-migration.txt"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn aegis_content_versions_one_to_three() {
    let plain: serde_json::Value = serde_json::from_slice(&fixture("aegis-plain.json")).unwrap();
    for version in [1, 2, 3] {
        let mut v = plain.clone();
        v["db"]["version"] = version.into();
        let (accounts, _) = import(Source::Aegis, v.to_string().as_bytes(), None).unwrap();
        check_accounts(&format!("aegis db v{version}"), &accounts);
    }
    let mut v4 = plain.clone();
    v4["db"]["version"] = 4.into();
    assert_eq!(
        import(Source::Aegis, v4.to_string().as_bytes(), None)
            .unwrap_err()
            .code(),
        ErrorCode::UnsupportedVersion
    );
}
