//! `authbackup-conformance generate`: writes the vector files from code, deterministically
//! (a fixed seed, fixed keys), and `generate --check` compares them with the checked-in
//! files.
//!
//! Where the expected values come from is part of each file's `header`: RFC values verbatim;
//! OTP codes from an independent HMAC (the RustCrypto `hmac` crate and the RFC 4226
//! truncation written out here, not the reference's precomputed-state HMAC); every URI,
//! payload and container expectation written out by hand; restore and lifecycle outcomes
//! written out by hand and checked against the reference at generation time; store writes and
//! verification times judged by the runner's checks (crash model, timing statistics).

pub(crate) mod container;
mod hotp;
mod lifecycle;
pub(crate) mod otp;
mod payload;
pub(crate) mod restore;
mod secret;
mod store;
mod totp;
mod uri;
mod verify;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::model::{Expected, Level, Note, TestCase, TestGroup, VectorFile, SCHEMA};

/// The sections that test the backup format itself: every case of theirs is policy level.
const POLICY_SECTIONS: [&str; 5] = ["payload", "container", "restore", "lifecycle", "store"];

/// SplitMix64: a tiny deterministic generator for test inputs (never for keys in use).
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// Fills `buf`.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next_u64() as u8;
        }
    }
}

/// A case expected to fail: comment, requirements, flags, input, error code.
pub(crate) type Refused<'a> = (&'a str, &'a [&'a str], &'a [&'a str], Value, &'a str);

/// The expectation of one case.
enum Expect<'a> {
    Output(Value),
    Error(&'a str),
}

/// Builds one vector file.
pub(crate) struct Builder {
    section: &'static str,
    operation: &'static str,
    header: Vec<String>,
    notes: BTreeMap<String, Note>,
    groups: Vec<TestGroup>,
    next_id: u64,
}

impl Builder {
    pub(crate) fn new(section: &'static str, operation: &'static str, header: &[&str]) -> Builder {
        Builder {
            section,
            operation,
            header: header.iter().map(|s| s.to_string()).collect(),
            notes: BTreeMap::new(),
            groups: Vec::new(),
            next_id: 1,
        }
    }

    /// Documents `flag`, a kind of RFC behaviour.
    pub(crate) fn note(&mut self, flag: &str, bug_type: &str, description: &str, links: &[&str]) {
        self.document(flag, bug_type, description, links, None);
    }

    /// Documents `flag`, a rule of this format's own policy: every case carrying it is a
    /// policy-level case.
    pub(crate) fn policy(&mut self, flag: &str, bug_type: &str, description: &str, links: &[&str]) {
        self.document(flag, bug_type, description, links, Some(Level::Policy));
    }

    fn document(
        &mut self,
        flag: &str,
        bug_type: &str,
        description: &str,
        links: &[&str],
        level: Option<Level>,
    ) {
        self.notes.insert(
            flag.to_string(),
            Note {
                bug_type: bug_type.to_string(),
                description: description.to_string(),
                links: links.iter().map(|s| s.to_string()).collect(),
                level,
            },
        );
    }

    /// Starts a group; cases go to the newest group. `operation` overrides the file's.
    pub(crate) fn group(&mut self, comment: &str, operation: Option<&str>) {
        self.groups.push(TestGroup {
            comment: comment.to_string(),
            operation: operation.map(str::to_owned),
            tests: Vec::new(),
        });
    }

    fn push(
        &mut self,
        comment: &str,
        reqs: &[&str],
        flags: &[&str],
        input: Value,
        expect: Expect<'_>,
    ) {
        let (result, output, error) = match expect {
            Expect::Output(v) => (Expected::Valid, Some(v), None),
            Expect::Error(code) => (Expected::Invalid, None, Some(code)),
        };
        for f in flags {
            assert!(
                self.notes.contains_key(*f),
                "{}: flag {f} has no note",
                self.section
            );
        }
        let policy_flag = flags
            .iter()
            .any(|f| self.notes[*f].level == Some(Level::Policy));
        let level = if policy_flag || POLICY_SECTIONS.contains(&self.section) {
            Level::Policy
        } else {
            Level::Rfc
        };
        let group = self.groups.last().expect("a group first");
        let operation = group.operation.as_deref().unwrap_or(self.operation);
        let features = crate::model::features(operation, &input);
        let tc_id = self.next_id;
        self.next_id += 1;
        self.groups
            .last_mut()
            .expect("a group first")
            .tests
            .push(TestCase {
                tc_id,
                comment: comment.to_string(),
                requirements: reqs.iter().map(|s| s.to_string()).collect(),
                flags: flags.iter().map(|s| s.to_string()).collect(),
                level,
                features,
                input,
                result,
                output,
                error: error.map(str::to_owned),
                timeout_ms: None,
                calls: None,
                check: None,
            });
    }

    pub(crate) fn valid(
        &mut self,
        comment: &str,
        reqs: &[&str],
        flags: &[&str],
        input: Value,
        output: Value,
    ) {
        self.push(comment, reqs, flags, input, Expect::Output(output));
    }

    pub(crate) fn invalid(
        &mut self,
        comment: &str,
        reqs: &[&str],
        flags: &[&str],
        input: Value,
        error: &str,
    ) {
        self.push(comment, reqs, flags, input, Expect::Error(error));
    }

    /// The case added last.
    fn newest(&mut self) -> &mut TestCase {
        self.groups
            .last_mut()
            .and_then(|g| g.tests.last_mut())
            .expect("a case first")
    }

    /// Gives the newest case `ms` milliseconds to be answered (a huge input).
    pub(crate) fn allowing(&mut self, ms: u64) {
        self.newest().timeout_ms = Some(ms);
    }

    /// Has the runner send the newest case's request `n` times; every answer is judged, and
    /// the answers must differ where the spec asks for fresh randomness.
    pub(crate) fn called(&mut self, n: u32) {
        self.newest().calls = Some(n);
    }

    /// Marks the newest case as judged by `check` instead of by comparing outputs.
    pub(crate) fn checked_by(&mut self, check: &str) {
        self.newest().check = Some(check.to_string());
    }

    pub(crate) fn finish(self) -> VectorFile {
        VectorFile {
            schema: SCHEMA.to_string(),
            section: self.section.to_string(),
            operation: self.operation.to_string(),
            number_of_tests: self.groups.iter().map(|g| g.tests.len()).sum(),
            header: self.header,
            notes: self.notes,
            test_groups: self.groups,
        }
    }
}

/// Every vector file, in section order.
pub fn generate() -> Vec<VectorFile> {
    vec![
        hotp::hotp(),
        totp::totp(),
        secret::secret(),
        uri::uri(),
        payload::payload(),
        container::container(),
        restore::restore(),
        lifecycle::lifecycle(),
        store::store(),
    ]
}

/// The text of a vector file as written: pretty JSON and a final newline.
pub fn render(file: &VectorFile) -> String {
    let mut text = serde_json::to_string_pretty(file).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every file to `dir`.
pub fn write(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for f in generate() {
        std::fs::write(dir.join(format!("{}.json", f.section)), render(&f))?;
    }
    Ok(())
}

/// Compares the files in `dir` with what the generator writes; returns the differing files.
pub fn check(dir: &Path) -> Vec<String> {
    generate()
        .iter()
        .filter(|f| {
            let path = dir.join(format!("{}.json", f.section));
            std::fs::read_to_string(path).ok().as_deref() != Some(render(f).as_str())
        })
        .map(|f| format!("{}.json", f.section))
        .collect()
}
