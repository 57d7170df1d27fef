//! `pchat-migrate troubleshoot …`: the headless side of the Troubleshoot screen.
//!
//! - `match [TEXT]` ranks the symptoms that fit TEXT (or standard input) and prints each
//!   with why it matched, its cause, checks and fix; exit 1 when nothing matches (the
//!   closest candidates are printed).
//! - `events FILE` reads an exported `.evtx` file or `Get-WinEvent | ConvertTo-Json`
//!   output; exit 1 when the file is damaged (the readable records are still reported),
//!   2 when it cannot be read at all.
//! - `pull [--hours N]` (production) reads the servers' event logs through the executor
//!   (read-only `Get-WinEvent`).
//! - `check ID [--user SIP]` runs a symptom's checks here and records the results as
//!   evidence on the session (so they are in the report and the diagnostics zip); exit 1
//!   when a check failed.
//! - `list` prints the catalog.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{Value, json};

use super::events::{self, EventReport};
use super::matching::{self, Ranking, Scored};
use super::runner::{Cmdlets, Probes, RunnerInputs, Sqls, execute};
use super::{Catalog, CheckStatus, Symptom, USER_PLACEHOLDER, fill_text};
use crate::jobs::JobEnv;
use crate::runbook::Placeholders;
use crate::store::{Session, Store};

