#![allow(dead_code)]
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

/// A lab of `messages` messages in `rooms` rooms (small otherwise), deterministic.
pub fn spec(messages: u64, rooms: u32) -> pchat_migrate::lab::LabSpec {
    pchat_migrate::lab::LabSpec {
        messages,
        rooms,
        ..pchat_migrate::lab::LabSpec::small()
    }
}

/// Builds a lab in `dir`.
pub fn build(dir: &Path, spec: &pchat_migrate::lab::LabSpec) -> pchat_migrate::lab::LabPaths {
    pchat_migrate::lab::init(
        dir,
        spec,
        false,
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap()
}

/// Exports everything (`-Level All`) to `<exports>/<name>`.
pub fn export(paths: &pchat_migrate::lab::LabPaths, name: &str) -> std::path::PathBuf {
    let zip = paths.export_dir.join(name);
    pchat_migrate::chatdata::export(
        &paths.legacy_db,
        &zip,
        &pchat_migrate::chatdata::ExportOptions::default(),
        &pchat_migrate::progress::NullReporter::default(),
    )
    .unwrap();
    zip
}

/// `-WhatIf` options.
pub fn what_if() -> pchat_migrate::chatdata::ImportOptions {
    pchat_migrate::chatdata::ImportOptions {
        what_if: true,
        ..pchat_migrate::chatdata::ImportOptions::default()
    }
}

/// Copies `src` to `dir/name`.
pub fn copy(src: &Path, dir: &Path, name: &str) -> std::path::PathBuf {
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap();
    dst
}

/// The staging files an import keeps next to its target.
pub fn stage_files(mgc: &Path) -> Vec<std::path::PathBuf> {
    let dir = mgc.parent().unwrap();
    let name = mgc.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}.import-stage"))
        })
        .collect()
}

/// [`dump`] without the import's bookkeeping table (the migrated data only).
pub fn dump_data(path: &Path) -> String {
    let full = dump(path);
    let mut out = String::new();
    let mut skip = false;
    for line in full.lines() {
        if let Some(rest) = line.strip_prefix("== ") {
            skip = rest.starts_with("import_progress ");
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
