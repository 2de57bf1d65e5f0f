//! How a backup account finds its counterpart on the device (REQ-RESTORE-010 to
//! REQ-RESTORE-012): by identical secret, by id, by type, issuer and name after
//! normalisation. Hash indexes keep planning linear in the number of accounts.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::account::{normalise, AccountType, BackupAccount, CodeParams, DeviceAccount};
use crate::secret::Secret;

/// How a backup account was matched to a device account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MatchKind {
    /// Same type, secret and code parameters: the same account, whatever it is called.
    Secret,
    /// Same account id.
    Id,
    /// Same type, issuer and name after normalisation.
    Name,
}

impl MatchKind {
    /// `secret`, `id` or `name`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MatchKind::Secret => "secret",
            MatchKind::Id => "id",
            MatchKind::Name => "name",
        }
    }
}

/// A fingerprint of type, secret and parameters: equal fingerprints, identical keys. The
/// secret itself is never used as a map key, so no unwiped copy of it is kept.
fn key_fingerprint(account_type: AccountType, secret: &Secret, params: &CodeParams) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(account_type.as_str().as_bytes());
    h.update([0]);
    h.update(params.algorithm.name().as_bytes());
    h.update([params.digits.get()]);
    h.update(params.period.get().to_be_bytes());
    h.update((secret.len() as u64).to_be_bytes());
    h.update(secret.expose_bytes());
    h.finalize().into()
}

type NameKey = (AccountType, Option<String>, String);

/// The device's accounts indexed three ways, with a record of which are already matched.
pub struct DeviceIndex<'a> {
    device: &'a [DeviceAccount],
    by_secret: HashMap<[u8; 32], Vec<usize>>,
    by_id: HashMap<&'a str, usize>,
    by_name: HashMap<NameKey, Vec<usize>>,
    matched: Vec<bool>,
}

impl<'a> DeviceIndex<'a> {
    /// Indexes every device account.
    pub fn new(device: &'a [DeviceAccount]) -> DeviceIndex<'a> {
        let mut index = DeviceIndex {
            device,
            by_secret: HashMap::with_capacity(device.len()),
            by_id: HashMap::with_capacity(device.len()),
            by_name: HashMap::with_capacity(device.len()),
            matched: vec![false; device.len()],
        };
        for (i, d) in device.iter().enumerate() {
            if let Some(secret) = d.secret.as_ref().filter(|_| d.account_type.bears_codes()) {
                let fp = key_fingerprint(d.account_type, secret, &d.params);
                index.by_secret.entry(fp).or_default().push(i);
            }
            index.by_id.entry(d.id.as_str()).or_insert(i);
            index
                .by_name
                .entry(name_key(d.account_type, d.issuer.as_deref(), &d.name))
                .or_default()
                .push(i);
        }
        index
    }

    /// Matches backup accounts to device accounts (REQ-RESTORE-011), in four passes over the
    /// backup, each in backup order: identical with the same id, identical under any id,
    /// same id, same type, issuer and name. Identical means same type, secret and
    /// parameters. A device account matched by id or name is matched once only. Returns,
    /// per backup account, the device index and how it matched.
    pub fn match_all(&mut self, backup: &[BackupAccount]) -> Vec<Option<(usize, MatchKind)>> {
        let fingerprints: Vec<Option<[u8; 32]>> = backup
            .iter()
            .map(|b| {
                b.key()
                    .map(|k| key_fingerprint(b.account_type, &k.secret, &k.params))
            })
            .collect();
        let mut found: Vec<Option<(usize, MatchKind)>> = vec![None; backup.len()];
        // Pass 1: the device account with the backup account's id is identical to it.
        for (j, b) in backup.iter().enumerate() {
            let (Some(fp), Some(&i)) = (fingerprints[j], self.by_id.get(b.id.as_str())) else {
                continue;
            };
            if !self.matched[i] && self.by_secret.get(&fp).is_some_and(|l| l.contains(&i)) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Secret));
            }
        }
        // Pass 2: an identical device account under another id. Several backup accounts
        // may find the same one (a backup holding one account twice): identical matches
        // change nothing, so they need not be one to one, and restoring twice must find the
        // copy the first restore made.
        for (j, fp) in fingerprints.iter().enumerate() {
            let Some(fp) = fp.filter(|_| found[j].is_none()) else {
                continue;
            };
            let Some(list) = self.by_secret.get(&fp) else {
                continue;
            };
            let matched = &self.matched;
            let unmatched = list.iter().copied().find(|&i| !matched[i]);
            if let Some(i) = unmatched.or(list.first().copied()) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Secret));
            }
        }
        // Pass 3: the same id.
        for (j, b) in backup.iter().enumerate() {
            if found[j].is_some() {
                continue;
            }
            if let Some(&i) = self.by_id.get(b.id.as_str()) {
                if !self.matched[i] {
                    self.matched[i] = true;
                    found[j] = Some((i, MatchKind::Id));
                }
            }
        }
        // Pass 4: the same type, issuer and name after normalisation.
        for (j, b) in backup.iter().enumerate() {
            if found[j].is_some() {
                continue;
            }
            let key = name_key(b.account_type, b.issuer(), &b.name);
            let matched = &self.matched;
            if let Some(i) = self
                .by_name
                .get(&key)
                .and_then(|l| l.iter().copied().find(|&i| !matched[i]))
            {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Name));
            }
        }
        found
    }

    /// Device accounts that no backup account matched, in device order.
    pub fn unmatched(&self) -> impl Iterator<Item = &'a DeviceAccount> + '_ {
        self.device
            .iter()
            .zip(&self.matched)
            .filter(|(_, m)| !**m)
            .map(|(d, _)| d)
    }
}

fn name_key(account_type: AccountType, issuer: Option<&str>, name: &str) -> NameKey {
    (account_type, issuer.map(normalise), normalise(name))
}
