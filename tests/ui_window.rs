//! The downtime window screen on a real lab: a rehearsal (export, -WhatIf, import, verify
//! run headlessly and recorded as the command line records them), then `e` estimates and
//! saves the plan, the table shows it, `s` / `f` mark steps in the store and on screen.
//! Without a rehearsal the screen names the job to run. Snapshots of a plan with fixed
//! inputs at 80×24 and 160×48.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::deployment::Profile;
use pchat_migrate::jobs::{self, JobEnv, JobKind};
use pchat_migrate::planner::{self, PlanInputs, Rate, StepId, Throughput, fmt_duration};
use pchat_migrate::progress::NullReporter;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::app::{App, AppMsg};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::screens::Screen;
use pchat_migrate::tui::theme::{Theme, ThemeName};
use pchat_migrate::tui::{WizardSetup, build_app};
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::render;
#[path = "common/wizard.rs"]
mod wizard;
use wizard::pump_until;

fn key(app: &mut App, c: char) {
    app.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )));
}

/// Runs `f` on the store thread, in order after every write queued before, and returns
/// its answer.
fn query<T: Send + 'static>(app: &App, f: impl FnOnce(&mut Store) -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    app.submit_store(move |store| {
        let _ = tx.send(f(store));
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the store thread answered")
}

/// The screen line that shows a step (its row in the table).
fn row_of(screen: &str, title: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with(&format!("│> {title} ")) || l.starts_with(&format!("│  {title} ")))
        .unwrap_or_else(|| panic!("no row for {title}:\n{screen}"))
        .to_string()
}

struct Lab {
    dir: tempfile::TempDir,
    env: JobEnv,
}

/// A lab under `<tmp>/lab` (the data directory's layout), and a session "rehearsal".
fn lab() -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let lab_dir = pchat_migrate::paths::Paths::in_dir(dir.path()).lab_dir;
    pchat_migrate::lab::init(
        &lab_dir,
        &pchat_migrate::lab::LabSpec::default(),
        false,
        &NullReporter::default(),
    )
    .unwrap();
    let env = JobEnv::lab(Profile::lab(), &lab_dir);
    Lab { dir, env }
}

fn db(lab: &Lab) -> std::path::PathBuf {
    lab.dir.path().join("sessions.db")
}

/// Runs the four jobs headlessly and records each as `pchat-migrate export` (etc.) does:
/// a job run, its evidence (the outcome JSON) and the item's state.
fn rehearse(lab: &Lab) -> u64 {
    let mut store = Store::open(&db(lab)).unwrap();
    let s = store
        .open_or_create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let rb = Runbook::embedded().unwrap();
    let mut exported = 0;
    for kind in JobKind::ALL {
        let item = rb.job_item(kind).unwrap().id.clone();
        let run = store
            .job_started(s.id, &item, kind.key(), None, "alice")
            .unwrap();
        let o = jobs::run(kind, &lab.env, &NullReporter::default())
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(o.passed, "{kind:?}: {}", o.summary);
        if kind == JobKind::Export {
            exported = o.detail["messages"].as_u64().unwrap();
        }
        // Recorded exactly as the wizard and the headless commands record a job.
        jobs::record::JobRecord::of(kind, &Ok(o))
            .save(&mut store, s.id, &item, run.id, "alice")
            .unwrap();
    }
    exported
}

fn setup(store: Store, data_dir: Option<std::path::PathBuf>, env: Option<JobEnv>) -> WizardSetup {
    let mut store = store;
    let session = store
        .open_or_create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let profile = Profile::lab();
    WizardSetup {
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
        job_env: env.ok_or_else(|| "no jobs here".to_string()),
        job_logs_dir: None,
        reopen: None,
        profile,
        data_dir,
        lab_dir: None,
        profile_path: None,
        monitor: Default::default(),
    }
}

fn open_window(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>) {
    app.on_action(Action::GoTo(Screen::Window));
    assert_eq!(app.screen, Screen::Window);
    pump_until(app, rx, "the plan to load", |a| {
        a.window.loaded && !a.window.loading
    });
}

