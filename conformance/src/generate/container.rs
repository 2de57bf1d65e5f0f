//! Container vectors: sealed with fixed keys and a fixed seed so any implementation can open
//! them, then every attack of `spec/container.md` applied once. Expected payloads are the
//! payload that was sealed; expected codes are written out by hand.

use authbackup::account::{AccountType, BackupAccount, CodeParams, OtpKey};
use authbackup::container::{self, Credential, Passphrase, RecoveryKey};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::Secret;
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use josekit::jwe::{JweContentEncryption, JweEncrypter, JweHeader};
use serde_json::{json, Value};

use super::{Builder, Refused, Rng};
use crate::model::VectorFile;

fn oct(kid: &str, key: &[u8]) -> Value {
    json!({ "kty": "oct", "kid": kid, "use": "enc", "alg": "A256KW", "k": BASE64URL_NOPAD.encode(key) })
}

fn the_payload(platform: Platform) -> Payload {
    let code = |id: &str, t: AccountType, issuer: Option<&str>, name: &str, secret: &[u8]| {
        let key = OtpKey {
            secret: Secret::from_bytes(secret.to_vec()).unwrap(),
            params: CodeParams::default(),
        };
        BackupAccount::with_codes(id, t, issuer.map(Into::into), name, key).unwrap()
    };
    let placeholder =
        |id: &str, t: AccountType, name: &str| BackupAccount::placeholder(id, t, name).unwrap();
    Payload::new(
        BackupMeta::new(
            platform,
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            7,
            1_700_000_000,
        )
        .unwrap(),
        vec![
            code(
                "gh",
                AccountType::Totp,
                Some("GitHub"),
                "alice@example.com",
                b"12345678901234567890",
            ),
            code(
                "ms",
                AccountType::MsaTotp,
                Some("Microsoft"),
                "alice@outlook.com",
                &[7; 10],
            ),
            placeholder(
                "pw",
                AccountType::MsaPasswordless,
                "alice.personal@outlook.com",
            ),
            placeholder("work", AccountType::WorkSchool, "alice@contoso.com"),
        ],
    )
    .unwrap()
}

