use super::*;
use crate::otp::{Algorithm, Digits};

const SECRET: &str = "JBSWY3DPEHPK3PXP";

fn doc(accounts: &str) -> String {
    format!(
        r#"{{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":[{accounts}]}}"#
    )
}

fn totp(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","type":"totp","issuer":"GitHub","name":"alice","secret":"{SECRET}","algorithm":"SHA1","digits":6,"period":30}}"#
    )
}

fn code(json: &str) -> ErrorCode {
    match Payload::from_json(json.as_bytes()) {
        Ok(p) => panic!("accepted: {p:?}"),
        Err(e) => e.code(),
    }
}

#[test]
fn parses_every_account_type() {
    let json = doc(&format!(
        r#"{},{{"id":"m","type":"msa_totp","name":"bob@outlook.com","secret":"{SECRET}","algorithm":"sha256","digits":8,"period":60}},
           {{"id":"p","type":"msa_passwordless","name":"carol@outlook.com"}},
           {{"id":"w","type":"work_school","name":"dave@contoso.com"}}"#,
        totp("t")
    ));
    let p = Payload::from_json(json.as_bytes()).unwrap();
    assert_eq!(p.meta().platform(), Platform::Ios);
    assert_eq!(p.meta().generation(), 3);
    assert_eq!(p.accounts.len(), 4);
    let m = &p.accounts[1];
    assert_eq!(m.account_type, AccountType::MsaTotp);
    let key = m.key().unwrap();
    assert_eq!(key.params.algorithm, Algorithm::Sha256);
    assert_eq!(key.params.digits, Digits::EIGHT);
    assert!(p.accounts[2].is_placeholder() && p.accounts[2].key().is_none());
    assert!(p.accounts[3].is_placeholder());
}

#[test]
fn written_json_parses_back_to_the_same_payload() {
    let json = doc(&format!(
        r#"{},{{"id":"w","type":"work_school","name":"dave@contoso.com"}}"#,
        totp("t")
    ));
    let p = Payload::from_json(json.as_bytes()).unwrap();
    let again = Payload::from_json(&p.to_json()).unwrap();
    assert_eq!(again, p);
}

#[test]
fn display_json_redacts_secrets_unless_asked() {
    let p = Payload::from_json(doc(&totp("t")).as_bytes()).unwrap();
    let shown = String::from_utf8(p.to_display_json(false).to_vec()).unwrap();
    assert!(shown.contains("\"secret\": \"<redacted>\""), "{shown}");
    assert!(!shown.contains(SECRET));
    let revealed = String::from_utf8(p.to_display_json(true).to_vec()).unwrap();
    assert!(revealed.contains(SECRET));
}

