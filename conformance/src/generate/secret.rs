//! The `secret` section: base32 secrets as people type them (spec/otp.md section 1). Every
//! valid case encodes known random bytes (a fixed seed) and expects exactly those bytes back.

use data_encoding::{BASE32, HEXLOWER};
use serde_json::json;

use super::otp::shared_policies;
use super::{Builder, Rng};
use crate::model::VectorFile;

pub(crate) fn secret() -> VectorFile {
    let mut b = Builder::new("secret", "secret.decode", &[
        "Base32 secrets as people type them (spec/otp.md section 1).",
        "Every valid case encodes known random bytes (a fixed seed) and expects exactly those bytes back.",
        "Level rfc: RFC 4648 base32, padded or (as the Key URI format writes it) unpadded. Level policy: what this format adds (letter case, spaces, strict padding, unused bits, 10 to 128 bytes).",
    ]);
    notes(&mut b);
    let mut rng = Rng::new(0xABF0_0002);
    lengths(&mut b, &mut rng);
    typed(&mut b, &mut rng);
    refused(&mut b, &mut rng);
    padding_at_the_end(&mut b, &mut rng);
    b.finish()
}

fn notes(b: &mut Builder) {
    shared_policies(b);
    b.note(
        "Padded",
        "Known answer",
        "RFC 4648 base32 with its = padding.",
        &["REQ-SECRET-004", "RFC 4648 section 6"],
    );
    b.note(
        "Unpadded",
        "Known answer",
        "Base32 without padding, as the Key URI format writes secrets.",
        &["REQ-SECRET-004"],
    );
    b.policy("Typed", "Format policy: usability", "Lower case and spaces are how people copy secrets; this format accepts them (REQ-SECRET-002), RFC 4648 alone would not.", &["REQ-SECRET-002"]);
    b.note("Alphabet", "Input validation", "Characters outside A-Z, 2-7 (and =) must be refused, not skipped or mapped (RFC 4648 section 3.3).", &["REQ-SECRET-002", "RFC 4648 section 3.3"]);
    b.policy("Padding", "Format policy: input validation", "Padding, when present, must be complete and at the end (REQ-SECRET-004); lenient decoders accept partial padding.", &["REQ-SECRET-004"]);
    b.policy("TrailingBits", "Format policy: input validation", "Non-zero unused bits mean a truncated or mistyped secret and are refused (REQ-SECRET-005); RFC 4648 section 3.5 lets decoders choose.", &["REQ-SECRET-005", "RFC 4648 section 3.5"]);
    b.policy("Length", "Format policy: input validation", "Impossible base32 lengths (1, 3 or 6 symbols past a block) hold no whole bytes and are refused (REQ-SECRET-004): no encoder writes them, so the last symbol was mistyped or cut. RFC 4648 does not say what a decoder does with them; decoders that drop the odd bits follow it and fail only these cases.", &["REQ-SECRET-004", "RFC 4648 section 6"]);
}

fn lengths(b: &mut Builder, rng: &mut Rng) {
    b.group(
        "Lengths from 10 to 128 bytes, padded (where there is padding) and unpadded",
        None,
    );
    for len in [
        10usize, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 32, 64, 65, 100, 127, 128,
    ] {
        let bytes = rng.bytes(len);
        let padded = BASE32.encode(&bytes);
        let unpadded = padded.trim_end_matches('=');
        let policy: &[&str] = if len < 16 { &["SecretLength"] } else { &[] };
        let variants = [
            ("padded", &padded[..], "Padded"),
            ("unpadded", unpadded, "Unpadded"),
        ];
        for (form, text, flag) in variants
            .into_iter()
            .filter(|(form, text, _)| *form == "unpadded" || text.contains('='))
        {
            b.valid(
                &format!("{len} bytes, {form}"),
                &["REQ-SECRET-001", "REQ-SECRET-004"],
                &[&[flag], policy].concat(),
                json!({ "text": text }),
                json!({ "secret": HEXLOWER.encode(&bytes) }),
            );
        }
    }
}

fn typed(b: &mut Builder, rng: &mut Rng) {
    b.group("As people type them", None);
    let bytes = rng.bytes(20);
    let text = BASE32.encode(&bytes);
    let chunks: Vec<String> = text
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let spaced = chunks.join(" ");
    let mixed: String = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    for (comment, typed) in [
        ("lower case", text.to_lowercase()),
        ("groups of four separated by spaces", spaced.clone()),
        ("lower case with spaces", spaced.to_lowercase()),
        ("leading and trailing spaces", format!("  {text}  ")),
        ("mixed case", mixed),
    ] {
        b.valid(
            comment,
            &["REQ-SECRET-002"],
            &["Typed"],
            json!({ "text": typed }),
            json!({ "secret": HEXLOWER.encode(&bytes) }),
        );
    }
}

