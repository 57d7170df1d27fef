//! The lab's ChatUpgradeVerifier, and further: derives the expected 2013 state from the legacy
//! database through [`super::convert`] and compares it with `mgc`. Both databases are opened
//! read-only.
//!
//! Compared: categories (name, description, invite / logged / filePost, allowed and denied
//! scope principals by prinGuid), rooms (name, description, category, disabled, behavior,
//! visibility, invite, logged / filePost NULL, add-in), add-ins (by siopID, else name; name and
//! URL), role holders per room (manager / member / voiced by prinGuid), principals named by
//! those (present, disabled flag), and per room the message count, first and last chatDate
//! and a content digest (see [`super::digest`]) over (chatDate, poster prinGuid, isAlert,
//! content) in (chatDate, chatId) order. When a digest differs, the first differing message
//! is located and reported. A documented conversion is never a difference; a lost or altered
//! message is. Rooms and categories that exist only on the target are listed in
//! [`VerifyReport::target_only`], not as differences (the target may have its own).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::convert::{Converted, convert, restrict_to_scope};
use super::digest::{ContentDigest, RoomContent};
use super::import::IdMap;
use super::legacy::LegacyDb;
use super::mgc::{MgcDb, TargetState};
use super::model::{Node, Role, ptype};
use super::{BATCH_ROWS, ChatDataError, ticks};
use crate::progress::{ProgressUpdate, Reporter};

/// Options: those of the export that shaped the package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOptions {
    /// `-StartDate` of the export (ticks): earlier messages are not expected.
    pub start_date_ticks: Option<i64>,
    /// `-Scope` of the export: only these categories (and their subtrees) are expected.
    pub scope: Vec<String>,
    /// `-DisableExportedNodes` was used: the legacy `disabled` flags changed after the export,
    /// so the rooms' disabled flag is not compared.
    pub disable_exported_nodes: bool,
    /// Losses the admin accepted by name before the import, as (code, item): the `-WhatIf`
    /// preview's errors (a room or category the import refuses). Differences of that room or
    /// category are listed under [`VerifyReport::accepted_losses`], not as differences.
    #[serde(default)]
    pub accepted_losses: Vec<(String, String)>,
}

/// A loss accepted before the import, as the verify found it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoundLoss {
    /// The preview error's code (`name-too-long`, …).
    pub code: String,
    /// The room or category.
    pub item: String,
    /// The differences it explains (`exists: present → missing`, …).
    pub differences: Vec<Difference>,
}

/// Moves the differences of accepted losses out of the report's differences.
fn accept_losses(report: &mut VerifyReport, accepted: &[(String, String)]) {
    for (code, item) in accepted {
        let (mine, rest): (Vec<Difference>, Vec<Difference>) =
            std::mem::take(&mut report.differences)
                .into_iter()
                .partition(|d| matches!(d.kind.as_str(), "room" | "category") && d.name == *item);
        report.differences = rest;
        report.accepted_losses.push(FoundLoss {
            code: code.clone(),
            item: item.clone(),
            differences: mine,
        });
    }
}

/// One difference between the expected and the actual 2013 state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `category`, `room`, `addin` or `principal`.
    pub kind: String,
    /// The room or category name (the principal's URI for principal-level differences
    /// outside a room or category, the add-in's name for add-ins).
    pub name: String,
    /// The field, e.g. `description`, `invite`, `manager`, `messages`, `message content`.
    pub field: String,
    /// Expected value.
    pub expected: String,
    /// Actual value.
    pub actual: String,
}

/// A room as `Get-CsPersistentChatRoom` lists it (production verify, level 1: no database
/// rights needed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRoom {
    /// `Name`.
    pub name: String,
    /// `Disabled`.
    pub disabled: Option<bool>,
    /// `Managers`: SIP URIs (or account names, as the cmdlet prints them).
    pub managers: Vec<String>,
    /// `Members`.
    pub members: Vec<String>,
}

