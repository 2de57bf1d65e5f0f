//! Where device state and backups live on disk (`spec/lifecycle.md`, "Storage"): one folder
//! per storage account holding the last few generations, the device's accounts and the
//! lifecycle state beside them. Every write is atomic; a damaged newest backup is detected
//! and the newest good one offered with a warning.
//!
//! ```text
//! ROOT/device.json                      the device's accounts (device accounts file)
//! ROOT/lifecycle.json                   the lifecycle machine's state
//! ROOT/storage/<account>/backup-<generation, 20 digits>.abf
//! ```

#[cfg(any(test, feature = "test-util"))]
mod crashing;
mod fs;
mod service;

use std::io;
use std::path::{Path, PathBuf};

use crate::account::DeviceAccount;
use crate::container::{self, Credential, Opened};
use crate::error::Error;
use crate::lifecycle::Machine;
use crate::restore::{self, RestorePlan};

#[cfg(any(test, feature = "test-util"))]
pub use crashing::CrashingFs;
pub use fs::{create_dir_durable, write_atomic, FileSystem, OsFs, TMP_SUFFIX};
pub use service::{BackupService, Keys};

/// How many generations are kept per storage account unless told otherwise.
pub const DEFAULT_KEEP: usize = 5;

const DEVICE_FILE: &str = "device.json";
const STATE_FILE: &str = "lifecycle.json";
const STORAGE_DIR: &str = "storage";

/// A store failure: a file operation, or an ABF error in what was read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
    /// The content was refused (with its stable code).
    #[error(transparent)]
    Abf(#[from] Error),
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// The newest backup generation that passed every check that needs no key.
#[derive(Debug)]
pub struct GoodBackup {
    /// Its generation.
    pub generation: u64,
    /// The container.
    pub bytes: Vec<u8>,
}

/// A newer generation a reader passed over, and why; its `Display` is the warning a user
/// sees (REQ-STORE-005).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The generation skipped.
    pub generation: u64,
    /// Why, in words.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "generation {} {}; skipped", self.generation, self.reason)
    }
}

/// What a reader offers: the newest good generation, if any, and every newer one it skipped,
/// newest first.
#[derive(Debug)]
pub struct Newest<T> {
    /// The generation offered.
    pub offered: Option<T>,
    /// The newer generations skipped.
    pub skipped: Vec<Skipped>,
}

/// A directory-backed store.
#[derive(Debug)]
pub struct Store<F: FileSystem = OsFs> {
    root: PathBuf,
    fs: F,
    keep: usize,
}

impl<F: FileSystem> Store<F> {
    /// Opens (creating if needed) the store at `root`, and removes temporary files a crash
    /// left behind (REQ-STORE-003).
    pub fn open(root: impl Into<PathBuf>, fs: F) -> Result<Store<F>, StoreError> {
        let store = Store {
            root: root.into(),
            fs,
            keep: DEFAULT_KEEP,
        };
        let storage = store.root.join(STORAGE_DIR);
        create_dir_durable(&store.fs, &storage).map_err(io_err("create", &storage))?;
        let mut dirs = vec![store.root.clone()];
        for name in store.fs.list(&storage).map_err(io_err("list", &storage))? {
            dirs.push(storage.join(name));
        }
        for dir in dirs {
            for name in store.fs.list(&dir).map_err(io_err("list", &dir))? {
                if name.ends_with(TMP_SUFFIX) {
                    let path = dir.join(&name);
                    store
                        .fs
                        .remove_file(&path)
                        .map_err(io_err("remove", &path))?;
                }
            }
        }
        Ok(store)
    }

    /// Keeps the newest `keep` generations (at least 1) per storage account.
    pub fn with_keep(mut self, keep: usize) -> Store<F> {
        self.keep = keep.max(1);
        self
    }

    /// The store's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file system the store uses.
    pub fn fs(&self) -> &F {
        &self.fs
    }

    /// The device's accounts (none if the file does not exist yet).
    pub fn read_device(&self) -> Result<Vec<DeviceAccount>, StoreError> {
        let path = self.device_path();
        match self.fs.read(&path) {
            Ok(bytes) => Ok(DeviceAccount::list_from_json(&zeroize::Zeroizing::new(
                bytes,
            ))?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_err("read", &path)(e)),
        }
    }

    /// Replaces the device's accounts, atomically.
    pub fn write_device(&self, accounts: &[DeviceAccount]) -> Result<(), StoreError> {
        let path = self.device_path();
        write_atomic(&self.fs, &path, &DeviceAccount::list_to_json(accounts))
            .map_err(io_err("write", &path))
    }

    /// Carries out a restore plan on the stored device, all or nothing: the plan must have
    /// been made for the device as stored now (REQ-RESTORE-040), and the new device state
    /// replaces the old in one atomic write.
    pub fn apply_restore(&self, plan: &RestorePlan) -> Result<Vec<DeviceAccount>, StoreError> {
        let device = self.read_device()?;
        let after = restore::apply(&device, plan)?;
        if plan.changes_device() {
            self.write_device(&after)?;
        }
        Ok(after)
    }

