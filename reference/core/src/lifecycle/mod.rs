//! The backup lifecycle (`spec/lifecycle.md`): a pure state machine. It takes events (backup
//! turned on or off, recovery account changed, an account added, edited or deleted, the
//! key-provider migration, an effect carried out, a restart) and returns effects (write,
//! delete, add or remove a recipient) for someone else to carry out. It does no I/O, so
//! every sequence of events can be tested, and driven by vectors.
//!
//! Effects wait in an outbox until their completion is reported with [`Event::Done`]; after a
//! crash, [`Event::Resume`] emits them again. Every effect can be carried out twice without
//! harm, so a crash at any point resumes to the same end state.

mod preconditions;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::platform::Platform;

pub use preconditions::{
    check as check_preconditions, Environment, Precondition, RecoveryAccount, MIN_IOS_VERSION,
};

/// Who holds a key that opens the backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyProvider {
    /// The recovery account's key (the original provider).
    RecoveryAccountKey,
    /// The platform keychain (iCloud Keychain on `ios`), the migration's destination.
    PlatformKeychain,
}

/// Something the machine asks its executor to do. Each can be carried out again without
/// harm (REQ-LIFECYCLE-041).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Effect {
    /// Seal the device's current accounts as `generation` of `backup_id` to `recipients` and
    /// store it with `storage_account`.
    WriteBackup {
        /// The platform the backup is bound to.
        platform: Platform,
        /// Where the backup is kept.
        storage_account: String,
        /// The backup's id.
        backup_id: String,
        /// The generation to write.
        generation: u64,
        /// Who can open it.
        recipients: Vec<KeyProvider>,
    },
    /// Delete every generation kept with `storage_account`.
    DeleteBackup {
        /// Where the backup is kept.
        storage_account: String,
    },
    /// Let `provider`'s key open the newest backup too, without re-encrypting it.
    AddRecipient {
        /// Where the backup is kept.
        storage_account: String,
        /// The provider to add.
        provider: KeyProvider,
    },
    /// Stop `provider`'s key from opening the newest backup, without re-encrypting it.
    RemoveRecipient {
        /// Where the backup is kept.
        storage_account: String,
        /// The provider to remove.
        provider: KeyProvider,
    },
}

/// What happens to the machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The user turns backup on. `backup_id` is the id the new backup will have.
    Enable {
        /// The device's state.
        env: Environment,
        /// A fresh backup id.
        backup_id: String,
    },
    /// The user turns backup off: the backup is deleted.
    Disable,
    /// The user changes the recovery account: the old backup is deleted, then a new one made.
    ChangeRecoveryAccount {
        /// The device's state with the new account.
        env: Environment,
        /// A fresh backup id.
        backup_id: String,
    },
    /// An account was added on the device.
    AccountAdded {
        /// Its id.
        id: String,
    },
    /// An account was edited on the device.
    AccountEdited {
        /// Its id.
        id: String,
    },
    /// An account was deleted on the device.
    AccountDeleted {
        /// Its id.
        id: String,
    },
    /// The key-provider migration is announced: on `ios`, backups kept with the
    /// recovery-account key move to the platform keychain, with no action from the user.
    StartKeyMigration,
    /// The executor carried out an effect.
    Done {
        /// The effect, as the machine emitted it.
        effect: Effect,
    },
    /// The executor restarted (after a crash or not): emit every effect not yet done.
    Resume,
}

/// Backup is on: where it is kept, its generation, who can open it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct On {
    /// The platform.
    pub platform: Platform,
    /// The recovery account's id.
    pub recovery_account: String,
    /// Where the backup is kept.
    pub storage_account: String,
    /// The backup's id.
    pub backup_id: String,
    /// The newest generation; every account change adds one.
    pub generation: u64,
    /// The key providers that can open the backup, sorted.
    pub recipients: Vec<KeyProvider>,
}

/// The machine's whole state: on or off, and the effects not yet done.
///
/// Pure: an event in, the next state and the effects to carry out out. The executor (such as
/// [`crate::store`]) performs the effects and reports each one `Done`.
///
/// ```
/// use authbackup::lifecycle::{Effect, Environment, Event, Machine, RecoveryAccount};
/// use authbackup::{ErrorCode, Platform};
///
/// let mut env = Environment {
///     platform: Platform::Android,
///     recovery_account: Some(RecoveryAccount { id: "alice@outlook.com".into(), personal: true }),
///     os_version: 0,
///     icloud: false,
///     icloud_keychain: false,
///     personal_apple_id: None,
///     managed_apple_id: None,
/// };
/// let off = Machine::new();
/// let (on, effects) = off.step(&Event::Enable { env: env.clone(), backup_id: "b-1".into() })?;
/// assert!(matches!(effects[0], Effect::WriteBackup { generation: 1, .. }));
///
/// // Every change on the device asks for a new generation.
/// let (on, _) = on.step(&Event::Done { effect: effects[0].clone() })?;
/// let (_, effects) = on.step(&Event::AccountAdded { id: "7".into() })?;
/// assert!(matches!(effects[0], Effect::WriteBackup { generation: 2, .. }));
///
/// // Preconditions are explicit errors, and a refused event changes nothing.
/// env.recovery_account = None;
/// let e = off.step(&Event::Enable { env, backup_id: "b-2".into() }).unwrap_err();
/// assert_eq!(e.code(), ErrorCode::NotSignedIn);
/// # Ok::<(), authbackup::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// `None` while backup is off.
    pub on: Option<On>,
    /// Effects emitted and not yet reported done, oldest first.
    pub outbox: Vec<Effect>,
}

impl Machine {
    /// A machine with backup off.
    pub fn new() -> Machine {
        Machine::default()
    }

