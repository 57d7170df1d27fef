//! Why a store operation failed, and how SQLite's errors become [`StoreError`]s that name
//! the file and say what to do.

use std::path::PathBuf;

use rusqlite::ErrorCode;

use super::model::ItemState;
use super::schema::{self, SCHEMA_VERSION};

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

pub(super) fn sql_err(db: &str, e: rusqlite::Error) -> StoreError {
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
pub(super) fn open_err(db: &str, e: rusqlite::Error) -> StoreError {
    match sql_err(db, e) {
        StoreError::Sqlite { db, source } => StoreError::CannotOpen { db, source },
        other => other,
    }
}

/// A schema check or migration failure, naming the file.
pub(super) fn migrate_err(db: &str, e: schema::MigrateError) -> StoreError {
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
pub(super) trait SqlExt<T> {
    fn db(self, db: &str) -> Result<T, StoreError>;
}

impl<T> SqlExt<T> for rusqlite::Result<T> {
    fn db(self, db: &str) -> Result<T, StoreError> {
        self.map_err(|e| sql_err(db, e))
    }
}
