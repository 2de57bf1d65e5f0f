//! How a backup account finds its counterpart on the device (REQ-RESTORE-010 to
//! REQ-RESTORE-012): by identical secret, by id, by type, issuer and name after
//! normalisation. Hash indexes keep planning linear in the number of accounts.

use std::hash::{Hash, Hasher};

use super::chains::{HashChains, KeyHasher};
use super::fingerprint::Fingerprint;
use super::name_index::NameIndex;
use crate::account::{AccountType, BackupAccount, CodeParams, DeviceAccount};
use crate::error::Result;

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

/// What makes two code-bearing accounts the same account: type, secret and parameters. The
/// secret is borrowed from the account that holds it, so the index keeps no copy of it.
#[derive(PartialEq, Eq)]
struct SecretKey<'a>(AccountType, &'a [u8], CodeParams);

impl Hash for SecretKey<'_> {
    /// The type and parameters as one write and the secret as another (a hasher's cost is
    /// mostly per write; the secret is not copied).
    fn hash<H: Hasher>(&self, state: &mut H) {
        let SecretKey(account_type, secret, params) = self;
        let mut fixed = [0u8; 11];
        fixed[0] = *account_type as u8;
        fixed[1] = params.algorithm as u8;
        fixed[2] = params.digits.get();
        fixed[3..].copy_from_slice(&params.period.get().to_le_bytes());
        state.write(&fixed);
        state.write(secret);
    }
}

impl<'a> SecretKey<'a> {
    /// A device account's key, when it bears codes and has a secret.
    fn of_device(d: &'a DeviceAccount) -> Option<SecretKey<'a>> {
        let secret = d.secret.as_ref().filter(|_| d.account_type.bears_codes())?;
        Some(SecretKey(d.account_type, secret.expose_bytes(), d.params))
    }

    /// A backup account's key, when it bears codes.
    fn of_backup(b: &'a BackupAccount) -> Option<SecretKey<'a>> {
        let key = b.key()?;
        Some(SecretKey(
            b.account_type,
            key.secret.expose_bytes(),
            key.params,
        ))
    }
}

/// What matching found for one backup account.
pub struct Match {
    /// The device account it matched and how, if any.
    pub found: Option<(usize, MatchKind)>,
    /// True when a device account has the backup account's id.
    pub id_on_device: bool,
}

/// What the indexes give for one backup account, looked up once for the first three
/// matching passes.
struct Hit {
    /// The first device account with its id.
    by_id: Option<usize>,
    /// The first device account identical to it.
    same_secret: Option<usize>,
    /// `by_id`, when that account is identical to it.
    identical_by_id: Option<usize>,
}

/// The device's accounts indexed by secret and by id, with a record of which are already
/// matched, and the device's fingerprint. The name index is made only for the last pass, of
/// the accounts it can still match.
pub struct DeviceIndex<'a> {
    device: &'a [DeviceAccount],
    by_secret: HashChains,
    by_id: HashChains,
    matched: Vec<bool>,
    fingerprint: [u8; 32],
}

impl<'a> DeviceIndex<'a> {
    /// Indexes every device account. The accounts are read once, for both indexes and the
    /// fingerprint: with many accounts, reading them costs more than the hashing.
    pub fn new(device: &'a [DeviceAccount]) -> Result<DeviceIndex<'a>> {
        let (secret_hasher, id_hasher) = (KeyHasher::new(), KeyHasher::new());
        let mut fingerprint = Fingerprint::new();
        let (secrets, ids): (Vec<_>, Vec<_>) = device
            .iter()
            .map(|d| {
                fingerprint.add(d);
                let secret = SecretKey::of_device(d).map(|k| secret_hasher.short(k));
                (secret, Some(id_hasher.short(d.id.as_str())))
            })
            .unzip();
        Ok(DeviceIndex {
            device,
            by_secret: HashChains::of_hashes(secret_hasher, &secrets)?,
            by_id: HashChains::of_hashes(id_hasher, &ids)?,
            matched: vec![false; device.len()],
            fingerprint: fingerprint.finish(),
        })
    }

    /// The fingerprint of the device indexed.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The device accounts identical to the account of `key` (same type, secret,
    /// parameters), in device order, starting at `from` (the first of them).
    fn same_secret<'k>(
        &'k self,
        key: &'k SecretKey<'_>,
        from: Option<usize>,
    ) -> impl Iterator<Item = usize> + 'k {
        self.by_secret
            .chain_from(from)
            .filter(move |&i| SecretKey::of_device(&self.device[i]).as_ref() == Some(key))
    }

    /// The first device account with id `id`.
    fn with_id(&self, id: &str) -> Option<usize> {
        self.with_id_from(id, self.by_id.first(id))
    }

    /// The first device account with id `id`, starting at `from`, the first in the index
    /// whose id may be `id`.
    fn with_id_from(&self, id: &str, from: Option<usize>) -> Option<usize> {
        self.by_id
            .chain_from(from)
            .find(|&i| self.device[i].id == id)
    }

