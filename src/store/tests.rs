//! Unit tests of the store. Every test name lives under `store::` so that
//! `cargo test --lib store` runs them all.

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;
use rusqlite::Connection;
use serde_json::json;

use super::*;

fn mem() -> (Store, Session) {
    let mut s = Store::open_in_memory().unwrap();
    let sess = s.create_session("s1", "lab", None, "alice").unwrap();
    (s, sess)
}

fn kinds(store: &Store, sid: i64) -> Vec<String> {
    store
        .audit(sid)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// A pilot result recorded by operator "c".
fn set_as_c(
    s: &mut Store,
    sid: i64,
    sip: &str,
    case: PilotCase,
    result: PilotOutcome,
    note: &str,
) -> Result<crate::pilot_model::PilotResultRecord, StoreError> {
    s.set_pilot_result(sid, sip, case, result, note, "c")
}

#[test]
fn item_state_names_parse_and_serialise() {
    for st in ItemState::ALL {
        assert_eq!(st.as_str().parse::<ItemState>().unwrap(), st);
        assert_eq!(
            serde_json::to_string(&st).unwrap(),
            format!("\"{}\"", st.as_str())
        );
        assert_eq!(st.to_string(), st.as_str());
    }
    assert_eq!(" Done ".parse::<ItemState>().unwrap(), ItemState::Done);
    assert!(matches!(
        "finished".parse::<ItemState>(),
        Err(StoreError::InvalidState(_))
    ));
    let needs: Vec<_> = ItemState::ALL
        .into_iter()
        .filter(|s| s.requires_reason())
        .collect();
    assert_eq!(needs, vec![ItemState::Skipped, ItemState::Blocked]);
}

#[test]
fn store_session_round_trip() {
    let mut s = Store::open_in_memory().unwrap();
    assert!(s.path().is_none());
    assert!(s.last_session().unwrap().is_none());
    let a = s
        .create_session("cutover", "production", Some("/etc/prod.toml"), "alice")
        .unwrap();
    assert_eq!(a.name, "cutover");
    assert_eq!(a.deployment, "production");
    assert_eq!(a.profile.as_deref(), Some("/etc/prod.toml"));
    assert_eq!(a.created_by, "alice");
    assert_eq!(a.created_at, a.last_opened_at);
    assert_eq!(s.session("cutover").unwrap(), Some(a.clone()));
    assert_eq!(s.session("nope").unwrap(), None);

    let b = s.create_session("rehearsal", "lab", None, "bob").unwrap();
    assert_eq!(s.last_session().unwrap().unwrap().id, b.id);
    // Re-opening `a` makes it the most recent one.
    let a2 = s
        .open_or_create_session("cutover", "production", None, "carol")
        .unwrap();
    assert_eq!(a2.id, a.id);
    assert!(a2.last_opened_at >= a.last_opened_at);
    assert_eq!(
        a2.profile.as_deref(),
        Some("/etc/prod.toml"),
        "None keeps the profile"
    );
    let names: Vec<_> = s.sessions().unwrap().into_iter().map(|x| x.name).collect();
    assert_eq!(names, ["cutover", "rehearsal"]);
    assert_eq!(s.last_session().unwrap().unwrap(), a2);
    assert_eq!(s.session("cutover").unwrap().unwrap(), a2);

    // open_or_create creates when missing.
    let c = s
        .open_or_create_session("new", "lab", None, "dave")
        .unwrap();
    assert_eq!(s.session("new").unwrap().unwrap(), c);
    assert_eq!(kinds(&s, c.id), ["session-created"]);
    let created = &s.audit(a.id).unwrap()[0];
    assert_eq!(created.new.as_deref(), Some("cutover"));
    assert_eq!(created.who, "alice");
}

#[test]
fn store_session_rules() {
    let mut s = Store::open_in_memory().unwrap();
    s.create_session("x", "lab", Some("/p1"), "a").unwrap();
    assert!(matches!(
        s.create_session("x", "lab", None, "a"),
        Err(StoreError::SessionExists { .. })
    ));
    assert!(matches!(
        s.create_session("y", "staging", None, "a"),
        Err(StoreError::InvalidDeployment(_))
    ));
    assert!(matches!(
        s.create_session("  ", "lab", None, "a"),
        Err(StoreError::Empty { .. })
    ));
    let e = s
        .open_or_create_session("x", "production", None, "a")
        .unwrap_err();
    assert!(matches!(e, StoreError::DeploymentMismatch { .. }), "{e}");
    // A different profile is recorded and audited.
    let x = s
        .open_or_create_session("x", "lab", Some("/p2"), "b")
        .unwrap();
    assert_eq!(x.profile.as_deref(), Some("/p2"));
    assert_eq!(
        s.session("x").unwrap().unwrap().profile.as_deref(),
        Some("/p2")
    );
    let ev = s.audit(x.id).unwrap().pop().unwrap();
    assert_eq!(ev.kind, "session-profile-changed");
    assert_eq!(
        (ev.old.as_deref(), ev.new.as_deref()),
        (Some("/p1"), Some("/p2"))
    );
    assert_eq!(s.sessions().unwrap().len(), 1);
}

#[test]
fn store_item_state_round_trip_and_audit() {
    let (mut s, sess) = mem();
    assert!(s.item_records(sess.id).unwrap().is_empty());
    let r = s
        .set_item_state(sess.id, "pre-1", ItemState::Done, None, "alice")
        .unwrap();
    assert_eq!(r.state, ItemState::Done);
    assert_eq!(r.who, "alice");
    assert_eq!(r.reason, None);
    assert_eq!(s.item_records(sess.id).unwrap()["pre-1"], r);

    let r2 = s
        .set_item_state(
            sess.id,
            "pre-1",
            ItemState::Skipped,
            Some("not needed"),
            "bob",
        )
        .unwrap();
    assert_eq!(r2.reason.as_deref(), Some("not needed"));
    assert_eq!(s.item_records(sess.id).unwrap()["pre-1"], r2);
    for st in [ItemState::Blocked, ItemState::Failed, ItemState::Todo] {
        let r = s
            .set_item_state(sess.id, "pre-1", st, Some("why"), "bob")
            .unwrap();
        assert_eq!(s.item_records(sess.id).unwrap()["pre-1"], r);
    }

    let ev: Vec<_> = s
        .audit(sess.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "item-state")
        .map(|e| (e.old, e.new, e.detail, e.who, e.item_id))
        .collect();
    let o = |x: &str| Some(x.to_string());
    assert_eq!(
        ev,
        vec![
            (None, o("done"), None, "alice".into(), o("pre-1")),
            (
                o("done"),
                o("skipped"),
                o("not needed"),
                "bob".into(),
                o("pre-1")
            ),
            (
                o("skipped"),
                o("blocked"),
                o("why"),
                "bob".into(),
                o("pre-1")
            ),
            (
                o("blocked"),
                o("failed"),
                o("why"),
                "bob".into(),
                o("pre-1")
            ),
            (o("failed"), o("todo"), o("why"), "bob".into(), o("pre-1")),
        ]
    );
    // Same state and reason again: nothing written.
    let n = s.audit(sess.id).unwrap().len();
    let same = s
        .set_item_state(sess.id, "pre-1", ItemState::Todo, Some("why"), "eve")
        .unwrap();
    assert_eq!(same.who, "bob");
    assert_eq!(s.audit(sess.id).unwrap().len(), n);
    s.verify_audit(sess.id).unwrap();
}

#[test]
fn store_reason_required_for_skipped_and_blocked() {
    let (mut s, sess) = mem();
    for st in [ItemState::Skipped, ItemState::Blocked] {
        for reason in [None, Some(""), Some("   \t")] {
            let e = s.set_item_state(sess.id, "x", st, reason, "a").unwrap_err();
            assert!(matches!(e, StoreError::ReasonRequired { state } if state == st));
            assert_eq!(
                e.to_string(),
                format!("a reason is required to mark an item {}", st.as_str())
            );
        }
    }
    assert!(s.item_records(sess.id).unwrap().is_empty());
    assert_eq!(kinds(&s, sess.id), ["session-created"]);
    // Other states do not need one; a blank one is stored as none.
    let r = s
        .set_item_state(sess.id, "x", ItemState::Failed, Some(" "), "a")
        .unwrap();
    assert_eq!(r.reason, None);
}

#[test]
fn store_notes_round_trip() {
    let (mut s, sess) = mem();
    let r = s
        .set_note(sess.id, "n1", "check DNS\nfirst", "alice")
        .unwrap();
    assert_eq!(r.state, ItemState::Todo, "a note alone makes the item Todo");
    assert_eq!(r.note.as_deref(), Some("check DNS\nfirst"));
    assert_eq!(r.note_who.as_deref(), Some("alice"));
    assert_eq!(r.who, "alice");
    assert_eq!(r.note_at, Some(r.at));
    assert_eq!(s.item_records(sess.id).unwrap()["n1"], r);

    // The state keeps the note and the note keeps the state.
    let r = s
        .set_item_state(sess.id, "n1", ItemState::Done, None, "bob")
        .unwrap();
    assert_eq!(r.note.as_deref(), Some("check DNS\nfirst"));
    let r = s.set_note(sess.id, "n1", "done, see log", "carol").unwrap();
    assert_eq!((r.state, r.who.as_str()), (ItemState::Done, "bob"));
    assert_eq!(s.item_records(sess.id).unwrap()["n1"], r);

    // Blank clears.
    let r = s.set_note(sess.id, "n1", "  ", "dave").unwrap();
    assert_eq!(r.note, None);
    assert_eq!(r.note_who.as_deref(), Some("dave"));
    assert_eq!(s.item_records(sess.id).unwrap()["n1"], r);

    let notes: Vec<_> = s
        .audit(sess.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "note")
        .map(|e| (e.old, e.new))
        .collect();
    assert_eq!(
        notes,
        vec![
            (None, Some("check DNS\nfirst".into())),
            (
                Some("check DNS\nfirst".into()),
                Some("done, see log".into())
            ),
            (Some("done, see log".into()), None),
        ]
    );
}

#[test]
fn store_change_and_audit_are_one_transaction() {
    let (mut s, sess) = mem();
    s.set_item_state(sess.id, "a", ItemState::Done, None, "x")
        .unwrap();
    s.set_note(sess.id, "a", "first", "x").unwrap();
    let before_items = s.item_records(sess.id).unwrap();
    let before_audit = s.audit(sess.id).unwrap();

    // The audit insert fails: the change must not be there either.
    s.conn
        .execute_batch(
            "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON audit
             BEGIN SELECT RAISE(ABORT, 'audit insert refused by test'); END;",
        )
        .unwrap();
    assert!(
        s.set_item_state(sess.id, "a", ItemState::Failed, None, "x")
            .is_err()
    );
    assert!(s.set_note(sess.id, "a", "second", "x").is_err());
    assert!(
        s.set_item_state(sess.id, "b", ItemState::Done, None, "x")
            .is_err()
    );
    assert_eq!(s.item_records(sess.id).unwrap(), before_items);
    s.conn.execute_batch("DROP TRIGGER fail_audit").unwrap();

    // The item write fails: no audit event either.
    s.conn
        .execute_batch(
            "CREATE TEMP TRIGGER fail_items BEFORE UPDATE ON items
             BEGIN SELECT RAISE(ABORT, 'item update refused by test'); END;",
        )
        .unwrap();
    assert!(
        s.set_item_state(sess.id, "a", ItemState::Failed, None, "x")
            .is_err()
    );
    assert!(s.set_note(sess.id, "a", "second", "x").is_err());
    assert_eq!(s.audit(sess.id).unwrap(), before_audit);
    s.conn.execute_batch("DROP TRIGGER fail_items").unwrap();

    s.set_item_state(sess.id, "a", ItemState::Failed, None, "x")
        .unwrap();
    s.verify_audit(sess.id).unwrap();
}

#[test]
fn store_sessions_are_isolated() {
    let mut s = Store::open_in_memory().unwrap();
    let a = s.create_session("a", "lab", None, "x").unwrap();
    let b = s.create_session("b", "production", None, "x").unwrap();
    s.set_item_state(a.id, "i", ItemState::Done, None, "x")
        .unwrap();
    s.set_note(b.id, "i", "only in b", "x").unwrap();
    s.record_event(a.id, "downtime-confirmed", Some("i"), "window 1", "x")
        .unwrap();
    let ev = Evidence {
        source: "operator".into(),
        summary: "ok".into(),
        passed: Some(true),
        detail: json!({}),
    };
    s.add_evidence(b.id, "i", &ev, "x").unwrap();
    s.save_ui_state(a.id, r#"{"stage":1}"#).unwrap();
    s.job_started(b.id, "i", "verify", None, "x").unwrap();

    let ra = &s.item_records(a.id).unwrap()["i"];
    let rb = &s.item_records(b.id).unwrap()["i"];
    assert_eq!((ra.state, ra.note.as_deref()), (ItemState::Done, None));
    assert_eq!(
        (rb.state, rb.note.as_deref()),
        (ItemState::Todo, Some("only in b"))
    );
    assert!(s.evidence(a.id, "i").unwrap().is_empty());
    assert_eq!(s.evidence(b.id, "i").unwrap().len(), 1);
    assert_eq!(s.load_ui_state(b.id).unwrap(), None);
    assert!(s.job_runs(a.id).unwrap().is_empty());
    assert_eq!(s.job_runs(b.id).unwrap().len(), 1);
    assert_eq!(s.mark_interrupted_jobs(a.id).unwrap(), 0);
    assert_eq!(s.job_runs(b.id).unwrap()[0].status, "running");
    assert!(s.audit(a.id).unwrap().iter().all(|e| e.session_id == a.id));
    assert!(s.audit(b.id).unwrap().iter().all(|e| e.session_id == b.id));
    assert_eq!(
        kinds(&s, a.id),
        ["session-created", "item-state", "downtime-confirmed"]
    );
    assert_eq!(
        kinds(&s, b.id),
        ["session-created", "note", "evidence-added", "job-started"]
    );
}

#[test]
fn store_unknown_session_is_refused() {
    let mut s = Store::open_in_memory().unwrap();
    assert!(matches!(
        s.set_item_state(42, "i", ItemState::Done, None, "x"),
        Err(StoreError::UnknownSession { id: 42, .. })
    ));
    assert!(matches!(
        s.set_note(42, "i", "n", "x"),
        Err(StoreError::UnknownSession { .. })
    ));
    assert!(matches!(
        s.record_event(42, "k", None, "", "x"),
        Err(StoreError::UnknownSession { .. })
    ));
    assert!(matches!(
        s.save_ui_state(42, "{}"),
        Err(StoreError::UnknownSession { .. })
    ));
    assert!(matches!(
        s.job_started(42, "i", "k", None, "x"),
        Err(StoreError::UnknownSession { .. })
    ));
    assert!(s.item_records(42).unwrap().is_empty());
    assert!(s.audit(42).unwrap().is_empty());
}

#[test]
fn store_record_event_round_trip() {
    let (mut s, sess) = mem();
    let e = s
        .record_event(
            sess.id,
            "downtime-confirmed",
            Some("cut-3"),
            "20:00-22:00",
            "alice",
        )
        .unwrap();
    assert_eq!(e.kind, "downtime-confirmed");
    assert_eq!(e.item_id.as_deref(), Some("cut-3"));
    assert_eq!(e.detail.as_deref(), Some("20:00-22:00"));
    assert_eq!((e.old.as_deref(), e.new.as_deref()), (None, None));
    let g = s
        .record_event(sess.id, "gate-override", None, "", "bob")
        .unwrap();
    assert_eq!(g.detail, None);
    assert_eq!(g.prev_hash, e.hash);
    let all = s.audit(sess.id).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1], e);
    assert_eq!(all[2], g);
    assert_eq!(all[0].prev_hash, GENESIS_HASH);
    assert!(matches!(
        s.record_event(sess.id, " ", None, "", "bob"),
        Err(StoreError::Empty { .. })
    ));
}

