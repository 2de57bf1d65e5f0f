//! The last matching pass's index (REQ-RESTORE-012): device accounts by type, issuer and
//! name after normalisation. Every normalised issuer and name is written once into one
//! shared text and the table holds only the keys' hashes, so indexing allocates nothing per
//! account.

use std::ops::Range;

use super::chains::HashChains;
use crate::account::{normalise_into, AccountType, DeviceAccount};
use crate::error::Result;

/// Where one account's normalised issuer and name are in a text written by [`Key::write`].
#[derive(Clone)]
struct Key {
    account_type: AccountType,
    issuer: Option<Range<usize>>,
    name: Range<usize>,
}

/// A key as compared and hashed: type, normalised issuer, normalised name.
pub type KeyView<'a> = (AccountType, Option<&'a str>, &'a str);

impl Key {
    /// Appends the normalised issuer and name to `text`; returns where they are.
    fn write(
        text: &mut String,
        account_type: AccountType,
        issuer: Option<&str>,
        name: &str,
    ) -> Key {
        let mut part = |t: &str| {
            let start = text.len();
            normalise_into(t, text);
            start..text.len()
        };
        Key {
            account_type,
            issuer: issuer.map(&mut part),
            name: part(name),
        }
    }

    fn view<'a>(&self, text: &'a str) -> KeyView<'a> {
        (
            self.account_type,
            self.issuer.clone().map(|r| &text[r]),
            &text[self.name.clone()],
        )
    }
}

/// The normalised keys of a list of accounts (none for an account left out), their issuers
/// and names written one after another into one text.
struct Keys {
    text: String,
    keys: Vec<Option<Key>>,
}

impl Keys {
    /// The keys of the accounts `parts` gives, in order: for each, its type, issuer and name,
    /// or none to leave it out.
    fn new<'p>(parts: impl Iterator<Item = Option<KeyView<'p>>>) -> Keys {
        let mut text = String::new();
        let keys = parts
            .map(|p| p.map(|(t, issuer, name)| Key::write(&mut text, t, issuer, name)))
            .collect();
        Keys { text, keys }
    }

    /// Account `i`'s key, if it has one.
    fn get(&self, i: usize) -> Option<KeyView<'_>> {
        self.keys[i].as_ref().map(|k| k.view(&self.text))
    }

    /// Every account's key, in order.
    fn views(&self) -> impl Iterator<Item = Option<KeyView<'_>>> {
        self.keys
            .iter()
            .map(|k| k.as_ref().map(|k| k.view(&self.text)))
    }
}

/// Device accounts by normalised type, issuer and name.
pub struct NameIndex {
    device: Keys,
    chains: HashChains,
}

/// Accounts to look up in a [`NameIndex`], prepared all at once (keys written, indexes
/// read) by [`NameIndex::look_up`].
pub struct Wanted {
    keys: Keys,
    firsts: Vec<Option<usize>>,
}

impl NameIndex {
    /// Indexes the device accounts for which `include` holds.
    pub fn new(device: &[DeviceAccount], include: impl Fn(usize) -> bool) -> Result<NameIndex> {
        let device = Keys::new(device.iter().enumerate().map(|(i, d)| {
            include(i).then_some((d.account_type, d.issuer.as_deref(), d.name.as_str()))
        }));
        let chains = HashChains::new(device.views())?;
        Ok(NameIndex { device, chains })
    }

    /// Prepares looking up the accounts `parts` gives, in order: for each, its type, issuer
    /// and name, or none (never looked up). Every key is written and hashed, and the index
    /// read, before any is compared (see [`HashChains::firsts`]).
    pub fn look_up<'p>(&self, parts: impl Iterator<Item = Option<KeyView<'p>>>) -> Wanted {
        let keys = Keys::new(parts);
        let firsts = self.chains.firsts(keys.views());
        Wanted { keys, firsts }
    }

    /// The first indexed device account, in device order, with the key of account `k` of
    /// `wanted` for which `usable` holds.
    pub fn find(&self, wanted: &Wanted, k: usize, usable: impl Fn(usize) -> bool) -> Option<usize> {
        let key = wanted.keys.get(k)?;
        self.chains
            .chain_from(wanted.firsts[k])
            .find(|&i| self.device.get(i) == Some(key) && usable(i))
    }
}

#[cfg(test)]
mod tests {
    use super::{Key, NameIndex};
    use crate::account::{AccountType, DeviceAccount};

    type Owned = (AccountType, Option<String>, String);

    fn key(account_type: AccountType, issuer: Option<&str>, name: &str) -> Owned {
        let mut text = String::from("before");
        let (t, i, n) = Key::write(&mut text, account_type, issuer, name).view(&text);
        (t, i.map(str::to_string), n.to_string())
    }

    #[test]
    fn keys_are_equal_exactly_when_the_normalised_parts_are() {
        let t = AccountType::Totp;
        assert_eq!(
            key(t, Some(" ACME  Inc"), "Alice"),
            key(t, Some("acme inc"), " alice ")
        );
        assert_ne!(key(t, Some("ACME"), "alice"), key(t, None, "alice"));
        assert_ne!(key(t, Some(""), "alice"), key(t, None, "alice"));
        assert_ne!(key(t, Some("a b"), "c"), key(t, Some("a"), "b c"));
        assert_eq!(key(t, Some("Ab"), "c"), (t, Some("ab".into()), "c".into()));
        assert_ne!(key(t, None, "a"), key(AccountType::MsaTotp, None, "a"));
    }

    #[test]
    fn finds_the_first_usable_account_of_a_key_in_device_order() {
        let device = DeviceAccount::list_from_json(
            br#"{"accounts": [
            {"id": "1", "type": "totp", "issuer": "ACME", "name": "alice", "secret": "JBSWY3DPEHPK3PXP"},
            {"id": "2", "type": "totp", "issuer": "acme", "name": "ALICE", "secret": "JBSWY3DPEHPK3PXQ"},
            {"id": "3", "type": "totp", "name": "alice", "secret": "JBSWY3DPEHPK3PXR"},
            {"id": "4", "type": "totp", "issuer": "acme", "name": "alice", "secret": "JBSWY3DPEHPK3PXS"}
        ]}"#,
        )
        .unwrap();
        let index = NameIndex::new(&device, |i| i != 3).unwrap();
        let t = AccountType::Totp;
        let wanted = index.look_up(
            [
                Some((t, Some("Acme"), "Alice")),
                Some((t, None, "alice")),
                Some((AccountType::MsaTotp, None, "alice")),
                None,
            ]
            .into_iter(),
        );
        assert_eq!(index.find(&wanted, 0, |_| true), Some(0));
        assert_eq!(index.find(&wanted, 0, |i| i != 0), Some(1));
        assert_eq!(index.find(&wanted, 0, |i| i > 1), None);
        assert_eq!(index.find(&wanted, 1, |_| true), Some(2));
        assert_eq!(index.find(&wanted, 2, |_| true), None);
        assert_eq!(index.find(&wanted, 3, |_| true), None);
    }
}
