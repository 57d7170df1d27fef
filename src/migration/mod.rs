//! Where the migration stands: one model of its state, derived from what the session recorded.
//!
//! [`derive`] takes the runbook and the session's recorded facts ([`SessionFacts`]: the
//! operator's item states, the evidence of jobs and probes, the audit events, the job runs
//! and the window marks) and returns a [`Migration`]: every item's effective state and why,
//! the counts, where the migration is, the `-WhatIf` preview with its errors, warnings and
//! accepted losses, whether the import may run, the newest verify, which gates stand in front
//! of an action ([`Migration::gate`]), and the sign-off verdict. The wizard, the headless
//! commands, the Window screen and the report all read this one model; none of them decides an
//! item's state, a count or a gate on its own.
//!
//! The module is pure: no terminal, no files, no clock (callers pass `now` where time
//! matters). It is tested by itself (`tests.rs`).
//!
//! # Item state
//!
//! An item whose runbook entry names a rule (`proven_by`, see [`crate::runbook::ProvenBy`]) is
//! decided by its evidence; the operator's tick is the proof of every other item. For a
//! proven item ([`ItemStatus`]):
//!
//! - the newest relevant evidence that passed makes it done, one that failed makes it failed
//!   (a `-WhatIf` preview with errors is failed until every error is accepted as a named loss);
//! - an operator's state set after that evidence wins when it is not "done" (reopened,
//!   skipped, blocked with a reason); an operator's "done" over failing evidence does not:
//!   the item stays failed and says so ([`Flag::Contradicted`]);
//! - evidence that is not the item's own check (production pool probes: a port that answers
//!   is not proof that a service runs \[inferred\]) never decides; it flags a contradiction or
//!   says that it suggests the item is done;
//! - a proof made stale by later work (an export after the preview, an import after the
//!   verify, a lab reset after either, a lab package gone or resized on disk since its
//!   export) no longer counts ([`Flag::Stale`]);
//! - an item ticked by hand with no evidence at all is done and flagged [`Flag::Unproven`].

mod cancel;
mod events;
mod gate;
mod lab_reset;
mod preview;
mod proof;
mod verdict;
pub mod window;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::runbook::{Item, JobKind, Runbook, Stage};
use crate::store::{ItemState, SessionFacts};

pub use cancel::{changed as cancel_changed, statement as cancel_statement};
pub use events::{
    EVENT_DOWNTIME_CONFIRMED, EVENT_GATE_OVERRIDE, EVENT_IRREVERSIBLE_OVERRIDE, EVENT_LAB_POOL,
    EVENT_LOSS_ACCEPTED, EVENT_WHATIF_ACK, GateOverride, LabPoolChange, LossAcceptance,
    acknowledged_evidence,
};
pub use gate::{GateStep, OpenItem, Request};
pub use lab_reset::{LAB_RESET_SOURCE, LabReset};
pub use preview::{
    AcceptedLoss, FindingGroup, ImportReadiness, Preview, PreviewCounts, PreviewWarning,
    ack_detail, digest as preview_digest, export_package,
};
pub use verdict::Verdict;

/// One item's effective state, derived from the operator's record and the evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemStatus {
    /// The effective state every screen shows and every gate reads.
    pub state: ItemState,
    /// Why: the operator's reason, or the evidence's summary for an item failed by evidence.
    pub reason: Option<String>,
    /// What decided the state.
    pub source: Source,
    /// What else the admin must know (contradictions, stale or missing proof).
    pub flags: Vec<Flag>,
}

impl ItemStatus {
    /// Todo, blocked, failed, or done but contradicted by newer evidence: the item still needs
    /// work before the migration may rely on it.
    pub fn is_open(&self) -> bool {
        matches!(
            self.state,
            ItemState::Todo | ItemState::Blocked | ItemState::Failed
        ) || self
            .flags
            .iter()
            .any(|f| matches!(f, Flag::Contradicted { .. }))
    }

    /// Done or skipped (with a reason).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, ItemState::Done | ItemState::Skipped) && !self.is_open()
    }

    /// When the state was set, if it was.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match &self.source {
            Source::Operator { at, .. } | Source::Evidence { at, .. } => Some(*at),
            Source::Untouched => None,
        }
    }

    /// Who set it (the operator, or who recorded the evidence).
    pub fn who(&self) -> Option<&str> {
        match &self.source {
            Source::Operator { who, .. } | Source::Evidence { who, .. } => Some(who),
            Source::Untouched => None,
        }
    }

    /// What the deciding evidence proves about this item, when the state comes from evidence
    /// and that line says something the item's own evidence lines (`own`: their summaries)
    /// and its reason do not: an item proven by one aspect of another item's job (the
    /// verify's categories, the export's package check) has no evidence of its own, and the
    /// admin must still see what decided it.
    pub fn proof_line<'o>(&self, mut own: impl Iterator<Item = &'o str>) -> Option<&str> {
        match &self.source {
            Source::Evidence { summary, .. }
                if self.reason.as_deref() != Some(summary) && !own.any(|s| s == summary) =>
            {
                Some(summary)
            }
            _ => None,
        }
    }
}

