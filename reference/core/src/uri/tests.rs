use super::*;
use proptest::prelude::*;
use std::num::NonZeroU64;

fn parse(text: &str) -> KeyUri {
    KeyUri::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn code(text: &str) -> ErrorCode {
    match KeyUri::parse(text) {
        Ok(k) => panic!("{text} parsed as {k:?}"),
        Err(e) => e.code(),
    }
}

const S: &str = "JBSWY3DPEHPK3PXP";

#[test]
fn the_common_example_with_defaults() {
    let k = parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice@google.com");
    assert_eq!(k.secret.to_base32().as_str(), S);
    assert_eq!(k.algorithm, Algorithm::Sha1);
    assert_eq!(k.digits, Digits::SIX);
    assert_eq!(
        k.kind,
        OtpKind::Totp {
            period: NonZeroU64::new(30).unwrap()
        }
    );
}

#[test]
fn all_parameters_and_percent_encoded_label() {
    let k = parse(
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
         &issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60",
    );
    assert_eq!(k.issuer.as_deref(), Some("ACME Co"));
    assert_eq!(k.name, "john.doe@email.com");
    assert_eq!(k.algorithm, Algorithm::Sha256);
    assert_eq!(k.digits, Digits::EIGHT);
    assert_eq!(
        k.kind,
        OtpKind::Totp {
            period: NonZeroU64::new(60).unwrap()
        }
    );
}

#[test]
fn label_prefix_alone_gives_the_issuer() {
    let k = parse(&format!("otpauth://totp/Example:alice?secret={S}"));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice");
}

#[test]
fn encoded_colon_and_spaces_after_it_separate_like_a_colon() {
    for label in [
        "Example%3Aalice",
        "Example:%20alice",
        "Example%3A%20%20alice",
        "Example%20:alice",
    ] {
        let k = parse(&format!("otpauth://totp/{label}?secret={S}"));
        assert_eq!(k.issuer.as_deref(), Some("Example"), "{label}");
        assert_eq!(k.name, "alice", "{label}");
    }
}

#[test]
fn issuer_parameter_alone_gives_the_issuer() {
    let k = parse(&format!("otpauth://totp/alice?secret={S}&issuer=Example"));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice");
}

#[test]
fn disagreeing_prefix_stays_in_the_name() {
    let k = parse(&format!(
        "otpauth://totp/Work:alice?secret={S}&issuer=Example"
    ));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "Work:alice");
    // The comparison is exact: letter case matters.
    let k = parse(&format!(
        "otpauth://totp/example:alice?secret={S}&issuer=Example"
    ));
    assert_eq!(k.name, "example:alice");
}

#[test]
fn extra_colons_belong_to_the_account_name() {
    let k = parse(&format!("otpauth://totp/Example:alice:work:2?secret={S}"));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice:work:2");
}

#[test]
fn empty_prefix_means_no_issuer() {
    let k = parse(&format!("otpauth://totp/:a:b?secret={S}"));
    assert_eq!(k.issuer, None);
    assert_eq!(k.name, "a:b");
    let k = parse(&format!("otpauth://totp/:alice?secret={S}&issuer=Example"));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice");
}

#[test]
fn empty_issuer_parameter_is_absent() {
    let k = parse(&format!("otpauth://totp/Example:alice?secret={S}&issuer="));
    assert_eq!(k.issuer.as_deref(), Some("Example"));
    assert_eq!(k.name, "alice");
}

#[test]
fn plus_is_a_space_in_values_and_itself_in_the_label() {
    let k = parse(&format!("otpauth://totp/A+B:alice?secret={S}&issuer=A%2BB"));
    assert_eq!(k.issuer.as_deref(), Some("A+B"));
    assert_eq!(k.name, "alice");
    let k = parse(&format!("otpauth://totp/alice?secret={S}&issuer=Big+Bank"));
    assert_eq!(k.issuer.as_deref(), Some("Big Bank"));
    // A secret typed with spaces, encoded either way.
    let k = parse("otpauth://totp/alice?secret=jbsw+y3dp%20ehpk+3pxp");
    assert_eq!(k.secret.to_base32().as_str(), S);
}

