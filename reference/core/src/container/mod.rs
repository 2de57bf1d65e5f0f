//! The encrypted container (`spec/container.md`): a JWE (RFC 7516) in General JSON
//! Serialization with `A256GCM` content encryption and one to sixteen recipients, each
//! wrapping the same content key with `A256KW`, `ECDH-ES+A256KW` or `PBES2-HS512+A256KW`.
//!
//! Every structural check and limit runs first ([`inspect`] runs exactly those); josekit is
//! used only for key wrapping and AES-GCM, on inputs already checked, and its decompression
//! is never reachable (a `zip` member is refused).

mod keys;
pub mod limits;
mod slots;
mod wire;

use data_encoding::BASE64URL_NOPAD;
use josekit::jwe::{JweContentEncryption, JweHeader};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};
use crate::payload::{BackupMeta, Payload, FORMAT_VERSION};

pub use keys::{Credential, KeyAlgorithm, Passphrase, RecoveryKey, PASSPHRASE_KID};
pub use wire::{CTY, ENC, TYP};

use limits::{MAX_CONTAINER_BYTES, MAX_RECIPIENTS};
use wire::{OutContainer, OutProtected, OutRecipient, Parsed};

/// What anyone can read of a container without a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerInfo {
    /// The format version (`abf_version`).
    pub format_version: u64,
    /// Platform, backup id, generation and creation time, as bound to the ciphertext.
    pub meta: BackupMeta,
    /// The content encryption (`enc`).
    pub enc: &'static str,
    /// The recipients, in container order.
    pub recipients: Vec<RecipientInfo>,
    /// The container's size in bytes.
    pub size: usize,
}

/// One recipient as [`inspect`] shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientInfo {
    /// The key-management algorithm.
    pub alg: KeyAlgorithm,
    /// The key id.
    pub kid: String,
    /// The PBKDF2 iteration count, for a passphrase recipient.
    pub p2c: Option<u32>,
}

/// A container opened with a key: its header and its checked payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// What the container's headers say.
    pub info: ContainerInfo,
    /// The decrypted, checked payload.
    pub payload: Payload,
}

/// Reads a container's headers with no key, running every check that needs none.
pub fn inspect(container: &[u8]) -> Result<ContainerInfo> {
    Ok(info_of(&wire::parse(container)?, container.len()))
}

/// Seals `payload` to every credential in `recipients` (one to sixteen, distinct kids, at
/// most one passphrase), with fresh random content key, IV and salts.
///
/// ```
/// use authbackup::account::DeviceAccount;
/// use authbackup::container::{self, Credential, RecoveryKey};
/// use authbackup::payload::{BackupMeta, Payload};
/// use authbackup::{ErrorCode, Platform};
///
/// let device = DeviceAccount::list_from_json(br#"{"accounts": [
///     {"id": "1", "type": "totp", "issuer": "ACME", "name": "alice", "secret": "JBSWY3DPEHPK3PXP"}
/// ]}"#)?;
/// let meta = BackupMeta::new(Platform::Ios, "0f8fad5b-d9cb-469f-a165-70867728950e", 1, 1_700_000_000)?;
/// let (payload, _report) = Payload::from_device(meta, &device)?;
///
/// let key = Credential::Key(RecoveryKey::generate_symmetric());
/// let sealed = container::seal(&payload, std::slice::from_ref(&key))?;
/// assert_eq!(container::open(&sealed, &key)?.payload, payload);
///
/// // Another key, or one flipped byte, is `decryption_failed` (or an earlier structural error).
/// let other = Credential::Key(RecoveryKey::generate_symmetric());
/// assert!(container::open(&sealed, &other).is_err());
/// # Ok::<(), authbackup::Error>(())
/// ```
pub fn seal(payload: &Payload, recipients: &[Credential]) -> Result<Vec<u8>> {
    seal_drawing(payload, recipients, &mut |buf: &mut [u8]| {
        buf.copy_from_slice(&josekit::util::random_bytes(buf.len()))
    })
}

