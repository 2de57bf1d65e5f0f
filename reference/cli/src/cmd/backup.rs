//! `authbackup backup ...`: make, read and open encrypted backups, and change who can open
//! them.

use std::path::{Path, PathBuf};

use authbackup::account::DeviceAccount;
use authbackup::container::{
    self, limits::MAX_CONTAINER_BYTES, Credential, Passphrase, RecoveryKey,
};
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use authbackup::store::unix_time;
use authbackup::Error;
use clap::{ArgGroup, Args, Subcommand};

use super::files::{
    lock_folder_of, read_limited, refuse_overwriting_inputs, refuse_write, Existing,
};
use super::CmdResult;

/// The largest key, passphrase or accounts file read, in bytes.
const MAX_SMALL_FILE: usize = 64 * 1024;

/// `authbackup backup` subcommands.
#[derive(Subcommand)]
pub enum BackupCommand {
    /// Build an encrypted backup from a device accounts file.
    Create(CreateArgs),
    /// Show a backup's headers (platform, generation, recipients...) without any key.
    Inspect(InspectArgs),
    /// Decrypt a backup and print its payload (secrets redacted unless asked).
    Open(OpenArgs),
    /// Let another key or passphrase open a backup, without re-encrypting it.
    AddRecipient(AddRecipientArgs),
    /// Stop a key or passphrase from opening a backup, without re-encrypting it.
    RemoveRecipient(RemoveRecipientArgs),
    /// Check that every account of a device is in a backup (before wiping the device).
    Verify(VerifyArgs),
}

/// Arguments of `backup verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The backup file.
    file: PathBuf,
    #[command(flatten)]
    unlock: Unlock,
    /// The device's accounts file (the phone about to be wiped).
    #[arg(long, value_name = "DEVICE.json")]
    device: PathBuf,
    /// Compare codes at this Unix time [default: now].
    #[arg(long, value_name = "UNIX")]
    time: Option<u64>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `backup create`.
#[derive(Args)]
#[command(group(ArgGroup::new("recipient").required(true).multiple(true).args(["key", "passphrase_file"])))]
pub struct CreateArgs {
    /// The device accounts file (see reference/examples/README.md).
    #[arg(long, value_name = "FILE")]
    accounts: PathBuf,
    /// The platform the backup is made on: it will restore only there.
    #[arg(long, value_parser = ["ios", "android"])]
    platform: String,
    /// A recovery key (JWK file) that can open the backup; repeat for several.
    #[arg(long, value_name = "JWK")]
    key: Vec<PathBuf>,
    /// A file holding an offline recovery passphrase that can open the backup too (the line
    /// break it ends with, if any, is not part of it).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Where to write the backup.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
}

/// Arguments of `backup inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The backup file.
    file: PathBuf,
}

/// How to unlock a backup: a key file or a passphrase file.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Unlock {
    /// A recovery key (JWK file) that is a recipient of the backup.
    #[arg(long, value_name = "JWK")]
    key: Option<PathBuf>,
    /// A file holding the backup's recovery passphrase (the line break it ends with, if any,
    /// is not part of it).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

impl Unlock {
    /// The key or passphrase file given.
    pub(crate) fn files(&self) -> Vec<&Path> {
        self.key
            .iter()
            .chain(&self.passphrase_file)
            .map(PathBuf::as_path)
            .collect()
    }
}

/// Arguments of `backup open`.
#[derive(Args)]
pub struct OpenArgs {
    /// The backup file.
    file: PathBuf,
    #[command(flatten)]
    unlock: Unlock,
    /// Print secrets instead of "<redacted>".
    #[arg(long)]
    reveal_secrets: bool,
}

/// Arguments of `backup add-recipient`.
#[derive(Args)]
#[command(group(ArgGroup::new("new").required(true).args(["new_key", "new_passphrase_file"])))]
pub struct AddRecipientArgs {
    /// The backup file.
    file: PathBuf,
    #[command(flatten)]
    unlock: Unlock,
    /// The recovery key (JWK file; a public EC key is enough) to add.
    #[arg(long, value_name = "JWK")]
    new_key: Option<PathBuf>,
    /// A file holding a recovery passphrase to add.
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
    /// Where to write the result (may be the same file: it is replaced atomically).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
}

/// Arguments of `backup remove-recipient`.
#[derive(Args)]
pub struct RemoveRecipientArgs {
    /// The backup file.
    file: PathBuf,
    /// The kid of the recipient to remove (as `backup inspect` shows it; it may begin
    /// with `-`).
    #[arg(long, allow_hyphen_values = true)]
    kid: String,
    /// Where to write the result (may be the same file: it is replaced atomically).
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
}

