//! Known-bad container readers: what lenient JOSE libraries let through (kids without letter
//! case, the last of repeated members, lenient base64url, a payload bound to its header by
//! the platform alone). Each changes the container or key as the lenient reader would see
//! it, then opens it with the reference.

use authbackup::container::{self, ContainerInfo, Credential, RecoveryKey};
use data_encoding::BASE64URL_NOPAD;
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

/// `container.open`'s container opened with its key by the reference: the protected header's
/// facts and the decrypted bytes, whatever they hold (`None` when it does not open).
fn opened(input: &Value) -> Option<(ContainerInfo, Vec<u8>)> {
    let key = RecoveryKey::from_jwk_json(input["key"].to_string().as_bytes()).ok()?;
    let text = input["container"].as_str().unwrap_or_default();
    let (info, plaintext) =
        container::open_plaintext(text.as_bytes(), &Credential::Key(key)).ok()?;
    Some((info, plaintext.to_vec()))
}

/// Checks that the payload's platform equals the header's, and nothing else of the header.
pub(super) fn binds_platform_only(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(code), "container.open") = (&answer, op) else {
        return answer;
    };
    let Some((info, plaintext)) = opened(input) else {
        return answer;
    };
    let payload_text = String::from_utf8_lossy(&plaintext).into_owned();
    let platform = serde_json::from_str::<Value>(&payload_text)
        .ok()
        .map(|p| p["platform"].clone());
    match platform {
        Some(p) if code == "malformed" && p == info.meta.platform().as_str() => {
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

/// `container.seal` through the reference, then `edit` applied to the container written.
fn seal_edited(op: &str, input: &Value, edit: impl FnOnce(&mut Value)) -> Answer {
    match reference(op, input) {
        Answer::Ok(v) if op == "container.seal" => {
            let mut c: Value =
                serde_json::from_str(v["container"].as_str().unwrap_or("")).unwrap_or_default();
            edit(&mut c);
            Answer::Ok(json!({ "container": c.to_string() }))
        }
        other => other,
    }
}

/// Writes the PBES2 salt and count, or the ephemeral key, into the protected header, as a
/// single-recipient JOSE library does by default.
pub(super) fn algorithm_params_protected(op: &str, input: &Value) -> Answer {
    seal_edited(op, input, |c| {
        let Some(first) = c["recipients"][0]["header"].as_object().cloned() else {
            return;
        };
        let decoded = BASE64URL_NOPAD.decode(c["protected"].as_str().unwrap_or("").as_bytes());
        let Ok(mut header) =
            serde_json::from_slice::<serde_json::Map<String, Value>>(&decoded.unwrap_or_default())
        else {
            return;
        };
        for member in ["p2s", "p2c", "epk"] {
            if let Some(v) = first.get(member) {
                header.insert(member.into(), v.clone());
                c["recipients"][0]["header"]
                    .as_object_mut()
                    .map(|h| h.remove(member));
            }
        }
        c["protected"] = BASE64URL_NOPAD
            .encode(Value::Object(header).to_string().as_bytes())
            .into();
    })
}

/// Gives a key without `kid` the recipient kid `default` instead of its RFC 7638 thumbprint.
pub(super) fn kid_not_thumbprint(op: &str, input: &Value) -> Answer {
    let kidless: Vec<bool> = input["recipients"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r.get("key").is_some_and(|k| k.get("kid").is_none()))
        .collect();
    seal_edited(op, input, |c| {
        for (r, kidless) in c["recipients"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .zip(kidless)
        {
            if kidless {
                r["header"]["kid"] = "default".into();
            }
        }
    })
}

/// The `(kid, key bytes)` of every recipient of a `container.seal` input, when each is an
/// `oct` key with a kid.
fn oct_recipients(input: &Value) -> Option<Vec<(String, Vec<u8>)>> {
    input["recipients"]
        .as_array()?
        .iter()
        .map(|r| {
            let k = r.get("key")?;
            let bytes = BASE64URL_NOPAD.decode(k["k"].as_str()?.as_bytes()).ok()?;
            Some((k["kid"].as_str()?.to_string(), bytes))
        })
        .collect()
}

/// `container.seal` through the reference, then sealed again by hand for every `oct` key of
/// the input, with the protected header text `header` makes from the one the reference wrote
/// and a content key and IV from a generator with a fixed seed.
fn resealed(op: &str, input: &Value, header: impl FnOnce(&str) -> Option<String>) -> Answer {
    let answer = reference(op, input);
    let (Answer::Ok(v), "container.seal", Some(keys)) = (&answer, op, oct_recipients(input)) else {
        return answer;
    };
    let Some((kid, key)) = keys.first() else {
        return answer;
    };
    let credential = RecoveryKey::from_jwk_json(
        json!({ "kty": "oct", "kid": kid, "k": BASE64URL_NOPAD.encode(key) })
            .to_string()
            .as_bytes(),
    );
    let text = v["container"].as_str().unwrap_or_default();
    let written: Value = serde_json::from_str(text).unwrap_or_default();
    let protected = BASE64URL_NOPAD
        .decode(written["protected"].as_str().unwrap_or_default().as_bytes())
        .unwrap_or_default();
    let opened =
        credential.and_then(|k| container::open_plaintext(text.as_bytes(), &Credential::Key(k)));
    let (Ok((_, plaintext)), Some(header)) = (opened, header(&String::from_utf8_lossy(&protected)))
    else {
        return answer;
    };
    let pairs: Vec<(&str, &[u8])> = keys
        .iter()
        .map(|(k, b)| (k.as_str(), b.as_slice()))
        .collect();
    let mut rng = crate::generate::Rng::new(7);
    let sealed = crate::generate::container::sealed_for(&mut rng, &pairs, &header, &plaintext);
    Answer::Ok(json!({ "container": sealed }))
}

/// Writes the protected header with its members sorted by name (what a JSON library with
/// sorted maps writes).
pub(super) fn header_members_sorted(op: &str, input: &Value) -> Answer {
    resealed(op, input, |header| {
        let sorted: std::collections::BTreeMap<String, Value> =
            serde_json::from_str(header).ok()?;
        serde_json::to_string(&sorted).ok()
    })
}

/// Seals every payload with one content key and IV (drawn once, from a fixed seed), so two
/// seals of one request are the same bytes.
pub(super) fn fixed_content_key(op: &str, input: &Value) -> Answer {
    resealed(op, input, |header| Some(header.to_string()))
}

/// Checks the container before the key: a broken container is reported first, and an EC
/// public key is found out only when its recipient is tried.
pub(super) fn container_before_key(op: &str, input: &Value) -> Answer {
    if op != "container.open" {
        return reference(op, input);
    }
    let any_key = json!({ "kty": "oct", "kid": "x", "k": BASE64URL_NOPAD.encode(&[0u8; 32]) });
    match reference(op, &with(input, "key", any_key)) {
        Answer::Error(code) if code != "decryption_failed" => Answer::Error(code),
        _ => {
            let kid = &input["key"]["kid"];
            let container: Value =
                serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default();
            let listed = container["recipients"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| &r["header"]["kid"] == kid);
            if listed {
                reference(op, input)
            } else {
                Answer::Error("decryption_failed".into())
            }
        }
    }
}

/// Checks the recipient list before the payload it is asked to write.
pub(super) fn writer_checks_recipients_first(op: &str, input: &Value) -> Answer {
    let empty = input["recipients"].as_array().is_some_and(Vec::is_empty);
    match op {
        "container.seal" if empty => Answer::Error("invalid_parameter".into()),
        _ => reference(op, input),
    }
}

/// Its ECDH-ES+A256KW path always fails: EC keys neither open nor seal.
pub(super) fn ecdh_always_fails(op: &str, input: &Value) -> Answer {
    let ec = |k: &Value| k["kty"] == "EC";
    let uses_ec = ec(&input["key"])
        || input["recipients"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| ec(&r["key"]));
    match op {
        "container.open" | "container.seal" if uses_ec => Answer::Error("decryption_failed".into()),
        _ => reference(op, input),
    }
}

/// Takes the limits as exclusive: 16 recipients, a 128-byte kid and a container of 64 MiB
/// are refused.
pub(super) fn limits_exclusive(op: &str, input: &Value) -> Answer {
    let container: Value =
        serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default();
    let recipients = container["recipients"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let at_limit = recipients.len() >= 16
        || recipients
            .iter()
            .any(|r| r["header"]["kid"].as_str().is_some_and(|k| k.len() >= 128));
    let at_size = input["container"]
        .as_str()
        .is_some_and(|t| t.len() >= 64 * 1024 * 1024);
    let sealing_16 = input["recipients"]
        .as_array()
        .is_some_and(|r| r.len() >= 16);
    match op {
        "container.open" if at_limit || at_size => Answer::Error("too_large".into()),
        "container.seal" if sealing_16 => Answer::Error("too_large".into()),
        _ => reference(op, input),
    }
}

/// Takes any 32-byte x and y as an EC point (no range or curve check, as a library that
/// reduces modulo p or checks nothing would): an epk the key does not use is never looked at,
/// and an EC key that is no point fails only in the key agreement.
pub(super) fn ec_points_unchecked(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(code), "container.open") = (&answer, op) else {
        return answer;
    };
    if input["key"]["kty"] == "EC" && code == "invalid_parameter" && input["key"].get("d").is_some()
    {
        return Answer::Error("decryption_failed".into());
    }
    let good = crate::generate::container::ec_point();
    open_edited(op, input, |t| {
        let mut v: Value = serde_json::from_str(t).ok()?;
        for r in v["recipients"].as_array_mut()? {
            if let Some(epk) = r["header"].get_mut("epk").and_then(Value::as_object_mut) {
                epk.insert("x".into(), good.0.into());
                epk.insert("y".into(), good.1.into());
            }
        }
        Some(v.to_string())
    })
}

/// Decrypts a container's payload with an `oct` key as a plain JOSE library would, reading
/// nothing of the protected header but the text it authenticates.
fn decrypt_plainly(container: &Value, key: &Value) -> Option<Vec<u8>> {
    use josekit::jwe::{JweContentEncryption, JweDecrypter, JweHeader};
    let b64 = |v: &Value| BASE64URL_NOPAD.decode(v.as_str()?.as_bytes()).ok();
    let k = b64(&key["k"])?;
    let recipient = container["recipients"]
        .as_array()?
        .iter()
        .find(|r| r["header"]["kid"] == key["kid"])?;
    let unwrap = josekit::jwe::A256KW.decrypter_from_bytes(&k).ok()?;
    let enc = josekit::jwe::enc::A256GCM;
    let cek = unwrap
        .decrypt(
            b64(&recipient["encrypted_key"]).as_deref(),
            &enc,
            &JweHeader::new(),
        )
        .ok()?;
    let aad = container["protected"].as_str()?.as_bytes();
    let (iv, tag) = (b64(&container["iv"])?, b64(&container["tag"])?);
    enc.decrypt(
        &cek,
        Some(&iv),
        &b64(&container["ciphertext"])?,
        aad,
        Some(&tag),
    )
    .ok()
}

/// Reads the protected header with a general JSON library: no size limit, the last of
/// repeated members, `7.0` as 7; then compares it with the payload as numbers.
pub(super) fn lenient_header(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(_), "container.open") = (&answer, op) else {
        return answer;
    };
    let container: Value =
        serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default();
    let header: Option<Value> = container["protected"]
        .as_str()
        .and_then(|p| BASE64URL_NOPAD.decode(p.as_bytes()).ok())
        .and_then(|h| serde_json::from_slice(&h).ok());
    let Some(header) = header else {
        return answer;
    };
    // Lenient about the header text only: with the header written plainly (integers as
    // digits), everything else must pass; only the authentication of the header text, which
    // then changed, fails.
    let plain_header: serde_json::Map<String, Value> = header
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| match v.as_f64() {
            Some(f) if f.fract() == 0.0 && f >= 0.0 => (k.clone(), json!(f as u64)),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let raw = input["container"].as_str().unwrap_or_default();
    let protected = container["protected"].as_str().unwrap_or_default();
    let rewritten = raw.replacen(
        protected,
        &BASE64URL_NOPAD.encode(Value::Object(plain_header).to_string().as_bytes()),
        1,
    );
    let opened = reference(
        "container.open",
        &with(input, "container", rewritten.into()),
    );
    if opened != Answer::Error("decryption_failed".into()) {
        return answer;
    }
    let Some(plain) = decrypt_plainly(&container, &input["key"]) else {
        return answer;
    };
    let text = String::from_utf8_lossy(&plain).into_owned();
    let payload: Value = serde_json::from_str(&text).unwrap_or_default();
    let agrees = ["generation", "created"]
        .iter()
        .all(|m| header[*m].as_f64() == payload[*m].as_f64())
        && ["platform", "backup_id"]
            .iter()
            .all(|m| header[*m] == payload[*m]);
    if header["typ"] != "abf+jwe" || header["abf_version"].as_f64() != Some(1.0) || !agrees {
        return answer;
    }
    reference("payload.parse", &json!({ "payload": text }))
}

/// The container of an opening or inspecting request, as JSON (`Null` when it is none).
fn read_container(op: &str, input: &Value) -> Value {
    match op {
        "container.open" | "container.inspect" => {
            serde_json::from_str(input["container"].as_str().unwrap_or("")).unwrap_or_default()
        }
        _ => Value::Null,
    }
}

/// Checks the IV and tag lengths before the protected header and the recipients.
pub(super) fn iv_tag_first(op: &str, input: &Value) -> Answer {
    let c = read_container(op, input);
    let length = |field: &str| {
        c[field]
            .as_str()
            .and_then(|t| BASE64URL_NOPAD.decode(t.as_bytes()).ok())
            .map(|b| b.len())
    };
    if c.is_object() && (length("iv") != Some(12) || length("tag") != Some(16)) {
        return Answer::Error("malformed".into());
    }
    reference(op, input)
}

/// Checks every recipient's algorithm before the protected header.
pub(super) fn recipients_before_header(op: &str, input: &Value) -> Answer {
    let c = read_container(op, input);
    let allowed = ["A256KW", "ECDH-ES+A256KW", "PBES2-HS512+A256KW"];
    let refused = c["recipients"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| !allowed.iter().any(|a| r["header"]["alg"] == *a));
    if refused {
        return Answer::Error("algorithm_not_allowed".into());
    }
    reference(op, input)
}

/// `container.open` whose decrypted bytes, when the reference refuses them as malformed, are
/// turned into text by `decode` (`None`: left alone) and read as a payload, the way a reader
/// that decodes the bytes itself before a JSON parser sees them would.
fn payload_decoded(
    op: &str,
    input: &Value,
    decode: impl FnOnce(&[u8]) -> Option<String>,
) -> Answer {
    let answer = reference(op, input);
    let (Answer::Error(code), "container.open") = (&answer, op) else {
        return answer;
    };
    let Some((_, plaintext)) = opened(input) else {
        return answer;
    };
    match decode(&plaintext) {
        Some(text) if code == "malformed" => {
            reference("payload.parse", &json!({ "payload": text }))
        }
        _ => answer,
    }
}

/// Decodes the decrypted bytes as browsers' `TextDecoder` does by default: a byte order mark
/// skipped, bytes that are not UTF-8 replaced by U+FFFD.
pub(super) fn payload_text_decoder(op: &str, input: &Value) -> Answer {
    payload_decoded(op, input, |bytes| {
        let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let lenient = text.len() < bytes.len() || std::str::from_utf8(bytes).is_err();
        lenient.then(|| String::from_utf8_lossy(text).into_owned())
    })
}

/// Detects the encoding of the decrypted bytes as Python's `json.loads` does when handed
/// bytes: a UTF-8 byte order mark skipped, UTF-16 recognised by its zero bytes.
pub(super) fn payload_encoding_detected(op: &str, input: &Value) -> Answer {
    payload_decoded(op, input, |bytes| {
        let utf16 = |b: &[u8], unit: fn([u8; 2]) -> u16| {
            let units: Vec<u16> = b.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        };
        match bytes {
            [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
            [a, 0, ..] if *a != 0 => utf16(bytes, u16::from_le_bytes),
            [0, b, ..] if *b != 0 => utf16(bytes, u16::from_be_bytes),
            _ => None,
        }
    })
}

/// Looks up member names and compares kids as written, `\u` escapes undecoded (a raw-key
/// lookup, as simdjson's On-Demand API does).
pub(super) fn container_escapes_kept_raw(op: &str, input: &Value) -> Answer {
    open_edited(op, input, |t| {
        t.contains("\\u").then(|| t.replace("\\u", "#u"))
    })
}

/// Skips a byte order mark before the container, as browsers' `TextDecoder` does.
pub(super) fn container_bom_skipped(op: &str, input: &Value) -> Answer {
    open_edited(op, input, |t| {
        t.strip_prefix('\u{feff}').map(str::to_string)
    })
}

/// The input with every passphrase in it (an opener's, or a seal request's recipients')
/// changed by `f`.
fn passphrases_edited(input: &Value, f: impl Fn(&str) -> String) -> Value {
    let mut v = input.clone();
    if let Some(p) = v["passphrase"].as_str().map(&f) {
        v["passphrase"] = p.into();
    }
    for r in v["recipients"].as_array_mut().into_iter().flatten() {
        if let Some(p) = r["passphrase"].as_str().map(&f) {
            r["passphrase"] = p.into();
        }
    }
    v
}

/// Removes a final line break (LF or CRLF) from a passphrase, as a line read from a file
/// ends: another key than the writer derived.
pub(super) fn passphrase_trimmed(op: &str, input: &Value) -> Answer {
    let trimmed = passphrases_edited(input, |p| {
        let line = p.strip_suffix('\n').unwrap_or(p);
        line.strip_suffix('\r').unwrap_or(line).to_string()
    });
    reference(op, &trimmed)
}

/// Takes an empty passphrase like any other: the container is read, and nothing opens.
pub(super) fn empty_passphrase_tried(op: &str, input: &Value) -> Answer {
    // A passphrase no case uses stands for the empty one the reference refuses.
    let tried = passphrases_edited(input, |p| {
        if p.is_empty() {
            "\u{0}never used".into()
        } else {
            p.into()
        }
    });
    reference(op, &tried)
}

/// Takes any kid a key gives (an empty one, 129 bytes, a control character), and a null kid
/// as none: recipients it writes or looks for are ones no reader can name.
pub(super) fn key_kid_unchecked(op: &str, input: &Value) -> Answer {
    let mut v = input.clone();
    let unchecked = |key: &mut Value| match &key["kid"] {
        Value::Null => {
            if let Some(k) = key.as_object_mut() {
                k.remove("kid");
            }
        }
        Value::String(kid) if !kid_allowed(kid) => key["kid"] = "a kid nobody checked".into(),
        _ => {}
    };
    for name in ["key", "new_key"] {
        if v[name].is_object() {
            unchecked(&mut v[name]);
        }
    }
    for r in v["recipients"].as_array_mut().into_iter().flatten() {
        if r["key"].is_object() {
            unchecked(&mut r["key"]);
        }
    }
    reference(op, &v)
}

/// REQ-CONTAINER-023's kid: 1 to 128 bytes, no control character.
fn kid_allowed(kid: &str) -> bool {
    (1..=128).contains(&kid.len()) && !kid.chars().any(char::is_control)
}

/// Uses an EC key's `d` without checking that it is the private key of the key's `x` and
/// `y`: the key is named by one point and opens with another, so nothing opens.
pub(super) fn ec_d_unchecked(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let key = &input["key"];
    let mut public = key.clone();
    if let Some(k) = public.as_object_mut() {
        k.remove("d");
    }
    let refused_for_d = RecoveryKey::from_jwk_json(key.to_string().as_bytes()).is_err()
        && RecoveryKey::from_jwk_json(public.to_string().as_bytes()).is_ok();
    match op {
        "container.open" if refused_for_d => Answer::Error("decryption_failed".into()),
        _ => answer,
    }
}

/// The keys of a seal request, each read as a JWK (`None` for a passphrase recipient).
fn seal_keys(input: &Value) -> Vec<Option<Result<RecoveryKey, authbackup::Error>>> {
    let recipients = input["recipients"].as_array().into_iter().flatten();
    recipients
        .map(|r| {
            r.get("key")
                .map(|k| RecoveryKey::from_jwk_json(k.to_string().as_bytes()))
        })
        .collect()
}

/// Reads every key of a seal request as it parses the request, before it counts the
/// recipients or checks any passphrase's p2c (the payload still first).
pub(super) fn writer_keys_first(op: &str, input: &Value) -> Answer {
    let payload_ok = !matches!(
        reference(
            "payload.parse",
            &json!({ "payload": input["payload"].to_string() })
        ),
        Answer::Error(_)
    );
    let bad_key = seal_keys(input).iter().flatten().any(Result::is_err);
    match op {
        "container.seal" if payload_ok && bad_key => Answer::Error("invalid_parameter".into()),
        _ => reference(op, input),
    }
}

/// Refuses a repeated kid as soon as it reads it, before the p2c of a later passphrase.
pub(super) fn duplicate_kids_while_reading(op: &str, input: &Value) -> Answer {
    let kids: Vec<String> = seal_keys(input)
        .into_iter()
        .map(|k| match k {
            Some(Ok(key)) => key.kid().to_string(),
            Some(Err(_)) => String::new(),
            None => container::PASSPHRASE_KID.to_string(),
        })
        .collect();
    let repeated = (0..kids.len()).any(|i| !kids[i].is_empty() && kids[..i].contains(&kids[i]));
    let count_ok = (1..=16).contains(&kids.len());
    let answer = reference(op, input);
    match (op, &answer) {
        ("container.seal", Answer::Error(_)) if repeated && count_ok => {
            Answer::Error("invalid_parameter".into())
        }
        _ => answer,
    }
}

/// Checks the recipients' kids for a repeat only after every recipient's own checks, so a
/// later `p2c` or key length is reported first.
pub(super) fn repeated_kids_checked_last(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let mut c = read_container(op, input);
    let Some(list) = c["recipients"].as_array_mut() else {
        return answer;
    };
    let mut seen = Vec::new();
    for (i, r) in list.iter_mut().enumerate() {
        if let Some(kid) = r["header"]["kid"].as_str().map(str::to_string) {
            if seen.contains(&kid) {
                r["header"]["kid"] = format!("{kid} (repeat {i})").into();
            }
            seen.push(kid);
        }
    }
    match reference(op, &with(input, "container", c.to_string().into())) {
        Answer::Error(code) if code != "decryption_failed" => Answer::Error(code),
        _ => answer,
    }
}

/// Finds a lone surrogate escape in a kid only when it checks the kid, after the protected
/// header, as a JSON library that lets lone surrogates through would.
pub(super) fn surrogates_checked_late(op: &str, input: &Value) -> Answer {
    let answer = reference(op, input);
    let text = input["container"].as_str().unwrap_or_default();
    let lone = ["\\ud800", "\\udc00"];
    if !matches!(op, "container.open" | "container.inspect")
        || !lone.iter().any(|l| text.contains(l))
    {
        return answer;
    }
    let mut cleaned = text.to_string();
    for l in lone {
        cleaned = cleaned.replace(l, "");
    }
    match reference(op, &with(input, "container", cleaned.into())) {
        Answer::Error(code) if code != "decryption_failed" => Answer::Error(code),
        _ => answer,
    }
}

/// Opens the container, payload and all, before any other check of a new recipient: a
/// repeated kid or a full container is reported as the opening's failure, and a payload of
/// another version stops the re-keying.
pub(super) fn add_opens_fully_first(op: &str, input: &Value) -> Answer {
    if op == "container.add_recipient" {
        let opened = reference(
            "container.open",
            &json!({ "container": input["container"], "key": input["key"] }),
        );
        if let Answer::Error(code) = opened {
            return Answer::Error(code);
        }
    }
    reference(op, input)
}

/// Writes every passphrase recipient with 210,000 iterations, whatever p2c it is asked for
/// (a library's own default).
pub(super) fn p2c_default_always(op: &str, input: &Value) -> Answer {
    let mut v = input.clone();
    for r in v["recipients"].as_array_mut().into_iter().flatten() {
        if r.get("passphrase").is_some()
            && r["p2c"]
                .as_u64()
                .is_some_and(|n| (210_000..=1_000_000).contains(&n))
        {
            r["p2c"] = 210_000.into();
        }
    }
    reference(op, &v)
}

/// Normalises a passphrase to NFC before deriving its key (here: a letter followed by a
/// combining diaeresis becomes the precomposed letter, as NFC composes it).
pub(super) fn passphrase_normalised(op: &str, input: &Value) -> Answer {
    const COMPOSED: [(&str, &str); 6] = [
        ("a\u{308}", "\u{e4}"),
        ("o\u{308}", "\u{f6}"),
        ("u\u{308}", "\u{fc}"),
        ("A\u{308}", "\u{c4}"),
        ("O\u{308}", "\u{d6}"),
        ("U\u{308}", "\u{dc}"),
    ];
    let normalised = passphrases_edited(input, |p| {
        COMPOSED
            .iter()
            .fold(p.to_string(), |text, (from, to)| text.replace(from, to))
    });
    reference(op, &normalised)
}
