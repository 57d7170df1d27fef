//! The model by itself: facts written by hand, the embedded runbook, no store.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::*;
use crate::chatdata::{Cancellation, Left};
use crate::planner::{StepId, StepState};
use crate::store::{AuditEvent, Evidence, EvidenceRecord, ItemRecord, JobRun, WindowStepRecord};

fn rb() -> Runbook {
    Runbook::embedded().unwrap()
}

fn t(min: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-06T20:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::minutes(min)
}

/// A fact sheet that hands out ids in order.
#[derive(Default)]
struct Sheet {
    facts: SessionFacts,
    next: i64,
}

impl Sheet {
    fn id(&mut self) -> i64 {
        self.next += 1;
        self.next
    }

    fn evidence(
        &mut self,
        item: &str,
        at: i64,
        source: &str,
        passed: Option<bool>,
        summary: &str,
        detail: serde_json::Value,
    ) -> i64 {
        let id = self.id();
        self.facts.push_evidence(EvidenceRecord {
            id,
            item_id: item.into(),
            at: t(at),
            who: "alice".into(),
            evidence: Evidence {
                source: source.into(),
                summary: summary.into(),
                passed,
                detail,
            },
        });
        id
    }

    fn job(&mut self, kind: JobKind, at: i64, passed: bool, detail: serde_json::Value) -> i64 {
        let rb = rb();
        let item = rb.job_item(kind).unwrap().id.clone();
        let outcome = json!({ "kind": kind, "passed": passed, "summary": "s", "detail": detail, "elapsed_ms": 1000 });
        self.evidence(
            &item,
            at,
            &format!("{} job", kind.label()),
            Some(passed),
            &format!("{} result", kind.label()),
            outcome,
        )
    }

    fn probe(&mut self, item: &str, at: i64, passed: bool, authoritative: bool) -> i64 {
        self.evidence(
            item,
            at,
            "pool monitor",
            Some(passed),
            if passed {
                "probe passed"
            } else {
                "probe failed"
            },
            json!({ "authoritative": authoritative }),
        )
    }

    fn tick(&mut self, item: &str, at: i64, state: ItemState, reason: Option<&str>) {
        self.facts.records.insert(
            item.into(),
            ItemRecord {
                state,
                reason: reason.map(str::to_string),
                who: "alice".into(),
                at: t(at),
                note: None,
                note_who: None,
                note_at: None,
            },
        );
    }

    fn event(&mut self, kind: &str, item: Option<&str>, at: i64, detail: &str) {
        let id = self.id();
        self.facts.events.push(AuditEvent {
            id,
            session_id: 1,
            at: t(at),
            who: "alice".into(),
            kind: kind.into(),
            item_id: item.map(str::to_string),
            old: None,
            new: None,
            detail: Some(detail.into()),
            prev_hash: String::new(),
            hash: String::new(),
        });
    }

    fn run(&mut self, kind: &str, start: i64, end: Option<i64>, status: &str) {
        let id = self.id();
        self.facts.upsert_run(JobRun {
            id,
            session_id: 1,
            item_id: "x".into(),
            kind: kind.into(),
            started_at: t(start),
            finished_at: end.map(t),
            status: status.into(),
            summary: None,
            log_path: None,
        });
    }

    fn derive(&self) -> Migration {
        derive(&rb(), &self.facts)
    }
}

fn preview_detail(findings: &[(&str, &str, &str)]) -> serde_json::Value {
    json!({
        "warnings": findings.iter().map(|(sev, code, item)| json!({
            "severity": sev, "code": code, "item": item, "message": format!("{code} on {item}")
        })).collect::<Vec<_>>()
    })
}

// ---- counts -------------------------------------------------------------------------

#[test]
fn one_count_of_items_84_of_which_81_are_checklist_items() {
    let m = Sheet::default().derive();
    assert_eq!(m.totals.items, 84);
    assert_eq!(m.totals.checklist_items, 81);
    assert_eq!(m.totals.todo, 84);
    assert_eq!(m.totals.percent(), 0);
    assert_eq!(m.current_stage, "plan");
}

