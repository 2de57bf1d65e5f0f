//! The file operations the store needs, behind a trait so that tests can crash the store at
//! any step (REQ-STORE-002), and the atomic write built from them.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The file operations of the store. Every mutating operation is one step of the fault
/// injection of `CrashingFs` (feature `test-util`).
pub trait FileSystem {
    /// Reads a whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The names of the entries of a directory (empty if it does not exist).
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Creates a directory and its parents.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Creates `path`, which must not exist, readable by its owner only, and writes `bytes`.
    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Flushes a file's contents to stable storage.
    fn sync_file(&self, path: &Path) -> io::Result<()>;
    /// Renames `from` to `to`, replacing `to` (atomic on POSIX file systems).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Renames `from` to `to` only if `to` does not exist (`AlreadyExists` otherwise). This
    /// default looks first, then renames: safe against writers that hold the same lock;
    /// [`OsFs`] is atomic against every writer where the file system has hard links.
    fn rename_new(&self, from: &Path, to: &Path) -> io::Result<()> {
        rename_if_absent(self, from, to)
    }
    /// Flushes a directory, so that renames and removals in it are durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Removes an empty directory.
    fn remove_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsFs;

impl FileSystem for OsFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        match fs::read_dir(dir) {
            Ok(entries) => entries
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(path)?.write_all(bytes)
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        File::open(path)?.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn rename_new(&self, from: &Path, to: &Path) -> io::Result<()> {
        match fs::hard_link(from, to) {
            Ok(()) => fs::remove_file(from),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => rename_if_absent(self, from, to), // no hard links here (FAT, some FUSE)
        }
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn remove_dir(&self, dir: &Path) -> io::Result<()> {
        fs::remove_dir(dir)
    }
}

/// Renames `from` to `to` after checking, through `fs`, that `to` does not exist.
fn rename_if_absent<F: FileSystem + ?Sized>(fs: &F, from: &Path, to: &Path) -> io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let name = to.file_name().map(|n| n.to_string_lossy());
    if fs
        .list(dir)?
        .iter()
        .any(|n| Some(n.as_str()) == name.as_deref())
    {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the file exists",
        ));
    }
    fs.rename(from, to)
}

/// The suffix of temporary files; a reader ignores them and [`crate::store::Store::open`]
/// removes those a crash left behind.
pub const TMP_SUFFIX: &str = ".tmp";

/// REQ-STORE-002: writes `bytes` to `path` so that a crash at any step leaves either the old
/// file or the new one, never a partial or empty one: write a temporary file beside it,
/// sync it, rename it over the target, sync the directory.
pub fn write_atomic(fs: &dyn FileSystem, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}{TMP_SUFFIX}"));
    if fs.list(dir)?.iter().any(|n| dir.join(n) == tmp) {
        fs.remove_file(&tmp)?;
    }
    fs.write_new(&tmp, bytes)?;
    fs.sync_file(&tmp)?;
    fs.rename(&tmp, path)?;
    fs.sync_dir(dir)
}

/// Creates `dir` and its missing parents so that they survive a crash: each new directory's
/// parent is synced after it is created (REQ-STORE-002: a file in a directory whose entry was
/// lost is lost with it).
pub fn create_dir_durable(fs: &dyn FileSystem, dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    for d in dir.ancestors() {
        let (Some(parent), Some(name)) = (d.parent(), d.file_name()) else {
            break;
        };
        let name = name.to_string_lossy();
        if fs.list(parent)?.iter().any(|n| *n == name) {
            break;
        }
        missing.push(d);
    }
    if missing.is_empty() {
        return Ok(());
    }
    fs.create_dir_all(dir)?;
    for d in missing.iter().rev() {
        if let Some(parent) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs.sync_dir(parent)?;
        }
    }
    Ok(())
}
