//! Crash safety of the session store with a real process killed by SIGKILL.
//!
//! The test binary re-executes itself as the child: `crash_child` does nothing unless
//! `PCHAT_STORE_CRASH_CHILD=<db path>` is set. The child opens the store, then loops over a
//! deterministic sequence of operations ([`op`]): set_item_state, set_note, record_event,
//! printing `ack <n> <item> <value>` (and flushing) after each call returns. The parent reads
//! the acks, kills the child with SIGKILL at various moments, reopens the database and checks
//! that every acknowledged change is there (at most one more, unacknowledged, may be too),
//! in order, with nothing invented, and that the audit chain verifies.
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pchat_migrate::store::{ItemState, Store};

const CHILD_ENV: &str = "PCHAT_STORE_CRASH_CHILD";
const DELAY_ENV: &str = "PCHAT_STORE_CRASH_DELAY_US";
const SESSION: &str = "crash";
const EVENT_KIND: &str = "crash-tick";

/// Operation number `n` of the child's sequence.
#[derive(Clone, Debug, PartialEq)]
enum Op {
    State {
        item: String,
        state: ItemState,
        reason: Option<String>,
    },
    Note {
        item: String,
        text: String,
    },
    Event {
        detail: String,
    },
}

/// Never a no-op: an item's state changes every time it is set (items cycle mod 4, states mod
/// 5), and notes and event details carry `n`.
fn op(n: u64) -> Op {
    let k = n / 3;
    match n % 3 {
        0 => {
            let state = ItemState::ALL[(k % 5) as usize];
            Op::State {
                item: format!("item-{}", k % 4),
                state,
                reason: state.requires_reason().then(|| format!("reason {n}")),
            }
        }
        1 => Op::Note {
            item: format!("item-{}", (k + 1) % 4),
            text: format!("note {n}: é ✓"),
        },
        _ => Op::Event {
            detail: format!("tick {n}"),
        },
    }
}

/// The `<item> <value>` part of an ack line (values contain no newline).
fn ack_text(n: u64) -> String {
    match op(n) {
        Op::State { item, state, .. } => format!("{item} {state}"),
        Op::Note { item, text } => format!("{item} {text}"),
        Op::Event { detail } => format!("- {detail}"),
    }
}

/// The child: runs only when re-executed by a parent test.
#[test]
fn crash_child() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let delay = Duration::from_micros(
        std::env::var(DELAY_ENV)
            .ok()
            .and_then(|d| d.parse().ok())
            .unwrap_or(0),
    );
    let mut store = Store::open(Path::new(&db)).expect("child: open");
    let s = store
        .open_or_create_session(SESSION, "lab", None, "child")
        .expect("child: session");
    // Resume after the operations already in the database (a previous child may have died).
    let mut n = (store.audit(s.id).expect("child: audit").len() - 1) as u64;
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready {n}").unwrap();
    out.flush().unwrap();
    loop {
        match op(n) {
            Op::State {
                item,
                state,
                reason,
            } => {
                store
                    .set_item_state(s.id, &item, state, reason.as_deref(), "child")
                    .expect("child: set_item_state");
            }
            Op::Note { item, text } => {
                store
                    .set_note(s.id, &item, &text, "child")
                    .expect("child: set_note");
            }
            Op::Event { detail } => {
                store
                    .record_event(s.id, EVENT_KIND, None, &detail, "child")
                    .expect("child: record_event");
            }
        }
        writeln!(out, "ack {n} {}", ack_text(n)).unwrap();
        out.flush().unwrap();
        n += 1;
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
    }
}

/// Runs one child against `db`, kills it with SIGKILL after `kill_after` acks (plus
/// `extra_wait`), and returns every ack number it printed (including those still in the pipe).
fn run_child(db: &Path, delay_us: u64, kill_after: usize, extra_wait: Duration) -> Vec<u64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .env(DELAY_ENV, delay_us.to_string())
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

    let mut acks = Vec::new();
    let check = |line: &str, acks: &mut Vec<u64>| {
        if let Some(rest) = line.strip_prefix("ack ") {
            let (n, text) = rest.split_once(' ').expect("ack line");
            let n: u64 = n.parse().expect("ack number");
            assert_eq!(text, ack_text(n), "ack line does not match op {n}");
            acks.push(n);
        }
    };
    while acks.len() < kill_after {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => check(&line, &mut acks),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("child gave {} acks before {e:?}", acks.len());
            }
        }
    }
    if !extra_wait.is_zero() {
        std::thread::sleep(extra_wait);
    }
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix.
    let status = child.wait().expect("wait");
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "child was not killed: {status:?}");
    }
    // Acks still in the pipe were printed after their call returned: acknowledged too.
    reader.join().unwrap();
    while let Ok(line) = rx.try_recv() {
        check(&line, &mut acks);
    }
    acks
}

