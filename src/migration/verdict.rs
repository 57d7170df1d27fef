//! The sign-off verdict: is the migration ready for the legacy pool to be decommissioned, and
//! if not, why.
//!
//! Ready means: the import is done by its evidence; the newest verify passed (differences only
//! where a loss was accepted by name) and no import ran after it; no item of the stages before
//! decommission is open. Each missing condition is one reason, in the order an admin would
//! fix them.

use serde::Serialize;

use super::preview::ImportReadiness;
use super::{Migration, VerifyState};
use crate::runbook::{JobKind, Runbook};
use crate::store::ItemState;

/// Ready to decommission, or not and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when nothing stands in the way.
    pub ready: bool,
    /// One line: `READY to decommission the legacy Group Chat pool` or `NOT READY …`.
    pub headline: String,
    /// Each condition not met (empty when ready).
    pub reasons: Vec<String>,
    /// Losses accepted by name (shown with a ready verdict too).
    pub accepted_losses: Vec<String>,
}

/// How many open items a reason names before it counts the rest.
const NAMED: usize = 5;

pub(super) fn decide(runbook: &Runbook, m: &Migration) -> Verdict {
    let mut reasons = Vec::new();
    if let Some(item) = runbook.job_item(JobKind::Import) {
        let st = m.item(&item.id);
        if st.state != ItemState::Done {
            let why = match &m.import {
                ImportReadiness::Ready => st.reason.clone().unwrap_or_else(|| {
                    st.flags
                        .iter()
                        .find_map(|f| match f {
                            super::Flag::Stale { why } => Some(why.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| "it has not run".into())
                }),
                other => crate::i18n::tr(other.message_id()),
            };
            reasons.push(format!("the import is not done: {why}"));
        }
    }
    match &m.verify {
        None => reasons.push("no verify has run".into()),
        Some(VerifyState {
            stale: Some(why),
            at,
            ..
        }) => reasons.push(format!(
            "the newest verify ({}) no longer describes the target: {why}; verify again",
            at.format("%Y-%m-%d %H:%M UTC")
        )),
        Some(v) if !v.passed => reasons.push(format!("the newest verify failed: {}", v.summary)),
        Some(_) => {}
    }
    let until = runbook
        .stage_index("decommission")
        .unwrap_or(runbook.stages.len());
    let open: Vec<String> = runbook.stages[..until]
        .iter()
        .flat_map(|s| s.items.iter())
        .filter(|it| m.items.get(&it.id).is_none_or(super::ItemStatus::is_open))
        .map(|it| match it.checklist {
            Some(n) => format!("{n} {}", it.title),
            None => it.title.clone(),
        })
        .collect();
    if !open.is_empty() {
        let named: Vec<&str> = open.iter().take(NAMED).map(String::as_str).collect();
        let more = open.len().saturating_sub(NAMED);
        reasons.push(format!(
            "{} items of stages 0–9 are open: {}{}",
            open.len(),
            named.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ));
    }
    let accepted_losses = m
        .accepted_losses
        .iter()
        .map(|l| format!("{}: {}", l.code, l.item))
        .collect();
    let ready = reasons.is_empty();
    Verdict {
        ready,
        headline: if ready {
            "READY to decommission the legacy Group Chat pool".into()
        } else {
            format!(
                "NOT READY to decommission the legacy Group Chat pool ({})",
                crate::i18n::count(reasons.len(), "reason", "reasons")
            )
        },
        reasons,
        accepted_losses,
    }
}
