//! Key events as a Windows console reports them: every key arrives twice, a press and then a
//! release (crossterm's `KeyEventKind`), and a held key repeats as presses. Only the press
//! may act; otherwise `space` would tick an item and untick it again, and `j` would move two
//! rows.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};
use pchat_migrate::store::ItemState;
use pchat_migrate::tui::app::{App, AppMsg, Focus};
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::{lab_app, render};

fn key(code: KeyCode, kind: KeyEventKind) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind,
        state: KeyEventState::NONE,
    })
}

/// A key as Windows Terminal sends it: press, then release.
fn tap(app: &mut App, code: KeyCode) {
    app.on_event(key(code, KeyEventKind::Press));
    app.on_event(key(code, KeyEventKind::Release));
}

fn settle(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, n: usize) {
    for _ in 0..n {
        let msg = rx.blocking_recv().expect("store thread answered");
        app.on_msg(msg);
    }
}

#[test]
fn press_and_release_act_once() {
    let (mut app, mut rx) = lab_app();
    tap(&mut app, KeyCode::Enter);
    assert_eq!(
        app.checklist.nav.focus,
        Focus::Items,
        "enter opened the checklist once"
    );
    let first = app.checklist.nav.item(&app.runbook).unwrap().id.clone();
    tap(&mut app, KeyCode::Char(' '));
    settle(&mut app, &mut rx, 1);
    assert_eq!(
        app.state_of(&first),
        ItemState::Done,
        "space ticked, and stayed ticked"
    );
    tap(&mut app, KeyCode::Char('j'));
    tap(&mut app, KeyCode::Char('j'));
    assert_eq!(app.checklist.nav.item_idx, 2, "two taps of j move two rows");
    // Nothing else was queued on the store thread (a second toggle would have been).
    assert!(rx.try_recv().is_err());
}

#[test]
fn a_release_alone_changes_nothing_and_draws_nothing() {
    let (mut app, _rx) = lab_app();
    let before = render(&mut app, 80, 24);
    app.dirty = false;
    for code in [
        KeyCode::Char('q'),
        KeyCode::Enter,
        KeyCode::Char('2'),
        KeyCode::Down,
    ] {
        app.on_event(key(code, KeyEventKind::Release));
        app.on_event(key(code, KeyEventKind::Repeat));
    }
    assert!(!app.quit, "a released q does not quit");
    assert!(!app.dirty, "releases do not cause a redraw");
    assert_eq!(render(&mut app, 80, 24), before);
    // The press still works.
    app.on_event(key(KeyCode::Char('q'), KeyEventKind::Press));
    assert!(app.quit);
}
