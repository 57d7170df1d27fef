//! The `-WhatIf` preview and the gate in front of the real import (migration.md Stage 6: run
//! `Import-CsPersistentChatData -WhatIf` first and deal with every warning and error).
//!
//! A preview's findings have three severities, counted apart everywhere
//! ([`PreviewCounts`]): **errors** (the item is not imported: a loss), **warnings** (imported,
//! changed) and **notes** (for information). The real import may run when the newest preview
//! completed after the newest export, every error was accepted as a named loss
//! ([`super::EVENT_LOSS_ACCEPTED`], one event per error), and the warnings were acknowledged
//! ([`super::EVENT_WHATIF_ACK`]).

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::events::{LossAcceptance, Read};
use crate::chatdata::preflight::severity;
use crate::runbook::{JobKind, Runbook};
use crate::store::SessionFacts;

/// One finding of a preview, as the import reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreviewWarning {
    /// Stable code (e.g. `name-too-long`).
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The room, category or principal concerned.
    pub item: String,
    /// What will happen and what to do.
    pub message: String,
}

impl PreviewWarning {
    /// An error: the item is not imported.
    pub fn is_error(&self) -> bool {
        self.severity == severity::ERROR
    }
}

/// Errors, warnings and notes of a preview, counted apart.
pub use crate::chatdata::preflight::Counts as PreviewCounts;

/// The newest `-WhatIf` preview of a session, read back from its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    /// The evidence row (acknowledgements and accepted losses name it).
    pub evidence_id: i64,
    /// When it ran.
    pub at: chrono::DateTime<chrono::Utc>,
    /// The preview read the whole package and computed the import (false: it failed).
    pub completed: bool,
    /// One-line summary.
    pub summary: String,
    /// Every finding, errors first.
    pub warnings: Vec<PreviewWarning>,
    /// Errors, warnings and notes.
    pub counts: PreviewCounts,
    /// SHA-256 over the findings, so an acknowledgement names exactly what was read.
    pub digest: String,
    /// Why it no longer describes the package or the target (a passing export is newer, the
    /// lab's databases were re-created after it); `None` while it is current.
    pub stale: Option<String>,
}

impl Preview {
    /// The errors: what the import will not import.
    pub fn errors(&self) -> impl Iterator<Item = &PreviewWarning> {
        self.warnings.iter().filter(|w| w.is_error())
    }
}

/// The findings of one code, for a preview read by group (the large lab gives thousands of
/// findings over a dozen codes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingGroup {
    /// The code all of them share.
    pub code: String,
    /// Their severity (`error`, `warning` or `info`; one code has one severity).
    pub severity: String,
    /// Indexes into [`Preview::warnings`], in the preview's order.
    pub members: Vec<usize>,
}

impl Preview {
    /// The findings grouped by code: errors first, then warnings, then notes; within one
    /// severity the largest group first, then by code.
    pub fn groups(&self) -> Vec<FindingGroup> {
        let mut groups: Vec<FindingGroup> = Vec::new();
        for (i, w) in self.warnings.iter().enumerate() {
            match groups
                .iter_mut()
                .find(|g| g.code == w.code && g.severity == w.severity)
            {
                Some(g) => g.members.push(i),
                None => groups.push(FindingGroup {
                    code: w.code.clone(),
                    severity: w.severity.clone(),
                    members: vec![i],
                }),
            }
        }
        let rank = |s: &str| match s {
            severity::ERROR => 0,
            severity::WARNING => 1,
            _ => 2,
        };
        groups.sort_by(|a, b| {
            rank(&a.severity)
                .cmp(&rank(&b.severity))
                .then(b.members.len().cmp(&a.members.len()))
                .then(a.code.cmp(&b.code))
        });
        groups
    }
}

/// A loss the operator accepted by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcceptedLoss {
    /// The error's code.
    pub code: String,
    /// The room, category or principal not imported.
    pub item: String,
    /// What the preview said.
    pub message: String,
}

/// Whether the real import may run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ImportReadiness {
    /// A completed preview newer than the export; its errors accepted; its warnings
    /// acknowledged.
    Ready,
    /// No preview has run.
    NoPreview,
    /// The newest preview did not complete.
    PreviewFailed,
    /// The package was exported again after the newest preview.
    PreviewStale,
    /// The preview refuses items whose loss was not accepted by name.
    LossesNotAccepted {
        /// `code: item` of each error not accepted.
        items: Vec<String>,
    },
    /// The warnings were not acknowledged.
    NotAcknowledged {
        /// Warnings waiting.
        warnings: usize,
        /// Notes with them.
        notes: usize,
    },
}

impl ImportReadiness {
    /// Message id explaining the state (see `assets/locales`).
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::Ready => "import-ready",
            Self::NoPreview => "import-no-preview",
            Self::PreviewFailed => "import-preview-failed",
            Self::PreviewStale => "import-preview-stale",
            Self::LossesNotAccepted { .. } => "import-losses-not-accepted",
            Self::NotAcknowledged { .. } => "import-not-acknowledged",
        }
    }
}

fn job_evidence<'a>(
    runbook: &Runbook,
    facts: &'a SessionFacts,
    kind: JobKind,
) -> &'a [crate::store::EvidenceRecord] {
    runbook
        .job_item(kind)
        .map_or(&[], |it| facts.evidence_of(&it.id))
}

