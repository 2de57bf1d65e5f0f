//! `authbackup-conformance fuzz`: differential fuzzing for implementers. Structured inputs
//! are drawn with `arbitrary` from a seeded generator, sent to the implementation (through
//! the adapter protocol) and to the reference, and every disagreement is shrunk and printed
//! as a vector ready to add. Runs on stable Rust; no libFuzzer.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use arbitrary::{Result as AResult, Unstructured};
use data_encoding::{BASE32, HEXLOWER};
use serde_json::{json, Value};

use crate::generate::Rng;
use crate::implementation::{Answer, Implementation};
use crate::reference::Reference;

/// The profiles the fuzzer draws inputs for.
pub const PROFILES: [&str; 7] = [
    "hotp",
    "totp",
    "secret",
    "uri",
    "payload",
    "restore",
    "lifecycle",
];

/// What to fuzz, and for how long.
#[derive(Clone, Debug)]
pub struct FuzzConfig {
    /// The seed of the input generator: the same seed gives the same inputs.
    pub seed: u64,
    /// How long to run at most.
    pub time: Duration,
    /// Profiles to fuzz; empty means all.
    pub profiles: Vec<String>,
    /// Stop after this many disagreements.
    pub max_findings: usize,
}

/// One disagreement, shrunk.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The operation.
    pub operation: String,
    /// The input, shrunk.
    pub input: Value,
    /// The reference's answer.
    pub expected: Answer,
    /// The implementation's answer.
    pub got: Answer,
}

impl Finding {
    /// The finding as a vector case, ready to add to the section's file (give it a `tcId`).
    pub fn as_vector(&self, seed: u64) -> Value {
        let mut case = json!({
            "tcId": 0,
            "comment": format!("found by `authbackup-conformance fuzz --seed {seed}` ({})", self.operation),
            "requirements": [],
            "flags": [],
            "operation": self.operation,
            "input": self.input,
        });
        match &self.expected {
            Answer::Ok(v) => {
                case["result"] = "valid".into();
                case["output"] = v.clone();
            }
            Answer::Error(code) => {
                case["result"] = "invalid".into();
                case["error"] = code.clone().into();
            }
            _ => {}
        }
        case
    }
}

/// What a fuzzing run did.
#[derive(Clone, Debug, Default)]
pub struct FuzzReport {
    /// Inputs tried.
    pub iterations: u64,
    /// Disagreements found.
    pub findings: Vec<Finding>,
    /// Profiles the implementation answered `unsupported` for.
    pub unsupported: BTreeSet<String>,
}

fn agree(a: &Answer, b: &Answer) -> bool {
    match (a, b) {
        (Answer::Ok(x), Answer::Ok(y)) => x == y,
        (Answer::Error(x), Answer::Error(y)) => x == y,
        _ => false,
    }
}

/// Runs the differential fuzzer against `implementation`.
pub fn fuzz(implementation: &mut dyn Implementation, config: &FuzzConfig) -> FuzzReport {
    let start = Instant::now();
    let mut rng = Rng::new(config.seed);
    let mut report = FuzzReport::default();
    let profiles: Vec<&str> = PROFILES
        .iter()
        .copied()
        .filter(|p| config.profiles.is_empty() || config.profiles.iter().any(|q| q == p))
        .collect();
    let mut turn = 0usize;
    while start.elapsed() < config.time && report.findings.len() < config.max_findings {
        let active: Vec<&str> = profiles
            .iter()
            .copied()
            .filter(|p| !report.unsupported.contains(*p))
            .collect();
        if active.is_empty() {
            break;
        }
        let profile = active[turn % active.len()];
        turn += 1;
        let bytes = rng.bytes(512);
        let Some((operation, input)) = draw(profile, &bytes) else {
            continue;
        };
        report.iterations += 1;
        let expected = Reference.call(&operation, &input);
        let got = implementation.call(&operation, &input);
        if got == Answer::Unsupported {
            report.unsupported.insert(profile.to_string());
            continue;
        }
        if !agree(&expected, &got) {
            report.findings.push(shrink(
                implementation,
                profile,
                bytes,
                Finding {
                    operation,
                    input,
                    expected,
                    got,
                },
            ));
        }
    }
    report
}

