//! `authbackup-conformance adapter`: the reference speaking the stdio adapter protocol, so
//! that the external path of the runner is itself tested, and as a model for adapters.

use std::io::{BufRead, Write};

use serde_json::{json, Value};

use crate::implementation::{Answer, Implementation};

/// Serves requests from `input` to `output` with `implementation` until `input` ends.
pub fn serve(
    implementation: &mut dyn Implementation,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Value>(&line) {
            Err(_) => json!({ "id": null, "error": "malformed" }),
            Ok(request) => {
                let id = request.get("id").cloned().unwrap_or(Value::Null);
                let op = request
                    .get("op")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let input = request.get("input").cloned().unwrap_or(Value::Null);
                match implementation.call_with_message(op, &input) {
                    (Answer::Ok(v), _) => json!({ "id": id, "ok": v }),
                    (Answer::Error(code), Some(message)) => {
                        json!({ "id": id, "error": code, "message": message })
                    }
                    (Answer::Error(code), None) => json!({ "id": id, "error": code }),
                    (Answer::Unsupported | Answer::Broken(_), _) => {
                        json!({ "id": id, "unsupported": true })
                    }
                }
            }
        };
        writeln!(output, "{response}")?;
        output.flush()?;
    }
    Ok(())
}
