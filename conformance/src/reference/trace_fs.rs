//! An in-memory file system that records every operation the reference's store performs, in
//! the form of the `store.write` trace (`spec/adapter-protocol.md`), with paths relative to
//! the store's root.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use authbackup::store::FileSystem;

use crate::crash::Op;

/// The root the store is opened at.
pub const ROOT: &str = "/abf";

#[derive(Debug, Default)]
struct State {
    files: BTreeMap<PathBuf, Vec<u8>>,
    dirs: BTreeSet<PathBuf>,
    ops: Vec<Op>,
}

/// The recording file system, holding only the empty [`ROOT`] at first; clones share one
/// state.
#[derive(Clone, Debug)]
pub struct TraceFs(Rc<RefCell<State>>);

impl Default for TraceFs {
    fn default() -> TraceFs {
        let mut state = State::default();
        state.dirs.insert(PathBuf::from(ROOT));
        TraceFs(Rc::new(RefCell::new(state)))
    }
}

/// `path` relative to [`ROOT`], `/`-separated.
pub fn relative(path: &Path) -> String {
    let rel = path.strip_prefix(ROOT).unwrap_or(path);
    rel.iter()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, relative(path))
}

impl TraceFs {
    /// The operations recorded since the last call.
    pub fn take_ops(&self) -> Vec<Op> {
        std::mem::take(&mut self.0.borrow_mut().ops)
    }

    fn record(&self, op: Op) {
        self.0.borrow_mut().ops.push(op);
    }

    fn exists(&self, path: &Path) -> io::Result<()> {
        if self.0.borrow().files.contains_key(path) {
            Ok(())
        } else {
            Err(not_found(path))
        }
    }
}

impl FileSystem for TraceFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .borrow()
            .files
            .get(path)
            .cloned()
            .ok_or_else(|| not_found(path))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let state = self.0.borrow();
        let files = state.files.keys();
        let dirs = state.dirs.iter();
        Ok(files
            .chain(dirs)
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect())
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut missing: Vec<PathBuf> = dir
            .ancestors()
            .filter(|d| d.starts_with(ROOT) && !self.0.borrow().dirs.contains(*d))
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        for d in missing {
            self.0.borrow_mut().dirs.insert(d.clone());
            self.record(Op::Mkdir { path: relative(&d) });
        }
        Ok(())
    }

    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if self.0.borrow().files.contains_key(path) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, relative(path)));
        }
        self.0
            .borrow_mut()
            .files
            .insert(path.to_path_buf(), bytes.to_vec());
        self.record(Op::Write {
            path: relative(path),
            data: String::from_utf8_lossy(bytes).into_owned(),
        });
        Ok(())
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        self.exists(path)?;
        self.record(Op::Sync {
            path: relative(path),
        });
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let bytes = self
            .0
            .borrow_mut()
            .files
            .remove(from)
            .ok_or_else(|| not_found(from))?;
        self.0.borrow_mut().files.insert(to.to_path_buf(), bytes);
        self.record(Op::Rename {
            from: relative(from),
            to: relative(to),
        });
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.record(Op::SyncDir {
            path: relative(dir),
        });
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.0
            .borrow_mut()
            .files
            .remove(path)
            .ok_or_else(|| not_found(path))?;
        self.record(Op::Remove {
            path: relative(path),
        });
        Ok(())
    }

    fn remove_dir(&self, dir: &Path) -> io::Result<()> {
        if !self.0.borrow_mut().dirs.remove(dir) {
            return Err(not_found(dir));
        }
        self.record(Op::Rmdir {
            path: relative(dir),
        });
        Ok(())
    }
}
