//! The lab's `Import-CsPersistentChatData`: export package → 2013 `mgc` database, resumable
//! and idempotent.
//!
//! # Phases
//!
//! 1. **Read** the package's directory, apply the conversions of [`super::convert`], check
//!    the pool the package names against the target's, and plan against the target (opened
//!    read-only): which categories, rooms, add-ins and principals are created or overwritten
//!    and with which ids.
//! 2. **Stage** ([`super::stage`]): the content is inflated, parsed and checked — every
//!    message's room and poster, counts and digests against the manifest — exactly once, into
//!    a binary stage file next to the target. Nothing is written to the target before this
//!    phase has read the whole package: a package that fails to read leaves the target byte
//!    for byte as it was. Staging is checkpointed per content entry.
//! 3. **Publish**: the first transaction writes the directory (principals, add-ins,
//!    categories, rooms, roles, scopes), clears the content of the rooms that receive content
//!    and records the plan in the bookkeeping table `import_progress`; then the stage is
//!    streamed into `tblChat` in batches of [`DEFAULT_BATCH_MESSAGES`] messages, **each batch
//!    its own transaction together with its checkpoint** (stage offset, next chatId of each
//!    started room); the last transaction renumbers rooms whose dates go backwards, writes
//!    `tblLastChatId`, records per-room results (count, first/last chatDate, digest) and marks
//!    the import complete.
//!
//! `what_if` stops after the checking pass over the content and reports the same warnings
//! ([`super::preflight`]) and counts as the real import. It writes nothing to the target; it
//! does keep what it read as the stage next to the target (synced once, its checkpoint marked
//! complete only after the manifest check passed), so the import that the preview gates does
//! not inflate and parse the package a second time: the import finds a complete stage of the
//! same package identity and goes straight to publishing, as a resumed import does. A what-if
//! that fails or is cancelled removes its stage; a what-if leaves none when this package's
//! import is already complete or another package's import is unfinished on the target (that
//! import's stage is kept), nor when the stage cannot be written (the import then reads the
//! package itself).
//!
//! # Killed, cancelled, run again
//!
//! A run killed (even `kill -9`) or cancelled at any point leaves either an untouched target
//! (phases 1–2: the next run resumes staging from its checkpoint) or a target whose
//! `import_progress` row says `publishing` with a checkpoint that is exactly consistent with
//! the rows committed with it (phase 3: the next run reuses the recorded plan and continues
//! after the last committed batch). Every id (nodeID, prinID, chatId) is a function of the
//! package and the target's state before the first write, so the result is identical to an
//! uninterrupted run: no row twice, none missing. A run after completion finds the row
//! `complete`, writes nothing, and re-checks the target against the recorded per-room results
//! (`already_complete` in the summary); if the target changed since, it says so (set
//! `restart` to import again from scratch).
//!
//! # Durability choice (lab)
//!
//! During publication the target runs with the rollback journal (`journal_mode=DELETE`) and
//! `synchronous=FULL`: every batch's commit is durable, the checkpoint is written **in the
//! same transaction** as the batch's rows, so after a process kill or a power loss the
//! checkpoint that survives matches exactly the rows that survive and the next run redoes
//! only what is missing. The rollback journal is also the fast choice for this load: the
//! import appends to `tblChat`, and SQLite journals only the pages that existed before the
//! transaction (the b-trees' right edges, a few pages per batch), so each new page is written
//! once, where WAL writes every page twice (into the WAL, then at the checkpoint into the
//! file). Measured on the medium lab: 0.79 s against 0.96 s with WAL and
//! `synchronous=NORMAL`. The page cache is 16 MiB for the load (a batch's new pages and the
//! b-trees' interior pages fit; a larger cache only costs memory and page faults: 0.62 s and
//! 48 MB against 0.65 s and 98 MB with 64 MiB). At the end the file returns to the journal
//! mode it had. The stage is synced before each staging checkpoint for the same reason.
//!
//! # Overwrite rule
//!
//! Migration.md Stage 6: imported legacy items overwrite same-named items. A category, room
//! or add-in of the same name (case-insensitive) is updated in place and keeps its nodeID /
//! siopID; its scopes and roles are replaced and, when the package carries content, so are
//! its messages [inf: the cmdlet's exact behaviour is undocumented]. Each one is listed in
//! the `overwrite` warnings first. Principals are matched on prinGuid (else, for GUID-less
//! principals of real packages, on user principal name) and updated in place. New rows take
//! ids above the current maximum.
//!
//! Messages get chatId 1..n per room in (chatDate, package order) order, `rtf` NULL, and
//! tblLastChatId = n.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ChatDataError;
use super::convert::{Converted, convert};
use super::direct_sql::{BulkInsert, Value};
use super::mgc::{MgcDb, TargetState};
use super::model::{Message, Role, enumv};
use super::package::{
    ContentScan, ContentStats, PackageContents, PackageLimits, PackageReader, Sections,
};
use super::preflight::{self, PreflightWarning, codes, severity};
use super::schema::ROOT_NODE_ID;
use super::stage::{self, StageCheckpoint, StagePaths, StageReader, StageWriter};
use crate::progress::{ProgressUpdate, Reporter};

/// A pre-flight warning of the import (the same type the inspector reports).
pub type ImportWarning = PreflightWarning;

/// Messages per publication batch (one transaction and one checkpoint each). Each commit
/// waits for two fsyncs, so fewer, larger batches load faster (1 M messages: 0.62 s in
/// batches of 50 000, 0.60 s in batches of 200 000); progress is reported every
/// [`PROGRESS_MESSAGES`] within a batch, and a cancel takes effect at the next commit.
pub const DEFAULT_BATCH_MESSAGES: u64 = 200_000;

/// Messages between progress reports while a batch is written.
pub const PROGRESS_MESSAGES: u64 = 50_000;

/// The bookkeeping table the import keeps in the target [inf: lab-only; a real `mgc` has no
/// such table and the real cmdlet is not resumable as far as documented].
pub const PROGRESS_TABLE: &str = "import_progress";

const PROGRESS_DDL: &str = "CREATE TABLE IF NOT EXISTS import_progress (
  packageId TEXT NOT NULL PRIMARY KEY,
  state TEXT NOT NULL,
  plan TEXT NOT NULL,
  stageOffset INTEGER NOT NULL,
  messagesDone INTEGER NOT NULL,
  cursor TEXT NOT NULL,
  result TEXT)";

/// Options of [`import()`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// `-WhatIf`: read and check everything, write nothing.
    pub what_if: bool,
    /// Import a package that names a different pool than the target's (refused otherwise).
    pub allow_other_pool: bool,
    /// The target pool's FQDN; `None`: the one the target's `tblConfig` `pool` row names,
    /// if any (the lab's `mgc` names `pchatpool.contoso.lab`).
    pub target_pool_fqdn: Option<String>,
    /// Limits on the package's entries.
    pub limits: PackageLimits,
    /// Ignore an unfinished or finished earlier import recorded in the target and import
    /// from scratch.
    pub restart: bool,
    /// Messages per publication batch; 0 = [`DEFAULT_BATCH_MESSAGES`].
    pub batch_messages: u64,
}

/// What an import did (or, with `what_if`, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// True for a dry run (nothing was written).
    pub what_if: bool,
    /// Categories created or overwritten.
    pub categories: u64,
    /// Rooms created or overwritten.
    pub rooms: u64,
    /// Principals created or updated.
    pub principals: u64,
    /// Principals in the package; `principals` plus `principals_left_out` add up to it.
    pub principals_in_package: u64,
    /// Each principal of the package not written, with why.
    pub principals_left_out: Vec<String>,
    /// Messages imported.
    pub messages: u64,
    /// Messages not imported (their room was refused or is not on the target).
    pub messages_skipped: u64,
    /// The pre-flight warnings (errors first), the same list the inspector and `-WhatIf`
    /// report for this package and target.
    pub warnings: Vec<PreflightWarning>,
    /// Items of the target that were (or would be) overwritten: `category: X`, `room: X`,
    /// `add-in: X`.
    pub overwritten: Vec<String>,
    /// What the package reader found.
    pub package_notes: Vec<String>,
    /// The package identity.
    pub package_id: String,
    /// [`preflight::digest`] of the package identity and the warnings: equal to the
    /// inspection's digest for the same package and target.
    pub digest: String,
    /// This run continued an interrupted import.
    pub resumed: bool,
    /// The package had been imported completely before: nothing was written, the target was
    /// checked against the recorded result.
    pub already_complete: bool,
    /// Message batches committed by this run.
    pub batches: u64,
    /// Messages committed by this run (less than `messages` when it resumed an import that
    /// an earlier run began): what a throughput figure must divide by this run's time.
    pub messages_this_run: u64,
    /// Wall time of this run.
    pub elapsed_ms: u64,
}

/// The plan computed before writing.
pub(crate) struct Plan {
    pub(crate) conv: Converted,
    pub(crate) state: TargetState,
    /// legacy prinID → target prinID (existing or new), for principals we write
    pub(crate) prin_map: HashMap<i64, i64>,
    /// legacy prinIDs that are new on the target
    new_prins: Vec<i64>,
    /// legacy category id → target nodeID (existing or new)
    cat_nodes: HashMap<i64, i64>,
    /// legacy room id → target nodeID
    pub(crate) room_nodes: HashMap<i64, i64>,
    /// package siopID → target siopID
    addin_map: HashMap<String, String>,
    sections: Sections,
    pub(crate) overwritten: Vec<String>,
    pub(crate) warnings: Vec<PreflightWarning>,
}

