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

/// The reference's answer to `op`; with it, when that is a refusal of a payload text that is
/// JSON, the refusal's code and the document, for a known-bad reader to read again.
fn refusal(op: &str, input: &Value) -> (Answer, Option<(String, Value)>) {
    let answer = reference(op, input);
    let again = match (&answer, input["payload"].as_str()) {
        (Answer::Error(code), Some(text)) => serde_json::from_str(text)
            .ok()
            .map(|doc| (code.clone(), doc)),
        _ => None,
    };
    (answer, again)
}

/// The reference reading `doc` as a payload text.
fn read(doc: &Value) -> Answer {
    reference("payload.parse", &json!({ "payload": doc.to_string() }))
}

/// A payload whose members break no rule, without accounts.
fn harmless_document() -> Value {
    json!({ "version": 1, "platform": "ios", "backup_id": "b", "generation": 1, "created": 0, "accounts": [] })
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

/// Checks control characters before lengths (of ids, names, issuers and the backup id).
pub(super) fn controls_before_lengths(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let text = input["payload"].as_str().unwrap_or_default();
    let has_control = |v: &Value| v.as_str().is_some_and(|s| s.chars().any(char::is_control));
    let controlled = serde_json::from_str::<Value>(text).ok().is_some_and(|doc| {
        has_control(&doc["backup_id"])
            || doc["accounts"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| ["id", "name", "issuer"].iter().any(|k| has_control(&a[*k])))
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
    let (answer, again) = refusal(op, input);
    let Some((_, mut doc)) = again else {
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
        let own = read(&alone);
        if let Answer::Error(_) = own {
            return own;
        }
    }
    answer
}

/// Reads `NaN`, `Infinity` and `-Infinity` as numbers, as Python's `json.loads` does by
/// default.
pub(super) fn nan_accepted(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        t.replace(":-Infinity", ":0")
            .replace(":Infinity", ":0")
            .replace(":NaN", ":0")
    })
}

/// One piece of a JSON text as an escape-aware scan sees it.
enum Piece {
    /// A character as written.
    Char(char),
    /// A two-character escape other than `\u` (`\n`, `\"`, ...): its second character.
    Escape(char),
    /// A `\uXXXX` escape: its UTF-16 code unit.
    Unit(u16),
}

/// The pieces of a JSON text (outside strings there are no backslashes, so one scan of the
/// whole text finds every escape).
fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(Piece::Char(c));
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u16::from_str_radix(&hex, 16) {
                    Ok(unit) if hex.len() == 4 => out.push(Piece::Unit(unit)),
                    _ => out.extend("\\u".chars().chain(hex.chars()).map(Piece::Char)),
                }
            }
            Some(e) => out.push(Piece::Escape(e)),
            None => out.push(Piece::Char('\\')),
        }
    }
    out
}

/// The JSON text of `pieces`, each `\u` escape written by `unit`.
fn written(pieces: &[Piece], unit: impl Fn(u16) -> String) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Char(c) => out.push(*c),
            Piece::Escape(e) => {
                out.push('\\');
                out.push(*e);
            }
            Piece::Unit(u) => out.push_str(&unit(*u)),
        }
    }
    out
}

/// Reads a `\u` escape of a surrogate that has no partner as U+FFFD, as Go's
/// `encoding/json` does (and JavaScript's `TextEncoder` when it writes such a string).
pub(super) fn surrogates_replaced(op: &str, input: &Value) -> Answer {
    let high = |u: u16| (0xd800..0xdc00).contains(&u);
    let low = |u: u16| (0xdc00..0xe000).contains(&u);
    read_edited(op, input, |t| {
        let mut pieces = pieces(t);
        let mut i = 0;
        while i < pieces.len() {
            match (&pieces[i], pieces.get(i + 1)) {
                (Piece::Unit(h), Some(Piece::Unit(l))) if high(*h) && low(*l) => i += 2,
                (Piece::Unit(u), _) if high(*u) || low(*u) => {
                    pieces[i] = Piece::Unit(0xfffd);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        written(&pieces, |u| format!("\\u{u:04x}"))
    })
}

/// Compares and measures member names and strings as written, `\u` escapes undecoded (a
/// lookup of raw keys, as simdjson's On-Demand API does): `"n\u0061me"` is an unknown member,
/// `"\u0074"` another id than `"t"`, and an id written with escapes is six times longer.
pub(super) fn escapes_kept_raw(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| written(&pieces(t), |u| format!("#u{u:04x}")))
}

/// Accepts control characters written unescaped inside strings, as Python's `json.loads`
/// does with `strict=False`: each is read as if it had been escaped.
pub(super) fn raw_controls_accepted(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| {
        t.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c.to_string(),
                c if c < ' ' => format!("\\u{:04x}", u32::from(c)),
                c => c.to_string(),
            })
            .collect()
    })
}