/// Level 1 of the production verify: the rooms the export package holds (its `ChatRooms.xml`
/// and principals, converted as the import converts them) against the rooms the pool lists —
/// each room present, its disabled flag, and its managers and members by SIP URI. Refused
/// rooms and accepted losses are not expected; rooms only on the pool are not differences.
/// Principals are compared by URI, case-insensitively; a listed entry that is not a SIP URI
/// (an account name) matches a principal whose URI or user principal name ends with it
/// \[inf: the cmdlet's rendering of role holders is not documented\].
pub fn compare_room_list(
    conv: &Converted,
    directory: &super::model::Directory,
    listed: &[ListedRoom],
    accepted_losses: &[(String, String)],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let uri_of: HashMap<i64, String> = directory
        .principals
        .iter()
        .map(|p| (p.id, p.uri.to_lowercase()))
        .collect();
    let by_name: HashMap<String, &ListedRoom> =
        listed.iter().map(|r| (r.name.to_lowercase(), r)).collect();
    let norm = |s: &str| s.trim().trim_start_matches("sip:").to_lowercase();
    for room in &conv.rooms {
        if accepted_losses.iter().any(|(_, item)| *item == room.name) {
            continue;
        }
        let Some(l) = by_name.get(&room.name.to_lowercase()) else {
            diff(&mut out, "room", &room.name, "exists", "present", "missing");
            continue;
        };
        if let Some(d) = l.disabled
            && d != room.disabled
        {
            diff(&mut out, "room", &room.name, "disabled", room.disabled, d);
        }
        for (field, want, got) in [
            ("manager", &room.managers, &l.managers),
            ("member", &room.members, &l.members),
        ] {
            let got: BTreeSet<String> = got.iter().map(|g| norm(g)).collect();
            for id in want {
                let Some(uri) = uri_of.get(id) else { continue };
                let u = norm(uri);
                if !got.iter().any(|g| *g == u || u.ends_with(g.as_str())) {
                    diff(&mut out, "room", &room.name, field, uri, "missing");
                }
            }
        }
    }
    out
}

/// The verifier's verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// True when there is no difference.
    pub passed: bool,
    /// Categories compared.
    pub categories_compared: u64,
    /// Rooms compared.
    pub rooms_compared: u64,
    /// Legacy messages compared.
    pub messages_compared: u64,
    /// Bytes of legacy message text compared.
    pub bytes_compared: u64,
    /// Every difference found.
    pub differences: Vec<Difference>,
    /// Categories and rooms present only on the target (informational).
    pub target_only: Vec<String>,
    /// Losses accepted by name before the import, with the differences each explains.
    pub accepted_losses: Vec<FoundLoss>,
    /// Wall time.
    pub elapsed_ms: u64,
}

const SYSTEM: &str = "SYSTEM";

fn diff(
    out: &mut Vec<Difference>,
    kind: &str,
    name: &str,
    field: &str,
    expected: impl ToString,
    actual: impl ToString,
) {
    out.push(Difference {
        kind: kind.into(),
        name: name.into(),
        field: field.into(),
        expected: expected.to_string(),
        actual: actual.to_string(),
    });
}

fn tri(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "NULL (inherit)",
    }
}

fn snippet(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out.replace('\r', "\\r").replace('\n', "\\n")
}

