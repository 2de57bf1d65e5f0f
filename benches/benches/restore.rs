//! Restore planning at 1,000, 10,000 and 100,000 accounts on each side, to show how its cost
//! grows (indexes, not nested scans: it should grow about linearly).

use std::hint::black_box;

use authbackup::platform::Platform;
use authbackup::restore::{plan, Policy};
use authbackup_benches::{device, payload};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn restore_plan(c: &mut Criterion) {
    let mut g = c.benchmark_group("restore_plan");
    g.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let (d, p) = (device(n), payload(n));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(plan(&d, &p, Platform::Ios, Policy::KeepBoth).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, restore_plan);
criterion_main!(benches);
