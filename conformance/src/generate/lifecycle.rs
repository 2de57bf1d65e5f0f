//! Lifecycle vectors: event sequences, including failures, for the pure state machine of
//! `spec/lifecycle.md`. Each sequence states by hand, per event, the effects (by kind) or
//! the error; the generator checks the reference agrees before writing its full answer.

use serde_json::{json, Value};

use super::Builder;

/// An event sequence: comment, requirements, flags, input, per-event results, final
/// generation.
type Sequence<'a> = (
    &'a str,
    &'a [&'a str],
    &'a [&'a str],
    Value,
    Vec<&'a str>,
    Option<u64>,
);
use crate::implementation::{Answer, Implementation};
use crate::model::VectorFile;
use crate::reference::Reference;

fn ios() -> Value {
    json!({ "platform": "ios", "recovery_account": { "id": "alice@outlook.com", "personal": true }, "os_version": 17,
        "icloud": true, "icloud_keychain": true, "personal_apple_id": "alice@icloud.com", "managed_apple_id": null })
}

fn android() -> Value {
    json!({ "platform": "android", "recovery_account": { "id": "alice@outlook.com", "personal": true } })
}

fn set(mut env: Value, key: &str, value: Value) -> Value {
    env[key] = value;
    env
}

fn enable(env: Value, id: &str) -> Value {
    json!({ "event": "enable", "env": env, "backup_id": id })
}

fn ev(name: &str) -> Value {
    json!({ "event": name })
}

fn account(kind: &str) -> Value {
    json!({ "event": kind, "id": "a" })
}

/// Expected per event: the effect kinds in order, or `error:code[:precondition]`.
fn check(input: &Value, expect: &[&str], final_generation: Option<u64>) -> Value {
    let Answer::Ok(out) = Reference.call("lifecycle.run", input) else {
        panic!("the reference refused the sequence itself: {input}");
    };
    let got: Vec<String> = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r.get("error") {
            Some(code) => match r["precondition"].as_str() {
                Some(p) => format!("error:{}:{p}", code.as_str().unwrap()),
                None => format!("error:{}", code.as_str().unwrap()),
            },
            None => r["effects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["effect"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join("+"),
        })
        .collect();
    assert_eq!(
        got, expect,
        "the reference disagrees with the hand-written results for {input}"
    );
    assert_eq!(
        out["state"]["generation"].as_u64(),
        final_generation,
        "final generation of {input}"
    );
    out
}

pub(crate) fn lifecycle() -> VectorFile {
    let mut b = Builder::new("lifecycle", "lifecycle.run", &[
        "The backup lifecycle (spec/lifecycle.md) as event sequences. With auto_done (the default) every effect is reported done as soon as it is emitted, as a well-behaved executor does.",
        "Each sequence's per-event results (effect kinds or error code and precondition) and final generation are written out by hand; the full answer is the reference's, written only when it agrees.",
    ]);
    notes(&mut b);
    b.group("Event sequences", None);
    for (comment, reqs, flags, input, expect, generation) in
        [enabling(), preconditions(), changes(), migration()].concat()
    {
        let out = check(&input, &expect, generation);
        b.valid(comment, reqs, flags, input, out);
    }
    pending(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    b.note(
        "Precondition",
        "Usability",
        "Preconditions are explicit errors naming what failed, in order, never a generic failure.",
        &["REQ-LIFECYCLE-010", "REQ-LIFECYCLE-015"],
    );
    b.note(
        "Generation",
        "Stale backup",
        "Every account change writes a new generation; generations never go back.",
        &["REQ-LIFECYCLE-023"],
    );
    b.note("Migration", "Lock-out", "The key-provider migration adds the new key before removing the old one, and never re-encrypts.", &["REQ-LIFECYCLE-030", "REQ-LIFECYCLE-031"]);
    b.note(
        "Refused",
        "State corruption",
        "A refused event changes nothing.",
        &["REQ-LIFECYCLE-001"],
    );
}

/// A `lifecycle.run` input of `events`.
fn seq(events: Vec<Value>) -> Value {
    json!({ "events": events })
}

/// Turning backup on.
fn enabling() -> Vec<Sequence<'static>> {
    vec![
        (
            "enable on ios writes generation 1",
            &["REQ-LIFECYCLE-020", "REQ-LIFECYCLE-016"],
            &[],
            seq(vec![enable(ios(), "b1")]),
            vec!["write_backup"],
            Some(1),
        ),
        (
            "enable on android",
            &["REQ-LIFECYCLE-020", "REQ-LIFECYCLE-016"],
            &[],
            seq(vec![enable(android(), "b1")]),
            vec!["write_backup"],
            Some(1),
        ),
        (
            "a managed Apple ID is the storage account",
            &["REQ-LIFECYCLE-016"],
            &[],
            seq(vec![enable(
                set(ios(), "managed_apple_id", "alice@corp.example".into()),
                "b1",
            )]),
            vec!["write_backup"],
            Some(1),
        ),
    ]
}

