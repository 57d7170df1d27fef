//! The downtime window: the saved plan (the planner's JSON) and when each of its steps
//! actually started and finished.
//!
//! Audit events written here: `plan-saved` (new = the plan's one-line summary, detail JSON
//! `{sha256}` of the plan JSON), `window-step-started` (new = step) and
//! `window-step-finished` (new = step, detail = the elapsed time, e.g. `42m 10s`).

use rusqlite::params;
use sha2::{Digest, Sha256};

use super::Store;
use super::error::StoreError;
use super::model::{PlanRecord, WindowStepRecord};
use super::rows::{Reader, record_from_row};
use super::write::{Event, non_blank};

record_from_row!(PlanRecord in "plans" { json, saved_at: ts, saved_by });

record_from_row!(WindowStepRecord in "window_steps" {
    step, started_at: ts, started_by, finished_at: opt_ts, finished_by
});

fn load_window_step(
    r: Reader<'_>,
    session_id: i64,
    step: &str,
) -> Result<Option<WindowStepRecord>, StoreError> {
    r.one(
        "WHERE session_id = ?1 AND step = ?2",
        params![session_id, step],
    )
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

fn step_error(step: &str, problem: &str) -> StoreError {
    StoreError::WindowStep {
        step: step.to_string(),
        problem: problem.to_string(),
    }
}

impl Store {
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
        self.write_in(session_id, |w| {
            w.execute(
                "INSERT INTO plans (session_id, json, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id) DO UPDATE SET
                     json = excluded.json, saved_at = excluded.saved_at,
                     saved_by = excluded.saved_by",
                params![session_id, json, w.at_s, who],
            )?;
            let sha = hex::encode(Sha256::digest(json.as_bytes()));
            let detail = serde_json::json!({ "sha256": sha }).to_string();
            w.audit(
                Event::new(session_id, who, "plan-saved")
                    .change(None, Some(summary))
                    .detail(Some(&detail)),
            )?;
            Ok(PlanRecord {
                json: json.to_string(),
                saved_at: w.at,
                saved_by: who.to_string(),
            })
        })
    }

    /// The session's saved downtime plan, if any.
    pub fn plan(&self, session_id: i64) -> Result<Option<PlanRecord>, StoreError> {
        self.read().one("WHERE session_id = ?1", [session_id])
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
        self.write_in(session_id, |w| {
            if let Some(old) = load_window_step(w.read(), session_id, step)? {
                if old.finished_at.is_some() {
                    return Err(step_error(
                        step,
                        "it has already finished; a step is started and finished once",
                    ));
                }
                return Ok(old);
            }
            w.execute(
                "INSERT INTO window_steps (session_id, step, started_at, started_by)
                 VALUES (?1, ?2, ?3, ?4)",
                params![session_id, step, w.at_s, who],
            )?;
            w.audit(Event::new(session_id, who, "window-step-started").change(None, Some(step)))?;
            Ok(WindowStepRecord {
                step: step.to_string(),
                started_at: w.at,
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
        self.write_in(session_id, |w| {
            let Some(mut rec) = load_window_step(w.read(), session_id, step)? else {
                return Err(step_error(step, "it has not started; start it first"));
            };
            if rec.finished_at.is_some() {
                return Err(step_error(step, "it has already finished"));
            }
            w.execute(
                "UPDATE window_steps SET finished_at = ?3, finished_by = ?4
                 WHERE session_id = ?1 AND step = ?2",
                params![session_id, step, w.at_s, who],
            )?;
            let elapsed = short_duration((w.at - rec.started_at).num_milliseconds());
            w.audit(
                Event::new(session_id, who, "window-step-finished")
                    .change(None, Some(step))
                    .detail(Some(&elapsed)),
            )?;
            rec.finished_at = Some(w.at);
            rec.finished_by = Some(who.to_string());
            Ok(rec)
        })
    }

    /// The session's window steps that started, in the order they started.
    pub fn window_steps(&self, session_id: i64) -> Result<Vec<WindowStepRecord>, StoreError> {
        self.read().all(
            "WHERE session_id = ?1 ORDER BY started_at, rowid",
            [session_id],
        )
    }
}