#[test]
fn errors_warnings_and_notes_are_counted_apart() {
    let mut s = Sheet::default();
    s.job(JobKind::Export, 0, true, json!({"bytes": 10}));
    s.job(
        JobKind::ImportWhatIf,
        1,
        false,
        preview_detail(&[
            ("error", "name-too-long", "Long room"),
            ("warning", "file-posts", "Room A"),
            ("warning", "file-posts", "Room B"),
            ("info", "topic-dropped", "2 rooms"),
        ]),
    );
    let m = s.derive();
    let p = m.preview.as_ref().unwrap();
    assert_eq!(
        (p.counts.errors, p.counts.warnings, p.counts.notes),
        (1, 2, 1)
    );
    assert_eq!(
        m.import,
        ImportReadiness::LossesNotAccepted {
            items: vec!["name-too-long: Long room".into()]
        }
    );
    // the preview with an unaccepted error does not tick item 46
    assert_eq!(m.state("import.whatif"), ItemState::Failed);
    assert!(
        m.item("import.whatif")
            .reason
            .unwrap()
            .contains("name-too-long \"Long room\"")
    );
}

// ---- accepted losses ----------------------------------------------------------------

#[test]
fn each_loss_is_accepted_by_name_for_that_preview_then_warnings_are_acknowledged() {
    let mut s = Sheet::default();
    s.job(JobKind::Export, 0, true, json!({"bytes": 10}));
    let pv = s.job(
        JobKind::ImportWhatIf,
        1,
        false,
        preview_detail(&[
            ("error", "name-too-long", "Long room"),
            ("error", "duplicate-name", "Twin"),
            ("warning", "file-posts", "Room A"),
        ]),
    );
    // accepting one of two, or for another preview, is not enough
    let accept = |s: &mut Sheet, evidence_id: i64, code: &str, item: &str| {
        let d = serde_json::to_string(&LossAcceptance {
            evidence_id,
            code: code.into(),
            item: item.into(),
        })
        .unwrap();
        s.event(EVENT_LOSS_ACCEPTED, Some("import.whatif"), 2, &d);
    };
    accept(&mut s, pv, "name-too-long", "Long room");
    accept(&mut s, pv + 100, "duplicate-name", "Twin");
    let m = s.derive();
    assert_eq!(
        m.import,
        ImportReadiness::LossesNotAccepted {
            items: vec!["duplicate-name: Twin".into()]
        }
    );
    accept(&mut s, pv, "duplicate-name", "Twin");
    let m = s.derive();
    assert_eq!(
        m.import,
        ImportReadiness::NotAcknowledged {
            warnings: 1,
            notes: 0
        }
    );
    assert_eq!(m.state("import.whatif"), ItemState::Done);
    assert_eq!(m.accepted_losses.len(), 2);
    assert_eq!(
        m.losses_for_verify(),
        vec![
            ("name-too-long".to_string(), "Long room".to_string()),
            ("duplicate-name".to_string(), "Twin".to_string())
        ]
    );
    let p = m.preview.clone().unwrap();
    s.event(EVENT_WHATIF_ACK, Some("import.whatif"), 3, &ack_detail(&p));
    assert_eq!(s.derive().import, ImportReadiness::Ready);
    // a new export makes the preview stale: its acceptances no longer open the gate
    s.job(JobKind::Export, 4, true, json!({"bytes": 10}));
    let m = s.derive();
    assert_eq!(m.import, ImportReadiness::PreviewStale);
    assert_eq!(m.state("import.whatif"), ItemState::Todo);
    assert!(
        m.item("import.whatif")
            .flags
            .iter()
            .any(|f| matches!(f, Flag::Stale { .. }))
    );
}

