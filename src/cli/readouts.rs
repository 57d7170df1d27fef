//! The commands that read the session and the assets and print them: `report`,
//! `diagnostics`, `audit`, `sessions`, `runbook`, `i18n check` and `paths`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::args::{AuditAction, ReportFormat};
use super::context::Context;
use crate::store::{ItemState, Store};

pub(super) fn report(
    ctx: &Context,
    session_name: Option<&str>,
    format: ReportFormat,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let (store, session) = ctx.read_session(session_name)?;
    let r = crate::report::build(&store, session.id, &ctx.runbook, &ctx.profile)
        .map_err(|e| e.to_string())?;
    let text = match format {
        ReportFormat::Md => crate::report::markdown(&r),
        ReportFormat::Html => crate::report::html(&r),
    };
    match &out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    if r.audit.intact {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("pchat-migrate: {}", r.audit.verdict());
        Ok(ExitCode::from(1))
    }
}

pub(super) fn diagnostics(
    ctx: &Context,
    session_name: Option<&str>,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    // Read-only where possible: an existing session is read without writing (no lab/production
    // check either, since the profile may be the broken part).
    let existing = match ctx.paths.state_db.exists() {
        true => {
            let store = Store::open_read_only(&ctx.paths.state_db).map_err(|e| e.to_string())?;
            let found = match session_name {
                Some(n) => store.session(n).map_err(|e| e.to_string())?,
                None => store.last_session().map_err(|e| e.to_string())?,
            };
            found.map(|s| (store, s))
        }
        false => None,
    };
    let (store, session) = match existing {
        Some(pair) => pair,
        None => {
            let mut store = ctx.open_store()?;
            let session = ctx.session(&mut store, session_name)?;
            (store, session)
        }
    };
    let out = out.unwrap_or_else(|| {
        let safe: String = session
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        ctx.paths.data_dir.join(format!(
            "diagnostics-{safe}-{}.zip",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        ))
    });
    let s = crate::diagnostics::collect(
        &ctx.paths,
        &store,
        session.id,
        ctx.profile_path.as_deref(),
        &out,
    )
    .map_err(|e| e.to_string())?;
    for w in &s.warnings {
        eprintln!("note: {w}");
    }
    if !s.removed_keys.is_empty() {
        eprintln!("removed from the profile: {}", s.removed_keys.join(", "));
    }
    println!("{}", s.out.display());
    Ok(ExitCode::SUCCESS)
}

pub(super) fn audit(
    ctx: &Context,
    session_name: Option<&str>,
    action: AuditAction,
) -> Result<ExitCode, String> {
    let (store, session) = ctx.read_session(session_name)?;
    match action {
        AuditAction::List => {
            for e in store.audit(session.id).map_err(|e| e.to_string())? {
                println!(
                    "{:>5} {} {:<12} {:<20} {:<24} {} → {} {}",
                    e.id,
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.who,
                    e.kind,
                    e.item_id.unwrap_or_default(),
                    e.old.unwrap_or_default(),
                    e.new.unwrap_or_default(),
                    e.detail.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Verify => match store.verify_audit(session.id) {
            Ok(()) => {
                println!("audit trail intact");
                Ok(ExitCode::SUCCESS)
            }
            Err(b) => {
                println!("audit trail BROKEN at event {}: {}", b.id, b.reason);
                Ok(ExitCode::from(1))
            }
        },
    }
}

pub(super) fn sessions(ctx: &Context, new: Option<&str>) -> Result<ExitCode, String> {
    let mut store = ctx.open_store()?;
    if let Some(name) = new {
        let kind = ctx.kind_name();
        let s = store
            .create_session(name, kind, None, &ctx.operator)
            .map_err(|e| e.to_string())?;
        println!("created session {} ({})", s.name, s.deployment);
        return Ok(ExitCode::SUCCESS);
    }
    for s in store.sessions().map_err(|e| e.to_string())? {
        let recs = store.item_records(s.id).map_err(|e| e.to_string())?;
        let done = recs
            .values()
            .filter(|r| matches!(r.state, ItemState::Done | ItemState::Skipped))
            .count();
        println!(
            "{:<20} {:<10} {:>3}/{} done   last opened {}",
            s.name,
            s.deployment,
            done,
            ctx.runbook.items().count(),
            s.last_opened_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn print_runbook(ctx: &Context, stage: Option<&str>) -> Result<ExitCode, String> {
    let values = ctx.runbook_placeholders();
    let stages: Vec<_> = ctx
        .runbook
        .stages
        .iter()
        .chain(std::iter::once(&ctx.runbook.rollback))
        .filter(|s| stage.is_none_or(|id| s.id == id))
        .collect();
    if stages.is_empty() {
        return Err(format!(
            "no stage \"{}\"; stages: {}",
            stage.unwrap_or(""),
            ctx.runbook
                .stages
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for s in stages {
        println!("== {} {} ==", s.number, s.title);
        for it in &s.items {
            let num = it
                .checklist
                .map_or_else(|| "--".into(), |n| format!("{n:>2}"));
            println!("[{num}] {} ({})", it.title, it.id);
            for line in crate::runbook::render_cmdlets(it, &values)
                .map_err(|e| format!("{}: {e}", it.id))?
            {
                println!("      {line}");
            }
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `pchat-migrate i18n check`: exit 0 when every language is complete, 1 otherwise.
pub(super) fn i18n_check(json: bool) -> Result<ExitCode, String> {
    let reports = crate::tui::language_check::check_all()?;
    let complete = reports
        .iter()
        .all(crate::i18n_check::LanguageReport::complete);
    if json {
        let value = serde_json::json!({ "complete": complete, "languages": reports });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
    } else {
        for r in &reports {
            if r.complete() {
                println!("{}: complete", r.lang);
                continue;
            }
            println!("{}: incomplete", r.lang);
            for (what, ids) in [
                ("missing message", &r.missing_messages),
                ("unknown message", &r.unknown_messages),
                ("variables differ from English", &r.variable_mismatches),
                ("error", &r.errors),
            ] {
                for id in ids {
                    println!("  {what}: {id}");
                }
            }
            for g in &r.missing_runbook {
                println!(
                    "  runbook {} {}: {} (English shown)",
                    g.file,
                    g.id,
                    g.fields.join(", ")
                );
            }
            for g in &r.missing_troubleshoot {
                println!(
                    "  troubleshoot {}: {} (English shown)",
                    g.id,
                    g.fields.join(", ")
                );
            }
            for g in r.english_on_screen.iter().chain(&r.broken_borders) {
                println!(
                    "  screen {} at {}, row {}: {} ({} views)\n      {}",
                    g.view, g.size, g.row, g.problem, g.views, g.text
                );
            }
        }
    }
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `paths`: where state, logs and the lab live.
pub(super) fn paths(ctx: &Context) -> ExitCode {
    let p = &ctx.paths;
    println!("data directory: {}", p.data_dir.display());
    println!("session database: {}", p.state_db.display());
    println!(
        "logs: {}",
        p.logs_dir.join(crate::logging::LOG_FILE).display()
    );
    println!("job logs: {}", p.job_logs_dir.display());
    println!("crash reports: {}", p.logs_dir.display());
    println!("lab: {}", p.lab_dir.display());
    println!("config: {}", p.config_file.display());
    ExitCode::SUCCESS
}
