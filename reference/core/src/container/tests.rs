use super::limits::{P2C_MAX, P2C_MIN};
use super::*;
use crate::account::{AccountType, BackupAccount, CodeParams, OtpKey};
use crate::platform::Platform;
use crate::secret::Secret;
use proptest::prelude::*;
use serde_json::json;

pub(crate) fn payload(n: usize, platform: Platform) -> Payload {
    let accounts = (0..n)
        .map(|i| {
            let account_type = AccountType::ALL[i % 4];
            let (id, name) = (format!("acct-{i}"), format!("user{i}@example.com"));
            let account = if account_type.bears_codes() {
                let key = OtpKey {
                    secret: Secret::from_bytes(vec![i as u8; 20]).unwrap(),
                    params: CodeParams::default(),
                };
                BackupAccount::with_codes(id, account_type, Some(format!("Issuer {i}")), name, key)
            } else {
                BackupAccount::placeholder(id, account_type, name)
            };
            account.unwrap()
        })
        .collect();
    Payload::new(
        BackupMeta::new(
            platform,
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            7,
            1_700_000_000,
        )
        .unwrap(),
        accounts,
    )
    .unwrap()
}

fn key() -> Credential {
    Credential::Key(RecoveryKey::generate_symmetric())
}

fn passphrase() -> Credential {
    Credential::Passphrase(Passphrase::new(b"correct horse battery staple\n").unwrap())
}

fn code_of(result: Result<Opened>) -> ErrorCode {
    match result {
        Ok(_) => panic!("opened"),
        Err(e) => e.code(),
    }
}

