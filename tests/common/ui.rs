//! Shared by the screen tests: the wizard on the built-in lab profile with an in-memory
//! session store, a text rendering of a frame, and the snapshot macro with times redacted.
#![allow(dead_code, unused_macros)]

use chrono::{DateTime, Utc};
use pchat_migrate::deployment::Profile;
use pchat_migrate::i18n::Msg;
use pchat_migrate::planner::{self, PlanInputs, Rate, Throughput};
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::app::{App, AppMsg};
use pchat_migrate::tui::{WizardSetup, build_app, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::setup;

/// Snapshot of a rendered screen, with timestamps replaced by `[time]`.
macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?", "[time]")]}, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

/// The wizard on the lab profile, session "rehearsal", operator "alice", no jobs.
pub fn lab_app() -> (App, UnboundedReceiver<AppMsg>) {
    let mut store = Store::open_in_memory().unwrap();
    let session = store
        .create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let profile = Profile::lab();
    build_app(WizardSetup {
        migration_line: setup::LAB_MIGRATION_LINE.into(),
        ..setup::wizard_setup(profile, Runbook::embedded().unwrap(), store, session)
    })
    .unwrap()
}

/// Draws one frame at `w`×`h` (status line cleared) and returns its text, lines trimmed.
pub fn render(app: &mut App, w: u16, h: u16) -> String {
    app.size = (w, h);
    app.status = None;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs `f` on the wizard's store thread with the session id, and waits for its answer.
pub fn query_store<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&mut Store, i64) -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let sid = app.session.id;
    app.submit_store(move |store| {
        let _ = tx.send(f(store, sid));
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the store thread answered")
}

/// A downtime plan with fixed inputs: 1.2 M messages, lab rates recorded for the export,
/// -WhatIf and verify (session "rehearsal"), an entered import rate, starting Saturday
/// 2024-06-01 20:00 UTC.
pub fn rehearsal_plan() -> planner::Plan {
    let start = DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z") // a Saturday
        .unwrap()
        .with_timezone(&Utc);
    let lab = |rate: f64, job: &str| {
        Rate::with_source(
            rate,
            Msg::new("rate-lab")
                .text("session", "rehearsal")
                .num("messages", 20_000)
                .text("seconds", "20.0")
                .msg("job", planner::job_msg(job))
                .text("when", "2024-05-30 10:00 UTC"),
        )
    };
    planner::estimate(&PlanInputs {
        messages: 1_200_000,
        database_mb: 9000.0,
        file_posts: 12,
        throughput: Throughput {
            export: Some(lab(1000.0, "export")),
            import_whatif: Some(lab(800.0, "import-whatif")),
            import: Some(Rate::entered(500.0)),
            verify: Some(lab(2000.0, "verify")),
        },
        starts_at: Some(start),
        ..PlanInputs::default()
    })
    .unwrap()
}
