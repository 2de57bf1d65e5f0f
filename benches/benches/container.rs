//! Container open and seal at growing sizes, against `container_floor`: base64url decoding
//! and AES-256-GCM decryption of the same ciphertext and a JSON pass over the plaintext that
//! only validates (`serde::de::IgnoredAny`), the least `container_open` can cost. Beside it
//! `container_floor_typed`: the same, but the JSON pass reads each account into a struct of
//! borrowed strings through serde's derived deserialisation (no checks, no copies), the least
//! a reader built on serde's typed deserialisation can cost. `container_floor_checked` adds
//! to that read the work the format asks of every reader, each step in its least costly form
//! (one hash set of ids, the texts copied into one buffer, secrets decoded in place, the
//! plaintext wiped): what a reader on serde that keeps the accounts cannot do without. And one
//! passphrase container at the minimum p2c.

use std::collections::HashSet;
use std::hint::black_box;

use authbackup::account::{check_id, check_issuer, check_name, AccountType, CodeParams};
use authbackup::container::{self, limits::P2C_MIN, Credential, Passphrase};
use authbackup::payload::Payload;
use authbackup::secret::Secret;
use authbackup_benches::{key, payload};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use data_encoding::BASE64URL_NOPAD;
use josekit::jwe::JweContentEncryption;
use serde::de::IgnoredAny;
use serde::Deserialize;
use zeroize::Zeroizing;

/// The payload as `container_floor_typed` reads it: every member, borrowed. Plain `&str`,
/// not `Cow`: serde borrows a `Cow` only outside an `Option`, and inside one it would copy
/// every optional text. (The bench's payload has no escapes, which `&str` could not take.)
#[derive(Deserialize)]
struct BorrowedPayload<'a> {
    #[serde(rename = "version")]
    _version: u64,
    #[serde(rename = "platform")]
    _platform: &'a str,
    #[serde(rename = "backup_id")]
    _backup_id: &'a str,
    #[serde(rename = "generation")]
    _generation: u64,
    #[serde(rename = "created")]
    _created: u64,
    #[serde(borrow)]
    accounts: Vec<BorrowedAccount<'a>>,
}

/// One account as `container_floor_typed` reads it.
#[derive(Deserialize)]
struct BorrowedAccount<'a> {
    #[serde(rename = "id")]
    _id: &'a str,
    #[serde(rename = "type")]
    _type: &'a str,
    #[serde(default, rename = "issuer")]
    _issuer: Option<&'a str>,
    #[serde(rename = "name")]
    _name: &'a str,
    #[serde(default, rename = "secret")]
    _secret: Option<&'a str>,
    #[serde(default, rename = "algorithm")]
    _algorithm: Option<&'a str>,
    #[serde(default, rename = "digits")]
    _digits: Option<u64>,
    #[serde(default, rename = "period")]
    _period: Option<u64>,
}

/// Seals with a content key of 32 bytes of 1 (the fill's first draw), so the floor can
/// decrypt without the key wrap.
fn sealed(n: usize) -> (Vec<u8>, Payload) {
    let p = payload(n);
    let mut first = true;
    let bytes = container::seal_with_randomness(&p, &[key()], &mut |buf: &mut [u8]| {
        buf.fill(if first { 1 } else { 2 });
        first = false;
    })
    .unwrap();
    (bytes, p)
}

