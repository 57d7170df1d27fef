//! The pilot screen driven by its keys on a real (in-memory) session store: users from the
//! profile, pass / fail (with the note typed in the input) / n.a., a CSV import, what the
//! store holds afterwards, what the screen shows, and the coexistence evidence it attaches.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::pilot::{
    ITEM_LEGACY_CLIENT, ITEM_PILOT_POLICY, ITEM_TEST_ROOM, PilotCase, PilotOutcome, PilotResults,
};
use pchat_migrate::store::{EvidenceRecord, ItemState};
use pchat_migrate::tui::app::{App, AppMsg, InputPurpose, Overlay};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::screens::{Screen, pilot};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::mpsc::error::TryRecvError;

#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::{lab_app as app, render};

/// Waits for `n` answers from the store thread (or the CSV reader) and applies them; a
/// missing answer fails the test instead of hanging it.
fn settle(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    for i in 0..n {
        let msg = loop {
            match rx.try_recv() {
                Ok(msg) => break msg,
                Err(TryRecvError::Empty) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("answer {} of {n} never came: {e:?}", i + 1),
            }
        };
        app.on_msg(msg);
    }
}

/// Opens the pilot screen and waits for the store's answer.
fn open_pilot(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>) {
    app.on_action(Action::GoTo(Screen::Pilot));
    settle(app, rx, 1);
    assert!(app.pilot.data.is_some(), "the pilot was loaded");
}

fn key(app: &mut App, c: char) {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    app.on_event(Event::Key(KeyEvent::new(KeyCode::Char(c), mods)));
}

fn code(app: &mut App, c: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(c, KeyModifiers::NONE)));
}

fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Reads the store on its own thread (in order after every queued write).
fn stored(app: &App) -> PilotResults {
    let (tx, rx) = std::sync::mpsc::channel();
    let sid = app.session.id;
    app.submit_store(move |s| {
        let _ = tx.send(s.pilot_results(sid).unwrap());
    });
    rx.recv().unwrap()
}

fn stored_evidence(app: &App, item: &'static str) -> Vec<EvidenceRecord> {
    let (tx, rx) = std::sync::mpsc::channel();
    let sid = app.session.id;
    app.submit_store(move |s| {
        let _ = tx.send(s.evidence(sid, item).unwrap());
    });
    rx.recv().unwrap()
}

fn status(app: &App) -> (String, bool) {
    let s = app.status.as_ref().expect("a status line");
    (s.text.clone(), s.error)
}

fn outcome(r: &PilotResults, sip: &str, case: PilotCase) -> (PilotOutcome, Option<String>) {
    let rec = r.get(sip, case).unwrap();
    (rec.result, rec.note.clone())
}

const P1: &str = "sip:pilot01@contoso.lab";
const P2: &str = "sip:pilot02@contoso.lab";

