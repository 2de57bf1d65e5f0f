//! `authbackup-conformance coverage`: every MUST of the spec against the cases that cover it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Case;
use crate::spec::Requirement;

/// The coverage of the spec's MUSTs by the vectors.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// MUST requirements with the ids of the cases that cover them.
    pub covered: BTreeMap<String, Vec<String>>,
    /// MUST requirements with no case.
    pub uncovered: Vec<String>,
    /// Problems with the inputs: cases citing ids the spec does not define.
    pub problems: Vec<String>,
}

impl Coverage {
    /// True when every MUST is covered and every cited id exists.
    pub fn complete(&self) -> bool {
        self.uncovered.is_empty() && self.problems.is_empty()
    }
}

/// Computes the coverage.
pub fn compute(requirements: &BTreeMap<String, Requirement>, cases: &[Case]) -> Coverage {
    let mut by_req: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for c in cases {
        for r in &c.case.requirements {
            if !requirements.contains_key(r) {
                problems.push(format!(
                    "{} cites {r}, which the spec does not define",
                    c.id
                ));
            }
            by_req.entry(r.clone()).or_default().push(c.id.clone());
        }
    }
    let mut cov = Coverage::default();
    let musts: BTreeSet<&String> = requirements
        .values()
        .filter(|r| r.must)
        .map(|r| &r.id)
        .collect();
    for id in musts {
        match by_req.get(id) {
            Some(cases) => {
                cov.covered.insert(id.clone(), cases.clone());
            }
            None => cov.uncovered.push(id.clone()),
        }
    }
    cov.problems = problems;
    cov
}

/// The text report.
pub fn human(cov: &Coverage) -> String {
    let mut out = String::new();
    for id in &cov.uncovered {
        out.push_str(&format!("UNCOVERED {id}\n"));
    }
    for p in &cov.problems {
        out.push_str(&format!("PROBLEM {p}\n"));
    }
    let total = cov.covered.len() + cov.uncovered.len();
    out.push_str(&format!(
        "{total} MUST requirements: {} covered by vectors, {} uncovered",
        cov.covered.len(),
        cov.uncovered.len()
    ));
    out
}