#[test]
fn store_evidence_round_trip() {
    let (mut s, sess) = mem();
    let e1 = Evidence {
        source: "verify job".into(),
        summary: "12 rooms, 3400 messages match".into(),
        passed: Some(true),
        detail: json!({"rooms": 12, "messages": 3400, "names": ["a", "b"]}),
    };
    let e2 = Evidence {
        source: "operator".into(),
        summary: "screenshot reviewed".into(),
        passed: None,
        detail: json!(null),
    };
    let r1 = s.add_evidence(sess.id, "ver-1", &e1, "job").unwrap();
    let r2 = s.add_evidence(sess.id, "ver-1", &e2, "alice").unwrap();
    assert_eq!(r1.evidence, e1);
    assert_eq!(s.evidence(sess.id, "ver-1").unwrap(), vec![r2, r1.clone()]);
    assert!(s.evidence(sess.id, "ver-2").unwrap().is_empty());
    let ev = s
        .audit(sess.id)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "evidence-added")
        .unwrap();
    assert_eq!(ev.new.as_deref(), Some(e1.summary.as_str()));
    let d: serde_json::Value = serde_json::from_str(ev.detail.as_deref().unwrap()).unwrap();
    assert_eq!(d["evidence_id"], r1.id);
    assert_eq!(d["sha256"].as_str().unwrap().len(), 64);
    // Evidence is append-only too.
    assert!(
        s.conn
            .execute("UPDATE evidence SET summary = 'forged'", [])
            .is_err()
    );
    assert!(s.conn.execute("DELETE FROM evidence", []).is_err());
}