/// Adds the profile's users with `A` and marks: pilot01 signs in (pass), pilot01 sees rooms
/// (fail, note typed in the input), pilot01 joins a room and posts (pass), pilot02 history
/// (n/a).
fn scripted(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>) {
    open_pilot(app, rx);
    key(app, 'A');
    settle(app, rx, 1);
    let (text, error) = status(app);
    assert!(!error, "{text}");
    assert!(text.contains("4 added"), "{text}");
    assert!(
        text.contains("3 left out") && text.contains("legacy01"),
        "the users left out are named: {text}"
    );

    // pilot01 · Signs in: pass.
    key(app, 'p');
    assert!(
        render(app, 80, 24).contains('…'),
        "the cell shows saving until the store answers"
    );
    settle(app, rx, 1);

    // pilot01 · Sees rooms: fail with a note typed into the input.
    code(app, KeyCode::Right);
    key(app, 'f');
    match &app.overlay {
        Some(Overlay::Input(pchat_migrate::tui::overlays::InputOverlay {
            purpose: InputPurpose::PilotFailNote { sip, case },
            ..
        })) => {
            assert_eq!(sip, P1);
            assert_eq!(case, "sees-rooms");
        }
        _ => panic!("f asks for the note"),
    }
    type_text(app, "no rooms listed after sign-in");
    code(app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    settle(app, rx, 1);

    // pilot01 · Joins a room, Posts: pass.
    code(app, KeyCode::Right);
    key(app, 'p');
    settle(app, rx, 1);
    code(app, KeyCode::Right);
    key(app, 'p');
    settle(app, rx, 1);

    // pilot02 · Sees history: n/a.
    code(app, KeyCode::Down);
    code(app, KeyCode::Right);
    key(app, 'a');
    settle(app, rx, 1);
    // Back to the failed cell, so the detail shows the note.
    code(app, KeyCode::Up);
    for _ in 0..3 {
        code(app, KeyCode::Left);
    }
}

#[test]
fn keys_record_results_in_the_store_and_on_screen() {
    let (mut app, mut rx) = app();
    scripted(&mut app, &mut rx);

    let r = stored(&app);
    assert_eq!(r.users.len(), 4, "pilot01, pilot02, pilot03 and sfb01");
    assert_eq!(outcome(&r, P1, PilotCase::SignIn).0, PilotOutcome::Pass);
    assert_eq!(
        outcome(&r, P1, PilotCase::SeesRooms),
        (
            PilotOutcome::Fail,
            Some("no rooms listed after sign-in".into())
        )
    );
    assert_eq!(outcome(&r, P1, PilotCase::JoinsRoom).0, PilotOutcome::Pass);
    assert_eq!(outcome(&r, P1, PilotCase::Posts).0, PilotOutcome::Pass);
    assert_eq!(
        outcome(&r, P2, PilotCase::History).0,
        PilotOutcome::NotApplicable
    );
    let rec = r.get(P2, PilotCase::History).unwrap();
    assert_eq!(rec.who.as_deref(), Some("alice"), "recorded, not automatic");
    // The screen shows what the store has.
    assert_eq!(app.pilot.data.as_ref().unwrap().results, r);

    let wide = render(&mut app, 160, 48);
    assert!(wide.contains("FAIL"), "{wide}");
    assert!(wide.contains("no rooms listed after sign-in"), "{wide}");
    assert!(wide.contains("Recorded by alice"), "{wide}");
    assert!(
        wide.contains("Legacy endpoint"),
        "full titles at 160: {wide}"
    );
    let narrow = render(&mut app, 80, 24);
    assert!(narrow.contains("Legacy"), "{narrow}");
    assert!(
        !narrow.contains("Legacy endpoint"),
        "abbreviated headers at 80: {narrow}"
    );
    assert!(narrow.contains("[FAIL]"), "{narrow}");
    // Passed against what applies, failures apart: n/a and FAIL are not "done" (issue 10 §7).
    let row = narrow.lines().find(|l| l.contains("pilot01")).unwrap();
    assert!(row.contains("3/5 1✗"), "{row}");

    snap!("pilot_80x24", render(&mut app, 80, 24));
    snap!("pilot_160x48", render(&mut app, 160, 48));
}

#[test]
fn a_failure_without_a_note_is_refused() {
    let (mut app, mut rx) = app();
    open_pilot(&mut app, &mut rx);
    key(&mut app, 'A');
    settle(&mut app, &mut rx, 1);

    // Enter on an empty (or blank) note keeps the input open and writes nothing.
    key(&mut app, 'f');
    type_text(&mut app, "   ");
    code(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.overlay, Some(Overlay::Input(_))),
        "the input stays open"
    );
    code(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());

    // The screen's entry point refuses a blank note itself.
    app.pilot.record_failure(&mut app.ctx, P1, "sign-in", "  ");
    let (text, error) = status(&app);
    assert!(error, "{text}");
    assert!(text.contains("needs a note"), "{text}");
    assert!(
        app.pilot.pending.is_empty(),
        "nothing was sent to the store"
    );
    assert_eq!(
        stored(&app).get(P1, PilotCase::SignIn).unwrap().result,
        PilotOutcome::Todo
    );

    // A pass for a case that does not apply to a Lync 2013 client is refused too.
    for _ in 0..6 {
        code(&mut app, KeyCode::Right);
    }
    assert_eq!(app.pilot.selected_case(), PilotCase::Files);
    key(&mut app, 'p');
    let (text, error) = status(&app);
    assert!(error && text.contains("a records n/a"), "{text}");
    assert!(app.pilot.pending.is_empty());
}

