//! The legacy database probe: read-only checks of the legacy Group Chat database before the
//! downtime, for checklist items 9 (capacity) and 32 (room-name length).
//!
//! - **Capacity** (migration.md §4, L13/`lync-server-2013-capacity-planning-for-persistent-chat-server`):
//!   access-control entries over all rooms and categories (role assignments plus scope
//!   entries) must stay under 2,000,000 \[doc\]; principals that are users stand for the
//!   provisioned users, which must stay under 150,000 \[inferred: the legacy database holds
//!   every principal that was ever seen, so this overstates the policy-enabled users\].
//!   Invitations (1,000,000) and concurrent users (80,000) cannot be read from the database:
//!   the evidence says so.
//! - **Room names** (migration.md Stage 3 step 4, L13/`migration-process-details`): with its
//!   parent categories prefixed, every room and category name must fit 256 characters; the
//!   same conversion the import uses ([`super::convert`]) lists those that do not.

use std::path::Path;

use serde::Serialize;
use serde_json::json;

use super::ChatDataError;
use super::convert::convert;
use super::legacy::LegacyDb;
use super::model::ptype;
use super::preflight::codes;

/// The evidence source of this probe's results.
pub const EVIDENCE_SOURCE: &str = "legacy database probe";
/// Item 9.
pub const ITEM_CAPACITY: &str = "plan.capacity";
/// Item 32.
pub const ITEM_ROOM_NAMES: &str = "prepare.room-name-length";

/// Access-control entries above which performance degrades \[doc\].
pub const MAX_ACES: u64 = 2_000_000;
/// Provisioned users per deployment \[doc\].
pub const MAX_USERS: u64 = 150_000;

/// What the probe read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Precheck {
    /// Categories (root excluded).
    pub categories: u64,
    /// Rooms.
    pub rooms: u64,
    /// Principals that are users.
    pub users: u64,
    /// Principals that are groups.
    pub groups: u64,
    /// Role assignments plus scope entries.
    pub aces: u64,
    /// Names over the limit once prefixed: (name, characters).
    pub long_names: Vec<(String, String)>,
}

/// One item's verdict, as evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecheckEvidence {
    /// The item.
    pub item_id: &'static str,
    /// Whether it passes.
    pub passed: bool,
    /// One line.
    pub summary: String,
    /// The figures.
    pub detail: serde_json::Value,
}

/// Reads the legacy database (read-only).
///
/// # Errors
/// The database cannot be opened or read.
pub fn precheck(legacy_db: &Path) -> Result<Precheck, ChatDataError> {
    let db = LegacyDb::open(legacy_db)?;
    let d = db.read_directory()?;
    let conv = convert(&d);
    let is_group = |t: Option<i16>| {
        matches!(
            t,
            Some(ptype::GROUP | ptype::FEDERATED_GROUP | ptype::DC | ptype::FOLDER)
        )
    };
    let is_user = |t: Option<i16>| {
        matches!(
            t,
            Some(ptype::USER | ptype::FEDERATED_USER | ptype::EXTERNAL_USER)
        )
    };
    Ok(Precheck {
        categories: d.categories().filter(|n| Some(n.id) != d.root_id).count() as u64,
        rooms: d.rooms().count() as u64,
        users: d.principals.iter().filter(|p| is_user(p.type_id)).count() as u64,
        groups: d.principals.iter().filter(|p| is_group(p.type_id)).count() as u64,
        aces: (d.roles.len() + d.scopes.len()) as u64,
        long_names: conv
            .warnings
            .iter()
            .filter(|w| w.code == codes::NAME_TOO_LONG)
            .map(|w| (w.item.clone(), w.message.clone()))
            .collect(),
    })
}

/// The verdicts for items 9 and 32.
pub fn evaluate(p: &Precheck) -> Vec<PrecheckEvidence> {
    let capacity_ok = p.aces < MAX_ACES && p.users <= MAX_USERS;
    let names_ok = p.long_names.is_empty();
    vec![
        PrecheckEvidence {
            item_id: ITEM_CAPACITY,
            passed: capacity_ok,
            summary: format!(
                "{} access-control entries (limit {MAX_ACES}), {} user principals (limit {MAX_USERS} provisioned; \
                 inferred upper bound), {} rooms, {} categories; invitations and concurrent users are not in the \
                 database: check them with the Lync counters",
                p.aces, p.users, p.rooms, p.categories
            ),
            detail: json!({
                "aces": p.aces, "users": p.users, "groups": p.groups, "rooms": p.rooms,
                "categories": p.categories, "max_aces": MAX_ACES, "max_users": MAX_USERS,
                "authoritative": true,
            }),
        },
        PrecheckEvidence {
            item_id: ITEM_ROOM_NAMES,
            passed: names_ok,
            summary: if names_ok {
                format!(
                    "every prefixed room and category name fits 256 characters ({} rooms)",
                    p.rooms
                )
            } else {
                format!(
                    "{} names are over 256 characters once prefixed: {}",
                    p.long_names.len(),
                    p.long_names
                        .iter()
                        .take(3)
                        .map(|(n, _)| format!("\"{}\"", shorten(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            detail: json!({
                "long_names": p.long_names.iter().map(|(n, m)| json!({"name": n, "why": m})).collect::<Vec<_>>(),
                "authoritative": true,
            }),
        },
    ]
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        return s.to_string();
    }
    let head: String = s.chars().take(28).collect();
    let tail: String = {
        let v: Vec<char> = s.chars().collect();
        v[v.len() - 28..].iter().collect()
    };
    format!("{head}…{tail}")
}