#[test]
fn placeholders_with_a_secret_or_token_are_refused() {
    for extra in [
        format!(r#","secret":"{SECRET}""#),
        r#","secret":null"#.to_string(),
        r#","secret":"""#.to_string(),
        r#","secret":{"k":1}"#.to_string(),
        r#","token":"eyJhbGciOi""#.to_string(),
    ] {
        for t in ["msa_passwordless", "work_school"] {
            let json = doc(&format!(
                r#"{{"id":"p","type":"{t}","name":"carol"{extra}}}"#
            ));
            assert_eq!(code(&json), ErrorCode::SecretInPlaceholder, "{t} {extra}");
        }
    }
}

#[test]
fn placeholders_carry_the_name_only() {
    for extra in [
        r#","issuer":"Contoso""#,
        r#","digits":6"#,
        r#","period":30"#,
        r#","algorithm":"SHA1""#,
    ] {
        let json = doc(&format!(
            r#"{{"id":"p","type":"work_school","name":"carol"{extra}}}"#
        ));
        assert_eq!(code(&json), ErrorCode::Malformed, "{extra}");
    }
}

#[test]
fn credentials_other_than_totp_secrets_are_not_valid() {
    let with = |member: &str| {
        doc(&format!(
            r#"{{"id":"t","type":"totp","name":"alice","secret":"{SECRET}","algorithm":"SHA1","digits":6,"period":30,{member}}}"#
        ))
    };
    for member in [
        r#""password":"hunter2""#,
        r#""token":"x""#,
        r#""refresh_token":"x""#,
        r#""cookie":"x""#,
    ] {
        assert_eq!(code(&with(member)), ErrorCode::Malformed, "{member}");
    }
    // Unknown top-level members too.
    let json = doc(&totp("t")).replacen('{', r#"{"passwords":[],"#, 1);
    assert_eq!(code(&json), ErrorCode::Malformed);
}

#[test]
fn version_is_checked_first() {
    assert_eq!(
        code(&doc(&totp("t")).replace(r#""version":1"#, r#""version":2"#)),
        ErrorCode::UnsupportedVersion
    );
    // A future version with members this version does not know is still unsupported_version.
    let future = r#"{"version":2,"platform":"ios","new_member":true,"accounts":"elsewhere"}"#;
    assert_eq!(code(future), ErrorCode::UnsupportedVersion);
    assert_eq!(code(r#"{"version":"1"}"#), ErrorCode::Malformed);
    assert_eq!(code("not json"), ErrorCode::Malformed);
    assert_eq!(code(""), ErrorCode::Malformed);
}

#[test]
fn rule_violations_have_their_codes() {
    let cases = [
        (
            doc(&format!("{},{}", totp("t"), totp("t"))),
            ErrorCode::DuplicateAccount,
        ),
        (
            doc(&totp("t")).replace("\"ios\"", "\"windows\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"generation\":3", "\"generation\":0"),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"b-1\"", "\"\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"b-1\"", &format!("\"{}\"", "b".repeat(65))),
            ErrorCode::TooLarge,
        ),
        (doc(&totp("")), ErrorCode::InvalidParameter),
        (doc(&totp(&"i".repeat(65))), ErrorCode::TooLarge),
        (
            doc(&totp("t")).replace("\"totp\"", "\"hotp\""),
            ErrorCode::UnsupportedAccountType,
        ),
        (
            doc(&totp("t")).replace("\"digits\":6", "\"digits\":9"),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"digits\":6", "\"digits\":\"6\""),
            ErrorCode::Malformed,
        ),
        (
            doc(&totp("t")).replace("\"period\":30", "\"period\":0"),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"SHA1\"", "\"MD5\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace(",\"period\":30", ""),
            ErrorCode::Malformed,
        ),
        (
            doc(&totp("t")).replace(SECRET, "JBSWY3DPEHPK3PX1"),
            ErrorCode::InvalidSecret,
        ),
        (
            doc(&totp("t")).replace(SECRET, "MZXW6YTBOI"),
            ErrorCode::InvalidSecret,
        ),
        (
            doc(&totp("t")).replace(&format!(",\"secret\":\"{SECRET}\""), ""),
            ErrorCode::InvalidSecret,
        ),
        (
            doc(&totp("t")).replace(&format!("\"{SECRET}\""), "42"),
            ErrorCode::Malformed,
        ),
        (
            doc(&totp("t")).replace("\"GitHub\"", "\"Git:Hub\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"alice\"", "\" alice\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"alice\"", "\"al\\u0000ice\""),
            ErrorCode::InvalidParameter,
        ),
        (
            doc(&totp("t")).replace("\"alice\"", &format!("\"{}\"", "a".repeat(257))),
            ErrorCode::TooLarge,
        ),
        (
            doc(&totp("t")).replace("\"alice\",", "\"alice\",\"name\":\"bob\","),
            ErrorCode::Malformed,
        ),
    ];
    for (json, want) in cases {
        assert_eq!(code(&json), want, "{json}");
    }
}

#[test]
fn too_many_accounts_is_too_large() {
    let one = r#"{"id":"x","type":"work_school","name":"n"}"#;
    let many = vec![one; MAX_ACCOUNTS + 1].join(",");
    assert_eq!(code(&doc(&many)), ErrorCode::TooLarge);
}

#[test]
fn errors_name_the_account_and_never_the_secret() {
    let json = doc(&format!(
        "{},{}",
        totp("a"),
        totp("b").replace(SECRET, "JBSWY3DPEHPK3PX1")
    ));
    let e = Payload::from_json(json.as_bytes()).unwrap_err();
    assert!(e.message().starts_with("accounts[1]: "), "{e}");
    assert!(!e.to_string().contains("JBSWY3DP"), "{e}");
}

#[test]
fn the_first_account_breaking_a_rule_is_reported_own_rules_before_a_repeated_id() {
    let error = |accounts: &str| Payload::from_json(doc(accounts).as_bytes()).unwrap_err();
    let bad = totp("b").replace("alice", " alice");
    let repeated_then_bad = error(&format!("{},{},{bad}", totp("a"), totp("a")));
    assert_eq!(repeated_then_bad.code(), ErrorCode::DuplicateAccount);
    assert!(
        repeated_then_bad.to_string().contains("accounts[1]"),
        "{repeated_then_bad}"
    );
    let bad_then_repeated = error(&format!("{},{bad},{}", totp("a"), totp("a")));
    assert_eq!(bad_then_repeated.code(), ErrorCode::InvalidParameter);
    assert!(
        bad_then_repeated.to_string().contains("accounts[1]"),
        "{bad_then_repeated}"
    );
    let repeated_and_bad = error(&format!(
        "{},{}",
        totp("a"),
        totp("a").replace("alice", " alice")
    ));
    assert_eq!(repeated_and_bad.code(), ErrorCode::InvalidParameter);
}

#[test]
fn canonical_and_typed_secrets_decode_alike() {
    for (text, same_as) in [
        ("JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp"),
        ("JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXP"),
    ] {
        assert_eq!(
            Secret::from_base32(text).unwrap(),
            Secret::from_base32(same_as).unwrap()
        );
    }
    for wrong in ["JBSWY3DPEHPK3PX", "JBSWY3DPEHPK3PXPA", "JBSWY3DPEHPK3PX1"] {
        assert_eq!(
            Secret::from_base32(wrong).unwrap_err().code(),
            ErrorCode::InvalidSecret,
            "{wrong}"
        );
    }
}

#[test]
fn members_written_with_escapes_read_as_their_text() {
    // Every text is read from the input where it has no escapes, and unescaped where it has.
    let escaped = r#"{"id":"\u0074","type":"tot\u0070","issuer":"Git\u0048ub","name":"\u0061lice","secret":"JBSW\u0059\u0033DPEHPK3PXP","algorithm":"SHA\u0032\u00356","digits":6,"period":30}"#;
    let plain = totp("t").replace("SHA1", "SHA256");
    assert_eq!(
        Payload::from_json(doc(escaped).as_bytes()).unwrap(),
        Payload::from_json(doc(&plain).as_bytes()).unwrap()
    );
    let null_algorithm = totp("t").replace(r#""SHA1""#, "null");
    assert_eq!(code(&doc(&null_algorithm)), ErrorCode::Malformed);
}

#[test]
fn bytes_that_are_not_utf8_are_malformed_wherever_they_are() {
    let bytes_code = |bytes: &[u8]| Payload::from_json(bytes).unwrap_err();
    // In a placeholder's token, whose value no rule reads: still malformed, not a secret
    // in a placeholder.
    let token = doc(r#"{"id":"w","type":"work_school","name":"w","token":"XX"}"#);
    let mut token = token.into_bytes();
    let at = token.windows(2).position(|w| w == b"XX").unwrap();
    token[at] = 0xff;
    let e = bytes_code(&token);
    assert_eq!(e.code(), ErrorCode::Malformed);
    assert!(e.to_string().contains(&format!("byte {}", at + 1)), "{e}");
    // In a document of another version: not JSON, so not another version.
    assert_eq!(
        bytes_code(b"{\"version\":2,\"x\":\"\xed\xa0\x80\"}").code(),
        ErrorCode::Malformed
    );
    // A byte order mark is not white space.
    let bom = format!("\u{feff}{}", doc(&totp("t")));
    assert_eq!(code(&bom), ErrorCode::Malformed);
}

mod json_capacity {
    use super::*;
    use proptest::prelude::*;

    fn account() -> impl Strategy<Value = Option<BackupAccount>> {
        let text = "[a-zA-Z0-9 \"\\\\é€😀-]{1,60}";
        (
            0usize..4,
            text,
            proptest::option::of(text),
            text,
            10usize..=128,
            prop_oneof![Just(6u64), Just(8), Just(10)],
            prop_oneof![Just(30u64), Just(u64::MAX)],
        )
            .prop_map(|(t, id, issuer, name, secret_len, digits, period)| {
                let t = AccountType::ALL[t];
                if !t.bears_codes() {
                    return BackupAccount::placeholder(id, t, name).ok();
                }
                let params =
                    CodeParams::from_optional(Some("SHA512"), Some(digits), Some(period)).ok()?;
                let secret = Secret::from_bytes(vec![0xa5; secret_len]).ok()?;
                let key = OtpKey { secret, params };
                BackupAccount::with_codes(id, t, issuer, name, key).ok()
            })
    }

    proptest! {
        /// Writing never outgrows the buffer sized up front (growing would leave a copy of
        /// the secrets behind, unwiped), and the buffer is not much larger than the text.
        #[test]
        fn the_buffer_is_sized_once_and_tight(
            accounts in proptest::collection::vec(account(), 0..12),
            backup_id in "[a-z\"\\\\é]{1,64}",
        ) {
            let mut seen = HashSet::new();
            let accounts: Vec<BackupAccount> = accounts
                .into_iter()
                .flatten()
                .filter(|a| seen.insert(a.id().to_string()))
                .collect();
            let meta = BackupMeta::new(Platform::Ios, backup_id, u64::MAX, u64::MAX);
            prop_assume!(meta.is_ok());
            let p = Payload::new(meta.unwrap(), accounts).unwrap();
            for (json, with_secrets, pretty) in [
                (p.to_json(), true, false),
                (p.to_display_json(true), true, true),
                (p.to_display_json(false), false, true),
            ] {
                let capacity = p.json_capacity(with_secrets, pretty);
                prop_assert!(json.len() <= capacity, "{} > {}", json.len(), capacity);
                prop_assert_eq!(json.capacity(), capacity);
                // At most 200 bytes of slack per account (sizing every name at six times its
                // length, as before, left several hundred).
                let slack = capacity - json.len();
                prop_assert!(slack <= 200 * p.accounts().len() + 400, "{} for {}", capacity, json.len());
            }
        }
    }
}
