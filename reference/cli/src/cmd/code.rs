//! `authbackup code`: the current (or a given time's) code of one account.

use authbackup::account::CodeParams;
use authbackup::otp::Totp;
use authbackup::uri::{KeyUri, OtpKind};
use authbackup::{Error, Result, Secret};
use clap::{ArgGroup, Args};

/// Arguments of `authbackup code`.
#[derive(Args)]
#[command(group(ArgGroup::new("account").required(true).args(["secret", "uri"])))]
pub struct CodeArgs {
    /// The base32 secret (spaces and lower case allowed). Like every argument it is visible
    /// to other local users in the process list: do not use it on a shared machine.
    #[arg(long, value_name = "B32")]
    secret: Option<String>,
    /// An otpauth://totp/ or otpauth://hotp/ Key URI; its parameters are used as given.
    #[arg(long, value_name = "URI", conflicts_with_all = ["algorithm", "digits", "period"])]
    uri: Option<String>,
    /// HMAC hash: SHA1, SHA256 or SHA512 [default: SHA1].
    #[arg(long, value_name = "ALG")]
    algorithm: Option<String>,
    /// Code length: 6, 7 or 8 [default: 6].
    #[arg(long, value_name = "N")]
    digits: Option<u64>,
    /// Time step in seconds [default: 30].
    #[arg(long, value_name = "S")]
    period: Option<u64>,
    /// Unix time in seconds to compute the code for [default: now]. Not for hotp URIs.
    #[arg(long, value_name = "UNIX", allow_hyphen_values = true)]
    time: Option<u64>,
}

/// Prints the code on stdout, leading zeros kept.
pub fn run(args: &CodeArgs) -> Result<()> {
    let code = match (&args.secret, &args.uri) {
        (Some(secret), _) => {
            let params =
                CodeParams::from_optional(args.algorithm.as_deref(), args.digits, args.period)?;
            let secret = Secret::from_base32(secret)?;
            Totp::new(&secret, params.totp_params()).code_at(time_or_now(args.time)?)?
        }
        (None, Some(uri)) => {
            let key = KeyUri::parse(uri)?;
            match key.kind {
                OtpKind::Totp { .. } => key.totp()?.code_at(time_or_now(args.time)?)?,
                OtpKind::Hotp { counter } => {
                    if args.time.is_some() {
                        return Err(Error::invalid_parameter(
                            "--time does not apply to an hotp URI; its counter sets the code",
                        ));
                    }
                    key.hotp().code(counter)
                }
            }
        }
        // clap requires one of --secret and --uri.
        (None, None) => return Err(Error::malformed("give --secret or --uri")),
    };
    println!("{code}");
    Ok(())
}

fn time_or_now(time: Option<u64>) -> Result<u64> {
    match time {
        Some(t) => Ok(t),
        None => authbackup::store::unix_time(),
    }
}
