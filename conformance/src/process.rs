//! An implementation in another process, driven over the stdio adapter protocol
//! (`spec/adapter-protocol.md`): one JSON request per line on its stdin, one JSON response
//! per line on its stdout. A crash, a hang past the timeout or output that does not parse
//! fails the case; the adapter is restarted for the next one.
//!
//! The adapter runs in a process group of its own, and the whole group is killed on a
//! timeout, a restart and at the end of the run, so nothing it started outlives the run.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{json, Value};

use crate::implementation::{Answer, Implementation};

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

/// An adapter process, started with `sh -c CMD` and restarted when it breaks.
pub struct Process {
    command: String,
    timeout: Duration,
    /// The current case's own allowance, when longer than `timeout`.
    allowance: Option<Duration>,
    running: Option<Running>,
    next_id: u64,
    restarts: u64,
}

impl Process {
    /// An adapter started by `command`, allowed `timeout` per request.
    pub fn new(command: &str, timeout: Duration) -> Process {
        Process {
            command: command.to_string(),
            timeout,
            allowance: None,
            running: None,
            next_id: 1,
            restarts: 0,
        }
    }

    /// How many times the adapter had to be started again.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    fn start(&mut self) -> Result<&mut Running, String> {
        if self.running.is_none() {
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(&self.command)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .map_err(|e| format!("cannot start the adapter: {e}"))?;
            let stdin = child.stdin.take().ok_or("no stdin")?;
            let stdout = child.stdout.take().ok_or("no stdout")?;
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    match line {
                        Ok(l) => {
                            if tx.send(l).is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    }
                }
            });
            self.running = Some(Running {
                child,
                stdin,
                lines: rx,
            });
        }
        Ok(self.running.as_mut().expect("started above"))
    }

    fn stop(&mut self) {
        if let Some(mut r) = self.running.take() {
            kill_group(&mut r.child);
            self.restarts += 1;
        }
    }

    fn exchange(&mut self, operation: &str, input: &Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let timeout = self.allowance.map_or(self.timeout, |a| a.max(self.timeout));
        let running = self.start()?;
        let request = json!({ "id": id, "op": operation, "input": input });
        writeln!(running.stdin, "{request}")
            .and_then(|_| running.stdin.flush())
            .map_err(|_| "the adapter exited (its stdin is closed)".to_string())?;
        loop {
            match running.lines.recv_timeout(timeout) {
                Ok(line) => {
                    if let Some(big) = oversized_integer(&line) {
                        // Parsed, it would turn into a float and print as 1.8e19.
                        return Ok(json!({ "id": id, "oversized": big }));
                    }
                    let response: Value = serde_json::from_str(&line)
                        .map_err(|_| format!("unparsable response: {:?}", truncate(&line)))?;
                    match response.get("id").and_then(Value::as_u64) {
                        Some(got) if got == id => return Ok(response),
                        Some(got) if got < id => continue, // a late answer to an earlier request
                        _ => {
                            return Err(format!(
                                "response without this request's id: {}",
                                truncate(&line)
                            ))
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no response within {} ms", timeout.as_millis()))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err("the adapter exited without answering".to_string())
                }
            }
        }
    }
}

/// The first integer of a JSON text (outside its strings) that fits neither u64 nor i64.
pub fn oversized_integer(line: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let (mut i, mut in_string) = (0, false);
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
        } else if c == b'-' || c.is_ascii_digit() {
            let len = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || b"-+.eE".contains(b))
                .count();
            let token = &line[i..i + len];
            let integer = !token.contains(['.', 'e', 'E']);
            if integer && token.parse::<u64>().is_err() && token.parse::<i64>().is_err() {
                return Some(token.to_string());
            }
            i += len;
            continue;
        }
        i += 1;
    }
    None
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

impl Implementation for Process {
    fn call(&mut self, operation: &str, input: &Value) -> Answer {
        match self.exchange(operation, input) {
            Err(why) => {
                self.stop();
                Answer::Broken(why)
            }
            Ok(response) => {
                if let Some(big) = response.get("oversized").and_then(Value::as_str) {
                    Answer::Broken(format!(
                        "the response holds the integer {big}, outside the protocol's 64-bit range"
                    ))
                } else if let Some(ok) = response.get("ok") {
                    Answer::Ok(ok.clone())
                } else if let Some(code) = response.get("error").and_then(Value::as_str) {
                    Answer::Error(code.to_string())
                } else if response.get("unsupported") == Some(&Value::Bool(true)) {
                    Answer::Unsupported
                } else {
                    Answer::Broken(format!(
                        "response has no ok, error or unsupported: {response}"
                    ))
                }
            }
        }
    }

    fn allow_time(&mut self, allowance: Option<Duration>) {
        self.allowance = allowance;
    }

    fn name(&self) -> String {
        self.command.clone()
    }
}

/// Kills the adapter's whole process group (the adapter and everything it started that
/// stayed in its group), then reaps the adapter.
fn kill_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    // `kill` the command: the standard library cannot signal a group, and this crate forbids
    // the unsafe code a direct call would need.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(Running {
            mut child, stdin, ..
        }) = self.running.take()
        {
            // Closing stdin lets a well-behaved adapter finish; its group goes anyway.
            drop(stdin);
            let deadline = std::time::Instant::now() + Duration::from_millis(200);
            while std::time::Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(5));
            }
            kill_group(&mut child);
        }
    }
}
