//! Restore planning at 1,000, 10,000 and 100,000 accounts on each side, to show how its cost
//! grows (indexes, not nested scans: it should grow about linearly), and `restore_floor`:
//! the device's and the backup's ids put into one hash set, the least any hash-based
//! matching of the same accounts touches. Their growth side by side shows how much of
//! planning's growth is the memory hierarchy rather than the algorithm.

use std::collections::HashSet;
use std::hint::black_box;

use authbackup::platform::Platform;
use authbackup::restore::{plan, Policy};
use authbackup_benches::{device, payload};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn restore_plan(c: &mut Criterion) {
    let sizes = [1_000usize, 10_000, 100_000];
    let data: Vec<_> = sizes.iter().map(|&n| (n, device(n), payload(n))).collect();
    let mut g = c.benchmark_group("restore_plan");
    g.sample_size(10);
    for (n, d, p) in &data {
        g.bench_with_input(BenchmarkId::from_parameter(n), n, |b, _| {
            b.iter(|| black_box(plan(d, p, Platform::Ios, Policy::KeepBoth).unwrap()))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("restore_floor");
    g.sample_size(10);
    for (n, d, p) in &data {
        g.bench_with_input(BenchmarkId::from_parameter(n), n, |b, _| {
            b.iter(|| {
                let ids = d.iter().map(|a| a.id.as_str());
                let ids: HashSet<&str> = ids.chain(p.accounts().iter().map(|a| a.id())).collect();
                black_box(ids)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, restore_plan);
criterion_main!(benches);
