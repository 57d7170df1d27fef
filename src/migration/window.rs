//! The downtime window as it happened: when each step started and finished, from what the
//! session recorded — the admin's marks, the job runs, and the checklist items the step
//! covers — and elapsed against the plan.
//!
//! For each step, in this order of precedence:
//!
//! 1. the admin's marks (`s` / `f` on the Window screen);
//! 2. for export, `-WhatIf`, import and verify, the job runs: the newest run, and before it
//!    the runs of the same kind that were cancelled, interrupted or failed since the last one
//!    that succeeded (a cancelled and resumed import is one step, from its first start to its
//!    last finish);
//! 3. the step's checklist items: started when the first was closed, finished when the last
//!    was (their start is not recorded, so such a step has no elapsed time).
//!
//! Finished job runs are never dropped because a mark was made later: a mark only moves its
//! own step.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Migration;
use crate::i18n::Msg;
use crate::planner::{Plan, StepId, StepState, StepStatus, WindowProgress};
use crate::runbook::Runbook;
use crate::store::{JobRun, SessionFacts};

/// When one step started and finished, and where the times come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepActual {
    /// The step.
    pub step: StepId,
    /// When it started, if that is known.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished, if it did.
    pub finished_at: Option<DateTime<Utc>>,
    /// Where the times come from (`marked by alice`, `import job runs #4–#5`, `checklist`),
    /// in English.
    pub source: String,
    /// The same, worded on the screen in the language of the run.
    #[serde(skip)]
    pub source_msg: Msg,
}

impl StepActual {
    fn new(
        step: StepId,
        started_at: Option<DateTime<Utc>>,
        finished_at: Option<DateTime<Utc>>,
        source: Msg,
    ) -> StepActual {
        StepActual {
            step,
            started_at,
            finished_at,
            source: source.english(),
            source_msg: source,
        }
    }
}

/// The word for a job run's status (`succeeded`), worded per language; an unknown status
/// as it is.
fn run_status(status: &str) -> Msg {
    if crate::store::JOB_STATUSES.contains(&status) {
        Msg::new(&format!("job-run-{status}"))
    } else {
        Msg::new("job-run-other").text("status", status)
    }
}

fn elapsed(a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
    u64::try_from((b - a).num_seconds()).unwrap_or(0)
}

/// The runs that make up a job step: the newest run of `kind`, and the unsuccessful runs
/// before it back to the previous success (oldest first).
fn job_chain<'a>(runs: &'a [JobRun], kind: &str) -> Vec<&'a JobRun> {
    let mut of_kind: Vec<&JobRun> = runs.iter().filter(|r| r.kind == kind).collect();
    of_kind.sort_by_key(|r| (r.started_at, r.id));
    let Some(newest) = of_kind.pop() else {
        return Vec::new();
    };
    let mut chain = vec![newest];
    while let Some(prev) = of_kind.pop() {
        if prev.status == "succeeded" {
            break;
        }
        chain.push(prev);
    }
    chain.reverse();
    chain
}

/// The actual times of every step that has any (see the module docs).
pub fn actuals(runbook: &Runbook, facts: &SessionFacts, m: &Migration) -> Vec<StepActual> {
    let mut out = Vec::new();
    for step in StepId::ALL {
        if let Some(w) = facts.window_steps.iter().find(|w| w.step == step.id()) {
            out.push(StepActual::new(
                step,
                Some(w.started_at),
                w.finished_at,
                match &w.finished_by {
                    Some(f) if *f != w.started_by => Msg::new("actual-marked-by-two")
                        .text("started", w.started_by.clone())
                        .text("finished", f.clone()),
                    _ => Msg::new("actual-marked").text("who", w.started_by.clone()),
                },
            ));
            continue;
        }
        if let Some(kind) = step.job_kind() {
            let chain = job_chain(&facts.runs, kind);
            if let (Some(first), Some(last)) = (chain.first(), chain.last()) {
                let ids = if chain.len() == 1 {
                    format!("#{}", last.id)
                } else {
                    format!("#{}–#{}", first.id, last.id)
                };
                let runs = if chain.len() == 1 {
                    "actual-job-run"
                } else {
                    "actual-job-runs"
                };
                out.push(StepActual::new(
                    step,
                    Some(first.started_at),
                    last.finished_at.filter(|_| last.status == "succeeded"),
                    Msg::new(runs)
                        .msg("job", crate::planner::job_msg(kind))
                        .text("runs", ids)
                        .msg("status", run_status(&last.status)),
                ));
                continue;
            }
        }
        let items: Vec<_> = step
            .items()
            .iter()
            .filter(|id| runbook.item(id).is_some())
            .map(|id| m.item(id))
            .collect();
        let closed: Vec<_> = items.iter().filter(|s| s.is_closed()).collect();
        if closed.is_empty() {
            continue;
        }
        let first = closed.iter().filter_map(|s| s.at()).min();
        let last = closed.iter().filter_map(|s| s.at()).max();
        let all = closed.len() == items.len();
        out.push(StepActual::new(
            step,
            first,
            if all { last } else { None },
            Msg::new("actual-checklist")
                .num("closed", closed.len() as u64)
                .num("total", items.len() as u64),
        ));
    }
    out.sort_by_key(|a| (a.started_at.or(a.finished_at), a.step));
    out
}

