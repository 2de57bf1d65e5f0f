//! The hard limits of a container (`spec/container.md`, "Limits"), all checked before any
//! key derivation or decryption starts.

/// The largest container, in bytes (REQ-CONTAINER-002).
pub const MAX_CONTAINER_BYTES: usize = 64 * 1024 * 1024;
/// The largest protected header, in bytes once base64url-decoded (REQ-CONTAINER-010).
pub const MAX_PROTECTED_HEADER_BYTES: usize = 4096;
/// The most recipients of one container (REQ-CONTAINER-004).
pub const MAX_RECIPIENTS: usize = 16;
/// The longest kid, in bytes (REQ-CONTAINER-023).
pub const MAX_KID_BYTES: usize = 128;
/// The fewest PBKDF2 iterations (`p2c`) accepted (REQ-CONTAINER-025).
pub const P2C_MIN: u32 = 210_000;
/// The most PBKDF2 iterations (`p2c`) accepted (REQ-CONTAINER-025).
pub const P2C_MAX: u32 = 1_000_000;
/// The shortest and longest PBES2 salt input (`p2s`), in bytes (REQ-CONTAINER-025).
pub const P2S_BYTES: std::ops::RangeInclusive<usize> = 16..=64;
