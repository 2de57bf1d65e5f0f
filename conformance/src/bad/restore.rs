//! Known-bad restore planners.

use serde_json::Value;

use super::reference;
use crate::generate::restore::derived_id;
use crate::implementation::Answer;

/// Gives an added account the derived id even when the device already uses it (no `-2`), so
/// two device accounts end up with one id.
pub(super) fn derived_id_reused(op: &str, input: &Value) -> Answer {
    edited_plan(op, input, |v| {
        replace_in_text(v, &[("-2\"".to_string(), "\"".to_string())])
    })
}

/// Leaves the untouched device accounts out of its plan.
pub(super) fn untouched_unlisted(op: &str, input: &Value) -> Answer {
    edited_plan(op, input, |v| v["untouched"] = Value::Array(Vec::new()))
}

/// Matches a backup account to the first identical device account in device order, whether
/// or not it has the backup account's id or was matched already.
pub(super) fn first_identical(op: &str, input: &Value) -> Answer {
    edited_plan(op, input, |v| {
        let device = input["device"].as_array().cloned().unwrap_or_default();
        let key =
            |a: &Value| ["type", "secret", "algorithm", "digits", "period"].map(|m| a[m].clone());
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
    })
}

/// Takes the device account with the backup account's id as the identical one whenever an
/// identical account exists anywhere on the device, without comparing that account's secret:
/// the identical account under another id stays untouched instead.
pub(super) fn id_taken_as_identical(op: &str, input: &Value) -> Answer {
    edited_plan(op, input, |v| {
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
    })
}

/// Under prefer-backup, gives a replacement the backup account's own id even when another
/// device account uses it (no derived id), so two device accounts end up with one id.
pub(super) fn replacement_keeps_own_id(op: &str, input: &Value) -> Answer {
    own_id_back(op, input, "replaced", true)
}

/// Gives an added account its own id when the device does not use it, even when the restore
/// already made that id up for an earlier account (it checks the device's ids only).
pub(super) fn made_up_id_taken_again(op: &str, input: &Value) -> Answer {
    own_id_back(op, input, "added", false)
}

/// The reference's plan, with every account of `outcome` that the reference gave a derived
/// id written back under its own id: always, or (`even_on_device` false) only when no
/// device account had that id before the restore.
fn own_id_back(op: &str, input: &Value, outcome: &str, even_on_device: bool) -> Answer {
    edited_plan(op, input, |v| {
        let backup_id = input["backup"]["backup_id"].as_str().unwrap_or_default();
        let device = input["device"].as_array().cloned().unwrap_or_default();
        let on_device = |id: &Value| device.iter().any(|d| d["id"] == *id);
        let renames: Vec<(String, Value)> = v["outcomes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["outcome"] == outcome && (even_on_device || !on_device(&o["id"])))
            .filter_map(|o| Some((derived_id(backup_id, o["id"].as_str()?), o["id"].clone())))
            .collect();
        for d in v["device"].as_array_mut().into_iter().flatten() {
            let id = d["id"].as_str().unwrap_or_default().to_owned();
            if let Some((_, own)) = renames.iter().find(|(derived, _)| id.starts_with(derived)) {
                d["id"] = own.clone();
            }
        }
    })
}

/// Keeps the id of a device account replaced under another id in use, so a later backup
/// account that needs it gets the next one (`-2`) instead.
pub(super) fn replaced_id_kept_in_use(op: &str, input: &Value) -> Answer {
    edited_plan(op, input, |v| {
        let freed: Vec<Value> = v["outcomes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["outcome"] == "replaced" && o["device_id"] != o["id"])
            .map(|o| o["device_id"].clone())
            .collect();
        for d in v["device"].as_array_mut().into_iter().flatten() {
            if freed.contains(&d["id"]) {
                d["id"] = format!("{}-2", d["id"].as_str().unwrap_or_default()).into();
            }
        }
    })
}

/// Makes ids up against the device's ids and the ids it made up, but forgets the backup's own
/// ids it already restored accounts under: a derived id that only such an account holds is
/// given again (no `-2`).
pub(super) fn own_ids_forgotten(op: &str, input: &Value) -> Answer {
    let device = input["device"].as_array().cloned().unwrap_or_default();
    let backup = input["backup"]["accounts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let edits: Vec<(String, String)> = backup
        .iter()
        .filter_map(|a| a["id"].as_str())
        .filter(|own| own.starts_with("restored-") && !device.iter().any(|d| d["id"] == *own))
        .map(|own| (format!("\"{own}-2\""), format!("\"{own}\"")))
        .collect();
    edited_plan(op, input, |v| replace_in_text(v, &edits))
}

/// The reference's answer, with a plan (the answer to `restore.plan`) changed by `edit`; any
/// other answer as the reference gives it.
fn edited_plan(op: &str, input: &Value, edit: impl FnOnce(&mut Value)) -> Answer {
    match reference(op, input) {
        Answer::Ok(mut v) if op == "restore.plan" => {
            edit(&mut v);
            Answer::Ok(v)
        }
        other => other,
    }
}

/// Replaces texts in `v`'s JSON text, each `(from, to)` in turn (`v` stays as it was when the
/// result is not JSON).
fn replace_in_text(v: &mut Value, edits: &[(String, String)]) {
    let text = edits
        .iter()
        .fold(v.to_string(), |text, (from, to)| text.replace(from, to));
    if let Ok(edited) = serde_json::from_str(&text) {
        *v = edited;
    }
}
