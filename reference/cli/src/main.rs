//! The `authbackup` command: the reference implementation from the command line.
#![forbid(unsafe_code)]

mod cmd;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Reference implementation of the Authenticator Backup Format (ABF).
#[derive(Parser)]
#[command(name = "authbackup", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the one-time code of a secret or an otpauth:// URI.
    Code(cmd::code::CodeArgs),
    /// Make a new recovery key (JWK).
    Keygen(cmd::keygen::KeygenArgs),
    /// Make, inspect, open and verify encrypted backups.
    #[command(subcommand)]
    Backup(cmd::backup::BackupCommand),
    /// Restore a backup onto a device's accounts file.
    Restore(cmd::restore::RestoreArgs),
    /// Import accounts from another app's export into a device accounts file.
    Import(cmd::import::ImportArgs),
    /// Export a device accounts file's code-bearing accounts as otpauth:// URIs.
    Export(cmd::import::ExportArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cmd::usage_error(e),
    };
    let result = match cli.command {
        Command::Code(args) => cmd::code::run(&args).map_err(cmd::Failure::from),
        Command::Keygen(args) => cmd::keygen::run(&args),
        Command::Backup(command) => cmd::backup::run(&command),
        Command::Restore(args) => cmd::restore::run(&args),
        Command::Import(args) => cmd::import::run(&args),
        Command::Export(args) => cmd::import::export(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
