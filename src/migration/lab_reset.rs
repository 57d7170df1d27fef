//! The lab's databases changed under the session: `pchat-migrate lab reset-target` emptied
//! the `mgc` database, `pchat-migrate lab init --force` re-created both databases.
//!
//! Either voids results the session recorded before it: an import whose rows are gone, a
//! verify that compared databases that no longer exist, an export of legacy data that was
//! replaced. The command records the change as informational evidence (source
//! [`LAB_RESET_SOURCE`], no pass or fail) on the job item whose results it voids first (the
//! import's for the target, the export's for both), in every lab session; the model reads it
//! back here and marks the older results stale, so no screen, gate or report goes on calling
//! them current.

use chrono::{DateTime, Utc};

use crate::runbook::{JobKind, Runbook};
use crate::store::{Evidence, SessionFacts};

/// The evidence source of a lab reset.
pub const LAB_RESET_SOURCE: &str = "lab reset";

/// What a lab reset replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabReset {
    /// `lab reset-target`: the `mgc` database is empty again.
    Target,
    /// `lab init --force`: the legacy database and the `mgc` database were re-created.
    All,
}

impl LabReset {
    /// The job whose item the evidence is recorded on.
    pub fn job(self) -> JobKind {
        match self {
            LabReset::Target => JobKind::Import,
            LabReset::All => JobKind::Export,
        }
    }

    fn key(self) -> &'static str {
        match self {
            LabReset::Target => "target",
            LabReset::All => "all",
        }
    }

    /// The informational evidence the command records (`passed: None`; detail
    /// `{"lab_reset": "target" | "all"}`).
    pub fn evidence(self) -> Evidence {
        Evidence {
            source: LAB_RESET_SOURCE.into(),
            summary: match self {
                LabReset::Target => {
                    "the lab's mgc database was emptied (pchat-migrate lab reset-target): \
                     nothing imported before is left"
                }
                LabReset::All => {
                    "the lab's databases were re-created (pchat-migrate lab init --force): \
                     the legacy data and the target changed"
                }
            }
            .into(),
            passed: None,
            detail: serde_json::json!({ "lab_reset": self.key() }),
        }
    }

    /// Why a result of `at` no longer stands, for a result this reset voids.
    fn why(self, what: &str) -> String {
        match self {
            LabReset::Target => {
                format!("the lab's mgc database was emptied after this {what} (lab reset-target)")
            }
            LabReset::All => {
                format!("the lab's databases were re-created after this {what} (lab init --force)")
            }
        }
    }
}

/// The newest lab reset recorded after `at` that `voids` accepts, as the line saying why a
/// `what` of `at` no longer stands.
pub(super) fn after(
    runbook: &Runbook,
    facts: &SessionFacts,
    at: DateTime<Utc>,
    what: &str,
    voids: impl Fn(LabReset) -> bool,
) -> Option<String> {
    [LabReset::Target, LabReset::All]
        .iter()
        .filter_map(|r| runbook.job_item(r.job()))
        .flat_map(|it| facts.evidence_of(&it.id))
        .filter(|e| e.evidence.source == LAB_RESET_SOURCE && e.at > at)
        .filter_map(|e| {
            let reset = match e.evidence.detail.get("lab_reset")?.as_str()? {
                "target" => LabReset::Target,
                "all" => LabReset::All,
                _ => return None,
            };
            voids(reset).then_some((e.at, reset))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, r)| r.why(what))
}
