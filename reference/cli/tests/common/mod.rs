//! What the command-line tests share: running `authbackup`, the example files, and a
//! scratch folder that is removed afterwards.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `authbackup` with `args`.
pub fn authbackup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authbackup"))
        .args(args)
        .output()
        .expect("the authbackup binary runs")
}

/// Runs `authbackup` with `args`, which must succeed, and returns its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = authbackup(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `reference/examples/`.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A fresh scratch folder, removed on drop.
pub struct Scratch {
    /// The folder.
    pub dir: PathBuf,
}

impl Scratch {
    /// A new empty folder named after the test.
    pub fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("authbackup-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    /// A path inside the folder, as a string.
    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
