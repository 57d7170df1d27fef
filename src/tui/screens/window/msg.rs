//! The window screen's results: plan and marks read, source measured, plan saved, steps marked.

use super::*;

/// The window screen's results.
#[derive(Debug)]
pub enum WindowMsg {
    /// The plan, rates and marks were read.
    Loaded {
        /// What was read.
        l: Loaded,
    },
    /// The source was measured for an estimate (or not).
    Measured {
        /// Messages, database size and file posts, or why not.
        size: Result<SourceSize, String>,
    },
    /// An estimate was made and saved (or not), and the screen re-read.
    PlanSaved {
        /// The plan, the planner's refusal, or a store error (boxed: a plan is large).
        result: Box<Result<Result<Plan, PlanError>, String>>,
        /// What was read after.
        l: Loaded,
    },
    /// A step was marked started or finished (or refused), and the screen re-read.
    StepMarked {
        /// What was read after.
        l: Loaded,
        /// The step.
        s: StepId,
        /// True for a start mark.
        start: bool,
        /// The mark, or why it was refused.
        result: Result<WindowStepRecord, String>,
    },
}

impl WindowMsg {
    /// What the message is, for the debug log.
    pub fn describe(&self) -> String {
        match self {
            WindowMsg::Loaded { .. } => "loaded".into(),
            WindowMsg::Measured { size } => format!("measured: {}", size.is_ok()),
            WindowMsg::PlanSaved { result, .. } => {
                format!("plan saved: {}", matches!(**result, Ok(Ok(_))))
            }
            WindowMsg::StepMarked {
                s, start, result, ..
            } => format!(
                "step {s:?} {}: {}",
                if *start { "started" } else { "finished" },
                result.is_ok()
            ),
        }
    }
}

impl WindowState {
    /// Applies one of the screen's results.
    pub(super) fn apply(&mut self, ctx: &mut Ctx, msg: WindowMsg) {
        match msg {
            WindowMsg::Loaded { l } => {
                self.apply_loaded(ctx, l);
            }
            WindowMsg::Measured { size } => match size {
                Ok(size) => self.plan_and_save(ctx, size),
                Err(e) => {
                    self.estimating = false;
                    self.problem = Some(e.clone());
                    ctx.set_status(t!("status-plan-failed", error = e), true);
                }
            },
            WindowMsg::PlanSaved { result, l } => {
                self.estimating = false;
                self.apply_loaded(ctx, l);
                match *result {
                    Ok(Ok(plan)) => {
                        self.problem = None;
                        ctx.set_status(
                            t!("status-plan-saved", window = fmt_duration(plan.window_s)),
                            false,
                        );
                    }
                    Ok(Err(e)) => {
                        let text = plan_error_text(&e);
                        self.problem = Some(text.clone());
                        ctx.set_status(t!("status-plan-failed", error = text), true);
                    }
                    Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
                }
            }
            WindowMsg::StepMarked {
                l,
                s,
                start,
                result,
            } => {
                self.apply_loaded(ctx, l);
                let name = step_title(s);
                if let Ok(rec) = &result {
                    ctx.facts.upsert_window_step(rec.clone());
                }
                match result {
                    Ok(rec) => match rec.finished_at {
                        Some(end) if !start => {
                            let secs =
                                u64::try_from((end - rec.started_at).num_seconds()).unwrap_or(0);
                            ctx.set_status(
                                t!(
                                    "status-step-finished",
                                    step = name,
                                    elapsed = fmt_duration(secs)
                                ),
                                false,
                            );
                        }
                        _ => ctx.set_status(t!("status-step-started", step = name), false),
                    },
                    Err(e) => {
                        ctx.set_status(t!("status-step-refused", step = name, error = e), true)
                    }
                }
            }
        }
    }
}
