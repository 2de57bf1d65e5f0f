//! The conformance matrix's files (conformance/matrix/, issue #16), checked without running
//! it (that needs the package registries: `conformance/matrix/run`): every known-failures
//! list parses as `--expect-failures` reads it, each glob names cases that exist, says what
//! they deviate from, and a real deviation has a reproduction that exists.

use std::path::{Path, PathBuf};

use authbackup_conformance::model::{self, Level};
use authbackup_conformance::runner::{self, Selection};

fn matrix() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix")
}

fn libraries() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(matrix())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("matrix.json").is_file())
        .collect();
    found.sort();
    found
}

#[test]
fn the_matrix_has_its_four_libraries_and_their_results() {
    let names: Vec<String> = libraries()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["otpauth", "otplib", "pyotp", "totp-rs"]);
    let results = std::fs::read_to_string(matrix().join("RESULTS.md")).unwrap();
    for name in &names {
        assert!(
            results.contains(&format!("\n## {name} ")),
            "RESULTS.md has no section for {name}"
        );
    }
}

#[test]
fn every_known_failure_names_existing_cases_and_says_why() {
    let cases = model::cases(&model::embedded());
    for lib in libraries() {
        let file = lib.join("known-failures.json");
        let list = runner::parse_expected_failures(&std::fs::read(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(!list.is_empty(), "{}: empty", file.display());
        for (glob, known) in &list {
            let at = format!("{}: {glob}", file.display());
            let named: Vec<&model::Case> = cases
                .iter()
                .filter(|c| {
                    Selection {
                        run: vec![glob.clone()],
                        ..Selection::default()
                    }
                    .includes(c)
                })
                .collect();
            assert!(!named.is_empty(), "{at} names no case");
            assert!(!known.reason.trim().is_empty(), "{at} gives no reason");
            let deviates = known
                .deviates
                .unwrap_or_else(|| panic!("{at}: say what it deviates from"));
            if deviates == Level::Rfc {
                assert!(
                    named.iter().all(|c| c.case.level == Level::Rfc),
                    "{at}: a policy case cannot deviate from the RFCs"
                );
                assert!(
                    known.reproduction.is_some(),
                    "{at}: a real deviation needs a reproduction"
                );
            }
            if let Some(repro) = &known.reproduction {
                assert!(lib.join(repro).is_file(), "{at}: no file {repro}");
            }
        }
    }
}
