//! Running a [`Script`]: the child process, its output streams, cancel and the time limit.
//!
//! The shell is started with `-EncodedCommand` (no shell re-parses the script), stdin piped
//! (the credential, if any, then closed), stdout and stderr piped and read line by line on
//! two threads. Each line is redacted first, then parsed (marker lines) or logged as it
//! arrives. Cancel (the reporter's flag) and the time limit end the **whole process tree**
//! ([`ProcessTree`]: a process group on Unix, a Job Object on Windows, where the shell also
//! has no console of its own).
//!
//! A remote cmdlet keeps running on the server after its local PowerShell is killed until
//! WinRM notices the client is gone (inferred from how WinRM shells work; not tried).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::config::ExecutorConfig;
use super::credential::Credential;
use super::process_tree::ProcessTree;
use super::script::Script;
use super::{ExecError, Redactor};
use crate::progress::{ProgressUpdate, Reporter};

/// One error record the script reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorInfo {
    /// The step key (from the last BEGIN marker).
    pub step: String,
    /// `CategoryInfo.Category`.
    pub category: String,
    /// `FullyQualifiedErrorId`.
    pub fqid: String,
    /// The exception's type name.
    pub exception: String,
    /// The exception's message.
    pub message: String,
    /// `TargetObject`, as a string.
    pub target: String,
}

/// What a run produced, before interpretation. Every string in it is redacted.
#[derive(Clone, Debug, Default)]
pub struct RawRun {
    /// Exit code; `None` when ended by a signal.
    pub exit_code: Option<i32>,
    /// The script reached its end (`DONE` marker).
    pub done: bool,
    /// JSON objects per step key, in arrival order.
    pub data: BTreeMap<String, Vec<serde_json::Value>>,
    /// Error records, in order.
    pub errors: Vec<ErrorInfo>,
    /// `WARNING:` lines.
    pub warnings: Vec<String>,
    /// Steps that reached their END marker.
    pub completed: Vec<String>,
    /// The last stderr lines.
    pub stderr_tail: Vec<String>,
    /// Lines read (stdout and stderr).
    pub lines: u64,
    /// Wall time.
    pub elapsed: Duration,
}

/// How many stderr lines a run keeps for the error message.
const STDERR_TAIL: usize = 20;
/// How long to wait for the output pipes to close after the shell exited.
const DRAIN: Duration = Duration::from_secs(3);
/// How often the loop checks cancel, the deadline and the child.
const TICK: Duration = Duration::from_millis(50);

/// Output lines read but not yet parsed, at most (see the channel in `run_streaming`).
const LINES_IN_FLIGHT: usize = 4096;

enum Msg {
    Out(Vec<u8>),
    Err(Vec<u8>),
    Closed,
}

/// Runs `script` with `cfg.shell`, streaming into `r`.
///
/// # Errors
/// [`ExecError::Spawn`], [`ExecError::Cancelled`], [`ExecError::Timeout`], [`ExecError::Io`].
/// Error records and exit codes are *not* errors here; [`super::outcome`] judges them.
pub fn run(
    script: &Script,
    cfg: &ExecutorConfig,
    credential: Option<&Credential>,
    redactor: &Redactor,
    r: &dyn Reporter,
) -> Result<RawRun, ExecError> {
    run_streaming(script, cfg, credential, redactor, r, None)
}

/// What receives streamed rows: (step key, one row's JSON text); an error stops the run's
/// use of the rows and is reported as an error record of that step.
pub type RowSink<'a> = &'a mut dyn FnMut(&str, &str) -> Result<(), String>;

