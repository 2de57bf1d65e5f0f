//! Replays every fuzz corpus and every regression input through the fuzz targets' bodies, on
//! stable Rust, without libFuzzer: part of the normal test run.

use std::path::Path;

use authbackup_conformance::fuzzing;

fn replay(folder: &str, must_have_seeds: bool) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(folder);
    let mut total = 0;
    for target in fuzzing::TARGETS {
        let dir = root.join(target);
        let mut n = 0;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_file() && !path.file_name().unwrap().to_string_lossy().starts_with('.') {
                    let data = std::fs::read(&path).unwrap();
                    let result = std::panic::catch_unwind(|| fuzzing::run(target, &data));
                    assert!(result.is_ok(), "{target} fails on {}", path.display());
                    n += 1;
                }
            }
        }
        assert!(
            !must_have_seeds || n > 0,
            "no seeds for {target} in {}",
            dir.display()
        );
        total += n;
    }
    total
}

#[test]
fn every_seed_replays_cleanly() {
    assert!(replay("corpus", true) > 200);
}

#[test]
fn every_regression_replays_cleanly() {
    replay("regressions", false);
}

#[test]
fn the_seed_corpora_are_the_vectors_inputs() {
    // Every seed the vectors give is in the checked-in corpus (run `authbackup-conformance
    // fuzz-seeds --out fuzz/corpus` after changing the vectors).
    let cases = authbackup_conformance::model::cases(
        &authbackup_conformance::model::load(&authbackup_conformance::model::source_dir()).unwrap(),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, bytes) in fuzzing::seeds(&cases) {
        let present = std::fs::read_dir(root.join(target))
            .unwrap()
            .any(|e| std::fs::read(e.unwrap().path()).unwrap() == bytes);
        assert!(
            present,
            "a {target} seed is missing from fuzz/corpus/{target}"
        );
    }
}

#[test]
fn every_cargo_fuzz_target_is_replayed() {
    // A target left out of TARGETS would never have its seeds replayed on stable.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/fuzz_targets");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut targets: Vec<String> = fuzzing::TARGETS.iter().map(|t| t.to_string()).collect();
    targets.sort();
    assert_eq!(files, targets);
}
