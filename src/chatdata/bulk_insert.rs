//! A prepared statement whose text parameters are bound in place, for the import's message
//! rows.
//!
//! `rusqlite` binds every text with `SQLITE_TRANSIENT`, so SQLite copies it into memory of its
//! own before the statement runs: a `malloc`, a copy and a `free` per message, about an eighth
//! of the import's inserting thread (the phase's long pole) at 1 M messages. Texts bound with
//! `SQLITE_STATIC` are read where they are, and SQLite requires only that they stay valid
//! until the parameter is bound again or the statement is finalized
//! (<https://sqlite.org/c3ref/bind_blob.html>). [`BulkInsert::execute`] binds, steps, resets
//! and clears every binding inside one call, so no pointer to the caller's texts outlives the
//! borrow it was given: the API is safe, the `unsafe` stays in this file.

use std::ffi::CStr;
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

/// A prepared statement on a connection (or a transaction of it), finalized on drop.
pub(crate) struct BulkInsert<'c> {
    stmt: *mut ffi::sqlite3_stmt,
    db: *mut ffi::sqlite3,
    params: usize,
    _conn: PhantomData<&'c Connection>,
}

impl<'c> BulkInsert<'c> {
    /// Prepares `sql` on `conn`.
    ///
    /// # Errors
    /// SQLite's error (a syntax error, a missing table).
    pub(crate) fn prepare(conn: &'c Connection, sql: &str) -> rusqlite::Result<BulkInsert<'c>> {
        // SAFETY: the handle is only used to prepare, bind, step, reset and finalize this
        // statement while `conn` is borrowed ('c); the connection is never closed here.
        let db = unsafe { conn.handle() };
        let len = i32::try_from(sql.len()).map_err(|_| {
            rusqlite::Error::ToSqlConversionFailure("an SQL text over 2 GiB".into())
        })?;
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `len` bytes (no NUL needed when a length is given);
        // `stmt` receives a statement we own and finalize in `Drop`.
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
        // SAFETY: `stmt` is a valid prepared statement.
        let params = unsafe { ffi::sqlite3_bind_parameter_count(stmt) };
        Ok(BulkInsert {
            stmt,
            db,
            params: usize::try_from(params).unwrap_or(0),
            _conn: PhantomData,
        })
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
        let bound = self.bind(values);
        let stepped = bound.and_then(|()| {
            // SAFETY: `stmt` is valid and every parameter is bound to live data.
            match unsafe { ffi::sqlite3_step(self.stmt) } {
                ffi::SQLITE_DONE | ffi::SQLITE_ROW => Ok(()),
                rc => Err(error(self.db, rc)),
            }
        });
        // SAFETY: `stmt` is valid. Reset ends the run (its return repeats a step error, already
        // taken); clearing the bindings leaves no pointer to `values` behind.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_clear_bindings(self.stmt);
        }
        stepped?;
        // SAFETY: `db` is the statement's connection, used on this thread only.
        let changed = unsafe { ffi::sqlite3_changes64(self.db) };
        Ok(usize::try_from(changed).unwrap_or(0))
    }

    fn bind(&mut self, values: &[Value<'_>]) -> rusqlite::Result<()> {
        for (i, v) in values.iter().enumerate() {
            // parameters count from 1; `values.len()` equals the statement's count (an int)
            let at = i as std::ffi::c_int + 1;
            let rc = match *v {
                // SAFETY: `stmt` is valid and `at` is within its parameters.
                Value::Int(n) => unsafe { ffi::sqlite3_bind_int64(self.stmt, at, n) },
                // SAFETY: as above; the text is valid UTF-8 for `len` bytes and stays borrowed
                // until `execute` has cleared the bindings (SQLITE_STATIC: no copy is made).
                Value::Text(s) => unsafe {
                    ffi::sqlite3_bind_text64(
                        self.stmt,
                        at,
                        s.as_ptr().cast(),
                        s.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as std::ffi::c_uchar,
                    )
                },
            };
            if rc != ffi::SQLITE_OK {
                return Err(error(self.db, rc));
            }
        }
        Ok(())
    }
}

impl Drop for BulkInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: `stmt` was prepared by us and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.stmt) };
    }
}

/// SQLite's error for a call that returned `rc` on `db`: the extended code and the message.
fn error(db: *mut ffi::sqlite3, rc: std::ffi::c_int) -> rusqlite::Error {
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
}
