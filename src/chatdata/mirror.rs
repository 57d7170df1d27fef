//! Read-only copies of the rows the verifier compares, for production: the legacy Group Chat
//! database and the `mgc` database are read on their SQL Server instances and their rows
//! streamed into two local SQLite files laid out like the lab's databases
//! ([`crate::lab::schema`]), so that [`super::verify()`] — the lab verify, unchanged — compares
//! them. Production and lab cannot differ in what they check, because the same code checks.
//!
//! The queries are written once, here ([`queries`]): plain `SELECT * FROM [table]` (with a
//! `WHERE chatDate >= <ticks>` on `tblChat` when the export had `-StartDate`), valid T-SQL and
//! SQLite alike, short enough that the whole read fits one Windows command line. The
//! production executor runs them through .NET's SqlClient on the server (read-only
//! connection, Windows authentication); the tests run them against the lab's SQLite files.
//! Each query's output starts with its column names (one JSON array), then one JSON array per
//! row; the columns the lab's tables hold are kept by name (others, such as binary renderings,
//! are dropped) and rows are inserted in batches, so memory stays flat whatever the size of
//! the estate.
//!
//! Inferred: that the production databases carry the documented column names the lab uses
//! (schemas.md §1, §2); a column the server lacks fails the query with SQL Server's own
//! message naming it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::ChatDataError;

/// Which database a query reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The legacy Group Chat database.
    Legacy,
    /// The Persistent Chat `mgc` database.
    Mgc,
}

/// One table to copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MirrorQuery {
    /// Which database.
    pub side: Side,
    /// The table.
    pub table: &'static str,
    /// The columns the copy keeps (the lab table's, binary renderings left out).
    pub columns: Vec<String>,
    /// The query (T-SQL and SQLite alike; names in brackets).
    pub sql: String,
}

/// The tables the verifier reads on each side.
const LEGACY_TABLES: [&str; 10] = [
    "tblPrincipalType",
    "tblPrincipal",
    "tblNode",
    "tblSiopWhiteList",
    "tblRoleType",
    "tblPrincipalRole",
    "tblScopePrincipal",
    "tblPrincipalAffiliations",
    "tblLastChatId",
    "tblChat",
];
const MGC_TABLES: [&str; 10] = LEGACY_TABLES;

/// Columns never copied: binary message renderings the verifier does not compare.
const SKIPPED_COLUMNS: [&str; 1] = ["rtf"];

fn columns_of(ddl: &str, table: &str) -> Vec<String> {
    let conn = Connection::open_in_memory().expect("an in-memory database opens");
    conn.execute_batch(ddl).expect("the lab DDL is valid");
    let mut st = conn
        .prepare(&format!("PRAGMA table_info({table})"))
        .expect("pragma");
    st.query_map([], |r| r.get::<_, String>(1))
        .expect("pragma rows")
        .filter_map(Result::ok)
        .filter(|c| !SKIPPED_COLUMNS.contains(&c.as_str()))
        .collect()
}

/// Every query, legacy first, `tblChat` last on each side. `start_ticks`: the export's
/// `-StartDate` (ticks, 100 ns since 0001-01-01): earlier messages are not copied (the
/// verifier does not expect them).
pub fn queries(start_ticks: Option<i64>) -> Vec<MirrorQuery> {
    let mut out = Vec::new();
    for (side, ddl, tables) in [
        (Side::Legacy, super::schema::LEGACY_DDL, LEGACY_TABLES),
        (Side::Mgc, super::schema::MGC_DDL, MGC_TABLES),
    ] {
        for table in tables {
            let columns = columns_of(ddl, table);
            if columns.is_empty() {
                continue;
            }
            // bracket-quoted names: valid T-SQL and SQLite
            let mut sql = format!("SELECT * FROM [{table}]");
            if table == "tblChat"
                && let Some(t) = start_ticks
            {
                sql.push_str(&format!(" WHERE chatDate >= {t}"));
            }
            out.push(MirrorQuery {
                side,
                table,
                columns,
                sql,
            });
        }
    }
    out
}

