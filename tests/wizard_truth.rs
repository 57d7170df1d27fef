//! Issue 10, as a new user saw it and as it must be now, in the wizard on a real lab
//! (SQLite files in a temp dir, the wizard's own job machinery, TestBackend frames):
//!
//! - §2: a `-WhatIf` error is not a pass: it is counted apart, item 46 fails, the import
//!   refuses until the loss is accepted by name, and verify then passes listing it;
//! - §1: a cancelled import says what it left, and the item shows it.

#[path = "common/gates.rs"]
mod gates;
#[path = "common/setup.rs"]
mod setup;
#[path = "common/ui.rs"]
mod ui;
#[path = "common/wizard.rs"]
mod wizard;

use crossterm::event::KeyCode;
use pchat_migrate::chatdata::{Cancellation, Left};
use pchat_migrate::jobs::{JobError, JobKind};
use pchat_migrate::lab::LabSpec;
use pchat_migrate::migration::ImportReadiness;
use pchat_migrate::store::ItemState;
use pchat_migrate::tui::app::{AppMsg, Overlay};
use wizard::{key, lab_with, open_app, pump_until, run_job, type_str};

#[test]
fn a_preview_error_is_a_loss_to_accept_by_name_and_verify_then_passes() {
    // The small named lab holds one room whose prefixed name is over 256 characters.
    let lab = lab_with(&LabSpec::small());
    let (mut app, mut rx) = open_app(&lab);
    gates::pass_gates(&mut app, &["shutdown", "export", "import", "verify"]);
    run_job(&mut app, &mut rx, JobKind::Export);
    let whatif = run_job(&mut app, &mut rx, JobKind::ImportWhatIf);

    // Counted apart, and not a pass.
    let p = app
        .migration
        .preview
        .clone()
        .expect("the preview is recorded");
    assert_eq!(p.counts.errors, 1, "{:?}", p.counts);
    assert!(p.counts.warnings > 0);
    assert_eq!(app.state_of(&whatif), ItemState::Failed);
    let Some(Overlay::Preview(_)) = &app.overlay else {
        panic!("the preview did not open after the -WhatIf run");
    };
    let frame = ui::render(&mut app, 160, 48);
    assert!(
        frame.contains(&format!(
            "1 error (not imported) · {} warnings",
            p.counts.warnings
        )),
        "{frame}"
    );
    assert!(frame.contains("[not accepted]"), "{frame}");

    // The import refuses, naming the loss; acknowledging warnings does not open it.
    key(&mut app, KeyCode::Char('a'));
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.error && s.text.contains("refuses items")),
        "{:?}",
        app.status
    );
    assert!(matches!(
        app.migration.import,
        ImportReadiness::LossesNotAccepted { ref items } if items.len() == 1 && items[0].starts_with("name-too-long: ")
    ));

    // L: accept the loss by name, typing LOSS.
    key(&mut app, KeyCode::Char('L'));
    let Some(Overlay::AcceptLoss(a)) = &app.overlay else {
        panic!("L did not ask to accept the loss");
    };
    let room = a.finding.item.clone();
    type_str(&mut app, "LOSS");
    key(&mut app, KeyCode::Enter);
    pump_until(&mut app, &mut rx, "the accepted loss", |a| {
        a.migration.accepted_losses.len() == 1
    });
    assert_eq!(app.migration.accepted_losses[0].item, room);
    assert_eq!(app.state_of(&whatif), ItemState::Done);
    // The preview reopened; now a acknowledges the warnings.
    assert!(matches!(app.overlay, Some(Overlay::Preview(_))));
    key(&mut app, KeyCode::Char('a'));
    pump_until(&mut app, &mut rx, "the acknowledgement", |a| {
        a.migration.import == ImportReadiness::Ready
    });
    key(&mut app, KeyCode::Esc);

    let import = run_job(&mut app, &mut rx, JobKind::Import);
    assert_eq!(app.state_of(&import), ItemState::Done);
    let verify = run_job(&mut app, &mut rx, JobKind::Verify);
    assert_eq!(
        app.state_of(&verify),
        ItemState::Done,
        "{:?}",
        app.migration.verify
    );
    let v = app.migration.verify.clone().unwrap();
    assert!(v.passed && v.differences == 0, "{v:?}");
    assert_eq!(v.accepted_losses, vec![format!("name-too-long: {room}")]);
    // Item 59 has no evidence of its own: its detail says which line of the verify ticked it.
    key(&mut app, KeyCode::Char('/'));
    type_str(&mut app, "flattened");
    key(&mut app, KeyCode::Enter);
    let frame = ui::render(&mut app, 160, 48);
    assert!(
        frame.contains("↳ evidence: verify: no difference in categories"),
        "{frame}"
    );
    // The package removed from disk: the next derivation unticks the package check.
    assert_eq!(app.state_of("export.file"), ItemState::Done);
    std::fs::remove_file(&lab.env.package).unwrap();
    app.rederive();
    assert_eq!(app.state_of("export.file"), ItemState::Todo);
    // and the audit trail names it
    let events = ui::query_store(&app, |s, sid| s.audit(sid).unwrap());
    assert!(events.iter().any(
        |e| e.kind == "loss-accepted" && e.detail.as_deref().is_some_and(|d| d.contains(&room))
    ));
    app.shutdown();
}

