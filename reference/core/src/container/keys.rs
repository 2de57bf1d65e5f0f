//! The keys a container is sealed to and opened with (`spec/container.md`, "Recipients"):
//! a recovery-account key (symmetric, `A256KW`), a recovery key pair (EC P-256,
//! `ECDH-ES+A256KW`) or a passphrase (`PBES2-HS512+A256KW`).

use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use josekit::jwk::alg::ec::EcCurve;
use josekit::jwk::Jwk;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::limits::{MAX_KID_BYTES, P2C_MAX, P2C_MIN};
use crate::error::{Error, ErrorCode, Result};

/// The key-management algorithms of the allow-list (REQ-CONTAINER-020).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// AES-256 key wrap with the recovery-account key.
    A256Kw,
    /// ECDH-ES on P-256 with AES-256 key wrap, to a recovery key pair.
    EcdhEsA256Kw,
    /// PBKDF2-HMAC-SHA-512 from a passphrase with AES-256 key wrap.
    Pbes2Hs512A256Kw,
}

impl KeyAlgorithm {
    /// The JOSE name (`alg` value).
    pub const fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::A256Kw => "A256KW",
            KeyAlgorithm::EcdhEsA256Kw => "ECDH-ES+A256KW",
            KeyAlgorithm::Pbes2Hs512A256Kw => "PBES2-HS512+A256KW",
        }
    }

    /// Reads an `alg` value; anything off the allow-list is `algorithm_not_allowed`.
    pub fn from_name(name: &str) -> Result<KeyAlgorithm> {
        [
            KeyAlgorithm::A256Kw,
            KeyAlgorithm::EcdhEsA256Kw,
            KeyAlgorithm::Pbes2Hs512A256Kw,
        ]
        .into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| {
            Error::new(
                ErrorCode::AlgorithmNotAllowed,
                format!(
                    "key algorithm {} is not allowed (A256KW, ECDH-ES+A256KW, PBES2-HS512+A256KW)",
                    crate::error::shown(name)
                ),
            )
        })
    }
}

#[derive(Clone)]
enum Material {
    Symmetric(Zeroizing<[u8; 32]>),
    EcPrivate(Jwk),
    EcPublic(Jwk),
}

/// A recovery key: a 256-bit symmetric key or an EC P-256 key (pair or public part), with
/// its key id. `Debug` shows the kind and id only.
#[derive(Clone)]
pub struct RecoveryKey {
    kid: String,
    material: Material,
}