impl MirrorQuery {
    /// `legacy.tblNode`, `mgc.tblChat`: how the output names the query it comes from.
    pub fn label(&self) -> String {
        format!(
            "{}.{}",
            match self.side {
                Side::Legacy => "legacy",
                Side::Mgc => "mgc",
            },
            self.table
        )
    }
}

/// The first element of a header line: `["#table", "<label>", <column names…>]`.
pub const HEADER_MARK: &str = "#table";

/// Columns a real database may lack without harm: the lab's own bookkeeping and columns our
/// reconstruction adds (schemas.md marks them \[inf\]); read as NULL when absent.
const NULLABLE_IF_ABSENT: [&str; 0] = [];

/// Rows per transaction while copying.
const BATCH: usize = 20_000;

/// The two local copies, being written.
pub struct Mirror {
    legacy: (Connection, PathBuf),
    mgc: (Connection, PathBuf),
    pending: usize,
    rows: u64,
    /// Per table: for each kept column, its position in the rows as they arrive.
    layout: std::collections::HashMap<(Side, &'static str), Vec<Option<usize>>>,
    /// The query whose rows arrive now (the last header's).
    current: Option<usize>,
}

/// Where the copies of a run live: `<dir>/legacy-mirror.db` and `<dir>/mgc-mirror.db`.
pub fn paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("legacy-mirror.db"), dir.join("mgc-mirror.db"))
}

fn sqlite_err(path: &Path, what: &str) -> impl FnOnce(rusqlite::Error) -> ChatDataError {
    ChatDataError::sqlite(path, what.to_string())
}

