//! The gates in front of an action, decided in one place and asked in one order:
//!
//! 1. **refused**: ticking an item done that its own evidence contradicts right now (the lab's
//!    pool monitor sees the legacy pool up while "Stop every legacy Group Chat service" is
//!    ticked); ticking a job's item by hand while that job's newest result failed;
//! 2. **earlier items open**: work on a stage (or entering a downtime stage) while items of
//!    earlier stages are open; going on is recorded with the list of open items
//!    ([`super::EVENT_GATE_OVERRIDE`]), and the same open items are not asked about again;
//! 3. **irreversible**: a step that ends the rollback option (`irreversible = true` in the
//!    runbook: uninstalling and removing the legacy Group Chat pool) needs a passing, current
//!    verify, or a recorded override naming the operator with a typed reason
//!    ([`super::EVENT_IRREVERSIBLE_OVERRIDE`]);
//! 4. **downtime word**: entering or working on a stage that takes the chat service down
//!    needs its word typed once ([`super::EVENT_DOWNTIME_CONFIRMED`]).
//!
//! The earlier-items question comes before the typed word, so the admin learns what is open
//! before committing to the downtime.

use serde::Serialize;

use super::{Flag, Migration};
use crate::runbook::{ProvenBy, Runbook};
use crate::store::ItemState;

/// What the admin asks to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// Open a stage's checklist.
    EnterStage(&'a str),
    /// Set an item's state.
    SetState {
        /// The item.
        item: &'a str,
        /// The state asked for.
        state: ItemState,
    },
    /// Run an item's job.
    RunJob(&'a str),
}

/// An open item of an earlier stage, as the gate lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenItem {
    /// Item id.
    pub item_id: String,
    /// Checklist number.
    pub checklist: Option<u32>,
    /// Title.
    pub title: String,
    /// `4 Shutdown and backups`.
    pub stage: String,
    /// Effective state.
    pub state: ItemState,
}

/// The first gate an action must pass, or `Proceed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "gate", rename_all = "kebab-case")]
pub enum GateStep {
    /// Nothing stands in the way.
    Proceed,
    /// Not allowed: what the evidence says, and what to do.
    Refused {
        /// The item.
        item_id: String,
        /// Why, and what to do instead.
        why: String,
    },
    /// Items of earlier stages are open that the operator has not yet acknowledged.
    EarlierOpen {
        /// The stage the action is on.
        stage_id: String,
        /// The open items not yet acknowledged, in runbook order.
        open: Vec<OpenItem>,
    },
    /// The step ends the rollback option and the verify does not pass.
    Irreversible {
        /// The item.
        item_id: String,
        /// Why it is not safe yet (`verify failed: 3 differences`, `no verify has run`).
        why: String,
    },
    /// The downtime stage's word must be typed.
    ConfirmWord {
        /// The stage.
        stage_id: String,
        /// The word.
        word: String,
    },
}

impl Migration {
    /// The first gate `req` must pass (see the module docs for the order).
    pub fn gate(&self, runbook: &Runbook, req: &Request<'_>) -> GateStep {
        let (stage, item) = match req {
            Request::EnterStage(s) => (runbook.stage(s), None),
            Request::SetState { item, .. } | Request::RunJob(item) => {
                let it = runbook.item(item);
                (it.and_then(|i| runbook.stage(&i.stage_id)), it)
            }
        };
        let Some(stage) = stage else {
            return GateStep::Proceed;
        };
        let is_rollback = stage.id == runbook.rollback.id;
        let is_work = match req {
            Request::EnterStage(_) => false,
            Request::SetState { state, .. } => *state != ItemState::Todo,
            Request::RunJob(_) => true,
        };
        let ticks_done = matches!(
            req,
            Request::SetState {
                state: ItemState::Done,
                ..
            }
        );
        // 1. refused by the evidence
        if let (Some(item), true) = (item, ticks_done)
            && let Some(why) = self.refusal(item)
        {
            return GateStep::Refused {
                item_id: item.id.clone(),
                why,
            };
        }
        // 2. earlier items open
        if !is_rollback && (is_work || stage.downtime) {
            let open: Vec<_> = self
                .open_before(runbook, &stage.id)
                .into_iter()
                .filter(|o| !self.acknowledged_open.contains(&o.item_id))
                .collect();
            if !open.is_empty() {
                return GateStep::EarlierOpen {
                    stage_id: stage.id.clone(),
                    open,
                };
            }
        }
        // 3. irreversible
        let finishes = ticks_done || matches!(req, Request::RunJob(_));
        if let (Some(item), true) = (item, finishes)
            && item.irreversible
            && !self.irreversible_overrides.contains_key(&item.id)
            && let Some(why) = self.unsafe_to_end_rollback()
        {
            return GateStep::Irreversible {
                item_id: item.id.clone(),
                why,
            };
        }
        // 4. downtime word
        if stage.downtime && !self.confirmed_stages.contains(&stage.id) {
            return GateStep::ConfirmWord {
                stage_id: stage.id.clone(),
                word: stage
                    .confirm_word
                    .clone()
                    .unwrap_or_else(|| stage.id.to_uppercase()),
            };
        }
        GateStep::Proceed
    }

    /// Why the rollback option may not be ended yet, or `None` when the newest verify passed
    /// and is current.
    pub fn unsafe_to_end_rollback(&self) -> Option<String> {
        match &self.verify {
            None => {
                Some("no verify has run: run Compare the legacy and new databases first".into())
            }
            Some(super::VerifyState {
                stale: Some(why),
                at,
                ..
            }) => Some(format!(
                "the verify of {} no longer describes the target: {why}; verify again",
                at.format("%Y-%m-%d %H:%M UTC")
            )),
            Some(v) if !v.passed => Some(format!("the newest verify failed: {}", v.summary)),
            Some(_) => None,
        }
    }

    /// Why ticking `item` done is refused by its evidence, if it is.
    fn refusal(&self, item: &crate::runbook::Item) -> Option<String> {
        let rule = item.proven_by?;
        let st = self.items.get(&item.id)?;
        let super::Source::Evidence { summary, at, .. } = &st.source else {
            return None;
        };
        let failing = matches!(st.state, ItemState::Failed | ItemState::Todo)
            && !st.flags.iter().any(|f| matches!(f, Flag::Stale { .. }));
        if !failing {
            return None;
        }
        let what = if rule.is_probe() {
            "the probe"
        } else if rule == ProvenBy::Job {
            "its job"
        } else {
            "the evidence"
        };
        Some(format!(
            "{what} says otherwise ({}, {}): {}. Make it true, then let the evidence tick it, \
             or mark it skipped or blocked with a reason",
            summary,
            at.format("%H:%M:%S UTC"),
            match rule {
                ProvenBy::ProbeLegacyStopped | ProvenBy::ProbePchatStopped =>
                    "stop the services first (in the lab: x on the Pools screen)",
                ProvenBy::ProbePchatStarted =>
                    "start the Persistent Chat services first (in the lab: x on the Pools screen)",
                ProvenBy::Job => "run the job again (r) once the cause is fixed",
                _ => "fix what it found and check again",
            }
        ))
    }
}
