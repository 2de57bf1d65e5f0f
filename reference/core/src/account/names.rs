//! The rules every issuer, account name and account id follows (REQ-ACCOUNT-003,
//! REQ-ACCOUNT-004, REQ-URI-020, REQ-URI-021), shared by payloads, device files and Key URIs.

use crate::error::{Error, Result};

/// The longest issuer or account name, in UTF-8 bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// The longest account id, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 64;

/// An issuer: a name that also contains no `:` (so it can be written in a Key URI label).
pub fn check_issuer(issuer: &str) -> Result<()> {
    check_name("issuer", issuer)?;
    if issuer.contains(':') {
        return Err(Error::invalid_parameter("the issuer must not contain ':'"));
    }
    Ok(())
}

/// A display name: non-empty, no outer spaces, at most [`MAX_NAME_BYTES`], no control
/// characters.
pub fn check_name(what: &str, text: &str) -> Result<()> {
    if text.is_empty() || text.starts_with(' ') || text.ends_with(' ') {
        return Err(Error::invalid_parameter(format!(
            "the {what} must be non-empty without leading or trailing spaces"
        )));
    }
    check_length(what, text, MAX_NAME_BYTES)?;
    check_no_controls(what, text)
}

/// An account id: non-empty, at most [`MAX_ID_BYTES`], no control characters.
pub fn check_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid_parameter("an account id must not be empty"));
    }
    check_length("account id", id, MAX_ID_BYTES)?;
    check_no_controls("account id", id)
}

/// `too_large` when `text` is longer than `max` bytes.
pub(crate) fn check_length(what: &str, text: &str, max: usize) -> Result<()> {
    if text.len() > max {
        return Err(Error::too_large(format!(
            "the {what} is {} bytes; at most {max} are accepted",
            text.len()
        )));
    }
    Ok(())
}

/// `invalid_parameter` when `text` holds a control character (Unicode category Cc).
pub(crate) fn check_no_controls(what: &str, text: &str) -> Result<()> {
    // One pass over the bytes, without branches: an ASCII control is one byte; a C1 control
    // (U+0080 to U+009F) starts with a byte above ASCII, and only then are characters decoded.
    let (ascii_control, beyond_ascii) =
        text.bytes().fold((false, false), |(control, beyond), b| {
            (control | b.is_ascii_control(), beyond | !b.is_ascii())
        });
    if ascii_control || (beyond_ascii && text.chars().any(char::is_control)) {
        return Err(Error::invalid_parameter(format!(
            "the {what} contains a control character"
        )));
    }
    Ok(())
}

/// How two names are compared when matching accounts (restore, REQ-RESTORE-012; import
/// merges duplicates the same way): lower case (Unicode default case mapping), white space trimmed and runs
/// of white space folded to one space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalise_into(text, &mut out);
    out
}

/// [`normalise`], appending to `out` (so that a caller normalising many names can reuse one
/// buffer).
pub fn normalise_into(text: &str, out: &mut String) {
    for (n, word) in text.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            // str::to_lowercase, not char by char: a final sigma lowercases to ς.
            out.push_str(&word.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{check_no_controls, normalise, normalise_into};
    use proptest::prelude::*;

    /// The definition: Unicode lower case of the whole text, then white space folded.
    fn by_definition(text: &str) -> String {
        text.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn known_names() {
        assert_eq!(normalise("  GitHub \t Inc\n"), "github inc");
        assert_eq!(normalise("ΟΔΥΣΣΕΥΣ ΣΑΣ"), "οδυσσευς σας");
        assert_eq!(normalise(""), "");
    }

    proptest! {
        #[test]
        fn normalise_is_its_definition(text in "[ a-zA-Z\\t\\n\u{3a3}\u{3c3}\u{130}\u{df}\u{2003}\u{1e9e}é]{0,24}") {
            prop_assert_eq!(normalise(&text), by_definition(&text));
        }

        #[test]
        fn normalise_into_appends(before in "[a-z ]{0,6}", text in "[ a-zA-Z\\t\u{3a3}]{0,12}") {
            let mut out = before.clone();
            normalise_into(&text, &mut out);
            prop_assert_eq!(out, before + &by_definition(&text));
        }

        #[test]
        fn a_control_character_is_found_wherever_it_is(
            text in "[a-z é\u{7f}\u{80}\u{85}\u{9f}\u{a0}\u{1}\t\u{2028}]{0,12}"
        ) {
            let by_definition = text.chars().any(char::is_control);
            prop_assert_eq!(check_no_controls("name", &text).is_err(), by_definition);
        }
    }
}
