//! The tamper-evident audit trail: one hash chain per database.
//!
//! Events of all sessions form a single chain ordered by `id`. Event `n` stores
//! `prev_hash` = the `hash` of event `n - 1` (64 zeros for the first event of the database)
//! and `hash` = lowercase hex SHA-256 of a canonical serialisation: the fields
//! `(id, session_id, at, who, kind, item_id, old, new, detail, prev_hash)` in that order,
//! after the 23-byte tag `pchat-migrate audit v1\n`, each encoded as
//!
//! * an integer: `i<decimal>;` (e.g. `i42;`, `i-1;`);
//! * a text: `s<byte length>:<UTF-8 bytes>;` (e.g. `s5:alice;`);
//! * an absent optional text: `n;`.
//!
//! The length prefix makes the encoding unambiguous (`who = "ab", kind = "c"` and
//! `who = "a", kind = "bc"` differ). `at` is hashed exactly as stored (RFC 3339 text).
//!
//! An edited event fails its own hash; an event that was removed, inserted or re-hashed
//! breaks the `prev_hash` link of the event after it. Removing the newest events
//! (truncating the tail) cannot be detected by the chain alone.
//!
//! The store's own audit methods live here too: [`Store::record_event`] (events of the
//! caller's kind), [`Store::audit`] (a session's events) and [`Store::verify_audit`].

use std::fmt;

use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::Store;
use super::error::StoreError;
use super::model::{AuditEvent, parse_ts};
use super::rows::record_from_row;
use super::write::{Event, non_blank};

/// `prev_hash` of the first event of a database.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const TAG: &[u8] = b"pchat-migrate audit v1\n";

/// The first broken link found by [`super::Store::verify_audit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditBreak {
    /// Id of the first event that does not verify (0 when the trail could not be read at all).
    pub id: i64,
    /// What is wrong with it, in words for the admin.
    pub reason: String,
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit event #{}: {}", self.id, self.reason)
    }
}

impl std::error::Error for AuditBreak {}

/// The fields of an event that the hash covers, borrowed.
pub(crate) struct Fields<'a> {
    pub id: i64,
    pub session_id: i64,
    pub at: &'a str,
    pub who: &'a str,
    pub kind: &'a str,
    pub item_id: Option<&'a str>,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub prev_hash: &'a str,
}

fn put_int(buf: &mut Vec<u8>, v: i64) {
    buf.extend_from_slice(format!("i{v};").as_bytes());
}

fn put_text(buf: &mut Vec<u8>, v: &str) {
    buf.extend_from_slice(format!("s{}:", v.len()).as_bytes());
    buf.extend_from_slice(v.as_bytes());
    buf.push(b';');
}

fn put_opt(buf: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(v) => put_text(buf, v),
        None => buf.extend_from_slice(b"n;"),
    }
}

/// The canonical serialisation the hash is computed over (see the module docs).
pub(crate) fn canonical(f: &Fields<'_>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(TAG);
    put_int(&mut buf, f.id);
    put_int(&mut buf, f.session_id);
    put_text(&mut buf, f.at);
    put_text(&mut buf, f.who);
    put_text(&mut buf, f.kind);
    put_opt(&mut buf, f.item_id);
    put_opt(&mut buf, f.old);
    put_opt(&mut buf, f.new);
    put_opt(&mut buf, f.detail);
    put_text(&mut buf, f.prev_hash);
    buf
}

/// Lowercase hex SHA-256 of [`canonical`].
pub(crate) fn hash(f: &Fields<'_>) -> String {
    hex::encode(Sha256::digest(canonical(f)))
}

/// Appends one event at the end of the chain inside `tx` and returns it.
/// `at` must already be in the stored format.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    tx: &Transaction<'_>,
    session_id: i64,
    at: &str,
    who: &str,
    kind: &str,
    item_id: Option<&str>,
    old: Option<&str>,
    new: Option<&str>,
    detail: Option<&str>,
) -> rusqlite::Result<AuditEvent> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let fields = Fields {
        id,
        session_id,
        at,
        who,
        kind,
        item_id,
        old,
        new,
        detail,
        prev_hash: &prev_hash,
    };
    let hash = hash(&fields);
    tx.execute(
        "INSERT INTO audit (id, session_id, at, who, kind, item_id, old, new, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![id, session_id, at, who, kind, item_id, old, new, detail, prev_hash, hash],
    )?;
    Ok(AuditEvent {
        id,
        session_id,
        at: parse_ts(at).expect("append is given a well-formed timestamp"),
        who: who.to_string(),
        kind: kind.to_string(),
        item_id: item_id.map(str::to_string),
        old: old.map(str::to_string),
        new: new.map(str::to_string),
        detail: detail.map(str::to_string),
        prev_hash,
        hash,
    })
}

/// One stored row, as raw text (nothing re-formatted).
struct RawRow {
    id: i64,
    session_id: i64,
    at: String,
    who: String,
    kind: String,
    item_id: Option<String>,
    old: Option<String>,
    new: Option<String>,
    detail: Option<String>,
    prev_hash: String,
    hash: String,
}

