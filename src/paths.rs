//! Where pchat-migrate keeps its state, logs, crash reports and the lab deployment.
//!
//! The data directory is, in order: `--data-dir`, the `PCHAT_MIGRATE_DATA_DIR` environment
//! variable, or the platform's local data directory from the `directories` crate
//! (Linux `~/.local/share/pchat-migrate`, macOS `~/Library/Application Support/org.pchat-migrate.pchat-migrate`,
//! Windows `%LOCALAPPDATA%\pchat-migrate\pchat-migrate\data`).

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "PCHAT_MIGRATE_DATA_DIR";

/// Resolved locations. All live under one data directory so that one folder holds a whole
/// migration (copy it to move the session to another management server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The data directory itself.
    pub data_dir: PathBuf,
    /// The session database (SQLite): item states, notes, audit trail, evidence, job runs.
    pub state_db: PathBuf,
    /// Log files and crash reports.
    pub logs_dir: PathBuf,
    /// Job logs, one file per job run.
    pub job_logs_dir: PathBuf,
    /// The lab deployment: legacy and `mgc` SQLite databases and export packages.
    pub lab_dir: PathBuf,
    /// Optional configuration file (operator name, theme, mouse).
    pub config_file: PathBuf,
}

impl Paths {
    /// Resolves the data directory from an explicit override (the `--data-dir` flag, which
    /// clap also fills from [`DATA_DIR_ENV`]) or the platform default.
    ///
    /// # Errors
    /// When no home directory can be found and no override was given.
    pub fn resolve(override_dir: Option<&Path>) -> Result<Paths, String> {
        let data_dir = match override_dir {
            Some(d) => d.to_path_buf(),
            None => directories::ProjectDirs::from("org", "pchat-migrate", "pchat-migrate")
                .map(|p| p.data_local_dir().to_path_buf())
                .ok_or_else(|| {
                    format!("no home directory found: pass --data-dir or set {DATA_DIR_ENV}")
                })?,
        };
        Ok(Self::in_dir(&data_dir))
    }

    /// The layout under a given data directory.
    pub fn in_dir(data_dir: &Path) -> Paths {
        Paths {
            data_dir: data_dir.to_path_buf(),
            state_db: data_dir.join("sessions.db"),
            logs_dir: data_dir.join("logs"),
            job_logs_dir: data_dir.join("logs").join("jobs"),
            lab_dir: data_dir.join("lab"),
            config_file: data_dir.join("config.toml"),
        }
    }

    /// Creates the directories.
    ///
    /// # Errors
    /// The I/O error, with the directory that could not be created.
    pub fn create(&self) -> Result<(), String> {
        for d in [
            &self.data_dir,
            &self.logs_dir,
            &self.job_logs_dir,
            &self.lab_dir,
        ] {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        Ok(())
    }
}

/// File name of the legacy database in a lab directory.
pub const LEGACY_DB_FILE: &str = "legacy-groupchat.db";
/// File name of the `mgc` database in a lab directory.
pub const MGC_DB_FILE: &str = "mgc.db";
/// Folder of export packages in a lab directory.
pub const EXPORT_DIR: &str = "exports";

/// The files of a lab directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabPaths {
    /// `<dir>/legacy-groupchat.db`.
    pub legacy_db: PathBuf,
    /// `<dir>/mgc.db`.
    pub mgc_db: PathBuf,
    /// `<dir>/exports/`.
    pub export_dir: PathBuf,
}

impl LabPaths {
    /// The paths inside `dir` (nothing is created).
    pub fn in_dir(dir: &Path) -> LabPaths {
        LabPaths {
            legacy_db: dir.join(LEGACY_DB_FILE),
            mgc_db: dir.join(MGC_DB_FILE),
            export_dir: dir.join(EXPORT_DIR),
        }
    }

    /// True when both databases exist.
    pub fn exists(&self) -> bool {
        self.legacy_db.is_file() && self.mgc_db.is_file()
    }
}
