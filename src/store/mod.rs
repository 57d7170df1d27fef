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
//! Schema version 2 added the pilot (`pilot_users`, `pilot_results`), the downtime plan
//! (`plans`) and the actual steps of the downtime window (`window_steps`); see
//! [`Store::add_pilot_users`], [`Store::set_pilot_result`], [`Store::save_plan`],
//! [`Store::start_window_step`].
//!
//! Anything else (`downtime-confirmed`, `gate-override`, ...) is written by callers with
//! [`Store::record_event`]. Callers must not record `job-*` or `evidence-added` themselves.

pub mod audit;
mod model;
mod schema;
mod v2;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use sha2::{Digest, Sha256};

pub use audit::{AuditBreak, GENESIS_HASH};
pub use model::{
    AuditEvent, DEPLOYMENTS, Evidence, EvidenceRecord, ItemRecord, ItemState, JOB_STATUSES, JobRun,
    PilotAdded, PlanRecord, Session, SessionFacts, WindowStepRecord,
};
pub use schema::SCHEMA_VERSION;

use model::{fmt_ts, now, parse_ts};

/// How long [`Store::open`] waits for another process to release the file.
const OPEN_WAIT: Duration = Duration::from_millis(500);
/// SQLite busy timeout once open.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Who the store names in events it writes on its own (interrupted jobs).
const SYSTEM_WHO: &str = "pchat-migrate";
const INTERRUPTED_SUMMARY: &str = "interrupted: pchat-migrate stopped while the job was running";

