//! `lab init`, `lab reset-target`, and the lab created on first start.
//!
//! Replacing a lab's databases voids what the sessions recorded about them (an import whose
//! rows are gone, a verify of databases that no longer exist): the reset is recorded in every
//! lab session (`migration::LabReset`), and the session database is opened before anything is
//! replaced, so a reset that cannot be recorded does not happen.

use std::process::ExitCode;

use super::args::LabAction;
use super::context::Context;
use crate::deployment::DeploymentKind;
use crate::jobs::runner::StderrReporter;
use crate::migration::LabReset;
use crate::store::Store;

/// Creates the lab on first start, with progress on stderr (before the screen is taken). A
/// lab created again under existing sessions (its folder was removed) is a re-creation: it is
/// recorded in them as `lab init --force` is.
pub(super) fn ensure_lab(ctx: &Context) -> Result<(), String> {
    if ctx.profile.kind != DeploymentKind::Lab {
        return Ok(());
    }
    let lab = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
    if lab.exists() {
        return Ok(());
    }
    let mut store = recorder(ctx)?;
    eprintln!(
        "{}: creating the lab deployment in {}",
        if store.is_some() {
            "The lab is missing"
        } else {
            "First start"
        },
        ctx.paths.lab_dir.display()
    );
    let r = StderrReporter::new(false);
    crate::lab::init(
        &ctx.paths.lab_dir,
        &crate::lab::LabSpec::default(),
        false,
        &r,
    )
    .map_err(|e| format!("cannot create the lab: {e}"))?;
    match &mut store {
        Some(store) => record(ctx, store, LabReset::All),
        None => Ok(()),
    }
}

pub(super) fn lab(ctx: &Context, action: LabAction) -> Result<ExitCode, String> {
    let r = StderrReporter::new(false);
    match action {
        LabAction::Init(args) => {
            let spec = args.spec()?;
            let existing = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
            let replaces = args.force && (existing.legacy_db.exists() || existing.mgc_db.exists());
            let mut store = if replaces { recorder(ctx)? } else { None };
            let paths = crate::lab::init(&ctx.paths.lab_dir, &spec, args.force, &r)
                .map_err(|e| e.to_string())?;
            println!("legacy Group Chat database: {}", paths.legacy_db.display());
            println!("Persistent Chat mgc database: {}", paths.mgc_db.display());
            if let Some(store) = &mut store {
                record(ctx, store, LabReset::All)?;
            }
        }
        LabAction::ResetTarget => {
            let paths = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
            let mut store = recorder(ctx)?;
            crate::lab::reset_target(&paths).map_err(|e| e.to_string())?;
            println!("emptied {}", paths.mgc_db.display());
            if let Some(store) = &mut store {
                record(ctx, store, LabReset::Target)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The session database, opened for writing before a reset (`None`: there is none, so no
/// session recorded anything yet).
///
/// # Errors
/// It cannot be opened (locked by a running wizard, read-only, damaged): nothing is reset.
fn recorder(ctx: &Context) -> Result<Option<Store>, String> {
    if !ctx.paths.state_db.exists() {
        return Ok(None);
    }
    ctx.open_store()
        .map(Some)
        .map_err(|e| format!("{e}; the lab was left as it was"))
}

/// Records the reset in every lab session and says so.
///
/// # Errors
/// A session could not record it; the message says the lab was already replaced.
fn record(ctx: &Context, store: &mut Store, reset: LabReset) -> Result<(), String> {
    let item = ctx
        .runbook
        .job_item(reset.job())
        .map(|it| it.id.clone())
        .ok_or("the runbook has no item for this job")?;
    let evidence = reset.evidence();
    let failed = |e: crate::store::StoreError| {
        format!(
            "the lab was replaced, but the session database could not record it ({e}): results \
             recorded before it no longer describe the lab; run the export, the import and the \
             verify again"
        )
    };
    let sessions = store.sessions().map_err(failed)?;
    let mut names = Vec::new();
    for s in sessions.iter().filter(|s| s.deployment == "lab") {
        store
            .add_evidence(s.id, &item, &evidence, &ctx.operator)
            .map_err(failed)?;
        names.push(s.name.clone());
    }
    if !names.is_empty() {
        let voided = match reset {
            LabReset::Target => "the import and the verify",
            LabReset::All => "the export, the -WhatIf, the import and the verify",
        };
        println!(
            "recorded in the lab sessions ({}): {voided} recorded before this no longer stand",
            names.join(", ")
        );
    }
    Ok(())
}