fn open_seal_parts(c: &mut Criterion) {
    let sizes = [10usize, 1_000, 10_000];
    let prepared: Vec<(usize, Vec<u8>, Payload)> = sizes
        .iter()
        .map(|&n| {
            let (b, p) = sealed(n);
            (n, b, p)
        })
        .collect();
    // The key is parsed from its JWK once, outside the timing, as an app does.
    let key = key();
    let mut g = c.benchmark_group("container_open");
    for (n, bytes, _) in &prepared {
        g.bench_with_input(BenchmarkId::from_parameter(n), bytes, |b, bytes| {
            b.iter(|| black_box(container::open(bytes, &key).unwrap()))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("container_seal");
    for (n, _, p) in &prepared {
        g.bench_with_input(BenchmarkId::from_parameter(n), p, |b, p| {
            b.iter(|| black_box(container::seal(p, std::slice::from_ref(&key)).unwrap()))
        });
    }
    g.finish();
    floor(c, "container_floor", &prepared, |plain| {
        // A JSON pass that only validates: no typed values, no allocation per member.
        black_box(serde_json::from_slice::<IgnoredAny>(&plain).unwrap());
    });
    floor(c, "container_floor_typed", &prepared, |plain| {
        let text = std::str::from_utf8(&plain).unwrap();
        let payload: BorrowedPayload<'_> = serde_json::from_str(text).unwrap();
        black_box(payload.accounts.len());
    });
    floor(c, "container_floor_checked", &prepared, |plain| {
        let plain = Zeroizing::new(plain);
        let text = std::str::from_utf8(&plain).unwrap();
        let payload: BorrowedPayload<'_> = serde_json::from_str(text).unwrap();
        black_box(checked(&payload.accounts));
    });
}

/// What every reader must do with the accounts it read, each step in its least costly form:
/// every account's rules checked, secrets decoded, ids checked for repeats, and the texts
/// kept (copied into one buffer).
fn checked(accounts: &[BorrowedAccount<'_>]) -> (String, Vec<Secret>) {
    let mut texts = String::new();
    let mut secrets = Vec::with_capacity(accounts.len());
    let mut ids = HashSet::with_capacity(accounts.len());
    for a in accounts {
        check_id(a._id).unwrap();
        AccountType::from_name(a._type).unwrap();
        if let Some(issuer) = a._issuer {
            check_issuer(issuer).unwrap();
            texts.push_str(issuer);
        }
        check_name("account name", a._name).unwrap();
        if let Some(secret) = a._secret {
            secrets.push(Secret::from_base32(secret).unwrap());
            CodeParams::from_optional(a._algorithm, a._digits, a._period).unwrap();
        }
        assert!(ids.insert(a._id));
        texts.push_str(a._id);
        texts.push_str(a._name);
    }
    (texts, secrets)
}

/// A floor group: base64url decoding and AES-256-GCM decryption of each prepared
/// container's ciphertext, then `json_pass` over the plaintext (its to keep or drop).
fn floor(
    c: &mut Criterion,
    group: &str,
    prepared: &[(usize, Vec<u8>, Payload)],
    json_pass: impl Fn(Vec<u8>),
) {
    let mut g = c.benchmark_group(group);
    for (n, bytes, _) in prepared {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let part = |name: &str| v[name].as_str().unwrap().to_string();
        let (ct, iv, tag, aad) = (
            part("ciphertext"),
            part("iv"),
            part("tag"),
            part("protected"),
        );
        let (iv, tag) = (
            BASE64URL_NOPAD.decode(iv.as_bytes()).unwrap(),
            BASE64URL_NOPAD.decode(tag.as_bytes()).unwrap(),
        );
        g.bench_with_input(BenchmarkId::from_parameter(n), &ct, |b, ct| {
            b.iter(|| {
                let ciphertext = BASE64URL_NOPAD.decode(ct.as_bytes()).unwrap();
                let plain = josekit::jwe::enc::A256GCM
                    .decrypt(
                        &[1u8; 32],
                        Some(&iv),
                        &ciphertext,
                        aad.as_bytes(),
                        Some(&tag),
                    )
                    .unwrap();
                json_pass(plain)
            })
        });
    }
    g.finish();
}

fn pbes2(c: &mut Criterion) {
    let pass = Credential::Passphrase(
        Passphrase::new(b"correct horse battery staple")
            .unwrap()
            .with_iterations(P2C_MIN.into())
            .unwrap(),
    );
    let bytes = container::seal(&payload(10), std::slice::from_ref(&pass)).unwrap();
    let mut g = c.benchmark_group("pbes2_open");
    g.sample_size(10);
    g.bench_function("p2c_min", |b| {
        b.iter(|| black_box(container::open(&bytes, &pass).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, open_seal_parts, pbes2);
criterion_main!(benches);