#[test]
fn verify_passes_with_accepted_losses_listed_and_fails_on_anything_else() {
    let mut s = Sheet::default();
    s.job(JobKind::Import, 0, true, json!({}));
    s.job(
        JobKind::Verify,
        1,
        true,
        json!({"differences": [], "accepted_losses": [{"code": "name-too-long", "item": "Long room", "differences": []}]}),
    );
    let m = s.derive();
    let v = m.verify.as_ref().unwrap();
    assert!(v.passed && v.stale.is_none());
    assert_eq!(v.accepted_losses, vec!["name-too-long: Long room"]);
    for id in [
        "verify.db-compare",
        "verify.categories",
        "verify.rooms",
        "verify.addins",
        "verify.message-volumes",
    ] {
        assert_eq!(m.state(id), ItemState::Done, "{id}");
    }
    // a failing verify fails only the aspects it names
    s.job(
        JobKind::Verify,
        2,
        false,
        json!({"differences": [{"kind": "room", "name": "Build", "field": "manager", "expected": "a", "actual": "missing"},
                              {"kind": "room", "name": "Build", "field": "messages", "expected": "3", "actual": "2"}]}),
    );
    let m = s.derive();
    assert_eq!(m.state("verify.db-compare"), ItemState::Failed);
    assert_eq!(m.state("verify.rooms"), ItemState::Failed);
    assert_eq!(m.state("verify.message-volumes"), ItemState::Failed);
    assert_eq!(m.state("verify.categories"), ItemState::Done);
    assert_eq!(m.state("verify.addins"), ItemState::Done);
    // an import after the verify makes it stale
    s.job(JobKind::Import, 3, true, json!({}));
    let m = s.derive();
    assert_eq!(
        m.verify.as_ref().unwrap().stale.as_deref(),
        Some("an import ran after this verify")
    );
    assert_eq!(m.state("verify.db-compare"), ItemState::Todo);
}

#[test]
fn a_package_gone_or_changed_on_disk_unticks_the_package_check() {
    let mut s = Sheet::default();
    s.job(
        JobKind::Export,
        0,
        true,
        json!({"bytes": 10, "messages": 3, "package": "/lab/exports/p.zip"}),
    );
    // not looked at (production, or a caller that does not look): the evidence stands
    assert_eq!(s.derive().state("export.file"), ItemState::Done);
    let seen = |path: &str, bytes: Option<u64>| {
        Some(crate::store::PackageOnDisk {
            path: path.into(),
            bytes,
        })
    };
    s.facts.package_on_disk = seen("/lab/exports/p.zip", Some(10));
    assert_eq!(s.derive().state("export.file"), ItemState::Done);
    // another file than the one the export wrote says nothing about it
    s.facts.package_on_disk = seen("/elsewhere.zip", None);
    assert_eq!(s.derive().state("export.file"), ItemState::Done);
    for (bytes, why) in [
        (
            None,
            "the package /lab/exports/p.zip is no longer on disk: export again",
        ),
        (
            Some(11),
            "the package /lab/exports/p.zip changed after this export (11 bytes on disk; the export wrote 10): export again",
        ),
    ] {
        s.facts.package_on_disk = seen("/lab/exports/p.zip", bytes);
        let m = s.derive();
        assert_eq!(m.state("export.file"), ItemState::Todo);
        assert!(
            m.item("export.file")
                .flags
                .iter()
                .any(|f| matches!(f, Flag::Stale { why: w } if w == why)),
            "{:?}",
            m.item("export.file").flags
        );
        // the export ran; its own item stays done
        assert_eq!(m.state("export.run"), ItemState::Done);
    }
}

