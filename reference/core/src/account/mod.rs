//! The account model (`spec/data-model.md`): the four account types, their per-type backup
//! rules, the accounts a device holds and the accounts a backup holds.

mod build;
mod device;
mod names;
mod texts;

use std::fmt;

use crate::error::{Error, ErrorCode, Result};
use std::num::NonZeroU64;

use crate::otp::{self, Algorithm, Digits, Totp, TotpParams, DEFAULT_PERIOD};
use crate::secret::Secret;

pub use build::{build_backup_accounts, BuildEntry, BuildOutcome, BuildReport};
pub use device::{AccountState, DeviceAccount, Token};
pub use names::{check_id, check_issuer, check_name, normalise, normalise_into};
pub(crate) use names::{check_length, check_no_controls};
pub use names::{MAX_ID_BYTES, MAX_NAME_BYTES};
pub(crate) use texts::Texts;

/// How people see an account: `issuer: name`, or the name alone.
pub fn display_name(issuer: Option<&str>, name: &str) -> String {
    match issuer {
        Some(issuer) => [issuer, ": ", name].concat(),
        None => name.to_string(),
    }
}

/// The kind of an account, which decides what a backup keeps of it (REQ-ACCOUNT-001).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AccountType {
    /// A third-party TOTP account (any issuer): restored with its codes.
    Totp,
    /// A personal Microsoft account used for one-time codes only: restored with its codes.
    MsaTotp,
    /// A personal Microsoft account with passwordless sign-in: a placeholder (name only).
    MsaPasswordless,
    /// A work or school (organisation) account: a placeholder (name only).
    WorkSchool,
}

impl AccountType {
    /// Every type, in the order of the spec's table.
    pub const ALL: [AccountType; 4] = [
        AccountType::Totp,
        AccountType::MsaTotp,
        AccountType::MsaPasswordless,
        AccountType::WorkSchool,
    ];

    /// The name used in files: `totp`, `msa_totp`, `msa_passwordless`, `work_school`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountType::Totp => "totp",
            AccountType::MsaTotp => "msa_totp",
            AccountType::MsaPasswordless => "msa_passwordless",
            AccountType::WorkSchool => "work_school",
        }
    }

    /// Reads a type name; anything else is `unsupported_account_type`.
    pub fn from_name(name: &str) -> Result<AccountType> {
        AccountType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::UnsupportedAccountType,
                    format!(
                        "account type {} is not one of totp, msa_totp, msa_passwordless, work_school",
                        crate::error::shown(name)
                    ),
                )
            })
    }

    /// True for the types a backup keeps with their secret (`totp`, `msa_totp`); false for
    /// the placeholder types, kept as a name only.
    pub const fn bears_codes(self) -> bool {
        matches!(self, AccountType::Totp | AccountType::MsaTotp)
    }
}

impl fmt::Display for AccountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The code parameters of a code-bearing account (T0 is always 0 in ABF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodeParams {
    /// The HMAC hash function.
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
    /// The time step in seconds.
    pub period: NonZeroU64,
}

impl Default for CodeParams {
    /// SHA1, 6 digits, 30 seconds.
    fn default() -> CodeParams {
        CodeParams {
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            period: DEFAULT_PERIOD,
        }
    }
}

impl CodeParams {
    /// Reads an algorithm name, digit count and period, each optional with the defaults
    /// SHA1, 6 and 30, and checks them in that order (`invalid_parameter`).
    pub fn from_optional(
        algorithm: Option<&str>,
        digits: Option<u64>,
        period: Option<u64>,
    ) -> Result<CodeParams> {
        let params = CodeParams {
            algorithm: algorithm.map_or(Ok(Algorithm::Sha1), str::parse)?,
            digits: digits.map_or(Ok(Digits::SIX), Digits::new)?,
            period: period.map_or(Ok(DEFAULT_PERIOD), otp::period)?,
        };
        Ok(params)
    }

    /// The TOTP parameters these stand for (T0 = 0).
    pub fn totp_params(self) -> TotpParams {
        TotpParams {
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            t0: 0,
        }
    }
}

/// The secret and parameters of a code-bearing account in a backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpKey {
    /// The shared secret.
    pub secret: Secret,
    /// How codes are computed from it.
    pub params: CodeParams,
}

