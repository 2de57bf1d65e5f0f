//! Reading and writing the command's files: size-capped reads into wiped buffers, and
//! atomic writes (temporary file, sync, rename) so a failed command leaves nothing half
//! written.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use authbackup::store::{write_atomic, OsFs};

use zeroize::Zeroizing;

/// A failure of the command itself (a file it could not read or write), as opposed to an
/// ABF error with a stable code.
#[derive(Debug)]
pub struct FileError {
    path: PathBuf,
    action: &'static str,
    detail: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.action,
            self.path.display(),
            self.detail
        )
    }
}

fn fail(path: &Path, action: &'static str, detail: impl fmt::Display) -> FileError {
    FileError {
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
        return Err(fail(
            path,
            "read",
            format!("the file is larger than {limit} bytes"),
        ));
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

/// Writes `bytes` to `path` atomically (the store's write: temporary file, sync, rename,
/// directory sync), readable by the owner only.
pub fn write_private(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), FileError> {
    if existing == Existing::Refuse && path.exists() {
        return Err(fail(
            path,
            "write",
            "the file exists; refusing to overwrite it",
        ));
    }
    let path = if path.parent().is_some_and(|p| p.as_os_str().is_empty()) {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    };
    write_atomic(&OsFs, &path, bytes).map_err(|e| fail(&path, "write", e))
}