fn refused(b: &mut Builder, rng: &mut Rng) {
    b.group("Refused", None);
    refused_texts(b, rng);
    refused_lengths(b, rng);
}

/// Characters, padding and unused bits.
fn refused_texts(b: &mut Builder, rng: &mut Rng) {
    let s32 = BASE32.encode(&rng.bytes(20));
    let s11 = BASE32.encode(&rng.bytes(16)); // 26 symbols + 6 '='
    let cases: Vec<Row> = vec![
        (
            "contains 1",
            format!("{}1", &s32[..31]),
            &["REQ-SECRET-002", "REQ-SECRET-010"],
            &["Alphabet"],
        ),
        (
            "contains 0",
            format!("{}0", &s32[..31]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains 8",
            format!("{}8", &s32[..31]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a hyphen",
            format!("{}-{}", &s32[..16], &s32[16..]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a tab",
            format!("{}\t{}", &s32[..16], &s32[16..]),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "contains a non-ASCII letter",
            format!("{s32}Ä"),
            &["REQ-SECRET-002"],
            &["Alphabet"],
        ),
        (
            "padding one short",
            s11.replacen('=', "", 1),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "padding one too many",
            format!("{s11}="),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "padding in the middle",
            format!("{}={}", &s32[..16], &s32[16..]),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "a whole block of padding",
            format!("{s32}========"),
            &["REQ-SECRET-004"],
            &["Padding"],
        ),
        (
            "33 symbols: no whole bytes",
            format!("{s32}A"),
            &["REQ-SECRET-004"],
            &["Length"],
        ),
        (
            "35 symbols: no whole bytes",
            format!("{s32}AAA"),
            &["REQ-SECRET-004"],
            &["Length"],
        ),
        (
            "38 symbols: no whole bytes",
            format!("{s32}AAAAAA"),
            &["REQ-SECRET-004"],
            &["Length"],
        ),
        (
            "non-zero unused bits",
            format!("{s32}AB"),
            &["REQ-SECRET-005"],
            &["TrailingBits"],
        ),
    ];
    invalid_rows(b, cases);
}

/// Lengths: nothing, or bytes outside 10 to 128.
fn refused_lengths(b: &mut Builder, rng: &mut Rng) {
    let cases: Vec<Row> = vec![
        (
            "empty",
            String::new(),
            &["REQ-SECRET-003"],
            &["SecretLength"],
        ),
        (
            "only spaces",
            "    ".into(),
            &["REQ-SECRET-003"],
            &["SecretLength", "Typed"],
        ),
        (
            "9 bytes",
            BASE32.encode(&rng.bytes(9)),
            &["REQ-SECRET-001"],
            &["SecretLength"],
        ),
        (
            "129 bytes",
            BASE32.encode(&rng.bytes(129)),
            &["REQ-SECRET-001"],
            &["SecretLength"],
        ),
    ];
    invalid_rows(b, cases);
}

/// Padding only at the end: a whole padded block followed by more text is two encodings
/// concatenated, which some decoders (Rust's data-encoding among them) read as one. Last in
/// the file, so that earlier `tcId`s stay.
fn padding_at_the_end(b: &mut Builder, rng: &mut Rng) {
    b.group("Padding only at the end (REQ-SECRET-004)", None);
    let first = BASE32.encode(&rng.bytes(12)); // 20 symbols + 4 '='
    let second = BASE32.encode(&rng.bytes(5)); // 8 symbols, no '='
    invalid_rows(
        b,
        vec![(
            "a whole padded block followed by more text (two encodings concatenated)",
            format!("{first}{second}"),
            &["REQ-SECRET-004"],
            &["Padding"],
        )],
    );
}

/// A refused text: comment, text, requirements, flags.
type Row = (
    &'static str,
    String,
    &'static [&'static str],
    &'static [&'static str],
);

fn invalid_rows(b: &mut Builder, rows: Vec<Row>) {
    for (comment, text, reqs, flags) in rows {
        b.invalid(
            comment,
            reqs,
            flags,
            json!({ "text": text }),
            "invalid_secret",
        );
    }
}
