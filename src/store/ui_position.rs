//! Where the admin was in the wizard (screen, stage, cursor...), one JSON text per session,
//! replaced on every save and not audited.

use rusqlite::params;

use super::Store;
use super::error::StoreError;

impl Store {
    /// Saves where the admin was (screen, stage, cursor...), as the caller's own JSON text,
    /// replacing the previous one. Not audited.
    ///
    /// Errors: [`StoreError::UnknownSession`], database errors.
    pub fn save_ui_state(&mut self, session_id: i64, json: &str) -> Result<(), StoreError> {
        self.write_in(session_id, |w| {
            w.execute(
                "INSERT INTO ui_state (session_id, json, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (session_id) DO UPDATE SET
                     json = excluded.json, saved_at = excluded.saved_at",
                params![session_id, json, w.at_s],
            )?;
            Ok(())
        })
    }

    /// The JSON last given to [`Store::save_ui_state`] for the session, if any.
    pub fn load_ui_state(&self, session_id: i64) -> Result<Option<String>, StoreError> {
        self.read().value(
            "SELECT json FROM ui_state WHERE session_id = ?1",
            [session_id],
        )
    }
}