#[test]
fn a_lab_reset_voids_what_it_replaced() {
    let mut s = Sheet::default();
    s.job(
        JobKind::Export,
        0,
        true,
        json!({"bytes": 10, "messages": 3}),
    );
    s.job(JobKind::ImportWhatIf, 1, true, preview_detail(&[]));
    s.job(JobKind::Import, 2, true, json!({}));
    s.job(JobKind::Verify, 3, true, json!({"differences": []}));
    // the pool answered after the import: the services are started again
    s.probe("verify.start", 3, true, true);
    let m = s.derive();
    for id in [
        "export.run",
        "import.run",
        "verify.db-compare",
        "verify.rooms",
        "verify.start",
    ] {
        assert_eq!(m.state(id), ItemState::Done, "{id}");
    }
    let record = |s: &mut Sheet, reset: LabReset, at: i64| {
        let item = rb().job_item(reset.job()).unwrap().id.clone();
        let e = reset.evidence();
        s.evidence(&item, at, &e.source, e.passed, &e.summary, e.detail);
    };

    // reset-target: the import and the verify no longer stand; the export and the preview do.
    record(&mut s, LabReset::Target, 4);
    let m = s.derive();
    let v = m.verify.as_ref().unwrap();
    assert_eq!(
        v.stale.as_deref(),
        Some("the lab's mgc database was emptied after this verify (lab reset-target)")
    );
    for id in ["import.run", "verify.db-compare", "verify.rooms"] {
        assert_eq!(m.state(id), ItemState::Todo, "{id}");
        assert!(
            m.item(id)
                .flags
                .iter()
                .any(|f| matches!(f, Flag::Stale { why } if why.contains("reset-target"))),
            "{id}: {:?}",
            m.item(id).flags
        );
    }
    assert_eq!(m.state("export.run"), ItemState::Done);
    assert_eq!(m.state("import.whatif"), ItemState::Done);
    assert_eq!(m.import, ImportReadiness::Ready);
    // "started again after the import" has no import to follow any more
    assert_eq!(m.state("verify.start"), ItemState::Todo);
    assert!(
        m.verdict
            .reasons
            .iter()
            .any(|r| r.contains("no longer describes the target") && r.contains("emptied")),
        "{:?}",
        m.verdict.reasons
    );
    // A new import and verify stand again.
    s.job(JobKind::Import, 5, true, json!({}));
    s.job(JobKind::Verify, 6, true, json!({"differences": []}));
    let m = s.derive();
    assert!(m.verify.as_ref().unwrap().stale.is_none());
    assert_eq!(m.state("import.run"), ItemState::Done);

    // init --force: everything from the export on no longer stands, the preview included.
    record(&mut s, LabReset::All, 7);
    let m = s.derive();
    for id in [
        "export.run",
        "export.file",
        "import.whatif",
        "import.run",
        "verify.db-compare",
    ] {
        assert_eq!(m.state(id), ItemState::Todo, "{id}");
    }
    assert_eq!(m.import, ImportReadiness::PreviewStale);
    assert_eq!(
        m.preview.as_ref().unwrap().stale.as_deref(),
        Some("the lab's databases were re-created after this preview (lab init --force)")
    );
    // a new export: its own results count
    s.job(
        JobKind::Export,
        8,
        true,
        json!({"bytes": 10, "messages": 3}),
    );
    assert_eq!(s.derive().state("export.run"), ItemState::Done);
}

// ---- jobs tick what they prove; cancels -----------------------------------------------

#[test]
fn the_export_ticks_items_42_and_44() {
    let mut s = Sheet::default();
    s.job(
        JobKind::Export,
        0,
        true,
        json!({"bytes": 1234, "categories": 3, "rooms": 7, "principals": 9, "messages": 100}),
    );
    let m = s.derive();
    assert_eq!(m.state("export.run"), ItemState::Done);
    assert_eq!(m.state("export.file"), ItemState::Done);
    let Source::Evidence { summary, .. } = m.item("export.file").source else {
        panic!("item 44 not decided by evidence");
    };
    assert!(
        summary.contains("1234 bytes") && summary.contains("7 rooms"),
        "{summary}"
    );
}

