//! `authbackup import` and `authbackup export`: accounts in from other apps' exports, and out
//! as `otpauth://` URIs.

use std::path::PathBuf;

use authbackup::account::DeviceAccount;
use authbackup_import::{self as import, Source};
use clap::Args;

use super::files::{read_limited, refuse_overwriting_inputs, write_private, Existing};
use super::{CmdResult, Failure};

const MAX_EXPORT: usize = 16 * 1024 * 1024;

/// Arguments of `authbackup import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The export's format.
    #[arg(long, value_parser = ["otpauth", "google", "aegis", "2fas", "andotp", "freeotp-plus", "bitwarden"])]
    from: String,
    /// The export file.
    file: PathBuf,
    /// A file holding the export's password (for encrypted Aegis, 2FAS and andOTP exports).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Where to write the accounts (the device accounts file `backup create` reads).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Write the importable accounts even when some entries cannot be imported.
    #[arg(long)]
    allow_partial: bool,
}

/// Imports, prints the report, writes the accounts unless an entry failed (and
/// `--allow-partial` was not given).
pub fn run(args: &ImportArgs) -> CmdResult {
    let mut inputs = vec![args.file.as_path()];
    inputs.extend(args.password_file.as_deref());
    refuse_overwriting_inputs(&args.output, &inputs)?;
    let bytes = read_limited(&args.file, MAX_EXPORT)?;
    let password = match &args.password_file {
        Some(path) => {
            let mut p = read_limited(path, 64 * 1024)?;
            while matches!(p.last(), Some(b'\n' | b'\r')) {
                p.pop();
            }
            Some(p)
        }
        None => None,
    };
    let (accounts, report) = import::import(
        Source::from_name(&args.from)?,
        &bytes,
        password.as_deref().map(|p| &p[..]),
    )?;
    println!("{}", crate::report::ImportText(&report));
    let refused: Vec<&str> = report.not_imported().map(|e| e.label.as_str()).collect();
    if !refused.is_empty() && !args.allow_partial {
        return Err(Failure::Refused {
            code: "not_imported",
            why: format!(
                "{} entr{} not imported ({}); nothing written: fix them, or pass --allow-partial to write the rest",
                refused.len(),
                if refused.len() == 1 { "y was" } else { "ies were" },
                super::summarise(&refused)
            ),
        });
    }
    if accounts.is_empty() {
        return Err(Failure::Refused {
            code: "not_imported",
            why: "the export has no account that could be imported; nothing written".into(),
        });
    }
    write_private(
        &args.output,
        &DeviceAccount::list_to_json(&accounts),
        Existing::Replace,
    )?;
    eprintln!(
        "wrote {} account(s) to {}",
        accounts.len(),
        args.output.display()
    );
    Ok(())
}

/// Arguments of `authbackup export`.
#[derive(Args)]
pub struct ExportArgs {
    /// The output format.
    #[arg(long, value_parser = ["otpauth"])]
    format: String,
    /// The device accounts file to export.
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// Where to write the URIs (they hold secrets); stdout without it.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Writes every code-bearing account as an `otpauth://` URI, one per line.
pub fn export(args: &ExportArgs) -> CmdResult {
    if let Some(output) = &args.output {
        refuse_overwriting_inputs(output, &[&args.accounts])?;
    }
    let accounts = DeviceAccount::list_from_json(&read_limited(&args.accounts, MAX_EXPORT)?)?;
    let text = import::export_otpauth(&accounts)?;
    match &args.output {
        Some(path) => write_private(path, text.as_bytes(), Existing::Replace)?,
        None => print!("{}", text.as_str()),
    }
    let left_out: Vec<&str> = import::excluded_by_policy(&accounts)
        .map(|a| a.id.as_str())
        .collect();
    if !left_out.is_empty() {
        eprintln!(
            "left out {} account(s) an organisation policy excludes from backup: {}",
            left_out.len(),
            super::summarise(&left_out)
        );
    }
    Ok(())
}
