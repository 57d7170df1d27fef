//! Snapshots of every main screen in Korean at 80×24, drawn by the real view code on
//! ratatui's TestBackend, and on each the check `i18n check` runs: every box's right
//! border holds on every row. Hangul takes two cells, so text cut, padded or wrapped by
//! character count instead of display width shows here as a broken border or a ragged
//! column. The runbook views are the ones whose detail pane lost its border before the
//! wrap fix (stage 1's first item, a troubleshooting symptom with a long cause).
//!
//! One test: the language of the run is global.

use std::time::{Duration, Instant};

use pchat_migrate::deployment::Profile;
use pchat_migrate::i18n;
use pchat_migrate::planner;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::app::{App, AppMsg, Focus};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::language_check::{border_problems, row_text};
use pchat_migrate::tui::screens::Screen;
use pchat_migrate::tui::{WizardSetup, build_app, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/setup.rs"]
mod setup;
#[path = "common/ui.rs"]
mod ui;

const W: u16 = 80;
const H: u16 = 24;

/// The wizard in Korean on the lab profile, session "rehearsal", with a saved plan.
fn korean_app() -> (App, UnboundedReceiver<AppMsg>) {
    i18n::set_language("ko-KR");
    let mut store = Store::open_in_memory().unwrap();
    let session = store
        .create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let plan = ui::rehearsal_plan();
    planner::save(&mut store, session.id, &plan, "alice").unwrap();
    let profile = Profile::lab();
    build_app(WizardSetup {
        ..setup::wizard_setup(
            profile,
            Runbook::embedded_for("ko-KR").unwrap(),
            store,
            session,
        )
    })
    .unwrap()
}

fn pump_until(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, done: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(app) {
        assert!(Instant::now() < deadline, "the workers never answered");
        match rx.try_recv() {
            Ok(msg) => app.on_msg(msg),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// Draws one frame; fails on a broken right border; returns the text, a wide character
/// once (the cell it covers skipped), lines trimmed.
fn draw(app: &mut App, name: &str) -> String {
    app.size = (W, H);
    app.status = None;
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    let buf = term.backend().buffer().clone();
    let broken = border_problems(&buf);
    let text: String = (0..H).map(|y| row_text(&buf, y) + "\n").collect();
    assert!(
        broken.is_empty(),
        "{name}: right border broken on rows {:?}\n{text}",
        broken.iter().map(|b| b.0).collect::<Vec<_>>()
    );
    text
}

#[test]
fn korean_main_screens_at_80x24_keep_their_borders() {
    let (mut app, mut rx) = korean_app();
    let mut shots: Vec<(&str, String)> = Vec::new();

    shots.push(("runbook", draw(&mut app, "runbook")));
    // Stage 1 (build): its first item's guidance wrapped over the detail pane's border.
    app.checklist.nav.stage_idx = app.runbook.stage_index("build").unwrap();
    shots.push(("runbook_build", draw(&mut app, "runbook_build")));
    app.on_action(Action::Enter);
    assert_eq!(app.checklist.nav.focus, Focus::Items);
    app.on_action(Action::Down);
    shots.push(("runbook_build_item", draw(&mut app, "runbook_build_item")));

    app.on_action(Action::GoTo(Screen::Pools));
    shots.push(("pools", draw(&mut app, "pools")));

    app.on_action(Action::GoTo(Screen::Pilot));
    pump_until(&mut app, &mut rx, |a| a.pilot.data.is_some());
    app.on_action(Action::PilotAddProfileUsers);
    pump_until(&mut app, &mut rx, |a| {
        a.pilot
            .data
            .as_ref()
            .is_some_and(|d| !d.results.users.is_empty())
    });
    shots.push(("pilot", draw(&mut app, "pilot")));

    app.on_action(Action::GoTo(Screen::Troubleshoot));
    shots.push(("troubleshoot", draw(&mut app, "troubleshoot")));
    // The fourth symptom's text wrapped over the border.
    for _ in 0..3 {
        app.on_action(Action::Down);
    }
    shots.push(("troubleshoot_4", draw(&mut app, "troubleshoot_4")));

    app.on_action(Action::GoTo(Screen::Window));
    pump_until(&mut app, &mut rx, |a| {
        a.window.loaded && !a.window.loading && a.window.plan.is_some()
    });
    app.window.selected = 2;
    shots.push(("window", draw(&mut app, "window")));

    app.shutdown();
    i18n::set_language("en-US");
    let filters = vec![
        (
            r"\d{4}-\d{2}-\d{2}(\(.\))? \d{2}:\d{2}(:\d{2})?( UTC)?",
            "[time]",
        ),
        (r"\d{2}:\d{2}:\d{2} UTC", "[time]"),
    ];
    for (name, text) in shots {
        insta::with_settings!({filters => filters.clone()}, {
            insta::assert_snapshot!(format!("ko_{name}_80x24"), text);
        });
    }
}
