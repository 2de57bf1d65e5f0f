//! Judges whether a sequence of file operations replaces a file atomically (REQ-STORE-002), by
//! crashing a model file system after every operation, in the manner of the
//! application-level crash checkers (Pillai et al., "All File Systems Are Not Created Equal",
//! OSDI 2014).
//!
//! The model is the pessimistic one POSIX allows. A file's data survives a crash only as it
//! was at its last `sync`; data written since is torn (any prefix, or nothing). A directory's
//! entries (files and directories) survive as they were at its last `sync_dir`, plus any
//! prefix, in order, of the changes made since (creations, renames, removals). A file is
//! there after a crash only if every directory above it is. The root always exists.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The most operations a trace may hold.
pub const MAX_OPS: usize = 1000;

/// One file operation, paths relative to the store's root with `/` between names
/// (`spec/adapter-protocol.md`, `store.write`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Creates a directory (its parent must be synced for it to survive a crash).
    Mkdir {
        /// The directory.
        path: String,
    },
    /// Removes an empty directory.
    Rmdir {
        /// The directory.
        path: String,
    },
    /// Creates `path`, or truncates it, and writes all of `data`.
    Write {
        /// The file.
        path: String,
        /// Its whole new content.
        data: String,
    },
    /// Flushes a file's data to stable storage (`fsync`).
    Sync {
        /// The file.
        path: String,
    },
    /// Renames `from` to `to`, replacing `to`; both in one directory.
    Rename {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Removes a file.
    Remove {
        /// The file.
        path: String,
    },
    /// Flushes a directory's entries to stable storage.
    SyncDir {
        /// The directory (`""` for the root).
        path: String,
    },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Mkdir { path } => write!(f, "mkdir {path}"),
            Op::Rmdir { path } => write!(f, "rmdir {path}"),
            Op::Write { path, data } => write!(f, "write {path} ({} bytes)", data.len()),
            Op::Sync { path } => write!(f, "sync {path}"),
            Op::Rename { from, to } => write!(f, "rename {from} to {to}"),
            Op::Remove { path } => write!(f, "remove {path}"),
            Op::SyncDir { path } => write!(f, "sync_dir {path:?}"),
        }
    }
}

fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[derive(Clone, Debug)]
struct Inode {
    data: String,
    durable: String,
    dirty: bool,
}

/// A name in a directory: a file's inode, or a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    File(usize),
    Dir,
}

#[derive(Clone, Debug)]
enum Change {
    Link(String, Entry),
    Unlink(String),
}

impl Change {
    fn dir(&self) -> &str {
        match self {
            Change::Link(p, _) | Change::Unlink(p) => dir_of(p),
        }
    }

    fn apply(&self, names: &mut BTreeMap<String, Entry>) {
        match self {
            Change::Link(p, e) => {
                names.insert(p.clone(), *e);
            }
            Change::Unlink(p) => {
                names.remove(p);
            }
        }
    }
}

/// The file at `path` in `names`, if it and every directory above it are there.
fn resolve(names: &BTreeMap<String, Entry>, path: &str) -> Option<usize> {
    let mut dir = dir_of(path);
    while !dir.is_empty() {
        if names.get(dir) != Some(&Entry::Dir) {
            return None;
        }
        dir = dir_of(dir);
    }
    match names.get(path) {
        Some(Entry::File(i)) => Some(*i),
        _ => None,
    }
}

/// What a file holds after a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Content<'a> {
    Missing,
    Torn,
    Data(Cow<'a, str>),
}

impl fmt::Display for Content<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Content::Missing => f.write_str("missing"),
            Content::Torn => f.write_str("torn (written but never synced: empty or partial)"),
            Content::Data(d) if d.is_empty() => f.write_str("empty"),
            Content::Data(d) => write!(f, "{} bytes of other content", d.len()),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Model {
    inodes: Vec<Inode>,
    names: BTreeMap<String, Entry>,
    durable_names: BTreeMap<String, Entry>,
    pending: Vec<Change>,
}

