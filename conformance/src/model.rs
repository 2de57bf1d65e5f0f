//! The vector files (`conformance/vectors/*.json`, schema `spec/schemas/vectors.schema.json`):
//! in the manner of Project Wycheproof, groups of cases with a stable id, a comment, the
//! requirements they exercise, flags documented in `notes`, an input, and the expected
//! result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The schema name every vector file carries.
pub const SCHEMA: &str = "abf-vectors-1";

/// The sections, one vector file each, in run order.
pub const SECTIONS: [&str; 9] = [
    "hotp",
    "totp",
    "secret",
    "uri",
    "payload",
    "container",
    "restore",
    "lifecycle",
    "store",
];

/// One vector file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The section (and profile) the file belongs to.
    pub section: String,
    /// The adapter operation every case of the file calls.
    pub operation: String,
    /// How many cases the file holds.
    #[serde(rename = "numberOfTests")]
    pub number_of_tests: usize,
    /// Where the values come from and how they were checked.
    pub header: Vec<String>,
    /// Every flag used by a case, documented.
    pub notes: BTreeMap<String, Note>,
    /// The cases, grouped.
    #[serde(rename = "testGroups")]
    pub test_groups: Vec<TestGroup>,
}

/// What a flag means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The kind of bug the flagged cases catch.
    #[serde(rename = "bugType")]
    pub bug_type: String,
    /// What goes wrong in implementations that fail them.
    pub description: String,
    /// Where to read more (RFC sections, spec requirements).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
}

/// A group of cases sharing a purpose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestGroup {
    /// What the group tests.
    pub comment: String,
    /// The operation of the group's cases, when it is not the file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The cases.
    pub tests: Vec<TestCase>,
}

/// The expected result of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// The operation succeeds with `output`.
    Valid,
    /// The operation fails with `error`.
    Invalid,
    /// The spec allows success with `output` or failure with `error`.
    Acceptable,
}

/// One case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Stable within its file; the case id is `section/tcId`.
    #[serde(rename = "tcId")]
    pub tc_id: u64,
    /// What the case is about.
    pub comment: String,
    /// The spec requirements it exercises.
    pub requirements: Vec<String>,
    /// Flags documented in the file's `notes`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The operation's input.
    pub input: Value,
    /// `valid`, `invalid` or `acceptable`.
    pub result: Expected,
    /// The expected output of a valid (or acceptable) case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The expected error code of an invalid (or acceptable) case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For operations that write (their exact bytes are free), the check the runner makes of
    /// a valid answer instead of comparing it: `sealed`, `recipient_added`, `crash_safe` or
    /// `timing_independent` (`spec/adapter-protocol.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// A case with the file it came from.
#[derive(Clone, Debug)]
pub struct Case {
    /// `section/tcId`.
    pub id: String,
    /// The section.
    pub section: String,
    /// The operation.
    pub operation: String,
    /// The case itself.
    pub case: TestCase,
}

/// Reads every vector file of `dir`, in section order.
pub fn load(dir: &std::path::Path) -> Result<Vec<VectorFile>, String> {
    SECTIONS
        .iter()
        .map(|s| {
            let path = dir.join(format!("{s}.json"));
            let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let file: VectorFile =
                serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if file.schema != SCHEMA || file.section != *s {
                return Err(format!(
                    "{}: not an {SCHEMA} file for section {s}",
                    path.display()
                ));
            }
            Ok(file)
        })
        .collect()
}

/// Every case of `files`, flattened with its id.
pub fn cases(files: &[VectorFile]) -> Vec<Case> {
    files
        .iter()
        .flat_map(|f| {
            f.test_groups.iter().flat_map(move |g| {
                g.tests.iter().map(move |t| Case {
                    id: format!("{}/{}", f.section, t.tc_id),
                    section: f.section.clone(),
                    operation: g.operation.clone().unwrap_or_else(|| f.operation.clone()),
                    case: t.clone(),
                })
            })
        })
        .collect()
}

/// The vectors shipped with this crate.
pub fn default_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Expands the generator directives a vector input may hold, so that huge inputs stay small
/// in the files: `{"$repeat": {"text": T, "times": N}}` becomes T repeated N times, and
/// `{"$concat": [A, B, …]}` the concatenation of its expanded parts. Adapters never see them.
pub fn expand(input: &Value) -> Value {
    match input {
        Value::Object(map) if map.len() == 1 && map.contains_key("$repeat") => {
            let spec = &map["$repeat"];
            let text = spec["text"].as_str().unwrap_or_default();
            let times = spec["times"].as_u64().unwrap_or(0) as usize;
            Value::String(text.repeat(times))
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("$concat") => {
            let parts = map["$concat"].as_array().cloned().unwrap_or_default();
            Value::String(
                parts
                    .iter()
                    .map(|p| expand(p).as_str().unwrap_or_default().to_string())
                    .collect(),
            )
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), expand(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(expand).collect()),
        other => other.clone(),
    }
}
