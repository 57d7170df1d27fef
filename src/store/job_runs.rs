//! Job runs: a background job's start, its end (succeeded, failed, cancelled, interrupted)
//! and the runs a crash left `running`.

use rusqlite::params;

use super::Store;
use super::error::StoreError;
use super::model::{JOB_STATUSES, JobRun};
use super::rows::{Cols, FromRow, Reader};
use super::write::{Event, Write, non_blank};

/// Who the store names in events it writes on its own (interrupted jobs).
const SYSTEM_WHO: &str = "pchat-migrate";
const INTERRUPTED_SUMMARY: &str = "interrupted: pchat-migrate stopped while the job was running";

/// A run and the `who` that started it (the job's end is written in that name).
struct JobRow(JobRun, String);

impl FromRow for JobRow {
    const TABLE: &'static str = "job_runs";
    const COLUMNS: &'static str =
        "id, session_id, item_id, kind, started_at, finished_at, status, summary, log_path, who";
    fn from_row(c: &mut Cols<'_, '_>) -> Result<Self, StoreError> {
        Ok(JobRow(
            JobRun {
                id: c.get()?,
                session_id: c.get()?,
                item_id: c.get()?,
                kind: c.get()?,
                started_at: c.ts()?,
                finished_at: c.opt_ts()?,
                status: c.get()?,
                summary: c.get()?,
                log_path: c.get()?,
            },
            c.get()?,
        ))
    }
}

fn load_job(r: Reader<'_>, id: i64) -> Result<Option<JobRow>, StoreError> {
    r.one("WHERE id = ?1", [id])
}

/// Sets a running job's final status and writes its audit event (`kind`) in `who`'s name.
fn finish_job(
    w: &Write<'_>,
    job: &JobRun,
    status: &str,
    summary: &str,
    who: &str,
    kind: &str,
) -> Result<(), StoreError> {
    w.execute(
        "UPDATE job_runs SET finished_at = ?1, status = ?2, summary = ?3 WHERE id = ?4",
        params![w.at_s, status, summary, job.id],
    )?;
    w.audit(
        Event::new(job.session_id, who, kind)
            .item(&job.item_id)
            .change(Some("running"), Some(status))
            .detail(Some(summary)),
    )?;
    Ok(())
}

impl Store {
    /// Records that a background job of `kind` (non-blank) started for an item, with status
    /// `running`, and writes a `job-started` event.
    ///
    /// Errors: [`StoreError::Empty`], [`StoreError::UnknownSession`], database errors.
    pub fn job_started(
        &mut self,
        session_id: i64,
        item_id: &str,
        kind: &str,
        log_path: Option<&str>,
        who: &str,
    ) -> Result<JobRun, StoreError> {
        non_blank("the item id", item_id)?;
        non_blank("the job kind", kind)?;
        self.write_in(session_id, |w| {
            let id = w.insert(
                "INSERT INTO job_runs (session_id, item_id, kind, who, started_at, status, log_path)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)",
                params![session_id, item_id, kind, who, w.at_s, log_path],
            )?;
            let detail =
                serde_json::json!({ "job_id": id, "kind": kind, "log_path": log_path }).to_string();
            w.audit(
                Event::new(session_id, who, "job-started")
                    .item(item_id)
                    .change(None, Some("running"))
                    .detail(Some(&detail)),
            )?;
            Ok(JobRun {
                id,
                session_id,
                item_id: item_id.to_string(),
                kind: kind.to_string(),
                started_at: w.at,
                finished_at: None,
                status: "running".to_string(),
                summary: None,
                log_path: log_path.map(str::to_string),
            })
        })
    }

    /// Records that a running job finished with `status` (`succeeded`, `failed`,
    /// `cancelled` or `interrupted`) and a one-line `summary`, and writes a `job-finished`
    /// event in the job's session, in the name of whoever started it.
    ///
    /// Errors: [`StoreError::InvalidJobStatus`], [`StoreError::UnknownJob`],
    /// [`StoreError::JobNotRunning`], database errors.
    pub fn job_finished(
        &mut self,
        job_id: i64,
        status: &str,
        summary: &str,
    ) -> Result<JobRun, StoreError> {
        if status == "running" || !JOB_STATUSES.contains(&status) {
            return Err(StoreError::InvalidJobStatus(status.to_string()));
        }
        self.write(|w| {
            let JobRow(mut job, who) =
                load_job(w.read(), job_id)?.ok_or(StoreError::UnknownJob {
                    db: w.db().to_string(),
                    id: job_id,
                })?;
            if job.status != "running" {
                return Err(StoreError::JobNotRunning {
                    db: w.db().to_string(),
                    id: job_id,
                    status: job.status,
                });
            }
            finish_job(w, &job, status, summary, &who, "job-finished")?;
            job.finished_at = Some(w.at);
            job.status = status.to_string();
            job.summary = Some(summary.to_string());
            Ok(job)
        })
    }

    /// The session's job runs, newest first.
    pub fn job_runs(&self, session_id: i64) -> Result<Vec<JobRun>, StoreError> {
        let rows: Vec<JobRow> = self
            .read()
            .all("WHERE session_id = ?1 ORDER BY id DESC", [session_id])?;
        Ok(rows.into_iter().map(|JobRow(run, _)| run).collect())
    }

    /// At start-up: every job of the session still `running` (left so by a crash or a kill)
    /// becomes `interrupted`, with a summary saying so and a `job-interrupted` event written
    /// by `pchat-migrate`. Returns how many there were. Call it before starting new jobs.
    pub fn mark_interrupted_jobs(&mut self, session_id: i64) -> Result<usize, StoreError> {
        self.write(|w| {
            let running: Vec<JobRow> = w.read().all(
                "WHERE session_id = ?1 AND status = 'running' ORDER BY id",
                [session_id],
            )?;
            for JobRow(job, _) in &running {
                finish_job(
                    w,
                    job,
                    "interrupted",
                    INTERRUPTED_SUMMARY,
                    SYSTEM_WHO,
                    "job-interrupted",
                )?;
            }
            Ok(running.len())
        })
    }
}