    /// The lifecycle state (backup off if the file does not exist yet).
    pub fn read_machine(&self) -> Result<Machine, StoreError> {
        let path = self.state_path();
        match self.fs.read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| Error::json(path.display(), &e).into())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Machine::new()),
            Err(e) => Err(io_err("read", &path)(e)),
        }
    }

    /// Replaces the lifecycle state, atomically.
    pub fn write_machine(&self, machine: &Machine) -> Result<(), StoreError> {
        let path = self.state_path();
        let bytes = serde_json::to_vec_pretty(machine)
            .map_err(|e| Error::json("the lifecycle state", &e))?;
        write_atomic(&self.fs, &path, &bytes).map_err(io_err("write", &path))
    }

    /// The folder of one storage account.
    pub fn storage_dir(&self, account: &str) -> Result<PathBuf, StoreError> {
        Ok(self.root.join(STORAGE_DIR).join(folder_name(account)?))
    }

    /// The generations kept for `account`, oldest first.
    pub fn generations(&self, account: &str) -> Result<Vec<u64>, StoreError> {
        let dir = self.storage_dir(account)?;
        let mut gens: Vec<u64> = self
            .fs
            .list(&dir)
            .map_err(io_err("list", &dir))?
            .iter()
            .filter_map(|name| {
                name.strip_prefix("backup-")?
                    .strip_suffix(".abf")?
                    .parse()
                    .ok()
            })
            .collect();
        gens.sort_unstable();
        Ok(gens)
    }

    /// One generation's container.
    pub fn read_backup(&self, account: &str, generation: u64) -> Result<Vec<u8>, StoreError> {
        let path = self.backup_path(account, generation)?;
        self.fs.read(&path).map_err(io_err("read", &path))
    }

    /// Writes (or atomically replaces) one generation, then removes generations beyond the
    /// newest [`Store::with_keep`] (REQ-STORE-004).
    pub fn write_backup(
        &self,
        account: &str,
        generation: u64,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        let dir = self.storage_dir(account)?;
        create_dir_durable(&self.fs, &dir).map_err(io_err("create", &dir))?;
        let path = dir.join(backup_file(generation));
        write_atomic(&self.fs, &path, bytes).map_err(io_err("write", &path))?;
        let gens = self.generations(account)?;
        if gens.len() > self.keep {
            for old in &gens[..gens.len() - self.keep] {
                let path = dir.join(backup_file(*old));
                self.fs
                    .remove_file(&path)
                    .map_err(io_err("remove", &path))?;
            }
            self.fs.sync_dir(&dir).map_err(io_err("sync", &dir))?;
        }
        Ok(())
    }

    /// Deletes every generation kept for `account`, and its folder.
    pub fn delete_backups(&self, account: &str) -> Result<(), StoreError> {
        let dir = self.storage_dir(account)?;
        for name in self.fs.list(&dir).map_err(io_err("list", &dir))? {
            let path = dir.join(name);
            self.fs
                .remove_file(&path)
                .map_err(io_err("remove", &path))?;
        }
        match self.fs.remove_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("remove", &dir)(e)),
        }
        let parent = self.root.join(STORAGE_DIR);
        self.fs.sync_dir(&parent).map_err(io_err("sync", &parent))
    }

    /// The newest generation that passes every keyless check and whose header names its
    /// own generation (REQ-STORE-005). Damaged newer ones are skipped, each reported.
    pub fn newest_good(&self, account: &str) -> Result<Newest<GoodBackup>, StoreError> {
        let mut skipped = Vec::new();
        for generation in self.generations(account)?.into_iter().rev() {
            let bytes = self.read_backup(account, generation)?;
            let reason = match container::inspect(&bytes) {
                Ok(info) if info.meta.generation() == generation => {
                    return Ok(Newest {
                        offered: Some(GoodBackup { generation, bytes }),
                        skipped,
                    })
                }
                Ok(info) => format!("holds generation {} instead", info.meta.generation()),
                Err(e) => format!("is damaged ({e})"),
            };
            skipped.push(Skipped { generation, reason });
        }
        Ok(Newest {
            offered: None,
            skipped,
        })
    }

    /// The newest generation that opens with `credential`, with every newer one that did not.
    pub fn newest_opening(
        &self,
        account: &str,
        credential: &Credential,
    ) -> Result<Newest<(u64, Opened)>, StoreError> {
        let mut skipped = Vec::new();
        for generation in self.generations(account)?.into_iter().rev() {
            let bytes = self.read_backup(account, generation)?;
            let reason = match container::open(&bytes, credential) {
                Ok(opened) if opened.info.meta.generation() == generation => {
                    return Ok(Newest {
                        offered: Some((generation, opened)),
                        skipped,
                    })
                }
                Ok(_) => "holds another generation".to_string(),
                Err(e) => format!("does not open ({e})"),
            };
            skipped.push(Skipped { generation, reason });
        }
        Ok(Newest {
            offered: None,
            skipped,
        })
    }

    /// Where generation `generation` of `account` is kept.
    pub fn backup_path(&self, account: &str, generation: u64) -> Result<PathBuf, StoreError> {
        Ok(self.storage_dir(account)?.join(backup_file(generation)))
    }

    /// Where the device's accounts are kept.
    pub fn device_path(&self) -> PathBuf {
        self.root.join(DEVICE_FILE)
    }

    /// Where the lifecycle state is kept.
    pub fn state_path(&self) -> PathBuf {
        self.root.join(STATE_FILE)
    }
}

fn backup_file(generation: u64) -> String {
    format!("backup-{generation:020}.abf")
}

/// A storage account id as a folder name: letters, digits, `@`, `-`, `_` and `.` as they
/// are (no leading `.`), every other byte as `%XX`.
fn folder_name(account: &str) -> Result<String, Error> {
    if account.is_empty() {
        return Err(Error::invalid_parameter(
            "a storage account id must not be empty",
        ));
    }
    let mut out = String::with_capacity(account.len());
    for (i, b) in account.bytes().enumerate() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'@' | b'-' | b'_' => out.push(b as char),
            b'.' if i > 0 => out.push('.'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(out)
}

/// The system clock in Unix seconds: the one place the reference reads it. A clock set
/// before 1970 is `invalid_parameter`.
pub fn unix_time() -> Result<u64, Error> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::invalid_parameter("the system clock is set before 1970"))
}

#[cfg(test)]
mod tests;
