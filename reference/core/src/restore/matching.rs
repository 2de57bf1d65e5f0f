//! How a backup account finds its counterpart on the device (REQ-RESTORE-010 to
//! REQ-RESTORE-012): by identical secret, by id, by type, issuer and name after
//! normalisation. Hash indexes keep planning linear in the number of accounts.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::account::{normalise, AccountType, BackupAccount, CodeParams, DeviceAccount};

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

type NameKey = (AccountType, Option<String>, String);

/// What matching found for one backup account.
pub struct Match {
    /// The device account it matched and how, if any.
    pub found: Option<(usize, MatchKind)>,
    /// True when a device account has the backup account's id.
    pub id_on_device: bool,
}

/// No further device account in a chain.
const END: usize = usize::MAX;

/// The device's accounts indexed three ways, with a record of which are already matched.
/// Accounts sharing a secret or a name form a chain in device order (`next_*`), so the
/// index allocates nothing per account beyond the name keys, which it makes only for the
/// accounts the name pass can still match.
pub struct DeviceIndex<'a> {
    device: &'a [DeviceAccount],
    by_secret: HashMap<SecretKey<'a>, usize>,
    by_id: HashMap<&'a str, usize>,
    by_name: HashMap<NameKey, usize>,
    next_same_secret: Vec<usize>,
    next_same_name: Vec<usize>,
    matched: Vec<bool>,
}

impl<'a> DeviceIndex<'a> {
    /// Indexes every device account.
    pub fn new(device: &'a [DeviceAccount]) -> DeviceIndex<'a> {
        let mut index = DeviceIndex {
            device,
            by_secret: HashMap::with_capacity(device.len()),
            by_id: HashMap::with_capacity(device.len()),
            by_name: HashMap::new(),
            next_same_secret: vec![END; device.len()],
            next_same_name: Vec::new(),
            matched: vec![false; device.len()],
        };
        // Backwards, so that each map ends up naming the first account of its chain and
        // every chain runs in device order.
        for (i, d) in device.iter().enumerate().rev() {
            if let Some(secret) = d.secret.as_ref().filter(|_| d.account_type.bears_codes()) {
                let key = SecretKey(d.account_type, secret.expose_bytes(), d.params);
                index.next_same_secret[i] = index.by_secret.insert(key, i).unwrap_or(END);
            }
            index.by_id.insert(d.id.as_str(), i);
        }
        index
    }

    /// Indexes by name the device accounts not matched yet, the only ones the last pass
    /// can match (normalising names is the index's dearest work, so it is done only here).
    fn index_names(&mut self) {
        self.next_same_name = vec![END; self.device.len()];
        self.by_name
            .reserve(self.matched.iter().filter(|m| !**m).count());
        for (i, d) in self.device.iter().enumerate().rev() {
            if !self.matched[i] {
                let key = name_key(d.account_type, d.issuer.as_deref(), &d.name);
                self.next_same_name[i] = self.by_name.insert(key, i).unwrap_or(END);
            }
        }
    }

    /// The first device account identical to `b` (same type, secret, parameters).
    fn first_same_secret(&self, b: &BackupAccount) -> Option<usize> {
        b.key().and_then(|k| {
            let by_secret: &HashMap<SecretKey<'_>, usize> = &self.by_secret;
            by_secret
                .get(&SecretKey(
                    b.account_type,
                    k.secret.expose_bytes(),
                    k.params,
                ))
                .copied()
        })
    }

    /// Matches backup accounts to device accounts (REQ-RESTORE-011), in four passes over the
    /// backup, each in backup order: identical with the same id, identical under any id,
    /// same id, same type, issuer and name. Identical means same type, secret and
    /// parameters. A device account matched by id or name is matched once only. Returns,
    /// per backup account, the device index and how it matched, and whether a device account
    /// has its id.
    pub fn match_all(&mut self, backup: &[BackupAccount]) -> Vec<Match> {
        let mut found: Vec<Option<(usize, MatchKind)>> = vec![None; backup.len()];
        // Each backup account's id and secret are looked up once, for the first three passes.
        let hits: Vec<(Option<usize>, Option<usize>)> = backup
            .iter()
            .map(|b| {
                let by_id = self.by_id.get(b.id.as_str()).copied();
                (by_id, self.first_same_secret(b))
            })
            .collect();
        // Pass 1: the device account with the backup account's id is identical to it.
        for (j, &(by_id, same_secret)) in hits.iter().enumerate() {
            let Some(i) = by_id else {
                continue;
            };
            if !self.matched[i] && chain(&self.next_same_secret, same_secret).any(|k| k == i) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Secret));
            }
        }
        // Pass 2: an identical device account under another id. Several backup accounts
        // may find the same one (a backup holding one account twice): identical matches
        // change nothing, so they need not be one to one, and restoring twice must find the
        // copy the first restore made.
        for (j, &(_, same_secret)) in hits.iter().enumerate() {
            let Some(first) = same_secret.filter(|_| found[j].is_none()) else {
                continue;
            };
            let i = chain(&self.next_same_secret, Some(first))
                .find(|&i| !self.matched[i])
                .unwrap_or(first);
            self.matched[i] = true;
            found[j] = Some((i, MatchKind::Secret));
        }
        // Pass 3: the same id.
        for (j, &(by_id, _)) in hits.iter().enumerate() {
            if let Some(i) = by_id.filter(|&i| found[j].is_none() && !self.matched[i]) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Id));
            }
        }
        // Pass 4: the same type, issuer and name after normalisation.
        if found.iter().any(Option::is_none) {
            self.index_names();
        }
        for (j, b) in backup.iter().enumerate() {
            if found[j].is_some() {
                continue;
            }
            let first = self
                .by_name
                .get(&name_key(b.account_type, b.issuer(), &b.name))
                .copied();
            if let Some(i) = chain(&self.next_same_name, first).find(|&i| !self.matched[i]) {
                self.matched[i] = true;
                found[j] = Some((i, MatchKind::Name));
            }
        }
        let ids_used = hits.iter().map(|(by_id, _)| by_id.is_some());
        found
            .into_iter()
            .zip(ids_used)
            .map(|(found, id_on_device)| Match {
                found,
                id_on_device,
            })
            .collect()
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
        self.by_id.contains_key(id)
    }
}

/// The chain of device indexes that starts at `first` and follows `next`.
fn chain(next: &[usize], first: Option<usize>) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(first, move |&i| Some(next[i]).filter(|&n| n != END))
}

fn name_key(account_type: AccountType, issuer: Option<&str>, name: &str) -> NameKey {
    (account_type, issuer.map(normalise), normalise(name))
}
