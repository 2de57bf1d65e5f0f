//! RFC 4648 base32 is padded with `=`; totp-rs's `Secret::Encoded` refuses the padded form of a
//! 16-byte secret (the unpadded form decodes).
use totp_rs::Secret;

fn main() {
    let padded = Secret::Encoded("JOB5AUJDMFGD4YRZN7IVDNSYME======".to_string()).to_bytes();
    let unpadded = Secret::Encoded("JOB5AUJDMFGD4YRZN7IVDNSYME".to_string()).to_bytes();
    println!("padded: {padded:?}; unpadded: ok = {}", unpadded.is_ok());
    std::process::exit(if padded.is_err() { 0 } else { 1 });
}