impl Model {
    fn inode_of(&self, path: &str) -> Result<usize, String> {
        match self.names.get(path) {
            Some(Entry::File(i)) => Ok(*i),
            _ => Err(format!("{path} is not a file")),
        }
    }

    fn change(&mut self, c: Change) {
        c.apply(&mut self.names);
        self.pending.push(c);
    }

    fn step(&mut self, op: &Op) -> Result<(), String> {
        match op {
            Op::Mkdir { path } if path.is_empty() => {}
            Op::Mkdir { path } => match self.names.get(path) {
                None => self.change(Change::Link(path.clone(), Entry::Dir)),
                Some(Entry::Dir) => {}
                Some(Entry::File(_)) => return Err(format!("{path} is a file")),
            },
            Op::Rmdir { path } => {
                if self.names.get(path) != Some(&Entry::Dir) {
                    return Err(format!("{path} is not a directory"));
                }
                self.change(Change::Unlink(path.clone()));
            }
            Op::Write { path, data } => match self.names.get(path) {
                Some(Entry::Dir) => return Err(format!("{path} is a directory")),
                Some(&Entry::File(i)) => {
                    self.inodes[i].data = data.clone();
                    self.inodes[i].dirty = true;
                }
                None => {
                    self.inodes.push(Inode {
                        data: data.clone(),
                        durable: String::new(),
                        dirty: true,
                    });
                    let inode = Entry::File(self.inodes.len() - 1);
                    self.change(Change::Link(path.clone(), inode));
                }
            },
            Op::Sync { path } => {
                let i = self.inode_of(path)?;
                let inode = &mut self.inodes[i];
                inode.durable = inode.data.clone();
                inode.dirty = false;
            }
            Op::Rename { from, to } => {
                if dir_of(from) != dir_of(to) {
                    return Err(format!(
                        "rename {from} to {to} crosses directories: the temporary file must be beside the target"
                    ));
                }
                let i = self.inode_of(from)?;
                self.change(Change::Unlink(from.clone()));
                self.change(Change::Link(to.clone(), Entry::File(i)));
            }
            Op::Remove { path } => {
                self.inode_of(path)?;
                self.change(Change::Unlink(path.clone()));
            }
            Op::SyncDir { path } => {
                let (now, later): (Vec<Change>, Vec<Change>) = std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|c| c.dir() == path);
                for c in &now {
                    c.apply(&mut self.durable_names);
                }
                self.pending = later;
            }
        }
        Ok(())
    }

    /// Everything made durable, as after a clean shutdown.
    fn settle(&mut self) {
        for inode in &mut self.inodes {
            inode.durable = inode.data.clone();
            inode.dirty = false;
        }
        self.durable_names = self.names.clone();
        self.pending.clear();
    }

    fn content(&self, path: &str) -> Content<'static> {
        match resolve(&self.names, path) {
            None => Content::Missing,
            Some(i) => Content::Data(Cow::Owned(self.inodes[i].data.clone())),
        }
    }

    /// The contents of every file there now.
    fn live_contents(&self) -> Vec<&str> {
        self.names
            .keys()
            .filter_map(|p| resolve(&self.names, p))
            .map(|i| self.inodes[i].data.as_str())
            .collect()
    }

    /// For each state a crash now may leave (each prefix of the pending changes), the
    /// contents of the files that survive it intact.
    fn intact_after_crash(&self) -> Vec<Vec<&str>> {
        let mut names = self.durable_names.clone();
        let intact = |names: &BTreeMap<String, Entry>| -> Vec<&str> {
            names
                .keys()
                .filter_map(|p| resolve(names, p))
                .filter(|&i| !self.inodes[i].dirty)
                .map(|i| self.inodes[i].durable.as_str())
                .collect()
        };
        let mut states = vec![intact(&names)];
        for c in &self.pending {
            c.apply(&mut names);
            states.push(intact(&names));
        }
        states
    }

    /// What `path` may hold after a crash now: one state for each prefix of the pending
    /// changes that reached the disk, from none to all.
    fn after_crash(&self, path: &str) -> Vec<Content<'_>> {
        let mut names = self.durable_names.clone();
        let mut states = Vec::with_capacity(self.pending.len() + 1);
        let content = |names: &BTreeMap<String, Entry>| match resolve(names, path) {
            None => Content::Missing,
            Some(i) if self.inodes[i].dirty => Content::Torn,
            Some(i) => Content::Data(Cow::Borrowed(self.inodes[i].durable.as_str())),
        };
        states.push(content(&names));
        for c in &self.pending {
            c.apply(&mut names);
            states.push(content(&names));
        }
        states
    }
}

