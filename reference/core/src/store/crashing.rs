//! A file system that fails on purpose, for crash tests: a test hook behind the feature
//! `test-util`.

use std::cell::Cell;
use std::io;
use std::path::Path;

use super::fs::{FileSystem, OsFs};

/// A file system that crashes at its `crash_at`-th mutating operation (counting from 0): that
/// operation does only part of its work (a write stops halfway; a rename, sync or removal
/// does not happen) and it and every later operation fail, as if the process had died. For
/// tests, including implementers' own: a test hook behind the feature `test-util`.
///
/// [`CrashingFs::failing_once`] injects a fault instead of a crash: the operation fails the
/// same way, but the process lives on and later operations succeed, so the caller's error
/// path (its clean-up) runs as it would on a full disk or an I/O error.
#[derive(Debug)]
pub struct CrashingFs {
    crash_at: usize,
    ops: Cell<usize>,
    crashed: Cell<bool>,
    recovers: bool,
}

impl CrashingFs {
    /// Crashes at mutating operation number `crash_at`.
    pub fn new(crash_at: usize) -> CrashingFs {
        CrashingFs {
            crash_at,
            ops: Cell::new(0),
            crashed: Cell::new(false),
            recovers: false,
        }
    }

    /// Fails mutating operation number `fail_at` (which does part of its work, as in a
    /// crash); every other operation succeeds.
    pub fn failing_once(fail_at: usize) -> CrashingFs {
        CrashingFs {
            recovers: true,
            ..CrashingFs::new(fail_at)
        }
    }

    /// True once the crash (or the fault) has happened.
    pub fn crashed(&self) -> bool {
        self.crashed.get()
    }

    /// How many mutating operations were attempted.
    pub fn operations(&self) -> usize {
        self.ops.get()
    }

    /// Counts one mutating operation; true if it is the one that crashes.
    fn crash_now(&self) -> io::Result<bool> {
        if self.is_dead() {
            return Err(dead());
        }
        let n = self.ops.get();
        self.ops.set(n + 1);
        if n == self.crash_at {
            self.crashed.set(true);
            return Ok(true);
        }
        Ok(false)
    }

    /// True after a crash the process did not survive.
    fn is_dead(&self) -> bool {
        self.crashed.get() && !self.recovers
    }

    fn alive(&self) -> io::Result<()> {
        if self.is_dead() {
            Err(dead())
        } else {
            Ok(())
        }
    }
}

fn dead() -> io::Error {
    io::Error::other("simulated crash")
}

impl FileSystem for CrashingFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.alive()?;
        OsFs.read(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.alive()?;
        OsFs.list(dir)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.create_dir_all(dir)
    }

    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        if self.crash_now()? {
            OsFs.write_new(path, &bytes[..bytes.len() / 2])?;
            return Err(dead());
        }
        OsFs.write_new(path, bytes)
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.sync_file(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.sync_dir(dir)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.remove_file(path)
    }

    fn remove_dir(&self, dir: &Path) -> io::Result<()> {
        if self.crash_now()? {
            return Err(dead());
        }
        OsFs.remove_dir(dir)
    }
}
