//! Code generation: the reference against totp-rs and against the floor (exactly two calls of
//! the hash's compression function, the least an HMAC over an 8-byte counter can cost with
//! precomputed pads: `authbackup_conformance::bench::floor_code`), per code and for 10,000
//! accounts at one time step; and verification with a window of one step on each side.

use std::hint::black_box;

use authbackup::otp::{codes_at, Algorithm, Digits, Totp, TotpParams};
use authbackup_benches::secret;
use authbackup_conformance::bench::floor_code;

use criterion::{criterion_group, criterion_main, Criterion};

fn seed(alg: Algorithm) -> Vec<u8> {
    let n = match alg {
        Algorithm::Sha1 => 20,
        Algorithm::Sha256 => 32,
        Algorithm::Sha512 => 64,
    };
    b"1234567890".iter().copied().cycle().take(n).collect()
}

fn one_code(c: &mut Criterion, name: &str, alg: Algorithm, peer_alg: totp_rs::Algorithm) {
    let key = seed(alg);
    let reference = Totp::new(
        &authbackup::Secret::from_bytes(key.clone()).unwrap(),
        TotpParams {
            algorithm: alg,
            digits: Digits::SIX,
            period: authbackup::otp::DEFAULT_PERIOD,
            t0: 0,
        },
    );
    let peer = totp_rs::TOTP::new_unchecked(peer_alg, 6, 1, 30, key);
    let mut g = c.benchmark_group(name);
    let mut t = 1_700_000_000u64;
    g.bench_function("reference", |b| {
        b.iter(|| {
            t += 30;
            black_box(reference.code_at(black_box(t)).unwrap())
        })
    });
    g.bench_function("totp-rs", |b| {
        b.iter(|| {
            t += 30;
            black_box(peer.generate(black_box(t)))
        })
    });
    g.bench_function("floor", |b| {
        let mut counter = 0u64;
        b.iter(|| {
            counter += 1;
            black_box(floor_code(alg, black_box(counter)))
        })
    });
    g.finish();
}

fn totp_single(c: &mut Criterion) {
    one_code(c, "totp_sha1", Algorithm::Sha1, totp_rs::Algorithm::SHA1);
    one_code(
        c,
        "totp_sha256",
        Algorithm::Sha256,
        totp_rs::Algorithm::SHA256,
    );
    one_code(
        c,
        "totp_sha512",
        Algorithm::Sha512,
        totp_rs::Algorithm::SHA512,
    );
}

fn totp_batch(c: &mut Criterion) {
    let n = 10_000;
    let reference: Vec<Totp> = (0..n)
        .map(|i| Totp::new(&secret(i), TotpParams::default()))
        .collect();
    let peers: Vec<totp_rs::TOTP> = (0..n)
        .map(|i| {
            totp_rs::TOTP::new_unchecked(
                totp_rs::Algorithm::SHA1,
                6,
                1,
                30,
                secret(i).expose_bytes().to_vec(),
            )
        })
        .collect();
    let mut g = c.benchmark_group("totp_batch_10k");
    let mut out = Vec::with_capacity(n);
    g.bench_function("reference", |b| {
        b.iter(|| {
            codes_at(&reference, black_box(1_700_000_000), &mut out).unwrap();
            black_box(out.len())
        })
    });
    g.bench_function("totp-rs", |b| {
        b.iter(|| {
            let codes: Vec<String> = peers
                .iter()
                .map(|p| p.generate(black_box(1_700_000_000)))
                .collect();
            black_box(codes)
        })
    });
    g.finish();
}

/// Verification with a window of ±1 (the common server case: three codes), of a candidate that
/// matches no step (the reference computes every step anyway; totp-rs stops at a match, so a
/// miss is its slowest case): the reference, totp-rs's `check` (skew 1), and three codes' floor.
fn totp_verify_w1(c: &mut Criterion) {
    let key = seed(Algorithm::Sha1);
    let reference = Totp::new(
        &authbackup::Secret::from_bytes(key.clone()).unwrap(),
        TotpParams::default(),
    );
    let peer = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, key);
    let mut g = c.benchmark_group("totp_verify_w1");
    let mut t = 1_700_000_000u64;
    // Six digits, so both verifiers compute every step; it matches one of the three steps
    // once in about 333,000 iterations, which cannot move a median.
    let candidate = "000000";
    g.bench_function("reference", |b| {
        b.iter(|| {
            t += 30;
            black_box(
                reference
                    .verify(black_box(candidate), black_box(t), 1)
                    .unwrap(),
            )
        })
    });
    g.bench_function("totp-rs", |b| {
        b.iter(|| {
            t += 30;
            black_box(peer.check(black_box(candidate), black_box(t)))
        })
    });
    g.bench_function("floor", |b| {
        let mut counter = 0u64;
        b.iter(|| {
            counter += 3;
            for k in 0..3 {
                black_box(floor_code(Algorithm::Sha1, black_box(counter + k)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, totp_single, totp_batch, totp_verify_w1);
criterion_main!(benches);
