//! Snapshots of the main screens at 80×24 and 160×48, drawn by the real view code on
//! ratatui's TestBackend from an app built on a real (in-memory) session store.
//! Times are redacted; colours are not part of a text snapshot (see the theme tests).

use pchat_migrate::store::ItemState;
use pchat_migrate::tui::app::{App, AppMsg, Focus, Overlay, Pending};
use pchat_migrate::tui::keymap::Action;
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/gates.rs"]
mod gates;
#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::{lab_app as app, render};

/// Waits for the store thread's answer to every queued write and applies it.
fn settle(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, n: usize) {
    for _ in 0..n {
        let msg = rx.blocking_recv().expect("store thread answered");
        app.on_msg(msg);
    }
}

#[test]
fn main_screen_both_sizes() {
    let (mut app, _rx) = app();
    snap!("main_80x24", render(&mut app, 80, 24));
    snap!("main_160x48", render(&mut app, 160, 48));
}

#[test]
fn checklist_with_states_and_note() {
    let (mut app, mut rx) = app();
    app.on_action(Action::Enter);
    assert_eq!(app.checklist.nav.focus, Focus::Items);
    app.on_action(Action::ToggleDone);
    settle(&mut app, &mut rx, 1);
    app.on_action(Action::Down);
    let id = app.checklist.nav.item(&app.runbook).unwrap().id.clone();
    app.request(Pending::SetState {
        item_id: id.clone(),
        state: ItemState::Skipped,
        reason: Some("single source confirmed by CAB".into()),
    });
    settle(&mut app, &mut rx, 1);
    assert_eq!(app.state_of(&id), ItemState::Skipped);
    snap!("plan_items_80x24", render(&mut app, 80, 24));
    snap!("plan_items_160x48", render(&mut app, 160, 48));
}

#[test]
fn downtime_stage_asks_for_typed_confirmation() {
    let (mut app, mut rx) = app();
    let export = app.runbook.stage_index("export").unwrap();
    app.checklist.nav.stage_idx = export;
    app.on_action(Action::Enter);
    // First the open items of the earlier stages, before any word is typed (issue 10 §3).
    let Some(Overlay::Gate(pchat_migrate::tui::overlays::GateOverlay { open, .. })) = &app.overlay
    else {
        panic!("the downtime word was asked before the open items were shown");
    };
    assert_eq!(open.len(), 44, "every item of stages 0-4 is open");
    app.on_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('o'),
            crossterm::event::KeyModifiers::NONE,
        ),
    ));
    settle(&mut app, &mut rx, 1);
    assert!(matches!(
        app.overlay,
        Some(pchat_migrate::tui::app::Overlay::Confirm(_))
    ));
    assert_eq!(
        app.checklist.nav.focus,
        Focus::Stages,
        "the stage opens only after the confirmation"
    );
    snap!("confirm_80x24", render(&mut app, 80, 24));
}

#[test]
fn working_ahead_warns_with_the_open_stages() {
    let (mut app, _rx) = app();
    let build = app.runbook.stage_index("build").unwrap();
    app.checklist.nav.stage_idx = build;
    app.on_action(Action::Enter);
    app.on_action(Action::ToggleDone);
    assert!(matches!(
        app.overlay,
        Some(pchat_migrate::tui::app::Overlay::Gate(_))
    ));
    snap!("gate_80x24", render(&mut app, 80, 24));
}

#[test]
fn help_overlay_and_too_small() {
    let (mut app, _rx) = app();
    app.on_action(Action::Help);
    snap!("help_160x48", render(&mut app, 160, 48));
    app.overlay = None;
    snap!("too_small_60x20", render(&mut app, 60, 20));
}

#[test]
fn notes_editor() {
    let (mut app, _rx) = app();
    app.on_action(Action::Enter);
    app.on_action(Action::Notes);
    snap!("notes_80x24", render(&mut app, 80, 24));
}

#[test]
fn rollback_stops_applying_once_decommission_begins() {
    let (mut app, mut rx) = app();
    assert!(app.rollback_available());
    let item = app.runbook.stage("decommission").unwrap().items[0]
        .id
        .clone();
    gates::pass_gates(&mut app, &["decommission"]);
    // Uninstalling the legacy pool ends the rollback option: with no verify it asks for a
    // reason, recorded under the operator's name, before it is done.
    app.request(Pending::SetState {
        item_id: item.clone(),
        state: ItemState::Done,
        reason: None,
    });
    assert!(
        matches!(&app.overlay, Some(Overlay::Irreversible(pchat_migrate::tui::overlays::IrreversibleOverlay { why, .. })) if why.contains("no verify")),
        "an irreversible step went through without a verify"
    );
    assert!(app.rollback_available());
    for c in "lab rehearsal, no real pool".chars() {
        app.on_event(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char(c),
                crossterm::event::KeyModifiers::NONE,
            ),
        ));
    }
    app.on_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        ),
    ));
    settle(&mut app, &mut rx, 2);
    assert_eq!(app.state_of(&item), ItemState::Done);
    assert_eq!(
        app.migration
            .irreversible_overrides
            .get(&item)
            .map(String::as_str),
        Some("lab rehearsal, no real pool")
    );
    assert!(!app.rollback_available());
    app.on_action(Action::Rollback);
    assert!(
        app.status.as_ref().is_some_and(|s| s.error),
        "no warning on R after Decommission"
    );
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("past Decommission"), "{screen}");
}

#[test]
fn pools_screen_before_the_first_probe() {
    let (mut app, _rx) = app();
    app.on_action(Action::GoTo(pchat_migrate::tui::screens::Screen::Pools));
    snap!("pools_80x24", render(&mut app, 80, 24));
    snap!("pools_160x48", render(&mut app, 160, 48));
}

/// The confirmation field takes a short word: a huge paste or a stuck key stops at
/// `MAX_CONFIRM_CHARS` instead of growing the field (and every frame) without end.
#[test]
fn the_confirmation_field_is_bounded() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use pchat_migrate::tui::app::{MAX_CONFIRM_CHARS, Overlay};
    let (mut app, mut rx) = app();
    app.checklist.nav.stage_idx = app.runbook.stage_index("export").unwrap();
    app.on_action(Action::Enter);
    // earlier items are open: go on (recorded), then the word is asked
    assert!(matches!(app.overlay, Some(Overlay::Gate(_))));
    app.on_event(Event::Key(KeyEvent::new(
        KeyCode::Char('o'),
        KeyModifiers::NONE,
    )));
    settle(&mut app, &mut rx, 1);
    app.on_event(Event::Paste("EXPORT ".repeat(200_000)));
    for _ in 0..1000 {
        app.on_event(Event::Key(KeyEvent::new(
            KeyCode::Char('x'),
            KeyModifiers::NONE,
        )));
    }
    let Some(Overlay::Confirm(pchat_migrate::tui::overlays::ConfirmOverlay { editor, .. })) =
        &app.overlay
    else {
        panic!("the confirmation is still open");
    };
    let typed: usize = editor.lines().iter().map(|l| l.chars().count()).sum();
    assert_eq!(typed, MAX_CONFIRM_CHARS);
}
