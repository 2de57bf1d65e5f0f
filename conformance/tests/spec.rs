//! Keeps `spec/` honest: every MUST sits in a paragraph with a requirement id, ids are unique
//! and well formed, and every id the spec, the reference or the suite cites exists.

use std::path::{Path, PathBuf};

use authbackup_conformance::spec;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn every_must_has_a_requirement_id() {
    for file in spec::files(&spec::source_dir()).unwrap() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if name == "README.md" {
            continue; // the conventions page defines the key words themselves
        }
        for p in spec::paragraphs(&std::fs::read_to_string(&file).unwrap()) {
            assert!(
                !spec::has_must(&p) || p.starts_with("**REQ-"),
                "{name}: a MUST outside a requirement paragraph:\n{p}"
            );
        }
    }
}

#[test]
fn requirement_ids_are_unique_and_every_area_has_some() {
    let reqs = spec::requirements(&spec::source_dir()).unwrap();
    for area in [
        "SECRET",
        "HOTP",
        "TOTP",
        "VERIFY",
        "URI",
        "ACCOUNT",
        "DEVICE",
        "PAYLOAD",
        "CONTAINER",
        "RESTORE",
        "COVERAGE",
        "LIFECYCLE",
        "STORE",
    ] {
        assert!(
            reqs.keys()
                .any(|id| id.starts_with(&format!("REQ-{area}-"))),
            "no REQ-{area}-*"
        );
    }
}

#[test]
fn every_cited_id_exists() {
    let defined = spec::requirements(&spec::source_dir()).unwrap();
    let mut sources = spec::files(&spec::source_dir()).unwrap();
    let mut stack = vec![root().join("reference"), root().join("conformance/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    for path in sources {
        for id in spec::cited_ids(&std::fs::read_to_string(&path).unwrap()) {
            assert!(
                defined.contains_key(&id),
                "{} cites {id}, which the spec does not define",
                path.display()
            );
        }
    }
}

#[test]
fn a_stray_must_is_found() {
    let paragraphs = spec::paragraphs(
        "Intro.\n\nImplementations MUST do this.\n\n**REQ-X-001** A MUST here is fine.\n",
    );
    assert!(spec::has_must(&paragraphs[1]) && !paragraphs[1].starts_with("**REQ-"));
    assert!(paragraphs[2].starts_with("**REQ-"));
    assert!(
        !spec::has_must("`MUST` in code does not count")
            || spec::paragraphs("`MUST` in code")
                .iter()
                .all(|p| !spec::has_must(p))
    );
}

#[test]
fn the_built_in_spec_is_the_spec_folder() {
    let files = spec::files(&spec::source_dir()).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let built_in: Vec<&str> = spec::EMBEDDED.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, built_in, "add new spec files to spec::EMBEDDED");
    for ((_, text), path) in spec::EMBEDDED.iter().zip(&files) {
        assert_eq!(*text, std::fs::read_to_string(path).unwrap());
    }
    assert_eq!(
        spec::embedded_requirements().unwrap(),
        spec::requirements(&spec::source_dir()).unwrap()
    );
}
