//! Keeps `spec/` honest: every MUST sits in a paragraph with a requirement id, ids are unique
//! and well formed, and every id that the spec or the reference cites exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn spec_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(repo_root().join("spec"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// `REQ-AREA-NNN` ids in `text`, in order (AREA upper-case letters, NNN three digits).
fn cited_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("REQ-") {
        let tail = &rest[at + 4..];
        let area: String = tail
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        let after_area = &tail[area.len()..];
        if !area.is_empty() && after_area.starts_with('-') {
            let digits: String = after_area[1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.len() == 3 {
                ids.push(format!("REQ-{area}-{digits}"));
            }
        }
        rest = &rest[at + 4..];
    }
    ids
}

/// Blocks of text separated by blank lines, with code spans and fenced code removed.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let without_code: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        current.push_str(&without_code);
        current.push('\n');
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Requirement ids defined by the spec (a paragraph starting `**REQ-...**`), with their file.
fn defined_ids() -> BTreeMap<String, String> {
    let mut defined = BTreeMap::new();
    for file in spec_files() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for p in paragraphs(&fs::read_to_string(&file).unwrap()) {
            if p.starts_with("**REQ-") {
                let id = p[2..].split("**").next().unwrap();
                assert_eq!(
                    cited_ids(id),
                    vec![id.to_string()],
                    "{name}: malformed id {id:?}"
                );
                let previous = defined.insert(id.to_string(), name.clone());
                assert!(
                    previous.is_none(),
                    "{id} is defined twice ({name}, {previous:?})"
                );
            }
        }
    }
    defined
}

#[test]
fn every_must_has_a_requirement_id() {
    for file in spec_files() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if name == "README.md" {
            continue; // the conventions page defines the key words themselves
        }
        for p in paragraphs(&fs::read_to_string(&file).unwrap()) {
            let has_must = p
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w == "MUST");
            assert!(
                !has_must || p.starts_with("**REQ-"),
                "{name}: a MUST outside a requirement paragraph:\n{p}"
            );
        }
    }
}

#[test]
fn requirement_ids_are_unique_and_the_spec_has_them() {
    let defined = defined_ids();
    for area in ["SECRET", "HOTP", "TOTP", "VERIFY", "URI"] {
        assert!(
            defined
                .keys()
                .any(|id| id.starts_with(&format!("REQ-{area}-"))),
            "no REQ-{area}-* requirement"
        );
    }
}

#[test]
fn every_cited_id_exists() {
    let defined: BTreeSet<String> = defined_ids().into_keys().collect();
    let mut sources = spec_files();
    let mut stack = vec![repo_root().join("reference")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push(path);
            }
        }
    }
    for path in sources {
        if path.ends_with("spec_requirements.rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        for id in cited_ids(&text) {
            assert!(
                defined.contains(&id),
                "{} cites {id}, which the spec does not define",
                path.display()
            );
        }
    }
}
