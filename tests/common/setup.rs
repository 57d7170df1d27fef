//! The wizard's set-up as the tests build it: what the command line derives from the profile
//! and the session (name, kind, placeholders, operator) derived the same way, the rest quiet
//! (dark theme, mouse on, no jobs, no data directory). A test changes what it needs with
//! struct update syntax.
#![allow(dead_code)]

use std::sync::Arc;

use pchat_migrate::deployment::Profile;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{Session, Store};
use pchat_migrate::tui::WizardSetup;
use pchat_migrate::tui::theme::{Theme, ThemeName};

/// The header line of the built-in lab deployment (legacy pool → target pool).
pub const LAB_MIGRATION_LINE: &str = "Lync Server 2010 Group Chat gcpool.contoso.lab → Lync Server 2013 Persistent Chat pchatpool.contoso.lab";

/// The wizard on `profile` with `runbook`, `store` and `session`: the operator is the one who
/// created the session, the placeholders take the work directory `C:\PChatMigration`.
pub fn wizard_setup(
    profile: Profile,
    runbook: Runbook,
    store: Store,
    session: Session,
) -> WizardSetup {
    WizardSetup {
        runbook: Arc::new(runbook),
        placeholders: profile.placeholders("C:\\PChatMigration"),
        deployment_name: profile.name.clone(),
        deployment_kind: session.deployment.clone(),
        migration_line: String::new(),
        operator: session.created_by.clone(),
        store,
        session,
        theme: Theme::pick(ThemeName::Dark, false),
        mouse: true,
        job_env: Err("no jobs in this test".into()),
        job_logs_dir: None,
        reopen: None,
        profile,
        data_dir: None,
        lab_dir: None,
        profile_path: None,
        monitor: Default::default(),
    }
}