/// What decided an item's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Source {
    /// Nothing was recorded.
    Untouched,
    /// The operator's tick, reason or reopening.
    Operator {
        /// Who.
        who: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// Recorded evidence of a job or probe.
    Evidence {
        /// The evidence row.
        evidence_id: i64,
        /// Who ran the job or probe.
        who: String,
        /// When the evidence was recorded.
        at: DateTime<Utc>,
        /// The evidence's one line.
        summary: String,
    },
}

/// Something about an item's state the admin must see.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "flag", rename_all = "kebab-case")]
pub enum Flag {
    /// The operator marked the item done, but the newest evidence says otherwise.
    Contradicted {
        /// The evidence row.
        evidence_id: i64,
        /// When it was recorded.
        at: DateTime<Utc>,
        /// What it says.
        summary: String,
    },
    /// Evidence that is not the item's own check passed (production pool probes): it
    /// suggests the item is done; the operator decides.
    Suggested {
        /// What it says.
        summary: String,
    },
    /// The item's proof was made stale by later work; run it again.
    Stale {
        /// What made it stale (`export of … is newer`).
        why: String,
    },
    /// Marked done by hand; the evidence that proves it was never recorded.
    Unproven,
}

/// Progress of one stage (the rollback included), from the effective states.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StageStatus {
    /// Stage id.
    pub id: String,
    /// Items.
    pub total: usize,
    /// Done or skipped.
    pub closed: usize,
    /// Failed, blocked, or contradicted.
    pub problems: usize,
}

impl StageStatus {
    /// Every item done or skipped.
    pub fn complete(&self) -> bool {
        self.total > 0 && self.closed == self.total
    }
}

/// One count of the items of the 13 migration stages (the rollback list is not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Every item: the 81 items of Microsoft's checklist (migration.md §5) plus the 3 this
    /// runbook adds from the stages' documented actions (84).
    pub items: usize,
    /// Items with a checklist number (81).
    pub checklist_items: usize,
    /// Done.
    pub done: usize,
    /// Skipped with a reason.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Blocked with a reason.
    pub blocked: usize,
    /// Not done yet.
    pub todo: usize,
    /// Done but contradicted by newer evidence (also counted under done).
    pub contradicted: usize,
}

impl Totals {
    /// Done or skipped, not contradicted.
    pub fn closed(&self) -> usize {
        self.done + self.skipped - self.contradicted
    }

    /// Whole percent closed, rounded down (100 only when every item is closed).
    pub fn percent(&self) -> usize {
        (self.closed() * 100).checked_div(self.items).unwrap_or(0)
    }
}

/// The newest verify, as recorded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerifyState {
    /// The evidence row.
    pub evidence_id: i64,
    /// When it ran.
    pub at: DateTime<Utc>,
    /// No difference beyond the accepted losses.
    pub passed: bool,
    /// The verify's one line.
    pub summary: String,
    /// Differences not covered by an accepted loss.
    pub differences: usize,
    /// Accepted losses the verify found as expected.
    pub accepted_losses: Vec<String>,
    /// Why it no longer describes the target (an import ran after it, the lab's databases
    /// were reset after it); `None` while it is current.
    pub stale: Option<String>,
}

/// The migration's state, derived by [`derive`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Migration {
    /// Effective state of every item (the rollback list included), by item id.
    pub items: HashMap<String, ItemStatus>,
    /// The 13 stages in order, then the rollback.
    pub stages: Vec<StageStatus>,
    /// Counts over the 13 stages.
    pub totals: Totals,
    /// The first stage with an open item (the last stage when none is open).
    pub current_stage: String,
    /// The rollback list still applies: no irreversible item is done and the migration has
    /// not reached the decommission stage.
    pub rollback_available: bool,
    /// Downtime stages whose word was typed (recorded).
    pub confirmed_stages: BTreeSet<String>,
    /// Items the operator acknowledged as open when going on (gate overrides).
    pub acknowledged_open: BTreeSet<String>,
    /// Items whose irreversible gate was overridden, with the operator's reason.
    pub irreversible_overrides: HashMap<String, String>,
    /// The newest `-WhatIf` preview.
    pub preview: Option<Preview>,
    /// Whether the real import may run.
    pub import: ImportReadiness,
    /// Losses accepted by name for the newest preview.
    pub accepted_losses: Vec<AcceptedLoss>,
    /// The newest verify.
    pub verify: Option<VerifyState>,
    /// Lab pools the operator stopped and did not start again (from the audit trail).
    pub lab_pools_stopped: BTreeSet<String>,
    /// Ready to decommission, or not and why.
    pub verdict: Verdict,
    /// Probe items: whether new probe evidence would count now, and the newest verdict that
    /// counts (the wizard records a probe result only when it would change something).
    pub probes: HashMap<String, ProbeWindow>,
}

