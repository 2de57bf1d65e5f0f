//! `authbackup keygen`: a new recovery key as a JWK.

use std::path::PathBuf;

use authbackup::container::RecoveryKey;
use clap::Args;

use super::files::{write_private, Existing};
use super::CmdResult;

/// Arguments of `authbackup keygen`.
#[derive(Args)]
pub struct KeygenArgs {
    /// Make an EC P-256 key pair (for ECDH-ES+A256KW) instead of a 256-bit symmetric key
    /// (for A256KW).
    #[arg(long)]
    ec: bool,
    /// Write the key (private parts included) to this file, readable by its owner only;
    /// an existing file is never overwritten. Without it the key goes to stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --ec, also write the public key (what a device needs to seal backups) here.
    #[arg(long, value_name = "FILE", requires = "ec")]
    public_out: Option<PathBuf>,
}

/// Generates the key and writes it.
pub fn run(args: &KeygenArgs) -> CmdResult {
    let key = if args.ec {
        RecoveryKey::generate_ec()?
    } else {
        RecoveryKey::generate_symmetric()
    };
    let mut jwk = key.to_jwk_json();
    jwk.push('\n');
    match &args.output {
        Some(path) => {
            write_private(path, jwk.as_bytes(), Existing::Refuse)?;
            eprintln!("wrote {} (kid {})", path.display(), key.kid());
        }
        None => print!("{}", jwk.as_str()),
    }
    if let (Some(path), Some(public)) = (&args.public_out, key.public_jwk_json()) {
        write_private(path, format!("{public}\n").as_bytes(), Existing::Refuse)?;
        eprintln!("wrote {} (public key, kid {})", path.display(), key.kid());
    }
    Ok(())
}
