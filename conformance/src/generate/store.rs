//! Store vectors (`spec/lifecycle.md`, "Storage"): every kind of file a store writes, judged by
//! crashing a model file system after each operation the implementation reports
//! (REQ-STORE-002); and the generation a reader offers when newer ones are damaged
//! (REQ-STORE-005), written out by hand.

use serde_json::{json, Value};

use super::container::{edit, flip_b64, generation_sealed};
use super::{Builder, Rng};
use crate::model::VectorFile;

const STORAGE: &str = "alice@outlook.com";

fn totp(id: &str, name: &str, secret: &str) -> Value {
    json!({ "id": id, "type": "totp", "issuer": "Example", "name": name, "secret": secret,
        "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn enable() -> Value {
    json!({ "event": "enable", "backup_id": "b-1", "env": { "platform": "android",
        "recovery_account": { "id": STORAGE, "personal": true } } })
}

fn files(list: &[(u64, &str)]) -> Value {
    json!({
        "storage_account": STORAGE,
        "generations": list.iter().map(|(g, c)| json!({ "generation": g, "container": c })).collect::<Vec<_>>(),
    })
}

pub(crate) fn store() -> VectorFile {
    let mut b = Builder::new("store", "store.write", &[
        "Local storage (spec/lifecycle.md, section 6). store.write cases are judged by the runner's crash model (spec/adapter-protocol.md): the implementation reports the file operations of a write, and the runner crashes a pessimistic POSIX file system after each of them.",
        "store.newest_good expectations are written out by hand; the containers are sealed with a fixed key and seed (conformance/src/generate/container.rs), each with its own generation in the header.",
    ]);
    notes(&mut b);
    let mut rng = Rng::new(0xABF0_0570);
    let key = rng.bytes(32);
    let sealed: Vec<String> = (0..=10)
        .map(|g| generation_sealed(&mut rng, &key, g))
        .collect();

    atomic_writes(&mut b, &sealed);
    pruning(&mut b, &sealed);
    newest_good(&mut b, &sealed);
    b.finish()
}

fn notes(b: &mut Builder) {
    b.note(
        "CrashConsistency",
        "Data loss",
        "A crash during the write can leave the file empty, partial or missing: writing in place, renaming a temporary file whose data was never synced (the empty-file-after-crash bug of delayed allocation), removing the target before renaming, or never syncing the directory, so that the new file is not durable when the write returns.",
        &["REQ-STORE-002", "https://www.usenix.org/conference/osdi14/technical-sessions/presentation/pillai"],
    );
    b.note(
        "DamagedGeneration",
        "Availability",
        "A reader offers a damaged newest generation (truncated, empty, not a container, or holding another generation than its file) instead of the newest good one, so the user's restore fails although a good backup is kept.",
        &["REQ-STORE-005"],
    );
    b.note(
        "Pruning",
        "Data loss",
        "Older generations are removed only once a newer one is durable, and only those beyond the newest kept: removing first can leave no backup after a crash; never removing lets old secrets linger.",
        &["REQ-STORE-004", "REQ-STORE-002"],
    );
    b.note(
        "GenerationOrder",
        "Logic",
        "Generations are compared as text (9 after 10) instead of as numbers.",
        &["REQ-STORE-001", "REQ-STORE-005"],
    );
    b.note(
        "KeylessChecks",
        "Specification",
        "Without the key a reader cannot see a changed ciphertext or tag: such a generation passes the keyless checks and is offered; opening it then fails with decryption_failed.",
        &["REQ-STORE-005", "REQ-CONTAINER-031"],
    );
}

/// Atomic writes of each kind of file (`store.write`), judged by the crash model.
fn atomic_writes(b: &mut Builder, sealed: &[String]) {
    b.group(
        "Atomic writes: the reported file operations, crashed after each",
        None,
    );
    let atomic = &["REQ-STORE-002"];
    let flags = &["CrashConsistency"];
    b.valid(
        "a backup generation replaced (written again, as after an interrupted write)",
        atomic,
        flags,
        json!({ "file": "backup", "storage_account": STORAGE, "generation": 3, "old": sealed[2], "new": sealed[3] }),
        json!({}),
    );
    b.checked_by("crash_safe");
    b.valid(
        "a new backup generation appears whole or not at all",
        &["REQ-STORE-002", "REQ-STORE-001"],
        flags,
        json!({ "file": "backup", "storage_account": STORAGE, "generation": 4, "old": null, "new": sealed[4] }),
        json!({}),
    );
    b.checked_by("crash_safe");
    let one = json!([totp("a", "alice", "JBSWY3DPEHPK3PXP")]);
    let two = json!([
        totp("a", "alice", "JBSWY3DPEHPK3PXP"),
        totp("b", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    ]);
    b.valid(
        "the device's accounts replaced after an account was added",
        atomic,
        flags,
        json!({ "file": "device", "old": one, "new": two }),
        json!({}),
    );
    b.checked_by("crash_safe");
    b.valid(
        "the device's accounts written for the first time",
        atomic,
        flags,
        json!({ "file": "device", "old": null, "new": one }),
        json!({}),
    );
    b.checked_by("crash_safe");
    b.valid(
        "the lifecycle state replaced after an account was added",
        atomic,
        flags,
        json!({ "file": "lifecycle", "old": [enable()], "new": [enable(), { "event": "account_added", "id": "a" }] }),
        json!({}),
    );
    b.checked_by("crash_safe");
    b.valid(
        "the lifecycle state written for the first time",
        atomic,
        flags,
        json!({ "file": "lifecycle", "old": null, "new": [enable()] }),
        json!({}),
    );
    b.checked_by("crash_safe");
}

/// Writing past the generations kept (`store.write` with `keep` and `earlier`), judged by
/// content: the newest `keep` stay, the older go, and no crash leaves none intact.
fn pruning(b: &mut Builder, sealed: &[String]) {
    b.group(
        "Pruning: generations beyond the newest kept are removed, never before a newer one is durable",
        None,
    );
    let earlier = |gens: &[usize]| -> Value {
        gens.iter()
            .map(|&g| json!({ "generation": g, "container": sealed[g] }))
            .collect()
    };
    let cases: [(&str, u64, &[usize], usize); 3] = [
        (
            "keeping 2: generations 1 and 2 go when 4 is written",
            2,
            &[1, 2, 3],
            4,
        ),
        (
            "keeping 1: the only other generation goes, but only once the new one is durable",
            1,
            &[5],
            6,
        ),
        (
            "keeping 5 (the default) with 5 kept: the oldest goes",
            5,
            &[1, 2, 3, 4, 5],
            6,
        ),
    ];
    for (comment, keep, gens, new) in cases {
        b.valid(
            comment,
            &["REQ-STORE-004", "REQ-STORE-002"],
            &["Pruning", "CrashConsistency"],
            json!({ "file": "backup", "storage_account": STORAGE, "generation": new, "keep": keep,
                "earlier": earlier(gens), "old": null, "new": sealed[new] }),
            json!({}),
        );
        b.checked_by("crash_safe");
    }
}

/// The newest good generation (`store.newest_good`); `sealed[g]` is generation g.
fn newest_good(b: &mut Builder, sealed: &[String]) {
    b.group(
        "The newest good generation, with every newer damaged one skipped",
        Some("store.newest_good"),
    );
    let reader = &["REQ-STORE-005"];
    let damaged = &["DamagedGeneration"];
    let truncated = &sealed[3][..sealed[3].len() / 2];
    let offered = |g: Option<u64>, skipped: &[u64]| json!({ "generation": g, "skipped": skipped });
    b.valid(
        "every generation good: the newest is offered",
        &["REQ-STORE-005", "REQ-STORE-001"],
        &[],
        files(&[(1, &sealed[1]), (2, &sealed[2]), (3, &sealed[3])]),
        offered(Some(3), &[]),
    );
    b.valid(
        "the newest truncated: the one before is offered",
        reader,
        damaged,
        files(&[(1, &sealed[1]), (2, &sealed[2]), (3, truncated)]),
        offered(Some(2), &[3]),
    );
    b.valid(
        "the newest empty (an unsynced write after a crash)",
        reader,
        damaged,
        files(&[(1, &sealed[1]), (2, &sealed[2]), (3, "")]),
        offered(Some(2), &[3]),
    );
    b.valid(
        "the two newest damaged: both skipped, newest first",
        reader,
        damaged,
        files(&[(1, &sealed[1]), (2, "not a container"), (3, truncated)]),
        offered(Some(1), &[3, 2]),
    );
    b.valid(
        "the newest file holds an older generation (a copy put back by hand)",
        reader,
        damaged,
        files(&[(2, &sealed[2]), (3, &sealed[3]), (4, &sealed[2])]),
        offered(Some(3), &[4]),
    );
    let wrong_alg = edit(&sealed[3], |v| {
        v["recipients"][0]["header"]["alg"] = "RSA1_5".into()
    });
    b.valid(
        "the newest names an algorithm outside the allow-list",
        reader,
        damaged,
        files(&[(2, &sealed[2]), (3, &wrong_alg)]),
        offered(Some(2), &[3]),
    );
    b.valid(
        "every generation damaged: nothing offered, each skipped",
        reader,
        damaged,
        files(&[(1, "{}"), (2, truncated)]),
        offered(None, &[2, 1]),
    );
    b.valid(
        "no generation kept",
        reader,
        &[],
        files(&[]),
        offered(None, &[]),
    );
    b.valid(
        "generation 10 is newer than generation 9",
        &["REQ-STORE-005", "REQ-STORE-001"],
        &["GenerationOrder"],
        files(&[(9, &sealed[9]), (10, &sealed[10])]),
        offered(Some(10), &[]),
    );
    let tampered = edit(&sealed[3], |v| flip_b64(v, "tag"));
    b.valid(
        "a changed tag passes the keyless checks: the newest is offered",
        reader,
        &["KeylessChecks"],
        files(&[(2, &sealed[2]), (3, &tampered)]),
        offered(Some(3), &[]),
    );
}
