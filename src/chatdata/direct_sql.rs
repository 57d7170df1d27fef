//! The two statements of the data plane that run once per message, driven through SQLite's C
//! API: the import's multi-row INSERT ([`BulkInsert`]) and the scans of `tblChat` that the
//! export and the verify read ([`RowScan`]).
//!
//! `rusqlite` is the rule everywhere else. Here its per-value work shows: it binds every text
//! with `SQLITE_TRANSIENT`, so SQLite copies it before the statement runs (a `malloc`, a copy
//! and a `free` per message, about an eighth of the import's inserting thread, the phase's long
//! pole, at 1 M messages), and it reads a column with three calls (count, type, value) where
//! two do. Texts bound with `SQLITE_STATIC` are read where they are, and SQLite requires only
//! that they stay valid until the parameter is bound again or the statement is finalized
//! (<https://sqlite.org/c3ref/bind_blob.html>); a column's text stays valid until the next
//! step (<https://sqlite.org/c3ref/column_blob.html>). So [`BulkInsert::execute`] binds,
//! steps, resets and clears every binding inside one call, and a [`ScanRow`] borrows its scan
//! until the next step: no pointer outlives the borrow it was given. The API is safe; the
//! `unsafe` stays in this file.

use std::ffi::{CStr, c_int};
use std::marker::PhantomData;

use rusqlite::{Connection, ffi};

/// One parameter value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    /// An integer.
    Int(i64),
    /// UTF-8 text, bound without a copy.
    Text(&'a str),
}

/// A prepared statement on a connection (or a transaction of it), finalized on drop: what
/// [`BulkInsert`] and [`RowScan`] share.
struct Statement<'c> {
    stmt: *mut ffi::sqlite3_stmt,
    db: *mut ffi::sqlite3,
    _conn: PhantomData<&'c Connection>,
}

impl<'c> Statement<'c> {
    /// Prepares `sql` on `conn`.
    fn prepare(conn: &'c Connection, sql: &str) -> rusqlite::Result<Statement<'c>> {
        // SAFETY: the handle is only used to prepare, bind, step, reset and finalize this
        // statement while `conn` is borrowed ('c); the connection is never closed here.
        let db = unsafe { conn.handle() };
        let len = i32::try_from(sql.len()).map_err(|_| {
            rusqlite::Error::ToSqlConversionFailure("an SQL text over 2 GiB".into())
        })?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes (no NUL needed when a length is given);
        // `stmt` receives a statement the returned value owns and finalizes.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast(),
                len,
                &raw mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            let e = error(db, rc);
            if !stmt.is_null() {
                // SAFETY: a statement returned alongside an error is still ours to finalize.
                unsafe { ffi::sqlite3_finalize(stmt) };
            }
            return Err(e);
        }
        Ok(Statement {
            stmt,
            db,
            _conn: PhantomData,
        })
    }

    /// How many parameters the statement has.
    fn params(&self) -> usize {
        // SAFETY: `stmt` is a valid prepared statement.
        usize::try_from(unsafe { ffi::sqlite3_bind_parameter_count(self.stmt) }).unwrap_or(0)
    }

    /// Binds `n` to parameter `at` (from 1).
    fn bind_int(&mut self, at: c_int, n: i64) -> rusqlite::Result<()> {
        // SAFETY: `stmt` is valid; SQLite checks `at` (SQLITE_RANGE).
        match unsafe { ffi::sqlite3_bind_int64(self.stmt, at, n) } {
            ffi::SQLITE_OK => Ok(()),
            rc => Err(error(self.db, rc)),
        }
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: `stmt` was prepared by us and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.stmt) };
    }
}

/// A multi-row INSERT run again and again with new values, its texts bound in place.
pub(crate) struct BulkInsert<'c> {
    st: Statement<'c>,
    params: usize,
}

