//! Known failures: the `--expect-failures` file, a JSON object of case-id glob to what is
//! known of the cases it names. A value is the reason they fail, or an object saying also
//! what the failure deviates from (`rfc` or `policy`) and where a reproduction is:
//!
//! ```json
//! { "uri/17": "we take the last of repeated parameters; fix tracked in #42",
//!   "totp/83": { "reason": "the window wraps below step 0", "deviates": "rfc",
//!                "reproduction": "repro/window_wraps.py" } }
//! ```
//!
//! An entry that deviates from policy only does not apply when the run leaves the policy
//! level out (`--level rfc`), where such a case passes; an entry whose case deviates from
//! something else than it says fails the run, so the list's classification stays true.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Level;

/// An implementer's list of known failures: case-id glob to what is known of them.
pub type ExpectedFailures = BTreeMap<String, Known>;

/// What the list says of the cases one glob names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Entry")]
pub struct Known {
    /// Why they fail.
    pub reason: String,
    /// What they deviate from, when the list says.
    pub deviates: Option<Level>,
    /// A file (relative to the list) that shows the deviation with the library alone.
    pub reproduction: Option<String>,
}

impl Known {
    /// An entry giving only the reason.
    pub fn because(reason: impl Into<String>) -> Known {
        Known {
            reason: reason.into(),
            ..Known::default()
        }
    }
}

/// The two spellings of an entry.
#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Reason(String),
    Full(Full),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Full {
    reason: String,
    #[serde(default)]
    deviates: Option<Level>,
    #[serde(default)]
    reproduction: Option<String>,
}

impl From<Entry> for Known {
    fn from(entry: Entry) -> Known {
        match entry {
            Entry::Reason(reason) => Known::because(reason),
            Entry::Full(f) => Known {
                reason: f.reason,
                deviates: f.deviates,
                reproduction: f.reproduction,
            },
        }
    }
}

/// Reads an `--expect-failures` file's text.
pub fn parse(bytes: &[u8]) -> Result<ExpectedFailures, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not a JSON object of case-id glob to a reason, or to {{\"reason\", \"deviates\": \"rfc\"|\"policy\", \"reproduction\"}}: {e}"
        )
    })
}

/// The first entry of `list` whose glob matches `case_id` and that applies to a run that
/// judges policy (`judges_policy`) or not, with its glob.
pub fn lookup<'a>(
    list: &'a ExpectedFailures,
    case_id: &str,
    judges_policy: bool,
) -> Option<(&'a str, &'a Known)> {
    list.iter()
        .filter(|(_, k)| judges_policy || k.deviates != Some(Level::Policy))
        .find(|(glob, _)| crate::glob::matches(glob, case_id))
        .map(|(glob, k)| (glob.as_str(), k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_parse_and_unknown_members_do_not() {
        let list = parse(
            br#"{"a/1": "plain", "b/*": {"reason": "r", "deviates": "rfc", "reproduction": "x.py"}}"#,
        )
        .unwrap();
        assert_eq!(list["a/1"], Known::because("plain"));
        assert_eq!(list["b/*"].deviates, Some(Level::Rfc));
        assert_eq!(list["b/*"].reproduction.as_deref(), Some("x.py"));
        assert!(parse(br#"{"a/1": {"reason": "r", "why": "?"}}"#).is_err());
        assert!(parse(br#"{"a/1": {"reason": "r", "deviates": "both"}}"#).is_err());
        assert!(parse(br#"["a/1"]"#).is_err());
    }

    #[test]
    fn a_policy_entry_does_not_apply_without_the_policy_level() {
        let list = parse(br#"{"a/*": {"reason": "r", "deviates": "policy"}, "b/1": "r"}"#).unwrap();
        assert_eq!(lookup(&list, "a/3", true).map(|(g, _)| g), Some("a/*"));
        assert!(lookup(&list, "a/3", false).is_none());
        assert!(lookup(&list, "b/1", false).is_some());
        assert!(lookup(&list, "c/1", true).is_none());
    }
}
