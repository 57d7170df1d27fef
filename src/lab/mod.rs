//! The lab deployment's data: a legacy Lync Server 2010 Group Chat database and a Lync Server
//! 2013 Persistent Chat `mgc` database as SQLite files laid out to the documented schemas
//! ([`schema`]), with a deterministic generator of realistic legacy content ([`generate`]).
//!
//! Layout of a lab directory ([`LabPaths::in_dir`]):
//!
//! ```text
//! <dir>/legacy-groupchat.db   the legacy Group Chat database (source of the migration)
//! <dir>/mgc.db                the 2013 Persistent Chat content database (target), empty
//! <dir>/exports/              where export packages go
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::progress::Reporter;

pub mod endpoints;
pub mod executor;
pub mod generate;
pub mod init_args;
/// The lab databases' DDL; it lives in the data plane, which reads and writes them.
pub use crate::chatdata::schema;

pub use executor::LabExecutor;
pub use generate::GenerateSummary;

/// The lab directory's layout lives with the other paths (the jobs' environment needs it
/// below the lab).
pub use crate::paths::{EXPORT_DIR, LEGACY_DB_FILE, LabPaths, MGC_DB_FILE};

/// Errors building or resetting the lab.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The lab databases exist and `force` was not given.
    #[error(
        "a lab already exists in {dir}: keep it, or rebuild it with --force (this deletes both lab databases)"
    )]
    Exists {
        /// The lab directory.
        dir: PathBuf,
    },
    /// A file-system error.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A SQLite error.
    #[error("{path}: cannot {action}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        action: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The operator cancelled; the partial files were removed.
    #[error("lab generation cancelled; nothing was left behind")]
    Cancelled,
}

/// The size and seed of a generated lab.
///
/// Every lab has the shapes that make migrations go wrong: skewed room sizes (a few rooms
/// hold most messages), categories nested [`LabSpec::max_depth`] deep, managers on the root
/// category, a room whose invitation setting conflicts with its category, federated users and
/// a federated group, disabled rooms, add-ins, file posts (`ma-filelink:`), multilingual
/// content (Italian, Spanish, Korean, emoji), alerts, `[STORY]` posts, control characters,
/// and long pastes up to 64 KiB (about one message in 5 000; the first is exactly 64 KiB).
/// [`LabSpec::long_names`] adds rooms whose names pass 256 characters once flattened (the
/// import refuses them until they are shortened).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LabSpec {
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// Regular users (ptype 5); the first three are `pilot01`, `pilot02`, `legacy01`, as in the
    /// lab profile.
    pub users: u32,
    /// AD groups (ptype 9).
    pub groups: u32,
    /// Categories directly under the root.
    pub top_categories: u32,
    /// Deepest category level (1 = no sub-categories); the lab uses 3.
    pub max_depth: u32,
    /// Rooms.
    pub rooms: u32,
    /// Messages in total.
    pub messages: u64,
    /// Rooms (part of `rooms`) placed in the deepest category with names that pass the 2013
    /// limit of 256 characters once prefixed with the flattened category name. 0 keeps the
    /// lab importable end to end without errors.
    pub long_names: u32,
}

/// The named sizes of `lab init --size`.
pub const SIZES: [&str; 3] = ["small", "medium", "large"];

impl LabSpec {
    /// About 20 000 messages in 60 rooms: seconds to build, even in a debug build.
    pub fn small() -> LabSpec {
        LabSpec {
            seed: 2010,
            users: 240,
            groups: 16,
            top_categories: 5,
            max_depth: 3,
            rooms: 60,
            messages: 20_000,
            long_names: 1,
        }
    }

    /// About 1 million messages in 400 rooms.
    pub fn medium() -> LabSpec {
        LabSpec {
            users: 2_000,
            groups: 60,
            top_categories: 8,
            rooms: 400,
            messages: 1_000_000,
            ..LabSpec::small()
        }
    }

