//! Running a job on a worker thread with progress, a log, and cancel; and the reporters
//! for the wizard ([`ChannelReporter`]) and the headless commands ([`StderrReporter`]).

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{JobEnv, JobError, JobKind, JobOutcome};
use crate::progress::{ProgressUpdate, Reporter};

/// How many log lines a running job keeps in memory for the screen (the file keeps all).
pub const LOG_TAIL: usize = 200;

/// Reports into a `watch` channel (latest progress wins, no queue growth), an in-memory log
/// tail and a log file; cancel is an atomic flag.
pub struct ChannelReporter {
    progress: watch::Sender<ProgressUpdate>,
    log: Arc<Mutex<VecDeque<String>>>,
    file: Mutex<Option<std::fs::File>>,
    cancel: Arc<AtomicBool>,
}

impl Reporter for ChannelReporter {
    fn progress(&self, update: ProgressUpdate) {
        self.progress.send_replace(update);
    }

    fn log(&self, line: String) {
        tracing::info!(target: "job", "{line}");
        if let Ok(mut f) = self.file.lock()
            && let Some(f) = f.as_mut()
        {
            let _ = writeln!(f, "{} {line}", chrono::Utc::now().format("%H:%M:%S%.3f"));
        }
        if let Ok(mut l) = self.log.lock() {
            if l.len() == LOG_TAIL {
                l.pop_front();
            }
            l.push_back(line);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A job running on its own thread, as the wizard sees it.
pub struct JobHandle {
    /// Which job.
    pub kind: JobKind,
    /// The checklist item that started it.
    pub item_id: String,
    /// The store's job-run id.
    pub run_id: i64,
    /// Latest progress.
    pub progress: watch::Receiver<ProgressUpdate>,
    /// Log tail.
    pub log: Arc<Mutex<VecDeque<String>>>,
    /// The job log file.
    pub log_path: Option<PathBuf>,
    cancel: Arc<AtomicBool>,
    /// When it started.
    pub started: Instant,
    /// Throughput statistics, sampled by the UI tick.
    pub stats: JobStats,
}

impl JobHandle {
    /// Asks the job to stop at its next batch boundary.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// True once cancel was asked.
    pub fn cancel_requested(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The last `n` log lines.
    pub fn log_tail(&self, n: usize) -> Vec<String> {
        self.log
            .lock()
            .map(|l| l.iter().rev().take(n).rev().cloned().collect())
            .unwrap_or_default()
    }
}

/// Starts `kind` on a new thread. `on_done` is called on that thread with the result.
pub fn spawn(
    kind: JobKind,
    item_id: &str,
    run_id: i64,
    env: JobEnv,
    log_path: Option<PathBuf>,
    on_done: impl FnOnce(Result<JobOutcome, JobError>) + Send + 'static,
) -> JobHandle {
    let (tx, rx) = watch::channel(ProgressUpdate::default());
    let log = Arc::new(Mutex::new(VecDeque::with_capacity(LOG_TAIL)));
    let cancel = Arc::new(AtomicBool::new(false));
    let file = log_path.as_ref().and_then(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .ok()
    });
    let reporter = ChannelReporter {
        progress: tx,
        log: log.clone(),
        file: Mutex::new(file),
        cancel: cancel.clone(),
    };
    let name = format!("job-{}", kind.key());
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        reporter.log(format!("{} started", kind.label()));
        let result = super::run(kind, &env, &reporter);
        match &result {
            Ok(o) => reporter.log(o.summary.clone()),
            Err(e) => reporter.log(format!("{} ended: {e}", kind.label())),
        }
        on_done(result);
    });
    if let Err(e) = spawned {
        tracing::error!("cannot start a job thread: {e}");
    }
    JobHandle {
        kind,
        item_id: item_id.to_string(),
        run_id,
        progress: rx,
        log,
        log_path,
        cancel,
        started: Instant::now(),
        stats: JobStats::default(),
    }
}

/// Rate, ETA and throughput history of a running job, computed from progress samples.
#[derive(Clone, Debug, Default)]
pub struct JobStats {
    last: Option<(Instant, u64, String)>,
    /// Units per second over the last sample interval.
    pub rate: f64,
    /// Recent rates (units per second), oldest first, at most 120.
    pub history: VecDeque<u64>,
}

impl JobStats {
    /// Takes a new sample at `now`. Rates are per phase: a phase change restarts the rate.
    pub fn sample(&mut self, now: Instant, p: &ProgressUpdate) {
        if let Some((t, done, phase)) = &self.last
            && *phase == p.phase
        {
            let dt = now.duration_since(*t).as_secs_f64();
            if dt >= 0.2 {
                let rate = p.done.saturating_sub(*done) as f64 / dt;
                // Smooth a little so the figure is readable.
                self.rate = if self.rate == 0.0 {
                    rate
                } else {
                    0.6 * rate + 0.4 * self.rate
                };
                if self.history.len() == 120 {
                    self.history.pop_front();
                }
                self.history.push_back(rate.round() as u64);
                self.last = Some((now, p.done, p.phase.clone()));
            }
            return;
        }
        self.rate = 0.0;
        self.last = Some((now, p.done, p.phase.clone()));
    }

    /// Estimated time left in the current phase, when the total is known and the rate is not 0.
    pub fn eta(&self, p: &ProgressUpdate) -> Option<Duration> {
        (p.total > 0 && self.rate > 0.0)
            .then(|| Duration::from_secs_f64(p.total.saturating_sub(p.done) as f64 / self.rate))
    }
}

/// Prints progress (at most twice a second) and log lines to stderr, for headless runs.
/// Cancel is wired to Ctrl-C by the caller.
pub struct StderrReporter {
    /// Set by a Ctrl-C handler.
    pub cancel: Arc<AtomicBool>,
    last: Mutex<Option<Instant>>,
    quiet: bool,
}

impl StderrReporter {
    /// A reporter; `quiet` drops progress lines (logs still print).
    pub fn new(quiet: bool) -> StderrReporter {
        StderrReporter {
            cancel: Arc::new(AtomicBool::new(false)),
            last: Mutex::new(None),
            quiet,
        }
    }
}

impl Reporter for StderrReporter {
    fn progress(&self, p: ProgressUpdate) {
        if self.quiet {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(500)) {
            return;
        }
        *last = Some(Instant::now());
        if p.total > 0 {
            eprintln!("  {}: {}/{}", p.phase, p.done, p.total);
        } else {
            eprintln!("  {}: {}", p.phase, p.done);
        }
    }

    fn log(&self, line: String) {
        tracing::info!(target: "job", "{line}");
        eprintln!("{line}");
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_compute_rate_and_eta_per_phase() {
        let mut s = JobStats::default();
        let t0 = Instant::now();
        let p = |done| ProgressUpdate {
            phase: "messages".into(),
            done,
            total: 10_000,
            bytes: 0,
        };
        s.sample(t0, &p(0));
        s.sample(t0 + Duration::from_secs(1), &p(1000));
        assert!((s.rate - 1000.0).abs() < 1.0, "rate {}", s.rate);
        let eta = s.eta(&p(1000)).unwrap();
        assert_eq!(eta.as_secs(), 9);
        // A new phase restarts the rate.
        s.sample(
            t0 + Duration::from_secs(2),
            &ProgressUpdate {
                phase: "rooms".into(),
                done: 5,
                total: 10,
                bytes: 0,
            },
        );
        assert_eq!(s.rate, 0.0);
        assert_eq!(s.history.len(), 1);
    }
}
