//! The seam the jobs drive: one [`Executor`] trait, implemented by the lab executor
//! ([`crate::lab::LabExecutor`]: the native data plane on the lab's SQLite files) and by the
//! production executor ([`crate::exec::PowerShellExecutor`]: Microsoft's cmdlets through
//! PowerShell), and the types both speak: what a job runs against ([`JobEnv`], with the
//! profile's `[executor]` settings ([`config`]) and the admin's credential ([`credential`])),
//! what it gives back ([`JobOutcome`]) and why it did not ([`JobError`], [`ExecError`]).
//!
//! [`crate::jobs`] picks the executor for a deployment and runs it on the calling thread or
//! a worker; neither executor knows the jobs module, and this module knows neither executor.

pub mod config;
pub mod credential;
pub mod credman;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::chatdata::{self, ExportLevel, ExportOptions};
use crate::deployment::Profile;
use crate::paths::LabPaths;
use crate::progress::Reporter;
pub use crate::runbook::JobKind;
pub use config::{ExecutorConfig, Remote, split_profile_text};
pub use credential::{Credential, CredentialNeed, Secret};

/// Something that runs the migration's jobs for one kind of deployment.
pub trait Executor {
    /// Runs one job to completion on the calling thread, reporting progress, log lines and
    /// polling for cancel through `r`.
    ///
    /// # Errors
    /// [`JobError`]: setup problems (with what to do), data-plane or PowerShell failures,
    /// cancellation (with what the target holds).
    fn run(&self, kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError>;
}

/// Everything a job needs to know about the deployment it runs against.
#[derive(Clone, Debug)]
pub struct JobEnv {
    /// The deployment profile.
    pub profile: Profile,
    /// The lab databases (lab deployments only).
    pub lab: LabPaths,
    /// The export package the export writes and the import reads (production: the copy on
    /// this computer that the package inspector reads; the cmdlets use the server's path).
    pub package: PathBuf,
    /// Production: the `[executor]` settings (None in the lab).
    pub executor: Option<ExecutorConfig>,
    /// Production with `[executor] credential` prompt: the password the admin typed. Never
    /// written anywhere; `Debug` shows no secret.
    pub credential: Option<Credential>,
    /// Production verify: where the read-only copies of the compared rows are written
    /// (`<data dir>/verify-mirror`).
    pub mirror_dir: PathBuf,
    /// Losses the admin accepted by name for the newest `-WhatIf` preview, as (code, item):
    /// the verify lists them as accepted instead of as differences
    /// (`migration::Migration::losses_for_verify`).
    pub accepted_losses: Vec<(String, String)>,
}

impl JobEnv {
    /// The environment of the lab deployment under `lab_dir`.
    pub fn lab(profile: Profile, lab_dir: &std::path::Path) -> JobEnv {
        let lab = LabPaths::in_dir(lab_dir);
        let package = lab.export_dir.join("GroupChatExport.zip");
        JobEnv {
            profile,
            mirror_dir: lab_dir.join("verify-mirror"),
            lab,
            package,
            executor: None,
            credential: None,
            accepted_losses: Vec::new(),
        }
    }

    /// The environment of a production deployment. `data_dir` holds the local copy of the
    /// export package for remote runs (`<data_dir>/exports/GroupChatExport.zip`); for local
    /// runs (`remote = "none"`) the package is the file the export writes in `work_dir`.
    pub fn production(
        profile: Profile,
        executor: ExecutorConfig,
        data_dir: &std::path::Path,
    ) -> JobEnv {
        let work_dir = profile.migration.work_dir.trim().to_string();
        let package = match executor.remote {
            Remote::None if !work_dir.is_empty() => profile
                .placeholders(&work_dir)
                .get("export_file")
                .and_then(|v| v.first())
                .map_or_else(|| PathBuf::from(&work_dir), PathBuf::from),
            _ => data_dir.join("exports").join("GroupChatExport.zip"),
        };
        JobEnv {
            profile,
            mirror_dir: data_dir.join("verify-mirror"),
            lab: LabPaths::in_dir(&data_dir.join("lab")),
            package,
            executor: Some(executor),
            credential: None,
            accepted_losses: Vec::new(),
        }
    }

    /// This environment with the losses accepted for the newest preview.
    #[must_use]
    pub fn with_accepted_losses(mut self, losses: Vec<(String, String)>) -> JobEnv {
        self.accepted_losses = losses;
        self
    }

    /// This environment with the credential the admin typed.
    #[must_use]
    pub fn with_credential(mut self, credential: Credential) -> JobEnv {
        self.credential = Some(credential);
        self
    }

    /// Export options from the profile's migration settings.
    ///
    /// # Errors
    /// An unknown `-Level` or an unparseable `start_date` in the profile.
    pub fn export_options(&self) -> Result<ExportOptions, JobError> {
        let m = &self.profile.migration;
        let level = match m.export_level.to_ascii_lowercase().as_str() {
            "all" | "" => ExportLevel::All,
            "user" => ExportLevel::User,
            "category" => ExportLevel::Category,
            "roomdirectory" => ExportLevel::RoomDirectory,
            "content" => ExportLevel::Content,
            other => {
                return Err(JobError::Setup(format!(
                    "profile: export_level \"{other}\" is not one of All, User, Category, RoomDirectory, Content"
                )));
            }
        };
        Ok(ExportOptions {
            level,
            scope: m.scope.clone(),
            start_date_ticks: self.start_date_ticks()?,
            disable_exported_nodes: m.disable_exported_nodes,
            pool_fqdn: self
                .profile
                .pchat_pool()
                .map(|p| p.fqdn.clone())
                .unwrap_or_default(),
        })
    }

