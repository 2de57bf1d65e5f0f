//! The reference implementation behind the adapter operations: every operation of
//! `spec/adapter-protocol.md`, computed by the `authbackup` crate.

use authbackup::account::{BuildOutcome, DeviceAccount};
use authbackup::container::{self, Credential, Passphrase, RecoveryKey};
use authbackup::lifecycle::{Event, Machine};
use authbackup::otp::{self, Algorithm, Digits, Hotp, Totp, TotpParams};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::restore::{self, Outcome, Policy};
use authbackup::uri::{KeyUri, OtpKind};
use authbackup::{Error, Secret};
use data_encoding::HEXLOWER;
use serde_json::{json, Value};

use crate::implementation::{Answer, Implementation};

mod store;
mod trace_fs;

/// The `authbackup` crate as an implementation under test.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference;

impl Implementation for Reference {
    fn call(&mut self, operation: &str, input: &Value) -> Answer {
        self.call_with_message(operation, input).0
    }

    fn call_with_message(&mut self, operation: &str, input: &Value) -> (Answer, Option<String>) {
        match run(operation, input) {
            Ok(Some(v)) => (Answer::Ok(v), None),
            Ok(None) => (Answer::Unsupported, None),
            Err(e) => (
                Answer::Error(e.code().as_str().to_string()),
                Some(e.message().to_string()),
            ),
        }
    }

    fn name(&self) -> String {
        "reference".into()
    }
}

type R = Result<Option<Value>, Error>;

/// Runs one operation; `Ok(None)` for an unknown operation.
pub fn run(operation: &str, input: &Value) -> R {
    Ok(Some(match operation {
        "hotp.generate" => {
            let hotp = Hotp::new(&secret(input)?, algorithm(input)?, digits(input)?);
            json!({ "code": hotp.code(uint(input, "counter")?).to_string() })
        }
        "totp.generate" => {
            json!({ "code": totp(input)?.code_at(uint(input, "time")?)?.to_string() })
        }
        "totp.batch" => batch(input, false)?,
        "totp.batch_timed" => batch(input, true)?,
        "totp.verify" => {
            let candidate = text(input, "candidate")?;
            let step =
                totp(input)?.verify(candidate, uint(input, "time")?, uint(input, "window")?)?;
            json!({ "step": step })
        }
        "totp.verify_timing" => verify_timing(input)?,
        "secret.decode" => {
            json!({ "secret": HEXLOWER.encode(Secret::from_base32(text(input, "text")?)?.expose_bytes()) })
        }
        "uri.parse" => key_uri_json(&KeyUri::parse(text(input, "uri")?)?),
        "uri.emit" => json!({ "uri": key_uri_from_json(&input["account"])?.to_uri()?.as_str() }),
        "payload.parse" => payload_json(&Payload::from_json(text(input, "payload")?.as_bytes())?),
        "container.open" => {
            let opened =
                container::open(text(input, "container")?.as_bytes(), &credential(input)?)?;
            payload_json(&opened.payload)
        }
        "container.seal" => {
            let payload = Payload::from_json(field(input, "payload")?.to_string().as_bytes())?;
            let list = field(input, "recipients")?
                .as_array()
                .ok_or_else(|| Error::malformed("\"recipients\" must be an array"))?;
            // REQ-CONTAINER-054's order: the count, then each recipient in turn.
            container::check_recipient_count(list.len())?;
            let credentials = list
                .iter()
                .map(sealing_credential)
                .collect::<Result<Vec<_>, _>>()?;
            let sealed = container::seal(&payload, &credentials)?;
            json!({ "container": String::from_utf8_lossy(&sealed) })
        }
        "container.add_recipient" => {
            let existing = credential(input)?;
            let new = Credential::Key(RecoveryKey::from_jwk_json(
                field(input, "new_key")?.to_string().as_bytes(),
            )?);
            let added =
                container::add_recipient(text(input, "container")?.as_bytes(), &existing, &new)?;
            json!({ "container": String::from_utf8_lossy(&added) })
        }
        "container.remove_recipient" => {
            let removed = container::remove_recipient(
                text(input, "container")?.as_bytes(),
                text(input, "kid")?,
            )?;
            json!({ "container": String::from_utf8_lossy(&removed) })
        }
        "container.inspect" => {
            let info = container::inspect(text(input, "container")?.as_bytes())?;
            json!({
                "platform": info.meta.platform().as_str(),
                "backup_id": info.meta.backup_id(),
                "generation": info.meta.generation(),
                "created": info.meta.created(),
                "recipients": info.recipients.iter().map(|r| json!({"alg": r.alg.name(), "kid": r.kid, "p2c": r.p2c})).collect::<Vec<_>>(),
            })
        }
        "restore.plan" => restore_plan(input)?,
        "restore.apply" => {
            // Plan against `device`, then apply to `device_now` (the device when the user
            // confirms): a changed device must be refused, never half-restored.
            let (device, now) = (
                device_accounts(input, "device")?,
                device_accounts(input, "device_now")?,
            );
            let backup = payload_object(input, "backup")?;
            let plan = restore::plan(
                &device,
                &backup,
                Platform::from_name(text(input, "platform")?)?,
                Policy::from_name(text(input, "policy")?)?,
            )?;
            let after = restore::apply(&now, &plan)?;
            json!({ "device": after.iter().map(|d| d.id.as_str()).collect::<Vec<_>>() })
        }
        "backup.build" => {
            let device = device_accounts(input, "device")?;
            let meta = BackupMeta::new(Platform::Ios, "b", 1, 0)?;
            let (payload, report) = Payload::from_device(meta, &device)?;
            json!({
                "accounts": payload_json(&payload)["accounts"],
                "left_out": report.entries.iter().filter(|e| e.outcome == BuildOutcome::ExcludedByPolicy).map(|e| e.id.as_str()).collect::<Vec<_>>(),
            })
        }
        "backup.verify" => {
            let device = device_accounts(input, "device")?;
            let backup = payload_object(input, "backup")?;
            let report = authbackup::coverage::assess(&device, &backup, uint(input, "time")?);
            json!({
                "safe_to_wipe": report.safe_to_wipe(),
                "accounts": report.accounts.iter().map(|a| json!({ "id": a.id, "coverage": a.coverage })).collect::<Vec<_>>(),
            })
        }
        "lifecycle.run" => lifecycle_run(input)?,
        "store.write" => store::write(input)?,
        "store.newest_good" => store::newest_good(input)?,
        _ => return Ok(None),
    }))
}