#[test]
fn results_attach_coexistence_evidence_without_ticking() {
    let (mut app, mut rx) = app();
    scripted(&mut app, &mut rx);

    for item in [ITEM_PILOT_POLICY, ITEM_TEST_ROOM, ITEM_LEGACY_CLIENT] {
        let shown = app.evidence_of(item);
        assert!(!shown.is_empty());
        assert_eq!(shown[0].evidence.source, "pilot");
        // What the runbook shows is what the store holds, newest first.
        let kept = stored_evidence(&app, item);
        assert_eq!(kept.first().map(|e| e.id), Some(shown[0].id), "{item}");
        assert_ne!(
            app.state_of(item),
            ItemState::Done,
            "{item}: evidence only, not ticked"
        );
    }
    // Item 27: pilot01 joined and posted, but failed "sees rooms".
    let e27 = &app.evidence_of(ITEM_TEST_ROOM)[0].evidence;
    assert_eq!(e27.passed, Some(false));
    assert!(e27.summary.contains("1 of 4"), "{}", e27.summary);
    assert!(e27.summary.contains("pilot01"), "{}", e27.summary);
    // Item 66: no legacy client among the profile's Lync 2013 users.
    let e66 = &app.evidence_of(ITEM_LEGACY_CLIENT)[0].evidence;
    assert_eq!(e66.passed, Some(false));
    assert!(e66.summary.contains("legacy"), "{}", e66.summary);

    // Setting pilot01's "sees rooms" (still selected) to pass proves item 27.
    assert_eq!(app.pilot.selected_case(), PilotCase::SeesRooms);
    key(&mut app, 'p');
    settle(&mut app, &mut rx, 1);
    let e27 = &app.evidence_of(ITEM_TEST_ROOM)[0].evidence;
    assert_eq!(e27.passed, Some(true), "{}", e27.summary);
}

#[test]
fn csv_import_adds_a_legacy_user_whose_tests_prove_item_66() {
    let (mut app, mut rx) = app();
    open_pilot(&mut app, &mut rx);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pilot.csv");
    std::fs::write(
        &path,
        "sip,display_name,client\nsip:legacy01@contoso.lab,Legacy One,lync2010-groupchat\n",
    )
    .unwrap();

    key(&mut app, 'i');
    assert!(matches!(
        app.overlay,
        Some(Overlay::Input(pchat_migrate::tui::overlays::InputOverlay {
            purpose: InputPurpose::PilotCsvFile,
            ..
        }))
    ));
    type_text(&mut app, &path.display().to_string());
    code(&mut app, KeyCode::Enter);
    // The reader thread answers, then the store thread.
    settle(&mut app, &mut rx, 2);
    let (text, error) = status(&app);
    assert!(!error && text.contains("pilot.csv: 1 added"), "{text}");
    let r = stored(&app);
    assert_eq!(r.users.len(), 1);
    assert_eq!(r.users[0].source, "csv:pilot.csv");
    assert_eq!(
        r.users[0].homed_on_2013,
        Some(false),
        "enriched from the profile"
    );

    // Legacy endpoint, history and files pass.
    for case in [
        PilotCase::History,
        PilotCase::LegacyEndpoint,
        PilotCase::Files,
    ] {
        while app.pilot.selected_case() != case {
            code(&mut app, KeyCode::Right);
        }
        key(&mut app, 'p');
        settle(&mut app, &mut rx, 1);
    }
    let e66 = &app.evidence_of(ITEM_LEGACY_CLIENT)[0].evidence;
    assert_eq!(e66.passed, Some(true), "{}", e66.summary);
    assert!(e66.summary.starts_with("1 of 1"), "{}", e66.summary);
    let r = stored(&app);
    assert_eq!(
        r.get("sip:legacy01@contoso.lab", PilotCase::Files)
            .unwrap()
            .result,
        PilotOutcome::Pass
    );
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("proven"), "{screen}");
}

#[test]
fn csv_errors_name_the_file_line_and_column() {
    let (mut app, mut rx) = app();
    open_pilot(&mut app, &mut rx);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(
        &path,
        "sip,display_name,client\nsip:a@contoso.lab,A,lync2013\nsip:b@contoso.lab,B,lync2010\n",
    )
    .unwrap();
    app.pilot
        .import_csv(&mut app.ctx, &path.display().to_string());
    settle(&mut app, &mut rx, 1);
    let (text, error) = status(&app);
    assert!(error && text.contains("bad.csv"), "{text}");
    match &app.overlay {
        Some(Overlay::Message(pchat_migrate::tui::overlays::MessageOverlay { body, .. })) => {
            assert!(body.contains("bad.csv line 3, column 3 (client)"), "{body}");
        }
        _ => panic!("the error is shown in a message"),
    }
    assert!(stored(&app).users.is_empty(), "nothing imported");

    // A missing file names the file.
    app.overlay = None;
    app.pilot.import_csv(&mut app.ctx, "/nonexistent/pilot.csv");
    settle(&mut app, &mut rx, 1);
    match &app.overlay {
        Some(Overlay::Message(pchat_migrate::tui::overlays::MessageOverlay { body, .. })) => {
            assert!(body.contains("/nonexistent/pilot.csv"), "{body}");
        }
        _ => panic!("the error is shown in a message"),
    }
}