impl RecoveryKey {
    /// A new random 256-bit key for `A256KW`, its kid its RFC 7638 thumbprint.
    pub fn generate_symmetric() -> RecoveryKey {
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&josekit::util::random_bytes(32));
        let kid = thumbprint(&[("k", &BASE64URL_NOPAD.encode(&*key)), ("kty", "oct")]);
        RecoveryKey {
            kid,
            material: Material::Symmetric(key),
        }
    }

    /// A new EC P-256 key pair for `ECDH-ES+A256KW`, its kid its RFC 7638 thumbprint.
    pub fn generate_ec() -> Result<RecoveryKey> {
        let mut jwk = Jwk::generate_ec_key(EcCurve::P256)
            .map_err(|_| Error::malformed("EC key generation failed"))?;
        let kid = ec_thumbprint(&jwk)?;
        jwk.set_key_id(kid.clone());
        jwk.set_key_use("enc");
        jwk.set_algorithm(KeyAlgorithm::EcdhEsA256Kw.name());
        Ok(RecoveryKey {
            kid,
            material: Material::EcPrivate(jwk),
        })
    }

    /// Reads a JWK (RFC 7517): `kty` `oct` with a 32-byte `k`, or `kty` `EC` with `crv`
    /// `P-256`, 32-byte `x` and `y` and optionally a 32-byte `d`. An `alg` member, if
    /// present, must match; `use`, if present, must be `enc`. Without `kid` the key's RFC
    /// 7638 thumbprint is its kid. Problems are `invalid_parameter` (or `malformed` for text
    /// that is not a JSON object).
    pub fn from_jwk_json(text: &[u8]) -> Result<RecoveryKey> {
        let map: Map<String, Value> = serde_json::from_slice(text)
            .map_err(|e| Error::json("the key (a JWK, a JSON object)", &e))?;
        let string = |name: &str| -> Result<Option<&str>> {
            match map.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(Error::invalid_parameter(format!(
                    "the key's {name:?} must be a string"
                ))),
            }
        };
        if let Some(key_use) = string("use")? {
            if key_use != "enc" {
                return Err(Error::invalid_parameter(format!(
                    "the key's \"use\" is {}; a recovery key is for \"enc\"",
                    crate::error::shown(key_use)
                )));
            }
        }
        let given_kid = string("kid")?.map(str::to_owned);
        let (material, algorithm, thumb) = match string("kty")? {
            Some("oct") => {
                let k = string("k")?
                    .ok_or_else(|| Error::invalid_parameter("an oct key needs \"k\""))?;
                let bytes = Zeroizing::new(decode_exact("k", k, 32)?);
                let mut key = Zeroizing::new([0u8; 32]);
                key.copy_from_slice(&bytes);
                let thumb = thumbprint(&[("k", k), ("kty", "oct")]);
                (Material::Symmetric(key), KeyAlgorithm::A256Kw, thumb)
            }
            Some("EC") => {
                if string("crv")? != Some("P-256") {
                    return Err(Error::invalid_parameter(
                        "an EC recovery key must use crv P-256",
                    ));
                }
                let mut point = Vec::with_capacity(2);
                for name in ["x", "y"] {
                    let v = string(name)?.ok_or_else(|| {
                        Error::invalid_parameter(format!("an EC key needs {name:?}"))
                    })?;
                    point.push(decode_exact(name, v, 32)?);
                }
                if !on_p256(&point[0], &point[1]) {
                    return Err(Error::invalid_parameter(
                        "the EC key's x and y are not a point of P-256 (each below the prime, on the curve)",
                    ));
                }
                let private = match string("d")? {
                    Some(d) => {
                        let d = Zeroizing::new(decode_exact("d", d, 32)?);
                        if !is_private_key_of(&d, &point[0], &point[1]) {
                            return Err(Error::invalid_parameter(
                                "the EC key's d is not the private key of its x and y",
                            ));
                        }
                        true
                    }
                    None => false,
                };
                let jwk = Jwk::from_map(map.clone())
                    .map_err(|_| Error::invalid_parameter("the EC key is not usable"))?;
                let thumb = ec_thumbprint(&jwk)?;
                let material = if private {
                    Material::EcPrivate(jwk)
                } else {
                    Material::EcPublic(jwk)
                };
                (material, KeyAlgorithm::EcdhEsA256Kw, thumb)
            }
            Some(other) => {
                return Err(Error::invalid_parameter(format!(
                    "key type {} is not a recovery key (oct or EC)",
                    crate::error::shown(other)
                )))
            }
            None => return Err(Error::invalid_parameter("the key has no \"kty\"")),
        };
        if let Some(alg) = string("alg")? {
            if alg != algorithm.name() {
                return Err(Error::invalid_parameter(format!(
                    "the key says alg {} but a {} key is used with {}",
                    crate::error::shown(alg),
                    map["kty"],
                    algorithm.name()
                )));
            }
        }
        let kid = given_kid.unwrap_or(thumb);
        check_kid(&kid, ErrorCode::InvalidParameter)?;
        Ok(RecoveryKey { kid, material })
    }

    /// The JWK text of this key, private parts included (wiped on drop).
    pub fn to_jwk_json(&self) -> Zeroizing<String> {
        let map: Map<String, Value> = match &self.material {
            Material::Symmetric(key) => {
                let k = Zeroizing::new(BASE64URL_NOPAD.encode(&**key));
                let mut m = Map::new();
                m.insert("kty".into(), "oct".into());
                m.insert("kid".into(), self.kid.clone().into());
                m.insert("use".into(), "enc".into());
                m.insert("alg".into(), KeyAlgorithm::A256Kw.name().into());
                m.insert("k".into(), k.as_str().into());
                m
            }
            Material::EcPrivate(jwk) | Material::EcPublic(jwk) => jwk.as_ref().clone(),
        };
        Zeroizing::new(serde_json::to_string_pretty(&map).unwrap_or_default())
    }

    /// The public JWK text of an EC key (what a device needs to seal to it); `None` for a
    /// symmetric key, which has no public part.
    pub fn public_jwk_json(&self) -> Option<String> {
        match &self.material {
            Material::Symmetric(_) => None,
            Material::EcPrivate(jwk) | Material::EcPublic(jwk) => {
                let public = jwk.to_public_key().ok()?;
                let mut map: Map<String, Value> = public.into();
                map.insert("kid".into(), self.kid.clone().into());
                map.insert("alg".into(), KeyAlgorithm::EcdhEsA256Kw.name().into());
                serde_json::to_string_pretty(&map).ok()
            }
        }
    }

    /// The key id recipients are named by.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key-management algorithm this key is used with.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.material {
            Material::Symmetric(_) => KeyAlgorithm::A256Kw,
            _ => KeyAlgorithm::EcdhEsA256Kw,
        }
    }

    /// True when this key can open containers (symmetric, or an EC key with its private part).
    pub fn can_open(&self) -> bool {
        !matches!(self.material, Material::EcPublic(_))
    }

    pub(super) fn encrypter(&self) -> Result<Box<dyn josekit::jwe::JweEncrypter>> {
        let fail = |_: josekit::JoseError| Error::invalid_parameter("the key is not usable");
        Ok(match &self.material {
            Material::Symmetric(key) => Box::new(
                josekit::jwe::A256KW
                    .encrypter_from_bytes(key.as_slice())
                    .map_err(fail)?,
            ),
            Material::EcPrivate(jwk) | Material::EcPublic(jwk) => {
                let public = jwk.to_public_key().map_err(fail)?;
                Box::new(
                    josekit::jwe::ECDH_ES_A256KW
                        .encrypter_from_jwk(&public)
                        .map_err(fail)?,
                )
            }
        })
    }

    pub(super) fn decrypter(&self) -> Result<Box<dyn josekit::jwe::JweDecrypter>> {
        let fail = |_: josekit::JoseError| Error::invalid_parameter("the key is not usable");
        Ok(match &self.material {
            Material::Symmetric(key) => Box::new(
                josekit::jwe::A256KW
                    .decrypter_from_bytes(key.as_slice())
                    .map_err(fail)?,
            ),
            Material::EcPrivate(jwk) => Box::new(
                josekit::jwe::ECDH_ES_A256KW
                    .decrypter_from_jwk(jwk)
                    .map_err(fail)?,
            ),
            Material::EcPublic(_) => {
                return Err(Error::invalid_parameter(
                    "this EC key has no private part (\"d\"): it can seal but not open",
                ))
            }
        })
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.material {
            Material::Symmetric(_) => "symmetric",
            Material::EcPrivate(_) => "ec-private",
            Material::EcPublic(_) => "ec-public",
        };
        write!(f, "RecoveryKey({kind}, kid {:?})", self.kid)
    }
}

