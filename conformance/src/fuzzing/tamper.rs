//! The `container_structured` target: an attacker holding the storage account edits a sealed
//! container (bit flips, header members, truncation, added recipients), and no edit of what
//! is authenticated, or of the key's recipient, ever opens.
//!
//! The container is sealed and split into its members once per process; an input copies only
//! the members it edits and writes the container's JSON by hand, so the fuzzer's time goes to
//! `container::open`, not to building JSON trees the property does not need.

use std::borrow::Cow;

use arbitrary::{Arbitrary, Unstructured};
use authbackup::container;
use authbackup::payload::{BackupMeta, Payload};
use authbackup::platform::Platform;
use data_encoding::BASE64URL_NOPAD as B64;
use serde_json::{Map, Value};

use super::fuzz_key;

/// An edit an attacker with the storage account can make to a sealed container.
#[derive(Arbitrary, Debug)]
enum Edit {
    /// Flip one bit of a base64url member (`protected`, `iv`, `ciphertext`, `tag`, `encrypted_key`).
    FlipBit { member: u8, bit: u16 },
    /// Set a recipient header member to a string.
    SetRecipientText { member: u8, value: String },
    /// Set a recipient header member to a number.
    SetRecipientNumber { member: u8, value: i64 },
    /// Add a member to the protected header (re-encoded).
    SetProtected { member: u8, value: String },
    /// Cut the container short.
    Truncate { keep: u16 },
    /// Duplicate the recipient under another kid.
    DuplicateRecipient { kid: String },
}

/// The header members the edits set.
const MEMBERS: [&str; 8] = ["alg", "kid", "p2c", "p2s", "epk", "zip", "enc", "platform"];

/// How many edits of an input apply.
const MAX_EDITS: usize = 4;

/// The base64url members a bit flip can hit, in the order of [`Edit::FlipBit`]'s `member`.
#[derive(Clone, Copy)]
enum Part {
    Protected,
    Iv,
    Ciphertext,
    Tag,
    EncryptedKey,
}

impl Part {
    const ALL: [Part; 5] = [
        Part::Protected,
        Part::Iv,
        Part::Ciphertext,
        Part::Tag,
        Part::EncryptedKey,
    ];
}

/// Structure-aware container edits: no edit that changes the container makes it open.
pub fn container_structured(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(edits) = u.arbitrary_iter::<Edit>() else {
        return;
    };
    let fixture = Fixture::get();
    let mut draft = Draft::new(fixture);
    let mut applied = Vec::with_capacity(MAX_EDITS);
    for edit in edits.take(MAX_EDITS) {
        let Ok(edit) = edit else { break };
        draft.apply(&edit);
        applied.push(edit);
    }
    let bytes = draft.write();
    // Whatever opens must carry the sealed container's authenticated parts and its key
    // recipient exactly: the only edit that may still open is an added recipient.
    if let Ok(o) = container::open(&bytes, fuzz_key()) {
        let original = &fixture.sealed;
        let edited: Value = serde_json::from_slice(&bytes).expect("it opened, so it parses");
        for member in ["protected", "iv", "ciphertext", "tag"] {
            assert_eq!(
                edited[member], original[member],
                "{member} changed and the container still opened: {applied:?}"
            );
        }
        let ours = |v: &Value| {
            v["recipients"]
                .as_array()
                .and_then(|l| l.iter().find(|r| r["header"]["kid"] == "fuzz").cloned())
        };
        assert_eq!(
            ours(&edited),
            ours(original),
            "the key's recipient changed and the container still opened"
        );
        assert_eq!(o.payload.meta().backup_id(), "fuzz");
    }
}

/// The container every input edits, sealed and split once per process.
struct Fixture {
    /// The container as sealed, parsed: what whatever opens is compared with.
    sealed: Value,
    /// Each [`Part`]'s base64url text.
    texts: [String; 5],
    /// The protected header's members.
    protected: Members,
    /// The one recipient's header, as members and as JSON text.
    header: Members,
    header_text: String,
}

