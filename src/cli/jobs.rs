//! The job commands: `export`, `import` (with its `-WhatIf` preview and the import gate),
//! `verify`, and `inspect` of a package. They run the same jobs as the wizard and record
//! their results in the same session.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::context::Context;
use super::ctrlc_flag;
use super::lab::ensure_lab;
use super::production::prepare_production;
use crate::deployment::DeploymentKind;
use crate::jobs::runner::StderrReporter;
use crate::jobs::{self, JobKind, JobOutcome};
use crate::store::{Session, Store};

/// `import`: the `-WhatIf` preview, or the import after the import gate.
#[allow(clippy::fn_params_excessive_bools)]
pub(super) fn import(
    ctx: &Context,
    session: Option<&str>,
    what_if: bool,
    accept_warnings: bool,
    accept_losses: bool,
    json: bool,
    confirm: Option<String>,
) -> Result<ExitCode, String> {
    if what_if {
        headless_job(ctx, session, JobKind::ImportWhatIf, json, None, confirm)
    } else {
        let mut store = ctx.open_store()?;
        let s = ctx.session(&mut store, session)?;
        ensure_import_ready(&mut store, &s, ctx, accept_warnings, accept_losses)?;
        drop(store);
        headless_job(ctx, session, JobKind::Import, json, None, confirm)
    }
}

pub(super) fn headless_job(
    ctx: &Context,
    session_name: Option<&str>,
    kind: JobKind,
    json: bool,
    out: Option<PathBuf>,
    confirm: Option<String>,
) -> Result<ExitCode, String> {
    let mut env = ctx.job_env()?;
    if ctx.profile.kind == DeploymentKind::Production {
        env = prepare_production(&env, kind, confirm.as_deref())?;
    }
    ensure_lab(ctx)?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session_name)?;
    let item = ctx
        .runbook
        .items()
        .find(|it| it.job == Some(kind))
        .map(|it| it.id.clone())
        .ok_or_else(|| format!("the runbook has no item for the {} job", kind.label()))?;
    let run = store
        .job_started(session.id, &item, kind.key(), None, &ctx.operator)
        .map_err(|e| e.to_string())?;
    let reporter = StderrReporter::new(json);
    let cancel = reporter.cancel.clone();
    // Ctrl-C asks the job to stop at its next batch; a second Ctrl-C kills as usual.
    let _ = ctrlc_flag(cancel);
    // The verify lists the losses accepted for the newest preview as such.
    let env = env.with_accepted_losses(
        crate::migration::derive(
            &ctx.runbook,
            &store.facts(session.id).map_err(|e| e.to_string())?,
        )
        .losses_for_verify(),
    );
    let result = jobs::run(kind, &env, &reporter);
    let code = record_result(
        &mut store,
        &session,
        &item,
        run.id,
        kind,
        &result,
        &ctx.operator,
    )?;
    match result {
        Ok(outcome) => {
            if let Some(path) = out {
                let text =
                    serde_json::to_string_pretty(&outcome.detail).map_err(|e| e.to_string())?;
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}", outcome.summary);
                if kind == JobKind::Verify && !outcome.passed {
                    print_differences(&outcome);
                }
            }
        }
        Err(jobs::JobError::Cancelled(c)) => {
            let line = crate::migration::cancel_statement(kind, &c);
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "kind": kind, "passed": false, "cancelled": c, "statement": line })
                );
            }
            eprintln!("pchat-migrate: {line}");
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "kind": kind, "passed": false, "error": e.to_string() })
                );
            }
            eprintln!("pchat-migrate: {} failed: {e}", kind.label());
        }
    }
    Ok(code)
}

