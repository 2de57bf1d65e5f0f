//! Code generation: the reference against totp-rs and against the floor (exactly two calls of
//! the hash's compression function, the least an HMAC over an 8-byte counter can cost with
//! precomputed pads), per code and for 10,000 accounts at one time step.

use std::hint::black_box;

use authbackup::otp::{codes_at, Algorithm, Digits, Totp, TotpParams};
use authbackup_benches::secret;
use std::slice;

use criterion::{criterion_group, criterion_main, Bencher, Criterion};
use sha1::digest::generic_array::GenericArray;

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
    g.bench_function("floor", |b| match alg {
        Algorithm::Sha1 => floor(b, SHA1_IV, |s, blk: &[u8; 64]| {
            sha1::compress(s, slice::from_ref(GenericArray::from_slice(blk)))
        }),
        Algorithm::Sha256 => floor(b, SHA256_IV, |s, blk: &[u8; 64]| {
            sha2::compress256(s, slice::from_ref(GenericArray::from_slice(blk)))
        }),
        Algorithm::Sha512 => floor(b, SHA512_IV, |s, blk: &[u8; 128]| {
            sha2::compress512(s, slice::from_ref(GenericArray::from_slice(blk)))
        }),
    });
    g.finish();
}

const SHA1_IV: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];
const SHA512_IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

/// A state word written big-endian into a block.
trait Word: Copy {
    fn put(self, out: &mut [u8]);
}

impl Word for u32 {
    fn put(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_be_bytes());
    }
}

impl Word for u64 {
    fn put(self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_be_bytes());
    }
}

/// The floor for one code: exactly two compression-function calls and the data movement one
/// code cannot avoid: the counter into the first block (a new one for every code) and the
/// first call's output into the second block. No key setup, no truncation.
fn floor<W: Word, const S: usize, const B: usize>(
    b: &mut Bencher<'_>,
    iv: [W; S],
    compress: impl Fn(&mut [W; S], &[u8; B]),
) {
    let mut counter = 0u64;
    b.iter(|| {
        counter += 1;
        let mut block = [0u8; B];
        block[..8].copy_from_slice(&black_box(counter).to_be_bytes());
        let mut inner = black_box(iv);
        compress(&mut inner, &block);
        let mut block = [0u8; B];
        let width = std::mem::size_of::<W>();
        for (chunk, w) in block.chunks_exact_mut(width).zip(inner) {
            w.put(chunk);
        }
        let mut outer = black_box(iv);
        compress(&mut outer, &block);
        black_box(outer)
    })
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

criterion_group!(benches, totp_single, totp_batch);
criterion_main!(benches);
