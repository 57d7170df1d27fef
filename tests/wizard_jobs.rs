//! The wizard's job flow end to end on a real lab (SQLite files in a temp dir): from the
//! checklist, run the export, the -WhatIf preview, the import and the verify; each job's
//! result lands as evidence, the items tick themselves, and the session database has it all.
//! Also: the real import refuses to run before a passing preview.

#[path = "common/gates.rs"]
mod gates;
#[path = "common/setup.rs"]
mod setup;
#[path = "common/wizard.rs"]
mod wizard;
use wizard::{key, lab, open_app, pump_until, run_job};

use crossterm::event::KeyCode;
use pchat_migrate::jobs::JobKind;
use pchat_migrate::migration::ImportReadiness;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{ItemState, Store};
use pchat_migrate::tui::app::{Overlay, Pending};

#[test]
fn export_preview_import_verify_from_the_checklist() {
    let lab = lab();
    let (mut app, mut rx) = open_app(&lab);

    // The real import is refused before a passing -WhatIf preview.
    let import_item = app.runbook.job_item(JobKind::Import).unwrap().id.clone();
    gates::pass_gates(&mut app, &["import"]);
    app.request(Pending::RunJob(import_item.clone()));
    assert!(
        matches!(app.overlay, Some(Overlay::Message(_))),
        "import ran before the preview"
    );
    app.overlay = None;
    gates::clear_gates(&mut app);

    for kind in [
        JobKind::Export,
        JobKind::ImportWhatIf,
        JobKind::Import,
        JobKind::Verify,
    ] {
        if kind == JobKind::Import {
            // The -WhatIf view opened by itself; the import waits for the acknowledgement.
            let Some(Overlay::Preview(p)) = &app.overlay else {
                panic!("the preview did not open after the -WhatIf run");
            };
            let preview = &p.preview;
            assert!(
                !preview.warnings.is_empty(),
                "the lab is built to raise warnings"
            );
            let evidence_id = preview.evidence_id;
            // The inspector's inventory of the package joins the preview once it is read.
            pump_until(
                &mut app,
                &mut rx,
                "the package inventory",
                |a| matches!(&a.overlay, Some(Overlay::Preview(p)) if !p.inventory.is_empty()),
            );
            if let Some(Overlay::Preview(p)) = &app.overlay {
                let inventory = &p.inventory;
                assert!(inventory[0].contains("rooms"), "{inventory:?}");
                assert!(
                    inventory.iter().any(|l| l.contains("messages")),
                    "{inventory:?}"
                );
            }
            key(&mut app, KeyCode::Esc);
            let item = app.runbook.job_item(JobKind::Import).unwrap().id.clone();
            app.request(Pending::RunJob(item));
            assert!(
                matches!(app.overlay, Some(Overlay::Preview(_))),
                "the import ran without an acknowledgement"
            );
            key(&mut app, KeyCode::Char('a'));
            pump_until(&mut app, &mut rx, "the acknowledgement", |a| {
                a.migration.import == ImportReadiness::Ready
                    && a.migration.preview.as_ref().map(|p| p.evidence_id) == Some(evidence_id)
            });
            key(&mut app, KeyCode::Esc);
        }
        let item = run_job(&mut app, &mut rx, kind);
        assert_eq!(
            app.state_of(&item),
            ItemState::Done,
            "{kind:?} did not tick its item: {:?}",
            app.finished.get(&item).map(|f| f.summary.clone())
        );
        let ev = &app.evidence_of(&item)[0];
        assert_eq!(ev.evidence.passed, Some(true));
        assert!(
            ev.evidence.source.contains(kind.label()),
            "{}",
            ev.evidence.source
        );
    }
    app.shutdown();
    drop(app);

    // Everything is in the session database: states, evidence, job runs, the audit trail.
    let store = Store::open(&lab.db).unwrap();
    let s = store.session("rehearsal").unwrap().unwrap();
    let rb = Runbook::embedded().unwrap();
    // The states are derived from the recorded evidence, read back from the database alone.
    let m = pchat_migrate::migration::derive(&rb, &store.facts(s.id).unwrap());
    for kind in JobKind::ALL {
        let id = &rb.job_item(kind).unwrap().id;
        let st = m.item(id);
        assert_eq!(st.state, ItemState::Done, "{id}");
        assert_eq!(st.who(), Some("alice"));
    }
    // The export proves item 44 and the verify items 59, 60, 61 and 64.
    for id in [
        "export.file",
        "verify.categories",
        "verify.rooms",
        "verify.addins",
        "verify.message-volumes",
    ] {
        assert_eq!(m.state(id), ItemState::Done, "{id}: {:?}", m.item(id));
    }
    let runs = store.job_runs(s.id).unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "succeeded").count(), 4);
    let audit = store.audit(s.id).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.kind == "downtime-confirmed" && e.item_id.as_deref() == Some("export"))
    );
    assert!(audit.iter().any(|e| e.kind == "gate-override"));
    assert!(audit.iter().any(|e| e.kind == "whatif-acknowledged"));
    store.verify_audit(s.id).unwrap();
}