/// Verifies `mgc_db` against `legacy_db`.
///
/// # Errors
/// Missing or unreadable databases; [`ChatDataError::Options`] for an unknown scope category;
/// [`ChatDataError::Cancelled`].
pub fn verify(
    legacy_db: &Path,
    mgc_db: &Path,
    opts: &VerifyOptions,
    r: &dyn Reporter,
) -> Result<VerifyReport, ChatDataError> {
    let started = Instant::now();
    let legacy = LegacyDb::open(legacy_db)?;
    let mut d = legacy.read_directory()?;
    restrict_to_scope(&mut d, &opts.scope)
        .map_err(|m| ChatDataError::Options(format!("{}: {m}", legacy_db.display())))?;
    let conv = convert(&d);
    let target = MgcDb::open_read_only(mgc_db)?;
    target.limit_cache(READ_CACHE_KIB)?;
    let state = target.read_state()?;
    r.log(format!(
        "verify: expecting {} categories and {} rooms (+{} refused by the conversion) from {}",
        conv.categories.len(),
        conv.rooms.len(),
        conv.refused_rooms.len(),
        legacy_db.display()
    ));
    let mut report = VerifyReport::default();
    let label = |id: i64| -> String {
        d.principals
            .iter()
            .find(|p| p.id == id)
            .map(|p| format!("{} ({})", p.uri, p.guid.as_deref().unwrap_or("no GUID")))
            .unwrap_or_else(|| format!("principal id {id}"))
    };
    let uri_by_guid: HashMap<&str, &str> = d
        .principals
        .iter()
        .filter_map(|p| p.guid.as_deref().map(|g| (g, p.uri.as_str())))
        .collect();
    let glabel = |g: &str| -> String {
        match uri_by_guid.get(g) {
            Some(u) => format!("{u} ({g})"),
            None => g.to_string(),
        }
    };

    compare_addins(&conv, &state, opts, &mut report.differences);
    compare_principals(&conv, &state, &mut report.differences);
    compare_categories(&conv, &state, &label, &glabel, &mut report);
    compare_rooms(&conv, &state, opts, &label, &glabel, &mut report);

    // ---- messages -------------------------------------------------------------------
    let nodes: HashMap<i64, &Node> = d.nodes.iter().map(|n| (n.id, n)).collect();
    let system_legacy: BTreeSet<i64> = d
        .principals
        .iter()
        .filter(|p| p.type_id == Some(ptype::SYSTEM_USER))
        .map(|p| p.id)
        .collect();
    let total = legacy.estimate_messages()?;
    // The directory is read: this connection's page cache shrinks to what locating a
    // differing message needs (SQLite frees the pages above the new size at once).
    legacy.limit_cache(READ_CACHE_KIB)?;
    // poster id → the GUID the digest takes, looked up once per message on both sides: a
    // vector indexed by id rather than a hashed map
    let legacy_guids = IdMap::new(
        conv.guid_by_id
            .iter()
            .map(|(id, g)| (*id, g.as_str()))
            .chain(system_legacy.iter().map(|id| (*id, SYSTEM))),
    );
    let legacy_poster = |id: i64| -> &str { legacy_guids.get(id).unwrap_or("") };
    let target_guids = IdMap::new(
        state
            .guid_by_prin
            .iter()
            .map(|(id, g)| (*id, g.as_str()))
            .chain([(state.system_prin_id, SYSTEM)]),
    );
    let target_poster = |id: i64| -> &str { target_guids.get(id).unwrap_or("") };
    let work: Vec<(&super::convert::TargetRoom, &super::mgc::ActualRoom, &Node)> = conv
        .rooms
        .iter()
        .filter_map(|room| {
            state
                .rooms
                .get(&room.name.to_lowercase())
                .map(|a| (room, a, nodes[&room.legacy_id]))
        })
        .collect();
    let cancelled = || ChatDataError::Cancelled(super::Cancellation::nothing("verify rooms"));
    let seen = std::sync::atomic::AtomicU64::new(0);
    let mut done = 0u64;
    let mut bytes = 0u64;
    // Unscoped, each side is read in one pass over its table (rooms digested on the way,
    // see `TableScan`); scoped, or for the rooms a pass cannot digest, room by room through
    // the primary key.
    let full_scan = opts.scope.is_empty();
    let legacy_wanted: HashSet<i64> = work.iter().map(|(_, _, n)| n.id).collect();
    let target_wanted: HashSet<i64> = work.iter().map(|(_, a, _)| a.id).collect();
    // The legacy side is digested on a second thread (its own read-only connection) while
    // this thread digests the target side: the two databases are read in parallel.
    std::thread::scope(|scope| -> Result<(), ChatDataError> {
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<Result<HashMap<i64, RoomContent>, ChatDataError>>(1);
        let (work, seen, legacy_poster, legacy_wanted) =
            (&work, &seen, &legacy_poster, &legacy_wanted);
        let start = opts.start_date_ticks;
        scope.spawn(move || {
            let tick = || {
                let n = seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if n.is_multiple_of(BATCH_ROWS) {
                    r.progress(ProgressUpdate {
                        phase: "verify messages".into(),
                        done: n.min(total),
                        total,
                        bytes: 0,
                    });
                    if r.is_cancelled() {
                        return Err(cancelled());
                    }
                }
                Ok(())
            };
            let res = (|| {
                let db = LegacyDb::open(legacy_db)?;
                db.limit_cache(READ_CACHE_KIB)?;
                let mut scan = TableScan::default();
                if full_scan {
                    db.for_each_row(start, |room, chat, date, user, alert, text| {
                        tick()?;
                        scan.add(
                            legacy_wanted,
                            room,
                            chat,
                            date,
                            legacy_poster(user),
                            alert,
                            text,
                        );
                        Ok(!scan.hopeless(legacy_wanted))
                    })?;
                }
                let (mut digests, redo) = scan.finish(legacy_wanted);
                if full_scan {
                    r.log(format!(
                        "verify: legacy messages read in one pass; {} of {} rooms read room by room (stored apart or out of order)",
                        redo.len(),
                        legacy_wanted.len()
                    ));
                }
                for (_, _, node) in work {
                    if full_scan && !redo.contains(&node.id) {
                        continue;
                    }
                    let d = sorted_pass(|by_date, f| {
                        db.for_each_message(node, start, by_date, |m| {
                            tick()?;
                            f(m.date, legacy_poster(m.poster_id), m.is_alert, &m.content)
                        })
                    })?;
                    digests.insert(node.id, d);
                }
                Ok(digests)
            })();
            let _ = tx.send(res);
        });
        let mut scan = TableScan::default();
        let mut rows = 0u64;
        if full_scan {
            target.for_each_row(|room, chat, date, user, alert, text| {
                rows += 1;
                if rows.is_multiple_of(BATCH_ROWS) && r.is_cancelled() {
                    return Err(cancelled());
                }
                scan.add(
                    &target_wanted,
                    room,
                    chat,
                    date,
                    target_poster(user),
                    alert,
                    text,
                );
                Ok(!scan.hopeless(&target_wanted))
            })?;
        }
        let (mut got_by_room, redo) = scan.finish(&target_wanted);
        if full_scan {
            r.log(format!(
                "verify: target messages read in one pass; {} of {} rooms read room by room (stored apart or out of order)",
                redo.len(),
                target_wanted.len()
            ));
        }
        for &(_, actual, _) in work {
            if full_scan && !redo.contains(&actual.id) {
                continue;
            }
            if r.is_cancelled() {
                return Err(cancelled());
            }
            let d = sorted_pass(|by_date, f| {
                target.for_each_message(
                    actual.id,
                    &actual.name,
                    by_date,
                    |date, user, alert, text| f(date, target_poster(user), alert, text),
                )
            })?;
            got_by_room.insert(actual.id, d);
        }
        let expected_by_room = rx.recv().map_err(|_| cancelled())??;
        let empty = || ContentDigest::new().finish();
        for &(room, actual, node) in work {
            let got = got_by_room.get(&actual.id).cloned().unwrap_or_else(empty);
            let expected = expected_by_room
                .get(&node.id)
                .cloned()
                .unwrap_or_else(empty);
            done += expected.messages;
            bytes += expected.bytes;
            report.messages_compared += expected.messages;
            report.bytes_compared += expected.bytes;
            let name = &room.name;
            let out = &mut report.differences;
            if expected.messages != got.messages {
                diff(
                    out,
                    "room",
                    name,
                    "messages",
                    expected.messages,
                    got.messages,
                );
            }
            let fmt = |t: Option<i64>| t.map_or_else(|| "none".to_string(), ticks::format);
            if expected.first != got.first {
                diff(
                    out,
                    "room",
                    name,
                    "first message",
                    fmt(expected.first),
                    fmt(got.first),
                );
            }
            if expected.last != got.last {
                diff(
                    out,
                    "room",
                    name,
                    "last message",
                    fmt(expected.last),
                    fmt(got.last),
                );
            }
            if expected.digest != got.digest {
                diff(
                    out,
                    "room",
                    name,
                    "content digest",
                    &expected.digest,
                    &got.digest,
                );
                // locate the first differing message
                let mut hashes: Vec<[u8; 8]> = Vec::with_capacity(expected.messages as usize);
                legacy_ordered(
                    &legacy,
                    node,
                    opts.start_date_ticks,
                    |date, poster, alert, text| {
                        hashes.push(message_hash(date, poster, alert, text));
                        Ok(true)
                    },
                    &legacy_poster,
                )?;
                let mut index = 0usize;
                let mut found: Option<(usize, (i64, String, bool, String))> = None;
                target_ordered(
                    &target,
                    actual.id,
                    &actual.name,
                    |date, poster, alert, text| {
                        let h = message_hash(date, poster, alert, text);
                        if hashes.get(index) != Some(&h) {
                            found =
                                Some((index, (date, poster.to_string(), alert, text.to_string())));
                            return Ok(false);
                        }
                        index += 1;
                        Ok(true)
                    },
                    &target_poster,
                )?;
                let at = found.as_ref().map_or(index, |f| f.0);
                let mut want: Option<(i64, String, bool, String)> = None;
                let mut k = 0usize;
                legacy_ordered(
                    &legacy,
                    node,
                    opts.start_date_ticks,
                    |date, poster, alert, text| {
                        if k == at {
                            want = Some((date, poster.to_string(), alert, text.to_string()));
                            return Ok(false);
                        }
                        k += 1;
                        Ok(true)
                    },
                    &legacy_poster,
                )?;
                let describe = |m: &Option<(i64, String, bool, String)>| match m {
                    Some((date, poster, alert, text)) => format!(
                        "{} by {}{}: «{}»",
                        ticks::format(*date),
                        glabel(poster),
                        if *alert { " (alert)" } else { "" },
                        snippet(text)
                    ),
                    None => "no message".into(),
                };
                let got_msg = found.map(|f| f.1);
                let field = match (&want, &got_msg) {
                    (Some(a), Some(b)) if a.0 == b.0 && a.1 == b.1 && a.2 == b.2 => {
                        "message content"
                    }
                    (Some(a), Some(b)) if a.0 == b.0 && a.3 == b.3 => "message poster or alert",
                    _ => "message",
                };
                diff(
                    out,
                    "room",
                    name,
                    &format!("{field} (#{})", at + 1),
                    describe(&want),
                    describe(&got_msg),
                );
            }
            r.progress(ProgressUpdate {
                phase: "verify messages".into(),
                done,
                total,
                bytes,
            });
        }
        Ok(())
    })?;
    accept_losses(&mut report, &opts.accepted_losses);
    report.passed = report.differences.is_empty();
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log(format!(
        "verify: {} — {} categories, {} rooms, {} messages compared, {}, in {} ms",
        if report.passed { "PASSED" } else { "FAILED" },
        report.categories_compared,
        report.rooms_compared,
        report.messages_compared,
        crate::i18n::count(report.differences.len(), "difference", "differences"),
        report.elapsed_ms
    ));
    Ok(report)
}