/// Elapsed against planned for every step, at `now` (every step in window order when there
/// is no plan, with no planned time).
pub fn statuses(
    plan: Option<&Plan>,
    actuals: &[StepActual],
    now: DateTime<Utc>,
) -> Vec<StepStatus> {
    let steps: Vec<(StepId, String, u64)> = match plan {
        Some(p) => p
            .steps
            .iter()
            .map(|s| (s.step, s.title.clone(), s.planned_s))
            .collect(),
        None => StepId::ALL
            .into_iter()
            .map(|s| (s, s.title().to_string(), 0))
            .collect(),
    };
    steps
        .into_iter()
        .map(|(step, title, planned_s)| {
            let a = actuals.iter().find(|a| a.step == step);
            let (elapsed_s, state) = match a {
                None => (None, StepState::Pending),
                Some(a) => {
                    let secs = a
                        .started_at
                        .map(|s| elapsed(s, a.finished_at.unwrap_or(now)));
                    let late = planned_s > 0 && secs.is_some_and(|s| s > planned_s);
                    let state = match (a.finished_at.is_some(), late) {
                        (true, false) => StepState::Done,
                        (true, true) => StepState::DoneLate,
                        (false, false) => StepState::Running,
                        (false, true) => StepState::RunningLate,
                    };
                    (secs, state)
                }
            };
            StepStatus {
                step,
                title,
                planned_s,
                elapsed_s,
                state,
                started_at: a.and_then(|a| a.started_at),
                finished_at: a.and_then(|a| a.finished_at),
                source: a.map(|a| a.source.clone()),
                source_msg: a.map(|a| a.source_msg.clone()),
            }
        })
        .collect()
}

/// The window as a whole: from the first step's start to the last step's finish (or `now`
/// while steps remain), and the projected end.
pub fn progress(plan: &Plan, statuses: &[StepStatus], now: DateTime<Utc>) -> WindowProgress {
    let started_at = statuses
        .iter()
        .filter_map(|s| s.started_at.or(s.finished_at))
        .min();
    let all_done = !statuses.is_empty()
        && statuses
            .iter()
            .all(|s| matches!(s.state, StepState::Done | StepState::DoneLate));
    let finished_at = if all_done {
        statuses.iter().filter_map(|s| s.finished_at).max()
    } else {
        None
    };
    let actual_s = started_at.map(|s| elapsed(s, finished_at.unwrap_or(now)));
    let remaining: u64 = statuses
        .iter()
        .map(|s| match s.state {
            StepState::Pending => s.planned_s,
            StepState::Running | StepState::RunningLate => {
                s.planned_s.saturating_sub(s.elapsed_s.unwrap_or(0))
            }
            StepState::Done | StepState::DoneLate => 0,
        })
        .sum();
    let projected_s = actual_s.map(|a| a + remaining);
    WindowProgress {
        window_s: plan.window_s,
        planned_s: plan.total_s,
        actual_s,
        started_at,
        finished_at,
        projected_s,
        within_window: projected_s.unwrap_or(plan.total_s) <= plan.window_s,
    }
}
