//! How the runner judges answers that cannot be compared with a fixed output: what writing
//! operations wrote (random keys and IVs, member order), opened with the reference and
//! checked against what the spec fixes; a store's file operations, crashed at every step; a
//! verifier's measured times.

use authbackup::container::{self, Credential, Passphrase, RecoveryKey, PASSPHRASE_KID};
use serde_json::Value;

use crate::model::TestCase;

fn credential(v: &Value) -> Result<Credential, String> {
    if let Some(key) = v.get("key") {
        return RecoveryKey::from_jwk_json(key.to_string().as_bytes())
            .map(Credential::Key)
            .map_err(|e| e.to_string());
    }
    let p = v
        .get("passphrase")
        .and_then(Value::as_str)
        .ok_or("a recipient needs key or passphrase")?;
    Passphrase::new(p.as_bytes())
        .map(Credential::Passphrase)
        .map_err(|e| e.to_string())
}

/// Judges `output` of case `case` by its `check`.
pub fn check(case: &TestCase, output: &Value) -> Result<(), String> {
    match case.check.as_deref() {
        Some("sealed") => sealed(case, output),
        Some("recipient_added") => recipient_added(case, output),
        Some("recipient_removed") => recipient_removed(case, output),
        Some("crash_safe") => crash_safe(case, output),
        Some("timing_independent") => timing_independent(case, output),
        Some("uri_faithful") => uri_faithful(case, output),
        other => Err(format!("unknown check {other:?}")),
    }
}

/// `container.seal`: every recipient opens the container; the decrypted payload is exactly
/// the expected canonical payload (REQ-PAYLOAD-030); the protected header carries exactly its
/// members with the payload's values (REQ-CONTAINER-050); kids as REQ-CONTAINER-052 says;
/// a passphrase recipient with the p2c the request asked for (REQ-CONTAINER-051).
fn sealed(case: &TestCase, output: &Value) -> Result<(), String> {
    let bytes = output
        .get("container")
        .and_then(Value::as_str)
        .ok_or("the answer has no container string")?
        .as_bytes();
    let expected = case
        .output
        .as_ref()
        .and_then(|o| o.get("payload"))
        .ok_or("the case has no expected payload")?;
    let recipients = case
        .input
        .get("recipients")
        .and_then(Value::as_array)
        .ok_or("the case has no recipients")?;
    for r in recipients {
        let c = credential(r)?;
        let (info, plaintext) = container::open_plaintext(bytes, &c)
            .map_err(|e| format!("recipient {} cannot open it: {e}", c.kid()))?;
        let written: Value = serde_json::from_slice(&plaintext)
            .map_err(|e| format!("the payload is not JSON: {e}"))?;
        if &written != expected {
            return Err(format!(
                "the payload written is {written}, not the canonical {expected}"
            ));
        }
        let meta = &info.meta;
        let want = (
            expected["platform"].as_str(),
            expected["backup_id"].as_str(),
            expected["generation"].as_u64(),
            expected["created"].as_u64(),
        );
        if want
            != (
                Some(meta.platform().as_str()),
                Some(meta.backup_id()),
                Some(meta.generation()),
                Some(meta.created()),
            )
        {
            return Err("the protected header does not carry the payload's platform, backup id, generation and creation time".into());
        }
        let kid = expected_kid(r).unwrap_or_else(|| c.kid().to_string());
        let ours = info
            .recipients
            .iter()
            .find(|x| x.kid == kid)
            .ok_or_else(|| format!("no recipient carries the kid {kid:?} (REQ-CONTAINER-052)"))?;
        if let Credential::Passphrase(_) = c {
            // The p2c the request asked for (adapter protocol), which is within the limits
            // in every case that expects a container.
            let asked = r.get("p2c").and_then(Value::as_u64);
            if ours.kid != PASSPHRASE_KID || ours.p2c.map(u64::from) != asked {
                return Err(format!(
                    "the passphrase recipient must have kid passphrase and the p2c asked for, {}; it has kid {:?} and p2c {:?}",
                    asked.map_or("none".into(), |n| n.to_string()),
                    ours.kid,
                    ours.p2c
                ));
            }
        }
    }
    written_headers(bytes)
}

