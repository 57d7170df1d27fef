//! The import is resumable and idempotent: a child process (this test binary re-executed,
//! like `tests/store_crash.rs`) runs the import and is killed with SIGKILL at several points
//! — while reading the package, right after the directory, in the middle of the messages,
//! near the end; each rerun ends with the same database as an uninterrupted import (ordered
//! dumps of every table, the bookkeeping table included), and a rerun after completion writes
//! nothing.
#![cfg(unix)]

#[path = "common/lab.rs"]
mod lab_common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lab_common::{build, copy, dump, dump_data, export, spec, stage_files};
use pchat_migrate::chatdata::{self, ImportOptions, ImportSummary};
use pchat_migrate::progress::{ProgressUpdate, Reporter};

const CHILD_ENV: &str = "PCHAT_IMPORT_CHILD";
const BATCH: u64 = 4_000;

/// Prints every progress sample and the outcome on stdout, flushed, for the parent.
struct LineReporter;

impl Reporter for LineReporter {
    fn progress(&self, u: ProgressUpdate) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "progress {}|{}", u.phase, u.done);
        let _ = out.flush();
    }
    fn log(&self, _line: String) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

fn opts() -> ImportOptions {
    ImportOptions {
        batch_messages: BATCH,
        ..ImportOptions::default()
    }
}

/// The child: runs only when re-executed by a parent test.
#[test]
fn import_child() {
    let Ok(arg) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (pkg, mgc) = arg.split_once('|').expect("package|mgc");
    let s = chatdata::import(Path::new(pkg), Path::new(mgc), &opts(), &LineReporter)
        .expect("child: import");
    println!(
        "done resumed={} complete={} messages={}",
        s.resumed, s.already_complete, s.messages
    );
}

/// What the parent waits for before killing.
#[derive(Clone, Copy, Debug)]
enum KillAt {
    /// After this many progress samples of the "read package" phase.
    Reading(usize),
    /// After the "import messages" progress reports at least this many messages.
    Publishing(u64),
}

/// Runs a child; kills it (SIGKILL) when `kill` is reached, or lets it finish. Returns the
/// lines it printed and whether it was killed.
fn run_child(pkg: &Path, mgc: &Path, kill: Option<KillAt>) -> (Vec<String>, bool) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["import_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{}|{}", pkg.display(), mgc.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut lines = Vec::new();
    let mut reading = 0usize;
    let mut killed = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                let hit = match (kill, line.strip_prefix("progress ")) {
                    (Some(KillAt::Reading(n)), Some(p)) if p.starts_with("read package|") => {
                        reading += 1;
                        reading >= n
                    }
                    (Some(KillAt::Publishing(n)), Some(p)) if p.starts_with("import messages|") => {
                        p.rsplit('|').next().unwrap().parse::<u64>().unwrap() >= n
                    }
                    _ => false,
                };
                lines.push(line);
                if hit {
                    child.kill().expect("SIGKILL the child");
                    killed = true;
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(status) = child.try_wait().unwrap() {
                    assert!(status.success(), "child failed: {status}\n{lines:?}");
                    break;
                }
                assert!(Instant::now() < deadline, "child hung: {lines:?}");
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                assert!(status.success(), "child failed: {status}\n{lines:?}");
                break;
            }
        }
    }
    let _ = child.wait();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    (lines, killed)
}

fn done_line(lines: &[String]) -> &str {
    lines
        .iter()
        .find(|l| l.starts_with("done "))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("the child did not finish: {lines:?}"))
}

