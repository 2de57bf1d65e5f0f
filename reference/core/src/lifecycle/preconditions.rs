//! What must hold before a backup is turned on (REQ-LIFECYCLE-010 to REQ-LIFECYCLE-016), and
//! which account stores it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::platform::Platform;

/// The lowest iOS major version that can keep backups.
pub const MIN_IOS_VERSION: u32 = 16;

/// The signed-in recovery account (the account that holds the recovery key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryAccount {
    /// Its id (for example its sign-in name).
    pub id: String,
    /// True for a personal Microsoft account (not a work or school account).
    pub personal: bool,
}

/// What the device reports about itself when backup is turned on or its account changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// The device's platform.
    pub platform: Platform,
    /// The signed-in recovery account, if any.
    pub recovery_account: Option<RecoveryAccount>,
    /// iOS only: the operating system's major version.
    #[serde(default)]
    pub os_version: u32,
    /// iOS only: iCloud is on.
    #[serde(default)]
    pub icloud: bool,
    /// iOS only: iCloud Keychain is on.
    #[serde(default)]
    pub icloud_keychain: bool,
    /// iOS only: the personal Apple ID signed in to iCloud, if any.
    #[serde(default)]
    pub personal_apple_id: Option<String>,
    /// iOS only: the managed (organisation) Apple ID signed in, if any.
    #[serde(default)]
    pub managed_apple_id: Option<String>,
}

/// A platform precondition that can fail, named in `precondition_failed` errors
/// ([`Error::precondition`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Precondition {
    /// iOS older than [`MIN_IOS_VERSION`].
    OsVersion,
    /// iCloud off, or no Apple ID signed in to it.
    Icloud,
    /// iCloud Keychain off.
    IcloudKeychain,
    /// Android: the recovery account is not a personal Microsoft account.
    PersonalMicrosoftAccount,
}

impl Precondition {
    /// `os_version`, `icloud`, `icloud_keychain` or `personal_microsoft_account`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Precondition::OsVersion => "os_version",
            Precondition::Icloud => "icloud",
            Precondition::IcloudKeychain => "icloud_keychain",
            Precondition::PersonalMicrosoftAccount => "personal_microsoft_account",
        }
    }
}

impl fmt::Display for Precondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn failed(p: Precondition, why: String) -> Error {
    Error::precondition_failed(p, why)
}

/// Checks the preconditions in the spec's order and returns the storage account: on `ios`
/// the managed Apple ID if there is one, else the personal one; on `android` the recovery
/// account.
pub fn check(env: &Environment) -> Result<String> {
    let Some(recovery) = &env.recovery_account else {
        return Err(Error::new(
            ErrorCode::NotSignedIn,
            "sign in to your recovery account to turn on backup",
        ));
    };
    match env.platform {
        Platform::Ios => {
            if env.os_version < MIN_IOS_VERSION {
                return Err(failed(
                    Precondition::OsVersion,
                    format!(
                        "backup needs iOS {MIN_IOS_VERSION} or later; this device runs iOS {}",
                        env.os_version
                    ),
                ));
            }
            let apple_id = env
                .managed_apple_id
                .as_ref()
                .or(env.personal_apple_id.as_ref());
            let Some(apple_id) = apple_id.filter(|_| env.icloud) else {
                return Err(failed(
                    Precondition::Icloud,
                    "iCloud is off or no Apple ID is signed in; turn on iCloud in Settings".into(),
                ));
            };
            if !env.icloud_keychain {
                return Err(failed(
                    Precondition::IcloudKeychain,
                    "iCloud Keychain is off; turn it on in Settings > Apple ID > iCloud > Passwords and Keychain".into(),
                ));
            }
            Ok(apple_id.clone())
        }
        Platform::Android => {
            if !recovery.personal {
                return Err(failed(
                    Precondition::PersonalMicrosoftAccount,
                    format!(
                        "backup on Android needs a personal Microsoft account; {} is not one",
                        recovery.id
                    ),
                ));
            }
            Ok(recovery.id.clone())
        }
    }
}
