//! The fuzz targets' bodies (`fuzz/fuzz_targets/*` call these), kept here so that the
//! corpora replay on stable Rust in the normal test run. Each target checks properties, not
//! only the absence of panics: round trips, the platform lock, no lost device account under
//! `keep-both`, placeholders without secrets, generations that never go back, tampering that
//! never opens.

use arbitrary::{Arbitrary, Unstructured};
use authbackup::account::{AccountState, AccountType, CodeParams, DeviceAccount};
use authbackup::container::{self, Credential, RecoveryKey};
use authbackup::lifecycle::{Effect, Environment, Event, KeyProvider, Machine, RecoveryAccount};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::restore::{self, Outcome, Policy};
use authbackup::uri::KeyUri;
use authbackup::Secret;

mod tamper;
pub use tamper::container_structured;

/// The fuzz targets, by name (the names of `fuzz/fuzz_targets/*.rs` and of the corpus folders).
pub const TARGETS: [&str; 9] = [
    "base32",
    "uri",
    "payload",
    "jwk",
    "container_raw",
    "container_structured",
    "restore",
    "lifecycle",
    "import",
];

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "base32" => base32(data),
        "uri" => uri(data),
        "payload" => payload(data),
        "jwk" => jwk(data),
        "container_raw" => container_raw(data),
        "container_structured" => container_structured(data),
        "restore" => restore(data),
        "lifecycle" => lifecycle(data),
        "import" => import(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// Base32 secrets: whatever decodes re-encodes canonically and decodes to the same bytes.
pub fn base32(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = Secret::from_base32(&text) {
        assert!((10..=128).contains(&s.len()));
        let again = Secret::from_base32(&s.to_base32()).expect("canonical text decodes");
        assert_eq!(again, s);
    }
}

/// Key URIs: whatever parses is written and parsed back to the same account.
pub fn uri(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(k) = KeyUri::parse(&text) {
        let written = k.to_uri().expect("a parsed account can be written");
        assert_eq!(KeyUri::parse(&written).expect("written URIs parse"), k);
    }
}

/// Payloads: whatever parses passes the writer's checks, keeps placeholders secret-free, and
/// round-trips through the writer.
pub fn payload(data: &[u8]) {
    if let Ok(p) = Payload::from_json(data) {
        let again = Payload::new(p.meta().clone(), p.accounts().to_vec())
            .expect("a parsed payload's parts make a payload again");
        assert_eq!(again, p);
        assert!(p
            .accounts()
            .iter()
            .all(|a| a.is_placeholder() == a.key().is_none()));
        assert_eq!(
            Payload::from_json(&p.to_json()).expect("written payloads parse"),
            p
        );
    }
}

/// A JWK read as a recovery key (REQ-CONTAINER-060): never a panic; a key it accepts has a
/// kid a container can carry (REQ-CONTAINER-023), and its JWK text, written again, reads
/// back as the same key (kid, algorithm, private part or not).
pub fn jwk(data: &[u8]) {
    if let Ok(key) = RecoveryKey::from_jwk_json(data) {
        let kid = key.kid();
        assert!(
            !kid.is_empty() && kid.len() <= 128 && !kid.chars().any(char::is_control),
            "an accepted key's kid is one a container can carry"
        );
        let again = RecoveryKey::from_jwk_json(key.to_jwk_json().as_bytes())
            .expect("a key's own JWK text reads back");
        assert_eq!(again.kid(), kid);
        assert_eq!(again.algorithm(), key.algorithm());
        assert_eq!(again.can_open(), key.can_open());
    }
}

/// The fixed key the container targets open with (made once per process).
pub fn fuzz_key() -> &'static Credential {
    static KEY: std::sync::OnceLock<Credential> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let jwk =
            br#"{"kty":"oct","kid":"fuzz","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}"#;
        Credential::Key(RecoveryKey::from_jwk_json(jwk).expect("fixed key"))
    })
}

/// Raw container bytes: inspect and open never panic, and whatever opens agrees with its
/// header.
pub fn container_raw(data: &[u8]) {
    let info = container::inspect(data);
    if let Ok(opened) = container::open(data, fuzz_key()) {
        assert_eq!(
            Some(opened.payload.meta()),
            info.as_ref().ok().map(|i| &i.meta)
        );
    }
}

/// A small account, so that matches are likely.
#[derive(Arbitrary, Debug, Clone)]
struct SmallAccount {
    id: u8,
    kind: u8,
    issuer: u8,
    name: u8,
    secret: u8,
    excluded: bool,
}

