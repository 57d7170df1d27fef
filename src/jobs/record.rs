//! How a finished job is written into the session, the same way for the wizard and the
//! headless commands: the job run's status and the evidence (the job's full result, or what a
//! cancel or failure left). The item's state is not written here: `crate::migration` derives
//! it from this evidence, so the checklist, the gates and the report cannot disagree with it.

use super::{JobError, JobKind, JobOutcome};
use crate::store::{Evidence, EvidenceRecord, JobRun, Store, StoreError};

/// What to write for one finished job.
#[derive(Clone, Debug)]
pub struct JobRecord {
    /// The job run's status: succeeded, failed or cancelled.
    pub status: &'static str,
    /// One line for the run, the evidence and the status bar (for a cancel: what it left).
    pub summary: String,
    /// The evidence to attach.
    pub evidence: Evidence,
}

impl JobRecord {
    /// The record of a job's result.
    ///
    /// A cancel is evidence too: informational (`passed` none) when it changed nothing, a
    /// failure when it left the target changed (a partly imported `mgc`) or possibly changed
    /// (a stopped production cmdlet).
    pub fn of(kind: JobKind, result: &Result<JobOutcome, JobError>) -> JobRecord {
        let source = format!("{} job", kind.label());
        match result {
            Ok(o) => JobRecord {
                status: if o.passed { "succeeded" } else { "failed" },
                summary: o.summary.clone(),
                evidence: Evidence {
                    source,
                    summary: o.summary.clone(),
                    passed: Some(o.passed),
                    detail: serde_json::to_value(o).unwrap_or_default(),
                },
            },
            Err(JobError::Cancelled(c)) => {
                let line = crate::migration::cancel_statement(kind, c);
                JobRecord {
                    status: "cancelled",
                    summary: line.clone(),
                    evidence: Evidence {
                        source,
                        summary: line,
                        passed: crate::migration::cancel_changed(c).then_some(false),
                        detail: serde_json::json!({ "kind": kind, "cancelled": c }),
                    },
                }
            }
            Err(e) => {
                let msg = e.to_string();
                JobRecord {
                    status: "failed",
                    summary: msg.clone(),
                    evidence: Evidence {
                        source,
                        summary: msg.clone(),
                        passed: Some(false),
                        detail: serde_json::json!({ "kind": kind, "error": msg }),
                    },
                }
            }
        }
    }

    /// Writes it: finishes the run and adds the evidence; returns both as stored.
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
    ) -> Result<(JobRun, EvidenceRecord), StoreError> {
        let run = store.job_finished(run_id, self.status, &self.summary)?;
        let evidence = store.add_evidence(session_id, item_id, &self.evidence, who)?;
        Ok((run, evidence))
    }
}
