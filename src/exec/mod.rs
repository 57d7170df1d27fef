//! The production executor: the migration's cmdlets run by Windows PowerShell (or `pwsh`),
//! on this computer or on a Lync server through PowerShell remoting.
//!
//! The lab executor calls the native data plane in [`crate::chatdata`]; this one drives
//! Microsoft's cmdlets the way a careful admin would:
//!
//! 1. **See before it runs.** [`script_for`] renders the exact script from the profile
//!    ([`Script::text`] is what runs, byte for byte; [`Script::display`] is the same with any
//!    secret masked). `pchat-migrate script <task> --out DIR` writes it for change review.
//!    Profile values only ever appear inside single-quoted literals ([`quote`]).
//! 2. **Run it in the background, streaming.** [`powershell`] starts the shell with
//!    `-EncodedCommand` (UTF-16LE base64, so no shell re-parses the script), reads stdout and
//!    stderr on threads, and passes each line, redacted, to [`Reporter::log`] as it arrives.
//!    Objects come back as JSON lines framed by marker lines unique to the script; error
//!    records come back as marked JSON (category, FullyQualifiedErrorId, message).
//! 3. **Stop it cleanly.** Cancel and the time limit end the whole process tree
//!    ([`process_tree`]: a process group on Unix, a Job Object on Windows). On Windows a bare
//!    `powershell.exe` is the one under `%SystemRoot%` ([`shell_path`]).
//! 4. **Never leak a credential.** See [`credential`] and [`redact`].
//!
//! What has been tried against a real Lync server: nothing. The tests run a stand-in shell
//! (`tests/fake-pwsh/pwsh`) that plays back the documented output shapes.

pub mod cmdlet;
pub mod outcome;
pub mod powershell;
pub mod process_tree;
pub mod quote;
pub mod redact;
pub mod script;
pub mod shell_path;
pub mod verify;

use crate::deployment::DeploymentKind;
/// The `[executor]` settings, the credential (and its Credential Manager source) and the
/// error type are shared with the jobs and their callers, so they live in the seam
/// ([`crate::executor`]); the old paths still work.
pub use crate::executor::{ExecError, config, credential, credman};
use crate::executor::{Executor, JobEnv, JobError, JobKind, JobOutcome};
use crate::progress::Reporter;

pub use cmdlet::{CmdletCall, ParamValue};
pub use config::{ExecutorConfig, Remote, split_profile_text};
pub use credential::{Credential, CredentialNeed, Secret};
pub use outcome::TaskOutcome;
pub use quote::QuoteError;
pub use redact::Redactor;
pub use script::{
    CHECK_CMDLETS, CheckCall, RUNBOOK_TASKS, Script, StepInfo, Task, TaskOptions,
    runbook_placeholders, script_for, script_for_task, script_for_task_with, task_lines,
    task_placeholder, write_dry_run,
};

/// The production executor: the jobs as Microsoft's cmdlets through PowerShell, with the
/// profile's `[executor]` settings ([`run_job`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct PowerShellExecutor;