/// [`run`], with the data objects of the steps whose key starts with
/// [`super::script::ROWS_STEP`] handed to `sink` as they arrive instead of being collected
/// (the verify's row reads: millions of rows, memory stays flat).
///
/// # Errors
/// As [`run`].
pub fn run_streaming(
    script: &Script,
    cfg: &ExecutorConfig,
    credential: Option<&Credential>,
    redactor: &Redactor,
    r: &dyn Reporter,
    sink: Option<RowSink<'_>>,
) -> Result<RawRun, ExecError> {
    let started = Instant::now();
    let shell = cfg.shell.trim().to_string();
    let program = super::shell_path::resolve(&shell);
    let mut cmd = Command::new(&program);
    cmd.args(script.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (mut child, tree) = ProcessTree::spawn(&mut cmd).map_err(|e| ExecError::Spawn {
        shell: shell.clone(),
        message: e.to_string(),
        hint: if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{} does not exist here; set [executor] shell to the full path of powershell.exe or pwsh (Windows PowerShell 5.1 is %SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe)",
                program.display()
            )
        } else {
            "check [executor] shell".into()
        },
    })?;
    r.log(format!(
        "PowerShell started (pid {}, {} on {}, script sha256 {})",
        child.id(),
        program.display(),
        script.runs_on,
        &script.sha256()[..16]
    ));

    // Standard input: the credential lines, then EOF. On a thread, so a shell that does not
    // read cannot block us; the buffer is zeroized when the thread ends.
    let stdin_bytes = credential.map(Credential::stdin_bytes);
    let stdin = child.stdin.take();
    let writer = std::thread::Builder::new()
        .name("pwsh-stdin".into())
        .spawn(move || {
            if let Some(mut pipe) = stdin {
                if let Some(b) = stdin_bytes.as_ref() {
                    let _ = pipe.write_all(b);
                    let _ = pipe.flush();
                }
                drop(pipe);
            }
            drop(stdin_bytes);
        })
        .map_err(|e| ExecError::Io(format!("cannot start a thread: {e}")))?;

    // Bounded: when the rows arrive faster than the copies take them, the readers wait and
    // the shell's pipe fills, instead of the lines piling up in memory (a 10-million-message
    // verify held hundreds of MB here).
    let (tx, rx) = mpsc::sync_channel::<Msg>(LINES_IN_FLIGHT);
    let readers = [
        spawn_reader(child.stdout.take(), tx.clone(), true)?,
        spawn_reader(child.stderr.take(), tx.clone(), false)?,
    ];
    drop(tx);

    let mut p = Parser::new(script, redactor);
    p.sink = sink;
    let deadline = cfg.timeout().map(|t| started + t);
    let mut open = 2;
    let mut exited: Option<(Option<i32>, Instant)> = None;
    let outcome: Result<(), ExecError> = loop {
        match rx.recv_timeout(TICK) {
            Ok(Msg::Out(b)) => p.stdout_line(&b, r),
            Ok(Msg::Err(b)) => p.stderr_line(&b, r),
            Ok(Msg::Closed) => open -= 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Both pipes are closed; wait for the exit without spinning.
                open = 0;
                std::thread::sleep(TICK);
            }
        }
        if exited.is_none() {
            if r.is_cancelled() {
                tree.kill(&mut child);
                r.log("cancelled: the PowerShell process tree was stopped; a cmdlet already running on a remote server may go on until WinRM notices (check before running again)".into());
                break Err(ExecError::Cancelled);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                tree.kill(&mut child);
                break Err(ExecError::Timeout {
                    secs: cfg.timeout_secs,
                    hint: "the cmdlet may have done part of its work: read its -Report file and the job log; a remote cmdlet may still be running until WinRM ends the session; raise [executor] timeout_secs for big exports and imports".into(),
                });
            }
            match child.try_wait() {
                Ok(Some(status)) => exited = Some((status.code(), Instant::now())),
                Ok(None) => {}
                Err(e) => break Err(ExecError::Io(format!("cannot watch PowerShell: {e}"))),
            }
        }
        if let Some((_, at)) = exited {
            if open == 0 {
                break Ok(());
            }
            if at.elapsed() > DRAIN {
                // Something the shell started still holds the pipes: end it.
                tree.kill_leftovers();
                break Ok(());
            }
        }
    };
    if outcome.is_err() {
        let _ = child.wait();
    }
    // Drain what is already buffered (bounded: the pipes are closed or the tree is gone).
    let drain_until = Instant::now() + DRAIN;
    while open > 0 && Instant::now() < drain_until {
        match rx.recv_timeout(TICK) {
            Ok(Msg::Out(b)) => p.stdout_line(&b, r),
            Ok(Msg::Err(b)) => p.stderr_line(&b, r),
            Ok(Msg::Closed) => open -= 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = writer.join();
    if open == 0 {
        for h in readers {
            let _ = h.join();
        }
    }
    outcome?;
    let mut run = p.finish();
    run.exit_code = exited.and_then(|(c, _)| c);
    run.elapsed = started.elapsed();
    r.log(format!(
        "PowerShell ended ({}) after {:.1} s",
        run.exit_code
            .map_or_else(|| "no exit code".to_string(), |c| format!("exit code {c}")),
        run.elapsed.as_secs_f64()
    ));
    Ok(run)
}

fn spawn_reader<R: Read + Send + 'static>(
    pipe: Option<R>,
    tx: mpsc::SyncSender<Msg>,
    stdout: bool,
) -> Result<std::thread::JoinHandle<()>, ExecError> {
    std::thread::Builder::new()
        .name(if stdout { "pwsh-stdout" } else { "pwsh-stderr" }.into())
        .spawn(move || {
            if let Some(pipe) = pipe {
                let mut rd = BufReader::new(pipe);
                loop {
                    let mut buf = Vec::new();
                    match rd.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let m = if stdout { Msg::Out(buf) } else { Msg::Err(buf) };
                            if tx.send(m).is_err() {
                                break;
                            }
                        }
                    }
                }
            }
            let _ = tx.send(Msg::Closed);
        })
        .map_err(|e| ExecError::Io(format!("cannot start a thread: {e}")))
}

/// Turns output lines into log lines, progress and collected data.
struct Parser<'a, 's> {
    prefix: String,
    redactor: &'a Redactor,
    steps_total: usize,
    labels: BTreeMap<String, String>,
    step: String,
    run: RawRun,
    sink: Option<RowSink<'s>>,
    rows: u64,
}

