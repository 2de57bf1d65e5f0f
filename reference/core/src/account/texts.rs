//! An account's id, name and issuer held in one allocation: a backup of many accounts is
//! read with one heap allocation per account for its texts instead of three.

use std::fmt;

/// The id, name and optional issuer of one account, back to back in one buffer.
///
/// Made only by [`Texts::new`], so the lengths always split the buffer at character
/// boundaries.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Texts {
    all: Box<str>,
    id_len: usize,
    name_len: usize,
    has_issuer: bool,
}

impl Texts {
    /// The three texts, copied into one buffer.
    pub(crate) fn new(id: &str, name: &str, issuer: Option<&str>) -> Texts {
        let issuer_text = issuer.unwrap_or("");
        let mut all = String::with_capacity(id.len() + name.len() + issuer_text.len());
        all.push_str(id);
        all.push_str(name);
        all.push_str(issuer_text);
        Texts {
            all: all.into_boxed_str(),
            id_len: id.len(),
            name_len: name.len(),
            has_issuer: issuer.is_some(),
        }
    }

    /// The account id.
    pub(crate) fn id(&self) -> &str {
        &self.all[..self.id_len]
    }

    /// The account name.
    pub(crate) fn name(&self) -> &str {
        &self.all[self.id_len..self.id_len + self.name_len]
    }

    /// The issuer, if the account has one.
    pub(crate) fn issuer(&self) -> Option<&str> {
        self.has_issuer
            .then(|| &self.all[self.id_len + self.name_len..])
    }
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Texts")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("issuer", &self.issuer())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Texts;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn gives_back_each_text(id in "\\PC{0,8}", name in "\\PC{0,8}", issuer in proptest::option::of("\\PC{0,8}")) {
            let texts = Texts::new(&id, &name, issuer.as_deref());
            prop_assert_eq!(texts.id(), id.as_str());
            prop_assert_eq!(texts.name(), name.as_str());
            prop_assert_eq!(texts.issuer(), issuer.as_deref());
        }

        #[test]
        fn equal_only_when_every_text_is(a in "[ab]{0,2}", b in "[ab]{0,2}", c in "[ab]{0,2}", d in "[ab]{0,2}") {
            // "a" + "b" and "ab" + "" fill the buffer alike; the split must still tell them apart.
            let same = a == c && b == d;
            prop_assert_eq!(Texts::new(&a, &b, None) == Texts::new(&c, &d, None), same);
            prop_assert_ne!(Texts::new(&a, &b, None), Texts::new(&a, &b, Some("")));
        }
    }
}