/// The preconditions that refuse turning backup on, each an explicit error.
fn preconditions() -> Vec<Sequence<'static>> {
    vec![
        (
            "not signed in",
            &["REQ-LIFECYCLE-010", "REQ-LIFECYCLE-001"],
            &["Precondition", "Refused"],
            seq(vec![enable(
                set(ios(), "recovery_account", Value::Null),
                "b1",
            )]),
            vec!["error:not_signed_in"],
            None,
        ),
        (
            "not signed in on android",
            &["REQ-LIFECYCLE-010"],
            &["Precondition"],
            seq(vec![enable(
                set(android(), "recovery_account", Value::Null),
                "b1",
            )]),
            vec!["error:not_signed_in"],
            None,
        ),
        (
            "iOS 15",
            &["REQ-LIFECYCLE-011"],
            &["Precondition"],
            seq(vec![enable(set(ios(), "os_version", 15.into()), "b1")]),
            vec!["error:precondition_failed:os_version"],
            None,
        ),
        (
            "iOS 16 is enough",
            &["REQ-LIFECYCLE-011"],
            &["Precondition"],
            seq(vec![enable(set(ios(), "os_version", 16.into()), "b1")]),
            vec!["write_backup"],
            Some(1),
        ),
        (
            "iCloud off",
            &["REQ-LIFECYCLE-012"],
            &["Precondition"],
            seq(vec![enable(set(ios(), "icloud", false.into()), "b1")]),
            vec!["error:precondition_failed:icloud"],
            None,
        ),
        (
            "no Apple ID",
            &["REQ-LIFECYCLE-012"],
            &["Precondition"],
            seq(vec![enable(
                set(ios(), "personal_apple_id", Value::Null),
                "b1",
            )]),
            vec!["error:precondition_failed:icloud"],
            None,
        ),
        (
            "iCloud Keychain off",
            &["REQ-LIFECYCLE-013"],
            &["Precondition"],
            seq(vec![enable(
                set(ios(), "icloud_keychain", false.into()),
                "b1",
            )]),
            vec!["error:precondition_failed:icloud_keychain"],
            None,
        ),
        (
            "android without a personal Microsoft account",
            &["REQ-LIFECYCLE-014"],
            &["Precondition"],
            seq(vec![enable(
                set(
                    android(),
                    "recovery_account",
                    json!({ "id": "alice@contoso.com", "personal": false }),
                ),
                "b1",
            )]),
            vec!["error:precondition_failed:personal_microsoft_account"],
            None,
        ),
        (
            "several failing: the first in order",
            &["REQ-LIFECYCLE-015"],
            &["Precondition"],
            seq(vec![enable(
                set(
                    set(ios(), "os_version", 12.into()),
                    "icloud_keychain",
                    false.into(),
                ),
                "b1",
            )]),
            vec!["error:precondition_failed:os_version"],
            None,
        ),
    ]
}

