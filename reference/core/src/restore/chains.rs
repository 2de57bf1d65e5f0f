//! Device accounts grouped by the hash of a key (their secret, id or name), the index each
//! matching pass looks up. The table holds only 32 bits of each hash and the first account
//! with it, and accounts of the same hash form a chain in device order, so an index of
//! 100,000 accounts takes about a megabyte; callers compare the keys of the accounts a
//! chain names.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use crate::error::{Error, Result};

/// No further account in a chain.
const END: u32 = u32::MAX;

/// Turns keys into the short hashes a [`HashChains`] holds, with a key of its own drawn at
/// random (a backup cannot choose collisions).
pub struct KeyHasher(RandomState);

impl KeyHasher {
    /// A hasher with a fresh random key.
    pub fn new() -> KeyHasher {
        KeyHasher(RandomState::new())
    }

    /// The short hash of `key`.
    pub fn short<K: Hash>(&self, key: K) -> u32 {
        short(self.0.hash_one(key))
    }

    /// The short hash of each of `keys`, in order (none for none).
    fn shorts<K: Hash>(&self, keys: impl Iterator<Item = Option<K>>) -> Vec<Option<u32>> {
        keys.map(|k| k.map(|k| self.short(k))).collect()
    }
}

/// Accounts by the hash of a key.
pub struct HashChains {
    hasher: KeyHasher,
    first: HashMap<u32, u32, BuildHasherDefault<Prehashed>>,
    next: Vec<u32>,
}

impl HashChains {
    /// Indexes `keys`: for each account, in order, its key or none (not indexed).
    pub fn new<K: Hash>(keys: impl Iterator<Item = Option<K>>) -> Result<HashChains> {
        let hasher = KeyHasher::new();
        let hashes = hasher.shorts(keys);
        HashChains::of_hashes(hasher, &hashes)
    }

    /// Indexes accounts by the short hashes `hasher` gave their keys: for each account, in
    /// order, its hash or none (not indexed). Every key is hashed before the table is filled,
    /// so that the table's writes, which land anywhere in it, come in a loop short enough
    /// for the processor to wait for many at once. Accounts are numbered with 32 bits, which
    /// keeps the index small: `too_large` for more than `u32::MAX - 1` accounts.
    pub fn of_hashes(hasher: KeyHasher, hashes: &[Option<u32>]) -> Result<HashChains> {
        let count = u32::try_from(hashes.len())
            .ok()
            .filter(|&n| n < END)
            .ok_or_else(|| {
                Error::too_large(format!(
                    "restore matches at most {} device accounts; this device has {}",
                    END - 1,
                    hashes.len()
                ))
            })?;
        let mut first = HashMap::with_capacity_and_hasher(hashes.len(), Default::default());
        let mut next = vec![END; hashes.len()];
        // Backwards, so that the table names the first account of each chain and every
        // chain runs in device order.
        for (i, hash) in (0..count).zip(hashes).rev() {
            if let Some(hash) = *hash {
                next[i as usize] = first.insert(hash, i).unwrap_or(END);
            }
        }
        Ok(HashChains {
            hasher,
            first,
            next,
        })
    }

    /// The hasher of this index's keys.
    pub fn hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    /// The first account whose key may be `key` (the first with its hash).
    pub fn first<K: Hash>(&self, key: K) -> Option<usize> {
        self.first_of_hash(self.hasher.short(key))
    }

    /// The first account whose key has the short hash `hash`.
    fn first_of_hash(&self, hash: u32) -> Option<usize> {
        self.first.get(&hash).map(|&i| i as usize)
    }

    /// For each of `keys`, in order, the first account whose key may be it (as
    /// [`HashChains::first`]), every key hashed before the table is read (see
    /// [`HashChains::firsts_of_hashes`]).
    pub fn firsts<K: Hash>(&self, keys: impl Iterator<Item = Option<K>>) -> Vec<Option<usize>> {
        self.firsts_of_hashes(&self.hasher.shorts(keys))
    }

