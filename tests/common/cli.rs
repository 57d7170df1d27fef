//! Running the real binary from the tests: a command on a data directory, a command on a
//! production profile with the stand-in shell, the output as one text, and a run whose
//! standard output is closed after its first bytes.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `pchat-migrate ARGS` on the data directory `data`, operator `ci-operator`, the language
/// left to the defaults (a `PCHAT_MIGRATE_LANG` of the caller's environment is removed).
pub fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(args)
        .env("PCHAT_MIGRATE_DATA_DIR", data)
        .env("USER", "ci-operator")
        .env_remove("PCHAT_MIGRATE_LANG")
        .output()
        .expect("run pchat-migrate")
}

/// `pchat-migrate --data-dir DATA --profile PROFILE ARGS` in English, with the stand-in
/// shell (`tests/fake-pwsh`) playing `scenario`, standard input closed.
pub fn run_production(data: &Path, profile: &Path, scenario: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(data)
        .arg("--profile")
        .arg(profile)
        .args(args)
        .env("FAKE_PWSH_SCENARIO", scenario)
        .env("PCHAT_MIGRATE_LANG", "en")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run pchat-migrate")
}

/// Standard output, then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Standard error of `pchat-migrate ARGS` (data directory `data`) whose standard output is a
/// one-page pipe closed after 64 bytes, as with `| head -c 64`: the writer must block, then
/// meet the closed end.
#[cfg(unix)]
pub fn stderr_when_cut_short(data: &Path, args: &[&str]) -> String {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let (mut reader, writer) = std::io::pipe().unwrap();
    // SAFETY: fcntl on a pipe descriptor this function owns.
    let size = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    assert!(size >= 4096, "cannot shrink the pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(args)
        .env("PCHAT_MIGRATE_DATA_DIR", data)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    reader.read_exact(&mut first).unwrap();
    drop(reader);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    err
}