#[test]
fn a_cancelled_import_says_what_it_left() {
    let lab = wizard::lab();
    let (mut app, mut rx) = open_app(&lab);
    gates::pass_gates(&mut app, &["shutdown", "export", "import"]);
    let item = app.runbook.job_item(JobKind::Import).unwrap().id.clone();
    // The import's run as the wizard records it before the job thread starts…
    let run = ui::query_store(&app, {
        let item = item.clone();
        move |s, sid| s.job_started(sid, &item, "import", None, "alice").unwrap()
    });
    app.facts.upsert_run(run.clone());
    // …and its thread ending in the message phase, as a cancel there ends it.
    let left = Left::PartialImport {
        categories: 24,
        rooms: 399,
        principals: 20_207,
        messages: 2_250_000,
        total: 9_997_372,
        this_run: 2_250_000,
    };
    app.on_msg(AppMsg::JobDone {
        item_id: item.clone(),
        run_id: run.id,
        kind: JobKind::Import,
        result: Err(JobError::Cancelled(Cancellation {
            phase: "messages".into(),
            left,
        })),
    });
    // What was seen: "Import cancelled; nothing was changed".
    let status = app.status.clone().unwrap();
    assert!(
        !status.text.contains("nothing was changed"),
        "{}",
        status.text
    );
    assert!(status.text.contains("PARTLY IMPORTED"), "{}", status.text);
    assert!(
        status.text.contains("2250000 of 9997372 messages"),
        "{}",
        status.text
    );
    assert!(status.error, "a changed target is shown as a problem");
    pump_until(&mut app, &mut rx, "the cancel's evidence", |a| {
        !a.pending.contains(&item)
    });
    // The checklist says it too, and the import gate and verdict follow.
    let st = app.migration.item(&item);
    assert_eq!(st.state, ItemState::Failed);
    assert!(st.reason.as_deref().unwrap().contains("PARTLY IMPORTED"));
    assert!(!app.migration.verdict.ready);
    let runs = ui::query_store(&app, |s, sid| s.job_runs(sid).unwrap());
    assert_eq!(runs[0].status, "cancelled");
    assert!(runs[0].summary.as_deref().unwrap().contains("resume"));
    // A cancel of a read-only job still says nothing changed, and changes no state.
    let verify = app.runbook.job_item(JobKind::Verify).unwrap().id.clone();
    let run = ui::query_store(&app, {
        let verify = verify.clone();
        move |s, sid| {
            s.job_started(sid, &verify, "verify", None, "alice")
                .unwrap()
        }
    });
    app.on_msg(AppMsg::JobDone {
        item_id: verify.clone(),
        run_id: run.id,
        kind: JobKind::Verify,
        result: Err(JobError::Cancelled(Cancellation::nothing("verify rooms"))),
    });
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("nothing was verified") && !s.error)
    );
    pump_until(&mut app, &mut rx, "the cancel's evidence", |a| {
        !a.pending.contains(&verify)
    });
    assert_eq!(app.state_of(&verify), ItemState::Todo);
    app.shutdown();
}