/// Runs one `backup` subcommand.
pub fn run(command: &BackupCommand) -> CmdResult {
    match command {
        BackupCommand::Create(a) => create(a),
        BackupCommand::Inspect(a) => {
            let bytes = read_limited(&a.file, MAX_CONTAINER_BYTES)?;
            println!(
                "{}",
                crate::report::InspectText(&container::inspect(&bytes)?)
            );
            Ok(())
        }
        BackupCommand::Open(a) => {
            let bytes = read_limited(&a.file, MAX_CONTAINER_BYTES)?;
            let opened = container::open(&bytes, &unlock(&a.unlock)?)?;
            let json = opened.payload.to_display_json(a.reveal_secrets);
            println!("{}", String::from_utf8_lossy(&json));
            Ok(())
        }
        BackupCommand::AddRecipient(a) => {
            let mut inputs = a.unlock.files();
            inputs.extend(
                a.new_key
                    .iter()
                    .chain(&a.new_passphrase_file)
                    .map(PathBuf::as_path),
            );
            refuse_overwriting_inputs(&a.output, &inputs)?;
            let bytes = read_limited(&a.file, MAX_CONTAINER_BYTES)?;
            let new = match (&a.new_key, &a.new_passphrase_file) {
                (Some(path), _) => Credential::Key(read_key(path)?),
                (None, Some(path)) => Credential::Passphrase(read_passphrase(path)?),
                (None, None) => return Err(Error::invalid_parameter("no recipient to add").into()),
            };
            let out = container::add_recipient(&bytes, &unlock(&a.unlock)?, &new)?;
            write_backup(&a.output, &out)?;
            eprintln!("added recipient {} to {}", new.kid(), a.output.display());
            Ok(())
        }
        BackupCommand::Verify(a) => verify(a),
        BackupCommand::RemoveRecipient(a) => {
            let bytes = read_limited(&a.file, MAX_CONTAINER_BYTES)?;
            let out = container::remove_recipient(&bytes, &a.kid)?;
            write_backup(&a.output, &out)?;
            eprintln!("removed recipient {} from {}", a.kid, a.output.display());
            Ok(())
        }
    }
}

fn create(args: &CreateArgs) -> CmdResult {
    let mut inputs = vec![args.accounts.as_path()];
    inputs.extend(
        args.key
            .iter()
            .chain(&args.passphrase_file)
            .map(PathBuf::as_path),
    );
    refuse_overwriting_inputs(&args.output, &inputs)?;
    let accounts_file = read_limited(&args.accounts, MAX_CONTAINER_BYTES)?;
    let device = DeviceAccount::list_from_json(&accounts_file)?;
    let mut recipients = Vec::new();
    for path in &args.key {
        recipients.push(Credential::Key(read_key(path)?));
    }
    if let Some(path) = &args.passphrase_file {
        recipients.push(Credential::Passphrase(read_passphrase(path)?));
    }
    let meta = BackupMeta::new(
        Platform::from_name(&args.platform)?,
        uuid::Uuid::new_v4().to_string(),
        1,
        unix_time()?,
    )?;
    let (payload, report) = Payload::from_device(meta, &device)?;
    let sealed = container::seal(&payload, &recipients)?;
    write_backup(&args.output, &sealed)?;
    println!("{}", crate::report::BuildText(&report));
    println!(
        "wrote {} ({} bytes): {} backup {}, generation 1, {} recipient(s)",
        args.output.display(),
        sealed.len(),
        payload.meta().platform(),
        payload.meta().backup_id(),
        recipients.len()
    );
    Ok(())
}

fn verify(args: &VerifyArgs) -> CmdResult {
    let device = DeviceAccount::list_from_json(&read_limited(&args.device, MAX_CONTAINER_BYTES)?)?;
    let bytes = read_limited(&args.file, MAX_CONTAINER_BYTES)?;
    let opened = container::open(&bytes, &unlock(&args.unlock)?)?;
    let time = match args.time {
        Some(t) => t,
        None => unix_time()?,
    };
    let report = authbackup::coverage::assess(&device, &opened.payload, time);
    if args.json {
        println!("{}", crate::report::VerifyText(&report).to_json());
    } else {
        println!("{}", crate::report::VerifyText(&report));
    }
    if report.safe_to_wipe() {
        Ok(())
    } else {
        let lost: Vec<&str> = report
            .accounts
            .iter()
            .filter(|a| !a.coverage.is_safe())
            .map(|a| a.name.as_str())
            .collect();
        Err(super::Failure::Refused {
            code: "unsafe_to_wipe",
            why: format!(
                "not safe to wipe: the backup lacks {} account(s): {}",
                lost.len(),
                super::summarise(&lost)
            ),
        })
    }
}

/// Writes a backup to `path`, replacing only a backup: an existing file that is not an ABF
/// container (a key, an accounts file) is refused, never overwritten.
fn write_backup(path: &Path, bytes: &[u8]) -> Result<(), super::Failure> {
    let locked = lock_folder_of(path)?;
    if path.is_file() {
        let existing = read_limited(path, MAX_CONTAINER_BYTES)?;
        if container::inspect(&existing).is_err() {
            return Err(
                refuse_write(path, "it is not a backup; refusing to replace it with one").into(),
            );
        }
    }
    Ok(locked.write(path, bytes, Existing::Replace)?)
}

/// The credential a user unlocks a backup with.
pub(crate) fn unlock(u: &Unlock) -> Result<Credential, super::Failure> {
    Ok(match (&u.key, &u.passphrase_file) {
        (Some(path), _) => Credential::Key(read_key(path)?),
        (None, Some(path)) => Credential::Passphrase(read_passphrase(path)?),
        (None, None) => {
            return Err(Error::invalid_parameter("give --key or --passphrase-file").into())
        }
    })
}

fn read_key(path: &Path) -> Result<RecoveryKey, super::Failure> {
    let text = read_limited(path, MAX_SMALL_FILE)?;
    RecoveryKey::from_jwk_json(&text).map_err(|e| e.context(path.display()).into())
}

/// The passphrase a file holds: its bytes without the one line break (LF or CRLF) a text
/// file ends with, so that `echo pw > file` holds the passphrase `pw`.
fn read_passphrase(path: &Path) -> Result<Passphrase, super::Failure> {
    let bytes = read_limited(path, MAX_SMALL_FILE)?;
    let line = bytes
        .strip_suffix(b"\n")
        .map(|b| b.strip_suffix(b"\r").unwrap_or(b))
        .unwrap_or(&bytes);
    Ok(Passphrase::new(line)?)
}