fn field<'a>(input: &'a Value, name: &str) -> Result<&'a Value, Error> {
    input
        .get(name)
        .ok_or_else(|| Error::malformed(format!("the request has no {name:?}")))
}

fn text<'a>(input: &'a Value, name: &str) -> Result<&'a str, Error> {
    field(input, name)?
        .as_str()
        .ok_or_else(|| Error::malformed(format!("{name:?} must be a string")))
}

fn uint(input: &Value, name: &str) -> Result<u64, Error> {
    field(input, name)?
        .as_u64()
        .ok_or_else(|| Error::malformed(format!("{name:?} must be a non-negative integer")))
}

fn secret(input: &Value) -> Result<Secret, Error> {
    let bytes = HEXLOWER
        .decode(text(input, "secret")?.as_bytes())
        .map_err(|_| Error::malformed("\"secret\" must be lower-case hex"))?;
    Secret::from_bytes(bytes)
}

fn algorithm(input: &Value) -> Result<Algorithm, Error> {
    text(input, "algorithm")?.parse()
}

fn digits(input: &Value) -> Result<Digits, Error> {
    Digits::new(uint(input, "digits")?)
}

/// The TOTP generator an operation's `secret`, `algorithm`, `digits`, `period` and `t0` give.
pub(crate) fn totp(input: &Value) -> Result<Totp, Error> {
    Ok(Totp::new(
        &secret(input)?,
        TotpParams {
            algorithm: algorithm(input)?,
            digits: digits(input)?,
            period: otp::period(uint(input, "period")?)?,
            t0: uint(input, "t0")?,
        },
    ))
}

