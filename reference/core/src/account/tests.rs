use super::*;

fn device(id: &str, account_type: AccountType) -> DeviceAccount {
    DeviceAccount {
        id: id.to_string(),
        account_type,
        issuer: Some("Contoso".to_string()),
        name: format!("{id}@example.com"),
        secret: Some(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap()),
        params: CodeParams::default(),
        token: Some(Token::new("eyJ0eXAiOiJKV1QiLCJhbGciOi")),
        excluded_by_policy: false,
        state: AccountState::Ready,
    }
}

#[test]
fn per_type_rules_keep_secrets_only_for_code_bearing_types() {
    let all: Vec<_> = AccountType::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| device(&format!("a{i}"), *t))
        .collect();
    let (accounts, report) = build_backup_accounts(&all).unwrap();
    assert_eq!(accounts.len(), 4);
    for a in &accounts {
        assert_eq!(
            a.key().is_some(),
            a.account_type().bears_codes(),
            "{:?}",
            a.account_type()
        );
        if a.is_placeholder() {
            assert_eq!(a.issuer(), None);
        }
    }
    assert_eq!(report.count(&BuildOutcome::WithCodes), 2);
    assert_eq!(report.count(&BuildOutcome::Placeholder), 2);
    // Tokens never survive; placeholders also lose secret and issuer, and say so.
    assert_eq!(report.entries[0].dropped, vec!["token"]);
    assert_eq!(report.entries[2].dropped, vec!["token", "secret", "issuer"]);
}

#[test]
fn accounts_excluded_by_policy_are_left_out_and_reported() {
    let mut excluded = device("vpn", AccountType::Totp);
    excluded.excluded_by_policy = true;
    let (accounts, report) =
        build_backup_accounts(&[device("a", AccountType::Totp), excluded]).unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(report.entries[1].outcome, BuildOutcome::ExcludedByPolicy);
    assert!(report.entries[1].dropped.is_empty());
}

#[test]
fn a_code_bearing_account_without_secret_stops_the_build() {
    let mut broken = device("a", AccountType::MsaTotp);
    broken.secret = None;
    let err = build_backup_accounts(&[broken]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSecret);
    let err = build_backup_accounts(&[
        device("x", AccountType::Totp),
        device("x", AccountType::WorkSchool),
    ])
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateAccount);
}

#[test]
fn invariants_of_backup_accounts() {
    let key = OtpKey {
        secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
        params: CodeParams::default(),
    };
    let err = BackupAccount::with_codes("w", AccountType::WorkSchool, None, "w", key.clone());
    assert_eq!(err.unwrap_err().code(), ErrorCode::SecretInPlaceholder);
    let err = BackupAccount::placeholder("t", AccountType::MsaTotp, "t");
    assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidSecret);
    let err = BackupAccount::with_codes("", AccountType::Totp, None, "t", key.clone());
    assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidParameter);
    let err =
        BackupAccount::with_codes("t", AccountType::Totp, Some("a:b".into()), "t", key.clone());
    assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidParameter);
    let err = BackupAccount::placeholder("w", AccountType::WorkSchool, " w");
    assert_eq!(err.unwrap_err().code(), ErrorCode::InvalidParameter);
    let ok = BackupAccount::with_codes("t", AccountType::Totp, Some("I".into()), "t", key).unwrap();
    assert_eq!((ok.issuer(), ok.is_placeholder()), (Some("I"), false));
    let ok = BackupAccount::placeholder("w", AccountType::WorkSchool, "w").unwrap();
    assert_eq!(
        (ok.issuer(), ok.key(), ok.kept()),
        (None, None, &Kept::Placeholder)
    );
}

#[test]
fn type_names() {
    for t in AccountType::ALL {
        assert_eq!(AccountType::from_name(t.as_str()).unwrap(), t);
    }
    assert_eq!(
        AccountType::from_name("steam").unwrap_err().code(),
        ErrorCode::UnsupportedAccountType
    );
}

#[test]
fn device_file_round_trips_and_reports_the_bad_account() {
    let list = vec![
        device("a", AccountType::Totp),
        device("b", AccountType::WorkSchool),
    ];
    let json = DeviceAccount::list_to_json(&list);
    assert_eq!(DeviceAccount::list_from_json(&json).unwrap(), list);
    let broken = String::from_utf8(json.to_vec())
        .unwrap()
        .replace("\"work_school\"", "\"steam\"");
    let e = DeviceAccount::list_from_json(broken.as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedAccountType);
    assert!(e.message().starts_with("accounts[1]: "), "{e}");
    let dup = String::from_utf8(json.to_vec())
        .unwrap()
        .replace("\"id\": \"b\"", "\"id\": \"a\"");
    assert_eq!(
        DeviceAccount::list_from_json(dup.as_bytes())
            .unwrap_err()
            .code(),
        ErrorCode::DuplicateAccount
    );
}

#[test]
fn token_debug_is_redacted() {
    let t = Token::new("eyJsecret");
    assert_eq!(format!("{t:?}"), "Token(<redacted>)");
}