/// Reopens `db` and checks it against every ack seen so far.
fn check_db(db: &Path, acks: &[u64]) {
    let store = Store::open(db).expect("reopen after SIGKILL");
    let s = store.session(SESSION).unwrap().expect("session");
    store
        .verify_audit(s.id)
        .unwrap_or_else(|b| panic!("audit chain broken after SIGKILL: {b}"));
    let events = store.audit(s.id).unwrap();
    assert_eq!(events[0].kind, "session-created");
    let done = (events.len() - 1) as u64; // operations 0..done are in the database

    // Acks are distinct, and every acknowledged operation is in the database.
    let max_ack = *acks.iter().max().expect("some acks");
    let mut sorted = acks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        acks.len(),
        "an operation was acknowledged twice"
    );
    assert!(
        done > max_ack,
        "acknowledged operation {max_ack} is missing: only {done} in the database"
    );
    // At most the one operation in flight at the kill can be there without an ack.
    assert!(
        done <= max_ack + 2,
        "{done} operations in the database, last ack {max_ack}"
    );

    // The audit trail is exactly operations 0..done, in order.
    let mut model: HashMap<String, (ItemState, Option<String>, Option<String>)> = HashMap::new();
    for (n, e) in (0..done).zip(&events[1..]) {
        match op(n) {
            Op::State {
                item,
                state,
                reason,
            } => {
                assert_eq!(
                    (e.kind.as_str(), e.item_id.as_deref(), e.new.as_deref()),
                    ("item-state", Some(item.as_str()), Some(state.as_str())),
                    "event {} for op {n}",
                    e.id
                );
                assert_eq!(e.detail, reason);
                let m = model.entry(item).or_insert((ItemState::Todo, None, None));
                m.0 = state;
                m.1 = reason;
            }
            Op::Note { item, text } => {
                assert_eq!(
                    (e.kind.as_str(), e.item_id.as_deref(), e.new.as_deref()),
                    ("note", Some(item.as_str()), Some(text.as_str())),
                    "event {} for op {n}",
                    e.id
                );
                model.entry(item).or_insert((ItemState::Todo, None, None)).2 = Some(text);
            }
            Op::Event { detail } => {
                assert_eq!(
                    (e.kind.as_str(), e.detail.as_deref()),
                    (EVENT_KIND, Some(detail.as_str())),
                    "event {} for op {n}",
                    e.id
                );
            }
        }
    }
    // And the items are where those operations left them.
    let got: HashMap<_, _> = store
        .item_records(s.id)
        .unwrap()
        .into_iter()
        .map(|(k, r)| (k, (r.state, r.reason, r.note)))
        .collect();
    assert_eq!(
        got, model,
        "item records (left) differ from what the audit trail says (right): \
         a change without its audit event, or the reverse"
    );
}

fn scenario(runs: &[(u64, usize, Duration)]) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut acks = Vec::new();
    for &(delay_us, kill_after, extra_wait) in runs {
        let started = Instant::now();
        acks.extend(run_child(&db, delay_us, kill_after, extra_wait));
        check_db(&db, &acks);
        assert!(started.elapsed() < Duration::from_secs(10), "run too slow");
    }
}

#[test]
fn store_crash_after_first_ack() {
    scenario(&[(20_000, 1, Duration::ZERO)]);
}

#[test]
fn store_crash_after_a_few_acks() {
    scenario(&[(2_000, 7, Duration::ZERO)]);
}

#[test]
fn store_crash_between_slow_writes() {
    // Killed while the child sleeps between writes.
    scenario(&[(50_000, 3, Duration::from_millis(20))]);
}

#[test]
fn store_crash_mid_burst() {
    // No delay at all: the child is inside a write (or printing) when it dies.
    scenario(&[(0, 40, Duration::ZERO)]);
}

#[test]
fn store_crash_repeatedly_on_the_same_file() {
    // Each child recovers the previous one's WAL and continues the sequence.
    scenario(&[
        (0, 25, Duration::ZERO),
        (0, 60, Duration::from_micros(300)),
        (500, 11, Duration::ZERO),
        (0, 1, Duration::ZERO),
    ]);
}

#[test]
fn store_crash_at_many_moments() {
    // Many kills on one file, each a little later after its last counted ack, so that some
    // land between the steps of a write.
    let runs: Vec<_> = (0..24u64)
        .map(|i| {
            (
                0,
                3 + (i as usize * 7) % 13,
                Duration::from_micros(i * 137 % 900),
            )
        })
        .collect();
    scenario(&runs);
}
