//! Jobs from the wizard: the checks before a job starts (import readiness, the production
//! script review), the run recorded before the thread starts, and the result recorded as
//! evidence when it ends. The item's state follows from the evidence (`crate::migration`).

use std::path::PathBuf;
use std::time::Instant;

use super::ctx::{Ctx, FinishedJob};
use super::msg::AppMsg;
use super::overlays::{Approval, ScriptReview};
use crate::jobs::runner;
use crate::jobs::{JobEnv, JobError, JobKind, JobOutcome};
use crate::migration;
use crate::store::JobRun;
use crate::t;

impl Ctx {
    /// Starts an item's job (the gates have passed): the real import needs a read,
    /// acknowledged preview; production shows the exact script first.
    pub fn start_job(&mut self, item_id: &str) {
        let Some(kind) = self.runbook.item(item_id).and_then(|it| it.job) else {
            return;
        };
        if self.jobs.contains_key(item_id) {
            self.set_status(t!("status-job-already-running"), true);
            return;
        }
        if let Err(why) = &self.job_env {
            let why = why.clone();
            self.message(t!("title-job-unavailable"), why);
            return;
        }
        if kind == JobKind::Import {
            match &self.migration.import {
                migration::ImportReadiness::Ready => {}
                migration::ImportReadiness::NotAcknowledged { .. }
                | migration::ImportReadiness::LossesNotAccepted { .. } => {
                    self.set_status(t!(self.migration.import.message_id()), true);
                    self.open_preview();
                    return;
                }
                other => {
                    let body = t!(other.message_id());
                    self.message(t!("title-whatif-first"), body);
                    return;
                }
            }
        }
        // Production: the admin sees the exact script first, types the confirmation word of
        // a step that changes the deployment, and gives a password when the profile asks.
        if let Ok(env) = &self.job_env
            && let Some(cfg) = env.executor.clone()
        {
            match crate::exec::script_for(kind, env, &cfg) {
                Ok(script) => {
                    let need = crate::exec::credential_need(env);
                    self.open(ScriptReview::overlay(item_id, kind, &script, need));
                }
                Err(e) => self.message(t!("title-job-unavailable"), e.to_string()),
            }
            return;
        }
        self.begin_job(item_id, kind, None);
    }

    /// The admin approved a production script: record the approval (the script's SHA-256,
    /// never the password), then start the job with the credential typed.
    pub fn run_approved(&mut self, approval: Approval) {
        let Ok(mut env) = self.job_env.clone() else {
            return;
        };
        let Approval {
            item_id,
            kind,
            sha256,
            runs_on,
            credential,
        } = approval;
        if let Some(c) = credential {
            env = env.with_credential(c);
        }
        let detail = format!(
            "{} script approved: sha256 {sha256} · runs on {runs_on}",
            kind.key()
        );
        let (sid, who, item) = (self.session.id, self.operator.clone(), item_id.clone());
        self.worker.submit(move |store| {
            if let Err(e) = store.record_event(sid, "script-approved", Some(&item), &detail, &who) {
                tracing::warn!("cannot record the script approval: {e}");
            }
        });
        self.begin_job(&item_id, kind, Some(env));
    }

    /// The session's job environment with what the model adds (the accepted losses).
    fn session_env(&self) -> Result<JobEnv, String> {
        self.job_env
            .clone()
            .map(|e| e.with_accepted_losses(self.migration.losses_for_verify()))
    }

