//! A JOSE header read member by member into fixed slots, by name: no JSON map is built, no
//! member name is copied, and a string value is borrowed from the input where it holds no
//! escape. Used for the protected and the recipient headers, whose member names the spec
//! fixes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format!("duplicate member {name:?}"))
}

/// A JSON object read into one slot per expected member name. Member names must be unique
/// (RFC 7515 section 4 lets a reader reject duplicates; ABF requires it); members with other
/// names are only named. Reading a header this way builds no map and copies no name.
pub(super) struct Slots<'de, const N: usize> {
    names: &'static [&'static str; N],
    values: [Option<Member<'de>>; N],
    /// Every member's name, in the order sent.
    sent: Vec<Cow<'de, str>>,
}

impl<'de, const N: usize> Slots<'de, N> {
    /// Empty slots for the members `names`.
    pub fn new(names: &'static [&'static str; N]) -> Self {
        Slots {
            names,
            values: std::array::from_fn(|_| None),
            sent: Vec::new(),
        }
    }

    /// Reads a JSON object with members `names` from `json`.
    pub fn read(json: &'de [u8], names: &'static [&'static str; N]) -> serde_json::Result<Self> {
        let mut d = serde_json::Deserializer::from_slice(json);
        let slots = de::DeserializeSeed::deserialize(Slots::new(names), &mut d)?;
        d.end()?;
        Ok(slots)
    }

    /// The member called `name`, one of the expected names.
    pub fn get(&self, name: &str) -> Option<&Member<'de>> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.values[i].as_ref()
    }

    /// The names sent, in order, that are not in `names`.
    pub fn others<'s>(&'s self, names: &'s [&str]) -> impl Iterator<Item = &'s str> + 's {
        self.sent
            .iter()
            .map(|n| &**n)
            .filter(|n| !names.contains(n))
    }

    /// Every member's name, in the order sent.
    pub fn sent(&self) -> impl Iterator<Item = &str> {
        self.sent.iter().map(|n| &**n)
    }

    /// The members sent that have a slot, in the order sent, as JSON values.
    pub fn into_members(mut self) -> Vec<(&'static str, Value)> {
        let mut members = Vec::with_capacity(self.sent.len());
        for name in &self.sent {
            if let Some(i) = self.names.iter().position(|n| *n == name) {
                if let Some(v) = self.values[i].take() {
                    members.push((self.names[i], v.into_value()));
                }
            }
        }
        members
    }
}

impl<'de: 'a, 'a, const N: usize> de::DeserializeSeed<'de> for Slots<'a, N> {
    type Value = Self;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a, const N: usize> Visitor<'de> for Slots<'a, N> {
    type Value = Self;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut m: A) -> Result<Self, A::Error> {
        while let Some(Name(name)) = m.next_key()? {
            match self.names.iter().position(|n| *n == name) {
                Some(i) if self.values[i].is_some() => return Err(duplicate(&name)),
                Some(i) => self.values[i] = Some(m.next_value()?),
                None if self.sent.contains(&name) => return Err(duplicate(&name)),
                None => {
                    m.next_value::<de::IgnoredAny>()?;
                }
            }
            self.sent.push(name);
        }
        Ok(self)
    }
}

/// A member name, borrowed from the input where it holds no escape (serde's `borrow` on a
/// `Cow<str>` borrows a string that needs no unescaping and copies one that does).
#[derive(Deserialize)]
struct Name<'a>(#[serde(borrow)] Cow<'a, str>);

/// One member's value: a string or a non-negative integer as read, anything else as a JSON
/// value (rare in a header that passes its checks).
#[derive(Debug, PartialEq)]
pub(super) enum Member<'a> {
    Text(Cow<'a, str>),
    Unsigned(u64),
    Other(Value),
}

impl Member<'_> {
    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Member::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The integer, when the value is a non-negative one that fits in 64 bits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Member::Unsigned(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as a JSON value.
    pub fn into_value(self) -> Value {
        match self {
            Member::Text(t) => Value::String(t.into_owned()),
            Member::Unsigned(n) => n.into(),
            Member::Other(v) => v,
        }
    }

    /// A copy of the value as a JSON value.
    pub fn to_value(&self) -> Value {
        match self {
            Member::Text(t) => Value::String(t.to_string()),
            Member::Unsigned(n) => (*n).into(),
            Member::Other(v) => v.clone(),
        }
    }
}

impl fmt::Display for Member<'_> {
    /// The value as JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_value().fmt(f)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Member<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Member<'de>, E> {
                Ok(Member::Unsigned(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Member<'de>, E> {
                Ok(Member::Other(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Member<'de>, E> {
                Ok(Member::Other(v.into()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Member<'de>, E> {
                Ok(Member::Other(v.into()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Member<'de>, E> {
                Ok(Member::Other(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Member<'de>, A::Error> {
                let seq = de::value::SeqAccessDeserializer::new(seq);
                Ok(Member::Other(Value::deserialize(seq)?))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member<'de>, A::Error> {
                let map = de::value::MapAccessDeserializer::new(map);
                Ok(Member::Other(Value::deserialize(map)?))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["a", "b", "c"];

    #[test]
    fn members_land_in_their_slots_and_keep_their_json_values() {
        let json = br#"{"c":{"x":[1]},"a":"t\u00e9","z":null,"b":7}"#;
        let slots = Slots::read(json, &NAMES).unwrap();
        assert_eq!(slots.get("a").and_then(Member::as_str), Some("té"));
        assert_eq!(slots.get("b").and_then(Member::as_u64), Some(7));
        assert_eq!(slots.get("c").unwrap().to_string(), r#"{"x":[1]}"#);
        assert_eq!(slots.sent().collect::<Vec<_>>(), ["c", "a", "z", "b"]);
        assert_eq!(slots.others(&NAMES).collect::<Vec<_>>(), ["z"]);
        let members = slots.into_members();
        let names: Vec<&str> = members.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["c", "a", "b"]);
        assert_eq!(members[1].1, Value::from("té"));
    }

    #[test]
    fn numbers_other_than_u64_are_not_integers_here() {
        for (json, shown) in [
            (r#"{"b":-1}"#, "-1"),
            (r#"{"b":1.5}"#, "1.5"),
            (r#"{"b":18446744073709551616}"#, "1.8446744073709552e+19"),
            (r#"{"b":true}"#, "true"),
            (r#"{"b":null}"#, "null"),
        ] {
            let slots = Slots::read(json.as_bytes(), &NAMES).unwrap();
            let b = slots.get("b").unwrap();
            assert_eq!(b.as_u64(), None, "{json}");
            assert_eq!(b.to_string(), shown, "{json}");
        }
    }

    #[test]
    fn a_repeated_name_is_refused_known_or_not() {
        for json in [
            r#"{"a":1,"a":1}"#,
            r#"{"z":1,"b":2,"z":3}"#,
            r#"{"a":1,"\u0061":2}"#,
        ] {
            assert!(Slots::read(json.as_bytes(), &NAMES).is_err(), "{json}");
        }
        assert!(Slots::read(br#"{"a":1} x"#, &NAMES).is_err());
        assert!(Slots::read(br#"["a"]"#, &NAMES).is_err());
    }
}
