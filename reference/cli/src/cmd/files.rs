//! Reading and writing the command's files: size-capped reads into wiped buffers, and
//! atomic writes under a folder lock (a uniquely named temporary file, sync, rename) so a
//! failed or killed command leaves nothing half written, and no temporary file survives the
//! next command on the same target.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use authbackup::store::{FileSystem, OsFs};
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
        self.write_with(&OsFs, path, bytes, existing)
    }

    /// [`Locked::write`] through the file operations of `fs` (tests inject faults with it).
    fn write_with(
        &self,
        fs: &dyn FileSystem,
        path: &Path,
        bytes: &[u8],
        existing: Existing,
    ) -> Result<(), FileError> {
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
        self.remove_stale(fs, &name);
        let tmp =
            Temporary::write(fs, &self.dir, &name, bytes).map_err(|e| fail(path, "write", e))?;
        let renamed = match existing {
            Existing::Replace => fs.rename(&tmp.path, &target),
            Existing::Refuse => fs.rename_new(&tmp.path, &target),
        };
        renamed.map_err(|e| fail(path, "write", e))?;
        tmp.renamed();
        fs.sync_dir(&self.dir)
            .map_err(|e| fail(&self.dir, "sync", e))
    }

    /// Removes this tool's temporary files for target `name` (safe: the folder is locked, so
    /// no other command of this tool is writing them). A file that cannot be removed stays
    /// for the next command.
    fn remove_stale(&self, fs: &dyn FileSystem, name: &str) {
        let Ok(entries) = fs.list(&self.dir) else {
            return;
        };
        let prefix = format!(".{name}.");
        let legacy = format!(".{name}.tmp");
        for file in entries {
            let ours = file.starts_with(&prefix) && file.ends_with(TMP_SUFFIX);
            if ours || file == legacy {
                let _ = fs.remove_file(&self.dir.join(file));
            }
        }
    }
}

/// A temporary file of this tool, removed when dropped unless it was renamed to its target.
struct Temporary<'a> {
    fs: &'a dyn FileSystem,
    path: PathBuf,
    renamed: bool,
}

impl<'a> Temporary<'a> {
    /// Writes and syncs `bytes` to a new file `.NAME.<random>.abf-tmp` in `dir`, readable by
    /// the owner only.
    fn write(
        fs: &'a dyn FileSystem,
        dir: &Path,
        name: &str,
        bytes: &[u8],
    ) -> std::io::Result<Temporary<'a>> {
        let random = uuid::Uuid::new_v4().simple();
        let tmp = Temporary {
            fs,
            path: dir.join(format!(".{name}.{random}{TMP_SUFFIX}")),
            renamed: false,
        };
        fs.write_new(&tmp.path, bytes)?;
        fs.sync_file(&tmp.path)?;
        Ok(tmp)
    }

    /// Marks the file as renamed to its target: nothing is left to remove.
    fn renamed(mut self) {
        self.renamed = true;
    }
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = self.fs.remove_file(&self.path);
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

#[cfg(test)]
mod tests {
    use super::*;
    use authbackup::store::CrashingFs;

    const OLD: &[u8] = b"{\"accounts\":[\"old\"]}";
    const NEW: &[u8] = b"{\"accounts\":[\"new\"]}";

    /// A fresh folder holding `dev.json` = OLD.
    fn folder(name: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!("abf-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("dev.json");
        std::fs::write(&target, OLD).unwrap();
        (dir, target)
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The mutating operations of one successful write with no stale files about.
    fn steps_of_a_write(test: &str) -> usize {
        let (dir, target) = folder(&format!("{test}-count"));
        let fs = CrashingFs::new(usize::MAX);
        let locked = lock_folder_of(&target).unwrap();
        locked
            .write_with(&fs, &target, NEW, Existing::Replace)
            .unwrap();
        std::fs::remove_dir_all(dir).unwrap();
        fs.operations()
    }

    /// A full disk or an I/O error at any step of a write (the temporary file's write or sync,
    /// the rename over a device file that cannot be replaced, the folder's sync): the command
    /// fails, the target is whole (old, or new once renamed), and the temporary file, which
    /// may hold every secret in plain text, is gone.
    #[test]
    fn a_fault_at_any_step_leaves_a_whole_target_and_no_temporary_file() {
        let steps = steps_of_a_write("fault");
        assert_eq!(steps, 4, "write, sync, rename, sync the folder");
        let (dir, target) = folder("fault");
        for step in 0..steps {
            std::fs::write(&target, OLD).unwrap();
            let fs = CrashingFs::failing_once(step);
            let locked = lock_folder_of(&target).unwrap();
            let result = locked.write_with(&fs, &target, NEW, Existing::Replace);
            drop(locked);
            assert!(fs.crashed(), "step {step} was reached");
            let error = result.expect_err("a failed step fails the write");
            assert_eq!(error.code, "io_error");
            let renamed = step >= 3;
            let expected = if renamed { NEW } else { OLD };
            assert_eq!(std::fs::read(&target).unwrap(), expected, "step {step}");
            assert_eq!(listing(&dir), ["dev.json"], "step {step}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A crash (the process dies: no clean-up runs) at any step, with temporary files of two
    /// earlier crashes already there: the target is whole, and the next write on it removes
    /// every temporary file of this tool for it, and nothing else.
    #[test]
    fn a_crash_at_any_step_leaves_a_whole_target_and_the_next_write_cleans_up() {
        let (dir, target) = folder("crash");
        let stale = [".dev.json.0f3e.abf-tmp", ".dev.json.tmp"];
        let others = [".other.json.1a2b.abf-tmp", "dev.json.abf-tmp"];
        let mut left_behind = 0;
        for step in 0..steps_of_a_write("crash") + stale.len() {
            std::fs::write(&target, OLD).unwrap();
            for name in stale.iter().chain(&others) {
                std::fs::write(dir.join(name), b"secret").unwrap();
            }
            let fs = CrashingFs::new(step);
            let locked = lock_folder_of(&target).unwrap();
            assert!(locked
                .write_with(&fs, &target, NEW, Existing::Replace)
                .is_err());
            drop(locked);
            assert!(fs.crashed(), "step {step} was reached");
            let content = std::fs::read(&target).unwrap();
            assert!(content == OLD || content == NEW, "step {step}: torn target");
            left_behind += listing(&dir).len() - 1 - others.len();

            write_private(&target, NEW, Existing::Replace).unwrap();
            let mut expected: Vec<&str> = others.iter().copied().chain(["dev.json"]).collect();
            expected.sort();
            assert_eq!(listing(&dir), expected, "after the crash at step {step}");
            assert_eq!(std::fs::read(&target).unwrap(), NEW);
        }
        assert!(
            left_behind > 0,
            "some crash left a temporary file to clean up"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A key is never overwritten: a write that must create its file refuses an existing one
    /// and leaves the folder as it was.
    #[test]
    fn a_refused_write_changes_nothing() {
        let (dir, target) = folder("refuse");
        let error = write_private(&target, NEW, Existing::Refuse).unwrap_err();
        assert!(
            error.to_string().contains("refusing to overwrite"),
            "{error}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), OLD);
        assert_eq!(listing(&dir), ["dev.json"]);
        let fresh = dir.join("key.jwk");
        write_private(&fresh, NEW, Existing::Refuse).unwrap();
        assert_eq!(std::fs::read(&fresh).unwrap(), NEW);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
