//! What the command-line tests share: running `authbackup`, the example files, and a
//! scratch folder that is removed afterwards.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

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

/// An accounts file of up to four code-bearing accounts whose ids and names start with `tag`
/// (tag `a` or another: their secrets differ, so no account of one matches the other's).
pub fn accounts(tag: &str, n: usize) -> String {
    let accounts: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("{tag}-{i}"), "type": "totp", "issuer": format!("{tag} issuer"),
                "name": format!("{tag}{i}@example.com"), "secret": format!("{}{}", if tag == "a" { "JBSWY3DPEHPK3PX" } else { "MFRGGZDFMZTWQ2L" }, ["A", "B", "C", "D"][i % 4]),
            })
        })
        .collect();
    serde_json::json!({ "accounts": accounts }).to_string()
}

/// A key and two backups (`a.abf`, `b.abf`) of different accounts, in `s`.
pub fn two_backups(s: &Scratch) {
    ok(&["keygen", "-o", &s.path("key.jwk")]);
    for tag in ["a", "b"] {
        std::fs::write(s.path(&format!("{tag}.json")), accounts(tag, 3)).unwrap();
        ok(&strs(&create_args(
            s,
            &format!("{tag}.json"),
            &s.path(&format!("{tag}.abf")),
        )));
    }
}

/// `backup create` of the accounts file `accounts` with the key of `s`, written to `output`.
pub fn create_args(s: &Scratch, accounts: &str, output: &str) -> Vec<String> {
    [
        "backup",
        "create",
        "--accounts",
        &s.path(accounts),
        "--platform",
        "ios",
        "--key",
        &s.path("key.jwk"),
        "-o",
        output,
    ]
    .map(String::from)
    .to_vec()
}

/// `args` as the `&str`s `authbackup` takes.
pub fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Every entry of `dir` (hidden files included) with its bytes, to compare before and after.
pub fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    entries.sort();
    entries
}