/// Whether a probe item takes evidence now, and its newest counted verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeWindow {
    /// Evidence recorded now would count.
    pub open: bool,
    /// The newest counted verdict (passed), if any.
    pub latest: Option<bool>,
}

impl Migration {
    /// An item's status (untouched todo for an unknown id).
    pub fn item(&self, id: &str) -> ItemStatus {
        self.items.get(id).cloned().unwrap_or_else(untouched)
    }

    /// An item's effective state.
    pub fn state(&self, id: &str) -> ItemState {
        self.items.get(id).map_or(ItemState::Todo, |s| s.state)
    }

    /// A stage's progress.
    pub fn stage(&self, id: &str) -> StageStatus {
        self.stages
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .unwrap_or_default()
    }

    /// Open items of the stages before `stage_id`, in runbook order.
    pub fn open_before(&self, runbook: &Runbook, stage_id: &str) -> Vec<OpenItem> {
        let Some(idx) = runbook.stage_index(stage_id) else {
            return Vec::new();
        };
        runbook.stages[..idx]
            .iter()
            .flat_map(|s| s.items.iter().map(move |it| (s, it)))
            .filter(|(_, it)| self.items.get(&it.id).is_none_or(ItemStatus::is_open))
            .map(|(s, it)| OpenItem {
                item_id: it.id.clone(),
                checklist: it.checklist,
                title: it.title.clone(),
                stage: format!("{} {}", s.number, s.title),
                state: self.state(&it.id),
            })
            .collect()
    }

    /// Whether a probe result for `item_id` should be recorded now: the item takes probe
    /// evidence at this point of the migration, and the verdict differs from the newest one
    /// that counts (or there is none).
    pub fn probe_wants(&self, item_id: &str, passed: bool) -> bool {
        self.probes
            .get(item_id)
            .is_some_and(|w| w.open && w.latest != Some(passed))
    }

    /// The losses accepted for the newest preview, as the verify job takes them.
    pub fn losses_for_verify(&self) -> Vec<(String, String)> {
        self.accepted_losses
            .iter()
            .map(|l| (l.code.clone(), l.item.clone()))
            .collect()
    }
}

fn untouched() -> ItemStatus {
    ItemStatus {
        state: ItemState::Todo,
        reason: None,
        source: Source::Untouched,
        flags: Vec::new(),
    }
}

/// Derives the migration's state from the session's facts (see the module docs).
pub fn derive(runbook: &Runbook, facts: &SessionFacts) -> Migration {
    let ev = events::read(&facts.events);
    let preview = preview::latest(runbook, facts);
    let accepted_losses = preview
        .as_ref()
        .map(|p| preview::accepted(p, &ev.losses))
        .unwrap_or_default();
    let import = preview::readiness(runbook, facts, preview.as_ref(), &ev, &accepted_losses);
    let verify = proof::latest_verify(runbook, facts);
    let ctx = proof::Ctx {
        runbook,
        facts,
        shutdown_at: ev.confirmed_at("shutdown"),
        preview: preview.as_ref(),
        accepted: &accepted_losses,
        verify: verify.as_ref(),
    };
    let mut items = HashMap::new();
    let mut probes = HashMap::new();
    for stage in runbook
        .stages
        .iter()
        .chain(std::iter::once(&runbook.rollback))
    {
        for item in &stage.items {
            items.insert(item.id.clone(), item_status(&ctx, item));
            if let Some(rule) = item.proven_by.filter(|r| r.is_probe()) {
                let window = proof::probe_window(&ctx, rule);
                probes.insert(
                    item.id.clone(),
                    ProbeWindow {
                        open: window.is_some_and(|(_, until)| until.is_none()),
                        latest: proof::evaluate(&ctx, item, rule).map(|p| p.passed),
                    },
                );
            }
        }
    }
    let stages: Vec<StageStatus> = runbook
        .stages
        .iter()
        .chain(std::iter::once(&runbook.rollback))
        .map(|s| stage_status(s, &items))
        .collect();
    let mut totals = Totals::default();
    for item in runbook.items() {
        let st = &items[&item.id];
        totals.items += 1;
        if item.checklist.is_some() {
            totals.checklist_items += 1;
        }
        match st.state {
            ItemState::Done => totals.done += 1,
            ItemState::Skipped => totals.skipped += 1,
            ItemState::Failed => totals.failed += 1,
            ItemState::Blocked => totals.blocked += 1,
            ItemState::Todo => totals.todo += 1,
        }
        if matches!(st.state, ItemState::Done | ItemState::Skipped) && st.is_open() {
            totals.contradicted += 1;
        }
    }
    let current_stage = runbook
        .stages
        .iter()
        .find(|s| s.items.iter().any(|it| items[&it.id].is_open()))
        .or(runbook.stages.last())
        .map_or_else(String::new, |s| s.id.clone());
    let irreversible_done = runbook
        .items()
        .any(|it| it.irreversible && matches!(items[&it.id].state, ItemState::Done));
    let rollback_available = !irreversible_done && runbook.rollback_available(&current_stage);
    let mut m = Migration {
        items,
        stages,
        totals,
        current_stage,
        rollback_available,
        confirmed_stages: ev.confirmed.keys().cloned().collect(),
        acknowledged_open: ev.acknowledged_open.clone(),
        irreversible_overrides: ev.irreversible.clone(),
        preview,
        import,
        accepted_losses,
        verify,
        lab_pools_stopped: ev.lab_pools_stopped.clone(),
        verdict: Verdict::default(),
        probes,
    };
    m.verdict = verdict::decide(runbook, &m);
    m
}