#[test]
fn rehearsal_then_estimate_save_and_mark_steps() {
    let lab = lab();
    let exported = rehearse(&lab);
    assert!(exported > 0);
    let (mut app, mut rx) = build_app(setup(
        Store::open(&db(&lab)).unwrap(),
        Some(lab.dir.path().to_path_buf()),
        Some(lab.env.clone()),
    ))
    .unwrap();
    let sid = app.session.id;
    open_window(&mut app, &mut rx);
    assert!(app.window.plan.is_none(), "no plan before e");
    let before = render(&mut app, 160, 48);
    assert!(before.contains("not estimated yet"), "{before}");

    // e: size from the export evidence, rates from the rehearsal, plan saved.
    key(&mut app, 'e');
    pump_until(&mut app, &mut rx, "the plan", |a| {
        !a.window.estimating && (a.window.plan.is_some() || a.window.problem.is_some())
    });
    assert_eq!(app.window.problem, None);
    let plan = app.window.plan.clone().expect("a plan");
    assert_eq!(plan.inputs.messages, exported, "the size is the export's");
    let t = &plan.inputs.throughput;
    for (name, r) in [
        ("export", &t.export),
        ("import-whatif", &t.import_whatif),
        ("import", &t.import),
        ("verify", &t.verify),
    ] {
        let r = r.as_ref().unwrap_or_else(|| panic!("no {name} rate"));
        assert!(r.messages_per_s > 0.0, "{name}");
        assert!(
            r.source.contains("lab session \"rehearsal\""),
            "{}",
            r.source
        );
    }
    assert!(plan.inputs.database_mb > 0.0, "the lab database's size");
    let stored = query(&app, move |s| {
        (
            planner::load(s, sid).unwrap(),
            s.audit(sid).unwrap().iter().any(|e| e.kind == "plan-saved"),
        )
    });
    assert_eq!(
        stored.0.as_ref(),
        Some(&plan),
        "the plan on screen is the saved one"
    );
    assert!(stored.1, "plan-saved audit event");

    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains(&format!("book {}", fmt_duration(plan.window_s))),
        "{screen}"
    );
    let export = plan.step(StepId::Export).unwrap();
    let row = row_of(&screen, "Export");
    assert!(row.contains(&fmt_duration(export.planned_s)), "{row}");
    assert!(
        row.contains(&format!("+{}", fmt_duration(export.offset_s))),
        "{row}"
    );
    assert!(row.contains("done"), "the rehearsal's run counts: {row}");
    assert!(row.contains("msg/s"), "the basis: {row}");
    assert!(row_of(&screen, "Stop services").contains("not started"));
    // The rehearsal's runs are this session's first actuals: the window counts from them.
    assert!(screen.contains("Started "), "{screen}");
    // 80 columns: the same table without the basis column.
    let narrow = render(&mut app, 80, 24);
    let row = row_of(&narrow, "Export");
    assert!(row.contains(&fmt_duration(export.planned_s)), "{narrow}");
    assert!(!row.contains("msg/s"), "{narrow}");

    // f before s is refused, and nothing is written.
    app.on_action(Action::Top);
    assert_eq!(app.window.selected, 0);
    key(&mut app, 'f');
    pump_until(&mut app, &mut rx, "the refusal", |a| {
        a.status.as_ref().is_some_and(|s| s.error)
    });
    assert!(
        app.status.as_ref().unwrap().text.contains("NOT recorded"),
        "{:?}",
        app.status
    );
    assert!(query(&app, move |s| s.window_steps(sid).unwrap()).is_empty());

    // s: the first step starts; the export that already ran keeps its times (a mark moves
    // only its own step).
    key(&mut app, 's');
    pump_until(&mut app, &mut rx, "the start", |a| {
        a.facts
            .window_steps
            .iter()
            .any(|x| x.step == "stop-services")
    });
    let steps = query(&app, move |s| s.window_steps(sid).unwrap());
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].step, "stop-services");
    assert_eq!(steps[0].started_by, "alice");
    assert!(steps[0].finished_at.is_none());
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text == "Stop services started (recorded)")
    );
    let screen = render(&mut app, 160, 48);
    assert!(
        row_of(&screen, "Stop services").contains("on time"),
        "{screen}"
    );
    assert!(
        !row_of(&screen, "Export").contains("not started"),
        "a finished export must not be reset by a later mark: {screen}"
    );
    assert!(screen.contains("within the window"), "{screen}");
    assert!(screen.contains("Actual: marked by alice"), "{screen}");
    assert!(app.animating(), "a running step keeps the clock ticking");

    // f: finished, in the store and on screen.
    key(&mut app, 'f');
    pump_until(&mut app, &mut rx, "the finish", |a| {
        a.facts
            .window_steps
            .iter()
            .any(|x| x.step == "stop-services" && x.finished_at.is_some())
    });
    let steps = query(&app, move |s| {
        (
            s.window_steps(sid).unwrap(),
            s.audit(sid)
                .unwrap()
                .iter()
                .filter(|e| e.kind.starts_with("window-step-"))
                .count(),
        )
    });
    assert!(steps.0[0].finished_at.is_some());
    assert_eq!(steps.0[0].finished_by.as_deref(), Some("alice"));
    assert_eq!(steps.1, 2, "started and finished are in the audit trail");
    let screen = render(&mut app, 80, 24);
    assert!(
        row_of(&screen, "Stop services").contains("done"),
        "{screen}"
    );
    assert!(!app.animating());

    // The next step, chosen with ↓.
    app.on_action(Action::Down);
    key(&mut app, 's');
    pump_until(&mut app, &mut rx, "the backups start", |a| {
        a.facts.window_steps.iter().any(|x| x.step == "backups")
    });
    let screen = render(&mut app, 80, 24);
    assert!(
        row_of(&screen, "Final backups").contains("on time"),
        "{screen}"
    );

    // Another writer (the command line) marks a step: the tick reloads while a step runs.
    query(&app, move |s| {
        s.start_window_step(sid, "export", "bob").unwrap()
    });
    app.on_tick();
    assert!(!app.window.loading, "no reload before the refresh interval");
    app.window.refreshed = None;
    app.on_tick();
    assert!(app.window.loading, "a stale view reloads on the tick");
    pump_until(&mut app, &mut rx, "the reload", |a| {
        a.facts
            .window_steps
            .iter()
            .any(|x| x.step == "export" && x.started_by == "bob")
    });
    // bob's mark replaces the job run as the export step's times: it runs again.
    let screen = render(&mut app, 160, 48);
    assert!(row_of(&screen, "Export").contains("on time"), "{screen}");
    app.shutdown();
}

