//! `authbackup-conformance coverage`: every MUST of the spec against the cases that cover it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Case;
use crate::spec::Requirement;

/// Requirements no vector can exercise through the adapter protocol, each with the reason
/// (`conformance/coverage-exclusions.json`).
pub type Exclusions = BTreeMap<String, String>;

/// The coverage of the spec's MUSTs by the vectors.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// MUST requirements with the ids of the cases that cover them.
    pub covered: BTreeMap<String, Vec<String>>,
    /// MUST requirements excluded, with the reason.
    pub excluded: BTreeMap<String, String>,
    /// MUST requirements with no case and no exclusion.
    pub uncovered: Vec<String>,
    /// Problems with the inputs: cases citing unknown ids, exclusions that are stale.
    pub problems: Vec<String>,
}

impl Coverage {
    /// True when every MUST is covered or excluded and nothing is stale.
    pub fn complete(&self) -> bool {
        self.uncovered.is_empty() && self.problems.is_empty()
    }
}

/// Computes the coverage.
pub fn compute(
    requirements: &BTreeMap<String, Requirement>,
    cases: &[Case],
    exclusions: &Exclusions,
) -> Coverage {
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
    for id in &musts {
        match (by_req.get(*id), exclusions.get(*id)) {
            (Some(cases), None) => {
                cov.covered.insert((*id).clone(), cases.clone());
            }
            (Some(_), Some(_)) => problems.push(format!(
                "{id} is excluded but vectors cover it: drop the exclusion"
            )),
            (None, Some(reason)) => {
                cov.excluded.insert((*id).clone(), reason.clone());
            }
            (None, None) => cov.uncovered.push((*id).clone()),
        }
    }
    for id in exclusions.keys() {
        if !musts.contains(id) {
            problems.push(format!(
                "the exclusion of {id} names no MUST requirement of the spec"
            ));
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
    for (id, reason) in &cov.excluded {
        out.push_str(&format!("excluded {id}: {reason}\n"));
    }
    let total = cov.covered.len() + cov.excluded.len() + cov.uncovered.len();
    out.push_str(&format!(
        "{total} MUST requirements: {} covered by vectors, {} excluded with a reason, {} uncovered",
        cov.covered.len(),
        cov.excluded.len(),
        cov.uncovered.len()
    ));
    out
}
