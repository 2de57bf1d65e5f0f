//! The `uri` section: `otpauth://` Key URIs (spec/uri.md), reading every ambiguous case and
//! writing. Every expected account and URI is written out by hand from the spec. Secrets are
//! the 20-byte RFC seed except in SecretLength cases.

use data_encoding::{BASE32_NOPAD, HEXLOWER};
use serde_json::{json, Value};

use super::otp::shared_policies;
use super::Builder;
use crate::model::VectorFile;

/// The RFC 4226 seed "12345678901234567890" in base32.
const S: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn hex(b32: &str) -> String {
    HEXLOWER.encode(&BASE32_NOPAD.decode(b32.as_bytes()).expect("test secret"))
}

fn totp(issuer: Option<&str>, name: &str) -> Value {
    json!({ "type": "totp", "issuer": issuer, "name": name, "secret": hex(S), "algorithm": "SHA1", "digits": 6, "period": 30 })
}

fn hotp(issuer: Option<&str>, name: &str, counter: u64) -> Value {
    json!({ "type": "hotp", "issuer": issuer, "name": name, "secret": hex(S), "algorithm": "SHA1", "digits": 6, "counter": counter })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

/// A `uri.parse` input: `otpauth://` and `rest` (or `rest` alone when it has its own
/// scheme), with `{S}` standing for the secret.
fn u(rest: &str) -> Value {
    let rest = rest.replace("{S}", S);
    match rest.contains("://") {
        true => json!({ "uri": rest }),
        false => json!({ "uri": format!("otpauth://{rest}") }),
    }
}

/// A case of a table: comment, requirements, flags, the URI after `otpauth://` (`{S}` is the
/// secret), and the issuer and name of the totp account it reads as.
type Row = (
    &'static str,
    Ids,
    Ids,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// Requirement ids or flags.
type Ids = &'static [&'static str];

pub(crate) fn uri() -> VectorFile {
    let mut b = Builder::new("uri", "uri.parse", &[
        "otpauth:// Key URIs (spec/uri.md): reading every ambiguous case, and writing.",
        "Every expected account and URI is written out by hand from the spec.",
        "Level rfc: what the published Key URI format and RFC 3986 fix (labels, issuer, percent-encoding, defaults, required parameters, any faithful emitted URI). Level policy: what this format decides where they are silent (conflicts, + as a space, strictness, limits, error codes and their order, the canonical emitted string).",
    ]);
    notes(&mut b);
    labels(&mut b);
    parameters(&mut b);
    limits(&mut b);
    refused(&mut b);
    precedence(&mut b);
    emission(&mut b);
    emission_refused(&mut b);
    b.finish()
}

fn notes(b: &mut Builder) {
    shared_policies(b);
    b.note("Issuer", "Parsing", "Label prefix and issuer parameter as the Key URI format describes them: either names the issuer, the colon may be percent-encoded, spaces may precede the name.", &["REQ-URI-014", "REQ-URI-015", "REQ-URI-017"]);
    b.policy("IssuerConflict", "Format policy: ambiguity", "What the Key URI format leaves open: a prefix that disagrees with the issuer parameter (exact comparison), an empty prefix or issuer, further colons in the name.", &["REQ-URI-016", "REQ-URI-017"]);
    b.note(
        "Encoding",
        "Parsing",
        "Percent-encoding of the label and values (RFC 3986), UTF-8 text.",
        &["REQ-URI-012", "RFC 3986 section 2.1"],
    );
    b.policy("PlusAsSpace", "Format policy: parsing", "+ stands for a space in parameter values only, as in form encoding; in the label it is itself (REQ-URI-012).", &["REQ-URI-012"]);
    b.policy("StrictEncoding", "Format policy: parsing", "A % not followed by two hex digits, or escapes that are not UTF-8, make the URI malformed (REQ-URI-012); lenient decoders keep them as text.", &["REQ-URI-012"]);
    b.policy("Repeated", "Format policy: ambiguity", "A known parameter given twice lets two readers see two accounts, so it is refused (REQ-URI-011); unknown parameters are ignored however they look.", &["REQ-URI-011"]);
    b.note(
        "Defaults",
        "Parsing",
        "Absent algorithm, digits and period take their defaults.",
        &["REQ-TOTP-004", "REQ-URI-023", "REQ-URI-024", "REQ-URI-025"],
    );
    b.note("Syntax", "Parsing", "The scheme and type (RFC 3986: case-insensitive), the label, parameters the format does not know, the fragment.", &["REQ-URI-003", "REQ-URI-004", "REQ-URI-005", "REQ-URI-007", "REQ-URI-010"]);
    b.note("Required", "Input validation", "What the Key URI format requires and codes depend on: the secret, a secret that is base32, and the counter of an hotp URI (a reader that takes 0 for a missing counter gives codes the issuer never meant).", &["REQ-URI-022", "REQ-URI-026"]);
    b.policy("Label", "Format policy: input validation", "A URI without a label, or with an empty one, names no account and is refused (REQ-URI-005, REQ-URI-018). The Key URI format requires a label, but a reader that accepts one without it gives an unnamed account, not wrong codes.", &["REQ-URI-005", "REQ-URI-018"]);
    b.note(
        "LargeCounter",
        "Integer overflow",
        "An hotp counter up to 2^64 - 1 (RFC 4226's 8-byte counter).",
        &["REQ-URI-026", "REQ-HOTP-005"],
    );
    b.policy("Ignored", "Format policy: parsing", "Parameters that do not apply to the type (period on hotp, counter on totp) are ignored once decoded (REQ-URI-013).", &["REQ-URI-013"]);
    b.policy("Type", "Format policy: account types", "Only totp and hotp are account types of this format, in any letter case; others are refused with unsupported_account_type (REQ-URI-006).", &["REQ-URI-006"]);
    b.policy("NameRules", "Format policy: input validation", "Empty names, control characters, an issuer with a colon, leading or trailing spaces in what is written: refused (REQ-URI-016, -018, -021, -033).", &["REQ-URI-016", "REQ-URI-018", "REQ-URI-021", "REQ-URI-033"]);
    b.policy("Numbers", "Format policy: input validation", "digits, period and counter are plain ASCII decimal in range: no sign, period at least 1, nothing past 2^64 - 1 (REQ-URI-024 to -026).", &["REQ-URI-024", "REQ-URI-025", "REQ-URI-026"]);
    b.policy("Limits", "Format policy: resource use", "A URI of 4096 bytes, an issuer or name of 256 bytes are the largest read and written; one byte more is too_large (REQ-URI-002, REQ-URI-020, REQ-URI-033).", &["REQ-URI-002", "REQ-URI-020", "REQ-URI-033"]);
    b.policy(
        "Precedence",
        "Format policy: error precedence",
        "Several problems: the first check in the spec's order decides the code (REQ-URI-001).",
        &["REQ-URI-001"],
    );
    b.note("Emission", "Writing", "The written URI is a valid RFC 3986 URI that reads back to the same account (type, issuer, name, secret, algorithm, digits, period or counter); the runner parses it (check uri_faithful).", &["REQ-URI-034", "RFC 3986 section 3"]);
    b.policy("ColonInName", "Format policy: names", "The Key URI format allows no colon in an account name; this format writes one after the issuer or an empty prefix, so that it reads back (REQ-URI-031).", &["REQ-URI-031"]);
    b.policy("CanonicalEmission", "Format policy: canonical form", "The exact text of REQ-URI-030 to REQ-URI-032: parameter order, every parameter explicit, %20 for spaces, upper-case hex, unpadded secret.", &["REQ-URI-030", "REQ-URI-031", "REQ-URI-032"]);
}

const LABELS: [Row; 16] = [
    (
        "the common form",
        &["REQ-URI-003", "REQ-URI-005", "REQ-URI-007", "REQ-URI-017"],
        &["Issuer"],
        "totp/Example:alice@google.com?secret={S}&issuer=Example",
        Some("Example"),
        "alice@google.com",
    ),
    (
        "label prefix alone names the issuer",
        &["REQ-URI-014", "REQ-URI-017"],
        &["Issuer"],
        "totp/Example:alice?secret={S}",
        Some("Example"),
        "alice",
    ),
    (
        "issuer parameter alone",
        &["REQ-URI-017"],
        &["Issuer"],
        "totp/alice?secret={S}&issuer=Example",
        Some("Example"),
        "alice",
    ),
    (
        "%3A separates like a colon",
        &["REQ-URI-014"],
        &["Issuer", "Encoding"],
        "totp/Example%3Aalice?secret={S}",
        Some("Example"),
        "alice",
    ),
    (
        "spaces after the colon are removed",
        &["REQ-URI-015"],
        &["Issuer"],
        "totp/Example:%20%20alice?secret={S}",
        Some("Example"),
        "alice",
    ),
    (
        "percent-encoded spaces in issuer and name",
        &["REQ-URI-012", "REQ-URI-017"],
        &["Issuer", "Encoding"],
        "totp/ACME%20Co:alice%20smith?secret={S}&issuer=ACME%20Co",
        Some("ACME Co"),
        "alice smith",
    ),
    (
        "a disagreeing prefix stays in the name",
        &["REQ-URI-017"],
        &["IssuerConflict"],
        "totp/Work:alice?secret={S}&issuer=Example",
        Some("Example"),
        "Work:alice",
    ),
    (
        "prefix comparison is case-sensitive",
        &["REQ-URI-017"],
        &["IssuerConflict"],
        "totp/example:alice?secret={S}&issuer=Example",
        Some("Example"),
        "example:alice",
    ),
    (
        "extra colons belong to the name",
        &["REQ-URI-014", "REQ-URI-017"],
        &["IssuerConflict"],
        "totp/Example:alice:work:2?secret={S}",
        Some("Example"),
        "alice:work:2",
    ),
    (
        "an empty prefix means no issuer",
        &["REQ-URI-017"],
        &["IssuerConflict"],
        "totp/:a:b?secret={S}",
        None,
        "a:b",
    ),
    (
        "an empty prefix with an issuer parameter",
        &["REQ-URI-017"],
        &["IssuerConflict"],
        "totp/:alice?secret={S}&issuer=Example",
        Some("Example"),
        "alice",
    ),
    (
        "an empty issuer parameter is absent",
        &["REQ-URI-016"],
        &["IssuerConflict"],
        "totp/Example:alice?secret={S}&issuer=",
        Some("Example"),
        "alice",
    ),
    (
        "+ is a space in values and itself in the label",
        &["REQ-URI-012"],
        &["PlusAsSpace"],
        "totp/A+B:alice?secret={S}&issuer=A%2BB",
        Some("A+B"),
        "alice",
    ),
    (
        "+ in the issuer value is a space",
        &["REQ-URI-012"],
        &["PlusAsSpace"],
        "totp/alice?secret={S}&issuer=Big+Bank",
        Some("Big Bank"),
        "alice",
    ),
    (
        "percent-encoded UTF-8 name",
        &["REQ-URI-012"],
        &["Encoding"],
        "totp/%C3%A9cole%20%E6%BC%A2?secret={S}",
        None,
        "école 漢",
    ),
    (
        "a label may contain /",
        &["REQ-URI-007"],
        &["IssuerConflict"],
        "totp/a/b?secret={S}",
        None,
        "a/b",
    ),
];

fn labels(b: &mut Builder) {
    b.group("Reading: labels and issuers", None);
    for (comment, reqs, flags, rest, issuer, name) in LABELS {
        b.valid(comment, reqs, flags, u(rest), totp(issuer, name));
    }
}

fn parameters(b: &mut Builder) {
    b.group("Reading: parameters", None);
    let defaults = totp(None, "alice");
    let rows: Vec<(&str, Ids, Ids, &str, Value)> = vec![
        ("defaults for algorithm, digits and period", &["REQ-TOTP-004", "REQ-URI-023", "REQ-URI-024", "REQ-URI-025"], &["Defaults"], "totp/alice?secret={S}", defaults.clone()),
        ("a fragment is ignored", &["REQ-URI-004"], &["Syntax", "MayRefuse"], "totp/alice?secret={S}&digits=8#digits=6", with(defaults.clone(), "digits", json!(8))),
        ("unknown parameters are ignored", &["REQ-URI-010", "REQ-URI-011"], &["Syntax"], "totp/alice?secret={S}&image=https%3A%2F%2Fexample.com%2Fa.png&color=1", defaults.clone()),
        ("unknown parameters are ignored, even repeated, badly encoded, empty or differing in case", &["REQ-URI-010", "REQ-URI-011"], &["Repeated"], "totp/alice?image=%zz&secret={S}&color=1&color=2&&Secret=AAAA&flag", defaults.clone()),
        ("secret typed with spaces, encoded two ways", &["REQ-URI-012", "REQ-URI-022"], &["PlusAsSpace"], "totp/alice?secret=GEZD+GNBV%20GY3TQOJQGEZDGNBVGY3TQOJQ", defaults.clone()),
        ("all parameters explicit", &["REQ-URI-023", "REQ-URI-024", "REQ-URI-025"], &[], "totp/alice?secret={S}&algorithm=SHA512&digits=7&period=1", json!({ "type": "totp", "issuer": null, "name": "alice", "secret": hex(S), "algorithm": "SHA512", "digits": 7, "period": 1 })),
        ("a lower-case algorithm name", &["REQ-URI-023"], &["AlgorithmName"], "totp/alice?secret={S}&algorithm=sha256", with(defaults.clone(), "algorithm", json!("SHA256"))),
        ("hotp with its counter", &["REQ-URI-026"], &[], "hotp/alice?secret={S}&counter=42", hotp(None, "alice", 42)),
        ("hotp ignores period", &["REQ-URI-013", "REQ-URI-026"], &["Ignored"], "hotp/alice?secret={S}&counter=42&period=oops", hotp(None, "alice", 42)),
        ("hotp counter 2^64 - 1", &["REQ-URI-026"], &["LargeCounter"], "hotp/alice?secret={S}&counter=18446744073709551615", hotp(None, "alice", u64::MAX)),
        ("period 2^64 - 1", &["REQ-URI-025"], &["Numbers"], "totp/alice?secret={S}&period=18446744073709551615", with(defaults.clone(), "period", json!(u64::MAX))),
        ("totp ignores counter", &["REQ-URI-013"], &["Ignored"], "totp/alice?secret={S}&counter=x", defaults.clone()),
        ("the scheme in upper case (RFC 3986: schemes are case-insensitive)", &["REQ-URI-003"], &["Syntax"], "OTPAUTH://totp/alice?secret={S}", defaults.clone()),
        ("the type in upper case", &["REQ-URI-006"], &["Type"], "otpauth://TOTP/alice?secret={S}", defaults.clone()),
        ("a 10-byte secret", &["REQ-URI-022", "REQ-SECRET-001"], &["SecretLength"], "totp/alice?secret=JBSWY3DPEHPK3PXP", with(defaults, "secret", json!(hex("JBSWY3DPEHPK3PXP")))),
    ];
    for (comment, reqs, flags, rest, account) in rows {
        b.valid(comment, reqs, flags, u(rest), account);
    }
}

/// Every limit exactly at it and one past.
fn limits(b: &mut Builder) {
    b.group("Reading: limits, at them and one past", None);
    let head = format!("otpauth://totp/alice?secret={S}&pad=");
    for (len, ok) in [(4096usize, true), (4097, false)] {
        let uri = format!("{head}{}", "x".repeat(len - head.len()));
        assert_eq!(uri.len(), len);
        push(
            b,
            &format!("a URI of {len} bytes"),
            &["REQ-URI-002"],
            json!({ "uri": uri }),
            ok.then(|| totp(None, "alice")),
            "too_large",
        );
    }
    for (len, ok) in [(256usize, true), (257, false)] {
        let name = format!("{}é", "a".repeat(len - 2));
        push(
            b,
            &format!("a name of {len} bytes (UTF-8, {} characters)", len - 1),
            &["REQ-URI-020"],
            u(&format!(
                "totp/{}?secret={{S}}",
                name.replace('é', "%C3%A9")
            )),
            ok.then(|| totp(None, &name)),
            "too_large",
        );
        let issuer = "i".repeat(len);
        push(
            b,
            &format!("an issuer of {len} bytes"),
            &["REQ-URI-020"],
            u(&format!("totp/alice?secret={{S}}&issuer={issuer}")),
            ok.then(|| totp(Some(&issuer), "alice")),
            "too_large",
        );
    }
}

/// A Limits case: valid with `account`, or refused with `error`.
fn push(
    b: &mut Builder,
    comment: &str,
    reqs: &[&str],
    input: Value,
    account: Option<Value>,
    error: &str,
) {
    match account {
        Some(a) => b.valid(comment, reqs, &["Limits"], input, a),
        None => b.invalid(comment, reqs, &["Limits"], input, error),
    }
}

const REFUSED: [(&str, Ids, Ids, &str, &str); 31] = [
    (
        "another scheme",
        &["REQ-URI-003"],
        &["Syntax"],
        "https://totp/alice?secret={S}",
        "malformed",
    ),
    (
        "no // after the scheme",
        &["REQ-URI-003"],
        &["Syntax"],
        "otpauth:totp/alice?secret={S}",
        "malformed",
    ),
    (
        "no label",
        &["REQ-URI-005"],
        &["Label"],
        "otpauth://totp?secret={S}",
        "malformed",
    ),
    (
        "unknown type",
        &["REQ-URI-006"],
        &["Type"],
        "otpauth://steam/alice?secret={S}",
        "unsupported_account_type",
    ),
    (
        "repeated secret",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&secret=JBSWY3DPEHPK3PXP",
        "malformed",
    ),
    (
        "repeated digits",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&digits=6&digits=8",
        "malformed",
    ),
    (
        "repeated counter on totp",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&counter=1&counter=2",
        "malformed",
    ),
    (
        "repeated issuer",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&issuer=A&issuer=B",
        "malformed",
    ),
    (
        "repeated algorithm",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&algorithm=SHA1&algorithm=SHA256",
        "malformed",
    ),
    (
        "repeated period",
        &["REQ-URI-011"],
        &["Repeated"],
        "otpauth://totp/alice?secret={S}&period=30&period=60",
        "malformed",
    ),
    (
        "an escape cut short at the end",
        &["REQ-URI-012"],
        &["StrictEncoding"],
        "otpauth://totp/alice?secret={S}&issuer=A%4",
        "malformed",
    ),
    (
        "an escape whose first digit is not hexadecimal",
        &["REQ-URI-012"],
        &["StrictEncoding"],
        "otpauth://totp/alice?secret={S}&issuer=A%G1",
        "malformed",
    ),
    (
        "invalid escape in a known value",
        &["REQ-URI-012"],
        &["StrictEncoding"],
        "otpauth://totp/alice?secret={S}&issuer=%zz",
        "malformed",
    ),
    (
        "invalid escape in the label",
        &["REQ-URI-012", "REQ-URI-014"],
        &["StrictEncoding"],
        "otpauth://totp/ali%zzce?secret={S}",
        "malformed",
    ),
    (
        "escape that is not UTF-8",
        &["REQ-URI-012"],
        &["StrictEncoding"],
        "otpauth://totp/ali%FFce?secret={S}",
        "malformed",
    ),
    (
        "issuer value with a colon",
        &["REQ-URI-016"],
        &["NameRules"],
        "otpauth://totp/alice?secret={S}&issuer=A:B",
        "invalid_parameter",
    ),
    (
        "empty label",
        &["REQ-URI-018"],
        &["Label"],
        "otpauth://totp/?secret={S}",
        "malformed",
    ),
    (
        "nothing after the colon",
        &["REQ-URI-018"],
        &["NameRules"],
        "otpauth://totp/Example:?secret={S}",
        "malformed",
    ),
    (
        "control character in the name",
        &["REQ-URI-021"],
        &["NameRules"],
        "otpauth://totp/ali%00ce?secret={S}",
        "invalid_parameter",
    ),
    (
        "C1 control character in the issuer",
        &["REQ-URI-021"],
        &["NameRules"],
        "otpauth://totp/alice?secret={S}&issuer=A%C2%85B",
        "invalid_parameter",
    ),
    (
        "no secret",
        &["REQ-URI-022"],
        &["Required"],
        "otpauth://totp/alice?issuer=A",
        "invalid_secret",
    ),
    (
        "a secret that is not base32",
        &["REQ-URI-022", "REQ-SECRET-010"],
        &["Required"],
        "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1",
        "invalid_secret",
    ),
    (
        "a 9-byte secret",
        &["REQ-URI-022", "REQ-SECRET-001"],
        &["SecretLength"],
        "otpauth://totp/alice?secret=GEZDGNBVGY3TQOI",
        "invalid_secret",
    ),
    (
        "algorithm MD5",
        &["REQ-URI-023"],
        &["AlgorithmName"],
        "otpauth://totp/alice?secret={S}&algorithm=MD5",
        "invalid_parameter",
    ),
    (
        "digits 9",
        &["REQ-URI-024"],
        &["DigitsRange"],
        "otpauth://totp/alice?secret={S}&digits=9",
        "invalid_parameter",
    ),
    (
        "digits +6",
        &["REQ-URI-024"],
        &["Numbers"],
        "otpauth://totp/alice?secret={S}&digits=%2B6",
        "invalid_parameter",
    ),
    (
        "period 0",
        &["REQ-URI-025"],
        &["Numbers"],
        "otpauth://totp/alice?secret={S}&period=0",
        "invalid_parameter",
    ),
    (
        "period -30",
        &["REQ-URI-025"],
        &["Numbers"],
        "otpauth://totp/alice?secret={S}&period=-30",
        "invalid_parameter",
    ),
    (
        "period 2^64",
        &["REQ-URI-025"],
        &["Numbers"],
        "otpauth://totp/alice?secret={S}&period=18446744073709551616",
        "invalid_parameter",
    ),
    (
        "hotp without counter",
        &["REQ-URI-026"],
        &["Required"],
        "otpauth://hotp/alice?secret={S}",
        "invalid_parameter",
    ),
    (
        "hotp counter 2^64",
        &["REQ-URI-026"],
        &["Numbers"],
        "otpauth://hotp/alice?secret={S}&counter=18446744073709551616",
        "invalid_parameter",
    ),
];

fn refused(b: &mut Builder) {
    b.group("Reading: refused", None);
    for (comment, reqs, flags, uri, error) in REFUSED {
        b.invalid(
            comment,
            reqs,
            flags,
            json!({ "uri": uri.replace("{S}", S) }),
            error,
        );
    }
}

fn precedence(b: &mut Builder) {
    b.group("Reading: several problems, the first check decides", None);
    let rows: [(&str, &[&str], &str, &str); 5] = [
        (
            "type before parameters",
            &["REQ-URI-001", "REQ-URI-006"],
            "steam/a?secret=A&secret=B",
            "unsupported_account_type",
        ),
        (
            "label decoding before the issuer's colon",
            &["REQ-URI-001", "REQ-URI-014"],
            "totp/%zz?secret=A&issuer=a:b",
            "malformed",
        ),
        (
            "names before the secret",
            &["REQ-URI-001", "REQ-URI-021"],
            "totp/a%01?secret=1",
            "invalid_parameter",
        ),
        (
            "secret before algorithm, digits and period",
            &["REQ-URI-001", "REQ-URI-022"],
            "totp/a?secret=1&algorithm=MD5&digits=9&period=0",
            "invalid_secret",
        ),
        (
            "lengths before control characters",
            &["REQ-URI-001", "REQ-URI-020"],
            "",
            "too_large",
        ),
    ];
    for (comment, reqs, rest, error) in rows {
        let rest = if rest.is_empty() {
            format!("totp/{}?secret={{S}}&issuer=A%01", "a".repeat(257))
        } else {
            rest.to_string()
        };
        b.invalid(comment, reqs, &["Precedence"], u(&rest), error);
    }
}

/// An account to write: comment, requirements, whether the published Key URI format can
/// carry it (no colon in the name), the account, and its canonical URI after `otpauth://`.
type Written = (&'static str, Ids, bool, Value, String);

/// Accounts to write, with the canonical URI of each.
fn written() -> Vec<Written> {
    let long = "a".repeat(256);
    vec![
        ("issuer and name with reserved characters", &["REQ-URI-031", "REQ-URI-032", "REQ-SECRET-006"], true, totp(Some("Big Bank"), "alice+work@example.com"), format!("totp/Big%20Bank:alice%2Bwork%40example.com?secret={S}&issuer=Big%20Bank&algorithm=SHA1&digits=6&period=30")),
        ("spaces in issuer and name", &["REQ-URI-031", "REQ-URI-032"], true, totp(Some("ACME Co"), "alice smith"), format!("totp/ACME%20Co:alice%20smith?secret={S}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")),
        ("a colon and a space in the name, a space in the issuer", &["REQ-URI-031", "REQ-URI-032"], false, totp(Some("ACME Co"), "alice smith:work"), format!("totp/ACME%20Co:alice%20smith%3Awork?secret={S}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")),
        ("no issuer, a colon in the name: an empty prefix", &["REQ-URI-031", "REQ-URI-034"], false, totp(None, "a:b"), format!("totp/:a%3Ab?secret={S}&algorithm=SHA1&digits=6&period=30")),
        ("hotp with its counter", &["REQ-URI-030", "REQ-URI-034"], true, json!({ "type": "hotp", "issuer": "Z", "name": "alice", "secret": hex(S), "algorithm": "SHA512", "digits": 8, "counter": 7 }), format!("hotp/Z:alice?secret={S}&issuer=Z&algorithm=SHA512&digits=8&counter=7")),
        ("hotp with counter 2^64 - 1", &["REQ-URI-030", "REQ-URI-034"], true, hotp(None, "bob", u64::MAX), format!("hotp/bob?secret={S}&algorithm=SHA1&digits=6&counter=18446744073709551615")),
        ("UTF-8 and unreserved characters", &["REQ-URI-032"], true, totp(None, "é-_.~"), format!("totp/%C3%A9-_.~?secret={S}&algorithm=SHA1&digits=6&period=30")),
        ("7 digits and a 60-second period", &["REQ-URI-030"], true, with(with(totp(Some("Example"), "alice"), "digits", json!(7)), "period", json!(60)), format!("totp/Example:alice?secret={S}&issuer=Example&algorithm=SHA1&digits=7&period=60")),
        ("a name of 256 bytes", &["REQ-URI-033"], true, totp(None, &long), format!("totp/{long}?secret={S}&algorithm=SHA1&digits=6&period=30")),
        ("an issuer of 256 bytes", &["REQ-URI-033"], true, totp(Some(&long), "alice"), format!("totp/{long}:alice?secret={S}&issuer={long}&algorithm=SHA1&digits=6&period=30")),
    ]
}

/// Every account written as any faithful RFC 3986 URI (level rfc for the accounts the Key URI
/// format can carry); then every account written as the canonical text.
fn emission(b: &mut Builder) {
    b.group(
        "Writing: any faithful URI (parsed by the runner as RFC 3986 and read back)",
        Some("uri.emit"),
    );
    for (comment, reqs, carried, account, canonical) in written() {
        let flags: &[&str] = if carried {
            &["Emission"]
        } else {
            &["Emission", "ColonInName"]
        };
        b.valid(
            comment,
            &[reqs, &["REQ-URI-034"]].concat(),
            flags,
            json!({ "account": account }),
            json!({ "uri": format!("otpauth://{canonical}") }),
        );
        b.checked_by("uri_faithful");
    }
    b.group(
        "Writing: the canonical URI, compared as text",
        Some("uri.emit"),
    );
    for (comment, reqs, _, account, canonical) in written() {
        b.valid(
            comment,
            &[reqs, &["REQ-URI-030"]].concat(),
            &["CanonicalEmission"],
            json!({ "account": account }),
            json!({ "uri": format!("otpauth://{canonical}") }),
        );
    }
}

fn emission_refused(b: &mut Builder) {
    b.group(
        "Writing: accounts that cannot be written faithfully",
        Some("uri.emit"),
    );
    let rows: [(&str, Value, &str, &str); 6] = [
        (
            "an issuer with a colon",
            totp(Some("A:B"), "alice"),
            "NameRules",
            "invalid_parameter",
        ),
        (
            "a name with a leading space",
            totp(None, " alice"),
            "NameRules",
            "invalid_parameter",
        ),
        (
            "an empty name",
            totp(None, ""),
            "NameRules",
            "invalid_parameter",
        ),
        (
            "a control character in the name",
            totp(None, "ali\u{7}ce"),
            "NameRules",
            "invalid_parameter",
        ),
        (
            "a name of 257 bytes",
            totp(None, &"a".repeat(257)),
            "Limits",
            "too_large",
        ),
        (
            "an issuer of 257 bytes",
            totp(Some(&"i".repeat(257)), "alice"),
            "Limits",
            "too_large",
        ),
    ];
    for (comment, account, flag, error) in rows {
        b.invalid(
            &format!("{comment} cannot be written"),
            &["REQ-URI-033"],
            &[flag],
            json!({ "account": account }),
            error,
        );
    }
}