/// An offline recovery passphrase, with the PBKDF2 iteration count used when sealing.
/// Wiped on drop; `Debug` shows the iteration count only.
#[derive(Clone)]
pub struct Passphrase {
    bytes: Zeroizing<Vec<u8>>,
    iterations: u32,
}

/// The kid of the passphrase recipient.
pub const PASSPHRASE_KID: &str = "passphrase";

impl Passphrase {
    /// A passphrase from its bytes, exactly as given (REQ-CONTAINER-062: nothing trimmed or
    /// normalised, so every implementation derives the same key from the same text), sealed
    /// with [`P2C_MIN`] iterations unless [`Passphrase::with_iterations`] says otherwise.
    /// An empty passphrase is `invalid_parameter`. (The command line removes the line break
    /// a passphrase file ends with before it calls this.)
    pub fn new(bytes: &[u8]) -> Result<Passphrase> {
        if bytes.is_empty() {
            return Err(Error::invalid_parameter("the passphrase is empty"));
        }
        Ok(Passphrase {
            bytes: Zeroizing::new(bytes.to_vec()),
            iterations: P2C_MIN,
        })
    }

    /// The same passphrase sealing with `iterations` PBKDF2 rounds (`p2c`):
    /// `kdf_params_out_of_range` outside [`P2C_MIN`] to [`P2C_MAX`] (REQ-CONTAINER-051).
    pub fn with_iterations(mut self, iterations: u64) -> Result<Passphrase> {
        match u32::try_from(iterations) {
            Ok(n) if (P2C_MIN..=P2C_MAX).contains(&n) => {
                self.iterations = n;
                Ok(self)
            }
            _ => Err(Error::new(
                ErrorCode::KdfParamsOutOfRange,
                format!("{iterations} PBKDF2 iterations is outside {P2C_MIN} to {P2C_MAX}"),
            )),
        }
    }