/// What a checked write replaced: the target's content after the setup (`None` if it did not
/// exist) and after the operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// The content before.
    pub old: Option<String>,
    /// The content after.
    pub new: String,
}

/// Checks that `ops`, carried out after `setup` (which is taken as durable), replace `target`
/// atomically and durably: a crash after any operation leaves the target as it was after the
/// setup or as it is after the last operation, and once the last operation returns, the new
/// content survives a crash.
pub fn check(setup: &[Op], ops: &[Op], target: &str) -> Result<Replaced, String> {
    if setup.len() + ops.len() > MAX_OPS {
        return Err(format!("more than {MAX_OPS} operations"));
    }
    let mut model = Model::default();
    for op in setup {
        model.step(op).map_err(|e| format!("setup, {op}: {e}"))?;
    }
    model.settle();
    let old = model.content(target);
    let mut end = model.clone();
    for op in ops {
        end.step(op).map_err(|e| format!("{op}: {e}"))?;
    }
    let new = end.content(target);
    if new == Content::Missing || new == old {
        return Err(format!(
            "after the operations {target} is {new}, not the new content"
        ));
    }
    let allowed = |c: &Content| *c == old || *c == new;
    for k in 0..=ops.len() {
        if k > 0 {
            model.step(&ops[k - 1]).map_err(|e| e.to_string())?;
        }
        let after = match k {
            0 => "before the first operation".to_string(),
            k => format!("after operation {k} ({})", ops[k - 1]),
        };
        if let Some(c) = model.after_crash(target).into_iter().find(|c| !allowed(c)) {
            return Err(format!("a crash {after} can leave {target} {c}"));
        }
    }
    let last = model.after_crash(target).swap_remove(0);
    if last != new {
        let left = match (&last, &old) {
            (Content::Data(_), _) if last == old => "as it was before the write".to_string(),
            _ => last.to_string(),
        };
        return Err(format!(
            "after the last operation the new {target} is not yet durable: a crash then leaves it {left} (sync every directory whose entries changed: the target's after the rename, a new directory's parent after creating it)"
        ));
    }
    let data = |c: Content| match c {
        Content::Data(d) => Some(d.into_owned()),
        _ => None,
    };
    Ok(Replaced {
        old: data(old),
        new: data(new).unwrap_or_default(),
    })
}