/// The normalised payload the protocol compares (see `spec/adapter-protocol.md`).
fn normal(p: &Payload) -> Value {
    json!({
        "platform": p.meta().platform().as_str(), "backup_id": p.meta().backup_id(), "generation": p.meta().generation(), "created": p.meta().created(),
        "accounts": p.accounts().iter().map(|a| json!({
            "id": a.id(), "type": a.account_type().as_str(), "issuer": a.issuer(), "name": a.name(),
            "secret": a.key().map(|k| HEXLOWER.encode(k.secret.expose_bytes())),
            "algorithm": a.key().map(|k| k.params.algorithm.name()),
            "digits": a.key().map(|k| k.params.digits.get()),
            "period": a.key().map(|k| k.params.period.get()),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn edit(container: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(container).unwrap();
    f(&mut v);
    v.to_string()
}

fn protected(container: &str, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    edit(container, |v| {
        let mut h: serde_json::Map<String, Value> = serde_json::from_slice(
            &BASE64URL_NOPAD
                .decode(v["protected"].as_str().unwrap().as_bytes())
                .unwrap(),
        )
        .unwrap();
        f(&mut h);
        v["protected"] = BASE64URL_NOPAD
            .encode(Value::Object(h).to_string().as_bytes())
            .into();
    })
}

pub(crate) fn flip_b64(v: &mut Value, field: &str) {
    let mut bytes = BASE64URL_NOPAD
        .decode(v[field].as_str().unwrap().as_bytes())
        .unwrap();
    bytes[0] ^= 1;
    v[field] = BASE64URL_NOPAD.encode(&bytes).into();
}

/// A container whose ciphertext holds `plaintext` under an ios header, sealed by hand with
/// josekit, as a buggy or hostile writer could.
fn hand_sealed(rng: &mut Rng, key: &[u8], kid: &str, plaintext: &[u8]) -> String {
    let generation = the_payload(Platform::Ios).meta().generation();
    sealed_by_hand(rng, key, kid, generation, plaintext)
}

/// A well-formed container of generation `generation` of the usual ios payload, sealed with
/// `key` (kid `recovery-1`) and the randomness of `rng`.
pub(crate) fn generation_sealed(rng: &mut Rng, key: &[u8], generation: u64) -> String {
    // Edited as text: the store's cases need generation 0 too, which no payload may hold.
    let usual = the_payload(Platform::Ios);
    let text = String::from_utf8(usual.to_json().to_vec()).expect("UTF-8");
    let from = format!("\"generation\":{}", usual.meta().generation());
    assert_eq!(text.matches(&from).count(), 1, "one generation member");
    let edited = text.replace(&from, &format!("\"generation\":{generation}"));
    sealed_by_hand(rng, key, "recovery-1", generation, edited.as_bytes())
}

fn sealed_by_hand(
    rng: &mut Rng,
    key: &[u8],
    kid: &str,
    generation: u64,
    plaintext: &[u8],
) -> String {
    let p = the_payload(Platform::Ios);
    let header = json!({ "typ": "abf+jwe", "cty": "abf-payload+json", "enc": "A256GCM", "abf_version": 1, "platform": "ios",
        "backup_id": p.meta().backup_id(), "generation": generation, "created": p.meta().created() });
    sealed_with_header(rng, key, kid, &header.to_string(), plaintext)
}

/// A container whose protected header is `header`, text as given (so it can hold what a JSON
/// writer would not write: repeated members, `7.0`, white space), sealed by hand.
fn sealed_with_header(
    rng: &mut Rng,
    key: &[u8],
    kid: &str,
    header: &str,
    plaintext: &[u8],
) -> String {
    sealed_for(rng, &[(kid, key)], header, plaintext)
}

/// A container with protected header text `header`, sealed by hand for each `(kid, 32-byte
/// key)` with A256KW, the content key and IV drawn from `rng`.
pub(crate) fn sealed_for(
    rng: &mut Rng,
    keys: &[(&str, &[u8])],
    header: &str,
    plaintext: &[u8],
) -> String {
    let protected = BASE64URL_NOPAD.encode(header.as_bytes());
    let (mut cek, mut iv) = ([0u8; 32], [0u8; 12]);
    rng.fill(&mut cek);
    rng.fill(&mut iv);
    let recipients: Vec<Value> = keys
        .iter()
        .map(|(kid, key)| {
            let wrapper = josekit::jwe::A256KW.encrypter_from_bytes(key).unwrap();
            let ek = wrapper
                .encrypt(&cek, &JweHeader::new(), &mut JweHeader::new())
                .unwrap()
                .unwrap();
            json!({ "header": { "alg": "A256KW", "kid": kid }, "encrypted_key": BASE64URL_NOPAD.encode(&ek) })
        })
        .collect();
    let (ct, tag) = josekit::jwe::enc::A256GCM
        .encrypt(&cek, Some(&iv), plaintext, protected.as_bytes())
        .unwrap();
    json!({ "protected": protected, "recipients": recipients,
        "iv": BASE64URL_NOPAD.encode(&iv), "ciphertext": BASE64URL_NOPAD.encode(&ct), "tag": BASE64URL_NOPAD.encode(&tag.unwrap()) }).to_string()
}

/// The protected header text of the usual ios payload, with `members` (raw JSON text, such
/// as `"generation":7.0`) in place of the generation, and `pad` spaces after the `{`.
fn header_text(members: &str, pad: usize) -> String {
    let p = the_payload(Platform::Ios);
    format!(
        "{{{}\"typ\":\"abf+jwe\",\"cty\":\"abf-payload+json\",\"enc\":\"A256GCM\",\"abf_version\":1,\"platform\":\"ios\",\"backup_id\":\"{}\",{members},\"created\":{}}}",
        " ".repeat(pad),
        p.meta().backup_id(),
        p.meta().created()
    )
}

/// Sets one unused low bit of the last character of a base64url text (its bytes stay the
/// same for a decoder that ignores unused bits).
fn dirty_last_bits(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = text.as_bytes()[text.len() - 1];
    let value = ALPHABET.iter().position(|&c| c == last).unwrap();
    format!("{}{}", &text[..text.len() - 1], ALPHABET[value | 1] as char)
}

/// The passphrase of the sealed containers.
const PASS: &str = "correct horse battery staple";

fn key(jwk: &Value) -> Credential {
    Credential::Key(RecoveryKey::from_jwk_json(jwk.to_string().as_bytes()).unwrap())
}

fn with_key(c: &str, jwk: &Value) -> Value {
    json!({ "container": c, "key": jwk })
}

/// A case of a table of refusals: comment, requirements, flags, input, error code.
fn invalid_rows(b: &mut Builder, rows: Vec<Refused<'_>>) {
    for (comment, reqs, flags, input, error) in rows {
        b.invalid(comment, reqs, flags, input, error);
    }
}

/// What the groups share: fixed keys and the containers sealed with them (a fixed seed).
struct Ctx {
    rng: Rng,
    k1: Vec<u8>,
    jwk1: Value,
    jwk2: Value,
    jwk3: Value,
    payload: Payload,
    /// Three recipients: `jwk1`, `jwk2` and the passphrase.
    sealed: String,
    /// One recipient, `jwk1`.
    single: String,
    /// `single` with an ECDH-ES+A256KW recipient added.
    with_ecdh: String,
}

impl Ctx {
    fn new() -> Ctx {
        let mut rng = Rng::new(0xABF0_0005);
        let (k1, k2, k3) = (rng.bytes(32), rng.bytes(32), rng.bytes(32));
        let (jwk1, jwk2, jwk3) = (
            oct("recovery-1", &k1),
            oct("offline-2", &k2),
            oct("recovery-1", &k3),
        );
        let payload = the_payload(Platform::Ios);
        let mut fill = |buf: &mut [u8]| rng.fill(buf);
        let recipients = [
            key(&jwk1),
            key(&jwk2),
            Credential::Passphrase(Passphrase::new(PASS.as_bytes()).unwrap()),
        ];
        let sealed = container::seal_with_randomness(&payload, &recipients, &mut fill).unwrap();
        let single = container::seal_with_randomness(&payload, &[key(&jwk1)], &mut fill).unwrap();
        let single = String::from_utf8(single).unwrap();
        // Two draws once used for a random epk, kept so that the later containers stay as
        // they were; the epk is now a point of the curve (REQ-CONTAINER-026).
        let _ = (rng.bytes(32), rng.bytes(32));
        let ecdh_epk = ec_public(&ec_key());
        let with_ecdh = edit(&single, |v| {
            v["recipients"].as_array_mut().unwrap().push(json!({
            "header": { "alg": "ECDH-ES+A256KW", "kid": "pair-3", "epk": ecdh_epk }, "encrypted_key": BASE64URL_NOPAD.encode(&[0u8; 40]) }))
        });
        Ctx {
            rng,
            k1,
            jwk1,
            jwk2,
            jwk3,
            payload,
            sealed: String::from_utf8(sealed).unwrap(),
            single,
            with_ecdh,
        }
    }

    fn expected(&self) -> Value {
        normal(&self.payload)
    }

    /// `single`, its first recipient edited by `f`, with `jwk1`.
    fn rec(&self, f: &dyn Fn(&mut Value)) -> Value {
        with_key(
            &edit(&self.single, |v| f(&mut v["recipients"][0])),
            &self.jwk1,
        )
    }

    /// `single`, its protected header edited by `f`, with `jwk1`.
    fn prot(&self, f: &dyn Fn(&mut serde_json::Map<String, Value>)) -> Value {
        with_key(&protected(&self.single, |h| f(h)), &self.jwk1)
    }

    /// `single`, edited by `f`, with `jwk1`.
    fn top(&self, f: &dyn Fn(&mut Value)) -> Value {
        with_key(&edit(&self.single, |v| f(v)), &self.jwk1)
    }

    /// `sealed`, its passphrase recipient edited by `f`, with the passphrase.
    fn pbes(&self, f: &dyn Fn(&mut Value)) -> Value {
        json!({ "container": edit(&self.sealed, |v| f(&mut v["recipients"][2])), "passphrase": PASS })
    }

    /// `with_ecdh`, its ephemeral key edited by `f`, with `jwk1`.
    fn ecdh(&self, f: &dyn Fn(&mut Value)) -> Value {
        with_key(
            &edit(&self.with_ecdh, |v| {
                f(&mut v["recipients"][1]["header"]["epk"])
            }),
            &self.jwk1,
        )
    }
}

pub(crate) fn container() -> VectorFile {
    let mut b = Builder::new("container", "container.open", &[
        "The encrypted container (spec/container.md). Containers are sealed with the fixed keys given in each case's input and a fixed seed, so any implementation can open them.",
        "Expected payloads are the payload that was sealed (normalised); expected error codes are written out by hand. The ECDH-ES+A256KW container was sealed once (its ephemeral key is random) and is kept as written; the generator checks it still opens with its key pair.",
    ]);
    notes(&mut b);
    let mut c = Ctx::new();
    opening(&mut b, &c);
    tampering(&mut b, &c);
    b.group("Refused before any key is used", None);
    refused_algorithms(&mut b, &c);
    refused_protected_header(&mut b, &c);
    refused_header_values(&mut b, &c);
    refused_serialization(&mut b, &c);
    refused_recipient_headers(&mut b, &c);
    refused_kdf(&mut b, &c);
    refused_epk(&mut b, &c);
    refused_lengths(&mut b, &c);
    refused_keys(&mut b, &c);
    strict_reading(&mut b, &mut c);
    limits(&mut b, &mut c);
    not_the_payload(&mut b, &mut c);
    inspecting(&mut b, &mut c);
    sealing(&mut b, &mut c);
    adding_recipients(&mut b, &mut c);
    removing_recipients(&mut b, &c);
    key_first(&mut b, &c);
    at_the_limits(&mut b, &mut c);
    reader_order(&mut b, &c);
    payload_bytes(&mut b, &mut c);
    container_text(&mut b, &c);
    exact_passphrases(&mut b, &mut c);
    checked_keys(&mut b, &c);
    writer_order(&mut b, &c);
    reader_order_within_recipients(&mut b, &c);
    adding_order(&mut b, &mut c);
    passphrase_cost_as_asked(&mut b);
    deep_container_text(&mut b, &c);
    b.finish()
}

/// A container text nested a million arrays deep in a member it must not have
/// (REQ-CONTAINER-003, REQ-PAYLOAD-009): `malformed` as another member or as too deep, never
/// a crash. Last in the file, so that earlier `tcId`s stay.
fn deep_container_text(b: &mut Builder, c: &Ctx) {
    b.group(
        "Deeply nested container JSON: the text, the protected header, a recipient header (REQ-CONTAINER-003, REQ-PAYLOAD-009; the runner expands $concat and $repeat)",
        None,
    );
    let open = c
        .sealed
        .strip_suffix('}')
        .expect("a container text ends its object");
    b.invalid(
        "another member, a million arrays deep: malformed (another member), or malformed (too deep)",
        &["REQ-CONTAINER-003", "REQ-PAYLOAD-009"],
        &["Structure"],
        json!({ "container": { "$concat": [
            format!(r#"{open},"x":"#),
            { "$repeat": { "text": "[", "times": 1_000_000 } },
            { "$repeat": { "text": "]", "times": 1_000_000 } },
            "}",
        ] }, "key": c.jwk1 }),
        "malformed",
    );
    b.allowing(60_000);
    // The protected header is JSON of its own, at most 4096 bytes decoded: as deep as fits.
    let header_bytes = |v: &Value| {
        BASE64URL_NOPAD
            .decode(v["protected"].as_str().unwrap().as_bytes())
            .unwrap()
            .len()
    };
    // Written as text: a Value this deep would overflow a test thread's stack when dropped.
    let shallow: Value = serde_json::from_str(&c.single).unwrap();
    let levels = (4096 - header_bytes(&shallow) - r#","x":"#.len()) / 2;
    let deep_header = edit(&c.single, |v| {
        let header = BASE64URL_NOPAD
            .decode(v["protected"].as_str().unwrap().as_bytes())
            .unwrap();
        let open = std::str::from_utf8(&header)
            .unwrap()
            .strip_suffix('}')
            .unwrap();
        let text = format!(
            r#"{open},"x":{}{}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        );
        v["protected"] = BASE64URL_NOPAD.encode(text.as_bytes()).into();
    });
    let decoded = header_bytes(&serde_json::from_str(&deep_header).unwrap());
    assert!(decoded <= 4096, "{decoded} bytes");
    b.invalid(
        &format!("a protected header member {levels} arrays deep ({decoded} bytes decoded): malformed (another member), or malformed (too deep)"),
        &["REQ-CONTAINER-014", "REQ-PAYLOAD-009"],
        &["Structure"],
        with_key(&deep_header, &c.jwk1),
        "malformed",
    );
    let (before, after) = c
        .single
        .split_once(r#""header":{"#)
        .expect("a recipient header");
    b.invalid(
        "a recipient header member a million arrays deep: malformed (another member), or malformed (too deep)",
        &["REQ-CONTAINER-021", "REQ-PAYLOAD-009"],
        &["Structure"],
        json!({ "container": { "$concat": [
            format!(r#"{before}"header":{{"x":"#),
            { "$repeat": { "text": "[", "times": 1_000_000 } },
            { "$repeat": { "text": "]", "times": 1_000_000 } },
            format!(",{after}"),
        ] }, "key": c.jwk1 }),
        "malformed",
    );
    b.allowing(60_000);
}

/// A writer uses the p2c it is asked for: JOSE libraries have their own (jose's
/// `GeneralEncrypt` writes 2048 and up, whatever the caller wants).
fn passphrase_cost_as_asked(b: &mut Builder) {
    b.group(
        "A passphrase recipient is written with the p2c asked for",
        Some("container.seal"),
    );
    let payload = json!({ "version": 1, "platform": "android", "backup_id": "w-4", "generation": 1, "created": 1_700_000_000u64, "accounts": [
        { "id": "w", "type": "work_school", "name": "alice@contoso.com" } ] });
    b.valid(
        "p2c 1,000,000, the upper limit, included",
        &["REQ-CONTAINER-051", "REQ-CONTAINER-025"],
        &["Limits"],
        json!({ "payload": payload, "recipients": [{ "passphrase": PASS, "p2c": 1_000_000 }] }),
        json!({ "payload": payload }),
    );
    sealed_twice(b);
}

/// REQ-CONTAINER-003 before the header, and a recipient's kid (REQ-CONTAINER-023) before
/// its p2c (REQ-CONTAINER-025): found by the differential fuzzer.
fn reader_order_within_recipients(b: &mut Builder, c: &Ctx) {
    b.group(
        "A repeated kid and the container's JSON text, in the reader's order",
        None,
    );
    let kid = "\"kid\":\"recovery-1\"";
    let surrogate_and_platform = protected(&c.single, |h| {
        h.insert("platform".into(), "windows".into());
    });
    assert_eq!(surrogate_and_platform.matches(kid).count(), 1, "one kid");
    let rows: Vec<Refused<'_>> = vec![
        (
            "the passphrase recipient's kid repeats the first recipient's, and its p2c is 2^31: the kid first",
            &["REQ-CONTAINER-022", "REQ-CONTAINER-023", "REQ-CONTAINER-025"],
            &["ReaderOrder"],
            json!({ "container": edit(&c.sealed, |v| {
                v["recipients"][2]["header"]["kid"] = "recovery-1".into();
                v["recipients"][2]["header"]["p2c"] = (1u64 << 31).into();
            }), "passphrase": PASS }),
            "malformed",
        ),
        (
            "a lone surrogate escape in a recipient's kid, and platform windows in the protected header: the JSON text first",
            &["REQ-CONTAINER-003", "REQ-CONTAINER-016", "REQ-CONTAINER-001"],
            &["ReaderOrder", "JsonText"],
            with_key(&surrogate_and_platform.replace(kid, r#""kid":"recovery-1\ud800""#), &c.jwk1),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// REQ-CONTAINER-053's checks before the container is opened, and no payload read.
fn adding_order(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Adding a recipient: every check before the container is opened (REQ-CONTAINER-053)",
        Some("container.add_recipient"),
    );
    let reqs: &[&str] = &["REQ-CONTAINER-053"];
    let keys: Vec<(String, Vec<u8>)> = (0..16)
        .map(|i| (format!("k{i}"), vec![i as u8; 32]))
        .collect();
    let sixteen = sealed_to_all(&mut c.rng, &keys);
    let rows: Vec<Refused<'_>> = vec![
        (
            "a new key whose kid the container has, and a key that opens nothing: the kid first",
            reqs,
            &[],
            adding(&c.single, &c.jwk2, &c.jwk1),
            "invalid_parameter",
        ),
        (
            "a seventeenth recipient, and a key that opens nothing: the count first",
            reqs,
            &["Limits"],
            adding(&sixteen, &c.jwk2, &c.jwk3),
            "too_large",
        ),
    ];
    invalid_rows(b, rows);
    let not_a_payload = hand_sealed(
        &mut c.rng,
        &c.k1,
        "recovery-1",
        b"a later version's payload, or none",
    );
    b.valid(
        "a container whose decrypted bytes are not a payload this reader knows: the ciphertext is authenticated, the payload not read",
        reqs,
        &[],
        adding(&not_a_payload, &c.jwk1, &c.jwk2),
        json!({}),
    );
    b.checked_by("recipient_added");
}

/// The order n of P-256's base point, unpadded base64url: as `d` it is 0 once reduced.
const P256_ORDER: &str = "_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE";

/// A passphrase's bytes exactly as given (REQ-CONTAINER-062). Last in the file with the two
/// groups after it, so that earlier `tcId`s and containers stay.
fn exact_passphrases(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "A passphrase is its bytes exactly as given (REQ-CONTAINER-062)",
        None,
    );
    let payload = c.payload.clone();
    let mut sealed_with = |pass: &str| {
        let credential = Credential::Passphrase(Passphrase::new(pass.as_bytes()).unwrap());
        let mut fill = |buf: &mut [u8]| c.rng.fill(buf);
        let bytes = container::seal_with_randomness(&payload, &[credential], &mut fill).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let line = format!("{PASS}\n");
    let (composed, decomposed) = ("p\u{e4}ssw\u{f6}rd", "pa\u{308}sswo\u{308}rd");
    let with_line = sealed_with(&line);
    let with_umlauts = sealed_with(composed);
    let open = |container: &str, pass: &str| json!({ "container": container, "passphrase": pass });
    let reqs: &[&str] = &["REQ-CONTAINER-062"];
    let flags: &[&str] = &["PassphraseBytes"];
    b.valid(
        "sealed with a passphrase that ends with a line break, opened with the same",
        reqs,
        flags,
        open(&with_line, &line),
        c.expected(),
    );
    b.valid(
        "sealed with a passphrase of composed characters, opened with the same",
        reqs,
        flags,
        open(&with_umlauts, composed),
        c.expected(),
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "the same container opened without the final line break",
            reqs,
            flags,
            open(&with_line, PASS),
            "decryption_failed",
        ),
        (
            "the same container opened with the line break as CRLF",
            reqs,
            flags,
            open(&with_line, &format!("{PASS}\r\n")),
            "decryption_failed",
        ),
        (
            "the same passphrase written with combining accents (NFD): another passphrase",
            reqs,
            flags,
            open(&with_umlauts, decomposed),
            "decryption_failed",
        ),
        (
            "an empty passphrase, before the container",
            &["REQ-CONTAINER-062", "REQ-CONTAINER-061"],
            flags,
            open("not json", ""),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// A key's kid and private part are checked before the container (REQ-CONTAINER-060).
fn checked_keys(b: &mut Builder, c: &Ctx) {
    b.group(
        "A key's kid and private part, checked before the container (REQ-CONTAINER-060)",
        None,
    );
    let ecdh = ECDH_CONTAINER.trim();
    let kid = |kid: Value| {
        let mut key = c.jwk1.clone();
        key["kid"] = kid;
        with_key(&c.single, &key)
    };
    let d = |d: &str| {
        let mut key = ec_key();
        key["d"] = d.into();
        with_key(ecdh, &key)
    };
    let reqs: &[&str] = &["REQ-CONTAINER-060", "REQ-CONTAINER-061"];
    let flags: &[&str] = &["KeyCheck"];
    let rows: Vec<Refused<'_>> = vec![
        (
            "a key whose kid is empty",
            reqs,
            flags,
            kid("".into()),
            "invalid_parameter",
        ),
        (
            "a key whose kid is 129 bytes",
            reqs,
            flags,
            kid("k".repeat(129).into()),
            "invalid_parameter",
        ),
        (
            "a key whose kid holds a control character",
            reqs,
            flags,
            kid("recovery\u{7}1".into()),
            "invalid_parameter",
        ),
        (
            "a key whose kid is null",
            reqs,
            flags,
            kid(Value::Null),
            "invalid_parameter",
        ),
        (
            "an EC key pair whose d is 1: a private key, but not that of its x and y",
            reqs,
            flags,
            d("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"),
            "invalid_parameter",
        ),
        (
            "an EC key pair whose d is 0",
            reqs,
            flags,
            d("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            "invalid_parameter",
        ),
        (
            "an EC key pair whose d is the order n of the curve (0 once reduced)",
            reqs,
            flags,
            d(P256_ORDER),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
    b.group(
        "A key's kid when writing (REQ-CONTAINER-060, REQ-CONTAINER-054)",
        Some("container.seal"),
    );
    let payload = json!({ "version": 1, "platform": "ios", "backup_id": "w-2", "generation": 1, "created": 1_700_000_000u64, "accounts": [
        { "id": "w", "type": "work_school", "name": "alice@contoso.com" } ] });
    let mut long = c.jwk1.clone();
    long["kid"] = "k".repeat(129).into();
    b.invalid(
        "a key whose kid is 129 bytes: no reader could open what it names",
        &["REQ-CONTAINER-060", "REQ-CONTAINER-054"],
        flags,
        json!({ "payload": payload, "recipients": [{ "key": long }] }),
        "invalid_parameter",
    );
    b.group(
        "A key's kid when adding a recipient (REQ-CONTAINER-060)",
        Some("container.add_recipient"),
    );
    let mut empty = c.jwk2.clone();
    empty["kid"] = "".into();
    b.invalid(
        "a new key whose kid is empty",
        &["REQ-CONTAINER-060", "REQ-CONTAINER-053"],
        flags,
        json!({ "container": c.single, "key": c.jwk1, "new_key": empty }),
        "invalid_parameter",
    );
}

/// REQ-CONTAINER-054's order where a writer reads its recipients one by one.
fn writer_order(b: &mut Builder, c: &Ctx) {
    b.group(
        "A writer's order, recipient by recipient (REQ-CONTAINER-054)",
        Some("container.seal"),
    );
    let payload = json!({ "version": 1, "platform": "ios", "backup_id": "w-3", "generation": 1, "created": 1_700_000_000u64, "accounts": [
        { "id": "w", "type": "work_school", "name": "alice@contoso.com" } ] });
    let rsa = json!({ "key": { "kty": "RSA", "n": "AQAB", "e": "AQAB" } });
    let mut seventeen: Vec<Value> = (0..16)
        .map(|i| json!({ "key": oct(&format!("k{i}"), &[i as u8; 32]) }))
        .collect();
    seventeen.push(rsa.clone());
    let seal = |recipients: Value| json!({ "payload": payload, "recipients": recipients });
    let weak = json!({ "passphrase": PASS, "p2c": 1000 });
    let reqs: &[&str] = &["REQ-CONTAINER-054"];
    let flags: &[&str] = &["WriterOrder"];
    let rows: Vec<Refused<'_>> = vec![
        ("17 recipients, the last an RSA key: the count before any key", reqs, flags, seal(Value::Array(seventeen)), "too_large"),
        ("a passphrase with 1,000 iterations, then an RSA key: recipients in order", reqs, flags, seal(json!([weak, rsa])), "kdf_params_out_of_range"),
        ("an RSA key, then a passphrase with 1,000 iterations", reqs, flags, seal(json!([rsa, weak])), "invalid_parameter"),
        ("an empty passphrase with 1,000 iterations: the passphrase before its p2c", &["REQ-CONTAINER-054", "REQ-CONTAINER-062"], flags,
            seal(json!([{ "passphrase": "", "p2c": 1000 }])), "invalid_parameter"),
        ("one key twice, then a passphrase with 1,000 iterations: every recipient before duplicate kids", reqs, flags,
            seal(json!([{ "key": c.jwk1 }, { "key": c.jwk1 }, weak])), "kdf_params_out_of_range"),
    ];
    invalid_rows(b, rows);
}

fn notes(b: &mut Builder) {
    b.note("ReaderOrder", "Error precedence", "A reader reports the first failing check in the order of section 2: the container's structure and recipient count, the protected header, each recipient, then iv, ciphertext and tag. Readers that check the IV and tag lengths first, or the recipients before the header, give another code.", &["REQ-CONTAINER-001"]);
    b.note("WriterOrder", "Error precedence", "A writer refuses in the order of REQ-CONTAINER-054: the payload, the recipient count, each recipient, duplicate kids.", &["REQ-CONTAINER-054"]);
    b.note("PassphraseBytes", "Interoperability", "A passphrase is its UTF-8 bytes exactly as given: a reader that trims a final line break or normalises Unicode derives another key than the writer did, and an empty passphrase is refused.", &["REQ-CONTAINER-062"]);
    b.note("KeyCheck", "Key confusion", "A key's kid must be one a container can carry, and an EC key's d the private key of its x and y: a reader that takes x and y on trust names the key by one point and opens with another.", &["REQ-CONTAINER-060"]);
    b.note("KidMatch", "Key confusion", "A recipient is chosen by a kid equal to the key's, code point by code point: no case folding, no trimming.", &["REQ-CONTAINER-030"]);
    b.note("Repeated", "Parser differential", "A member given twice is refused at every level; JOSE libraries keep the last, so two readers see two containers.", &["REQ-CONTAINER-003", "REQ-CONTAINER-010"]);
    b.note("Base64url", "Parser differential", "Unpadded base64url exactly: no white space, no padding, zero unused bits (lenient decoders accept all three).", &["REQ-CONTAINER-010", "REQ-CONTAINER-027", "REQ-CONTAINER-028"]);
    b.note(
        "Integers",
        "Parser differential",
        "Header integers are written as digits alone: 7.0 is not the integer 7.",
        &["REQ-CONTAINER-011", "REQ-CONTAINER-016"],
    );
    b.note(
        "Limits",
        "Resource use",
        "Every limit is inclusive and counted in bytes: a container of 64 MiB, 16 recipients, a 128-byte kid and a decoded protected header of 4096 bytes (white space counted) are allowed; one more is refused.",
        &["REQ-CONTAINER-002", "REQ-CONTAINER-004", "REQ-CONTAINER-010", "REQ-CONTAINER-023"],
    );
    b.note("PayloadBytes", "Parser differential", "The decrypted bytes are UTF-8 JSON exactly: browsers' TextDecoder skips a byte order mark and replaces invalid UTF-8, Python's json.loads reads UTF-16 and UTF-32 bytes, and a reader that checks UTF-8 only in the strings it reads misses it in a token's value.", &["REQ-PAYLOAD-007", "REQ-CONTAINER-040"]);
    b.note("JsonText", "Parser differential", "The container is RFC 8259 JSON in UTF-8, read with its escapes decoded: a raw-key lookup misses an escaped member name or kid, browsers skip a byte order mark, so two readers would see two containers.", &["REQ-CONTAINER-003"]);
    b.note("HeaderBinding", "Integrity", "Every member the protected header shares with the payload (platform, backup_id, generation, created) must agree, not just the platform.", &["REQ-CONTAINER-040"]);
    b.note(
        "AllowList",
        "Downgrade",
        "Algorithms outside the allow-list must be refused before any key is used.",
        &[
            "REQ-CONTAINER-012",
            "REQ-CONTAINER-013",
            "REQ-CONTAINER-020",
        ],
    );
    b.note("Tamper", "Integrity", "Any change to the ciphertext, tag, wrapped key or protected header must fail as decryption_failed.", &["REQ-CONTAINER-031", "REQ-CONTAINER-032"]);
    b.note(
        "KdfCost",
        "Denial of service",
        "p2c and p2s are checked before PBKDF2 runs: a p2c of 2^31 would take minutes.",
        &["REQ-CONTAINER-025"],
    );
    b.note(
        "Structure",
        "Parsing",
        "The General JSON Serialization exactly: no other members, no flattened syntax.",
        &[
            "REQ-CONTAINER-003",
            "REQ-CONTAINER-014",
            "REQ-CONTAINER-021",
        ],
    );
    b.note("EcPoint", "Invalid-curve attack", "An EC point (an epk or a key's x and y) must be a point of P-256: each coordinate below the field prime p, not reduced modulo p, and on the curve; x = 0 is a point like any other. Checked before any key agreement.", &["REQ-CONTAINER-026", "REQ-CONTAINER-060"]);
    b.note("ShortKey", "Crash", "Encrypted keys of the wrong length must be refused before unwrapping (a short one crashes some libraries).", &["REQ-CONTAINER-027"]);
    b.note(
        "PlatformBinding",
        "Integrity",
        "The platform is bound to the ciphertext: editing it must not work.",
        &["REQ-CONTAINER-032", "REQ-RESTORE-001"],
    );
}

fn opening(b: &mut Builder, c: &Ctx) {
    b.group("Opening", None);
    b.valid(
        "the recovery key",
        &[
            "REQ-CONTAINER-030",
            "REQ-CONTAINER-032",
            "REQ-CONTAINER-040",
            "REQ-CONTAINER-050",
            "REQ-CONTAINER-052",
            "REQ-CONTAINER-060",
        ],
        &[],
        with_key(&c.sealed, &c.jwk1),
        c.expected(),
    );
    b.valid(
        "the second recipient's key",
        &["REQ-CONTAINER-030"],
        &[],
        with_key(&c.sealed, &c.jwk2),
        c.expected(),
    );
    b.valid(
        "the passphrase",
        &["REQ-CONTAINER-025", "REQ-CONTAINER-051"],
        &["KdfCost"],
        json!({ "container": c.sealed, "passphrase": PASS }),
        c.expected(),
    );
    b.valid(
        "a single recipient",
        &["REQ-CONTAINER-004"],
        &[],
        with_key(&c.single, &c.jwk1),
        c.expected(),
    );
    b.valid(
        "an ECDH-ES+A256KW recipient the key does not use",
        &[
            "REQ-CONTAINER-020",
            "REQ-CONTAINER-021",
            "REQ-CONTAINER-026",
        ],
        &[],
        with_key(&c.with_ecdh, &c.jwk1),
        c.expected(),
    );
}

fn tampering(b: &mut Builder, c: &Ctx) {
    b.group("Wrong keys and tampering", None);
    let tamper: Vec<(&str, &[&str], &[&str], Value)> = vec![
        (
            "another key under the same kid",
            &["REQ-CONTAINER-031"],
            &["Tamper"],
            with_key(&c.sealed, &c.jwk3),
        ),
        (
            "the right key under another kid",
            &["REQ-CONTAINER-030"],
            &[],
            with_key(&c.sealed, &oct("someone-else", &c.k1)),
        ),
        (
            "a wrong passphrase",
            &["REQ-CONTAINER-031"],
            &["Tamper"],
            json!({ "container": c.sealed, "passphrase": "Tr0ub4dor&3" }),
        ),
        (
            "one ciphertext bit flipped",
            &["REQ-CONTAINER-032"],
            &["Tamper"],
            with_key(&edit(&c.single, |v| flip_b64(v, "ciphertext")), &c.jwk1),
        ),
        (
            "one tag bit flipped",
            &["REQ-CONTAINER-032"],
            &["Tamper"],
            with_key(&edit(&c.single, |v| flip_b64(v, "tag")), &c.jwk1),
        ),
        (
            "one iv bit flipped",
            &["REQ-CONTAINER-032"],
            &["Tamper"],
            with_key(&edit(&c.single, |v| flip_b64(v, "iv")), &c.jwk1),
        ),
        (
            "one wrapped-key bit flipped",
            &["REQ-CONTAINER-031"],
            &["Tamper"],
            with_key(
                &edit(&c.single, |v| {
                    flip_b64(&mut v["recipients"][0], "encrypted_key")
                }),
                &c.jwk1,
            ),
        ),
        (
            "the platform edited to android",
            &["REQ-CONTAINER-032", "REQ-RESTORE-001"],
            &["PlatformBinding"],
            with_key(
                &protected(&c.single, |h| {
                    h.insert("platform".into(), "android".into());
                }),
                &c.jwk1,
            ),
        ),
        (
            "the generation edited",
            &["REQ-CONTAINER-032"],
            &["Tamper"],
            with_key(
                &protected(&c.single, |h| {
                    h.insert("generation".into(), 8.into());
                }),
                &c.jwk1,
            ),
        ),
    ];
    for (comment, reqs, flags, input) in tamper {
        b.invalid(comment, reqs, flags, input, "decryption_failed");
    }
}

/// Refused: algorithms outside the allow-list.
fn refused_algorithms(b: &mut Builder, c: &Ctx) {
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
        b.invalid(
            &format!("alg {alg}"),
            &["REQ-CONTAINER-020"],
            &["AllowList"],
            c.rec(&|r| r["header"]["alg"] = alg.into()),
            "algorithm_not_allowed",
        );
    }
    for enc in ["A128GCM", "A256CBC-HS512", "none"] {
        b.invalid(
            &format!("enc {enc}"),
            &["REQ-CONTAINER-013"],
            &["AllowList"],
            c.prot(&|h| {
                h.insert("enc".into(), enc.into());
            }),
            "algorithm_not_allowed",
        );
    }
}

/// Refused: members of the protected header: zip, enc, the version, kid.
fn refused_protected_header(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "zip in the protected header",
            &["REQ-CONTAINER-012"],
            &["AllowList"],
            c.prot(&|h| {
                h.insert("zip".into(), "DEF".into());
            }),
            "algorithm_not_allowed",
        ),
        (
            "zip in a recipient header",
            &["REQ-CONTAINER-020"],
            &["AllowList"],
            c.rec(&|r| r["header"]["zip"] = "DEF".into()),
            "algorithm_not_allowed",
        ),
        (
            "no enc",
            &["REQ-CONTAINER-013"],
            &[],
            c.prot(&|h| {
                h.remove("enc");
            }),
            "malformed",
        ),
        (
            "abf_version 2 with a new member",
            &["REQ-CONTAINER-011"],
            &[],
            c.prot(&|h| {
                h.insert("abf_version".into(), 2.into());
                h.insert("future".into(), true.into());
            }),
            "unsupported_version",
        ),
        (
            "no abf_version",
            &["REQ-CONTAINER-011"],
            &[],
            c.prot(&|h| {
                h.remove("abf_version");
            }),
            "malformed",
        ),
        (
            "kid in the protected header",
            &["REQ-CONTAINER-014"],
            &["Structure"],
            c.prot(&|h| {
                h.insert("kid".into(), "x".into());
            }),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: values of the protected header's members: crit, alg, typ, cty, created, platform,
/// generation.
fn refused_header_values(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "crit in the protected header",
            &["REQ-CONTAINER-014"],
            &["Structure"],
            c.prot(&|h| {
                h.insert("crit".into(), json!(["exp"]));
            }),
            "malformed",
        ),
        (
            "alg in the protected header",
            &["REQ-CONTAINER-014"],
            &["Structure"],
            c.prot(&|h| {
                h.insert("alg".into(), "A256KW".into());
            }),
            "malformed",
        ),
        (
            "typ JWE",
            &["REQ-CONTAINER-015"],
            &[],
            c.prot(&|h| {
                h.insert("typ".into(), "JWE".into());
            }),
            "malformed",
        ),
        (
            "cty JSON",
            &["REQ-CONTAINER-015"],
            &[],
            c.prot(&|h| {
                h.insert("cty".into(), "JSON".into());
            }),
            "malformed",
        ),
        (
            "no created",
            &["REQ-CONTAINER-016"],
            &[],
            c.prot(&|h| {
                h.remove("created");
            }),
            "malformed",
        ),
        (
            "platform windows",
            &["REQ-CONTAINER-016", "REQ-PAYLOAD-003"],
            &[],
            c.prot(&|h| {
                h.insert("platform".into(), "windows".into());
            }),
            "invalid_parameter",
        ),
        (
            "generation 0",
            &["REQ-CONTAINER-016", "REQ-PAYLOAD-005"],
            &[],
            c.prot(&|h| {
                h.insert("generation".into(), 0.into());
            }),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: the General JSON Serialization itself: encodings, sizes, other members, missing parts, recipient counts.
fn refused_serialization(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "protected header not base64url",
            &["REQ-CONTAINER-010"],
            &[],
            c.top(&|v| v["protected"] = "e30=".into()),
            "malformed",
        ),
        (
            "protected header over 4096 bytes",
            &["REQ-CONTAINER-010"],
            &[],
            c.prot(&|h| {
                h.insert("backup_id".into(), "x".repeat(5000).into());
            }),
            "too_large",
        ),
        (
            "an aad member",
            &["REQ-CONTAINER-003"],
            &["Structure"],
            c.top(&|v| v["aad"] = "eA".into()),
            "malformed",
        ),
        (
            "an unprotected member",
            &["REQ-CONTAINER-003"],
            &["Structure"],
            c.top(&|v| v["unprotected"] = json!({})),
            "malformed",
        ),
        (
            "the flattened syntax",
            &["REQ-CONTAINER-003"],
            &["Structure"],
            c.top(&|v| {
                let r = v["recipients"][0].clone();
                v.as_object_mut().unwrap().remove("recipients");
                v["header"] = r["header"].clone();
                v["encrypted_key"] = r["encrypted_key"].clone();
            }),
            "malformed",
        ),
        (
            "no tag",
            &["REQ-CONTAINER-003"],
            &["Structure"],
            c.top(&|v| {
                v.as_object_mut().unwrap().remove("tag");
            }),
            "malformed",
        ),
        (
            "truncated",
            &["REQ-CONTAINER-003"],
            &[],
            json!({ "container": &c.single[..c.single.len() - 10], "key": c.jwk1 }),
            "malformed",
        ),
        (
            "no recipients",
            &["REQ-CONTAINER-004"],
            &[],
            c.top(&|v| v["recipients"] = json!([])),
            "malformed",
        ),
        (
            "17 recipients",
            &["REQ-CONTAINER-004"],
            &[],
            c.top(&|v| {
                let r = v["recipients"][0].clone();
                v["recipients"] = (0..17)
                    .map(|i| {
                        let mut r = r.clone();
                        r["header"]["kid"] = format!("k{i}").into();
                        r
                    })
                    .collect::<Vec<_>>()
                    .into();
            }),
            "too_large",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: recipient headers: other members, kids.
fn refused_recipient_headers(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "jku in a recipient header",
            &["REQ-CONTAINER-021"],
            &["Structure"],
            c.rec(&|r| r["header"]["jku"] = "https://example.com".into()),
            "malformed",
        ),
        (
            "enc in a recipient header",
            &["REQ-CONTAINER-021"],
            &["Structure"],
            c.rec(&|r| r["header"]["enc"] = "A256GCM".into()),
            "malformed",
        ),
        (
            "no kid",
            &["REQ-CONTAINER-023"],
            &[],
            c.rec(&|r| {
                r["header"].as_object_mut().unwrap().remove("kid");
            }),
            "malformed",
        ),
        (
            "an empty kid",
            &["REQ-CONTAINER-023"],
            &[],
            c.rec(&|r| r["header"]["kid"] = "".into()),
            "malformed",
        ),
        (
            "a 129-byte kid",
            &["REQ-CONTAINER-023"],
            &[],
            c.rec(&|r| r["header"]["kid"] = "k".repeat(129).into()),
            "malformed",
        ),
        (
            "two recipients with one kid",
            &["REQ-CONTAINER-023"],
            &[],
            c.top(&|v| {
                let r = v["recipients"][0].clone();
                v["recipients"].as_array_mut().unwrap().push(r);
            }),
            "malformed",
        ),
        (
            "two passphrase recipients",
            &["REQ-CONTAINER-024"],
            &[],
            json!({ "container": edit(&c.sealed, |v| { let mut r = v["recipients"][2].clone(); r["header"]["kid"] = "passphrase-2".into(); v["recipients"].as_array_mut().unwrap().push(r); }), "passphrase": PASS }),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: pBES2 parameters, checked before any key derivation runs.
fn refused_kdf(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "p2c 1000",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2c"] = 1000.into()),
            "kdf_params_out_of_range",
        ),
        (
            "p2c 209999",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2c"] = 209_999.into()),
            "kdf_params_out_of_range",
        ),
        (
            "p2c 1000001",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2c"] = 1_000_001.into()),
            "kdf_params_out_of_range",
        ),
        (
            "p2c 2^31",
            &["REQ-CONTAINER-025", "REQ-CONTAINER-001"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2c"] = (1u64 << 31).into()),
            "kdf_params_out_of_range",
        ),
        (
            "p2c -1",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2c"] = (-1).into()),
            "kdf_params_out_of_range",
        ),
        (
            "p2c as a string",
            &["REQ-CONTAINER-025"],
            &[],
            c.pbes(&|r| r["header"]["p2c"] = "310000".into()),
            "malformed",
        ),
        (
            "p2c as a fraction",
            &["REQ-CONTAINER-025"],
            &[],
            c.pbes(&|r| r["header"]["p2c"] = 310000.5.into()),
            "malformed",
        ),
        (
            "an 8-byte p2s",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2s"] = BASE64URL_NOPAD.encode(&[1u8; 8]).into()),
            "kdf_params_out_of_range",
        ),
        (
            "a 65-byte p2s",
            &["REQ-CONTAINER-025"],
            &["KdfCost"],
            c.pbes(&|r| r["header"]["p2s"] = BASE64URL_NOPAD.encode(&[1u8; 65]).into()),
            "kdf_params_out_of_range",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: eCDH-ES ephemeral keys.
fn refused_epk(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "an epk on P-384",
            &["REQ-CONTAINER-026"],
            &[],
            c.ecdh(&|e| e["crv"] = "P-384".into()),
            "malformed",
        ),
        (
            "an epk with a 31-byte x",
            &["REQ-CONTAINER-026"],
            &[],
            c.ecdh(&|e| e["x"] = BASE64URL_NOPAD.encode(&[1u8; 31]).into()),
            "malformed",
        ),
        (
            "an epk with a private part",
            &["REQ-CONTAINER-026"],
            &[],
            c.ecdh(&|e| e["d"] = BASE64URL_NOPAD.encode(&[1u8; 32]).into()),
            "malformed",
        ),
        (
            "an epk without y",
            &["REQ-CONTAINER-026"],
            &[],
            c.ecdh(&|e| {
                e.as_object_mut().unwrap().remove("y");
            }),
            "malformed",
        ),
        (
            "an epk off the curve (y with its last bit flipped), on a recipient the key does not use",
            &["REQ-CONTAINER-026", "REQ-CONTAINER-001"],
            &["EcPoint"],
            c.ecdh(&|e| e["y"] = EC_KEY_Y_FLIPPED.into()),
            "malformed",
        ),
        (
            "an epk whose x is p: the point x = 0 once reduced modulo p, but not below p",
            &["REQ-CONTAINER-026"],
            &["EcPoint"],
            c.ecdh(&|e| {
                e["x"] = P256_PRIME.into();
                e["y"] = Y_AT_X0.into();
            }),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
    b.valid(
        "an epk whose x is 0 (a point of the curve), on a recipient the key does not use",
        &["REQ-CONTAINER-026"],
        &["EcPoint"],
        c.ecdh(&|e| {
            e["x"] = BASE64URL_NOPAD.encode(&[0u8; 32]).into();
            e["y"] = Y_AT_X0.into();
        }),
        c.expected(),
    );
}

/// Refused: lengths of the wrapped key, IV, tag and ciphertext, checked before any key is used.
fn refused_lengths(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "an empty encrypted key",
            &["REQ-CONTAINER-027"],
            &["ShortKey"],
            c.rec(&|r| r["encrypted_key"] = "".into()),
            "malformed",
        ),
        (
            "a 6-byte encrypted key",
            &["REQ-CONTAINER-027"],
            &["ShortKey"],
            c.rec(&|r| r["encrypted_key"] = "AAAAAAAA".into()),
            "malformed",
        ),
        (
            "a 39-byte encrypted key",
            &["REQ-CONTAINER-027"],
            &["ShortKey"],
            c.rec(&|r| r["encrypted_key"] = BASE64URL_NOPAD.encode(&[1u8; 39]).into()),
            "malformed",
        ),
        (
            "a 48-byte encrypted key",
            &["REQ-CONTAINER-027"],
            &["ShortKey"],
            c.rec(&|r| r["encrypted_key"] = BASE64URL_NOPAD.encode(&[1u8; 48]).into()),
            "malformed",
        ),
        (
            "an 11-byte iv",
            &["REQ-CONTAINER-028"],
            &[],
            c.top(&|v| v["iv"] = BASE64URL_NOPAD.encode(&[1u8; 11]).into()),
            "malformed",
        ),
        (
            "a 15-byte tag",
            &["REQ-CONTAINER-028"],
            &[],
            c.top(&|v| v["tag"] = BASE64URL_NOPAD.encode(&[1u8; 15]).into()),
            "malformed",
        ),
        (
            "a ciphertext with padding",
            &["REQ-CONTAINER-028"],
            &[],
            c.top(&|v| v["ciphertext"] = format!("{}=", v["ciphertext"].as_str().unwrap()).into()),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: keys the container cannot be opened with.
fn refused_keys(b: &mut Builder, c: &Ctx) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "an RSA key to open with",
            &["REQ-CONTAINER-060"],
            &[],
            json!({ "container": c.single, "key": { "kty": "RSA", "n": "AQAB", "e": "AQAB" } }),
            "invalid_parameter",
        ),
        (
            "an oct key that says A128KW",
            &["REQ-CONTAINER-060"],
            &[],
            json!({ "container": c.single, "key": { "kty": "oct", "kid": "recovery-1", "alg": "A128KW", "k": BASE64URL_NOPAD.encode(&c.k1) } }),
            "invalid_parameter",
        ),
        (
            "a 16-byte oct key",
            &["REQ-CONTAINER-060"],
            &[],
            json!({ "container": c.single, "key": oct("recovery-1", &[1; 16]) }),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// What lenient JOSE libraries let through: kids compared without letter case, repeated
/// members, base64url with white space or unused bits, integers written as fractions, a
/// header padded past its limit, a payload that disagrees with its header.
fn strict_reading(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Read strictly: what lenient JOSE libraries let through",
        None,
    );
    let single = c.single.clone();
    let repeat_first = |member: &str, value: &str| {
        single.replacen(
            &format!("\"{member}\":"),
            &format!("\"{member}\":{value},\"{member}\":"),
            1,
        )
    };
    let rows: Vec<Refused<'_>> = vec![
        (
            "the right key under its kid in another letter case",
            &["REQ-CONTAINER-030"],
            &["KidMatch"],
            with_key(&c.single, &oct("Recovery-1", &c.k1)),
            "decryption_failed",
        ),
        (
            "iv given twice (the second is the right one)",
            &["REQ-CONTAINER-003"],
            &["Repeated"],
            with_key(&repeat_first("iv", "\"AAAAAAAAAAAAAAAA\""), &c.jwk1),
            "malformed",
        ),
        (
            "a recipient's encrypted_key given twice",
            &["REQ-CONTAINER-003"],
            &["Repeated"],
            with_key(&repeat_first("encrypted_key", "\"AAAA\""), &c.jwk1),
            "malformed",
        ),
        (
            "a recipient header's alg given twice",
            &["REQ-CONTAINER-003", "REQ-CONTAINER-020"],
            &["Repeated"],
            with_key(&repeat_first("alg", "\"dir\""), &c.jwk1),
            "malformed",
        ),
        (
            "the tag with a non-zero unused bit",
            &["REQ-CONTAINER-028"],
            &["Base64url"],
            c.top(&|v| v["tag"] = dirty_last_bits(v["tag"].as_str().unwrap()).into()),
            "malformed",
        ),
        (
            "the encrypted key with a non-zero unused bit",
            &["REQ-CONTAINER-027"],
            &["Base64url"],
            c.rec(&|r| {
                r["encrypted_key"] = dirty_last_bits(r["encrypted_key"].as_str().unwrap()).into()
            }),
            "malformed",
        ),
        (
            "the iv with a space in it",
            &["REQ-CONTAINER-028"],
            &["Base64url"],
            c.top(&|v| {
                v["iv"] = format!(
                    "{} {}",
                    &v["iv"].as_str().unwrap()[..8],
                    &v["iv"].as_str().unwrap()[8..]
                )
                .into()
            }),
            "malformed",
        ),
        (
            "the ciphertext with a line break in it",
            &["REQ-CONTAINER-028"],
            &["Base64url"],
            c.top(&|v| {
                v["ciphertext"] = format!(
                    "{}\n{}",
                    &v["ciphertext"].as_str().unwrap()[..8],
                    &v["ciphertext"].as_str().unwrap()[8..]
                )
                .into()
            }),
            "malformed",
        ),
        (
            "the protected header with a line break in it",
            &["REQ-CONTAINER-010"],
            &["Base64url"],
            c.top(&|v| {
                v["protected"] = format!(
                    "{}\n{}",
                    &v["protected"].as_str().unwrap()[..8],
                    &v["protected"].as_str().unwrap()[8..]
                )
                .into()
            }),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
    let k1 = c.k1.clone();
    let plain = the_payload(Platform::Ios).to_json();
    let mut hand = |header: String, plaintext: &[u8]| {
        with_key(
            &sealed_with_header(&mut c.rng, &k1, "recovery-1", &header, plaintext),
            &c.jwk1,
        )
    };
    let odd_headers: [(&str, &[&str], &str, String, &str); 5] = [
        (
            "generation given twice in the protected header",
            &["REQ-CONTAINER-010"],
            "Repeated",
            header_text("\"generation\":8,\"generation\":7", 0),
            "malformed",
        ),
        (
            "generation written 7.0",
            &["REQ-CONTAINER-016"],
            "Integers",
            header_text("\"generation\":7.0", 0),
            "malformed",
        ),
        (
            "abf_version written 1.0",
            &["REQ-CONTAINER-011"],
            "Integers",
            header_text("\"generation\":7", 0).replace("\"abf_version\":1", "\"abf_version\":1.0"),
            "malformed",
        ),
        (
            "a protected header of 4097 bytes, white space included",
            &["REQ-CONTAINER-010"],
            "Limits",
            header_text(
                "\"generation\":7",
                4097 - header_text("\"generation\":7", 0).len(),
            ),
            "too_large",
        ),
        (
            "a protected header of 4096 bytes, white space included",
            &["REQ-CONTAINER-010"],
            "Limits",
            header_text(
                "\"generation\":7",
                4096 - header_text("\"generation\":7", 0).len(),
            ),
            "",
        ),
    ];
    for (comment, reqs, flag, header, error) in odd_headers {
        let input = hand(header, &plain);
        match error {
            "" => b.valid(comment, reqs, &[flag], input, c_expected()),
            code => b.invalid(comment, reqs, &[flag], input, code),
        }
    }
    for (member, value) in [
        ("backup_id", json!("another-backup")),
        ("generation", json!(8)),
        ("created", json!(1_700_000_001u64)),
    ] {
        let mut payload: Value = serde_json::from_slice(&plain).unwrap();
        payload[member] = value;
        let input = hand(
            header_text("\"generation\":7", 0),
            payload.to_string().as_bytes(),
        );
        b.invalid(
            &format!("the payload's {member} differs from the header's"),
            &["REQ-CONTAINER-040"],
            &["HeaderBinding"],
            input,
            "malformed",
        );
    }
}

/// The normal form of the usual ios payload.
fn c_expected() -> Value {
    normal(&the_payload(Platform::Ios))
}

/// Size limits, checked before anything else.
fn limits(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Size limits (the runner expands the $repeat directive)",
        None,
    );
    b.invalid(
        "a container of 64 MiB and one byte",
        &["REQ-CONTAINER-002"],
        &[],
        json!({ "container": { "$repeat": { "text": " ", "times": 64 * 1024 * 1024 + 1 } }, "key": c.jwk1 }),
        "too_large",
    );
    b.allowing(60_000);
    let room = 64 * 1024 * 1024 - c.single.len();
    b.valid(
        "a container of exactly 64 MiB (white space after the JSON object) opens",
        &["REQ-CONTAINER-002"],
        &["Limits"],
        json!({ "container": { "$concat": [c.single, { "$repeat": { "text": " ", "times": room } }] }, "key": c.jwk1 }),
        c.expected(),
    );
    b.allowing(60_000);
}

/// Decrypted bytes that are not this container's payload.
fn not_the_payload(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Decrypted bytes that are not this container's payload",
        None,
    );
    let android = the_payload(Platform::Android).to_json();
    b.invalid(
        "an android payload under an ios header",
        &["REQ-CONTAINER-040"],
        &["PlatformBinding"],
        with_key(
            &hand_sealed(&mut c.rng, &c.k1, "recovery-1", &android),
            &c.jwk1,
        ),
        "malformed",
    );
    b.invalid(
        "plaintext that is not JSON",
        &["REQ-CONTAINER-040"],
        &[],
        with_key(
            &hand_sealed(&mut c.rng, &c.k1, "recovery-1", b"not json"),
            &c.jwk1,
        ),
        "malformed",
    );
    let mut v2: Value = serde_json::from_slice(&the_payload(Platform::Ios).to_json()).unwrap();
    v2["version"] = 2.into();
    b.invalid(
        "a version 2 payload",
        &["REQ-CONTAINER-040", "REQ-PAYLOAD-002"],
        &[],
        with_key(
            &hand_sealed(&mut c.rng, &c.k1, "recovery-1", v2.to_string().as_bytes()),
            &c.jwk1,
        ),
        "unsupported_version",
    );
}

/// Decrypted bytes that are not UTF-8 JSON text (REQ-PAYLOAD-007): each is the usual
/// payload's text with bytes changed, sealed by hand. Last in the file, so that earlier
/// `tcId`s and containers stay.
fn payload_bytes(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Decrypted bytes that are not UTF-8 JSON text (REQ-PAYLOAD-007)",
        None,
    );
    let usual = the_payload(Platform::Ios).to_json().to_vec();
    // `text` with the first `from` replaced by `to`, bytes that need not be UTF-8.
    let edited = |text: &[u8], from: &str, to: &[u8]| -> Vec<u8> {
        let at = text
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .expect("the text to replace");
        [&text[..at], to, &text[at + from.len()..]].concat()
    };
    let replaced = |from: &str, to: &[u8]| edited(&usual, from, to);
    let mut v2: Value = serde_json::from_slice(&usual).unwrap();
    v2["version"] = 2.into();
    v2["future"] = "XX".into();
    let v2 = v2.to_string();
    let utf16: Vec<u8> = String::from_utf8(usual.clone())
        .unwrap()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let rows: Vec<(&str, Vec<u8>)> = vec![
        (
            "a byte FF (never UTF-8) in an account name",
            replaced("alice@example.com", b"alice\xff@example.com"),
        ),
        (
            "an encoded surrogate (ED A0 80) in an account name",
            replaced("alice@example.com", b"alice\xed\xa0\x80@example.com"),
        ),
        (
            "a byte FF in a placeholder's token, whose value no rule reads",
            replaced(
                "\"name\":\"alice@contoso.com\"",
                b"\"name\":\"alice@contoso.com\",\"token\":\"\xff\"",
            ),
        ),
        (
            "a byte FF in a member of a version 2 payload: not JSON, so not another version",
            edited(v2.as_bytes(), "XX", b"\xff"),
        ),
        (
            "a UTF-8 byte order mark before the payload",
            [&b"\xef\xbb\xbf"[..], &usual].concat(),
        ),
        ("the payload in UTF-16LE, without a byte order mark", utf16),
    ];
    for (comment, plaintext) in rows {
        b.invalid(
            comment,
            &["REQ-CONTAINER-040", "REQ-PAYLOAD-007"],
            &["PayloadBytes"],
            with_key(
                &hand_sealed(&mut c.rng, &c.k1, "recovery-1", &plaintext),
                &c.jwk1,
            ),
            "malformed",
        );
    }
}

/// The container's own JSON text (REQ-CONTAINER-003): escapes decoded before member names and
/// kids are compared, no byte order mark, no lone surrogate or raw control character in a
/// kid. Last in the file, so that earlier `tcId`s stay.
fn container_text(b: &mut Builder, c: &Ctx) {
    b.group(
        "The container's JSON text: RFC 8259 exactly, escapes decoded (REQ-CONTAINER-003)",
        None,
    );
    let once = |from: &str, to: &str| {
        assert_eq!(c.sealed.matches(from).count(), 1, "{from} once");
        with_key(&c.sealed.replace(from, to), &c.jwk1)
    };
    let kid = "\"kid\":\"recovery-1\"";
    b.valid(
        "a member name written with an escape is that member",
        &["REQ-CONTAINER-003"],
        &["JsonText"],
        once("\"protected\"", r#""protect\u0065d""#),
        c.expected(),
    );
    b.valid(
        "the key's kid written with an escape is that kid",
        &["REQ-CONTAINER-003", "REQ-CONTAINER-030"],
        &["JsonText", "KidMatch"],
        once(kid, r#""kid":"recovery\u002d1""#),
        c.expected(),
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "a byte order mark before the container",
            &["REQ-CONTAINER-003"],
            &["JsonText"],
            with_key(&format!("\u{feff}{}", c.sealed), &c.jwk1),
            "malformed",
        ),
        (
            "the key's kid followed by a lone surrogate escape",
            &["REQ-CONTAINER-003"],
            &["JsonText"],
            once(kid, r#""kid":"recovery-1\ud800""#),
            "malformed",
        ),
        (
            "a control character unescaped inside the key's kid",
            &["REQ-CONTAINER-003"],
            &["JsonText"],
            once(kid, "\"kid\":\"recovery-1\u{1}\""),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Inspecting without a key.
fn inspecting(b: &mut Builder, c: &mut Ctx) {
    b.group("Inspecting without a key", Some("container.inspect"));
    b.valid("every header field and recipient", &["REQ-CONTAINER-016", "REQ-CONTAINER-023"], &[], json!({ "container": c.sealed }), json!({
        "platform": "ios", "backup_id": c.payload.meta().backup_id(), "generation": 7, "created": 1_700_000_000u64,
        "recipients": [ { "alg": "A256KW", "kid": "recovery-1", "p2c": null }, { "alg": "A256KW", "kid": "offline-2", "p2c": null }, { "alg": "PBES2-HS512+A256KW", "kid": "passphrase", "p2c": 210000 } ] }));
    b.invalid("alg none, with no key", &["REQ-CONTAINER-020", "REQ-CONTAINER-001"], &["AllowList"], json!({ "container": edit(&c.single, |v| v["recipients"][0]["header"]["alg"] = "none".into()) }), "algorithm_not_allowed");
    b.invalid("p2c 2^31, with no key", &["REQ-CONTAINER-025", "REQ-CONTAINER-001"], &["KdfCost"], json!({ "container": edit(&c.sealed, |v| v["recipients"][2]["header"]["p2c"] = (1u64 << 31).into()) }), "kdf_params_out_of_range");
}

/// Writing a container: judged by opening what was written.
fn sealing(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Writing a container: what the writer wrote is opened and checked",
        Some("container.seal"),
    );
    let canonical = json!({ "version": 1, "platform": "android", "backup_id": "w-1", "generation": 2, "created": 1_700_000_000u64, "accounts": [
        { "id": "gh", "type": "totp", "issuer": "GitHub", "name": "alice", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algorithm": "SHA256", "digits": 8, "period": 60 },
        { "id": "w", "type": "work_school", "name": "alice@contoso.com" } ] });
    let mut typed = canonical.clone();
    typed["accounts"][0]["secret"] = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq".into();
    typed["accounts"][0]["algorithm"] = "sha256".into();
    let seal = |payload: &Value, recipients: Value| json!({ "payload": payload, "recipients": recipients });
    b.valid(
        "a payload given as typed is written in canonical form",
        &[
            "REQ-PAYLOAD-030",
            "REQ-SECRET-006",
            "REQ-CONTAINER-050",
            "REQ-CONTAINER-052",
        ],
        &[],
        seal(&typed, json!([{ "key": c.jwk1 }])),
        json!({ "payload": canonical }),
    );
    sealed_twice(b);
    b.valid(
        "three recipients, a passphrase among them",
        &[
            "REQ-CONTAINER-050",
            "REQ-CONTAINER-051",
            "REQ-CONTAINER-052",
        ],
        &["KdfCost"],
        seal(
            &canonical,
            json!([{ "key": c.jwk1 }, { "key": c.jwk2 }, { "passphrase": PASS, "p2c": 210_000 }]),
        ),
        json!({ "payload": canonical }),
    );
    sealed_twice(b);
    let mut leaky = canonical.clone();
    leaky["accounts"][1]["secret"] = "JBSWY3DPEHPK3PXP".into();
    b.invalid(
        "a placeholder with a secret is not written",
        &["REQ-PAYLOAD-031", "REQ-CONTAINER-054", "REQ-ACCOUNT-011"],
        &[],
        seal(&leaky, json!([{ "key": c.jwk1 }])),
        "secret_in_placeholder",
    );
    b.invalid(
        "a passphrase with 1,000 iterations is not written",
        &["REQ-CONTAINER-051", "REQ-CONTAINER-054"],
        &["KdfCost"],
        seal(&canonical, json!([{ "passphrase": PASS, "p2c": 1000 }])),
        "kdf_params_out_of_range",
    );
    b.invalid(
        "no recipient",
        &["REQ-CONTAINER-054"],
        &[],
        seal(&canonical, json!([])),
        "invalid_parameter",
    );
    let mut off_curve = ec_key();
    off_curve["y"] = EC_KEY_Y_FLIPPED.into();
    off_curve.as_object_mut().unwrap().remove("d");
    b.invalid(
        "an EC public key off the curve is not sealed to",
        &["REQ-CONTAINER-054", "REQ-CONTAINER-060"],
        &["EcPoint"],
        seal(&canonical, json!([{ "key": off_curve }])),
        "invalid_parameter",
    );
    let sixteen: Vec<Value> = (0..16)
        .map(|i| json!({ "key": oct(&format!("k{i}"), &[i as u8 + 1; 32]) }))
        .collect();
    b.valid(
        "16 recipients, the most a container has",
        &["REQ-CONTAINER-004", "REQ-CONTAINER-054"],
        &["Limits"],
        seal(&canonical, Value::Array(sixteen)),
        json!({ "payload": canonical }),
    );
    sealed_twice(b);
    b.invalid(
        "two recipients with one kid",
        &["REQ-CONTAINER-052", "REQ-CONTAINER-054"],
        &[],
        seal(&canonical, json!([{ "key": c.jwk1 }, { "key": c.jwk3 }])),
        "invalid_parameter",
    );
    let many: Vec<Value> = (0..17)
        .map(|i| json!({ "key": oct(&format!("k{i}"), &[i as u8; 32]) }))
        .collect();
    b.invalid(
        "17 recipients",
        &["REQ-CONTAINER-004", "REQ-CONTAINER-054"],
        &[],
        seal(&canonical, Value::Array(many)),
        "too_large",
    );
    let mut leaky_17: Vec<Value> = (0..17)
        .map(|i| json!({ "key": oct(&format!("k{i}"), &[i as u8; 32]) }))
        .collect();
    leaky_17.push(json!({ "passphrase": PASS, "p2c": 1000 }));
    let order: [(&str, Value, &str); 4] = [
        (
            "a placeholder with a secret and no recipient: the payload first",
            seal(&leaky, json!([])),
            "secret_in_placeholder",
        ),
        (
            "no recipient, and nothing else wrong",
            seal(&canonical, json!([])),
            "invalid_parameter",
        ),
        (
            "17 recipients, one a passphrase with 1,000 iterations: the count first",
            seal(&canonical, Value::Array(leaky_17)),
            "too_large",
        ),
        (
            "a passphrase with 1,000 iterations before two recipients with one kid",
            seal(
                &canonical,
                json!([{ "key": c.jwk1 }, { "passphrase": PASS, "p2c": 1000 }, { "key": c.jwk3 }]),
            ),
            "kdf_params_out_of_range",
        ),
    ];
    for (comment, input, error) in order {
        b.invalid(
            comment,
            &["REQ-CONTAINER-054"],
            &["WriterOrder"],
            input,
            error,
        );
    }
    let mut ec_kidless = ec_key();
    ec_kidless.as_object_mut().unwrap().remove("kid");
    let alone: [(&str, &[&str], Value); 4] = [
        ("a single passphrase recipient: p2s and p2c in its recipient header, not the protected one", &["REQ-CONTAINER-050", "REQ-CONTAINER-051"], json!([{ "passphrase": PASS, "p2c": 210_000 }])),
        ("a single EC recipient (ECDH-ES+A256KW): epk in its recipient header, not the protected one", &["REQ-CONTAINER-050", "REQ-CONTAINER-052", "REQ-CONTAINER-060"], json!([{ "key": ec_key() }])),
        ("a key without a kid: the recipient's kid is the key's RFC 7638 thumbprint", &["REQ-CONTAINER-052"], json!([{ "key": { "kty": "oct", "k": BASE64URL_NOPAD.encode(&c.k1) } }])),
        ("an EC key without a kid: the recipient's kid is its RFC 7638 thumbprint (crv, kty, x, y)", &["REQ-CONTAINER-052"], json!([{ "key": ec_kidless }])),
    ];
    for (comment, reqs, recipients) in alone {
        b.valid(
            comment,
            reqs,
            &[],
            seal(&canonical, recipients),
            json!({ "payload": canonical }),
        );
        sealed_twice(b);
    }
}

/// Marks the newest case as judged by opening what was written, sent twice: two seals of one
/// request must not share a content key, IV, salt or ephemeral key (REQ-CONTAINER-050).
fn sealed_twice(b: &mut Builder) {
    b.checked_by("sealed");
    b.called(2);
}

/// The x and y of a point of P-256 (that of [`ec_key`]).
pub(crate) fn ec_point() -> (&'static str, &'static str) {
    (
        "DXv6DMo3rzyIr1adh1v4D5fvpKAk0kWiFZovPObzirE",
        "EaTDqumo9eYkWZLVQdUbsR9S7R_jusnGVRvcphq45dk",
    )
}

/// The public part of an EC JWK, as an `epk`.
fn ec_public(jwk: &Value) -> Value {
    json!({ "kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"] })
}

/// The field prime p of P-256, unpadded base64url of its 32 big-endian bytes: as a coordinate
/// it is at or above p (and is 0 once reduced modulo p).
const P256_PRIME: &str = "_____wAAAAEAAAAAAAAAAAAAAAD_______________8";

/// The y of the P-256 point whose x is 0: the square root of the curve's b below p, with
/// y² ≡ b (mod p), computed independently (p ≡ 3 mod 4, so y = b^((p+1)/4) mod p).
const Y_AT_X0: &str = "ZkhceA4vg9ckM71dhKBrtlQcKvMdrocXKL-FahdPk_Q";

/// `y` of [`ec_key`] with its lowest bit flipped: (x, y ± 1) is never on the curve, whose
/// points with that x are (x, y) and (x, p − y).
const EC_KEY_Y_FLIPPED: &str = "EaTDqumo9eYkWZLVQdUbsR9S7R_jusnGVRvcphq45dg";

/// A fixed EC P-256 key pair for `ECDH-ES+A256KW` (drawn once, kept here so that cases can be
/// reproduced).
pub(crate) fn ec_key() -> Value {
    json!({ "kty": "EC", "crv": "P-256", "use": "enc", "alg": "ECDH-ES+A256KW",
        "kid": "9nqGpuC2Btb4_kefOWurZdXwSm4pwmu0vnJP4tmGZxM",
        "x": "DXv6DMo3rzyIr1adh1v4D5fvpKAk0kWiFZovPObzirE", "y": "EaTDqumo9eYkWZLVQdUbsR9S7R_jusnGVRvcphq45dk",
        "d": "4-MT-FLnC-iIEtiJzuZX69ik2SBdzv39Qf9EIm74jSg" })
}

/// A container sealed to [`ec_key`] (its ephemeral key drawn at random once, by the
/// reference), kept as it was written: the generator checks that it still opens.
const ECDH_CONTAINER: &str = include_str!("ecdh-container.json");

/// What is allowed exactly at the limits, and ECDH-ES+A256KW opened for real.
fn at_the_limits(b: &mut Builder, c: &mut Ctx) {
    b.group("At the limits, and a recovery key pair", None);
    let ecdh = ECDH_CONTAINER.trim();
    let key = Credential::Key(RecoveryKey::from_jwk_json(ec_key().to_string().as_bytes()).unwrap());
    let opened = container::open(ecdh.as_bytes(), &key).expect("the ECDH-ES container still opens");
    assert_eq!(normal(&opened.payload), c.expected());
    b.valid(
        "an ECDH-ES+A256KW container opened with its EC key pair",
        &[
            "REQ-CONTAINER-026",
            "REQ-CONTAINER-030",
            "REQ-CONTAINER-060",
        ],
        &[],
        with_key(ecdh, &ec_key()),
        c.expected(),
    );
    let keys: Vec<(String, Vec<u8>)> = (0..16)
        .map(|i| (format!("k{i}"), c.rng.bytes(32)))
        .collect();
    let sixteen = sealed_to_all(&mut c.rng, &keys);
    b.valid(
        "16 recipients, opened by the last",
        &["REQ-CONTAINER-004"],
        &["Limits"],
        with_key(&sixteen, &oct("k15", &keys[15].1)),
        c.expected(),
    );
    let kid = "k".repeat(128);
    let long_kid = sealed_to_all(&mut c.rng, &[(kid.clone(), c.k1.clone())]);
    b.valid(
        "a kid of 128 bytes",
        &["REQ-CONTAINER-023"],
        &["Limits"],
        with_key(&long_kid, &oct(&kid, &c.k1)),
        c.expected(),
    );
}

/// The key is checked before the container (REQ-CONTAINER-061).
fn key_first(b: &mut Builder, c: &Ctx) {
    b.group("The key is checked before the container", None);
    let mut public = ec_key();
    public.as_object_mut().unwrap().remove("d");
    let rsa = json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB" });
    let mut off_curve = ec_key();
    off_curve["y"] = EC_KEY_Y_FLIPPED.into();
    let mut at_prime = ec_key();
    at_prime["x"] = P256_PRIME.into();
    at_prime["y"] = Y_AT_X0.into();

    let rows: Vec<Refused<'_>> = vec![
        (
            "an EC public key (no d) for the container's ECDH recipient",
            &["REQ-CONTAINER-061"],
            &[],
            with_key(
                &edit(&c.with_ecdh, |v| {
                    v["recipients"][1]["header"]["kid"] = public["kid"].clone()
                }),
                &public,
            ),
            "invalid_parameter",
        ),
        (
            "an EC public key (no d) whose kid no recipient has",
            &["REQ-CONTAINER-061"],
            &[],
            with_key(&c.single, &public),
            "invalid_parameter",
        ),
        (
            "an EC public key and a container that is not JSON",
            &["REQ-CONTAINER-061"],
            &[],
            with_key("not json", &public),
            "invalid_parameter",
        ),
        (
            "an RSA key and a container that is not JSON",
            &["REQ-CONTAINER-061", "REQ-CONTAINER-060"],
            &[],
            with_key("not json", &rsa),
            "invalid_parameter",
        ),
        (
            "an EC key pair whose x and y are off the curve, for the container's ECDH recipient",
            &["REQ-CONTAINER-061", "REQ-CONTAINER-060"],
            &["EcPoint"],
            with_key(
                &edit(&c.with_ecdh, |v| {
                    v["recipients"][1]["header"]["kid"] = off_curve["kid"].clone()
                }),
                &off_curve,
            ),
            "invalid_parameter",
        ),
        (
            "an EC key whose x is p (not below the prime)",
            &["REQ-CONTAINER-061", "REQ-CONTAINER-060"],
            &["EcPoint"],
            with_key(&c.with_ecdh, &at_prime),
            "invalid_parameter",
        ),
        (
            "an RSA key and a container naming alg none",
            &["REQ-CONTAINER-061", "REQ-CONTAINER-060"],
            &[],
            with_key(
                &edit(&c.single, |v| {
                    v["recipients"][0]["header"]["alg"] = "none".into()
                }),
                &rsa,
            ),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// Two faults in one container: the code of the check REQ-CONTAINER-001 runs first.
fn reader_order(b: &mut Builder, c: &Ctx) {
    b.group(
        "Two faults: the first check in spec order decides the code",
        None,
    );
    let short = BASE64URL_NOPAD.encode(&[0u8; 11]);
    let rows: Vec<Refused<'_>> = vec![
        (
            "a recipient with alg none and an 11-byte IV: the recipient first",
            &["REQ-CONTAINER-001", "REQ-CONTAINER-020", "REQ-CONTAINER-028"],
            &["ReaderOrder"],
            c.top(&|v| {
                v["recipients"][0]["header"]["alg"] = "none".into();
                v["iv"] = short.clone().into();
            }),
            "algorithm_not_allowed",
        ),
        (
            "a passphrase recipient with p2c 2^31 and a 15-byte tag: the recipient first",
            &["REQ-CONTAINER-001", "REQ-CONTAINER-025", "REQ-CONTAINER-028"],
            &["ReaderOrder", "KdfCost"],
            json!({ "container": edit(&c.sealed, |v| {
                v["recipients"][2]["header"]["p2c"] = (1u64 << 31).into();
                v["tag"] = BASE64URL_NOPAD.encode(&[0u8; 15]).into();
            }), "passphrase": PASS }),
            "kdf_params_out_of_range",
        ),
        (
            "zip in the protected header and a recipient with alg none: the header first",
            &["REQ-CONTAINER-001", "REQ-CONTAINER-012", "REQ-CONTAINER-020"],
            &["ReaderOrder"],
            with_key(
                &edit(
                    &protected(&c.single, |h| {
                        h.insert("zip".into(), "DEF".into());
                    }),
                    |v| v["recipients"][0]["header"]["alg"] = "none".into(),
                ),
                &c.jwk1,
            ),
            "algorithm_not_allowed",
        ),
        (
            "a protected header that is not base64url and a recipient with alg none: the header first",
            &["REQ-CONTAINER-001", "REQ-CONTAINER-010", "REQ-CONTAINER-020"],
            &["ReaderOrder"],
            c.top(&|v| {
                v["protected"] = "e30=".into();
                v["recipients"][0]["header"]["alg"] = "none".into();
            }),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Removing a recipient without re-encrypting (`container.remove_recipient`).
fn removing_recipients(b: &mut Builder, c: &Ctx) {
    b.group(
        "Removing a recipient without re-encrypting",
        Some("container.remove_recipient"),
    );
    let remove = |container: &str, kid: &str| json!({ "container": container, "kid": kid });
    b.valid(
        "the second key is removed; the others, the protected header, IV, ciphertext and tag stay",
        &["REQ-CONTAINER-053"],
        &[],
        remove(&c.sealed, "offline-2"),
        json!({ "opens": [c.jwk1] }),
    );
    b.checked_by("recipient_removed");
    b.valid(
        "the passphrase recipient is removed",
        &["REQ-CONTAINER-053"],
        &[],
        remove(&c.sealed, "passphrase"),
        json!({ "opens": [c.jwk1, c.jwk2] }),
    );
    b.checked_by("recipient_removed");
    let rows: Vec<Refused<'_>> = vec![
        (
            "the last recipient cannot be removed",
            &["REQ-CONTAINER-053"],
            &[],
            remove(&c.single, "recovery-1"),
            "invalid_parameter",
        ),
        (
            "a kid the container does not have",
            &["REQ-CONTAINER-053"],
            &[],
            remove(&c.sealed, "someone-else"),
            "invalid_parameter",
        ),
        (
            "a kid in another letter case is another kid",
            &["REQ-CONTAINER-053", "REQ-CONTAINER-030"],
            &["KidMatch"],
            remove(&c.sealed, "Offline-2"),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// The usual ios payload (generation 7) sealed to every `(kid, key)` of `keys`, in order.
fn sealed_to_all(rng: &mut Rng, keys: &[(String, Vec<u8>)]) -> String {
    let pairs: Vec<(&str, &[u8])> = keys
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    let header = header_text("\"generation\":7", 0);
    sealed_for(rng, &pairs, &header, &the_payload(Platform::Ios).to_json())
}

/// A `container.add_recipient` request.
fn adding(container: &str, key: &Value, new: &Value) -> Value {
    json!({ "container": container, "key": key, "new_key": new })
}

/// Adding a recipient without re-encrypting.
fn adding_recipients(b: &mut Builder, c: &mut Ctx) {
    b.group(
        "Adding a recipient without re-encrypting",
        Some("container.add_recipient"),
    );
    b.valid(
        "a second key is added; protected header, IV, ciphertext and tag stay",
        &["REQ-CONTAINER-053"],
        &[],
        adding(&c.single, &c.jwk1, &c.jwk2),
        json!({}),
    );
    b.checked_by("recipient_added");
    b.invalid(
        "only a key that opens the container can add one",
        &["REQ-CONTAINER-053"],
        &["Tamper"],
        adding(&c.single, &c.jwk3, &c.jwk2),
        "decryption_failed",
    );
    b.invalid(
        "a tampered container is not vouched for",
        &["REQ-CONTAINER-053"],
        &["Tamper"],
        adding(
            &edit(&c.single, |v| flip_b64(v, "ciphertext")),
            &c.jwk1,
            &c.jwk2,
        ),
        "decryption_failed",
    );
    b.invalid(
        "a kid already present",
        &["REQ-CONTAINER-053"],
        &[],
        adding(&c.single, &c.jwk1, &c.jwk1),
        "invalid_parameter",
    );
}