    /// About 10 million messages in 2 000 rooms (a few GB of SQLite).
    pub fn large() -> LabSpec {
        LabSpec {
            users: 20_000,
            groups: 200,
            top_categories: 10,
            rooms: 2_000,
            messages: 10_000_000,
            ..LabSpec::small()
        }
    }

    /// A named size (`small`, `medium`, `large`; case-insensitive).
    pub fn preset(name: &str) -> Option<LabSpec> {
        match name.trim().to_ascii_lowercase().as_str() {
            "small" => Some(Self::small()),
            "medium" => Some(Self::medium()),
            "large" => Some(Self::large()),
            _ => None,
        }
    }
}

/// The rehearsal lab built on first start: [`LabSpec::small`] without over-long names, so
/// that the whole checklist (export, `-WhatIf`, import, verify) can be completed in the lab
/// without editing the legacy data. `lab init --size small` builds the full small lab.
impl Default for LabSpec {
    fn default() -> Self {
        LabSpec {
            long_names: 0,
            ..Self::small()
        }
    }
}

fn io(path: &Path, action: &str) -> impl FnOnce(std::io::Error) -> LabError {
    let path = path.to_path_buf();
    let action = action.to_string();
    move |source| LabError::Io {
        path,
        action,
        source,
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

fn remove_if_exists(path: &Path) -> Result<(), LabError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, "remove")(e)),
    }
}

/// Builds a lab in `dir`: generates the legacy database per `spec`, creates an empty `mgc`
/// and the `exports/` folder. Refuses to overwrite an existing lab unless `force`. Both
/// databases are built under temporary names and renamed at the end, so a failed or
/// cancelled run leaves no half-built database.
///
/// # Errors
/// [`LabError::Exists`] without `force`; I/O and SQLite errors naming the file;
/// [`LabError::Cancelled`].
pub fn init(
    dir: &Path,
    spec: &LabSpec,
    force: bool,
    r: &dyn Reporter,
) -> Result<LabPaths, LabError> {
    let started = Instant::now();
    let paths = LabPaths::in_dir(dir);
    if !force && (paths.legacy_db.exists() || paths.mgc_db.exists()) {
        return Err(LabError::Exists {
            dir: dir.to_path_buf(),
        });
    }
    std::fs::create_dir_all(&paths.export_dir)
        .map_err(io(&paths.export_dir, "create the folder"))?;
    let legacy_tmp = tmp_path(&paths.legacy_db);
    let mgc_tmp = tmp_path(&paths.mgc_db);
    remove_if_exists(&legacy_tmp)?;
    remove_if_exists(&mgc_tmp)?;
    let built =
        generate::generate_legacy(&legacy_tmp, spec, r).and_then(|_| create_empty_mgc(&mgc_tmp));
    if let Err(e) = built {
        let _ = std::fs::remove_file(&legacy_tmp);
        let _ = std::fs::remove_file(&mgc_tmp);
        return Err(e);
    }
    // a stale journal of a replaced database would be applied to the new one: remove it
    remove_sidecars(&paths.legacy_db)?;
    remove_sidecars(&paths.mgc_db)?;
    std::fs::rename(&legacy_tmp, &paths.legacy_db)
        .map_err(io(&paths.legacy_db, "move the new database into place"))?;
    std::fs::rename(&mgc_tmp, &paths.mgc_db)
        .map_err(io(&paths.mgc_db, "move the new database into place"))?;
    r.log(format!(
        "lab: built {} and {} in {} ms",
        paths.legacy_db.display(),
        paths.mgc_db.display(),
        started.elapsed().as_millis()
    ));
    Ok(paths)
}

/// Removes SQLite's `-journal`, `-wal` and `-shm` files of `db`.
fn remove_sidecars(db: &Path) -> Result<(), LabError> {
    for suffix in ["-journal", "-wal", "-shm"] {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        remove_if_exists(Path::new(&s))?;
    }
    Ok(())
}