/// Page cache of each connection the message comparison reads through, in KiB: the rooms
/// are read in key order, so a larger cache saves nothing, while two connections of the
/// default 32 MiB took a large verify past 200 MB.
const READ_CACHE_KIB: u32 = 8 * 1024;

type Sink<'a> = dyn FnMut(i64, &str, bool, &str) -> Result<bool, ChatDataError> + 'a;

/// Per-room digests from one pass over a `tblChat` in table order, for the rooms `wanted`.
/// A room whose rows come together, in growing chatId with chatDate never going back, is
/// digested on the way: the digest [`sorted_pass`] gives it (chatId order is then also
/// (chatDate, chatId) order). A room whose rows come apart or out of that order is listed
/// for a pass of its own through the primary key; a room without rows gets no entry.
#[derive(Default)]
struct TableScan {
    done: HashMap<i64, RoomContent>,
    redo: HashSet<i64>,
    /// The room being digested: id, last chatId, last chatDate, digest so far.
    cur: Option<(i64, i64, i64, ContentDigest)>,
    /// A room whose rows are being passed over (not wanted, or listed for a pass of its own).
    skipping: Option<i64>,
}

impl TableScan {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        wanted: &HashSet<i64>,
        room: i64,
        chat: i64,
        date: i64,
        poster: &str,
        alert: bool,
        text: &[u8],
    ) {
        if let Some((id, last_chat, last_date, d)) = &mut self.cur {
            if *id == room {
                if chat > *last_chat && date >= *last_date {
                    *last_chat = chat;
                    *last_date = date;
                    d.update_bytes(date, poster, alert, text);
                } else {
                    self.redo.insert(room);
                    self.cur = None;
                    self.skipping = Some(room);
                }
                return;
            }
            let (id, _, _, d) = self.cur.take().expect("matched above");
            self.done.insert(id, d.finish());
        }
        if self.skipping == Some(room) {
            return;
        }
        self.skipping = Some(room);
        if !wanted.contains(&room) || self.redo.contains(&room) {
            return;
        }
        if self.done.remove(&room).is_some() {
            // its rows come apart
            self.redo.insert(room);
            return;
        }
        self.skipping = None;
        let mut d = ContentDigest::new();
        d.update_bytes(date, poster, alert, text);
        self.cur = Some((room, chat, date, d));
    }

    /// True once more than half the wanted rooms need a pass of their own (a table whose
    /// rooms are interleaved, as in a database filled in posting order): the pass stops
    /// there and every room is read through the primary key.
    fn hopeless(&self, wanted: &HashSet<i64>) -> bool {
        self.redo.len() * 2 > wanted.len()
    }

    /// The digested rooms and the rooms that need a pass of their own (every wanted room
    /// when the pass was given up: a room digested so far may have rows further on).
    fn finish(mut self, wanted: &HashSet<i64>) -> (HashMap<i64, RoomContent>, HashSet<i64>) {
        if self.hopeless(wanted) {
            return (HashMap::new(), wanted.clone());
        }
        if let Some((id, _, _, d)) = self.cur.take() {
            self.done.insert(id, d.finish());
        }
        (self.done, self.redo)
    }
}

