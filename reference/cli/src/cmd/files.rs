//! Reading and writing the command's files: size-capped reads into wiped buffers, and
//! atomic writes under a folder lock (a uniquely named temporary file, sync, rename) so a
//! failed or killed command leaves nothing half written, and no temporary file survives the
//! next command on the same target.

use std::fmt;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

/// A failure of the command itself (a file it could not read or write), shown with the
/// command line's code `io_error` (or `too_large` for a file over its limit).
#[derive(Debug)]
pub struct FileError {
    code: &'static str,
    path: PathBuf,
    action: &'static str,
    detail: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot {} {}: {}",
            self.code,
            self.action,
            self.path.display(),
            self.detail
        )
    }
}

fn fail(path: &Path, action: &'static str, detail: impl fmt::Display) -> FileError {
    FileError {
        code: "io_error",
        path: path.to_path_buf(),
        action,
        detail: detail.to_string(),
    }
}

/// Reads at most `limit` bytes of `path` into memory that is wiped on drop; a larger file
/// is an error, not a truncated read.
pub fn read_limited(path: &Path, limit: usize) -> Result<Zeroizing<Vec<u8>>, FileError> {
    let file = File::open(path).map_err(|e| fail(path, "read", e))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(path, "read", e))?;
    if bytes.len() > limit {
        return Err(FileError {
            code: "too_large",
            ..fail(
                path,
                "read",
                format!("the file is larger than {limit} bytes"),
            )
        });
    }
    Ok(bytes)
}

/// Whether an existing file at the target may be replaced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (atomically).
    Replace,
    /// Refuse: the file must not exist (keys are never overwritten).
    Refuse,
}

/// The suffix of this tool's temporary files: `.NAME.<random>.abf-tmp` beside the target.
const TMP_SUFFIX: &str = ".abf-tmp";

/// A folder locked for this command (an advisory lock on the folder itself, so a lock leaves
/// no file behind). Every write of the command goes through one, so two commands never write
/// in the same folder at once, and a read-modify-write command (`restore`) reads its target
/// under the lock it writes under. Unlocked on drop.
pub struct Locked {
    dir: PathBuf,
    _lock: File,
}

/// Locks the folder `path` is (or will be) in, waiting for another command that holds it.
/// A symlink is followed: the folder locked is the target's.
pub fn lock_folder_of(path: &Path) -> Result<Locked, FileError> {
    let target = resolve(path)?;
    let dir = target.parent().unwrap_or(Path::new(".")).to_path_buf();
    let lock = File::open(&dir).map_err(|e| fail(path, "open the folder of", e))?;
    lock.lock()
        .map_err(|e| fail(path, "lock the folder of", e))?;
    Ok(Locked { dir, _lock: lock })
}

impl Locked {
    /// Writes `bytes` to `path` (in this folder) atomically, readable by the owner only: a
    /// uniquely named temporary file beside it, synced, renamed over it, and the folder synced.
    /// The temporary file is removed on every error path; temporary files an earlier,
    /// interrupted command left for this target are removed first. A symlink is written
    /// through (its target replaced), never replaced itself.
    pub fn write(&self, path: &Path, bytes: &[u8], existing: Existing) -> Result<(), FileError> {
        let target = resolve(path)?;
        let name = file_name(&target)?;
        if target.is_dir() {
            return Err(fail(path, "write", "it is a folder"));
        }
        if existing == Existing::Refuse && target.exists() {
            return Err(fail(
                path,
                "write",
                "the file exists; refusing to overwrite it",
            ));
        }
        self.remove_stale(&name);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(TMP_SUFFIX)
            .permissions(private())
            .tempfile_in(&self.dir)
            .map_err(|e| fail(path, "write", e))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| fail(path, "write", e))?;
        let persisted = match existing {
            Existing::Replace => tmp.persist(&target).map(drop),
            Existing::Refuse => tmp.persist_noclobber(&target).map(drop),
        };
        persisted.map_err(|e| fail(path, "write", e.error))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| fail(&self.dir, "sync", e))
    }

    /// Removes this tool's temporary files for target `name` (safe: the folder is locked, so
    /// no other command of this tool is writing them).
    fn remove_stale(&self, name: &str) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!(".{name}.");
        let legacy = format!(".{name}.tmp");
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let ours = file.starts_with(&prefix) && file.ends_with(TMP_SUFFIX);
            if ours || file == legacy {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes one file atomically under its folder's lock (see [`Locked::write`]).
pub fn write_private(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), FileError> {
    lock_folder_of(path)?.write(path, bytes, existing)
}

/// Refuses to write `output` when it is the same file as one of `inputs` (a key, a passphrase
/// or the accounts a command reads must never be replaced by what it writes).
pub fn refuse_overwriting_inputs(output: &Path, inputs: &[&Path]) -> Result<(), FileError> {
    let Ok(out) = std::fs::canonicalize(output) else {
        return Ok(()); // the output does not exist yet: it is no input
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|i| i == out) {
            return Err(fail(
                output,
                "write",
                format!(
                    "it is this command's input {}; refusing to replace it",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

/// An `io_error` refusing to write `path`, and why.
pub fn refuse_write(path: &Path, why: impl fmt::Display) -> FileError {
    fail(path, "write", why)
}

/// True when `a` and `b` name the same file, whether or not it exists yet.
pub fn same_name(a: &Path, b: &Path) -> bool {
    let full = |p: &Path| {
        let p = resolve(p).unwrap_or_else(|_| p.to_path_buf());
        let dir = p.parent().and_then(|d| std::fs::canonicalize(d).ok());
        (dir, p.file_name().map(|n| n.to_os_string()))
    };
    full(a) == full(b)
}

/// The file a write of `path` replaces: `path` itself, or a symlink's target (which must
/// exist). A bare file name is taken in the current folder.
fn resolve(path: &Path) -> Result<PathBuf, FileError> {
    let path = if path.parent().is_some_and(|p| p.as_os_str().is_empty()) {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&path).map_err(|_| {
            fail(
                &path,
                "write",
                "it is a symlink whose target does not exist",
            )
        }),
        _ => Ok(path),
    }
}

fn file_name(path: &Path) -> Result<String, FileError> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| fail(path, "write", "not a file name"))
}

#[cfg(unix)]
fn private() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o600)
}
