use super::*;
use crate::account::{build_backup_accounts, normalise, CodeParams};
use crate::secret::Secret;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn account(
    id: &str,
    t: AccountType,
    issuer: Option<&str>,
    name: &str,
    secret: Option<u8>,
) -> DeviceAccount {
    DeviceAccount {
        id: id.into(),
        account_type: t,
        issuer: issuer.map(Into::into),
        name: name.into(),
        secret: secret.map(|b| Secret::from_bytes(vec![b; 20]).unwrap()),
        params: CodeParams::default(),
        token: None,
        excluded_by_policy: false,
        state: AccountState::Ready,
    }
}

fn backup_of(device: &[DeviceAccount], platform: Platform) -> Payload {
    let (accounts, _) = build_backup_accounts(device).unwrap();
    Payload::new(
        BackupMeta::new(platform, "backup-1", 4, 1_700_000_000).unwrap(),
        accounts,
    )
    .unwrap()
}

fn old_phone() -> Vec<DeviceAccount> {
    let mut work = account(
        "w",
        AccountType::WorkSchool,
        Some("Contoso"),
        "alice@contoso.com",
        None,
    );
    work.token = Some(crate::account::Token::new("tok"));
    let mut vpn = account("v", AccountType::Totp, Some("VPN"), "alice", Some(9));
    vpn.excluded_by_policy = true;
    vec![
        account(
            "g",
            AccountType::Totp,
            Some("GitHub"),
            "alice@example.com",
            Some(1),
        ),
        account(
            "b",
            AccountType::Totp,
            Some("Example Bank"),
            "alice",
            Some(2),
        ),
        account(
            "m",
            AccountType::MsaTotp,
            Some("Microsoft"),
            "alice@outlook.com",
            Some(3),
        ),
        account(
            "p",
            AccountType::MsaPasswordless,
            None,
            "alice.personal@outlook.com",
            Some(4),
        ),
        work,
        vpn,
    ]
}

fn restore(device: &[DeviceAccount], backup: &Payload, policy: Policy) -> RestorePlan {
    plan(device, backup, backup.meta().platform(), policy).unwrap()
}

#[test]
fn the_other_platform_is_refused_and_nothing_is_planned() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let err = plan(&[], &backup, Platform::Android, Policy::KeepBoth).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PlatformMismatch);
    assert_eq!(
        err.message(),
        "this backup was made on ios and restores only on ios; this device is android"
    );
}

#[test]
fn an_empty_device_gets_every_account_its_type_allows() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let p = restore(&[], &backup, Policy::KeepBoth);
    let device = apply(&[], &p).unwrap();
    assert_eq!(
        device.len(),
        5,
        "the account excluded by policy never appears"
    );
    for d in &device {
        assert!(d.token.is_none());
        match d.account_type {
            AccountType::Totp | AccountType::MsaTotp => {
                assert_eq!(d.state, AccountState::Ready);
                assert!(d.secret.is_some());
            }
            _ => {
                assert_eq!(d.state, AccountState::ActionRequired);
                assert!(d.secret.is_none(), "a placeholder came back with a secret");
            }
        }
    }
    // Codes at once: the restored secret gives the old phone's codes.
    let old = &old_phone()[0];
    let restored = device.iter().find(|d| d.id == "g").unwrap();
    assert_eq!(restored.secret, old.secret);
}

/// A phone on which the user typed in their bank account by hand (another secret: the bank
/// issued a new one) before restoring.
fn new_phone_with_hand_added_bank() -> Vec<DeviceAccount> {
    vec![account(
        "hand-1",
        AccountType::Totp,
        Some("example bank"),
        "ALICE",
        Some(77),
    )]
}

#[test]
fn keep_both_never_overwrites() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let device = new_phone_with_hand_added_bank();
    let p = restore(&device, &backup, Policy::KeepBoth);
    let bank = p.outcomes.iter().find(|o| o.id == "b").unwrap();
    assert!(
        matches!(&bank.outcome, Outcome::KeptBoth { device, matched_by: MatchKind::Name, added_id }
        if device.id == "hand-1" && added_id == "b")
    );
    let after = apply(&device, &p).unwrap();
    assert_eq!(after[0], device[0], "the hand-added account is untouched");
    assert_eq!(after.len(), 6);
}

#[test]
fn prefer_backup_names_what_it_replaced() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let device = new_phone_with_hand_added_bank();
    let p = restore(&device, &backup, Policy::PreferBackup);
    let bank = p.outcomes.iter().find(|o| o.id == "b").unwrap();
    assert!(matches!(&bank.outcome, Outcome::Replaced { device, .. } if device.id == "hand-1"));
    let after = apply(&device, &p).unwrap();
    assert_eq!(after.len(), 5);
    assert_eq!(after[0].id, "b");
    assert_eq!(after[0].secret, old_phone()[1].secret);
}

