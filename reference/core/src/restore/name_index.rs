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
type KeyView<'a> = (AccountType, Option<&'a str>, &'a str);

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

/// Device accounts by normalised type, issuer and name.
pub struct NameIndex {
    /// The normalised issuers and names of the indexed accounts, one after another.
    texts: String,
    /// Per device account, its key (none when it is not indexed).
    keys: Vec<Option<Key>>,
    chains: HashChains,
    /// The text of the key being looked up.
    wanted: String,
}

impl NameIndex {
    /// Indexes the device accounts for which `include` holds.
    pub fn new(device: &[DeviceAccount], include: impl Fn(usize) -> bool) -> Result<NameIndex> {
        let mut texts = String::new();
        let keys: Vec<Option<Key>> = device
            .iter()
            .enumerate()
            .map(|(i, d)| {
                include(i)
                    .then(|| Key::write(&mut texts, d.account_type, d.issuer.as_deref(), &d.name))
            })
            .collect();
        let chains = HashChains::new(keys.iter().map(|k| k.as_ref().map(|k| k.view(&texts))))?;
        Ok(NameIndex {
            texts,
            keys,
            chains,
            wanted: String::new(),
        })
    }

    /// The first indexed device account, in device order, with the key of `account_type`,
    /// `issuer` and `name` for which `usable` holds.
    pub fn find(
        &mut self,
        account_type: AccountType,
        issuer: Option<&str>,
        name: &str,
        usable: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        self.wanted.clear();
        let wanted = Key::write(&mut self.wanted, account_type, issuer, name);
        let wanted = wanted.view(&self.wanted);
        self.chains.candidates(wanted).find(|&i| {
            self.keys[i]
                .as_ref()
                .is_some_and(|k| k.view(&self.texts) == wanted)
                && usable(i)
        })
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
        let mut index = NameIndex::new(&device, |i| i != 3).unwrap();
        let t = AccountType::Totp;
        assert_eq!(index.find(t, Some("Acme"), "Alice", |_| true), Some(0));
        assert_eq!(index.find(t, Some("Acme"), "Alice", |i| i != 0), Some(1));
        assert_eq!(index.find(t, Some("Acme"), "Alice", |i| i > 1), None);
        assert_eq!(index.find(t, None, "alice", |_| true), Some(2));
        assert_eq!(
            index.find(AccountType::MsaTotp, None, "alice", |_| true),
            None
        );
    }
}
