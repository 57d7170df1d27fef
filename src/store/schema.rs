//! The database schema, its version (`PRAGMA user_version`) and forward migrations.
//!
//! `MIGRATIONS[i]` takes a database from version `i` to version `i + 1`; [`migrate`] applies
//! the missing ones in one immediate transaction and then sets `user_version`. A database
//! whose `user_version` is greater than [`SCHEMA_VERSION`] was written by a newer
//! pchat-migrate and is refused, never modified. Migrations are append-only: once released,
//! an entry is never edited; a change is a new entry.
//!
//! The triggers that keep the audit trail and the evidence append-only ([`TRIGGERS`]) are
//! (re)created on every open, so a trigger dropped by hand is put back the next time the
//! wizard opens the file. (The hash chain is what detects edits made while it was gone.)

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = 2;

/// `PRAGMA application_id` of a pchat-migrate session database ("PCMG").
pub const APPLICATION_ID: i64 = 0x5043_4D47;

/// Forward migrations; index `i` goes from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first schema.
    r#"
    CREATE TABLE sessions (
        id             INTEGER PRIMARY KEY,
        name           TEXT    NOT NULL UNIQUE,
        deployment     TEXT    NOT NULL CHECK (deployment IN ('lab', 'production')),
        profile        TEXT,
        created_at     TEXT    NOT NULL,
        created_by     TEXT    NOT NULL,
        last_opened_at TEXT    NOT NULL,
        open_seq       INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE items (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        item_id    TEXT    NOT NULL,
        state      TEXT    NOT NULL
                   CHECK (state IN ('todo', 'done', 'skipped', 'blocked', 'failed')),
        reason     TEXT,
        who        TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        note       TEXT,
        note_who   TEXT,
        note_at    TEXT,
        PRIMARY KEY (session_id, item_id)
    ) STRICT;

    CREATE TABLE audit (
        id         INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        at         TEXT    NOT NULL,
        who        TEXT    NOT NULL,
        kind       TEXT    NOT NULL,
        item_id    TEXT,
        old        TEXT,
        new        TEXT,
        detail     TEXT,
        prev_hash  TEXT    NOT NULL,
        hash       TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_session ON audit(session_id, id);

    CREATE TABLE evidence (
        id         INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        item_id    TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        who        TEXT    NOT NULL,
        source     TEXT    NOT NULL,
        summary    TEXT    NOT NULL,
        passed     INTEGER CHECK (passed IN (0, 1)),
        detail     TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX evidence_by_item ON evidence(session_id, item_id, id);

    CREATE TABLE ui_state (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        json       TEXT    NOT NULL,
        saved_at   TEXT    NOT NULL
    ) STRICT;

    CREATE TABLE job_runs (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES sessions(id),
        item_id     TEXT    NOT NULL,
        kind        TEXT    NOT NULL,
        who         TEXT    NOT NULL,
        started_at  TEXT    NOT NULL,
        finished_at TEXT,
        status      TEXT    NOT NULL
                    CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
        summary     TEXT,
        log_path    TEXT
    ) STRICT;
    CREATE INDEX job_runs_by_session ON job_runs(session_id, id);
    "#,
    // 1 -> 2: the pilot (users and per-case results), the downtime plan, and the actual
    // start and finish of each step of the downtime window.
    r#"
    CREATE TABLE pilot_users (
        session_id    INTEGER NOT NULL REFERENCES sessions(id),
        seq           INTEGER NOT NULL,
        sip           TEXT    NOT NULL,
        display_name  TEXT    NOT NULL,
        client        TEXT    NOT NULL,
        pool          TEXT,
        pchat_policy  INTEGER CHECK (pchat_policy IN (0, 1)),
        homed_on_2013 INTEGER CHECK (homed_on_2013 IN (0, 1)),
        source        TEXT    NOT NULL,
        added_at      TEXT    NOT NULL,
        added_by      TEXT    NOT NULL,
        PRIMARY KEY (session_id, sip)
    ) STRICT;

    CREATE TABLE pilot_results (
        session_id INTEGER NOT NULL,
        sip        TEXT    NOT NULL,
        case_id    TEXT    NOT NULL,
        result     TEXT    NOT NULL CHECK (result IN ('pass', 'fail', 'na', 'todo')),
        note       TEXT,
        who        TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        PRIMARY KEY (session_id, sip, case_id),
        FOREIGN KEY (session_id, sip) REFERENCES pilot_users(session_id, sip)
    ) STRICT;

    CREATE TABLE plans (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        json       TEXT    NOT NULL,
        saved_at   TEXT    NOT NULL,
        saved_by   TEXT    NOT NULL
    ) STRICT;

    CREATE TABLE window_steps (
        session_id  INTEGER NOT NULL REFERENCES sessions(id),
        step        TEXT    NOT NULL,
        started_at  TEXT    NOT NULL,
        started_by  TEXT    NOT NULL,
        finished_at TEXT,
        finished_by TEXT,
        PRIMARY KEY (session_id, step)
    ) STRICT;
    "#,
];

/// Triggers refusing UPDATE and DELETE on the append-only tables; run on every open.
pub const TRIGGERS: &str = r#"
    -- Look-ups of the pilot by SIP URI (any case) and by order: without them every added
    -- user scanned the whole table (quadratic imports). Indexes, so no schema version.
    CREATE INDEX IF NOT EXISTS pilot_users_sip_nocase
        ON pilot_users (session_id, sip COLLATE NOCASE);
    CREATE INDEX IF NOT EXISTS pilot_users_seq ON pilot_users (session_id, seq);
    CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END;
    CREATE TRIGGER IF NOT EXISTS evidence_no_update BEFORE UPDATE ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence is append-only: UPDATE refused'); END;
    CREATE TRIGGER IF NOT EXISTS evidence_no_delete BEFORE DELETE ON evidence
    BEGIN SELECT RAISE(ABORT, 'evidence is append-only: DELETE refused'); END;
"#;

/// What [`migrate`] found that stops it.
#[derive(Debug)]
pub enum MigrateError {
    /// `user_version` is newer than this build.
    TooNew(i64),
    /// The file is some other SQLite database.
    NotOurs,
    /// SQLite failed.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

/// Reads the file's version and identity without writing anything, and refuses files
/// that are not pchat-migrate databases or are newer than this build. Returns the version.
pub fn inspect(conn: &Connection) -> Result<i64, MigrateError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(MigrateError::NotOurs);
    }
    if version == 0 {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(MigrateError::NotOurs);
        }
    } else if app_id != APPLICATION_ID || version < 0 {
        return Err(MigrateError::NotOurs);
    }
    if version > SCHEMA_VERSION {
        return Err(MigrateError::TooNew(version));
    }
    Ok(version)
}