impl<'a, 's> Parser<'a, 's> {
    fn new(script: &Script, redactor: &'a Redactor) -> Parser<'a, 's> {
        Parser {
            prefix: format!("{} ", script.marker),
            redactor,
            steps_total: script.steps.len(),
            labels: script
                .steps
                .iter()
                .map(|s| (s.key.clone(), s.label.clone()))
                .collect(),
            step: String::new(),
            run: RawRun::default(),
            sink: None,
            rows: 0,
        }
    }

    fn text(&self, bytes: &[u8]) -> String {
        let raw = String::from_utf8_lossy(bytes);
        let line = raw.trim_end_matches(['\r', '\n']);
        self.redactor.apply(line).into_owned()
    }

    fn label(&self, key: &str) -> String {
        self.labels
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    fn stdout_line(&mut self, bytes: &[u8], r: &dyn Reporter) {
        self.run.lines += 1;
        let line = self.text(bytes);
        let Some(rest) = line.strip_prefix(&self.prefix) else {
            if line.trim().is_empty() {
                return;
            }
            if let Some(w) = line.strip_prefix("WARNING: ") {
                self.run.warnings.push(w.to_string());
            }
            r.log(line);
            return;
        };
        let (verb, args) = rest.split_once(' ').unwrap_or((rest, ""));
        match verb {
            "BEGIN" => {
                let mut it = args.split(' ');
                let pos = it.next().unwrap_or("");
                let key = it.next().unwrap_or("").to_string();
                let i = pos
                    .split_once('/')
                    .and_then(|(a, _)| a.parse::<u64>().ok())
                    .unwrap_or(1);
                let label = self.label(&key);
                r.log(format!("step {pos}: {label}"));
                r.progress(ProgressUpdate {
                    phase: label,
                    done: i.saturating_sub(1),
                    total: self.steps_total as u64,
                    bytes: 0,
                });
                self.step = key;
            }
            "END" => {
                let mut it = args.split(' ');
                let pos = it.next().unwrap_or("");
                let key = it.next().unwrap_or("").to_string();
                let i = pos
                    .split_once('/')
                    .and_then(|(a, _)| a.parse::<u64>().ok())
                    .unwrap_or(0);
                if let Some(objs) = self.run.data.get(&key) {
                    r.log(format!("  {}: {} object(s)", self.label(&key), objs.len()));
                }
                r.progress(ProgressUpdate {
                    phase: self.label(&key),
                    done: i,
                    total: self.steps_total as u64,
                    bytes: 0,
                });
                self.run.completed.push(key);
            }
            "JSON" => {
                let (key, json) = args.split_once(' ').unwrap_or((args, ""));
                if key.starts_with(super::script::ROWS_STEP)
                    && let Some(sink) = self.sink.as_mut()
                {
                    // each row arrives as a JSON string holding the row's JSON array
                    let res = serde_json::from_str::<String>(json)
                        .map_err(|e| format!("a row that is not a JSON string: {e}"))
                        .and_then(|row| sink(key, &row));
                    match res {
                        Ok(()) => {
                            self.rows += 1;
                            if self.rows.is_multiple_of(10_000) {
                                r.progress(ProgressUpdate {
                                    phase: format!("{}: rows read", self.label(key)),
                                    done: self.rows,
                                    total: 0,
                                    bytes: 0,
                                });
                            }
                        }
                        Err(message) => {
                            if !self.run.errors.iter().any(|e| e.step == key) {
                                r.log(format!("ERROR in {}: {message}", self.label(key)));
                                self.run.errors.push(ErrorInfo {
                                    step: key.to_string(),
                                    message,
                                    ..ErrorInfo::default()
                                });
                            }
                        }
                    }
                    return;
                }
                match serde_json::from_str::<serde_json::Value>(json) {
                    Ok(v) => self.run.data.entry(key.to_string()).or_default().push(v),
                    Err(e) => r.log(format!("unreadable object from {key}: {e}")),
                }
            }
            "ERROR" => {
                let mut info: ErrorInfo =
                    serde_json::from_str(args).unwrap_or_else(|_| ErrorInfo {
                        message: args.to_string(),
                        ..ErrorInfo::default()
                    });
                if info.step.is_empty() {
                    info.step = self.step.clone();
                }
                r.log(format!(
                    "ERROR in {}: {} [{}, {}]",
                    self.label(&info.step),
                    info.message,
                    info.fqid,
                    info.category
                ));
                self.run.errors.push(info);
            }
            "DONE" => {
                self.run.done = true;
                r.log("script finished".into());
            }
            _ => r.log(line),
        }
    }

    fn stderr_line(&mut self, bytes: &[u8], r: &dyn Reporter) {
        self.run.lines += 1;
        let line = self.text(bytes);
        if line.trim().is_empty() {
            return;
        }
        if self.run.stderr_tail.len() == STDERR_TAIL {
            self.run.stderr_tail.remove(0);
        }
        self.run.stderr_tail.push(line.clone());
        r.log(format!("stderr: {line}"));
    }

    fn finish(self) -> RawRun {
        self.run
    }
}
