//! How the runner talks to an implementation: one operation at a time, JSON in, an
//! [`Answer`] out. In process this is the [`Implementation`] trait; out of process the same
//! requests travel over the stdio adapter protocol (`spec/adapter-protocol.md`).

use serde_json::Value;

/// What an implementation answered to one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The operation succeeded with this output.
    Ok(Value),
    /// The operation was refused with this stable error code.
    Error(String),
    /// The implementation does not support this operation (its whole profile is skipped).
    Unsupported,
    /// No usable answer: a crash, a hang, unparsable output (the case fails).
    Broken(String),
}

/// An implementation under test. Any Rust implementation can implement this trait and run
/// the suite in process.
pub trait Implementation {
    /// Carries out `operation` on `input`.
    fn call(&mut self, operation: &str, input: &Value) -> Answer;

    /// Like [`Implementation::call`], with the human message of an error answer when the
    /// implementation gives one (the runner checks it leaks no secret, REQ-SECRET-010).
    fn call_with_message(&mut self, operation: &str, input: &Value) -> (Answer, Option<String>) {
        (self.call(operation, input), None)
    }

    /// The time the next request may take, when its case allows more than the runner's
    /// default (`None`: the default). In process there is nothing to do.
    fn allow_time(&mut self, _allowance: Option<std::time::Duration>) {}

    /// A name for reports.
    fn name(&self) -> String;
}