#[test]
fn store_ui_state_round_trip() {
    let (mut s, sess) = mem();
    assert_eq!(s.load_ui_state(sess.id).unwrap(), None);
    s.save_ui_state(sess.id, r#"{"stage":"pre","cursor":3}"#)
        .unwrap();
    s.save_ui_state(sess.id, r#"{"stage":"cut","cursor":0}"#)
        .unwrap();
    assert_eq!(
        s.load_ui_state(sess.id).unwrap().as_deref(),
        Some(r#"{"stage":"cut","cursor":0}"#)
    );
    assert_eq!(kinds(&s, sess.id), ["session-created"], "not audited");
}

#[test]
fn store_job_runs_round_trip() {
    let (mut s, sess) = mem();
    let j1 = s
        .job_started(sess.id, "exp-1", "export", Some("/logs/exp.log"), "alice")
        .unwrap();
    assert_eq!(j1.status, "running");
    assert_eq!(j1.finished_at, None);
    let j2 = s
        .job_started(sess.id, "ver-1", "verify", None, "alice")
        .unwrap();
    assert_eq!(s.job_runs(sess.id).unwrap(), vec![j2.clone(), j1.clone()]);

    let f1 = s.job_finished(j1.id, "succeeded", "3400 messages").unwrap();
    assert_eq!(f1.status, "succeeded");
    assert_eq!(f1.summary.as_deref(), Some("3400 messages"));
    assert!(f1.finished_at.unwrap() >= f1.started_at);
    assert_eq!(s.job_runs(sess.id).unwrap()[1], f1);
    assert!(matches!(
        s.job_finished(j1.id, "failed", "again"),
        Err(StoreError::JobNotRunning { .. })
    ));
    assert!(matches!(
        s.job_finished(j2.id, "running", ""),
        Err(StoreError::InvalidJobStatus(_))
    ));
    assert!(matches!(
        s.job_finished(j2.id, "done", ""),
        Err(StoreError::InvalidJobStatus(_))
    ));
    assert!(matches!(
        s.job_finished(999, "failed", ""),
        Err(StoreError::UnknownJob { id: 999, .. })
    ));

    // A crash leaves j2 (and j3) running; start-up marks them interrupted.
    let j3 = s
        .job_started(sess.id, "imp-1", "import", None, "bob")
        .unwrap();
    assert_eq!(s.mark_interrupted_jobs(sess.id).unwrap(), 2);
    let runs = s.job_runs(sess.id).unwrap();
    assert_eq!(
        runs.iter()
            .map(|j| (j.id, j.status.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (j3.id, "interrupted"),
            (j2.id, "interrupted"),
            (j1.id, "succeeded")
        ]
    );
    assert!(runs[0].finished_at.is_some() && runs[0].summary.is_some());
    assert_eq!(s.mark_interrupted_jobs(sess.id).unwrap(), 0);

    let ev: Vec<_> = s
        .audit(sess.id)
        .unwrap()
        .into_iter()
        .skip(1)
        .map(|e| (e.kind, e.who, e.new))
        .collect();
    let o = |x: &str| Some(x.to_string());
    assert_eq!(
        ev,
        vec![
            ("job-started".into(), "alice".into(), o("running")),
            ("job-started".into(), "alice".into(), o("running")),
            ("job-finished".into(), "alice".into(), o("succeeded")),
            ("job-started".into(), "bob".into(), o("running")),
            (
                "job-interrupted".into(),
                "pchat-migrate".into(),
                o("interrupted")
            ),
            (
                "job-interrupted".into(),
                "pchat-migrate".into(),
                o("interrupted")
            ),
        ]
    );
    s.verify_audit(sess.id).unwrap();
}

#[test]
fn store_timestamps_are_rfc3339_utc_millis() {
    let (mut s, sess) = mem();
    s.set_item_state(sess.id, "i", ItemState::Done, None, "x")
        .unwrap();
    let raw: Vec<String> = s
        .conn
        .prepare("SELECT at FROM audit UNION ALL SELECT at FROM items UNION ALL SELECT created_at FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in raw {
        // 2024-05-01T09:30:00.123Z
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[19] == b'.', "{t}");
        assert!(model::parse_ts(&t).is_some(), "{t}");
    }
}

fn populate(s: &mut Store) -> i64 {
    let sess = s
        .create_session("persist", "production", Some("/p.toml"), "alice")
        .unwrap();
    s.set_item_state(
        sess.id,
        "a",
        ItemState::Blocked,
        Some("waiting on DBA"),
        "alice",
    )
    .unwrap();
    s.set_note(sess.id, "a", "ticket 4711", "bob").unwrap();
    s.record_event(sess.id, "downtime-confirmed", None, "sat 20:00", "alice")
        .unwrap();
    let ev = Evidence {
        source: "verify job".into(),
        summary: "ok".into(),
        passed: Some(false),
        detail: json!({"diff": [1, 2]}),
    };
    s.add_evidence(sess.id, "a", &ev, "job").unwrap();
    s.save_ui_state(sess.id, r#"{"x":1}"#).unwrap();
    let j = s
        .job_started(sess.id, "a", "export", Some("/l"), "alice")
        .unwrap();
    s.job_finished(j.id, "failed", "timeout").unwrap();
    s.job_started(sess.id, "a", "verify", None, "alice")
        .unwrap();
    sess.id
}

#[test]
fn store_reopen_finds_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/session.db");
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.path(), Some(path.as_path()));
    let sid = populate(&mut s);
    let snapshot = (
        s.sessions().unwrap(),
        s.item_records(sid).unwrap(),
        s.audit(sid).unwrap(),
        s.evidence(sid, "a").unwrap(),
        s.load_ui_state(sid).unwrap(),
        s.job_runs(sid).unwrap(),
    );
    drop(s);

    let mut s = Store::open(&path).unwrap();
    let again = (
        s.sessions().unwrap(),
        s.item_records(sid).unwrap(),
        s.audit(sid).unwrap(),
        s.evidence(sid, "a").unwrap(),
        s.load_ui_state(sid).unwrap(),
        s.job_runs(sid).unwrap(),
    );
    assert_eq!(again, snapshot);
    s.verify_audit(sid).unwrap();
    assert_eq!(s.mark_interrupted_jobs(sid).unwrap(), 1);
    // The chain continues across reopen.
    s.set_note(sid, "b", "after reopen", "carol").unwrap();
    s.verify_audit(sid).unwrap();
}

#[test]
fn store_file_pragmas_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = Store::open(&path).unwrap();
    let q = |p: &str| -> String {
        s.conn
            .query_row(&format!("PRAGMA {p}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(q("journal_mode"), "Text(\"wal\")");
    assert_eq!(q("synchronous"), "Integer(2)", "FULL");
    assert_eq!(q("foreign_keys"), "Integer(1)");
    assert_eq!(q("user_version"), format!("Integer({SCHEMA_VERSION})"));
    assert_eq!(q("locking_mode"), "Text(\"exclusive\")");
}

#[test]
fn store_second_open_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut s = Store::open(&path).unwrap();
    s.create_session("x", "lab", None, "a").unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("another pchat-migrate"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    drop(s);
    let s = Store::open(&path).unwrap();
    assert!(s.session("x").unwrap().is_some());
}

#[test]
fn store_refuses_newer_and_foreign_databases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    {
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::TooNew {
                found: 99,
                supported: SCHEMA_VERSION,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("newer version"), "{e}");
    {
        let c = Connection::open(&path).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 99, "left untouched");
    }

    let other = dir.path().join("other.db");
    {
        let c = Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE customers (id INTEGER)")
            .unwrap();
    }
    let e = Store::open(&other).unwrap_err();
    assert!(matches!(e, StoreError::NotOurs { .. }), "{e}");
    {
        let c = Connection::open(&other).unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "a foreign file is not switched to WAL");
    }

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough ".repeat(20),
    )
    .unwrap();
    let e = Store::open(&text).unwrap_err();
    assert!(matches!(e, StoreError::NotOurs { .. }), "{e}");
}

#[test]
fn store_audit_update_and_delete_are_refused() {
    let (mut s, sess) = mem();
    s.record_event(sess.id, "k", None, "d", "x").unwrap();
    let e = s
        .conn
        .execute("UPDATE audit SET detail = 'forged' WHERE id = 2", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = s
        .conn
        .execute("DELETE FROM audit WHERE id = 2", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert_eq!(s.audit(sess.id).unwrap()[1].detail.as_deref(), Some("d"));
}

/// A store file with six events (ids 1..=6), closed.
fn tamper_fixture(path: &Path) {
    let mut s = Store::open(path).unwrap();
    let a = s.create_session("a", "lab", None, "x").unwrap();
    let b = s.create_session("b", "lab", None, "x").unwrap();
    s.set_item_state(a.id, "i", ItemState::Done, None, "x")
        .unwrap();
    s.set_note(b.id, "i", "note", "x").unwrap();
    s.record_event(a.id, "gate-override", None, "because", "x")
        .unwrap();
    s.record_event(b.id, "downtime-confirmed", None, "ok", "x")
        .unwrap();
    s.verify_audit(a.id).unwrap();
}

fn raw(path: &Path, sql: &str) {
    let c = Connection::open(path).unwrap();
    c.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    c.execute_batch(sql).unwrap();
}

#[test]
fn store_edited_audit_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    tamper_fixture(&path);
    raw(
        &path,
        "UPDATE audit SET detail = 'nobody asked' WHERE id = 5",
    );
    let s = Store::open(&path).unwrap();
    let b = s.verify_audit(1).unwrap_err();
    assert_eq!(b.id, 5, "{b}");
    assert!(b.reason.contains("does not match its hash"), "{b}");
    // Opening re-armed the triggers.
    assert!(
        s.conn
            .execute("UPDATE audit SET who = 'y' WHERE id = 1", [])
            .is_err()
    );
}

#[test]
fn store_rehashed_or_removed_audit_rows_are_named() {
    let dir = tempfile::tempdir().unwrap();

    // Edit row 3 and recompute its own hash: row 4's link breaks.
    let path = dir.path().join("rehash.db");
    tamper_fixture(&path);
    {
        let s = Store::open(&path).unwrap();
        let e = &s.audit(1).unwrap()[1];
        assert_eq!(e.id, 3);
        let forged = audit::hash(&audit::Fields {
            id: e.id,
            session_id: e.session_id,
            at: &model::fmt_ts(e.at),
            who: "mallory",
            kind: &e.kind,
            item_id: e.item_id.as_deref(),
            old: e.old.as_deref(),
            new: e.new.as_deref(),
            detail: e.detail.as_deref(),
            prev_hash: &e.prev_hash,
        });
        drop(s);
        raw(
            &path,
            &format!("UPDATE audit SET who = 'mallory', hash = '{forged}' WHERE id = 3"),
        );
    }
    let b = Store::open(&path).unwrap().verify_audit(1).unwrap_err();
    assert_eq!(b.id, 4, "{b}");
    assert!(b.reason.contains("prev_hash"), "{b}");

    // Remove row 2: row 3's link breaks.
    let path = dir.path().join("delete.db");
    tamper_fixture(&path);
    raw(&path, "DELETE FROM audit WHERE id = 2");
    let b = Store::open(&path).unwrap().verify_audit(1).unwrap_err();
    assert_eq!(b.id, 3, "{b}");

    // Remove the first row: the new first row does not start from the genesis hash.
    let path = dir.path().join("first.db");
    tamper_fixture(&path);
    raw(&path, "DELETE FROM audit WHERE id = 1");
    let b = Store::open(&path).unwrap().verify_audit(1).unwrap_err();
    assert_eq!(b.id, 2, "{b}");

    // The newest row edited: caught by its own hash.
    let path = dir.path().join("last.db");
    tamper_fixture(&path);
    raw(&path, "UPDATE audit SET item_id = 'x' WHERE id = 6");
    let b = Store::open(&path).unwrap().verify_audit(1).unwrap_err();
    assert_eq!(b.id, 6, "{b}");
}

// ---- property test: random edits end where a model says, and the chain verifies ----

#[derive(Clone, Debug)]
enum Op {
    State {
        sess: usize,
        item: usize,
        state: ItemState,
        reason: Option<String>,
    },
    Note {
        sess: usize,
        item: usize,
        text: String,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let reason = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        Just(Some("  ".to_string())),
        "[a-z ]{1,8}".prop_map(Some),
    ];
    let text = prop_oneof![
        Just(String::new()),
        Just(" \n".to_string()),
        "[a-zé\n ]{1,12}",
    ];
    prop_oneof![
        (0..2usize, 0..4usize, 0..5usize, reason).prop_map(|(sess, item, st, reason)| {
            Op::State {
                sess,
                item,
                state: ItemState::ALL[st],
                reason,
            }
        }),
        (0..2usize, 0..4usize, text).prop_map(|(sess, item, text)| Op::Note { sess, item, text }),
    ]
}

/// (state, reason, note) per item.
type Model = HashMap<String, (ItemState, Option<String>, Option<String>)>;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn store_random_edits_match_model(ops in proptest::collection::vec(op(), 0..60)) {
        let mut s = Store::open_in_memory().unwrap();
        let ids = [
            s.create_session("p0", "lab", None, "t").unwrap().id,
            s.create_session("p1", "production", None, "t").unwrap().id,
        ];
        let mut models: [Model; 2] = Default::default();
        let mut events = [1usize, 1usize];
        for op in &ops {
            match op {
                Op::State { sess, item, state, reason } => {
                    let item = format!("item-{item}");
                    let res = s.set_item_state(ids[*sess], &item, *state, reason.as_deref(), "t");
                    let reason = reason.clone().filter(|r| !r.trim().is_empty());
                    if state.requires_reason() && reason.is_none() {
                        prop_assert!(
                            matches!(res, Err(StoreError::ReasonRequired { .. })),
                            "expected ReasonRequired, got {:?}", res
                        );
                        continue;
                    }
                    let rec = res.unwrap();
                    let m = &mut models[*sess];
                    let existed = m.contains_key(&item);
                    let entry = m.entry(item).or_insert((ItemState::Todo, None, None));
                    if !existed || (entry.0, &entry.1) != (*state, &reason) {
                        events[*sess] += 1;
                    }
                    entry.0 = *state;
                    entry.1 = reason;
                    prop_assert_eq!((rec.state, &rec.reason, &rec.note), (entry.0, &entry.1, &entry.2));
                }
                Op::Note { sess, item, text } => {
                    let item = format!("item-{item}");
                    let rec = s.set_note(ids[*sess], &item, text, "t").unwrap();
                    let note = (!text.trim().is_empty()).then(|| text.clone());
                    let m = &mut models[*sess];
                    let existed = m.contains_key(&item);
                    let entry = m.entry(item).or_insert((ItemState::Todo, None, None));
                    if !existed || entry.2 != note {
                        events[*sess] += 1;
                    }
                    entry.2 = note;
                    prop_assert_eq!((rec.state, &rec.reason, &rec.note), (entry.0, &entry.1, &entry.2));
                }
            }
        }
        for (k, id) in ids.iter().enumerate() {
            let got: Model = s
                .item_records(*id)
                .unwrap()
                .into_iter()
                .map(|(item, r)| (item, (r.state, r.reason, r.note)))
                .collect();
            prop_assert_eq!(&got, &models[k]);
            prop_assert_eq!(s.audit(*id).unwrap().len(), events[k]);
        }
        prop_assert_eq!(s.verify_audit(ids[0]), Ok(()));
    }
}

#[test]
fn store_is_send() {
    fn send<T: Send>() {}
    send::<Store>();
    send::<StoreError>();
}

// ---- schema version 2: pilot, plan, window steps ----

use crate::pilot_model::{NewPilotUser, PilotCase, PilotClient, PilotOutcome};

fn new_user(sip: &str, client: PilotClient) -> NewPilotUser {
    NewPilotUser {
        sip: sip.into(),
        display_name: sip.trim_start_matches("sip:").into(),
        client,
        pool: Some("lyncpool.contoso.lab".into()),
        pchat_policy: Some(true),
        homed_on_2013: Some(true),
    }
}

#[test]
fn store_pilot_users_add_update_and_audit() {
    let (mut s, sess) = mem();
    let a = new_user("sip:a@x.com", PilotClient::Lync2013);
    let b = new_user("sip:b@x.com", PilotClient::Lync2010GroupChat);
    let r = s
        .add_pilot_users(sess.id, &[a.clone(), b.clone()], "profile", "alice")
        .unwrap();
    assert_eq!(r.added, ["sip:a@x.com", "sip:b@x.com"]);
    assert!(r.updated.is_empty());
    // Same again: nothing changes, no event.
    let before = s.audit(sess.id).unwrap().len();
    let r = s
        .add_pilot_users(sess.id, std::slice::from_ref(&a), "profile", "alice")
        .unwrap();
    assert_eq!((r.added.len(), r.updated.len(), r.unchanged), (0, 0, 1));
    assert_eq!(s.audit(sess.id).unwrap().len(), before);
    // A changed client (SIP case differs) updates in place.
    let mut a2 = a.clone();
    a2.sip = "sip:A@x.com".into();
    a2.client = PilotClient::SkypeForBusiness;
    let r = s
        .add_pilot_users(sess.id, &[a2], "csv:p.csv", "bob")
        .unwrap();
    assert_eq!(r.updated, ["sip:a@x.com"]);
    let users = s.pilot_users(sess.id).unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].sip, "sip:a@x.com", "order of adding kept");
    assert_eq!(users[0].client, PilotClient::SkypeForBusiness);
    assert_eq!(users[0].source, "csv:p.csv");
    let ev = s.audit(sess.id).unwrap();
    let last = ev.last().unwrap();
    assert_eq!(last.kind, "pilot-users-added");
    assert_eq!(last.new.as_deref(), Some("0 added, 1 updated"));
    assert!(last.detail.as_deref().unwrap().contains("csv:p.csv"));
    s.verify_audit(sess.id).unwrap();
    assert!(matches!(
        s.add_pilot_users(sess.id, &[a], "", "x"),
        Err(StoreError::Empty { .. })
    ));
    assert!(matches!(
        s.add_pilot_users(999, &[], "profile", "x"),
        Err(StoreError::UnknownSession { .. })
    ));
}

