use super::*;
use crate::error::ErrorCode;
use proptest::prelude::*;

/// An iOS device that meets every precondition (shared with the store's tests).
pub(crate) fn ios() -> Environment {
    Environment {
        platform: Platform::Ios,
        recovery_account: Some(RecoveryAccount {
            id: "alice@outlook.com".into(),
            personal: true,
        }),
        os_version: 17,
        icloud: true,
        icloud_keychain: true,
        personal_apple_id: Some("alice@icloud.com".into()),
        managed_apple_id: None,
    }
}

fn android() -> Environment {
    Environment {
        platform: Platform::Android,
        recovery_account: Some(RecoveryAccount {
            id: "alice@outlook.com".into(),
            personal: true,
        }),
        os_version: 0,
        icloud: false,
        icloud_keychain: false,
        personal_apple_id: None,
        managed_apple_id: None,
    }
}

fn enable(env: Environment) -> Event {
    Event::Enable {
        env,
        backup_id: "b1".into(),
    }
}

fn run(events: &[Event]) -> (Machine, Vec<Effect>) {
    let mut m = Machine::new();
    let mut all = Vec::new();
    for e in events {
        let (next, effects) = m.step(e).unwrap();
        m = next;
        all.extend(effects);
    }
    (m, all)
}

/// Steps and reports every effect done at once, as a well-behaved executor does.
fn run_to_completion(events: &[Event]) -> Machine {
    let mut m = Machine::new();
    for e in events {
        let (next, mut effects) = m.step(e).unwrap();
        m = next;
        while let Some(effect) = effects.pop() {
            let (next, more) = m.step(&Event::Done { effect }).unwrap();
            m = next;
            effects.extend(more);
        }
    }
    m
}

#[test]
fn enable_writes_generation_one_to_the_storage_account() {
    let (m, effects) = run(&[enable(ios())]);
    assert_eq!(
        effects,
        vec![Effect::WriteBackup {
            platform: Platform::Ios,
            storage_account: "alice@icloud.com".into(),
            backup_id: "b1".into(),
            generation: 1,
            recipients: vec![KeyProvider::RecoveryAccountKey],
        }]
    );
    assert_eq!(m.on.unwrap().generation, 1);
}

#[test]
fn a_managed_apple_id_takes_precedence() {
    let mut env = ios();
    env.managed_apple_id = Some("alice@contoso.appleid.com".into());
    assert_eq!(
        check_preconditions(&env).unwrap(),
        "alice@contoso.appleid.com"
    );
    env.personal_apple_id = None;
    assert_eq!(
        check_preconditions(&env).unwrap(),
        "alice@contoso.appleid.com"
    );
}

#[test]
fn preconditions_are_explicit_errors_in_order() {
    let failing = |edit: &dyn Fn(&mut Environment), base: Environment| {
        let mut env = base;
        edit(&mut env);
        let m = Machine::new();
        let err = m.step(&enable(env)).unwrap_err();
        (err.code(), err.precondition())
    };
    assert_eq!(
        failing(&|e| e.recovery_account = None, ios()),
        (ErrorCode::NotSignedIn, None)
    );
    assert_eq!(
        failing(&|e| e.recovery_account = None, android()),
        (ErrorCode::NotSignedIn, None)
    );
    assert_eq!(
        failing(&|e| e.os_version = 15, ios()),
        (ErrorCode::PreconditionFailed, Some(Precondition::OsVersion))
    );
    assert_eq!(
        failing(&|e| e.icloud = false, ios()),
        (ErrorCode::PreconditionFailed, Some(Precondition::Icloud))
    );
    assert_eq!(
        failing(&|e| e.personal_apple_id = None, ios()),
        (ErrorCode::PreconditionFailed, Some(Precondition::Icloud))
    );
    assert_eq!(
        failing(&|e| e.icloud_keychain = false, ios()),
        (
            ErrorCode::PreconditionFailed,
            Some(Precondition::IcloudKeychain)
        )
    );
    assert_eq!(
        failing(
            &|e| e.recovery_account.as_mut().unwrap().personal = false,
            android()
        ),
        (
            ErrorCode::PreconditionFailed,
            Some(Precondition::PersonalMicrosoftAccount)
        )
    );
    // Several failing: the first in the spec's order is reported.
    assert_eq!(
        failing(
            &|e| {
                e.os_version = 12;
                e.icloud = false;
                e.icloud_keychain = false;
            },
            ios()
        ),
        (ErrorCode::PreconditionFailed, Some(Precondition::OsVersion))
    );
    assert_eq!(
        failing(
            &|e| {
                e.recovery_account = None;
                e.os_version = 12;
            },
            ios()
        ),
        (ErrorCode::NotSignedIn, None)
    );
    // iOS 16 is enough; Android does not care about iCloud.
    assert!(check_preconditions(&Environment {
        os_version: 16,
        ..ios()
    })
    .is_ok());
    assert!(check_preconditions(&android()).is_ok());
}