    /// The profile's `start_date` as ticks (100 ns since 0001-01-01), `None` when empty.
    ///
    /// # Errors
    /// [`JobError::Setup`] for a value that is not a date like 2010-01-01.
    pub fn start_date_ticks(&self) -> Result<Option<i64>, JobError> {
        let s = self.profile.migration.start_date.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
            JobError::Setup(format!(
                "profile: start_date \"{s}\" is not a date like 2010-01-01 ({e})"
            ))
        })?;
        let dt = date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .ok_or_else(|| JobError::Setup("profile: start_date out of range".into()))?;
        Ok(Some(chatdata::ticks::from_datetime(dt)))
    }
}

/// Why a job did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The job cannot start: a missing package, lab or setting. The message says what to do.
    #[error("{0}")]
    Setup(String),
    /// The data plane failed; the message names the file, entry or room.
    #[error(transparent)]
    Data(#[from] chatdata::ChatDataError),
    /// The admin cancelled the job: where it was and what it left
    /// (`migration::cancel_statement` says it in words).
    #[error("cancelled by the operator during {}", .0.phase)]
    Cancelled(chatdata::Cancellation),
    /// PowerShell (production) failed: an error record, an exit code or the time limit; the
    /// message ends with a hint.
    #[error(transparent)]
    Exec(ExecError),
}

/// What a finished job produced: a one-line summary for the checklist, whether it passed,
/// and the full result as JSON (kept as evidence and printed by `--json`).
#[derive(Clone, Debug, Serialize)]
pub struct JobOutcome {
    /// Which job.
    pub kind: JobKind,
    /// True when the job did what it should and found nothing wrong.
    pub passed: bool,
    /// One line for the checklist and the status bar.
    pub summary: String,
    /// The data plane's summary or report.
    pub detail: serde_json::Value,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// `-WhatIf` and import: the findings counted apart (serialised as top-level `errors`,
    /// `warnings` and `notes`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub findings: Option<chatdata::preflight::Counts>,
}

/// Why a PowerShell run did not produce a result. Messages never contain a secret (they are
/// built from redacted output) and end with what to do.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The profile's `[executor]` table or a value the script needs is wrong or missing.
    #[error("{0}")]
    Config(String),
    /// A profile value cannot be put into a script.
    #[error("{0}")]
    Quote(#[from] QuoteError),
    /// The run needs a credential that was not given.
    #[error("{0}")]
    Credential(String),
    /// The shell could not be started.
    #[error("cannot start {shell}: {message}\n  hint: {hint}")]
    Spawn {
        /// The shell.
        shell: String,
        /// The OS error.
        message: String,
        /// What to do.
        hint: String,
    },
    /// A cmdlet (or the remoting layer) wrote an error record and the script stopped.
    #[error("{step}: {message} [{fqid}, {category}]\n  hint: {hint}")]
    Script {
        /// The step that failed (its label).
        step: String,
        /// The error message.
        message: String,
        /// `FullyQualifiedErrorId`.
        fqid: String,
        /// The error category.
        category: String,
        /// What to do.
        hint: String,
    },
    /// PowerShell ended without finishing the script and without an error record.
    #[error("PowerShell ended with {code} before the script finished{stderr}\n  hint: {hint}")]
    Exit {
        /// "exit code N" or "a signal".
        code: String,
        /// The last lines of stderr (redacted), prefixed with ": ".
        stderr: String,
        /// What to do.
        hint: String,
    },
    /// The time limit passed; the process tree was ended.
    #[error(
        "no result after {secs} s ([executor] timeout_secs); the PowerShell process tree was stopped\n  hint: {hint}"
    )]
    Timeout {
        /// The limit.
        secs: u64,
        /// What to do.
        hint: String,
    },
    /// The admin cancelled; the process tree was ended.
    #[error("cancelled")]
    Cancelled,
    /// Reading output, copying the package or writing a file failed.
    #[error("{0}")]
    Io(String),
}

/// How the PowerShell executor's failures reach the jobs: setup problems (settings, quoting,
/// credential) say what to fix; a cancel left the target in an unknown state.
impl From<ExecError> for JobError {
    fn from(e: ExecError) -> JobError {
        match e {
            ExecError::Cancelled => JobError::Cancelled(chatdata::Cancellation {
                phase: "PowerShell".into(),
                left: chatdata::Left::Unknown,
            }),
            ExecError::Config(m) | ExecError::Credential(m) => JobError::Setup(m),
            ExecError::Quote(q) => JobError::Setup(format!("profile value {q}")),
            other => JobError::Exec(other),
        }
    }
}

/// A value that cannot be written into a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteError {
    /// What the value is (e.g. "legacy pool sql_instance"); never the value itself.
    pub what: String,
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for QuoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.reason)
    }
}

impl std::error::Error for QuoteError {}

/// `Ok` when `path` exists; otherwise [`JobError::Setup`] naming `what`, the path and `fix`.
///
/// # Errors
/// As above.
pub fn need(path: &std::path::Path, what: &str, fix: &str) -> Result<(), JobError> {
    if path.exists() {
        Ok(())
    } else {
        Err(JobError::Setup(format!(
            "{what} is missing ({}): {fix}",
            path.display()
        )))
    }
}
