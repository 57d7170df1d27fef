//! Issue 11, the keys and views a user reads: `?` on every screen shows that screen's keys
//! (and scrolls), the footer fits 120 columns, and the `-WhatIf` preview reads by group with
//! every finding code the import can raise. Frames come from the real view code on ratatui's
//! TestBackend, over an in-memory session store; times are redacted.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::chatdata::preflight::{codes as code, severity};
use pchat_migrate::migration::{Preview, PreviewCounts, PreviewWarning};
use pchat_migrate::tui::app::{App, Overlay};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::overlays::PreviewOverlay;
use pchat_migrate::tui::screens::Screen;

#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::{lab_app, render};

fn press(app: &mut App, code: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Each screen's `?` lists its own section and none of another screen's.
#[test]
fn help_shows_the_keys_of_the_screen_it_was_opened_on() {
    let sections = [
        (Screen::Runbook, "Checklist and detail"),
        (Screen::Pools, "Pools and coexistence"),
        (Screen::Pilot, "Pilot"),
        (Screen::Troubleshoot, "Troubleshooting"),
        (Screen::Window, "Downtime window"),
    ];
    for (screen, title) in sections {
        let (mut app, _rx) = lab_app();
        app.on_action(Action::GoTo(screen));
        app.on_action(Action::Help);
        assert!(matches!(app.overlay, Some(Overlay::Help(_))));
        let frame = render(&mut app, 100, 40);
        assert!(frame.contains(title), "{screen:?}: {frame}");
        assert!(frame.contains("Everywhere"), "{screen:?}: {frame}");
        for (other, other_title) in sections {
            if other != screen && other_title != "Pilot" {
                assert!(
                    !frame.contains(other_title),
                    "{screen:?} shows {other_title}"
                );
            }
        }
        snap!(format!("help_{}_100x40", screen.key()), frame);
    }
}

/// The runbook's help is longer than 24 rows: it scrolls, says where it is, and `G` lands on
/// the last page (not past it).
#[test]
fn help_scrolls_with_an_indicator_and_stops_at_the_end() {
    let (mut app, _rx) = lab_app();
    app.on_action(Action::Help);
    let top = render(&mut app, 80, 24);
    assert!(top.contains("lines 1–"), "{top}");
    press(&mut app, KeyCode::Char('G'));
    let end = render(&mut app, 80, 24);
    assert!(end.contains("Stage list: x all done"), "{end}");
    let Some(Overlay::Help(h)) = &app.overlay else {
        panic!("help closed");
    };
    let last = h.scroll.top;
    // Past the end there is nothing: j does not move, k does.
    press(&mut app, KeyCode::Char('j'));
    render(&mut app, 80, 24);
    let Some(Overlay::Help(h)) = &app.overlay else {
        panic!("help closed");
    };
    assert_eq!(h.scroll.top, last);
    press(&mut app, KeyCode::Char('k'));
    let Some(Overlay::Help(h)) = &app.overlay else {
        panic!("help closed");
    };
    assert_eq!(h.scroll.top, last - 1);
    snap!("help_runbook_end_80x24", end);
    // Any other key keeps it open; esc closes it.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.overlay.is_some());
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

/// At 120 columns every screen's footer fits, and still offers q and ?.
#[test]
fn the_footer_fits_120_columns_on_every_screen() {
    for screen in Screen::ALL {
        let (mut app, _rx) = lab_app();
        app.on_action(Action::GoTo(screen));
        let frame = render(&mut app, 120, 40);
        let footer = frame.lines().last().unwrap_or_default();
        assert!(
            unicode_width::UnicodeWidthStr::width(footer) <= 120,
            "{screen:?}: {footer}"
        );
        assert!(
            footer.contains("q quit") && footer.contains("? all keys"),
            "{screen:?}: {footer}"
        );
    }
}

/// Every finding code the import can raise, several findings for some: the shape of a large
/// lab's preview (the lab itself raises nine of the codes; the others are added here as the
/// import would report them).
fn every_code_preview() -> Preview {
    let codes = [
        (code::NAME_TOO_LONG, severity::ERROR, 2),
        (code::CATEGORY_REFUSED, severity::ERROR, 1),
        (code::FLATTENED_CATEGORY, severity::WARNING, 9),
        (code::ROOT_MANAGER, severity::WARNING, 2),
        (code::INVITE_FORCED_OFF, severity::WARNING, 1),
        (code::FEDERATED_PRINCIPAL, severity::WARNING, 4),
        (code::FILE_POSTS, severity::WARNING, 47),
        (code::OVERWRITE, severity::WARNING, 1),
        (code::DUPLICATE_NAME, severity::WARNING, 2),
        (code::ROOM_WITHOUT_CATEGORY, severity::WARNING, 1),
        (code::CATEGORY_NOT_EXPORTED, severity::WARNING, 1),
        (code::ROOM_HISTORY_SETTING, severity::WARNING, 4),
        (code::ROOM_FILE_POST_SETTING, severity::WARNING, 6),
        (code::VOICED_IN_NORMAL_ROOM, severity::WARNING, 3),
        (code::CREATOR_ON_ROOM, severity::WARNING, 2),
        (code::PRINCIPAL_UNKNOWN, severity::WARNING, 1),
        (code::ADDIN_MISSING, severity::WARNING, 1),
        (code::PRINCIPAL_WITHOUT_GUID, severity::WARNING, 1),
        (code::PRINCIPAL_NOT_PROVISIONED, severity::WARNING, 3),
        (code::ROOM_NOT_ON_TARGET, severity::WARNING, 1),
        (code::OTHER_POOL, severity::WARNING, 1),
        (code::TOPIC_DROPPED, severity::INFO, 1),
    ];
    let mut warnings = Vec::new();
    for (c, sev, n) in codes {
        for i in 0..n {
            warnings.push(PreviewWarning {
                code: c.to_string(),
                severity: sev.to_string(),
                item: format!("Room {i:02} of {c}"),
                message: format!("what {c} means for this room, and what to do about it"),
            });
        }
    }
    let count = |s: &str| warnings.iter().filter(|w| w.severity == s).count();
    Preview {
        evidence_id: 7,
        at: chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .to_utc(),
        completed: true,
        summary: "-WhatIf: 20 categories, 200 rooms would be imported".into(),
        counts: PreviewCounts {
            errors: count(severity::ERROR),
            warnings: count(severity::WARNING),
            notes: count(severity::INFO),
        },
        digest: "d".into(),
        stale: None,
        warnings,
    }
}

#[test]
fn the_preview_reads_by_group_folds_filters_and_stops_at_its_last_row() {
    let (mut app, _rx) = lab_app();
    let preview = every_code_preview();
    let groups = preview.groups();
    assert_eq!(groups.len(), 22, "one group per code");
    assert_eq!(groups[0].severity, "error", "errors first");
    assert_eq!(
        groups[2].code,
        code::FILE_POSTS,
        "then the largest warning group"
    );
    assert_eq!(groups.last().unwrap().severity, "info", "notes last");
    app.overlay = Some(PreviewOverlay::overlay(preview));

    // Errors open, the rest folded with their counts.
    let first = render(&mut app, 120, 40);
    assert!(first.contains("▾ error   name-too-long  (2)"), "{first}");
    assert!(first.contains("▸ warning file-posts  (47)"), "{first}");
    snap!("preview_grouped_120x40", first.clone());

    // G goes to the last row and no further; pgdn past it changes nothing.
    press(&mut app, KeyCode::Char('G'));
    let at_end = render(&mut app, 120, 40);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(
        render(&mut app, 120, 40),
        at_end,
        "no scrolling past the end"
    );
    assert!(at_end.contains("topic-dropped"), "{at_end}");

    // Back to the top, jump to the file-posts group and open it: its rooms show.
    press(&mut app, KeyCode::Char('g'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Char(']'));
    }
    press(&mut app, KeyCode::Enter);
    let opened = render(&mut app, 120, 40);
    assert!(opened.contains("▾ warning file-posts  (47)"), "{opened}");
    assert!(opened.contains("Room 00 of file-posts"), "{opened}");

    // A filter keeps the matching findings, with the count of each group kept.
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, "principal");
    press(&mut app, KeyCode::Enter);
    let filtered = render(&mut app, 120, 40);
    assert!(filtered.contains("principal-unknown"), "{filtered}");
    assert!(!filtered.contains("file-posts  ("), "{filtered}");
    snap!("preview_filtered_120x40", filtered);
    // Esc clears the filter first, then closes.
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_some());
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

/// The preview is drawn over a cleared area: nothing of the detail pane shows at its edges.
#[test]
fn overlays_clear_what_is_under_them() {
    let (mut app, _rx) = lab_app();
    app.on_action(Action::FocusNext);
    let under = render(&mut app, 160, 48);
    app.overlay = Some(PreviewOverlay::overlay(every_code_preview()));
    let over = render(&mut app, 160, 48);
    // The preview spans columns 25..135 of 160; the detail text under it must not show
    // between its borders.
    for line in over.lines().skip(2).take(40) {
        let inside: String = line.chars().skip(26).take(108).collect();
        for word in ["Proof", "Guidance", "Source:"] {
            assert!(!inside.contains(word), "{word} shows through: {line}");
        }
    }
    assert_ne!(under, over);
}
