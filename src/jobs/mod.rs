//! Background jobs: the export, the `-WhatIf` import preview, the import and the verification.
//!
//! One [`run`] function serves the wizard (on a worker thread, reporting through channels)
//! and the headless commands (reporting to stderr), so both do exactly the same work. It
//! drives the deployment's [`Executor`] ([`executor_for`]): the lab executor
//! ([`crate::lab::LabExecutor`]) calls the native data plane in [`crate::chatdata`]; the
//! production executor ([`crate::exec::PowerShellExecutor`]) runs Microsoft's cmdlets
//! through PowerShell. The types they share live below both, in [`crate::executor`].

pub mod record;
pub mod runner;

use crate::chatdata;
use crate::deployment::DeploymentKind;
use crate::executor::need;
pub use crate::executor::{Executor, JobEnv, JobError, JobKind, JobOutcome};
use crate::progress::Reporter;
use crate::runbook::Runbook;
use crate::store::{PackageOnDisk, SessionFacts};

/// Looks at the package the newest passing export wrote (one `stat`, nothing read) and puts
/// what it found in `facts.package_on_disk`, for the model to compare with what the export
/// recorded (`migration`, rule `export-package`). Only a lab's package is looked at: a
/// production package lives on a server or a share that a `stat` from here may not reach
/// (or may hang on), and the `-WhatIf` there checks it anyway.
pub fn observe_package(kind: DeploymentKind, runbook: &Runbook, facts: &mut SessionFacts) {
    if kind != DeploymentKind::Lab {
        return;
    }
    let path = crate::migration::export_package(runbook, facts).map(str::to_string);
    facts.package_on_disk = path.map(|path| PackageOnDisk {
        bytes: std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len()),
        path,
    });
}

/// The executor that runs `env`'s jobs: the lab's native data plane, or PowerShell for a
/// production deployment.
pub fn executor_for(env: &JobEnv) -> &'static dyn Executor {
    match env.profile.kind {
        DeploymentKind::Lab => &crate::lab::LabExecutor,
        DeploymentKind::Production => &crate::exec::PowerShellExecutor,
    }
}

/// Runs one job to completion on the calling thread, with the deployment's executor.
///
/// # Errors
/// [`JobError`]: setup problems (with what to do), data-plane errors, cancellation.
pub fn run(kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError> {
    executor_for(env).run(kind, env, r)
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
