//! Read-outs over a whole session: [`SessionFacts`] (what the migration's state is derived
//! from, one read) and the JSON export for the diagnostics bundle.

use std::collections::BTreeMap;

use super::error::StoreError;
use super::model::{SessionFacts, fmt_ts, now};
use super::{SCHEMA_VERSION, Store};

impl Store {
    /// Everything the migration's state is derived from, read in one go: item records,
    /// evidence (newest first per item), the audit events, the job runs and the window marks.
    ///
    /// Errors: database errors.
    pub fn facts(&self, session_id: i64) -> Result<SessionFacts, StoreError> {
        let mut facts = SessionFacts {
            session_id,
            records: self.item_records(session_id)?,
            events: self.audit(session_id)?,
            runs: self.job_runs(session_id)?,
            window_steps: self.window_steps(session_id)?,
            ..SessionFacts::default()
        };
        for e in self.all_evidence(session_id)? {
            facts.push_evidence(e);
        }
        Ok(facts)
    }

    /// The whole session as JSON, for the diagnostics bundle (the database itself stays
    /// locked while the wizard runs): the session, item records, audit trail, evidence, job
    /// runs, pilot, plan and window steps, and whether the audit chain verifies.
    ///
    /// Errors: [`StoreError::UnknownSession`], database errors.
    pub fn export_session_json(&self, session_id: i64) -> Result<serde_json::Value, StoreError> {
        let session = self
            .sessions()?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(|| StoreError::UnknownSession {
                db: self.db.clone(),
                id: session_id,
            })?;
        let items: BTreeMap<_, _> = self.item_records(session_id)?.into_iter().collect();
        let audit_check = match self.verify_audit(session_id) {
            Ok(()) => serde_json::json!({ "intact": true }),
            Err(b) => serde_json::json!({ "intact": false, "event": b.id, "reason": b.reason }),
        };
        Ok(serde_json::json!({
            "schema_version": SCHEMA_VERSION,
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
