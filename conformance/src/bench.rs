//! `authbackup-conformance bench`: an implementation's code generation timed by itself
//! (`totp.batch_timed`), beside the reference's in process and the floor of two compression
//! calls, per algorithm, every code checked; and its throughput through the adapter protocol
//! (`totp.batch`) beside the reference adapter's.

use std::hint::black_box;
use std::slice;
use std::time::{Duration, Instant};

use authbackup::otp::{codes_at, Algorithm, Digits, Totp, TotpParams};
use authbackup::Secret;
use serde_json::{json, Value};
use sha1::digest::generic_array::GenericArray;

use crate::generate::Rng;
use crate::implementation::{Answer, Implementation};
use crate::reference::Reference;

/// One implementation's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    /// Codes generated and checked.
    pub codes: u64,
    /// Time spent: in requests (`totp.batch`), or inside the implementation's own code as it
    /// reports it (`totp.batch_timed`).
    pub elapsed: Duration,
    /// Codes that differed from the reference's.
    pub wrong: u64,
}

impl Throughput {
    /// Codes per second.
    pub fn per_second(&self) -> f64 {
        self.codes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Nanoseconds per code.
    pub fn ns_per_code(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / (self.codes.max(1) as f64)
    }
}

/// Runs the whole comparison for each of `algorithms` and writes it with `print`: the
/// implementation's own time per code (`totp.batch_timed`) beside the reference's in process
/// and the floor, then both adapters' throughput through the protocol (`totp.batch`). False
/// when any code was wrong.
pub fn compare(
    impl_cmd: &str,
    reference_cmd: &str,
    algorithms: &[Algorithm],
    accounts: usize,
    seconds: f64,
    print: &mut dyn FnMut(String),
) -> Result<bool, String> {
    let start = |cmd: &str| crate::process::Process::new(cmd, Duration::from_secs(60));
    let (mut implementation, mut reference) = (start(impl_cmd), start(reference_cmd));
    let mut correct = true;
    for &alg in algorithms {
        let name = alg.name();
        print(format!(
            "{name}: nanoseconds per code, timed inside each (batches of {accounts})"
        ));
        match measure(
            &mut implementation,
            "totp.batch_timed",
            name,
            accounts,
            seconds,
        )? {
            Some(t) => {
                correct &= t.wrong == 0;
                print(format!(
                    "  implementation   {:>9.1} ns  ({} codes checked, {} wrong)",
                    t.ns_per_code(),
                    t.codes,
                    t.wrong
                ));
            }
            None => print("  implementation   (does not answer totp.batch_timed)".into()),
        }
        let reference_ns = reference_ns_per_code(alg, accounts, seconds);
        print(format!(
            "  reference        {reference_ns:>9.1} ns  (in process)"
        ));
        let floor = floor_ns_per_code(alg, seconds);
        print(format!(
            "  floor            {floor:>9.1} ns  (two compression-function calls)"
        ));
        print(format!(
            "{name}: codes per second through the adapter protocol (totp.batch)"
        ));
        for (label, adapter) in [
            ("implementation", &mut implementation),
            ("reference adapter", &mut reference),
        ] {
            let t = measure(adapter, "totp.batch", name, accounts, seconds)?
                .ok_or_else(|| format!("the {label} does not answer totp.batch"))?;
            correct &= t.wrong == 0;
            print(format!(
                "  {label:<17}{:>10.0}/s  ({} codes checked, {} wrong)",
                t.per_second(),
                t.codes,
                t.wrong
            ));
        }
    }
    Ok(correct)
}

/// The secrets of a benchmark batch (20 random bytes each, fixed seed), as hex.
fn secrets(accounts: usize) -> Vec<Value> {
    let mut rng = Rng::new(0xBE4C);
    (0..accounts)
        .map(|_| data_encoding::HEXLOWER.encode(&rng.bytes(20)).into())
        .collect()
}

/// Sends `operation` (`totp.batch` or `totp.batch_timed`) with batches of `accounts` secrets at
/// successive time steps for about `seconds`, checking every code against the reference.
/// `None` when the implementation answers `unsupported`. For `totp.batch_timed` the time is the
/// nanoseconds the implementation reports, for `totp.batch` the time of the requests.
pub fn measure(
    implementation: &mut dyn Implementation,
    operation: &str,
    algorithm: &str,
    accounts: usize,
    seconds: f64,
) -> Result<Option<Throughput>, String> {
    let secrets = secrets(accounts);
    let mut result = Throughput {
        codes: 0,
        elapsed: Duration::ZERO,
        wrong: 0,
    };
    let (mut time, started) = (1_700_000_000u64, Instant::now());
    while started.elapsed().as_secs_f64() < seconds {
        time += 30;
        let input = json!({ "algorithm": algorithm, "digits": 6, "period": 30, "time": time, "secrets": secrets });
        let start = Instant::now();
        let answer = implementation.call(operation, &input);
        let took = start.elapsed();
        let got = match answer {
            Answer::Ok(v) => v,
            Answer::Unsupported => return Ok(None),
            other => return Err(format!("{operation} failed: {other:?}")),
        };
        result.elapsed += match operation {
            "totp.batch_timed" => Duration::from_nanos(got["ns"].as_u64().ok_or_else(|| {
                format!("{operation}: the answer has no \"ns\" (nanoseconds) integer")
            })?),
            _ => took,
        };
        let Answer::Ok(expected) = Reference.call("totp.batch", &input) else {
            return Err("the reference refused the batch".into());
        };
        let (got, expected) = (
            got["codes"].as_array().cloned().unwrap_or_default(),
            expected["codes"].as_array().cloned().unwrap_or_default(),
        );
        result.codes += expected.len() as u64;
        result.wrong += expected
            .iter()
            .enumerate()
            .filter(|(i, e)| got.get(*i) != Some(*e))
            .count() as u64;
    }
    Ok(Some(result))
}

/// The reference's own nanoseconds per code, in process (`otp::codes_at` over `accounts`
/// prepared generators), measured for about `seconds`.
pub fn reference_ns_per_code(algorithm: Algorithm, accounts: usize, seconds: f64) -> f64 {
    let mut rng = Rng::new(0xBE4C);
    let params = TotpParams {
        algorithm,
        digits: Digits::SIX,
        ..TotpParams::default()
    };
    let generators: Vec<Totp> = (0..accounts)
        .map(|_| {
            Totp::new(
                &Secret::from_bytes(rng.bytes(20)).expect("20 bytes"),
                params,
            )
        })
        .collect();
    let mut out = Vec::with_capacity(accounts);
    per_code(seconds, accounts, |time| {
        codes_at(&generators, black_box(time), &mut out).expect("times after T0");
        black_box(out.len());
    })
}

/// The floor's nanoseconds per code, measured for about `seconds`: see [`floor_code`].
pub fn floor_ns_per_code(algorithm: Algorithm, seconds: f64) -> f64 {
    const CODES: usize = 10_000;
    per_code(seconds, CODES, |start| {
        for counter in start..start + CODES as u64 {
            black_box(floor_code(algorithm, black_box(counter)));
        }
    })
}

/// Runs `batch` (of `codes` codes, given a fresh counter or time each call) for about
/// `seconds`; nanoseconds per code.
fn per_code(seconds: f64, codes: usize, mut batch: impl FnMut(u64)) -> f64 {
    let (started, mut calls) = (Instant::now(), 0u64);
    while started.elapsed().as_secs_f64() < seconds || calls == 0 {
        batch(1_700_000_000 + calls * 30);
        calls += 1;
    }
    started.elapsed().as_nanos() as f64 / (calls as f64 * codes as f64)
}

/// The least one code can cost: exactly two calls of the hash's compression function, and the
/// data movement one code cannot avoid: the counter into the first block and the first call's
/// output into the second. No key setup (an HMAC with precomputed pads), no truncation. Returns
/// a word of the result, to keep the work from being optimised away.
pub fn floor_code(algorithm: Algorithm, counter: u64) -> u64 {
    match algorithm {
        Algorithm::Sha1 => u64::from(
            two_calls(SHA1_IV, counter, |s, blk: &[u8; 64]| {
                sha1::compress(s, slice::from_ref(GenericArray::from_slice(blk)))
            })[0],
        ),
        Algorithm::Sha256 => u64::from(
            two_calls(SHA256_IV, counter, |s, blk: &[u8; 64]| {
                sha2::compress256(s, slice::from_ref(GenericArray::from_slice(blk)))
            })[0],
        ),
        Algorithm::Sha512 => two_calls(SHA512_IV, counter, |s, blk: &[u8; 128]| {
            sha2::compress512(s, slice::from_ref(GenericArray::from_slice(blk)))
        })[0],
    }
}

fn two_calls<W: Word, const S: usize, const B: usize>(
    iv: [W; S],
    counter: u64,
    compress: impl Fn(&mut [W; S], &[u8; B]),
) -> [W; S] {
    let mut block = [0u8; B];
    block[..8].copy_from_slice(&counter.to_be_bytes());
    let mut inner = black_box(iv);
    compress(&mut inner, &block);
    let mut block = [0u8; B];
    let width = std::mem::size_of::<W>();
    for (chunk, w) in block.chunks_exact_mut(width).zip(inner) {
        w.put(chunk);
    }
    let mut outer = black_box(iv);
    compress(&mut outer, &block);
    outer
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
