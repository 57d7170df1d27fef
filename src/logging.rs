//! File logging through `tracing`. Nothing is ever logged to the terminal: while the wizard
//! runs, the screen belongs to ratatui. The level comes from `PCHAT_MIGRATE_LOG`
//! (an `EnvFilter` string, default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file name inside the logs directory.
pub const LOG_FILE: &str = "pchat-migrate.log";

/// Starts logging to `<logs_dir>/pchat-migrate.log` (appended to). Keep the returned guard
/// alive for the life of the program: dropping it flushes the log.
///
/// Returns `Ok(None)` when a global subscriber is already installed (tests).
///
/// # Errors
/// The log file cannot be opened (read-only folder, full disk, a directory in its place):
/// the message names the file.
pub fn init(logs_dir: &Path) -> Result<Option<WorkerGuard>, String> {
    let path = logs_dir.join(LOG_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter =
        EnvFilter::try_from_env("PCHAT_MIGRATE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    Ok(tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()
        .map(|()| guard))
}