    /// Applies one event: returns the next state and the effects to carry out, or an error
    /// and no change (a refused event changes nothing, REQ-LIFECYCLE-001).
    pub fn step(&self, event: &Event) -> Result<(Machine, Vec<Effect>)> {
        let mut next = self.clone();
        let effects = next.apply(event)?;
        next.outbox.extend(effects.iter().cloned());
        Ok((next, effects))
    }

    /// Carries out `effects`, and every effect their completion emits, oldest first: for each,
    /// `execute` does the work, the machine steps on [`Event::Done`], and `completed` sees the
    /// new machine and the effects that step emitted (to persist or record them). The one
    /// effect-draining loop of the reference; stops at the first error.
    pub fn drain<E: From<Error>>(
        self,
        effects: Vec<Effect>,
        mut execute: impl FnMut(&Effect) -> std::result::Result<(), E>,
        mut completed: impl FnMut(&Machine, &[Effect]) -> std::result::Result<(), E>,
    ) -> std::result::Result<Machine, E> {
        let mut machine = self;
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            execute(&effect)?;
            let (next, more) = machine.step(&Event::Done { effect })?;
            completed(&next, &more)?;
            machine = next;
            queue.extend(more);
        }
        Ok(machine)
    }

    fn apply(&mut self, event: &Event) -> Result<Vec<Effect>> {
        match event {
            Event::Enable { env, backup_id } => {
                if self.on.is_some() {
                    return Ok(Vec::new());
                }
                self.turn_on(env, backup_id)
            }
            Event::Disable => Ok(self.turn_off().into_iter().collect()),
            Event::ChangeRecoveryAccount { env, backup_id } => {
                // Check the new account before deleting anything: a refused change keeps
                // the old backup (REQ-LIFECYCLE-022).
                check_preconditions(env)?;
                if self
                    .on
                    .as_ref()
                    .is_some_and(|on| on.backup_id == *backup_id)
                {
                    return Err(Error::invalid_parameter(
                        "the new backup needs a new backup id, not the one being deleted",
                    ));
                }
                let delete = self.turn_off();
                let mut effects: Vec<Effect> = delete.into_iter().collect();
                effects.extend(self.turn_on(env, backup_id)?);
                Ok(effects)
            }
            Event::AccountAdded { .. }
            | Event::AccountEdited { .. }
            | Event::AccountDeleted { .. } => {
                let Some(on) = &mut self.on else {
                    return Ok(Vec::new());
                };
                on.generation = on
                    .generation
                    .checked_add(1)
                    .ok_or_else(|| Error::too_large("the generation counter is exhausted"))?;
                Ok(vec![write(on)])
            }
            Event::StartKeyMigration => {
                let Some(on) = &self.on else {
                    return Ok(Vec::new());
                };
                if on.platform != Platform::Ios {
                    return Err(Error::invalid_parameter(
                        "the key-provider migration to the platform keychain is for ios",
                    ));
                }
                let migrating = self.outbox.iter().any(|e| {
                    matches!(
                        e,
                        Effect::AddRecipient { .. } | Effect::RemoveRecipient { .. }
                    )
                });
                if migrating || on.recipients != [KeyProvider::RecoveryAccountKey] {
                    return Ok(Vec::new());
                }
                Ok(vec![Effect::AddRecipient {
                    storage_account: on.storage_account.clone(),
                    provider: KeyProvider::PlatformKeychain,
                }])
            }
            Event::Done { effect } => {
                let Some(pos) = self.outbox.iter().position(|e| e == effect) else {
                    return Ok(Vec::new()); // reported twice, or superseded: nothing to do
                };
                self.outbox.remove(pos);
                let Some(on) = &mut self.on else {
                    return Ok(Vec::new());
                };
                match effect {
                    Effect::AddRecipient { provider, .. } => {
                        if !on.recipients.contains(provider) {
                            on.recipients.push(*provider);
                            on.recipients.sort();
                        }
                        // Only once the new key opens the backup is the old one removed.
                        Ok(vec![Effect::RemoveRecipient {
                            storage_account: on.storage_account.clone(),
                            provider: KeyProvider::RecoveryAccountKey,
                        }])
                    }
                    Effect::RemoveRecipient { provider, .. } => {
                        on.recipients.retain(|p| p != provider);
                        Ok(Vec::new())
                    }
                    Effect::WriteBackup { .. } | Effect::DeleteBackup { .. } => Ok(Vec::new()),
                }
            }
            Event::Resume => {
                let pending = std::mem::take(&mut self.outbox);
                Ok(pending)
            }
        }
    }

    fn turn_on(&mut self, env: &Environment, backup_id: &str) -> Result<Vec<Effect>> {
        let storage_account = check_preconditions(env)?;
        if backup_id.is_empty() {
            return Err(Error::invalid_parameter("a backup id must not be empty"));
        }
        let recovery = env
            .recovery_account
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        let on = On {
            platform: env.platform,
            recovery_account: recovery,
            storage_account,
            backup_id: backup_id.to_string(),
            generation: 1,
            recipients: vec![KeyProvider::RecoveryAccountKey],
        };
        let effect = write(&on);
        self.on = Some(on);
        Ok(vec![effect])
    }

    /// Turns backup off: drops the effects that concern the backup and returns the delete.
    fn turn_off(&mut self) -> Option<Effect> {
        let on = self.on.take()?;
        self.outbox
            .retain(|e| matches!(e, Effect::DeleteBackup { .. }));
        Some(Effect::DeleteBackup {
            storage_account: on.storage_account,
        })
    }
}

fn write(on: &On) -> Effect {
    Effect::WriteBackup {
        platform: on.platform,
        storage_account: on.storage_account.clone(),
        backup_id: on.backup_id.clone(),
        generation: on.generation,
        recipients: on.recipients.clone(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