/// Runs a message stream in chatId order, switching to (chatDate, chatId) order if chatDate
/// turns out not to grow with chatId; returns the digest in (chatDate, chatId) order.
fn sorted_pass(
    mut stream: impl FnMut(bool, &mut Sink<'_>) -> Result<(), ChatDataError>,
) -> Result<RoomContent, ChatDataError> {
    for by_date in [false, true] {
        let mut d = ContentDigest::new();
        let mut last = i64::MIN;
        let mut out_of_order = false;
        stream(by_date, &mut |date, poster, alert, text| {
            if !by_date && date < last {
                out_of_order = true;
                return Ok(false);
            }
            last = date;
            d.update(date, poster, alert, text);
            Ok(true)
        })?;
        if !out_of_order {
            return Ok(d.finish());
        }
    }
    unreachable!("the by-date pass never reports disorder")
}

fn legacy_ordered<'p>(
    db: &LegacyDb,
    node: &Node,
    start: Option<i64>,
    mut f: impl FnMut(i64, &str, bool, &str) -> Result<bool, ChatDataError>,
    poster: &dyn Fn(i64) -> &'p str,
) -> Result<(), ChatDataError> {
    db.for_each_message(node, start, true, |m| {
        f(m.date, poster(m.poster_id), m.is_alert, &m.content)
    })
}