#[test]
fn unknown_parameters_are_ignored_even_when_repeated() {
    let k = parse(&format!(
        "otpauth://totp/alice?image=x&secret={S}&color=1&color=2&&Secret=AAAA&foo"
    ));
    assert_eq!(k.secret.to_base32().as_str(), S);
}

#[test]
fn repeated_known_parameters_are_malformed() {
    for dup in [
        "secret=JBSWY3DPEHPK3PXP",
        "issuer=A",
        "digits=6",
        "period=30",
        "algorithm=SHA1",
        "counter=1",
    ] {
        let uri = format!("otpauth://totp/alice?secret={S}&issuer=A&digits=6&period=30&algorithm=SHA1&counter=1&{dup}");
        assert_eq!(code(&uri), ErrorCode::Malformed, "{dup}");
    }
}

#[test]
fn hotp_needs_a_counter_and_ignores_period() {
    let k = parse(&format!(
        "otpauth://hotp/alice?secret={S}&counter=42&period=oops"
    ));
    assert_eq!(k.kind, OtpKind::Hotp { counter: 42 });
    assert_eq!(
        code(&format!("otpauth://hotp/alice?secret={S}")),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(&format!("otpauth://hotp/alice?secret={S}&counter=")),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(&format!(
            "otpauth://hotp/alice?secret={S}&counter=18446744073709551616"
        )),
        ErrorCode::InvalidParameter
    );
    let max = parse(&format!(
        "otpauth://hotp/alice?secret={S}&counter=18446744073709551615"
    ));
    assert_eq!(max.kind, OtpKind::Hotp { counter: u64::MAX });
}

#[test]
fn totp_ignores_counter() {
    let k = parse(&format!("otpauth://totp/alice?secret={S}&counter=x"));
    assert_eq!(
        k.kind,
        OtpKind::Totp {
            period: NonZeroU64::new(30).unwrap()
        }
    );
}

#[test]
fn type_and_scheme_are_case_insensitive() {
    let k = parse(&format!("OTPAUTH://TOTP/alice?secret={S}"));
    assert_eq!(
        k.kind,
        OtpKind::Totp {
            period: NonZeroU64::new(30).unwrap()
        }
    );
    let k = parse(&format!("otpauth://HoTp/alice?secret={S}&counter=0"));
    assert_eq!(k.kind, OtpKind::Hotp { counter: 0 });
}

#[test]
fn bad_parameters_are_invalid_parameter() {
    for query in [
        "algorithm=MD5",
        "algorithm=SHA-1",
        "digits=5",
        "digits=9",
        "digits=+6",
        "digits=",
        "digits=six",
        "period=0",
        "period=-30",
        "period=30s",
        "period=99999999999999999999",
        "issuer=A:B",
    ] {
        let uri = format!("otpauth://totp/alice?secret={S}&{query}");
        assert_eq!(code(&uri), ErrorCode::InvalidParameter, "{query}");
    }
    let k = parse(&format!(
        "otpauth://totp/alice?secret={S}&algorithm=sha512&digits=7&period=1"
    ));
    assert_eq!(
        (k.algorithm, k.digits, k.kind),
        (
            Algorithm::Sha512,
            Digits::SEVEN,
            OtpKind::Totp {
                period: NonZeroU64::new(1).unwrap()
            }
        )
    );
}

#[test]
fn secret_problems_are_invalid_secret() {
    assert_eq!(
        code("otpauth://totp/alice?issuer=A"),
        ErrorCode::InvalidSecret
    );
    assert_eq!(code("otpauth://totp/alice"), ErrorCode::InvalidSecret);
    assert_eq!(
        code("otpauth://totp/alice?secret="),
        ErrorCode::InvalidSecret
    );
    assert_eq!(
        code("otpauth://totp/alice?secret=JBSWY3DPEHPK3PX1"),
        ErrorCode::InvalidSecret
    );
    assert_eq!(
        code("otpauth://totp/alice?secret=MZXW6YTBOI"),
        ErrorCode::InvalidSecret
    );
}

