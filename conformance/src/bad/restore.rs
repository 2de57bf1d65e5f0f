//! Known-bad restore planners.

use serde_json::Value;

use super::reference;
use crate::implementation::Answer;

/// Gives an added account the derived id even when the device already uses it (no `-2`), so
/// two device accounts end up with one id.
pub(super) fn derived_id_reused(op: &str, input: &Value) -> Answer {
    match reference(op, input) {
        Answer::Ok(v) if op == "restore.plan" => {
            let text = v.to_string();
            let fixed = text.replace("-2\"", "\"");
            Answer::Ok(serde_json::from_str(&fixed).unwrap_or(v))
        }
        other => other,
    }
}

/// Leaves the untouched device accounts out of its plan.
pub(super) fn untouched_unlisted(op: &str, input: &Value) -> Answer {
    match reference(op, input) {
        Answer::Ok(mut v) if op == "restore.plan" => {
            v["untouched"] = Value::Array(Vec::new());
            Answer::Ok(v)
        }
        other => other,
    }
}