/// Shrinks the generator bytes while the disagreement persists.
fn shrink(
    implementation: &mut dyn Implementation,
    profile: &str,
    mut bytes: Vec<u8>,
    mut best: Finding,
) -> Finding {
    let mut attempts = 0;
    let mut progress = true;
    while progress && attempts < 400 {
        progress = false;
        let mut candidates = Vec::new();
        for cut in [
            bytes.len() / 2,
            bytes.len() * 3 / 4,
            bytes.len().saturating_sub(8),
        ] {
            candidates.push(bytes[..cut].to_vec());
        }
        for i in (0..bytes.len()).step_by(8) {
            if bytes[i..(i + 8).min(bytes.len())].iter().any(|&b| b != 0) {
                let mut c = bytes.clone();
                c[i..(i + 8).min(bytes.len())].fill(0);
                candidates.push(c);
            }
        }
        for c in candidates {
            attempts += 1;
            if attempts >= 400 {
                break;
            }
            let Some((operation, input)) = draw(profile, &c) else {
                continue;
            };
            let expected = Reference.call(&operation, &input);
            let got = implementation.call(&operation, &input);
            if got != Answer::Unsupported && !agree(&expected, &got) {
                bytes = c;
                best = Finding {
                    operation,
                    input,
                    expected,
                    got,
                };
                progress = true;
                break;
            }
        }
    }
    best
}

/// Draws one input of `profile` from `bytes`.
pub fn draw(profile: &str, bytes: &[u8]) -> Option<(String, Value)> {
    let mut u = Unstructured::new(bytes);
    let drawn = match profile {
        "hotp" => hotp(&mut u),
        "totp" => totp(&mut u),
        "secret" => secret(&mut u),
        "uri" => uri(&mut u),
        "payload" => payload(&mut u),
        "restore" => restore(&mut u),
        "lifecycle" => lifecycle(&mut u),
        _ => return None,
    };
    drawn.ok()
}

fn key(u: &mut Unstructured) -> AResult<String> {
    let len = u.int_in_range(10..=64)?;
    Ok(HEXLOWER.encode(u.bytes(len)?))
}

fn algorithm(u: &mut Unstructured) -> AResult<&'static str> {
    u.choose(&["SHA1", "SHA256", "SHA512", "sha256", "SHA1", "MD5"])
        .copied()
}

fn big(u: &mut Unstructured) -> AResult<u64> {
    Ok(match u.int_in_range(0..=5)? {
        0 => u.int_in_range(0..=100)?,
        1 => u32::MAX as u64 + u.int_in_range(0..=2)? - 1,
        2 => (1 << 31) + u.int_in_range(0..=2)? - 1,
        3 => u64::MAX - u.int_in_range(0..=2)?,
        4 => (1 << 63) + u.int_in_range(0..=2)?,
        _ => u.arbitrary()?,
    })
}

fn hotp(u: &mut Unstructured) -> AResult<(String, Value)> {
    let input = json!({ "secret": key(u)?, "algorithm": algorithm(u)?, "digits": *u.choose(&[6u64, 7, 8, 6, 9])?, "counter": big(u)? });
    Ok(("hotp.generate".into(), input))
}

fn totp(u: &mut Unstructured) -> AResult<(String, Value)> {
    let period = *u.choose(&[30u64, 60, 1, 30, 0])?;
    let t0: u64 = if u.arbitrary()? {
        0
    } else {
        u.int_in_range(0..=1_000_000)?
    };
    let time = match u.int_in_range(0..=3)? {
        0 => t0
            .saturating_add(u.int_in_range(0..=200)?)
            .saturating_sub(100),
        1 => {
            t0 + (u.int_in_range(0..=50u64)? * period.max(1)).saturating_sub(u.int_in_range(0..=1)?)
        }
        _ => big(u)?,
    };
    let mut input = json!({ "secret": key(u)?, "algorithm": algorithm(u)?, "digits": *u.choose(&[6u64, 7, 8])?, "period": period, "t0": t0, "time": time });
    if u.ratio(1, 4)? {
        input["window"] = u.int_in_range(0..=11u64)?.into();
        input["candidate"] = format!("{:08}", u.int_in_range(0..=99_999_999u32)?).into();
        return Ok(("totp.verify".into(), input));
    }
    Ok(("totp.generate".into(), input))
}

