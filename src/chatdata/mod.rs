//! The data plane of the lab: native stand-ins for `Export-CsPersistentChatData`,
//! `Import-CsPersistentChatData` and the resource kit's ChatUpgradeVerifier, working on the
//! lab's SQLite databases (see [`crate::lab`]).
//!
//! * [`export()`]: legacy Group Chat database → export package (zip, [`package`] documents
//!   the layout), honouring `-Level`, `-Scope`, `-StartDate` and `-DisableExportedNodes`,
//!   streaming (memory does not grow with the data);
//! * [`inspect()`]: what a package (ours or a real one) holds and the pre-flight warnings of
//!   migration.md Stages 3 and 6 ([`preflight`]) — the `-WhatIf` view, with a digest the
//!   wizard records with the admin's acknowledgement;
//! * [`import()`]: export package → 2013 `mgc` database, applying the documented conversions
//!   of schemas.md §3 in one place ([`convert`]); the package is read once into a stage
//!   ([`stage`]) and published in checkpointed batches, so the import is resumable after a
//!   kill and idempotent; `what_if` reads and checks everything and writes nothing;
//! * [`verify()`]: derives the expected 2013 state from the legacy database through the same
//!   [`convert`] and compares it with `mgc`, read-only on both.
//!
//! All of them report progress and poll for cancellation through
//! [`crate::progress::Reporter`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub mod convert;
pub mod digest;
pub(crate) mod direct_sql;
pub mod export;
pub mod import;
pub mod inspect;
pub mod legacy;
pub mod mgc;
pub mod mirror;
pub mod model;
pub mod package;
pub mod precheck;
pub mod preflight;
pub mod schema;
pub mod stage;
pub mod ticks;
pub mod verify;

pub use export::{ExportLevel, ExportOptions, ExportSummary, export};
pub use import::{ImportOptions, ImportSummary, ImportWarning, import};
pub use inspect::{Inspection, inspect};
pub use precheck::{Precheck, precheck};
pub use preflight::PreflightWarning;
pub use verify::{Difference, VerifyOptions, VerifyReport, verify};

/// Rows between two progress samples and cancellation checks.
pub const BATCH_ROWS: u64 = 5_000;

/// Errors of export, import and verify. Each message names the file, zip entry or room
/// concerned and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ChatDataError {
    /// A SQLite error on a database file.
    #[error(
        "{path}: cannot {action}: {source}\n  check that the file is the right database and is not in use \
         (lab: `pchat-migrate lab init --force` rebuilds both databases)"
    )]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What was being done ("read tblNode", "insert messages into room X", …).
        action: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A database lacks something the schema requires.
    #[error("{path}: {message}")]
    Schema {
        /// The database file.
        path: PathBuf,
        /// What is missing and what to do.
        message: String,
    },
    /// A file-system error.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What was being done.
        action: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The package is not a readable zip, or one of its entries is hostile or malformed.
    #[error("package {path}, entry {entry}: {message}")]
    Package {
        /// The package file.
        path: PathBuf,
        /// The zip entry ("(archive)" for the archive as a whole).
        entry: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// An option is not usable (unknown `-Scope` category, …).
    #[error("{0}")]
    Options(String),
    /// The operator cancelled the job; [`Cancellation::left`] says what the target holds.
    #[error("cancelled by the operator during {}", .0.phase)]
    Cancelled(Cancellation),
}

/// Where a job was when the operator cancelled it, and what it left behind. The wording the
/// admin reads is made from this by `migration::cancel::statement`, one place for every job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// The phase the job was in (`read package`, `messages`, `export messages`, …).
    pub phase: String,
    /// What the job's target holds now because of this run or an unfinished earlier one.
    pub left: Left,
}

impl Cancellation {
    /// A cancellation that left nothing behind.
    pub fn nothing(phase: &str) -> Cancellation {
        Cancellation {
            phase: phase.into(),
            left: Left::Nothing,
        }
    }
}

/// What a cancelled job left in its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "left", rename_all = "kebab-case")]
pub enum Left {
    /// Nothing was written (read-only jobs, the `-WhatIf` preview, the import before its first
    /// write, an export whose temporary package was removed: an earlier package is unchanged).
    Nothing,
    /// The `mgc` database holds a partial import of this package: the directory
    /// (categories, rooms, principals, roles) and `messages` of `total` messages, at a
    /// checkpoint; `this_run` of those were written by the cancelled run. Running the import
    /// again resumes after the checkpoint; restoring the `mgc` backup rolls it back.
    PartialImport {
        /// Categories written with the directory.
        categories: u64,
        /// Rooms written with the directory.
        rooms: u64,
        /// Principals written with the directory.
        principals: u64,
        /// Messages committed so far (all runs).
        messages: u64,
        /// Messages the import will write in all.
        total: u64,
        /// Messages committed by the cancelled run.
        this_run: u64,
    },
    /// Not known here: a production cmdlet was stopped and may have written part of its work
    /// (a remote cmdlet may even go on until WinRM drops the session).
    Unknown,
}

impl ChatDataError {
    // The two error makers below borrow their path and keep the action as given until an
    // error happens: they sit on per-message paths (the stage writer, the import), where
    // copying the path and the action for every call cost four allocations per message.
    pub(crate) fn sqlite(
        path: &std::path::Path,
        action: impl Into<String>,
    ) -> impl FnOnce(rusqlite::Error) -> ChatDataError {
        move |source| ChatDataError::Sqlite {
            path: path.to_path_buf(),
            action: action.into(),
            source,
        }
    }

    pub(crate) fn io(
        path: &std::path::Path,
        action: impl Into<String>,
    ) -> impl FnOnce(std::io::Error) -> ChatDataError {
        move |source| ChatDataError::Io {
            path: path.to_path_buf(),
            action: action.into(),
            source,
        }
    }
}
