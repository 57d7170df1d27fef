//! The lab's `Import-CsPersistentChatData`: export package → 2013 `mgc` database.
//!
//! 1. The whole package is read and validated first (directory, then every content entry
//!    with its manifest digests and references); nothing is written if that fails.
//! 2. The conversions of [`super::convert`] are applied.
//! 3. `what_if` stops here and reports what would happen (the target is opened read-only).
//! 4. Otherwise everything is written in **one SQLite transaction**: a crash or kill mid-way
//!    leaves the target as it was (SQLite's journal rolls the transaction back on next open).
//!
//! Overwrite rule (migration.md Stage 6: "imported legacy items overwrite same-named items"):
//! a category, room or add-in of the same name (case-insensitive) is updated in place and keeps
//! its nodeID / siopID; its scopes and roles are replaced and, when the package carries
//! content, so are its messages [inf: the cmdlet's exact behaviour is undocumented].
//! Principals are matched on prinGuid (else, for GUID-less principals of real packages, on
//! user principal name) and updated in place. New rows take ids above the current maximum.
//! The result depends only on the package and the target's prior state, so importing the same
//! package twice gives the same database.
//!
//! Messages get chatId 1..n per room in (chatDate, legacy chatID) order, `rtf` NULL, and
//! tblLastChatId = n.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{TransactionBehavior, params};
use serde::Serialize;

pub use super::convert::ImportWarning;
use super::convert::{Converted, convert};
use super::mgc::{MgcDb, TargetState};
use super::model::{Role, enumv};
use super::package::{PackageContents, PackageLimits, PackageReader};
use super::{BATCH_ROWS, ChatDataError};
use crate::lab::schema::ROOT_NODE_ID;
use crate::progress::{ProgressUpdate, Reporter};

/// Options of [`import()`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportOptions {
    /// `-WhatIf`: compute everything, write nothing.
    pub what_if: bool,
}

/// What an import did (or, with `what_if`, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// True for a dry run (nothing was written).
    pub what_if: bool,
    /// Categories created or overwritten.
    pub categories: u64,
    /// Rooms created or overwritten.
    pub rooms: u64,
    /// Principals created or updated.
    pub principals: u64,
    /// Messages imported.
    pub messages: u64,
    /// Messages not imported (their room was refused or is not on the target).
    pub messages_skipped: u64,
    /// Warnings and error-level refusals, in the order found.
    pub warnings: Vec<ImportWarning>,
    /// Items of the target that were (or would be) overwritten: `category: X`, `room: X`,
    /// `add-in: X`.
    pub overwritten: Vec<String>,
    /// What the package reader found.
    pub package_notes: Vec<String>,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// Where the messages of a package room go.
#[derive(Clone, Copy)]
struct RoomSink {
    node_id: i64,
    next_chat_id: i64,
    last_date: i64,
    monotone: bool,
    replace: bool,
}

/// The plan computed before writing.
struct Plan {
    conv: Converted,
    state: TargetState,
    /// legacy prinID → target prinID (existing or new), for principals we write
    prin_map: HashMap<i64, i64>,
    /// legacy prinIDs that are new on the target
    new_prins: Vec<i64>,
    /// legacy category id → target nodeID (existing or new)
    cat_nodes: HashMap<i64, i64>,
    /// legacy room id → target nodeID
    room_nodes: HashMap<i64, i64>,
    /// package siopID → target siopID
    addin_map: HashMap<String, String>,
    sections: super::package::Sections,
    overwritten: Vec<String>,
    warnings: Vec<ImportWarning>,
}