impl<'c> BulkInsert<'c> {
    /// Prepares `sql` on `conn`.
    ///
    /// # Errors
    /// SQLite's error (a syntax error, a missing table).
    pub(crate) fn prepare(conn: &'c Connection, sql: &str) -> rusqlite::Result<BulkInsert<'c>> {
        let st = Statement::prepare(conn, sql)?;
        let params = st.params();
        Ok(BulkInsert { st, params })
    }

    /// Binds `values` to the parameters in order (`?1` = `values[0]`), runs the statement to
    /// its end and resets it with every binding cleared. Returns the rows changed.
    ///
    /// # Errors
    /// [`rusqlite::Error::InvalidParameterCount`] when `values` does not fill the statement's
    /// parameters exactly; SQLite's error of a bind or of the step (a constraint, a full disk),
    /// with its extended code and message.
    pub(crate) fn execute(&mut self, values: &[Value<'_>]) -> rusqlite::Result<usize> {
        if values.len() != self.params {
            return Err(rusqlite::Error::InvalidParameterCount(
                values.len(),
                self.params,
            ));
        }
        let stmt = self.st.stmt;
        let stepped = self.bind(values).and_then(|()| {
            // SAFETY: `stmt` is valid and every parameter is bound to live data.
            match unsafe { ffi::sqlite3_step(stmt) } {
                ffi::SQLITE_DONE | ffi::SQLITE_ROW => Ok(()),
                rc => Err(error(self.st.db, rc)),
            }
        });
        // SAFETY: `stmt` is valid. Reset ends the run (its return repeats a step error, already
        // taken); clearing the bindings leaves no pointer to `values` behind.
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
        }
        stepped?;
        // SAFETY: `db` is the statement's connection, used on this thread only.
        let changed = unsafe { ffi::sqlite3_changes64(self.st.db) };
        Ok(usize::try_from(changed).unwrap_or(0))
    }

    fn bind(&mut self, values: &[Value<'_>]) -> rusqlite::Result<()> {
        for (i, v) in values.iter().enumerate() {
            // parameters count from 1; `values.len()` equals the statement's count (an int)
            let at = i as c_int + 1;
            match *v {
                Value::Int(n) => self.st.bind_int(at, n)?,
                Value::Text(s) => {
                    // SAFETY: `stmt` is valid and `at` within its parameters; the text is valid
                    // UTF-8 for `len` bytes and stays borrowed until `execute` has cleared the
                    // bindings (SQLITE_STATIC: no copy is made).
                    let rc = unsafe {
                        ffi::sqlite3_bind_text64(
                            self.st.stmt,
                            at,
                            s.as_ptr().cast(),
                            s.len() as u64,
                            ffi::SQLITE_STATIC(),
                            ffi::SQLITE_UTF8 as std::ffi::c_uchar,
                        )
                    };
                    if rc != ffi::SQLITE_OK {
                        return Err(error(self.st.db, rc));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A query stepped row by row.
pub(crate) struct RowScan<'c> {
    st: Statement<'c>,
    columns: usize,
    done: bool,
}

/// The current row of a [`RowScan`]; it borrows the scan, so what it returns stays valid (the
/// scan cannot step while the row is held).
pub(crate) struct ScanRow<'s> {
    stmt: *mut ffi::sqlite3_stmt,
    columns: usize,
    _scan: PhantomData<&'s mut ()>,
}

impl<'c> RowScan<'c> {
    /// Prepares `sql` on `conn` with `ints` bound to its parameters in order.
    ///
    /// # Errors
    /// SQLite's error; [`rusqlite::Error::InvalidParameterCount`] when `ints` does not fill the
    /// parameters exactly.
    pub(crate) fn new(
        conn: &'c Connection,
        sql: &str,
        ints: &[i64],
    ) -> rusqlite::Result<RowScan<'c>> {
        let mut st = Statement::prepare(conn, sql)?;
        if st.params() != ints.len() {
            return Err(rusqlite::Error::InvalidParameterCount(
                ints.len(),
                st.params(),
            ));
        }
        for (i, n) in ints.iter().enumerate() {
            st.bind_int(i as c_int + 1, *n)?;
        }
        // SAFETY: `stmt` is a valid prepared statement.
        let columns = usize::try_from(unsafe { ffi::sqlite3_column_count(st.stmt) }).unwrap_or(0);
        Ok(RowScan {
            st,
            columns,
            done: false,
        })
    }

    /// Steps to the next row; `None` after the last.
    ///
    /// # Errors
    /// SQLite's error of the step (a damaged file, an interrupt), with its extended code.
    pub(crate) fn next(&mut self) -> rusqlite::Result<Option<ScanRow<'_>>> {
        if self.done {
            return Ok(None);
        }
        // SAFETY: `stmt` is valid; no `ScanRow` of the previous step is alive (it borrowed
        // `self` mutably), so no column pointer of it can be used after this step.
        match unsafe { ffi::sqlite3_step(self.st.stmt) } {
            ffi::SQLITE_ROW => Ok(Some(ScanRow {
                stmt: self.st.stmt,
                columns: self.columns,
                _scan: PhantomData,
            })),
            ffi::SQLITE_DONE => {
                self.done = true;
                Ok(None)
            }
            rc => {
                self.done = true;
                Err(error(self.st.db, rc))
            }
        }
    }
}

impl<'s> ScanRow<'s> {
    fn kind(&self, i: usize) -> rusqlite::Result<c_int> {
        if i >= self.columns {
            return Err(rusqlite::Error::InvalidColumnIndex(i));
        }
        // SAFETY: `stmt` is on a row and `i` is one of its columns.
        Ok(unsafe { ffi::sqlite3_column_type(self.stmt, i as c_int) })
    }

    fn wrong_type(&self, i: usize, kind: c_int) -> rusqlite::Error {
        // SAFETY: as in `kind`; the name is copied at once.
        let name = unsafe {
            let p = ffi::sqlite3_column_name(self.stmt, i as c_int);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        let found = match kind {
            ffi::SQLITE_INTEGER => rusqlite::types::Type::Integer,
            ffi::SQLITE_FLOAT => rusqlite::types::Type::Real,
            ffi::SQLITE_TEXT => rusqlite::types::Type::Text,
            ffi::SQLITE_BLOB => rusqlite::types::Type::Blob,
            _ => rusqlite::types::Type::Null,
        };
        rusqlite::Error::InvalidColumnType(i, name, found)
    }

    /// Column `i` (from 0) as an integer.
    ///
    /// # Errors
    /// [`rusqlite::Error::InvalidColumnType`] when it holds anything but an integer (as
    /// `rusqlite`'s `get::<i64>` would); [`rusqlite::Error::InvalidColumnIndex`] past the
    /// last column.
    pub(crate) fn int(&self, i: usize) -> rusqlite::Result<i64> {
        match self.kind(i)? {
            // SAFETY: `stmt` is on a row and `i` is one of its integer columns.
            ffi::SQLITE_INTEGER => Ok(unsafe { ffi::sqlite3_column_int64(self.stmt, i as c_int) }),
            k => Err(self.wrong_type(i, k)),
        }
    }

    /// Column `i` (from 0) as the bytes of its text (UTF-8 as stored; not checked here).
    ///
    /// # Errors
    /// [`rusqlite::Error::InvalidColumnType`] when it holds anything but text;
    /// [`rusqlite::Error::InvalidColumnIndex`] past the last column.
    pub(crate) fn text(&self, i: usize) -> rusqlite::Result<&'s [u8]> {
        match self.kind(i)? {
            ffi::SQLITE_TEXT => {
                let at = i as c_int;
                // SAFETY: `stmt` is on a row and column `i` is text: `column_text` then
                // `column_bytes` (the order SQLite documents) give its bytes, valid until the
                // next step, which cannot happen while this row borrows the scan.
                unsafe {
                    let p = ffi::sqlite3_column_text(self.stmt, at);
                    let n = usize::try_from(ffi::sqlite3_column_bytes(self.stmt, at)).unwrap_or(0);
                    if p.is_null() || n == 0 {
                        Ok(&[])
                    } else {
                        Ok(std::slice::from_raw_parts(p, n))
                    }
                }
            }
            k => Err(self.wrong_type(i, k)),
        }
    }
}

/// SQLite's error for a call that returned `rc` on `db`: the extended code and the message.
fn error(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is a valid connection; the message is copied before any other call.
    let (code, msg) = unsafe {
        let code = ffi::sqlite3_extended_errcode(db);
        let msg = ffi::sqlite3_errmsg(db);
        let text = if msg.is_null() {
            None
        } else {
            Some(CStr::from_ptr(msg).to_string_lossy().into_owned())
        };
        (if code == 0 { rc } else { code }, text)
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Connection {
        let c = Connection::open_in_memory().expect("memory database");
        c.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL)")
            .expect("table");
        c
    }

    #[test]
    fn rows_are_inserted_with_their_texts_intact_after_the_texts_are_gone() {
        let c = table();
        {
            let mut ins = BulkInsert::prepare(&c, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)")
                .expect("prepare");
            for round in 0..3i64 {
                // texts that die right after the call: SQLite must have read them by then
                let texts = [
                    format!("première {round} ☕"),
                    "x".repeat(5000 + round as usize),
                ];
                let n = ins
                    .execute(&[
                        Value::Int(round * 2),
                        Value::Text(&texts[0]),
                        Value::Int(round * 2 + 1),
                        Value::Text(&texts[1]),
                    ])
                    .expect("insert");
                assert_eq!(n, 2);
            }
        }
        let rows: Vec<(i64, String)> = c
            .prepare("SELECT a, b FROM t ORDER BY a")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()
            })
            .expect("read back");
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[4], (4, "première 2 ☕".to_string()));
        assert_eq!(rows[5].1.len(), 5002);
    }

    #[test]
    fn a_constraint_failure_is_sqlites_error_and_the_statement_runs_again() {
        let c = table();
        let mut ins =
            BulkInsert::prepare(&c, "INSERT INTO t (a, b) VALUES (?, ?)").expect("prepare");
        ins.execute(&[Value::Int(1), Value::Text("one")])
            .expect("first");
        let e = ins
            .execute(&[Value::Int(1), Value::Text("again")])
            .expect_err("a duplicate key");
        assert_eq!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation),
            "{e}"
        );
        assert!(e.to_string().contains("UNIQUE"), "{e}");
        ins.execute(&[Value::Int(2), Value::Text("two")])
            .expect("after the failure");
        drop(ins);
        let n: i64 = c
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 2);
    }

    #[test]
    fn a_wrong_number_of_values_or_bad_sql_is_refused() {
        let c = table();
        let mut ins =
            BulkInsert::prepare(&c, "INSERT INTO t (a, b) VALUES (?, ?)").expect("prepare");
        assert!(matches!(
            ins.execute(&[Value::Int(1)]),
            Err(rusqlite::Error::InvalidParameterCount(1, 2))
        ));
        let e = BulkInsert::prepare(&c, "INSERT INTO missing VALUES (?)")
            .err()
            .expect("no table");
        assert!(e.to_string().contains("no such table"), "{e}");
    }

    fn chat() -> Connection {
        let c = Connection::open_in_memory().expect("memory database");
        c.execute_batch(
            "CREATE TABLE c (room INTEGER, chat INTEGER, content);
             INSERT INTO c VALUES (7, 1, 'première ☕'), (7, 2, ''), (8, 3, 'x'),
                                  (9, 'four', 'text'), (9, 5, X'00FF'), (9, NULL, 'n');",
        )
        .expect("rows");
        c
    }

    #[test]
    fn a_scan_reads_integers_and_text_bytes_as_stored_and_stops_at_the_end() {
        let c = chat();
        let mut scan = RowScan::new(
            &c,
            "SELECT room, chat, content FROM c WHERE room < ?1 ORDER BY chat",
            &[9],
        )
        .expect("prepare");
        let mut rows = Vec::new();
        while let Some(r) = scan.next().expect("step") {
            let text = r.text(2).expect("text");
            rows.push((
                r.int(0).expect("room"),
                r.int(1).expect("chat"),
                text.to_vec(),
            ));
        }
        assert_eq!(
            rows,
            vec![
                (7, 1, "première ☕".as_bytes().to_vec()),
                (7, 2, Vec::new()),
                (8, 3, b"x".to_vec()),
            ]
        );
        assert!(scan.next().expect("after the end").is_none());
    }

    #[test]
    fn a_column_of_another_type_is_refused_naming_the_column_as_rusqlite_would() {
        let c = chat();
        let mut scan = RowScan::new(
            &c,
            "SELECT room, chat, content FROM c WHERE room = ?1 ORDER BY rowid",
            &[9],
        )
        .expect("prepare");
        let r = scan.next().expect("step").expect("row 'four'");
        let e = r.int(1).expect_err("text in an integer column");
        assert!(
            matches!(&e, rusqlite::Error::InvalidColumnType(1, name, rusqlite::types::Type::Text) if name == "chat"),
            "{e:?}"
        );
        assert!(matches!(
            r.int(3),
            Err(rusqlite::Error::InvalidColumnIndex(3))
        ));
        let r = scan.next().expect("step").expect("row with a blob");
        assert!(matches!(
            r.text(2),
            Err(rusqlite::Error::InvalidColumnType(
                2,
                _,
                rusqlite::types::Type::Blob
            ))
        ));
        let r = scan.next().expect("step").expect("row with a NULL");
        assert!(matches!(
            r.int(1),
            Err(rusqlite::Error::InvalidColumnType(
                1,
                _,
                rusqlite::types::Type::Null
            ))
        ));
        assert!(RowScan::new(&c, "SELECT room FROM c WHERE room = ?1", &[]).is_err());
    }

    #[test]
    fn the_legacy_scan_names_the_row_whose_content_is_not_text() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("legacy.db");
        let c = Connection::open(&path).expect("open");
        c.execute_batch(
            "CREATE TABLE tblChat (channelID INTEGER, chatID INTEGER, chatDate INTEGER, userId INTEGER, isAlert INTEGER, content);
             INSERT INTO tblChat VALUES (4, 1, 10, 2, 0, 'fine'), (4, 2, 11, 2, 1, X'FFFE');",
        )
        .expect("rows");
        let mut seen = Vec::new();
        let e = crate::chatdata::legacy::chat_rows(
            &c,
            &path,
            "SELECT channelID, chatID, chatDate, userId, isAlert, content FROM tblChat WHERE chatDate >= ?1 ORDER BY chatID",
            &[0],
            |room, chat, date, user, alert, text| {
                seen.push((room, chat, date, user, alert, text.to_vec()));
                Ok(true)
            },
        )
        .expect_err("a blob for content");
        assert_eq!(seen, vec![(4, 1, 10, 2, false, b"fine".to_vec())]);
        let msg = e.to_string();
        assert!(
            msg.contains("room id 4, chatID 2") && msg.contains("not valid text"),
            "{msg}"
        );
    }
}
