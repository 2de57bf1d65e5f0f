//! Payload vectors: valid payloads with their normalised form written out, and every rule of
//! `spec/payload.md` broken once.

use data_encoding::{BASE32_NOPAD, HEXLOWER};
use serde_json::{json, Value};

use super::{Builder, Refused};
use crate::model::VectorFile;

const S: &str = "JBSWY3DPEHPK3PXP";

fn doc(accounts: Value) -> Value {
    json!({ "version": 1, "platform": "ios", "backup_id": "b-1", "generation": 3, "created": 1700000000, "accounts": accounts })
}

pub(crate) fn totp_account(id: &str) -> Value {
    json!({ "id": id, "type": "totp", "issuer": "GitHub", "name": "alice", "secret": S, "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn normal(accounts: Value) -> Value {
    json!({ "platform": "ios", "backup_id": "b-1", "generation": 3, "created": 1700000000, "accounts": accounts })
}

fn normal_totp(id: &str) -> Value {
    json!({ "id": id, "type": "totp", "issuer": "GitHub", "name": "alice", "secret": HEXLOWER.encode(&BASE32_NOPAD.decode(S.as_bytes()).unwrap()), "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn placeholder(id: &str, t: &str) -> Value {
    json!({ "id": id, "type": t, "name": format!("{id}@example.com") })
}

fn normal_placeholder(id: &str, t: &str) -> Value {
    json!({ "id": id, "type": t, "issuer": null, "name": format!("{id}@example.com"), "secret": null, "algorithm": null, "digits": null, "period": null })
}

fn text(v: &Value) -> Value {
    json!({ "payload": v.to_string() })
}

fn edit(v: &Value, f: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    f(&mut v);
    v
}

pub(crate) fn payload() -> VectorFile {
    let mut b = Builder::new("payload", "payload.parse", &[
        "The backup payload (spec/payload.md, spec/data-model.md).",
        "Inputs are payload texts; valid ones expect the normalised form written out by hand (secrets as hex, absent members as null).",
    ]);
    notes(&mut b);
    valid(&mut b);
    b.group("Refused", None);
    refused_document(&mut b);
    refused_ids(&mut b);
    refused_placeholders(&mut b);
    refused_accounts(&mut b);
    refused_duplicates(&mut b);
    text_traps(&mut b);
    limits(&mut b);
    build(&mut b);
    device_file(&mut b);
    line_endings(&mut b);
    falsy_tokens(&mut b);
    orders_and_nulls(&mut b);
    json_text(&mut b);
    document_order(&mut b);
    nesting(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    b.note("DeviceFile", "Input validation", "A device's accounts are read strictly: unknown members, wrong types and states refused, null members absent.", &["REQ-DEVICE-001", "REQ-DEVICE-003"]);
    b.note("Placeholder", "Data leak", "A placeholder carrying a secret or token would restore a credential that must never leave the device.", &["REQ-ACCOUNT-006", "REQ-PAYLOAD-013"]);
    b.note(
        "UnknownMember",
        "Data leak",
        "Unknown members (passwords, tokens) must be refused, not ignored.",
        &["REQ-PAYLOAD-001", "REQ-PAYLOAD-020"],
    );
    b.note(
        "Version",
        "Downgrade",
        "Another version must be refused as such, even if its members are unknown.",
        &["REQ-PAYLOAD-002"],
    );
    b.note(
        "JsonText",
        "Parser differential",
        "The payload is RFC 8259 JSON in UTF-8, read with its escapes decoded: JSON libraries' defaults differ (Python's json reads NaN, Go's replaces a lone surrogate escape, raw-key lookups leave escapes undecoded, browsers skip a byte order mark), so two readers would see two payloads.",
        &["REQ-PAYLOAD-007"],
    );
    b.note(
        "Nesting",
        "Denial of service",
        "Nesting deeper than a parser's own limit: a reader must read 64 levels by the rules and may refuse deeper documents as malformed, but a recursive parser without a limit runs out of stack, and Python's json raises RecursionError at about 1,000 levels.",
        &["REQ-PAYLOAD-009"],
    );
    b.note(
        "Limits",
        "Resource use",
        "Counts and lengths beyond the limits.",
        &["REQ-PAYLOAD-006", "REQ-ACCOUNT-002", "REQ-ACCOUNT-003"],
    );
}

/// Valid payloads and their normal form.
fn valid(b: &mut Builder) {
    b.group("Valid payloads", None);
    let all = json!([
        totp_account("t"),
        json!({ "id": "m", "type": "msa_totp", "name": "bob@outlook.com", "secret": "jbsw y3dp ehpk 3pxp", "algorithm": "sha256", "digits": 8, "period": 60 }),
        placeholder("p", "msa_passwordless"),
        placeholder("w", "work_school")
    ]);
    let secret_hex = HEXLOWER.encode(&BASE32_NOPAD.decode(S.as_bytes()).unwrap());
    b.valid("every account type", &["REQ-ACCOUNT-001", "REQ-ACCOUNT-005", "REQ-ACCOUNT-006", "REQ-PAYLOAD-001", "REQ-PAYLOAD-010"], &[], text(&doc(all)),
        normal(json!([normal_totp("t"),
            json!({ "id": "m", "type": "msa_totp", "issuer": null, "name": "bob@outlook.com", "secret": secret_hex, "algorithm": "SHA256", "digits": 8, "period": 60 }),
            normal_placeholder("p", "msa_passwordless"), normal_placeholder("w", "work_school")])));
    b.valid(
        "no accounts",
        &["REQ-PAYLOAD-001"],
        &[],
        text(&doc(json!([]))),
        normal(json!([])),
    );
    b.valid(
        "android, generation 2^64 - 1",
        &["REQ-PAYLOAD-003", "REQ-PAYLOAD-005"],
        &[],
        text(&edit(&doc(json!([])), |v| {
            v["platform"] = "android".into();
            v["generation"] = u64::MAX.into();
        })),
        edit(&normal(json!([])), |v| {
            v["platform"] = "android".into();
            v["generation"] = u64::MAX.into();
        }),
    );
    b.valid("null issuer and parameters on a placeholder count as absent", &["REQ-PAYLOAD-013"], &["Placeholder"],
        text(&doc(json!([{ "id": "w", "type": "work_school", "name": "w@example.com", "issuer": null, "digits": null }]))),
        normal(json!([normal_placeholder("w", "work_school")])));
}

/// Refused: the document and its members: syntax, unknown members, version, platform.
fn refused_document(b: &mut Builder) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "not JSON",
            &["REQ-PAYLOAD-001"],
            &[],
            json!({ "payload": "not json" }),
            "malformed",
        ),
        (
            "a password member on an account",
            &["REQ-PAYLOAD-001", "REQ-PAYLOAD-020", "REQ-ACCOUNT-013"],
            &["UnknownMember"],
            text(&acct(&|a| a["password"] = "hunter2".into())),
            "malformed",
        ),
        (
            "an unknown top-level member",
            &["REQ-PAYLOAD-001", "REQ-PAYLOAD-020"],
            &["UnknownMember"],
            text(&edit(&base(), |v| v["passwords"] = json!([]))),
            "malformed",
        ),
        (
            "a token on a code-bearing account",
            &["REQ-PAYLOAD-014", "REQ-ACCOUNT-013"],
            &["UnknownMember"],
            text(&acct(&|a| a["token"] = "x".into())),
            "malformed",
        ),
        (
            "digits as a string",
            &["REQ-PAYLOAD-001"],
            &[],
            text(&acct(&|a| a["digits"] = "6".into())),
            "malformed",
        ),
        (
            "a repeated member",
            &["REQ-PAYLOAD-001"],
            &[],
            json!({ "payload": base().to_string().replacen("\"name\":\"alice\"", "\"name\":\"alice\",\"name\":\"bob\"", 1) }),
            "malformed",
        ),
        (
            "version 2",
            &["REQ-PAYLOAD-002"],
            &["Version"],
            text(&edit(&base(), |v| v["version"] = 2.into())),
            "unsupported_version",
        ),
        (
            "version 2 with members version 1 does not know",
            &["REQ-PAYLOAD-002"],
            &["Version"],
            json!({ "payload": "{\"version\":2,\"platform\":\"ios\",\"new\":true,\"accounts\":\"elsewhere\"}" }),
            "unsupported_version",
        ),
        (
            "platform windows",
            &["REQ-PAYLOAD-003"],
            &[],
            text(&edit(&base(), |v| v["platform"] = "windows".into())),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: ids, the generation and account types out of their ranges.
fn refused_ids(b: &mut Builder) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "empty backup id",
            &["REQ-PAYLOAD-004"],
            &[],
            text(&edit(&base(), |v| v["backup_id"] = "".into())),
            "invalid_parameter",
        ),
        (
            "65-byte backup id",
            &["REQ-PAYLOAD-004"],
            &["Limits"],
            text(&edit(&base(), |v| v["backup_id"] = "b".repeat(65).into())),
            "too_large",
        ),
        (
            "generation 0",
            &["REQ-PAYLOAD-005"],
            &[],
            text(&edit(&base(), |v| v["generation"] = 0.into())),
            "invalid_parameter",
        ),
        (
            "empty account id",
            &["REQ-PAYLOAD-011", "REQ-ACCOUNT-002"],
            &[],
            text(&acct(&|a| a["id"] = "".into())),
            "invalid_parameter",
        ),
        (
            "65-byte account id",
            &["REQ-PAYLOAD-011", "REQ-ACCOUNT-002"],
            &["Limits"],
            text(&acct(&|a| a["id"] = "i".repeat(65).into())),
            "too_large",
        ),
        (
            "account type hotp",
            &["REQ-PAYLOAD-012", "REQ-ACCOUNT-001"],
            &[],
            text(&acct(&|a| a["type"] = "hotp".into())),
            "unsupported_account_type",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: placeholders that carry what only code-bearing accounts may.
fn refused_placeholders(b: &mut Builder) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "a placeholder with a secret",
            &["REQ-PAYLOAD-013", "REQ-ACCOUNT-006"],
            &["Placeholder"],
            text(&place(json!({ "secret": S }))),
            "secret_in_placeholder",
        ),
        (
            "a placeholder with a null secret",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&place(json!({ "secret": null }))),
            "secret_in_placeholder",
        ),
        (
            "a placeholder with an empty secret",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&place(json!({ "secret": "" }))),
            "secret_in_placeholder",
        ),
        (
            "a placeholder with a token",
            &["REQ-PAYLOAD-013", "REQ-ACCOUNT-006"],
            &["Placeholder"],
            text(&place(json!({ "token": "eyJ" }))),
            "secret_in_placeholder",
        ),
        (
            "an msa_passwordless placeholder with a secret object",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&doc(
                json!([{ "id": "p", "type": "msa_passwordless", "name": "n", "secret": { "k": 1 } }]),
            )),
            "secret_in_placeholder",
        ),
        (
            "a placeholder with an issuer",
            &["REQ-PAYLOAD-013", "REQ-ACCOUNT-006"],
            &["Placeholder"],
            text(&place(json!({ "issuer": "Contoso" }))),
            "malformed",
        ),
        (
            "a placeholder with digits",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&place(json!({ "digits": 6 }))),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: code-bearing accounts that break a rule of their own.
fn refused_accounts(b: &mut Builder) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "no period",
            &["REQ-PAYLOAD-014", "REQ-ACCOUNT-005"],
            &[],
            text(&edit(&base(), |v| {
                v["accounts"][0].as_object_mut().unwrap().remove("period");
            })),
            "malformed",
        ),
        (
            "no algorithm",
            &["REQ-PAYLOAD-014", "REQ-ACCOUNT-005"],
            &[],
            text(&edit(&base(), |v| {
                v["accounts"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("algorithm");
            })),
            "malformed",
        ),
        (
            "no digits",
            &["REQ-PAYLOAD-014", "REQ-ACCOUNT-005"],
            &[],
            text(&edit(&base(), |v| {
                v["accounts"][0].as_object_mut().unwrap().remove("digits");
            })),
            "malformed",
        ),
        (
            "no secret",
            &["REQ-PAYLOAD-014", "REQ-ACCOUNT-005"],
            &[],
            text(&edit(&base(), |v| {
                v["accounts"][0].as_object_mut().unwrap().remove("secret");
            })),
            "invalid_secret",
        ),
        (
            "a secret that is a number",
            &["REQ-PAYLOAD-014"],
            &[],
            text(&acct(&|a| a["secret"] = 42.into())),
            "malformed",
        ),
        (
            "issuer with a colon",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-004"],
            &[],
            text(&acct(&|a| a["issuer"] = "Git:Hub".into())),
            "invalid_parameter",
        ),
        (
            "name with a leading space",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = " alice".into())),
            "invalid_parameter",
        ),
        (
            "name with a control character",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "al\u{0}ice".into())),
            "invalid_parameter",
        ),
        (
            "257-byte name",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-003"],
            &["Limits"],
            text(&acct(&|a| a["name"] = "a".repeat(257).into())),
            "too_large",
        ),
        (
            "bad secret",
            &["REQ-PAYLOAD-016"],
            &[],
            text(&acct(&|a| a["secret"] = "JBSWY3DPEHPK3PX1".into())),
            "invalid_secret",
        ),
        (
            "short secret",
            &["REQ-PAYLOAD-016", "REQ-SECRET-001"],
            &[],
            text(&acct(&|a| a["secret"] = "MZXW6YTBOI".into())),
            "invalid_secret",
        ),
        (
            "algorithm MD5",
            &["REQ-PAYLOAD-016"],
            &[],
            text(&acct(&|a| a["algorithm"] = "MD5".into())),
            "invalid_parameter",
        ),
        (
            "digits 9",
            &["REQ-PAYLOAD-016"],
            &[],
            text(&acct(&|a| a["digits"] = 9.into())),
            "invalid_parameter",
        ),
        (
            "period 0",
            &["REQ-PAYLOAD-016"],
            &[],
            text(&acct(&|a| a["period"] = 0.into())),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// Refused: two accounts with one id, and which account decides.
fn refused_duplicates(b: &mut Builder) {
    let rows: Vec<Refused<'_>> = vec![
        (
            "two accounts with one id",
            &["REQ-PAYLOAD-017", "REQ-ACCOUNT-002"],
            &[],
            text(&doc(json!([
                totp_account("t"),
                placeholder("t", "work_school")
            ]))),
            "duplicate_account",
        ),
        (
            "the first failing account decides",
            &["REQ-PAYLOAD-010"],
            &[],
            text(&doc(
                json!([totp_account("t"), placeholder("t", "work_school"), { "id": "x", "type": "steam", "name": "n" }]),
            )),
            "duplicate_account",
        ),
        (
            "of two failing accounts, the first decides",
            &["REQ-PAYLOAD-010"],
            &[],
            text(&doc(json!([
                edit(&totp_account("a"), |a| a["name"] = " alice".into()),
                { "id": "x", "type": "steam", "name": "n" }
            ]))),
            "invalid_parameter",
        ),
        (
            "an id repeated after the first failing account does not decide",
            &["REQ-PAYLOAD-010", "REQ-PAYLOAD-017"],
            &[],
            text(&doc(json!([
                edit(&totp_account("a"), |a| a["name"] = " alice".into()),
                totp_account("u"),
                totp_account("u")
            ]))),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// What lenient JSON and Unicode handling lets through: numbers that are not plain integers,
/// Unicode case folding, limits counted in characters, spaces and controls at the edges.
fn text_traps(b: &mut Builder) {
    b.group(
        "Text and number traps: limits in bytes, integers as written, ASCII letter case",
        None,
    );
    let name = |n: usize| "é".repeat(n);
    let valid: [(&str, &[&str], Value, Value); 2] = [
        (
            "a name of 256 bytes in 128 two-byte characters",
            &["REQ-ACCOUNT-003"],
            text(&acct(&|a| a["name"] = name(128).into())),
            normal(json!([
                edit(&normal_totp("t"), |a| a["name"] = name(128).into())
            ])),
        ),
        (
            "an id of 64 bytes in 32 two-byte characters",
            &["REQ-ACCOUNT-002"],
            text(&doc(json!([
                edit(&totp_account("t"), |a| a["id"] = name(32).into())
            ]))),
            normal(json!([normal_totp(&name(32))])),
        ),
    ];
    for (comment, reqs, input, output) in valid {
        b.valid(comment, reqs, &["Limits"], input, output);
    }
    b.valid(
        "a null issuer on a code-bearing account is absent",
        &["REQ-PAYLOAD-015", "REQ-PAYLOAD-001"],
        &[],
        text(&acct(&|a| a["issuer"] = Value::Null)),
        normal(json!([
            edit(&normal_totp("t"), |a| a["issuer"] = Value::Null)
        ])),
    );
    let number = |field: &str, raw: &str| {
        let doc = base().to_string();
        let at = format!("\"{field}\":");
        let start = doc.rfind(&at).expect("field") + at.len();
        let end = start + doc[start..].find([',', '}']).expect("end");
        json!({ "payload": format!("{}{raw}{}", &doc[..start], &doc[end..]) })
    };
    let rows: Vec<Refused<'_>> = vec![
        (
            "a name of 257 bytes in 129 two-byte characters",
            &["REQ-ACCOUNT-003"],
            &["Limits"],
            text(&acct(&|a| a["name"] = name(129).into())),
            "too_large",
        ),
        (
            "an id of 66 bytes in 33 two-byte characters",
            &["REQ-ACCOUNT-002"],
            &["Limits"],
            text(&doc(json!([
                edit(&totp_account("t"), |a| a["id"] = name(33).into())
            ]))),
            "too_large",
        ),
        (
            "a backup id of 66 bytes in 33 two-byte characters",
            &["REQ-PAYLOAD-004"],
            &["Limits"],
            text(&edit(&base(), |v| v["backup_id"] = name(33).into())),
            "too_large",
        ),
        (
            "a name with a trailing space",
            &["REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "alice ".into())),
            "invalid_parameter",
        ),
        (
            "an issuer with a trailing space",
            &["REQ-ACCOUNT-004"],
            &[],
            text(&acct(&|a| a["issuer"] = "GitHub ".into())),
            "invalid_parameter",
        ),
        (
            "a name with DEL (U+007F)",
            &["REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "ali\u{7f}ce".into())),
            "invalid_parameter",
        ),
        (
            "a name with a C1 control (U+0085)",
            &["REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "ali\u{85}ce".into())),
            "invalid_parameter",
        ),
        (
            "a name of non-ASCII characters only, with a C1 control (U+0085)",
            &["REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "ä\u{85}ö".into())),
            "invalid_parameter",
        ),
        (
            "algorithm ſha1 (a long s, which upper-cases to S)",
            &["REQ-PAYLOAD-016", "REQ-HOTP-002"],
            &[],
            text(&acct(&|a| a["algorithm"] = "ſha1".into())),
            "invalid_parameter",
        ),
        (
            "digits written 6.0",
            &["REQ-PAYLOAD-001"],
            &[],
            number("digits", "6.0"),
            "malformed",
        ),
        (
            "period written 3e1",
            &["REQ-PAYLOAD-001"],
            &[],
            number("period", "3e1"),
            "malformed",
        ),
        (
            "generation written -0",
            &["REQ-PAYLOAD-001"],
            &[],
            number("generation", "-0"),
            "malformed",
        ),
        (
            "version written 1.0",
            &["REQ-PAYLOAD-001", "REQ-PAYLOAD-002"],
            &[],
            number("version", "1.0"),
            "malformed",
        ),
        (
            "version -1",
            &["REQ-PAYLOAD-002"],
            &["Version"],
            number("version", "-1"),
            "malformed",
        ),
        (
            "version 2^70",
            &["REQ-PAYLOAD-002"],
            &["Version"],
            number("version", "1180591620717411303424"),
            "malformed",
        ),
        (
            "version 2^64 - 1",
            &["REQ-PAYLOAD-002"],
            &["Version"],
            number("version", "18446744073709551615"),
            "unsupported_version",
        ),
        (
            "an id of 65 bytes with a control character: the length first",
            &["REQ-ACCOUNT-002"],
            &["Limits"],
            text(&doc(json!([edit(&totp_account("t"), |a| a["id"] =
                format!("{}\u{1}", "a".repeat(64)).into())]))),
            "too_large",
        ),
        (
            "a name of 257 bytes with a control character: the length first",
            &["REQ-ACCOUNT-003"],
            &["Limits"],
            text(&acct(&|a| {
                a["name"] = format!("{}\u{1}", "a".repeat(256)).into()
            })),
            "too_large",
        ),
        (
            "a name of 257 bytes beginning with a space: the space first",
            &["REQ-ACCOUNT-003"],
            &["Limits"],
            text(&acct(&|a| {
                a["name"] = format!(" {}", "a".repeat(256)).into()
            })),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// The account-count limit.
fn limits(b: &mut Builder) {
    b.group(
        "Size limits (the runner expands the $concat and $repeat directives)",
        None,
    );
    let one = r#"{"id":"x","type":"work_school","name":"n"}"#;
    b.invalid(
        "100,001 accounts",
        &["REQ-PAYLOAD-006"],
        &["Limits"],
        json!({ "payload": { "$concat": [
            r#"{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":["#,
            { "$repeat": { "text": format!("{one},"), "times": 100_000 } },
            format!("{one}]}}"),
        ] } }),
        "too_large",
    );
    b.allowing(60_000);
    let numbered = r#"{"id":"x-#","type":"work_school","name":"n"}"#;
    b.valid(
        "exactly 100,000 accounts, each its own id",
        &["REQ-PAYLOAD-006"],
        &["Limits"],
        json!({ "payload": { "$concat": [
            r#"{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":["#,
            { "$repeat": { "text": format!("{numbered},"), "times": 99_999, "index": "#" } },
            r#"{"id":"x-99999","type":"work_school","name":"n"}]}"#,
        ] } }),
        json!({ "platform": "ios", "backup_id": "b-1", "generation": 3, "created": 1700000000, "accounts":
            { "$items": { "times": 100_000, "index": "#", "item":
                { "id": "x-#", "type": "work_school", "issuer": null, "name": "n", "secret": null, "algorithm": null, "digits": null, "period": null } } } }),
    );
    b.allowing(60_000);
}

/// `backup.build` reading device accounts: the rules of the device accounts file.
fn device_file(b: &mut Builder) {
    b.group(
        "Reading a device's accounts (the device accounts file, REQ-DEVICE-001 to -003)",
        Some("backup.build"),
    );
    let totp = json!({ "id": "t", "type": "totp", "issuer": "GitHub", "name": "alice", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" });
    let device = |f: &dyn Fn(&mut Value)| json!({ "device": [edit(&totp, f)] });
    let kept = |issuer: Value| {
        json!({ "accounts": [{ "id": "t", "type": "totp", "issuer": issuer, "name": "alice",
        "secret": "3132333435363738393031323334353637383930", "algorithm": "SHA1", "digits": 6, "period": 30 }], "left_out": [] })
    };
    b.valid(
        "a null issuer is absent",
        &["REQ-DEVICE-001", "REQ-DEVICE-002"],
        &["DeviceFile"],
        device(&|a| a["issuer"] = Value::Null),
        kept(Value::Null),
    );
    b.valid(
        "state ready is read",
        &["REQ-DEVICE-001"],
        &["DeviceFile"],
        device(&|a| a["state"] = "ready".into()),
        kept("GitHub".into()),
    );
    b.valid(
        "state action_required is read",
        &["REQ-DEVICE-001"],
        &["DeviceFile"],
        device(&|a| a["state"] = "action_required".into()),
        kept("GitHub".into()),
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "an unknown member (a password)",
            &["REQ-DEVICE-001"],
            &["DeviceFile"],
            device(&|a| a["password"] = "hunter2".into()),
            "malformed",
        ),
        (
            "a state that is neither ready nor action_required",
            &["REQ-DEVICE-001"],
            &["DeviceFile"],
            device(&|a| a["state"] = "broken".into()),
            "invalid_parameter",
        ),
        (
            "digits as a string",
            &["REQ-DEVICE-001"],
            &["DeviceFile"],
            device(&|a| a["digits"] = "6".into()),
            "malformed",
        ),
        (
            "excluded_by_policy as a string",
            &["REQ-DEVICE-001"],
            &["DeviceFile"],
            device(&|a| a["excluded_by_policy"] = "yes".into()),
            "malformed",
        ),
        (
            "a null secret on a code-bearing account is no secret",
            &["REQ-DEVICE-001", "REQ-ACCOUNT-010"],
            &["DeviceFile"],
            device(&|a| a["secret"] = Value::Null),
            "invalid_secret",
        ),
        (
            "a placeholder's digits follow the rules too",
            &["REQ-DEVICE-003"],
            &["DeviceFile"],
            json!({ "device": [{ "id": "w", "type": "work_school", "name": "a", "digits": 9 }] }),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// `backup.build`: what a backup keeps of each account type.
fn build(b: &mut Builder) {
    b.group(
        "Building a backup from a device's accounts: the per-type rules",
        Some("backup.build"),
    );
    let hex_s = HEXLOWER.encode(&BASE32_NOPAD.decode(S.as_bytes()).unwrap());
    let device = json!([
        { "id": "t", "type": "totp", "issuer": "GitHub", "name": "alice", "secret": S, "token": "session" },
        { "id": "m", "type": "msa_totp", "name": "bob@outlook.com", "secret": S, "digits": 8 },
        { "id": "p", "type": "msa_passwordless", "issuer": "Microsoft", "name": "carol@outlook.com", "secret": S, "token": "refresh" },
        { "id": "w", "type": "work_school", "issuer": "Contoso", "name": "dave@contoso.com", "token": "prt" },
        { "id": "v", "type": "totp", "issuer": "VPN", "name": "dave", "secret": S, "excluded_by_policy": true },
    ]);
    b.valid("code-bearing kept whole, placeholders as names, tokens never, policy exclusions left out",
        &["REQ-ACCOUNT-010", "REQ-ACCOUNT-011", "REQ-ACCOUNT-012", "REQ-ACCOUNT-013", "REQ-PAYLOAD-031", "REQ-DEVICE-002"], &["Placeholder"],
        json!({ "device": device }),
        json!({ "accounts": [
            { "id": "t", "type": "totp", "issuer": "GitHub", "name": "alice", "secret": hex_s, "algorithm": "SHA1", "digits": 6, "period": 30 },
            { "id": "m", "type": "msa_totp", "issuer": null, "name": "bob@outlook.com", "secret": hex_s, "algorithm": "SHA1", "digits": 8, "period": 30 },
            { "id": "p", "type": "msa_passwordless", "issuer": null, "name": "carol@outlook.com", "secret": null, "algorithm": null, "digits": null, "period": null },
            { "id": "w", "type": "work_school", "issuer": null, "name": "dave@contoso.com", "secret": null, "algorithm": null, "digits": null, "period": null },
        ], "left_out": ["v"] }));
    b.invalid(
        "a code-bearing account without a secret stops the build",
        &["REQ-ACCOUNT-010"],
        &[],
        json!({ "device": [{ "id": "t", "type": "totp", "name": "alice" }] }),
        "invalid_secret",
    );
    b.invalid("two device accounts with one id", &["REQ-DEVICE-004"], &[],
        json!({ "device": [{ "id": "t", "type": "work_school", "name": "a" }, { "id": "t", "type": "work_school", "name": "b" }] }), "duplicate_account");
}

/// Texts copied from a file or a form with their line ending, or with several control
/// characters: an implementation that trims line endings, or stops at the first control
/// character it skips, accepts them. Last in the file, so that earlier `tcId`s stay.
fn line_endings(b: &mut Builder) {
    b.group(
        "Line endings and runs of control characters in names (REQ-ACCOUNT-003, -004)",
        None,
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "a name that ends in CR LF (a line read with its ending)",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-003"],
            &[],
            text(&acct(&|a| a["name"] = "alice\r\n".into())),
            "invalid_parameter",
        ),
        (
            "an issuer with two tabs",
            &["REQ-PAYLOAD-015", "REQ-ACCOUNT-004"],
            &[],
            text(&acct(&|a| a["issuer"] = "Git\t\tHub".into())),
            "invalid_parameter",
        ),
        (
            "an id that ends in LF",
            &["REQ-PAYLOAD-011", "REQ-ACCOUNT-002"],
            &[],
            text(&acct(&|a| a["id"] = "t\n".into())),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
}

/// A `token` whose value is `null`, empty or `false` is still present (spec/payload.md): an
/// implementation that asks whether the token is truthy lets a placeholder through with it,
/// or a code-bearing account with a token member. Last in the file, so that earlier `tcId`s
/// stay.
fn falsy_tokens(b: &mut Builder) {
    b.group(
        "A token member is present whatever its value (REQ-PAYLOAD-013, -014)",
        None,
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "a placeholder with a null token",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&place(json!({ "token": null }))),
            "secret_in_placeholder",
        ),
        (
            "a placeholder with an empty token",
            &["REQ-PAYLOAD-013"],
            &["Placeholder"],
            text(&place(json!({ "token": "" }))),
            "secret_in_placeholder",
        ),
        (
            "a code-bearing account with a null token",
            &["REQ-PAYLOAD-014"],
            &["UnknownMember"],
            text(&acct(&|a| a["token"] = Value::Null)),
            "malformed",
        ),
        (
            "a code-bearing account with a token of false",
            &["REQ-PAYLOAD-014"],
            &["UnknownMember"],
            text(&acct(&|a| a["token"] = false.into())),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
}

/// Where two rules meet in one account, the spec's order decides (an implementation that
/// checks repeated ids in a first pass, or the name before the issuer, gives another error);
/// `null` where a value is required is not a default; ids are compared as bytes. Last in the
/// file, so that earlier `tcId`s stay.
fn orders_and_nulls(b: &mut Builder) {
    b.group(
        "Rules that meet in one account, nulls where a value is required, ids compared as bytes",
        None,
    );
    let rows: Vec<Refused<'_>> = vec![
        (
            "a code-bearing account with a null secret (not a string, not absent)",
            &["REQ-PAYLOAD-014"],
            &[],
            text(&acct(&|a| a["secret"] = Value::Null)),
            "malformed",
        ),
        (
            "a code-bearing account with a null algorithm (not the default)",
            &["REQ-PAYLOAD-014"],
            &[],
            text(&acct(&|a| a["algorithm"] = Value::Null)),
            "malformed",
        ),
        (
            "a code-bearing account with null digits (not the default)",
            &["REQ-PAYLOAD-014"],
            &[],
            text(&acct(&|a| a["digits"] = Value::Null)),
            "malformed",
        ),
        (
            "no secret and no digits: the missing parameter first",
            &["REQ-PAYLOAD-014"],
            &[],
            text(&acct(&|a| {
                let a = a.as_object_mut().unwrap();
                a.remove("secret");
                a.remove("digits");
            })),
            "malformed",
        ),
        (
            "a 257-byte issuer and a name with a leading space: the issuer first",
            &["REQ-PAYLOAD-015"],
            &["Limits"],
            text(&acct(&|a| {
                a["issuer"] = "i".repeat(257).into();
                a["name"] = " alice".into();
            })),
            "too_large",
        ),
        (
            "a bad secret and digits 9: the secret first",
            &["REQ-PAYLOAD-016"],
            &[],
            text(&acct(&|a| {
                a["secret"] = "JBSWY3DPEHPK3PX1".into();
                a["digits"] = 9.into();
            })),
            "invalid_secret",
        ),
        (
            "an account that repeats an id and breaks its own rules: its own rule first",
            &["REQ-PAYLOAD-010", "REQ-PAYLOAD-017"],
            &[],
            text(&doc(json!([
                totp_account("t"),
                edit(&totp_account("t"), |a| a["name"] = " alice".into())
            ]))),
            "invalid_parameter",
        ),
    ];
    invalid_rows(b, rows);
    let decomposed = "e\u{301}";
    let same_text: [(&str, &str, &str); 2] = [
        ("ids that differ in letter case only are two ids", "t", "T"),
        (
            "ids that differ in Unicode normalisation only (é as one code point and as e with a combining accent) are two ids",
            "\u{e9}",
            decomposed,
        ),
    ];
    for (comment, first, second) in same_text {
        b.valid(
            comment,
            &["REQ-ACCOUNT-002", "REQ-PAYLOAD-017"],
            &[],
            text(&doc(json!([totp_account(first), totp_account(second)]))),
            normal(json!([normal_totp(first), normal_totp(second)])),
        );
    }
}

/// The JSON text of `v` with its one string `"MARK"` replaced by `raw`, JSON text that a
/// JSON value cannot hold (`NaN`, a lone surrogate escape); a member `"MARK": null` is
/// replaced whole (by escaped member names).
fn marked(v: &Value, raw: &str) -> Value {
    let t = v.to_string();
    assert_eq!(t.matches("\"MARK\"").count(), 1, "one mark");
    let mark = if t.contains("\"MARK\":null") {
        "\"MARK\":null"
    } else {
        "\"MARK\""
    };
    json!({ "payload": t.replace(mark, raw) })
}

/// The JSON text a lenient or raw-text JSON reader gets wrong (REQ-PAYLOAD-007): what
/// RFC 8259 does not allow, lone surrogate escapes in the strings the format reads, and
/// escapes that must be decoded before member names and ids are compared and measured.
/// Last in the file, so that earlier `tcId`s stay.
fn json_text(b: &mut Builder) {
    b.group(
        "The JSON text: RFC 8259 exactly, escapes decoded (REQ-PAYLOAD-007)",
        None,
    );
    let key = |a: &mut Value, k: &str| {
        let a = a.as_object_mut().unwrap();
        a.remove(k);
        a.insert("MARK".into(), Value::Null);
    };
    let bom_payload = format!("\u{feff}{}", base());
    let raw_control = base().to_string().replace("\"alice\"", "\"ali\u{1}ce\"");
    let rows: Vec<Refused<'_>> = vec![
        (
            "NaN as a placeholder's token: not JSON (Python's json reads it)",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            marked(&place(json!({ "token": "MARK" })), "NaN"),
            "malformed",
        ),
        (
            "Infinity in a version 2 document: not JSON, so not another version",
            &["REQ-PAYLOAD-007", "REQ-PAYLOAD-002"],
            &["JsonText", "Version"],
            marked(&json!({ "version": 2, "platform": "ios", "limit": "MARK" }), "Infinity"),
            "malformed",
        ),
        (
            "a name with a lone high surrogate escape",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            marked(&acct(&|a| a["name"] = "MARK".into()), r#""alice\ud800""#),
            "malformed",
        ),
        (
            "an issuer with a lone low surrogate escape",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            marked(&acct(&|a| a["issuer"] = "MARK".into()), r#""Git\udc00Hub""#),
            "malformed",
        ),
        (
            "an id that is a surrogate pair in reverse order",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            marked(&acct(&|a| a["id"] = "MARK".into()), r#""\udc00\ud800""#),
            "malformed",
        ),
        (
            "a member repeated, once written with an escape",
            &["REQ-PAYLOAD-001", "REQ-PAYLOAD-007"],
            &["JsonText"],
            marked(&acct(&|a| key(a, "digits")), r#""digits":6,"d\u0069gits":6"#),
            "malformed",
        ),
        (
            "an id repeated, once written as an escape",
            &["REQ-PAYLOAD-007", "REQ-PAYLOAD-017"],
            &["JsonText"],
            marked(
                &doc(json!([totp_account("t"), totp_account("MARK")])),
                r#""\u0074""#,
            ),
            "duplicate_account",
        ),
        (
            "a control character written unescaped inside a name: not JSON",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            json!({ "payload": raw_control }),
            "malformed",
        ),
        (
            "a byte order mark before the document",
            &["REQ-PAYLOAD-007"],
            &["JsonText"],
            json!({ "payload": bom_payload }),
            "malformed",
        ),
        (
            "the whole document before any account rule: a name with a leading space, then an account with an unknown member",
            &["REQ-PAYLOAD-001", "REQ-PAYLOAD-010"],
            &["UnknownMember"],
            text(&doc(json!([
                edit(&totp_account("t"), |a| a["name"] = " alice".into()),
                edit(&totp_account("u"), |a| a["password"] = "hunter2".into())
            ]))),
            "malformed",
        ),
    ];
    invalid_rows(b, rows);
    let emoji = "\u{1f600}".repeat(64);
    b.valid(
        "a name of 64 characters outside the BMP, written as escaped surrogate pairs (256 bytes)",
        &["REQ-PAYLOAD-007", "REQ-ACCOUNT-003"],
        &["JsonText"],
        marked(
            &acct(&|a| a["name"] = "MARK".into()),
            &format!("\"{}\"", r"\ud83d\ude00".repeat(64)),
        ),
        normal(json!([
            edit(&normal_totp("t"), |a| a["name"] = emoji.into())
        ])),
    );
    b.valid(
        "a member name written with an escape is that member",
        &["REQ-PAYLOAD-007"],
        &["JsonText"],
        marked(&acct(&|a| key(a, "name")), r#""n\u0061me":"alice""#),
        normal(json!([normal_totp("t")])),
    );
    let long_id = "a".repeat(64);
    b.valid(
        "an id of 64 bytes written as 384 characters of escapes",
        &["REQ-PAYLOAD-007", "REQ-ACCOUNT-002"],
        &["JsonText"],
        marked(
            &acct(&|a| a["id"] = "MARK".into()),
            &format!("\"{}\"", r"\u0061".repeat(64)),
        ),
        normal(json!([normal_totp(&long_id)])),
    );
}

/// The document's own rules in the spec's order whatever order its members are written in
/// (REQ-PAYLOAD-008), the order of the checks of a backup id and of an issuer's colon. Last
/// in the file, so that earlier `tcId`s stay.
fn document_order(b: &mut Builder) {
    b.group(
        "The document's rules before the accounts', in the spec's order, whatever the members' order (REQ-PAYLOAD-008)",
        None,
    );
    let long_id = "b".repeat(65);
    let written = |members: Value| json!({ "payload": members.to_string() });
    let rows: Vec<Refused<'_>> = vec![
        (
            "a 65-byte backup id with a control character: the length first",
            &["REQ-PAYLOAD-004"],
            &["Limits"],
            text(&edit(&base(), |v| {
                v["backup_id"] = format!("\u{1}{}", "b".repeat(64)).into()
            })),
            "too_large",
        ),
        (
            "a 65-byte backup id written before platform windows: the platform first",
            &["REQ-PAYLOAD-008"],
            &[],
            written(
                json!({ "version": 1, "backup_id": long_id, "platform": "windows", "generation": 3, "created": 1700000000, "accounts": [] }),
            ),
            "invalid_parameter",
        ),
        (
            "generation 0 written before a 65-byte backup id: the backup id first",
            &["REQ-PAYLOAD-008"],
            &[],
            written(
                json!({ "version": 1, "generation": 0, "platform": "ios", "backup_id": long_id, "created": 1700000000, "accounts": [] }),
            ),
            "too_large",
        ),
        (
            "an account of type hotp written before generation 0: the document's rules first",
            &["REQ-PAYLOAD-008"],
            &[],
            written(
                json!({ "accounts": [edit(&totp_account("t"), |a| a["type"] = "hotp".into())], "version": 1, "platform": "ios", "backup_id": "b-1", "generation": 0, "created": 1700000000 }),
            ),
            "invalid_parameter",
        ),
        (
            "an issuer of 257 bytes with a colon: the length first",
            &["REQ-ACCOUNT-004"],
            &["Limits"],
            text(&acct(&|a| {
                a["issuer"] = format!("a:{}", "i".repeat(255)).into()
            })),
            "too_large",
        ),
    ];
    invalid_rows(b, rows);
    let one = r#"{"id":"x","type":"work_school","name":"n"}"#;
    b.invalid(
        "100,001 accounts, the first of type hotp: the count first",
        &["REQ-PAYLOAD-008", "REQ-PAYLOAD-006"],
        &["Limits"],
        json!({ "payload": { "$concat": [
            r#"{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":[{"id":"h","type":"hotp","name":"n"},"#,
            { "$repeat": { "text": format!("{one},"), "times": 99_999 } },
            format!("{one}]}}"),
        ] } }),
        "too_large",
    );
    b.allowing(60_000);
}

/// How deep a document nests (REQ-PAYLOAD-009): 64 levels read by the rules whatever is
/// nested; deeper, `malformed` either way, and never a crash. Last in the file, so that
/// earlier `tcId`s stay.
fn nesting(b: &mut Builder) {
    b.group(
        "Nesting: 64 levels read by the rules, deeper never a crash (REQ-PAYLOAD-009; the runner expands $concat and $repeat)",
        None,
    );
    // The document, `accounts` and the account are three levels: 61 arrays make 64.
    let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let placeholder = format!(
        r#"{{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":[{{"id":"w","type":"work_school","name":"n","token":{}}}]}}"#,
        arrays(61)
    );
    let version_2 = format!(
        r#"{{"version":2,"future":{}1{}}}"#,
        r#"{"a":"#.repeat(63),
        "}".repeat(63)
    );
    for text in [&placeholder, &version_2] {
        assert_eq!(crate::nesting::depth(text), 64, "{text}");
    }
    b.invalid(
        "a placeholder's token nested to depth 64 (61 arrays in the account)",
        &["REQ-PAYLOAD-009", "REQ-PAYLOAD-013"],
        &["Nesting", "Placeholder"],
        json!({ "payload": placeholder }),
        "secret_in_placeholder",
    );
    b.invalid(
        "a version 2 document nested to depth 64 (63 objects in a member of its own)",
        &["REQ-PAYLOAD-009", "REQ-PAYLOAD-002"],
        &["Nesting", "Version"],
        json!({ "payload": version_2 }),
        "unsupported_version",
    );
    let totp_prefix = r#"{"version":1,"platform":"ios","backup_id":"b-1","generation":3,"created":1700000000,"accounts":[{"id":"t","type":"totp","name":"alice","secret":"JBSWY3DPEHPK3PXP","algorithm":"SHA1","digits":6,"period":30,"#;
    // The member nested deep comes last; the secret is written before it unless it is the one.
    let deep = |member: &str, open: &str, inner: &str, close: &str, times: usize| {
        let prefix = match member {
            "secret" => totp_prefix.replace(r#""secret":"JBSWY3DPEHPK3PXP","#, ""),
            _ => totp_prefix.to_string(),
        };
        json!({ "payload": { "$concat": [
            format!("{prefix}\"{member}\":"),
            { "$repeat": { "text": open, "times": times } },
            inner,
            { "$repeat": { "text": close, "times": times } },
            "}]}",
        ] } })
    };
    b.invalid(
        "a code-bearing account's token nested a million arrays deep: malformed (a token), or malformed (too deep)",
        &["REQ-PAYLOAD-009", "REQ-PAYLOAD-014"],
        &["Nesting"],
        deep("token", "[", "", "]", 1_000_000),
        "malformed",
    );
    b.allowing(60_000);
    b.invalid(
        "a secret that is 100,000 objects deep: malformed (not a string), or malformed (too deep)",
        &["REQ-PAYLOAD-009", "REQ-PAYLOAD-001"],
        &["Nesting"],
        deep("secret", r#"{"a":"#, "1", "}", 100_000),
        "malformed",
    );
    b.allowing(60_000);
}

/// A payload of one totp account.
fn base() -> Value {
    doc(json!([totp_account("t")]))
}

/// The payload of one totp account, its account edited by `f`.
fn acct(f: &dyn Fn(&mut Value)) -> Value {
    edit(&base(), |v| f(&mut v["accounts"][0]))
}

/// The payload of one work_school placeholder with the members of `extra` added.
fn place(extra: Value) -> Value {
    let mut p = placeholder("w", "work_school");
    for (k, val) in extra.as_object().unwrap() {
        p[k] = val.clone();
    }
    doc(json!([p]))
}

/// Each row of a table, as an invalid case.
fn invalid_rows(b: &mut Builder, rows: Vec<Refused<'_>>) {
    for (comment, reqs, flags, input, error) in rows {
        b.invalid(comment, reqs, flags, input, error);
    }
}
