//! The one way the store turns rows into records: each record type names the columns it
//! selects ([`FromRow::COLUMNS`]) and reads them in that order through a [`Cols`] cursor,
//! which turns stored text (timestamps, states, JSON) into typed values and reports any value
//! it cannot read as [`StoreError::Corrupt`] naming the file.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::types::FromSql;
use rusqlite::{Connection, OptionalExtension, Params, Row};

use super::error::{SqlExt, StoreError};
use super::model::parse_ts;

/// A record read from one row of one table.
pub(super) trait FromRow: Sized {
    /// The table and the columns, as `SELECT {COLUMNS} FROM {TABLE}`; `from_row` reads them
    /// in this order.
    const TABLE: &'static str;
    /// See [`FromRow::TABLE`].
    const COLUMNS: &'static str;
    /// Builds the record from the row's columns, read in order.
    fn from_row(c: &mut Cols<'_, '_>) -> Result<Self, StoreError>;
}

/// Implements [`FromRow`] for a record whose fields are its table's columns, same names,
/// same order: `record_from_row!(Session in "sessions" { id, created_at: ts, … })`. A
/// field alone is read as stored ([`Cols::get`]); `field: how` or `field: how(arg)` is read
/// with that [`Cols`] method.
macro_rules! record_from_row {
    (@read $c:ident) => { $c.get()? };
    (@read $c:ident $how:ident) => { $c.$how()? };
    (@read $c:ident $how:ident ($arg:expr)) => { $c.$how($arg)? };
    ($ty:ident in $table:literal { $($field:ident $(: $how:ident $(($arg:expr))?)?),* $(,)? }) => {
        impl $crate::store::rows::FromRow for $ty {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static str = stringify!($($field),*);
            fn from_row(
                c: &mut $crate::store::rows::Cols<'_, '_>,
            ) -> Result<Self, $crate::store::StoreError> {
                Ok($ty { $($field: record_from_row!(@read c $($how $(($arg))?)?)),* })
            }
        }
    };
}
pub(super) use record_from_row;

/// Reads a row's columns one after the other.
pub(super) struct Cols<'r, 's> {
    row: &'r Row<'s>,
    db: &'r str,
    next: usize,
}

impl Cols<'_, '_> {
    /// The next column, as stored.
    pub(super) fn get<T: FromSql>(&mut self) -> Result<T, StoreError> {
        let v = self.row.get(self.next).db(self.db)?;
        self.next += 1;
        Ok(v)
    }

    /// The next column, a stored timestamp (RFC 3339 text).
    pub(super) fn ts(&mut self) -> Result<DateTime<Utc>, StoreError> {
        let s: String = self.get()?;
        parse_ts(&s).ok_or_else(|| self.corrupt(format!("{s:?} is not an RFC 3339 timestamp")))
    }

    /// The next column, an optional stored timestamp.
    pub(super) fn opt_ts(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let s: Option<String> = self.get()?;
        s.map(|s| {
            parse_ts(&s).ok_or_else(|| self.corrupt(format!("{s:?} is not an RFC 3339 timestamp")))
        })
        .transpose()
    }

    /// The next column, text parsed as `what` (e.g. "an item state").
    pub(super) fn parse<T: FromStr>(&mut self, what: &str) -> Result<T, StoreError>
    where
        T::Err: std::fmt::Display,
    {
        let s: String = self.get()?;
        s.parse()
            .map_err(|e| self.corrupt(format!("{s:?} is not {what} ({e})")))
    }

    /// The next column, JSON text; `whose` names the row in the error ("evidence #3").
    pub(super) fn json(&mut self, whose: &str) -> Result<serde_json::Value, StoreError> {
        let s: String = self.get()?;
        serde_json::from_str(&s).map_err(|e| self.corrupt(format!("{whose} is not JSON: {e}")))
    }

    /// A value of this row cannot be read.
    pub(super) fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt {
            db: self.db.to_string(),
            detail,
        }
    }
}

/// Reads records through one connection (the store's, or a write's transaction).
#[derive(Clone, Copy)]
pub(super) struct Reader<'c> {
    pub(super) conn: &'c Connection,
    /// The file as shown in errors.
    pub(super) db: &'c str,
}

impl Reader<'_> {
    /// Every `T` whose row matches `rest` (`WHERE ... ORDER BY ...`, after the `FROM`).
    pub(super) fn all<T: FromRow>(
        &self,
        rest: &str,
        params: impl Params,
    ) -> Result<Vec<T>, StoreError> {
        let sql = format!("SELECT {} FROM {} {rest}", T::COLUMNS, T::TABLE);
        let mut stmt = self.conn.prepare(&sql).db(self.db)?;
        let mut rows = stmt.query(params).db(self.db)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().db(self.db)? {
            out.push(T::from_row(&mut Cols {
                row,
                db: self.db,
                next: 0,
            })?);
        }
        Ok(out)
    }

    /// The `T` whose row matches `rest`, if any (the first one if several do).
    pub(super) fn one<T: FromRow>(
        &self,
        rest: &str,
        params: impl Params,
    ) -> Result<Option<T>, StoreError> {
        Ok(self
            .all(&format!("{rest} LIMIT 1"), params)?
            .into_iter()
            .next())
    }

    /// The first column of the first row of `sql`, if there is one.
    pub(super) fn value<T: FromSql>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> Result<Option<T>, StoreError> {
        self.conn
            .query_row(sql, params, |r| r.get(0))
            .optional()
            .db(self.db)
    }
}