pub(crate) fn plan(contents: &PackageContents, conv: Converted, state: TargetState) -> Plan {
    let sections = contents.sections;
    let mut warnings = Vec::new();
    let mut overwritten = Vec::new();
    let mut next_prin = state.max_prin_id;
    let mut prin_map = HashMap::new();
    let mut new_prins = Vec::new();
    let mut unprovisioned: Vec<String> = Vec::new();
    for p in &conv.principals {
        let existing = match &p.guid {
            Some(g) => state.prin_by_guid.get(g).copied(),
            None => p
                .upn
                .as_ref()
                .and_then(|u| state.prin_by_upn.get(&u.to_lowercase()).copied()),
        };
        match (existing, &p.guid) {
            (Some(id), _) => {
                prin_map.insert(p.legacy_id, id);
            }
            (None, Some(_)) => {
                next_prin += 1;
                prin_map.insert(p.legacy_id, next_prin);
                new_prins.push(p.legacy_id);
            }
            (None, None) => unprovisioned.push(
                p.upn
                    .clone()
                    .unwrap_or_else(|| format!("principal {}", p.legacy_id)),
            ),
        }
    }
    if !unprovisioned.is_empty() {
        let shown: Vec<&str> = unprovisioned.iter().take(10).map(String::as_str).collect();
        warnings.push(preflight::warning(
            severity::WARNING,
            codes::PRINCIPAL_NOT_PROVISIONED,
            &format!("{} principals", unprovisioned.len()),
            format!(
                "no GUID in the package and no principal with the same user principal name on the target ({}{}): \
                 their roles and scopes are left out; they must exist in AD and be synchronised to the pool first",
                shown.join(", "),
                if unprovisioned.len() > shown.len() { ", …" } else { "" }
            ),
        ));
    }
    // system principals of the package map to the target's system principal
    for p in &contents.directory.principals {
        if p.type_id == Some(super::model::ptype::SYSTEM_USER) {
            prin_map.insert(p.id, state.system_prin_id);
        }
    }
    let mut next_node = state.max_node_id;
    let mut cat_nodes = HashMap::new();
    for c in &conv.categories {
        match state.categories.get(&c.name.to_lowercase()) {
            Some(existing) => {
                cat_nodes.insert(c.legacy_id, existing.id);
                if sections.categories {
                    overwritten.push(format!("category: {}", existing.name));
                    warnings.push(preflight::warning(
                        severity::WARNING,
                        codes::OVERWRITE,
                        &c.name,
                        format!(
                            "a category \"{}\" already exists on the target (nodeID {}): the import overwrites its \
                             settings, scope and roles; back up the mgc database first (Stage 4) if it must be kept",
                            existing.name, existing.id
                        ),
                    ));
                }
            }
            None if sections.categories => {
                next_node += 1;
                cat_nodes.insert(c.legacy_id, next_node);
            }
            None => {}
        }
    }
    let mut room_nodes = HashMap::new();
    for room in &conv.rooms {
        match state.rooms.get(&room.name.to_lowercase()) {
            Some(existing) => {
                room_nodes.insert(room.legacy_id, existing.id);
                if sections.rooms || sections.content {
                    let what = match (sections.rooms, sections.content) {
                        (true, true) => "settings, roles and messages",
                        (true, false) => "settings and roles (its messages stay)",
                        _ => "messages",
                    };
                    if sections.rooms {
                        overwritten.push(format!("room: {}", existing.name));
                    }
                    warnings.push(preflight::warning(
                        severity::WARNING,
                        codes::OVERWRITE,
                        &room.name,
                        format!(
                            "a room \"{}\" already exists on the target (nodeID {}): the import overwrites its {what}; \
                             back up the mgc database first (Stage 4) if it must be kept",
                            existing.name, existing.id
                        ),
                    ));
                }
            }
            None if sections.rooms && cat_nodes.contains_key(&room.category_legacy_id) => {
                next_node += 1;
                room_nodes.insert(room.legacy_id, next_node);
            }
            None => warnings.push(preflight::warning(
                severity::ERROR,
                codes::ROOM_NOT_ON_TARGET,
                &room.name,
                if sections.rooms {
                    format!("its category \"{}\" is neither in the package nor on the target: not imported", room.category)
                } else {
                    "the package carries this room's content only and the room does not exist on the target: its messages \
                     are not imported (import a RoomDirectory or All package first)"
                        .into()
                },
            )),
        }
    }
    let mut addin_map = HashMap::new();
    if sections.rooms {
        for a in &conv.addins {
            let same_id = state.addins.iter().find(|t| t.id == a.id);
            let same_name = state
                .addins
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&a.name));
            let target_id = match same_id.or(same_name) {
                Some(t) => {
                    overwritten.push(format!("add-in: {}", t.name));
                    warnings.push(preflight::warning(
                        severity::WARNING,
                        codes::OVERWRITE,
                        &a.name,
                        format!(
                            "an add-in \"{}\" ({}) already exists on the target: the import overwrites its name and URL",
                            t.name, t.id
                        ),
                    ));
                    t.id.clone()
                }
                None => a.id.clone(),
            };
            addin_map.insert(a.id.clone(), target_id);
        }
    }
    Plan {
        conv,
        state,
        prin_map,
        new_prins,
        cat_nodes,
        room_nodes,
        addin_map,
        sections,
        overwritten,
        warnings,
    }
}

/// The pool check: `Ok(None)` when the package names the target's pool or either is
/// unknown; `Ok(Some(warning))` when they differ and the admin allowed it; an error naming
/// the entry that names the pool otherwise.
pub(crate) fn pool_check(
    package: &Path,
    contents: &PackageContents,
    target_pool: Option<&str>,
    allow: bool,
) -> Result<Option<PreflightWarning>, ChatDataError> {
    let (Some(pkg), Some(target)) = (contents.pool_fqdn.as_deref(), target_pool) else {
        return Ok(None);
    };
    if pkg.eq_ignore_ascii_case(target.trim()) {
        return Ok(None);
    }
    if allow {
        return Ok(Some(preflight::warning(
            severity::WARNING,
            codes::OTHER_POOL,
            pkg,
            format!(
                "the package was exported for pool {pkg}, the target is {target}; importing anyway as allowed \
                 (only one legacy pool migrates into one Persistent Chat pool)"
            ),
        )));
    }
    Err(ChatDataError::Package {
        path: package.to_path_buf(),
        entry: contents
            .pool_entry
            .clone()
            .unwrap_or_else(|| "(archive)".into()),
        message: format!(
            "the package names pool {pkg} but the target database belongs to {target}: refusing to import a package \
             from another pool (pass allow_other_pool / --allow-other-pool if this is intended)"
        ),
    })
}

/// The package, read up to its content, and converted.
pub(crate) struct Prepared {
    pub(crate) reader: PackageReader,
    pub(crate) contents: PackageContents,
    /// What the target holds if the run is cancelled while reading: nothing, or the partial
    /// import an earlier run left (a resumed run writes nothing before it has read).
    pub(crate) left_if_cancelled: super::Left,
}

pub(crate) fn prepare(
    package: &Path,
    limits: PackageLimits,
    r: &dyn Reporter,
) -> Result<Prepared, ChatDataError> {
    let mut reader = PackageReader::open(package, limits)?;
    let contents = reader.read_directory()?;
    for n in &contents.notes {
        r.log(format!("package: {n}"));
    }
    Ok(Prepared {
        reader,
        contents,
        left_if_cancelled: super::Left::Nothing,
    })
}

/// One checking pass over content entries `from..`, feeding `scan` and `sink`; `after` runs
/// after each entry (with the entry number). Checks that each message's room and poster are
/// defined by the package.
pub(crate) fn scan_content(
    prep: &mut Prepared,
    from: usize,
    scan: &mut ContentScan,
    phase: &str,
    r: &dyn Reporter,
    mut sink: impl FnMut(&Message) -> Result<(), ChatDataError>,
    mut after: impl FnMut(usize, &ContentScan) -> Result<(), ChatDataError>,
) -> Result<(), ChatDataError> {
    let d = &prep.contents.directory;
    let known_rooms: HashSet<i64> = d.rooms().map(|n| n.id).collect();
    let known_prins = IdMap::new(d.principals.iter().map(|p| (p.id, ())));
    let total = prep
        .contents
        .manifest
        .as_ref()
        .map_or(0, |m| m.counts.messages);
    let mut last_room = i64::MIN;
    let left = prep.left_if_cancelled.clone();
    prep.reader.read_content(
        from,
        scan,
        |m| {
            if m.room_id != last_room {
                if !known_rooms.contains(&m.room_id) {
                    return Err(ChatDataError::Package {
                        path: PathBuf::new(),
                        entry: String::new(),
                        message: format!(
                            "messages for room id {} which the package does not define; re-run the export",
                            m.room_id
                        ),
                    });
                }
                last_room = m.room_id;
            }
            if known_prins.get(m.poster_id).is_none() {
                return Err(ChatDataError::Package {
                    path: PathBuf::new(),
                    entry: String::new(),
                    message: format!(
                        "a message of room id {} (chatID {}) is posted by principal id {} which the package does not define; re-run the export",
                        m.room_id, m.chat_id, m.poster_id
                    ),
                });
            }
            sink(m)
        },
        |k, scan| {
            r.progress(ProgressUpdate {
                phase: phase.into(),
                done: scan.messages(),
                total,
                bytes: scan.bytes(),
            });
            after(k, scan)?;
            if r.is_cancelled() {
                return Err(ChatDataError::Cancelled(super::Cancellation {
                    phase: phase.into(),
                    left: left.clone(),
                }));
            }
            Ok(())
        },
    )
}

/// A map from (mostly small, non-negative) legacy ids to values: a vector for ids below
/// [`DENSE_LIMIT`], a hash map for the rest (real packages may carry synthetic negative ids).
pub(crate) struct IdMap<V: Copy> {
    dense: Vec<Option<V>>,
    sparse: HashMap<i64, V>,
}