/// Troubleshooting actions.
#[derive(Debug, clap::Subcommand)]
pub enum TroubleshootAction {
    /// Rank the known symptoms that fit TEXT (an event's ID and message, a cmdlet's error, a
    /// log line or a sentence); without TEXT, read standard input. Exit 1: no match.
    Match {
        /// The text (several words are joined with spaces).
        text: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read an exported event log (.evtx, or Get-WinEvent … | ConvertTo-Json output), keep
    /// the Lync, Persistent Chat and Group Chat events (and SQL Server and MSMQ ones that
    /// matter), group them by event ID and match them against the catalog. Exit 1: the
    /// file is damaged (what could be read is reported); 2: it cannot be read.
    Events {
        /// The file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Production: read the last hours of the event logs of every Persistent Chat and legacy
    /// Group Chat server through the executor (read-only Get-WinEvent) and match them.
    Pull {
        /// Hours back (1 to 720).
        #[arg(long, default_value_t = 24)]
        hours: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a symptom's checks from here and record the results as evidence on the session.
    /// Exit 1: a check failed.
    Check {
        /// The symptom id (see `troubleshoot list`).
        id: String,
        /// The SIP address of the user who has the problem (for checks about one user).
        #[arg(long, value_name = "SIP")]
        user: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the catalog: id, title and what the admin sees.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// What the commands need from the command line's context.
pub struct CommandEnv<'a> {
    /// The language of the output (the catalog overlay).
    pub lang: &'a str,
    /// Placeholder values of the deployment.
    pub placeholders: Placeholders,
    /// Runner inputs (profile, data directory, job environment).
    pub inputs: RunnerInputs,
    /// Opens the session store and the session to record in.
    pub open_session: &'a dyn Fn() -> Result<(Store, Session), String>,
    /// Who records.
    pub operator: &'a str,
}

/// Runs one action.
///
/// # Errors
/// A message for set-up problems (exit 2 in the caller).
pub fn run(action: TroubleshootAction, env: CommandEnv<'_>) -> Result<ExitCode, String> {
    let catalog = Catalog::embedded_for(env.lang)
        .or_else(|e| {
            tracing::warn!("troubleshoot catalog translation unusable, showing English: {e}");
            Catalog::embedded()
        })
        .map_err(|e| e.to_string())?;
    match action {
        TroubleshootAction::Match { text, json } => {
            let text = if text.is_empty() {
                if std::io::stdin().is_terminal() {
                    eprintln!("paste the text, then end with Ctrl-D (Ctrl-Z Enter on Windows)");
                }
                let mut s = String::new();
                std::io::stdin()
                    .take(16 * 1024 * 1024)
                    .read_to_string(&mut s)
                    .map_err(|e| format!("cannot read standard input: {e}"))?;
                s
            } else {
                text.join(" ")
            };
            if text.trim().is_empty() {
                return Err("nothing to match: give TEXT or pipe it on standard input".into());
            }
            let r = matching::rank(&catalog, &text);
            if json {
                print_json(&ranking_json(&r, &env.placeholders))?;
            } else {
                print_ranking(&r, &env.placeholders);
            }
            Ok(if r.matches.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        TroubleshootAction::Events { file, json } => {
            let report = read_file(&file, &catalog).map_err(|e| e.to_string())?;
            if json {
                print_json(&serde_json::to_value(&report).map_err(|e| e.to_string())?)?;
            } else {
                print_report(&report, &catalog);
            }
            if let Some(d) = &report.damage {
                eprintln!(
                    "pchat-migrate: {}: the file is damaged: {} records or chunks could not be read (first: {}); the readable records are reported above. Export the log again if you need the rest.",
                    report.source,
                    d.errors,
                    d.first.first().map_or("", String::as_str)
                );
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        TroubleshootAction::Pull { hours, json } => {
            let job_env = env.inputs.job_env.clone()?;
            if job_env.profile.kind != crate::deployment::DeploymentKind::Production {
                return Err("the event pull reads the servers of a production profile (kind = \"production\"); in the lab, use `troubleshoot events FILE`".into());
            }
            let job_env = with_credential(job_env)?;
            let reporter = crate::jobs::runner::StderrReporter::new(json);
            let outcome = crate::exec::run_task_with(
                crate::exec::Task::Events,
                &job_env,
                &crate::exec::TaskOptions {
                    events_hours: hours,
                    ..Default::default()
                },
                &reporter,
            )
            .map_err(|e| e.to_string())?;
            let objects: Vec<Value> = outcome.detail["events"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let report = events::from_pull(
                &format!("Get-WinEvent, last {hours} h ({})", outcome.summary),
                &objects,
                &catalog,
            );
            if json {
                print_json(&json!({ "pull": outcome, "report": report }))?;
            } else {
                print_report(&report, &catalog);
                if let Some(unread) = outcome.detail["unread"].as_array() {
                    for u in unread {
                        eprintln!("could not read: {}", u.as_str().unwrap_or(""));
                    }
                }
            }
            Ok(if outcome.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        TroubleshootAction::Check { id, user, json } => {
            let symptom = catalog.symptom(&id).cloned().ok_or_else(|| {
                format!("no symptom \"{id}\"; `pchat-migrate troubleshoot list` shows the ids")
            })?;
            let mut values = env.placeholders.clone();
            if let Some(u) = user {
                values.insert(USER_PLACEHOLDER.to_string(), vec![u]);
            }
            let mut inputs = env.inputs.clone();
            if let Ok(j) = &inputs.job_env
                && j.profile.kind == crate::deployment::DeploymentKind::Production
                && symptom.checks.iter().any(|c| c.cmdlet.is_some())
            {
                inputs.job_env = with_credential(j.clone()).map_err(|e| e.to_string());
            }
            let mut probes = Probes::new(&inputs);
            let mut cmdlets = Cmdlets::new(&inputs);
            let sqls = Sqls::new(&inputs);
            let results = execute(&symptom, &values, &mut probes, &mut cmdlets, &sqls);
            let (mut store, session) = (env.open_session)()?;
            let ev = super::record(&mut store, session.id, &symptom, &results, env.operator)
                .map_err(|e| e.to_string())?;
            if json {
                print_json(&json!({
                    "symptom": symptom.id,
                    "recorded_on": ev.item_id,
                    "summary": ev.evidence.summary,
                    "passed": ev.evidence.passed,
                    "checks": results,
                }))?;
            } else {
                println!("{}", ev.evidence.summary);
                for r in &results {
                    println!(
                        "  [{}] {}. {}",
                        r.status.label(),
                        r.check,
                        r.command.as_deref().unwrap_or(&r.what)
                    );
                    if !r.output.is_empty() {
                        println!("      {}", r.output);
                    }
                }
                println!(
                    "recorded as evidence on {} in session {}",
                    ev.item_id, session.name
                );
            }
            Ok(if results.iter().any(|r| r.status == CheckStatus::Failed) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        TroubleshootAction::List { json } => {
            if json {
                let v: Vec<Value> = catalog
                    .symptoms
                    .iter()
                    .map(|s| json!({ "id": s.id, "title": s.title, "sees": s.sees }))
                    .collect();
                print_json(&Value::Array(v))?;
            } else {
                for s in &catalog.symptoms {
                    println!("{:<34} {}", s.id, s.title);
                }
                println!("{} symptoms", catalog.symptoms.len());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads an `.evtx` file, or JSON when the file starts with `[` or `{` (after a BOM).
///
/// # Errors
/// [`events::EventLogError`].
pub fn read_file(
    path: &std::path::Path,
    catalog: &Catalog,
) -> Result<EventReport, events::EventLogError> {
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| events::EventLogError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
    let start: Vec<u8> = head[..n]
        .iter()
        .copied()
        .filter(|b| {
            !matches!(
                b,
                0xEF | 0xBB | 0xBF | 0xFF | 0xFE | 0 | b' ' | b'\r' | b'\n'
            )
        })
        .collect();
    if matches!(start.first(), Some(b'[' | b'{')) {
        events::read_json(path, catalog)
    } else {
        events::read_evtx(path, catalog)
    }
}

fn with_credential(env: JobEnv) -> Result<JobEnv, String> {
    match crate::exec::credential_need(&env) {
        crate::exec::CredentialNeed::Prompt { user } => {
            Ok(env.with_credential(crate::exec::credential::prompt_terminal(user.as_deref())?))
        }
        _ => Ok(env),
    }
}

fn print_json(v: &Value) -> Result<(), String> {
    println!(
        "{}",
        serde_json::to_string_pretty(v).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// A symptom as JSON, with its checks filled from the deployment.
pub fn symptom_json(s: &Symptom, values: &Placeholders) -> Value {
    json!({
        "id": s.id,
        "title": s.title,
        "sees": fill_text(&s.sees, values),
        "cause": fill_text(&s.cause, values),
        "checks": s.checks.iter().map(|c| json!({
            "kind": c.kind.as_str(),
            "what": fill_text(&c.what, values),
            "probe": c.probe,
            "target": c.target.as_deref().map(|t| fill_text(t, values)),
            "cmdlet": c.cmdlet.as_deref().map(|t| fill_text(t, values)),
            "database": c.database,
            "query": c.query,
            "expect": fill_text(&c.expect, values),
        })).collect::<Vec<_>>(),
        "fix": fill_text(&s.fix, values),
        "fix_cmdlets": s.fix_cmdlets.iter().map(|l| fill_text(l, values)).collect::<Vec<_>>(),
        "source": s.source,
        "disagreement": s.disagreement,
        "inferred": s.inferred,
    })
}

fn scored_json(m: &Scored<'_>, values: &Placeholders) -> Value {
    let mut v = symptom_json(m.symptom, values);
    v["score"] = json!(m.score);
    v["why"] = json!(
        m.reasons
            .iter()
            .map(matching::Reason::describe)
            .collect::<Vec<_>>()
    );
    v["reasons"] = json!(m.reasons);
    v
}

/// The ranking as JSON: `matched`, `matches` and `closest` (each a symptom with `score`,
/// `why` and `reasons`).
pub fn ranking_json(r: &Ranking<'_>, values: &Placeholders) -> Value {
    json!({
        "matched": !r.matches.is_empty(),
        "matches": r.matches.iter().map(|m| scored_json(m, values)).collect::<Vec<_>>(),
        "closest": r.closest.iter().map(|m| scored_json(m, values)).collect::<Vec<_>>(),
    })
}

fn print_symptom(n: usize, m: &Scored<'_>, values: &Placeholders) {
    let s = m.symptom;
    println!("{n}. {} [{}] score {}", s.title, s.id, m.score);
    println!(
        "   why: {}",
        m.reasons
            .iter()
            .map(matching::Reason::describe)
            .collect::<Vec<_>>()
            .join("; ")
    );
    println!("   cause: {}", fill_text(&s.cause, values));
    for (i, c) in s.checks.iter().enumerate() {
        let how = c
            .cmdlet
            .as_deref()
            .map(|l| format!(": {}", fill_text(l, values)))
            .or_else(|| {
                c.probe.as_deref().map(|p| {
                    format!(
                        ": {p} {}",
                        fill_text(c.target.as_deref().unwrap_or(""), values)
                    )
                })
            })
            .or_else(|| c.query.as_deref().map(|q| format!(": {q}")))
            .unwrap_or_default();
        println!(
            "   check {}. ({}) {}{how}",
            i + 1,
            c.kind.as_str(),
            fill_text(&c.what, values)
        );
    }
    println!("   fix: {}", fill_text(&s.fix, values));
    for l in &s.fix_cmdlets {
        println!("        {}", fill_text(l, values));
    }
    if let Some(d) = &s.disagreement {
        println!("   sources disagree: {d}");
    }
    if s.inferred {
        println!("   (rests in part on an inference: check it in your lab)");
    }
    println!("   source: {}", s.source);
}

fn print_ranking(r: &Ranking<'_>, values: &Placeholders) {
    if r.matches.is_empty() {
        println!("no match: no known symptom fits this text.");
        if r.closest.is_empty() {
            println!(
                "nothing in the catalog comes close; `pchat-migrate troubleshoot list` shows every symptom."
            );
        } else {
            println!("closest candidates:");
            for (i, m) in r.closest.iter().enumerate() {
                print_symptom(i + 1, m, values);
            }
        }
        return;
    }
    for (i, m) in r.matches.iter().enumerate() {
        print_symptom(i + 1, m, values);
        println!();
    }
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "-".into(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// Prints an event report for people.
pub fn print_report(report: &EventReport, catalog: &Catalog) {
    println!(
        "{}: {} records read, {} kept (Lync, Persistent Chat, Group Chat, and SQL Server / MSMQ that matter)",
        report.source, report.records, report.kept
    );
    if report.groups.is_empty() {
        println!("no Lync, Persistent Chat or Group Chat events in this log.");
        return;
    }
    for g in &report.groups {
        println!(
            "event {} {} ({}) ×{}  first {}  last {}  {}",
            g.id,
            g.provider,
            events::level_word(g.level),
            g.count,
            when(g.first),
            when(g.last),
            g.computers.join(", ")
        );
        if !g.message.is_empty() {
            println!("   {}", g.message.chars().take(200).collect::<String>());
        }
        for m in &g.symptoms {
            println!(
                "   → {} [{}] score {}: {}",
                m.title,
                m.id,
                m.score,
                m.reasons.join("; ")
            );
        }
    }
    let matched = report.matched_symptoms();
    if matched.is_empty() {
        println!("none of these events matches a known symptom.");
    } else {
        println!("symptoms found: {}", matched.join(", "));
        if let Some(s) = catalog.symptom(&matched[0]) {
            println!("run its checks: pchat-migrate troubleshoot check {}", s.id);
        }
    }
}
