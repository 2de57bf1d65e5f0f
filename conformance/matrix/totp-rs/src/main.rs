//! The conformance adapter of totp-rs (its checked API: `TOTP::new`, `TOTP::from_url`): it
//! translates the stdio adapter protocol (spec/adapter-protocol.md) into calls of totp-rs's
//! public API, and nothing more. Codes, windows (totp-rs's `skew`), base32 (`Secret`) and Key
//! URIs are totp-rs's. totp-rs has no HOTP and no T0: those are answered `unsupported`; its
//! verifier says whether a code matched, not which step (`{"matched": …}`).
#![forbid(unsafe_code)]

use std::io::{BufRead, Write};

use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TotpUrlError, TOTP};

/// How a request ends when it does not succeed.
enum Refusal {
    /// An error answer with a code of spec/errors.md.
    Code(&'static str),
    /// totp-rs has no way to do what the request asks.
    Unsupported,
}

type Answer = Result<Value, Refusal>;

fn u64_of(input: &Value, name: &str) -> Result<u64, Refusal> {
    input[name]
        .as_u64()
        .ok_or(Refusal::Code("invalid_parameter"))
}

fn algorithm(name: &Value) -> Result<Algorithm, Refusal> {
    match name.as_str().map(str::to_ascii_uppercase).as_deref() {
        Some("SHA1") => Ok(Algorithm::SHA1),
        Some("SHA256") => Ok(Algorithm::SHA256),
        Some("SHA512") => Ok(Algorithm::SHA512),
        _ => Err(Refusal::Code("invalid_parameter")),
    }
}

fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::SHA1 => "SHA1",
        Algorithm::SHA256 => "SHA256",
        Algorithm::SHA512 => "SHA512",
    }
}

/// A checked TOTP of the request's parameters (`TOTP::new` refuses digits and short secrets).
fn totp(input: &Value, skew: u8, issuer: Option<String>, name: String) -> Result<TOTP, Refusal> {
    if input.get("t0").is_some_and(|t0| t0.as_u64() != Some(0)) {
        return Err(Refusal::Unsupported); // totp-rs counts steps from the Unix epoch
    }
    let secret = input["secret"]
        .as_str()
        .and_then(|h| HEXLOWER_PERMISSIVE.decode(h.as_bytes()).ok())
        .ok_or(Refusal::Code("invalid_secret"))?;
    let digits = usize::try_from(u64_of(input, "digits")?).unwrap_or(usize::MAX);
    let period = u64_of(input, "period")?;
    if period == 0 {
        return Err(Refusal::Code("invalid_parameter")); // totp-rs would divide by zero
    }
    TOTP::new(
        algorithm(&input["algorithm"])?,
        digits,
        skew,
        period,
        secret,
        issuer,
        name,
    )
    .map_err(|_| Refusal::Code("invalid_parameter"))
}

fn plain(input: &Value, skew: u8) -> Result<TOTP, Refusal> {
    totp(input, skew, None, String::new())
}

fn window(input: &Value) -> Result<u8, Refusal> {
    u8::try_from(u64_of(input, "window")?).map_err(|_| Refusal::Code("invalid_parameter"))
}

fn verify_timing(input: &Value) -> Answer {
    let t = plain(input, window(input)?)?;
    let time = u64_of(input, "time")?;
    let candidates: Vec<&str> = input["candidates"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let order = input["order"].as_str().unwrap_or_default();
    let mut ns = Vec::with_capacity(order.len());
    for class in order.bytes() {
        let candidate = candidates[usize::from(class - b'0')];
        let start = std::time::Instant::now();
        std::hint::black_box(t.check(candidate, time));
        ns.push(start.elapsed().as_nanos() as u64);
    }
    Ok(json!({ "ns": ns }))
}

fn parse_uri(uri: &str) -> Answer {
    let t = TOTP::from_url(uri).map_err(|e| match e {
        TotpUrlError::Host(host) if host == "hotp" => Refusal::Unsupported, // no HOTP
        _ => Refusal::Code("malformed"),
    })?;
    Ok(json!({
        "type": "totp",
        "issuer": t.issuer,
        "name": t.account_name,
        "secret": HEXLOWER.encode(&t.secret),
        "algorithm": algorithm_name(t.algorithm),
        "digits": t.digits,
        "period": t.step,
    }))
}

fn emit_uri(account: &Value) -> Answer {
    if account["type"] != "totp" {
        return Err(Refusal::Unsupported); // no HOTP
    }
    let issuer = account["issuer"].as_str().map(str::to_owned);
    let name = account["name"].as_str().unwrap_or_default().to_owned();
    Ok(json!({ "uri": totp(account, 1, issuer, name)?.get_url() }))
}

fn handle(op: &str, input: &Value) -> Answer {
    match op {
        "totp.generate" => Ok(json!({ "code": plain(input, 1)?.generate(u64_of(input, "time")?) })),
        "totp.batch" => {
            let time = u64_of(input, "time")?;
            let secrets = input["secrets"].as_array().cloned().unwrap_or_default();
            let codes = secrets
                .into_iter()
                .map(|s| {
                    let mut one = input.clone();
                    one["secret"] = s;
                    Ok(plain(&one, 1)?.generate(time))
                })
                .collect::<Result<Vec<_>, Refusal>>()?;
            Ok(json!({ "codes": codes }))
        }
        "totp.verify" => {
            let t = plain(input, window(input)?)?;
            let candidate = input["candidate"].as_str().unwrap_or_default();
            Ok(json!({ "matched": t.check(candidate, u64_of(input, "time")?) }))
        }
        "totp.verify_timing" => verify_timing(input),
        "secret.decode" => {
            let text = input["text"].as_str().unwrap_or_default().to_owned();
            let bytes = Secret::Encoded(text)
                .to_bytes()
                .map_err(|_| Refusal::Code("invalid_secret"))?;
            Ok(json!({ "secret": HEXLOWER.encode(&bytes) }))
        }
        "uri.parse" => parse_uri(input["uri"].as_str().unwrap_or_default()),
        "uri.emit" => emit_uri(&input["account"]),
        _ => Err(Refusal::Unsupported),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(request) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let id = request["id"].clone();
        let answer = match handle(
            request["op"].as_str().unwrap_or_default(),
            &request["input"],
        ) {
            Ok(output) => json!({ "id": id, "ok": output }),
            Err(Refusal::Code(code)) => json!({ "id": id, "error": code }),
            Err(Refusal::Unsupported) => json!({ "id": id, "unsupported": true }),
        };
        let _ = writeln!(stdout, "{answer}");
        let _ = stdout.flush();
    }
}
