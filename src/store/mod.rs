//! The session store: everything the admin ticked, typed and confirmed, and the evidence and
//! job runs attached to it, in one SQLite file.
//!
//! # Durability
//!
//! Every write method runs in one immediate transaction and returns only after SQLite has
//! committed it with `journal_mode=WAL` and `synchronous=FULL` (the WAL is fsynced at every
//! commit; `fullfsync` is on where the platform has it). So when a method returns `Ok`, the
//! change survives `kill -9` and a power cut; the screen may say "saved". When it returns
//! `Err`, nothing of that call was written. A change and its audit event are always written
//! in the same transaction: there is never a change without its audit event, or the reverse.
//!
//! # One wizard per file
//!
//! [`Store::open`] takes SQLite's exclusive lock (`locking_mode=EXCLUSIVE`) and keeps it until
//! the [`Store`] is dropped; a second pchat-migrate (or a sqlite3 shell) opening the same file
//! gets [`StoreError::Locked`]. The operating system releases the lock when the process dies,
//! even by `kill -9`.
//!
//! # Schema
//!
//! Versioned with `PRAGMA user_version` (currently [`SCHEMA_VERSION`]) and
//! `PRAGMA application_id`; older files are migrated forward on open, files written by a newer
//! version are refused ([`StoreError::TooNew`]) and left untouched.
//!
//! # Timestamps
//!
//! Stored as RFC 3339 text in UTC with milliseconds and a `Z` suffix
//! (`2024-05-01T09:30:00.123Z`); handed out as `DateTime<Utc>` truncated to milliseconds.
//!
//! # Audit trail
//!
//! Append-only and tamper-evident; see [`audit`] for the exact hash
//! definition. There is **one chain per database**: events of all sessions are linked in `id`
//! order. SQLite triggers refuse `UPDATE` and `DELETE` on the audit and evidence tables (and
//! are re-created on every open); the hash chain catches edits made with the triggers
//! dropped. Events written by the store itself:
//!
//! | kind | item | old → new | detail |
//! |---|---|---|---|
//! | `session-created` | – | – → name | JSON `{deployment, profile}` |
//! | `session-profile-changed` | – | old path → new path | – |
//! | `item-state` | item | previous state (none if the item had no record) → state | reason |
//! | `note` | item | previous note → note (none when cleared) | – |
//! | `evidence-added` | item | – → summary | JSON `{evidence_id, source, passed, sha256}` |
//! | `job-started` | item | – → `running` | JSON `{job_id, kind, log_path}` |
//! | `job-finished` | item | `running` → status | summary |
//! | `job-interrupted` | item | `running` → `interrupted` | summary |
//! | `pilot-users-added` | – | – → "N added, M updated" | JSON `{source, added, updated}` |
//! | `pilot-result` | – | previous result (none if never recorded) → result | JSON `{sip, case, note}` |
//! | `plan-saved` | – | – → the plan's one-line summary | JSON `{sha256}` of the plan JSON |
//! | `window-step-started` | – | – → step | – |
//! | `window-step-finished` | – | – → step | elapsed, e.g. `42m 10s` |
//!
//! Anything else (`downtime-confirmed`, `gate-override`, ...) is written by callers with
//! [`Store::record_event`]. Callers must not record `job-*` or `evidence-added` themselves.
//!
//! # Layout
//!
//! One module per aggregate, each adding its methods to [`Store`]: `sessions`, `items`
//! (states and notes), `evidence`, `job_runs`, `audit` (the chain and its read-outs),
//! `pilot`, `window` (the downtime plan and its steps), `ui_position`, and `facts` (the
//! read-outs over a whole session). They share one row-mapping helper (`rows`: a record
//! names its columns and reads them in order) and one write helper (`write`: one immediate
//! transaction, the write's time, the audit event). `schema` holds the tables and their
//! migrations; `model` the records handed out; `error` the [`StoreError`]s.

pub mod audit;
mod error;
mod evidence;
mod facts;
mod items;
mod job_runs;
mod model;
mod pilot;
mod rows;
mod schema;
mod sessions;
mod ui_position;
mod window;
mod write;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use audit::{AuditBreak, GENESIS_HASH};
pub use error::StoreError;
pub use model::{
    AuditEvent, DEPLOYMENTS, Evidence, EvidenceRecord, ItemRecord, ItemState, JOB_STATUSES, JobRun,
    PackageOnDisk, PilotAdded, PlanRecord, Session, SessionFacts, WindowStepRecord,
};
pub use schema::SCHEMA_VERSION;

use error::{SqlExt, migrate_err, open_err, sql_err};

