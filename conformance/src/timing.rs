//! Judges whether a verifier's time depends on the candidate (REQ-VERIFY-003), from
//! measurements the implementation took itself: two classes of candidate, measured in an
//! interleaved order the vector fixes, compared with Welch's t-test in the manner of dudect
//! (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", 2017).
//!
//! A black-box measurement cannot see every leak: the verdict fails only a difference that is
//! both statistically certain (|t| above [`T_LIMIT`]) and large (above [`RELATIVE_LIMIT`] of the
//! slower class), which is what a verifier that stops at the first match shows. Leaks of a
//! few nanoseconds, such as a comparison that stops at the first differing digit, stay below
//! that and are for the implementation's own tools.

/// The |t| above which the two classes certainly differ (dudect's "definitely not constant
/// time").
pub const T_LIMIT: f64 = 10.0;

/// The smallest difference of means, relative to the slower class, that fails.
pub const RELATIVE_LIMIT: f64 = 0.10;

/// Samples above this quantile of all samples are dropped as interruptions.
pub const KEEP_QUANTILE: f64 = 0.90;

/// The share of the first samples that only warm the verifier up (caches, a JIT, lazy
/// initialisation) and are not judged: in a cold runtime the first few hundred verifications
/// are slow and noisy enough to hide an early exit.
pub const WARMUP_FRACTION: f64 = 1.0 / 3.0;

/// The mean times of the two classes and the t statistic of their difference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// Mean of class 0, in nanoseconds.
    pub mean0: f64,
    /// Mean of class 1, in nanoseconds.
    pub mean1: f64,
    /// Welch's t of the difference.
    pub t: f64,
}

impl Comparison {
    /// The difference of the means relative to the larger one.
    pub fn relative_difference(&self) -> f64 {
        let larger = self.mean0.max(self.mean1);
        if larger > 0.0 {
            (self.mean0 - self.mean1).abs() / larger
        } else {
            0.0
        }
    }

    /// True when the time tells the classes apart.
    pub fn leaks(&self) -> bool {
        self.t.abs() > T_LIMIT && self.relative_difference() > RELATIVE_LIMIT
    }
}

/// Compares the samples `ns` taken in the class order `order` (`'0'` and `'1'`), after the
/// warm-up ([`WARMUP_FRACTION`]).
pub fn compare(order: &str, ns: &[u64]) -> Result<Comparison, String> {
    if order.len() != ns.len() {
        return Err(format!(
            "{} measurements for an order of {}",
            ns.len(),
            order.len()
        ));
    }
    let warmup = (ns.len() as f64 * WARMUP_FRACTION) as usize;
    let (order, ns) = (&order.as_bytes()[warmup..], &ns[warmup..]);
    let mut sorted = ns.to_vec();
    sorted.sort_unstable();
    let cut = sorted
        .get(((sorted.len() as f64) * KEEP_QUANTILE) as usize)
        .copied()
        .unwrap_or(u64::MAX);
    let mut classes: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for (&class, &n) in order.iter().zip(ns) {
        let i = match class {
            b'0' => 0,
            b'1' => 1,
            other => return Err(format!("class {:?} in the order", other as char)),
        };
        if n <= cut {
            classes[i].push(n as f64);
        }
    }
    let stats = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var, n)
    };
    if classes.iter().any(|c| c.len() < 2) {
        return Err("too few measurements of a class".into());
    }
    let (m0, v0, n0) = stats(&classes[0]);
    let (m1, v1, n1) = stats(&classes[1]);
    if m0 <= 0.0 || m1 <= 0.0 {
        return Err("measurements of 0 ns: the verifier was not timed".into());
    }
    let se = (v0 / n0 + v1 / n1).sqrt();
    let t = if se > 0.0 { (m0 - m1) / se } else { 0.0 };
    Ok(Comparison {
        mean0: m0,
        mean1: m1,
        t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: usize) -> String {
        (0..n)
            .map(|i| if (i * 7 + i / 3) % 2 == 0 { '0' } else { '1' })
            .collect()
    }

    #[test]
    fn equal_distributions_do_not_leak() {
        let order = order(4000);
        let ns: Vec<u64> = (0..4000).map(|i| 1000 + (i * 37 % 101) as u64).collect();
        let c = compare(&order, &ns).unwrap();
        assert!(!c.leaks(), "{c:?}");
    }

    #[test]
    fn an_early_exit_leaks() {
        let order = order(4000);
        let ns: Vec<u64> = order
            .bytes()
            .enumerate()
            .map(|(i, c)| if c == b'0' { 100 } else { 2000 } + (i * 37 % 101) as u64)
            .collect();
        let c = compare(&order, &ns).unwrap();
        assert!(c.leaks(), "{c:?}");
    }

    #[test]
    fn a_tiny_certain_difference_is_not_judged() {
        let order = order(4000);
        let ns: Vec<u64> = order
            .bytes()
            .enumerate()
            .map(|(i, c)| if c == b'0' { 1000 } else { 1030 } + (i % 3) as u64)
            .collect();
        let c = compare(&order, &ns).unwrap();
        assert!(c.t.abs() > T_LIMIT, "{c:?}");
        assert!(!c.leaks(), "{c:?}");
    }

    #[test]
    fn malformed_measurements_are_refused() {
        assert!(compare("01", &[1]).is_err());
        assert!(compare("0x", &[1, 2]).is_err());
        assert!(compare(&order(100), &[0; 100]).is_err());
    }
}