/// Why a store operation failed. Every variant that concerns the file names it (`db`, which
/// is `:memory:` for an in-memory store) and says what to do. A failed write wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder for the database could not be created.
    #[error("could not create the folder {dir} for the session database: {source}")]
    CreateDir {
        /// The folder.
        dir: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be opened (missing permissions, a directory, a read-only disk...).
    #[error(
        "could not open the session database {db}: {source}; check the path and its permissions"
    )]
    CannotOpen {
        /// The database file.
        db: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another process holds the file's lock.
    #[error(
        "another pchat-migrate (or another program, such as the sqlite3 shell) holds the lock \
         on {db}; close it and try again"
    )]
    Locked {
        /// The database file.
        db: String,
    },
    /// `user_version` is newer than this build understands.
    #[error(
        "the database {db} was written by a newer version of pchat-migrate (schema {found}; \
         this version understands up to {supported}); use that newer version"
    )]
    TooNew {
        /// The database file.
        db: String,
        /// Version found in the file.
        found: i64,
        /// [`SCHEMA_VERSION`].
        supported: i64,
    },
    /// The file is not a pchat-migrate session database.
    #[error("{db} is not a pchat-migrate session database; choose another file")]
    NotOurs {
        /// The database file.
        db: String,
    },
    /// The file exists but holds no session database (0 bytes, or an SQLite file with no
    /// tables): never silently started afresh, since the history it should hold is gone.
    #[error(
        "the session database {db} exists but is empty (all history is missing); restore it \
         from a backup, or move it away to start a new database; it was left as it is"
    )]
    EmptyFile {
        /// The database file.
        db: String,
    },
    /// The file is damaged, or holds a value the store cannot read.
    #[error("the session database {db} is damaged ({detail}); restore it from a backup")]
    Corrupt {
        /// The database file.
        db: String,
        /// What is wrong.
        detail: String,
    },
    /// The disk is full.
    #[error("the disk holding {db} is full; the change was NOT saved; free some space and retry")]
    DiskFull {
        /// The database file.
        db: String,
    },
    /// SQLite could not be configured as the store needs.
    #[error("could not configure the session database {db}: {detail}")]
    Setup {
        /// The database file.
        db: String,
        /// What went wrong.
        detail: String,
    },
    /// A skipped or blocked item needs a non-blank reason.
    #[error("a reason is required to mark an item {state}")]
    ReasonRequired {
        /// The state that was asked for.
        state: ItemState,
    },
    /// A required text argument was blank.
    #[error("{what} must not be empty")]
    Empty {
        /// Which argument.
        what: &'static str,
    },
    /// The deployment is neither `lab` nor `production`.
    #[error("the deployment must be \"lab\" or \"production\", not {0:?}")]
    InvalidDeployment(String),
    /// A string is not an item state.
    #[error("unknown item state {0:?} (expected todo, done, skipped, blocked or failed)")]
    InvalidState(String),
    /// A job status other than succeeded, failed, cancelled, interrupted was given.
    #[error("a job can finish as succeeded, failed, cancelled or interrupted, not {0:?}")]
    InvalidJobStatus(String),
    /// [`Store::create_session`] with a name that is taken.
    #[error("a session named {name:?} already exists in {db}; open it or choose another name")]
    SessionExists {
        /// The database file.
        db: String,
        /// The name.
        name: String,
    },
    /// [`Store::open_or_create_session`] found the session, for the other deployment.
    #[error(
        "the session {name:?} in {db} is for the {stored} deployment, not {requested}; \
         choose another session name"
    )]
    DeploymentMismatch {
        /// The database file.
        db: String,
        /// The name.
        name: String,
        /// Deployment stored with the session.
        stored: String,
        /// Deployment asked for.
        requested: String,
    },
    /// No session with that id.
    #[error("there is no session #{id} in {db}")]
    UnknownSession {
        /// The database file.
        db: String,
        /// The id.
        id: i64,
    },
    /// No job run with that id.
    #[error("there is no job run #{id} in {db}")]
    UnknownJob {
        /// The database file.
        db: String,
        /// The id.
        id: i64,
    },
    /// [`Store::job_finished`] on a job that is not running.
    #[error("job run #{id} in {db} has already finished ({status}); it cannot finish twice")]
    JobNotRunning {
        /// The database file.
        db: String,
        /// The id.
        id: i64,
        /// Its status.
        status: String,
    },
    /// [`Store::set_pilot_result`] for a user who is not a pilot user of the session.
    #[error("{sip} is not a pilot user of session #{session_id} in {db}; add them first")]
    UnknownPilotUser {
        /// The database file.
        db: String,
        /// The session.
        session_id: i64,
        /// The SIP URI given.
        sip: String,
    },
    /// A pass or fail for a test case that does not apply to the user's client.
    #[error("the pilot test {case} does not apply to {sip} ({client}): {why}; record it as n/a")]
    PilotNotApplicable {
        /// The SIP URI.
        sip: String,
        /// The case id.
        case: String,
        /// The client.
        client: String,
        /// Why it does not apply.
        why: String,
    },
    /// A downtime-window step was started twice, or finished before it started or twice.
    #[error("window step {step:?}: {problem}")]
    WindowStep {
        /// The step id.
        step: String,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// Any other SQLite error.
    #[error("session database {db}: {source}")]
    Sqlite {
        /// The database file.
        db: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

fn sql_err(db: &str, e: rusqlite::Error) -> StoreError {
    let db = db.to_string();
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return StoreError::Locked { db };
            }
            ErrorCode::DiskFull => return StoreError::DiskFull { db },
            ErrorCode::NotADatabase => return StoreError::NotOurs { db },
            ErrorCode::DatabaseCorrupt => {
                return StoreError::Corrupt {
                    db,
                    detail: e.to_string(),
                };
            }
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly => {
                return StoreError::CannotOpen { db, source: e };
            }
            _ => {}
        }
    }
    StoreError::Sqlite { db, source: e }
}

/// An open failure: a missing or unreadable file is [`StoreError::CannotOpen`].
fn open_err(db: &str, e: rusqlite::Error) -> StoreError {
    match sql_err(db, e) {
        StoreError::Sqlite { db, source } => StoreError::CannotOpen { db, source },
        other => other,
    }
}

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

