//! Known-bad container readers: what lenient JOSE libraries let through (kids without letter
//! case, the last of repeated members, lenient base64url, a payload bound to its header by
//! the platform alone). Each changes the container or key as the lenient reader would see
//! it, then opens it with the reference.

use authbackup::container::{self, Credential, RecoveryKey};
use serde_json::{json, Value};

use super::{reference, with};
use crate::implementation::Answer;

/// `container.open` with the container text changed by `edit`; other operations unchanged.
fn open_edited(op: &str, input: &Value, edit: impl FnOnce(&str) -> Option<String>) -> Answer {
    match (op, input["container"].as_str().and_then(edit)) {
        ("container.open", Some(text)) => reference(op, &with(input, "container", text.into())),
        _ => reference(op, input),
    }
}

/// Picks the recipient whose kid equals the key's without regard to letter case.
pub(super) fn kid_case_insensitive(op: &str, input: &Value) -> Answer {
    let kid = input["key"]["kid"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    let container: Value =
        serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default();
    let found = container["recipients"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|r| {
            let theirs = r["header"]["kid"].as_str()?;
            (theirs.to_lowercase() == kid).then(|| theirs.to_string())
        });
    match (op, found) {
        ("container.open", Some(theirs)) => {
            let mut key = input["key"].clone();
            key["kid"] = theirs.into();
            reference(op, &with(input, "key", key))
        }
        _ => reference(op, input),
    }
}

/// Parses the container JSON keeping the last of repeated members, as most JSON libraries do.
pub(super) fn last_member_wins(op: &str, input: &Value) -> Answer {
    open_edited(op, input, |t| {
        serde_json::from_str::<Value>(t).ok().map(|v| v.to_string())
    })
}

/// Decodes base64url leniently: white space skipped, unused bits ignored.
pub(super) fn lenient_base64url(op: &str, input: &Value) -> Answer {
    fn clean(text: &str) -> String {
        let mut t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let unused = match t.len() % 4 {
            2 => 0b1111,
            3 => 0b11,
            _ => 0,
        };
        if let Some(last) = t.pop() {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let value = ALPHABET
                .iter()
                .position(|&c| c as char == last)
                .unwrap_or(0);
            t.push(ALPHABET[value & !unused] as char);
        }
        t
    }
    open_edited(op, input, |t| {
        let mut v: Value = serde_json::from_str(t).ok()?;
        for field in ["protected", "iv", "ciphertext", "tag"] {
            let cleaned = clean(v[field].as_str()?);
            v[field] = cleaned.into();
        }
        for r in v["recipients"].as_array_mut()? {
            let cleaned = clean(r["encrypted_key"].as_str()?);
            r["encrypted_key"] = cleaned.into();
        }
        Some(v.to_string())
    })
}

/// Checks that the payload's platform equals the header's, and nothing else of the header.
pub(super) fn binds_platform_only(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(code), "container.open") = (&answer, op) else {
        return answer;
    };
    let key = RecoveryKey::from_jwk_json(input["key"].to_string().as_bytes());
    let text = input["container"].as_str().unwrap_or_default();
    let Ok((info, plaintext)) =
        key.and_then(|k| container::open_plaintext(text.as_bytes(), &Credential::Key(k)))
    else {
        return answer;
    };
    let payload_text = String::from_utf8_lossy(&plaintext).into_owned();
    let platform = serde_json::from_str::<Value>(&payload_text)
        .ok()
        .map(|p| p["platform"].clone());
    match platform {
        Some(p) if code == "malformed" && p == info.meta.platform.as_str() => {
            reference("payload.parse", &json!({ "payload": payload_text }))
        }
        _ => answer,
    }
}

/// Adds a recipient and writes only the new one: the existing keys can no longer open it.
pub(super) fn add_recipient_drops_others(op: &str, input: &Value) -> Answer {
    match reference(op, input) {
        Answer::Ok(v) if op == "container.add_recipient" => {
            let mut c: Value =
                serde_json::from_str(v["container"].as_str().unwrap_or("")).unwrap_or_default();
            let new_kid = input["new_key"]["kid"].clone();
            if let Some(list) = c["recipients"].as_array_mut() {
                list.retain(|r| r["header"]["kid"] == new_kid);
            }
            Answer::Ok(json!({ "container": c.to_string() }))
        }
        other => other,
    }
}

/// Removes any recipient asked for, the last one included, and ignores kids it does not have.
pub(super) fn removes_anything(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    if op != "container.remove_recipient" || !matches!(answer, Answer::Error(_)) {
        return answer;
    }
    let mut c: Value =
        serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default();
    let kid = input["kid"].clone();
    if let Some(list) = c["recipients"].as_array_mut() {
        list.retain(|r| r["header"]["kid"] != kid);
    }
    Answer::Ok(json!({ "container": c.to_string() }))
}
