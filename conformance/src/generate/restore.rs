//! Restore vectors: every account type, policy and platform case of `spec/restore.md`. Each
//! scenario states by hand the outcome and state of every backup account; the generator
//! checks the reference agrees before it writes the reference's full answer.

use serde_json::{json, Value};

use super::Builder;

/// A restore scenario: comment, requirements, flags, input, and each backup account's
/// (id, outcome, state).
type Scenario<'a> = (
    &'a str,
    &'a [&'a str],
    &'a [&'a str],
    Value,
    Vec<(&'a str, &'a str, &'a str)>,
);
use crate::implementation::{Answer, Implementation};
use crate::model::VectorFile;
use crate::reference::Reference;

const A: &str = "JBSWY3DPEHPK3PXP";
const B: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const C: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

fn code(id: &str, t: &str, issuer: &str, name: &str, secret: &str) -> Value {
    json!({ "id": id, "type": t, "issuer": issuer, "name": name, "secret": secret, "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn placeholder(id: &str, t: &str, name: &str) -> Value {
    json!({ "id": id, "type": t, "name": name })
}

fn backup(platform: &str) -> Value {
    let mut backup = backup_of(json!([
        code("gh", "totp", "GitHub", "alice@example.com", A),
        code("bank", "totp", "Example Bank", "alice", B),
        code("ms", "msa_totp", "Microsoft", "alice@outlook.com", C),
        placeholder("pw", "msa_passwordless", "alice.personal@outlook.com"),
        placeholder("work", "work_school", "alice@contoso.com"),
    ]));
    backup["platform"] = platform.into();
    backup
}

/// An iOS backup (backup id `b-1`, generation 4) holding `accounts`.
fn backup_of(accounts: Value) -> Value {
    json!({ "version": 1, "platform": "ios", "backup_id": "b-1", "generation": 4, "created": 1700000000, "accounts": accounts })
}

/// The ids of the device a plan's answer says the restore produces, in order.
fn device_ids(out: &Value) -> Vec<String> {
    let device = out["device"].as_array().unwrap().iter();
    device
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn input(device: Value, platform: &str, policy: &str) -> Value {
    json!({ "device": device, "backup": backup("ios"), "platform": platform, "policy": policy })
}

/// Runs the reference and checks each backup account's (outcome, state) against `expect`.
fn answer(input: &Value, expect: &[(&str, &str, &str)]) -> Value {
    let Answer::Ok(out) = Reference.call("restore.plan", input) else {
        panic!("the reference refused a valid restore scenario: {input}");
    };
    let got: Vec<(String, String, String)> = out["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().into(),
                o["outcome"].as_str().unwrap().into(),
                o["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = expect
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(
        got, want,
        "the reference disagrees with the hand-written outcomes for {input}"
    );
    out
}

pub(crate) fn restore() -> VectorFile {
    let mut b = Builder::new("restore", "restore.plan", &[
        "Restore (spec/restore.md): the platform lock, matching, the three policies, outcomes and states.",
        "Each scenario's outcomes and states are written out by hand; the full answer (including the device after restore) is the reference's, written only when it agrees with them.",
    ]);
    notes(&mut b);
    platform_lock(&mut b);
    let second_device = outcomes(&mut b);
    restoring_twice(&mut b, second_device);
    matching_order(&mut b);
    applying(&mut b);
    verifying(&mut b);
    refused_inputs(&mut b);
    // Groups added since the first release go last, so that every earlier case keeps its tcId.
    b.group("Ids of restored accounts", None);
    replaced_under_a_taken_id(&mut b);
    own_and_derived_ids_meet(&mut b);
    replaced_id_freed(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    b.note(
        "PlatformLock",
        "Security",
        "A backup restores only on its platform; a refused restore changes nothing.",
        &["REQ-RESTORE-001"],
    );
    b.note(
        "Overwrite",
        "Data loss",
        "Under keep-both nothing on the device is overwritten; the widely used app overwrites.",
        &["REQ-RESTORE-023", "REQ-RESTORE-027"],
    );
    b.note("Placeholder", "Data leak", "Placeholders come back as action_required, never ready, never with a secret, never replacing an account.", &["REQ-RESTORE-020", "REQ-RESTORE-022", "REQ-RESTORE-026"]);
    b.note(
        "Idempotent",
        "Duplication",
        "Restoring the same backup twice must change nothing the second time.",
        &["REQ-RESTORE-030"],
    );
    b.note(
        "Matching",
        "Duplication",
        "Matching by identical secret, id, and normalised type, issuer and name.",
        &["REQ-RESTORE-010", "REQ-RESTORE-011", "REQ-RESTORE-012"],
    );
}

/// A device with one account added by hand, matching the backup's bank account by name.
fn hand_added() -> Value {
    json!([code(
        "hand-1",
        "totp",
        "example bank",
        "ALICE",
        "ORSXG5BAONSWG4TFOQQGM33SEB3GQ2LT"
    )])
}

/// The outcomes of restoring the backup onto an empty device.
const FRESH: [(&str, &str, &str); 5] = [
    ("gh", "added", "ready"),
    ("bank", "added", "ready"),
    ("ms", "added", "ready"),
    ("pw", "added", "action_required"),
    ("work", "added", "action_required"),
];

/// [`FRESH`] with the bank account's outcome replaced.
fn with_bank(
    bank: (&'static str, &'static str, &'static str),
) -> [(&'static str, &'static str, &'static str); 5] {
    [FRESH[0], bank, FRESH[2], FRESH[3], FRESH[4]]
}

/// The platform lock: a backup restores only on its platform.
fn platform_lock(b: &mut Builder) {
    b.group("The platform lock", None);
    b.invalid(
        "an ios backup on android",
        &["REQ-RESTORE-001", "REQ-RESTORE-041"],
        &["PlatformLock"],
        input(json!([]), "android", "keep-both"),
        "platform_mismatch",
    );
    b.invalid(
        "an ios backup on android, device holding accounts",
        &["REQ-RESTORE-001", "REQ-RESTORE-041"],
        &["PlatformLock"],
        input(hand_added(), "android", "prefer-backup"),
        "platform_mismatch",
    );
}

/// Outcomes under each policy; returns the device after the keep-both restore.
fn outcomes(b: &mut Builder) -> Value {
    b.group("Outcomes", None);
    let scenarios: Vec<Scenario<'_>> = vec![
        ("an empty device: code-bearing accounts ready, placeholders action_required", &["REQ-RESTORE-020", "REQ-RESTORE-026", "REQ-RESTORE-031", "REQ-RESTORE-050", "REQ-RESTORE-002"], &["Placeholder"],
            input(json!([]), "ios", "keep-both"), FRESH.to_vec()),
        ("keep-both: a hand-added account matching by name is kept, the backup's added beside it", &["REQ-RESTORE-023", "REQ-RESTORE-027", "REQ-RESTORE-012", "REQ-RESTORE-024"], &["Overwrite", "Matching"],
            input(hand_added(), "ios", "keep-both"), with_bank(("bank", "kept_both", "ready")).to_vec()),
        ("prefer-backup: the hand-added account is replaced and named", &["REQ-RESTORE-023", "REQ-RESTORE-031"], &["Overwrite"],
            input(hand_added(), "ios", "prefer-backup"), with_bank(("bank", "replaced", "ready")).to_vec()),
        ("prefer-device: the hand-added account stays, the backup's is not restored", &["REQ-RESTORE-023"], &["Overwrite"],
            input(hand_added(), "ios", "prefer-device"), with_bank(("bank", "device_kept", "ready")).to_vec()),
        ("the same secret under another name is already present", &["REQ-RESTORE-010", "REQ-RESTORE-011", "REQ-RESTORE-021"], &["Matching"],
            input(json!([code("x", "totp", "GH", "renamed", A)]), "ios", "prefer-backup"),
            vec![("gh", "already_present", "ready"), FRESH[1], FRESH[2], FRESH[3], FRESH[4]]),
        ("a placeholder never replaces a signed-in work account", &["REQ-RESTORE-022"], &["Placeholder"],
            input(json!([{ "id": "work", "type": "work_school", "name": "alice@contoso.com", "token": "signed-in" }]), "ios", "prefer-backup"),
            vec![FRESH[0], FRESH[1], FRESH[2], FRESH[3], ("work", "already_present", "ready")]),
        ("a device id reused for another account: the restored one gets a derived id", &["REQ-RESTORE-025", "REQ-RESTORE-011"], &["Matching"],
            input(json!([code("gh", "totp", "Other", "bob", C)]), "ios", "keep-both"),
            vec![("gh", "kept_both", "ready"), FRESH[1], FRESH[2], FRESH[3], FRESH[4]]),
    ];
    let own = json!([
        code(
            "own-1",
            "totp",
            "Own",
            "me",
            "KRSXG5DAONSWG4TFOQQGM33SEB3GQ2LT"
        ),
        code(
            "hand-1",
            "totp",
            "example bank",
            "ALICE",
            "ORSXG5BAONSWG4TFOQQGM33SEB3GQ2LT"
        )
    ]);
    for policy in ["keep-both", "prefer-backup", "prefer-device"] {
        let inp = input(own.clone(), "ios", policy);
        let bank = match policy {
            "keep-both" => ("bank", "kept_both", "ready"),
            "prefer-backup" => ("bank", "replaced", "ready"),
            _ => ("bank", "device_kept", "ready"),
        };
        let out = answer(&inp, &with_bank(bank));
        assert_eq!(out["untouched"], json!(["own-1"]), "REQ-RESTORE-024");
        b.valid(
            &format!(
                "{policy}: a device account no backup account matches is listed untouched and kept"
            ),
            &["REQ-RESTORE-024"],
            &["Overwrite"],
            inp,
            out,
        );
    }
    let derived = derived_id("b-1", "gh");
    let taken = json!([
        code(
            "gh",
            "totp",
            "Other",
            "bob",
            "KRSXG5BAONSWG4TFOQQGM33SEB3GQ2LT"
        ),
        code(
            &derived,
            "totp",
            "Other",
            "carol",
            "KRSXG5CAONSWG4TFOQQGM33SEB3GQ2LT"
        ),
    ]);
    let inp = input(taken, "ios", "keep-both");
    let out = answer(
        &inp,
        &[
            ("gh", "kept_both", "ready"),
            FRESH[1],
            FRESH[2],
            FRESH[3],
            FRESH[4],
        ],
    );
    assert_eq!(
        out["outcomes"][0]["added_id"],
        format!("{derived}-2"),
        "REQ-RESTORE-025"
    );
    b.valid(
        "the backup's id and its derived id both taken on the device: -2 is appended",
        &["REQ-RESTORE-025"],
        &["Matching"],
        inp,
        out,
    );
    let mut second_device = Value::Null;
    for (comment, reqs, flags, inp, expect) in scenarios {
        let out = answer(&inp, &expect);
        if comment.starts_with("keep-both: a hand-added") {
            second_device = out["device"].clone();
        }
        b.valid(comment, reqs, flags, inp, out);
    }
    second_device
}

/// Prefer-backup replaces a hand-added account that matches by name, but the backup
/// account's own id is used on the device by another account (identical to another backup
/// account, so matched already and kept): the replacement gets the derived id, written out
/// here, and the device never holds one id twice (REQ-RESTORE-025).
fn replaced_under_a_taken_id(b: &mut Builder) {
    let device = json!([
        code("bank", "totp", "GitHub", "alice@example.com", A),
        hand_added()[0]
    ]);
    let inp = input(device, "ios", "prefer-backup");
    let out = answer(
        &inp,
        &[
            ("gh", "already_present", "ready"),
            ("bank", "replaced", "ready"),
            FRESH[2],
            FRESH[3],
            FRESH[4],
        ],
    );
    let derived = derived_id("b-1", "bank");
    assert_eq!(
        device_ids(&out),
        ["bank", derived.as_str(), "ms", "pw", "work"],
        "REQ-RESTORE-025: the replacement of hand-1 takes the derived id"
    );
    b.valid(
        "prefer-backup: the replaced account's backup id is another device account's: the replacement gets the derived id",
        &["REQ-RESTORE-025", "REQ-RESTORE-023"],
        &["Overwrite", "Matching"],
        inp,
        out,
    );
}

/// A backup account's own id is the id derived for another backup account whose own id the
/// device uses (REQ-RESTORE-025: an id is used once, whichever account took it first), in
/// both orders: the derived id taken first by the account that owns it (the other gets
/// `-2`), and the derived id made up first (the account that owns it gets an id derived from
/// its own). Each device's ids are written out here.
fn own_and_derived_ids_meet(b: &mut Builder) {
    let derived = derived_id("b-1", "gh");
    let device = json!([code("gh", "totp", "Other", "bob", C)]);
    let gh = code("gh", "totp", "GitHub", "alice@example.com", A);
    let owner = code(&derived, "totp", "Own", "me", B);
    let inp = json!({ "device": device, "backup": backup_of(json!([owner, gh])), "platform": "ios", "policy": "keep-both" });
    let out = answer(
        &inp,
        &[
            (derived.as_str(), "added", "ready"),
            ("gh", "kept_both", "ready"),
        ],
    );
    let second = format!("{derived}-2");
    assert_eq!(out["outcomes"][1]["added_id"], second.as_str());
    assert_eq!(device_ids(&out), ["gh", derived.as_str(), second.as_str()]);
    b.valid(
        "a backup account restored under its own id, which is the id derived for a later account: the later one gets -2",
        &["REQ-RESTORE-025"],
        &["Matching"],
        inp,
        out,
    );
    let inp = json!({ "device": device, "backup": backup_of(json!([gh, owner])), "platform": "ios", "policy": "keep-both" });
    let out = answer(
        &inp,
        &[
            ("gh", "kept_both", "ready"),
            (derived.as_str(), "added", "ready"),
        ],
    );
    assert_eq!(out["outcomes"][0]["added_id"], derived.as_str());
    let derived_again = derived_id("b-1", &derived);
    assert_eq!(
        device_ids(&out),
        ["gh", derived.as_str(), derived_again.as_str()]
    );
    b.valid(
        "a backup account whose own id was made up for an earlier account: it gets an id derived from its own",
        &["REQ-RESTORE-025"],
        &["Matching"],
        inp,
        out,
    );
}

/// Prefer-backup: a device account left by an earlier restore (its id is the one derived for
/// the backup's `gh`) is replaced by `bank`, which comes first in this backup; `gh` itself is
/// added (the device's `gh` is identical to `ms`, so matched already) and its own id is in
/// use, so it gets the derived id, which the replacement freed (REQ-RESTORE-025). Ids
/// written out here.
fn replaced_id_freed(b: &mut Builder) {
    let derived = derived_id("b-1", "gh");
    let mut left_by_a_restore = hand_added()[0].clone();
    left_by_a_restore["id"] = derived.as_str().into();
    let device = json!([
        code("gh", "msa_totp", "Microsoft", "alice@outlook.com", C),
        left_by_a_restore
    ]);
    let backup = backup_of(json!([
        code("bank", "totp", "Example Bank", "alice", B),
        code("gh", "totp", "GitHub", "alice@example.com", A),
        code("ms", "msa_totp", "Microsoft", "alice@outlook.com", C),
    ]));
    let inp =
        json!({ "device": device, "backup": backup, "platform": "ios", "policy": "prefer-backup" });
    let out = answer(
        &inp,
        &[
            ("bank", "replaced", "ready"),
            ("gh", "added", "ready"),
            ("ms", "already_present", "ready"),
        ],
    );
    assert_eq!(
        device_ids(&out),
        ["gh", "bank", derived.as_str()],
        "REQ-RESTORE-025"
    );
    b.valid(
        "prefer-backup: the id of a device account an earlier backup account replaced is free for a later one",
        &["REQ-RESTORE-025", "REQ-RESTORE-023"],
        &["Overwrite", "Matching"],
        inp,
        out,
    );
}

/// Which identical device account a backup account finds (REQ-RESTORE-011 passes 1 and 2),
/// each device id written out by hand.
fn matching_order(b: &mut Builder) {
    b.group("Matching order among identical device accounts", None);
    let same = |id: &str| code(id, "totp", "GitHub", "alice@example.com", A);
    let twice = json!({ "version": 1, "platform": "ios", "backup_id": "b-1", "generation": 4, "created": 1700000000,
        "accounts": [same("x"), same("y")] });
    type Pairs<'a> = &'a [(&'a str, &'a str)];
    let one = json!({ "version": 1, "platform": "ios", "backup_id": "b-1", "generation": 4, "created": 1700000000,
        "accounts": [same("x")] });
    let cases: [(&str, Value, Pairs<'_>); 3] = [
        (
            "two identical device accounts: the one with the backup account's id is matched (pass 1), not the first",
            input(json!([same("a"), same("gh")]), "ios", "keep-both"),
            &[("gh", "gh")],
        ),
        (
            "two identical backup accounts find two identical device accounts, the first not yet matched each (pass 2)",
            json!({ "device": [same("a"), same("b")], "backup": twice, "platform": "ios", "policy": "keep-both" }),
            &[("x", "a"), ("y", "b")],
        ),
        (
            "the device account with the backup account's id has another secret: the identical one under another id is the match (pass 2), the one with the id stays untouched",
            json!({ "device": [code("x", "totp", "Example", "bob", C), same("a")], "backup": one, "platform": "ios", "policy": "keep-both" }),
            &[("x", "a")],
        ),
    ];
    for (comment, inp, pairs) in cases {
        let Answer::Ok(out) = Reference.call("restore.plan", &inp) else {
            panic!("the reference refused {inp}");
        };
        for (backup_id, device_id) in pairs {
            let o = out["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == *backup_id)
                .unwrap();
            assert_eq!(
                (o["outcome"].as_str(), o["device_id"].as_str()),
                (Some("already_present"), Some(*device_id)),
                "the reference disagrees with the hand-written match for {backup_id}"
            );
        }
        b.valid(comment, &["REQ-RESTORE-011"], &["Matching"], inp, out);
    }
}

/// Restoring twice changes nothing the second time.
fn restoring_twice(b: &mut Builder, second_device: Value) {
    b.group("Restoring twice", None);
    // The device after the keep-both restore above, written back in device-file form.
    let secrets = [
        ("gh", A),
        ("bank", B),
        ("ms", C),
        ("hand-1", "ORSXG5BAONSWG4TFOQQGM33SEB3GQ2LT"),
    ];
    let names = [
        ("hand-1", ("example bank", "ALICE")),
        ("gh", ("GitHub", "alice@example.com")),
        ("bank", ("Example Bank", "alice")),
        ("ms", ("Microsoft", "alice@outlook.com")),
    ];
    let after: Vec<Value> = second_device
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap();
            let t = d["type"].as_str().unwrap();
            match secrets.iter().find(|(i, _)| *i == id) {
                Some((_, s)) => {
                    let (issuer, name) = names.iter().find(|(i, _)| *i == id).unwrap().1;
                    code(id, t, issuer, name, s)
                }
                None => {
                    let name = if id == "pw" {
                        "alice.personal@outlook.com"
                    } else {
                        "alice@contoso.com"
                    };
                    json!({ "id": id, "type": t, "name": name, "state": "action_required" })
                }
            }
        })
        .collect();
    for policy in ["keep-both", "prefer-backup", "prefer-device"] {
        let inp = input(Value::Array(after.clone()), "ios", policy);
        let expect = [
            ("gh", "already_present", "ready"),
            ("bank", "already_present", "ready"),
            ("ms", "already_present", "ready"),
            ("pw", "already_present", "action_required"),
            ("work", "already_present", "action_required"),
        ];
        let out = answer(&inp, &expect);
        b.valid(&format!("the device after a keep-both restore, restored again under {policy}: nothing changes"), &["REQ-RESTORE-030", "REQ-RESTORE-021", "REQ-RESTORE-022"], &["Idempotent"], inp, out);
    }
}

/// Applying a plan: all or nothing, only to the device it was made for.
fn applying(b: &mut Builder) {
    b.group(
        "Applying a plan: all or nothing, and only to the device it was made for",
        Some("restore.apply"),
    );
    let apply = |now: Value| json!({ "device": hand_added(), "device_now": now, "backup": backup("ios"), "platform": "ios", "policy": "keep-both" });
    b.valid(
        "the device is unchanged since planning: the whole plan is applied",
        &["REQ-RESTORE-040"],
        &[],
        apply(hand_added()),
        json!({ "device": ["hand-1", "gh", "bank", "ms", "pw", "work"] }),
    );
    let mut changed = hand_added();
    changed[0]["name"] = "ALICE 2".into();
    b.invalid(
        "the device changed since planning: nothing is applied",
        &["REQ-RESTORE-040", "REQ-RESTORE-041"],
        &[],
        apply(changed),
        "precondition_failed",
    );
}

/// Before wiping the old phone: is every account in the backup?
fn verifying(b: &mut Builder) {
    b.group(
        "Verifying a backup before wiping the device",
        Some("backup.verify"),
    );
    let old = json!([
        code("gh", "totp", "GitHub", "alice@example.com", A),
        code("bank", "totp", "Example Bank", "alice", B),
        code("ms", "msa_totp", "Microsoft", "alice@outlook.com", C),
        placeholder("pw", "msa_passwordless", "alice.personal@outlook.com"),
        placeholder("work", "work_school", "alice@contoso.com"),
        json!({ "id": "vpn", "type": "totp", "issuer": "VPN", "name": "alice", "secret": A, "excluded_by_policy": true })
    ]);
    let verify =
        |device: Value| json!({ "device": device, "backup": backup("ios"), "time": 1700000000u64 });
    let coverage = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(id, c)| json!({ "id": id, "coverage": c }))
            .collect::<Vec<_>>()
    };
    let all_ok = [
        ("gh", "in_backup"),
        ("bank", "in_backup"),
        ("ms", "in_backup"),
        ("pw", "placeholder"),
        ("work", "placeholder"),
        ("vpn", "excluded_by_policy"),
    ];
    b.valid(
        "a fresh backup of the device: safe to wipe",
        &[
            "REQ-COVERAGE-001",
            "REQ-COVERAGE-002",
            "REQ-COVERAGE-003",
            "REQ-COVERAGE-004",
        ],
        &[],
        verify(old.clone()),
        json!({ "safe_to_wipe": true, "accounts": coverage(&all_ok) }),
    );
    let mut stale = old.clone();
    stale[1]["secret"] = C.into();
    stale
        .as_array_mut()
        .unwrap()
        .push(code("new", "totp", "Forge", "alice", C));
    let mut expect = all_ok.to_vec();
    expect[1] = ("bank", "different");
    expect.push(("new", "missing"));
    b.valid(
        "an account added and a secret re-issued since the backup: not safe",
        &["REQ-COVERAGE-002", "REQ-COVERAGE-003", "REQ-COVERAGE-004"],
        &[],
        verify(stale),
        json!({ "safe_to_wipe": false, "accounts": coverage(&expect) }),
    );
    let mut retyped = old.clone();
    retyped[3]["type"] = "work_school".into();
    let mut expect = all_ok.to_vec();
    expect[3] = ("pw", "different");
    b.valid(
        "an account whose type changed",
        &["REQ-COVERAGE-003", "REQ-COVERAGE-004"],
        &[],
        verify(retyped),
        json!({ "safe_to_wipe": false, "accounts": coverage(&expect) }),
    );
}

/// Refused inputs.
fn refused_inputs(b: &mut Builder) {
    b.group("Refused inputs", None);
    b.invalid(
        "an unknown policy",
        &["REQ-RESTORE-027"],
        &[],
        input(json!([]), "ios", "overwrite"),
        "invalid_parameter",
    );
    b.invalid(
        "a device with two accounts under one id",
        &["REQ-DEVICE-004", "REQ-RESTORE-041"],
        &[],
        input(
            json!([
                code("d", "totp", "X", "a", A),
                code("d", "totp", "Y", "b", B)
            ]),
            "ios",
            "keep-both",
        ),
        "duplicate_account",
    );
    b.invalid(
        "a device account with an unknown member",
        &["REQ-DEVICE-001"],
        &[],
        input(
            json!([{ "id": "d", "type": "totp", "name": "n", "secret": A, "password": "x" }]),
            "ios",
            "keep-both",
        ),
        "malformed",
    );
    b.invalid(
        "a device account with an unknown state",
        &["REQ-DEVICE-001"],
        &[],
        input(
            json!([{ "id": "d", "type": "totp", "name": "n", "secret": A, "state": "sleeping" }]),
            "ios",
            "keep-both",
        ),
        "invalid_parameter",
    );
    b.invalid(
        "a device account of an unknown type",
        &["REQ-DEVICE-003"],
        &[],
        input(
            json!([{ "id": "d", "type": "steam", "name": "n" }]),
            "ios",
            "keep-both",
        ),
        "unsupported_account_type",
    );
    let mut bad_backup = input(json!([]), "ios", "keep-both");
    bad_backup["backup"]["accounts"][3]["secret"] = A.into();
    b.invalid(
        "a backup whose placeholder carries a secret",
        &["REQ-PAYLOAD-013", "REQ-RESTORE-041"],
        &[],
        bad_backup,
        "secret_in_placeholder",
    );
    b.valid("device defaults: no algorithm, digits, period or state", &["REQ-DEVICE-002"], &[],
        input(json!([{ "id": "gh", "type": "totp", "issuer": "GitHub", "name": "alice@example.com", "secret": A }]), "ios", "keep-both"),
        answer(&input(json!([{ "id": "gh", "type": "totp", "issuer": "GitHub", "name": "alice@example.com", "secret": A }]), "ios", "keep-both"),
            &[("gh", "already_present", "ready"), FRESH[1], FRESH[2], FRESH[3], FRESH[4]]));
}

/// REQ-RESTORE-025, computed here: `restored-` and the hex of the first 8 bytes of
/// SHA-256(backup id, a zero byte, account id).
pub(crate) fn derived_id(backup_id: &str, account_id: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(backup_id.as_bytes());
    h.update([0]);
    h.update(account_id.as_bytes());
    format!(
        "restored-{}",
        data_encoding::HEXLOWER.encode(&h.finalize()[..8])
    )
}
