//! The tables of schema version 2: the pilot (users and per-case results), the downtime plan
//! and the actual steps of the downtime window; and read-outs over the whole session
//! (all evidence, a JSON export) for the report and the diagnostics bundle.
//!
//! Audit events written here:
//!
//! | kind | item | old → new | detail |
//! |---|---|---|---|
//! | `pilot-users-added` | – | – → "N added, M updated" | JSON `{source, added, updated}` |
//! | `pilot-result` | – | previous result (none if never recorded) → result | JSON `{sip, case, note}` |
//! | `plan-saved` | – | – → the plan's one-line summary | JSON `{sha256}` of the plan JSON |
//! | `window-step-started` | – | – → step | – |
//! | `window-step-finished` | – | – → step | elapsed, e.g. `42m 10s` |

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::model::{PilotAdded, PlanRecord, WindowStepRecord};
use super::{
    EvidenceRecord, SqlExt, Store, StoreError, audit, fmt_ts, non_blank, now, opt_ts,
    require_session, ts,
};
use crate::pilot_model::{
    NewPilotUser, PilotCase, PilotClient, PilotOutcome, PilotResultRecord, PilotResults, PilotUser,
};

fn opt_bool(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
}

fn corrupt(db: &str, detail: String) -> StoreError {
    StoreError::Corrupt {
        db: db.to_string(),
        detail,
    }
}

type PilotUserRow = (
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
);

fn pilot_user_from(db: &str, r: PilotUserRow) -> Result<PilotUser, StoreError> {
    let client: PilotClient =
        r.2.parse()
            .map_err(|e| corrupt(db, format!("pilot user {}: {e}", r.0)))?;
    Ok(PilotUser {
        sip: r.0,
        display_name: r.1,
        client,
        pool: r.3,
        pchat_policy: r.4.map(|v| v != 0),
        homed_on_2013: r.5.map(|v| v != 0),
        source: r.6,
        added_at: ts(db, &r.7)?,
        added_by: r.8,
    })
}

const PILOT_USER_COLS: &str =
    "sip, display_name, client, pool, pchat_policy, homed_on_2013, source, added_at, added_by";

fn pilot_user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PilotUserRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn load_pilot_user(
    conn: &rusqlite::Connection,
    db: &str,
    session_id: i64,
    sip: &str,
) -> Result<Option<PilotUser>, StoreError> {
    conn.query_row(
        &format!(
            "SELECT {PILOT_USER_COLS} FROM pilot_users
             WHERE session_id = ?1 AND sip = ?2 COLLATE NOCASE"
        ),
        params![session_id, sip],
        pilot_user_row,
    )
    .optional()
    .db(db)?
    .map(|r| pilot_user_from(db, r))
    .transpose()
}

type ResultRow = (String, String, String, Option<String>, String, String);