/// Account changes, disabling, changing the recovery account.
fn changes() -> Vec<Sequence<'static>> {
    vec![
        (
            "every account change writes a generation",
            &["REQ-LIFECYCLE-023"],
            &["Generation"],
            seq(vec![
                enable(ios(), "b1"),
                account("account_added"),
                account("account_edited"),
                account("account_deleted"),
            ]),
            vec!["write_backup"; 4],
            Some(4),
        ),
        (
            "account changes while off do nothing",
            &["REQ-LIFECYCLE-023"],
            &["Generation"],
            seq(vec![account("account_added"), ev("disable")]),
            vec!["", ""],
            None,
        ),
        (
            "enable twice",
            &["REQ-LIFECYCLE-020"],
            &[],
            seq(vec![enable(ios(), "b1"), enable(ios(), "b2")]),
            vec!["write_backup", ""],
            Some(1),
        ),
        (
            "disable deletes the backup",
            &["REQ-LIFECYCLE-021"],
            &[],
            seq(vec![
                enable(ios(), "b1"),
                ev("disable"),
                account("account_added"),
            ]),
            vec!["write_backup", "delete_backup", ""],
            None,
        ),
        (
            "change of recovery account: delete, then enable",
            &["REQ-LIFECYCLE-022"],
            &[],
            seq(vec![
                enable(ios(), "b1"),
                account("account_added"),
                json!({ "event": "change_recovery_account", "env": set(ios(), "recovery_account", json!({ "id": "bob@outlook.com", "personal": true })), "backup_id": "b2" }),
            ]),
            vec!["write_backup", "write_backup", "delete_backup+write_backup"],
            Some(1),
        ),
        (
            "a refused change keeps the old backup",
            &["REQ-LIFECYCLE-022", "REQ-LIFECYCLE-001"],
            &["Refused"],
            seq(vec![
                enable(ios(), "b1"),
                json!({ "event": "change_recovery_account", "env": set(ios(), "recovery_account", Value::Null), "backup_id": "b2" }),
                account("account_added"),
            ]),
            vec!["write_backup", "error:not_signed_in", "write_backup"],
            Some(2),
        ),
        (
            "a change must use a new backup id",
            &["REQ-LIFECYCLE-022"],
            &["Refused"],
            seq(vec![
                enable(ios(), "b1"),
                json!({ "event": "change_recovery_account", "env": ios(), "backup_id": "b1" }),
            ]),
            vec!["write_backup", "error:invalid_parameter"],
            Some(1),
        ),
    ]
}

/// The key-provider migration.
fn migration() -> Vec<Sequence<'static>> {
    vec![
        (
            "key migration: add the keychain, then remove the recovery key",
            &["REQ-LIFECYCLE-030", "REQ-LIFECYCLE-031"],
            &["Migration"],
            seq(vec![
                enable(ios(), "b1"),
                ev("start_key_migration"),
                account("account_added"),
            ]),
            vec![
                "write_backup",
                "add_recipient+remove_recipient",
                "write_backup",
            ],
            Some(2),
        ),
        (
            "key migration announced twice",
            &["REQ-LIFECYCLE-030"],
            &["Migration"],
            seq(vec![
                enable(ios(), "b1"),
                ev("start_key_migration"),
                ev("start_key_migration"),
            ]),
            vec!["write_backup", "add_recipient+remove_recipient", ""],
            Some(1),
        ),
        (
            "key migration is for ios",
            &["REQ-LIFECYCLE-030"],
            &["Migration", "Refused"],
            seq(vec![enable(android(), "b1"), ev("start_key_migration")]),
            vec!["write_backup", "error:invalid_parameter"],
            Some(1),
        ),
    ]
}

/// Effects left pending, then resumed.
fn pending(b: &mut Builder) {
    b.group("Effects left pending, then resumed", None);
    let pending = json!({ "auto_done": false, "events": [enable(ios(), "b1"), ev("start_key_migration"), ev("resume")] });
    let out = check(
        &pending,
        &[
            "write_backup",
            "add_recipient",
            "write_backup+add_recipient",
        ],
        Some(1),
    );
    b.valid(
        "resume emits every effect not reported done",
        &["REQ-LIFECYCLE-040", "REQ-LIFECYCLE-041"],
        &["Migration"],
        pending,
        out,
    );
    let after_new_generation = json!({ "events": [enable(ios(), "b1"), ev("start_key_migration"), account("account_added")] });
    let out = check(
        &after_new_generation,
        &[
            "write_backup",
            "add_recipient+remove_recipient",
            "write_backup",
        ],
        Some(2),
    );
    b.valid(
        "generations after the migration go to the keychain",
        &["REQ-LIFECYCLE-032"],
        &["Migration"],
        after_new_generation,
        out,
    );
}
