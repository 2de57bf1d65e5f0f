//! The container profile of the differential fuzzer: a container sealed once with fixed keys,
//! then edited the ways `spec/container.md` speaks of (headers, recipients, lengths,
//! base64url, the JSON text), opened or inspected with keys that are themselves edited (kid,
//! private part, passphrase bytes); and writing requests (seal, add and remove a recipient)
//! drawn from valid and broken recipients. Writes are judged by what they wrote, not byte for
//! byte ([`agree_on_write`]).

use std::sync::OnceLock;

use arbitrary::{Result as AResult, Unstructured};
use authbackup::container::{self, Credential, Passphrase, RecoveryKey};
use authbackup::payload::Payload;
use data_encoding::BASE64URL_NOPAD;
use serde_json::{json, Value};

use crate::generate::container::ec_key;
use crate::generate::Rng;
use crate::implementation::{Answer, Implementation};
use crate::reference::Reference;

/// The passphrase of the base container's passphrase recipient.
const PASS: &str = "pw";

fn oct(kid: &str, fill: u8) -> Value {
    json!({ "kty": "oct", "kid": kid, "k": BASE64URL_NOPAD.encode(&[fill; 32]) })
}

fn ec_public() -> Value {
    let mut key = ec_key();
    if let Some(k) = key.as_object_mut() {
        k.remove("d");
    }
    key
}

/// The payload every drawn container holds, and every seal request writes.
fn payload_json() -> Value {
    json!({ "version": 1, "platform": "ios", "backup_id": "b", "generation": 3, "created": 7, "accounts": [
        { "id": "t", "type": "totp", "issuer": "I", "name": "n", "secret": "JBSWY3DPEHPK3PXP", "algorithm": "SHA1", "digits": 6, "period": 30 },
        { "id": "w", "type": "work_school", "name": "w" } ] })
}

fn credential(key: &Value) -> Credential {
    Credential::Key(RecoveryKey::from_jwk_json(key.to_string().as_bytes()).expect("a fixed key"))
}

/// The base container, sealed once: `k1`, `k2`, the EC key pair and the passphrase `pw`.
fn base() -> &'static Value {
    static BASE: OnceLock<Value> = OnceLock::new();
    BASE.get_or_init(|| {
        let payload = Payload::from_json(payload_json().to_string().as_bytes()).unwrap();
        let recipients = [
            credential(&oct("k1", 0x11)),
            credential(&oct("k2", 0x22)),
            credential(&ec_public()),
            Credential::Passphrase(Passphrase::new(PASS.as_bytes()).unwrap()),
        ];
        let mut rng = Rng::new(0xABF0_F022);
        let mut fill = |buf: &mut [u8]| rng.fill(buf);
        let bytes = container::seal_with_randomness(&payload, &recipients, &mut fill).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    })
}

/// Draws one container operation.
pub(super) fn container(u: &mut Unstructured) -> AResult<(String, Value)> {
    match u.int_in_range(0..=19)? {
        0..=7 => Ok((
            "container.open".into(),
            json!({ "container": edited(u)?, "key": opener(u)? }),
        )),
        8 => Ok((
            "container.open".into(),
            json!({ "container": edited(u)?, "passphrase": passphrase(u)? }),
        )),
        9..=13 => Ok((
            "container.inspect".into(),
            json!({ "container": edited(u)? }),
        )),
        14..=16 => seal(u),
        17 | 18 => {
            let (key, new_key) = (opener(u)?, recipient_key(u)?);
            Ok((
                "container.add_recipient".into(),
                json!({ "container": edited(u)?, "key": key, "new_key": new_key }),
            ))
        }
        _ => {
            let kid = *u.choose(&["k1", "k2", "K1", "passphrase", "zz", ""])?;
            Ok((
                "container.remove_recipient".into(),
                json!({ "container": edited(u)?, "kid": kid }),
            ))
        }
    }
}

/// The base container's text after up to three edits of its structure and up to two of its
/// text.
fn edited(u: &mut Unstructured) -> AResult<String> {
    let mut c = base().clone();
    for _ in 0..u.int_in_range(0..=3)? {
        edit(u, &mut c)?;
    }
    let mut text = c.to_string();
    for _ in 0..u.int_in_range(0..=2)? {
        let (from, to) = *u.choose(&TEXT_EDITS)?;
        text = text.replacen(from, to, 1);
    }
    Ok(text)
}