/// `totp.batch` (and `totp.batch_timed`, which also reports the nanoseconds spent generating
/// the codes, the generators prepared beforehand).
fn batch(input: &Value, timed: bool) -> Result<Value, Error> {
    let params = TotpParams {
        algorithm: algorithm(input)?,
        digits: digits(input)?,
        period: otp::period(uint(input, "period")?)?,
        t0: 0,
    };
    let time = uint(input, "time")?;
    let secrets = field(input, "secrets")?
        .as_array()
        .ok_or_else(|| Error::malformed("\"secrets\" must be an array"))?;
    let mut generators = Vec::with_capacity(secrets.len());
    for s in secrets {
        let hex = s
            .as_str()
            .ok_or_else(|| Error::malformed("secrets are hex strings"))?;
        let bytes = HEXLOWER
            .decode(hex.as_bytes())
            .map_err(|_| Error::malformed("secrets are lower-case hex"))?;
        generators.push(Totp::new(&Secret::from_bytes(bytes)?, params));
    }
    let mut codes = Vec::new();
    let start = std::time::Instant::now();
    authbackup::otp::codes_at(&generators, time, &mut codes)?;
    let ns = start.elapsed().as_nanos() as u64;
    let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    Ok(if timed {
        json!({ "codes": codes, "ns": ns })
    } else {
        json!({ "codes": codes })
    })
}

/// `totp.verify_timing`: times one verification per entry of `order`, of the candidate of
/// that class (REQ-VERIFY-003).
fn verify_timing(input: &Value) -> Result<Value, Error> {
    let totp = totp(input)?;
    let (time, window) = (uint(input, "time")?, uint(input, "window")?);
    let candidates = field(input, "candidates")?
        .as_array()
        .and_then(|c| Some([c.first()?.as_str()?, c.get(1)?.as_str()?]))
        .ok_or_else(|| Error::malformed("\"candidates\" must be two strings"))?;
    let order = text(input, "order")?;
    let mut ns = Vec::with_capacity(order.len());
    for class in order.bytes() {
        let candidate = match class {
            b'0' => candidates[0],
            b'1' => candidates[1],
            _ => return Err(Error::malformed("\"order\" holds only 0 and 1")),
        };
        let start = std::time::Instant::now();
        let step = totp.verify(std::hint::black_box(candidate), time, window)?;
        std::hint::black_box(step);
        ns.push(start.elapsed().as_nanos() as u64);
    }
    Ok(json!({ "ns": ns }))
}

fn key_uri_json(k: &KeyUri) -> Value {
    let mut v = json!({
        "type": match k.kind { OtpKind::Totp { .. } => "totp", OtpKind::Hotp { .. } => "hotp" },
        "issuer": k.issuer,
        "name": k.name,
        "secret": HEXLOWER.encode(k.secret.expose_bytes()),
        "algorithm": k.algorithm.name(),
        "digits": k.digits.get(),
    });
    match k.kind {
        OtpKind::Totp { period } => v["period"] = period.get().into(),
        OtpKind::Hotp { counter } => v["counter"] = counter.into(),
    }
    v
}

fn key_uri_from_json(a: &Value) -> Result<KeyUri, Error> {
    let kind = match text(a, "type")? {
        "totp" => OtpKind::Totp {
            period: otp::period(uint(a, "period")?)?,
        },
        "hotp" => OtpKind::Hotp {
            counter: uint(a, "counter")?,
        },
        other => return Err(Error::malformed(format!("type {other:?}"))),
    };
    Ok(KeyUri {
        kind,
        issuer: a.get("issuer").and_then(Value::as_str).map(str::to_owned),
        name: text(a, "name")?.to_string(),
        secret: secret(a)?,
        algorithm: algorithm(a)?,
        digits: digits(a)?,
    })
}

/// The normalised form of a payload that the protocol compares.
pub fn payload_json(p: &Payload) -> Value {
    json!({
        "platform": p.meta().platform().as_str(),
        "backup_id": p.meta().backup_id(),
        "generation": p.meta().generation(),
        "created": p.meta().created(),
        "accounts": p.accounts().iter().map(|a| json!({
            "id": a.id(),
            "type": a.account_type().as_str(),
            "issuer": a.issuer(),
            "name": a.name(),
            "secret": a.key().map(|k| HEXLOWER.encode(k.secret.expose_bytes())),
            "algorithm": a.key().map(|k| k.params.algorithm.name()),
            "digits": a.key().map(|k| k.params.digits.get()),
            "period": a.key().map(|k| k.params.period.get()),
        })).collect::<Vec<_>>(),
    })
}

fn credential(input: &Value) -> Result<Credential, Error> {
    if let Some(key) = input.get("key") {
        return Ok(Credential::Key(RecoveryKey::from_jwk_json(
            key.to_string().as_bytes(),
        )?));
    }
    Ok(Credential::Passphrase(Passphrase::new(
        text(input, "passphrase")?.as_bytes(),
    )?))
}