fn create_empty_mgc(path: &Path) -> Result<(), LabError> {
    let sql = |action: &str| {
        let path = path.to_path_buf();
        let action = action.to_string();
        move |source| LabError::Sqlite {
            path,
            action,
            source,
        }
    };
    let conn = rusqlite::Connection::open(path).map_err(sql("create the mgc database"))?;
    // 16 KiB pages: the import appends to tblChat and its primary key, and larger pages mean
    // fewer splits and cells moved (1 M messages: 0.58 s against 0.60 s with 8 KiB)
    conn.execute_batch("PRAGMA page_size=16384;")
        .map_err(sql("set up the mgc database"))?;
    conn.execute_batch("BEGIN").map_err(sql("begin"))?;
    schema::create_mgc(&conn).map_err(sql("create the mgc tables"))?;
    conn.execute_batch("COMMIT").map_err(sql("commit"))?;
    Ok(())
}

/// Replaces the lab's `mgc` with an empty one (seed rows only), e.g. to rehearse the import
/// again. The legacy database is not touched.
///
/// # Errors
/// I/O and SQLite errors naming the file.
pub fn reset_target(paths: &LabPaths) -> Result<(), LabError> {
    let tmp = tmp_path(&paths.mgc_db);
    remove_if_exists(&tmp)?;
    if let Err(e) = create_empty_mgc(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    remove_sidecars(&paths.mgc_db)?;
    std::fs::rename(&tmp, &paths.mgc_db)
        .map_err(io(&paths.mgc_db, "move the empty database into place"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NullReporter;
    use rusqlite::Connection;

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn small_lab_has_the_shapes_the_migration_needs() {
        let dir = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let paths = init(
            dir.path(),
            &LabSpec::small(),
            false,
            &NullReporter::default(),
        )
        .unwrap();
        eprintln!("small lab built in {} ms", t.elapsed().as_millis());
        assert!(paths.exists());
        assert!(paths.export_dir.is_dir());
        let c = Connection::open(&paths.legacy_db).unwrap();
        assert_eq!(count(&c, "SELECT COUNT(*) FROM tblChat"), 20_000);
        // tblLastChatId consistent with tblChat
        assert_eq!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblLastChatId l WHERE l.lastChatId <> \
                 (SELECT COUNT(*) FROM tblChat c WHERE c.channelID = l.nodeID) \
                 OR l.lastChatId <> (SELECT IFNULL(MAX(chatID),0) FROM tblChat c WHERE c.channelID = l.nodeID)"
            ),
            0
        );
        // nested categories three deep below the root
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode a JOIN tblNode b ON a.parentID=b.nodeID JOIN tblNode c ON b.parentID=c.nodeID \
                 WHERE a.nodeType=1 AND c.nodeType=1 AND c.nodeID<>1 AND c.parentID=1"
            ) > 0
        );
        for t in [4, 5, 7, 9, 10, 11] {
            assert!(
                count(
                    &c,
                    &format!("SELECT COUNT(*) FROM tblPrincipal WHERE prinTypeID={t}")
                ) > 0,
                "type {t}"
            );
        }
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode WHERE nodeType=0 AND behavior=5"
            ) > 0
        );
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode WHERE nodeType=0 AND visibility=2"
            ) > 0
        );
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode WHERE nodeType=0 AND disabled=1"
            ) > 0
        );
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode WHERE nodeType=0 AND siopID IS NOT NULL"
            ) > 0
        );
        assert!(count(&c, "SELECT COUNT(*) FROM tblChat WHERE isAlert=1") > 0);
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblChat WHERE content LIKE 'ma-filelink:%'"
            ) > 0
        );
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblPrincipalRole r JOIN tblRoleType t ON r.prinRoleTypeID=t.rtypeID WHERE r.prinRoleNodeID=1 AND t.rtypeDesc='Manager'"
            ) > 0
        );
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblPrincipalRole r JOIN tblRoleType t ON r.prinRoleTypeID=t.rtypeID WHERE t.rtypeDesc='Voiced'"
            ) > 0
        );
        // a few rooms hold most messages
        let top: i64 = count(
            &c,
            "SELECT SUM(n) FROM (SELECT COUNT(*) n FROM tblChat GROUP BY channelID ORDER BY n DESC LIMIT 6)",
        );
        assert!(top > 10_000, "top rooms hold {top}");
        // a room asks for invitations in a category that has them off
        assert!(
            count(
                &c,
                "SELECT COUNT(*) FROM tblNode r JOIN tblNode p ON r.parentID=p.nodeID WHERE r.nodeType=0 AND r.invite=1 AND p.invite=0"
            ) > 0
        );
        // exists without force is refused
        let err = init(
            dir.path(),
            &LabSpec::small(),
            false,
            &NullReporter::default(),
        )
        .unwrap_err();
        assert!(matches!(err, LabError::Exists { .. }), "{err}");
        // with force it is rebuilt
        let spec = LabSpec {
            messages: 100,
            ..LabSpec::small()
        };
        init(dir.path(), &spec, true, &NullReporter::default()).unwrap();
        let c = Connection::open(&paths.legacy_db).unwrap();
        assert_eq!(count(&c, "SELECT COUNT(*) FROM tblChat"), 100);
    }

    #[test]
    fn generation_is_deterministic_per_seed() {
        let spec = LabSpec {
            messages: 2_000,
            rooms: 12,
            users: 40,
            ..LabSpec::small()
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let pa = init(a.path(), &spec, false, &NullReporter::default()).unwrap();
        let pb = init(b.path(), &spec, false, &NullReporter::default()).unwrap();
        let dump = |p: &Path| {
            let c = Connection::open(p).unwrap();
            let mut s = String::new();
            for t in [
                "tblNode",
                "tblPrincipal",
                "tblChat",
                "tblPrincipalRole",
                "tblScopePrincipal",
            ] {
                let mut st = c
                    .prepare(&format!("SELECT * FROM {t} ORDER BY 1,2,3"))
                    .unwrap();
                let n = st.column_count();
                let mut rows = st.query([]).unwrap();
                while let Some(r) = rows.next().unwrap() {
                    for i in 0..n {
                        s.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
                    }
                    s.push('\n');
                }
            }
            s
        };
        assert_eq!(dump(&pa.legacy_db), dump(&pb.legacy_db));
        let other = tempfile::tempdir().unwrap();
        let pc = init(
            other.path(),
            &LabSpec { seed: 99, ..spec },
            false,
            &NullReporter::default(),
        )
        .unwrap();
        assert_ne!(dump(&pa.legacy_db), dump(&pc.legacy_db));
    }

    #[test]
    fn cancelled_init_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let r = NullReporter::default();
        r.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        let err = init(dir.path(), &LabSpec::small(), false, &r).unwrap_err();
        assert!(matches!(err, LabError::Cancelled));
        let paths = LabPaths::in_dir(dir.path());
        assert!(!paths.legacy_db.exists() && !paths.mgc_db.exists());
        assert!(!tmp_path(&paths.legacy_db).exists());
    }

    #[test]
    fn reset_target_recreates_an_empty_mgc() {
        let dir = tempfile::tempdir().unwrap();
        let spec = LabSpec {
            messages: 100,
            rooms: 3,
            ..LabSpec::small()
        };
        let paths = init(dir.path(), &spec, false, &NullReporter::default()).unwrap();
        {
            let c = Connection::open(&paths.mgc_db).unwrap();
            c.execute("INSERT INTO tblChat VALUES (5,1,1,1,0,'x',NULL)", [])
                .unwrap();
        }
        reset_target(&paths).unwrap();
        let c = Connection::open(&paths.mgc_db).unwrap();
        assert_eq!(count(&c, "SELECT COUNT(*) FROM tblChat"), 0);
        assert_eq!(count(&c, "SELECT COUNT(*) FROM tblNode"), 1);
    }
}