#[test]
fn prefer_device_keeps_the_device_entry() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let device = new_phone_with_hand_added_bank();
    let p = restore(&device, &backup, Policy::PreferDevice);
    let after = apply(&device, &p).unwrap();
    assert_eq!(after[0], device[0]);
    assert_eq!(after.len(), 5, "the backup's bank account is not restored");
}

#[test]
fn the_same_secret_under_another_name_is_already_there() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let device = vec![account(
        "x",
        AccountType::Totp,
        Some("GH"),
        "renamed",
        Some(1),
    )];
    let p = restore(&device, &backup, Policy::PreferBackup);
    let gh = p.outcomes.iter().find(|o| o.id == "g").unwrap();
    assert!(matches!(
        &gh.outcome,
        Outcome::AlreadyPresent {
            matched_by: MatchKind::Secret,
            ..
        }
    ));
    assert_eq!(apply(&device, &p).unwrap()[0], device[0]);
}

#[test]
fn a_placeholder_never_replaces_a_signed_in_account() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let mut signed_in = account(
        "w",
        AccountType::WorkSchool,
        None,
        "alice@contoso.com",
        None,
    );
    signed_in.token = Some(crate::account::Token::new("fresh"));
    let device = vec![signed_in];
    let p = restore(&device, &backup, Policy::PreferBackup);
    let w = p.outcomes.iter().find(|o| o.id == "w").unwrap();
    assert!(matches!(
        w.outcome,
        Outcome::AlreadyPresent {
            matched_by: MatchKind::Id,
            ..
        }
    ));
    assert_eq!(w.state, AccountState::Ready);
    assert_eq!(apply(&device, &p).unwrap()[0], device[0]);
}

#[test]
fn restoring_twice_changes_nothing_the_second_time() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    for policy in [Policy::KeepBoth, Policy::PreferBackup, Policy::PreferDevice] {
        let device = new_phone_with_hand_added_bank();
        let once = apply(&device, &restore(&device, &backup, policy)).unwrap();
        let second = restore(&once, &backup, policy);
        assert!(!second.changes_device(), "{policy}: {:?}", second.outcomes);
        assert_eq!(apply(&once, &second).unwrap(), once, "{policy}");
    }
}

#[test]
fn ids_stay_unique_when_the_backup_reuses_a_device_id() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    // The new phone uses id "g" for a different account.
    let device = vec![account(
        "g",
        AccountType::Totp,
        Some("Other"),
        "bob",
        Some(55),
    )];
    let p = restore(&device, &backup, Policy::KeepBoth);
    let g = p.outcomes.iter().find(|o| o.id == "g").unwrap();
    let Outcome::KeptBoth {
        added_id,
        matched_by: MatchKind::Id,
        ..
    } = &g.outcome
    else {
        panic!("{:?}", g.outcome)
    };
    assert!(added_id.starts_with("restored-"), "{added_id}");
    let after = apply(&device, &p).unwrap();
    let ids: std::collections::HashSet<_> = after.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), after.len());
}

/// `restored-` and the first 8 bytes of SHA-256("backup-1", 0, `id`) in hex: the id
/// REQ-RESTORE-025 gives an added account of `backup_of`'s backup whose id is taken.
fn restored_id(id: &str) -> String {
    let digest = Sha256::digest([b"backup-1".as_slice(), &[0], id.as_bytes()].concat());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("restored-{hex}")
}

/// The issuers and ids of the accounts restoring `backup` onto `device` adds.
fn added_ids(device: &[DeviceAccount], backup: &Payload) -> Vec<(String, String)> {
    let after = apply(device, &restore(device, backup, Policy::KeepBoth)).unwrap();
    after[device.len()..]
        .iter()
        .map(|d| (d.issuer.clone().unwrap(), d.id.clone()))
        .collect()
}

#[test]
fn a_made_up_id_is_not_one_the_backup_already_restored_under() {
    let taken = restored_id("g");
    // The backup's first account has the very id its second account's would be made up as.
    let backup = backup_of(
        &[
            account(&taken, AccountType::Totp, Some("A"), "x", Some(10)),
            account("g", AccountType::Totp, Some("B"), "y", Some(11)),
        ],
        Platform::Ios,
    );
    let device = vec![account("g", AccountType::Totp, Some("C"), "z", Some(12))];
    assert_eq!(
        added_ids(&device, &backup),
        [
            ("A".to_string(), taken.clone()),
            ("B".to_string(), format!("{taken}-2"))
        ]
    );
}