#[test]
fn killed_imports_resume_to_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    // enough for many batches and several content files, still quick in a debug build
    let paths = build(dir.path(), &spec(60_000, 24));
    let pkg = export(&paths, "p.zip");
    let empty = copy(&paths.mgc_db, dir.path(), "empty.db");
    let empty_dump = dump(&empty);

    // the reference: one uninterrupted import
    let reference = copy(&empty, dir.path(), "reference.db");
    let r: ImportSummary = chatdata::import(
        &pkg,
        &reference,
        &opts(),
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap();
    assert!(!r.resumed && r.batches >= 10, "{r:?}");
    let want = dump(&reference);
    assert!(
        want.contains("== import_progress (1 rows)"),
        "bookkeeping kept"
    );

    // 1. killed while reading the package: the target is untouched; the rerun resumes
    //    reading and finishes identical
    let t = copy(&empty, dir.path(), "t1.db");
    let (_, killed) = run_child(&pkg, &t, Some(KillAt::Reading(1)));
    assert!(killed, "the child finished before it could be killed");
    assert_eq!(
        dump(&t),
        empty_dump,
        "nothing written before the package is read"
    );
    assert!(
        !stage_files(&t).is_empty(),
        "the stage survives for the rerun"
    );
    let (lines, killed) = run_child(&pkg, &t, None);
    assert!(!killed);
    assert!(done_line(&lines).contains("resumed=false"));
    assert_eq!(dump(&t), want);
    assert!(
        stage_files(&t).is_empty(),
        "the stage is removed at the end"
    );

    // 2. killed at several points while publishing, then again in the resumed run
    let total = r.messages;
    let near_end = (total - 1) / BATCH * BATCH;
    for (name, first, second) in [
        ("t2.db", 1, Some(total / 2)),
        ("t3.db", total / 3, Some(total * 9 / 10)),
        ("t4.db", near_end, None),
    ] {
        let t = copy(&empty, dir.path(), name);
        let (_, killed) = run_child(&pkg, &t, Some(KillAt::Publishing(first)));
        assert!(killed, "{name}: not killed");
        if first < near_end {
            assert_ne!(dump(&t), want, "{name}: killed before the end");
        }
        if let Some(second) = second {
            let (_, killed) = run_child(&pkg, &t, Some(KillAt::Publishing(second)));
            assert!(killed, "{name}: second kill missed");
        }
        let (lines, _) = run_child(&pkg, &t, None);
        let done = done_line(&lines);
        assert!(
            done.contains("resumed=true") || done.contains("complete=true"),
            "{name}: {done}"
        );
        assert_eq!(
            dump(&t),
            want,
            "{name}: differs from the uninterrupted import"
        );
        assert!(stage_files(&t).is_empty(), "{name}: stage left behind");
    }

    // 3. a rerun after completion writes nothing and checks the result
    let before = std::fs::read(&reference).unwrap();
    let again = chatdata::import(
        &pkg,
        &reference,
        &opts(),
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap();
    assert!(again.already_complete && again.batches == 0, "{again:?}");
    assert_eq!(again.messages, r.messages);
    assert_eq!(std::fs::read(&reference).unwrap(), before, "byte-identical");

    // ... and notices when the target changed since
    let c = rusqlite::Connection::open(&reference).unwrap();
    c.execute(
        "UPDATE tblChat SET content = content || '!' WHERE (channelId, chatId) = (SELECT channelId, chatId FROM tblChat LIMIT 1)",
        [],
    )
    .unwrap();
    drop(c);
    let err = chatdata::import(
        &pkg,
        &reference,
        &opts(),
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no longer matches"), "{err}");
    // restart imports it again and restores the content
    let s = chatdata::import(
        &pkg,
        &reference,
        &ImportOptions {
            restart: true,
            ..opts()
        },
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap();
    assert!(!s.already_complete && !s.resumed);
    // the data is the same; the bookkeeping now lists every item as overwritten
    assert_eq!(
        dump_data(&reference),
        dump_data(&copy(&reference, dir.path(), "x.db")),
    );
    let fresh = copy(&empty, dir.path(), "fresh.db");
    chatdata::import(
        &pkg,
        &fresh,
        &opts(),
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap();
    assert_eq!(dump_data(&reference), dump_data(&fresh));
    assert!(s.overwritten.iter().any(|o| o.starts_with("room: ")));
}

/// The -WhatIf keeps what it read as the stage: the import that follows publishes it without
/// reading the package again and ends with the same database as an import on its own. A
/// what-if that is cancelled, or whose package's import is already complete, leaves no stage.
#[test]
fn the_what_if_hands_its_checked_content_to_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let paths = build(dir.path(), &spec(6_000, 8));
    let pkg = export(&paths, "handover.zip");
    let empty = copy(&paths.mgc_db, dir.path(), "empty.db");
    let empty_dump = dump(&empty);

    let alone = copy(&empty, dir.path(), "alone.db");
    chatdata::import(
        &pkg,
        &alone,
        &opts(),
        &lab_common::RecordingReporter::default(),
    )
    .unwrap();
    assert!(stage_files(&alone).is_empty());

    let t = copy(&empty, dir.path(), "t.db");
    let wi = chatdata::import(
        &pkg,
        &t,
        &lab_common::what_if(),
        &lab_common::RecordingReporter::default(),
    )
    .unwrap();
    assert_eq!(
        dump(&t),
        empty_dump,
        "the what-if writes nothing to the target"
    );
    assert_eq!(
        stage_files(&t).len(),
        2,
        "stage and checkpoint kept: {:?}",
        stage_files(&t)
    );
    let r = lab_common::RecordingReporter::default();
    let s = chatdata::import(&pkg, &t, &opts(), &r).unwrap();
    let logs = r.logs.lock().unwrap().join("\n");
    assert!(logs.contains("already read and staged"), "{logs}");
    assert!(
        !logs.contains("package read and checked"),
        "read twice: {logs}"
    );
    assert_eq!((s.messages, &s.warnings), (wi.messages, &wi.warnings));
    assert_eq!(
        dump(&t),
        dump(&alone),
        "same database as an import on its own"
    );
    assert!(stage_files(&t).is_empty(), "the import removes the stage");

    // a what-if of a package whose import is complete keeps nothing
    chatdata::import(
        &pkg,
        &t,
        &lab_common::what_if(),
        &lab_common::RecordingReporter::default(),
    )
    .unwrap();
    assert!(stage_files(&t).is_empty(), "{:?}", stage_files(&t));

    // a cancelled what-if keeps nothing, and the import then reads the package itself
    let c = copy(&empty, dir.path(), "c.db");
    let err = chatdata::import(
        &pkg,
        &c,
        &lab_common::what_if(),
        &lab_common::RecordingReporter::cancelling_after(1),
    )
    .unwrap_err();
    assert!(
        matches!(err, chatdata::ChatDataError::Cancelled(_)),
        "{err}"
    );
    assert!(stage_files(&c).is_empty(), "{:?}", stage_files(&c));
    let r = lab_common::RecordingReporter::default();
    chatdata::import(&pkg, &c, &opts(), &r).unwrap();
    assert!(
        r.logs
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("package read and checked"))
    );
    assert_eq!(dump(&c), dump(&alone));
}