/// Skips a byte order mark before the document, as RFC 8259 lets a parser do (and
/// browsers' `TextDecoder` does).
pub(super) fn bom_skipped(op: &str, input: &Value) -> Answer {
    read_edited(op, input, |t| t.trim_start_matches('\u{feff}').to_string())
}

/// Checks each account as it reads it, so an account that breaks its rules is reported
/// before a later account that makes the document malformed (REQ-PAYLOAD-001 first).
pub(super) fn accounts_checked_while_read(op: &str, input: &Value) -> Answer {
    let (answer, again) = refusal(op, input);
    let Some((code, mut doc)) = again else {
        return answer;
    };
    let accounts = match doc["accounts"].take() {
        // Long lists (the limit cases) are left to the reference: one read per prefix would
        // take hours there.
        Value::Array(list) if code == "malformed" && list.len() <= 1_000 => list,
        _ => return answer,
    };
    for count in 1..accounts.len() {
        doc["accounts"] = Value::Array(accounts[..count].to_vec());
        match read(&doc) {
            Answer::Error(code) if code != "malformed" => return Answer::Error(code),
            _ => {}
        }
    }
    answer
}

/// Checks the members in the order they are written, as a streaming reader does: the first
/// member (in text order) that breaks a rule decides, not the spec's order (REQ-PAYLOAD-008).
pub(super) fn members_in_text_order(op: &str, input: &Value) -> Answer {
    let (answer, again) = refusal(op, input);
    let Some((code, Value::Object(doc))) = again else {
        return answer;
    };
    if code == "malformed"
        || doc
            .get("accounts")
            .and_then(Value::as_array)
            .is_none_or(|a| a.len() > 1_000)
    {
        return answer;
    }
    // Each member in turn over a document whose other members break nothing.
    let mut so_far = harmless_document();
    for (key, value) in doc {
        so_far[key] = value;
        if let own @ Answer::Error(_) = read(&so_far) {
            return own;
        }
    }
    answer
}

/// Checks the accounts before the document's own members (REQ-PAYLOAD-008): the first
/// thousand accounts are read under a document that breaks nothing, then the document.
pub(super) fn accounts_before_document(op: &str, input: &Value) -> Answer {
    let (answer, again) = refusal(op, input);
    let Some(accounts) = again
        .as_ref()
        .and_then(|(_, doc)| doc["accounts"].as_array())
    else {
        return answer;
    };
    let mut alone = harmless_document();
    alone["accounts"] = accounts.iter().take(1_000).cloned().collect();
    match read(&alone) {
        own @ Answer::Error(_) => own,
        _ => answer,
    }
}

/// Refuses an issuer with a colon before checking its length (REQ-ACCOUNT-004).
pub(super) fn colon_checked_first(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let text = input["payload"].as_str().unwrap_or_default();
    let colon = serde_json::from_str::<Value>(text).ok().is_some_and(|doc| {
        doc["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["issuer"].as_str().is_some_and(|s| s.contains(':')))
    });
    match answer {
        Answer::Error(code) if op == "payload.parse" && code == "too_large" && colon => {
            Answer::Error("invalid_parameter".into())
        }
        other => other,
    }
}

/// The depth of `payload.parse`'s text (0 for other operations).
fn payload_depth(op: &str, input: &Value) -> usize {
    match (op, input["payload"].as_str()) {
        ("payload.parse", Some(text)) => crate::nesting::depth(text),
        _ => 0,
    }
}

/// A JSON library whose depth limit is 32, below the 64 REQ-PAYLOAD-009 asks every reader
/// to take.
pub(super) fn depth_limit_32(op: &str, input: &Value) -> Answer {
    if payload_depth(op, input) > 32 {
        return Answer::Error("malformed".into());
    }
    reference(op, input)
}

/// A recursive parser without a depth limit, for payloads and container texts alike: past
/// 10,000 levels its stack runs out and the adapter dies (Python's json raises
/// RecursionError at about 1,000).
pub(super) fn deep_nesting_crashes(op: &str, input: &Value) -> Answer {
    let container = match (op, input["container"].as_str()) {
        ("container.open", Some(text)) => crate::nesting::depth(text),
        _ => 0,
    };
    if payload_depth(op, input).max(container) > 10_000 {
        return Answer::Broken("the adapter died: stack overflow".into());
    }
    reference(op, input)
}

/// Refuses a document deeper than 128 levels (serde_json's typed limit) with `too_large`
/// instead of `malformed` (REQ-PAYLOAD-009).
pub(super) fn too_deep_too_large(op: &str, input: &Value) -> Answer {
    if payload_depth(op, input) > 128 {
        return Answer::Error("too_large".into());
    }
    reference(op, input)
}
