//! `lab init`, `lab reset-target`, and the lab created on first start.

use std::process::ExitCode;

use super::args::LabAction;
use super::context::Context;
use crate::deployment::DeploymentKind;
use crate::jobs::runner::StderrReporter;

/// Creates the lab on first start, with progress on stderr (before the screen is taken).
pub(super) fn ensure_lab(ctx: &Context) -> Result<(), String> {
    if ctx.profile.kind != DeploymentKind::Lab {
        return Ok(());
    }
    let lab = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
    if lab.exists() {
        return Ok(());
    }
    eprintln!(
        "First start: creating the lab deployment in {}",
        ctx.paths.lab_dir.display()
    );
    let r = StderrReporter::new(false);
    crate::lab::init(
        &ctx.paths.lab_dir,
        &crate::lab::LabSpec::default(),
        false,
        &r,
    )
    .map(|_| ())
    .map_err(|e| format!("cannot create the lab: {e}"))
}

pub(super) fn lab(ctx: &Context, action: LabAction) -> Result<ExitCode, String> {
    let r = StderrReporter::new(false);
    match action {
        LabAction::Init(args) => {
            let spec = args.spec()?;
            let paths = crate::lab::init(&ctx.paths.lab_dir, &spec, args.force, &r)
                .map_err(|e| e.to_string())?;
            println!("legacy Group Chat database: {}", paths.legacy_db.display());
            println!("Persistent Chat mgc database: {}", paths.mgc_db.display());
        }
        LabAction::ResetTarget => {
            let paths = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
            crate::lab::reset_target(&paths).map_err(|e| e.to_string())?;
            println!("emptied {}", paths.mgc_db.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
