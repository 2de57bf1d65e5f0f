//! The account model (`spec/data-model.md`): the four account types, their per-type backup
//! rules, the accounts a device holds and the accounts a backup holds.

mod build;
mod device;
mod names;

use std::fmt;

use crate::error::{Error, ErrorCode, Result};
use std::num::NonZeroU64;

use crate::otp::{self, Algorithm, Digits, Totp, TotpParams, DEFAULT_PERIOD};
use crate::secret::Secret;

pub use build::{build_backup_accounts, BuildEntry, BuildOutcome, BuildReport};
pub use device::{AccountState, DeviceAccount, Token};
pub(crate) use names::{check_id, check_length, check_no_controls};
pub use names::{check_issuer, check_name};
pub use names::{MAX_ID_BYTES, MAX_NAME_BYTES};

/// How people see an account: `issuer: name`, or the name alone.
pub fn display_name(issuer: Option<&str>, name: &str) -> String {
    match issuer {
        Some(issuer) => format!("{issuer}: {name}"),
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
                        "account type {name:?} is not one of totp, msa_totp, msa_passwordless, work_school"
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

/// One account as a backup holds it: a code-bearing account with its key, or a placeholder
/// (id, type and name only). [`BackupAccount::check`] states the invariants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupAccount {
    /// The stable account id, unique within a backup.
    pub id: String,
    /// The account type.
    pub account_type: AccountType,
    /// The issuer; only code-bearing accounts carry one.
    pub issuer: Option<String>,
    /// The account name shown to the user.
    pub name: String,
    /// The secret and parameters: present exactly for code-bearing types.
    pub otp: Option<OtpKey>,
}

impl BackupAccount {
    /// True when this account is a placeholder marker (restored as "action required").
    pub fn is_placeholder(&self) -> bool {
        !self.account_type.bears_codes()
    }

    /// Checks the invariants of REQ-ACCOUNT-002 to REQ-ACCOUNT-006: a valid id and name,
    /// a valid issuer only on code-bearing types, a key exactly on code-bearing types.
    pub fn check(&self) -> Result<()> {
        check_id(&self.id)?;
        if self.is_placeholder() {
            if self.otp.is_some() {
                return Err(Error::new(
                    ErrorCode::SecretInPlaceholder,
                    format!(
                        "account {:?} is a {} placeholder and must not carry a secret",
                        self.id, self.account_type
                    ),
                ));
            }
            if self.issuer.is_some() {
                return Err(Error::malformed(format!(
                    "account {:?} is a placeholder: it carries its name only, no issuer",
                    self.id
                )));
            }
        } else {
            match &self.otp {
                Some(_) => {}
                None => {
                    return Err(Error::invalid_secret(format!(
                        "account {:?} ({}) has no secret",
                        self.id, self.account_type
                    )))
                }
            }
        }
        if let Some(issuer) = &self.issuer {
            check_issuer(issuer)?;
        }
        check_name("account name", &self.name)
    }
}

#[cfg(test)]
mod tests;