    /// For each of `hashes` (short hashes from [`HashChains::hasher`]), in order, the first
    /// account whose key has it. The table's reads, which land anywhere in a table too large
    /// for the caches, come in a loop of their own, short enough for the processor to wait
    /// for many of them at once.
    pub fn firsts_of_hashes(&self, hashes: &[Option<u32>]) -> Vec<Option<usize>> {
        let first = |hash: u32| self.first_of_hash(hash);
        hashes.iter().map(|h| h.and_then(first)).collect()
    }

    /// The accounts of `from`'s chain, `from` first: those whose key has the same hash, in
    /// order.
    pub fn chain_from(&self, from: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(from, |&i| {
            Some(self.next[i]).filter(|&n| n != END).map(|n| n as usize)
        })
    }

    /// The accounts whose key may be `key` (those with its hash), in order.
    #[cfg(test)]
    pub fn candidates<K: Hash>(&self, key: K) -> impl Iterator<Item = usize> + '_ {
        self.chain_from(self.first(key))
    }
}

/// The half of a 64-bit hash the table keeps (accounts of equal halves share a chain).
fn short(hash: u64) -> u32 {
    #[cfg(test)]
    if EVERY_KEY_COLLIDES.get() {
        return 0;
    }
    (hash >> 32) as u32
}

#[cfg(test)]
thread_local! {
    static EVERY_KEY_COLLIDES: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every key of every index in one chain, so that a test can check that the
/// callers compare keys rather than trust hashes.
#[cfg(test)]
pub fn with_every_key_colliding<T>(f: impl FnOnce() -> T) -> T {
    EVERY_KEY_COLLIDES.set(true);
    let result = f();
    EVERY_KEY_COLLIDES.set(false);
    result
}

/// The hasher of a table whose keys are hashes already: a key is its own hash.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u32` is used (the keys are `u32`); this keeps the hasher total.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        // Spread over 64 bits: the table takes its buckets from the low bits and its tags
        // from the high ones.
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::{with_every_key_colliding, HashChains, Prehashed};
    use std::hash::Hasher;

    #[test]
    fn candidates_hold_every_account_of_the_key_in_order() {
        let keys = [Some("a"), Some("b"), None, Some("a"), Some("c"), Some("a")];
        let chains = HashChains::new(keys.iter().copied()).unwrap();
        let of = |k: &str| -> Vec<usize> {
            chains
                .candidates(k)
                .filter(|&i| keys[i] == Some(k))
                .collect()
        };
        assert_eq!(of("a"), [0, 3, 5]);
        assert_eq!(of("b"), [1]);
        assert_eq!(of("c"), [4]);
        assert!(of("d").is_empty());
    }

    #[test]
    fn distinct_keys_spread_over_chains() {
        let keys: Vec<String> = (0..2000).map(|i| format!("key-{i}")).collect();
        let chains = HashChains::new(keys.iter().map(|k| Some(k.as_str()))).unwrap();
        let longest = keys
            .iter()
            .map(|k| chains.candidates(k.as_str()).count())
            .max();
        assert!(longest <= Some(3), "{longest:?}");
    }

    #[test]
    fn the_table_hasher_spreads_short_hashes() {
        let finish = |n: u32| {
            let mut h = Prehashed::default();
            h.write_u32(n);
            h.finish()
        };
        let all: std::collections::HashSet<u64> = (0..1000).map(finish).collect();
        assert_eq!(all.len(), 1000);
        // Consecutive keys differ in the high bits the table takes its tags from.
        assert_ne!(finish(1) >> 57, finish(2) >> 57);
    }

    #[test]
    fn colliding_keys_share_one_chain_in_order() {
        let keys = [Some("a"), Some("b"), None, Some("c")];
        let chains = with_every_key_colliding(|| HashChains::new(keys.iter().copied()).unwrap());
        let all: Vec<usize> = with_every_key_colliding(|| chains.candidates("x").collect());
        assert_eq!(all, [0, 1, 3]);
    }
}
