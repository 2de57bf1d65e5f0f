//! A digest of everything restore reads of a device, to tie a plan to the device state it
//! was made for (REQ-RESTORE-040: [`apply`](super::apply) refuses another state).

use sha2::{Digest, Sha256};

use crate::account::DeviceAccount;

/// A device's fingerprint being made, one account at a time (so that the pass that indexes
/// the accounts can make it while it reads them).
pub struct Fingerprint(Sha256);

impl Fingerprint {
    /// The fingerprint of no accounts yet.
    pub fn new() -> Fingerprint {
        Fingerprint(Sha256::new())
    }

    /// Adds the device's next account.
    pub fn add(&mut self, d: &DeviceAccount) {
        let mut field = |bytes: &[u8]| {
            self.0.update((bytes.len() as u64).to_be_bytes());
            self.0.update(bytes);
        };
        field(d.id.as_bytes());
        field(d.account_type.as_str().as_bytes());
        field(d.issuer.as_deref().unwrap_or("\u{0}").as_bytes());
        field(d.name.as_bytes());
        field(d.secret.as_ref().map_or(&[][..], |s| s.expose_bytes()));
        field(d.params.algorithm.name().as_bytes());
        field(&[d.params.digits.get()]);
        field(&d.params.period.get().to_be_bytes());
        field(d.token.as_ref().map_or(&[][..], |t| t.expose().as_bytes()));
        field(&[u8::from(d.token.is_some()), u8::from(d.excluded_by_policy)]);
        field(d.state.as_str().as_bytes());
    }

    /// The digest of the accounts added, in order.
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// The fingerprint of `device`.
pub fn fingerprint(device: &[DeviceAccount]) -> [u8; 32] {
    let mut f = Fingerprint::new();
    device.iter().for_each(|d| f.add(d));
    f.finish()
}