    /// Records the job run, then starts it (on the answer) with `env` or the session's.
    fn begin_job(&mut self, item_id: &str, kind: JobKind, env: Option<JobEnv>) {
        if let Some(env) = env {
            self.run_env.insert(item_id.to_string(), env);
        }
        let (sid, who, tx, id) = (
            self.session.id,
            self.operator.clone(),
            self.tx.clone(),
            item_id.to_string(),
        );
        let log_path = self.job_logs_dir.as_ref().map(|d| {
            d.join(format!(
                "{}-{}.log",
                chrono::Utc::now().format("%Y%m%dT%H%M%S"),
                kind.key()
            ))
        });
        let log = log_path.as_ref().map(|p| p.display().to_string());
        self.pending.insert(item_id.to_string());
        self.worker.submit(move |store| {
            let result = store
                .job_started(sid, &id, kind.key(), log.as_deref(), &who)
                .map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::JobRecorded {
                item_id: id,
                kind,
                result,
            });
        });
        self.set_status(t!("status-job-starting", job = kind.title()), false);
    }

    /// The run is recorded: start the job's thread.
    pub(super) fn on_job_recorded(
        &mut self,
        item_id: String,
        kind: JobKind,
        result: Result<JobRun, String>,
    ) {
        self.pending.remove(&item_id);
        let env = self
            .run_env
            .remove(&item_id)
            .map(|e| e.with_accepted_losses(self.migration.losses_for_verify()))
            .ok_or(())
            .or_else(|()| self.session_env());
        match (result, &env) {
            (Ok(run), Ok(env)) => {
                self.facts.upsert_run(run.clone());
                let tx = self.tx.clone();
                let (id2, run_id) = (item_id.clone(), run.id);
                let log_path = run.log_path.as_ref().map(PathBuf::from);
                let handle = runner::spawn(kind, &item_id, run.id, env.clone(), log_path, {
                    move |result| {
                        let _ = tx.send(AppMsg::JobDone {
                            item_id: id2,
                            run_id,
                            kind,
                            result,
                        });
                    }
                });
                self.finished.remove(&item_id);
                self.jobs.insert(item_id, handle);
                self.set_status(t!("status-job-started", job = kind.title()), false);
            }
            (Err(e), _) => self.set_status(t!("status-save-failed", error = e), true),
            (_, Err(e)) => self.set_status(e.clone(), true),
        }
    }

    /// A job ended: keep its log tail for the detail pane and record the result as evidence
    /// (a cancel says what it left, the same line the evidence records).
    pub(super) fn on_job_done(
        &mut self,
        item_id: String,
        run_id: i64,
        kind: JobKind,
        result: Result<JobOutcome, JobError>,
    ) {
        let handle = self.jobs.remove(&item_id);
        let (log_tail, stats) = handle
            .map(|h| (h.log_tail(8), h.stats.clone()))
            .unwrap_or_default();
        let rec = crate::jobs::record::JobRecord::of(kind, &result);
        let status = rec.status;
        let summary = rec.summary.clone();
        self.finished.insert(
            item_id.clone(),
            FinishedJob {
                kind,
                summary: summary.clone(),
                outcome: status,
                log_tail,
                stats,
            },
        );
        let changed =
            matches!(&result, Err(JobError::Cancelled(c)) if migration::cancel_changed(c));
        self.set_status(summary, status == "failed" || changed);
        self.pending.insert(item_id.clone());
        let (sid, who, tx) = (self.session.id, self.operator.clone(), self.tx.clone());
        self.worker.submit(move |store| {
            let (evidence, run) = match rec.save(store, sid, &item_id, run_id, &who) {
                Ok((run, ev)) => (Ok(ev), Some(run)),
                Err(e) => (Err(e.to_string()), None),
            };
            let _ = tx.send(AppMsg::JobResultSaved {
                item_id,
                evidence,
                run,
            });
        });
    }

    /// Cancels an item's running job.
    pub fn cancel_job(&mut self, item_id: &str) {
        if let Some(job) = self.jobs.get(item_id) {
            job.cancel();
            self.set_status(t!("status-cancelling"), false);
        } else {
            self.set_status(t!("status-no-running-job"), true);
        }
    }

    /// Samples running jobs' progress, and lets an old status line go (the animation tick).
    pub(super) fn sample_jobs(&mut self) {
        let now = Instant::now();
        for job in self.jobs.values_mut() {
            let p = job.progress.borrow().clone();
            job.stats.sample(now, &p);
        }
        if self
            .status
            .as_ref()
            .is_some_and(|s| !s.error && s.at.elapsed().as_secs() > 8)
        {
            self.status = None;
        }
    }
}