/// One edit of the container as JSON.
fn edit(u: &mut Unstructured, c: &mut Value) -> AResult<()> {
    let count = c["recipients"].as_array().map_or(0, Vec::len);
    let i = u.int_in_range(0..=count.saturating_sub(1))?;
    let choice = u.int_in_range(0..=8)?;
    if count == 0 && matches!(choice, 0..=4 | 8) {
        // Nothing left to edit a recipient of.
        return Ok(());
    }
    match choice {
        0 => {
            c["recipients"][i]["header"]["alg"] = (*u.choose(&[
                "A256KW",
                "ECDH-ES+A256KW",
                "PBES2-HS512+A256KW",
                "none",
                "dir",
                "a256kw",
            ])?)
            .into()
        }
        1 => {
            let kids = ["k1", "K1", "k2", "e", "passphrase", "", "k1\u{7}"];
            let kid = match u.int_in_range(0..=7)? {
                7 => "k".repeat(u.int_in_range(128..=129)?),
                n => kids[n].to_string(),
            };
            c["recipients"][i]["header"]["kid"] = kid.into();
        }
        2 => {
            let member = *u.choose(&["zip", "enc", "jku", "epk", "p2s", "p2c"])?;
            c["recipients"][i]["header"][member] = member_value(u)?;
        }
        3 => {
            let member = *u.choose(&["alg", "kid", "epk", "p2s", "p2c"])?;
            if let Some(h) = c["recipients"][i]["header"].as_object_mut() {
                h.remove(member);
            }
        }
        4 => {
            let n = *u.choose(&[0usize, 39, 40, 41, 48])?;
            c["recipients"][i]["encrypted_key"] = BASE64URL_NOPAD.encode(&vec![7u8; n]).into();
        }
        5 => {
            let field = *u.choose(&["iv", "tag", "ciphertext", "protected"])?;
            let text = c[field].as_str().unwrap_or_default().to_string();
            c[field] = match u.int_in_range(0..=3)? {
                0 => format!("{text}="),
                1 => format!(" {text}"),
                2 => text[..text.len().saturating_sub(2)].to_string(),
                _ => format!("{text}AAAA"),
            }
            .into();
        }
        6 => protected_edit(u, c)?,
        7 => {
            let member = *u.choose(&["aad", "unprotected", "header", "encrypted_key"])?;
            c[member] = json!({});
        }
        _ => {
            let list = c["recipients"].as_array_mut().expect("recipients");
            match u.int_in_range(0..=3)? {
                0 => list.clear(),
                1 => list.truncate(1),
                2 => {
                    let copy = list[i].clone();
                    list.push(copy);
                }
                _ => {
                    let one = list[0].clone();
                    while list.len() < 17 {
                        let mut r = one.clone();
                        r["header"]["kid"] = format!("x{}", list.len()).into();
                        list.push(r);
                    }
                }
            }
        }
    }
    Ok(())
}

/// A value for a recipient header member: right for one of them, wrong for the others.
fn member_value(u: &mut Unstructured) -> AResult<Value> {
    Ok(match u.int_in_range(0..=6)? {
        0 => "DEF".into(),
        1 => 210_000.into(),
        2 => 1000.into(),
        3 => (-1).into(),
        4 => BASE64URL_NOPAD.encode(&[1u8; 16]).into(),
        5 => json!({ "kty": "EC", "crv": "P-256", "x": ec_key()["x"], "y": ec_key()["y"] }),
        _ => "A256GCM".into(),
    })
}

/// An edit of the protected header's members, the header written again.
fn protected_edit(u: &mut Unstructured, c: &mut Value) -> AResult<()> {
    let text = c["protected"].as_str().unwrap_or_default();
    let Ok(bytes) = BASE64URL_NOPAD.decode(text.as_bytes()) else {
        return Ok(());
    };
    let Ok(mut h) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(());
    };
    let (member, value): (&str, Value) = u
        .choose(&[
            ("abf_version", json!(2)),
            ("abf_version", json!("1")),
            ("platform", json!("android")),
            ("platform", json!("windows")),
            ("generation", json!(0)),
            ("generation", json!(4)),
            ("backup_id", json!("")),
            ("backup_id", json!("c")),
            ("zip", json!("DEF")),
            ("enc", json!("A128GCM")),
            ("typ", json!("JWT")),
            ("kid", json!("k1")),
            ("created", Value::Null),
        ])?
        .clone();
    match value {
        Value::Null => {
            if let Some(h) = h.as_object_mut() {
                h.remove(member);
            }
        }
        v => h[member] = v,
    }
    c["protected"] = BASE64URL_NOPAD.encode(h.to_string().as_bytes()).into();
    Ok(())
}

