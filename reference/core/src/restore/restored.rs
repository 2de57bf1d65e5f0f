//! The accounts a restore plan puts on the device, kept compactly until the plan is applied:
//! their ids, issuers and names in one string, so that a plan of many accounts costs one
//! allocation per account (its secret) instead of four. [`apply`](super::apply) makes the
//! device accounts.

use std::fmt;
use std::ops::Range;

use crate::account::{AccountState, AccountType, BackupAccount, CodeParams, DeviceAccount};
use crate::secret::Secret;

/// Accounts to be restored, each named by the index [`Restored::push`] returned.
#[derive(Clone, Default)]
pub struct Restored {
    texts: String,
    entries: Vec<Entry>,
}

/// One account: where its texts are in [`Restored`]'s string, and its secret.
#[derive(Clone)]
struct Entry {
    account_type: AccountType,
    id: Range<usize>,
    issuer: Option<Range<usize>>,
    name: Range<usize>,
    secret: Option<Secret>,
    params: CodeParams,
}

impl Restored {
    /// Room for `accounts` accounts.
    pub fn with_capacity(accounts: usize) -> Restored {
        Restored {
            texts: String::new(),
            entries: Vec::with_capacity(accounts),
        }
    }

    /// Keeps the account restore makes of `b`, with id `id`; returns its index.
    pub fn push(&mut self, b: &BackupAccount, id: &str) -> usize {
        let mut text = |t: &str| {
            let start = self.texts.len();
            self.texts.push_str(t);
            start..self.texts.len()
        };
        let (id, issuer, name) = (text(id), b.issuer().map(&mut text), text(b.name()));
        let key = b.key();
        self.entries.push(Entry {
            account_type: b.account_type,
            id,
            issuer,
            name,
            secret: key.map(|k| k.secret.clone()),
            params: key.map(|k| k.params).unwrap_or_default(),
        });
        self.entries.len() - 1
    }

    /// The device account number `index` (an index [`Restored::push`] returned).
    pub fn account(&self, index: usize) -> DeviceAccount {
        let e = &self.entries[index];
        let text = |r: &Range<usize>| self.texts[r.clone()].to_string();
        DeviceAccount {
            id: text(&e.id),
            account_type: e.account_type,
            issuer: e.issuer.as_ref().map(text),
            name: text(&e.name),
            secret: e.secret.clone(),
            params: e.params,
            token: None,
            excluded_by_policy: false,
            state: if e.account_type.bears_codes() {
                AccountState::Ready
            } else {
                AccountState::ActionRequired
            },
        }
    }
}

impl fmt::Debug for Restored {
    /// The number of accounts only (a plan's `Debug` output is for people).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Restored")
            .field("accounts", &self.entries.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Restored;
    use crate::account::{AccountState, BackupAccount, DeviceAccount};

    fn backup() -> Vec<BackupAccount> {
        let device = DeviceAccount::list_from_json(
            br#"{"accounts": [
            {"id": "1", "type": "totp", "issuer": "ACME", "name": "alice", "secret": "JBSWY3DPEHPK3PXP", "digits": 8},
            {"id": "2", "type": "work_school", "name": "bob@contoso.com"},
            {"id": "3", "type": "msa_totp", "name": "carol", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}
        ]}"#,
        )
        .unwrap();
        crate::account::build_backup_accounts(&device).unwrap().0
    }

    #[test]
    fn gives_back_each_account_as_restore_puts_it_on_the_device() {
        let backup = backup();
        let mut restored = Restored::with_capacity(0);
        let indexes: Vec<usize> = backup
            .iter()
            .zip(["a", "b", "c"])
            .map(|(b, id)| restored.push(b, id))
            .collect();
        assert_eq!(indexes, [0, 1, 2]);
        let a = restored.account(0);
        assert_eq!(
            (a.id.as_str(), a.issuer.as_deref(), a.name.as_str()),
            ("a", Some("ACME"), "alice")
        );
        assert_eq!(a.secret, backup[0].key().map(|k| k.secret.clone()));
        assert_eq!(a.params, backup[0].key().unwrap().params);
        assert_eq!(a.state, AccountState::Ready);
        let b = restored.account(1);
        assert_eq!(
            (b.id.as_str(), b.issuer.as_deref(), b.name.as_str()),
            ("b", None, "bob@contoso.com")
        );
        assert_eq!(
            (b.secret.is_none(), b.state),
            (true, AccountState::ActionRequired)
        );
        let c = restored.account(2);
        assert_eq!(c.secret, backup[2].key().map(|k| k.secret.clone()));
        assert_eq!(c.issuer, None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let backup = backup();
        let mut restored = Restored::with_capacity(1);
        restored.push(&backup[0], "a");
        assert_eq!(format!("{restored:?}"), "Restored { accounts: 1, .. }");
    }
}
