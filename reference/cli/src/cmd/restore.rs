//! `authbackup restore`: restore a backup onto a device file, with a stated conflict policy,
//! a dry run and a per-account report.

use std::path::PathBuf;

use authbackup::account::DeviceAccount;
use authbackup::container::{self, limits::MAX_CONTAINER_BYTES};
use authbackup::platform::Platform;
use authbackup::restore::{self, Policy};
use clap::Args;

use super::backup::{unlock, Unlock};
use super::files::{lock_folder_of, read_limited, Existing};
use super::CmdResult;

/// Arguments of `authbackup restore`.
#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file.
    backup: PathBuf,
    #[command(flatten)]
    unlock: Unlock,
    /// The device's accounts file, updated in place (atomically) unless --dry-run.
    #[arg(long, value_name = "DEVICE.json")]
    device: PathBuf,
    /// This device's platform: a backup restores only on the platform it was made on.
    #[arg(long, value_parser = ["ios", "android"])]
    platform: String,
    /// What to do when a backup account matches a device account with another secret.
    #[arg(long, default_value = "keep-both", value_parser = ["keep-both", "prefer-backup", "prefer-device"])]
    policy: String,
    /// Print what would happen; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Plans the restore, prints the report, and writes the device file unless it is a dry run
/// or nothing changes.
pub fn run(args: &RestoreArgs) -> CmdResult {
    // The device file is read and written under one lock: a second restore waits, then plans
    // against what this one wrote.
    let locked = lock_folder_of(&args.device)?;
    let device_bytes = read_limited(&args.device, MAX_CONTAINER_BYTES)?;
    let device = DeviceAccount::list_from_json(&device_bytes)?;
    let backup = read_limited(&args.backup, MAX_CONTAINER_BYTES)?;
    let opened = container::open(&backup, &unlock(&args.unlock)?)?;
    let plan = restore::plan(
        &device,
        &opened.payload,
        Platform::from_name(&args.platform)?,
        Policy::from_name(&args.policy)?,
    )?;
    let after = restore::apply(&device, &plan)?;
    let report = crate::report::RestoreReport::new(&plan);
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("{report}");
    }
    if args.dry_run {
        eprintln!("dry run: {} not changed", args.device.display());
    } else if plan.changes_device() {
        locked.write(
            &args.device,
            &DeviceAccount::list_to_json(&after),
            Existing::Replace,
        )?;
        eprintln!("updated {}", args.device.display());
    }
    Ok(())
}