fn secret(u: &mut Unstructured) -> AResult<(String, Value)> {
    let len = u.int_in_range(8..=40)?;
    let mut text = BASE32.encode(u.bytes(len)?);
    for _ in 0..u.int_in_range(0..=3)? {
        match u.int_in_range(0..=5)? {
            0 => text = text.to_lowercase(),
            1 => text = text.trim_end_matches('=').to_string(),
            2 => {
                let at = u.int_in_range(0..=text.len())?;
                text.insert(at, ' ');
            }
            3 => text.push('='),
            4 => {
                if !text.is_empty() {
                    let at = u.int_in_range(0..=text.len() - 1)?;
                    let c = *u.choose(&['1', '0', '8', '-', 'A', 'a', '='])?;
                    text.replace_range(at..at + 1, &c.to_string());
                }
            }
            _ => {
                text.pop();
            }
        }
    }
    Ok(("secret.decode".into(), json!({ "text": text })))
}

fn uri(u: &mut Unstructured) -> AResult<(String, Value)> {
    let kind = *u.choose(&["totp", "hotp", "TOTP", "steam"])?;
    let issuer = *u.choose(&["", "Example", "A+B", "Big%20Bank", "x:y", "Example"])?;
    let sep = *u.choose(&[":", "%3A", ":%20", ":"])?;
    let name = *u.choose(&[
        "alice", "a:b", "%C3%A9", "al%20ice", "%20bob", "", "al%zzice",
    ])?;
    let label = if issuer.is_empty() || u.ratio(1, 4)? {
        name.to_string()
    } else {
        format!("{issuer}{sep}{name}")
    };
    let pool: [(&str, &[&str]); 7] = [
        (
            "secret",
            &[
                "JBSWY3DPEHPK3PXP",
                "jbsw+y3dp+ehpk+3pxp",
                "MZXW6YTBOJTG633CMFZA====",
                "JBSWY3DPEHPK3PX1",
                "MZXW6YTBOI",
                "",
            ],
        ),
        ("issuer", &["Example", "Other", "Big+Bank", "A%3AB", ""]),
        ("algorithm", &["SHA1", "sha512", "MD5"]),
        ("digits", &["6", "8", "9", "06", "+6"]),
        ("period", &["30", "1", "0", "-30", "60"]),
        (
            "counter",
            &["0", "7", "18446744073709551615", "18446744073709551616", ""],
        ),
        ("image", &["x", "%zz"]),
    ];
    let mut params = Vec::new();
    for _ in 0..u.int_in_range(0..=6)? {
        let (name, values) = *u.choose(&pool)?;
        params.push(format!("{name}={}", u.choose(values)?));
    }
    if u.ratio(3, 4)? {
        let at = u.int_in_range(0..=params.len())?;
        params.insert(at, "secret=JBSWY3DPEHPK3PXP".into());
    }
    Ok((
        "uri.parse".into(),
        json!({ "uri": format!("otpauth://{kind}/{label}?{}", params.join("&")) }),
    ))
}

fn payload(u: &mut Unstructured) -> AResult<(String, Value)> {
    let mut doc = json!({ "version": 1, "platform": "ios", "backup_id": "b", "generation": 1, "created": 0, "accounts": [
        { "id": "t", "type": "totp", "issuer": "I", "name": "n", "secret": "JBSWY3DPEHPK3PXP", "algorithm": "SHA1", "digits": 6, "period": 30 },
        { "id": "w", "type": "work_school", "name": "w" },
        { "id": "p", "type": "msa_passwordless", "name": "p" },
    ] });
    for _ in 0..u.int_in_range(0..=3)? {
        let i = u.int_in_range(0..=2usize)?;
        match u.int_in_range(0..=9)? {
            0 => doc["accounts"][i]["secret"] = "JBSWY3DPEHPK3PXP".into(),
            1 => doc["accounts"][i]["token"] = "t".into(),
            2 => doc["accounts"][i]["password"] = "p".into(),
            3 => doc["version"] = 2.into(),
            4 => doc["accounts"][i]["id"] = "t".into(),
            5 => doc["accounts"][0]["digits"] = 9.into(),
            6 => doc["platform"] = "windows".into(),
            7 => doc["accounts"][i]["issuer"] = "X".into(),
            8 => {
                if let Some(a) = doc["accounts"][0].as_object_mut() {
                    a.remove("period");
                }
            }
            _ => doc["accounts"][i]["secret"] = serde_json::Value::Null,
        }
    }
    Ok((
        "payload.parse".into(),
        json!({ "payload": doc.to_string() }),
    ))
}

