//! The Windows build (`pchat-migrate.exe`, x86_64-pc-windows-gnu) run under Wine, as an admin
//! would run it on a management server: the headless path on a data directory given as a
//! Windows path (compared with a Linux run), the known-folder default, the PowerShell process
//! tree ended by its job object, Windows Credential Manager, `powershell.exe` found under
//! `%SystemRoot%`, and the wizard in Wine's console on a pseudo-terminal.
//!
//! `scripts/windows-build.sh --test` builds what these tests need and runs them with
//! `--ignored`; it sets `PCHAT_MIGRATE_WINDOWS_EXE` (the .exe), `PCHAT_MIGRATE_WINE_DLL` (the
//! `bcryptprimitives.dll` stand-in Debian's Wine 8.0 lacks, test scaffolding only),
//! `PCHAT_MIGRATE_WINE_FAKE_PS` (tests/wine/fake-powershell.c built) and `WINEPREFIX`. A
//! plain `cargo test` cannot build for Windows, so there the tests show as ignored.
//!
//! Every folder the .exe sees is on Wine's C: drive and has a space and non-ASCII letters in
//! its name.

#![cfg(unix)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pchat_migrate::deployment::LAB_PROFILE_TOML;

const NEEDS: &str = "needs the Windows build and Wine: scripts/windows-build.sh --test";

/// One test's corner of Wine's C: drive, with the program installed in it.
struct Box_ {
    prefix: PathBuf,
    /// `<prefix>/drive_c/pchat wine tests/<name>`.
    root: PathBuf,
    /// The .exe, as a Windows path.
    exe: String,
}

fn need_env(name: &str) -> PathBuf {
    PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("{name} is not set; {NEEDS}")))
}

impl Box_ {
    fn new(name: &str) -> Box_ {
        let prefix = need_env("WINEPREFIX");
        let exe = need_env("PCHAT_MIGRATE_WINDOWS_EXE");
        let dll = need_env("PCHAT_MIGRATE_WINE_DLL");
        let root = prefix.join("drive_c").join("pchat wine tests").join(name);
        let _ = std::fs::remove_dir_all(&root);
        let bin = root.join("Prögram Fïles");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(&exe, bin.join("pchat-migrate.exe")).unwrap();
        // Only beside the .exe under test: Wine 8.0 has no bcryptprimitives.dll.
        std::fs::copy(&dll, bin.join("bcryptprimitives.dll")).unwrap();
        let b = Box_ {
            exe: String::new(),
            prefix,
            root,
        };
        let exe = b.win(&bin.join("pchat-migrate.exe"));
        Box_ { exe, ..b }
    }

    /// A path under this box, created as a folder, as (Unix path, Windows path).
    fn dir(&self, rel: &str) -> (PathBuf, String) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(&p).unwrap();
        let w = self.win(&p);
        (p, w)
    }

    /// The Windows path of a Unix path on the C: drive.
    fn win(&self, p: &Path) -> String {
        let rel = p
            .strip_prefix(self.prefix.join("drive_c"))
            .expect("a path on drive C:");
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        format!("C:\\{}", parts.join("\\"))
    }

    fn wine(&self) -> Command {
        let mut c = Command::new("wine");
        c.env("WINEDEBUG", "-all")
            .env("PCHAT_MIGRATE_LANG", "en")
            .env_remove("PCHAT_MIGRATE_DATA_DIR")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        c
    }

    /// Runs the .exe with `args` (operator "wine-tester"), standard input closed.
    ///
    /// Now and then (a few in a thousand runs here, more on a loaded machine) Debian's Wine
    /// 8.0 loader process dies of SIGSEGV or SIGKILL after the program has done its work
    /// and printed its last line: a race in Wine's process teardown, not an exit code the
    /// program can give (it exits 0, 1 or 2; see README, "Windows"). Such a run is repeated
    /// once, with a note in the test output; every command here can run twice (`lab init`
    /// again with `--force`, same seed, same lab).
    fn run(&self, args: &[&str]) -> Output {
        use std::os::unix::process::ExitStatusExt;
        let once = |args: &[&str]| {
            self.wine()
                .arg(&self.exe)
                .args(["--operator", "wine-tester"])
                .args(args)
                .stdin(Stdio::null())
                .output()
                .expect("wine runs")
        };
        let o = once(args);
        let Some(sig) = o.status.signal() else {
            return o;
        };
        eprintln!(
            "note: the Wine loader died of signal {sig} running {args:?} (Wine teardown race); running it once more\n{}",
            text(&o)
        );
        let mut again = args.to_vec();
        if args.ends_with(&["lab", "init"]) {
            again.push("--force");
        }
        once(&again)
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output, what: &str) -> Output {
    assert_eq!(o.status.code(), Some(0), "{what} under Wine: {}", text(&o));
    o
}