impl Fixture {
    fn get() -> &'static Fixture {
        static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
        FIXTURE.get_or_init(|| {
            let sealed: Value = serde_json::from_slice(&seal()).expect("the fixture is JSON");
            let recipient = &sealed["recipients"][0];
            let text = |part| {
                let v = match part {
                    Part::Protected => &sealed["protected"],
                    Part::Iv => &sealed["iv"],
                    Part::Ciphertext => &sealed["ciphertext"],
                    Part::Tag => &sealed["tag"],
                    Part::EncryptedKey => &recipient["encrypted_key"],
                };
                v.as_str().expect("a base64url member").to_owned()
            };
            let texts = Part::ALL.map(text);
            let protected = B64.decode(texts[0].as_bytes()).expect("base64url");
            let protected = Members::parse(&protected).expect("a JSON object");
            let header = serde_json::to_vec(&recipient["header"]).expect("a map writes");
            let header = Members::parse(&header).expect("a JSON object");
            Fixture {
                sealed,
                texts,
                protected,
                header_text: header.render(),
                header,
            }
        })
    }
}

/// A JSON object as the JSON texts of its members' names and values, in order: an edit
/// replaces or adds a member without parsing or writing a JSON tree. Cloning the fixture's
/// copies no text.
#[derive(Clone)]
struct Members(Vec<(Cow<'static, str>, Cow<'static, str>)>);

impl Members {
    /// The members of JSON object `json`, or `None` when it is not one.
    fn parse(json: &[u8]) -> Option<Members> {
        let map = serde_json::from_slice::<Map<String, Value>>(json).ok()?;
        let text = |k: &String| serde_json::to_string(k).expect("a string writes");
        let members = map
            .iter()
            .map(|(k, v)| (text(k).into(), v.to_string().into()));
        Some(Members(members.collect()))
    }

    fn borrowed(&'static self) -> Members {
        let texts = self
            .0
            .iter()
            .map(|(k, v)| (Cow::Borrowed(&**k), Cow::Borrowed(&**v)));
        Members(texts.collect())
    }

    /// Sets member `name` (plain ASCII) to the JSON text `value`.
    fn set(&mut self, name: &str, value: String) {
        let quoted = |k: &str| k.len() == name.len() + 2 && &k[1..k.len() - 1] == name;
        match self.0.iter_mut().find(|(k, _)| quoted(k)) {
            Some((_, v)) => *v = value.into(),
            None => self.0.push((format!("\"{name}\"").into(), value.into())),
        }
    }

    fn render(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(k);
            out.push(':');
            out.push_str(v);
        }
        out.push('}');
        out
    }
}

/// One input's container while its edits apply: each part's text stays the fixture's until an
/// edit changes it.
struct Draft {
    fixture: &'static Fixture,
    parts: [Option<String>; 5],
    /// The protected header's members once edited (its text in `parts` is then stale).
    protected: Option<Members>,
    header: Option<Members>,
    /// Recipients added after the first, written out when added.
    added: Vec<String>,
    truncate: Option<usize>,
}

impl Draft {
    fn new(fixture: &'static Fixture) -> Draft {
        Draft {
            fixture,
            parts: Default::default(),
            protected: None,
            header: None,
            added: Vec::new(),
            truncate: None,
        }
    }

    fn text(&self, part: Part) -> &str {
        self.parts[part as usize]
            .as_deref()
            .unwrap_or(&self.fixture.texts[part as usize])
    }

    fn text_mut(&mut self, part: Part) -> &mut String {
        let fixture = self.fixture;
        self.parts[part as usize].get_or_insert_with(|| fixture.texts[part as usize].clone())
    }

    fn header_mut(&mut self) -> &mut Members {
        let fixture = self.fixture;
        self.header.get_or_insert_with(|| fixture.header.borrowed())
    }

    /// The protected header's members, or `None` when bit flips made it no JSON object.
    fn protected_mut(&mut self) -> Option<&mut Members> {
        if self.protected.is_none() {
            self.protected = match &self.parts[Part::Protected as usize] {
                None => Some(self.fixture.protected.borrowed()),
                Some(text) => B64
                    .decode(text.as_bytes())
                    .ok()
                    .and_then(|json| Members::parse(&json)),
            };
        }
        self.protected.as_mut()
    }