impl OtpKey {
    /// A TOTP generator for this key.
    pub fn totp(&self) -> Totp {
        Totp::new(&self.secret, self.params.totp_params())
    }
}

/// What a backup keeps of an account, decided by its type (REQ-ACCOUNT-002).
///
/// Deliberately exhaustive: the format has these two kinds of backup account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    /// A code-bearing account (`totp`, `msa_totp`): restored with its codes.
    Codes {
        /// The secret and code parameters.
        key: OtpKey,
    },
    /// A placeholder (`msa_passwordless`, `work_school`): the name only, never a secret or
    /// token; restored as "action required".
    Placeholder,
}

/// One account as a backup holds it: id, type, name, issuer (code-bearing accounts only) and
/// what is [`Kept`] of it. Every value of this type is valid (REQ-ACCOUNT-002 to
/// REQ-ACCOUNT-006): it can only be made by [`BackupAccount::with_codes`],
/// [`BackupAccount::placeholder`] or by parsing a payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupAccount {
    pub(crate) texts: Texts,
    pub(crate) account_type: AccountType,
    pub(crate) kept: Kept,
}

impl BackupAccount {
    /// A code-bearing account. `secret_in_placeholder` when `account_type` is a placeholder
    /// type; `invalid_parameter` or `too_large` for a bad id, issuer or name.
    pub fn with_codes(
        id: impl Into<String>,
        account_type: AccountType,
        issuer: Option<String>,
        name: impl Into<String>,
        key: OtpKey,
    ) -> Result<BackupAccount> {
        let (id, name) = (id.into(), name.into());
        check_id(&id)?;
        if !account_type.bears_codes() {
            return Err(Error::new(
                ErrorCode::SecretInPlaceholder,
                format!("a {account_type} account is a placeholder and must not carry a secret"),
            ));
        }
        if let Some(issuer) = &issuer {
            check_issuer(issuer)?;
        }
        check_name("account name", &name)?;
        Ok(BackupAccount {
            texts: Texts::new(&id, &name, issuer.as_deref()),
            account_type,
            kept: Kept::Codes { key },
        })
    }

    /// A placeholder. `invalid_secret` when `account_type` bears codes (it needs its key);
    /// `invalid_parameter` or `too_large` for a bad id or name.
    pub fn placeholder(
        id: impl Into<String>,
        account_type: AccountType,
        name: impl Into<String>,
    ) -> Result<BackupAccount> {
        let (id, name) = (id.into(), name.into());
        check_id(&id)?;
        if account_type.bears_codes() {
            return Err(Error::invalid_secret(format!(
                "a {account_type} account needs its secret"
            )));
        }
        check_name("account name", &name)?;
        Ok(BackupAccount {
            texts: Texts::new(&id, &name, None),
            account_type,
            kept: Kept::Placeholder,
        })
    }

    /// The stable account id, unique within a backup.
    pub fn id(&self) -> &str {
        self.texts.id()
    }

    /// The account type.
    pub fn account_type(&self) -> AccountType {
        self.account_type
    }

    /// The account name shown to the user.
    pub fn name(&self) -> &str {
        self.texts.name()
    }

    /// What the backup keeps of it.
    pub fn kept(&self) -> &Kept {
        &self.kept
    }

    /// The issuer (code-bearing accounts only).
    pub fn issuer(&self) -> Option<&str> {
        self.texts.issuer()
    }

    /// The secret and parameters (code-bearing accounts only).
    pub fn key(&self) -> Option<&OtpKey> {
        match &self.kept {
            Kept::Codes { key } => Some(key),
            Kept::Placeholder => None,
        }
    }

    /// True when this account is a placeholder marker (restored as "action required").
    pub fn is_placeholder(&self) -> bool {
        matches!(self.kept, Kept::Placeholder)
    }
}

#[cfg(test)]
mod tests;