/// The headless sequence the issue names, on one data directory.
const SEQUENCE: [&[&str]; 5] = [
    &["lab", "init"],
    &["export"],
    &["import", "--what-if", "--json"],
    &["import", "--accept-warnings"],
    &["verify", "--json"],
];
/// Where the `-WhatIf` and the verify results are in [`SEQUENCE`].
const WHAT_IF: usize = 2;
const VERIFY: usize = 4;

/// What the `-WhatIf` found, without the package's identity (its manifest has the time it
/// was written): the counts and every finding.
fn what_if_findings(v: &serde_json::Value) -> serde_json::Value {
    let d = &v["detail"];
    serde_json::json!({
        "counts": [&v["errors"], &v["warnings"], &v["notes"]],
        "categories": d["categories"],
        "rooms": d["rooms"],
        "principals": d["principals"],
        "messages": d["messages"],
        "left_out": d["principals_left_out"],
        "warnings": d["warnings"],
    })
}

/// The verify result without what differs between two runs of the same lab: times and
/// paths.
fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| {
                    !(k.ends_with("_ms")
                        || k.ends_with("_at")
                        || k.contains("path")
                        || k.contains("elapsed")
                        || k == "at")
                });
                m.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut v);
    v
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn the_headless_path_gives_the_linux_results_on_a_windows_data_dir() {
    let json = |o: &Output, what: &str| -> serde_json::Value {
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}): {}", text(o)))
    };
    // Linux, the reference.
    let linux = tempfile::tempdir().unwrap();
    let mut linux_out = Vec::new();
    for args in SEQUENCE {
        let o = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
            .arg("--data-dir")
            .arg(linux.path())
            .args(args)
            .env("PCHAT_MIGRATE_LANG", "en")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?} on Linux: {}", text(&o));
        linux_out.push(o);
    }

    // Windows, under Wine.
    let b = Box_::new("headless");
    let (data, data_win) = b.dir("dätä dir");
    let mut wine_out = Vec::new();
    for args in SEQUENCE {
        let mut all = vec!["--data-dir", data_win.as_str()];
        all.extend_from_slice(args);
        wine_out.push(ok(b.run(&all), &format!("{args:?}")));
    }
    assert!(data.join("lab").join("legacy-groupchat.db").is_file());
    assert!(data.join("lab").join("mgc.db").is_file());
    assert!(
        data.join("lab")
            .join("exports")
            .join("GroupChatExport.zip")
            .is_file()
    );
    let wine_what_if = json(&wine_out[WHAT_IF], "import --what-if --json under Wine");
    assert_eq!(
        what_if_findings(&wine_what_if),
        what_if_findings(&json(
            &linux_out[WHAT_IF],
            "import --what-if --json on Linux"
        )),
        "the -WhatIf under Wine differs from Linux"
    );
    let linux_verify = json(&linux_out[VERIFY], "verify --json on Linux");
    let wine_verify = json(&wine_out[VERIFY], "verify --json under Wine");
    assert_eq!(wine_verify["passed"], true, "{wine_verify:#}");
    assert_eq!(
        comparable(wine_verify),
        comparable(linux_verify),
        "verify under Wine differs from Linux"
    );

    // The sign-off report, to a Windows path with a space and non-ASCII.
    let report_win = format!("{data_win}\\sign-off répört.html");
    let o = ok(
        b.run(&[
            "--data-dir",
            &data_win,
            "report",
            "--format",
            "html",
            "--out",
            &report_win,
        ]),
        "report --format html",
    );
    let html = std::fs::read_to_string(data.join("sign-off répört.html"))
        .unwrap_or_else(|e| panic!("no report file: {e}; {}", text(&o)));
    assert!(
        html.trim_start().starts_with("<!DOCTYPE html"),
        "{}",
        &html[..200]
    );
    assert!(
        html.contains("wine-tester"),
        "the operator is in the report"
    );

    let o = ok(
        b.run(&["--data-dir", &data_win, "audit", "verify"]),
        "audit verify",
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("audit trail intact"));

    let o = ok(b.run(&["--data-dir", &data_win, "paths"]), "paths");
    let out = String::from_utf8_lossy(&o.stdout);
    for line in [
        format!("data directory: {data_win}"),
        format!("session database: {data_win}\\sessions.db"),
        format!("logs: {data_win}\\logs\\pchat-migrate.log"),
        format!("lab: {data_win}\\lab"),
    ] {
        assert!(out.contains(&line), "paths lacks {line:?}:\n{out}");
    }
    assert!(data.join("logs").join("pchat-migrate.log").is_file());
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn without_a_data_dir_the_state_goes_to_local_app_data() {
    let b = Box_::new("known folder");
    let o = ok(b.run(&["paths"]), "paths");
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("data directory: "))
        .unwrap_or_else(|| panic!("no data directory line:\n{out}"));
    assert!(
        line.starts_with("C:\\users\\")
            && line.ends_with("\\AppData\\Local\\pchat-migrate\\pchat-migrate\\data"),
        "not under %LOCALAPPDATA%: {line}"
    );
    let unix = b
        .prefix
        .join("drive_c")
        .join(line.trim_start_matches("C:\\").replace('\\', "/"));
    assert!(
        unix.join("logs").is_dir(),
        "{} was not created",
        unix.display()
    );
}

