//! SQL reads of the catalog: one read-only `SELECT` against the Persistent Chat database
//! (`mgc`) or the legacy Group Chat database, written so that it runs unchanged on SQL
//! Server and on the lab's SQLite files (table and column names of schemas.md).
//!
//! A query is checked before it is accepted: a single `SELECT`, no `;`, no comment, no
//! placeholder (nothing from the profile is pasted into SQL) and none of the words that
//! write or reach outside (`INSERT`, `UPDATE`, `DELETE`, `DROP`, `ALTER`, `CREATE`,
//! `EXEC`, `ATTACH`, `PRAGMA`, `INTO` …). In the lab the database file is also opened
//! read-only and with `query_only` on, so a query that slipped past the check still could
//! not write.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Check, CheckOutcome};
use crate::lab::LabPaths;

/// Which database a SQL read goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqlDatabase {
    /// The Lync Server 2013 Persistent Chat database (`mgc`).
    Mgc,
    /// The legacy Group Chat database (Lync 2010 / OCS 2007 R2).
    Legacy,
}

impl fmt::Display for SqlDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SqlDatabase::Mgc => "mgc",
            SqlDatabase::Legacy => "legacy",
        })
    }
}

/// When a SQL read is healthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Healthy {
    /// The query looks for the problem: no row is healthy.
    NoRows,
    /// The query looks for what must exist: at least one row is healthy.
    Rows,
}

/// One SQL read, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlRequest {
    /// The database.
    pub database: SqlDatabase,
    /// The `SELECT`.
    pub query: String,
    /// When the answer is healthy.
    pub healthy: Healthy,
}

/// Words that never appear in a read (compared as whole words, without case).
const FORBIDDEN: [&str; 21] = [
    "insert",
    "update",
    "delete",
    "drop",
    "alter",
    "create",
    "exec",
    "execute",
    "attach",
    "detach",
    "pragma",
    "merge",
    "truncate",
    "grant",
    "revoke",
    "into",
    "vacuum",
    "replace",
    "reindex",
    "shutdown",
    "load_extension",
];

/// Rows shown in a check's output at most.
const MAX_ROWS_SHOWN: usize = 10;

impl SqlRequest {
    /// The request of an `sql` check.
    ///
    /// # Errors
    /// What is missing or not allowed, as one sentence.
    pub fn from_check(c: &Check) -> Result<SqlRequest, String> {
        let database = match c.database.as_deref() {
            Some("mgc") => SqlDatabase::Mgc,
            Some("legacy") => SqlDatabase::Legacy,
            Some(other) => {
                return Err(format!("database {other:?} is not one of mgc, legacy"));
            }
            None => return Err("an sql check needs database = \"mgc\" or \"legacy\"".into()),
        };
        let healthy = match c.healthy.as_deref() {
            Some("no-rows") => Healthy::NoRows,
            Some("rows") => Healthy::Rows,
            Some(other) => return Err(format!("healthy {other:?} is not one of no-rows, rows")),
            None => return Err("an sql check needs healthy = \"no-rows\" or \"rows\"".into()),
        };
        let query = c
            .query
            .as_deref()
            .ok_or("an sql check needs query = \"SELECT …\"")?;
        check_read_only(query)?;
        Ok(SqlRequest {
            database,
            query: query.trim().to_string(),
            healthy,
        })
    }

    /// `sql mgc: SELECT …`, for results.
    pub fn describe(&self) -> String {
        format!("sql {}: {}", self.database, self.query)
    }
}

/// Checks that `query` is one read-only `SELECT`.
///
/// # Errors
/// Why it is not.
pub fn check_read_only(query: &str) -> Result<(), String> {
    let q = query.trim();
    let lower = q.to_ascii_lowercase();
    if !lower.starts_with("select ") {
        return Err("a query must be one SELECT".into());
    }
    if q.contains(';') || q.contains("--") || q.contains("/*") {
        return Err("a query has no ';' and no comment".into());
    }
    if q.contains("{{") {
        return Err("a query has no placeholder: nothing from the profile goes into SQL".into());
    }
    let words = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    for w in words {
        if FORBIDDEN.contains(&w) {
            return Err(format!("a read-only query does not use {w:?}"));
        }
    }
    Ok(())
}