impl Executor for PowerShellExecutor {
    fn run(&self, kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError> {
        run_job(kind, env, r)
    }
}

/// The `[executor]` settings that run `env`'s PowerShell tasks: the profile's table (or the
/// defaults) for a production deployment, `None` in the lab, whose jobs run natively.
pub fn powershell_config(env: &JobEnv) -> Option<ExecutorConfig> {
    match env.profile.kind {
        DeploymentKind::Lab => None,
        DeploymentKind::Production => Some(env.executor.clone().unwrap_or_default()),
    }
}

/// What `env` needs before a job can run: nothing, a password prompt, a Credential Manager
/// entry, or a CliXml file.
pub fn credential_need(env: &JobEnv) -> CredentialNeed {
    match powershell_config(env) {
        None => CredentialNeed::None,
        Some(cfg) => credential::need(&cfg),
    }
}

/// Runs one of the four jobs through PowerShell: renders the script exactly as
/// [`script_for`] shows it, runs it, and reads the result. `env.credential` must be set when
/// [`credential_need`] says `Prompt`.
///
/// # Errors
/// [`JobError::Setup`] for profile and credential problems, [`JobError::Cancelled`], and
/// [`JobError::Exec`] for everything that went wrong while PowerShell ran.
pub fn run_job(kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError> {
    let result = if kind == JobKind::Verify {
        verify::run(env, r)
    } else {
        run_task(Task::from(kind), env, r)
    };
    let o = match result {
        Ok(o) => o,
        // The preview and the verify only read: stopping them changes nothing.
        Err(ExecError::Cancelled) if matches!(kind, JobKind::ImportWhatIf | JobKind::Verify) => {
            return Err(JobError::Cancelled(crate::chatdata::Cancellation::nothing(
                "PowerShell",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let mut o = o;
    // The -WhatIf findings: the cmdlet prints no list of what it will refuse or change, so the
    // preview's errors, warnings and notes come from inspecting the package copied to this
    // computer with the import's own pre-flight checks (the list the lab preview shows); the
    // cmdlet's WARNING lines are kept beside them, each as a warning. Without the package
    // here, only the cmdlet's lines count [inf: the cmdlet's -WhatIf output is undocumented].
    let findings = if matches!(kind, JobKind::ImportWhatIf | JobKind::Import) {
        let mut list: Vec<crate::chatdata::PreflightWarning> = Vec::new();
        if kind == JobKind::ImportWhatIf {
            match crate::chatdata::inspect(&env.package, None, r) {
                Ok(i) => list = i.warnings,
                Err(e) => r.log(format!(
                    "the package at {} could not be inspected for the preview ({e}); only the cmdlet's warnings count",
                    env.package.display()
                )),
            }
        }
        let cmdlet_lines: Vec<String> = o
            .detail
            .get("warnings")
            .and_then(|w| w.as_array())
            .map(|ws| {
                ws.iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        list.extend(
            cmdlet_lines
                .iter()
                .map(|line| crate::chatdata::PreflightWarning {
                    code: "cmdlet-warning".into(),
                    severity: crate::chatdata::preflight::severity::WARNING.into(),
                    item: Task::from(kind).label().into(),
                    message: line.clone(),
                }),
        );
        let counts = crate::chatdata::preflight::Counts::of_warnings(&list);
        if let serde_json::Value::Object(d) = &mut o.detail {
            d.insert("cmdlet_warnings".into(), serde_json::json!(cmdlet_lines));
            d.insert(
                "warnings".into(),
                serde_json::to_value(&list).unwrap_or_default(),
            );
        }
        if kind == JobKind::ImportWhatIf && counts.errors > 0 {
            o.passed = false;
        }
        Some(counts)
    } else {
        None
    };
    Ok(JobOutcome {
        kind,
        passed: o.passed,
        summary: o.summary,
        detail: o.detail,
        elapsed_ms: o.elapsed_ms,
        findings,
    })
}

/// The credential a run needs (the one the admin typed), or why it is missing.
fn credential_for(env: &JobEnv, cfg: &ExecutorConfig) -> Result<Option<Credential>, ExecError> {
    Ok(match credential::need(cfg) {
        CredentialNeed::Prompt { user } => Some(env.credential.clone().ok_or_else(|| {
            ExecError::Credential(format!(
                "this run opens a WinRM session to {} and needs the password{}; the wizard asks for it before the job starts, the headless commands ask on the terminal (or set [executor] credential to a CliXml file)",
                cfg.computer,
                user.map(|u| format!(" of {u}")).unwrap_or_default()
            ))
        })?),
        CredentialNeed::CredMan { target } => {
            Some(credman::read(&target).map_err(ExecError::Credential)?)
        }
        _ => None,
    })
}

/// Runs any [`Task`] (the four jobs, and the service, endpoint and topology tasks).
///
/// # Errors
/// As [`run_job`], as [`ExecError`].
pub fn run_task(task: Task, env: &JobEnv, r: &dyn Reporter) -> Result<TaskOutcome, ExecError> {
    run_task_with(task, env, &TaskOptions::default(), r)
}

/// [`run_task`] with options ([`TaskOptions`]).
///
/// # Errors
/// As [`run_task`].
pub fn run_task_with(
    task: Task,
    env: &JobEnv,
    opts: &TaskOptions,
    r: &dyn Reporter,
) -> Result<TaskOutcome, ExecError> {
    run_task_streaming(task, env, opts, r, None).map(|(o, _)| o)
}

/// [`run_task_with`] with the row-reading steps streamed into `sink`; also returns the
/// `rooms` step's objects in full (the outcome keeps only the first few).
///
/// # Errors
/// As [`run_task`].
pub fn run_task_streaming(
    task: Task,
    env: &JobEnv,
    opts: &TaskOptions,
    r: &dyn Reporter,
    sink: Option<powershell::RowSink<'_>>,
) -> Result<(TaskOutcome, Option<Vec<serde_json::Value>>), ExecError> {
    let Some(cfg) = powershell_config(env) else {
        return Err(ExecError::Config(
            "the lab runs its jobs natively; PowerShell tasks need a production profile".into(),
        ));
    };
    let credential = credential_for(env, &cfg)?;
    let script = script_for_task_with(task, env, &cfg, opts)?;
    let redactor = Redactor::new(credential.iter().map(|c| &c.password));
    let run = powershell::run_streaming(&script, &cfg, credential.as_ref(), &redactor, r, sink)?;
    let rooms = run.data.get("rooms").cloned();
    let o = outcome::interpret(&script, env, &cfg, credential.as_ref(), run, &redactor, r)?;
    Ok((o, rooms))
}
