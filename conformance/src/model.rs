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
    /// `policy` when the flag names a rule of this format that the RFCs do not make (a case
    /// carrying it is a [`Level::Policy`] case); absent for flags of RFC behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

/// What a case checks: behaviour the RFCs require, or this format's own stricter policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// What RFC 4226, RFC 6238, RFC 4648, RFC 3986 and the published Key URI format require:
    /// any RFC-correct library must pass it. An invalid case at this level passes with any
    /// error code (the codes are this format's vocabulary; the refusal is what is required).
    Rfc,
    /// This format's own rule (secret bounds, window limit, error codes and precedence,
    /// canonical emission, the backup format itself), named by the case's policy flags.
    Policy,
}

impl Level {
    /// Both levels, in report order.
    pub const ALL: [Level; 2] = [Level::Rfc, Level::Policy];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Rfc => "rfc",
            Level::Policy => "policy",
        }
    }
}

/// The optional features a case may need, with what each means. An implementation without
/// one answers `unsupported` to the cases tagged with it, and only those are skipped.
pub const FEATURES: [(&str, &str); 6] = [
    ("t0", "a TOTP start time T0 other than 0"),
    ("hotp", "HOTP (counter-based) codes and Key URIs"),
    ("window", "verification windows wider than the current step"),
    ("digits7", "7-digit codes"),
    ("sha512", "HMAC-SHA-512"),
    ("uri_emit", "writing Key URIs"),
];