/// Applies `edit` to the container's JSON.
fn edited(container: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(container).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Applies `edit` to the decoded protected header and encodes it again.
fn with_protected(
    container: &[u8],
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Vec<u8> {
    edited(container, |v| {
        let b64 = v["protected"].as_str().unwrap();
        let mut h: serde_json::Map<String, Value> =
            serde_json::from_slice(&BASE64URL_NOPAD.decode(b64.as_bytes()).unwrap()).unwrap();
        edit(&mut h);
        v["protected"] = BASE64URL_NOPAD
            .encode(&serde_json::to_vec(&h).unwrap())
            .into();
    })
}

#[test]
fn seal_then_open_with_each_kind_of_key() {
    let ec = Credential::Key(RecoveryKey::generate_ec().unwrap());
    for credential in [key(), passphrase(), ec] {
        let p = payload(8, Platform::Android);
        let sealed = seal(&p, std::slice::from_ref(&credential)).unwrap();
        let opened = open(&sealed, &credential).unwrap();
        assert_eq!(opened.payload, p);
        assert_eq!(opened.info.recipients[0].alg, credential.algorithm());
    }
}

#[test]
fn every_recipient_opens_the_same_container() {
    let (a, b) = (key(), Credential::Key(RecoveryKey::generate_ec().unwrap()));
    let pass = passphrase();
    let p = payload(10, Platform::Ios);
    let sealed = seal(&p, &[a.clone(), b.clone(), pass.clone()]).unwrap();
    for c in [&a, &b, &pass] {
        assert_eq!(open(&sealed, c).unwrap().payload, p);
    }
    assert_eq!(code_of(open(&sealed, &key())), ErrorCode::DecryptionFailed);
    let wrong_pass = Credential::Passphrase(Passphrase::new(b"Tr0ub4dor&3").unwrap());
    assert_eq!(
        code_of(open(&sealed, &wrong_pass)),
        ErrorCode::DecryptionFailed
    );
}

#[test]
fn a_public_ec_key_seals_but_cannot_open() {
    let pair = RecoveryKey::generate_ec().unwrap();
    let public = RecoveryKey::from_jwk_json(pair.public_jwk_json().unwrap().as_bytes()).unwrap();
    assert_eq!(public.kid(), pair.kid());
    let sealed = seal(
        &payload(2, Platform::Ios),
        &[Credential::Key(public.clone())],
    )
    .unwrap();
    assert_eq!(
        code_of(open(&sealed, &Credential::Key(public))),
        ErrorCode::InvalidParameter
    );
    assert!(open(&sealed, &Credential::Key(pair)).is_ok());
}

#[test]
fn recipients_are_added_and_removed_without_touching_the_ciphertext() {
    let (old, new) = (key(), key());
    let p = payload(5, Platform::Ios);
    let sealed = seal(&p, std::slice::from_ref(&old)).unwrap();
    let two = add_recipient(&sealed, &old, &new).unwrap();
    let one = remove_recipient(&two, old.kid()).unwrap();
    let parts = |c: &[u8]| {
        let v: Value = serde_json::from_slice(c).unwrap();
        ["protected", "iv", "ciphertext", "tag"].map(|k| v[k].clone())
    };
    assert_eq!(parts(&sealed), parts(&two));
    assert_eq!(parts(&sealed), parts(&one));
    assert_eq!(open(&two, &old).unwrap().payload, p);
    assert_eq!(open(&one, &new).unwrap().payload, p);
    assert_eq!(code_of(open(&one, &old)), ErrorCode::DecryptionFailed);
    // The last recipient stays; unknown kids and duplicates are refused.
    assert_eq!(
        remove_recipient(&one, new.kid()).unwrap_err().code(),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        remove_recipient(&two, "nobody").unwrap_err().code(),
        ErrorCode::InvalidParameter
    );
    assert_eq!(
        add_recipient(&two, &old, &new).unwrap_err().code(),
        ErrorCode::InvalidParameter
    );
    // Only someone who can open the container can add a recipient.
    assert_eq!(
        add_recipient(&one, &old, &key()).unwrap_err().code(),
        ErrorCode::DecryptionFailed
    );
}

#[test]
fn adding_a_recipient_refuses_a_tampered_container() {
    let old = key();
    let sealed = seal(&payload(3, Platform::Ios), std::slice::from_ref(&old)).unwrap();
    let tampered = edited(&sealed, |v| {
        let mut ct = BASE64URL_NOPAD
            .decode(v["ciphertext"].as_str().unwrap().as_bytes())
            .unwrap();
        ct[0] ^= 1;
        v["ciphertext"] = BASE64URL_NOPAD.encode(&ct).into();
    });
    assert_eq!(
        add_recipient(&tampered, &old, &key()).unwrap_err().code(),
        ErrorCode::DecryptionFailed
    );
}

#[test]
fn inspect_needs_no_key() {
    let sealed = seal(&payload(3, Platform::Android), &[key(), passphrase()]).unwrap();
    let info = inspect(&sealed).unwrap();
    assert_eq!(&info.meta, payload(3, Platform::Android).meta());
    assert_eq!(info.recipients.len(), 2);
    assert_eq!(info.recipients[1].p2c, Some(P2C_MIN));
    assert_eq!(info.recipients[1].kid, PASSPHRASE_KID);
}

#[test]
fn algorithms_off_the_allow_list_are_refused() {
    let k = key();
    let sealed = seal(&payload(2, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    for alg in [
        "none",
        "dir",
        "RSA1_5",
        "RSA-OAEP",
        "A128KW",
        "A256GCMKW",
        "ECDH-ES",
        "PBES2-HS256+A128KW",
        "a256kw",
    ] {
        let c = edited(&sealed, |v| {
            v["recipients"][0]["header"]["alg"] = alg.into()
        });
        assert_eq!(
            code_of(open(&c, &k)),
            ErrorCode::AlgorithmNotAllowed,
            "{alg}"
        );
    }
    for enc in ["A128GCM", "A256CBC-HS512", "none"] {
        let c = with_protected(&sealed, |h| {
            h.insert("enc".into(), enc.into());
        });
        assert_eq!(
            code_of(open(&c, &k)),
            ErrorCode::AlgorithmNotAllowed,
            "{enc}"
        );
    }
    let zipped = with_protected(&sealed, |h| {
        h.insert("zip".into(), "DEF".into());
    });
    assert_eq!(code_of(open(&zipped, &k)), ErrorCode::AlgorithmNotAllowed);
    let zipped = edited(&sealed, |v| {
        v["recipients"][0]["header"]["zip"] = "DEF".into()
    });
    assert_eq!(code_of(open(&zipped, &k)), ErrorCode::AlgorithmNotAllowed);
}

#[test]
fn kdf_cost_is_bounded_before_any_derivation() {
    let pass = passphrase();
    let sealed = seal(&payload(2, Platform::Ios), std::slice::from_ref(&pass)).unwrap();
    // 2^31 iterations would take minutes to derive: it must be refused before deriving.
    for p2c in [
        json!(1000),
        json!(209_999),
        json!(1_000_001),
        json!(1u64 << 31),
        json!(-1),
    ] {
        let c = edited(&sealed, |v| {
            v["recipients"][0]["header"]["p2c"] = p2c.clone()
        });
        assert_eq!(
            code_of(open(&c, &pass)),
            ErrorCode::KdfParamsOutOfRange,
            "{p2c}"
        );
    }
    for p2c in [json!("310000"), json!(310000.5), Value::Null] {
        let c = edited(&sealed, |v| {
            v["recipients"][0]["header"]["p2c"] = p2c.clone()
        });
        assert_eq!(code_of(open(&c, &pass)), ErrorCode::Malformed, "{p2c}");
    }
    let short_salt = edited(&sealed, |v| {
        v["recipients"][0]["header"]["p2s"] = "AAAAAAAAAAA".into()
    });
    assert_eq!(
        code_of(open(&short_salt, &pass)),
        ErrorCode::KdfParamsOutOfRange
    );
    // A passphrase cannot even hold an out-of-range count to seal with.
    for p2c in [
        0,
        1000,
        u64::from(P2C_MIN) - 1,
        u64::from(P2C_MAX) + 1,
        1 << 32,
    ] {
        let weak = Passphrase::new(b"pw").unwrap().with_iterations(p2c);
        assert_eq!(
            weak.unwrap_err().code(),
            ErrorCode::KdfParamsOutOfRange,
            "{p2c}"
        );
    }
    for p2c in [P2C_MIN, P2C_MAX] {
        let fine = Passphrase::new(b"pw").unwrap().with_iterations(p2c.into());
        assert_eq!(fine.unwrap().iterations(), p2c);
    }
}

#[test]
fn short_or_odd_encrypted_keys_are_malformed_not_a_panic() {
    let k = key();
    let sealed = seal(&payload(2, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    for ek in [
        "",
        "AA",
        "AAAAAAAAAA",
        "AAAAAAAAAAA",
        &"A".repeat(52),
        &"A".repeat(56),
    ] {
        let c = edited(&sealed, |v| v["recipients"][0]["encrypted_key"] = ek.into());
        assert_eq!(code_of(open(&c, &k)), ErrorCode::Malformed, "{ek:?}");
    }
}

#[test]
fn an_edited_platform_does_not_open() {
    let k = key();
    let sealed = seal(&payload(4, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    let moved = with_protected(&sealed, |h| {
        h.insert("platform".into(), "android".into());
    });
    assert_eq!(inspect(&moved).unwrap().meta.platform(), Platform::Android);
    assert_eq!(code_of(open(&moved, &k)), ErrorCode::DecryptionFailed);
    let regenerated = with_protected(&sealed, |h| {
        h.insert("generation".into(), 8.into());
    });
    assert_eq!(code_of(open(&regenerated, &k)), ErrorCode::DecryptionFailed);
}

#[test]
fn a_payload_that_disagrees_with_its_header_is_malformed() {
    // Seal an android payload under an ios header, as a buggy or hostile writer could.
    let k = key();
    let ios = payload(2, Platform::Ios);
    let android_json = payload(2, Platform::Android).to_json();
    let protected = OutProtected {
        typ: TYP,
        cty: CTY,
        enc: ENC,
        abf_version: 1,
        platform: "ios",
        backup_id: ios.meta().backup_id(),
        generation: ios.meta().generation(),
        created: ios.meta().created(),
    };
    let protected_b64 = BASE64URL_NOPAD.encode(&serde_json::to_vec(&protected).unwrap());
    let cek = [9u8; 32];
    let iv = [3u8; 12];
    let recipient = wrap_for(&cek, &k, &mut |b: &mut [u8]| b.fill(1)).unwrap();
    let (ct, tag) = josekit::jwe::enc::A256GCM
        .encrypt(&cek, Some(&iv), &android_json, protected_b64.as_bytes())
        .unwrap();
    let c = write_container(
        &protected_b64,
        vec![recipient],
        &BASE64URL_NOPAD.encode(&iv),
        &BASE64URL_NOPAD.encode(&ct),
        &BASE64URL_NOPAD.encode(&tag.unwrap()),
    )
    .unwrap();
    assert_eq!(code_of(open(&c, &k)), ErrorCode::Malformed);
}

#[test]
fn truncated_and_reshaped_containers_are_malformed() {
    let k = key();
    let sealed = seal(&payload(3, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    for len in [0, 1, sealed.len() / 2, sealed.len() - 1] {
        assert_eq!(
            code_of(open(&sealed[..len], &k)),
            ErrorCode::Malformed,
            "{len}"
        );
    }
    let reshaped: Vec<Vec<u8>> = vec![
        edited(&sealed, |v| v["aad"] = "eA".into()),
        edited(&sealed, |v| v["unprotected"] = json!({})),
        edited(&sealed, |v| v["recipients"] = json!([])),
        edited(&sealed, |v| {
            v["recipients"][0]["header"]["jku"] = "https://example.com".into()
        }),
        edited(&sealed, |v| v["recipients"][0]["header"]["kid"] = 5.into()),
        edited(&sealed, |v| {
            let r = v["recipients"][0].clone();
            v["recipients"].as_array_mut().unwrap().push(r);
        }),
        edited(&sealed, |v| v["iv"] = "AAAA".into()),
        edited(&sealed, |v| v["tag"] = "AAAA".into()),
        edited(&sealed, |v| v["ciphertext"] = "A".into()),
        edited(&sealed, |v| v["protected"] = "e30=".into()),
        with_protected(&sealed, |h| {
            h.insert("kid".into(), "x".into());
        }),
        with_protected(&sealed, |h| {
            h.insert("crit".into(), json!(["exp"]));
        }),
        with_protected(&sealed, |h| {
            h.insert("typ".into(), "JWE".into());
        }),
        with_protected(&sealed, |h| {
            h.remove("created");
        }),
    ];
    for (i, c) in reshaped.iter().enumerate() {
        assert_eq!(code_of(open(c, &k)), ErrorCode::Malformed, "case {i}");
    }
    let flattened = edited(&sealed, |v| {
        let r = v["recipients"][0].clone();
        v.as_object_mut().unwrap().remove("recipients");
        v["header"] = r["header"].clone();
        v["encrypted_key"] = r["encrypted_key"].clone();
    });
    assert_eq!(code_of(open(&flattened, &k)), ErrorCode::Malformed);
}

#[test]
fn base64url_members_are_strings_read_as_json_reads_them() {
    let k = key();
    let sealed = seal(&payload(1, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    let v: Value = serde_json::from_slice(&sealed).unwrap();
    // The bytes of the IV as a JSON array, which a byte-oriented reader could take.
    let iv = BASE64URL_NOPAD
        .decode(v["iv"].as_str().unwrap().as_bytes())
        .unwrap();
    let as_array = edited(&sealed, |v| v["iv"] = json!(iv));
    assert_eq!(code_of(open(&as_array, &k)), ErrorCode::Malformed);
    let tag = v["tag"].as_str().unwrap();
    // A byte that is not UTF-8 inside a base64url text.
    let at = sealed
        .windows(tag.len())
        .position(|w| w == tag.as_bytes())
        .unwrap();
    let mut broken = sealed.clone();
    broken[at] = 0xff;
    assert_eq!(code_of(open(&broken, &k)), ErrorCode::Malformed);
    // An escaped character is the character: the same container.
    let text = String::from_utf8(sealed.clone()).unwrap();
    let first = tag.chars().next().unwrap();
    let escaped = text.replacen(
        &format!("\"tag\":\"{first}"),
        &format!("\"tag\":\"\\u{:04x}", first as u32),
        1,
    );
    assert_ne!(escaped, text);
    assert!(open(escaped.as_bytes(), &k).is_ok());
}

#[test]
fn duplicate_header_members_are_malformed() {
    let k = key();
    let sealed = seal(&payload(1, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    let text = String::from_utf8(sealed.clone()).unwrap();
    let dup = text.replacen(
        "\"alg\":\"A256KW\"",
        "\"alg\":\"A256KW\",\"alg\":\"A256KW\"",
        1,
    );
    assert_ne!(dup, text);
    assert_eq!(code_of(open(dup.as_bytes(), &k)), ErrorCode::Malformed);
}

#[test]
fn versions_and_limits() {
    let k = key();
    let sealed = seal(&payload(1, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    let v2 = with_protected(&sealed, |h| {
        h.insert("abf_version".into(), 2.into());
        h.insert("something_new".into(), true.into());
    });
    assert_eq!(code_of(open(&v2, &k)), ErrorCode::UnsupportedVersion);
    let huge = vec![b' '; limits::MAX_CONTAINER_BYTES + 1];
    assert_eq!(code_of(open(&huge, &k)), ErrorCode::TooLarge);
    let long_header = with_protected(&sealed, |h| {
        h.insert("backup_id".into(), "x".repeat(5000).into());
    });
    assert_eq!(code_of(open(&long_header, &k)), ErrorCode::TooLarge);
    let crowded = edited(&sealed, |v| {
        let r = v["recipients"][0].clone();
        let list: Vec<Value> = (0..17)
            .map(|i| {
                let mut r = r.clone();
                r["header"]["kid"] = format!("k{i}").into();
                r
            })
            .collect();
        v["recipients"] = list.into();
    });
    assert_eq!(code_of(open(&crowded, &k)), ErrorCode::TooLarge);
    let keys: Vec<Credential> = (0..17).map(|_| key()).collect();
    assert_eq!(
        seal(&payload(1, Platform::Ios), &keys).unwrap_err().code(),
        ErrorCode::TooLarge
    );
}

/// Flips each byte of a sealed container (every bit of it, then one bit) and opens the
/// result: never a success, never a panic. Inside the base64url fields that carry the
/// key and the ciphertext the answer must be `decryption_failed` or `malformed`; elsewhere
/// a flipped header value may also be refused for what it became (an algorithm off the
/// allow-list, an unknown platform, another version).
#[test]
fn byte_flip_sweep_never_opens() {
    let k = key();
    let sealed = seal(&payload(10, Platform::Ios), std::slice::from_ref(&k)).unwrap();
    let text = String::from_utf8(sealed.clone()).unwrap();
    let span = |field: &str| {
        let start = text.find(&format!("\"{field}\":\"")).unwrap() + field.len() + 4;
        start..start + text[start..].find('"').unwrap()
    };
    let crypto_spans = [
        span("encrypted_key"),
        span("iv"),
        span("ciphertext"),
        span("tag"),
    ];
    let mut seen = std::collections::BTreeMap::new();
    for i in 0..sealed.len() {
        for mask in [0xff, 0x01] {
            let mut c = sealed.clone();
            c[i] ^= mask;
            let code = code_of(open(&c, &k));
            *seen.entry(code.as_str()).or_insert(0) += 1;
            if crypto_spans.iter().any(|s| s.contains(&i)) {
                assert!(
                    matches!(code, ErrorCode::DecryptionFailed | ErrorCode::Malformed),
                    "byte {i} mask {mask:#x}: {code}"
                );
            } else {
                assert!(
                    matches!(
                        code,
                        ErrorCode::DecryptionFailed
                            | ErrorCode::Malformed
                            | ErrorCode::AlgorithmNotAllowed
                            | ErrorCode::InvalidParameter
                            | ErrorCode::UnsupportedVersion
                    ),
                    "byte {i} mask {mask:#x}: {code}"
                );
            }
        }
    }
    assert!(seen.contains_key("decryption_failed"), "{seen:?}");
}

fn arb_payload() -> impl Strategy<Value = Payload> {
    (
        prop_oneof![Just(Platform::Ios), Just(Platform::Android)],
        1u64..=u64::MAX,
        any::<u64>(),
        proptest::collection::vec(
            (
                0usize..4,
                "[a-zA-Z0-9@. ]{0,20}[a-z]",
                proptest::option::of("[A-Z][a-z ]{0,10}[a-z]"),
                proptest::collection::vec(any::<u8>(), 10..=64),
                1u64..=600,
            ),
            0..12,
        ),
    )
        .prop_map(|(platform, generation, created, raw)| {
            Payload::new(
                BackupMeta::new(platform, "backup", generation, created).unwrap(),
                raw.into_iter()
                    .enumerate()
                    .map(|(i, (t, name, issuer, secret, period))| {
                        let account_type = AccountType::ALL[t];
                        let (id, name) = (format!("id-{i}"), name.trim_matches(' ').to_string());
                        let account = if account_type.bears_codes() {
                            let key = OtpKey {
                                secret: Secret::from_bytes(secret).unwrap(),
                                params: CodeParams {
                                    period: std::num::NonZeroU64::new(period).unwrap(),
                                    ..CodeParams::default()
                                },
                            };
                            BackupAccount::with_codes(id, account_type, issuer, name, key)
                        } else {
                            BackupAccount::placeholder(id, account_type, name)
                        };
                        account.unwrap()
                    })
                    .collect(),
            )
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn seal_then_open_round_trips(p in arb_payload()) {
        let k = key();
        let sealed = seal(&p, std::slice::from_ref(&k)).unwrap();
        prop_assert_eq!(open(&sealed, &k).unwrap().payload, p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = inspect(&bytes);
        let _ = open(&bytes, &key());
    }
}

/// The message a user sees for each refused container, pinned so a change is reviewed.
#[test]
fn refusal_messages() {
    let k = key();
    let pass = passphrase();
    let sealed = seal(&payload(2, Platform::Ios), &[k.clone(), pass.clone()]).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "alg none",
            edited(&sealed, |v| {
                v["recipients"][0]["header"]["alg"] = "none".into()
            }),
        ),
        (
            "alg dir",
            edited(&sealed, |v| {
                v["recipients"][0]["header"]["alg"] = "dir".into()
            }),
        ),
        (
            "alg RSA1_5",
            edited(&sealed, |v| {
                v["recipients"][0]["header"]["alg"] = "RSA1_5".into()
            }),
        ),
        (
            "zip in protected header",
            with_protected(&sealed, |h| {
                h.insert("zip".into(), "DEF".into());
            }),
        ),
        (
            "enc A128GCM",
            with_protected(&sealed, |h| {
                h.insert("enc".into(), "A128GCM".into());
            }),
        ),
        (
            "p2c 1000",
            edited(&sealed, |v| {
                v["recipients"][1]["header"]["p2c"] = 1000.into()
            }),
        ),
        (
            "p2c 2^31",
            edited(&sealed, |v| {
                v["recipients"][1]["header"]["p2c"] = (1u64 << 31).into()
            }),
        ),
        (
            "encrypted key of 6 bytes",
            edited(&sealed, |v| {
                v["recipients"][0]["encrypted_key"] = "AAAAAAAA".into()
            }),
        ),
        (
            "platform edited",
            with_protected(&sealed, |h| {
                h.insert("platform".into(), "android".into());
            }),
        ),
        (
            "version 2",
            with_protected(&sealed, |h| {
                h.insert("abf_version".into(), 2.into());
            }),
        ),
        ("truncated", sealed[..sealed.len() - 10].to_vec()),
        (
            "unknown recipient member",
            edited(&sealed, |v| {
                v["recipients"][0]["header"]["x5u"] = "https://example.com".into()
            }),
        ),
        (
            "kid in protected header",
            with_protected(&sealed, |h| {
                h.insert("kid".into(), "k".into());
            }),
        ),
    ];
    let mut report = String::new();
    for (what, c) in cases {
        let e = open(&c, &k).unwrap_err();
        report.push_str(&format!("{what}: {e}\n"));
    }
    report.push_str(&format!(
        "wrong key: {}\n",
        open(&sealed, &key()).unwrap_err()
    ));
    insta::assert_snapshot!(report);
}

#[test]
fn a_passphrase_is_its_bytes_exactly() {
    // REQ-CONTAINER-062: nothing trimmed, so another implementation derives the same key.
    let with_line = Credential::Passphrase(Passphrase::new(b"pw\n").unwrap());
    let sealed = seal(&payload(1, Platform::Ios), std::slice::from_ref(&with_line)).unwrap();
    assert!(open(&sealed, &with_line).is_ok());
    for other in [&b"pw"[..], b"pw\r\n", b"pw\n\n", b" pw\n"] {
        let other = Credential::Passphrase(Passphrase::new(other).unwrap());
        assert_eq!(code_of(open(&sealed, &other)), ErrorCode::DecryptionFailed);
    }
    assert_eq!(
        Passphrase::new(b"").unwrap_err().code(),
        ErrorCode::InvalidParameter
    );
}