pub(super) fn inspect(file: &Path, target: Option<&Path>, json: bool) -> Result<ExitCode, String> {
    let r = StderrReporter::new(json);
    match crate::chatdata::inspect(file, target, &r) {
        Ok(i) => {
            if json {
                let mut v = serde_json::to_value(&i).map_err(|e| e.to_string())?;
                v["digest"] = serde_json::Value::String(i.digest());
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", crate::safe_text::escape_multiline(&i.to_text()));
            }
            Ok(if i.warning_counts.errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!(
                "pchat-migrate: inspect failed: {}",
                crate::safe_text::escape_multiline(&e.to_string())
            );
            Ok(ExitCode::from(2))
        }
    }
}

pub(super) fn print_differences(outcome: &JobOutcome) {
    if let Some(diffs) = outcome.detail.get("differences").and_then(|d| d.as_array()) {
        for d in diffs {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            println!(
                "  {} \"{}\" {}: expected {} / found {}",
                s("kind"),
                s("name"),
                s("field"),
                s("expected"),
                s("actual")
            );
        }
    }
}

/// The headless side of the import gate (`migration::Migration::import`): the latest
/// `-WhatIf` preview must have completed after the latest export; each item it refuses (an
/// error) must be accepted by name (`--accept-losses`, one recorded event per loss); its
/// warnings and notes must be acknowledged (`--accept-warnings`, recorded). Both flags print
/// what they accept.
pub(super) fn ensure_import_ready(
    store: &mut Store,
    session: &Session,
    ctx: &Context,
    accept_warnings: bool,
    accept_losses: bool,
) -> Result<(), String> {
    use crate::migration::{self, ImportReadiness};
    let whatif_item = ctx
        .runbook
        .job_item(JobKind::ImportWhatIf)
        .map(|i| i.id.clone());
    loop {
        let facts = store.facts(session.id).map_err(|e| e.to_string())?;
        let m = migration::derive(&ctx.runbook, &facts);
        let preview = m.preview.clone();
        match (&m.import, preview) {
            (ImportReadiness::Ready, _) => return Ok(()),
            (ImportReadiness::LossesNotAccepted { items }, Some(p)) if accept_losses => {
                for w in p.errors() {
                    if !items.contains(&format!("{}: {}", w.code, w.item)) {
                        continue;
                    }
                    eprintln!(
                        "  accepting the loss of {} \"{}\": {}",
                        w.code, w.item, w.message
                    );
                    let detail = serde_json::to_string(&migration::LossAcceptance {
                        evidence_id: p.evidence_id,
                        code: w.code.clone(),
                        item: w.item.clone(),
                    })
                    .map_err(|e| e.to_string())?;
                    store
                        .record_event(
                            session.id,
                            migration::EVENT_LOSS_ACCEPTED,
                            whatif_item.as_deref(),
                            &detail,
                            &ctx.operator,
                        )
                        .map_err(|e| e.to_string())?;
                }
                eprintln!(
                    "accepted {} losses of the -WhatIf preview (recorded)",
                    items.len()
                );
            }
            (ImportReadiness::LossesNotAccepted { items }, _) => {
                return Err(format!(
                    "the -WhatIf preview refuses {} item{} that the import would not import: {}. Fix {} and export \
                     again, or accept each loss by name: pchat-migrate import --accept-warnings --accept-losses \
                     (recorded in the audit trail; verify then lists them as accepted losses)",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" },
                    items.join("; "),
                    if items.len() == 1 { "it" } else { "them" }
                ));
            }
            (ImportReadiness::NotAcknowledged { warnings, notes }, Some(p)) if accept_warnings => {
                for w in p.warnings.iter().filter(|w| !w.is_error()) {
                    eprintln!("  {:<8} {} {}: {}", w.severity, w.code, w.item, w.message);
                }
                store
                    .record_event(
                        session.id,
                        migration::EVENT_WHATIF_ACK,
                        whatif_item.as_deref(),
                        &migration::ack_detail(&p),
                        &ctx.operator,
                    )
                    .map_err(|e| e.to_string())?;
                eprintln!(
                    "acknowledged {warnings} warnings and {notes} notes of the -WhatIf preview (recorded)"
                );
            }
            (ImportReadiness::NotAcknowledged { warnings, notes }, _) => {
                return Err(format!(
                    "the -WhatIf preview raised {warnings} warnings and {notes} notes: read them (pchat-migrate import \
                     --what-if), then run pchat-migrate import --accept-warnings to acknowledge them (recorded in the \
                     audit trail)"
                ));
            }
            (other, _) => return Err(crate::i18n::tr(other.message_id())),
        }
    }
}

/// Records a headless job's result in the session exactly as the wizard does
/// ([`jobs::record::JobRecord`]) and chooses the exit code: 0 passed, 1 failed or cancelled,
/// 2 a set-up problem.
pub(super) fn record_result(
    store: &mut Store,
    session: &Session,
    item: &str,
    run_id: i64,
    kind: JobKind,
    result: &Result<JobOutcome, jobs::JobError>,
    who: &str,
) -> Result<ExitCode, String> {
    jobs::record::JobRecord::of(kind, result)
        .save(store, session.id, item, run_id, who)
        .map_err(|e| e.to_string())?;
    Ok(match result {
        Ok(o) if o.passed => ExitCode::SUCCESS,
        Err(jobs::JobError::Setup(_)) => ExitCode::from(2),
        _ => ExitCode::from(1),
    })
}
