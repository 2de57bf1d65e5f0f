//! The subcommands of `authbackup`, one module each, and what they share.

pub mod code;

use std::process::ExitCode;

use clap::error::ErrorKind;

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