    /// The PBKDF2 iteration count used when sealing.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    pub(super) fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Passphrase(<redacted>, {} iterations)", self.iterations)
    }
}

/// What a container is sealed to, or opened with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credential {
    /// A recovery key (symmetric or EC).
    Key(RecoveryKey),
    /// A recovery passphrase.
    Passphrase(Passphrase),
}

impl Credential {
    /// The kid of the recipient this credential makes or opens.
    pub fn kid(&self) -> &str {
        match self {
            Credential::Key(k) => k.kid(),
            Credential::Passphrase(_) => PASSPHRASE_KID,
        }
    }

    /// The key-management algorithm of this credential.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Credential::Key(k) => k.algorithm(),
            Credential::Passphrase(_) => KeyAlgorithm::Pbes2Hs512A256Kw,
        }
    }
}

/// REQ-CONTAINER-023: a kid is 1 to 128 bytes without control characters. `code` is the
/// caller's: `malformed` in a container, `invalid_parameter` in a key (REQ-CONTAINER-060).
pub(super) fn check_kid(kid: &str, code: ErrorCode) -> Result<()> {
    if kid.is_empty() || kid.len() > MAX_KID_BYTES || kid.chars().any(char::is_control) {
        return Err(Error::new(
            code,
            format!("a kid must be 1 to {MAX_KID_BYTES} bytes without control characters"),
        ));
    }
    Ok(())
}

/// True when `x` and `y` (big-endian) are the coordinates of a point of P-256: each below the
/// field prime, and on the curve (REQ-CONTAINER-026, REQ-CONTAINER-060). Checked before any
/// key agreement: an off-curve point lets the peer learn bits of a private key (an invalid-
/// curve attack), and a coordinate at or above the prime is another encoding of a point.
pub(super) fn on_p256(x: &[u8], y: &[u8]) -> bool {
    // josekit reads the point as an uncompressed SEC 1 encoding, which OpenSSL refuses when a
    // coordinate is at or above the prime or the point is off the curve.
    let mut map = Map::new();
    map.insert("kty".into(), "EC".into());
    map.insert("crv".into(), "P-256".into());
    map.insert("x".into(), BASE64URL_NOPAD.encode(x).into());
    map.insert("y".into(), BASE64URL_NOPAD.encode(y).into());
    Jwk::from_map(map)
        .and_then(|jwk| josekit::jwe::ECDH_ES_A256KW.encrypter_from_jwk(&jwk))
        .is_ok()
}

/// True when `d` (big-endian) is the private key of the P-256 point (`x`, `y`): a scalar
/// from 1 to n − 1 whose multiple of the base point is that point (REQ-CONTAINER-060).
/// OpenSSL's key check does exactly this (josekit has no call for it).
fn is_private_key_of(d: &[u8], x: &[u8], y: &[u8]) -> bool {
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    let check = || -> std::result::Result<(), openssl::error::ErrorStack> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
        let (x, y) = (BigNum::from_slice(x)?, BigNum::from_slice(y)?);
        // A secure BigNum is wiped when freed, as the EcKey's own copy is.
        let mut secret = BigNum::new_secure()?;
        secret.copy_from_slice(d)?;
        let public = EcKey::from_public_key_affine_coordinates(&group, &x, &y)?;
        EcKey::from_private_components(&group, &secret, public.public_key())?.check_key()
    };
    check().is_ok()
}