#[test]
fn a_cancel_says_what_it_left_in_each_phase() {
    let nothing = |phase: &str| Cancellation::nothing(phase);
    let export = cancel_statement(JobKind::Export, &nothing("export messages"));
    assert!(export.contains("no new package"), "{export}");
    let whatif = cancel_statement(JobKind::ImportWhatIf, &nothing("check package"));
    assert!(whatif.contains("nothing was changed"), "{whatif}");
    let reading = cancel_statement(JobKind::Import, &nothing("read package"));
    assert!(
        reading.contains("unchanged") && !reading.contains("PARTLY"),
        "{reading}"
    );
    let verify = cancel_statement(JobKind::Verify, &nothing("verify rooms"));
    assert!(verify.contains("nothing was verified"), "{verify}");
    let partial = Cancellation {
        phase: "messages".into(),
        left: Left::PartialImport {
            categories: 24,
            rooms: 399,
            principals: 20_207,
            messages: 2_250_000,
            total: 9_997_372,
            this_run: 2_250_000,
        },
    };
    let line = cancel_statement(JobKind::Import, &partial);
    for want in [
        "PARTLY IMPORTED",
        "2250000 of 9997372 messages",
        "20207 principals",
        "resume",
        "lab reset-target",
    ] {
        assert!(line.contains(want), "{want}: {line}");
    }
    assert!(!line.contains("nothing was changed"));
    assert!(cancel_changed(&partial) && !cancel_changed(&nothing("x")));
    let prod = cancel_statement(
        JobKind::Import,
        &Cancellation {
            phase: "PowerShell".into(),
            left: Left::Unknown,
        },
    );
    assert!(prod.contains("may have changed"), "{prod}");
}

#[test]
fn a_partial_import_fails_item_48_until_a_rerun_finishes_it() {
    let mut s = Sheet::default();
    let rb = rb();
    let item = rb.job_item(JobKind::Import).unwrap().id.clone();
    s.evidence(
        &item,
        0,
        "Import job",
        Some(false),
        "Import cancelled during messages: the mgc database is now PARTLY IMPORTED",
        json!({"cancelled": {"left": "partial-import"}}),
    );
    let m = s.derive();
    assert_eq!(m.state(&item), ItemState::Failed);
    assert!(m.item(&item).reason.unwrap().contains("PARTLY IMPORTED"));
    assert!(!m.verdict.ready);
    // a cancel that changed nothing is informational: the state stays as it was
    s.evidence(
        &item,
        1,
        "Import job",
        None,
        "cancelled, nothing changed",
        json!({}),
    );
    assert_eq!(s.derive().state(&item), ItemState::Failed);
    s.job(JobKind::Import, 2, true, json!({"resumed": true}));
    assert_eq!(s.derive().state(&item), ItemState::Done);
}

// ---- contradicting evidence -----------------------------------------------------------

#[test]
fn stop_services_cannot_be_ticked_while_the_lab_monitor_sees_the_pool_up() {
    let mut s = Sheet::default();
    s.event(EVENT_DOWNTIME_CONFIRMED, Some("shutdown"), 0, "typed");
    s.probe("shutdown.stop-legacy", 1, false, true);
    let m = s.derive();
    assert_eq!(m.state("shutdown.stop-legacy"), ItemState::Todo);
    let gate = m.gate(
        &rb(),
        &Request::SetState {
            item: "shutdown.stop-legacy",
            state: ItemState::Done,
        },
    );
    assert!(
        matches!(&gate, GateStep::Refused { why, .. } if why.contains("stop the services")),
        "{gate:?}"
    );
    // stopped: the probe ticks it
    s.probe("shutdown.stop-legacy", 2, true, true);
    assert_eq!(s.derive().state("shutdown.stop-legacy"), ItemState::Done);
    // started again later: un-ticked by the newer evidence
    s.probe("shutdown.stop-legacy", 3, false, true);
    assert_eq!(s.derive().state("shutdown.stop-legacy"), ItemState::Todo);
}

