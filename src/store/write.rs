//! The one way the store writes: [`Store::write`] opens an immediate transaction, hands the
//! caller a [`Write`] (the transaction, the time of the write, the row readers), and commits
//! only when the caller returns `Ok`; on `Err` nothing of the call is written. A change and
//! its audit event ([`Write::audit`]) are therefore always in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Params, Transaction, TransactionBehavior};

use super::Store;
use super::audit;
use super::error::{SqlExt, StoreError};
use super::model::{AuditEvent, fmt_ts, now};
use super::rows::Reader;

/// One write in progress: its transaction and the time every row and event it writes carries.
pub(super) struct Write<'t> {
    tx: Transaction<'t>,
    db: &'t str,
    /// When this write happens (UTC, milliseconds).
    pub(super) at: DateTime<Utc>,
    /// [`Write::at`] as stored.
    pub(super) at_s: String,
}

/// An audit event to append, in the name of `who`, to `session_id`'s trail.
pub(super) struct Event<'a> {
    session_id: i64,
    who: &'a str,
    kind: &'a str,
    item_id: Option<&'a str>,
    old: Option<&'a str>,
    new: Option<&'a str>,
    detail: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// An event of `kind` with no item, no change and no detail.
    pub(super) fn new(session_id: i64, who: &'a str, kind: &'a str) -> Self {
        Event {
            session_id,
            who,
            kind,
            item_id: None,
            old: None,
            new: None,
            detail: None,
        }
    }

    /// The checklist item concerned.
    pub(super) fn item(mut self, item_id: &'a str) -> Self {
        self.item_id = Some(item_id);
        self
    }

    /// The value before and after.
    pub(super) fn change(mut self, old: Option<&'a str>, new: Option<&'a str>) -> Self {
        self.old = old;
        self.new = new;
        self
    }

    /// Free text or JSON.
    pub(super) fn detail(mut self, detail: Option<&'a str>) -> Self {
        self.detail = detail;
        self
    }
}

impl Write<'_> {
    /// Reads through the transaction (sees what this write wrote so far).
    pub(super) fn read(&self) -> Reader<'_> {
        Reader {
            conn: &self.tx,
            db: self.db,
        }
    }

    /// The file as shown in errors.
    pub(super) fn db(&self) -> &str {
        self.db
    }

    /// Runs one statement; returns the number of rows changed.
    pub(super) fn execute(&self, sql: &str, params: impl Params) -> Result<usize, StoreError> {
        self.tx.execute(sql, params).db(self.db)
    }

    /// Runs one `INSERT`; returns the new row's id.
    pub(super) fn insert(&self, sql: &str, params: impl Params) -> Result<i64, StoreError> {
        self.execute(sql, params)?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Appends `event` to the audit chain, at [`Write::at`].
    pub(super) fn audit(&self, e: Event<'_>) -> Result<AuditEvent, StoreError> {
        audit::append(
            &self.tx,
            e.session_id,
            &self.at_s,
            e.who,
            e.kind,
            e.item_id,
            e.old,
            e.new,
            e.detail,
        )
        .db(self.db)
    }

    /// [`StoreError::UnknownSession`] unless the session exists.
    pub(super) fn require_session(&self, id: i64) -> Result<(), StoreError> {
        let found: Option<i64> = self
            .read()
            .value("SELECT id FROM sessions WHERE id = ?1", [id])?;
        found.map(|_| ()).ok_or(StoreError::UnknownSession {
            db: self.db.to_string(),
            id,
        })
    }
}

impl Store {
    /// Runs `f` in one immediate transaction and commits; on error nothing is written.
    pub(super) fn write<T>(
        &mut self,
        f: impl FnOnce(&Write<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let db = self.db.as_str();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db(db)?;
        let at = now();
        let w = Write {
            tx,
            db,
            at,
            at_s: fmt_ts(at),
        };
        let out = f(&w)?;
        w.tx.commit().db(db)?;
        Ok(out)
    }

    /// Runs `f` as [`Store::write`], after checking that the session exists
    /// ([`StoreError::UnknownSession`]).
    pub(super) fn write_in<T>(
        &mut self,
        session_id: i64,
        f: impl FnOnce(&Write<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write(|w| {
            w.require_session(session_id)?;
            f(w)
        })
    }

    /// Reads through the store's connection.
    pub(super) fn read(&self) -> Reader<'_> {
        Reader {
            conn: &self.conn,
            db: &self.db,
        }
    }
}

/// `Err(Empty)` when `s` is blank.
pub(super) fn non_blank(what: &'static str, s: &str) -> Result<(), StoreError> {
    if s.trim().is_empty() {
        Err(StoreError::Empty { what })
    } else {
        Ok(())
    }
}
