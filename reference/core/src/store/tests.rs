use std::path::{Path, PathBuf};

use super::*;
use crate::account::{AccountState, AccountType, CodeParams, DeviceAccount};
use crate::container::RecoveryKey;
use crate::lifecycle::tests::ios;
use crate::lifecycle::{Event, KeyProvider};
use crate::platform::Platform;
use crate::secret::Secret;

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authbackup-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn account(id: &str, secret: u8) -> DeviceAccount {
    DeviceAccount {
        id: id.into(),
        account_type: AccountType::Totp,
        issuer: Some("Example".into()),
        name: format!("{id}@example.com"),
        secret: Some(Secret::from_bytes(vec![secret; 20]).unwrap()),
        params: CodeParams::default(),
        token: None,
        excluded_by_policy: false,
        state: AccountState::Ready,
    }
}

/// Runs `write` against a store that crashes at each mutating step in turn, and after each
/// crash checks, with a fresh store on the real file system, that `check` holds. Returns
/// how many crash points there were.
fn at_every_crash_point(
    setup: &Path,
    name: &str,
    write: impl Fn(&Store<CrashingFs>) -> Result<(), StoreError>,
    check: impl Fn(&Store<OsFs>, bool),
) -> usize {
    for crash_at in 0.. {
        let dir = scratch(&format!("{name}-{crash_at}"));
        copy_dir(setup, &dir);
        let fs = CrashingFs::new(crash_at);
        // Opening the store may itself crash; then nothing was written at all.
        let completed = match Store::open(&dir, fs) {
            Ok(store) => write(&store).is_ok() && !store.fs().crashed(),
            Err(_) => false,
        };
        let after = Store::open(&dir, OsFs).unwrap();
        check(&after, completed);
        let _ = std::fs::remove_dir_all(&dir);
        if completed {
            return crash_at;
        }
    }
    unreachable!()
}

#[test]
fn a_crash_at_any_step_of_a_device_write_leaves_old_or_new() {
    let setup = scratch("device-setup");
    let old = vec![account("a", 1)];
    Store::open(&setup, OsFs)
        .unwrap()
        .write_device(&old)
        .unwrap();
    let new = vec![account("a", 1), account("b", 2)];
    let steps = at_every_crash_point(
        &setup,
        "device",
        |store| store.write_device(&new),
        |store, completed| {
            let now = store.read_device().unwrap();
            assert!(now == old || now == new, "partial device state");
            if completed {
                assert_eq!(now, new);
            }
            // No temporary file survives reopening.
            let names = store.fs().list(store.root()).unwrap();
            assert!(names.iter().all(|n| !n.ends_with(TMP_SUFFIX)), "{names:?}");
        },
    );
    assert!(
        steps >= 4,
        "write, sync, rename and directory sync are all crash points"
    );
    let _ = std::fs::remove_dir_all(&setup);
}

