//! Shared by the wizard job tests: a real lab in a temp dir, the wizard on it with the
//! session in a real SQLite file, keys, and pumping worker messages until a condition holds.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::deployment::Profile;
use pchat_migrate::jobs::{JobEnv, JobKind};
use pchat_migrate::lab::LabSpec;
use pchat_migrate::progress::NullReporter;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::app::{App, AppMsg, Overlay, Pending};
use pchat_migrate::tui::theme::{Theme, ThemeName};
use pchat_migrate::tui::{WizardSetup, build_app};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::setup;

pub fn key(app: &mut App, code: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Applies worker messages until `done` holds (or fails after a generous timeout).
pub fn pump_until(
    app: &mut App,
    rx: &mut UnboundedReceiver<AppMsg>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !done(app) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}; status: {:?}",
            app.status.as_ref().map(|s| s.text.clone())
        );
        match rx.try_recv() {
            Ok(msg) => app.on_msg(msg),
            Err(_) => {
                app.on_tick();
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

pub struct Lab {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub env: JobEnv,
}

pub fn lab() -> Lab {
    lab_with(&LabSpec::default())
}

/// A lab built to `spec`.
pub fn lab_with(spec: &LabSpec) -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let lab_dir = dir.path().join("lab");
    pchat_migrate::lab::init(&lab_dir, spec, false, &NullReporter::default()).unwrap();
    let env = JobEnv::lab(Profile::lab(), &lab_dir);
    Lab {
        db: dir.path().join("sessions.db"),
        _dir: dir,
        env,
    }
}

pub fn open_app(lab: &Lab) -> (App, UnboundedReceiver<AppMsg>) {
    let mut store = Store::open(&lab.db).unwrap();
    let session = store
        .open_or_create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let profile = Profile::lab();
    build_app(WizardSetup {
        placeholders: profile.placeholders("lab"),
        theme: Theme::pick(ThemeName::Mono, true),
        mouse: false,
        job_env: Ok(lab.env.clone()),
        ..setup::wizard_setup(profile, Runbook::embedded().unwrap(), store, session)
    })
    .unwrap()
}

pub fn run_job(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, kind: JobKind) -> String {
    let item = app.runbook.job_item(kind).unwrap().id.clone();
    app.request(Pending::RunJob(item.clone()));
    // Earlier stages are open in this test: the gate asks, we override (recorded).
    if matches!(app.overlay, Some(Overlay::Gate(_))) {
        key(app, KeyCode::Char('o'));
        pump_until(app, rx, "the override to be recorded", |a| {
            let gate_open = matches!(a.overlay, Some(Overlay::Gate(_)));
            !gate_open
                && (a.overlay.is_some() || a.pending.contains(&item) || a.jobs.contains_key(&item))
        });
    }
    if let Some(Overlay::Confirm(pchat_migrate::tui::overlays::ConfirmOverlay { word, .. })) =
        &app.overlay
    {
        let word = word.clone();
        type_str(app, &word);
        key(app, KeyCode::Enter);
    }
    pump_until(app, rx, "the job to start", |a| {
        a.jobs.contains_key(&item) || a.finished.contains_key(&item)
    });
    pump_until(app, rx, "the job to finish and be recorded", |a| {
        a.finished.contains_key(&item) && !a.pending.contains(&item)
    });
    item
}
