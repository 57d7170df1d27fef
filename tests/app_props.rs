//! Property test of the wizard's update logic: any sequence of keys, clicks, wheel turns,
//! pastes and resizes keeps the selection in range, never panics, and every frame draws
//! at any terminal size (including below the 80×24 minimum).

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use pchat_migrate::deployment::Profile;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::theme::{Theme, ThemeName};
use pchat_migrate::tui::{WizardSetup, build_app, view};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/setup.rs"]
mod setup;

fn event() -> impl Strategy<Value = Event> {
    let keys = prop::sample::select(vec![
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Backspace,
        KeyCode::Char('/'),
        KeyCode::Char('?'),
        KeyCode::Char('R'),
        KeyCode::Char('t'),
        KeyCode::Char('s'),
        KeyCode::Char('b'),
        KeyCode::Char('n'),
        KeyCode::Char('x'),
        KeyCode::Char('o'),
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('서'),
    ]);
    prop_oneof![
        6 => keys.prop_map(|k| Event::Key(KeyEvent::new(k, KeyModifiers::NONE))),
        1 => (0u16..200, 0u16..60, prop::bool::ANY).prop_map(|(x, y, click)| Event::Mouse(MouseEvent {
            kind: if click { MouseEventKind::Down(MouseButton::Left) } else { MouseEventKind::ScrollDown },
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })),
        1 => "[a-z 서버]{0,12}".prop_map(Event::Paste),
        1 => (20u16..200, 8u16..60).prop_map(|(w, h)| Event::Resize(w, h)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn any_input_keeps_the_wizard_consistent(events in prop::collection::vec(event(), 1..60)) {
        let mut store = Store::open_in_memory().unwrap();
        let session = store.create_session("p", "lab", None, "alice").unwrap();
        let profile = Profile::lab();
        let (mut app, _rx) = build_app(WizardSetup {
            theme: Theme::pick(ThemeName::Light, false),
            ..setup::wizard_setup(profile, Runbook::embedded().unwrap(), store, session)
        }).unwrap();
        for ev in events {
            app.on_event(ev);
            prop_assert!(app.checklist.nav.stage_idx < pchat_migrate::wizard::RunbookNav::stage_count(&app.runbook));
            let n = app.checklist.nav.visible_items(&app.runbook).len();
            prop_assert!(app.checklist.nav.item_idx < n.max(1), "item {} of {}", app.checklist.nav.item_idx, n);
            let (w, h) = app.size;
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| view::draw(f, &app)).unwrap();
        }
        app.shutdown();
    }
}
