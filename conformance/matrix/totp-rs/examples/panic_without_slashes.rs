//! A URI without `//` after the scheme is not a Key URI and must be refused; totp-rs's checked
//! `TOTP::from_url` panics on it instead of returning an error.
use totp_rs::TOTP;

fn main() {
    let outcome = std::panic::catch_unwind(|| {
        TOTP::from_url("otpauth:totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").is_err()
    });
    match outcome {
        Err(_) => {
            println!("TOTP::from_url(\"otpauth:totp/alice?secret=…\") panicked; expected Err")
        }
        Ok(refused) => {
            println!("TOTP::from_url returned; refused = {refused}");
            std::process::exit(1);
        }
    }
}