/// Edits only the text can hold: escapes, a byte order mark, a repeated member, numbers
/// written other ways, lone surrogates and raw controls in a kid.
const TEXT_EDITS: [(&str, &str); 11] = [
    ("{", "\u{feff}{"),
    (r#""protected""#, r#""protect\u0065d""#),
    (r#""kid":"k1""#, r#""kid":"k\u0031""#),
    (r#""kid":"k1""#, r#""kid":"k1\ud800""#),
    (r#""kid":"k1""#, "\"kid\":\"k1\u{1}\""),
    (r#""iv":"#, r#""iv":"AAAAAAAAAAAAAAAA","iv":"#),
    (r#""p2c":210000"#, r#""p2c":210000.0"#),
    (r#""p2c":210000"#, r#""p2c":2.1e5"#),
    (r#""p2c":210000"#, r#""p2c":-1"#),
    (r#""p2c":210000"#, r#""p2c":2147483648"#),
    (r#""p2c":210000"#, r#""p2c":"210000""#),
];

/// The key a container is opened with (or the existing key of an added recipient): one of
/// its recipients' or another, possibly edited.
fn opener(u: &mut Unstructured) -> AResult<Value> {
    let mut key = match u.int_in_range(0..=3)? {
        0 | 1 => oct("k1", 0x11),
        2 => oct("k2", 0x22),
        _ => ec_key(),
    };
    if u.ratio(1, 3)? {
        key_edit(u, &mut key)?;
    }
    Ok(key)
}

/// One edit of a JWK: its kid, algorithm, use, key bytes or private part.
fn key_edit(u: &mut Unstructured, key: &mut Value) -> AResult<()> {
    let (member, value): (&str, Value) = u
        .choose(&[
            ("kid", json!("")),
            ("kid", json!("K1")),
            ("kid", Value::Null),
            ("kid", json!("k1\u{7}")),
            ("alg", json!("A128KW")),
            ("use", json!("sig")),
            ("k", json!("AAAA")),
            ("d", json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE")),
            ("d", json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
            ("kty", json!("RSA")),
        ])?
        .clone();
    key[member] = value;
    Ok(())
}

/// A passphrase to open with: the right one, or one that differs by what a reader might trim.
fn passphrase(u: &mut Unstructured) -> AResult<&'static str> {
    u.choose(&[PASS, "pw\n", " pw", "", "PW"]).copied()
}

/// The key of a recipient to write: valid, repeated or broken.
fn recipient_key(u: &mut Unstructured) -> AResult<Value> {
    let mut key = match u.int_in_range(0..=4)? {
        0 => oct("k3", 0x33),
        1 => oct("k1", 0x44),
        2 => ec_public(),
        3 => json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB" }),
        _ => oct("passphrase", 0x55),
    };
    if u.ratio(1, 4)? {
        key_edit(u, &mut key)?;
    }
    Ok(key)
}

/// A seal request: the payload, perhaps broken, and zero to seventeen recipients.
fn seal(u: &mut Unstructured) -> AResult<(String, Value)> {
    let mut payload = payload_json();
    if u.ratio(1, 6)? {
        payload["accounts"][1]["secret"] = "JBSWY3DPEHPK3PXP".into();
    }
    let count = match u.int_in_range(0..=9)? {
        0 => 0,
        1 => 17,
        n => n.min(4),
    };
    let mut recipients = Vec::with_capacity(count);
    for _ in 0..count {
        recipients.push(if u.ratio(1, 5)? {
            let p2c = *u.choose(&[210_000i64, 1000, -1, 1_000_001])?;
            json!({ "passphrase": *u.choose(&[PASS, ""])?, "p2c": p2c })
        } else {
            json!({ "key": recipient_key(u)? })
        });
    }
    Ok((
        "container.seal".into(),
        json!({ "payload": payload, "recipients": recipients }),
    ))
}

/// Whether two successful writes agree: they wrote the same recipients (algorithm, kid,
/// p2c) over the same header, and the implementation's container opens, with each key and
/// passphrase of the request that can open, to the payload the reference's opens to.
pub(super) fn agree_on_write(
    operation: &str,
    input: &Value,
    expected: &Value,
    got: &Value,
) -> bool {
    let text = |v: &Value| v["container"].as_str().unwrap_or_default().to_string();
    let (ours, theirs) = (text(expected), text(got));
    let inspected = |c: &str| Reference.call("container.inspect", &json!({ "container": c }));
    if inspected(&ours) != inspected(&theirs) {
        return false;
    }
    let mut openers: Vec<Value> = Vec::new();
    match operation {
        "container.seal" => {
            for r in input["recipients"].as_array().into_iter().flatten() {
                openers.push(match r.get("passphrase") {
                    Some(p) => json!({ "passphrase": p }),
                    None => json!({ "key": r["key"] }),
                });
            }
        }
        "container.add_recipient" => {
            openers.push(json!({ "key": input["key"] }));
            openers.push(json!({ "key": input["new_key"] }));
        }
        _ => {}
    }
    openers.iter().all(|o| {
        let open = |c: &str| {
            let mut request = o.clone();
            request["container"] = c.into();
            Reference.call("container.open", &request)
        };
        let (a, b) = (open(&ours), open(&theirs));
        // A key without its private part seals but never opens, in either container.
        a == b && (matches!(a, Answer::Ok(_)) || o["key"]["kty"] == "EC")
    })
}
