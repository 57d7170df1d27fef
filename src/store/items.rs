//! Items: the state the operator gave each checklist item (with its reason) and its note.

use std::collections::HashMap;

use rusqlite::params;

use super::Store;
use super::error::StoreError;
use super::model::{ItemRecord, ItemState};
use super::rows::{Cols, FromRow, Reader};
use super::write::{Event, non_blank};

/// An item's record with the item's id.
struct ItemRow(String, ItemRecord);

impl FromRow for ItemRow {
    const TABLE: &'static str = "items";
    const COLUMNS: &'static str = "item_id, state, reason, who, at, note, note_who, note_at";
    fn from_row(c: &mut Cols<'_, '_>) -> Result<Self, StoreError> {
        Ok(ItemRow(
            c.get()?,
            ItemRecord {
                state: c.parse("an item state")?,
                reason: c.get()?,
                who: c.get()?,
                at: c.ts()?,
                note: c.get()?,
                note_who: c.get()?,
                note_at: c.opt_ts()?,
            },
        ))
    }
}

fn load_item(
    r: Reader<'_>,
    session_id: i64,
    item_id: &str,
) -> Result<Option<ItemRecord>, StoreError> {
    let row: Option<ItemRow> = r.one(
        "WHERE session_id = ?1 AND item_id = ?2",
        params![session_id, item_id],
    )?;
    Ok(row.map(|ItemRow(_, rec)| rec))
}

impl Store {
    /// The current record of every item of the session that was ever ticked or noted,
    /// keyed by item id. Items never touched are absent (they are Todo). An unknown session
    /// gives an empty map.
    pub fn item_records(&self, session_id: i64) -> Result<HashMap<String, ItemRecord>, StoreError> {
        let rows: Vec<ItemRow> = self.read().all("WHERE session_id = ?1", [session_id])?;
        Ok(rows.into_iter().map(|ItemRow(id, rec)| (id, rec)).collect())
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
        self.write_in(session_id, |w| {
            let old = load_item(w.read(), session_id, item_id)?;
            if let Some(old) = &old
                && old.state == state
                && old.reason.as_deref() == reason
            {
                return Ok(old.clone());
            }
            w.execute(
                "INSERT INTO items (session_id, item_id, state, reason, who, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (session_id, item_id) DO UPDATE SET
                     state = excluded.state, reason = excluded.reason,
                     who = excluded.who, at = excluded.at",
                params![session_id, item_id, state.as_str(), reason, who, w.at_s],
            )?;
            w.audit(
                Event::new(session_id, who, "item-state")
                    .item(item_id)
                    .change(old.as_ref().map(|o| o.state.as_str()), Some(state.as_str()))
                    .detail(reason),
            )?;
            Ok(ItemRecord {
                state,
                reason: reason.map(str::to_string),
                who: who.to_string(),
                at: w.at,
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
        self.write_in(session_id, |w| {
            let old = load_item(w.read(), session_id, item_id)?;
            if let Some(old) = &old
                && old.note.as_deref() == note
            {
                return Ok(old.clone());
            }
            w.execute(
                "INSERT INTO items (session_id, item_id, state, reason, who, at,
                                    note, note_who, note_at)
                 VALUES (?1, ?2, 'todo', NULL, ?3, ?4, ?5, ?3, ?4)
                 ON CONFLICT (session_id, item_id) DO UPDATE SET
                     note = excluded.note, note_who = excluded.note_who,
                     note_at = excluded.note_at",
                params![session_id, item_id, who, w.at_s, note],
            )?;
            w.audit(
                Event::new(session_id, who, "note")
                    .item(item_id)
                    .change(old.as_ref().and_then(|o| o.note.as_deref()), note),
            )?;
            let (state, reason, state_who, state_at) = match &old {
                Some(o) => (o.state, o.reason.clone(), o.who.clone(), o.at),
                None => (ItemState::Todo, None, who.to_string(), w.at),
            };
            Ok(ItemRecord {
                state,
                reason,
                who: state_who,
                at: state_at,
                note: note.map(str::to_string),
                note_who: Some(who.to_string()),
                note_at: Some(w.at),
            })
        })
    }
}