/// Walks the whole chain of the database and returns the first broken link.
pub(crate) fn verify(conn: &rusqlite::Connection) -> Result<(), AuditBreak> {
    let unreadable = |e: rusqlite::Error| AuditBreak {
        id: 0,
        reason: format!("the audit trail could not be read: {e}"),
    };
    let mut stmt = conn
        .prepare(
            "SELECT id, session_id, at, who, kind, item_id, old, new, detail, prev_hash, hash
             FROM audit ORDER BY id",
        )
        .map_err(unreadable)?;
    let mut rows = stmt.query([]).map_err(unreadable)?;
    let mut expected_prev = GENESIS_HASH.to_string();
    while let Some(r) = rows.next().map_err(unreadable)? {
        let id: i64 = r.get(0).map_err(unreadable)?;
        let raw = (|| {
            Ok::<_, rusqlite::Error>(RawRow {
                id,
                session_id: r.get(1)?,
                at: r.get(2)?,
                who: r.get(3)?,
                kind: r.get(4)?,
                item_id: r.get(5)?,
                old: r.get(6)?,
                new: r.get(7)?,
                detail: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
            })
        })()
        .map_err(|e| AuditBreak {
            id,
            reason: format!("the event cannot be read ({e}); it was edited by hand"),
        })?;
        if raw.prev_hash != expected_prev {
            return Err(AuditBreak {
                id: raw.id,
                reason: "its prev_hash does not match the hash of the event before it: \
                         an earlier event was removed, inserted or rewritten"
                    .to_string(),
            });
        }
        let computed = hash(&Fields {
            id: raw.id,
            session_id: raw.session_id,
            at: &raw.at,
            who: &raw.who,
            kind: &raw.kind,
            item_id: raw.item_id.as_deref(),
            old: raw.old.as_deref(),
            new: raw.new.as_deref(),
            detail: raw.detail.as_deref(),
            prev_hash: &raw.prev_hash,
        });
        if computed != raw.hash {
            return Err(AuditBreak {
                id: raw.id,
                reason: format!(
                    "its content does not match its hash (session {}, kind {:?}): \
                     the event was edited after it was written",
                    raw.session_id, raw.kind
                ),
            });
        }
        expected_prev = raw.hash;
    }
    Ok(())
}

record_from_row!(AuditEvent in "audit" {
    id, session_id, at: ts, who, kind, item_id, old, new, detail, prev_hash, hash
});

impl Store {
    /// Appends an event of the caller's own `kind` (non-blank; e.g. `downtime-confirmed`,
    /// `gate-override`) to the audit trail, durably. `detail` is free text (blank is stored
    /// as none); `old`/`new` are none.
    ///
    /// Errors: [`StoreError::Empty`] (kind), [`StoreError::UnknownSession`], database errors.
    pub fn record_event(
        &mut self,
        session_id: i64,
        kind: &str,
        item_id: Option<&str>,
        detail: &str,
        who: &str,
    ) -> Result<AuditEvent, StoreError> {
        non_blank("the event kind", kind)?;
        let detail = (!detail.is_empty()).then_some(detail);
        self.write_in(session_id, |w| {
            let mut event = Event::new(session_id, who, kind).detail(detail);
            if let Some(item) = item_id {
                event = event.item(item);
            }
            w.audit(event)
        })
    }

    /// The session's audit events, oldest first (by id).
    pub fn audit(&self, session_id: i64) -> Result<Vec<AuditEvent>, StoreError> {
        self.read()
            .all("WHERE session_id = ?1 ORDER BY id", [session_id])
    }

    /// Recomputes the audit hash chain and reports the first event that does not verify.
    ///
    /// The chain is per database, so this checks the events of **all** sessions (a session's
    /// events are linked to those of the others); `session_id` does not narrow it. A trail
    /// that cannot be read at all is reported with `id` 0.
    pub fn verify_audit(&self, _session_id: i64) -> Result<(), AuditBreak> {
        verify(&self.conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(who: &'a str, kind: &'a str) -> Fields<'a> {
        Fields {
            id: 1,
            session_id: 1,
            at: "2024-01-01T00:00:00.000Z",
            who,
            kind,
            item_id: None,
            old: None,
            new: None,
            detail: None,
            prev_hash: GENESIS_HASH,
        }
    }

    #[test]
    fn store_audit_serialisation_is_unambiguous() {
        assert_ne!(hash(&fields("ab", "c")), hash(&fields("a", "bc")));
        let mut none = fields("a", "b");
        let mut empty = fields("a", "b");
        empty.detail = Some("");
        assert_ne!(hash(&none), hash(&empty));
        // "n;" as a text must not collide with an absent value.
        none.old = None;
        empty.detail = None;
        empty.old = Some("n;");
        assert_ne!(hash(&none), hash(&empty));
    }

    #[test]
    fn store_audit_canonical_form_is_stable() {
        let f = Fields {
            item_id: Some("pre-1"),
            detail: Some("why"),
            ..fields("alice", "item-state")
        };
        let expected = format!(
            "pchat-migrate audit v1\ni1;i1;s24:2024-01-01T00:00:00.000Z;s5:alice;s10:item-state;\
             s5:pre-1;n;n;s3:why;s64:{GENESIS_HASH};"
        );
        assert_eq!(String::from_utf8(canonical(&f)).unwrap(), expected);
        assert_eq!(hash(&f).len(), 64);
        assert_eq!(TAG.len(), 23);
    }
}