fn migrate_err(db: &str, e: schema::MigrateError) -> StoreError {
    match e {
        schema::MigrateError::TooNew(found) => StoreError::TooNew {
            db: db.to_string(),
            found,
            supported: SCHEMA_VERSION,
        },
        schema::MigrateError::NotOurs => StoreError::NotOurs { db: db.to_string() },
        schema::MigrateError::Sql(e) => sql_err(db, e),
    }
}

/// Attaches the database name to SQLite errors.
trait SqlExt<T> {
    fn db(self, db: &str) -> Result<T, StoreError>;
}

impl<T> SqlExt<T> for rusqlite::Result<T> {
    fn db(self, db: &str) -> Result<T, StoreError> {
        self.map_err(|e| sql_err(db, e))
    }
}

fn ts(db: &str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_ts(s).ok_or_else(|| StoreError::Corrupt {
        db: db.to_string(),
        detail: format!("{s:?} is not an RFC 3339 timestamp"),
    })
}

fn opt_ts(db: &str, s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| ts(db, &s)).transpose()
}

fn state(db: &str, s: &str) -> Result<ItemState, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt {
        db: db.to_string(),
        detail: format!("{s:?} is not an item state"),
    })
}

fn non_blank(what: &'static str, s: &str) -> Result<(), StoreError> {
    if s.trim().is_empty() {
        Err(StoreError::Empty { what })
    } else {
        Ok(())
    }
}

const SESSION_COLS: &str = "id, name, deployment, profile, created_at, created_by, last_opened_at";
type SessionRow = (i64, String, String, Option<String>, String, String, String);

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn session_from(db: &str, r: SessionRow) -> Result<Session, StoreError> {
    Ok(Session {
        id: r.0,
        name: r.1,
        deployment: r.2,
        profile: r.3,
        created_at: ts(db, &r.4)?,
        created_by: r.5,
        last_opened_at: ts(db, &r.6)?,
    })
}

fn load_session(conn: &Connection, db: &str, name: &str) -> Result<Option<Session>, StoreError> {
    conn.query_row(
        &format!("SELECT {SESSION_COLS} FROM sessions WHERE name = ?1"),
        [name],
        session_row,
    )
    .optional()
    .db(db)?
    .map(|r| session_from(db, r))
    .transpose()
}

fn require_session(tx: &Transaction<'_>, db: &str, id: i64) -> Result<(), StoreError> {
    let found: Option<i64> = tx
        .query_row("SELECT id FROM sessions WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .db(db)?;
    found.map(|_| ()).ok_or(StoreError::UnknownSession {
        db: db.to_string(),
        id,
    })
}

const ITEM_COLS: &str = "item_id, state, reason, who, at, note, note_who, note_at";
type ItemRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn item_from(db: &str, r: ItemRow) -> Result<(String, ItemRecord), StoreError> {
    Ok((
        r.0,
        ItemRecord {
            state: state(db, &r.1)?,
            reason: r.2,
            who: r.3,
            at: ts(db, &r.4)?,
            note: r.5,
            note_who: r.6,
            note_at: opt_ts(db, r.7)?,
        },
    ))
}

fn load_item(
    conn: &Connection,
    db: &str,
    session_id: i64,
    item_id: &str,
) -> Result<Option<ItemRecord>, StoreError> {
    conn.query_row(
        &format!("SELECT {ITEM_COLS} FROM items WHERE session_id = ?1 AND item_id = ?2"),
        params![session_id, item_id],
        item_row,
    )
    .optional()
    .db(db)?
    .map(|r| item_from(db, r).map(|(_, rec)| rec))
    .transpose()
}

const JOB_COLS: &str =
    "id, session_id, item_id, kind, started_at, finished_at, status, summary, log_path, who";
type JobRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
);

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

/// The run and the `who` that started it.
fn job_from(db: &str, r: JobRow) -> Result<(JobRun, String), StoreError> {
    Ok((
        JobRun {
            id: r.0,
            session_id: r.1,
            item_id: r.2,
            kind: r.3,
            started_at: ts(db, &r.4)?,
            finished_at: opt_ts(db, r.5)?,
            status: r.6,
            summary: r.7,
            log_path: r.8,
        },
        r.9,
    ))
}