    /// What the indexes give for each backup account (with its identity key, if any). The
    /// backup is read once for both indexes' hashes, and both indexes are read before any
    /// key is compared (see [`HashChains::firsts_of_hashes`]).
    fn hits(&self, backup: &[BackupAccount], keys: &[Option<SecretKey<'_>>]) -> Vec<Hit> {
        let (id_hashes, secret_hashes): (Vec<_>, Vec<_>) = backup
            .iter()
            .zip(keys)
            .map(|(b, key)| {
                let secret = key.as_ref().map(|k| self.by_secret.hasher().short(k));
                (Some(self.by_id.hasher().short(b.id())), secret)
            })
            .unzip();
        let id_firsts = self.by_id.firsts_of_hashes(&id_hashes);
        let secret_firsts = self.by_secret.firsts_of_hashes(&secret_hashes);
        let firsts = id_firsts.into_iter().zip(secret_firsts);
        backup
            .iter()
            .zip(keys)
            .zip(firsts)
            .map(|((b, key), (id_first, secret_first))| {
                let by_id = self.with_id_from(b.id(), id_first);
                let same_secret = key
                    .as_ref()
                    .and_then(|k| self.same_secret(k, secret_first).next());
                // Compared now, while the device account is in the caches.
                let identical = |&i: &usize| SecretKey::of_device(&self.device[i]) == *key;
                Hit {
                    by_id,
                    same_secret,
                    identical_by_id: by_id.filter(|_| same_secret.is_some()).filter(identical),
                }
            })
            .collect()
    }

    /// Matches backup accounts to device accounts (REQ-RESTORE-011), in four passes over the
    /// backup, each in backup order: identical with the same id, identical under any id,
    /// same id, same type, issuer and name. Identical means same type, secret and
    /// parameters. A device account matched by id or name is matched once only. Returns,
    /// per backup account, the device index and how it matched, and whether a device account
    /// has its id.
    pub fn match_all(&mut self, backup: &[BackupAccount]) -> Result<Vec<Match>> {
        let mut found: Vec<Option<(usize, MatchKind)>> = vec![None; backup.len()];
        let keys: Vec<Option<SecretKey<'_>>> = backup.iter().map(SecretKey::of_backup).collect();
        // Each backup account's id and secret are looked up once, for the first three passes.
        let hits = self.hits(backup, &keys);
        // Pass 1: the device account with the backup account's id is identical to it.
        for (j, hit) in hits.iter().enumerate() {
            if let Some(i) = hit.identical_by_id.filter(|&i| !self.matched[i]) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Secret));
            }
        }
        // Pass 2: an identical device account under another id. Several backup accounts
        // may find the same one (a backup holding one account twice): identical matches
        // change nothing, so they need not be one to one, and restoring twice must find the
        // copy the first restore made.
        for (j, hit) in hits.iter().enumerate() {
            let (Some(first), Some(key)) =
                (hit.same_secret.filter(|_| found[j].is_none()), &keys[j])
            else {
                continue;
            };
            let i = self
                .same_secret(key, Some(first))
                .find(|&i| !self.matched[i])
                .unwrap_or(first);
            self.matched[i] = true;
            found[j] = Some((i, MatchKind::Secret));
        }
        // Pass 3: the same id.
        for (j, hit) in hits.iter().enumerate() {
            if let Some(i) = hit
                .by_id
                .filter(|&i| found[j].is_none() && !self.matched[i])
            {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Id));
            }
        }
        // Pass 4: the same type, issuer and name after normalisation, among the device
        // accounts not matched yet.
        if found.iter().any(Option::is_none) {
            let matched = &self.matched;
            let names = NameIndex::new(self.device, |i| !matched[i])?;
            let wanted = names.look_up(backup.iter().zip(&found).map(|(b, f)| {
                f.is_none()
                    .then_some((b.account_type, b.issuer(), b.name()))
            }));
            for (j, found) in found.iter_mut().enumerate() {
                let unmatched = |i: usize| !self.matched[i];
                if let Some(i) = names.find(&wanted, j, unmatched) {
                    self.matched[i] = true;
                    *found = Some((i, MatchKind::Name));
                }
            }
        }
        let ids_used = hits.iter().map(|hit| hit.by_id.is_some());
        Ok(found
            .into_iter()
            .zip(ids_used)
            .map(|(found, id_on_device)| Match {
                found,
                id_on_device,
            })
            .collect())
    }

    /// Device accounts that no backup account matched, in device order.
    pub fn unmatched(&self) -> impl Iterator<Item = &'a DeviceAccount> + '_ {
        self.device
            .iter()
            .zip(&self.matched)
            .filter(|(_, m)| !**m)
            .map(|(d, _)| d)
    }

    /// True when a device account has id `id`.
    pub fn has_id(&self, id: &str) -> bool {
        self.with_id(id).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::{DeviceIndex, SecretKey};
    use crate::account::{AccountState, AccountType, CodeParams, DeviceAccount};
    use crate::secret::Secret;

    #[test]
    fn distinct_secrets_spread_over_chains() {
        let device: Vec<DeviceAccount> = (0..500u32)
            .map(|i| DeviceAccount {
                id: i.to_string(),
                account_type: AccountType::Totp,
                issuer: None,
                name: "alice".into(),
                secret: Some(Secret::from_bytes([i.to_be_bytes(); 4].concat()).unwrap()),
                params: CodeParams::default(),
                token: None,
                excluded_by_policy: false,
                state: AccountState::Ready,
            })
            .collect();
        let index = DeviceIndex::new(&device).unwrap();
        for d in &device {
            let key = SecretKey::of_device(d).unwrap();
            let chain = index.by_secret.candidates(&key).count();
            assert!(chain <= 3, "{chain}");
        }
    }
}
