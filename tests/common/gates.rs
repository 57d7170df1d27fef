//! Test seam: the gates an operator passes in the overlays (typed downtime words, going on
//! past open items), put straight into the wizard's facts as the audit events the overlays
//! record, so a test can work on a job item without walking every dialog.
#![allow(dead_code)]

use pchat_migrate::migration::{EVENT_DOWNTIME_CONFIRMED, EVENT_GATE_OVERRIDE, GateOverride};
use pchat_migrate::store::AuditEvent;
use pchat_migrate::tui::app::App;

const WHO: &str = "test-gates";

fn event(app: &App, kind: &str, stage: &str, detail: String) -> AuditEvent {
    AuditEvent {
        id: 0,
        session_id: app.session.id,
        at: chrono::Utc::now(),
        who: WHO.into(),
        kind: kind.into(),
        item_id: Some(stage.into()),
        old: None,
        new: None,
        detail: Some(detail),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// The downtime words of `stages` typed, and every item acknowledged as open.
pub fn pass_gates(app: &mut App, stages: &[&str]) {
    let all = GateOverride {
        open: app.runbook.items().map(|i| i.id.clone()).collect(),
        reason: String::new(),
        why: "test".into(),
    };
    for s in stages {
        let e = event(app, EVENT_DOWNTIME_CONFIRMED, s, "typed".into());
        app.facts.events.push(e);
        let e = event(
            app,
            EVENT_GATE_OVERRIDE,
            s,
            serde_json::to_string(&all).unwrap(),
        );
        app.facts.events.push(e);
    }
    app.rederive();
}

/// Takes back what [`pass_gates`] put in.
pub fn clear_gates(app: &mut App) {
    app.facts.events.retain(|e| e.who != WHO);
    app.rederive();
}
