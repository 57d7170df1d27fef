//! The downtime planner on a real lab rehearsal: the headless export, -WhatIf, import and
//! verify run on the lab (the real binary), the planner reads their throughput from the
//! session's job evidence, the plan is saved with the session, and during the window the
//! marked steps and the job runs are tracked against it.

use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{Duration, Utc};
use pchat_migrate::planner::{self, PlanInputs, Rate, StepId, StepState, Throughput};
use pchat_migrate::store::Store;

fn cli(data: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(data)
        .args(["--operator", "tester", "--session", "rehearsal"])
        .args(args)
        .env_remove("PCHAT_MIGRATE_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
}

#[test]
fn planner_uses_the_throughput_a_lab_rehearsal_measured_and_tracks_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for args in [
        &["export"][..],
        &["import", "--what-if"],
        &["import", "--accept-warnings"],
        &["verify"],
    ] {
        cli(&data, args);
    }
    let mut store = Store::open(&data.join("sessions.db")).unwrap();
    let sid = store.session("rehearsal").unwrap().unwrap().id;

    let t = planner::measured_throughput(&store, sid).unwrap();
    for (name, rate) in [
        ("export", &t.export),
        ("import-whatif", &t.import_whatif),
        ("import", &t.import),
        ("verify", &t.verify),
    ] {
        let r = rate.as_ref().unwrap_or_else(|| panic!("no {name} rate"));
        assert!(r.messages_per_s > 0.0, "{name}");
        assert!(
            r.source.contains("lab session \"rehearsal\""),
            "{}",
            r.source
        );
        assert!(r.source.contains("20000 messages"), "{}", r.source);
    }

    // A production estate 500 times the lab's.
    let inputs = PlanInputs {
        messages: 10_000_000,
        database_mb: 40_000.0,
        backup_mb_per_s: Some(100.0),
        file_store_mb: 120_000.0,
        copy_mb_per_s: 40.0,
        throughput: t.clone(),
        safety_factor: 2.0,
        starts_at: Some(Utc::now()),
        ..PlanInputs::default()
    };
    let plan = planner::estimate(&inputs).unwrap();
    let export = plan.step(StepId::Export).unwrap();
    let expected = (10_000_000.0 / t.export.as_ref().unwrap().messages_per_s).ceil() as u64;
    assert_eq!(export.planned_s, expected.div_ceil(60).max(1) * 60);
    assert!(export.basis.contains("lab session"), "{}", export.basis);
    assert_eq!(plan.step(StepId::FileCopy).unwrap().planned_s, 3000);
    assert_eq!(
        plan.step(StepId::Backups).unwrap().planned_s,
        400u64.div_ceil(60) * 60
    );
    assert!(plan.window_s >= plan.total_s * 2);

    planner::save(&mut store, sid, &plan, "alice").unwrap();
    assert_eq!(planner::load(&store, sid).unwrap().unwrap(), plan);
    let ev = store.audit(sid).unwrap().pop().unwrap();
    assert_eq!(ev.kind, "plan-saved");
    assert_eq!(ev.new.as_deref(), Some(plan.summary().as_str()));

    // Without marks, the job runs of the session time their steps.
    let rb = pchat_migrate::runbook::Runbook::embedded().unwrap();
    let actuals = |store: &Store| {
        let facts = store.facts(sid).unwrap();
        let m = pchat_migrate::migration::derive(&rb, &facts);
        pchat_migrate::migration::window::actuals(&rb, &facts, &m)
    };
    let actual = actuals(&store);
    let steps: Vec<StepId> = actual.iter().map(|a| a.step).collect();
    for s in [
        StepId::Export,
        StepId::ImportWhatIf,
        StepId::Import,
        StepId::Verify,
    ] {
        assert!(steps.contains(&s), "{s:?} not timed by its job run");
    }

    // During the window: marks count for their own steps; the job runs keep theirs (a mark
    // does not reset what already ran).
    store
        .start_window_step(sid, "stop-services", "alice")
        .unwrap();
    store
        .finish_window_step(sid, "stop-services", "alice")
        .unwrap();
    store.start_window_step(sid, "backups", "alice").unwrap();
    let actual = actuals(&store);
    assert_eq!(
        actual.len(),
        6,
        "2 marked steps and 4 job steps: {actual:?}"
    );
    let now = Utc::now();
    let track = |at| pchat_migrate::migration::window::statuses(Some(&plan), &actual, at);
    let st = track(now);
    assert_eq!(st[0].step, StepId::StopServices);
    assert_eq!(st[0].state, StepState::Done);
    assert_eq!(st[1].state, StepState::Running);
    let export = st.iter().find(|s| s.step == StepId::Export).unwrap();
    assert!(matches!(
        export.state,
        StepState::Done | StepState::DoneLate
    ));
    for s in [StepId::FileCopy, StepId::Endpoint, StepId::Start] {
        let row = st.iter().find(|x| x.step == s).unwrap();
        assert_eq!(row.state, StepState::Pending, "{s:?}");
    }
    let later = track(now + Duration::hours(5));
    assert_eq!(later[1].state, StepState::RunningLate);
    let w = pchat_migrate::migration::window::progress(&plan, &st, now);
    assert!(w.within_window);
    assert!(w.actual_s.is_some());
}

#[test]
fn planner_with_entered_figures_needs_no_rehearsal() {
    let plan = planner::estimate(&PlanInputs {
        messages: 3_000_000,
        file_store_mb: 0.0,
        throughput: Throughput {
            export: Some(Rate::entered(2_000.0)),
            import: Some(Rate::entered(1_000.0)),
            ..Throughput::default()
        },
        ..PlanInputs::default()
    })
    .unwrap();
    assert_eq!(plan.step(StepId::Export).unwrap().planned_s, 1500);
    assert_eq!(plan.step(StepId::Import).unwrap().planned_s, 3000);
    assert_eq!(
        plan.step(StepId::FileCopy).unwrap().basis,
        "no file posts in the source: nothing to copy"
    );
    assert!(plan.summary().starts_with("window "));
}

/// Issue 10 §5: a resumed import was timed as if it had moved every message in its own run.
#[test]
fn a_resumed_import_is_timed_by_the_messages_it_wrote() {
    let mut store = Store::open_in_memory().unwrap();
    let s = store.create_session("r", "lab", None, "alice").unwrap();
    let outcome = serde_json::json!({
        "kind": "import", "passed": true, "summary": "imported", "elapsed_ms": 44_500,
        "detail": { "messages": 9_997_372, "resumed": true, "messages_this_run": 7_747_372 }
    });
    store
        .add_evidence(
            s.id,
            "import.run",
            &pchat_migrate::store::Evidence {
                source: "Import job".into(),
                summary: "imported".into(),
                passed: Some(true),
                detail: outcome,
            },
            "alice",
        )
        .unwrap();
    let t = planner::measured_throughput(&store, s.id).unwrap();
    let rate = t.import.unwrap().messages_per_s;
    let want = 7_747_372.0 / 44.5;
    assert!((rate - want).abs() < 1.0, "{rate} msg/s, want {want}");
}
