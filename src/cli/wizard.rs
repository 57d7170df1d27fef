//! The wizard's launch: the terminal check, the lab on first start, the session, the theme
//! and everything the wizard is handed; and the session picker's way back into the
//! database.

use std::process::ExitCode;

use super::context::Context;
use super::lab::ensure_lab;
use crate::deployment::DeploymentKind;
use crate::store::Store;
use crate::tui::theme::{Theme, ThemeName};

/// The wizard's own flags.
pub(super) struct ViewOptions {
    pub(super) session: Option<String>,
    pub(super) theme: Option<ThemeName>,
    pub(super) no_mouse: bool,
}

pub(super) fn wizard(ctx: &Context, view: &ViewOptions) -> Result<ExitCode, String> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(
            "the wizard needs a terminal; for scripts use the headless commands (see --help)"
                .into(),
        );
    }
    ensure_lab(ctx)?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, view.session.as_deref())?;
    let theme_name = view
        .theme
        .or_else(|| {
            ctx.config
                .theme
                .as_deref()
                .and_then(|t| <ThemeName as clap::ValueEnum>::from_str(t, true).ok())
        })
        .unwrap_or(ThemeName::Dark);
    let migration_line = match (ctx.profile.legacy_pool(), ctx.profile.pchat_pool()) {
        (Some(l), Some(p)) => format!(
            "{} {} → {} {}",
            l.kind.product_name(),
            l.fqdn,
            p.kind.product_name(),
            p.fqdn
        ),
        _ => String::new(),
    };
    crate::tui::terminal::install_panic_hook(ctx.paths.logs_dir.clone());
    let setup = crate::tui::WizardSetup {
        runbook: ctx.runbook.clone(),
        placeholders: ctx.runbook_placeholders(),
        deployment_name: ctx.profile.name.clone(),
        deployment_kind: session.deployment.clone(),
        migration_line,
        store,
        session,
        operator: ctx.operator.clone(),
        theme: Theme::pick(theme_name, Theme::no_color_env()),
        mouse: !view.no_mouse && ctx.config.mouse.unwrap_or(true),
        job_env: ctx.job_env(),
        job_logs_dir: Some(ctx.paths.job_logs_dir.clone()),
        reopen: Some(reopen_fn(ctx)),
        profile: ctx.profile.clone(),
        data_dir: Some(ctx.paths.data_dir.clone()),
        lab_dir: (ctx.profile.kind == DeploymentKind::Lab).then(|| ctx.paths.lab_dir.clone()),
        profile_path: ctx.profile_path.clone(),
        monitor: ctx
            .config
            .monitor(ctx.profile.kind == DeploymentKind::Lab)?,
    };
    crate::tui::run(setup).map_err(|e| format!("{e:#}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The session picker's way back into the database.
pub(super) fn reopen_fn(ctx: &Context) -> crate::tui::Reopen {
    let db = ctx.paths.state_db.clone();
    let kind = ctx.kind_name();
    let profile = ctx.profile_path_string();
    let operator = ctx.operator.clone();
    Box::new(move |name: &str| {
        let mut store = Store::open(&db).map_err(|e| e.to_string())?;
        let session = store
            .open_or_create_session(name, kind, profile.as_deref(), &operator)
            .map_err(|e| e.to_string())?;
        Ok((store, session))
    })
}
