//! How a finished job is written into the session, the same way for the wizard and the
//! headless commands: the job run's status, the evidence (the job's full result), and the
//! checklist item's new state (done when it passed, failed with the reason when not;
//! unchanged when the admin cancelled).

use super::{JobError, JobKind, JobOutcome};
use crate::store::{Evidence, EvidenceRecord, ItemRecord, ItemState, Store, StoreError};

/// What to write for one finished job.
#[derive(Clone, Debug)]
pub struct JobRecord {
    /// The job run's status: succeeded, failed or cancelled.
    pub status: &'static str,
    /// One line for the run, the evidence and the status bar.
    pub summary: String,
    /// The evidence to attach (none when cancelled).
    pub evidence: Option<Evidence>,
    /// The item's new state and reason (none when cancelled).
    pub new_state: Option<(ItemState, Option<String>)>,
}

impl JobRecord {
    /// The record of a job's result.
    pub fn of(kind: JobKind, result: &Result<JobOutcome, JobError>) -> JobRecord {
        let source = format!("{} job", kind.label());
        match result {
            Ok(o) => JobRecord {
                status: if o.passed { "succeeded" } else { "failed" },
                summary: o.summary.clone(),
                evidence: Some(Evidence {
                    source,
                    summary: o.summary.clone(),
                    passed: Some(o.passed),
                    detail: serde_json::to_value(o).unwrap_or_default(),
                }),
                new_state: Some(if o.passed {
                    (ItemState::Done, None)
                } else {
                    (ItemState::Failed, Some(o.summary.clone()))
                }),
            },
            Err(JobError::Cancelled) => JobRecord {
                status: "cancelled",
                summary: "cancelled".into(),
                evidence: None,
                new_state: None,
            },
            Err(e) => {
                let msg = e.to_string();
                JobRecord {
                    status: "failed",
                    summary: msg.clone(),
                    evidence: Some(Evidence {
                        source,
                        summary: msg.clone(),
                        passed: Some(false),
                        detail: serde_json::json!({ "error": msg }),
                    }),
                    new_state: Some((ItemState::Failed, Some(msg))),
                }
            }
        }
    }

    /// Writes it: finishes the run, adds the evidence, sets the item's state.
    ///
    /// # Errors
    /// The first store error; what was written before it stays written.
    pub fn save(
        &self,
        store: &mut Store,
        session_id: i64,
        item_id: &str,
        run_id: i64,
        who: &str,
    ) -> Result<(Option<EvidenceRecord>, Option<ItemRecord>), StoreError> {
        store.job_finished(run_id, self.status, &self.summary)?;
        let evidence = match &self.evidence {
            Some(ev) => Some(store.add_evidence(session_id, item_id, ev, who)?),
            None => None,
        };
        let record = match &self.new_state {
            Some((state, reason)) => {
                Some(store.set_item_state(session_id, item_id, *state, reason.as_deref(), who)?)
            }
            None => None,
        };
        Ok((evidence, record))
    }
}
