//! Every screen in every language at 80×24 and 160×48: no message is missing (no raw
//! message id on screen), the tab titles fit at 160 columns, and in Korean the terminal
//! cursor sits where the input method composes (after the last typed syllable, two cells
//! each).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::deployment::Profile;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::Store;
use pchat_migrate::tui::app::App;
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::screens::Screen;
use pchat_migrate::tui::{WizardSetup, build_app, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "common/setup.rs"]
mod setup;

/// Puts the wizard into the state a screen shows.
type Setup = Box<dyn Fn(&mut App)>;

const LANGS: [&str; 4] = ["en-US", "it-IT", "es-ES", "ko-KR"];

fn app(lang: &str) -> App {
    pchat_migrate::i18n::set_language(lang);
    let mut store = Store::open_in_memory().unwrap();
    let session = store.create_session("s", "lab", None, "alice").unwrap();
    let profile = Profile::lab();
    build_app(WizardSetup {
        ..setup::wizard_setup(
            profile,
            Runbook::embedded_for(lang).unwrap(),
            store,
            session,
        )
    })
    .unwrap()
    .0
}

fn render(app: &mut App, w: u16, h: u16) -> (String, Option<(u16, u16)>) {
    app.size = (w, h);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    let b = term.backend();
    let cursor = b
        .cursor_visible()
        .then(|| (b.cursor_position().x, b.cursor_position().y));
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            // A wide character covers the next cell too: skip what it hides.
            x += u16::try_from(unicode_width::UnicodeWidthStr::width(sym).max(1)).unwrap_or(1);
        }
        out.push('\n');
    }
    (out, cursor)
}

/// Message ids with a dash: these never occur in real text, so seeing one means a lookup
/// fell through.
fn ids() -> Vec<String> {
    let ftl = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/locales/en-US/main.ftl"
    ))
    .unwrap();
    pchat_migrate::i18n::message_ids(&ftl)
        .into_iter()
        .filter(|id| id.contains('-'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_screen_in_every_language_has_all_its_text() {
    let ids = ids();
    let mut problems = Vec::new();
    for lang in LANGS {
        let states: Vec<(&str, Setup)> = vec![
            ("stages", Box::new(|_| {})),
            ("items", Box::new(|a| a.on_action(Action::Enter))),
            (
                "detail",
                Box::new(|a| {
                    a.on_action(Action::Enter);
                    a.on_action(Action::Enter);
                }),
            ),
            ("help", Box::new(|a| a.on_action(Action::Help))),
            (
                "confirm",
                Box::new(|a| {
                    a.checklist.nav.stage_idx = a.runbook.stage_index("export").unwrap();
                    a.on_action(Action::Enter);
                }),
            ),
            (
                "gate",
                Box::new(|a| {
                    a.checklist.nav.stage_idx = a.runbook.stage_index("build").unwrap();
                    a.on_action(Action::Enter);
                    a.on_action(Action::ToggleDone);
                }),
            ),
            (
                "notes",
                Box::new(|a| {
                    a.on_action(Action::Enter);
                    a.on_action(Action::Notes);
                }),
            ),
            ("rollback", Box::new(|a| a.on_action(Action::Rollback))),
            (
                "pools",
                Box::new(|a| a.on_action(Action::GoTo(Screen::Pools))),
            ),
            (
                "pilot",
                Box::new(|a| a.on_action(Action::GoTo(Screen::Pilot))),
            ),
            (
                "troubleshoot",
                Box::new(|a| a.on_action(Action::GoTo(Screen::Troubleshoot))),
            ),
            (
                "window",
                Box::new(|a| a.on_action(Action::GoTo(Screen::Window))),
            ),
        ];
        for (name, setup) in &states {
            for (w, h) in [(80, 24), (160, 48)] {
                let mut a = app(lang);
                setup(&mut a);
                let (screen, _) = render(&mut a, w, h);
                for id in &ids {
                    if screen.contains(id.as_str()) {
                        problems.push(format!("{lang} {name} {w}x{h}: raw message id {id}"));
                    }
                }
                if w == 160 && name == &"stages" {
                    let header = screen.lines().next().unwrap_or_default().to_string();
                    for s in Screen::ALL {
                        if !header.contains(&s.title()) {
                            problems.push(format!(
                                "{lang}: tab {} missing from the header: {header}",
                                s.title()
                            ));
                        }
                    }
                }
                a.shutdown();
            }
        }
    }
    pchat_migrate::i18n::set_language("en-US");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn korean_input_puts_the_cursor_after_the_composed_text() {
    let mut a = app("ko-KR");
    a.on_action(Action::Enter);
    a.on_action(Action::Notes);
    let (_, before) = render(&mut a, 80, 24);
    let (x0, y0) = before.expect("the notes editor places the terminal cursor");
    for c in "서버".chars() {
        a.on_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let (screen, after) = render(&mut a, 80, 24);
    let (x1, y1) = after.expect("cursor still placed");
    assert_eq!(y1, y0);
    assert_eq!(
        x1,
        x0 + 4,
        "two Hangul syllables take four cells:\n{screen}"
    );
    pchat_migrate::i18n::set_language("en-US");
    a.shutdown();
}
