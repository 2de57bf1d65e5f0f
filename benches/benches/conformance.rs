//! The whole conformance suite in process against the reference.

use std::hint::black_box;

use authbackup_conformance::{model, reference::Reference, runner};
use criterion::{criterion_group, criterion_main, Criterion};

fn conformance_run(c: &mut Criterion) {
    let cases = model::cases(&model::embedded());
    let mut g = c.benchmark_group("conformance_run");
    g.sample_size(10);
    g.bench_function("reference", |b| {
        b.iter(|| {
            black_box(
                runner::run(
                    &mut Reference,
                    &cases,
                    &Default::default(),
                    &Default::default(),
                    &mut |_| {},
                )
                .summary,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, conformance_run);
criterion_main!(benches);