#[test]
fn structure_problems_are_malformed() {
    for uri in [
        "http://totp/alice?secret=JBSWY3DPEHPK3PXP",
        "otpauth:totp/alice?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/%20%20?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/Example:?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/ali%zzce?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/alice%?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/ali%FFce?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=%C3",
        "",
    ] {
        assert_eq!(code(uri), ErrorCode::Malformed, "{uri}");
    }
}

#[test]
fn unknown_types_are_unsupported() {
    for kind in ["steam", "motp", "", "totp2"] {
        let uri = format!("otpauth://{kind}/alice?secret={S}");
        assert_eq!(code(&uri), ErrorCode::UnsupportedAccountType, "{kind}");
    }
}

#[test]
fn names_with_control_characters_are_refused() {
    assert_eq!(
        code(&format!("otpauth://totp/ali%00ce?secret={S}")),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(&format!("otpauth://totp/alice?secret={S}&issuer=A%0AB")),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        code(&format!("otpauth://totp/ali%C2%85ce?secret={S}")),
        ErrorCode::InvalidParameter
    );
}

#[test]
fn size_limits() {
    let long_name = "a".repeat(MAX_NAME_BYTES);
    let k = parse(&format!("otpauth://totp/{long_name}?secret={S}"));
    assert_eq!(k.name.len(), MAX_NAME_BYTES);
    let too_long = "a".repeat(MAX_NAME_BYTES + 1);
    assert_eq!(
        code(&format!("otpauth://totp/{too_long}?secret={S}")),
        ErrorCode::TooLarge
    );
    let padding = "x".repeat(MAX_URI_BYTES);
    assert_eq!(
        code(&format!("otpauth://totp/alice?secret={S}&pad={padding}")),
        ErrorCode::TooLarge
    );
}

#[test]
fn fragment_is_ignored() {
    let k = parse(&format!(
        "otpauth://totp/alice?secret={S}&digits=8#digits=6"
    ));
    assert_eq!(k.digits, Digits::EIGHT);
}