#[test]
fn a_stopped_pool_after_shutdown_does_not_undo_the_coexistence_check() {
    let mut s = Sheet::default();
    s.probe("coexistence.legacy-serving", 0, true, true);
    s.event(EVENT_DOWNTIME_CONFIRMED, Some("shutdown"), 5, "typed");
    s.probe("coexistence.legacy-serving", 6, false, true);
    let m = s.derive();
    assert_eq!(m.state("coexistence.legacy-serving"), ItemState::Done);
    // it takes no more evidence; stop-legacy does
    assert!(!m.probe_wants("coexistence.legacy-serving", false));
    assert!(m.probe_wants("shutdown.stop-legacy", true));
    // before shutdown a down pool fails the check
    let mut s = Sheet::default();
    s.probe("coexistence.legacy-serving", 0, true, true);
    s.probe("coexistence.legacy-serving", 1, false, true);
    assert_eq!(
        s.derive().state("coexistence.legacy-serving"),
        ItemState::Failed
    );
}

#[test]
fn production_probes_flag_but_do_not_decide() {
    let mut s = Sheet::default();
    s.tick("build.pool-visible", 0, ItemState::Done, None);
    s.probe("build.pool-visible", 1, false, false);
    let st = s.derive().item("build.pool-visible");
    assert_eq!(st.state, ItemState::Done);
    assert!(
        st.flags
            .iter()
            .any(|f| matches!(f, Flag::Contradicted { .. }))
    );
    assert!(st.is_open(), "a contradicted item counts as open");
}

#[test]
fn the_operator_reopens_or_skips_but_cannot_tick_over_failing_evidence() {
    let mut s = Sheet::default();
    s.job(JobKind::Export, 0, false, json!({"error": "disk full"}));
    s.tick("export.run", 1, ItemState::Done, None);
    let st = s.derive().item("export.run");
    assert_eq!(st.state, ItemState::Failed);
    assert!(
        st.flags
            .iter()
            .any(|f| matches!(f, Flag::Contradicted { .. }))
    );
    s.tick(
        "export.run",
        2,
        ItemState::Skipped,
        Some("exported by hand"),
    );
    let st = s.derive().item("export.run");
    assert_eq!(st.state, ItemState::Skipped);
    assert_eq!(st.reason.as_deref(), Some("exported by hand"));
    // a hand tick with no evidence at all is done and says so
    let mut s = Sheet::default();
    s.tick("verify.db-compare", 0, ItemState::Done, None);
    let st = s.derive().item("verify.db-compare");
    assert_eq!(st.state, ItemState::Done);
    assert_eq!(st.flags, vec![Flag::Unproven]);
}

#[test]
fn troubleshooting_evidence_on_a_probe_item_does_not_decide_it() {
    let mut s = Sheet::default();
    s.evidence(
        "build.pool-visible",
        0,
        "troubleshoot: pool-down",
        Some(false),
        "checks failed",
        json!({}),
    );
    assert_eq!(s.derive().state("build.pool-visible"), ItemState::Todo);
}

// ---- gates --------------------------------------------------------------------------

