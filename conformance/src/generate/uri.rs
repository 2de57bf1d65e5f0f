//! Key URI vectors: every decision of `spec/uri.md`, each expected account written out.

use data_encoding::{BASE32_NOPAD, HEXLOWER};
use serde_json::{json, Value};

use super::{Accepted, Builder, Refused};
use crate::model::VectorFile;

const S: &str = "JBSWY3DPEHPK3PXP";

fn hex(b32: &str) -> String {
    HEXLOWER.encode(&BASE32_NOPAD.decode(b32.as_bytes()).expect("test secret"))
}

fn totp(issuer: Option<&str>, name: &str) -> Value {
    json!({ "type": "totp", "issuer": issuer, "name": name, "secret": hex(S), "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

pub(crate) fn uri() -> VectorFile {
    let mut b = Builder::new(
        "uri",
        "uri.parse",
        &[
            "otpauth:// Key URIs (spec/uri.md): reading every ambiguous case, and writing.",
            "Every expected account and URI is written out by hand from the spec.",
        ],
    );
    b.note(
        "Issuer",
        "Ambiguity",
        "Label prefix and issuer parameter: which one names the issuer, and where the rest goes.",
        &["REQ-URI-014", "REQ-URI-017"],
    );
    b.note(
        "Encoding",
        "Parsing",
        "Percent-encoding, + as a space in values only, invalid escapes and UTF-8.",
        &["REQ-URI-012"],
    );
    b.note(
        "Repeated",
        "Ambiguity",
        "A known parameter given twice lets two readers see two accounts.",
        &["REQ-URI-011"],
    );
    b.note(
        "Defaults",
        "Parsing",
        "Absent algorithm, digits and period take their defaults.",
        &["REQ-TOTP-004"],
    );
    b.note(
        "Precedence",
        "Error precedence",
        "Several problems: the first check in the spec's order decides the code.",
        &["REQ-URI-001"],
    );
    b.note(
        "Limits",
        "Resource use",
        "Size limits of the URI and of names.",
        &["REQ-URI-002", "REQ-URI-020"],
    );

    let u = |rest: &str| json!({ "uri": format!("otpauth://{rest}") });
    b.group("Reading: labels and issuers", None);
    let cases: Vec<Accepted<'_>> = vec![
        (
            "the common form",
            &["REQ-URI-003", "REQ-URI-005", "REQ-URI-007", "REQ-URI-017"],
            &["Issuer"],
            u(&format!(
                "totp/Example:alice@google.com?secret={S}&issuer=Example"
            )),
            totp(Some("Example"), "alice@google.com"),
        ),
        (
            "defaults for algorithm, digits and period",
            &["REQ-TOTP-004", "REQ-URI-023", "REQ-URI-024", "REQ-URI-025"],
            &["Defaults"],
            u(&format!("totp/alice?secret={S}")),
            totp(None, "alice"),
        ),
        (
            "label prefix alone names the issuer",
            &["REQ-URI-014", "REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/Example:alice?secret={S}")),
            totp(Some("Example"), "alice"),
        ),
        (
            "issuer parameter alone",
            &["REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/alice?secret={S}&issuer=Example")),
            totp(Some("Example"), "alice"),
        ),
        (
            "%3A separates like a colon",
            &["REQ-URI-014"],
            &["Issuer", "Encoding"],
            u(&format!("totp/Example%3Aalice?secret={S}")),
            totp(Some("Example"), "alice"),
        ),
        (
            "spaces after the colon are removed",
            &["REQ-URI-015"],
            &["Issuer"],
            u(&format!("totp/Example:%20%20alice?secret={S}")),
            totp(Some("Example"), "alice"),
        ),
        (
            "a disagreeing prefix stays in the name",
            &["REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/Work:alice?secret={S}&issuer=Example")),
            totp(Some("Example"), "Work:alice"),
        ),
        (
            "prefix comparison is case-sensitive",
            &["REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/example:alice?secret={S}&issuer=Example")),
            totp(Some("Example"), "example:alice"),
        ),
        (
            "extra colons belong to the name",
            &["REQ-URI-014", "REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/Example:alice:work:2?secret={S}")),
            totp(Some("Example"), "alice:work:2"),
        ),
        (
            "an empty prefix means no issuer",
            &["REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/:a:b?secret={S}")),
            totp(None, "a:b"),
        ),
        (
            "an empty prefix with an issuer parameter",
            &["REQ-URI-017"],
            &["Issuer"],
            u(&format!("totp/:alice?secret={S}&issuer=Example")),
            totp(Some("Example"), "alice"),
        ),
        (
            "an empty issuer parameter is absent",
            &["REQ-URI-016"],
            &["Issuer"],
            u(&format!("totp/Example:alice?secret={S}&issuer=")),
            totp(Some("Example"), "alice"),
        ),
        (
            "+ is a space in values and itself in the label",
            &["REQ-URI-012"],
            &["Encoding"],
            u(&format!("totp/A+B:alice?secret={S}&issuer=A%2BB")),
            totp(Some("A+B"), "alice"),
        ),
        (
            "+ in the issuer value is a space",
            &["REQ-URI-012"],
            &["Encoding"],
            u(&format!("totp/alice?secret={S}&issuer=Big+Bank")),
            totp(Some("Big Bank"), "alice"),
        ),
        (
            "percent-encoded UTF-8 name",
            &["REQ-URI-012"],
            &["Encoding"],
            u(&format!("totp/%C3%A9cole%20%E6%BC%A2?secret={S}")),
            totp(None, "école 漢"),
        ),
        (
            "a label may contain /",
            &["REQ-URI-007"],
            &[],
            u(&format!("totp/a/b?secret={S}")),
            totp(None, "a/b"),
        ),
        (
            "a fragment is ignored",
            &["REQ-URI-004"],
            &[],
            u(&format!("totp/alice?secret={S}&digits=8#digits=6")),
            with(totp(None, "alice"), "digits", json!(8)),
        ),
        (
            "scheme and type in any case",
            &["REQ-URI-003", "REQ-URI-006"],
            &[],
            json!({ "uri": format!("OTPAUTH://TOTP/alice?secret={S}") }),
            totp(None, "alice"),
        ),
        (
            "unknown parameters are ignored, even repeated or badly encoded",
            &["REQ-URI-010", "REQ-URI-011"],
            &["Repeated"],
            u(&format!(
                "totp/alice?image=%zz&secret={S}&color=1&color=2&&Secret=AAAA&flag"
            )),
            totp(None, "alice"),
        ),
        (
            "secret typed with spaces, encoded two ways",
            &["REQ-URI-012", "REQ-URI-022"],
            &["Encoding"],
            u("totp/alice?secret=jbsw+y3dp%20ehpk+3pxp"),
            totp(None, "alice"),
        ),
        (
            "all parameters explicit",
            &["REQ-URI-023", "REQ-URI-024", "REQ-URI-025"],
            &[],
            u(&format!(
                "totp/alice?secret={S}&algorithm=sha512&digits=7&period=1"
            )),
            json!({ "type": "totp", "issuer": null, "name": "alice", "secret": hex(S), "algorithm": "SHA512", "digits": 7, "period": 1 }),
        ),
        (
            "hotp with its counter; period ignored",
            &["REQ-URI-013", "REQ-URI-026"],
            &[],
            u(&format!("hotp/alice?secret={S}&counter=42&period=oops")),
            json!({ "type": "hotp", "issuer": null, "name": "alice", "secret": hex(S), "algorithm": "SHA1", "digits": 6, "counter": 42 }),
        ),
        (
            "hotp counter 2^64 - 1",
            &["REQ-URI-026"],
            &[],
            u(&format!(
                "hotp/alice?secret={S}&counter=18446744073709551615"
            )),
            json!({ "type": "hotp", "issuer": null, "name": "alice", "secret": hex(S), "algorithm": "SHA1", "digits": 6, "counter": u64::MAX }),
        ),
        (
            "totp ignores counter",
            &["REQ-URI-013"],
            &[],
            u(&format!("totp/alice?secret={S}&counter=x")),
            totp(None, "alice"),
        ),
        (
            "a 256-byte name",
            &["REQ-URI-020"],
            &["Limits"],
            u(&format!("totp/{}?secret={S}", "a".repeat(256))),
            totp(None, &"a".repeat(256)),
        ),
    ];
    for (comment, reqs, flags, input, output) in cases {
        b.valid(comment, reqs, flags, input, output);
    }

    b.group("Reading: refused", None);
    let refused: Vec<Refused<'_>> = vec![
        (
            "longer than 4096 bytes",
            &["REQ-URI-002"],
            &["Limits"],
            u(&format!("totp/alice?secret={S}&pad={}", "x".repeat(4096))),
            "too_large",
        ),
        (
            "another scheme",
            &["REQ-URI-003"],
            &[],
            json!({ "uri": format!("https://totp/alice?secret={S}") }),
            "malformed",
        ),
        (
            "no // after the scheme",
            &["REQ-URI-003"],
            &[],
            json!({ "uri": format!("otpauth:totp/alice?secret={S}") }),
            "malformed",
        ),
        (
            "no label",
            &["REQ-URI-005"],
            &[],
            u(&format!("totp?secret={S}")),
            "malformed",
        ),
        (
            "unknown type",
            &["REQ-URI-006"],
            &[],
            u(&format!("steam/alice?secret={S}")),
            "unsupported_account_type",
        ),
        (
            "repeated secret",
            &["REQ-URI-011"],
            &["Repeated"],
            u(&format!("totp/alice?secret={S}&secret=GEZDGNBVGY3TQOJQ")),
            "malformed",
        ),
        (
            "repeated digits",
            &["REQ-URI-011"],
            &["Repeated"],
            u(&format!("totp/alice?secret={S}&digits=6&digits=8")),
            "malformed",
        ),
        (
            "repeated counter on totp",
            &["REQ-URI-011"],
            &["Repeated"],
            u(&format!("totp/alice?secret={S}&counter=1&counter=2")),
            "malformed",
        ),
        (
            "invalid escape in a known value",
            &["REQ-URI-012"],
            &["Encoding"],
            u(&format!("totp/alice?secret={S}&issuer=%zz")),
            "malformed",
        ),
        (
            "invalid escape in the label",
            &["REQ-URI-012", "REQ-URI-014"],
            &["Encoding"],
            u(&format!("totp/ali%zzce?secret={S}")),
            "malformed",
        ),
        (
            "escape that is not UTF-8",
            &["REQ-URI-012"],
            &["Encoding"],
            u(&format!("totp/ali%FFce?secret={S}")),
            "malformed",
        ),
        (
            "issuer value with a colon",
            &["REQ-URI-016"],
            &["Issuer"],
            u(&format!("totp/alice?secret={S}&issuer=A:B")),
            "invalid_parameter",
        ),
        (
            "empty label",
            &["REQ-URI-018"],
            &[],
            u(&format!("totp/?secret={S}")),
            "malformed",
        ),
        (
            "nothing after the colon",
            &["REQ-URI-018"],
            &[],
            u(&format!("totp/Example:?secret={S}")),
            "malformed",
        ),
        (
            "a 257-byte name",
            &["REQ-URI-020"],
            &["Limits"],
            u(&format!("totp/{}?secret={S}", "a".repeat(257))),
            "too_large",
        ),
        (
            "control character in the name",
            &["REQ-URI-021"],
            &[],
            u(&format!("totp/ali%00ce?secret={S}")),
            "invalid_parameter",
        ),
        (
            "C1 control character in the issuer",
            &["REQ-URI-021"],
            &[],
            u(&format!("totp/alice?secret={S}&issuer=A%C2%85B")),
            "invalid_parameter",
        ),
        (
            "no secret",
            &["REQ-URI-022"],
            &[],
            u("totp/alice?issuer=A"),
            "invalid_secret",
        ),
        (
            "bad secret",
            &["REQ-URI-022", "REQ-SECRET-010"],
            &[],
            u("totp/alice?secret=JBSWY3DPEHPK3PX1"),
            "invalid_secret",
        ),
        (
            "algorithm MD5",
            &["REQ-URI-023"],
            &[],
            u(&format!("totp/alice?secret={S}&algorithm=MD5")),
            "invalid_parameter",
        ),
        (
            "digits 9",
            &["REQ-URI-024"],
            &[],
            u(&format!("totp/alice?secret={S}&digits=9")),
            "invalid_parameter",
        ),
        (
            "digits +6",
            &["REQ-URI-024"],
            &[],
            u(&format!("totp/alice?secret={S}&digits=%2B6")),
            "invalid_parameter",
        ),
        (
            "period 0",
            &["REQ-URI-025"],
            &[],
            u(&format!("totp/alice?secret={S}&period=0")),
            "invalid_parameter",
        ),
        (
            "period -30",
            &["REQ-URI-025"],
            &[],
            u(&format!("totp/alice?secret={S}&period=-30")),
            "invalid_parameter",
        ),
        (
            "hotp without counter",
            &["REQ-URI-026"],
            &[],
            u(&format!("hotp/alice?secret={S}")),
            "invalid_parameter",
        ),
        (
            "hotp counter 2^64",
            &["REQ-URI-026"],
            &[],
            u(&format!(
                "hotp/alice?secret={S}&counter=18446744073709551616"
            )),
            "invalid_parameter",
        ),
        (
            "type before parameters",
            &["REQ-URI-001", "REQ-URI-006"],
            &["Precedence"],
            u("steam/a?secret=A&secret=B"),
            "unsupported_account_type",
        ),
        (
            "label decoding before the issuer's colon",
            &["REQ-URI-001", "REQ-URI-014"],
            &["Precedence"],
            u("totp/%zz?secret=A&issuer=a:b"),
            "malformed",
        ),
        (
            "names before the secret",
            &["REQ-URI-001", "REQ-URI-021"],
            &["Precedence"],
            u("totp/a%01?secret=1"),
            "invalid_parameter",
        ),
        (
            "secret before algorithm, digits and period",
            &["REQ-URI-001", "REQ-URI-022"],
            &["Precedence"],
            u("totp/a?secret=1&algorithm=MD5&digits=9&period=0"),
            "invalid_secret",
        ),
        (
            "lengths before control characters",
            &["REQ-URI-001", "REQ-URI-020"],
            &["Precedence", "Limits"],
            u(&format!("totp/{}?secret={S}&issuer=A%01", "a".repeat(257))),
            "too_large",
        ),
    ];
    for (comment, reqs, flags, input, error) in refused {
        b.invalid(comment, reqs, flags, input, error);
    }

    b.group("Writing: the canonical URI", Some("uri.emit"));
    let acct = |v: Value| json!({ "account": v });
    b.valid("issuer and name with reserved characters", &["REQ-URI-030", "REQ-URI-031", "REQ-URI-032", "REQ-SECRET-006"], &[],
        acct(totp(Some("Big Bank"), "alice+work@example.com")),
        json!({ "uri": format!("otpauth://totp/Big%20Bank:alice%2Bwork%40example.com?secret={S}&issuer=Big%20Bank&algorithm=SHA1&digits=6&period=30") }));
    b.valid("no issuer, a colon in the name: an empty prefix", &["REQ-URI-031", "REQ-URI-034"], &[], acct(totp(None, "a:b")),
        json!({ "uri": format!("otpauth://totp/:a%3Ab?secret={S}&algorithm=SHA1&digits=6&period=30") }));
    b.valid("hotp", &["REQ-URI-030", "REQ-URI-034"], &[],
        acct(json!({ "type": "hotp", "issuer": "Z", "name": "a:b", "secret": hex(S), "algorithm": "SHA512", "digits": 8, "counter": 7 })),
        json!({ "uri": format!("otpauth://hotp/Z:a%3Ab?secret={S}&issuer=Z&algorithm=SHA512&digits=8&counter=7") }));
    b.valid("UTF-8 and unreserved characters", &["REQ-URI-032"], &[], acct(totp(None, "é-_.~")),
        json!({ "uri": format!("otpauth://totp/%C3%A9-_.~?secret={S}&algorithm=SHA1&digits=6&period=30") }));
    b.invalid(
        "an issuer with a colon cannot be written",
        &["REQ-URI-033"],
        &[],
        acct(totp(Some("A:B"), "alice")),
        "invalid_parameter",
    );
    b.invalid(
        "a name with a leading space cannot be written",
        &["REQ-URI-033"],
        &[],
        acct(totp(None, " alice")),
        "invalid_parameter",
    );
    b.invalid(
        "a 257-byte name cannot be written",
        &["REQ-URI-033"],
        &["Limits"],
        acct(totp(None, &"a".repeat(257))),
        "too_large",
    );
    b.finish()
}