#[test]
fn emits_the_canonical_form() {
    let k = parse(
        "otpauth://totp/Big%20Bank:alice%2Bwork@example.com?secret=jbsw+y3dp+ehpk+3pxp&issuer=Big+Bank",
    );
    assert_eq!(
        k.to_uri().unwrap().as_str(),
        "otpauth://totp/Big%20Bank:alice%2Bwork%40example.com?secret=JBSWY3DPEHPK3PXP\
         &issuer=Big%20Bank&algorithm=SHA1&digits=6&period=30"
    );
    let hotp = parse(&format!("otpauth://hotp/a:b?secret={S}&counter=7&issuer=Z"));
    assert_eq!(
        hotp.to_uri().unwrap().as_str(),
        "otpauth://hotp/Z:a%3Ab?secret=JBSWY3DPEHPK3PXP&issuer=Z&algorithm=SHA1&digits=6&counter=7"
    );
    let colon_no_issuer = parse(&format!("otpauth://totp/:a:b?secret={S}"));
    assert_eq!(
        colon_no_issuer.to_uri().unwrap().as_str(),
        "otpauth://totp/:a%3Ab?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn emitting_refuses_names_it_could_not_parse_back() {
    let mut k = parse(&format!("otpauth://totp/alice?secret={S}"));
    k.issuer = Some("A:B".into());
    assert_eq!(k.to_uri().unwrap_err().code(), ErrorCode::InvalidParameter);
    k.issuer = None;
    k.name = " alice".into();
    assert_eq!(k.to_uri().unwrap_err().code(), ErrorCode::InvalidParameter);
    k.name = String::new();
    assert_eq!(k.to_uri().unwrap_err().code(), ErrorCode::InvalidParameter);
}

#[test]
fn debug_redacts_the_secret() {
    let k = parse(&format!("otpauth://totp/alice?secret={S}"));
    let debug = format!("{k:?}");
    assert!(debug.contains("Secret(<redacted>)"), "{debug}");
    assert!(!debug.contains(S), "{debug}");
}

fn name_strategy() -> impl Strategy<Value = String> {
    // Any printable text, spaces and colons included, trimmed of outer spaces.
    "[ :a-zA-Z0-9@.+%&=?/#\\-_~é漢😀\u{a0}]{1,30}"
        .prop_map(|s| s.trim_matches(' ').to_string())
        .prop_filter("non-empty after trimming", |s| !s.is_empty())
}

fn key_uri_strategy() -> impl Strategy<Value = KeyUri> {
    (
        prop_oneof![
            (1u64..=u64::MAX).prop_map(|p| OtpKind::Totp {
                period: NonZeroU64::new(p).unwrap()
            }),
            any::<u64>().prop_map(|counter| OtpKind::Hotp { counter }),
        ],
        proptest::option::of(name_strategy().prop_map(|s| s.replace(':', "-"))),
        name_strategy(),
        proptest::collection::vec(any::<u8>(), 10..=128),
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        6u64..=8,
    )
        .prop_map(|(kind, issuer, name, secret, algorithm, digits)| KeyUri {
            kind,
            issuer: issuer
                .map(|i| i.trim_matches(' ').to_string())
                .filter(|i| !i.is_empty()),
            name,
            secret: Secret::from_bytes(secret).unwrap(),
            algorithm,
            digits: Digits::new(digits).unwrap(),
        })
}

proptest! {
    #[test]
    fn emit_then_parse_gives_back_the_account(k in key_uri_strategy()) {
        let text = k.to_uri().unwrap();
        let back = KeyUri::parse(&text).unwrap();
        prop_assert_eq!(back, k);
    }

    #[test]
    fn parse_never_panics(text in "otpauth://(totp|hotp|x)/\\PC{0,60}") {
        let _ = KeyUri::parse(&text);
    }

    #[test]
    fn parse_emit_parse_is_stable(
        label in "[a-zA-Z0-9:%+ ]{0,20}",
        query in "(secret=JBSWY3DPEHPK3PXP|issuer=[A-Za-z+%0-9]{0,6}|digits=[0-9]|period=[0-9]{1,3}|counter=[0-9]{1,3}|algorithm=sha(1|256)|&){0,8}",
    ) {
        if let Ok(k) = KeyUri::parse(&format!("otpauth://totp/{label}?{query}")) {
            let again = KeyUri::parse(&k.to_uri().unwrap()).unwrap();
            prop_assert_eq!(again, k);
        }
    }
}

#[test]
fn lengths_are_checked_before_control_characters() {
    // REQ-URI-001 with REQ-URI-020 before REQ-URI-021: a long name beats a control
    // character in the issuer.
    let long = "a".repeat(MAX_NAME_BYTES + 1);
    assert_eq!(
        code(&format!("otpauth://totp/{long}?secret={S}&issuer=A%01")),
        ErrorCode::TooLarge
    );
}

#[test]
fn the_first_failing_check_decides() {
    // Type (REQ-URI-006) before parameters (REQ-URI-011).
    assert_eq!(
        code("otpauth://steam/a?secret=A&secret=B"),
        ErrorCode::UnsupportedAccountType
    );
    // Parameters before the label (REQ-URI-014).
    assert_eq!(
        code("otpauth://totp/%zz?digits=1&digits=2"),
        ErrorCode::Malformed
    );
    // Names (REQ-URI-021) before the secret (REQ-URI-022).
    assert_eq!(
        code("otpauth://totp/a%01?secret=1"),
        ErrorCode::InvalidParameter
    );
    // Secret before algorithm, digits and period (REQ-URI-022 to REQ-URI-025).
    assert_eq!(
        code("otpauth://totp/a?secret=1&algorithm=MD5&digits=9&period=0"),
        ErrorCode::InvalidSecret
    );
}