fn device_account(a: &SmallAccount) -> DeviceAccount {
    let t = AccountType::ALL[a.kind as usize % 4];
    DeviceAccount {
        id: format!("id{}", a.id % 6),
        account_type: t,
        issuer: [None, Some("Acme"), Some("ACME")][a.issuer as usize % 3].map(Into::into),
        name: ["alice", "Alice", "bob"][a.name as usize % 3].into(),
        secret: (t.bears_codes() || a.secret.is_multiple_of(2))
            .then(|| Secret::from_bytes(vec![a.secret % 4 + 1; 10]).expect("10 bytes")),
        params: CodeParams::default(),
        token: None,
        excluded_by_policy: a.excluded,
        state: AccountState::Ready,
    }
}

fn unique(accounts: &[SmallAccount]) -> Vec<DeviceAccount> {
    let mut seen = std::collections::HashSet::new();
    accounts
        .iter()
        .map(device_account)
        .filter(|d| seen.insert(d.id.clone()))
        .collect()
}

/// Restore planning on arbitrary devices and backups: the platform lock holds, nothing is lost
/// under `keep-both`, every replaced account is reported, ids stay unique, restored
/// placeholders carry no secret, and a second restore changes nothing.
pub fn restore(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let (Ok(old), Ok(device), Ok(policy)) = (
        Vec::<SmallAccount>::arbitrary(&mut u),
        Vec::<SmallAccount>::arbitrary(&mut u),
        u8::arbitrary(&mut u),
    ) else {
        return;
    };
    let policy =
        [Policy::KeepBoth, Policy::PreferBackup, Policy::PreferDevice][policy as usize % 3];
    let (accounts, _) = authbackup::account::build_backup_accounts(&unique(&old))
        .expect("unique ids, secrets present");
    let backup = Payload::new(
        BackupMeta::new(Platform::Android, "b", 1, 0).unwrap(),
        accounts,
    )
    .unwrap();
    let device = unique(&device);
    assert!(
        restore::plan(&device, &backup, Platform::Ios, policy).is_err(),
        "the platform lock"
    );
    let plan = restore::plan(&device, &backup, Platform::Android, policy).expect("same platform");
    let after = restore::apply(&device, &plan).expect("fresh plan");
    let ids: std::collections::HashSet<_> = after.iter().map(|d| &d.id).collect();
    assert_eq!(ids.len(), after.len(), "ids unique");
    for d in &device {
        if !after.contains(d) {
            assert_eq!(policy, Policy::PreferBackup, "{} lost under {policy}", d.id);
            assert!(
                plan.outcomes.iter().any(
                    |o| matches!(&o.outcome, Outcome::Replaced { device, .. } if device.id == d.id)
                ),
                "{} replaced silently",
                d.id
            );
        }
    }
    for d in after.iter().filter(|d| !device.contains(d)) {
        assert!(d.token.is_none());
        if !d.account_type.bears_codes() {
            assert!(
                d.secret.is_none() && d.state == AccountState::ActionRequired,
                "a placeholder came back with a secret or ready"
            );
        }
    }
    let second = restore::plan(&after, &backup, Platform::Android, policy).expect("same platform");
    assert!(
        !second.changes_device(),
        "a second restore changed the device"
    );
}

/// A small lifecycle event.
#[derive(Arbitrary, Debug)]
enum SmallEvent {
    /// Turn on with one of a few environments.
    Enable(u8, u8),
    /// Turn off.
    Disable,
    /// Change the recovery account.
    Change(u8, u8),
    /// An account change.
    Account,
    /// The migration announcement.
    Migrate,
    /// Report the oldest pending effect done.
    DoneOldest,
    /// Restart.
    Resume,
}

fn environment(n: u8) -> Environment {
    let mut env = Environment {
        platform: if n % 5 == 4 {
            Platform::Android
        } else {
            Platform::Ios
        },
        recovery_account: Some(RecoveryAccount {
            id: format!("user{}", n % 2),
            personal: n % 7 != 6,
        }),
        os_version: if n % 11 == 10 { 15 } else { 17 },
        icloud: n % 13 != 12,
        icloud_keychain: n % 17 != 16,
        personal_apple_id: Some(format!("apple{}", n % 3)),
        managed_apple_id: n.is_multiple_of(3).then(|| "corp".to_string()),
    };
    if n % 19 == 18 {
        env.recovery_account = None;
    }
    env
}