/// How long [`Store::open`] waits for another process to release the file.
const OPEN_WAIT: Duration = Duration::from_millis(500);
/// SQLite busy timeout once open.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Creates a new session database under a temporary name and renames it into place, so that
/// a crash never leaves a 0-byte `sessions.db` behind (which [`Store::open`] refuses).
fn create_new(path: &Path, db: &str) -> Result<(), StoreError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let _ = fs::remove_file(&tmp);
    {
        let mut conn = Connection::open(&tmp).map_err(|e| open_err(db, e))?;
        conn.pragma_update(None, "synchronous", "FULL").db(db)?;
        schema::migrate(&mut conn).map_err(|e| migrate_err(db, e))?;
        conn.close().map_err(|(_, e)| sql_err(db, e))?;
    }
    let _ = fs::remove_file(format!("{}-journal", tmp.display()));
    fs::rename(&tmp, path).map_err(|source| StoreError::Setup {
        db: db.to_string(),
        detail: format!("cannot move the new database into place: {source}"),
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Refuses a file that exists but holds nothing: SQLite would treat it as a new database.
fn refuse_empty(conn: &Connection, db: &str) -> Result<(), StoreError> {
    let (app_id, version, tables): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .db(db)?;
    if app_id == 0 && version == 0 && tables == 0 {
        return Err(StoreError::EmptyFile { db: db.to_string() });
    }
    Ok(())
}

/// The session database. Owns one SQLite connection; not shared between threads at once
/// (it is `Send`: move it to the worker thread that does the writes).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The file as shown in error messages (`:memory:` in memory).
    db: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("db", &self.db).finish()
    }
}

impl Store {
    /// Opens (creating it, its parent folders and its schema if needed) the session database
    /// at `path`, migrates it to [`SCHEMA_VERSION`], and takes its exclusive lock.
    ///
    /// Errors: [`StoreError::CreateDir`], [`StoreError::CannotOpen`], [`StoreError::Locked`]
    /// (another process has it open), [`StoreError::TooNew`], [`StoreError::NotOurs`],
    /// [`StoreError::EmptyFile`] (a file that exists but is empty is refused and left alone),
    /// [`StoreError::Corrupt`], [`StoreError::Setup`].
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        if !path.exists() {
            create_new(path, &db)?;
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| open_err(&db, e))?;
        conn.busy_timeout(OPEN_WAIT).db(&db)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .db(&db)?;
        // Refuse foreign, newer and empty files before changing anything in them (journal
        // mode).
        refuse_empty(&conn, &db)?;
        schema::inspect(&conn).map_err(|e| migrate_err(&db, e))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .db(&db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Setup {
                db,
                detail: format!("write-ahead logging is not available (journal mode {mode})"),
            });
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            db,
        };
        store.configure()?;
        Ok(store)
    }

    /// Opens an existing session database for reading only: no write of any kind (no schema
    /// migration, no journal-mode change, no lock held beyond SQLite's shared read lock), so
    /// read-only commands work on a read-only folder or a full disk.
    ///
    /// Errors: [`StoreError::CannotOpen`] (missing file included), [`StoreError::Locked`]
    /// (the wizard has it open), [`StoreError::EmptyFile`], [`StoreError::NotOurs`],
    /// [`StoreError::TooNew`], [`StoreError::Setup`] (an older schema, which only a writing
    /// command can upgrade).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let db = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_err(&db, e))?;
        conn.busy_timeout(OPEN_WAIT).db(&db)?;
        refuse_empty(&conn, &db)?;
        let version = schema::inspect(&conn).map_err(|e| migrate_err(&db, e))?;
        if version < SCHEMA_VERSION {
            return Err(StoreError::Setup {
                db,
                detail: format!(
                    "schema {version} needs upgrading to {SCHEMA_VERSION}, which writes; run \
                     `pchat-migrate sessions` once where the folder is writable"
                ),
            });
        }
        conn.busy_timeout(BUSY_TIMEOUT).db(&db)?;
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            db,
        })
    }

    /// A store that lives in memory only (tests, `--dry-run`); same schema and rules,
    /// nothing durable.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let db = ":memory:".to_string();
        let conn = Connection::open_in_memory().db(&db)?;
        let mut store = Store {
            conn,
            path: None,
            db,
        };
        store.configure()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        let db = self.db.clone();
        for (name, value) in [
            ("synchronous", "FULL"),
            ("fullfsync", "ON"),
            ("checkpoint_fullfsync", "ON"),
            ("foreign_keys", "ON"),
        ] {
            self.conn.pragma_update(None, name, value).db(&db)?;
        }
        let fk: i64 = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .db(&db)?;
        if fk != 1 {
            return Err(StoreError::Setup {
                db,
                detail: "foreign keys cannot be enabled".into(),
            });
        }
        schema::migrate(&mut self.conn).map_err(|e| migrate_err(&db, e))?;
        self.conn.busy_timeout(BUSY_TIMEOUT).db(&db)?;
        Ok(())
    }

    /// The database file; `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}