const DENSE_LIMIT: i64 = 1 << 24;

impl<V: Copy> IdMap<V> {
    pub(crate) fn new(items: impl IntoIterator<Item = (i64, V)>) -> IdMap<V> {
        let mut m = IdMap {
            dense: Vec::new(),
            sparse: HashMap::new(),
        };
        for (k, v) in items {
            if (0..DENSE_LIMIT).contains(&k) {
                let i = k as usize;
                if m.dense.len() <= i {
                    m.dense.resize(i + 1, None);
                }
                m.dense[i] = Some(v);
            } else {
                m.sparse.insert(k, v);
            }
        }
        m
    }

    #[inline]
    pub(crate) fn get(&self, k: i64) -> Option<V> {
        if (0..DENSE_LIMIT).contains(&k) {
            self.dense.get(k as usize).copied().flatten()
        } else {
            self.sparse.get(&k).copied()
        }
    }
}

/// The full warnings list: conversion, content, plan, pool.
pub(crate) fn all_warnings(
    conv: &Converted,
    stats: Option<&ContentStats>,
    plan_warnings: &[PreflightWarning],
    pool: Option<&PreflightWarning>,
) -> Vec<PreflightWarning> {
    let mut w = conv.warnings.clone();
    if let Some(s) = stats {
        w.extend(super::convert::file_post_warnings(conv, s));
    }
    w.extend(plan_warnings.iter().cloned());
    w.extend(pool.cloned());
    preflight::finalize(w)
}

fn summary_of(
    p: &Plan,
    contents: &PackageContents,
    stats: &ContentStats,
    warnings: Vec<PreflightWarning>,
) -> ImportSummary {
    let importable: u64 = if p.sections.content {
        stats
            .rooms
            .iter()
            .filter(|(id, _)| p.room_nodes.contains_key(id))
            .map(|(_, c)| c.messages)
            .sum()
    } else {
        0
    };
    ImportSummary {
        what_if: false,
        categories: if p.sections.categories {
            p.cat_nodes.len() as u64
        } else {
            0
        },
        rooms: if p.sections.rooms {
            p.room_nodes.len() as u64
        } else {
            0
        },
        principals: p
            .conv
            .principals
            .iter()
            .filter(|t| p.prin_map.contains_key(&t.legacy_id))
            .count() as u64,
        principals_in_package: contents.directory.principals.len() as u64,
        principals_left_out: principals_left_out(p, contents),
        messages: importable,
        messages_skipped: stats.messages - importable,
        digest: preflight::digest(&contents.package_id, &warnings),
        warnings,
        overwritten: p.overwritten.clone(),
        package_notes: contents.notes.clone(),
        package_id: contents.package_id.clone(),
        ..ImportSummary::default()
    }
}

/// Every principal of the package the import does not write, with why: the package's
/// system principals (the target's own system principal stands in for them) and principals
/// that cannot be provisioned. With [`ImportSummary::principals`] they add up to the package's
/// count.
fn principals_left_out(p: &Plan, contents: &PackageContents) -> Vec<String> {
    let imported: HashSet<i64> = p
        .conv
        .principals
        .iter()
        .filter(|t| p.prin_map.contains_key(&t.legacy_id))
        .map(|t| t.legacy_id)
        .collect();
    contents
        .directory
        .principals
        .iter()
        .filter(|x| !imported.contains(&x.id))
        .map(|x| {
            let why = if x.type_id == Some(super::model::ptype::SYSTEM_USER) {
                "system principal: the target's own system principal stands in for it"
            } else {
                "not provisioned on the target (no GUID, no matching user principal name)"
            };
            format!("{} ({why})", x.uri)
        })
        .collect()
}

/// What the publication needs, recorded in `import_progress.plan` so that a resumed run
/// continues with exactly the same ids.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct PublishPlan {
    /// Legacy room id → target nodeID, for rooms whose content is imported.
    rooms: BTreeMap<i64, i64>,
    /// Legacy prinID → target prinID.
    principals: BTreeMap<i64, i64>,
    /// The target's system principal (posters the package maps nowhere).
    system: i64,
    /// Legacy rooms renumbered in chatDate order at the end.
    unordered: BTreeSet<i64>,
    /// Planned target nodes (categories and rooms) → name, checked on a rerun.
    nodes: BTreeMap<i64, String>,
    /// The summary as computed before writing (no timings).
    summary: ImportSummary,
    /// The target's journal mode before the import (restored at the end).
    journal: String,
}

impl PublishPlan {
    /// What the target holds after `done` messages were committed (`this_run` by this run).
    fn partial(&self, done: u64, this_run: u64) -> super::Left {
        super::Left::PartialImport {
            categories: self.summary.categories,
            rooms: self.summary.rooms,
            principals: self.summary.principals,
            messages: done,
            total: self.summary.messages,
            this_run,
        }
    }
}

/// Per-room result recorded at completion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct RoomResult {
    messages: u64,
    first: Option<i64>,
    last: Option<i64>,
    sha256: String,
}

/// SHA-256 over a room's rows as stored: (chatDate, userId, isAlert, content) in chatId order.
#[derive(Clone, Default)]
struct RowDigest {
    h: Sha256,
    n: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl RowDigest {
    fn update(&mut self, date: i64, user: i64, alert: bool, content: &str) {
        self.h.update(date.to_be_bytes());
        self.h.update(user.to_be_bytes());
        self.h.update([u8::from(alert)]);
        self.h.update((content.len() as u64).to_be_bytes());
        self.h.update(content.as_bytes());
        self.n += 1;
        self.first = Some(self.first.map_or(date, |f| f.min(date)));
        self.last = Some(self.last.map_or(date, |l| l.max(date)));
    }

    fn finish(self) -> RoomResult {
        RoomResult {
            messages: self.n,
            first: self.first,
            last: self.last,
            sha256: hex::encode(self.h.finalize()),
        }
    }
}

fn digest_from_target(
    conn: &rusqlite::Connection,
    path: &Path,
    node: i64,
) -> Result<RoomResult, ChatDataError> {
    let mut st = conn
        .prepare_cached(
            "SELECT chatDate, userId, isAlert, content FROM tblChat WHERE channelId = ?1 ORDER BY chatId",
        )
        .map_err(ChatDataError::sqlite(path, "read back imported messages"))?;
    let mut rows = st
        .query([node])
        .map_err(ChatDataError::sqlite(path, "read back imported messages"))?;
    let mut d = RowDigest::default();
    while let Some(row) = rows
        .next()
        .map_err(ChatDataError::sqlite(path, "read back imported messages"))?
    {
        let e = ChatDataError::sqlite(path, "read back imported messages");
        let content = row.get_ref(3).map_err(e)?;
        let text = content.as_str().unwrap_or("");
        d.update(
            row.get(0)
                .map_err(ChatDataError::sqlite(path, "read back"))?,
            row.get(1)
                .map_err(ChatDataError::sqlite(path, "read back"))?,
            row.get::<_, i64>(2)
                .map_err(ChatDataError::sqlite(path, "read back"))?
                != 0,
            text,
        );
    }
    Ok(d.finish())
}

/// A row of `import_progress`.
struct ProgressRow {
    package_id: String,
    state: String,
    plan: String,
    stage_offset: u64,
    messages_done: u64,
    cursor: String,
    result: Option<String>,
}

fn read_progress(db: &MgcDb) -> Result<Vec<ProgressRow>, ChatDataError> {
    let c = &db.conn;
    let path = db.path();
    let exists: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='import_progress'",
            [],
            |r| r.get(0),
        )
        .map_err(ChatDataError::sqlite(path, "read the schema"))?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let mut st = c
        .prepare(
            "SELECT packageId, state, plan, stageOffset, messagesDone, cursor, result FROM import_progress ORDER BY packageId",
        )
        .map_err(ChatDataError::sqlite(path, "read import_progress"))?;
    let rows = st
        .query_map([], |r| {
            Ok(ProgressRow {
                package_id: r.get(0)?,
                state: r.get(1)?,
                plan: r.get(2)?,
                stage_offset: r.get::<_, i64>(3)? as u64,
                messages_done: r.get::<_, i64>(4)? as u64,
                cursor: r.get(5)?,
                result: r.get(6)?,
            })
        })
        .map_err(ChatDataError::sqlite(path, "read import_progress"))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.map_err(ChatDataError::sqlite(path, "read import_progress"))?);
    }
    Ok(out)
}

const STATE_PUBLISHING: &str = "publishing";
const STATE_COMPLETE: &str = "complete";

fn json_err(path: &Path, what: &str, e: serde_json::Error) -> ChatDataError {
    ChatDataError::Schema {
        path: path.to_path_buf(),
        message: format!(
            "import_progress: cannot read the recorded {what} ({e}); run the import with restart"
        ),
    }
}