impl Mirror {
    /// Creates empty copies under `dir` (replacing earlier ones), with the lab's tables.
    ///
    /// # Errors
    /// The folder or the files cannot be written.
    pub fn create(dir: &Path) -> Result<Mirror, ChatDataError> {
        std::fs::create_dir_all(dir).map_err(ChatDataError::io(dir, "create the folder"))?;
        let (lp, mp) = paths(dir);
        let open = |p: &Path, ddl: &str| -> Result<Connection, ChatDataError> {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut s = p.as_os_str().to_owned();
                s.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(s));
            }
            let c = Connection::open(p).map_err(sqlite_err(p, "create the copy"))?;
            c.execute_batch(
                // temp_store stays FILE: the closing CREATE INDEX sorts every message, which
                // in memory took about 30 bytes a row (630 MB at 10 million messages).
                "PRAGMA foreign_keys=OFF; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;",
            )
            .map_err(sqlite_err(p, "set up the copy"))?;
            c.execute_batch(ddl)
                .map_err(sqlite_err(p, "create the tables"))?;
            c.execute_batch("BEGIN").map_err(sqlite_err(p, "begin"))?;
            Ok(c)
        };
        Ok(Mirror {
            legacy: (open(&lp, super::schema::LEGACY_DDL)?, lp),
            mgc: (open(&mp, super::schema::MGC_DDL)?, mp),
            pending: 0,
            rows: 0,
            layout: std::collections::HashMap::new(),
            current: None,
        })
    }

    /// Takes one line of the combined output of several queries: a header
    /// `["#table", "<label>", <column names…>]` starts a query's rows (its label one of
    /// [`MirrorQuery::label`] in `queries`), the lines after it are its rows.
    ///
    /// # Errors
    /// A row before any header, an unknown label, and what [`Mirror::insert`] refuses.
    pub fn line(&mut self, queries: &[MirrorQuery], line: &str) -> Result<(), ChatDataError> {
        let header = line
            .strip_prefix("[\"")
            .is_some_and(|rest| rest.starts_with(HEADER_MARK));
        if header {
            let v: Vec<serde_json::Value> =
                serde_json::from_str(line).map_err(|e| ChatDataError::Schema {
                    path: self.legacy.1.clone(),
                    message: format!("a header line that is not a JSON array: {e}"),
                })?;
            let label = v.get(1).and_then(|l| l.as_str()).unwrap_or("");
            let i = queries
                .iter()
                .position(|q| q.label() == label)
                .ok_or_else(|| ChatDataError::Schema {
                    path: self.legacy.1.clone(),
                    message: format!("rows of an unknown query \"{label}\""),
                })?;
            self.current = Some(i);
            let names = serde_json::to_string(&v[2..]).unwrap_or_default();
            return self.insert(&queries[i], &names);
        }
        let i = self.current.ok_or_else(|| ChatDataError::Schema {
            path: self.legacy.1.clone(),
            message: "a row before any header line".into(),
        })?;
        self.insert(&queries[i], line)
    }

    /// Rows copied so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Takes one line of `q`'s output: the first is its column names, the others its rows,
    /// each a JSON array.
    ///
    /// # Errors
    /// [`ChatDataError::Schema`] for a line that is not an array of the right length, or a
    /// header without a column the copy needs (naming the table), SQLite errors.
    pub fn insert(&mut self, q: &MirrorQuery, row: &str) -> Result<(), ChatDataError> {
        let path = match q.side {
            Side::Legacy => self.legacy.1.clone(),
            Side::Mgc => self.mgc.1.clone(),
        };
        let values: Vec<serde_json::Value> =
            serde_json::from_str(row).map_err(|e| ChatDataError::Schema {
                path: path.clone(),
                message: format!("a row of {} is not a JSON array: {e}", q.table),
            })?;
        let Some(layout) = self.layout.get(&(q.side, q.table)) else {
            // the header: where each kept column is
            let names: Vec<String> = values
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_ascii_lowercase())
                .collect();
            let layout: Vec<Option<usize>> = q
                .columns
                .iter()
                .map(|c| names.iter().position(|n| *n == c.to_ascii_lowercase()))
                .collect();
            if let Some(i) = layout.iter().position(Option::is_none)
                && !NULLABLE_IF_ABSENT.contains(&q.columns[i].as_str())
            {
                return Err(ChatDataError::Schema {
                    path,
                    message: format!(
                        "{} has no column {} (it has {}): this database is not laid out as documented",
                        q.table,
                        q.columns[i],
                        names.join(", ")
                    ),
                });
            }
            self.layout.insert((q.side, q.table), layout);
            return Ok(());
        };
        let width = layout.iter().flatten().max().map_or(0, |m| m + 1);
        if values.len() < width {
            return Err(ChatDataError::Schema {
                path,
                message: format!(
                    "a row of {} has {} values, fewer than its header named",
                    q.table,
                    values.len()
                ),
            });
        }
        let values: Vec<serde_json::Value> = layout
            .iter()
            .map(|p| p.map_or(serde_json::Value::Null, |i| values[i].clone()))
            .collect();
        let (conn, path) = match q.side {
            Side::Legacy => (&self.legacy.0, &self.legacy.1),
            Side::Mgc => (&self.mgc.0, &self.mgc.1),
        };
        let sql = format!(
            "INSERT INTO [{}] ({}) VALUES ({})",
            q.table,
            q.columns
                .iter()
                .map(|c| format!("[{c}]"))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; q.columns.len()].join(", ")
        );
        let mut st = conn
            .prepare_cached(&sql)
            .map_err(sqlite_err(path, "prepare the copy"))?;
        st.execute(params_from_iter(values.iter().map(to_sql)))
            .map_err(sqlite_err(path, &format!("copy a row of {}", q.table)))?;
        self.rows += 1;
        self.pending += 1;
        if self.pending >= BATCH {
            self.pending = 0;
            for (c, p) in [&self.legacy, &self.mgc] {
                c.execute_batch("COMMIT; BEGIN")
                    .map_err(sqlite_err(p, "commit the copy"))?;
            }
        }
        Ok(())
    }

    /// Commits and closes both copies; returns (legacy, mgc) paths.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn finish(self) -> Result<(PathBuf, PathBuf), ChatDataError> {
        for (c, p) in [&self.legacy, &self.mgc] {
            c.execute_batch(
                "COMMIT; CREATE INDEX IF NOT EXISTS mirror_chat ON tblChat (channelID, chatDate)",
            )
            .map_err(sqlite_err(p, "finish the copy"))?;
        }
        Ok((self.legacy.1, self.mgc.1))
    }
}

/// A JSON value as an SQLite value: numbers, text, booleans as 0/1, null.
fn to_sql(v: &serde_json::Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        serde_json::Value::Null => V::Null,
        serde_json::Value::Bool(b) => V::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => V::Integer(i),
            None => V::Real(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => V::Text(s.clone()),
        other => V::Text(other.to_string()),
    }
}
