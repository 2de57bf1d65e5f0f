//! What the suite's own tests share: the shipped cases, a run over them, and variants of the
//! reference that behave as other libraries do.
#![allow(dead_code)]

use authbackup_conformance::reference::Reference;
use authbackup_conformance::{model, runner, Answer, Implementation};
use serde_json::Value;

/// Every shipped case.
pub fn cases() -> Vec<model::Case> {
    model::cases(&model::load(&model::default_dir()).unwrap())
}

/// Runs `selection` of the shipped cases against `implementation`, no failures listed.
pub fn run_with(
    implementation: &mut dyn Implementation,
    selection: &runner::Selection,
) -> runner::RunReport {
    runner::run(
        implementation,
        &cases(),
        selection,
        &Default::default(),
        &mut |_| {},
    )
}

/// The reference with its answers changed by `f`, which sees the operation, the input and
/// the reference's answer.
pub struct Variant<F: FnMut(&str, &Value, Answer) -> Answer>(pub F);

impl<F: FnMut(&str, &Value, Answer) -> Answer> Implementation for Variant<F> {
    fn call(&mut self, operation: &str, input: &Value) -> Answer {
        let answer = Reference.call(operation, input);
        (self.0)(operation, input, answer)
    }

    fn name(&self) -> String {
        "a variant of the reference".into()
    }
}
