//! Reads the requirements of `spec/`: paragraphs that start with a bold id
//! `**REQ-AREA-NNN**`, and whether they hold a MUST.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One requirement of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// `REQ-AREA-NNN`.
    pub id: String,
    /// The file it is in.
    pub file: String,
    /// True when its paragraph says MUST (or MUST NOT, REQUIRED, SHALL).
    pub must: bool,
}

/// The spec folder of this repository.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The Markdown files of `dir`, sorted.
pub fn files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    Ok(files)
}

/// Blocks of text separated by blank lines, without fenced code and code spans.
pub fn paragraphs(text: &str) -> Vec<String> {
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
        let without_code: String = line.split('`').step_by(2).collect();
        current.push_str(&without_code);
        current.push('\n');
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// True when the paragraph uses an absolute requirement key word.
pub fn has_must(paragraph: &str) -> bool {
    paragraph
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| matches!(w, "MUST" | "REQUIRED" | "SHALL"))
}

/// Every `REQ-AREA-NNN` in `text`, in order.
pub fn cited_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("REQ-") {
        let tail = &rest[at + 4..];
        let area: String = tail
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        let after = &tail[area.len()..];
        if !area.is_empty() && after.starts_with('-') {
            let digits: String = after[1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.len() == 3 {
                ids.push(format!("REQ-{area}-{digits}"));
            }
        }
        rest = tail;
    }
    ids
}

/// Every requirement defined in the spec at `dir`, by id. Fails on a malformed or repeated
/// id.
pub fn requirements(dir: &Path) -> Result<BTreeMap<String, Requirement>, String> {
    let mut out = BTreeMap::new();
    for path in files(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for p in paragraphs(&text) {
            if let Some(rest) = p.strip_prefix("**REQ-") {
                let id = format!("REQ-{}", rest.split("**").next().unwrap_or_default());
                if cited_ids(&id) != [id.clone()] {
                    return Err(format!("{file}: malformed requirement id {id:?}"));
                }
                let req = Requirement {
                    id: id.clone(),
                    file: file.clone(),
                    must: has_must(&p),
                };
                if out.insert(id.clone(), req).is_some() {
                    return Err(format!("{file}: {id} is defined twice"));
                }
            }
        }
    }
    Ok(out)
}