fn decode_exact(name: &str, text: &str, len: usize) -> Result<Vec<u8>> {
    match BASE64URL_NOPAD.decode(text.as_bytes()) {
        Ok(bytes) if bytes.len() == len => Ok(bytes),
        _ => Err(Error::invalid_parameter(format!(
            "the key's {name:?} must be {len} bytes in unpadded base64url"
        ))),
    }
}

/// RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, no spaces.
fn thumbprint(members: &[(&str, &str)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(*k), Value::from(*v)))
        .collect();
    let canonical = Zeroizing::new(format!("{{{}}}", body.join(",")));
    BASE64URL_NOPAD.encode(&Sha256::digest(canonical.as_bytes()))
}

fn ec_thumbprint(jwk: &Jwk) -> Result<String> {
    let get = |name: &str| {
        jwk.parameter(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid_parameter(format!("an EC key needs {name:?}")))
    };
    let (crv, x, y) = (get("crv")?, get("x")?, get("y")?);
    Ok(thumbprint(&[
        ("crv", &crv),
        ("kty", "EC"),
        ("x", &x),
        ("y", &y),
    ]))
}

#[cfg(test)]
mod point_tests {
    use super::{is_private_key_of, on_p256, RecoveryKey};
    use crate::error::ErrorCode;
    use data_encoding::BASE64URL_NOPAD;

    fn b(text: &str) -> Vec<u8> {
        BASE64URL_NOPAD.decode(text.as_bytes()).unwrap()
    }

    // Values computed independently (Python integers): the field prime p, the y of the point
    // whose x is 0 (b^((p+1)/4) mod p), and a key pair's public point.
    const P: &str = "_____wAAAAEAAAAAAAAAAAAAAAD_______________8";
    const Y0: &str = "ZkhceA4vg9ckM71dhKBrtlQcKvMdrocXKL-FahdPk_Q";
    const X: &str = "DXv6DMo3rzyIr1adh1v4D5fvpKAk0kWiFZovPObzirE";
    const Y: &str = "EaTDqumo9eYkWZLVQdUbsR9S7R_jusnGVRvcphq45dk";

    #[test]
    fn points_of_the_curve_are_accepted() {
        assert!(on_p256(&b(X), &b(Y)));
        assert!(on_p256(&[0; 32], &b(Y0)));
    }

    #[test]
    fn coordinates_at_or_above_the_prime_are_refused_not_reduced() {
        assert!(!on_p256(&b(P), &b(Y0)));
    }

    #[test]
    fn d_must_be_the_private_key_of_x_and_y() {
        // The key pair's d (drawn once, as X and Y), then scalars that are not its key.
        let d = b("4-MT-FLnC-iIEtiJzuZX69ik2SBdzv39Qf9EIm74jSg");
        assert!(is_private_key_of(&d, &b(X), &b(Y)));
        let mut one = [0u8; 32];
        one[31] = 1;
        let order = b("_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE");
        for other in [&one[..], &[0u8; 32], &order] {
            assert!(!is_private_key_of(other, &b(X), &b(Y)));
        }
    }

    #[test]
    fn a_key_kid_a_container_cannot_carry_is_invalid_parameter() {
        for kid in ["", "a\u{7}b", &"k".repeat(129)] {
            let jwk = serde_json::json!({ "kty": "oct", "kid": kid, "k": "A".repeat(43) });
            let e = RecoveryKey::from_jwk_json(jwk.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidParameter, "{kid:?}");
        }
    }

    #[test]
    fn points_off_the_curve_are_refused() {
        let mut y = b(Y);
        y[31] ^= 1;
        assert!(!on_p256(&b(X), &y));
        assert!(!on_p256(&[0; 32], &[0; 32]));
    }
}
