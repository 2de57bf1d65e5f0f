//! The reference against every vector, in process, stopping at the first failure: the test
//! `cargo mutants` runs (`.cargo/mutants.toml`), so that a mutant of the reference counts as
//! caught only when a vector catches it.

use authbackup_conformance::reference::Reference;
use authbackup_conformance::{model, runner};

#[test]
fn the_reference_passes_every_vector() {
    let cases = model::cases(&model::load(&model::source_dir()).unwrap());
    for case in &cases {
        let (answers, _) = runner::ask(&mut Reference, case);
        if let Err(d) = runner::judge_all(case, &answers) {
            panic!(
                "{} ({}): expected {}, got {}",
                case.id, case.case.comment, d.expected, d.got
            );
        }
    }
}

#[test]
fn the_built_in_vectors_are_the_files() {
    let files = model::load(&model::source_dir()).unwrap();
    let built_in = model::embedded();
    assert_eq!(files.len(), built_in.len());
    for (file, embedded) in files.iter().zip(&built_in) {
        assert_eq!(file.section, embedded.section);
        assert_eq!(
            serde_json::to_value(file).unwrap(),
            serde_json::to_value(embedded).unwrap(),
            "{}",
            file.section
        );
    }
}
