//! Sessions: created, opened (most recent first), and the profile they were opened with.

use rusqlite::params;

use super::Store;
use super::error::StoreError;
use super::model::{DEPLOYMENTS, Session};
use super::rows::{Reader, record_from_row};
use super::write::{Event, non_blank};

record_from_row!(Session in "sessions" {
    id, name, deployment, profile, created_at: ts, created_by, last_opened_at: ts
});

fn by_name(r: Reader<'_>, name: &str) -> Result<Option<Session>, StoreError> {
    r.one("WHERE name = ?1", [name])
}

fn check_deployment(deployment: &str) -> Result<(), StoreError> {
    if DEPLOYMENTS.contains(&deployment) {
        Ok(())
    } else {
        Err(StoreError::InvalidDeployment(deployment.to_string()))
    }
}

impl Store {
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
        check_deployment(deployment)?;
        self.write(|w| {
            if by_name(w.read(), name)?.is_some() {
                return Err(StoreError::SessionExists {
                    db: w.db().to_string(),
                    name: name.to_string(),
                });
            }
            let id = w.insert(
                "INSERT INTO sessions (name, deployment, profile, created_at, created_by,
                                       last_opened_at, open_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4,
                         (SELECT coalesce(max(open_seq), 0) + 1 FROM sessions))",
                params![name, deployment, profile, w.at_s, who],
            )?;
            let detail =
                serde_json::json!({ "deployment": deployment, "profile": profile }).to_string();
            w.audit(
                Event::new(id, who, "session-created")
                    .change(None, Some(name))
                    .detail(Some(&detail)),
            )?;
            Ok(Session {
                id,
                name: name.to_string(),
                deployment: deployment.to_string(),
                profile: profile.map(str::to_string),
                created_at: w.at,
                created_by: who.to_string(),
                last_opened_at: w.at,
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
        check_deployment(deployment)?;
        let existing = self.write(|w| {
            let Some(mut s) = by_name(w.read(), name)? else {
                return Ok(None);
            };
            if s.deployment != deployment {
                return Err(StoreError::DeploymentMismatch {
                    db: w.db().to_string(),
                    name: name.to_string(),
                    stored: s.deployment,
                    requested: deployment.to_string(),
                });
            }
            w.execute(
                "UPDATE sessions SET last_opened_at = ?1,
                        open_seq = (SELECT max(open_seq) + 1 FROM sessions)
                 WHERE id = ?2",
                params![w.at_s, s.id],
            )?;
            s.last_opened_at = w.at;
            if let Some(p) = profile
                && s.profile.as_deref() != Some(p)
            {
                w.execute(
                    "UPDATE sessions SET profile = ?1 WHERE id = ?2",
                    params![p, s.id],
                )?;
                w.audit(
                    Event::new(s.id, who, "session-profile-changed")
                        .change(s.profile.as_deref(), Some(p)),
                )?;
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
        self.read().all("ORDER BY open_seq DESC, id DESC", [])
    }

    /// The session named `name`, if any.
    pub fn session(&self, name: &str) -> Result<Option<Session>, StoreError> {
        by_name(self.read(), name)
    }

    /// The most recently opened (or created) session, if any.
    pub fn last_session(&self) -> Result<Option<Session>, StoreError> {
        Ok(self.sessions()?.into_iter().next())
    }
}