/// The kid REQ-CONTAINER-052 gives a key recipient, worked out here rather than by the
/// reference: the JWK's `kid`, or its RFC 7638 thumbprint (SHA-256 of the required members,
/// sorted, without white space). `None` for a passphrase.
fn expected_kid(recipient: &Value) -> Option<String> {
    use sha2::Digest;
    let key = recipient.get("key")?;
    if let Some(kid) = key.get("kid").and_then(Value::as_str) {
        return Some(kid.to_string());
    }
    let members: &[&str] = match key["kty"].as_str()? {
        "oct" => &["k", "kty"],
        _ => &["crv", "kty", "x", "y"],
    };
    let body: Vec<String> = members
        .iter()
        .map(|m| format!("{}:{}", Value::from(*m), key[*m]))
        .collect();
    let digest = sha2::Sha256::digest(format!("{{{}}}", body.join(",")).as_bytes());
    Some(data_encoding::BASE64URL_NOPAD.encode(&digest))
}

/// The member names of a JSON object text, in the order written.
fn member_names(text: &[u8]) -> Result<Vec<String>, String> {
    struct Names(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Names {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Names;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut m: A,
                ) -> Result<Names, A::Error> {
                    let mut names = Vec::new();
                    while let Some((k, _)) = m.next_entry::<String, serde::de::IgnoredAny>()? {
                        names.push(k);
                    }
                    Ok(Names(names))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::from_slice::<Names>(text)
        .map(|n| n.0)
        .map_err(|e| e.to_string())
}

/// REQ-CONTAINER-050: the protected header has exactly its eight members, in order, and each
/// recipient header `alg`, `kid` and its algorithm's members only.
fn written_headers(bytes: &[u8]) -> Result<(), String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let header = data_encoding::BASE64URL_NOPAD
        .decode(v["protected"].as_str().unwrap_or_default().as_bytes())
        .map_err(|e| e.to_string())?;
    let names = member_names(&header)?;
    let order = [
        "typ",
        "cty",
        "enc",
        "abf_version",
        "platform",
        "backup_id",
        "generation",
        "created",
    ];
    if names != order {
        return Err(format!(
            "the protected header has members {names:?}, not {order:?} in that order"
        ));
    }
    for r in v["recipients"].as_array().into_iter().flatten() {
        let mut got: Vec<&str> = r["header"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        got.sort_unstable();
        let want: &[&str] = match r["header"]["alg"].as_str() {
            Some("PBES2-HS512+A256KW") => &["alg", "kid", "p2c", "p2s"],
            Some("ECDH-ES+A256KW") => &["alg", "epk", "kid"],
            _ => &["alg", "kid"],
        };
        if got != want {
            return Err(format!(
                "a recipient header has members {got:?}, not {want:?}"
            ));
        }
    }
    Ok(())
}

/// The container texts of the case's input and of the answer, as JSON.
fn before_and_after(case: &TestCase, output: &Value) -> Result<(Value, Value), String> {
    let written = output
        .get("container")
        .and_then(Value::as_str)
        .ok_or("the answer has no container string")?;
    let original = case.input["container"]
        .as_str()
        .ok_or("the case has no container")?;
    Ok((
        serde_json::from_str(original).map_err(|e| e.to_string())?,
        serde_json::from_str(written).map_err(|e| format!("the answer is not JSON: {e}"))?,
    ))
}

/// The protected header, IV, ciphertext and tag are byte for byte those of the input, and
/// every recipient of the input except `dropped` is still there, unchanged
/// (REQ-CONTAINER-053).
fn unchanged_but_recipients(
    before: &Value,
    after: &Value,
    dropped: Option<&str>,
) -> Result<(), String> {
    for member in ["protected", "iv", "ciphertext", "tag"] {
        if after[member] != before[member] {
            return Err(format!("{member} changed: the payload was re-encrypted"));
        }
    }
    let kept = after["recipients"].as_array().cloned().unwrap_or_default();
    for r in before["recipients"].as_array().into_iter().flatten() {
        let kid = r["header"]["kid"].as_str().unwrap_or_default();
        if Some(kid) != dropped && !kept.contains(r) {
            return Err(format!("the recipient {kid:?} was dropped or changed"));
        }
    }
    Ok(())
}

/// `container.add_recipient`: the new key opens the result to the same payload as the
/// existing key opened the input; the existing key still opens it; the protected header,
/// IV, ciphertext, tag and every existing recipient are unchanged (REQ-CONTAINER-053).
fn recipient_added(case: &TestCase, output: &Value) -> Result<(), String> {
    let (before, after) = before_and_after(case, output)?;
    let written = output["container"].as_str().unwrap_or_default();
    let original = case.input["container"].as_str().unwrap_or_default();
    let new_key = credential(&serde_json::json!({ "key": case.input["new_key"] }))?;
    let old_key = credential(&serde_json::json!({ "key": case.input["key"] }))?;
    let (_, opened) = container::open_plaintext(written.as_bytes(), &new_key)
        .map_err(|e| format!("the new key cannot open it: {e}"))?;
    let (_, was) =
        container::open_plaintext(original.as_bytes(), &old_key).map_err(|e| e.to_string())?;
    if *opened != *was {
        return Err("the new key opens it to another payload".into());
    }
    container::open_plaintext(written.as_bytes(), &old_key)
        .map_err(|e| format!("the existing key no longer opens it: {e}"))?;
    unchanged_but_recipients(&before, &after, None)
}

/// `container.remove_recipient`: the kid is gone, every other recipient and the protected
/// header, IV, ciphertext and tag are unchanged, and the keys given in `opens` still open it
/// (REQ-CONTAINER-053).
fn recipient_removed(case: &TestCase, output: &Value) -> Result<(), String> {
    let (before, after) = before_and_after(case, output)?;
    let kid = case.input["kid"].as_str().ok_or("the case has no kid")?;
    let left = after["recipients"].as_array().cloned().unwrap_or_default();
    if left.iter().any(|r| r["header"]["kid"] == kid) {
        return Err(format!("the recipient {kid:?} is still there"));
    }
    unchanged_but_recipients(&before, &after, Some(kid))?;
    let written = output["container"].as_str().unwrap_or_default();
    for key in case
        .output
        .as_ref()
        .and_then(|o| o["opens"].as_array())
        .into_iter()
        .flatten()
    {
        let c = credential(&serde_json::json!({ "key": key }))?;
        container::open_plaintext(written.as_bytes(), &c)
            .map_err(|e| format!("the recipient {} can no longer open it: {e}", c.kid()))?;
    }
    Ok(())
}

/// `store.write`: the file operations replace the target atomically and durably
/// (REQ-STORE-002), judged by [`crate::crash::check`]; a backup generation's file holds the
/// container text byte for byte, before and after.
fn crash_safe(case: &TestCase, output: &Value) -> Result<(), String> {
    let ops = |name: &str| -> Result<Vec<crate::crash::Op>, String> {
        serde_json::from_value(output.get(name).cloned().unwrap_or(Value::Null))
            .map_err(|e| format!("{name}: {e}"))
    };
    let target = output
        .get("target")
        .and_then(Value::as_str)
        .ok_or("the answer has no target")?;
    let replaced = crate::crash::check(&ops("setup")?, &ops("ops")?, target)?;
    if let Some(keep) = case.input.get("keep").and_then(Value::as_u64) {
        let (kept, pruned) = generations_kept(case, keep)?;
        crate::crash::check_pruned(&ops("setup")?, &ops("ops")?, &kept, &pruned)?;
    }
    if case.input["file"] == "backup" {
        let given = (case.input["old"].as_str(), case.input["new"].as_str());
        if given != (replaced.old.as_deref(), Some(replaced.new.as_str())) {
            return Err(format!(
                "{target} does not hold the container texts given: a store keeps a generation byte for byte"
            ));
        }
    }
    Ok(())
}

/// The container texts a store keeping `keep` generations holds after writing the case's
/// `earlier` generations and then `new`, newest first, and those it must have removed.
fn generations_kept(case: &TestCase, keep: u64) -> Result<(Vec<String>, Vec<String>), String> {
    let mut all: Vec<(u64, String)> = case.input["earlier"]
        .as_array()
        .ok_or("the case has keep but no earlier generations")?
        .iter()
        .map(|g| {
            let n = g["generation"].as_u64().unwrap_or_default();
            (n, g["container"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let new = case.input["new"].as_str().ok_or("the case has no new")?;
    all.push((
        case.input["generation"].as_u64().unwrap_or_default(),
        new.to_string(),
    ));
    all.sort_by_key(|g| std::cmp::Reverse(g.0));
    let texts: Vec<String> = all.into_iter().map(|(_, t)| t).collect();
    let (kept, pruned) = texts.split_at((keep as usize).min(texts.len()));
    Ok((kept.to_vec(), pruned.to_vec()))
}

/// `totp.verify_timing`: the two classes of candidate take the same time (REQ-VERIFY-003),
/// judged by [`crate::timing::compare`].
fn timing_independent(case: &TestCase, output: &Value) -> Result<(), String> {
    let order = case.input["order"]
        .as_str()
        .ok_or("the case has no order")?;
    let ns: Vec<u64> = serde_json::from_value(output.get("ns").cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("ns: {e}"))?;
    let c = crate::timing::compare(order, &ns)?;
    if c.leaks() {
        return Err(format!(
            "verification took {:.0} ns on average with the first candidate and {:.0} ns with the second (t = {:.1}): the time tells where, or whether, the candidate matched",
            c.mean0, c.mean1, c.t
        ));
    }
    Ok(())
}

/// `uri.emit`: the answer is a URI by RFC 3986, and reading it (the reference's reader)
/// gives back the account of the input (REQ-URI-034).
fn uri_faithful(case: &TestCase, output: &Value) -> Result<(), String> {
    let uri = output
        .get("uri")
        .and_then(Value::as_str)
        .ok_or("the answer has no uri string")?;
    crate::rfc3986::check(uri).map_err(|why| format!("not an RFC 3986 URI: {why}"))?;
    let read =
        crate::reference::run("uri.parse", &serde_json::json!({ "uri": uri })).map_err(|e| {
            format!(
                "it does not read back: {}: {}",
                e.code().as_str(),
                e.message()
            )
        })?;
    let wanted = case.input.get("account");
    if read.as_ref() != wanted {
        return Err(format!(
            "it reads back as another account: {}",
            read.unwrap_or_default()
        ));
    }
    Ok(())
}

/// Answers to one `container.seal` request sent more than once: each container has its own
/// IV and ciphertext, and each recipient its own wrapped content key, salt (`p2s`) and
/// ephemeral key (`epk`) (REQ-CONTAINER-050, REQ-CONTAINER-051). AES key wrap is
/// deterministic, so one key recipient wrapping the same bytes twice means one content key.
pub fn fresh(outputs: &[&Value]) -> Result<(), String> {
    let containers = outputs
        .iter()
        .map(|o| {
            let text = o["container"].as_str().unwrap_or_default();
            serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (first, others) = containers.split_first().ok_or("no answer")?;
    for other in others {
        for member in ["iv", "ciphertext"] {
            if first[member] == other[member] {
                return Err(format!("two seals of one request wrote the same {member}: the content key or IV is not fresh"));
            }
        }
        for r in first["recipients"].as_array().into_iter().flatten() {
            let kid = &r["header"]["kid"];
            let twin = other["recipients"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| &x["header"]["kid"] == kid);
            let Some(twin) = twin else { continue };
            let same = |v: &Value, w: &Value| !v.is_null() && v == w;
            if same(&r["encrypted_key"], &twin["encrypted_key"]) {
                return Err(format!("two seals of one request wrapped the same content key for {kid}: the content key is not fresh"));
            }
            for member in ["p2s", "epk"] {
                if same(&r["header"][member], &twin["header"][member]) {
                    return Err(format!(
                        "two seals of one request wrote the same {member} for {kid}"
                    ));
                }
            }
        }
    }
    Ok(())
}