#[test]
fn store_pilot_results_rules_matrix_and_audit() {
    let (mut s, sess) = mem();
    s.add_pilot_users(
        sess.id,
        &[
            new_user("sip:a@x.com", PilotClient::Lync2013),
            new_user("sip:b@x.com", PilotClient::Ocs2007R2GroupChat),
        ],
        "profile",
        "alice",
    )
    .unwrap();

    // Full matrix before anything is recorded.
    let m = s.pilot_results(sess.id).unwrap();
    assert_eq!(m.results.len(), 2 * PilotCase::ALL.len());
    let files_a = m.get("sip:a@x.com", PilotCase::Files).unwrap();
    assert_eq!(files_a.result, PilotOutcome::NotApplicable);
    assert!(!files_a.recorded());
    assert!(files_a.note.as_deref().unwrap().contains("Lync 2013"));
    assert_eq!(
        m.get("sip:b@x.com", PilotCase::Files).unwrap().result,
        PilotOutcome::Todo
    );

    let r = s
        .set_pilot_result(
            sess.id,
            "sip:a@x.com",
            PilotCase::SignIn,
            PilotOutcome::Pass,
            "ok",
            "carol",
        )
        .unwrap();
    assert_eq!(r.who.as_deref(), Some("carol"));
    // Same again: no new event.
    let n = s.audit(sess.id).unwrap().len();
    s.set_pilot_result(
        sess.id,
        "SIP:A@X.COM",
        PilotCase::SignIn,
        PilotOutcome::Pass,
        "ok",
        "dave",
    )
    .unwrap();
    assert_eq!(s.audit(sess.id).unwrap().len(), n);
    // Fail needs a note.
    let e = set_as_c(
        &mut s,
        sess.id,
        "sip:a@x.com",
        PilotCase::Posts,
        PilotOutcome::Fail,
        " ",
    )
    .unwrap_err();
    assert!(matches!(e, StoreError::Empty { .. }), "{e}");
    // Files do not apply to Lync 2013: pass refused, n/a accepted.
    let e = set_as_c(
        &mut s,
        sess.id,
        "sip:a@x.com",
        PilotCase::Files,
        PilotOutcome::Pass,
        "",
    )
    .unwrap_err();
    assert!(matches!(e, StoreError::PilotNotApplicable { .. }), "{e}");
    assert!(e.to_string().contains("record it as n/a"), "{e}");
    set_as_c(
        &mut s,
        sess.id,
        "sip:a@x.com",
        PilotCase::Files,
        PilotOutcome::NotApplicable,
        "",
    )
    .unwrap();
    // Unknown user.
    let e = set_as_c(
        &mut s,
        sess.id,
        "sip:zz@x.com",
        PilotCase::SignIn,
        PilotOutcome::Pass,
        "",
    )
    .unwrap_err();
    assert!(matches!(e, StoreError::UnknownPilotUser { .. }), "{e}");
    // A change is audited old -> new.
    s.set_pilot_result(
        sess.id,
        "sip:a@x.com",
        PilotCase::SignIn,
        PilotOutcome::Fail,
        "password expired",
        "carol",
    )
    .unwrap();
    let ev = s.audit(sess.id).unwrap();
    let last = ev.last().unwrap();
    assert_eq!(last.kind, "pilot-result");
    assert_eq!(last.old.as_deref(), Some("pass"));
    assert_eq!(last.new.as_deref(), Some("fail"));
    let d: serde_json::Value = serde_json::from_str(last.detail.as_deref().unwrap()).unwrap();
    assert_eq!(d["sip"], "sip:a@x.com");
    assert_eq!(d["case"], "sign-in");
    assert_eq!(d["note"], "password expired");
    s.verify_audit(sess.id).unwrap();

    let m = s.pilot_results(sess.id).unwrap();
    let r = m.get("sip:a@x.com", PilotCase::SignIn).unwrap();
    assert_eq!(r.result, PilotOutcome::Fail);
    assert_eq!(r.note.as_deref(), Some("password expired"));
    assert!(r.recorded());
}