/// The newest evidence of a job that records a result (passed or not; informational
/// evidence such as a cancel that changed nothing is skipped).
pub(super) fn newest_result<'a>(
    runbook: &Runbook,
    facts: &'a SessionFacts,
    kind: JobKind,
) -> Option<&'a crate::store::EvidenceRecord> {
    let source = job_source(kind);
    job_evidence(runbook, facts, kind)
        .iter()
        .find(|e| e.evidence.passed.is_some() && e.evidence.source == source)
}

/// The evidence source a job's results are recorded under (`jobs::record`).
pub(super) fn job_source(kind: JobKind) -> String {
    format!("{} job", kind.label())
}

/// The package path the newest export result recorded (its `JobOutcome` detail's
/// `package`), if any: what the `export-package` rule checks and what
/// `jobs::observe_package` looks at on disk.
pub fn export_package<'a>(runbook: &Runbook, facts: &'a SessionFacts) -> Option<&'a str> {
    newest_result(runbook, facts, JobKind::Export)?
        .evidence
        .detail
        .get("detail")?
        .get("package")?
        .as_str()
}

/// The newest passing export, if any.
pub(super) fn newest_export(
    runbook: &Runbook,
    facts: &SessionFacts,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let source = job_source(JobKind::Export);
    job_evidence(runbook, facts, JobKind::Export)
        .iter()
        .find(|e| e.evidence.passed == Some(true) && e.evidence.source == source)
        .map(|e| e.at)
}

/// The newest preview.
pub(super) fn latest(runbook: &Runbook, facts: &SessionFacts) -> Option<Preview> {
    let e = newest_result(runbook, facts, JobKind::ImportWhatIf)?;
    let outcome = &e.evidence.detail;
    let summary = outcome.get("detail");
    let completed = summary.is_some_and(|s| s.get("warnings").is_some_and(|w| w.is_array()));
    let warnings: Vec<PreviewWarning> = summary
        .and_then(|s| s.get("warnings"))
        .and_then(|w| w.as_array())
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    let s = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    PreviewWarning {
                        code: s("code"),
                        severity: s("severity"),
                        item: s("item"),
                        message: s("message"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let counts = PreviewCounts::of(warnings.iter().map(|w| w.severity.as_str()));
    Some(Preview {
        evidence_id: e.id,
        at: e.at,
        completed,
        summary: e.evidence.summary.clone(),
        digest: digest(&warnings),
        counts,
        warnings,
        stale: if newest_export(runbook, facts).is_some_and(|x| x > e.at) {
            Some("the package was exported again after this preview".into())
        } else {
            super::lab_reset::after(runbook, facts, e.at, "preview", |r| {
                r == super::LabReset::All
            })
        },
    })
}

/// SHA-256 over the findings (length-prefixed fields), as acknowledgements record it.
pub fn digest(warnings: &[PreviewWarning]) -> String {
    let mut h = Sha256::new();
    for w in warnings {
        for part in [&w.code, &w.severity, &w.item, &w.message] {
            h.update(part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    hex::encode(h.finalize())
}

/// The audit detail of an acknowledgement (read back by `events::acknowledged_evidence`).
pub fn ack_detail(p: &Preview) -> String {
    format!(
        "evidence {} · {} warnings and {} notes read and accepted · sha256 {}",
        p.evidence_id, p.counts.warnings, p.counts.notes, p.digest
    )
}

/// The errors of `p` the operator accepted by name (acceptances of other previews do not
/// count: a new preview is a new list).
pub(super) fn accepted(p: &Preview, losses: &[LossAcceptance]) -> Vec<AcceptedLoss> {
    p.errors()
        .filter(|w| {
            losses
                .iter()
                .any(|l| l.evidence_id == p.evidence_id && l.code == w.code && l.item == w.item)
        })
        .map(|w| AcceptedLoss {
            code: w.code.clone(),
            item: w.item.clone(),
            message: w.message.clone(),
        })
        .collect()
}

pub(super) fn readiness(
    _runbook: &Runbook,
    _facts: &SessionFacts,
    preview: Option<&Preview>,
    ev: &Read,
    accepted: &[AcceptedLoss],
) -> ImportReadiness {
    let Some(p) = preview else {
        return ImportReadiness::NoPreview;
    };
    if !p.completed {
        return ImportReadiness::PreviewFailed;
    }
    if p.stale.is_some() {
        return ImportReadiness::PreviewStale;
    }
    let missing: Vec<String> = p
        .errors()
        .filter(|w| {
            !accepted
                .iter()
                .any(|a| a.code == w.code && a.item == w.item)
        })
        .map(|w| format!("{}: {}", w.code, w.item))
        .collect();
    if !missing.is_empty() {
        return ImportReadiness::LossesNotAccepted { items: missing };
    }
    let to_ack = p.counts.warnings + p.counts.notes;
    if to_ack > 0 && !ev.acknowledged_previews.contains(&p.evidence_id) {
        return ImportReadiness::NotAcknowledged {
            warnings: p.counts.warnings,
            notes: p.counts.notes,
        };
    }
    ImportReadiness::Ready
}
