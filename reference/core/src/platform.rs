//! The platform a backup is bound to (REQ-RESTORE-001): iOS backups restore only on iOS,
//! Android backups only on Android.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The platform a backup was made on; it restores only on the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// Apple iOS.
    Ios,
    /// Google Android.
    Android,
}

impl Platform {
    /// `ios` or `android`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Ios => "ios",
            Platform::Android => "android",
        }
    }

    /// Reads `ios` or `android`; anything else is `invalid_parameter`.
    pub fn from_name(name: &str) -> Result<Platform> {
        match name {
            "ios" => Ok(Platform::Ios),
            "android" => Ok(Platform::Android),
            _ => Err(Error::invalid_parameter(format!(
                "platform {} is not ios or android",
                crate::error::shown(name)
            ))),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