#[test]
fn store_pilot_results_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let sid = {
        let mut s = Store::open(&path).unwrap();
        let sess = s.create_session("p", "lab", None, "a").unwrap();
        s.add_pilot_users(
            sess.id,
            &[new_user("sip:a@x.com", PilotClient::Lync2013)],
            "profile",
            "a",
        )
        .unwrap();
        s.set_pilot_result(
            sess.id,
            "sip:a@x.com",
            PilotCase::History,
            PilotOutcome::Pass,
            "saw 2011 posts",
            "a",
        )
        .unwrap();
        sess.id
    };
    let s = Store::open(&path).unwrap();
    let m = s.pilot_results(sid).unwrap();
    let r = m.get("sip:a@x.com", PilotCase::History).unwrap();
    assert_eq!(r.result, PilotOutcome::Pass);
    assert_eq!(r.note.as_deref(), Some("saw 2011 posts"));
}

#[test]
fn store_plan_and_window_steps() {
    let (mut s, sess) = mem();
    assert!(s.plan(sess.id).unwrap().is_none());
    let p = s
        .save_plan(sess.id, "{\"v\":1}", "window 4h 30m", "alice")
        .unwrap();
    assert_eq!(s.plan(sess.id).unwrap(), Some(p));
    s.save_plan(sess.id, "{\"v\":2}", "window 5h", "bob")
        .unwrap();
    let p = s.plan(sess.id).unwrap().unwrap();
    assert_eq!(p.json, "{\"v\":2}");
    assert_eq!(p.saved_by, "bob");
    let last = s.audit(sess.id).unwrap().pop().unwrap();
    assert_eq!(last.kind, "plan-saved");
    assert_eq!(last.new.as_deref(), Some("window 5h"));
    assert!(last.detail.unwrap().contains("sha256"));

    let e = s.finish_window_step(sess.id, "export", "a").unwrap_err();
    assert!(matches!(e, StoreError::WindowStep { .. }), "{e}");
    let st = s.start_window_step(sess.id, "export", "a").unwrap();
    assert_eq!(
        s.start_window_step(sess.id, "export", "b").unwrap(),
        st,
        "idempotent"
    );
    let done = s.finish_window_step(sess.id, "export", "b").unwrap();
    assert!(done.finished_at.unwrap() >= st.started_at);
    assert_eq!(done.finished_by.as_deref(), Some("b"));
    assert!(s.finish_window_step(sess.id, "export", "b").is_err());
    assert!(s.start_window_step(sess.id, "export", "b").is_err());
    s.start_window_step(sess.id, "import", "a").unwrap();
    let steps = s.window_steps(sess.id).unwrap();
    assert_eq!(
        steps.iter().map(|w| w.step.as_str()).collect::<Vec<_>>(),
        ["export", "import"]
    );
    let kinds = kinds(&s, sess.id);
    assert!(kinds.contains(&"window-step-started".to_string()));
    assert!(kinds.contains(&"window-step-finished".to_string()));
    s.verify_audit(sess.id).unwrap();
}

#[test]
fn store_export_session_json_has_everything() {
    let (mut s, sess) = mem();
    s.set_item_state(sess.id, "a", ItemState::Done, None, "x")
        .unwrap();
    s.set_note(sess.id, "a", "the note", "x").unwrap();
    s.add_evidence(
        sess.id,
        "b",
        &Evidence {
            source: "t".into(),
            summary: "sum".into(),
            passed: Some(true),
            detail: json!({"k": 1}),
        },
        "x",
    )
    .unwrap();
    let j = s.export_session_json(sess.id).unwrap();
    assert_eq!(j["items"]["a"]["note"], "the note");
    assert_eq!(j["evidence"][0]["evidence"]["summary"], "sum");
    assert_eq!(j["audit_check"]["intact"], true);
    assert!(j["audit"].as_array().unwrap().len() >= 3);
    assert_eq!(j["schema_version"], SCHEMA_VERSION);
    assert!(matches!(
        s.export_session_json(42),
        Err(StoreError::UnknownSession { .. })
    ));
}