/// Runs a SQL read against the lab's SQLite file for its database, opened read-only.
/// A missing file or a failing query is "could not tell", with the reason.
pub fn run_lab(lab: &LabPaths, req: &SqlRequest) -> CheckOutcome {
    let path = match req.database {
        SqlDatabase::Mgc => &lab.mgc_db,
        SqlDatabase::Legacy => &lab.legacy_db,
    };
    run_sqlite(path, req)
}

/// Runs a SQL read against one SQLite file (read-only, `query_only`).
pub fn run_sqlite(path: &Path, req: &SqlRequest) -> CheckOutcome {
    if let Err(e) = check_read_only(&req.query) {
        return CheckOutcome::unknown(format!("not run: {e}"));
    }
    if !path.is_file() {
        return CheckOutcome::unknown(format!(
            "not run: the lab database {} does not exist (pchat-migrate lab init)",
            path.display()
        ));
    }
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let rows = (|| -> rusqlite::Result<(Vec<String>, usize)> {
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.pragma_update(None, "query_only", true)?;
        let mut stmt = conn.prepare(&req.query)?;
        let cols: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([])?;
        let mut shown = Vec::new();
        let mut n = 0usize;
        while let Some(row) = rows.next()? {
            n += 1;
            if shown.len() < MAX_ROWS_SHOWN {
                let mut cells = Vec::new();
                for (i, c) in cols.iter().enumerate() {
                    let v: rusqlite::types::Value = row.get(i)?;
                    let text = match v {
                        rusqlite::types::Value::Null => "NULL".to_string(),
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Real(r) => r.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(b) => format!("<{} bytes>", b.len()),
                    };
                    cells.push(format!("{c}={text}"));
                }
                shown.push(cells.join(" "));
            }
        }
        Ok((shown, n))
    })();
    match rows {
        Err(e) => CheckOutcome::unknown(format!("the query failed on {}: {e}", path.display())),
        Ok((shown, n)) => {
            let mut text = format!("{n} row(s) from the lab's {} database", req.database);
            if !shown.is_empty() {
                text.push_str(": ");
                text.push_str(&shown.join("; "));
                if n > shown.len() {
                    text.push_str(&format!("; … {} more", n - shown.len()));
                }
            }
            let healthy = match req.healthy {
                Healthy::NoRows => n == 0,
                Healthy::Rows => n > 0,
            };
            if healthy {
                CheckOutcome::pass(text)
            } else {
                CheckOutcome::fail(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_single_selects_pass() {
        assert!(check_read_only("SELECT nodeName FROM tblNode WHERE disabled = 1").is_ok());
        for bad in [
            "DELETE FROM tblNode",
            "SELECT 1; DROP TABLE tblNode",
            "SELECT * INTO x FROM tblNode",
            "SELECT 1 -- x",
            "SELECT nodeName FROM tblNode WHERE nodeName = '{{test_room}}'",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "SELECT load_extension('x') FROM tblNode",
            "select nodeName from tblNode where 1 = 1 union select attach",
        ] {
            assert!(check_read_only(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn runs_read_only_against_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mgc.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE tblNode (nodeName TEXT, disabled INTEGER);
             INSERT INTO tblNode VALUES ('Room 1', 1), ('Room 2', 0);",
        )
        .unwrap();
        drop(conn);
        let req = |healthy| SqlRequest {
            database: SqlDatabase::Mgc,
            query: "SELECT nodeName FROM tblNode WHERE disabled = 1".into(),
            healthy,
        };
        let o = run_sqlite(&path, &req(Healthy::NoRows));
        assert_eq!(o.passed, Some(false), "{}", o.output);
        assert!(o.output.contains("nodeName=Room 1"), "{}", o.output);
        assert_eq!(run_sqlite(&path, &req(Healthy::Rows)).passed, Some(true));
        let missing = run_sqlite(&dir.path().join("none.db"), &req(Healthy::Rows));
        assert_eq!(missing.passed, None);
        // A bad column is "could not tell", never a pass.
        let mut bad = req(Healthy::NoRows);
        bad.query = "SELECT nope FROM tblNode".into();
        assert_eq!(run_sqlite(&path, &bad).passed, None);
    }
}