#[test]
fn earlier_open_items_are_asked_once_before_the_downtime_word() {
    let mut s = Sheet::default();
    let rb = rb();
    let m = s.derive();
    let enter = Request::EnterStage("shutdown");
    let GateStep::EarlierOpen { open, .. } = m.gate(&rb, &enter) else {
        panic!("the word was asked before the open items were shown");
    };
    let before: usize = rb.stages[..4].iter().map(|s| s.items.len()).sum();
    assert_eq!(open.len(), before);
    // going on records the open items by id
    let d = serde_json::to_string(&GateOverride {
        open: open.iter().map(|o| o.item_id.clone()).collect(),
        ..GateOverride::default()
    })
    .unwrap();
    s.event(EVENT_GATE_OVERRIDE, Some("shutdown"), 1, &d);
    let m = s.derive();
    assert_eq!(
        m.gate(&rb, &enter),
        GateStep::ConfirmWord {
            stage_id: "shutdown".into(),
            word: "SHUTDOWN".into()
        }
    );
    s.event(EVENT_DOWNTIME_CONFIRMED, Some("shutdown"), 2, "typed");
    let m = s.derive();
    assert_eq!(m.gate(&rb, &enter), GateStep::Proceed);
    // the next stage asks only about what is newly open: the shutdown stage's own items
    let GateStep::EarlierOpen { open, .. } = m.gate(&rb, &Request::EnterStage("export")) else {
        panic!("expected the shutdown items");
    };
    assert!(
        open.iter().all(|o| o.item_id.starts_with("shutdown.")),
        "{open:?}"
    );
    // browsing a stage that takes no downtime asks nothing
    assert_eq!(
        m.gate(&rb, &Request::EnterStage("files")),
        GateStep::Proceed
    );
}

#[test]
fn irreversible_steps_need_a_passing_current_verify_or_a_named_override() {
    let rb = rb();
    let mut s = Sheet::default();
    let all = GateOverride {
        open: rb.items().map(|i| i.id.clone()).collect(),
        ..GateOverride::default()
    };
    s.event(
        EVENT_GATE_OVERRIDE,
        Some("decommission"),
        0,
        &serde_json::to_string(&all).unwrap(),
    );
    let uninstall = Request::SetState {
        item: "decommission.uninstall",
        state: ItemState::Done,
    };
    let m = s.derive();
    assert!(
        matches!(m.gate(&rb, &uninstall), GateStep::Irreversible { ref why, .. } if why.contains("no verify")),
    );
    // a non-irreversible item of the same stage is not held back
    assert_eq!(
        m.gate(
            &rb,
            &Request::SetState {
                item: "decommission.legacy-db-retention",
                state: ItemState::Done
            }
        ),
        GateStep::Proceed
    );
    s.job(
        JobKind::Verify,
        1,
        false,
        json!({"differences": [{"kind": "room", "name": "A", "field": "exists"}]}),
    );
    assert!(matches!(
        s.derive().gate(&rb, &uninstall),
        GateStep::Irreversible { ref why, .. } if why.contains("failed")
    ));
    s.job(JobKind::Verify, 2, true, json!({"differences": []}));
    assert_eq!(s.derive().gate(&rb, &uninstall), GateStep::Proceed);
    // stale after a new import
    s.job(JobKind::Import, 3, true, json!({}));
    assert!(matches!(
        s.derive().gate(&rb, &uninstall),
        GateStep::Irreversible { ref why, .. } if why.contains("an import ran after this verify")
    ));
    // a named override with a reason lets it through, for that item only
    let o = GateOverride {
        reason: "legacy servers already gone".into(),
        ..GateOverride::default()
    };
    s.event(
        EVENT_IRREVERSIBLE_OVERRIDE,
        Some("decommission.uninstall"),
        4,
        &serde_json::to_string(&o).unwrap(),
    );
    let m = s.derive();
    assert_eq!(m.gate(&rb, &uninstall), GateStep::Proceed);
    assert!(matches!(
        m.gate(
            &rb,
            &Request::SetState {
                item: "decommission.trusted-apps",
                state: ItemState::Done
            }
        ),
        GateStep::Irreversible { .. }
    ));
    // once an irreversible item is done the rollback list no longer applies
    assert!(m.rollback_available);
    s.tick("decommission.uninstall", 5, ItemState::Done, None);
    assert!(!s.derive().rollback_available);
}

// ---- verdict --------------------------------------------------------------------------

