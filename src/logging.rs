//! File logging through `tracing`. Nothing is ever logged to the terminal: while the wizard
//! runs, the screen belongs to ratatui. The level comes from `PCHAT_MIGRATE_LOG`
//! (an `EnvFilter` string, default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file name inside the logs directory.
pub const LOG_FILE: &str = "pchat-migrate.log";

/// Starts logging to `<logs_dir>/pchat-migrate.log`. Keep the returned guard alive for the
/// life of the program: dropping it flushes the log.
///
/// Returns `None` when a global subscriber is already installed (tests).
pub fn init(logs_dir: &Path) -> Option<WorkerGuard> {
    let appender = tracing_appender::rolling::never(logs_dir, LOG_FILE);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("PCHAT_MIGRATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()
        .map(|()| guard)
}