    /// Writes edited protected header members into the header's text.
    fn settle_protected(&mut self) {
        if let Some(members) = self.protected.take() {
            self.parts[Part::Protected as usize] = Some(B64.encode(members.render().as_bytes()));
        }
    }

    fn apply(&mut self, edit: &Edit) {
        let member = |m: &u8| MEMBERS[*m as usize % MEMBERS.len()];
        let text = |v: &String| serde_json::to_string(v).expect("a string writes");
        match edit {
            Edit::FlipBit { member, bit } => {
                let part = Part::ALL[*member as usize % Part::ALL.len()];
                if let Part::Protected = part {
                    self.settle_protected();
                }
                flip_bit(self.text_mut(part), *bit)
            }
            Edit::SetRecipientText { member: m, value } => {
                self.header_mut().set(member(m), text(value));
            }
            Edit::SetRecipientNumber { member: m, value } => {
                self.header_mut().set(member(m), value.to_string());
            }
            Edit::SetProtected { member: m, value } => {
                if let Some(members) = self.protected_mut() {
                    members.set(member(m), text(value));
                }
            }
            Edit::Truncate { keep } => self.truncate = Some(*keep as usize),
            Edit::DuplicateRecipient { kid } => {
                let mut header = self
                    .header
                    .clone()
                    .unwrap_or_else(|| self.fixture.header.borrowed());
                header.set("kid", text(kid));
                let added = recipient(&header.render(), self.text(Part::EncryptedKey));
                self.added.push(added);
            }
        }
    }