fn target_ordered<'p>(
    db: &MgcDb,
    id: i64,
    name: &str,
    mut f: impl FnMut(i64, &str, bool, &str) -> Result<bool, ChatDataError>,
    poster: &dyn Fn(i64) -> &'p str,
) -> Result<(), ChatDataError> {
    db.for_each_message(id, name, true, |date, user, alert, text| {
        f(date, poster(user), alert, text)
    })
}

fn message_hash(date: i64, poster: &str, alert: bool, text: &str) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(date.to_be_bytes());
    h.update((poster.len() as u32).to_be_bytes());
    h.update(poster.as_bytes());
    h.update([u8::from(alert)]);
    h.update(text.as_bytes());
    let full = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

fn compare_addins(
    conv: &Converted,
    state: &TargetState,
    opts: &VerifyOptions,
    out: &mut Vec<Difference>,
) {
    let used: BTreeSet<&str> = conv
        .rooms
        .iter()
        .filter_map(|r| r.addin.as_deref())
        .collect();
    for a in &conv.addins {
        if !opts.scope.is_empty() && !used.contains(a.id.as_str()) {
            continue;
        }
        let actual = state.addins.iter().find(|t| t.id == a.id).or_else(|| {
            state
                .addins
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&a.name))
        });
        match actual {
            None => diff(
                out,
                "addin",
                &a.name,
                "exists",
                format!("present ({})", a.id),
                "missing",
            ),
            Some(t) => {
                if t.name != a.name {
                    diff(out, "addin", &a.name, "name", &a.name, &t.name);
                }
                if t.url != a.url {
                    diff(out, "addin", &a.name, "url", &a.url, &t.url);
                }
            }
        }
    }
}

fn compare_principals(conv: &Converted, state: &TargetState, out: &mut Vec<Difference>) {
    let mut named: BTreeSet<i64> = BTreeSet::new();
    for r in &conv.rooms {
        named.extend(r.managers.iter().chain(&r.members).chain(&r.voiced));
    }
    for c in &conv.categories {
        named.extend(c.scope.iter());
    }
    for p in conv
        .principals
        .iter()
        .filter(|p| named.contains(&p.legacy_id))
    {
        let Some(g) = &p.guid else { continue };
        match state.disabled_by_guid.get(g) {
            None => diff(
                out,
                "principal",
                &p.uri,
                "exists",
                format!("present ({g})"),
                "missing",
            ),
            Some(&dis) if dis != i64::from(p.disabled) => {
                diff(out, "principal", &p.uri, "disabled", p.disabled, dis);
            }
            Some(_) => {}
        }
    }
}

fn compare_set(
    out: &mut Vec<Difference>,
    kind_name: (&str, &str),
    field: &str,
    expected: &BTreeSet<String>,
    actual: Option<&BTreeSet<String>>,
    glabel: &dyn Fn(&str) -> String,
) {
    let empty = BTreeSet::new();
    let actual = actual.unwrap_or(&empty);
    for g in expected.difference(actual) {
        diff(out, kind_name.0, kind_name.1, field, glabel(g), "missing");
    }
    for g in actual.difference(expected) {
        diff(out, kind_name.0, kind_name.1, field, "absent", glabel(g));
    }
}

fn guids(conv: &Converted, ids: &BTreeSet<i64>, label: &dyn Fn(i64) -> String) -> BTreeSet<String> {
    ids.iter()
        .map(|id| conv.guid_of(*id).map_or_else(|| label(*id), str::to_string))
        .collect()
}

fn compare_categories(
    conv: &Converted,
    state: &TargetState,
    label: &dyn Fn(i64) -> String,
    glabel: &dyn Fn(&str) -> String,
    report: &mut VerifyReport,
) {
    let out = &mut report.differences;
    let expected_names: BTreeSet<String> = conv
        .categories
        .iter()
        .map(|c| c.name.to_lowercase())
        .collect();
    for c in &conv.categories {
        report.categories_compared += 1;
        let Some(a) = state.categories.get(&c.name.to_lowercase()) else {
            diff(out, "category", &c.name, "exists", "present", "missing");
            continue;
        };
        if a.name != c.name {
            diff(out, "category", &c.name, "name", &c.name, &a.name);
        }
        if a.desc != c.desc {
            diff(out, "category", &c.name, "description", &c.desc, &a.desc);
        }
        for (field, want, got) in [
            ("invite", c.invite, a.invite),
            ("logged", c.logged, a.logged),
            ("filePost", c.file_post, a.file_post),
        ] {
            if Some(want) != got {
                diff(out, "category", &c.name, field, tri(Some(want)), tri(got));
            }
        }
        let want = guids(conv, &c.scope, label);
        compare_set(
            out,
            ("principal", &c.name),
            "scope (allowed)",
            &want,
            Some(&a.allowed),
            glabel,
        );
        compare_set(
            out,
            ("principal", &c.name),
            "scope (denied)",
            &BTreeSet::new(),
            Some(&a.denied),
            glabel,
        );
    }
    for (k, a) in &state.categories {
        if !expected_names.contains(k) {
            report.target_only.push(format!("category: {}", a.name));
        }
    }
}