#[test]
fn without_a_rehearsal_the_screen_names_the_job_to_run() {
    let lab = lab();
    let (mut app, mut rx) = build_app(setup(
        Store::open(&db(&lab)).unwrap(),
        Some(lab.dir.path().to_path_buf()),
        Some(lab.env.clone()),
    ))
    .unwrap();
    let sid = app.session.id;
    open_window(&mut app, &mut rx);
    key(&mut app, 'e');
    pump_until(&mut app, &mut rx, "the estimate", |a| {
        !a.window.estimating && (a.window.plan.is_some() || a.window.problem.is_some())
    });
    assert!(app.window.plan.is_none());
    let problem = app.window.problem.clone().unwrap();
    assert!(problem.contains("pchat-migrate export"), "{problem}");
    assert!(
        app.window
            .size_note
            .as_deref()
            .is_some_and(|n| n.contains("20000 messages (366 file posts) counted")),
        "the lab's legacy database was counted: {:?}",
        app.window.size_note
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("No Export rate: rehearse it in the lab (pchat-migrate export)"),
        "{screen}"
    );
    assert!(screen.contains("not measured"), "{screen}");
    assert_eq!(query(&app, move |s| planner::load(s, sid).unwrap()), None);
    app.shutdown();
}

fn fixed_plan() -> planner::Plan {
    let start = DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let lab = |rate: f64, what: &str| Rate {
        messages_per_s: rate,
        source: format!("lab session \"rehearsal\": {what}"),
        source_msg: None,
    };
    planner::estimate(&PlanInputs {
        messages: 1_200_000,
        database_mb: 9000.0,
        file_store_mb: 30_000.0,
        throughput: Throughput {
            export: Some(lab(1000.0, "20000 messages in 20.0 s")),
            import_whatif: Some(lab(800.0, "20000 messages in 25.0 s")),
            import: Some(Rate::entered(500.0)),
            verify: Some(lab(2000.0, "20000 messages in 10.0 s")),
        },
        starts_at: Some(start),
        ..PlanInputs::default()
    })
    .unwrap()
}

#[test]
fn window_plan_snapshots() {
    let mut store = Store::open_in_memory().unwrap();
    let s = store
        .create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let plan = fixed_plan();
    planner::save(&mut store, s.id, &plan, "alice").unwrap();
    let (mut app, mut rx) = build_app(setup(store, None, None)).unwrap();
    open_window(&mut app, &mut rx);
    assert_eq!(app.window.plan.as_ref(), Some(&plan));
    // Select the export, whose basis shows below the table.
    app.on_action(Action::Down);
    app.on_action(Action::Down);
    let small = render(&mut app, 80, 24);
    assert!(small.contains("Sat 2024-06-01 20:00 UTC"), "{small}");
    let filters = vec![
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?", "[time]"),
        (r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \[time\]", "[time]"),
    ];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("window_plan_80x24", small);
        insta::assert_snapshot!("window_plan_160x48", render(&mut app, 160, 48));
    });
    app.shutdown();
}