/// [`seal`] with the content key, IV and PBES2 salts drawn from `fill` (for reproducible
/// test vectors). ECDH-ES ephemeral keys still come from the system's generator.
///
/// A test hook (feature `test-util`): a backup sealed with chosen randomness is not secret.
#[cfg(feature = "test-util")]
pub fn seal_with_randomness(
    payload: &Payload,
    recipients: &[Credential],
    fill: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<u8>> {
    seal_drawing(payload, recipients, fill)
}

/// [`seal`] drawing every random byte it needs from `fill`.
fn seal_drawing(
    payload: &Payload,
    recipients: &[Credential],
    fill: &mut dyn FnMut(&mut [u8]),
) -> Result<Vec<u8>> {
    check_recipients(recipients)?;
    let protected = OutProtected {
        typ: TYP,
        cty: CTY,
        enc: ENC,
        abf_version: FORMAT_VERSION,
        platform: payload.meta().platform().as_str(),
        backup_id: payload.meta().backup_id(),
        generation: payload.meta().generation(),
        created: payload.meta().created(),
    };
    let protected_json =
        serde_json::to_vec(&protected).map_err(|e| Error::json("the protected header", &e))?;
    let protected_b64 = BASE64URL_NOPAD.encode(&protected_json);

    let mut cek = Zeroizing::new([0u8; 32]);
    fill(&mut *cek);
    let mut iv = [0u8; 12];
    fill(&mut iv);
    let mut out_recipients = Vec::with_capacity(recipients.len());
    for credential in recipients {
        out_recipients.push(wrap_for(&cek[..], credential, fill)?);
    }
    let plaintext = payload.to_json();
    let (ciphertext, tag) = josekit::jwe::enc::A256GCM
        .encrypt(&*cek, Some(&iv), &plaintext, protected_b64.as_bytes())
        .map_err(|_| Error::malformed("content encryption failed"))?;
    let tag = tag.unwrap_or_default();
    write_container(
        &protected_b64,
        out_recipients,
        &BASE64URL_NOPAD.encode(&iv),
        &BASE64URL_NOPAD.encode(&ciphertext),
        &BASE64URL_NOPAD.encode(&tag),
    )
}

/// Opens a container with one credential: all checks, then the recipient with the
/// credential's kid and algorithm unwraps the content key, then AES-GCM decrypts and
/// authenticates, then the payload is parsed and must agree with the protected header.
/// A wrong key and a tampered container are both `decryption_failed`.
pub fn open(container: &[u8], credential: &Credential) -> Result<Opened> {
    check_opener(credential)?;
    let parsed = wire::parse(container)?;
    let cek = unwrap_cek(&parsed, credential)?;
    let plaintext = decrypt_content(&parsed, &cek)?;
    let payload = Payload::from_json(&plaintext)?;
    if *payload.meta() != parsed.meta {
        return Err(Error::malformed(
            "the payload's platform, backup id, generation or creation time differs from the protected header's",
        ));
    }
    Ok(Opened {
        info: info_of(&parsed, container.len()),
        payload,
    })
}

/// Decrypts a container and returns its headers and the payload bytes exactly as the writer
/// wrote them, without parsing them (for checking what another implementation writes).
///
/// A test hook (feature `test-util`): apps use [`open`], which checks the payload.
#[cfg(feature = "test-util")]
pub fn open_plaintext(
    container: &[u8],
    credential: &Credential,
) -> Result<(ContainerInfo, Zeroizing<Vec<u8>>)> {
    check_opener(credential)?;
    let parsed = wire::parse(container)?;
    let cek = unwrap_cek(&parsed, credential)?;
    let plaintext = decrypt_content(&parsed, &cek)?;
    Ok((info_of(&parsed, container.len()), plaintext))
}

/// Adds a recipient: `opener` unwraps the content key (and the ciphertext is
/// authenticated), which is wrapped again for `new`. The protected header, IV, ciphertext
/// and tag are written back unchanged; no payload is re-encrypted.
pub fn add_recipient(container: &[u8], opener: &Credential, new: &Credential) -> Result<Vec<u8>> {
    check_opener(opener)?;
    let parsed = wire::parse(container)?;
    if parsed.recipients.iter().any(|r| r.kid == new.kid()) {
        return Err(Error::invalid_parameter(format!(
            "the container already has a recipient with kid {:?}",
            new.kid()
        )));
    }
    if parsed.recipients.len() >= MAX_RECIPIENTS {
        return Err(Error::too_large(format!(
            "a container has at most {MAX_RECIPIENTS} recipients"
        )));
    }
    if matches!(new, Credential::Passphrase(_))
        && parsed
            .recipients
            .iter()
            .any(|r| r.alg == KeyAlgorithm::Pbes2Hs512A256Kw)
    {
        return Err(Error::invalid_parameter(
            "the container already has a passphrase recipient",
        ));
    }
    let cek = unwrap_cek(&parsed, opener)?;
    // Authenticate before vouching for the ciphertext under a new key.
    drop(decrypt_content(&parsed, &cek)?);
    let added = wrap_for(&cek[..], new, &mut |buf: &mut [u8]| {
        buf.copy_from_slice(&josekit::util::random_bytes(buf.len()))
    })?;
    let mut recipients = existing_recipients(&parsed, |_| true);
    recipients.push(added);
    rewrite(&parsed, recipients)
}

/// Removes the recipient with `kid`. The last recipient cannot be removed (a container
/// nobody can open is not a backup). No key is needed and nothing is re-encrypted.
pub fn remove_recipient(container: &[u8], kid: &str) -> Result<Vec<u8>> {
    let parsed = wire::parse(container)?;
    if !parsed.recipients.iter().any(|r| r.kid == kid) {
        return Err(Error::invalid_parameter(format!(
            "the container has no recipient with kid {kid:?}"
        )));
    }
    if parsed.recipients.len() == 1 {
        return Err(Error::invalid_parameter(
            "the last recipient cannot be removed: nobody could open the backup",
        ));
    }
    let recipients = existing_recipients(&parsed, |r| r.kid != kid);
    rewrite(&parsed, recipients)
}

fn info_of(parsed: &Parsed, size: usize) -> ContainerInfo {
    ContainerInfo {
        format_version: FORMAT_VERSION,
        meta: parsed.meta.clone(),
        enc: ENC,
        recipients: parsed
            .recipients
            .iter()
            .map(|r| RecipientInfo {
                alg: r.alg,
                kid: r.kid.clone(),
                p2c: r.p2c,
            })
            .collect(),
        size,
    }
}

/// REQ-CONTAINER-054 from the recipient count on (each credential is valid by its type: a
/// key as REQ-CONTAINER-060 says, a passphrase's p2c within the limits): the count, then no
/// two recipients with one kid.
fn check_recipients(recipients: &[Credential]) -> Result<()> {
    check_recipient_count(recipients.len())?;
    for (i, c) in recipients.iter().enumerate() {
        if recipients[..i].iter().any(|o| o.kid() == c.kid()) {
            return Err(Error::invalid_parameter(format!(
                "two recipients share the kid {:?}",
                c.kid()
            )));
        }
    }
    Ok(())
}

/// REQ-CONTAINER-054: a writer needs 1 to 16 recipients (`invalid_parameter` for none,
/// `too_large` for more), checked before the recipients themselves; public so that a caller
/// building credentials from untrusted input can check in the spec's order.
pub fn check_recipient_count(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::invalid_parameter(
            "a container needs at least one recipient",
        ));
    }
    if n > MAX_RECIPIENTS {
        return Err(Error::too_large(format!(
            "a container has at most {MAX_RECIPIENTS} recipients"
        )));
    }
    Ok(())
}