fn compare_rooms(
    conv: &Converted,
    state: &TargetState,
    opts: &VerifyOptions,
    label: &dyn Fn(i64) -> String,
    glabel: &dyn Fn(&str) -> String,
    report: &mut VerifyReport,
) {
    let out = &mut report.differences;
    for (name, why) in conv.refused_rooms.values() {
        report.rooms_compared += 1;
        diff(
            out,
            "room",
            name,
            "exists",
            format!("present (the import refuses it: {why})"),
            "missing",
        );
    }
    let addin_name = |id: &Option<String>, list: &[super::model::AddIn]| -> String {
        match id {
            None => "none".into(),
            Some(id) => list
                .iter()
                .find(|a| &a.id == id)
                .map_or_else(|| id.clone(), |a| a.name.clone()),
        }
    };
    let expected_names: BTreeSet<String> =
        conv.rooms.iter().map(|r| r.name.to_lowercase()).collect();
    for room in &conv.rooms {
        report.rooms_compared += 1;
        let name = room.name.as_str();
        let Some(a) = state.rooms.get(&room.name.to_lowercase()) else {
            diff(out, "room", name, "exists", "present", "missing");
            continue;
        };
        if a.name != room.name {
            diff(out, "room", name, "name", &room.name, &a.name);
        }
        if a.desc != room.desc {
            diff(out, "room", name, "description", &room.desc, &a.desc);
        }
        if !a.category.eq_ignore_ascii_case(&room.category) {
            diff(out, "room", name, "category", &room.category, &a.category);
        }
        if !opts.disable_exported_nodes && a.disabled != room.disabled {
            diff(out, "room", name, "disabled", room.disabled, a.disabled);
        }
        if a.behavior != room.behavior {
            diff(out, "room", name, "behavior", room.behavior, a.behavior);
        }
        if a.visibility != room.visibility {
            diff(
                out,
                "room",
                name,
                "visibility",
                room.visibility,
                a.visibility,
            );
        }
        if a.invite != room.invite {
            diff(out, "room", name, "invite", tri(room.invite), tri(a.invite));
        }
        if a.logged.is_some() {
            diff(out, "room", name, "logged", tri(None), tri(a.logged));
        }
        if a.file_post.is_some() {
            diff(out, "room", name, "filePost", tri(None), tri(a.file_post));
        }
        let want_addin = addin_name(&room.addin, &conv.addins);
        let got_addin = addin_name(&a.addin, &state.addins);
        if !want_addin.eq_ignore_ascii_case(&got_addin) {
            diff(out, "room", name, "add-in", want_addin, got_addin);
        }
        for (role, field) in [
            (Role::Manager, "manager"),
            (Role::Member, "member"),
            (Role::Voiced, "voiced"),
        ] {
            let want = guids(conv, room.holders(role), label);
            compare_set(
                out,
                ("principal", name),
                field,
                &want,
                a.roles.get(&role),
                glabel,
            );
        }
    }
    for (k, a) in &state.rooms {
        if !expected_names.contains(k)
            && !conv
                .refused_rooms
                .values()
                .any(|(n, _)| n.eq_ignore_ascii_case(k))
        {
            report.target_only.push(format!("room: {}", a.name));
        }
    }
}