#[test]
fn a_backup_id_already_made_up_for_another_account_is_replaced() {
    let taken = restored_id("g");
    // The second account's own id is the one made up for the first.
    let backup = backup_of(
        &[
            account("g", AccountType::Totp, Some("B"), "y", Some(11)),
            account(&taken, AccountType::Totp, Some("A"), "x", Some(10)),
        ],
        Platform::Ios,
    );
    let device = vec![account("g", AccountType::Totp, Some("C"), "z", Some(12))];
    assert_eq!(
        added_ids(&device, &backup),
        [
            ("B".to_string(), taken.clone()),
            ("A".to_string(), restored_id(&taken))
        ]
    );
}

#[test]
fn apply_refuses_a_plan_for_another_device_state() {
    let backup = backup_of(&old_phone(), Platform::Ios);
    let device = new_phone_with_hand_added_bank();
    let p = restore(&device, &backup, Policy::KeepBoth);
    let mut changed = device.clone();
    changed[0].name = "Alice".into();
    assert_eq!(
        apply(&changed, &p).unwrap_err().code(),
        ErrorCode::PreconditionFailed
    );
}

#[test]
fn matching_normalises_case_and_spaces() {
    assert_eq!(normalise("  Example\tBANK  "), "example bank");
    assert_eq!(normalise("ÉCOLE  Δ"), "école δ");
}

fn arb_device() -> impl Strategy<Value = Vec<DeviceAccount>> {
    proptest::collection::vec(
        (
            0usize..6,
            0usize..4,
            0usize..3,
            0usize..3,
            proptest::option::of(0u8..5),
            any::<bool>(),
        ),
        0..12,
    )
    .prop_map(|raw| {
        let mut seen = std::collections::HashSet::new();
        raw.into_iter()
            .filter(|(id, ..)| seen.insert(*id))
            .map(|(id, t, issuer, name, secret, excluded)| {
                let t = AccountType::ALL[t];
                let secret = if t.bears_codes() {
                    Some(secret.unwrap_or(0))
                } else {
                    secret
                };
                let mut a = account(
                    &format!("id{id}"),
                    t,
                    [None, Some("Acme"), Some("ACME ")][issuer].map(str::trim),
                    ["alice", "Alice", "bob"][name],
                    secret,
                );
                a.excluded_by_policy = excluded;
                a
            })
            .collect()
    })
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::KeepBoth),
        Just(Policy::PreferBackup),
        Just(Policy::PreferDevice)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn restore_invariants(old in arb_device(), device in arb_device(), policy in arb_policy()) {
        let backup = backup_of(&old, Platform::Android);
        // The platform lock always holds.
        prop_assert!(plan(&device, &backup, Platform::Ios, policy).is_err());
        let p = restore(&device, &backup, policy);
        let after = apply(&device, &p).unwrap();
        // One outcome per backup account.
        prop_assert_eq!(p.outcomes.len(), backup.accounts().len());
        // Ids stay unique.
        let ids: std::collections::HashSet<_> = after.iter().map(|d| d.id.clone()).collect();
        prop_assert_eq!(ids.len(), after.len());
        // Under keep-both (and prefer-device) every device account survives unchanged.
        if policy != Policy::PreferBackup {
            for d in &device {
                prop_assert!(after.contains(d), "lost {:?}", d.id);
            }
        }
        // Under prefer-backup, a device account disappears only when the report names it.
        for d in &device {
            if !after.contains(d) {
                let named = p.outcomes.iter().any(|o| matches!(&o.outcome, Outcome::Replaced { device, .. } if device.id == d.id));
                prop_assert!(named, "{} vanished unreported", d.id);
            }
        }
        // Restored placeholders never carry a secret or token.
        for d in after.iter().filter(|d| !device.contains(d)) {
            prop_assert!(d.token.is_none());
            if !d.account_type.bears_codes() {
                prop_assert!(d.secret.is_none());
                prop_assert_eq!(d.state, AccountState::ActionRequired);
            }
        }
        // A second restore changes nothing.
        let second = restore(&after, &backup, policy);
        prop_assert!(!second.changes_device(), "{:?}", second.outcomes);
    }

    /// Matching compares keys, not their hashes: with every secret, id and name in one hash
    /// chain, the plan is the same.
    #[test]
    fn matching_does_not_trust_hashes(old in arb_device(), device in arb_device(), policy in arb_policy()) {
        let backup = backup_of(&old, Platform::Android);
        let p = restore(&device, &backup, policy);
        let colliding = super::chains::with_every_key_colliding(|| restore(&device, &backup, policy));
        prop_assert_eq!(&colliding.outcomes, &p.outcomes);
        prop_assert_eq!(&colliding.untouched, &p.untouched);
        prop_assert_eq!(apply(&device, &colliding).unwrap(), apply(&device, &p).unwrap());
    }
}
