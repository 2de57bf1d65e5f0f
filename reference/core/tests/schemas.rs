//! The JSON Schemas under `spec/schemas/` agree with the reference: every payload the
//! reference writes validates, and payloads the reference refuses for structural reasons
//! do not.

use std::path::Path;

use authbackup::account::{AccountType, BackupAccount, CodeParams, OtpKey};
use authbackup::otp::{Algorithm, Digits};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::Secret;
use proptest::prelude::*;
use serde_json::Value;

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/schemas")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn payload_validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema("payload.schema.json"))
        .expect("the payload schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn arb_payload() -> impl Strategy<Value = Payload> {
    let account = (
        0usize..4,
        "[a-zA-Z0-9@.é漢+ -]{0,30}[a-z]",
        proptest::option::of("[A-Z][a-zA-Z0-9 &.]{0,20}[a-z]"),
        proptest::collection::vec(any::<u8>(), 10..=128),
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        6u64..=8,
        1u64..=u64::MAX,
    );
    (
        prop_oneof![Just(Platform::Ios), Just(Platform::Android)],
        "[a-f0-9-]{1,64}",
        1u64..=u64::MAX,
        any::<u64>(),
        proptest::collection::vec(account, 0..20),
    )
        .prop_map(|(platform, backup_id, generation, created, raw)| {
            Payload::new(
                BackupMeta::new(platform, backup_id, generation, created).unwrap(),
                raw.into_iter()
                    .enumerate()
                    .map(
                        |(i, (t, name, issuer, secret, algorithm, digits, period))| {
                            let account_type = AccountType::ALL[t];
                            let (id, name) = (
                                format!("account-{i}"),
                                name.trim_start_matches(' ').to_string(),
                            );
                            let account = if account_type.bears_codes() {
                                let key = OtpKey {
                                    secret: Secret::from_bytes(secret).unwrap(),
                                    params: CodeParams {
                                        algorithm,
                                        digits: Digits::new(digits).unwrap(),
                                        period: std::num::NonZeroU64::new(period).unwrap(),
                                    },
                                };
                                BackupAccount::with_codes(id, account_type, issuer, name, key)
                            } else {
                                BackupAccount::placeholder(id, account_type, name)
                            };
                            account.unwrap()
                        },
                    )
                    .collect(),
            )
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_payload_the_reference_writes_validates(p in arb_payload()) {
        let doc: Value = serde_json::from_slice(&p.to_json()).unwrap();
        let v = payload_validator();
        prop_assert!(v.is_valid(&doc), "{:?}", errors(&v, &doc));
    }
}

#[test]
fn the_example_backup_payload_validates() {
    let device = authbackup::account::DeviceAccount::list_from_json(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/accounts.json"))
            .unwrap(),
    )
    .unwrap();
    let meta = BackupMeta::new(Platform::Ios, "b", 1, 0).unwrap();
    let (p, _) = Payload::from_device(meta, &device).unwrap();
    let doc: Value = serde_json::from_slice(&p.to_json()).unwrap();
    let v = payload_validator();
    assert!(v.is_valid(&doc), "{:?}", errors(&v, &doc));
}

#[test]
fn the_schema_refuses_what_the_reference_refuses() {
    let v = payload_validator();
    let base = r#"{"version":1,"platform":"ios","backup_id":"b","generation":1,"created":0,"accounts":[ACCOUNT]}"#;
    let cases = [
        r#"{"id":"w","type":"work_school","name":"n","secret":"JBSWY3DPEHPK3PXP"}"#,
        r#"{"id":"w","type":"work_school","name":"n","token":"x"}"#,
        r#"{"id":"w","type":"msa_passwordless","name":"n","issuer":"Microsoft"}"#,
        r#"{"id":"t","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30,"password":"x"}"#,
        r#"{"id":"t","type":"totp","name":"n","algorithm":"SHA1","digits":6,"period":30}"#,
        r#"{"id":"t","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":9,"period":30}"#,
        r#"{"id":"t","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"MD5","digits":6,"period":30}"#,
        r#"{"id":"t","type":"totp","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":0}"#,
        r#"{"id":"t","type":"totp","name":" n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30}"#,
        r#"{"id":"t","type":"totp","issuer":"A:B","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30}"#,
        r#"{"id":"t","type":"hotp","name":"n","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30}"#,
        r#"{"id":"","type":"work_school","name":"n"}"#,
    ];
    for account in cases {
        let text = base.replace("ACCOUNT", account);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(!v.is_valid(&doc), "schema accepted {account}");
        assert!(
            Payload::from_json(text.as_bytes()).is_err(),
            "reference accepted {account}"
        );
    }
    let v2: Value = serde_json::from_str(
        &base
            .replace("ACCOUNT", "")
            .replace("\"version\":1", "\"version\":2"),
    )
    .unwrap();
    assert!(!v.is_valid(&v2));
}

#[test]
fn the_example_accounts_file_validates_against_its_schema() {
    let v = jsonschema::draft202012::new(&schema("device-accounts.schema.json"))
        .expect("the device accounts schema compiles");
    let doc: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/accounts.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(v.is_valid(&doc), "{:?}", errors(&v, &doc));
    let bad: Value = serde_json::from_str(
        r#"{"accounts":[{"id":"a","type":"totp","name":"n","password":"x"}]}"#,
    )
    .unwrap();
    assert!(!v.is_valid(&bad));
}
