//! The key derivations and AES-GCM the encrypted exports use, through OpenSSL (already
//! linked for the container's JOSE library).

use openssl::hash::MessageDigest;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// scrypt with the parameters the export gives (bounded, so a hostile file cannot ask for
/// unbounded memory).
pub(crate) fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u64,
    p: u64,
) -> Result<Zeroizing<[u8; 32]>> {
    if !(2..=1 << 20).contains(&n)
        || !n.is_power_of_two()
        || !(1..=32).contains(&r)
        || !(1..=16).contains(&p)
    {
        return Err(Error::new(
            crate::error::ErrorCode::KdfParamsOutOfRange,
            format!("scrypt parameters n={n} r={r} p={p} are out of range"),
        ));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    openssl::pkcs5::scrypt(password, salt, n, r, p, 256 * 1024 * 1024, &mut *key)
        .map_err(|e| Error::malformed(format!("scrypt: {e}")))?;
    Ok(key)
}

/// PBKDF2 with SHA-1 or SHA-256 (bounded iterations).
pub(crate) fn pbkdf2(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    sha256: bool,
) -> Result<Zeroizing<[u8; 32]>> {
    if !(1..=10_000_000).contains(&iterations) {
        return Err(Error::new(
            crate::error::ErrorCode::KdfParamsOutOfRange,
            format!("{iterations} PBKDF2 iterations is out of range"),
        ));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    let md = if sha256 {
        MessageDigest::sha256()
    } else {
        MessageDigest::sha1()
    };
    openssl::pkcs5::pbkdf2_hmac(password, salt, iterations as usize, md, &mut *key)
        .map_err(|e| Error::malformed(format!("pbkdf2: {e}")))?;
    Ok(key)
}

/// AES-256-GCM decryption; `None` when the tag does not verify.
pub(crate) fn open_gcm(
    key: &[u8],
    nonce: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if tag.len() != 16 || nonce.is_empty() {
        return None;
    }
    decrypt_aead(
        Cipher::aes_256_gcm(),
        key,
        Some(nonce),
        &[],
        ciphertext,
        tag,
    )
    .ok()
    .map(Zeroizing::new)
}

/// AES-256-GCM encryption (for writing test fixtures): ciphertext and tag.
#[allow(dead_code)]
pub(crate) fn seal_gcm(key: &[u8], nonce: &[u8], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut tag = vec![0u8; 16];
    let ct = encrypt_aead(
        Cipher::aes_256_gcm(),
        key,
        Some(nonce),
        &[],
        plaintext,
        &mut tag,
    )
    .expect("AES-GCM");
    (ct, tag)
}
