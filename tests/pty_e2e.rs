//! Runs the real binary in a pseudo-terminal, as an admin would: ticks an item, writes a
//! note, quits, starts again, and finds both; and checks that the terminal is given back
//! (alternate screen left, mouse capture off) on quit and on every ending signal.

#![cfg(unix)]

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};

struct Tui {
    parser: vt100::Parser,
    raw: Vec<u8>,
    rx: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tui {
    fn start(data_dir: &std::path::Path) -> Tui {
        Self::start_with(data_dir, &[])
    }

    fn start_with(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Tui {
        let pty = NativePtySystem::default()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_pchat-migrate"));
        cmd.env("PCHAT_MIGRATE_DATA_DIR", data_dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("USER", "pty-tester");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Tui {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(40).unwrap(),
                std::num::NonZeroU16::new(120).unwrap(),
                0,
            ),
            raw: Vec::new(),
            rx,
            writer,
            child,
        }
    }

    fn pump(&mut self, wait: Duration) {
        if let Ok(bytes) = self.rx.recv_timeout(wait) {
            self.feed(&bytes);
            while let Ok(more) = self.rx.try_recv() {
                self.feed(&more);
            }
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        // Answer a cursor position query, as a terminal would.
        if bytes.windows(4).any(|w| w == b"\x1b[6n") {
            let _ = self.writer.write_all(b"\x1b[1;1R");
        }
        self.parser.process(bytes);
        self.raw.extend_from_slice(bytes);
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while !self.screen().contains(needle) {
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {needle:?}; screen:\n{}",
                self.screen()
            );
            self.pump(Duration::from_millis(100));
        }
    }

    /// Types keys, then lets the wizard take them in before the next keys arrive (a lone
    /// ESC followed at once by another key reads as Alt+key, as on a real terminal).
    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        let until = Instant::now() + Duration::from_millis(250);
        while Instant::now() < until {
            self.pump(Duration::from_millis(50));
        }
    }

    fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            self.pump(Duration::from_millis(50));
            if let Some(status) = self.child.try_wait().unwrap() {
                self.pump(Duration::from_millis(200));
                return status;
            }
            assert!(
                start.elapsed() < timeout,
                "the wizard did not exit; screen:\n{}",
                self.screen()
            );
        }
    }
}

fn assert_terminal_restored(t: &Tui) {
    let raw = String::from_utf8_lossy(&t.raw);
    assert!(
        !t.parser.screen().alternate_screen(),
        "still on the alternate screen"
    );
    let leave = raw
        .rfind("\x1b[?1049l")
        .expect("never left the alternate screen");
    let enter = raw
        .rfind("\x1b[?1049h")
        .expect("never entered the alternate screen");
    assert!(
        leave > enter,
        "left the alternate screen before entering it"
    );
    assert!(
        raw.contains("\x1b[?1000l"),
        "mouse capture was not turned off"
    );
    assert!(
        raw.contains("\x1b[?2004l"),
        "bracketed paste was not turned off"
    );
}

#[test]
fn tick_and_note_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tui::start(dir.path());
    // The first start creates the lab, then opens the wizard on the stage list.
    t.wait_for("Stages", Duration::from_secs(180));
    t.wait_for("Plan", Duration::from_secs(10));
    // Open the Plan checklist, tick the first item, write a note.
    t.send("\r");
    t.send(" ");
    t.wait_for("[x]", Duration::from_secs(10));
    t.send("n");
    t.wait_for("Notes —", Duration::from_secs(10));
    t.send("written in a pty");
    t.send("\x1b");
    t.wait_for("saved: plan.single-source: note", Duration::from_secs(10));
    t.send("q");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");
    assert_terminal_restored(&t);

    // Start again: same stage, same item, the tick and the note are there.
    let mut t = Tui::start(dir.path());
    t.wait_for("Stages", Duration::from_secs(60));
    t.wait_for("written in a pty", Duration::from_secs(10));
    assert!(
        t.screen().contains("[x]"),
        "the tick is gone:\n{}",
        t.screen()
    );
    assert!(
        t.screen().contains("pty-tester"),
        "the operator is not shown:\n{}",
        t.screen()
    );
    // Switch to a new session without leaving the wizard: an empty checklist, then back.
    t.send("S");
    t.wait_for("Migration sessions", Duration::from_secs(10));
    t.send("n");
    t.send("cutover");
    t.send("\r");
    t.wait_for("session cutover", Duration::from_secs(30));
    // The new session starts empty (the monitor and the legacy database probe may tick their
    // items at once): the Plan item ticked in the other session is not here.
    t.wait_for("0 Plan", Duration::from_secs(10));
    t.wait_for("single legacy", Duration::from_secs(10));
    let item = t
        .screen()
        .lines()
        .find(|l| l.contains("single legacy"))
        .unwrap_or_default()
        .to_string();
    assert!(
        item.contains("[ ]"),
        "the new session has the other session's tick: {item}"
    );
    t.send("q");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "exit {status:?}; screen:\n{}", t.screen());
    assert_terminal_restored(&t);
}

