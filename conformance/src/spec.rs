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

/// The spec folder of the source tree this crate was built from.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("spec")
}

/// The spec's Markdown files built into this crate, by file name, so an installed runner's
/// `coverage` needs no source tree.
pub const EMBEDDED: [(&str, &str); 11] = [
    ("README.md", include_str!("../spec/README.md")),
    (
        "adapter-protocol.md",
        include_str!("../spec/adapter-protocol.md"),
    ),
    ("container.md", include_str!("../spec/container.md")),
    ("data-model.md", include_str!("../spec/data-model.md")),
    ("errors.md", include_str!("../spec/errors.md")),
    ("lifecycle.md", include_str!("../spec/lifecycle.md")),
    ("otp.md", include_str!("../spec/otp.md")),
    ("payload.md", include_str!("../spec/payload.md")),
    ("restore.md", include_str!("../spec/restore.md")),
    ("security.md", include_str!("../spec/security.md")),
    ("uri.md", include_str!("../spec/uri.md")),
];

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
    let mut texts = Vec::new();
    for path in files(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        texts.push((file.into_owned(), text));
    }
    requirements_of(texts.iter().map(|(f, t)| (f.as_str(), t.as_str())))
}

/// Every requirement defined in the spec built into this crate ([`EMBEDDED`]).
pub fn embedded_requirements() -> Result<BTreeMap<String, Requirement>, String> {
    requirements_of(EMBEDDED.iter().copied())
}

/// Every requirement defined in `(file name, text)` pairs, by id.
fn requirements_of<'a>(
    texts: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<BTreeMap<String, Requirement>, String> {
    let mut out = BTreeMap::new();
    for (file, text) in texts {
        for p in paragraphs(text) {
            if let Some(rest) = p.strip_prefix("**REQ-") {
                let id = format!("REQ-{}", rest.split("**").next().unwrap_or_default());
                if cited_ids(&id) != [id.clone()] {
                    return Err(format!("{file}: malformed requirement id {id:?}"));
                }
                let req = Requirement {
                    id: id.clone(),
                    file: file.to_string(),
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