/// Imports `package` into the `mgc` database at `mgc_db` (see the module docs).
///
/// # Errors
/// [`ChatDataError::Package`] for a package that fails to read, fails its checks or names
/// another pool (nothing written); SQLite errors naming the room; [`ChatDataError::Cancelled`]
/// (resumable: run again); [`ChatDataError::Schema`] when a finished import no longer matches
/// the target or another package's import is unfinished.
pub fn import(
    package: &Path,
    mgc_db: &Path,
    opts: &ImportOptions,
    r: &dyn Reporter,
) -> Result<ImportSummary, ChatDataError> {
    let started = Instant::now();
    let mut prep = prepare(package, opts.limits, r)?;
    let id = prep.contents.package_id.clone();
    let target = MgcDb::open_read_only(mgc_db)?;
    let target_pool = opts
        .target_pool_fqdn
        .clone()
        .or_else(|| target.pool_fqdn().ok().flatten());
    let pool_warning = pool_check(
        package,
        &prep.contents,
        target_pool.as_deref(),
        opts.allow_other_pool,
    )?;
    let progress = read_progress(&target)?;
    let mine = progress.iter().find(|p| p.package_id == id);
    if !opts.what_if && !opts.restart {
        if let Some(row) = mine.filter(|p| p.state == STATE_COMPLETE) {
            return rerun_complete(&target, row, started, r);
        }
        if let Some(other) = progress
            .iter()
            .find(|p| p.package_id != id && p.state == STATE_PUBLISHING)
        {
            return Err(ChatDataError::Schema {
                path: mgc_db.to_path_buf(),
                message: format!(
                    "an import of another package (id {}…) is unfinished on this target: run that import again to finish it, \
                     or import with restart to abandon it",
                    &other.package_id[..other.package_id.len().min(12)]
                ),
            });
        }
    }
    let resume = if opts.what_if || opts.restart {
        None
    } else {
        mine.filter(|p| p.state == STATE_PUBLISHING)
    };

    if opts.what_if {
        let state = target.read_state()?;
        drop(target);
        let conv = convert(&prep.contents.directory);
        let p = plan(&prep.contents, conv, state);
        let keep_stage = !progress.iter().any(|row| {
            (row.package_id == id && row.state == STATE_COMPLETE)
                || (row.package_id != id && row.state == STATE_PUBLISHING)
        });
        let stats = what_if_scan(&mut prep, mgc_db, keep_stage, r)?;
        let warnings = all_warnings(&p.conv, Some(&stats), &p.warnings, pool_warning.as_ref());
        let mut summary = summary_of(&p, &prep.contents, &stats, warnings);
        summary.what_if = true;
        log_warnings(&summary, r);
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        let c = preflight::Counts::of_warnings(&summary.warnings);
        r.log(format!(
            "import (what-if): would write {} categories, {} rooms, {} principals, {} messages; {}; nothing was written",
            summary.categories,
            summary.rooms,
            summary.principals,
            summary.messages,
            c.phrase()
        ));
        return Ok(summary);
    }

    // ---- plan (fresh, or the recorded one) ----------------------------------------------
    let role_ids = target.role_ids()?;
    let fresh = match resume {
        Some(_) => None,
        None => {
            let state = target.read_state()?;
            let conv = convert(&prep.contents.directory);
            Some(plan(&prep.contents, conv, state))
        }
    };
    let resume_row = resume.map(|row| ProgressRow {
        package_id: row.package_id.clone(),
        state: row.state.clone(),
        plan: row.plan.clone(),
        stage_offset: row.stage_offset,
        messages_done: row.messages_done,
        cursor: row.cursor.clone(),
        result: row.result.clone(),
    });
    drop(progress);
    drop(target);
    if let Some(row) = &resume_row
        && let Ok(recorded) = serde_json::from_str::<PublishPlan>(&row.plan)
    {
        prep.left_if_cancelled = recorded.partial(row.messages_done, 0);
    }

    // ---- stage ----------------------------------------------------------------------
    let paths = StagePaths::for_target(mgc_db);
    if opts.restart {
        paths.remove();
    }
    let stats = stage_package(&mut prep, &paths, r)?;

    // ---- publish ----------------------------------------------------------------------
    let (pplan, resumed) = match (&fresh, &resume_row) {
        (Some(p), _) => {
            let warnings = all_warnings(&p.conv, Some(&stats), &p.warnings, pool_warning.as_ref());
            let summary = summary_of(p, &prep.contents, &stats, warnings);
            log_warnings(&summary, r);
            let mut nodes = BTreeMap::new();
            for c in &p.conv.categories {
                if let (true, Some(&n)) = (p.sections.categories, p.cat_nodes.get(&c.legacy_id)) {
                    nodes.insert(n, c.name.clone());
                }
            }
            for room in &p.conv.rooms {
                if let (true, Some(&n)) = (p.sections.rooms, p.room_nodes.get(&room.legacy_id)) {
                    nodes.insert(n, room.name.clone());
                }
            }
            let pp = PublishPlan {
                rooms: if p.sections.content {
                    p.room_nodes.iter().map(|(a, b)| (*a, *b)).collect()
                } else {
                    BTreeMap::new()
                },
                principals: p.prin_map.iter().map(|(a, b)| (*a, *b)).collect(),
                system: p.state.system_prin_id,
                unordered: stats.unordered.clone(),
                nodes,
                summary,
                journal: String::new(),
            };
            (pp, false)
        }
        (None, Some(row)) => {
            let pp: PublishPlan =
                serde_json::from_str(&row.plan).map_err(|e| json_err(mgc_db, "plan", e))?;
            r.log(format!(
                "import: resuming the unfinished import of this package after {} messages",
                row.messages_done
            ));
            (pp, true)
        }
        (None, None) => unreachable!("either a fresh plan or a recorded one"),
    };
    let mut summary = pplan.summary.clone();
    let (batches, written) = publish(
        mgc_db,
        &paths,
        &id,
        &pplan,
        fresh.as_ref().map(|p| (p, &prep.contents, &role_ids)),
        resume_row.as_ref(),
        opts,
        r,
    )?;
    paths.remove();
    summary.resumed = resumed;
    summary.batches = batches;
    summary.messages_this_run = written;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    let c = preflight::Counts::of_warnings(&summary.warnings);
    r.log(format!(
        "import: wrote {} categories, {} rooms, {} principals, {} messages in {} ms ({} batches{}; {}, {} items overwritten)",
        summary.categories,
        summary.rooms,
        summary.principals,
        summary.messages,
        summary.elapsed_ms,
        batches,
        if resumed { ", resumed" } else { "" },
        c.phrase(),
        summary.overwritten.len()
    ));
    Ok(summary)
}

/// The what-if's checking pass over the content. With `keep_stage`, what it reads is also
/// written to the stage next to the target, synced once and marked complete after the
/// manifest check, for the import to publish without reading the package again; a stage
/// that cannot be written is given up (logged), not an error of the preview.
fn what_if_scan(
    prep: &mut Prepared,
    mgc_db: &Path,
    keep_stage: bool,
    r: &dyn Reporter,
) -> Result<ContentStats, ChatDataError> {
    let paths = StagePaths::for_target(mgc_db);
    let id = prep.contents.package_id.clone();
    let give_up = |paths: &StagePaths, e: &ChatDataError| {
        paths.remove();
        r.log(format!(
            "import (what-if): cannot keep the checked content for the import ({e}); the import will read the package itself"
        ));
    };
    let mut writer = None;
    if keep_stage {
        // an older stage (of this package or another) must not outlive a half-written one
        paths.remove();
        match StageWriter::create(&paths, &id) {
            Ok(w) => writer = Some(w),
            Err(e) => give_up(&paths, &e),
        }
    }
    let mut scan = prep.reader.content_scan();
    let read = scan_content(
        prep,
        0,
        &mut scan,
        "check package",
        r,
        |m| {
            if let Some(w) = writer.as_mut()
                && let Err(e) = w.write(m)
            {
                writer = None;
                give_up(&paths, &e);
            }
            Ok(())
        },
        |_, _| Ok(()),
    );
    let stats = scan.finish();
    let checked = read.and_then(|()| prep.reader.check_manifest(&stats));
    let Some(mut w) = writer else {
        return checked.map(|()| stats);
    };
    if let Err(e) = checked {
        drop(w);
        paths.remove();
        return Err(e);
    }
    let kept = w.sync().and_then(|len| {
        drop(w);
        stage::save_checkpoint(
            &paths,
            &StageCheckpoint {
                package_id: id,
                entries_done: prep.reader.content_count(),
                stage_len: len,
                complete: true,
                stats: Some(stats.clone()),
            },
        )
    });
    if let Err(e) = kept {
        give_up(&paths, &e);
    }
    Ok(stats)
}

fn log_warnings(summary: &ImportSummary, r: &dyn Reporter) {
    for w in &summary.warnings {
        if w.severity != severity::INFO {
            r.log(format!(
                "import: {} {} [{}]: {}",
                w.severity, w.code, w.item, w.message
            ));
        }
    }
}

/// Phase 2: stages the content (resuming from a checkpoint of the same package), or loads
/// the totals of a complete stage.
fn stage_package(
    prep: &mut Prepared,
    paths: &StagePaths,
    r: &dyn Reporter,
) -> Result<ContentStats, ChatDataError> {
    let id = prep.contents.package_id.clone();
    let ck = stage::load_checkpoint(paths).filter(|c| c.package_id == id);
    if let Some(StageCheckpoint {
        complete: true,
        stats: Some(stats),
        stage_len,
        ..
    }) = &ck
        && paths.data.metadata().is_ok_and(|m| m.len() >= *stage_len)
    {
        r.log("import: the package was already read and staged; continuing".into());
        return Ok(stats.clone());
    }
    let mut scan = prep.reader.content_scan();
    let (mut writer, from) = match ck.filter(|c| !c.complete && c.entries_done > 0) {
        Some(c) if paths.data.metadata().is_ok_and(|m| m.len() >= c.stage_len) => {
            // rebuild the totals from what is staged, then continue after it
            let mut rd = StageReader::open(paths, &id, 0, c.stage_len)?;
            let mut m = Message::default();
            while rd.next(&mut m)? {
                let guid = prep.reader.poster_guid(m.poster_id).to_string();
                scan.add(&m, &guid);
            }
            r.log(format!(
                "import: resuming the reading of the package after {} of {} content files",
                c.entries_done,
                prep.reader.content_count()
            ));
            (StageWriter::reopen(paths, c.stage_len)?, c.entries_done)
        }
        _ => (StageWriter::create(paths, &id)?, 0),
    };
    let result = (|| {
        let w = std::cell::RefCell::new(&mut writer);
        scan_content(
            prep,
            from,
            &mut scan,
            "read package",
            r,
            |m| w.borrow_mut().write(m),
            |k, _| {
                let len = w.borrow_mut().sync()?;
                stage::save_checkpoint(
                    paths,
                    &StageCheckpoint {
                        package_id: id.clone(),
                        entries_done: k + 1,
                        stage_len: len,
                        complete: false,
                        stats: None,
                    },
                )
            },
        )?;
        let len = writer.sync()?;
        Ok::<u64, ChatDataError>(len)
    })();
    let len = match result {
        Ok(len) => len,
        Err(e @ ChatDataError::Cancelled(_)) => return Err(e),
        Err(e) => {
            // a package that fails to read leaves nothing behind
            drop(writer);
            paths.remove();
            return Err(e);
        }
    };
    drop(writer);
    let stats = scan.finish();
    if let Err(e) = prep.reader.check_manifest(&stats) {
        paths.remove();
        return Err(e);
    }
    stage::save_checkpoint(
        paths,
        &StageCheckpoint {
            package_id: id,
            entries_done: prep.reader.content_count(),
            stage_len: len,
            complete: true,
            stats: Some(stats.clone()),
        },
    )?;
    r.log(format!(
        "import: package read and checked: {} messages in {} rooms",
        stats.messages,
        stats.rooms.len()
    ));
    Ok(stats)
}

