//! The one error type of the reference implementation, with the stable codes of the
//! specification (`spec/errors.md`).
//!
//! The conformance suite compares codes, never messages: a code keeps its meaning forever, a
//! message may be reworded. Messages never contain secret material.

use std::fmt;

/// A stable, machine-readable error code (the strings of `spec/errors.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// An error: a stable [`ErrorCode`] plus a human message naming the problem.
///
/// Displayed as `code: message` on one line, for example
/// `invalid_secret: character 3 is not in the base32 alphabet (A-Z, 2-7)`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Builds an error from a code and a message (which must not contain secret material).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
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
    fn display_is_one_line_with_code_first() {
        let e = Error::invalid_parameter("digits must be 6, 7 or 8, not 9");
        assert_eq!(
            e.to_string(),
            "invalid_parameter: digits must be 6, 7 or 8, not 9"
        );
    }
}