fn load_job(conn: &Connection, db: &str, id: i64) -> Result<Option<(JobRun, String)>, StoreError> {
    conn.query_row(
        &format!("SELECT {JOB_COLS} FROM job_runs WHERE id = ?1"),
        [id],
        job_row,
    )
    .optional()
    .db(db)?
    .map(|r| job_from(db, r))
    .transpose()
}

/// SHA-256 over the stored form of one piece of evidence (a JSON array of its four texts).
fn evidence_sha256(source: &str, summary: &str, passed: Option<bool>, detail_json: &str) -> String {
    let passed = passed.map(|p| p.to_string());
    let canonical = serde_json::json!([source, summary, passed, detail_json]).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
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

    /// Runs `f` in one immediate transaction and commits; on error nothing is written.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let db = self.db.as_str();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db(db)?;
        let out = f(&tx, db)?;
        tx.commit().db(db)?;
        Ok(out)
    }

    /// Creates a session named `name` (unique, non-blank) for `deployment` (`"lab"` or
    /// `"production"`) and writes the `session-created` event.
    ///
    /// Errors: [`StoreError::Empty`], [`StoreError::InvalidDeployment`],
    /// [`StoreError::SessionExists`], database errors.
    pub fn create_session(
        &mut self,
        name: &str,
        deployment: &str,
        profile: Option<&str>,
        who: &str,
    ) -> Result<Session, StoreError> {
        non_blank("the session name", name)?;
        if !DEPLOYMENTS.contains(&deployment) {
            return Err(StoreError::InvalidDeployment(deployment.to_string()));
        }
        self.write(|tx, db| {
            if load_session(tx, db, name)?.is_some() {
                return Err(StoreError::SessionExists {
                    db: db.to_string(),
                    name: name.to_string(),
                });
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO sessions (name, deployment, profile, created_at, created_by,
                                       last_opened_at, open_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4,
                         (SELECT coalesce(max(open_seq), 0) + 1 FROM sessions))",
                params![name, deployment, profile, at_s, who],
            )
            .db(db)?;
            let id = tx.last_insert_rowid();
            let detail =
                serde_json::json!({ "deployment": deployment, "profile": profile }).to_string();
            audit::append(
                tx,
                id,
                &at_s,
                who,
                "session-created",
                None,
                None,
                Some(name),
                Some(&detail),
            )
            .db(db)?;
            Ok(Session {
                id,
                name: name.to_string(),
                deployment: deployment.to_string(),
                profile: profile.map(str::to_string),
                created_at: at,
                created_by: who.to_string(),
                last_opened_at: at,
            })
        })
    }

    /// Opens the session named `name`, creating it (as [`Store::create_session`]) if it does
    /// not exist. Opening sets `last_opened_at` to now and makes it the most recent session.
    /// When `profile` is given and differs from the stored one, the stored profile is
    /// replaced and a `session-profile-changed` event is written; `None` keeps the stored one.
    ///
    /// Errors: as [`Store::create_session`], and [`StoreError::DeploymentMismatch`] when the
    /// existing session is for the other deployment.
    pub fn open_or_create_session(
        &mut self,
        name: &str,
        deployment: &str,
        profile: Option<&str>,
        who: &str,
    ) -> Result<Session, StoreError> {
        non_blank("the session name", name)?;
        if !DEPLOYMENTS.contains(&deployment) {
            return Err(StoreError::InvalidDeployment(deployment.to_string()));
        }
        let existing = self.write(|tx, db| {
            let Some(mut s) = load_session(tx, db, name)? else {
                return Ok(None);
            };
            if s.deployment != deployment {
                return Err(StoreError::DeploymentMismatch {
                    db: db.to_string(),
                    name: name.to_string(),
                    stored: s.deployment,
                    requested: deployment.to_string(),
                });
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "UPDATE sessions SET last_opened_at = ?1,
                        open_seq = (SELECT max(open_seq) + 1 FROM sessions)
                 WHERE id = ?2",
                params![at_s, s.id],
            )
            .db(db)?;
            s.last_opened_at = at;
            if let Some(p) = profile
                && s.profile.as_deref() != Some(p)
            {
                tx.execute(
                    "UPDATE sessions SET profile = ?1 WHERE id = ?2",
                    params![p, s.id],
                )
                .db(db)?;
                audit::append(
                    tx,
                    s.id,
                    &at_s,
                    who,
                    "session-profile-changed",
                    None,
                    s.profile.as_deref(),
                    Some(p),
                    None,
                )
                .db(db)?;
                s.profile = Some(p.to_string());
            }
            Ok(Some(s))
        })?;
        match existing {
            Some(s) => Ok(s),
            None => self.create_session(name, deployment, profile, who),
        }
    }

    /// All sessions, most recently opened (or created) first.
    pub fn sessions(&self) -> Result<Vec<Session>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {SESSION_COLS} FROM sessions ORDER BY open_seq DESC, id DESC"
            ))
            .db(db)?;
        let rows = stmt
            .query_map([], session_row)
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter().map(|r| session_from(db, r)).collect()
    }

    /// The session named `name`, if any.
    pub fn session(&self, name: &str) -> Result<Option<Session>, StoreError> {
        load_session(&self.conn, &self.db, name)
    }

    /// The most recently opened (or created) session, if any.
    pub fn last_session(&self) -> Result<Option<Session>, StoreError> {
        Ok(self.sessions()?.into_iter().next())
    }

    /// The current record of every item of the session that was ever ticked or noted,
    /// keyed by item id. Items never touched are absent (they are Todo). An unknown session
    /// gives an empty map.
    pub fn item_records(&self, session_id: i64) -> Result<HashMap<String, ItemRecord>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ITEM_COLS} FROM items WHERE session_id = ?1"
            ))
            .db(db)?;
        let rows = stmt
            .query_map([session_id], item_row)
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter().map(|r| item_from(db, r)).collect()
    }

    /// Sets an item's state, durably, together with an `item-state` audit event
    /// (old state → new state, detail = reason) in one transaction.
    ///
    /// `reason` must be non-blank for [`ItemState::Skipped`] and [`ItemState::Blocked`]; for
    /// other states it is optional (a blank reason is stored as none). The note is kept.
    /// Setting the state and reason an item already has writes nothing and returns the
    /// current record.
    ///
    /// Errors: [`StoreError::ReasonRequired`], [`StoreError::Empty`] (item id),
    /// [`StoreError::UnknownSession`], database errors.
    pub fn set_item_state(
        &mut self,
        session_id: i64,
        item_id: &str,
        state: ItemState,
        reason: Option<&str>,
        who: &str,
    ) -> Result<ItemRecord, StoreError> {
        non_blank("the item id", item_id)?;
        let reason = reason.filter(|r| !r.trim().is_empty());
        if state.requires_reason() && reason.is_none() {
            return Err(StoreError::ReasonRequired { state });
        }
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let old = load_item(tx, db, session_id, item_id)?;
            if let Some(old) = &old
                && old.state == state
                && old.reason.as_deref() == reason
            {
                return Ok(old.clone());
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO items (session_id, item_id, state, reason, who, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (session_id, item_id) DO UPDATE SET
                     state = excluded.state, reason = excluded.reason,
                     who = excluded.who, at = excluded.at",
                params![session_id, item_id, state.as_str(), reason, who, at_s],
            )
            .db(db)?;
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "item-state",
                Some(item_id),
                old.as_ref().map(|o| o.state.as_str()),
                Some(state.as_str()),
                reason,
            )
            .db(db)?;
            Ok(ItemRecord {
                state,
                reason: reason.map(str::to_string),
                who: who.to_string(),
                at,
                note: old.as_ref().and_then(|o| o.note.clone()),
                note_who: old.as_ref().and_then(|o| o.note_who.clone()),
                note_at: old.as_ref().and_then(|o| o.note_at),
            })
        })
    }

    /// Replaces an item's note, durably, together with a `note` audit event (old note → new
    /// note) in one transaction. `text` is stored exactly as given; a blank `text` clears the
    /// note (stored as none; `note_who`/`note_at` then say who cleared it and when). An item
    /// that had no record gets state [`ItemState::Todo`], with the note's author and time as
    /// its `who`/`at`. Writing the note an item already has writes nothing.
    ///
    /// Errors: [`StoreError::Empty`] (item id), [`StoreError::UnknownSession`], database
    /// errors.
    pub fn set_note(
        &mut self,
        session_id: i64,
        item_id: &str,
        text: &str,
        who: &str,
    ) -> Result<ItemRecord, StoreError> {
        non_blank("the item id", item_id)?;
        let note = (!text.trim().is_empty()).then_some(text);
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let old = load_item(tx, db, session_id, item_id)?;
            if let Some(old) = &old
                && old.note.as_deref() == note
            {
                return Ok(old.clone());
            }
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO items (session_id, item_id, state, reason, who, at,
                                    note, note_who, note_at)
                 VALUES (?1, ?2, 'todo', NULL, ?3, ?4, ?5, ?3, ?4)
                 ON CONFLICT (session_id, item_id) DO UPDATE SET
                     note = excluded.note, note_who = excluded.note_who,
                     note_at = excluded.note_at",
                params![session_id, item_id, who, at_s, note],
            )
            .db(db)?;
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "note",
                Some(item_id),
                old.as_ref().and_then(|o| o.note.as_deref()),
                note,
                None,
            )
            .db(db)?;
            let (state, reason, state_who, state_at) = match &old {
                Some(o) => (o.state, o.reason.clone(), o.who.clone(), o.at),
                None => (ItemState::Todo, None, who.to_string(), at),
            };
            Ok(ItemRecord {
                state,
                reason,
                who: state_who,
                at: state_at,
                note: note.map(str::to_string),
                note_who: Some(who.to_string()),
                note_at: Some(at),
            })
        })
    }

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
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let at_s = fmt_ts(now());
            audit::append(
                tx, session_id, &at_s, who, kind, item_id, None, None, detail,
            )
            .db(db)
        })
    }

    /// The session's audit events, oldest first (by id).
    pub fn audit(&self, session_id: i64) -> Result<Vec<AuditEvent>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, session_id, at, who, kind, item_id, old, new, detail, prev_hash, hash
                 FROM audit WHERE session_id = ?1 ORDER BY id",
            )
            .db(db)?;
        let rows = stmt
            .query_map([session_id], |r| {
                Ok((
                    (
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ),
                    (
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, String>(10)?,
                    ),
                ))
            })
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter()
            .map(
                |(
                    (id, session_id, at),
                    (who, kind, item_id, old, new, detail, prev_hash, hash),
                )| {
                    Ok(AuditEvent {
                        id,
                        session_id,
                        at: ts(db, &at)?,
                        who,
                        kind,
                        item_id,
                        old,
                        new,
                        detail,
                        prev_hash,
                        hash,
                    })
                },
            )
            .collect()
    }

    /// Recomputes the audit hash chain and reports the first event that does not verify.
    ///
    /// The chain is per database, so this checks the events of **all** sessions (a session's
    /// events are linked to those of the others); `session_id` does not narrow it. A trail
    /// that cannot be read at all is reported with `id` 0.
    pub fn verify_audit(&self, _session_id: i64) -> Result<(), AuditBreak> {
        audit::verify(&self.conn)
    }

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
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO evidence (session_id, item_id, at, who, source, summary, passed, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    session_id,
                    item_id,
                    at_s,
                    who,
                    evidence.source,
                    evidence.summary,
                    evidence.passed,
                    detail_json
                ],
            )
            .db(db)?;
            let id = tx.last_insert_rowid();
            let detail = serde_json::json!({
                "evidence_id": id,
                "source": evidence.source,
                "passed": evidence.passed,
                "sha256": evidence_sha256(&evidence.source, &evidence.summary, evidence.passed, &detail_json),
            })
            .to_string();
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "evidence-added",
                Some(item_id),
                None,
                Some(&evidence.summary),
                Some(&detail),
            )
            .db(db)?;
            Ok(EvidenceRecord {
                id,
                item_id: item_id.to_string(),
                at,
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
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, item_id, at, who, source, summary, passed, detail FROM evidence
                 WHERE session_id = ?1 AND item_id = ?2 ORDER BY id DESC",
            )
            .db(db)?;
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            Option<bool>,
            String,
        );
        let rows = stmt
            .query_map(params![session_id, item_id], |r| {
                Ok::<Row, _>((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter()
            .map(|(id, item_id, at, who, source, summary, passed, detail)| {
                let detail = serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt {
                    db: db.to_string(),
                    detail: format!("evidence #{id} is not JSON: {e}"),
                })?;
                Ok(EvidenceRecord {
                    id,
                    item_id,
                    at: ts(db, &at)?,
                    who,
                    evidence: Evidence {
                        source,
                        summary,
                        passed,
                        detail,
                    },
                })
            })
            .collect()
    }

    /// Saves where the admin was (screen, stage, cursor...), as the caller's own JSON text,
    /// replacing the previous one. Not audited.
    ///
    /// Errors: [`StoreError::UnknownSession`], database errors.
    pub fn save_ui_state(&mut self, session_id: i64, json: &str) -> Result<(), StoreError> {
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            tx.execute(
                "INSERT INTO ui_state (session_id, json, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (session_id) DO UPDATE SET
                     json = excluded.json, saved_at = excluded.saved_at",
                params![session_id, json, fmt_ts(now())],
            )
            .db(db)?;
            Ok(())
        })
    }

    /// The JSON last given to [`Store::save_ui_state`] for the session, if any.
    pub fn load_ui_state(&self, session_id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT json FROM ui_state WHERE session_id = ?1",
                [session_id],
                |r| r.get(0),
            )
            .optional()
            .db(&self.db)
    }

    /// Records that a background job of `kind` (non-blank) started for an item, with status
    /// `running`, and writes a `job-started` event.
    ///
    /// Errors: [`StoreError::Empty`], [`StoreError::UnknownSession`], database errors.
    pub fn job_started(
        &mut self,
        session_id: i64,
        item_id: &str,
        kind: &str,
        log_path: Option<&str>,
        who: &str,
    ) -> Result<JobRun, StoreError> {
        non_blank("the item id", item_id)?;
        non_blank("the job kind", kind)?;
        self.write(|tx, db| {
            require_session(tx, db, session_id)?;
            let at = now();
            let at_s = fmt_ts(at);
            tx.execute(
                "INSERT INTO job_runs (session_id, item_id, kind, who, started_at, status, log_path)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)",
                params![session_id, item_id, kind, who, at_s, log_path],
            )
            .db(db)?;
            let id = tx.last_insert_rowid();
            let detail =
                serde_json::json!({ "job_id": id, "kind": kind, "log_path": log_path }).to_string();
            audit::append(
                tx,
                session_id,
                &at_s,
                who,
                "job-started",
                Some(item_id),
                None,
                Some("running"),
                Some(&detail),
            )
            .db(db)?;
            Ok(JobRun {
                id,
                session_id,
                item_id: item_id.to_string(),
                kind: kind.to_string(),
                started_at: at,
                finished_at: None,
                status: "running".to_string(),
                summary: None,
                log_path: log_path.map(str::to_string),
            })
        })
    }

    /// Records that a running job finished with `status` (`succeeded`, `failed`,
    /// `cancelled` or `interrupted`) and a one-line `summary`, and writes a `job-finished`
    /// event in the job's session, in the name of whoever started it.
    ///
    /// Errors: [`StoreError::InvalidJobStatus`], [`StoreError::UnknownJob`],
    /// [`StoreError::JobNotRunning`], database errors.
    pub fn job_finished(
        &mut self,
        job_id: i64,
        status: &str,
        summary: &str,
    ) -> Result<JobRun, StoreError> {
        if status == "running" || !JOB_STATUSES.contains(&status) {
            return Err(StoreError::InvalidJobStatus(status.to_string()));
        }
        self.write(|tx, db| {
            let (mut job, who) = load_job(tx, db, job_id)?.ok_or(StoreError::UnknownJob {
                db: db.to_string(),
                id: job_id,
            })?;
            if job.status != "running" {
                return Err(StoreError::JobNotRunning {
                    db: db.to_string(),
                    id: job_id,
                    status: job.status,
                });
            }
            let at = now();
            let at_s = fmt_ts(at);
            finish_job(tx, db, &job, &at_s, status, summary, &who, "job-finished")?;
            job.finished_at = Some(at);
            job.status = status.to_string();
            job.summary = Some(summary.to_string());
            Ok(job)
        })
    }

    /// Everything the migration's state is derived from, read in one go: item records,
    /// evidence (newest first per item), the audit events, the job runs and the window marks.
    ///
    /// Errors: database errors.
    pub fn facts(&self, session_id: i64) -> Result<SessionFacts, StoreError> {
        let mut facts = SessionFacts {
            session_id,
            records: self.item_records(session_id)?,
            events: self.audit(session_id)?,
            runs: self.job_runs(session_id)?,
            window_steps: self.window_steps(session_id)?,
            ..SessionFacts::default()
        };
        for e in self.all_evidence(session_id)? {
            facts.push_evidence(e);
        }
        Ok(facts)
    }

    /// The session's job runs, newest first.
    pub fn job_runs(&self, session_id: i64) -> Result<Vec<JobRun>, StoreError> {
        let db = self.db.as_str();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {JOB_COLS} FROM job_runs WHERE session_id = ?1 ORDER BY id DESC"
            ))
            .db(db)?;
        let rows = stmt
            .query_map([session_id], job_row)
            .db(db)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db(db)?;
        rows.into_iter()
            .map(|r| job_from(db, r).map(|(j, _)| j))
            .collect()
    }

    /// At start-up: every job of the session still `running` (left so by a crash or a kill)
    /// becomes `interrupted`, with a summary saying so and a `job-interrupted` event written
    /// by `pchat-migrate`. Returns how many there were. Call it before starting new jobs.
    pub fn mark_interrupted_jobs(&mut self, session_id: i64) -> Result<usize, StoreError> {
        self.write(|tx, db| {
            let ids: Vec<i64> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT id FROM job_runs WHERE session_id = ?1 AND status = 'running'
                         ORDER BY id",
                    )
                    .db(db)?;
                stmt.query_map([session_id], |r| r.get(0))
                    .db(db)?
                    .collect::<rusqlite::Result<_>>()
                    .db(db)?
            };
            let at_s = fmt_ts(now());
            for id in &ids {
                if let Some((job, _)) = load_job(tx, db, *id)? {
                    finish_job(
                        tx,
                        db,
                        &job,
                        &at_s,
                        "interrupted",
                        INTERRUPTED_SUMMARY,
                        SYSTEM_WHO,
                        "job-interrupted",
                    )?;
                }
            }
            Ok(ids.len())
        })
    }
}

/// Sets a running job's final status and writes its audit event.
#[allow(clippy::too_many_arguments)]
fn finish_job(
    tx: &Transaction<'_>,
    db: &str,
    job: &JobRun,
    at_s: &str,
    status: &str,
    summary: &str,
    who: &str,
    kind: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE job_runs SET finished_at = ?1, status = ?2, summary = ?3 WHERE id = ?4",
        params![at_s, status, summary, job.id],
    )
    .db(db)?;
    audit::append(
        tx,
        job.session_id,
        at_s,
        who,
        kind,
        Some(&job.item_id),
        Some("running"),
        Some(status),
        Some(summary),
    )
    .db(db)?;
    Ok(())
}