    /// The container's bytes, members in the order the reference writes them.
    fn write(mut self) -> Vec<u8> {
        self.settle_protected();
        let header = match &self.header {
            Some(h) => h.render().into(),
            None => Cow::Borrowed(self.fixture.header_text.as_str()),
        };
        let mut out =
            String::with_capacity(self.fixture.texts.iter().map(String::len).sum::<usize>() + 256);
        out.push_str(r#"{"protected":""#);
        out.push_str(self.text(Part::Protected));
        out.push_str(r#"","recipients":["#);
        out.push_str(&recipient(&header, self.text(Part::EncryptedKey)));
        for r in &self.added {
            out.push(',');
            out.push_str(r);
        }
        for (name, part) in [
            ("iv", Part::Iv),
            ("ciphertext", Part::Ciphertext),
            ("tag", Part::Tag),
        ] {
            let sep = if name == "iv" { "]," } else { "," };
            out.push_str(sep);
            out.push('"');
            out.push_str(name);
            out.push_str(r#"":""#);
            out.push_str(self.text(part));
            out.push('"');
        }
        out.push('}');
        let mut bytes = out.into_bytes();
        if let Some(keep) = self.truncate {
            bytes.truncate(keep.min(bytes.len()));
        }
        bytes
    }
}

/// Flips bit `bit` (modulo the length) of the bytes base64url `text` encodes, rewriting only
/// the four characters that hold it.
fn flip_bit(text: &mut String, bit: u16) {
    let len = text.len() * 3 / 4;
    if len == 0 {
        return;
    }
    let i = (bit as usize / 8) % len;
    let start = i / 3 * 4;
    let end = (start + 4).min(text.len());
    let mut group = B64
        .decode(&text.as_bytes()[start..end])
        .expect("a group of a text this module encoded");
    group[i % 3] ^= 1 << (bit % 8);
    text.replace_range(start..end, &B64.encode(&group));
}

/// One recipient's JSON: its header (JSON text) and its wrapped key (base64url).
fn recipient(header: &str, encrypted_key: &str) -> String {
    format!(r#"{{"header":{header},"encrypted_key":"{encrypted_key}"}}"#)
}

/// Seals the fixture: no account (the payload's own reading has its own targets; every byte
/// of ciphertext here would only be decoded again per input), the fuzz key, fixed
/// "randomness".
fn seal() -> Vec<u8> {
    let meta = BackupMeta::new(Platform::Ios, "fuzz", 1, 0).expect("valid meta");
    let payload = Payload::new(meta, Vec::new()).expect("an empty payload");
    let mut n = 0u8;
    container::seal_with_randomness(
        &payload,
        std::slice::from_ref(fuzz_key()),
        &mut |b: &mut [u8]| {
            for x in b {
                n = n.wrapping_add(1);
                *x = n;
            }
        },
    )
    .expect("fixture seals")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(edits: &[Edit]) -> Vec<u8> {
        let mut draft = Draft::new(Fixture::get());
        for e in edits {
            draft.apply(e);
        }
        draft.write()
    }

    #[test]
    fn without_edits_the_draft_is_the_sealed_container_and_opens() {
        let bytes = written(&[]);
        let again: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(again, Fixture::get().sealed);
        assert!(container::open(&bytes, fuzz_key()).is_ok());
    }

    #[test]
    fn an_added_recipient_still_opens_and_a_flipped_bit_does_not() {
        let added = written(&[Edit::DuplicateRecipient { kid: "x".into() }]);
        let v: Value = serde_json::from_slice(&added).unwrap();
        assert_eq!(v["recipients"][1]["header"]["kid"], "x");
        assert!(container::open(&added, fuzz_key()).is_ok());
        for member in 0..5 {
            let flipped = written(&[Edit::FlipBit { member, bit: 3 }]);
            assert_ne!(flipped, written(&[]));
            assert!(container::open(&flipped, fuzz_key()).is_err(), "{member}");
        }
    }

    #[test]
    fn header_edits_land_where_they_say() {
        let header_edits = || {
            vec![
                Edit::SetRecipientNumber {
                    member: 2,
                    value: 7,
                },
                Edit::SetProtected {
                    member: 5,
                    value: "DEF".into(),
                },
            ]
        };
        let mut cut = header_edits();
        cut.push(Edit::Truncate { keep: 20 });
        assert_eq!(written(&cut).len(), 20);
        let whole = written(&header_edits());
        let v: Value = serde_json::from_slice(&whole).unwrap();
        assert_eq!(v["recipients"][0]["header"]["p2c"], 7);
        let protected = B64
            .decode(v["protected"].as_str().unwrap().as_bytes())
            .unwrap();
        let h: Value = serde_json::from_slice(&protected).unwrap();
        assert_eq!(h["zip"], "DEF");
        assert!(container::open(&whole, fuzz_key()).is_err());
    }

    #[test]
    fn a_protected_member_is_replaced_not_repeated_and_flips_apply_in_order() {
        let set_enc = || Edit::SetProtected {
            member: 6,
            value: "A128GCM".into(),
        };
        let bytes = written(&[set_enc()]);
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let json = B64
            .decode(v["protected"].as_str().unwrap().as_bytes())
            .unwrap();
        let json = String::from_utf8(json).unwrap();
        assert_eq!(json.matches("\"enc\"").count(), 1, "{json}");
        assert!(json.contains(r#""enc":"A128GCM""#), "{json}");
        let flipped_after = written(&[set_enc(), Edit::FlipBit { member: 0, bit: 9 }]);
        let v: Value = serde_json::from_slice(&flipped_after).unwrap();
        let mut expected = json.into_bytes();
        expected[1] ^= 2;
        assert_eq!(
            B64.decode(v["protected"].as_str().unwrap().as_bytes())
                .unwrap(),
            expected
        );
    }

    #[test]
    fn a_bit_flip_is_the_flip_of_the_decoded_bytes() {
        for len in 1..8 {
            let bytes: Vec<u8> = (0..len).map(|b| b * 37).collect();
            for bit in 0..(len as u16 * 8 + 3) {
                let mut text = B64.encode(&bytes);
                flip_bit(&mut text, bit);
                let mut expected = bytes.clone();
                let i = (bit as usize / 8) % expected.len();
                expected[i] ^= 1 << (bit % 8);
                assert_eq!(
                    B64.decode(text.as_bytes()).unwrap(),
                    expected,
                    "{len} {bit}"
                );
            }
        }
    }
}
