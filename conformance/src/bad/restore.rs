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

/// Matches a backup account to the first identical device account in device order, whether
/// or not it has the backup account's id or was matched already.
pub(super) fn first_identical(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Ok(mut v), "restore.plan") = (answer.clone(), op) else {
        return answer;
    };
    let device = input["device"].as_array().cloned().unwrap_or_default();
    let key = |a: &Value| ["type", "secret", "algorithm", "digits", "period"].map(|m| a[m].clone());
    for o in v["outcomes"].as_array_mut().into_iter().flatten() {
        let Some(matched) = device.iter().find(|d| d["id"] == o["device_id"]) else {
            continue;
        };
        if matched["secret"].is_null() {
            continue;
        }
        if let Some(first) = device.iter().find(|d| key(d) == key(matched)) {
            o["device_id"] = first["id"].clone();
        }
    }
    Answer::Ok(v)
}

/// Takes the device account with the backup account's id as the identical one whenever an
/// identical account exists anywhere on the device, without comparing that account's secret:
/// the identical account under another id stays untouched instead.
pub(super) fn id_taken_as_identical(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Ok(mut v), "restore.plan") = (answer.clone(), op) else {
        return answer;
    };
    let device = input["device"].as_array().cloned().unwrap_or_default();
    let mut swaps = Vec::new();
    for o in v["outcomes"].as_array_mut().into_iter().flatten() {
        let present = o["outcome"] == "already_present" && o["device_id"] != o["id"];
        if present && device.iter().any(|d| d["id"] == o["id"]) {
            swaps.push((o["id"].clone(), o["device_id"].clone()));
            o["device_id"] = o["id"].clone();
        }
    }
    for (with_id, identical) in swaps {
        for u in v["untouched"].as_array_mut().into_iter().flatten() {
            if *u == with_id {
                *u = identical.clone();
            }
        }
    }
    Answer::Ok(v)
}