/// The next chatId of each started room (legacy room id → next chatId).
type Cursor = BTreeMap<i64, i64>;

#[allow(clippy::too_many_arguments)]
fn publish(
    mgc_db: &Path,
    paths: &StagePaths,
    package_id: &str,
    pp: &PublishPlan,
    fresh: Option<(&Plan, &PackageContents, &BTreeMap<Role, i64>)>,
    resume: Option<&ProgressRow>,
    opts: &ImportOptions,
    r: &dyn Reporter,
) -> Result<(u64, u64), ChatDataError> {
    let e = |what: &str| ChatDataError::sqlite(mgc_db, what.to_string());
    let MgcDb { mut conn, .. } = MgcDb::open_read_write(mgc_db)?;
    let mut pp = pp.clone();
    let journal: String = match resume {
        Some(row) => {
            let recorded: PublishPlan =
                serde_json::from_str(&row.plan).map_err(|x| json_err(mgc_db, "plan", x))?;
            recorded.journal
        }
        None => conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(e("read the journal mode"))?,
    };
    pp.journal = journal.clone();
    let pp = &pp;
    conn.execute_batch(
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA temp_store=FILE; PRAGMA cache_size=-16384;",
    )
    .map_err(e("switch the target to the rollback journal for the bulk load"))?;
    let batch_size = if opts.batch_messages == 0 {
        DEFAULT_BATCH_MESSAGES
    } else {
        opts.batch_messages
    };
    let plan_json = serde_json::to_string(pp).map_err(|x| json_err(mgc_db, "plan", x))?;

    // ---- the directory, in one transaction with the first checkpoint --------------------
    let (offset, mut done, cursor) = match resume {
        Some(row) => (
            row.stage_offset,
            row.messages_done,
            serde_json::from_str::<Cursor>(&row.cursor)
                .map_err(|x| json_err(mgc_db, "cursor", x))?,
        ),
        None => {
            let (p, contents, role_ids) = fresh.expect("a fresh plan when not resuming");
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e("begin the import transaction"))?;
            tx.execute_batch(PROGRESS_DDL)
                .map_err(e("create the import_progress table"))?;
            if opts.restart {
                tx.execute(
                    "DELETE FROM import_progress WHERE packageId = ?1 OR state = ?2",
                    params![package_id, STATE_PUBLISHING],
                )
                .map_err(e("clear earlier import bookkeeping"))?;
            }
            write_directory(&tx, mgc_db, p, contents, role_ids)?;
            {
                let mut del_chat = tx
                    .prepare("DELETE FROM tblChat WHERE channelId = ?1")
                    .map_err(e("clear the messages of an overwritten room"))?;
                let mut del_last = tx
                    .prepare("DELETE FROM tblLastChatId WHERE nodeID = ?1")
                    .map_err(e("clear tblLastChatId"))?;
                for node in pp.rooms.values() {
                    del_chat
                        .execute([node])
                        .map_err(e("clear the messages of an overwritten room"))?;
                    del_last.execute([node]).map_err(e("clear tblLastChatId"))?;
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO import_progress (packageId, state, plan, stageOffset, messagesDone, cursor, result) \
                 VALUES (?1, ?2, ?3, 0, 0, '{}', NULL)",
                params![package_id, STATE_PUBLISHING, plan_json],
            )
            .map_err(e("record the import plan"))?;
            tx.commit().map_err(e("commit the directory"))?;
            r.log(format!(
                "import: directory written ({} categories, {} rooms, {} principals); publishing {} messages in batches of {batch_size}",
                pp.summary.categories, pp.summary.rooms, pp.summary.principals, pp.summary.messages
            ));
            (0, 0, Cursor::new())
        }
    };
    let total = pp.summary.messages;
    let stage_end = stage::load_checkpoint(paths)
        .filter(|c| c.complete && c.package_id == package_id)
        .map(|c| c.stage_len)
        .ok_or_else(|| ChatDataError::Schema {
            path: paths.data.clone(),
            message: "the import stage is incomplete; run the import again".into(),
        })?;
    let reader = StageReader::open(paths, package_id, offset, stage_end)?;
    let mut batches = 0u64;
    let started_at = done;
    let cancelled = |done: u64| {
        ChatDataError::Cancelled(super::Cancellation {
            phase: "messages".into(),
            left: pp.partial(done, done - started_at),
        })
    };
    let insert_sql = |rows: usize| {
        let mut sql = String::from(
            "INSERT OR FAIL INTO tblChat (channelId, chatId, chatDate, userId, isAlert, content, rtf) VALUES ",
        );
        for i in 0..rows {
            sql.push_str(if i == 0 { "" } else { "," });
            sql.push_str("(?,?,?,?,?,?,NULL)");
        }
        sql
    };
    let (one_sql, many_sql) = (insert_sql(1), insert_sql(ROWS_PER_INSERT));
    // Three threads: the feeder reads the stage and gives each message its target ids, this
    // one inserts (SQLite's work, the long pole, alone on its core), and the digester computes
    // the rows' digests from the chunks already inserted (SHA-256 over the content), then
    // hands the chunks back to the feeder for reuse: no allocation per message once a few
    // chunks exist.
    std::thread::scope(|scope| -> Result<(u64, u64), ChatDataError> {
        let (to_digest, chunks_in) = std::sync::mpsc::sync_channel::<(Vec<PublishRow>, usize)>(4);
        let (chunks_back, recycled) = std::sync::mpsc::channel::<Vec<PublishRow>>();
        let (feed_tx, feed) = std::sync::mpsc::sync_channel::<Feed>(FEED_CHUNKS);
        let mut digester = Some(scope.spawn(move || {
            let mut digests: HashMap<i64, RowDigest> = HashMap::new();
            for (chunk, filled) in chunks_in {
                for row in chunk[..filled].iter().filter(|row| row.digest) {
                    digests.entry(row.node).or_default().update(
                        row.m.date,
                        row.user,
                        row.m.is_alert,
                        &row.m.content,
                    );
                }
                let _ = chunks_back.send(chunk);
            }
            digests
        }));
        let feeder = Feeder {
            reader,
            rooms: &pp.rooms,
            posters: IdMap::new(pp.principals.iter().map(|(a, b)| (*a, *b))),
            system: pp.system,
            cursor,
            digesting: HashSet::new(),
            batch_size,
            recycled,
            out: feed_tx,
        };
        std::thread::Builder::new()
            .name("import-feed".into())
            .spawn_scoped(scope, move || feeder.run())
            .map_err(|x| ChatDataError::Io {
                path: paths.data.clone(),
                action: "start reading the import stage".into(),
                source: x,
            })?;
        let mut to_digest = Some(to_digest);
        let mut bytes = 0u64;
        loop {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(e("begin a message batch"))?;
            let (mut in_batch, mut batch_bytes) = (0u64, 0u64);
            let end = {
                let mut one =
                    BulkInsert::prepare(&tx, &one_sql).map_err(e("prepare the message insert"))?;
                let mut many =
                    BulkInsert::prepare(&tx, &many_sql).map_err(e("prepare the message insert"))?;
                loop {
                    match feed.recv() {
                        Ok(Feed::Rows(chunk, filled, chunk_bytes)) => {
                            let before = in_batch;
                            in_batch += filled as u64;
                            batch_bytes += chunk_bytes;
                            if before / PROGRESS_MESSAGES != in_batch / PROGRESS_MESSAGES {
                                r.progress(ProgressUpdate {
                                    phase: "import messages".into(),
                                    done: done + in_batch,
                                    total,
                                    bytes: bytes + batch_bytes,
                                });
                            }
                            for part in chunk[..filled].chunks(ROWS_PER_INSERT) {
                                if part.len() == ROWS_PER_INSERT {
                                    insert_rows(&mut many, part, mgc_db)?;
                                } else {
                                    // a batch's last rows (fewer than a statement's), one
                                    // statement each
                                    for row in part.chunks(1) {
                                        insert_rows(&mut one, row, mgc_db)?;
                                    }
                                }
                            }
                            if let Some(t) = &to_digest {
                                let _ = t.send((chunk, filled));
                            }
                        }
                        Ok(Feed::BatchEnd(end)) => break end,
                        Ok(Feed::Failed(x)) => return Err(x),
                        Err(_) => {
                            return Err(ChatDataError::Schema {
                                path: paths.data.clone(),
                                message: "the thread reading the import stage stopped; run the import again".into(),
                            });
                        }
                    }
                }
            };
            done += end.messages;
            bytes += batch_bytes;
            let cursor_json =
                serde_json::to_string(&end.cursor).map_err(|x| json_err(mgc_db, "cursor", x))?;
            tx.execute(
                "UPDATE import_progress SET stageOffset = ?2, messagesDone = ?3, cursor = ?4 WHERE packageId = ?1",
                params![package_id, end.offset as i64, done as i64, cursor_json],
            )
            .map_err(e("record the checkpoint"))?;
            if !end.more {
                // every row is inserted: the digests are complete once the thread ends
                drop(to_digest.take());
                let mut d = digester
                    .take()
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .unwrap_or_default();
                finish_publish(&tx, mgc_db, package_id, pp, &end.cursor, &mut d)?;
            }
            tx.commit().map_err(e("commit a message batch"))?;
            if end.messages > 0 {
                batches += 1;
            }
            r.progress(ProgressUpdate {
                phase: "import messages".into(),
                done,
                total,
                bytes,
            });
            if !end.more {
                break;
            }
            if r.is_cancelled() {
                restore_journal(&conn, mgc_db, &journal)?;
                return Err(cancelled(done));
            }
        }
        restore_journal(&conn, mgc_db, &journal)?;
        Ok((batches, done - started_at))
    })
}

