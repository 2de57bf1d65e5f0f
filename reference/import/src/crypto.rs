//! The key derivations and AES-GCM the encrypted exports use (RustCrypto: `scrypt`, `pbkdf2`,
//! `aes-gcm`), each bounded so that a hostile file cannot ask for unbounded time or memory.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use authbackup::error::{Error, ErrorCode, Result};
use zeroize::Zeroizing;

/// True in a fuzzing build (`cargo fuzz` sets `cfg(fuzzing)`): every derivation then runs at
/// its least cost. Every check of the file's parameters still runs, and so does the
/// derivation and everything after it, but a fuzzer spends its executions on parsing and
/// checking rather than on deliberately slow key stretching. Never set in a normal build.
const FUZZING: bool = cfg!(fuzzing);

/// The most memory one scrypt derivation may use (128 · r · n bytes).
const SCRYPT_MAX_MEMORY: u64 = 256 * 1024 * 1024;

/// scrypt with the parameters the export gives: n a power of two in 2..=2^20, r in 1..=32,
/// p in 1..=16, and at most [`SCRYPT_MAX_MEMORY`].
pub(crate) fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u64,
    p: u64,
) -> Result<Zeroizing<[u8; 32]>> {
    let out_of_range = || {
        Error::new(
            ErrorCode::KdfParamsOutOfRange,
            format!("scrypt parameters n={n} r={r} p={p} are out of range"),
        )
    };
    if !(2..=1 << 20).contains(&n)
        || !n.is_power_of_two()
        || !(1..=32).contains(&r)
        || !(1..=16).contains(&p)
        || 128 * r * n > SCRYPT_MAX_MEMORY
    {
        return Err(out_of_range());
    }
    let (log_n, r, p) = if FUZZING {
        (1, 1, 1)
    } else {
        (n.trailing_zeros() as u8, r as u32, p as u32)
    };
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| out_of_range())?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, &mut *key).map_err(|_| out_of_range())?;
    Ok(key)
}

/// PBKDF2 with HMAC-SHA-1 or HMAC-SHA-256, 1 to 10,000,000 iterations.
pub(crate) fn pbkdf2(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    sha256: bool,
) -> Result<Zeroizing<[u8; 32]>> {
    if !(1..=10_000_000).contains(&iterations) {
        return Err(Error::new(
            ErrorCode::KdfParamsOutOfRange,
            format!("{iterations} PBKDF2 iterations is out of range"),
        ));
    }
    let iterations = if FUZZING { 1 } else { iterations };
    let mut key = Zeroizing::new([0u8; 32]);
    if sha256 {
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut *key);
    } else {
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, &mut *key);
    }
    Ok(key)
}

/// AES-256-GCM decryption with a 96-bit nonce; `None` when the key, nonce or tag does not fit
/// or the tag does not verify.
pub(crate) fn open_gcm(
    key: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if tag.len() != 16 || nonce.len() != 12 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let mut sealed = Vec::with_capacity(ciphertext.len() + 16);
    sealed.extend_from_slice(ciphertext);
    sealed.extend_from_slice(tag);
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload::from(&sealed[..]))
        .ok()
        .map(Zeroizing::new)
}

/// AES-256-GCM encryption (for writing test fixtures): ciphertext and tag.
#[cfg(test)]
pub(crate) fn seal_gcm(key: &[u8], nonce: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = Aes256Gcm::new_from_slice(key).expect("a 32-byte key");
    let mut sealed = cipher
        .encrypt(Nonce::from_slice(nonce), plaintext)
        .expect("AES-GCM");
    let tag = sealed.split_off(sealed.len() - 16);
    (sealed, tag)
}
