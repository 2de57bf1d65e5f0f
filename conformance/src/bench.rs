//! `authbackup-conformance bench`: code-generation throughput of an implementation through the
//! adapter protocol, beside the reference adapter's through the same path, with every code
//! checked. The batched `totp.batch` operation keeps the pipe from being what is measured.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::generate::Rng;
use crate::implementation::{Answer, Implementation};
use crate::reference::Reference;

/// One implementation's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    /// Codes generated and checked.
    pub codes: u64,
    /// Time spent in requests.
    pub elapsed: Duration,
    /// Codes that differed from the reference's.
    pub wrong: u64,
}

impl Throughput {
    /// Codes per second.
    pub fn per_second(&self) -> f64 {
        self.codes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Sends batches of `accounts` secrets at successive time steps for about `seconds`, and
/// checks every code against the reference computed in process.
pub fn measure(
    implementation: &mut dyn Implementation,
    algorithm: &str,
    accounts: usize,
    seconds: f64,
) -> Result<Throughput, String> {
    let mut rng = Rng::new(0xBE4C);
    let secrets: Vec<Value> = (0..accounts)
        .map(|_| data_encoding::HEXLOWER.encode(&rng.bytes(20)).into())
        .collect();
    let mut result = Throughput {
        codes: 0,
        elapsed: Duration::ZERO,
        wrong: 0,
    };
    let mut time = 1_700_000_000u64;
    while result.elapsed.as_secs_f64() < seconds {
        time += 30;
        let input = json!({ "algorithm": algorithm, "digits": 6, "period": 30, "time": time, "secrets": secrets });
        let start = Instant::now();
        let answer = implementation.call("totp.batch", &input);
        result.elapsed += start.elapsed();
        let got = match answer {
            Answer::Ok(v) => v,
            Answer::Unsupported => {
                return Err("the implementation does not support totp.batch".into())
            }
            other => return Err(format!("totp.batch failed: {other:?}")),
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
    Ok(result)
}