/// Chunks the feeder may have ready ahead of the inserting thread.
const FEED_CHUNKS: usize = 8;

/// What the feeder hands the inserting thread.
enum Feed {
    /// A chunk of rows, how many are filled (`FEED_ROWS` except at a batch's end) and their
    /// text bytes.
    Rows(Vec<PublishRow>, usize, u64),
    /// The batch is complete: commit it with this checkpoint.
    BatchEnd(BatchEnd),
    /// The stage could not be read.
    Failed(ChatDataError),
}

/// The checkpoint of a batch, as of its last row.
struct BatchEnd {
    /// Stage offset after the batch.
    offset: u64,
    /// Next chatId per started room after the batch.
    cursor: Cursor,
    /// Messages in the batch.
    messages: u64,
    /// False when the stage is exhausted (this is the last batch).
    more: bool,
}

/// Reads the stage and gives each message its target room node, chatId and poster.
struct Feeder<'a> {
    reader: StageReader,
    /// Legacy room id → target node (rooms whose content is imported).
    rooms: &'a BTreeMap<i64, i64>,
    posters: IdMap<i64>,
    /// The target's system principal (posters the plan does not map).
    system: i64,
    cursor: Cursor,
    /// Rooms published from their first message in this run: their digest is computed on
    /// the way (the others are read back at the end).
    digesting: HashSet<i64>,
    batch_size: u64,
    recycled: std::sync::mpsc::Receiver<Vec<PublishRow>>,
    out: std::sync::mpsc::SyncSender<Feed>,
}

impl Feeder<'_> {
    fn chunk(&self) -> Vec<PublishRow> {
        self.recycled
            .try_recv()
            .unwrap_or_else(|_| (0..FEED_ROWS).map(|_| PublishRow::default()).collect())
    }

    /// Feeds batches until the stage ends or the inserting thread stops listening.
    fn run(mut self) {
        let mut chunk = self.chunk();
        // rows filled in `chunk` and their text bytes
        let (mut filled, mut bytes) = (0usize, 0u64);
        loop {
            let (mut messages, mut more) = (0u64, true);
            let mut cur_room = i64::MIN;
            let mut cur = None;
            while messages < self.batch_size {
                let row = &mut chunk[filled];
                row.m.release_long_text();
                match self.reader.next(&mut row.m) {
                    Ok(true) => {}
                    Ok(false) => {
                        more = false;
                        break;
                    }
                    Err(x) => {
                        let _ = self.out.send(Feed::Failed(x));
                        return;
                    }
                }
                if row.m.room_id != cur_room {
                    cur_room = row.m.room_id;
                    cur = self.rooms.get(&cur_room).map(|&node| {
                        let next = *self.cursor.entry(cur_room).or_insert(1);
                        if next == 1 {
                            self.digesting.insert(node);
                        }
                        (node, self.digesting.contains(&node))
                    });
                }
                // a message of a room not imported: its slot is reused
                let Some((node, digest)) = cur else {
                    continue;
                };
                let next = self.cursor.entry(cur_room).or_insert(1);
                row.node = node;
                row.chat_id = *next;
                row.user = self.posters.get(row.m.poster_id).unwrap_or(self.system);
                row.digest = digest;
                bytes += row.m.content.len() as u64;
                *next += 1;
                messages += 1;
                filled += 1;
                if filled == FEED_ROWS {
                    let full = std::mem::replace(&mut chunk, self.chunk());
                    if self.out.send(Feed::Rows(full, filled, bytes)).is_err() {
                        return;
                    }
                    (filled, bytes) = (0, 0);
                }
            }
            if filled > 0 {
                let part = std::mem::replace(&mut chunk, self.chunk());
                if self.out.send(Feed::Rows(part, filled, bytes)).is_err() {
                    return;
                }
                (filled, bytes) = (0, 0);
            }
            let end = BatchEnd {
                offset: self.reader.pos(),
                cursor: self.cursor.clone(),
                messages,
                more,
            };
            if self.out.send(Feed::BatchEnd(end)).is_err() || !more {
                return;
            }
        }
    }
}

/// Rows per multi-row `INSERT` (one statement for many rows saves SQLite's per-statement
/// work: cursor opening, the descent to the key's leaf, the halt). The statement is
/// `INSERT OR FAIL`: a failing row fails the whole batch (its transaction is rolled back), so
/// SQLite needs no statement journal to undo a half-done statement, which for a multi-row
/// `INSERT OR ABORT` would copy every page it touches.
const ROWS_PER_INSERT: usize = 256;

/// Rows per chunk handed between the import's threads: four statements' worth, so that
/// waking the next thread (a futex call) is paid once per 1 024 rows.
const FEED_ROWS: usize = 4 * ROWS_PER_INSERT;

/// A message on its way into `tblChat`, with its target ids.
#[derive(Default)]
struct PublishRow {
    node: i64,
    chat_id: i64,
    user: i64,
    /// Feeds the room's digest (the room is published from its first message in this run).
    digest: bool,
    m: Message,
}

/// Inserts `rows` with `st`, a statement of `rows.len()` value rows; the texts are bound in
/// place ([`super::direct_sql`]).
fn insert_rows(
    st: &mut BulkInsert<'_>,
    rows: &[PublishRow],
    path: &Path,
) -> Result<(), ChatDataError> {
    let mut values = Vec::with_capacity(rows.len() * 6);
    for row in rows {
        values.extend_from_slice(&[
            Value::Int(row.node),
            Value::Int(row.chat_id),
            Value::Int(row.m.date),
            Value::Int(row.user),
            Value::Int(i64::from(row.m.is_alert)),
            Value::Text(&row.m.content),
        ]);
    }
    st.execute(&values).map_err(|x| ChatDataError::Sqlite {
        path: path.to_path_buf(),
        action: format!(
            "insert a message into room node {}",
            rows.first().map_or(0, |r| r.node)
        ),
        source: x,
    })?;
    Ok(())
}

fn restore_journal(
    conn: &rusqlite::Connection,
    path: &Path,
    journal: &str,
) -> Result<(), ChatDataError> {
    let mode = if journal.eq_ignore_ascii_case("wal") {
        "WAL"
    } else if journal.eq_ignore_ascii_case("memory") || journal.eq_ignore_ascii_case("off") {
        "DELETE"
    } else {
        journal
    };
    conn.execute_batch(&format!(
        "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode={mode};"
    ))
    .map_err(ChatDataError::sqlite(path, "restore the journal mode"))
}

/// The last transaction: renumbering, tblLastChatId, results, state complete.
fn finish_publish(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    package_id: &str,
    pp: &PublishPlan,
    cursor: &Cursor,
    digests: &mut HashMap<i64, RowDigest>,
) -> Result<(), ChatDataError> {
    let e = |what: &str| ChatDataError::sqlite(path, what.to_string());
    let mut renumbered = 0;
    let mut results: BTreeMap<i64, RoomResult> = BTreeMap::new();
    for (legacy, node) in &pp.rooms {
        let n = cursor.get(legacy).copied().unwrap_or(1) - 1;
        let reorder = pp.unordered.contains(legacy);
        if reorder {
            renumber(tx, path, *node)?;
            renumbered += 1;
        }
        tx.execute(
            "INSERT INTO tblLastChatId (nodeID, lastChatID) VALUES (?1, ?2)",
            params![node, n],
        )
        .map_err(e("write tblLastChatId"))?;
        let result = match digests.remove(node) {
            Some(d) if !reorder => d.finish(),
            _ => digest_from_target(tx, path, *node)?,
        };
        results.insert(*node, result);
    }
    let json = serde_json::to_string(&results).map_err(|x| json_err(path, "result", x))?;
    tx.execute(
        "UPDATE import_progress SET state = ?2, result = ?3 WHERE packageId = ?1",
        params![package_id, STATE_COMPLETE, json],
    )
    .map_err(e("record the import as complete"))?;
    let _ = renumbered;
    Ok(())
}