/// A CSV of `n` pilot users (a BOM-less header, then `sip,display_name,client` lines).
fn write_big_csv(path: &std::path::Path, n: usize) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "sip,display_name,client").unwrap();
    for i in 0..n {
        writeln!(w, "sip:bulk{i:07}@contoso.lab,Bulk User {i},lync2013").unwrap();
    }
    w.flush().unwrap();
}

/// While a large CSV loads, a tick is saved after at most one batch of the import (the next
/// batch is queued only after the screen has the previous one's answer), and `q` quits at
/// once with at most one batch left on the store thread. Asserted on the order of the
/// store's answers, not on time.
fn tick_and_quit_while_a_large_csv_loads(n: usize) {
    let (mut app, mut rx) = app();
    open_pilot(&mut app, &mut rx);
    key(&mut app, 'A');
    settle(&mut app, &mut rx, 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("everyone.csv");
    write_big_csv(&path, n);
    app.pilot
        .import_csv(&mut app.ctx, &path.display().to_string());
    settle(&mut app, &mut rx, 1);
    let imp = app
        .pilot
        .import
        .as_ref()
        .expect("the import runs in batches");
    assert_eq!((imp.total, imp.done), (n, 0));
    assert!(
        status(&app).0.contains(&format!("0 of {n}")),
        "{:?}",
        status(&app)
    );

    // pilot01 · Signs in: pass, while the first batch is on the store thread.
    key(&mut app, 'p');
    assert_eq!(app.pilot.pending.len(), 1, "the tick is queued");
    let mut answers = 0;
    while !app.pilot.pending.is_empty() {
        settle(&mut app, &mut rx, 1);
        answers += 1;
    }
    let imp = app.pilot.import.as_ref().expect("still importing");
    assert!(
        imp.done <= pilot::IMPORT_BATCH && answers <= 2,
        "the tick waited for one batch at most ({} users committed, {answers} answers)",
        imp.done
    );
    let (text, error) = status(&app);
    assert!(!error && text.contains("(saved)"), "{text}");
    assert_eq!(
        outcome(&stored(&app), P1, PilotCase::SignIn).0,
        PilotOutcome::Pass
    );

    // q: the wizard quits at once; the store thread finishes the batch in flight only.
    key(&mut app, 'q');
    assert!(app.quit, "q is answered during the import");
    app.shutdown();
    let mut left = 0;
    while rx.try_recv().is_ok() {
        left += 1;
    }
    assert!(
        left <= 2,
        "{left} answers after quit: more than the batch in flight"
    );
}

/// The million users (a 45 MB CSV): about 7 s in a debug build.
#[test]
fn a_tick_and_quit_are_answered_while_a_million_user_csv_loads() {
    tick_and_quit_while_a_large_csv_loads(1_000_000);
}

/// Field bounds: a huge display name, a NUL and bytes that are not UTF-8 are refused with
/// the line (and column) named.
#[test]
fn csv_fields_are_bounded_and_bad_bytes_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.csv");
    std::fs::write(
        &long,
        format!(
            "sip,display_name,client\nsip:a@contoso.lab,A,lync2013\nsip:b@contoso.lab,{},lync2013\n",
            "x".repeat(5_000_000)
        ),
    )
    .unwrap();
    let e = pchat_migrate::pilot::users_from_csv_file(&long).unwrap_err();
    assert!(
        e.contains("long.csv line 3, column 2 (display_name)"),
        "{e}"
    );
    let nul = dir.path().join("nul.csv");
    std::fs::write(
        &nul,
        "sip,display_name,client\nsip:a@contoso.lab,Mil\0ano,lync2013\n",
    )
    .unwrap();
    let e = pchat_migrate::pilot::users_from_csv_file(&nul).unwrap_err();
    assert!(
        e.contains("nul.csv line 2, column 2") && e.contains("U+0000"),
        "{e}"
    );
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(
        &latin1,
        b"sip,display_name,client\nsip:a@contoso.lab,A,lync2013\nsip:b@contoso.lab,Jos\xe9,lync2013\n",
    )
    .unwrap();
    let e = pchat_migrate::pilot::users_from_csv_file(&latin1).unwrap_err();
    assert!(
        e.contains("latin1.csv line 3") && e.contains("UTF-8"),
        "{e}"
    );
}