/// One recipient of `container.seal`: a key, or a passphrase with its `p2c` (any number
/// outside the limits, negative or fractional included, is `kdf_params_out_of_range`).
fn sealing_credential(r: &Value) -> Result<Credential, Error> {
    if r.get("key").is_some() {
        return credential(r);
    }
    let passphrase = Passphrase::new(text(r, "passphrase")?.as_bytes())?;
    let p2c = match r.get("p2c") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(u64::MAX),
        _ => {
            return Err(Error::malformed(
                "a passphrase recipient needs a number \"p2c\"",
            ))
        }
    };
    Ok(Credential::Passphrase(passphrase.with_iterations(p2c)?))
}

/// The device accounts (device accounts file entries) under `name`.
fn device_accounts(input: &Value, name: &str) -> Result<Vec<DeviceAccount>, Error> {
    DeviceAccount::list_from_json(
        json!({ "accounts": field(input, name)? })
            .to_string()
            .as_bytes(),
    )
}

/// A payload given as a JSON object under `name`.
fn payload_object(input: &Value, name: &str) -> Result<Payload, Error> {
    Payload::from_json(field(input, name)?.to_string().as_bytes())
}

fn restore_plan(input: &Value) -> Result<Value, Error> {
    let device = device_accounts(input, "device")?;
    let backup = payload_object(input, "backup")?;
    let platform = Platform::from_name(text(input, "platform")?)?;
    let policy = Policy::from_name(text(input, "policy")?)?;
    let plan = restore::plan(&device, &backup, platform, policy)?;
    let outcomes: Vec<Value> = plan
        .outcomes
        .iter()
        .map(|o| {
            let (name, device_id, added_id) = match &o.outcome {
                Outcome::Added => ("added", None, None),
                Outcome::AlreadyPresent { device, .. } => ("already_present", Some(&device.id), None),
                Outcome::KeptBoth { device, added_id, .. } => ("kept_both", Some(&device.id), Some(added_id)),
                Outcome::Replaced { device, .. } => ("replaced", Some(&device.id), None),
                Outcome::DeviceKept { device, .. } => ("device_kept", Some(&device.id), None),
            };
            json!({"id": o.id, "outcome": name, "state": o.state.as_str(), "device_id": device_id, "added_id": added_id})
        })
        .collect();
    let device_after: Vec<Value> = restore::apply(&device, &plan)?
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "type": d.account_type.as_str(),
                "state": d.state.as_str(),
                "secret": d.secret.as_ref().map(|s| HEXLOWER.encode(s.expose_bytes())),
                "token": d.token.is_some(),
            })
        })
        .collect();
    let untouched: Vec<&str> = plan.untouched.iter().map(|d| d.id.as_str()).collect();
    Ok(json!({ "outcomes": outcomes, "untouched": untouched, "device": device_after }))
}

fn lifecycle_run(input: &Value) -> Result<Value, Error> {
    let auto_done = input
        .get("auto_done")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let (machine, results) = lifecycle_machine(field(input, "events")?, auto_done)?;
    let state = match &machine.on {
        None => json!({ "on": false, "pending": machine.outbox.len() }),
        Some(on) => json!({
            "on": true,
            "storage_account": on.storage_account,
            "backup_id": on.backup_id,
            "generation": on.generation,
            "recipients": on.recipients,
            "pending": machine.outbox.len(),
        }),
    };
    Ok(json!({ "results": results, "state": state }))
}

/// The lifecycle machine after `events` (as `lifecycle.run` takes them), with one result per
/// event.
fn lifecycle_machine(events: &Value, auto_done: bool) -> Result<(Machine, Vec<Value>), Error> {
    let events: Vec<Event> = serde_json::from_value(events.clone())
        .map_err(|e| Error::malformed(format!("events: {e}")))?;
    let mut machine = Machine::new();
    let mut results = Vec::new();
    for event in &events {
        match machine.step(event) {
            Err(e) => results.push(json!({
                "error": e.code().as_str(),
                "precondition": e.precondition().map(|p| p.as_str()),
            })),
            Ok((next, effects)) => {
                machine = next;
                let mut emitted = effects.clone();
                if auto_done {
                    machine = machine.drain(
                        effects,
                        |_| Ok::<(), Error>(()),
                        |_, more| {
                            emitted.extend(more.iter().cloned());
                            Ok(())
                        },
                    )?;
                }
                results.push(json!({ "effects": emitted }));
            }
        }
    }
    Ok((machine, results))
}