/// Checks that `ops`, carried out after `setup` (taken as durable), leave exactly the `kept`
/// generations of a storage account and none of the `pruned` ones (REQ-STORE-004), and that
/// a crash after any operation leaves at least one generation intact (a kept one, or one not
/// yet removed): older generations go only once a newer one is durable (REQ-STORE-002). Generations are told apart by their
/// content, so the check holds whatever the store's layout.
pub fn check_pruned(
    setup: &[Op],
    ops: &[Op],
    kept: &[String],
    pruned: &[String],
) -> Result<(), String> {
    let mut model = Model::default();
    for op in setup {
        model.step(op).map_err(|e| format!("setup, {op}: {e}"))?;
    }
    model.settle();
    let mut end = model.clone();
    for op in ops {
        end.step(op).map_err(|e| format!("{op}: {e}"))?;
    }
    let live = end.live_contents();
    if let Some(i) = kept.iter().position(|k| !live.contains(&k.as_str())) {
        return Err(format!(
            "after the operations the kept generation {} of {} (newest first) is gone",
            i + 1,
            kept.len()
        ));
    }
    if pruned.iter().any(|p| live.contains(&p.as_str())) {
        return Err(format!(
            "after the operations a generation older than the newest {} is still kept",
            kept.len()
        ));
    }
    for k in 0..=ops.len() {
        if k > 0 {
            model.step(&ops[k - 1]).map_err(|e| e.to_string())?;
        }
        let lost = model.intact_after_crash().into_iter().any(|state| {
            !kept
                .iter()
                .chain(pruned)
                .any(|g| state.contains(&g.as_str()))
        });
        if lost {
            let when = match k {
                0 => "before the first operation".to_string(),
                k => format!("after operation {k} ({})", ops[k - 1]),
            };
            return Err(format!(
                "a crash {when} can leave no generation intact: an older one was removed before the newer was durable"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn write(path: &str, data: &str) -> Op {
        Op::Write {
            path: path.into(),
            data: data.into(),
        }
    }
    fn sync(path: &str) -> Op {
        Op::Sync { path: path.into() }
    }
    fn rename(from: &str, to: &str) -> Op {
        Op::Rename {
            from: from.into(),
            to: to.into(),
        }
    }
    fn sync_dir(path: &str) -> Op {
        Op::SyncDir { path: path.into() }
    }

    fn mkdir(path: &str) -> Op {
        Op::Mkdir { path: path.into() }
    }

    fn setup() -> Vec<Op> {
        vec![mkdir("d"), write("d/f", "old")]
    }

    #[test]
    fn temporary_file_synced_renamed_and_directory_synced_is_atomic() {
        let ops = [
            write("d/.f.tmp", "new"),
            sync("d/.f.tmp"),
            rename("d/.f.tmp", "d/f"),
            sync_dir("d"),
        ];
        assert_eq!(
            check(&setup(), &ops, "d/f"),
            Ok(Replaced {
                old: Some("old".into()),
                new: "new".into()
            })
        );
        assert!(
            check(&[mkdir("d")], &ops, "d/f").is_ok_and(|r| r.old.is_none()),
            "a new file appears whole"
        );
    }

    #[test]
    fn a_new_directory_needs_its_parent_synced() {
        let ops = [
            mkdir("d"),
            write("d/.f.tmp", "new"),
            sync("d/.f.tmp"),
            rename("d/.f.tmp", "d/f"),
            sync_dir("d"),
        ];
        let err = check(&[], &ops, "d/f").unwrap_err();
        assert!(err.contains("not yet durable"), "{err}");
        let mut synced = ops.to_vec();
        synced.insert(1, sync_dir(""));
        assert!(check(&[], &synced, "d/f").is_ok());
    }

    #[test]
    fn writing_in_place_can_tear_the_file() {
        let err = check(&setup(), &[write("d/f", "new"), sync("d/f")], "d/f").unwrap_err();
        assert!(
            err.contains("after operation 1 (write d/f (3 bytes))"),
            "{err}"
        );
        assert!(err.contains("torn"), "{err}");
    }

    #[test]
    fn renaming_an_unsynced_file_can_leave_it_empty() {
        let ops = [
            write("d/.f.tmp", "new"),
            rename("d/.f.tmp", "d/f"),
            sync_dir("d"),
        ];
        let err = check(&setup(), &ops, "d/f").unwrap_err();
        assert!(err.contains("after operation 2"), "{err}");
    }

    #[test]
    fn without_a_directory_sync_the_write_is_not_durable() {
        let ops = [
            write("d/.f.tmp", "new"),
            sync("d/.f.tmp"),
            rename("d/.f.tmp", "d/f"),
        ];
        let err = check(&setup(), &ops, "d/f").unwrap_err();
        assert!(err.contains("not yet durable"), "{err}");
    }

    #[test]
    fn removing_before_renaming_can_lose_the_file() {
        let ops = [
            write("d/.f.tmp", "new"),
            sync("d/.f.tmp"),
            Op::Remove { path: "d/f".into() },
            rename("d/.f.tmp", "d/f"),
            sync_dir("d"),
        ];
        let err = check(&setup(), &ops, "d/f").unwrap_err();
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn traces_that_change_nothing_or_cross_directories_are_refused() {
        assert!(check(&setup(), &[], "d/f")
            .unwrap_err()
            .contains("not the new"));
        let ops = [
            mkdir("t"),
            write("t/.f.tmp", "new"),
            sync("t/.f.tmp"),
            rename("t/.f.tmp", "d/f"),
        ];
        assert!(check(&setup(), &ops, "d/f")
            .unwrap_err()
            .contains("crosses directories"));
        assert!(check(&setup(), &[sync("d/nothing")], "d/f").is_err());
        let many = vec![sync("d/f"); MAX_OPS + 1];
        assert!(check(&[], &many, "d/f").unwrap_err().contains("more than"));
    }

    #[test]
    fn ops_read_and_write_as_the_protocol_says() {
        let op: Op = serde_json::from_str(r#"{"op": "sync_dir", "path": "storage/a"}"#).unwrap();
        assert_eq!(op, sync_dir("storage/a"));
        assert!(serde_json::from_str::<Op>(r#"{"op": "sync", "path": "a", "x": 1}"#).is_err());
        assert!(serde_json::from_str::<Op>(r#"{"op": "truncate", "path": "a"}"#).is_err());
    }

    fn any_op() -> impl Strategy<Value = Op> {
        let path = prop::sample::select(vec!["", "d", "e", "d/f", "d/.f.tmp", "e/f", "d/e"]);
        let data = prop::sample::select(vec!["", "old", "new", "x"]);
        prop_oneof![
            path.clone().prop_map(|p| Op::Mkdir { path: p.into() }),
            path.clone().prop_map(|p| Op::Rmdir { path: p.into() }),
            (path.clone(), data).prop_map(|(p, d)| write(p, d)),
            path.clone().prop_map(sync),
            (path.clone(), path.clone()).prop_map(|(a, b)| rename(a, b)),
            path.clone().prop_map(|p| Op::Remove { path: p.into() }),
            path.prop_map(sync_dir),
        ]
    }

    /// The atomic replacement of REQ-STORE-002 for `target`, creating `new_dirs` (the
    /// directories above it that do not exist yet, outermost first) durably on the way.
    fn the_protocol(new_dirs: &[String], target: &str, data: &str) -> Vec<Op> {
        let mut ops = Vec::new();
        for d in new_dirs {
            ops.push(mkdir(d));
            ops.push(sync_dir(dir_of(d)));
        }
        let tmp = format!("{target}.tmp");
        ops.extend([
            write(&tmp, data),
            sync(&tmp),
            rename(&tmp, target),
            sync_dir(dir_of(target)),
        ]);
        ops
    }

    proptest! {
        #[test]
        fn any_trace_gets_a_verdict_without_panicking(setup in prop::collection::vec(any_op(), 0..8),
                                    ops in prop::collection::vec(any_op(), 0..12)) {
            let _ = check(&setup, &ops, "d/f");
        }

        #[test]
        fn the_protocol_passes_and_each_step_is_needed(
            depth in 1usize..4, existing in 0usize..4, had_old in any::<bool>(), skip in 0usize..4,
        ) {
            let existing = existing.min(depth - 1);
            let dirs: Vec<String> = (1..depth).map(|i| vec!["d"; i].join("/")).collect();
            let target = format!("{}f", dirs.last().map(|d| format!("{d}/")).unwrap_or_default());
            let mut setup: Vec<Op> = dirs[..existing].iter().map(|d| mkdir(d)).collect();
            if had_old {
                setup = dirs.iter().map(|d| mkdir(d)).collect();
                setup.push(write(&target, "old"));
            }
            let new_dirs = if had_old { &dirs[dirs.len()..] } else { &dirs[existing..] };
            let ops = the_protocol(new_dirs, &target, "new");
            prop_assert!(check(&setup, &ops, &target).is_ok());
            // Leaving out the temporary file's sync, the rename, or any directory sync fails.
            let n = ops.len();
            let dropped = [n - 3, n - 2, n - 1, 1][skip];
            if skip < 3 || !new_dirs.is_empty() {
                let mut broken = ops.clone();
                broken.remove(dropped);
                prop_assert!(check(&setup, &broken, &target).is_err(), "{:?}", broken);
            }
        }
    }
}