/// Wraps the content key for one credential, returning its recipient entry.
fn wrap_for(
    cek: &[u8],
    credential: &Credential,
    fill: &mut dyn FnMut(&mut [u8]),
) -> Result<OutRecipient> {
    let mut in_header = JweHeader::new();
    let mut out_header = JweHeader::new();
    let set = |h: &mut JweHeader, k: &str, v: Value| {
        h.set_claim(k, Some(v))
            .map_err(|_| Error::malformed(format!("the header member {k} cannot be set")))
    };
    let encrypter: Box<dyn josekit::jwe::JweEncrypter> = match credential {
        Credential::Key(key) => key.encrypter()?,
        Credential::Passphrase(p) => {
            let mut salt = [0u8; 16];
            fill(&mut salt);
            let p2s = Value::from(BASE64URL_NOPAD.encode(&salt));
            let p2c = Value::from(p.iterations());
            set(&mut in_header, "p2s", p2s.clone())?;
            set(&mut in_header, "p2c", p2c.clone())?;
            set(&mut out_header, "p2s", p2s)?;
            set(&mut out_header, "p2c", p2c)?;
            Box::new(
                josekit::jwe::PBES2_HS512_A256KW
                    .encrypter_from_bytes(p.expose())
                    .map_err(|_| Error::invalid_parameter("the passphrase is not usable"))?,
            )
        }
    };
    let encrypted_key = encrypter
        .encrypt(cek, &in_header, &mut out_header)
        .map_err(|_| Error::invalid_parameter("key wrapping failed"))?
        .ok_or_else(|| Error::malformed("key wrapping produced no encrypted key"))?;
    let mut header = serde_json::Map::new();
    header.insert("alg".into(), credential.algorithm().name().into());
    header.insert("kid".into(), credential.kid().into());
    for member in ["epk", "p2s", "p2c"] {
        if let Some(v) = out_header.claim(member) {
            header.insert(member.into(), v.clone());
        }
    }
    Ok(OutRecipient {
        header,
        encrypted_key: BASE64URL_NOPAD.encode(&encrypted_key),
    })
}

