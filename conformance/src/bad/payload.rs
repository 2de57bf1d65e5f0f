//! Known-bad payload readers: what lenient JSON and Unicode handling lets through. Each edits
//! the payload text the way the lenient reader would see it, then reads it with the
//! reference.

use serde_json::{json, Value};

use super::reference;
use crate::implementation::Answer;

/// The reference reading `payload.parse`'s text after `edit`; other operations unchanged.
fn read_edited(op: &str, input: &Value, edit: impl FnOnce(&str) -> String) -> Answer {
    match (op, input["payload"].as_str()) {
        ("payload.parse", Some(text)) => reference(op, &json!({ "payload": edit(text) })),
        _ => reference(op, input),
    }
}

/// The accounts of a payload text, edited as a JSON value (unparsable text is left alone).
fn with_accounts(text: &str, mut f: impl FnMut(&mut serde_json::Map<String, Value>)) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    for account in doc["accounts"].as_array_mut().into_iter().flatten() {
        if let Some(a) = account.as_object_mut() {
            f(a);
        }
    }
    doc.to_string()
}

/// Counts lengths in characters: every character weighs one byte.
pub(super) fn limits_in_characters(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        t.chars()
            .map(|c| if c.is_ascii() { c } else { 'x' })
            .collect()
    })
}

/// Trims spaces and drops DEL and C1 controls from names instead of refusing them.
pub(super) fn names_cleaned_up(op: &str, input: &Value) -> Answer {
    let clean = |s: &str| -> String {
        s.trim()
            .chars()
            .filter(|c| !('\u{7f}'..='\u{9f}').contains(c))
            .collect()
    };
    read_edited(op, input, |t| {
        with_accounts(t, |a| {
            for key in ["name", "issuer"] {
                if let Some(s) = a.get(key).and_then(Value::as_str).map(clean) {
                    a.insert(key.into(), s.into());
                }
            }
        })
    })
}

/// Drops the line ending from the end of ids, names and issuers (as a reader of lines would)
/// instead of refusing it.
pub(super) fn line_endings_trimmed(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        with_accounts(t, |a| {
            for key in ["id", "name", "issuer"] {
                if let Some(s) = a.get(key).and_then(Value::as_str) {
                    let trimmed = s.trim_end_matches(['\r', '\n']).to_string();
                    a.insert(key.into(), trimmed.into());
                }
            }
        })
    })
}

/// Takes a `token` that is `null`, empty, `false` or `0` for no token (a truthiness test).
pub(super) fn falsy_token_absent(op: &str, input: &Value) -> Answer {
    let falsy = |v: &Value| match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    };
    read_edited(op, input, |t| {
        with_accounts(t, |a| {
            if a.get("token").is_some_and(falsy) {
                a.remove("token");
            }
        })
    })
}

/// Reads a `null` algorithm, digits or period of a code-bearing account as the default
/// (SHA1, 6, 30) and a `null` secret as no secret.
pub(super) fn nulls_defaulted(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        with_accounts(t, |a| {
            if !matches!(
                a.get("type").and_then(Value::as_str),
                Some("totp" | "msa_totp")
            ) {
                return;
            }
            for (key, default) in [
                ("algorithm", json!("SHA1")),
                ("digits", json!(6)),
                ("period", json!(30)),
            ] {
                if a.get(key) == Some(&Value::Null) {
                    a.insert(key.into(), default);
                }
            }
            if a.get("secret") == Some(&Value::Null) {
                a.remove("secret");
            }
        })
    })
}

/// Compares ids without letter case: an id equal to an earlier one but for case is read as
/// that earlier id (so it is a repeat).
pub(super) fn ids_case_folded(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        let mut seen = std::collections::HashMap::<String, String>::new();
        with_accounts(t, |a| {
            if let Some(id) = a.get("id").and_then(Value::as_str) {
                let first = seen
                    .entry(id.to_lowercase())
                    .or_insert_with(|| id.to_string())
                    .clone();
                a.insert("id".into(), first.into());
            }
        })
    })
}

/// Upper-cases algorithm names with full Unicode case mapping (`ſ` becomes `S`).
pub(super) fn unicode_upper_casing(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        with_accounts(t, |a| {
            if let Some(s) = a
                .get("algorithm")
                .and_then(Value::as_str)
                .map(str::to_uppercase)
            {
                a.insert("algorithm".into(), s.into());
            }
        })
    })
}