/// A rerun after completion: nothing is written; the target is checked against the recorded
/// result.
fn rerun_complete(
    target: &MgcDb,
    row: &ProgressRow,
    started: Instant,
    r: &dyn Reporter,
) -> Result<ImportSummary, ChatDataError> {
    let path = target.path();
    let pp: PublishPlan = serde_json::from_str(&row.plan).map_err(|e| json_err(path, "plan", e))?;
    let results: BTreeMap<i64, RoomResult> =
        serde_json::from_str(row.result.as_deref().unwrap_or("{}"))
            .map_err(|e| json_err(path, "result", e))?;
    let mismatch = |what: String| ChatDataError::Schema {
        path: path.to_path_buf(),
        message: format!(
            "this package was imported completely before, but the target no longer matches that import ({what}); \
             run the import with restart to import it again"
        ),
    };
    for (node, name) in &pp.nodes {
        let got: Option<String> = target
            .conn
            .query_row(
                "SELECT nodeName FROM tblNode WHERE nodeID = ?1",
                [node],
                |r| r.get(0),
            )
            .optional()
            .map_err(ChatDataError::sqlite(path, "read tblNode"))?;
        if got.as_deref() != Some(name.as_str()) {
            return Err(mismatch(format!(
                "node {node} should be \"{name}\", found {}",
                got.map_or_else(|| "nothing".to_string(), |g| format!("\"{g}\""))
            )));
        }
    }
    for (node, want) in &results {
        let got = digest_from_target(&target.conn, path, *node)?;
        if &got != want {
            let name = pp
                .nodes
                .get(node)
                .cloned()
                .unwrap_or_else(|| format!("node {node}"));
            return Err(mismatch(format!(
                "room \"{name}\": {} messages found, {} imported, or their content changed",
                got.messages, want.messages
            )));
        }
    }
    let mut summary = pp.summary;
    summary.already_complete = true;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log(format!(
        "import: this package was imported completely before; nothing to do — the target still holds the same {} messages \
         in {} rooms (checked)",
        summary.messages,
        results.len()
    ));
    Ok(summary)
}

/// Renumbers one room's chatIds 1..n in (chatDate, chatId) order.
fn renumber(tx: &rusqlite::Transaction<'_>, path: &Path, node: i64) -> Result<(), ChatDataError> {
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS temp.renum; \
         CREATE TEMP TABLE renum (old INTEGER PRIMARY KEY, new INTEGER NOT NULL); \
         INSERT INTO temp.renum (old, new) SELECT chatId, ROW_NUMBER() OVER (ORDER BY chatDate, chatId) FROM tblChat WHERE channelId = {node}; \
         UPDATE tblChat SET chatId = -(SELECT new FROM temp.renum WHERE old = tblChat.chatId) WHERE channelId = {node}; \
         UPDATE tblChat SET chatId = -chatId WHERE channelId = {node}; \
         DROP TABLE temp.renum;"
    ))
    .map_err(ChatDataError::sqlite(path, format!("renumber the messages of room node {node}")))
}