/// REQ-CONTAINER-030 and REQ-CONTAINER-031: only a recipient with the credential's kid and
/// algorithm is tried; its unwrapped key must be 32 bytes.
/// REQ-CONTAINER-061: the credential is checked before the container, and a key that can
/// only seal (an EC public key) never opens.
fn check_opener(credential: &Credential) -> Result<()> {
    match credential {
        Credential::Key(key) if !key.can_open() => Err(Error::invalid_parameter(
            "this EC key has no private part (\"d\"): it can seal but not open",
        )),
        _ => Ok(()),
    }
}

fn unwrap_cek(parsed: &Parsed, credential: &Credential) -> Result<Zeroizing<Vec<u8>>> {
    let failed = || {
        Error::new(
            ErrorCode::DecryptionFailed,
            "the container does not open with this key: wrong key, or the container was altered",
        )
    };
    let recipient = parsed
        .recipients
        .iter()
        .find(|r| r.kid == credential.kid() && r.alg == credential.algorithm())
        .ok_or_else(failed)?;
    let decrypter: Box<dyn josekit::jwe::JweDecrypter> = match credential {
        Credential::Key(key) => key.decrypter()?,
        Credential::Passphrase(p) => Box::new(
            josekit::jwe::PBES2_HS512_A256KW
                .decrypter_from_bytes(p.expose())
                .map_err(|e| Error::invalid_parameter(format!("passphrase: {e}")))?,
        ),
    };
    let header = JweHeader::from_map(recipient.header_map()).map_err(|_| failed())?;
    let cek = decrypter
        .decrypt(
            Some(&recipient.encrypted_key),
            &josekit::jwe::enc::A256GCM,
            &header,
        )
        .map_err(|_| failed())?;
    if cek.len() != 32 {
        return Err(failed());
    }
    Ok(Zeroizing::new(cek.into_owned()))
}

/// REQ-CONTAINER-032: AES-256-GCM with the protected header's base64url text as AAD.
fn decrypt_content(parsed: &Parsed, cek: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    josekit::jwe::enc::A256GCM
        .decrypt(
            cek,
            Some(&parsed.iv),
            &parsed.ciphertext,
            parsed.protected_b64.as_bytes(),
            Some(&parsed.tag),
        )
        .map(Zeroizing::new)
        .map_err(|_| {
            Error::new(
                ErrorCode::DecryptionFailed,
                "the container does not open with this key: wrong key, or the container was altered",
            )
        })
}

fn existing_recipients(
    parsed: &Parsed,
    keep: impl Fn(&wire::ParsedRecipient) -> bool,
) -> Vec<OutRecipient> {
    parsed
        .recipients
        .iter()
        .filter(|r| keep(r))
        .map(|r| OutRecipient {
            header: r.header_map(),
            encrypted_key: BASE64URL_NOPAD.encode(&r.encrypted_key),
        })
        .collect()
}

/// Writes `parsed` back with other recipients. The protected header is kept as sent; iv,
/// ciphertext and tag are encoded again from their bytes, which gives the text they were read
/// from (unpadded base64url with zero trailing bits, the only form `wire::parse` accepts).
fn rewrite(parsed: &Parsed, recipients: Vec<OutRecipient>) -> Result<Vec<u8>> {
    write_container(
        &parsed.protected_b64,
        recipients,
        &BASE64URL_NOPAD.encode(&parsed.iv),
        &BASE64URL_NOPAD.encode(&parsed.ciphertext),
        &BASE64URL_NOPAD.encode(&parsed.tag),
    )
}

fn write_container(
    protected: &str,
    recipients: Vec<OutRecipient>,
    iv: &str,
    ciphertext: &str,
    tag: &str,
) -> Result<Vec<u8>> {
    let out = OutContainer {
        protected,
        recipients,
        iv,
        ciphertext,
        tag,
    };
    let bytes = serde_json::to_vec(&out).map_err(|e| Error::json("the container", &e))?;
    if bytes.len() > MAX_CONTAINER_BYTES {
        return Err(Error::too_large(format!(
            "the container would be {} bytes; at most {MAX_CONTAINER_BYTES} are allowed",
            bytes.len()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
