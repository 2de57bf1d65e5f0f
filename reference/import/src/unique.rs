//! Exports whose JSON objects repeat a member are refused: serde_json keeps the last of
//! repeated members silently, and which one an app meant cannot be known.

use std::collections::HashSet;
use std::fmt;

use authbackup::error::{Error, Result};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// `malformed` when any object of the JSON text `bytes`, at any depth, has a member twice.
/// Text that is not JSON passes: the format's reader reports that with its own message.
pub(crate) fn check_unique_members(what: &str, bytes: &[u8]) -> Result<()> {
    match serde_json::from_slice::<Unique>(bytes) {
        Err(e) if e.is_data() => Err(Error::malformed(format!(
            "{what} has an object with a member twice (line {}, column {})",
            e.line(),
            e.column()
        ))),
        _ => Ok(()),
    }
}

/// Reads `what` from the JSON text `bytes`: repeated members refused first, then the
/// format's own structure (`Error::json`, which never quotes the input).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T> {
    check_unique_members(what, bytes)?;
    serde_json::from_slice(bytes).map_err(|e| Error::json(what, &e))
}

/// Any JSON value, checked for repeated members on the way.
struct Unique;

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Unique, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> std::result::Result<Unique, E> {
        Ok(Unique)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Unique, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                // The member's name is not repeated here: it is input text.
                return Err(de::Error::custom("a member appears twice"));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}