/// The optional features an input of `operation` needs, derived from the input itself so
/// that vectors, reports and the fuzzer agree: T0 other than 0, HOTP, a window above 0, 7
/// digits, SHA-512, URI emission.
pub fn features(operation: &str, input: &Value) -> Vec<String> {
    let account = input.get("account").unwrap_or(input);
    let uri = input.get("uri").and_then(Value::as_str).unwrap_or_default();
    let uri_low = uri.to_ascii_lowercase();
    let query = uri.split('#').next().unwrap_or_default();
    let query = query.split_once('?').map_or("", |(_, q)| q);
    let param = |name: &str, value: &str| {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .any(|(n, v)| n == name && v.eq_ignore_ascii_case(value))
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_ascii_uppercase);
    let uint = |v: Option<&Value>| v.and_then(Value::as_u64);
    let wanted = [
        uint(input.get("t0")).is_some_and(|t0| t0 != 0),
        operation == "hotp.generate"
            || text(account.get("type")).as_deref() == Some("HOTP")
            || uri_low.starts_with("otpauth://hotp/"),
        uint(input.get("window")).is_some_and(|w| w > 0),
        uint(account.get("digits")) == Some(7) || param("digits", "7"),
        text(account.get("algorithm")).as_deref() == Some("SHA512") || param("algorithm", "sha512"),
        operation == "uri.emit",
    ];
    FEATURES
        .iter()
        .zip(wanted)
        .filter(|(_, on)| *on)
        .map(|((name, _), _)| name.to_string())
        .collect()
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
    /// Whether the case checks what the RFCs require or this format's own policy (then a
    /// flag of the case names the policy).
    pub level: Level,
    /// The optional features ([`FEATURES`]) the case needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
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
    /// The time this case allows an answer, in milliseconds, when it is more than the
    /// runner's per-request default: inputs of tens of megabytes take an adapter in a
    /// scripting language seconds to read.
    #[serde(rename = "timeoutMs", default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// How many times the runner sends this case's request (once when absent): a writer must
    /// draw fresh randomness for every container, which only two answers to one request show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<u32>,
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
            parse(s, &text).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// The vector files built into this crate (the same bytes as [`source_dir`] held when it was
/// compiled), so an installed runner needs no source tree.
pub fn embedded() -> Vec<VectorFile> {
    EMBEDDED
        .iter()
        .map(|(section, text)| parse(section, text.as_bytes()).expect("the built-in vectors parse"))
        .collect()
}

/// The files of `dir` when given, the built-in ones otherwise.
pub fn load_or_embedded(dir: Option<&std::path::Path>) -> Result<Vec<VectorFile>, String> {
    match dir {
        Some(dir) => load(dir),
        None => Ok(embedded()),
    }
}

/// One vector file's bytes, read as section `section`.
fn parse(section: &str, bytes: &[u8]) -> Result<VectorFile, String> {
    let file: VectorFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if file.schema != SCHEMA || file.section != section {
        return Err(format!("not an {SCHEMA} file for section {section}"));
    }
    Ok(file)
}

/// The text of every vector file, by section, in [`SECTIONS`] order.
const EMBEDDED: [(&str, &str); 9] = [
    ("hotp", include_str!("../vectors/hotp.json")),
    ("totp", include_str!("../vectors/totp.json")),
    ("secret", include_str!("../vectors/secret.json")),
    ("uri", include_str!("../vectors/uri.json")),
    ("payload", include_str!("../vectors/payload.json")),
    ("container", include_str!("../vectors/container.json")),
    ("restore", include_str!("../vectors/restore.json")),
    ("lifecycle", include_str!("../vectors/lifecycle.json")),
    ("store", include_str!("../vectors/store.json")),
];

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

/// `v` with its directives expanded ([`expand`]), borrowed as it is when it has none: judging
/// a case copies nothing unless its expected output is generated.
pub fn expanded(v: &Value) -> std::borrow::Cow<'_, Value> {
    fn has_directive(v: &Value) -> bool {
        match v {
            Value::Object(map) => {
                (map.len() == 1 && map.keys().any(|k| k.starts_with('$')))
                    || map.values().any(has_directive)
            }
            Value::Array(items) => items.iter().any(has_directive),
            _ => false,
        }
    }
    if has_directive(v) {
        std::borrow::Cow::Owned(expand(v))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

/// The `times` copies of `item` a `$repeat` or `$items` directive `spec` asks for, numbered
/// in place of its `index` placeholder when it has one.
fn copies(spec: &Value, item: &Value) -> Vec<Value> {
    let times = spec["times"].as_u64().unwrap_or(0);
    match spec["index"].as_str().filter(|p| !p.is_empty()) {
        Some(placeholder) => (0..times)
            .map(|i| numbered(item, placeholder, &i.to_string()))
            .collect(),
        None => vec![item.clone(); times as usize],
    }
}

/// `v` with `placeholder` replaced by `number` in every string.
fn numbered(v: &Value, placeholder: &str, number: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(placeholder, number)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|x| numbered(x, placeholder, number))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), numbered(x, placeholder, number)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The vector folder of the source tree this crate was built from (where the generator writes;
/// an installed runner uses [`embedded`] instead).
pub fn source_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Expands the generator directives a vector input or expected output may hold, so that huge
/// values stay small in the files: `{"$repeat": {"text": T, "times": N}}` becomes T repeated
/// N times, `{"$concat": [A, B, …]}` the concatenation of its expanded parts, and
/// `{"$items": {"item": V, "times": N}}` an array of N copies of V. With `"index": P` in a
/// `$repeat` or `$items`, each copy has every P in its text (or in V's strings) replaced by
/// its number, 0 to N − 1, in decimal. Adapters never see them.
pub fn expand(input: &Value) -> Value {
    match input {
        Value::Object(map) if map.len() == 1 && map.contains_key("$repeat") => {
            let spec = &map["$repeat"];
            let text = spec["text"].as_str().unwrap_or_default();
            if spec.get("index").is_none() {
                let times = spec["times"].as_u64().unwrap_or(0) as usize;
                return Value::String(text.repeat(times));
            }
            let copies = copies(spec, &Value::from(text));
            Value::String(copies.iter().filter_map(Value::as_str).collect())
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("$items") => {
            let spec = &map["$items"];
            Value::Array(copies(spec, &expand(&spec["item"])))
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