#[test]
fn precondition_messages_say_what_to_do() {
    let mut env = ios();
    env.icloud_keychain = false;
    let err = check_preconditions(&env).unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"precondition_failed: icloud_keychain: iCloud Keychain is off; turn it on in Settings > Apple ID > iCloud > Passwords and Keychain");
}

#[test]
fn every_account_change_writes_a_new_generation() {
    let (m, effects) = run(&[
        enable(android()),
        Event::AccountAdded { id: "a".into() },
        Event::AccountEdited { id: "a".into() },
        Event::AccountDeleted { id: "a".into() },
    ]);
    let generations: Vec<u64> = effects
        .iter()
        .map(|e| match e {
            Effect::WriteBackup { generation, .. } => *generation,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(generations, [1, 2, 3, 4]);
    assert_eq!(m.on.unwrap().generation, 4);
}

#[test]
fn account_changes_while_off_do_nothing() {
    let (m, effects) = run(&[Event::AccountAdded { id: "a".into() }, Event::Disable]);
    assert!(effects.is_empty());
    assert_eq!(m, Machine::new());
}

#[test]
fn disable_deletes_the_backup() {
    let (m, effects) = run(&[enable(ios()), Event::Disable]);
    assert_eq!(
        effects.last(),
        Some(&Effect::DeleteBackup {
            storage_account: "alice@icloud.com".into()
        })
    );
    assert!(m.on.is_none());
}

#[test]
fn changing_the_recovery_account_deletes_then_enables() {
    let mut other = ios();
    other.recovery_account = Some(RecoveryAccount {
        id: "bob@outlook.com".into(),
        personal: true,
    });
    other.personal_apple_id = Some("bob@icloud.com".into());
    let (m, effects) = run(&[
        enable(ios()),
        Event::ChangeRecoveryAccount {
            env: other,
            backup_id: "b2".into(),
        },
    ]);
    assert_eq!(
        effects[1],
        Effect::DeleteBackup {
            storage_account: "alice@icloud.com".into()
        }
    );
    assert!(
        matches!(&effects[2], Effect::WriteBackup { storage_account, backup_id, generation: 1, .. }
        if storage_account == "bob@icloud.com" && backup_id == "b2")
    );
    assert_eq!(m.on.unwrap().recovery_account, "bob@outlook.com");
}

#[test]
fn a_refused_change_of_recovery_account_keeps_the_backup() {
    let (m, _) = run(&[enable(ios())]);
    let mut signed_out = ios();
    signed_out.recovery_account = None;
    let err = m
        .step(&Event::ChangeRecoveryAccount {
            env: signed_out,
            backup_id: "b2".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotSignedIn);
}

#[test]
fn key_migration_adds_then_removes_without_a_gap() {
    let (m, effects) = run(&[enable(ios()), Event::StartKeyMigration]);
    let add = Effect::AddRecipient {
        storage_account: "alice@icloud.com".into(),
        provider: KeyProvider::PlatformKeychain,
    };
    assert_eq!(effects.last(), Some(&add));
    let (m, effects) = m
        .step(&Event::Done {
            effect: add.clone(),
        })
        .unwrap();
    assert_eq!(
        m.on.as_ref().unwrap().recipients,
        [
            KeyProvider::RecoveryAccountKey,
            KeyProvider::PlatformKeychain
        ]
    );
    let remove = Effect::RemoveRecipient {
        storage_account: "alice@icloud.com".into(),
        provider: KeyProvider::RecoveryAccountKey,
    };
    assert_eq!(effects, vec![remove.clone()]);
    let (m, effects) = m.step(&Event::Done { effect: remove }).unwrap();
    assert!(effects.is_empty());
    assert_eq!(
        m.on.as_ref().unwrap().recipients,
        [KeyProvider::PlatformKeychain]
    );
    // Announcing it again changes nothing; new generations go to the keychain.
    let (m, effects) = m.step(&Event::StartKeyMigration).unwrap();
    assert!(effects.is_empty());
    let (_, effects) = m.step(&Event::AccountAdded { id: "x".into() }).unwrap();
    assert!(
        matches!(&effects[0], Effect::WriteBackup { recipients, .. } if recipients == &[KeyProvider::PlatformKeychain])
    );
}

#[test]
fn key_migration_is_for_ios_only() {
    let (m, _) = run(&[enable(android())]);
    assert_eq!(
        m.step(&Event::StartKeyMigration).unwrap_err().code(),
        ErrorCode::InvalidParameter
    );
}

#[test]
fn resume_emits_what_is_not_done() {
    let (m, effects) = run(&[enable(ios()), Event::StartKeyMigration]);
    let (m2, again) = m.step(&Event::Resume).unwrap();
    assert_eq!(again, effects);
    assert_eq!(m2, m, "resuming changes nothing but re-emits");
}

#[test]
fn the_state_survives_serialization() {
    let (m, _) = run(&[
        enable(ios()),
        Event::AccountAdded { id: "a".into() },
        Event::StartKeyMigration,
    ]);
    let text = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<Machine>(&text).unwrap(), m);
}

fn arb_event() -> impl Strategy<Value = Event> {
    let env = prop_oneof![
        Just(ios()),
        Just(android()),
        Just(Environment {
            recovery_account: None,
            ..ios()
        }),
        Just(Environment {
            icloud_keychain: false,
            ..ios()
        }),
        Just(Environment {
            managed_apple_id: Some("m@corp".into()),
            ..ios()
        }),
    ];
    prop_oneof![
        (env.clone(), 0u8..3).prop_map(|(env, n)| Event::Enable {
            env,
            backup_id: format!("b{n}")
        }),
        Just(Event::Disable),
        (env, 0u8..3).prop_map(|(env, n)| Event::ChangeRecoveryAccount {
            env,
            backup_id: format!("c{n}")
        }),
        Just(Event::AccountAdded { id: "a".into() }),
        Just(Event::AccountEdited { id: "a".into() }),
        Just(Event::AccountDeleted { id: "a".into() }),
        Just(Event::StartKeyMigration),
        Just(Event::Resume),
        Just(Event::Done {
            effect: Effect::DeleteBackup {
                storage_account: "alice@icloud.com".into()
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn machine_invariants(events in proptest::collection::vec(arb_event(), 0..30), done_mask in any::<u32>()) {
        let mut m = Machine::new();
        for (k, e) in events.iter().enumerate() {
            let before = m.clone();
            match m.step(e) {
                Err(_) => {
                    // A refused event changes nothing: the caller keeps `before`.
                    prop_assert_eq!(&m, &before);
                    continue;
                }
                Ok((next, effects)) => {
                    // Generations never go backwards within one backup.
                    if let (Some(a), Some(b)) = (&before.on, &next.on) {
                        if a.backup_id == b.backup_id && a.storage_account == b.storage_account {
                            prop_assert!(b.generation >= a.generation);
                        }
                    }
                    for effect in &effects {
                        match effect {
                            // A recipient is removed only when another opens the backup.
                            Effect::RemoveRecipient { .. } => {
                                prop_assert!(next.on.as_ref().unwrap().recipients.contains(&KeyProvider::PlatformKeychain));
                            }
                            Effect::WriteBackup { recipients, .. } => prop_assert!(!recipients.is_empty()),
                            _ => {}
                        }
                    }
                    if let Some(on) = &next.on {
                        prop_assert!(!on.recipients.is_empty());
                    }
                    m = next;
                    // Sometimes the executor reports the effects done.
                    if done_mask & (1 << (k % 32)) != 0 {
                        let mut pending = effects;
                        while let Some(effect) = pending.pop() {
                            let (next, more) = m.step(&Event::Done { effect }).unwrap();
                            m = next;
                            pending.extend(more);
                        }
                    }
                }
            }
        }
        // Whatever happened, finishing the outbox ends with no pending effect.
        let (mut m2, mut pending) = m.step(&Event::Resume).unwrap();
        while let Some(effect) = pending.pop() {
            let (next, more) = m2.step(&Event::Done { effect }).unwrap();
            m2 = next;
            pending.extend(more);
        }
        prop_assert!(m2.outbox.is_empty(), "{:?}", m2.outbox);
    }
}

#[test]
fn completing_everything_leaves_an_empty_outbox() {
    let m = run_to_completion(&[
        enable(ios()),
        Event::AccountAdded { id: "a".into() },
        Event::StartKeyMigration,
    ]);
    assert!(m.outbox.is_empty());
    assert_eq!(m.on.unwrap().recipients, [KeyProvider::PlatformKeychain]);
}