impl VerifyReport {
    /// A plain-text table of the differences with a one-line verdict on top.
    pub fn to_table(&self) -> String {
        use unicode_width::UnicodeWidthStr;
        let mut s = format!(
            "{}: {} categories, {} rooms, {} messages compared; {}\n",
            if self.passed { "PASSED" } else { "FAILED" },
            self.categories_compared,
            self.rooms_compared,
            self.messages_compared,
            crate::i18n::count(self.differences.len(), "difference", "differences")
        );
        if self.differences.is_empty() {
            return s;
        }
        const MAX: usize = 60;
        let cut = |v: &str| -> String {
            let v = v.replace(['\r', '\n'], " ");
            if v.width() <= MAX {
                return v;
            }
            let mut out = String::new();
            for c in v.chars() {
                if out.width() + 2 > MAX {
                    break;
                }
                out.push(c);
            }
            out.push('…');
            out
        };
        let header = ["KIND", "NAME", "FIELD", "EXPECTED", "ACTUAL"];
        let rows: Vec<[String; 5]> = self
            .differences
            .iter()
            .map(|d| {
                [
                    cut(&d.kind),
                    cut(&d.name),
                    cut(&d.field),
                    cut(&d.expected),
                    cut(&d.actual),
                ]
            })
            .collect();
        let mut widths = header.map(|h| h.width());
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.width());
            }
        }
        let line = |cells: [&str; 5]| -> String {
            let mut l = String::new();
            for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
                l.push_str(c);
                if i < 4 {
                    l.push_str(&" ".repeat(w - c.width() + 2));
                }
            }
            l.trim_end().to_string() + "\n"
        };
        s.push_str(&line(header));
        s.push_str(&line(
            widths.map(|w| "-".repeat(w)).each_ref().map(String::as_str),
        ));
        for r in &rows {
            s.push_str(&line(r.each_ref().map(String::as_str)));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    fn digest_of(dates: &[i64]) -> RoomContent {
        let mut d = ContentDigest::new();
        for &date in dates {
            d.update(date, "G", false, "t");
        }
        d.finish()
    }

    #[test]
    fn a_table_pass_digests_the_rooms_stored_in_order_and_lists_the_others() {
        let wanted: HashSet<i64> = [1, 2, 3, 4, 5, 6, 7].into();
        let mut s = TableScan::default();
        // (room, chatId, chatDate): 1 in order, 9 not wanted, 2 comes apart, 3 goes back in
        // time, 5 repeats a chatId, 4, 6 and 7 have no rows
        let rows = [
            (1, 1, 10),
            (1, 2, 11),
            (9, 1, 5),
            (2, 1, 1),
            (3, 1, 7),
            (3, 2, 6),
            (5, 1, 1),
            (5, 1, 2),
            (2, 2, 2),
        ];
        for (room, chat, date) in rows {
            s.add(&wanted, room, chat, date, "G", false, b"t");
        }
        assert!(!s.hopeless(&wanted));
        let (done, redo) = s.finish(&wanted);
        assert_eq!(done.len(), 1, "{done:?}");
        assert_eq!(done[&1], digest_of(&[10, 11]));
        assert_eq!(redo, [2, 3, 5].into());
        // the digest is the one the sorted pass gives
        let by_pass = sorted_pass(|_, f| {
            for date in [10, 11] {
                f(date, "G", false, "t")?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(done[&1], by_pass);
    }

    #[test]
    fn a_table_of_interleaved_rooms_is_given_up_for_room_by_room_reading() {
        let wanted: HashSet<i64> = [1, 2].into();
        let mut s = TableScan::default();
        for (room, chat) in [(1, 1), (2, 1), (1, 2)] {
            s.add(&wanted, room, chat, chat, "G", false, b"t");
        }
        assert!(
            !s.hopeless(&wanted),
            "one room apart of two is not yet half"
        );
        s.add(&wanted, 2, 2, 2, "G", false, b"t");
        assert!(s.hopeless(&wanted));
        let (done, redo) = s.finish(&wanted);
        assert!(done.is_empty());
        assert_eq!(redo, wanted);
    }

    #[test]
    fn table_aligns_wide_characters_and_states_the_verdict() {
        let mut r = VerifyReport {
            passed: true,
            rooms_compared: 2,
            ..VerifyReport::default()
        };
        assert!(r.to_table().starts_with("PASSED: 0 categories, 2 rooms"));
        r.passed = false;
        r.differences.push(Difference {
            kind: "room".into(),
            name: "주간 회의".into(),
            field: "messages".into(),
            expected: "10".into(),
            actual: "9".into(),
        });
        r.differences.push(Difference {
            kind: "principal".into(),
            name: "Build".into(),
            field: "manager".into(),
            expected: "sip:a@contoso.lab".into(),
            actual: "missing".into(),
        });
        let t = r.to_table();
        assert!(t.starts_with("FAILED"), "{t}");
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 5, "{t}");
        // FIELD column starts at the same display column on every row
        let col = |l: &str| {
            let i = l
                .find(if l.starts_with("KIND") {
                    "FIELD"
                } else if l.contains("messages") {
                    "messages"
                } else {
                    "manager"
                })
                .unwrap();
            l[..i].width()
        };
        assert_eq!(col(lines[1]), col(lines[3]));
        assert_eq!(col(lines[1]), col(lines[4]));
    }

    #[test]
    fn sorted_pass_falls_back_to_date_order() {
        let msgs = [(3, "A"), (1, "B"), (2, "C")];
        let res = sorted_pass(|by_date, f| {
            let mut v = msgs.to_vec();
            if by_date {
                v.sort();
            }
            for (d, p) in v {
                if !f(d, p, false, "x")? {
                    break;
                }
            }
            Ok(())
        })
        .unwrap();
        let mut want = ContentDigest::new();
        for (d, p) in [(1, "B"), (2, "C"), (3, "A")] {
            want.update(d, p, false, "x");
        }
        assert_eq!(res, want.finish());
    }
}