fn load_result(
    conn: &rusqlite::Connection,
    db: &str,
    session_id: i64,
    sip: &str,
    case: PilotCase,
) -> Result<Option<PilotResultRecord>, StoreError> {
    conn.query_row(
        "SELECT sip, case_id, result, note, who, at FROM pilot_results
         WHERE session_id = ?1 AND sip = ?2 AND case_id = ?3",
        params![session_id, sip, case.id()],
        |r| {
            Ok::<ResultRow, _>((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        },
    )
    .optional()
    .db(db)?
    .map(|r| result_from(db, r))
    .transpose()
}

fn result_from(db: &str, r: ResultRow) -> Result<PilotResultRecord, StoreError> {
    let case: PilotCase = r.1.parse().map_err(|e: String| corrupt(db, e))?;
    let result: PilotOutcome = r.2.parse().map_err(|e: String| corrupt(db, e))?;
    Ok(PilotResultRecord {
        sip: r.0,
        case,
        result,
        note: r.3,
        who: Some(r.4),
        at: Some(ts(db, &r.5)?),
    })
}

fn window_step_from(
    db: &str,
    r: (String, String, String, Option<String>, Option<String>),
) -> Result<WindowStepRecord, StoreError> {
    Ok(WindowStepRecord {
        step: r.0,
        started_at: ts(db, &r.1)?,
        started_by: r.2,
        finished_at: opt_ts(db, r.3)?,
        finished_by: r.4,
    })
}

fn load_window_step(
    conn: &rusqlite::Connection,
    db: &str,
    session_id: i64,
    step: &str,
) -> Result<Option<WindowStepRecord>, StoreError> {
    conn.query_row(
        "SELECT step, started_at, started_by, finished_at, finished_by FROM window_steps
         WHERE session_id = ?1 AND step = ?2",
        params![session_id, step],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )
    .optional()
    .db(db)?
    .map(|r| window_step_from(db, r))
    .transpose()
}

/// `42m 10s`, `1h 05m`, `12s`.
fn short_duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

impl Store {
    /// Adds pilot users to the session, durably, with one `pilot-users-added` audit event
    /// (none when nothing changed). A user already there (same SIP URI, any case) keeps
    /// their results and gets the new name, client, pool and policy. `source` says where the
    /// users came from (`profile`, `csv:pilot.csv`).
    ///
    /// Errors: [`StoreError::Empty`] (a blank SIP URI or source), [`StoreError::UnknownSession`],
    /// database errors.
    pub fn add_pilot_users(
        &mut self,
        session_id: i64,
        users: &[NewPilotUser],
        source: &str,
        who: &str,
    ) -> Result<PilotAdded, StoreError> {
        non_blank("the source of the pilot users", source)?;
        for u in users {
            non_blank("a pilot user's SIP address", &u.sip)?;
        }
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let at_s = fmt_ts(now());
            let mut out = PilotAdded::default();
            for u in users {
                let old = load_pilot_user(tx, db, session_id, &u.sip)?;
                match old {
                    None => {
                        tx.execute(
                            "INSERT INTO pilot_users (session_id, seq, sip, display_name, client,
                                 pool, pchat_policy, homed_on_2013, source, added_at, added_by)
                             VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM pilot_users
                                          WHERE session_id = ?1),
                                     ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            params![
                                session_id,
                                u.sip,
                                u.display_name,
                                u.client.as_str(),
                                u.pool,
                                opt_bool(u.pchat_policy),
                                opt_bool(u.homed_on_2013),
                                source,
                                at_s,
                                who
                            ],
                        )
                        .db(db)?;
                        out.added.push(u.sip.clone());
                    }
                    Some(o)
                        if o.display_name == u.display_name
                            && o.client == u.client
                            && o.pool == u.pool
                            && o.pchat_policy == u.pchat_policy
                            && o.homed_on_2013 == u.homed_on_2013 =>
                    {
                        out.unchanged += 1;
                    }
                    Some(o) => {
                        tx.execute(
                            "UPDATE pilot_users SET display_name = ?3, client = ?4, pool = ?5,
                                 pchat_policy = ?6, homed_on_2013 = ?7, source = ?8,
                                 added_at = ?9, added_by = ?10
                             WHERE session_id = ?1 AND sip = ?2",
                            params![
                                session_id,
                                o.sip,
                                u.display_name,
                                u.client.as_str(),
                                u.pool,
                                opt_bool(u.pchat_policy),
                                opt_bool(u.homed_on_2013),
                                source,
                                at_s,
                                who
                            ],
                        )
                        .db(db)?;
                        out.updated.push(o.sip);
                    }
                }
            }
            if !out.added.is_empty() || !out.updated.is_empty() {
                let detail = serde_json::json!({
                    "source": source,
                    "added": out.added,
                    "updated": out.updated,
                })
                .to_string();
                let new = format!("{} added, {} updated", out.added.len(), out.updated.len());
                audit::append(
                    tx,
                    session_id,
                    &at_s,
                    who,
                    "pilot-users-added",
                    None,
                    None,
                    Some(&new),
                    Some(&detail),
                )
                .db(db)?;
            }
            Ok(out)
        })
    }

    /// The session's pilot users, in the order they were added.
    pub fn pilot_users(&self, session_id: i64) -> Result<Vec<PilotUser>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {PILOT_USER_COLS} FROM pilot_users WHERE session_id = ?1 ORDER BY seq"
            ))
            .db(db)?;
        let rows = stmt
            .query_map([session_id], pilot_user_row)
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter().map(|r| pilot_user_from(db, r)).collect()
    }

    /// Records the result of one test case for one pilot user, durably, with a
    /// `pilot-result` audit event (old → new result; detail JSON `{sip, case, note}`) in one
    /// transaction. `note` is stored as given (blank = none). Recording the result and note
    /// the case already has writes nothing.
    ///
    /// Rules: a failure needs a note saying what happened; pass and fail are refused for a
    /// case that does not apply to the user's client ([`PilotCase::applies_to`]: files and
    /// the legacy endpoint are for legacy Group Chat clients only) — record n/a instead.
    ///
    /// Errors: [`StoreError::Empty`] (a failure without a note),
    /// [`StoreError::UnknownPilotUser`], [`StoreError::PilotNotApplicable`],
    /// [`StoreError::UnknownSession`], database errors.
    pub fn set_pilot_result(
        &mut self,
        session_id: i64,
        sip: &str,
        case: PilotCase,
        result: PilotOutcome,
        note: &str,
        who: &str,
    ) -> Result<PilotResultRecord, StoreError> {
        let note = (!note.trim().is_empty()).then_some(note);
        if result == PilotOutcome::Fail && note.is_none() {
            return Err(StoreError::Empty {
                what: "the note of a failed pilot test (say what happened)",
            });
        }
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let user = load_pilot_user(tx, db, session_id, sip)?.ok_or_else(|| {
                StoreError::UnknownPilotUser {
                    db: db.to_string(),
                    session_id,
                    sip: sip.to_string(),
                }
            })?;
            if matches!(result, PilotOutcome::Pass | PilotOutcome::Fail)
                && let Some(why) = case.not_applicable_because(user.client)
            {
                return Err(StoreError::PilotNotApplicable {
                    sip: user.sip,
                    case: case.id().to_string(),
                    client: user.client.as_str().to_string(),
                    why: why.to_string(),
                });
            }
            let old = load_result(tx, db, session_id, &user.sip, case)?;
            if let Some(o) = &old
                && o.result == result
                && o.note.as_deref() == note
            {
                return Ok(o.clone());
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO pilot_results (session_id, sip, case_id, result, note, who, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (session_id, sip, case_id) DO UPDATE SET
                     result = excluded.result, note = excluded.note,
                     who = excluded.who, at = excluded.at",
                params![
                    session_id,
                    user.sip,
                    case.id(),
                    result.as_str(),
                    note,
                    who,
                    at_s
                ],
            )
            .db(db)?;
            let detail =
                serde_json::json!({ "sip": user.sip, "case": case.id(), "note": note }).to_string();
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "pilot-result",
                None,
                old.as_ref().map(|o| o.result.as_str()),
                Some(result.as_str()),
                Some(&detail),
            )
            .db(db)?;
            Ok(PilotResultRecord {
                sip: user.sip,
                case,
                result,
                note: note.map(str::to_string),
                who: Some(who.to_string()),
                at: Some(at),
            })
        })
    }

    /// The session's pilot: its users and, for every user and every case
    /// ([`PilotCase::ALL`] order), the recorded result — or `todo` when never recorded, or an
    /// automatic `na` (with the reason as note, no who/when) when the case does not apply to
    /// the user's client.
    pub fn pilot_results(&self, session_id: i64) -> Result<PilotResults, StoreError> {
        let users = self.pilot_users(session_id)?;
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT sip, case_id, result, note, who, at FROM pilot_results
                 WHERE session_id = ?1",
            )
            .db(db)?;
        let rows = stmt
            .query_map([session_id], |r| {
                Ok::<ResultRow, _>((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        let mut stored = std::collections::HashMap::new();
        for r in rows {
            let rec = result_from(db, r)?;
            stored.insert((rec.sip.clone(), rec.case), rec);
        }
        let mut results = Vec::with_capacity(users.len() * PilotCase::ALL.len());
        for u in &users {
            for case in PilotCase::ALL {
                let rec = stored.remove(&(u.sip.clone(), case)).unwrap_or_else(|| {
                    match case.not_applicable_because(u.client) {
                        Some(why) => PilotResultRecord {
                            sip: u.sip.clone(),
                            case,
                            result: PilotOutcome::NotApplicable,
                            note: Some(why.to_string()),
                            who: None,
                            at: None,
                        },
                        None => PilotResultRecord {
                            sip: u.sip.clone(),
                            case,
                            result: PilotOutcome::Todo,
                            note: None,
                            who: None,
                            at: None,
                        },
                    }
                });
                results.push(rec);
            }
        }
        Ok(PilotResults { users, results })
    }

    /// Saves the session's downtime plan (the planner's JSON), replacing the previous one,
    /// durably, with a `plan-saved` audit event (new = `summary`, detail = the SHA-256 of
    /// the JSON).
    ///
    /// Errors: [`StoreError::Empty`] (blank JSON), [`StoreError::UnknownSession`], database
    /// errors.
    pub fn save_plan(
        &mut self,
        session_id: i64,
        json: &str,
        summary: &str,
        who: &str,
    ) -> Result<PlanRecord, StoreError> {
        non_blank("the plan", json)?;
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO plans (session_id, json, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id) DO UPDATE SET
                     json = excluded.json, saved_at = excluded.saved_at,
                     saved_by = excluded.saved_by",
                params![session_id, json, at_s, who],
            )
            .db(db)?;
            let sha = hex::encode(Sha256::digest(json.as_bytes()));
            let detail = serde_json::json!({ "sha256": sha }).to_string();
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "plan-saved",
                None,
                None,
                Some(summary),
                Some(&detail),
            )
            .db(db)?;
            Ok(PlanRecord {
                json: json.to_string(),
                saved_at: at,
                saved_by: who.to_string(),
            })
        })
    }

    /// The session's saved downtime plan, if any.
    pub fn plan(&self, session_id: i64) -> Result<Option<PlanRecord>, StoreError> {
        let db = self.db.as_str();
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT json, saved_at, saved_by FROM plans WHERE session_id = ?1",
                [session_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .db(db)?;
        row.map(|(json, at, by)| {
            Ok(PlanRecord {
                json,
                saved_at: ts(db, &at)?,
                saved_by: by,
            })
        })
        .transpose()
    }

    /// Marks a step of the downtime window as started now, durably, with a
    /// `window-step-started` event. Starting a step that is running returns it unchanged.
    ///
    /// Errors: [`StoreError::Empty`], [`StoreError::WindowStep`] (the step already finished),
    /// [`StoreError::UnknownSession`], database errors.
    pub fn start_window_step(
        &mut self,
        session_id: i64,
        step: &str,
        who: &str,
    ) -> Result<WindowStepRecord, StoreError> {
        non_blank("the step", step)?;
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            if let Some(old) = load_window_step(tx, db, session_id, step)? {
                if old.finished_at.is_some() {
                    return Err(StoreError::WindowStep {
                        step: step.to_string(),
                        problem: "it has already finished; a step is started and finished once"
                            .into(),
                    });
                }
                return Ok(old);
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO window_steps (session_id, step, started_at, started_by)
                 VALUES (?1, ?2, ?3, ?4)",
                params![session_id, step, at_s, who],
            )
            .db(db)?;
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "window-step-started",
                None,
                None,
                Some(step),
                None,
            )
            .db(db)?;
            Ok(WindowStepRecord {
                step: step.to_string(),
                started_at: at,
                started_by: who.to_string(),
                finished_at: None,
                finished_by: None,
            })
        })
    }

    /// Marks a running step of the downtime window as finished now, durably, with a
    /// `window-step-finished` event (detail: the elapsed time).
    ///
    /// Errors: [`StoreError::WindowStep`] (not started, or already finished),
    /// [`StoreError::UnknownSession`], database errors.
    pub fn finish_window_step(
        &mut self,
        session_id: i64,
        step: &str,
        who: &str,
    ) -> Result<WindowStepRecord, StoreError> {
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let Some(mut rec) = load_window_step(tx, db, session_id, step)? else {
                return Err(StoreError::WindowStep {
                    step: step.to_string(),
                    problem: "it has not started; start it first".into(),
                });
            };
            if rec.finished_at.is_some() {
                return Err(StoreError::WindowStep {
                    step: step.to_string(),
                    problem: "it has already finished".into(),
                });
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "UPDATE window_steps SET finished_at = ?3, finished_by = ?4
                 WHERE session_id = ?1 AND step = ?2",
                params![session_id, step, at_s, who],
            )
            .db(db)?;
            let elapsed = short_duration((at - rec.started_at).num_milliseconds());
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "window-step-finished",
                None,
                None,
                Some(step),
                Some(&elapsed),
            )
            .db(db)?;
            rec.finished_at = Some(at);
            rec.finished_by = Some(who.to_string());
            Ok(rec)
        })
    }

    /// The session's window steps that started, in the order they started.
    pub fn window_steps(&self, session_id: i64) -> Result<Vec<WindowStepRecord>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT step, started_at, started_by, finished_at, finished_by FROM window_steps
                 WHERE session_id = ?1 ORDER BY started_at, rowid",
            )
            .db(db)?;
        let rows = stmt
            .query_map([session_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter().map(|r| window_step_from(db, r)).collect()
    }

    /// Every piece of evidence of the session, all items, oldest first.
    pub fn all_evidence(&self, session_id: i64) -> Result<Vec<EvidenceRecord>, StoreError> {
        let db = self.db.as_str();
        let items: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT DISTINCT item_id FROM evidence WHERE session_id = ?1 ORDER BY item_id",
                )
                .db(db)?;
            stmt.query_map([session_id], |r| r.get(0))
                .db(db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db(db)?
        };
        let mut all = Vec::new();
        for item in items {
            all.extend(self.evidence(session_id, &item)?);
        }
        all.sort_by_key(|e| e.id);
        Ok(all)
    }

    /// The whole session as JSON, for the diagnostics bundle (the database itself stays
    /// locked while the wizard runs): the session, item records, audit trail, evidence, job
    /// runs, pilot, plan and window steps, and whether the audit chain verifies.
    pub fn export_session_json(&self, session_id: i64) -> Result<serde_json::Value, StoreError> {
        let session = self
            .sessions()?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(|| StoreError::UnknownSession {
                db: self.db.clone(),
                id: session_id,
            })?;
        let items: std::collections::BTreeMap<_, _> =
            self.item_records(session_id)?.into_iter().collect();
        let audit_check = match self.verify_audit(session_id) {
            Ok(()) => serde_json::json!({ "intact": true }),
            Err(b) => serde_json::json!({ "intact": false, "event": b.id, "reason": b.reason }),
        };
        Ok(serde_json::json!({
            "schema_version": super::SCHEMA_VERSION,
            "exported_at": fmt_ts(now()),
            "session": session,
            "items": items,
            "audit": self.audit(session_id)?,
            "audit_check": audit_check,
            "evidence": self.all_evidence(session_id)?,
            "job_runs": self.job_runs(session_id)?,
            "pilot": self.pilot_results(session_id)?,
            "plan": self.plan(session_id)?,
            "window_steps": self.window_steps(session_id)?,
        }))
    }
}