fn write_directory(
    tx: &rusqlite::Transaction<'_>,
    path: &Path,
    p: &Plan,
    contents: &PackageContents,
    role_ids: &BTreeMap<Role, i64>,
) -> Result<(), ChatDataError> {
    let e = |what: &str| ChatDataError::sqlite(path, what.to_string());
    let system = p.state.system_prin_id;
    let prin = |legacy: i64| p.prin_map.get(&legacy).copied().unwrap_or(system);

    // add-ins
    if p.sections.rooms {
        for a in &p.conv.addins {
            let target_id = &p.addin_map[&a.id];
            tx.execute(
                "INSERT INTO tblSiopWhiteList (siopID, siopName, siopUrl) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(siopID) DO UPDATE SET siopName = excluded.siopName, siopUrl = excluded.siopUrl",
                params![target_id, a.name, a.url],
            )
            .map_err(e("write tblSiopWhiteList"))?;
        }
    }

    // principals
    {
        let mut upd = tx
            .prepare(
                "UPDATE tblPrincipal SET prinUri=?2, prinName=?3, prinDisplayName=?4, prinCompanyName=?5, prinEmail=?6, \
                 prinADPath=?7, prinADUserPrincipalName=?8, prinDisabled=?9, prinTypeID=?10, prinUpdatedOn=?11, prinVerifiedOn=?12 \
                 WHERE prinID=?1",
            )
            .map_err(e("prepare the principal update"))?;
        let mut ins = tx
            .prepare(
                "INSERT INTO tblPrincipal (prinID, prinGuid, prinUri, prinName, prinDisplayName, prinCompanyName, prinEmail, \
                 prinADPath, prinADUserPrincipalName, prinDisabled, prinTypeID, prinPoolID, prinPolicyID, prinAddedBy, prinAddedOn, \
                 prinUpdatedBy, prinUpdatedOn, prinVerifiedOn) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,NULL,NULL,?12,?13,?12,?14,?15)",
            )
            .map_err(e("prepare the principal insert"))?;
        let new: std::collections::HashSet<i64> = p.new_prins.iter().copied().collect();
        for t in &p.conv.principals {
            let Some(&id) = p.prin_map.get(&t.legacy_id) else {
                continue;
            };
            let verified = if t.verified_on.is_empty() {
                "1900-01-01 00:00:00"
            } else {
                t.verified_on.as_str()
            };
            if new.contains(&t.legacy_id) {
                ins.execute(params![
                    id,
                    t.guid,
                    t.uri,
                    t.name,
                    t.display_name,
                    t.company,
                    t.email,
                    t.ad_path,
                    t.upn,
                    t.disabled,
                    t.type_id,
                    system,
                    t.added_on,
                    t.updated_on,
                    verified
                ])
                .map_err(e("insert principals"))?;
            } else {
                upd.execute(params![
                    id,
                    t.uri,
                    t.name,
                    t.display_name,
                    t.company,
                    t.email,
                    t.ad_path,
                    t.upn,
                    t.disabled,
                    t.type_id,
                    t.updated_on,
                    verified
                ])
                .map_err(e("update principals"))?;
            }
        }
    }
    if p.sections.principals {
        let mut del = tx
            .prepare("DELETE FROM tblPrincipalAffiliations WHERE principalID = ?1")
            .map_err(e("clear affiliations"))?;
        let mut ins = tx
            .prepare("INSERT OR IGNORE INTO tblPrincipalAffiliations (principalID, affiliationID, \"index\", updatedBy) VALUES (?1,?2,?3,?4)")
            .map_err(e("prepare the affiliation insert"))?;
        for t in &p.conv.principals {
            let Some(&id) = p.prin_map.get(&t.legacy_id) else {
                continue;
            };
            del.execute([id]).map_err(e("clear affiliations"))?;
            ins.execute(params![id, id, -1, system])
                .map_err(e("write affiliations"))?;
        }
        for a in &contents.directory.affiliations {
            if let (Some(&who), Some(&grp)) =
                (p.prin_map.get(&a.principal_id), p.prin_map.get(&a.group_id))
            {
                ins.execute(params![who, grp, 1, system])
                    .map_err(e("write affiliations"))?;
            }
        }
    }

    // categories
    let mut node_upd = tx
        .prepare(
            "UPDATE tblNode SET nodeGuid=?2, parentID=?3, nodeType=?4, nodeName=?5, nodeDesc=?6, invite=?7, logged=?8, filePost=?9, \
             disabled=?10, behavior=?11, visibility=?12, siopID=?13, nodeAddedBy=?14, nodeAddedOn=?15, nodeUpdatedBy=?16, \
             nodeUpdatedOn=?17, purgedOn=NULL WHERE nodeID=?1",
        )
        .map_err(e("prepare the node update"))?;
    let mut node_ins = tx
        .prepare(
            "INSERT INTO tblNode (nodeID, nodeGuid, parentID, nodeType, nodeName, nodeDesc, invite, logged, filePost, disabled, \
             behavior, visibility, siopID, nodeAddedBy, nodeAddedOn, nodeUpdatedBy, nodeUpdatedOn, purgedOn) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,NULL)",
        )
        .map_err(e("prepare the node insert"))?;
    let root = if p.state.root_id == 0 {
        ROOT_NODE_ID
    } else {
        p.state.root_id
    };
    let existing_nodes: std::collections::HashSet<i64> = p
        .state
        .categories
        .values()
        .map(|c| c.id)
        .chain(p.state.rooms.values().map(|r| r.id))
        .collect();
    if p.sections.categories {
        let mut scope_ins = tx
            .prepare("INSERT OR IGNORE INTO tblScopePrincipal (scopeNodeID, scopePrinID, scopeIsDenied, scopeUpdatedBy) VALUES (?1,?2,0,?3)")
            .map_err(e("prepare the scope insert"))?;
        for c in &p.conv.categories {
            let Some(&node) = p.cat_nodes.get(&c.legacy_id) else {
                continue;
            };
            let values = params![
                node,
                c.guid,
                root,
                1,
                c.name,
                c.desc,
                c.invite,
                c.logged,
                c.file_post,
                false,
                enumv::NORMAL,
                enumv::SCOPE,
                Option::<String>::None,
                prin(c.added_by),
                c.added_on,
                prin(c.updated_by),
                c.updated_on
            ];
            if existing_nodes.contains(&node) {
                node_upd
                    .execute(values)
                    .map_err(e("overwrite a category"))?;
                tx.execute(
                    "DELETE FROM tblScopePrincipal WHERE scopeNodeID = ?1",
                    [node],
                )
                .map_err(e("clear a category's scope"))?;
                tx.execute(
                    "DELETE FROM tblPrincipalRole WHERE prinRoleNodeID = ?1",
                    [node],
                )
                .map_err(e("clear a category's roles"))?;
            } else {
                node_ins.execute(values).map_err(e("insert a category"))?;
            }
            for s in &c.scope {
                if let Some(&pid) = p.prin_map.get(s) {
                    scope_ins
                        .execute(params![node, pid, system])
                        .map_err(e("write a category's scope"))?;
                }
            }
        }
    }
    if p.sections.rooms {
        let mut role_ins = tx
            .prepare(
                "INSERT OR IGNORE INTO tblPrincipalRole (prinRoleNodeID, prinRolePrinID, prinRoleTypeID, prinRoleUpdatedBy) VALUES (?1,?2,?3,?4)",
            )
            .map_err(e("prepare the role insert"))?;
        for room in &p.conv.rooms {
            let Some(&node) = p.room_nodes.get(&room.legacy_id) else {
                continue;
            };
            let Some(&cat_node) = p.cat_nodes.get(&room.category_legacy_id) else {
                continue;
            };
            let addin = room
                .addin
                .as_ref()
                .and_then(|a| p.addin_map.get(a))
                .cloned();
            let values = params![
                node,
                room.guid,
                cat_node,
                0,
                room.name,
                room.desc,
                room.invite,
                Option::<bool>::None,
                Option::<bool>::None,
                room.disabled,
                room.behavior,
                room.visibility,
                addin,
                prin(room.added_by),
                room.added_on,
                prin(room.updated_by),
                room.updated_on
            ];
            if existing_nodes.contains(&node) {
                node_upd.execute(values).map_err(e("overwrite a room"))?;
                tx.execute(
                    "DELETE FROM tblPrincipalRole WHERE prinRoleNodeID = ?1",
                    [node],
                )
                .map_err(e("clear a room's roles"))?;
            } else {
                node_ins.execute(values).map_err(e("insert a room"))?;
            }
            for role in [Role::Manager, Role::Member, Role::Voiced] {
                for h in room.holders(role) {
                    if let Some(&pid) = p.prin_map.get(h) {
                        role_ins
                            .execute(params![node, pid, role_ids[&role], system])
                            .map_err(e("write a room's roles"))?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chatdata::model::*;
    use crate::chatdata::package::{Manifest, PackageWriter, Sections};
    use crate::progress::NullReporter;

    fn fresh_mgc(dir: &Path) -> PathBuf {
        let path = dir.join("mgc.db");
        let c = rusqlite::Connection::open(&path).unwrap();
        crate::chatdata::schema::create_mgc(&c).unwrap();
        path
    }

    fn directory() -> Directory {
        let node = |id: i64, parent: i64, cat: bool, name: &str| Node {
            id,
            guid: format!("10000000-0000-4000-8000-{id:012}"),
            parent_id: parent,
            is_category: cat,
            name: name.into(),
            desc: format!("new {name}"),
            invite: Some(true),
            behavior: enumv::NORMAL,
            visibility: Some(enumv::SCOPE),
            scope_definer_id: id,
            role_definer_id: id,
            added_by: 1,
            updated_by: 1,
            in_scope: true,
            ..Node::default()
        };
        Directory {
            root_id: Some(1),
            principals: vec![
                Principal {
                    id: 1,
                    guid: Some("S".into()),
                    type_id: Some(ptype::SYSTEM_USER),
                    ..Principal::default()
                },
                Principal {
                    id: 20,
                    guid: Some("20000000-0000-4000-8000-000000000020".into()),
                    type_id: Some(ptype::USER),
                    uri: "sip:a@contoso.lab".into(),
                    ..Principal::default()
                },
                Principal {
                    id: 21,
                    guid: None,
                    type_id: Some(ptype::USER),
                    upn: Some("X@contoso.lab".into()),
                    ..Principal::default()
                },
            ],
            nodes: vec![
                node(1, 1, true, "Root"),
                node(2, 1, true, "Eng"),
                node(10, 2, false, "A"),
            ],
            roles: vec![
                RoleAssignment {
                    node_id: 10,
                    prin_id: 20,
                    role: Role::Member,
                },
                RoleAssignment {
                    node_id: 10,
                    prin_id: 21,
                    role: Role::Manager,
                },
            ],
            ..Directory::default()
        }
    }

    fn package(dir: &Path, d: &Directory, dates: &[i64]) -> PathBuf {
        let path = dir.join("p.zip");
        let mut w = PackageWriter::create(&path, Manifest::default()).unwrap();
        w.write_directory(
            d,
            Sections {
                principals: true,
                categories: true,
                rooms: true,
                content: true,
            },
        )
        .unwrap();
        let room = d.rooms().next().unwrap();
        w.begin_room(room).unwrap();
        for (k, date) in dates.iter().enumerate() {
            let m = Message {
                room_id: room.id,
                chat_id: k as i64 + 1,
                date: *date,
                poster_id: 20,
                is_alert: false,
                content: format!("m{date}"),
            };
            w.write_message(&m, "20000000-0000-4000-8000-000000000020")
                .unwrap();
        }
        w.finish().unwrap();
        path
    }

    fn rows(db: &Path, sql: &str) -> Vec<(i64, String)> {
        let c = rusqlite::Connection::open(db).unwrap();
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn messages_out_of_date_order_are_numbered_in_chat_date_order() {
        let dir = tempfile::tempdir().unwrap();
        let mgc = fresh_mgc(dir.path());
        let pkg = package(dir.path(), &directory(), &[30, 10, 20, 10]);
        let s = import(
            &pkg,
            &mgc,
            &ImportOptions::default(),
            &NullReporter::default(),
        )
        .unwrap();
        assert_eq!(s.messages, 4);
        let got = rows(&mgc, "SELECT chatId, content FROM tblChat ORDER BY chatId");
        // ties keep package (legacy chatID) order
        let want: Vec<(i64, String)> = [(1, "m10"), (2, "m20"), (3, "m10"), (4, "m30")]
            .iter()
            .map(|(i, c)| (*i, c.to_string()))
            .collect();
        assert_ne!(got, want, "sanity: the tie order matters");
        let want: Vec<(i64, String)> = [(1, "m10"), (2, "m10"), (3, "m20"), (4, "m30")]
            .iter()
            .map(|(i, c)| (*i, c.to_string()))
            .collect();
        assert_eq!(got, want);
        let last = rows(&mgc, "SELECT lastChatID, 'x' FROM tblLastChatId");
        assert_eq!(last, [(4, "x".to_string())]);
    }

    #[test]
    fn a_message_from_an_undefined_poster_fails_the_check_naming_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mgc = fresh_mgc(dir.path());
        let mut d = directory();
        d.principals.retain(|p| p.id != 20);
        d.roles.retain(|r| r.prin_id != 20);
        let pkg = package(dir.path(), &d, &[1]);
        let err = import(
            &pkg,
            &mgc,
            &ImportOptions::default(),
            &NullReporter::default(),
        )
        .unwrap_err();
        match err {
            ChatDataError::Package {
                path,
                entry,
                message,
            } => {
                assert_eq!(path, pkg);
                assert_eq!(entry, "pchat-migrate/Content/00001.xml");
                assert!(message.contains("principal id 20"), "{message}");
            }
            other => panic!("{other}"),
        }
        let n: i64 = rusqlite::Connection::open(&mgc)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM tblNode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "nothing written");
    }

    #[test]
    fn same_named_items_on_the_target_are_overwritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let mgc = fresh_mgc(dir.path());
        {
            let c = rusqlite::Connection::open(&mgc).unwrap();
            c.execute_batch(
                "INSERT INTO tblNode (nodeID,nodeGuid,parentID,nodeType,nodeName,nodeDesc,invite,logged,filePost,disabled,behavior,visibility,nodeAddedBy,nodeAddedOn,nodeUpdatedBy,nodeUpdatedOn) VALUES \
                   (7,'G7',1,1,'eng','old',1,1,1,0,4,3,1,0,1,0), \
                   (8,'G8',7,0,'A','old room',NULL,NULL,NULL,1,5,2,1,0,1,0), \
                   (9,'G9',7,0,'Other','mine',NULL,NULL,NULL,0,4,6,1,0,1,0); \
                 INSERT INTO tblChat VALUES (8,1,5,1,0,'old message',NULL),(9,1,5,1,0,'keep me',NULL); \
                 INSERT INTO tblPrincipal (prinID,prinGuid,prinUri,prinDisabled,prinTypeID,prinADUserPrincipalName,prinAddedOn,prinUpdatedOn,prinVerifiedOn) \
                   VALUES (12,'X-GUID','sip:x@contoso.lab',0,5,'x@contoso.lab',0,0,'2013-01-01 00:00:00');",
            )
            .unwrap();
        }
        let pkg = package(dir.path(), &directory(), &[1, 2]);
        let s = import(
            &pkg,
            &mgc,
            &ImportOptions::default(),
            &NullReporter::default(),
        )
        .unwrap();
        assert_eq!(s.overwritten, ["category: eng", "room: A"]);
        assert_eq!(
            rows(
                &mgc,
                "SELECT nodeID, nodeDesc FROM tblNode WHERE nodeName='A'"
            ),
            [(8, "new A".to_string())]
        );
        assert_eq!(
            rows(&mgc, "SELECT nodeID, nodeName FROM tblNode WHERE nodeID=7"),
            [(7, "Eng".to_string())]
        );
        assert_eq!(
            rows(
                &mgc,
                "SELECT channelId, content FROM tblChat ORDER BY channelId, chatId"
            ),
            [
                (8, "m1".to_string()),
                (8, "m2".to_string()),
                (9, "keep me".to_string())
            ]
        );
        // the GUID-less manager was matched on its user principal name
        let managers = rows(
            &mgc,
            "SELECT r.prinRolePrinID, t.rtypeDesc FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID=r.prinRoleTypeID \
             WHERE r.prinRoleNodeID=8 ORDER BY 1",
        );
        assert!(
            managers.contains(&(12, "Manager".to_string())),
            "{managers:?}"
        );
        assert!(
            s.warnings
                .iter()
                .any(|w| w.code == codes::PRINCIPAL_WITHOUT_GUID)
        );
    }
}
