//! The pilot: its users (with client, pool and policy) and each user's result per test case.
//!
//! Audit events written here: `pilot-users-added` (new = "N added, M updated", detail JSON
//! `{source, added, updated}`) and `pilot-result` (previous result → result, detail JSON
//! `{sip, case, note}`).

use std::collections::HashMap;

use rusqlite::params;

use super::Store;
use super::error::StoreError;
use super::model::PilotAdded;
use super::rows::{Cols, FromRow, Reader, record_from_row};
use super::write::{Event, non_blank};
use crate::pilot_model::{
    NewPilotUser, PilotCase, PilotOutcome, PilotResultRecord, PilotResults, PilotUser,
};

record_from_row!(PilotUser in "pilot_users" {
    sip, display_name, client: parse("a pilot client"), pool, pchat_policy, homed_on_2013,
    source, added_at: ts, added_by
});

impl FromRow for PilotResultRecord {
    const TABLE: &'static str = "pilot_results";
    const COLUMNS: &'static str = "sip, case_id, result, note, who, at";
    fn from_row(c: &mut Cols<'_, '_>) -> Result<Self, StoreError> {
        Ok(PilotResultRecord {
            sip: c.get()?,
            case: c.parse("a pilot test case")?,
            result: c.parse("a pilot result")?,
            note: c.get()?,
            who: Some(c.get()?),
            at: Some(c.ts()?),
        })
    }
}

fn load_pilot_user(
    r: Reader<'_>,
    session_id: i64,
    sip: &str,
) -> Result<Option<PilotUser>, StoreError> {
    r.one(
        "WHERE session_id = ?1 AND sip = ?2 COLLATE NOCASE",
        params![session_id, sip],
    )
}

/// The result a case has when none was recorded: `na` (with the reason) where the case does
/// not apply to the user's client, `todo` elsewhere.
fn unrecorded(user: &PilotUser, case: PilotCase) -> PilotResultRecord {
    let why = case.not_applicable_because(user.client);
    PilotResultRecord {
        sip: user.sip.clone(),
        case,
        result: if why.is_some() {
            PilotOutcome::NotApplicable
        } else {
            PilotOutcome::Todo
        },
        note: why.map(str::to_string),
        who: None,
        at: None,
    }
}

