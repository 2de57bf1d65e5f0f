//! The Key URI format: "optional spaces may precede the account name". totp-rs keeps them.
use totp_rs::TOTP;

fn main() {
    let totp = TOTP::from_url(
        "otpauth://totp/Example:%20%20alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    )
    .expect("the URI is read");
    println!(
        "issuer={:?} account_name={:?}; expected \"alice\"",
        totp.issuer, totp.account_name
    );
    std::process::exit(if totp.account_name != "alice" { 0 } else { 1 });
}