fn stage_status(stage: &Stage, items: &HashMap<String, ItemStatus>) -> StageStatus {
    let mut s = StageStatus {
        id: stage.id.clone(),
        total: stage.items.len(),
        ..StageStatus::default()
    };
    for it in &stage.items {
        let st = &items[&it.id];
        if st.is_closed() {
            s.closed += 1;
        } else if st.is_open() && st.state != ItemState::Todo {
            s.problems += 1;
        }
    }
    s
}

/// The effective state of one item (module docs, "Item state").
fn item_status(ctx: &proof::Ctx<'_>, item: &Item) -> ItemStatus {
    let record = ctx.facts.records.get(&item.id);
    let operator = record.map(|r| ItemStatus {
        state: r.state,
        reason: r.reason.clone(),
        source: Source::Operator {
            who: r.who.clone(),
            at: r.at,
        },
        flags: Vec::new(),
    });
    let Some(rule) = item.proven_by else {
        return operator.unwrap_or_else(untouched);
    };
    let proof = proof::evaluate(ctx, item, rule);
    let Some(p) = proof else {
        // No evidence: the operator's record stands; a hand tick is unproven.
        let mut st = operator.unwrap_or_else(untouched);
        if st.state == ItemState::Done {
            st.flags.push(Flag::Unproven);
        }
        return st;
    };
    let evidence_source = Source::Evidence {
        evidence_id: p.evidence_id,
        who: p.who.clone(),
        at: p.at,
        summary: p.summary.clone(),
    };
    let newer_record = record.filter(|r| r.at > p.at);
    if let Some(why) = &p.stale {
        let mut st = match newer_record {
            Some(_) => operator.unwrap_or_else(untouched),
            None => untouched(),
        };
        if st.state == ItemState::Done {
            st.state = ItemState::Todo;
        }
        st.flags.push(Flag::Stale { why: why.clone() });
        return st;
    }
    if !p.authoritative {
        let mut st = operator.unwrap_or_else(untouched);
        match (p.passed, st.state) {
            (false, ItemState::Done) => st.flags.push(Flag::Contradicted {
                evidence_id: p.evidence_id,
                at: p.at,
                summary: p.summary.clone(),
            }),
            (true, s) if s != ItemState::Done => st.flags.push(Flag::Suggested {
                summary: p.summary.clone(),
            }),
            _ => {}
        }
        return st;
    }
    match newer_record {
        // The operator reopened, skipped or blocked the item after the evidence.
        Some(r) if r.state != ItemState::Done => operator.unwrap_or_else(untouched),
        Some(_) if !p.passed => ItemStatus {
            state: ItemState::Failed,
            reason: Some(p.summary.clone()),
            source: evidence_source,
            flags: vec![Flag::Contradicted {
                evidence_id: p.evidence_id,
                at: p.at,
                summary: p.summary.clone(),
            }],
        },
        _ => ItemStatus {
            state: if p.passed {
                ItemState::Done
            } else {
                p.fail_state
            },
            reason: (!p.passed).then(|| p.summary.clone()),
            source: evidence_source,
            flags: Vec::new(),
        },
    }
}

/// The item that a job carries out, for code that has only the kind.
pub fn job_item(runbook: &Runbook, kind: JobKind) -> Option<&Item> {
    runbook.job_item(kind)
}
