//! The Window screen in Italian, Spanish and Korean: the plan's basis, where the rates and
//! a step's times come from, and the days of the week come from the messages, not from
//! English in the code. A plan saved before the wording was kept shows its English basis,
//! and the pseudo-localized screen check reports it.
//!
//! One test: the language of the run is global.

use std::time::{Duration, Instant};

use pchat_migrate::i18n;
use pchat_migrate::planner;
use pchat_migrate::tui::app::{App, AppMsg};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::language_check::english_words;
use pchat_migrate::tui::screens::Screen;
use pchat_migrate::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/setup.rs"]
mod setup;
#[path = "common/ui.rs"]
mod ui;
use ui::{lab_app, query_store, rehearsal_plan as plan};

/// The wizard in `lang` with `plan` saved, the first step marked started by alice and
/// finished by bob, on the Window screen.
fn window(lang: &str, plan: planner::Plan) -> (App, UnboundedReceiver<AppMsg>) {
    i18n::set_language(lang);
    let (mut app, mut rx) = lab_app();
    query_store(&app, move |store, sid| {
        planner::save(store, sid, &plan, "alice").unwrap();
        store
            .start_window_step(sid, "stop-services", "alice")
            .unwrap();
        store
            .finish_window_step(sid, "stop-services", "bob")
            .unwrap();
    });
    app.on_action(Action::GoTo(Screen::Window));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(app.window.loaded && !app.window.loading && app.window.plan.is_some()) {
        assert!(Instant::now() < deadline, "the plan never loaded");
        match rx.try_recv() {
            Ok(msg) => app.on_msg(msg),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    (app, rx)
}

fn draw(app: &mut App) -> Buffer {
    app.size = (160, 48);
    app.status = None;
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| view::draw(f, app)).unwrap();
    term.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| pchat_migrate::tui::language_check::row_text(buf, y))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn window_words_come_from_the_messages() {
    let cases = [
        (
            "it-IT",
            "fisso",
            "sab 2024-06-01 20:00 UTC",
            "segnato da alice e bob",
        ),
        (
            "es-ES",
            "fijo",
            "sáb 2024-06-01 20:00 UTC",
            "marcado por alice y bob",
        ),
        (
            "ko-KR",
            "고정",
            "2024-06-01(토) 20:00 UTC",
            "표시: alice, bob",
        ),
    ];
    for (lang, fixed, booked, marked) in cases {
        let (mut app, _rx) = window(lang, plan());
        app.window.selected = 0;
        let screen = text(&draw(&mut app));
        for want in [fixed, booked, marked] {
            assert!(screen.contains(want), "{lang}: no {want:?} on\n{screen}");
        }
        // The verify step: fixed minutes, then the comparison at the lab's rate.
        app.window.selected = 8;
        let screen = text(&draw(&mut app));
        let rate = i18n::tr_in(lang, "rate-job-verify", &[]);
        assert!(screen.contains(&rate), "{lang}: no {rate:?} on\n{screen}");
        for english in [
            "fixed",
            "Sat ",
            "marked by",
            "messages at",
            "lab session",
            "job,",
        ] {
            assert!(
                !screen.contains(english),
                "{lang}: {english:?} on\n{screen}"
            );
        }
        app.shutdown();
    }

    // Pseudo-localized, the check finds English that bypasses the messages: a plan saved
    // before the wording was kept has only its English basis.
    let mut old = plan();
    for s in &mut old.steps {
        s.basis_msg = None;
    }
    i18n::set_pseudo(true);
    let allowed = [
        "alice",
        "bob",
        "rehearsal",
        "UTC",
        "pchat",
        "migrate",
        "Contoso",
        "lab",
    ]
    .map(String::from)
    .into();
    let flagged = |app: &mut App| -> Vec<String> {
        app.window.selected = 0;
        english_words(&draw(app), &allowed)
            .into_iter()
            .flat_map(|(_, words, _)| words)
            .collect()
    };
    let (mut app, _rx) = window("en-US", old);
    let found = flagged(&mut app);
    app.shutdown();
    let (mut app, _rx) = window("en-US", plan());
    let clean = flagged(&mut app);
    app.shutdown();
    i18n::set_pseudo(false);
    i18n::set_language("en-US");
    assert!(found.contains(&"fixed".to_string()), "{found:?}");
    assert!(clean.is_empty(), "English not from a message: {clean:?}");
}