fn plan(contents: &PackageContents, state: TargetState) -> Plan {
    let conv = convert(&contents.directory);
    let sections = contents.sections;
    let mut warnings = conv.warnings.clone();
    let mut overwritten = Vec::new();
    let mut next_prin = state.max_prin_id;
    let mut prin_map = HashMap::new();
    let mut new_prins = Vec::new();
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
            (None, None) => warnings.push(ImportWarning {
                code: "PRINCIPAL_NOT_PROVISIONED".into(),
                item: p.upn.clone().unwrap_or_else(|| format!("principal {}", p.legacy_id)),
                message: "no GUID in the package and no principal with this user principal name on the target: \
                          its roles and scopes are left out (the principal must exist in AD and be synchronised first)"
                    .into(),
                severity: "warning".into(),
            }),
        }
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
                if sections.rooms {
                    overwritten.push(format!("room: {}", existing.name));
                }
            }
            None if sections.rooms && cat_nodes.contains_key(&room.category_legacy_id) => {
                next_node += 1;
                room_nodes.insert(room.legacy_id, next_node);
            }
            None => warnings.push(ImportWarning {
                code: "ROOM_NOT_ON_TARGET".into(),
                item: room.name.clone(),
                message: if sections.rooms {
                    format!("its category \"{}\" is neither in the package nor on the target: not imported", room.category)
                } else {
                    "the package carries this room's content only and the room does not exist on the target: its messages \
                     are not imported (import a RoomDirectory or All package first)"
                        .into()
                },
                severity: "error".into(),
            }),
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
            let target_id = match (same_id, same_name) {
                (Some(t), _) => {
                    overwritten.push(format!("add-in: {}", t.name));
                    t.id.clone()
                }
                (None, Some(t)) => {
                    overwritten.push(format!("add-in: {}", t.name));
                    t.id.clone()
                }
                (None, None) => a.id.clone(),
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

/// Imports `package` into the `mgc` database at `mgc_db`.
///
/// # Errors
/// [`ChatDataError::Package`] for a package that fails to read or validate (nothing written);
/// SQLite errors naming the room; [`ChatDataError::Cancelled`] (the transaction is rolled back:
/// the target is unchanged).
pub fn import(
    package: &Path,
    mgc_db: &Path,
    opts: &ImportOptions,
    r: &dyn Reporter,
) -> Result<ImportSummary, ChatDataError> {
    let started = Instant::now();
    let cancelled =
        || ChatDataError::Cancelled("import stopped; the target database is unchanged".into());

    // ---- 1. read and validate the whole package ------------------------------------------
    let mut reader = PackageReader::open(package, PackageLimits::default())?;
    let contents = reader.read_directory()?;
    for n in &contents.notes {
        r.log(format!("import: {n}"));
    }
    let d = &contents.directory;
    let known_rooms: std::collections::BTreeSet<i64> = d.rooms().map(|n| n.id).collect();
    let known_prins: std::collections::BTreeSet<i64> = d.principals.iter().map(|p| p.id).collect();
    let total_hint = contents.manifest.as_ref().map_or(0, |m| m.counts.messages);
    let mut checked = 0u64;
    let mut bytes = 0u64;
    let stats = reader.for_each_message(|m| {
        if !known_rooms.contains(&m.room_id) {
            return Err(ChatDataError::Package {
                path: PathBuf::new(),
                entry: String::new(),
                message: format!("messages for room id {} which the package does not define; re-run the export", m.room_id),
            });
        }
        if !known_prins.contains(&m.poster_id) {
            return Err(ChatDataError::Package {
                path: PathBuf::new(),
                entry: String::new(),
                message: format!(
                    "a message of room id {} (chatID {}) is posted by principal id {} which the package does not define; re-run the export",
                    m.room_id, m.chat_id, m.poster_id
                ),
            });
        }
        checked += 1;
        bytes += m.content.len() as u64;
        if checked.is_multiple_of(BATCH_ROWS) {
            r.progress(ProgressUpdate { phase: "check package".into(), done: checked, total: total_hint, bytes });
            if r.is_cancelled() {
                return Err(cancelled());
            }
        }
        Ok(())
    })?;
    r.log(format!(
        "import: package read and checked: {} messages in {} rooms",
        stats.messages,
        stats.rooms.len()
    ));

    // ---- 2. plan against the target ---------------------------------------------------------
    let target = if opts.what_if {
        MgcDb::open_read_only(mgc_db)?
    } else {
        MgcDb::open_read_write(mgc_db)?
    };
    let role_ids = target.role_ids()?;
    let state = target.read_state()?;
    let p = plan(&contents, state);
    let importable: u64 = stats
        .rooms
        .iter()
        .filter(|(id, _)| p.room_nodes.contains_key(id))
        .map(|(_, c)| c.messages)
        .sum();
    let mut summary = ImportSummary {
        what_if: opts.what_if,
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
        messages: if p.sections.content { importable } else { 0 },
        messages_skipped: stats.messages - if p.sections.content { importable } else { 0 },
        warnings: p.warnings.clone(),
        overwritten: p.overwritten.clone(),
        package_notes: contents.notes.clone(),
        elapsed_ms: 0,
    };
    for w in &summary.warnings {
        if w.severity != "info" {
            r.log(format!(
                "import: {} {} [{}]: {}",
                w.severity, w.code, w.item, w.message
            ));
        }
    }
    if opts.what_if {
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        r.log(format!(
            "import (what-if): would write {} categories, {} rooms, {} principals, {} messages; {} warnings; nothing was written",
            summary.categories,
            summary.rooms,
            summary.principals,
            summary.messages,
            summary.warnings.len()
        ));
        return Ok(summary);
    }

    // ---- 3. write, in one transaction ------------------------------------------------------------
    let MgcDb { mut conn, .. } = target;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(ChatDataError::sqlite(
            mgc_db,
            "begin the import transaction",
        ))?;
    write_directory(&tx, mgc_db, &p, &contents, &role_ids)?;
    if r.is_cancelled() {
        return Err(cancelled());
    }
    let mut written = 0u64;
    if p.sections.content {
        let mut sinks: HashMap<i64, RoomSink> = HashMap::new();
        for (legacy, node) in &p.room_nodes {
            sinks.insert(
                *legacy,
                RoomSink {
                    node_id: *node,
                    next_chat_id: 1,
                    last_date: i64::MIN,
                    monotone: true,
                    replace: true,
                },
            );
        }
        {
            let del = |sql: &str, node: i64| tx.execute(sql, [node]);
            for s in sinks.values() {
                if s.replace {
                    del("DELETE FROM tblChat WHERE channelId = ?1", s.node_id).map_err(
                        ChatDataError::sqlite(mgc_db, "clear the messages of an overwritten room"),
                    )?;
                }
                del("DELETE FROM tblLastChatId WHERE nodeID = ?1", s.node_id)
                    .map_err(ChatDataError::sqlite(mgc_db, "clear tblLastChatId"))?;
            }
        }
        let mut ins = tx
            .prepare("INSERT INTO tblChat (channelId, chatId, chatDate, userId, isAlert, content, rtf) VALUES (?1,?2,?3,?4,?5,?6,NULL)")
            .map_err(ChatDataError::sqlite(mgc_db, "prepare the message insert"))?;
        let mut bytes = 0u64;
        let system = p.state.system_prin_id;
        reader.for_each_message(|m| {
            let Some(sink) = sinks.get_mut(&m.room_id) else {
                return Ok(());
            };
            let user = p.prin_map.get(&m.poster_id).copied().unwrap_or(system);
            if m.date < sink.last_date {
                sink.monotone = false;
            }
            sink.last_date = m.date;
            ins.execute(params![
                sink.node_id,
                sink.next_chat_id,
                m.date,
                user,
                m.is_alert,
                m.content
            ])
            .map_err(|e| ChatDataError::Sqlite {
                path: mgc_db.to_path_buf(),
                action: format!("insert a message into room node {}", sink.node_id),
                source: e,
            })?;
            sink.next_chat_id += 1;
            written += 1;
            bytes += m.content.len() as u64;
            if written.is_multiple_of(BATCH_ROWS) {
                r.progress(ProgressUpdate {
                    phase: "import messages".into(),
                    done: written,
                    total: importable,
                    bytes,
                });
                if r.is_cancelled() {
                    return Err(cancelled());
                }
            }
            Ok(())
        })?;
        drop(ins);
        r.progress(ProgressUpdate {
            phase: "import messages".into(),
            done: written,
            total: importable,
            bytes,
        });
        let mut renumbered = 0;
        let mut sorted: Vec<&RoomSink> = sinks.values().collect();
        sorted.sort_by_key(|s| s.node_id);
        for s in sorted {
            if !s.monotone {
                renumber(&tx, mgc_db, s.node_id)?;
                renumbered += 1;
            }
            tx.execute(
                "INSERT INTO tblLastChatId (nodeID, lastChatID) VALUES (?1, ?2)",
                params![s.node_id, s.next_chat_id - 1],
            )
            .map_err(ChatDataError::sqlite(mgc_db, "write tblLastChatId"))?;
        }
        if renumbered > 0 {
            r.log(format!("import: {renumbered} rooms had messages out of date order; renumbered in chatDate order"));
        }
    }
    if r.is_cancelled() {
        return Err(cancelled());
    }
    tx.commit()
        .map_err(ChatDataError::sqlite(mgc_db, "commit the import"))?;
    summary.messages = written;
    summary.messages_skipped = stats.messages - written;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log(format!(
        "import: wrote {} categories, {} rooms, {} principals, {} messages in {} ms ({} warnings, {} items overwritten)",
        summary.categories,
        summary.rooms,
        summary.principals,
        summary.messages,
        summary.elapsed_ms,
        summary.warnings.len(),
        summary.overwritten.len()
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
        crate::lab::schema::create_mgc(&c).unwrap();
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
                .any(|w| w.code == "PRINCIPAL_WITHOUT_GUID")
        );
    }
}