#[test]
fn the_last_generations_are_kept() {
    let dir = scratch("keep");
    let store = Store::open(&dir, OsFs).unwrap().with_keep(3);
    for g in 1..=7u64 {
        store
            .write_backup("alice@icloud.com", g, format!("gen {g}").as_bytes())
            .unwrap();
    }
    assert_eq!(store.generations("alice@icloud.com").unwrap(), [5, 6, 7]);
    assert_eq!(store.read_backup("alice@icloud.com", 7).unwrap(), b"gen 7");
    store.delete_backups("alice@icloud.com").unwrap();
    assert!(store.generations("alice@icloud.com").unwrap().is_empty());
    assert!(!store.storage_dir("alice@icloud.com").unwrap().exists());
    store.delete_backups("alice@icloud.com").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn storage_account_folders_are_safe_names() {
    let store = Store::open(scratch("names"), OsFs).unwrap();
    let dir = |a: &str| {
        store
            .storage_dir(a)
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    assert_eq!(dir("alice@icloud.com"), "alice@icloud.com");
    assert_eq!(dir("../etc"), "%2E.%2Fetc");
    assert_eq!(dir("%2E"), "%252E");
    assert_eq!(dir("a b/c"), "a%20b%2Fc");
    assert!(store.storage_dir("").is_err());
}

fn sealed(generation: u64, key: &RecoveryKey) -> Vec<u8> {
    let (accounts, _) = crate::account::build_backup_accounts(&[account("a", 1)]).unwrap();
    let payload = crate::payload::Payload::new(
        crate::payload::BackupMeta::new(Platform::Ios, "b", generation, 0).unwrap(),
        accounts,
    )
    .unwrap();
    crate::container::seal(&payload, &[Credential::Key(key.clone())]).unwrap()
}

#[test]
fn a_damaged_newest_backup_is_skipped_with_a_warning() {
    let dir = scratch("damaged");
    let store = Store::open(&dir, OsFs).unwrap();
    let key = RecoveryKey::generate_symmetric();
    for g in 1..=3 {
        store.write_backup("s", g, &sealed(g, &key)).unwrap();
    }
    let newest = sealed(3, &key);
    store
        .write_backup("s", 3, &newest[..newest.len() / 2])
        .unwrap(); // truncated
    let good = store.newest_good("s").unwrap();
    assert_eq!(good.offered.unwrap().generation, 2);
    assert_eq!(good.skipped.len(), 1);
    let warning = good.skipped[0].to_string();
    assert!(
        warning.starts_with("generation 3 is damaged (malformed: ")
            && warning.ends_with("; skipped"),
        "{warning}"
    );
    let opening = store.newest_opening("s", &Credential::Key(key)).unwrap();
    let (g, opened) = opening.offered.unwrap();
    assert_eq!(
        (g, opened.payload.meta().generation(), opening.skipped.len()),
        (2, 2, 1)
    );
    // A file that holds another generation than its name says is skipped too.
    store
        .write_backup("s", 4, &sealed(1, &RecoveryKey::generate_symmetric()))
        .unwrap();
    let good = store.newest_good("s").unwrap();
    assert_eq!(good.offered.unwrap().generation, 2);
    assert_eq!(
        good.skipped[0].to_string(),
        "generation 4 holds generation 1 instead; skipped"
    );
    assert_eq!(good.skipped.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

fn keys() -> Keys {
    Keys {
        recovery_account_key: RecoveryKey::generate_symmetric(),
        platform_keychain_key: RecoveryKey::generate_symmetric(),
    }
}

const STORAGE: &str = "alice@icloud.com";

fn opens_with(bytes: &[u8], key: &RecoveryKey) -> bool {
    crate::container::open(bytes, &Credential::Key(key.clone())).is_ok()
}

fn ciphertext_parts(bytes: &[u8]) -> [serde_json::Value; 4] {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    ["protected", "iv", "ciphertext", "tag"].map(|k| v[k].clone())
}

/// Backup on with account `a` on the device, then `b` stored beside it (its
/// `account_added` event is the test's to send).
fn enable_with_a_then_store_b<F: FileSystem>(service: &BackupService<F>) {
    service.store().write_device(&[account("a", 1)]).unwrap();
    service
        .handle(&Event::Enable {
            env: ios(),
            backup_id: "b1".into(),
        })
        .unwrap();
    service
        .store()
        .write_device(&[account("a", 1), account("b", 2)])
        .unwrap();
}

#[test]
fn the_service_writes_a_generation_for_every_change() {
    let dir = scratch("service");
    let service =
        BackupService::new(Store::open(&dir, OsFs).unwrap(), keys()).with_clock(|| 1_700_000_000);
    enable_with_a_then_store_b(&service);
    let m = service
        .handle(&Event::AccountAdded { id: "b".into() })
        .unwrap();
    assert_eq!(m.on.as_ref().unwrap().generation, 2);
    assert!(m.outbox.is_empty());
    let (g, opened) = service
        .store()
        .newest_opening(
            STORAGE,
            &Credential::Key(service.keys.recovery_account_key.clone()),
        )
        .unwrap()
        .offered
        .unwrap();
    assert_eq!(g, 2);
    assert_eq!(opened.payload.accounts().len(), 2);
    service.handle(&Event::Disable).unwrap();
    assert!(service.store().generations(STORAGE).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crash_at_any_step_of_an_account_change_resumes_to_the_same_end() {
    let setup = scratch("change-setup");
    let k = keys();
    {
        let service = BackupService::new(Store::open(&setup, OsFs).unwrap(), k.clone());
        service
            .store()
            .write_device(&[account("a", 1), account("b", 2)])
            .unwrap();
        service
            .handle(&Event::Enable {
                env: ios(),
                backup_id: "b1".into(),
            })
            .unwrap();
    }
    let recovery = k.recovery_account_key.clone();
    let steps = at_every_crash_point(
        &setup,
        "change",
        |store| {
            let service = BackupService {
                store: Store::open(store.root(), CrashingFsRef(store.fs()))?,
                keys: k.clone(),
                clock: || 0,
            };
            service
                .handle(&Event::AccountEdited { id: "a".into() })
                .map(|_| ())
        },
        |store, _| {
            // Whatever the crash, a backup that opens is there.
            let newest = store
                .newest_opening(STORAGE, &Credential::Key(recovery.clone()))
                .unwrap();
            assert!(newest.offered.is_some());
            // Restarting finishes the work.
            let service = BackupService::new(Store::open(store.root(), OsFs).unwrap(), k.clone());
            let m = service.handle(&Event::Resume).unwrap();
            assert!(m.outbox.is_empty());
            let g = m.on.as_ref().unwrap().generation;
            assert!(g == 1 || g == 2, "{g}");
            assert_eq!(
                service.store().generations(STORAGE).unwrap().last(),
                Some(&g)
            );
        },
    );
    assert!(steps > 4);
    let _ = std::fs::remove_dir_all(&setup);
}

/// Lets a store borrow another store's crashing file system.
struct CrashingFsRef<'a>(&'a CrashingFs);

impl FileSystem for CrashingFsRef<'_> {
    fn read(&self, p: &Path) -> std::io::Result<Vec<u8>> {
        self.0.read(p)
    }
    fn list(&self, d: &Path) -> std::io::Result<Vec<String>> {
        self.0.list(d)
    }
    fn create_dir_all(&self, d: &Path) -> std::io::Result<()> {
        self.0.create_dir_all(d)
    }
    fn write_new(&self, p: &Path, b: &[u8]) -> std::io::Result<()> {
        self.0.write_new(p, b)
    }
    fn sync_file(&self, p: &Path) -> std::io::Result<()> {
        self.0.sync_file(p)
    }
    fn rename(&self, f: &Path, t: &Path) -> std::io::Result<()> {
        self.0.rename(f, t)
    }
    fn sync_dir(&self, d: &Path) -> std::io::Result<()> {
        self.0.sync_dir(d)
    }
    fn remove_file(&self, p: &Path) -> std::io::Result<()> {
        self.0.remove_file(p)
    }
    fn remove_dir(&self, d: &Path) -> std::io::Result<()> {
        self.0.remove_dir(d)
    }
}

#[test]
fn key_provider_migration_survives_a_crash_at_every_step() {
    let setup = scratch("migration-setup");
    let k = keys();
    let before: Vec<(u64, [serde_json::Value; 4])>;
    {
        let service = BackupService::new(Store::open(&setup, OsFs).unwrap(), k.clone());
        enable_with_a_then_store_b(&service);
        service
            .handle(&Event::AccountAdded { id: "b".into() })
            .unwrap();
        let store = service.store();
        before = store
            .generations(STORAGE)
            .unwrap()
            .into_iter()
            .map(|g| (g, ciphertext_parts(&store.read_backup(STORAGE, g).unwrap())))
            .collect();
        assert_eq!(before.len(), 2);
    }
    let steps = at_every_crash_point(
        &setup,
        "migration",
        |store| {
            let service = BackupService {
                store: Store::open(store.root(), CrashingFsRef(store.fs()))?,
                keys: k.clone(),
                clock: || 0,
            };
            service.handle(&Event::StartKeyMigration).map(|_| ())
        },
        |store, _| {
            // At the moment of the crash every kept generation opens with a key the user holds.
            for (g, _) in &before {
                let bytes = store.read_backup(STORAGE, *g).unwrap();
                assert!(
                    opens_with(&bytes, &k.recovery_account_key)
                        || opens_with(&bytes, &k.platform_keychain_key),
                    "generation {g} opens with no key"
                );
            }
            // Restart: resume, and the announcement may be delivered again.
            let service = BackupService::new(Store::open(store.root(), OsFs).unwrap(), k.clone());
            service.handle(&Event::Resume).unwrap();
            let m = service.handle(&Event::StartKeyMigration).unwrap();
            // The same end state whatever the crash point.
            assert!(m.outbox.is_empty(), "{:?}", m.outbox);
            assert_eq!(
                m.on.as_ref().unwrap().recipients,
                [KeyProvider::PlatformKeychain]
            );
            for (g, parts) in &before {
                let bytes = service.store().read_backup(STORAGE, *g).unwrap();
                assert!(
                    opens_with(&bytes, &k.platform_keychain_key),
                    "generation {g}"
                );
                assert!(
                    !opens_with(&bytes, &k.recovery_account_key),
                    "generation {g}"
                );
                assert_eq!(
                    &ciphertext_parts(&bytes),
                    parts,
                    "generation {g} was re-encrypted"
                );
            }
        },
    );
    assert!(
        steps >= 16,
        "two generations, add then remove, four steps each: {steps}"
    );
    let _ = std::fs::remove_dir_all(&setup);
}

#[test]
fn a_crash_at_any_step_of_a_restore_leaves_the_device_as_before_or_restored() {
    let setup = scratch("restore-setup");
    let hand_added = vec![account("hand", 9)];
    Store::open(&setup, OsFs)
        .unwrap()
        .write_device(&hand_added)
        .unwrap();
    let backup = crate::payload::Payload::new(
        crate::payload::BackupMeta::new(Platform::Ios, "b", 3, 0).unwrap(),
        crate::account::build_backup_accounts(&[account("a", 1), account("b", 2)])
            .unwrap()
            .0,
    )
    .unwrap();
    let plan = crate::restore::plan(
        &hand_added,
        &backup,
        Platform::Ios,
        crate::restore::Policy::KeepBoth,
    )
    .unwrap();
    let restored = crate::restore::apply(&hand_added, &plan).unwrap();
    assert_eq!(restored.len(), 3);
    at_every_crash_point(
        &setup,
        "restore",
        |store| store.apply_restore(&plan).map(|_| ()),
        |store, completed| {
            let now = store.read_device().unwrap();
            assert!(now == hand_added || now == restored, "a partial restore");
            if completed {
                assert_eq!(now, restored);
            }
        },
    );
    let _ = std::fs::remove_dir_all(&setup);
}

#[test]
fn a_crash_while_writing_or_pruning_or_deleting_generations_leaves_whole_files() {
    let setup = scratch("prune-setup");
    let key = RecoveryKey::generate_symmetric();
    {
        let store = Store::open(&setup, OsFs).unwrap().with_keep(2);
        for g in 1..=2 {
            store.write_backup("s", g, &sealed(g, &key)).unwrap();
        }
    }
    let third = sealed(3, &key);
    let whole = |store: &Store<OsFs>| {
        for g in store.generations("s").unwrap() {
            let bytes = store.read_backup("s", g).unwrap();
            assert_eq!(
                crate::container::inspect(&bytes).unwrap().meta.generation(),
                g,
                "generation {g} is not whole"
            );
        }
    };
    at_every_crash_point(
        &setup,
        "prune",
        |store| {
            Store::open(store.root(), CrashingFsRef(store.fs()))?
                .with_keep(2)
                .write_backup("s", 3, &third)
        },
        |store, completed| {
            whole(store);
            let newest = store.newest_good("s").unwrap().offered.unwrap().generation;
            assert!(newest == 2 || newest == 3);
            if completed {
                assert_eq!(store.generations("s").unwrap(), [2, 3]);
            }
        },
    );
    at_every_crash_point(
        &setup,
        "delete",
        |store| store.delete_backups("s"),
        |store, completed| {
            whole(store);
            if completed {
                assert!(store.generations("s").unwrap().is_empty());
            }
        },
    );
    let _ = std::fs::remove_dir_all(&setup);
}

/// `rename_new` never replaces an existing file, on the real file system (hard links) and in
/// the default every other file system gets (look, then rename); a missing target is created.
#[test]
fn rename_new_refuses_an_existing_target_and_changes_nothing() {
    let dir = scratch("rename-new");
    let (from, to) = (dir.join("from"), dir.join("to"));
    let crashing = CrashingFs::new(usize::MAX);
    for fs in [&OsFs as &dyn FileSystem, &crashing] {
        std::fs::write(&from, b"new").unwrap();
        std::fs::write(&to, b"old").unwrap();
        let error = fs.rename_new(&from, &to).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&from).unwrap(), b"new");
        assert_eq!(std::fs::read(&to).unwrap(), b"old");
        std::fs::remove_file(&to).unwrap();
        fs.rename_new(&from, &to).unwrap();
        assert!(!from.exists());
        assert_eq!(std::fs::read(&to).unwrap(), b"new");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
