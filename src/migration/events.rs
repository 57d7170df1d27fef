//! The audit events the model reads, their kinds and the detail each one carries. The
//! writers (wizard and headless commands) build the detail with these types, so what is
//! written is what is read back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::store::AuditEvent;

/// The admin typed a downtime stage's word; `item_id` is the stage id.
pub const EVENT_DOWNTIME_CONFIRMED: &str = "downtime-confirmed";
/// The admin went on while earlier items were open; `item_id` is the stage id, the detail a
/// [`GateOverride`].
pub const EVENT_GATE_OVERRIDE: &str = "gate-override";
/// The admin did an irreversible step without a passing verify; `item_id` is the item, the
/// detail a [`GateOverride`] with the typed reason.
pub const EVENT_IRREVERSIBLE_OVERRIDE: &str = "irreversible-override";
/// The admin read and acknowledged the warnings of a `-WhatIf` preview; the detail is
/// `evidence <id> · <n> warnings read and accepted · sha256 <digest>`.
pub const EVENT_WHATIF_ACK: &str = "whatif-acknowledged";
/// The admin accepted that one item a preview refuses will not be imported; the detail a
/// [`LossAcceptance`].
pub const EVENT_LOSS_ACCEPTED: &str = "loss-accepted";
/// A lab pool was stopped or started; the detail a [`LabPoolChange`].
pub const EVENT_LAB_POOL: &str = "lab-pool";

/// The detail of a gate override: the open items the operator saw, and the reason typed
/// (irreversible overrides).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateOverride {
    /// Ids of the items that were open and acknowledged.
    #[serde(default)]
    pub open: Vec<String>,
    /// The reason the operator typed (irreversible overrides), or empty.
    #[serde(default)]
    pub reason: String,
    /// What stood in the way (`verify failed: 3 differences`), for the record.
    #[serde(default)]
    pub why: String,
}

/// The detail of an accepted loss.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossAcceptance {
    /// The preview's evidence row.
    pub evidence_id: i64,
    /// The error's code (`name-too-long`, …).
    pub code: String,
    /// The room, category or principal that will not be imported.
    pub item: String,
}

/// The detail of a lab pool change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabPoolChange {
    /// The pool's FQDN.
    pub pool: String,
    /// Running after the change.
    pub running: bool,
}

/// The events read back.
#[derive(Clone, Debug, Default)]
pub(super) struct Read {
    pub confirmed: BTreeMap<String, DateTime<Utc>>,
    pub acknowledged_open: BTreeSet<String>,
    pub irreversible: HashMap<String, String>,
    pub acknowledged_previews: BTreeSet<i64>,
    pub losses: Vec<LossAcceptance>,
    pub lab_pools_stopped: BTreeSet<String>,
}

impl Read {
    /// When a downtime stage was first confirmed.
    pub fn confirmed_at(&self, stage: &str) -> Option<DateTime<Utc>> {
        self.confirmed.get(stage).copied()
    }
}

/// The evidence id an acknowledgement names, from its detail.
pub fn acknowledged_evidence(detail: &str) -> Option<i64> {
    detail
        .strip_prefix("evidence ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

pub(super) fn read(events: &[AuditEvent]) -> Read {
    let mut r = Read::default();
    for e in events {
        let detail = e.detail.as_deref().unwrap_or("");
        match e.kind.as_str() {
            EVENT_DOWNTIME_CONFIRMED => {
                if let Some(stage) = &e.item_id {
                    r.confirmed.entry(stage.clone()).or_insert(e.at);
                }
            }
            EVENT_GATE_OVERRIDE => {
                if let Ok(o) = serde_json::from_str::<GateOverride>(detail) {
                    r.acknowledged_open.extend(o.open);
                }
            }
            EVENT_IRREVERSIBLE_OVERRIDE => {
                if let (Some(item), Ok(o)) =
                    (&e.item_id, serde_json::from_str::<GateOverride>(detail))
                {
                    r.irreversible.insert(item.clone(), o.reason);
                }
            }
            EVENT_WHATIF_ACK => {
                if let Some(id) = acknowledged_evidence(detail) {
                    r.acknowledged_previews.insert(id);
                }
            }
            EVENT_LOSS_ACCEPTED => {
                if let Ok(l) = serde_json::from_str::<LossAcceptance>(detail) {
                    r.losses.push(l);
                }
            }
            EVENT_LAB_POOL => {
                if let Ok(c) = serde_json::from_str::<LabPoolChange>(detail) {
                    if c.running {
                        r.lab_pools_stopped.remove(&c.pool);
                    } else {
                        r.lab_pools_stopped.insert(c.pool);
                    }
                }
            }
            _ => {}
        }
    }
    r
}