impl Store {
    /// Adds pilot users to the session, durably, with one `pilot-users-added` audit event
    /// (none when nothing changed). A user already there (same SIP URI, any case) keeps
    /// their results and gets the new name, client, pool and policy. `source` says where the
    /// users came from (`profile`, `csv:pilot.csv`).
    ///
    /// Errors: [`StoreError::Empty`] (a blank SIP URI or source), [`StoreError::UnknownSession`],
    /// database errors.
    pub fn add_pilot_users(
        &mut self,
        session_id: i64,
        users: &[NewPilotUser],
        source: &str,
        who: &str,
    ) -> Result<PilotAdded, StoreError> {
        non_blank("the source of the pilot users", source)?;
        for u in users {
            non_blank("a pilot user's SIP address", &u.sip)?;
        }
        self.write_in(session_id, |w| {
            let mut out = PilotAdded::default();
            for u in users {
                // Insert and update take the same parameters: ?2 is the stored SIP URI.
                let (sql, sip, is_new) = match load_pilot_user(w.read(), session_id, &u.sip)? {
                    None => (
                        "INSERT INTO pilot_users (session_id, seq, sip, display_name, client,
                             pool, pchat_policy, homed_on_2013, source, added_at, added_by)
                         VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM pilot_users
                                      WHERE session_id = ?1),
                                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        u.sip.clone(),
                        true,
                    ),
                    Some(o)
                        if o.display_name == u.display_name
                            && o.client == u.client
                            && o.pool == u.pool
                            && o.pchat_policy == u.pchat_policy
                            && o.homed_on_2013 == u.homed_on_2013 =>
                    {
                        out.unchanged += 1;
                        continue;
                    }
                    Some(o) => (
                        "UPDATE pilot_users SET display_name = ?3, client = ?4, pool = ?5,
                             pchat_policy = ?6, homed_on_2013 = ?7, source = ?8,
                             added_at = ?9, added_by = ?10
                         WHERE session_id = ?1 AND sip = ?2",
                        o.sip,
                        false,
                    ),
                };
                w.execute(
                    sql,
                    params![
                        session_id,
                        sip,
                        u.display_name,
                        u.client.as_str(),
                        u.pool,
                        u.pchat_policy,
                        u.homed_on_2013,
                        source,
                        w.at_s,
                        who
                    ],
                )?;
                if is_new {
                    out.added.push(sip);
                } else {
                    out.updated.push(sip);
                }
            }
            if !out.added.is_empty() || !out.updated.is_empty() {
                let detail = serde_json::json!({
                    "source": source,
                    "added": out.added,
                    "updated": out.updated,
                })
                .to_string();
                let new = format!("{} added, {} updated", out.added.len(), out.updated.len());
                w.audit(
                    Event::new(session_id, who, "pilot-users-added")
                        .change(None, Some(&new))
                        .detail(Some(&detail)),
                )?;
            }
            Ok(out)
        })
    }

    /// The session's pilot users, in the order they were added.
    pub fn pilot_users(&self, session_id: i64) -> Result<Vec<PilotUser>, StoreError> {
        self.read()
            .all("WHERE session_id = ?1 ORDER BY seq", [session_id])
    }

    /// Records the result of one test case for one pilot user, durably, with a
    /// `pilot-result` audit event (old → new result; detail JSON `{sip, case, note}`) in one
    /// transaction. `note` is stored as given (blank = none). Recording the result and note
    /// the case already has writes nothing.
    ///
    /// Rules: a failure needs a note saying what happened; pass and fail are refused for a
    /// case that does not apply to the user's client ([`PilotCase::applies_to`]: files and
    /// the legacy endpoint are for legacy Group Chat clients only) — record n/a instead.
    ///
    /// Errors: [`StoreError::Empty`] (a failure without a note),
    /// [`StoreError::UnknownPilotUser`], [`StoreError::PilotNotApplicable`],
    /// [`StoreError::UnknownSession`], database errors.
    pub fn set_pilot_result(
        &mut self,
        session_id: i64,
        sip: &str,
        case: PilotCase,
        result: PilotOutcome,
        note: &str,
        who: &str,
    ) -> Result<PilotResultRecord, StoreError> {
        let note = (!note.trim().is_empty()).then_some(note);
        if result == PilotOutcome::Fail && note.is_none() {
            return Err(StoreError::Empty {
                what: "the note of a failed pilot test (say what happened)",
            });
        }
        self.write_in(session_id, |w| {
            let user = load_pilot_user(w.read(), session_id, sip)?.ok_or_else(|| {
                StoreError::UnknownPilotUser {
                    db: w.db().to_string(),
                    session_id,
                    sip: sip.to_string(),
                }
            })?;
            if matches!(result, PilotOutcome::Pass | PilotOutcome::Fail)
                && let Some(why) = case.not_applicable_because(user.client)
            {
                return Err(StoreError::PilotNotApplicable {
                    sip: user.sip,
                    case: case.id().to_string(),
                    client: user.client.as_str().to_string(),
                    why: why.to_string(),
                });
            }
            let old: Option<PilotResultRecord> = w.read().one(
                "WHERE session_id = ?1 AND sip = ?2 AND case_id = ?3",
                params![session_id, user.sip, case.id()],
            )?;
            if let Some(o) = &old
                && o.result == result
                && o.note.as_deref() == note
            {
                return Ok(o.clone());
            }
            w.execute(
                "INSERT INTO pilot_results (session_id, sip, case_id, result, note, who, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (session_id, sip, case_id) DO UPDATE SET
                     result = excluded.result, note = excluded.note,
                     who = excluded.who, at = excluded.at",
                params![
                    session_id,
                    user.sip,
                    case.id(),
                    result.as_str(),
                    note,
                    who,
                    w.at_s
                ],
            )?;
            let detail =
                serde_json::json!({ "sip": user.sip, "case": case.id(), "note": note }).to_string();
            w.audit(
                Event::new(session_id, who, "pilot-result")
                    .change(
                        old.as_ref().map(|o| o.result.as_str()),
                        Some(result.as_str()),
                    )
                    .detail(Some(&detail)),
            )?;
            Ok(PilotResultRecord {
                sip: user.sip,
                case,
                result,
                note: note.map(str::to_string),
                who: Some(who.to_string()),
                at: Some(w.at),
            })
        })
    }

    /// The session's pilot: its users and, for every user and every case
    /// ([`PilotCase::ALL`] order), the recorded result — or `todo` when never recorded, or an
    /// automatic `na` (with the reason as note, no who/when) when the case does not apply to
    /// the user's client.
    pub fn pilot_results(&self, session_id: i64) -> Result<PilotResults, StoreError> {
        let users = self.pilot_users(session_id)?;
        let recorded: Vec<PilotResultRecord> =
            self.read().all("WHERE session_id = ?1", [session_id])?;
        let mut stored: HashMap<_, _> = recorded
            .into_iter()
            .map(|rec| ((rec.sip.clone(), rec.case), rec))
            .collect();
        let mut results = Vec::with_capacity(users.len() * PilotCase::ALL.len());
        for u in &users {
            for case in PilotCase::ALL {
                let rec = stored
                    .remove(&(u.sip.clone(), case))
                    .unwrap_or_else(|| unrecorded(u, case));
                results.push(rec);
            }
        }
        Ok(PilotResults { users, results })
    }
}
