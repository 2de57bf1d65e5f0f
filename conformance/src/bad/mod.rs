//! Known-bad implementations: the reference with one real-world bug each. The suite must
//! catch every one (a test runs them all); each also shows implementers what the vectors are
//! for.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};

use crate::implementation::{Answer, Implementation};
use crate::reference::Reference;

mod container;
mod otp;
mod payload;
mod restore;

/// One deliberately broken implementation.
pub struct Mutant {
    /// A short name.
    pub name: &'static str,
    /// Error messages repeat the input's secret.
    leaks: bool,
    /// The bug it has.
    pub bug: &'static str,
    behave: fn(&str, &Value) -> Answer,
}

impl Implementation for Mutant {
    fn call(&mut self, operation: &str, input: &Value) -> Answer {
        (self.behave)(operation, input)
    }

    fn call_with_message(&mut self, operation: &str, input: &Value) -> (Answer, Option<String>) {
        let (answer, message) = Reference.call_with_message(operation, input);
        if !self.leaks {
            return ((self.behave)(operation, input), message);
        }
        let secret = input
            .get("text")
            .or(input.get("uri"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let message = message.map(|m| format!("{m} (in {secret:?})"));
        (answer, message)
    }

    fn name(&self) -> String {
        format!("known-bad: {}", self.name)
    }
}

fn reference(operation: &str, input: &Value) -> Answer {
    Reference.call(operation, input)
}

fn with(input: &Value, key: &str, value: Value) -> Value {
    let mut v = input.clone();
    v[key] = value;
    v
}

fn hmac(alg: &str, key: &[u8], msg: &[u8]) -> Vec<u8> {
    match alg {
        "SHA256" => Hmac::<sha2::Sha256>::new_from_slice(key)
            .map(|m| m.chain_update(msg).finalize().into_bytes().to_vec()),
        "SHA512" => Hmac::<sha2::Sha512>::new_from_slice(key)
            .map(|m| m.chain_update(msg).finalize().into_bytes().to_vec()),
        _ => Hmac::<sha1::Sha1>::new_from_slice(key)
            .map(|m| m.chain_update(msg).finalize().into_bytes().to_vec()),
    }
    .unwrap_or_default()
}

/// HOTP with the offset taken from the first byte of the MAC instead of the last.
fn wrong_truncation(operation: &str, input: &Value) -> Answer {
    let counter = match operation {
        "hotp.generate" => input["counter"].as_u64(),
        "totp.generate" => match (
            input["time"].as_u64(),
            input["t0"].as_u64(),
            input["period"].as_u64(),
        ) {
            (Some(t), Some(t0), Some(p)) if t >= t0 && p > 0 => Some((t - t0) / p),
            _ => None,
        },
        _ => None,
    };
    let (Some(counter), Some(key)) = (
        counter,
        input["secret"]
            .as_str()
            .and_then(|s| data_encoding::HEXLOWER.decode(s.as_bytes()).ok()),
    ) else {
        return reference(operation, input);
    };
    if !matches!(reference(operation, input), Answer::Ok(_)) {
        return reference(operation, input);
    }
    let mac = hmac(
        input["algorithm"].as_str().unwrap_or("SHA1"),
        &key,
        &counter.to_be_bytes(),
    );
    let o = (mac[0] & 0x0f) as usize;
    let bin = u32::from_be_bytes([mac[o], mac[o + 1], mac[o + 2], mac[o + 3]]) & 0x7fff_ffff;
    let digits = input["digits"].as_u64().unwrap_or(6) as u32;
    Answer::Ok(json!({ "code": format!("{:0w$}", bin % 10u32.pow(digits), w = digits as usize) }))
}

/// `totp.verify_timing` with a verifier that returns at the first matching step.
fn early_exit_timing(operation: &str, input: &Value) -> Answer {
    let parsed = (
        crate::reference::totp(input),
        input["time"].as_u64(),
        input["window"].as_u64(),
        input["order"].as_str(),
        input["candidates"].as_array(),
    );
    let (Ok(totp), Some(time), Some(window), Some(order), Some(candidates)) = parsed else {
        return reference(operation, input);
    };
    let (Ok(current), "totp.verify_timing") = (totp.step_at(time), operation) else {
        return reference(operation, input);
    };
    let steps: Vec<u64> = std::iter::once(current)
        .chain((1..=window).flat_map(|d| [current.saturating_sub(d), current.saturating_add(d)]))
        .collect();
    let ns = order
        .bytes()
        .map(|class| {
            let candidate = (candidates.get(usize::from(class == b'1')))
                .and_then(Value::as_str)
                .unwrap_or("");
            let start = std::time::Instant::now();
            let found = steps
                .iter()
                .find(|s| totp.code_at_step(**s).to_string() == candidate);
            std::hint::black_box(found);
            start.elapsed().as_nanos() as u64
        })
        .collect::<Vec<_>>();
    Answer::Ok(json!({ "ns": ns }))
}

/// The reference's `store.write` answer with its operations edited by `edit`.
fn edited_trace(input: &Value, edit: impl FnOnce(&str, Vec<Value>) -> Vec<Value>) -> Answer {
    match reference("store.write", input) {
        Answer::Ok(mut v) => {
            let target = v["target"].as_str().unwrap_or_default().to_string();
            let ops = v["ops"].as_array().cloned().unwrap_or_default();
            v["ops"] = Value::Array(edit(&target, ops));
            Answer::Ok(v)
        }
        other => other,
    }
}

fn without_op(kind: &'static str) -> impl FnOnce(&str, Vec<Value>) -> Vec<Value> {
    move |_, ops| ops.into_iter().filter(|o| o["op"] != kind).collect()
}

/// A known-bad implementation that never leaks secrets into messages.
fn bad(name: &'static str, bug: &'static str, behave: fn(&str, &Value) -> Answer) -> Mutant {
    Mutant {
        name,
        leaks: false,
        bug,
        behave,
    }
}

/// The known-bad code generators and verifiers of [`otp`].
fn otp_mutants() -> Vec<Mutant> {
    vec![
        bad("window-zero-means-default", "takes a window of 0 as \"no window given\" and uses 1", otp::window_zero_means_default),
        bad("verify-unpadded-codes", "compares the candidate with the code written without its leading zeros", otp::verify_unpadded),
        bad("candidate-as-integer", "reads the candidate as an integer (spaces, signs, underscores, any digit script) and compares numbers", otp::candidate_as_integer),
        bad("crashes-on-non-ascii", "crashes on a candidate with non-ASCII characters", otp::crashes_on_non_ascii),
        bad("float-counters", "keeps counters and steps in 64-bit floats: wrong codes above 2^53, a verifier that never returns", otp::float_counters),
        bad("window-end-overflows", "computes the window's end as step + window and refuses when it overflows near 2^64", otp::window_end_overflows),
        bad("lowest-step-first", "walks the window from its lowest step, so of two equal codes it reports the wrong step", otp::lowest_step_first),
        bad("verify-ignores-digits", "verifies 8-digit codes whatever the digit count", otp::verify_ignores_digits),
        bad("accepts-short-secrets", "generates and verifies codes with empty and 9-byte secrets", otp::accepts_short_secrets),
        bad("emits-raw-label", "writes the Key URI label without percent-encoding it", otp::emits_raw_label),
        bad("uri-limit-off-by-one", "refuses a Key URI of exactly 4096 bytes", otp::uri_limit_off_by_one),
        bad("lenient-percent-decoding", "keeps a % that starts no valid escape as text", otp::lenient_percent_decoding),
        bad("padding-concatenated", "decodes a base32 secret of padded blocks one after another (padding in the middle), as Rust's data-encoding does", otp::padding_concatenated),
    ]
}

/// The known-bad payload readers of [`payload`].
fn payload_mutants() -> Vec<Mutant> {
    vec![
        bad(
            "limits-in-characters",
            "counts name and id lengths in characters, not bytes",
            payload::limits_in_characters,
        ),
        bad(
            "names-cleaned-up",
            "trims spaces and drops DEL and C1 controls from names instead of refusing them",
            payload::names_cleaned_up,
        ),
        bad(
            "line-endings-trimmed",
            "drops a trailing CR or LF from ids, names and issuers instead of refusing it",
            payload::line_endings_trimmed,
        ),
        bad(
            "falsy-token-absent",
            "takes a null, empty or false token for no token",
            payload::falsy_token_absent,
        ),
        bad(
            "nulls-defaulted",
            "reads a null algorithm, digits or period as the default and a null secret as none",
            payload::nulls_defaulted,
        ),
        bad(
            "ids-case-folded",
            "compares account ids without letter case",
            payload::ids_case_folded,
        ),
        bad(
            "unicode-upper-casing",
            "upper-cases algorithm names with Unicode case mapping, so ſha1 is SHA1",
            payload::unicode_upper_casing,
        ),
        bad(
            "numbers-as-floats",
            "reads numbers as floats and takes 6.0, 3e1 and -0 as integers",
            payload::numbers_as_floats,
        ),
        bad(
            "null-issuer-refused",
            "refuses \"issuer\": null on a code-bearing account instead of taking it as absent",
            payload::null_issuer_refused,
        ),
        bad(
            "controls-before-lengths",
            "checks names, ids and the backup id for control characters before their length",
            payload::controls_before_lengths,
        ),
        bad(
            "account-limit-exclusive",
            "refuses a payload of exactly 100,000 accounts",
            payload::account_limit_exclusive,
        ),
        bad("device-file-lenient", "drops unknown members and bad states of device accounts, and takes null as a wrong type", payload::device_file_lenient),
        bad(
            "nan-accepted",
            "reads NaN and Infinity as numbers, as Python's json.loads does by default",
            payload::nan_accepted,
        ),
        bad(
            "surrogates-replaced",
            "reads a lone surrogate escape as U+FFFD, as Go's encoding/json does",
            payload::surrogates_replaced,
        ),
        bad(
            "escapes-kept-raw",
            "compares and measures member names and strings with their \\u escapes undecoded (raw-key lookups)",
            payload::escapes_kept_raw,
        ),
        bad(
            "raw-controls-accepted",
            "accepts control characters written unescaped inside strings (Python's json.loads with strict=False)",
            payload::raw_controls_accepted,
        ),
        bad(
            "bom-skipped",
            "skips a byte order mark before the payload, as RFC 8259 lets a parser do",
            payload::bom_skipped,
        ),
        bad(
            "accounts-checked-while-read",
            "checks each account as it reads it, so a rule of an early account is reported before a later account's unknown member",
            payload::accounts_checked_while_read,
        ),
        bad(
            "members-in-text-order",
            "checks the document's members in the order they are written, not the spec's",
            payload::members_in_text_order,
        ),
        bad(
            "accounts-before-document",
            "checks the accounts before the document's own members (its platform, backup id, generation and account count)",
            payload::accounts_before_document,
        ),
        bad(
            "colon-checked-first",
            "refuses an issuer with a colon before checking its length",
            payload::colon_checked_first,
        ),
        bad(
            "last-failing-account-reported",
            "checks every account and reports the last one that breaks its own rules",
            payload::last_failing_account_reported,
        ),
        bad(
            "depth-limit-32",
            "refuses payloads nested deeper than 32 levels as malformed (every reader must take 64)",
            payload::depth_limit_32,
        ),
        bad(
            "deep-nesting-crashes",
            "parses recursively without a depth limit and dies of a stack overflow on a deeply nested payload or container",
            payload::deep_nesting_crashes,
        ),
        bad(
            "too-deep-too-large",
            "refuses payloads nested deeper than 128 levels with too_large instead of malformed",
            payload::too_deep_too_large,
        ),
    ]
}

/// The known-bad container readers of [`container`].
fn container_mutants() -> Vec<Mutant> {
    vec![
        bad(
            "kid-case-insensitive",
            "picks the recipient whose kid equals the key's without regard to letter case",
            container::kid_case_insensitive,
        ),
        bad(
            "last-member-wins",
            "keeps the last of repeated container members, as JSON libraries do",
            container::last_member_wins,
        ),
        bad(
            "lenient-base64url",
            "decodes base64url skipping white space and ignoring unused bits",
            container::lenient_base64url,
        ),
        bad(
            "container-escapes-kept-raw",
            "looks up container members and compares kids with their \\u escapes undecoded (raw-key lookups)",
            container::container_escapes_kept_raw,
        ),
        bad(
            "container-bom-skipped",
            "skips a byte order mark before the container",
            container::container_bom_skipped,
        ),
        bad(
            "payload-text-decoder",
            "decodes the decrypted payload as browsers' TextDecoder does: a byte order mark skipped, bytes that are not UTF-8 replaced by U+FFFD",
            container::payload_text_decoder,
        ),
        bad(
            "payload-encoding-detected",
            "detects the decrypted payload's encoding as Python's json.loads does with bytes: UTF-16 read, a UTF-8 byte order mark skipped",
            container::payload_encoding_detected,
        ),
        bad(
            "binds-platform-only",
            "compares the payload with the header on platform only",
            container::binds_platform_only,
        ),
        bad(
            "add-recipient-drops-others",
            "adds a recipient and writes only the new one",
            container::add_recipient_drops_others,
        ),
        bad(
            "removes-anything",
            "removes the last recipient too, and ignores kids it does not have",
            container::removes_anything,
        ),
        bad(
            "algorithm-params-protected",
            "writes p2s and p2c, or epk, into the protected header",
            container::algorithm_params_protected,
        ),
        bad(
            "kid-not-thumbprint",
            "gives a key without kid the recipient kid \"default\", not its thumbprint",
            container::kid_not_thumbprint,
        ),
        bad(
            "header-members-sorted",
            "writes the protected header members sorted by name",
            container::header_members_sorted,
        ),
        bad(
            "fixed-content-key",
            "seals every container with one content key and IV",
            container::fixed_content_key,
        ),
        bad(
            "ec-points-unchecked",
            "takes any 32-byte x and y as an EC point: no range or curve check",
            container::ec_points_unchecked,
        ),
        bad(
            "lenient-header",
            "reads the protected header with a general JSON library: no size limit, 7.0 as 7",
            container::lenient_header,
        ),
        bad(
            "iv-tag-first",
            "checks the IV and tag lengths before the header and the recipients",
            container::iv_tag_first,
        ),
        bad(
            "recipients-before-header",
            "checks the recipients' algorithms before the protected header",
            container::recipients_before_header,
        ),
        bad("ecdh-always-fails", "its ECDH-ES+A256KW path always fails", container::ecdh_always_fails),
        bad("limits-exclusive", "refuses 16 recipients, a 128-byte kid and a container of 64 MiB", container::limits_exclusive),
        bad("writer-checks-recipients-first", "checks the recipients before the payload it is asked to write", container::writer_checks_recipients_first),
        bad("container-before-key", "checks the container before the key, and an EC public key only when its recipient is tried", container::container_before_key),
        bad("passphrase-trimmed", "removes a final line break from a passphrase, as a line read from a file ends", container::passphrase_trimmed),
        bad("passphrase-normalised", "normalises a passphrase to NFC before deriving its key", container::passphrase_normalised),
        bad("empty-passphrase-tried", "takes an empty passphrase like any other", container::empty_passphrase_tried),
        bad("key-kid-unchecked", "takes any kid a key gives (empty, 129 bytes, a control character) and a null kid as none", container::key_kid_unchecked),
        bad("ec-d-unchecked", "uses an EC key's d without checking it is the private key of the key's x and y", container::ec_d_unchecked),
        bad("writer-keys-first", "reads every key of a seal request before counting the recipients or checking a p2c", container::writer_keys_first),
        bad("repeated-kids-checked-last", "checks the recipients' kids for a repeat only after every recipient's own checks", container::repeated_kids_checked_last),
        bad("surrogates-checked-late", "finds a lone surrogate escape in a kid only when it checks the kid, after the protected header", container::surrogates_checked_late),
        bad("add-opens-fully-first", "opens the container, payload and all, before checking a new recipient's kid and the count", container::add_opens_fully_first),
        bad("p2c-default-always", "writes a passphrase recipient with 210,000 iterations whatever p2c it is asked for", container::p2c_default_always),
        bad("duplicate-kids-while-reading", "refuses a repeated kid as soon as it reads it, before a later passphrase's p2c", container::duplicate_kids_while_reading),
    ]
}

/// The known-bad restore planners of [`restore`].
fn restore_mutants() -> Vec<Mutant> {
    vec![
        bad(
            "derived-id-reused",
            "gives a restored account its derived id even when the device already uses it",
            restore::derived_id_reused,
        ),
        bad(
            "first-identical",
            "matches the first identical device account, not the one with the backup account's id or one not yet matched",
            restore::first_identical,
        ),
        bad(
            "id-taken-as-identical",
            "takes the device account with the backup account's id as identical whenever an identical account exists elsewhere",
            restore::id_taken_as_identical,
        ),
        bad(
            "replacement-keeps-own-id",
            "under prefer-backup gives a replacement the backup account's id even when another device account uses it",
            restore::replacement_keeps_own_id,
        ),
        bad(
            "made-up-id-taken-again",
            "gives an added account its own id when the device does not use it, even when the restore already made that id up for another account",
            restore::made_up_id_taken_again,
        ),
        bad(
            "replaced-id-kept-in-use",
            "keeps the id of a device account replaced under another id in use for the rest of the restore",
            restore::replaced_id_kept_in_use,
        ),
        bad(
            "own-ids-forgotten",
            "makes ids up against the device's and its own made-up ids, forgetting backup ids it already restored accounts under",
            restore::own_ids_forgotten,
        ),
    ]
}

/// The list of known-bad implementations.
pub fn mutants() -> Vec<Mutant> {
    let mut list = older_mutants();
    list.extend(otp_mutants());
    list.extend(payload_mutants());
    list.extend(container_mutants());
    list.extend(restore_mutants());
    list
}

fn older_mutants() -> Vec<Mutant> {
    vec![
        Mutant {
            leaks: true,
            name: "secret-in-error-messages",
            bug: "repeats the secret it refused in its error message",
            behave: reference,
        },
        Mutant {
            leaks: false,
            name: "wrong-dynamic-truncation",
            bug: "takes the truncation offset from the first byte of the MAC, not the last",
            behave: wrong_truncation,
        },
        Mutant {
            leaks: false,
            name: "off-by-one-time-step",
            bug: "computes the code of the next time step",
            behave: |op, input| match (op, input["time"].as_u64(), input["period"].as_u64()) {
                ("totp.generate", Some(t), Some(p)) => {
                    reference(op, &with(input, "time", t.saturating_add(p).into()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "sha1-always",
            bug: "uses HMAC-SHA-1 whatever the algorithm says",
            behave: |op, input| match op {
                "hotp.generate" | "totp.generate" => {
                    reference(op, &with(input, "algorithm", "SHA1".into()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "lost-leading-zeros",
            bug: "returns the code as a number, losing its leading zeros",
            behave: |op, input| match reference(op, input) {
                Answer::Ok(v) if v.get("code").is_some() => {
                    let code = v["code"]
                        .as_str()
                        .unwrap_or_default()
                        .trim_start_matches('0')
                        .to_string();
                    Answer::Ok(json!({ "code": if code.is_empty() { "0".into() } else { code } }))
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "base32-padding-refused",
            bug: "refuses base32 with = padding",
            behave: |op, input| {
                let text = input
                    .get("text")
                    .or(input.get("uri"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if matches!(op, "secret.decode" | "uri.parse")
                    && text.contains('=')
                    && text.contains("===")
                {
                    return Answer::Error("invalid_secret".into());
                }
                reference(op, input)
            },
        },
        Mutant {
            leaks: false,
            name: "time-before-t0-wraps",
            bug: "lets a time before T0 wrap around instead of refusing it",
            behave: |op, input| match (op, input["time"].as_u64(), input["t0"].as_u64()) {
                ("totp.generate", Some(t), Some(t0)) if t < t0 => {
                    reference(op, &with(input, "t0", 0.into()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "uri-repeated-secret-last-wins",
            bug: "takes the last of repeated secret parameters instead of refusing the URI",
            behave: |op, input| {
                let uri = input["uri"].as_str().unwrap_or_default();
                if op == "uri.parse" && uri.matches("secret=").count() > 1 {
                    let first = uri.find("secret=").unwrap_or(0);
                    let trimmed = format!(
                        "{}{}",
                        &uri[..first],
                        uri[first + 7..]
                            .split_once('&')
                            .map(|x| x.1)
                            .unwrap_or_default()
                    );
                    return reference(op, &json!({ "uri": trimmed }));
                }
                reference(op, input)
            },
        },
        Mutant {
            leaks: false,
            name: "secret-kept-in-placeholder",
            bug: "accepts a placeholder account that carries a secret",
            behave: |op, input| match reference(op, input) {
                Answer::Error(code) if code == "secret_in_placeholder" => {
                    Answer::Ok(json!({ "accepted": true }))
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "unknown-members-ignored",
            bug: "ignores unknown payload members (a password field passes)",
            behave: |op, input| match reference(op, input) {
                Answer::Error(code) if code == "malformed" && op == "payload.parse" => {
                    Answer::Ok(json!({ "accepted": true }))
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "accepts-tampered-tag",
            bug: "does not check the authentication tag",
            behave: |op, input| match reference(op, input) {
                Answer::Error(code) if code == "decryption_failed" && op == "container.open" => {
                    Answer::Ok(json!({ "accepted": true }))
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "accepts-p2c-2-31",
            bug: "runs PBKDF2 with whatever p2c the container asks for",
            behave: |op, input| match reference(op, input) {
                Answer::Error(code) if code == "kdf_params_out_of_range" => {
                    Answer::Error("decryption_failed".into())
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "accepts-zip",
            bug: "decompresses (zip) instead of refusing it",
            behave: |op, input| match reference(op, input) {
                Answer::Error(code) if code == "algorithm_not_allowed" => {
                    Answer::Error("decryption_failed".into())
                }
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "writer-drops-placeholders",
            bug: "writes a backup without its placeholder accounts",
            behave: |op, input| match op {
                "container.seal" => {
                    let mut payload = input["payload"].clone();
                    if let Some(list) = payload["accounts"].as_array_mut() {
                        list.retain(|a| a.get("secret").is_some());
                    }
                    reference(op, &with(input, "payload", payload))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "re-encrypts-to-add-a-recipient",
            bug:
                "re-seals the payload to add a recipient, instead of wrapping the same content key",
            behave: |op, input| match op {
                "container.add_recipient" => match reference("container.open", input) {
                    Answer::Ok(_) => {
                        let opened = authbackup::container::open(
                            input["container"].as_str().unwrap_or_default().as_bytes(),
                            &authbackup::container::Credential::Key(
                                authbackup::container::RecoveryKey::from_jwk_json(
                                    input["key"].to_string().as_bytes(),
                                )
                                .expect("valid key"),
                            ),
                        )
                        .expect("it opened");
                        let keys: Result<Vec<_>, _> = [&input["key"], &input["new_key"]]
                            .iter()
                            .map(|k| {
                                authbackup::container::RecoveryKey::from_jwk_json(
                                    k.to_string().as_bytes(),
                                )
                                .map(authbackup::container::Credential::Key)
                            })
                            .collect();
                        match keys
                            .and_then(|keys| authbackup::container::seal(&opened.payload, &keys))
                        {
                            Ok(c) => {
                                Answer::Ok(json!({ "container": String::from_utf8_lossy(&c) }))
                            }
                            Err(e) => Answer::Error(e.code().as_str().into()),
                        }
                    }
                    other => other,
                },
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "cross-platform-restore",
            bug: "restores an iOS backup on Android",
            behave: |op, input| match op {
                "restore.plan" => {
                    let platform = input["backup"]["platform"].clone();
                    reference(op, &with(input, "platform", platform))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "overwrites-under-keep-both",
            bug: "replaces a device account under keep-both, as the widely used app does",
            behave: |op, input| match (op, input["policy"].as_str()) {
                ("restore.plan", Some("keep-both")) => {
                    reference(op, &with(input, "policy", "prefer-backup".into()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "placeholder-restored-ready",
            bug: "restores a placeholder as ready instead of action_required",
            behave: |op, input| match reference(op, input) {
                Answer::Ok(v) if op == "restore.plan" => Answer::Ok(
                    serde_json::from_str(&v.to_string().replace("action_required", "ready"))
                        .unwrap_or(v),
                ),
                other => other,
            },
        },
        Mutant {
            leaks: false,
            name: "no-precondition-checks",
            bug: "turns backup on without checking the preconditions",
            behave: |op, input| match op {
                "lifecycle.run" => {
                    let fixed = serde_json::to_string(input)
                        .unwrap_or_default()
                        .replace(
                            "\"recovery_account\":null",
                            "\"recovery_account\":{\"id\":\"x\",\"personal\":true}",
                        )
                        .replace("\"icloud_keychain\":false", "\"icloud_keychain\":true")
                        .replace("\"os_version\":15", "\"os_version\":17");
                    reference(op, &serde_json::from_str(&fixed).unwrap_or(input.clone()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "verify-stops-at-first-match",
            bug:
                "returns as soon as a step of the window matches, so the time tells which step did",
            behave: early_exit_timing,
        },
        Mutant {
            leaks: false,
            name: "writes-in-place",
            bug: "truncates the file and writes the new content into it, then syncs",
            behave: |op, input| match op {
                "store.write" => edited_trace(input, |target, ops| {
                    let data = ops
                        .iter()
                        .rev()
                        .find_map(|o| o.get("data").cloned())
                        .unwrap_or_default();
                    vec![
                        json!({ "op": "write", "path": target, "data": data }),
                        json!({ "op": "sync", "path": target }),
                    ]
                }),
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "renames-unsynced-file",
            bug: "renames the temporary file over the target without syncing its data first",
            behave: |op, input| match op {
                "store.write" => edited_trace(input, without_op("sync")),
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "no-directory-sync",
            bug: "never syncs the directory, so a finished write can vanish in a crash",
            behave: |op, input| match op {
                "store.write" => edited_trace(input, without_op("sync_dir")),
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "never-prunes",
            bug: "keeps every generation: old ones are never removed",
            behave: |op, input| match op {
                "store.write" => edited_trace(input, without_op("remove")),
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "prunes-first",
            bug: "removes the generations beyond those kept before writing the new one",
            behave: |op, input| match op {
                "store.write" => edited_trace(input, |_, ops| {
                    let (removals, rest): (Vec<Value>, Vec<Value>) =
                        ops.into_iter().partition(|o| o["op"] == "remove");
                    let synced: Vec<Value> = removals
                        .iter()
                        .map(|o| {
                            let path = o["path"].as_str().unwrap_or_default();
                            let dir = path.rfind('/').map_or("", |i| &path[..i]);
                            json!({ "op": "sync_dir", "path": dir })
                        })
                        .collect();
                    removals.into_iter().chain(synced).chain(rest).collect()
                }),
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "re-encodes-stored-backup",
            bug: "parses a backup and stores it pretty-printed, not byte for byte",
            behave: |op, input| match (op, input["file"].as_str(), input["new"].as_str()) {
                ("store.write", Some("backup"), Some(text)) => {
                    let reencoded = serde_json::from_str::<Value>(text)
                        .ok()
                        .and_then(|v| serde_json::to_string_pretty(&v).ok())
                        .unwrap_or_else(|| text.to_string());
                    reference(op, &with(input, "new", reencoded.into()))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "offers-damaged-newest",
            bug: "offers the newest generation without checking it",
            behave: |op, input| match op {
                "store.newest_good" => {
                    let newest = input["generations"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|g| g["generation"].as_u64())
                        .max();
                    Answer::Ok(json!({ "generation": newest, "skipped": [] }))
                }
                _ => reference(op, input),
            },
        },
        Mutant {
            leaks: false,
            name: "generations-sorted-as-text",
            bug: "finds the newest generation by comparing file names as text, so 9 comes after 10",
            behave: |op, input| match op {
                "store.newest_good" => {
                    let list = input["generations"].as_array().cloned().unwrap_or_default();
                    // The newest by text; every generation "after" it is never looked at.
                    let newest: u64 = (list.iter().map(|g| g["generation"].to_string()).max())
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let kept: Vec<Value> = (list.into_iter())
                        .filter(|g| g["generation"].as_u64().is_some_and(|n| n <= newest))
                        .collect();
                    reference(op, &with(input, "generations", Value::Array(kept)))
                }
                _ => reference(op, input),
            },
        },
        bad(
            "untouched-unlisted",
            "does not list the device accounts no backup account matched",
            restore::untouched_unlisted,
        ),
    ]
}
