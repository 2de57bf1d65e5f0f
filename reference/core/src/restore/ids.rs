//! The ids in use while a plan is made, and the id an added account gets
//! (REQ-RESTORE-025).

use std::borrow::Cow;
use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::matching::DeviceIndex;

/// The ids in use as a plan is made: the device's own (looked up in the index, not copied),
/// less those a replacement freed, plus those the plan added (borrowed from the backup where
/// they are its own).
///
/// A payload's ids are unique, so a backup account's own id can be in use only on the device
/// or as an id the plan made up; until the plan makes one up or frees one, the own ids it
/// takes are only listed, and the set of added ids is made from that list when first needed.
/// A restore that takes every id as it is never hashes them.
pub struct Ids<'i, 'a> {
    device: &'i DeviceIndex<'a>,
    /// Device ids given up by replacements (empty while `added` is not made).
    freed: HashSet<&'a str>,
    /// Every id the plan added, once it has made up or freed one.
    added: Option<HashSet<Cow<'a, str>>>,
    /// The backup's own ids the plan took before `added` was made.
    own: Vec<&'a str>,
}

impl<'i, 'a> Ids<'i, 'a> {
    /// The ids of `device`, room made for `adding` more.
    pub fn new(device: &'i DeviceIndex<'a>, adding: usize) -> Ids<'i, 'a> {
        Ids {
            device,
            freed: HashSet::new(),
            added: None,
            own: Vec::with_capacity(adding),
        }
    }

    /// Takes `id`, a backup account's own id, already known to be a device account's id or
    /// not; false when it is in use.
    fn take_own(&mut self, id: &'a str, device_has_it: bool) -> bool {
        if self.added.is_some() {
            return self.insert_known(Cow::Borrowed(id), device_has_it);
        }
        // Nothing is freed yet, and no other account of the payload has this id.
        if !device_has_it {
            self.own.push(id);
        }
        !device_has_it
    }

    /// Takes `id`; false when it is in use.
    fn insert(&mut self, id: Cow<'a, str>) -> bool {
        let device_has_it = self.device.has_id(&id);
        self.insert_known(id, device_has_it)
    }

    /// Takes `id`, already known to be a device account's id or not; false when it is in
    /// use.
    fn insert_known(&mut self, id: Cow<'a, str>, device_has_it: bool) -> bool {
        let on_device = device_has_it && !self.freed.contains(id.as_ref());
        !on_device && self.added().insert(id)
    }

    /// Gives `id` up (its account is being replaced).
    pub fn free(&mut self, id: &'a str) {
        if !self.added().remove(id) {
            self.freed.insert(id);
        }
    }

    /// The ids the plan added, as a set (made from the list of own ids the first time).
    fn added(&mut self) -> &mut HashSet<Cow<'a, str>> {
        let own = &mut self.own;
        self.added
            .get_or_insert_with(|| own.drain(..).map(Cow::Borrowed).collect())
    }
}

/// REQ-RESTORE-025: the backup's id when the device does not use it, otherwise
/// `restored-` and 16 hex digits derived from the backup and account ids (then `-2`, `-3`,
/// ... until unused). `id` is a backup account's own id; `id_on_device` says whether a
/// device account has it (matching looked it up already).
pub fn fresh_id<'a>(
    ids: &mut Ids<'_, 'a>,
    backup_id: &str,
    id: &'a str,
    id_on_device: bool,
) -> Cow<'a, str> {
    if ids.take_own(id, id_on_device) {
        return Cow::Borrowed(id);
    }
    let digest = Sha256::new()
        .chain_update(backup_id.as_bytes())
        .chain_update([0])
        .chain_update(id.as_bytes())
        .finalize();
    let base: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let base = format!("restored-{base}");
    let mut candidate = base.clone();
    let mut n = 1;
    while !ids.insert(Cow::Owned(candidate.clone())) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Cow::Owned(candidate)
}
