//! What every command needs, resolved once from flags, environment and files: the data
//! directory, the config, the operator, the profile and its executor settings, the runbook;
//! and how a command finds or opens its session.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::deployment::{DeploymentKind, Profile, ProfileError};
use crate::exec::{self, ExecutorConfig};
use crate::jobs::JobEnv;
use crate::paths::Paths;
use crate::runbook::Runbook;
use crate::store::{Session, Store};

/// Everything a command needs, resolved from flags, environment and files.
pub(super) struct Context {
    pub(super) paths: Paths,
    pub(super) config: Config,
    pub(super) operator: String,
    pub(super) profile: Profile,
    pub(super) profile_path: Option<PathBuf>,
    pub(super) executor: ExecutorConfig,
    pub(super) runbook: Arc<Runbook>,
}

impl Context {
    /// The runbook's placeholder values: the profile's, and each task's command lines as its
    /// job script renders them (`exec::runbook_placeholders`).
    pub(super) fn runbook_placeholders(&self) -> crate::runbook::Placeholders {
        exec::runbook_placeholders(&self.profile, &self.work_dir(), &self.executor)
    }

    pub(super) fn work_dir(&self) -> String {
        match self.profile.kind {
            DeploymentKind::Lab => self.paths.lab_dir.join("exports").display().to_string(),
            DeploymentKind::Production => self.profile.migration.work_dir.clone(),
        }
    }

    pub(super) fn job_env(&self) -> Result<JobEnv, String> {
        match self.profile.kind {
            DeploymentKind::Lab => Ok(JobEnv::lab(self.profile.clone(), &self.paths.lab_dir)),
            DeploymentKind::Production => Ok(JobEnv::production(
                self.profile.clone(),
                self.executor.clone(),
                &self.paths.data_dir,
            )),
        }
    }

    pub(super) fn open_store(&self) -> Result<Store, String> {
        Store::open(&self.paths.state_db).map_err(|e| e.to_string())
    }

    /// For the read-only commands: the session database opened without writing and the
    /// session found without touching it, so they work on a read-only folder or a full
    /// disk. Falls back to [`Context::open_store`] and [`Context::session`] only when there
    /// is nothing to read yet (no database, or no such session), which creates them.
    pub(super) fn read_session(&self, name: Option<&str>) -> Result<(Store, Session), String> {
        if self.paths.state_db.exists() {
            let store = Store::open_read_only(&self.paths.state_db).map_err(|e| e.to_string())?;
            if let Some(session) = self.find_session(&store, name)? {
                return Ok((store, session));
            }
        }
        let mut store = self.open_store()?;
        let session = self.session(&mut store, name)?;
        Ok((store, session))
    }

    /// The session [`Context::session`] would open, if it exists.
    pub(super) fn find_session(
        &self,
        store: &Store,
        name: Option<&str>,
    ) -> Result<Option<Session>, String> {
        let kind = self.kind_name();
        let found = match name {
            Some(n) => store.session(n),
            None => match store.last_session().map_err(|e| e.to_string())? {
                Some(s) if s.deployment == kind => return Ok(Some(s)),
                _ => store.session(kind),
            },
        };
        // Another deployment's session: the writing path reports the mismatch.
        Ok(found
            .map_err(|e| e.to_string())?
            .filter(|s| s.deployment == kind))
    }

    /// The session deployment of the profile: `lab` or `production`.
    pub(super) fn kind_name(&self) -> &'static str {
        match self.profile.kind {
            DeploymentKind::Lab => "lab",
            DeploymentKind::Production => "production",
        }
    }

    pub(super) fn session(&self, store: &mut Store, name: Option<&str>) -> Result<Session, String> {
        let kind = self.kind_name();
        let profile = self.profile_path_string();
        let name = match name {
            Some(n) => n.to_string(),
            None => match store.last_session().map_err(|e| e.to_string())? {
                Some(s) if s.deployment == kind => s.name,
                _ => kind.to_string(),
            },
        };
        store
            .open_or_create_session(&name, kind, profile.as_deref(), &self.operator)
            .map_err(|e| e.to_string())
    }

    pub(super) fn profile_path_string(&self) -> Option<String> {
        self.profile_path.as_ref().map(|p| p.display().to_string())
    }
}

/// Largest profile file read (real ones are a few kilobytes).
pub(super) const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// Reads a profile file; its `[executor]` table is read by the executor and taken out of
/// the text (line numbers kept) before the profile parser, which refuses unknown tables,
/// sees it.
pub(super) fn load_profile(path: &Path) -> Result<(Profile, ExecutorConfig), String> {
    let read_err = |source| {
        ProfileError::Read {
            path: path.to_path_buf(),
            source,
        }
        .to_string()
    };
    // A profile is a few kilobytes: refuse a huge file before reading it (an 8 MB one took
    // half a gigabyte to parse and reject).
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_PROFILE_BYTES {
        return Err(format!(
            "{}: {size} bytes is over the {MAX_PROFILE_BYTES}-byte limit for a profile; check \
             that this is the deployment profile",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = crate::pilot::utf8_or_line(&bytes, &path.display().to_string())
        .map_err(|e| e.to_string())?
        .to_string();
    match exec::split_profile_text(&text) {
        Ok((rest, executor)) => Ok((
            Profile::parse(&rest, path).map_err(|e| e.to_string())?,
            executor,
        )),
        // A TOML syntax error is better reported by the profile parser (line and column).
        Err(e) if toml::from_str::<toml::Table>(&text).is_err() => Err(Profile::parse(&text, path)
            .err()
            .map_or_else(|| format!("{}: {e}", path.display()), |pe| pe.to_string())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
