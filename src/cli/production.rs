//! Production: `script` (the PowerShell a task runs, printed or written for review),
//! `probe` (read-only cmdlet probes, and the lab's `legacy-db` probe), and what a headless
//! job asks before it runs in production (the confirmation word, the password).

use std::path::Path;
use std::process::ExitCode;

use super::context::Context;
use super::ctrlc_flag;
use super::lab::ensure_lab;
use crate::deployment::DeploymentKind;
use crate::exec;
use crate::jobs::runner::StderrReporter;
use crate::jobs::{self, JobEnv, JobKind};

/// Production, before a headless job: says which script runs, asks for the confirmation
/// word when the script changes the deployment, and asks for the password when needed.
pub(super) fn prepare_production(
    env: &JobEnv,
    kind: JobKind,
    confirm: Option<&str>,
) -> Result<JobEnv, String> {
    use std::io::IsTerminal;
    let cfg = env.executor.clone().unwrap_or_default();
    let script = exec::script_for(kind, env, &cfg).map_err(|e| e.to_string())?;
    eprintln!(
        "{}: PowerShell on {}, script sha256 {} (print it with: pchat-migrate script {})",
        kind.label(),
        script.runs_on,
        script.sha256(),
        kind.key()
    );
    if script.changes_deployment {
        let word = script.confirm_word.clone().unwrap_or_else(|| "YES".into());
        let typed = match confirm {
            Some(w) => w.to_string(),
            None if std::io::stdin().is_terminal() => {
                eprint!("This changes the deployment. Type {word} to go on: ");
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                line.trim().to_string()
            }
            None => {
                return Err(format!(
                    "this {} changes the deployment: pass --confirm {word}",
                    kind.label()
                ));
            }
        };
        if typed != word {
            return Err(format!("not confirmed (expected {word}); nothing ran"));
        }
    }
    match exec::credential_need(env) {
        exec::CredentialNeed::Prompt { user } => {
            let cred = exec::credential::prompt_terminal(user.as_deref())?;
            Ok(env.clone().with_credential(cred))
        }
        _ => Ok(env.clone()),
    }
}

pub(super) fn script_command(
    ctx: &Context,
    task: &str,
    out: Option<&Path>,
) -> Result<ExitCode, String> {
    if ctx.profile.kind != DeploymentKind::Production {
        return Err("scripts are for production profiles (kind = \"production\"); the lab runs its jobs natively".into());
    }
    let tasks: Vec<exec::Task> = if task == "all" {
        exec::Task::ALL.to_vec()
    } else {
        vec![exec::Task::from_key(task).ok_or_else(|| {
            format!(
                "no task \"{task}\"; tasks: {}, all",
                exec::Task::ALL.map(exec::Task::key).join(", ")
            )
        })?]
    };
    let env = ctx.job_env()?;
    let cfg = ctx.executor.clone();
    let scripts = tasks
        .into_iter()
        .map(|t| exec::script_for_task(t, &env, &cfg))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    match out {
        None => {
            for s in &scripts {
                print!("{}", s.display);
            }
        }
        Some(dir) => {
            let paths = exec::write_dry_run(dir, &scripts).map_err(|e| e.to_string())?;
            for (s, p) in scripts.iter().zip(paths) {
                println!(
                    "{}  sha256 {}  changes the deployment: {}{}",
                    p.display(),
                    s.sha256(),
                    if s.changes_deployment { "yes" } else { "no" },
                    s.confirm_word
                        .as_ref()
                        .map(|w| format!(" (confirm word {w})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn probe_command(
    ctx: &Context,
    session: Option<&str>,
    task: &str,
    out: Option<&Path>,
    json: bool,
) -> Result<ExitCode, String> {
    if task == "legacy-db" {
        return legacy_db_probe(ctx, session, json);
    }
    let task = match task {
        "topology" => exec::Task::Topology,
        "services" => exec::Task::Services,
        "test-message" => exec::Task::TestMessage,
        other => {
            return Err(format!(
                "no probe \"{other}\"; probes: legacy-db, topology, services, test-message"
            ));
        }
    };
    if ctx.profile.kind != DeploymentKind::Production {
        return Err(
            "probes run the cmdlets of a production profile (kind = \"production\")".into(),
        );
    }
    let env = ctx.job_env()?;
    let env = match exec::credential_need(&env) {
        exec::CredentialNeed::Prompt { user } => {
            env.with_credential(exec::credential::prompt_terminal(user.as_deref())?)
        }
        _ => env,
    };
    let reporter = StderrReporter::new(json);
    let _ = ctrlc_flag(reporter.cancel.clone());
    let outcome = exec::run_task(task, &env, &reporter).map_err(|e| e.to_string())?;
    if let (Some(path), Some(xml)) = (out, outcome.topology_xml.as_ref()) {
        std::fs::write(path, xml).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome).map_err(|e| e.to_string())?
        );
    } else {
        println!("{}", outcome.summary);
    }
    Ok(if outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `probe legacy-db`: items 9 and 32 from the lab's legacy database, recorded as evidence
/// in the session (the model then ticks or fails them).
pub(super) fn legacy_db_probe(
    ctx: &Context,
    session: Option<&str>,
    json: bool,
) -> Result<ExitCode, String> {
    ensure_lab(ctx)?;
    let env = ctx.job_env()?;
    let results = jobs::legacy_probe(&env).map_err(|e| e.to_string())?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session)?;
    for r in &results {
        store
            .add_evidence(session.id, r.item_id, &r.to_evidence(), &ctx.operator)
            .map_err(|e| e.to_string())?;
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?
        );
    } else {
        for r in &results {
            println!(
                "{} {}: {}",
                if r.passed { "passed" } else { "FAILED" },
                r.item_id,
                r.summary
            );
        }
    }
    Ok(if results.iter().all(|r| r.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