/// Reads every number as a float and takes integral ones as integers (`6.0`, `3e1`, `-0`).
pub(super) fn numbers_as_floats(op: &str, input: &Value) -> Answer {
    fn integral(v: &mut Value) {
        match v {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && (0.0..1.8e19).contains(&f.abs()) {
                    *v = (f.abs() as u64).into();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(integral),
            Value::Object(map) => map.values_mut().for_each(integral),
            _ => {}
        }
    }
    read_edited(op, input, |t| match serde_json::from_str::<Value>(t) {
        Ok(mut doc) => {
            integral(&mut doc);
            doc.to_string()
        }
        Err(_) => t.to_string(),
    })
}

/// Takes `"issuer": null` on a code-bearing account as a wrong JSON type.
pub(super) fn null_issuer_refused(op: &str, input: &Value) -> Answer {
    let text = input["payload"].as_str().unwrap_or_default();
    match serde_json::from_str::<Value>(text) {
        Ok(doc) if op == "payload.parse" => {
            let null_issuer = doc["accounts"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a.get("issuer") == Some(&Value::Null) && a.get("secret").is_some());
            if null_issuer {
                return Answer::Error("malformed".into());
            }
            reference(op, input)
        }
        _ => reference(op, input),
    }
}

/// Checks control characters before lengths.
pub(super) fn controls_before_lengths(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let text = input["payload"].as_str().unwrap_or_default();
    let controlled = serde_json::from_str::<Value>(text).ok().is_some_and(|doc| {
        doc["accounts"].as_array().into_iter().flatten().any(|a| {
            ["id", "name", "issuer"].iter().any(|k| {
                a[*k]
                    .as_str()
                    .is_some_and(|s| s.chars().any(char::is_control))
            })
        })
    });
    match answer {
        Answer::Error(code) if op == "payload.parse" && code == "too_large" && controlled => {
            Answer::Error("invalid_parameter".into())
        }
        other => other,
    }
}

/// Reads device accounts leniently: unknown members and a bad state are dropped, a `null`
/// member is a wrong type.
pub(super) fn device_file_lenient(op: &str, input: &Value) -> Answer {
    let Some(device) = input["device"].as_array().filter(|_| op == "backup.build") else {
        return reference(op, input);
    };
    if device.iter().any(|a| {
        a.as_object()
            .is_some_and(|m| m.values().any(Value::is_null))
    }) {
        return Answer::Error("malformed".into());
    }
    const KNOWN: [&str; 11] = [
        "id",
        "type",
        "issuer",
        "name",
        "secret",
        "algorithm",
        "digits",
        "period",
        "token",
        "excluded_by_policy",
        "state",
    ];
    let cleaned: Vec<Value> = device
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if let Some(m) = a.as_object_mut() {
                m.retain(|k, v| {
                    KNOWN.contains(&k.as_str())
                        && !(k == "state" && v != "ready" && v != "action_required")
                });
            }
            a
        })
        .collect();
    reference(op, &json!({ "device": cleaned }))
}

/// Takes the account limit as exclusive: a payload of exactly 100,000 accounts is refused.
pub(super) fn account_limit_exclusive(op: &str, input: &Value) -> Answer {
    let text = input["payload"].as_str().unwrap_or_default();
    match op {
        "payload.parse" if text.matches("\"id\"").count() >= 100_000 => {
            Answer::Error("too_large".into())
        }
        _ => reference(op, input),
    }
}

/// Checks every account and reports the last one that breaks its own rules, not the first
/// (REQ-PAYLOAD-010): each account is read alone, from the last to the first.
pub(super) fn last_failing_account_reported(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(_), Some(text)) = (&answer, input["payload"].as_str()) else {
        return answer;
    };
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        return answer;
    };
    let accounts = match doc["accounts"].take() {
        // Long lists (the limit cases) are left to the reference: one read per account
        // would take minutes there.
        Value::Array(list) if list.len() <= 1_000 => list,
        _ => return answer,
    };
    for account in accounts.into_iter().rev() {
        let mut alone = doc.clone();
        alone["accounts"] = json!([account]);
        let own = reference(op, &json!({ "payload": alone.to_string() }));
        if let Answer::Error(_) = own {
            return own;
        }
    }
    answer
}