#[test]
fn the_verdict_names_every_reason() {
    let mut s = Sheet::default();
    let m = s.derive();
    assert!(!m.verdict.ready);
    assert!(
        m.verdict
            .reasons
            .iter()
            .any(|r| r.contains("import is not done"))
    );
    assert!(m.verdict.reasons.iter().any(|r| r.contains("no verify")));
    assert!(
        m.verdict
            .reasons
            .iter()
            .any(|r| r.contains("items of stages 0–9 are open"))
    );
    // everything before decommission closed, import and verify proven
    let rb = rb();
    let until = rb.stage_index("decommission").unwrap();
    for st in &rb.stages[..until] {
        for it in &st.items {
            s.tick(&it.id, 0, ItemState::Done, None);
        }
    }
    s.job(JobKind::Export, 1, true, json!({"bytes": 5}));
    s.job(JobKind::ImportWhatIf, 2, true, preview_detail(&[]));
    s.job(JobKind::Import, 3, true, json!({}));
    s.job(JobKind::Verify, 4, true, json!({"differences": []}));
    // probe items ticked by hand before any probe ran are unproven, not contradicted
    let m = s.derive();
    assert!(m.verdict.ready, "{:?}", m.verdict);
    assert!(m.verdict.headline.starts_with("READY"));
}

// ---- window times ---------------------------------------------------------------------

#[test]
fn window_times_come_from_marks_job_runs_and_items() {
    let rb = rb();
    let mut s = Sheet::default();
    // an import cancelled then resumed is one step, from its first start to its last finish
    s.run("import", 10, Some(20), "cancelled");
    s.run("import", 30, Some(40), "succeeded");
    s.run("export", 0, Some(5), "succeeded");
    // the admin marks stop-services after the export ran: the export keeps its times
    s.facts.upsert_window_step(WindowStepRecord {
        step: "stop-services".into(),
        started_at: t(50),
        started_by: "alice".into(),
        finished_at: Some(t(55)),
        finished_by: Some("alice".into()),
    });
    // the backups step is closed by its items
    s.tick("shutdown.final-backup", 60, ItemState::Done, None);
    s.tick(
        "shutdown.mgc-backup",
        61,
        ItemState::Skipped,
        Some("nothing on the new pool"),
    );
    let m = s.derive();
    let actual = window::actuals(&rb, &s.facts, &m);
    let of = |step| actual.iter().find(|a| a.step == step).unwrap();
    let import = of(StepId::Import);
    assert_eq!(import.started_at, Some(t(10)));
    assert_eq!(import.finished_at, Some(t(40)));
    assert!(import.source.contains("runs"), "{}", import.source);
    assert_eq!(of(StepId::Export).finished_at, Some(t(5)));
    let backups = of(StepId::Backups);
    assert_eq!(backups.finished_at, Some(t(61)));
    assert!(backups.source.contains("checklist"));
    let st = window::statuses(None, &actual, t(100));
    let row = |step| st.iter().find(|r| r.step == step).unwrap().clone();
    assert_eq!(row(StepId::Import).state, StepState::Done);
    assert_eq!(row(StepId::Import).elapsed_s, Some(30 * 60));
    assert_eq!(row(StepId::Export).state, StepState::Done);
    assert_eq!(row(StepId::StopServices).elapsed_s, Some(5 * 60));
    assert_eq!(row(StepId::FileCopy).state, StepState::Pending);
    // a running job is a running step
    s.run("verify", 90, None, "running");
    let m = s.derive();
    let st = window::statuses(None, &window::actuals(&rb, &s.facts, &m), t(100));
    let v = st.iter().find(|r| r.step == StepId::Verify).unwrap();
    assert_eq!(v.state, StepState::Running);
    assert_eq!(v.elapsed_s, Some(10 * 60));
}

#[test]
fn probe_sources_are_the_ones_the_probes_write() {
    assert!(proof::PROBE_SOURCES.contains(&crate::monitor::probe_items::EVIDENCE_SOURCE));
    assert!(proof::PROBE_SOURCES.contains(&crate::chatdata::precheck::EVIDENCE_SOURCE));
}