/// Every signal that ends the process from outside (SIGTERM, SIGHUP, SIGINT and SIGQUIT:
/// in raw mode ctrl-c is a key, so SIGINT only comes from `kill`) gives the terminal back.
#[test]
fn every_ending_signal_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    for signal in ["TERM", "HUP", "INT", "QUIT"] {
        let mut t = Tui::start(dir.path());
        t.wait_for("Stages", Duration::from_secs(180));
        let pid = t.child.process_id().expect("pid");
        let rc = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()
            .unwrap();
        assert!(rc.success());
        t.wait_exit(Duration::from_secs(20));
        assert_terminal_restored(&t);
    }
}

#[test]
fn a_panic_restores_the_terminal_and_writes_a_crash_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tui::start_with(dir.path(), &[("PCHAT_MIGRATE_CRASH_TEST", "1")]);
    let status = t.wait_exit(Duration::from_secs(180));
    assert!(!status.success(), "the crash test did not crash");
    assert_terminal_restored(&t);
    let raw = String::from_utf8_lossy(&t.raw);
    assert!(
        raw.contains("A crash report was written to"),
        "no crash message:\n{raw}"
    );
    let reports: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("crash-"))
        .collect();
    assert_eq!(reports.len(), 1, "expected one crash report");
    let text = std::fs::read_to_string(reports[0].path()).unwrap();
    assert!(text.contains("PCHAT_MIGRATE_CRASH_TEST"), "{text}");
    // The session database is intact and opens again.
    let store = pchat_migrate::store::Store::open(&dir.path().join("sessions.db")).unwrap();
    assert!(store.session("lab").unwrap().is_some());
}

#[test]
fn a_stopped_lab_pool_stays_stopped_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tui::start(dir.path());
    t.wait_for("Stages", Duration::from_secs(180));
    // Pools screen: the legacy Group Chat pool is the second row; x stops it.
    t.send("2");
    t.wait_for("Up       gcpool.contoso.lab", Duration::from_secs(30));
    t.send("j");
    t.send("x");
    t.wait_for("Down     gcpool.contoso.lab", Duration::from_secs(30));
    t.send("q");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");

    // Issue 10 §4: it came back up after a restart. It must not.
    let mut t = Tui::start(dir.path());
    t.wait_for("Stages", Duration::from_secs(60));
    t.send("2");
    t.wait_for("Down     gcpool.contoso.lab", Duration::from_secs(30));
    assert!(
        t.screen().contains("Up       pchatpool.contoso.lab"),
        "{}",
        t.screen()
    );
    t.send("q");
    let status = t.wait_exit(Duration::from_secs(20));
    assert!(status.success(), "exit status {status:?}");
}

/// Bulk input: 100 KB of movement keys (each one a new position to save) and a 20 KB
/// unbracketed paste into the filter, then `q`. The wizard takes the input in bursts (one
/// frame per burst, one queued position save), so it keeps up and quits; before, each key
/// cost a frame and a committed write and `q` waited minutes. The deadline only guards
/// against a hang: it is minutes above what the run takes.
#[test]
fn bulk_input_is_coalesced_and_quit_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tui::start(dir.path());
    t.wait_for("Stages", Duration::from_secs(180));
    let started = Instant::now();
    let deadline = Duration::from_secs(120);
    let keys: Vec<u8> = b"jjkjGgjk\tjkkj"
        .iter()
        .copied()
        .cycle()
        .take(100_000)
        .collect();
    let mut paste = b"/".to_vec();
    paste.extend(
        "Get-CsPersistentChatPool spam "
            .bytes()
            .cycle()
            .take(20_000),
    );
    // Written from a thread, so that a wizard that stops reading fails the deadline instead
    // of blocking the test on a full pty buffer.
    let mut writer = std::mem::replace(&mut t.writer, Box::new(std::io::sink()));
    let (done_tx, done_rx) = mpsc::channel();
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = written.clone();
    std::thread::spawn(move || {
        for chunk in keys.chunks(1024).chain(paste.chunks(1024)) {
            writer.write_all(chunk).unwrap();
            writer.flush().unwrap();
            count.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
        }
        let _ = done_tx.send(writer);
    });
    let writer = loop {
        t.pump(Duration::from_millis(20));
        if let Ok(w) = done_rx.try_recv() {
            break w;
        }
        assert!(
            started.elapsed() < deadline,
            "the wizard stopped taking input after {} bytes; screen:\n{}",
            written.load(std::sync::atomic::Ordering::Relaxed),
            t.screen()
        );
    };
    t.writer = writer;
    // The whole paste reached the filter; ESC (alone, so it is not read as Alt+key) closes it.
    t.wait_for("Filter \"Get-CsPersistentChatPool", deadline);
    t.send("\x1b");
    t.wait_for("Stages", deadline);
    let until = Instant::now() + Duration::from_secs(60);
    while t.screen().contains("Filter \"") {
        assert!(Instant::now() < until, "esc did not close the filter");
        t.pump(Duration::from_millis(100));
    }
    t.send("q");
    let status = t.wait_exit(deadline.saturating_sub(started.elapsed()));
    assert!(status.success(), "exit {status:?}; screen:\n{}", t.screen());
    assert_terminal_restored(&t);
}
