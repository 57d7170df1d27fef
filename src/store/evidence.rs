//! Evidence: what jobs, probes and the operator attached to items (append-only rows).

use rusqlite::params;
use sha2::{Digest, Sha256};

use super::Store;
use super::error::StoreError;
use super::model::{Evidence, EvidenceRecord};
use super::rows::{Cols, FromRow};
use super::write::{Event, non_blank};

impl FromRow for EvidenceRecord {
    const TABLE: &'static str = "evidence";
    const COLUMNS: &'static str = "id, item_id, at, who, source, summary, passed, detail";
    fn from_row(c: &mut Cols<'_, '_>) -> Result<Self, StoreError> {
        let id: i64 = c.get()?;
        Ok(EvidenceRecord {
            id,
            item_id: c.get()?,
            at: c.ts()?,
            who: c.get()?,
            evidence: Evidence {
                source: c.get()?,
                summary: c.get()?,
                passed: c.get()?,
                detail: c.json(&format!("evidence #{id}"))?,
            },
        })
    }
}

/// SHA-256 over the stored form of one piece of evidence (a JSON array of its four texts).
fn evidence_sha256(source: &str, summary: &str, passed: Option<bool>, detail_json: &str) -> String {
    let passed = passed.map(|p| p.to_string());
    let canonical = serde_json::json!([source, summary, passed, detail_json]).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

impl Store {
    /// Attaches evidence to an item, durably, with an `evidence-added` audit event (new =
    /// summary; detail = JSON `{evidence_id, source, passed, sha256}`, the SHA-256 covering
    /// the stored source, summary, passed and detail). Evidence rows cannot be updated or
    /// deleted (triggers).
    ///
    /// Errors: [`StoreError::Empty`] (item id), [`StoreError::UnknownSession`], database
    /// errors.
    pub fn add_evidence(
        &mut self,
        session_id: i64,
        item_id: &str,
        evidence: &Evidence,
        who: &str,
    ) -> Result<EvidenceRecord, StoreError> {
        non_blank("the item id", item_id)?;
        let detail_json = evidence.detail.to_string();
        self.write_in(session_id, |w| {
            let id = w.insert(
                "INSERT INTO evidence (session_id, item_id, at, who, source, summary, passed, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    session_id,
                    item_id,
                    w.at_s,
                    who,
                    evidence.source,
                    evidence.summary,
                    evidence.passed,
                    detail_json
                ],
            )?;
            let detail = serde_json::json!({
                "evidence_id": id,
                "source": evidence.source,
                "passed": evidence.passed,
                "sha256": evidence_sha256(&evidence.source, &evidence.summary, evidence.passed, &detail_json),
            })
            .to_string();
            w.audit(
                Event::new(session_id, who, "evidence-added")
                    .item(item_id)
                    .change(None, Some(&evidence.summary))
                    .detail(Some(&detail)),
            )?;
            Ok(EvidenceRecord {
                id,
                item_id: item_id.to_string(),
                at: w.at,
                who: who.to_string(),
                evidence: evidence.clone(),
            })
        })
    }

    /// The evidence attached to an item of the session, newest first.
    pub fn evidence(
        &self,
        session_id: i64,
        item_id: &str,
    ) -> Result<Vec<EvidenceRecord>, StoreError> {
        self.read().all(
            "WHERE session_id = ?1 AND item_id = ?2 ORDER BY id DESC",
            params![session_id, item_id],
        )
    }

    /// Every piece of evidence of the session, all items, oldest first.
    pub fn all_evidence(&self, session_id: i64) -> Result<Vec<EvidenceRecord>, StoreError> {
        self.read()
            .all("WHERE session_id = ?1 ORDER BY id", [session_id])
    }
}
