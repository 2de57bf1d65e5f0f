//! Carries out the lifecycle's effects on a [`Store`]: seals the device's accounts, deletes
//! backups, adds and removes recipients. Every effect can be carried out again without harm,
//! so after a crash [`BackupService::handle`] with [`Event::Resume`] finishes the work.

use super::{FileSystem, Store, StoreError};
use crate::container::{self, Credential, RecoveryKey};
use crate::error::Error;
use crate::lifecycle::{Effect, Event, KeyProvider, Machine};
use crate::payload::{BackupMeta, Payload};

/// The keys of the two key providers.
#[derive(Clone, Debug)]
pub struct Keys {
    /// The recovery account's key.
    pub recovery_account_key: RecoveryKey,
    /// The platform keychain's key.
    pub platform_keychain_key: RecoveryKey,
}

impl Keys {
    fn of(&self, provider: KeyProvider) -> Credential {
        Credential::Key(match provider {
            KeyProvider::RecoveryAccountKey => self.recovery_account_key.clone(),
            KeyProvider::PlatformKeychain => self.platform_keychain_key.clone(),
        })
    }
}

/// A device's backup: the lifecycle machine, persisted in a store, with its effects carried
/// out there.
pub struct BackupService<F: FileSystem> {
    pub(super) store: Store<F>,
    pub(super) keys: Keys,
    pub(super) clock: fn() -> u64,
}

/// [`super::unix_time`], with a clock set before 1970 read as 0.
fn system_clock() -> u64 {
    super::unix_time().unwrap_or(0)
}

impl<F: FileSystem> BackupService<F> {
    /// A service over `store` with the providers' `keys`, stamping backups with the system
    /// clock.
    pub fn new(store: Store<F>, keys: Keys) -> BackupService<F> {
        BackupService {
            store,
            keys,
            clock: system_clock,
        }
    }

    /// The same service stamping backups with `clock` (for reproducible tests).
    pub fn with_clock(mut self, clock: fn() -> u64) -> BackupService<F> {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &Store<F> {
        &self.store
    }

    /// Applies `event`: the new state is persisted before any effect is carried out, and
    /// each effect's completion is persisted after it, so a crash anywhere leaves work that
    /// [`Event::Resume`] finishes (REQ-LIFECYCLE-041). A refused event changes nothing.
    pub fn handle(&self, event: &Event) -> Result<Machine, StoreError> {
        let machine = self.store.read_machine()?;
        let (machine, effects) = machine.step(event)?;
        self.store.write_machine(&machine)?;
        machine.drain(
            effects,
            |effect| self.execute(effect),
            |next, _| self.store.write_machine(next),
        )
    }

    fn execute(&self, effect: &Effect) -> Result<(), StoreError> {
        match effect {
            Effect::WriteBackup {
                platform,
                storage_account,
                backup_id,
                generation,
                recipients,
            } => {
                let device = self.store.read_device()?;
                let meta =
                    BackupMeta::new(*platform, backup_id.as_str(), *generation, (self.clock)())?;
                let (payload, _) = Payload::from_device(meta, &device)?;
                let credentials: Vec<Credential> =
                    recipients.iter().map(|p| self.keys.of(*p)).collect();
                let sealed = container::seal(&payload, &credentials)?;
                self.store
                    .write_backup(storage_account, *generation, &sealed)
            }
            Effect::DeleteBackup { storage_account } => self.store.delete_backups(storage_account),
            Effect::AddRecipient {
                storage_account,
                provider,
            } => {
                let new = self.keys.of(*provider);
                for generation in self.store.generations(storage_account)?.into_iter().rev() {
                    let bytes = self.store.read_backup(storage_account, generation)?;
                    let info = container::inspect(&bytes)?;
                    if info.recipients.iter().any(|r| r.kid == new.kid()) {
                        continue; // done before a crash
                    }
                    let opener = [
                        KeyProvider::RecoveryAccountKey,
                        KeyProvider::PlatformKeychain,
                    ]
                    .into_iter()
                    .map(|p| self.keys.of(p))
                    .find(|c| info.recipients.iter().any(|r| r.kid == c.kid()))
                    .ok_or_else(|| {
                        Error::invalid_parameter("no key of this device opens the backup")
                    })?;
                    let updated = container::add_recipient(&bytes, &opener, &new)?;
                    self.store
                        .write_backup(storage_account, generation, &updated)?;
                }
                Ok(())
            }
            Effect::RemoveRecipient {
                storage_account,
                provider,
            } => {
                let old = self.keys.of(*provider);
                for generation in self.store.generations(storage_account)?.into_iter().rev() {
                    let bytes = self.store.read_backup(storage_account, generation)?;
                    let info = container::inspect(&bytes)?;
                    if !info.recipients.iter().any(|r| r.kid == old.kid())
                        || info.recipients.len() == 1
                    {
                        continue; // done before a crash, or the only way in: keep it
                    }
                    let updated = container::remove_recipient(&bytes, old.kid())?;
                    self.store
                        .write_backup(storage_account, generation, &updated)?;
                }
                Ok(())
            }
        }
    }
}
