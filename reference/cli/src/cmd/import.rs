//! `authbackup import` and `authbackup export`: accounts in from other apps' exports, and out
//! as `otpauth://` URIs.

use std::path::PathBuf;

use authbackup::account::DeviceAccount;
use authbackup_import::{self as import, Source};
use clap::Args;

use super::files::{
    lock_folder_of, read_limited, refuse_overwriting_inputs, refuse_write, write_private, Existing,
};
use super::{CmdResult, Failure};

const MAX_EXPORT: usize = 16 * 1024 * 1024;

/// A spinner on standard error while slow work runs, drawn only on a terminal (after a
/// second: shorter work finishes before it is seen).
fn working(what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = indicatif::ProgressBar::new_spinner().with_message(what.to_string());
    if std::io::stderr().is_terminal() {
        let ticker = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if !ticker.is_finished() {
                ticker.enable_steady_tick(std::time::Duration::from_millis(120));
            }
        });
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// `device` with `imported` added under restore's keep-both rules (an account the device
/// already has, by identical secret or by name, is not added again), and how many were added.
fn merge(
    device: &[DeviceAccount],
    imported: &[DeviceAccount],
) -> Result<(Vec<DeviceAccount>, usize), authbackup::Error> {
    use authbackup::payload::{BackupMeta, Payload};
    use authbackup::restore::{self, Outcome, Policy};
    use authbackup::Platform;
    // The import is planned as a restore of a backup made of its accounts, on this device.
    let meta = BackupMeta::new(Platform::Ios, "import", 1, 0)?;
    let (incoming, _) = Payload::from_device(meta, imported)?;
    let plan = restore::plan(device, &incoming, Platform::Ios, Policy::KeepBoth)?;
    let added = plan
        .outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Outcome::Added | Outcome::KeptBoth { .. }))
        .count();
    Ok((restore::apply(device, &plan)?, added))
}

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
    /// Add the accounts to an existing device accounts file (an account it already has, by
    /// secret or by name, is not added twice: restore's keep-both rules). Without it, an
    /// existing file is never replaced.
    #[arg(long)]
    merge: bool,
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
    // Key derivation for an encrypted export can take seconds: say so on a terminal.
    let spinner = password
        .is_some()
        .then(|| working("deriving the key from the password"));
    let imported = import::import(
        Source::from_name(&args.from)?,
        &bytes,
        password.as_deref().map(|p| &p[..]),
    );
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let (accounts, report) = imported?;
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
    let locked = lock_folder_of(&args.output)?;
    if !args.merge {
        if args.output.is_file() {
            return Err(refuse_write(
                &args.output,
                "the accounts file exists; pass --merge to add to it",
            )
            .into());
        }
        locked.write(
            &args.output,
            &DeviceAccount::list_to_json(&accounts),
            Existing::Refuse,
        )?;
        eprintln!(
            "wrote {} account(s) to {}",
            accounts.len(),
            args.output.display()
        );
        return Ok(());
    }
    // Merging reads the device file under the lock it is written under.
    let device = match read_limited(&args.output, MAX_EXPORT) {
        Ok(bytes) => DeviceAccount::list_from_json(&bytes)?,
        Err(_) if !args.output.exists() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let merged = merge(&device, &accounts)?;
    locked.write(
        &args.output,
        &DeviceAccount::list_to_json(&merged.0),
        Existing::Replace,
    )?;
    eprintln!(
        "merged into {}: {} added, {} already there",
        args.output.display(),
        merged.1,
        accounts.len() - merged.1
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
