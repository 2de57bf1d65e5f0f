//! The accounts a device holds, and the accounts file (`spec/data-model.md`, "Device
//! accounts file") that `authbackup backup create` reads.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{check_id, check_issuer, check_name, AccountType, CodeParams};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;

/// A sign-in token (or any other credential) a device keeps for an account. Backups never
/// carry one. Redacted in `Debug`, wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Zeroizing<String>);

impl Token {
    /// Wraps a token's text.
    pub fn new(text: impl Into<String>) -> Token {
        Token(Zeroizing::new(text.into()))
    }

    /// The token text; named so that every use stands out.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Whether an account on a device can produce codes now, or needs the user first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccountState {
    /// Usable: codes (or sign-in) work now.
    #[default]
    Ready,
    /// Restored as a placeholder: the user must sign in again before it works.
    ActionRequired,
}

impl AccountState {
    /// `ready` or `action_required`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountState::Ready => "ready",
            AccountState::ActionRequired => "action_required",
        }
    }

    fn from_name(name: &str) -> Result<AccountState> {
        match name {
            "ready" => Ok(AccountState::Ready),
            "action_required" => Ok(AccountState::ActionRequired),
            _ => Err(Error::invalid_parameter(format!(
                "state {} is not ready or action_required",
                crate::error::shown(name)
            ))),
        }
    }
}

/// One account as a device holds it, before the backup rules are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAccount {
    /// The stable account id, unique on the device.
    pub id: String,
    /// The account type.
    pub account_type: AccountType,
    /// The issuer, if known.
    pub issuer: Option<String>,
    /// The account name.
    pub name: String,
    /// The OTP secret, if the device has one for this account (placeholder types may too:
    /// a backup drops it).
    pub secret: Option<Secret>,
    /// The code parameters.
    pub params: CodeParams,
    /// A sign-in token the device keeps (a backup drops it).
    pub token: Option<Token>,
    /// An organisation policy keeps this account out of backups.
    pub excluded_by_policy: bool,
    /// Ready, or waiting for the user to sign in again (a restored placeholder).
    pub state: AccountState,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WireFile {
    accounts: Vec<WireAccount>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WireAccount {
    id: String,
    #[serde(rename = "type")]
    account_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digits: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    period: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    excluded_by_policy: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
}

impl DeviceAccount {
    /// Reads a device accounts file (REQ-DEVICE-001 to REQ-DEVICE-004). Every problem names
    /// the account it is in.
    pub fn list_from_json(bytes: &[u8]) -> Result<Vec<DeviceAccount>> {
        let file: WireFile =
            serde_json::from_slice(bytes).map_err(|e| Error::json("the accounts file", &e))?;
        let mut ids = HashSet::new();
        let mut out = Vec::with_capacity(file.accounts.len());
        for (index, wire) in file.accounts.into_iter().enumerate() {
            let context = |e: Error| e.context(format_args!("accounts[{index}]"));
            let account = DeviceAccount::from_wire(wire).map_err(context)?;
            if !ids.insert(account.id.clone()) {
                return Err(context(Error::new(
                    ErrorCode::DuplicateAccount,
                    "its id is used by an earlier account",
                )));
            }
            out.push(account);
        }
        Ok(out)
    }

    /// Writes accounts in the device accounts file format. The text holds secrets and
    /// tokens, so it is wiped on drop.
    pub fn list_to_json(accounts: &[DeviceAccount]) -> Zeroizing<Vec<u8>> {
        let file = WireFile {
            accounts: accounts
                .iter()
                .map(|a| WireAccount {
                    id: a.id.clone(),
                    account_type: a.account_type.as_str().to_string(),
                    issuer: a.issuer.clone(),
                    name: a.name.clone(),
                    secret: a.secret.as_ref().map(Secret::to_base32),
                    // Code parameters belong to a secret: a placeholder has none to write.
                    algorithm: a
                        .secret
                        .as_ref()
                        .map(|_| a.params.algorithm.name().to_string()),
                    digits: a.secret.as_ref().map(|_| u64::from(a.params.digits.get())),
                    period: a.secret.as_ref().map(|_| a.params.period.get()),
                    token: a.token.as_ref().map(|t| t.0.clone()),
                    excluded_by_policy: a.excluded_by_policy,
                    state: (a.state != AccountState::Ready).then(|| a.state.as_str().to_string()),
                })
                .collect(),
        };
        let mut out = Zeroizing::new(Vec::with_capacity(256 + accounts.len() * 512));
        // Serializing plain data into a Vec cannot fail.
        let _ = serde_json::to_writer_pretty(&mut *out, &file);
        out.push(b'\n');
        out
    }

    fn from_wire(wire: WireAccount) -> Result<DeviceAccount> {
        check_id(&wire.id)?;
        let account_type = AccountType::from_name(&wire.account_type)?;
        if let Some(issuer) = &wire.issuer {
            check_issuer(issuer)?;
        }
        check_name("account name", &wire.name)?;
        let secret = match &wire.secret {
            Some(text) => Some(Secret::from_base32(text)?),
            None => None,
        };
        let params =
            CodeParams::from_optional(wire.algorithm.as_deref(), wire.digits, wire.period)?;
        let state = match &wire.state {
            Some(name) => AccountState::from_name(name)?,
            None => AccountState::Ready,
        };
        Ok(DeviceAccount {
            id: wire.id,
            account_type,
            issuer: wire.issuer,
            name: wire.name,
            secret,
            params,
            token: wire.token.map(Token),
            excluded_by_policy: wire.excluded_by_policy,
            state,
        })
    }
}