// ---- production executor: the fake powershell.exe ---------------------------------------

/// A production profile whose `[executor]` is `executor` (TOML lines).
fn production_profile(b: &Box_, executor: &str) -> String {
    let (dir, win) = b.dir("pröfile");
    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
        + "\n[executor]\n"
        + executor;
    std::fs::write(dir.join("prod profile.toml"), text).unwrap();
    format!("{win}\\prod profile.toml")
}

/// Installs the fake PowerShell as `powershell.exe` in a folder with a space and non-ASCII,
/// with `scenario`; returns (its Unix folder, its Windows path).
fn fake_powershell(b: &Box_, scenario: &str) -> (PathBuf, String) {
    let fake = need_env("PCHAT_MIGRATE_WINE_FAKE_PS");
    let (dir, win) = b.dir("Wïndows PowerShell");
    std::fs::copy(fake, dir.join("powershell.exe")).unwrap();
    std::fs::write(dir.join("scenario"), scenario).unwrap();
    (dir, format!("{win}\\powershell.exe"))
}

fn utf16_file(p: &Path) -> String {
    let b = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let u: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&u)
}

/// The script PowerShell was given (`-EncodedCommand`: base64 of UTF-16LE).
fn encoded_script(cmdline: &str) -> String {
    use base64::Engine;
    let enc = cmdline
        .split_whitespace()
        .skip_while(|a| !a.eq_ignore_ascii_case("-EncodedCommand"))
        .nth(1)
        .unwrap_or_else(|| panic!("no -EncodedCommand in {cmdline}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(enc.trim_matches('"'))
        .unwrap();
    let u: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&u)
}

/// Every file under `dir`, as lossy text.
fn all_text_under(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                out.push_str(&String::from_utf8_lossy(&b));
            }
        }
    }
    out
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn the_time_limit_ends_the_whole_powershell_tree() {
    let b = Box_::new("tree");
    let (ps_dir, ps_win) = fake_powershell(&b, "hang");
    let profile = production_profile(
        &b,
        &format!("shell = '{ps_win}'\nremote = \"none\"\ntimeout_secs = 3\n"),
    );
    let (_, data_win) = b.dir("dätä");
    let started = Instant::now();
    let o = b.run(&["--data-dir", &data_win, "--profile", &profile, "verify"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("no result after 3 s"), "{all}");
    assert!(all.contains("process tree was stopped"), "{all}");
    assert!(started.elapsed() < Duration::from_secs(60), "{all}");
    // The grandchild had started (its heartbeat file exists) and is gone: no more beats.
    let beat = ps_dir.join("heartbeat.txt");
    assert!(beat.is_file(), "the fake never started its child: {all}");
    let first = std::fs::read_to_string(&beat).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let second = std::fs::read_to_string(&beat).unwrap();
    assert_eq!(
        first, second,
        "the heartbeat child still runs after the time limit"
    );
    // It was the program named in the profile, path with spaces and non-ASCII.
    let me = utf16_file(&ps_dir.join("self.txt"));
    assert!(me.ends_with("\\Wïndows PowerShell\\powershell.exe"), "{me}");
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn a_child_the_shell_leaves_behind_ends_with_the_run() {
    let b = Box_::new("orphan");
    let (ps_dir, ps_win) = fake_powershell(&b, "orphan");
    let profile = production_profile(
        &b,
        &format!("shell = '{ps_win}'\nremote = \"none\"\ntimeout_secs = 60\n"),
    );
    let (_, data_win) = b.dir("dätä");
    let o = b.run(&["--data-dir", &data_win, "--profile", &profile, "verify"]);
    let all = text(&o);
    // The shell exited at once (exit code 1, no result); its child, started outside any
    // process group Windows knows of, would run on (Wine keeps orphans, as Windows does).
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(
        all.contains("exit code 1 before the script finished"),
        "{all}"
    );
    let beat = ps_dir.join("heartbeat.txt");
    assert!(beat.is_file(), "the fake never started its child: {all}");
    let first = std::fs::read_to_string(&beat).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        first,
        std::fs::read_to_string(&beat).unwrap(),
        "the child left behind still runs"
    );
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn a_credential_manager_entry_reaches_powershell_on_standard_input_only() {
    let b = Box_::new("credman");
    let (ps_dir, ps_win) = fake_powershell(&b, "exit");
    let target = "pchat-migrate wine test";
    let password = "Pä55 wörd!";
    let o = b
        .wine()
        .arg(&ps_win)
        .args([
            "--store-credential",
            target,
            "CONTOSO\\pchatadmin",
            password,
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "storing the credential: {}", text(&o));
    let profile = production_profile(
        &b,
        &format!(
            "shell = '{ps_win}'\nremote = \"winrm\"\ncomputer = \"pchat01.contoso.lab\"\ncredential = \"credman:{target}\"\ntimeout_secs = 60\n"
        ),
    );
    let (data, data_win) = b.dir("dätä");
    let o = b.run(&["--data-dir", &data_win, "--profile", &profile, "verify"]);
    let all = text(&o);
    // The fake runs no cmdlet, so the verify fails; what matters is what it was given.
    assert_eq!(o.status.code(), Some(1), "{all}");
    let stdin = std::fs::read_to_string(ps_dir.join("stdin.txt")).unwrap();
    assert_eq!(stdin, format!("CONTOSO\\pchatadmin\n{password}\n"));
    let script = encoded_script(&utf16_file(&ps_dir.join("cmdline.txt")));
    assert!(
        script.contains("Invoke-Command -ComputerName 'pchat01.contoso.lab' -Credential $pcmCred"),
        "{script}"
    );
    assert!(script.contains("Windows Credential Manager"), "{script}");
    for (what, t) in [
        ("the output", all.as_str()),
        ("the script", script.as_str()),
        ("the data directory", &all_text_under(&data)),
    ] {
        assert!(
            !t.contains(password) && !t.contains("Pä55"),
            "the password is in {what}"
        );
    }

    // An entry that is not there: a set-up error that says how to add it.
    let profile = production_profile(
        &b,
        &format!(
            "shell = '{ps_win}'\nremote = \"winrm\"\ncomputer = \"pchat01.contoso.lab\"\ncredential = \"credman:no such entry\"\n"
        ),
    );
    let o = b.run(&["--data-dir", &data_win, "--profile", &profile, "verify"]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("cmdkey /generic:no such entry"), "{all}");
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn a_bare_powershell_exe_is_the_one_under_system_root() {
    let b = Box_::new("system root");
    // A planted powershell.exe beside pchat-migrate.exe must not be the one that runs.
    let planted = b.root.join("Prögram Fïles").join("powershell.exe");
    std::fs::copy(need_env("PCHAT_MIGRATE_WINE_FAKE_PS"), &planted).unwrap();
    let profile = production_profile(&b, "shell = \"powershell.exe\"\ntimeout_secs = 60\n");
    let (_, data_win) = b.dir("dätä");
    let o = b.run(&["--data-dir", &data_win, "--profile", &profile, "verify"]);
    let all = text(&o);
    assert!(
        all.to_ascii_lowercase()
            .contains("c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe"),
        "{all}"
    );
    assert!(
        !b.root.join("Prögram Fïles").join("self.txt").exists(),
        "the planted powershell.exe ran"
    );
}

// ---- the wizard in Wine's console -------------------------------------------------------

/// The .exe's wizard on a pseudo-terminal: Wine's console (conhost) turns the console API
/// calls into terminal output, and the terminal's bytes into console input records.
///
/// Wine 8.0's console passes the program's escape sequences through to the terminal but
/// also breaks the output into lines of about the console's width counting those sequences
/// as text, so a `\r\n` (`\r\r\n` after the terminal's newline translation) can land in
/// the middle of a sequence. The wizard never writes a line break itself (ratatui positions
/// the cursor), so the screen is read from the output with those breaks taken out.
struct WineTui {
    raw: Vec<u8>,
    rx: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl WineTui {
    fn start(b: &Box_, data_win: &str) -> WineTui {
        use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};
        let pty = NativePtySystem::default()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("wine");
        cmd.arg(&b.exe);
        cmd.args(["--data-dir", data_win, "--no-mouse"]);
        cmd.env("WINEDEBUG", "-all");
        cmd.env("TERM", "xterm-256color");
        cmd.env("PCHAT_MIGRATE_LANG", "en");
        cmd.env_remove("DISPLAY");
        cmd.env_remove("PCHAT_MIGRATE_DATA_DIR");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        WineTui {
            raw: Vec::new(),
            rx,
            writer,
            child,
        }
    }

    fn pump(&mut self) {
        while let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(100)) {
            // Answer a cursor position query, as a terminal would.
            if bytes.windows(4).any(|w| w == b"\x1b[6n") {
                let _ = self.writer.write_all(b"\x1b[1;1R");
            }
            self.raw.extend_from_slice(&bytes);
        }
    }

    fn screen(&self) -> String {
        let mut clean = Vec::with_capacity(self.raw.len());
        let mut i = 0;
        while i < self.raw.len() {
            if self.raw[i..].starts_with(b"\r\r\n") {
                i += 3;
            } else {
                clean.push(self.raw[i]);
                i += 1;
            }
        }
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(30).unwrap(),
            std::num::NonZeroU16::new(100).unwrap(),
            0,
        );
        parser.process(&clean);
        parser.screen().contents()
    }

    fn wait_for(&mut self, needles: &[&str]) {
        let start = Instant::now();
        while !needles.iter().all(|n| self.screen().contains(n)) {
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "no {needles:?} on screen:\n{}",
                self.screen()
            );
            self.pump();
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            self.pump();
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the wizard did not exit; screen:\n{}",
                self.screen()
            );
        }
    }
}