/// Brings the database to [`SCHEMA_VERSION`] and (re)creates the triggers, all in one
/// immediate transaction (after checking it again with [`inspect`]). Returns the version
/// found before migrating.
pub fn migrate(conn: &mut Connection) -> Result<i64, MigrateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version = inspect(&tx)?;
    for sql in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql)?;
    }
    if version < SCHEMA_VERSION {
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.execute_batch(TRIGGERS)?;
    tx.commit()?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_migration_per_version() {
        assert_eq!(MIGRATIONS.len() as i64, SCHEMA_VERSION);
    }

    /// A version-1 file (as the previous release wrote it) migrates forward to the current
    /// version, keeping its rows, and gains the version-2 tables.
    #[test]
    fn store_v1_file_migrates_to_v2() {
        let mut conn = Connection::open_in_memory().unwrap();
        {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(MIGRATIONS[0]).unwrap();
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            tx.pragma_update(None, "user_version", 1).unwrap();
            tx.execute(
                "INSERT INTO sessions (name, deployment, created_at, created_by, last_opened_at,
                                       open_seq)
                 VALUES ('old', 'lab', '2024-01-01T00:00:00.000Z', 'x',
                         '2024-01-01T00:00:00.000Z', 1)",
                [],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(migrate(&mut conn).unwrap(), 1);
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        for t in ["pilot_users", "pilot_results", "plans", "window_steps"] {
            let found: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, 1, "{t}");
        }
        // Migrating again changes nothing.
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
    }
}
