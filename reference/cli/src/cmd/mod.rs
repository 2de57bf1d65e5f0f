//! The subcommands of `authbackup`, one module each, and what they share.

pub mod backup;
pub mod code;
pub mod files;
pub mod import;
pub mod keygen;
pub mod restore;

use std::fmt;
use std::process::ExitCode;

use clap::error::ErrorKind;

/// Why a command failed: an ABF error (shown with its stable code) or a file problem.
#[derive(Debug)]
pub enum Failure {
    /// An error of the format, with its stable code.
    Abf(authbackup::Error),
    /// A file that could not be read or written.
    File(files::FileError),
    /// The command did its check and refuses to go on; the report above says why in full.
    Refused {
        /// The stable code (`spec/errors.md`, the command line's codes).
        code: &'static str,
        /// One line: what was refused, with at most a few names.
        why: String,
    },
}

/// `names` for an error line: all of them when there are few, else the first three and how
/// many more (the report printed before the error lists every one).
pub fn summarise(names: &[&str]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!(
            "{}, and {} more (listed above)",
            names[..3].join(", "),
            n - 3
        ),
    }
}

impl From<authbackup::Error> for Failure {
    fn from(e: authbackup::Error) -> Failure {
        Failure::Abf(e)
    }
}

impl From<files::FileError> for Failure {
    fn from(e: files::FileError) -> Failure {
        Failure::File(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Abf(e) => write!(f, "{e}"),
            Failure::File(e) => write!(f, "{e}"),
            Failure::Refused { code, why } => write!(f, "{code}: {why}"),
        }
    }
}

/// What every command returns.
pub type CmdResult = Result<(), Failure>;

/// Reports a command-line usage problem as one line on stderr (exit status 2); help and
/// version requests print as clap renders them (exit status 0).
pub fn usage_error(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            eprintln!("{}", one_line(&e.render().to_string()));
            ExitCode::from(2)
        }
    }
}

/// The first paragraph of clap's message (before its usage and hints), folded onto one line.
fn one_line(rendered: &str) -> String {
    rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}