/// The lifecycle machine on arbitrary event sequences: a refused event changes nothing,
/// generations of a backup never go back, a recipient is removed only once the keychain can
/// open the backup, and finishing the outbox empties it.
pub fn lifecycle(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(events) = Vec::<SmallEvent>::arbitrary(&mut u) else {
        return;
    };
    let mut m = Machine::new();
    for e in events.iter().take(64) {
        let event = match e {
            SmallEvent::Enable(env, id) => Event::Enable {
                env: environment(*env),
                backup_id: format!("b{id}"),
            },
            SmallEvent::Disable => Event::Disable,
            SmallEvent::Change(env, id) => Event::ChangeRecoveryAccount {
                env: environment(*env),
                backup_id: format!("b{id}"),
            },
            SmallEvent::Account => Event::AccountAdded { id: "a".into() },
            SmallEvent::Migrate => Event::StartKeyMigration,
            SmallEvent::DoneOldest => match m.outbox.first() {
                Some(effect) => Event::Done {
                    effect: effect.clone(),
                },
                None => continue,
            },
            SmallEvent::Resume => Event::Resume,
        };
        let before = m.clone();
        let Ok((next, effects)) = m.step(&event) else {
            assert_eq!(m, before);
            continue;
        };
        if let (Some(a), Some(b)) = (&before.on, &next.on) {
            if a.backup_id == b.backup_id && a.storage_account == b.storage_account {
                assert!(b.generation >= a.generation, "generation went back");
            }
        }
        for effect in &effects {
            if let Effect::RemoveRecipient { .. } = effect {
                assert!(
                    next.on
                        .as_ref()
                        .is_some_and(|on| on.recipients.contains(&KeyProvider::PlatformKeychain)),
                    "removed before the keychain opens it"
                );
            }
        }
        if let Some(on) = &next.on {
            assert!(!on.recipients.is_empty());
        }
        m = next;
    }
    let (mut m, mut pending) = m.step(&Event::Resume).expect("resume");
    let mut rounds = 0;
    while let Some(effect) = pending.pop() {
        rounds += 1;
        assert!(rounds < 1000, "the outbox does not drain");
        let (next, more) = m.step(&Event::Done { effect }).expect("done");
        m = next;
        pending.extend(more);
    }
    assert!(m.outbox.is_empty());
}

/// Importers: the first byte picks the format, the rest is the export (password `fuzz`).
/// Whatever is imported is a valid device accounts file, exports as `otpauth://` URIs, and
/// imports back from them unchanged.
pub fn import(data: &[u8]) {
    use authbackup_import::{export_otpauth, import, Source};
    let Some((selector, file)) = data.split_first() else {
        return;
    };
    let source = Source::ALL[*selector as usize % Source::ALL.len()].0;
    if let Ok((accounts, report)) = import(source, file, Some(b"fuzz")) {
        assert!(report.entries.len() >= accounts.len());
        let json = DeviceAccount::list_to_json(&accounts);
        assert_eq!(
            DeviceAccount::list_from_json(&json).expect("imported accounts are valid"),
            accounts
        );
        let uris = export_otpauth(&accounts).expect("imported accounts export");
        let (again, _) =
            import(Source::Otpauth, uris.as_bytes(), None).expect("exported URIs import");
        assert_eq!(again, accounts);
    }
}

/// Seed inputs for each target: taken from the conformance vectors where the target reads
/// the same bytes, otherwise fixed pseudo-random bytes.
pub fn seeds(cases: &[crate::model::Case]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for c in cases {
        let input = &c.case.input;
        let text = |k: &str| {
            input
                .get(k)
                .and_then(|v| v.as_str())
                .map(|s| s.as_bytes().to_vec())
        };
        match c.operation.as_str() {
            "secret.decode" => out.extend(text("text").map(|t| ("base32", t))),
            "uri.parse" => out.extend(text("uri").map(|t| ("uri", t))),
            "payload.parse" => out.extend(text("payload").map(|t| ("payload", t))),
            "container.open" | "container.inspect" => {
                out.extend(text("container").map(|t| ("container_raw", t)))
            }
            _ => {}
        }
        // Every key a container case gives, as its JWK text.
        let recipients = input.get("recipients").and_then(|r| r.as_array());
        let keys = ["key", "new_key"]
            .iter()
            .filter_map(|k| input.get(*k))
            .chain(
                recipients
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.get("key")),
            );
        out.extend(keys.map(|k| ("jwk", k.to_string().into_bytes())));
    }
    // One export of each format (the importers' test fixtures, built in), behind its selector.
    for (selector, bytes) in [
        (
            0u8,
            &include_bytes!("../../import-fixtures/otpauth.txt")[..],
        ),
        (
            1,
            include_bytes!("../../import-fixtures/google-migration.txt"),
        ),
        (2, include_bytes!("../../import-fixtures/aegis-plain.json")),
        (3, include_bytes!("../../import-fixtures/2fas-plain.2fas")),
        (4, include_bytes!("../../import-fixtures/andotp-plain.json")),
        (5, include_bytes!("../../import-fixtures/freeotp-plus.json")),
        (6, include_bytes!("../../import-fixtures/bitwarden.json")),
        (6, include_bytes!("../../import-fixtures/bitwarden.csv")),
    ] {
        let mut seed = vec![selector];
        seed.extend_from_slice(bytes);
        out.push(("import", seed));
    }
    let mut rng = crate::generate::Rng::new(0xF022);
    for target in ["container_structured", "restore", "lifecycle"] {
        for len in [16usize, 64, 256, 1024] {
            out.push((target, rng.bytes(len)));
        }
    }
    out
}