/// A lab data directory the wizard can open at once.
fn wizard_box(name: &str) -> (Box_, PathBuf, String) {
    let b = Box_::new(name);
    let (data, data_win) = b.dir("dätä dir");
    ok(b.run(&["--data-dir", &data_win, "lab", "init"]), "lab init");
    (b, data, data_win)
}

fn log_of(data: &Path) -> String {
    std::fs::read_to_string(data.join("logs").join("pchat-migrate.log")).unwrap_or_default()
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn the_wizard_draws_its_first_frame_in_a_wine_console_and_q_quits() {
    let (b, data, data_win) = wizard_box("wizard q");
    let mut t = WineTui::start(&b, &data_win);
    t.wait_for(&["1 Runbook", "Stages", "0 Plan"]);
    t.send(b"q");
    let status = t.wait_exit();
    assert!(status.success(), "exit {status:?}");
    assert!(log_of(&data).contains("wizard closed"), "{}", log_of(&data));
}

#[test]
#[ignore = "needs the Windows build and Wine: scripts/windows-build.sh --test"]
fn ctrl_c_in_a_wine_console_closes_the_wizard_normally() {
    let (b, data, data_win) = wizard_box("wizard ctrl-c");
    let mut t = WineTui::start(&b, &data_win);
    t.wait_for(&["1 Runbook", "Stages"]);
    // Wine's console turns ^C into CTRL_C_EVENT even in raw mode: without a handler the
    // process would be ended on the spot, the store thread with it.
    t.send(b"\x03");
    let status = t.wait_exit();
    assert!(status.success(), "exit {status:?}");
    assert!(log_of(&data).contains("wizard closed"), "{}", log_of(&data));
    let o = ok(
        b.run(&["--data-dir", &data_win, "audit", "verify"]),
        "audit verify",
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("audit trail intact"));
}
