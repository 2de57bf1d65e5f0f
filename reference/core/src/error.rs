//! The one error type of the reference implementation, with the stable codes of the
//! specification (`spec/errors.md`).
//!
//! The conformance suite compares codes, never messages: a code keeps its meaning forever, a
//! message may be reworded. Messages never contain secret material.

use std::fmt;

use crate::lifecycle::Precondition;

/// A stable, machine-readable error code (the strings of `spec/errors.md`).
///
/// New codes may be added in a minor version; match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input is not well formed (syntax, encoding, structure).
    Malformed,
    /// The format version is not one this implementation reads.
    UnsupportedVersion,
    /// A container names an algorithm outside the allow-list.
    AlgorithmNotAllowed,
    /// Key-derivation parameters are outside the allowed range.
    KdfParamsOutOfRange,
    /// Wrong key or tampered container: one code for both.
    DecryptionFailed,
    /// A size or count limit is exceeded.
    TooLarge,
    /// A backup from one platform offered for restore on the other.
    PlatformMismatch,
    /// A placeholder account carries a secret or token.
    SecretInPlaceholder,
    /// A shared secret is not valid (encoding or length).
    InvalidSecret,
    /// A parameter has a value outside its allowed set or range.
    InvalidParameter,
    /// Two accounts share an id.
    DuplicateAccount,
    /// The recovery account is not signed in.
    NotSignedIn,
    /// A platform precondition does not hold.
    PreconditionFailed,
    /// The account or OTP type is not one the format supports.
    UnsupportedAccountType,
}

impl ErrorCode {
    /// Every code, in the order of `spec/errors.md`.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedVersion,
        ErrorCode::AlgorithmNotAllowed,
        ErrorCode::KdfParamsOutOfRange,
        ErrorCode::DecryptionFailed,
        ErrorCode::TooLarge,
        ErrorCode::PlatformMismatch,
        ErrorCode::SecretInPlaceholder,
        ErrorCode::InvalidSecret,
        ErrorCode::InvalidParameter,
        ErrorCode::DuplicateAccount,
        ErrorCode::NotSignedIn,
        ErrorCode::PreconditionFailed,
        ErrorCode::UnsupportedAccountType,
    ];

    /// The stable string form, as it appears in vectors and adapter responses.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::AlgorithmNotAllowed => "algorithm_not_allowed",
            ErrorCode::KdfParamsOutOfRange => "kdf_params_out_of_range",
            ErrorCode::DecryptionFailed => "decryption_failed",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::PlatformMismatch => "platform_mismatch",
            ErrorCode::SecretInPlaceholder => "secret_in_placeholder",
            ErrorCode::InvalidSecret => "invalid_secret",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::DuplicateAccount => "duplicate_account",
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::UnsupportedAccountType => "unsupported_account_type",
        }
    }

    /// Parses the stable string form; `None` for anything that is not a code.
    pub fn from_code_str(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a caller may need to know about an error beyond its code, as data.
///
/// New kinds of detail may be added in a minor version; match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Detail {
    /// The platform precondition that does not hold (with [`ErrorCode::PreconditionFailed`]).
    Precondition(Precondition),
}

/// An error: a stable [`ErrorCode`], a human message naming the problem and, where a caller
/// needs it, a typed [`Detail`].
///
/// Displayed as `code: message` on one line, for example
/// `invalid_secret: character 3 is not in the base32 alphabet (A-Z, 2-7)`. Programs branch on
/// [`Error::code`] and [`Error::detail`], never on the message, which may be reworded; the
/// message never holds secret material or another library's error text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    detail: Option<Detail>,
}

impl Error {
    /// Builds an error from a code and a message (which must not contain secret material).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// A `precondition_failed` error naming `precondition`, with `why` for people.
    pub fn precondition_failed(precondition: Precondition, why: impl fmt::Display) -> Error {
        Error {
            code: ErrorCode::PreconditionFailed,
            message: format!("{precondition}: {why}"),
            detail: Some(Detail::Precondition(precondition)),
        }
    }

    /// The stable code: what programs and the conformance suite compare.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message, without the code.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The typed detail, when the error carries one.
    pub fn detail(&self) -> Option<Detail> {
        self.detail
    }

    /// The precondition that failed, for a `precondition_failed` error.
    pub fn precondition(&self) -> Option<Precondition> {
        self.detail.map(|Detail::Precondition(p)| p)
    }

    /// The same error with `place` (where in the input it happened, such as `accounts[3]`)
    /// in front of its message; the code and detail are kept.
    pub fn context(mut self, place: impl fmt::Display) -> Error {
        self.message = format!("{place}: {}", self.message);
        self
    }

    /// A `malformed` error for JSON that `what` could not be read from: where, and whether it
    /// is not JSON at all or JSON of the wrong shape. serde_json's own text is left out (it
    /// quotes the input, which may be a secret).
    pub fn json(what: impl fmt::Display, e: &serde_json::Error) -> Error {
        use serde_json::error::Category;
        let problem = match e.classify() {
            Category::Io | Category::Syntax => "is not valid JSON",
            Category::Eof => "ends early (truncated JSON)",
            Category::Data => "does not have the expected structure (a member is missing, unknown or of the wrong type)",
        };
        match e.line() {
            0 => Error::malformed(format!("{what} {problem}")),
            line => Error::malformed(format!(
                "{what} {problem}: line {line}, column {}",
                e.column()
            )),
        }
    }

    /// Shorthand for a [`ErrorCode::Malformed`] error.
    pub fn malformed(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Malformed, message)
    }

    /// Shorthand for an [`ErrorCode::InvalidSecret`] error.
    pub fn invalid_secret(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidSecret, message)
    }

    /// Shorthand for a [`ErrorCode::TooLarge`] error.
    pub fn too_large(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::TooLarge, message)
    }

    /// Shorthand for an [`ErrorCode::InvalidParameter`] error.
    pub fn invalid_parameter(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidParameter, message)
    }
}

/// How a message shows a value taken from the input: quoted when it is shorter than 8
/// characters (a type name, a platform, an algorithm), else only its length, so that a secret
/// given in the wrong place is never printed back.
pub fn shown(text: &str) -> String {
    match text.chars().count() {
        n if n < 8 => format!("{text:?}"),
        n => format!("of {n} characters"),
    }
}

/// Adds [`Error::context`] to results.
pub trait ResultExt<T> {
    /// On error, puts `place` in front of the message.
    fn context(self, place: impl fmt::Display) -> Result<T>;
}

impl<T> ResultExt<T> for Result<T> {
    fn context(self, place: impl fmt::Display) -> Result<T> {
        self.map_err(|e| e.context(place))
    }
}

/// The result type of the reference implementation.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code_str(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_code_str("Malformed"), None);
    }

    #[test]
    fn codes_are_distinct() {
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn context_keeps_code_and_detail() {
        let e = Error::precondition_failed(Precondition::Icloud, "iCloud is off").context("device");
        assert_eq!(e.code(), ErrorCode::PreconditionFailed);
        assert_eq!(e.precondition(), Some(Precondition::Icloud));
        assert_eq!(
            e.to_string(),
            "precondition_failed: device: icloud: iCloud is off"
        );
        assert_eq!(Error::malformed("x").precondition(), None);
    }

    #[test]
    fn display_is_one_line_with_code_first() {
        let e = Error::invalid_parameter("digits must be 6, 7 or 8, not 9");
        assert_eq!(
            e.to_string(),
            "invalid_parameter: digits must be 6, 7 or 8, not 9"
        );
    }
}
