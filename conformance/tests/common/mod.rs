//! What the suite's own tests share: the shipped cases, a run over them, and variants of the
//! reference that behave as other libraries do.
#![allow(dead_code)]

use authbackup_conformance::reference::Reference;
use authbackup_conformance::{model, runner, Answer, Implementation};
use serde_json::Value;

/// Every shipped case.
pub fn cases() -> Vec<model::Case> {
    model::cases(&model::load(&model::source_dir()).unwrap())
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

/// A library without T0: `unsupported` for every input that sets one.
pub fn without_t0(op: &str, input: &Value, answer: Answer) -> Answer {
    if model::features(op, input).contains(&"t0".to_string()) {
        Answer::Unsupported
    } else {
        answer
    }
}

/// A library that refuses secrets under 16 bytes, as RFC 4226 asks: the secret it is given
/// (or, for text it decodes, the secret it reads) is checked first.
pub fn refusing_short_secrets(op: &str, input: &Value, answer: Answer) -> Answer {
    let bytes = |v: &Value| v.get("secret").and_then(Value::as_str).map(|h| h.len() / 2);
    let account = input.get("account").unwrap_or(input);
    let sent = bytes(account).filter(|_| op != "secret.decode");
    let read = match &answer {
        Answer::Ok(v) => bytes(v),
        _ => None,
    };
    match sent.or(read) {
        Some(n) if n < 16 => Answer::Error("invalid_secret".into()),
        _ => answer,
    }
}
