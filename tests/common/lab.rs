//! Helpers for the chatdata end-to-end tests: a recording reporter and a database dump.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use pchat_migrate::progress::{ProgressUpdate, Reporter};

/// Records log lines and progress; cancels after `cancel_after` progress samples.
#[derive(Default)]
pub struct RecordingReporter {
    pub cancel_after: Option<u64>,
    pub progress_calls: AtomicU64,
    pub logs: Mutex<Vec<String>>,
}

impl RecordingReporter {
    pub fn cancelling_after(n: u64) -> Self {
        RecordingReporter {
            cancel_after: Some(n),
            ..Self::default()
        }
    }
}

impl Reporter for RecordingReporter {
    fn progress(&self, _update: ProgressUpdate) {
        self.progress_calls.fetch_add(1, Ordering::Relaxed);
    }
    fn log(&self, line: String) {
        self.logs.lock().unwrap().push(line);
    }
    fn is_cancelled(&self) -> bool {
        self.cancel_after
            .is_some_and(|n| self.progress_calls.load(Ordering::Relaxed) >= n)
    }
}

/// Every row of every table, ordered, as text: two databases with equal dumps hold the same
/// data.
pub fn dump(path: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for t in tables {
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                let mut s = String::new();
                for i in 0..n {
                    s.push_str(&format!("{:?}|", r.get_ref(i)?));
                }
                Ok(s)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.push_str(&format!("== {t} ({} rows)\n", rows.len()));
        for r in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out
}
