//! `authbackup keygen`: a new recovery key as a JWK.

use std::path::PathBuf;

use authbackup::container::RecoveryKey;
use authbackup::Error;
use clap::Args;

use super::files::{refuse_overwriting_inputs, same_name, write_private, Existing};
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
    let public = match (&args.public_out, key.public_jwk_json()) {
        (Some(path), Some(public)) => Some((path, format!("{public}\n"))),
        _ => None,
    };
    if let (Some(private), Some((public_path, _))) = (&args.output, &public) {
        refuse_overwriting_inputs(public_path, &[private.as_path()])?;
        if same_name(private, public_path) {
            return Err(Error::invalid_parameter("-o and --public-out name the same file").into());
        }
    }
    // Both files or neither: the public key first (it holds no secret), removed again when
    // the private key cannot be written.
    if let Some((path, text)) = &public {
        write_private(path, text.as_bytes(), Existing::Refuse)?;
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = write_private(path, jwk.as_bytes(), Existing::Refuse) {
                if let Some((public_path, _)) = &public {
                    let _ = std::fs::remove_file(public_path);
                }
                return Err(e.into());
            }
            eprintln!("wrote {} (kid {})", path.display(), key.kid());
        }
        None => print!("{}", jwk.as_str()),
    }
    if let Some((path, _)) = &public {
        eprintln!("wrote {} (public key, kid {})", path.display(), key.kid());
    }
    Ok(())
}
