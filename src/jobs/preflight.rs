//! The gate in front of the real import: a `-WhatIf` preview of the current export package
//! must have passed, and the admin must have acknowledged its warnings (recorded in the
//! audit trail), before `Import-CsPersistentChatData` runs for real (migration.md Stage 6:
//! run with `-WhatIf` first and deal with every warning).
//!
//! The wizard and the headless `import` command both decide through [`import_readiness`].

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use crate::store::EvidenceRecord;

/// Audit event kind recorded when the admin acknowledges a preview's warnings.
pub const EVENT_WHATIF_ACK: &str = "whatif-acknowledged";

/// One warning of a `-WhatIf` preview, as the import reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewWarning {
    /// Stable code (e.g. `invitations-forced-off`).
    pub code: String,
    /// error, warning or info.
    pub severity: String,
    /// The room, category or principal concerned.
    pub item: String,
    /// What will happen and what to do.
    pub message: String,
}

/// The latest `-WhatIf` preview of a session, read back from its evidence.
#[derive(Clone, Debug)]
pub struct Preview {
    /// The evidence row that holds it (acknowledgements name this id).
    pub evidence_id: i64,
    /// When it ran.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Whether it passed (read the package, computed the import).
    pub passed: bool,
    /// One-line summary.
    pub summary: String,
    /// Its warnings.
    pub warnings: Vec<PreviewWarning>,
    /// SHA-256 over the warnings, so an acknowledgement names exactly what was read.
    pub digest: String,
}

/// Reads the newest preview from the `-WhatIf` item's evidence (newest first).
pub fn latest_preview(whatif_evidence: &[EvidenceRecord]) -> Option<Preview> {
    let e = whatif_evidence.first()?;
    let summary = e
        .evidence
        .detail
        .get("detail")
        .unwrap_or(&e.evidence.detail);
    let warnings: Vec<PreviewWarning> = summary
        .get("warnings")
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
    let mut h = Sha256::new();
    for w in &warnings {
        for part in [&w.code, &w.severity, &w.item, &w.message] {
            h.update(part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    Some(Preview {
        evidence_id: e.id,
        at: e.at,
        passed: e.evidence.passed == Some(true),
        summary: e.evidence.summary.clone(),
        warnings,
        digest: hex::encode(h.finalize()),
    })
}

/// The audit detail of an acknowledgement; [`acknowledged_evidence`] reads it back.
pub fn ack_detail(p: &Preview) -> String {
    format!(
        "evidence {} · {} warnings read and accepted · sha256 {}",
        p.evidence_id,
        p.warnings.len(),
        p.digest
    )
}

/// The evidence id an acknowledgement names, from its audit detail.
pub fn acknowledged_evidence(detail: &str) -> Option<i64> {
    detail
        .strip_prefix("evidence ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Whether the real import may run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportReadiness {
    /// A passing preview newer than the export, acknowledged.
    Ready,
    /// No preview has run.
    NoPreview,
    /// The latest preview failed.
    PreviewFailed,
    /// The package was exported again after the latest preview.
    PreviewStale,
    /// The preview passed but its warnings were not acknowledged.
    NotAcknowledged {
        /// How many warnings wait for the admin.
        warnings: usize,
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
            Self::NotAcknowledged { .. } => "import-not-acknowledged",
        }
    }
}

/// Decides from the evidence of the `-WhatIf` and export items (newest first) and the
/// evidence ids the admin acknowledged.
pub fn import_readiness(
    whatif_evidence: &[EvidenceRecord],
    export_evidence: &[EvidenceRecord],
    acknowledged: &HashSet<i64>,
) -> ImportReadiness {
    let Some(p) = latest_preview(whatif_evidence) else {
        return ImportReadiness::NoPreview;
    };
    if !p.passed {
        return ImportReadiness::PreviewFailed;
    }
    if export_evidence.first().is_some_and(|e| e.at > p.at) {
        return ImportReadiness::PreviewStale;
    }
    if !acknowledged.contains(&p.evidence_id) {
        return ImportReadiness::NotAcknowledged {
            warnings: p.warnings.len(),
        };
    }
    ImportReadiness::Ready
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Evidence;

    fn ev(id: i64, secs: i64, passed: bool, warnings: serde_json::Value) -> EvidenceRecord {
        EvidenceRecord {
            id,
            item_id: "x".into(),
            at: chrono::DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap(),
            who: "alice".into(),
            evidence: Evidence {
                source: "job".into(),
                summary: "s".into(),
                passed: Some(passed),
                detail: serde_json::json!({ "detail": { "warnings": warnings } }),
            },
        }
    }

    #[test]
    fn the_gate_follows_preview_export_and_acknowledgement() {
        let w = serde_json::json!([{ "code": "c", "severity": "warning", "item": "Room", "message": "m" }]);
        let whatif = vec![ev(7, 10, true, w.clone())];
        let export = vec![ev(3, 5, true, serde_json::json!([]))];
        let none = HashSet::new();
        assert_eq!(
            import_readiness(&[], &export, &none),
            ImportReadiness::NoPreview
        );
        assert_eq!(
            import_readiness(&whatif, &export, &none),
            ImportReadiness::NotAcknowledged { warnings: 1 }
        );
        let ack: HashSet<i64> = [7].into();
        assert_eq!(
            import_readiness(&whatif, &export, &ack),
            ImportReadiness::Ready
        );
        let newer_export = vec![ev(9, 20, true, serde_json::json!([]))];
        assert_eq!(
            import_readiness(&whatif, &newer_export, &ack),
            ImportReadiness::PreviewStale
        );
        let failed = vec![ev(8, 30, false, w)];
        assert_eq!(
            import_readiness(&failed, &export, &ack),
            ImportReadiness::PreviewFailed
        );
    }

    #[test]
    fn acknowledgement_detail_round_trips_and_digest_tracks_warnings() {
        let a = latest_preview(&[ev(
            42,
            0,
            true,
            serde_json::json!([{ "code": "a", "item": "R", "message": "m" }]),
        )])
        .unwrap();
        let b = latest_preview(&[ev(
            42,
            0,
            true,
            serde_json::json!([{ "code": "a", "item": "R2", "message": "m" }]),
        )])
        .unwrap();
        assert_ne!(a.digest, b.digest);
        assert_eq!(acknowledged_evidence(&ack_detail(&a)), Some(42));
        assert_eq!(acknowledged_evidence("something else"), None);
    }
}