fn small_account(u: &mut Unstructured, code_only: bool) -> AResult<Value> {
    let t = *u.choose(if code_only {
        &["totp", "msa_totp"]
    } else {
        &["totp", "msa_totp", "msa_passwordless", "work_school"]
    })?;
    let mut a = json!({ "id": format!("id{}", u.int_in_range(0..=4)?), "type": t, "name": *u.choose(&["alice", "Alice", "bob"])? });
    if u.arbitrary()? {
        a["issuer"] = (*u.choose(&["Acme", "ACME"])?).into();
    }
    if t == "totp" || t == "msa_totp" {
        a["secret"] =
            (*u.choose(&["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"])?).into();
    } else if let Some(o) = a.as_object_mut() {
        o.remove("issuer");
    }
    Ok(a)
}

fn unique(list: Vec<Value>) -> Vec<Value> {
    let mut seen = BTreeSet::new();
    list.into_iter()
        .filter(|a| seen.insert(a["id"].as_str().unwrap_or_default().to_string()))
        .collect()
}

fn restore(u: &mut Unstructured) -> AResult<(String, Value)> {
    let mut backup = Vec::new();
    let mut device = Vec::new();
    for _ in 0..u.int_in_range(0..=5)? {
        backup.push(small_account(u, false)?);
    }
    for _ in 0..u.int_in_range(0..=4)? {
        device.push(small_account(u, false)?);
    }
    let platform = *u.choose(&["ios", "android", "ios"])?;
    let policy = *u.choose(&["keep-both", "prefer-backup", "prefer-device"])?;
    let input = json!({
        "device": unique(device),
        "backup": { "version": 1, "platform": "ios", "backup_id": "b", "generation": 1, "created": 0,
            "accounts": unique(backup).into_iter().map(|mut a| {
                if a.get("secret").is_some() { a["algorithm"] = "SHA1".into(); a["digits"] = 6.into(); a["period"] = 30.into(); }
                a
            }).collect::<Vec<_>>() },
        "platform": platform,
        "policy": policy,
    });
    Ok(("restore.plan".into(), input))
}

fn lifecycle(u: &mut Unstructured) -> AResult<(String, Value)> {
    let env = |u: &mut Unstructured| -> AResult<Value> {
        let mut env = json!({ "platform": "ios", "recovery_account": { "id": "alice", "personal": true }, "os_version": 17,
            "icloud": true, "icloud_keychain": true, "personal_apple_id": "alice@icloud.com", "managed_apple_id": null });
        match u.int_in_range(0..=7)? {
            0 => env["recovery_account"] = Value::Null,
            1 => env["os_version"] = 15.into(),
            2 => env["icloud"] = false.into(),
            3 => env["icloud_keychain"] = false.into(),
            4 => env["managed_apple_id"] = "corp".into(),
            5 => {
                env = json!({ "platform": "android", "recovery_account": { "id": "alice", "personal": u.arbitrary::<bool>()? } })
            }
            _ => {}
        }
        Ok(env)
    };
    let mut events = Vec::new();
    for n in 0..u.int_in_range(1..=8)? {
        events.push(match u.int_in_range(0..=6)? {
            0 | 1 => json!({ "event": "enable", "env": env(u)?, "backup_id": format!("b{n}") }),
            2 => json!({ "event": "disable" }),
            3 => json!({ "event": "change_recovery_account", "env": env(u)?, "backup_id": format!("c{n}") }),
            4 => json!({ "event": "account_added", "id": "a" }),
            5 => json!({ "event": "start_key_migration" }),
            _ => json!({ "event": "account_deleted", "id": "a" }),
        });
    }
    Ok(("lifecycle.run".into(), json!({ "events": events })))
}
