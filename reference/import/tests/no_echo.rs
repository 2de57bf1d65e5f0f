//! No error message repeats the input (issue #15): whatever JSON the readers are given, a
//! refusal's message contains no run of 8 or more characters of any string in it, so a secret
//! in the wrong place is never printed back.

use authbackup::account::DeviceAccount;
use authbackup::container::RecoveryKey;
use authbackup::payload::Payload;
use authbackup_import::{import, Source};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A string a secret could be: long enough to recognise, from the base32 and base64url alphabets.
fn secretish() -> impl Strategy<Value = String> {
    "[A-Za-z2-7_-]{12,24}"
}

/// Any JSON value with secret-like strings at the leaves.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        secretish().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("accounts".to_string()),
                    Just("secret".to_string()),
                    Just("k".to_string()),
                    Just("kty".to_string()),
                    Just("db".to_string()),
                    Just("entries".to_string()),
                    Just("services".to_string()),
                    Just("items".to_string()),
                    Just("tokens".to_string()),
                    Just("version".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Documents shaped like what the readers expect, one member replaced by `v`.
fn near_miss() -> impl Strategy<Value = Value> {
    (any_json(), 0usize..6).prop_map(|(v, which)| match which {
        0 => json!({ "accounts": v }),
        1 => json!({ "accounts": [{ "id": "a", "type": "totp", "name": "n", "secret": v }] }),
        2 => json!({ "kty": "oct", "kid": "x", "k": v }),
        3 => json!({ "version": 1, "header": { "slots": null, "params": null }, "db": v }),
        4 => json!({ "schemaVersion": 4, "services": v }),
        _ => json!({ "encrypted": false, "items": v }),
    })
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The error messages every reader gives for `text` (successes give none).
fn messages(text: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = [
        DeviceAccount::list_from_json(text).err(),
        RecoveryKey::from_jwk_json(text).err(),
        Payload::from_json(text).err(),
    ]
    .into_iter()
    .flatten()
    .map(|e| e.to_string())
    .collect();
    for source in [
        Source::Aegis,
        Source::TwoFas,
        Source::AndOtp,
        Source::FreeOtpPlus,
        Source::Bitwarden,
    ] {
        match import(source, text, None) {
            Err(e) => out.push(e.to_string()),
            Ok((_, report)) => out.extend(report.not_imported().map(|e| match &e.outcome {
                authbackup_import::EntryOutcome::NotImported { reason } => {
                    format!("{}: {reason}", e.label)
                }
                _ => String::new(),
            })),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_error_message_repeats_a_string_of_the_input(v in prop_oneof![any_json(), near_miss()]) {
        let text = serde_json::to_vec(&v).unwrap();
        let mut secrets = Vec::new();
        strings(&v, &mut secrets);
        for message in messages(&text) {
            for s in &secrets {
                let chars: Vec<char> = s.chars().collect();
                for w in chars.windows(8) {
                    let run: String = w.iter().collect();
                    prop_assert!(!message.contains(&run), "{message:?} repeats {run:?} of {s:?}");
                }
            }
        }
    }
}
