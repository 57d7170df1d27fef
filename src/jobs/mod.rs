//! Background jobs: the export, the `-WhatIf` import preview, the import and the verification.
//!
//! One [`run`] function serves the wizard (on a worker thread, reporting through channels)
//! and the headless commands (reporting to stderr), so both do exactly the same work. The
//! lab executor calls the native data plane in [`crate::chatdata`]; the production executor
//! ([`crate::exec`]) runs Microsoft's cmdlets through PowerShell behind the same function.

pub mod record;
pub mod runner;

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::chatdata::{self, ExportLevel, ExportOptions, ImportOptions, VerifyOptions};
use crate::deployment::{DeploymentKind, Profile};
use crate::lab::LabPaths;
use crate::progress::Reporter;
pub use crate::runbook::JobKind;

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
    pub executor: Option<crate::exec::ExecutorConfig>,
    /// Production with `[executor] credential` prompt: the password the admin typed. Never
    /// written anywhere; `Debug` shows no secret.
    pub credential: Option<crate::exec::Credential>,
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
        executor: crate::exec::ExecutorConfig,
        data_dir: &std::path::Path,
    ) -> JobEnv {
        let work_dir = profile.migration.work_dir.trim().to_string();
        let package = match executor.remote {
            crate::exec::Remote::None if !work_dir.is_empty() => profile
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
    pub fn with_credential(mut self, credential: crate::exec::Credential) -> JobEnv {
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

    fn start_date_ticks(&self) -> Result<Option<i64>, JobError> {
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
    Exec(crate::exec::ExecError),
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

/// Runs one job to completion on the calling thread.
///
/// # Errors
/// [`JobError`]: setup problems (with what to do), data-plane errors, cancellation.
pub fn run(kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError> {
    if env.profile.kind == DeploymentKind::Production {
        return crate::exec::run_job(kind, env, r);
    }
    let started = Instant::now();
    let map_err = |e: chatdata::ChatDataError| match e {
        chatdata::ChatDataError::Cancelled(c) => JobError::Cancelled(c),
        other => JobError::Data(other),
    };
    let mut findings = None;
    let (passed, summary, detail) = match kind {
        JobKind::Export => {
            need(
                &env.lab.legacy_db,
                "the lab's legacy Group Chat database",
                "pchat-migrate lab init",
            )?;
            let opts = env.export_options()?;
            let s =
                chatdata::export(&env.lab.legacy_db, &env.package, &opts, r).map_err(map_err)?;
            let line = format!(
                "exported {} categories, {} rooms ({} disabled), {} principals, {} messages to {} ({} bytes)",
                s.categories,
                s.rooms,
                s.disabled_rooms,
                s.principals,
                s.messages,
                env.package.display(),
                s.bytes
            );
            (true, line, serde_json::to_value(&s).unwrap_or_default())
        }
        JobKind::ImportWhatIf | JobKind::Import => {
            need(
                &env.package,
                "the export package",
                "run the Export item first",
            )?;
            let what_if = kind == JobKind::ImportWhatIf;
            let opts = ImportOptions {
                what_if,
                target_pool_fqdn: env.profile.pchat_pool().map(|p| p.fqdn.clone()),
                ..ImportOptions::default()
            };
            let s = chatdata::import(&env.package, &env.lab.mgc_db, &opts, r).map_err(map_err)?;
            let c = chatdata::preflight::Counts::of_warnings(&s.warnings);
            let line = format!(
                "{}{} categories, {} rooms, {} principals{}, {} messages; {} errors, {} warnings, {} notes; {} overwritten",
                if what_if {
                    "-WhatIf: would import "
                } else {
                    "imported "
                },
                s.categories,
                s.rooms,
                s.principals,
                if s.principals_left_out.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (of {} in the package; left out: {})",
                        s.principals_in_package,
                        s.principals_left_out.join("; ")
                    )
                },
                s.messages,
                c.errors,
                c.warnings,
                c.notes,
                s.overwritten.len()
            );
            // A preview that refuses items did its work but found losses: it does not pass
            // until each loss is accepted by name (migration::preview decides the gate).
            let passed = !what_if || c.errors == 0;
            findings = Some(c);
            (passed, line, serde_json::to_value(&s).unwrap_or_default())
        }
        JobKind::Verify => {
            need(
                &env.lab.legacy_db,
                "the lab's legacy Group Chat database",
                "pchat-migrate lab init",
            )?;
            need(
                &env.lab.mgc_db,
                "the lab's Persistent Chat mgc database",
                "pchat-migrate lab init",
            )?;
            let opts = VerifyOptions {
                start_date_ticks: env.start_date_ticks()?,
                scope: env.profile.migration.scope.clone(),
                disable_exported_nodes: env.profile.migration.disable_exported_nodes,
                accepted_losses: env.accepted_losses.clone(),
            };
            let v =
                chatdata::verify(&env.lab.legacy_db, &env.lab.mgc_db, &opts, r).map_err(map_err)?;
            let line = if v.passed {
                let accepted = if v.accepted_losses.is_empty() {
                    "no differences".to_string()
                } else {
                    format!(
                        "no differences beyond {} accepted losses ({})",
                        v.accepted_losses.len(),
                        v.accepted_losses
                            .iter()
                            .map(|l| format!("{} \"{}\"", l.code, l.item))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                format!(
                    "verify passed: {} categories, {} rooms, {} messages compared, {accepted}",
                    v.categories_compared, v.rooms_compared, v.messages_compared
                )
            } else {
                let first = v
                    .differences
                    .first()
                    .map(|d| format!(" (first: {} \"{}\" {})", d.kind, d.name, d.field))
                    .unwrap_or_default();
                format!("verify FAILED: {} differences{first}", v.differences.len())
            };
            (v.passed, line, serde_json::to_value(&v).unwrap_or_default())
        }
    };
    Ok(JobOutcome {
        kind,
        passed,
        summary,
        detail,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        findings,
    })
}

/// The legacy database probe for items 9 (capacity) and 32 (room-name length): read-only, on
/// the lab's legacy database. Production needs a SQL read of the legacy database, which is
/// not wired yet: the error says what to run instead.
///
/// # Errors
/// [`JobError::Setup`] for a production profile or a missing lab; [`JobError::Data`] when
/// the database cannot be read.
pub fn legacy_probe(env: &JobEnv) -> Result<Vec<chatdata::precheck::PrecheckEvidence>, JobError> {
    if env.profile.kind == DeploymentKind::Production {
        return Err(JobError::Setup(
            "the legacy database probe reads the lab's database; in production run the SQL and cmdlet checks the \
             items show, and record the result as a note"
                .into(),
        ));
    }
    need(
        &env.lab.legacy_db,
        "the lab's legacy Group Chat database",
        "pchat-migrate lab init",
    )?;
    let p = chatdata::precheck(&env.lab.legacy_db)?;
    Ok(chatdata::precheck::evaluate(&p))
}

impl chatdata::precheck::PrecheckEvidence {
    /// As evidence for the session.
    pub fn to_evidence(&self) -> crate::store::Evidence {
        crate::store::Evidence {
            source: chatdata::precheck::EVIDENCE_SOURCE.into(),
            summary: self.summary.clone(),
            passed: Some(self.passed),
            detail: self.detail.clone(),
        }
    }
}

fn need(path: &std::path::Path, what: &str, fix: &str) -> Result<(), JobError> {
    if path.exists() {
        Ok(())
    } else {
        Err(JobError::Setup(format!(
            "{what} is missing ({}): {fix}",
            path.display()
        )))
    }
}
