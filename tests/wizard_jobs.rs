//! The wizard's job flow end to end on a real lab (SQLite files in a temp dir): from the
//! checklist, run the export, the -WhatIf preview, the import and the verify; each job's
//! result lands as evidence, the items tick themselves, and the session database has it all.
//! Also: the real import refuses to run before a passing preview.

#[path = "common/gates.rs"]
mod gates;

use pchat_migrate::migration::ImportReadiness;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::deployment::Profile;
use pchat_migrate::jobs::{JobEnv, JobKind};
use pchat_migrate::progress::NullReporter;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{ItemState, Store};
use pchat_migrate::tui::app::{App, AppMsg, Overlay, Pending};
use pchat_migrate::tui::theme::{Theme, ThemeName};
use pchat_migrate::tui::{WizardSetup, build_app};
use tokio::sync::mpsc::UnboundedReceiver;

fn key(app: &mut App, code: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Applies worker messages until `done` holds (or fails after a generous timeout).
fn pump_until(
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

struct Lab {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    env: JobEnv,
}

fn lab() -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let lab_dir = dir.path().join("lab");
    pchat_migrate::lab::init(
        &lab_dir,
        &pchat_migrate::lab::LabSpec::default(),
        false,
        &NullReporter::default(),
    )
    .unwrap();
    let env = JobEnv::lab(Profile::lab(), &lab_dir);
    Lab {
        db: dir.path().join("sessions.db"),
        _dir: dir,
        env,
    }
}

fn open_app(lab: &Lab) -> (App, UnboundedReceiver<AppMsg>) {
    let mut store = Store::open(&lab.db).unwrap();
    let session = store
        .open_or_create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let profile = Profile::lab();
    build_app(WizardSetup {
        runbook: Arc::new(Runbook::embedded().unwrap()),
        placeholders: profile.placeholders("lab"),
        deployment_name: profile.name.clone(),
        deployment_kind: "lab".into(),
        migration_line: String::new(),
        store,
        session,
        operator: "alice".into(),
        theme: Theme::pick(ThemeName::Mono, true),
        mouse: false,
        job_env: Ok(lab.env.clone()),
        job_logs_dir: None,
        reopen: None,
        profile: Profile::lab(),
        data_dir: None,
        lab_dir: None,
        profile_path: None,
        monitor: Default::default(),
    })
    .unwrap()
}

fn run_job(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, kind: JobKind) -> String {
    let item = app.runbook.job_item(kind).unwrap().id.clone();
    app.request(Pending::RunJob(item.clone()));
    // Earlier stages are open in this test: the gate asks, we override (recorded).
    if matches!(app.overlay, Some(Overlay::Gate { .. })) {
        key(app, KeyCode::Char('o'));
        pump_until(app, rx, "the override to be recorded", |a| {
            let gate_open = matches!(a.overlay, Some(Overlay::Gate { .. }));
            !gate_open
                && (a.overlay.is_some() || a.pending.contains(&item) || a.jobs.contains_key(&item))
        });
    }
    if let Some(Overlay::Confirm { word, .. }) = &app.overlay {
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

#[test]
fn export_preview_import_verify_from_the_checklist() {
    let lab = lab();
    let (mut app, mut rx) = open_app(&lab);

    // The real import is refused before a passing -WhatIf preview.
    let import_item = app.runbook.job_item(JobKind::Import).unwrap().id.clone();
    gates::pass_gates(&mut app, &["import"]);
    app.request(Pending::RunJob(import_item.clone()));
    assert!(
        matches!(app.overlay, Some(Overlay::Message { .. })),
        "import ran before the preview"
    );
    app.overlay = None;
    gates::clear_gates(&mut app);

    for kind in [
        JobKind::Export,
        JobKind::ImportWhatIf,
        JobKind::Import,
        JobKind::Verify,
    ] {
        if kind == JobKind::Import {
            // The -WhatIf view opened by itself; the import waits for the acknowledgement.
            let Some(Overlay::Preview { preview, .. }) = &app.overlay else {
                panic!("the preview did not open after the -WhatIf run");
            };
            assert!(
                !preview.warnings.is_empty(),
                "the lab is built to raise warnings"
            );
            let evidence_id = preview.evidence_id;
            // The inspector's inventory of the package joins the preview once it is read.
            pump_until(
                &mut app,
                &mut rx,
                "the package inventory",
                |a| matches!(&a.overlay, Some(Overlay::Preview { inventory, .. }) if !inventory.is_empty()),
            );
            if let Some(Overlay::Preview { inventory, .. }) = &app.overlay {
                assert!(inventory[0].contains("rooms"), "{inventory:?}");
                assert!(
                    inventory.iter().any(|l| l.contains("messages")),
                    "{inventory:?}"
                );
            }
            key(&mut app, KeyCode::Esc);
            let item = app.runbook.job_item(JobKind::Import).unwrap().id.clone();
            app.request(Pending::RunJob(item));
            assert!(
                matches!(app.overlay, Some(Overlay::Preview { .. })),
                "the import ran without an acknowledgement"
            );
            key(&mut app, KeyCode::Char('a'));
            pump_until(&mut app, &mut rx, "the acknowledgement", |a| {
                a.migration.import == ImportReadiness::Ready
                    && a.migration.preview.as_ref().map(|p| p.evidence_id) == Some(evidence_id)
            });
            key(&mut app, KeyCode::Esc);
        }
        let item = run_job(&mut app, &mut rx, kind);
        assert_eq!(
            app.state_of(&item),
            ItemState::Done,
            "{kind:?} did not tick its item: {:?}",
            app.finished.get(&item).map(|f| f.summary.clone())
        );
        let ev = &app.evidence_of(&item)[0];
        assert_eq!(ev.evidence.passed, Some(true));
        assert!(
            ev.evidence.source.contains(kind.label()),
            "{}",
            ev.evidence.source
        );
    }
    app.shutdown();
    drop(app);

    // Everything is in the session database: states, evidence, job runs, the audit trail.
    let store = Store::open(&lab.db).unwrap();
    let s = store.session("rehearsal").unwrap().unwrap();
    let rb = Runbook::embedded().unwrap();
    // The states are derived from the recorded evidence, read back from the database alone.
    let m = pchat_migrate::migration::derive(&rb, &store.facts(s.id).unwrap());
    for kind in JobKind::ALL {
        let id = &rb.job_item(kind).unwrap().id;
        let st = m.item(id);
        assert_eq!(st.state, ItemState::Done, "{id}");
        assert_eq!(st.who(), Some("alice"));
    }
    // The export proves item 44 and the verify items 59, 60, 61 and 64.
    for id in [
        "export.file",
        "verify.categories",
        "verify.rooms",
        "verify.addins",
        "verify.message-volumes",
    ] {
        assert_eq!(m.state(id), ItemState::Done, "{id}: {:?}", m.item(id));
    }
    let runs = store.job_runs(s.id).unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "succeeded").count(), 4);
    let audit = store.audit(s.id).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.kind == "downtime-confirmed" && e.item_id.as_deref() == Some("export"))
    );
    assert!(audit.iter().any(|e| e.kind == "gate-override"));
    assert!(audit.iter().any(|e| e.kind == "whatif-acknowledged"));
    store.verify_audit(s.id).unwrap();
}
