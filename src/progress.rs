//! The narrow interface through which long-running data work (export, import, verify, lab
//! generation) reports progress and log lines and learns that it has been cancelled.
//!
//! The data plane (`chatdata`, `lab`) knows only this trait; the `jobs` module implements it
//! for the TUI (channels) and the headless commands (stderr), and tests use [`NullReporter`].

use std::sync::atomic::{AtomicBool, Ordering};

/// One progress sample. `done` and `total` count the phase's own unit (messages for
/// export/import/verify, rows for lab generation); `bytes` counts payload bytes handled so
/// far (message content, UTF-8), used for the MB/s figure.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProgressUpdate {
    /// Short phase name, e.g. "rooms", "messages", "verify rooms".
    pub phase: String,
    /// Units done so far in this phase.
    pub done: u64,
    /// Units expected in this phase; 0 when unknown (indeterminate).
    pub total: u64,
    /// Payload bytes handled so far.
    pub bytes: u64,
}

impl ProgressUpdate {
    /// The fraction of the phase done, 0.0–1.0 (0 when the total is unknown).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// The whole percent of the phase done, rounded down: the one figure the header and the job
/// gauge both show (so they never differ by a rounding).
pub fn percent(p: &ProgressUpdate) -> u64 {
    (p.fraction() * 100.0).floor() as u64
}

/// Receives progress and log lines from a running job and tells it whether to stop.
///
/// Implementations must be cheap: the data plane may call `progress` for every batch
/// (every few thousand rows), and `is_cancelled` between batches.
pub trait Reporter: Send + Sync {
    /// A new progress sample (latest wins; implementations may drop intermediate ones).
    fn progress(&self, update: ProgressUpdate);
    /// One human-readable log line for the job log.
    fn log(&self, line: String);
    /// True once the admin (or a signal) asked the job to stop.
    fn is_cancelled(&self) -> bool;
}

/// A reporter that discards everything; for tests and one-shot helpers.
#[derive(Debug, Default)]
pub struct NullReporter {
    /// Set to make `is_cancelled` return true.
    pub cancel: AtomicBool,
}

impl Reporter for NullReporter {
    fn progress(&self, _update: ProgressUpdate) {}
    fn log(&self, _line: String) {}
    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}
