//! The lab's `Export-CsPersistentChatData`: legacy Group Chat database → export package.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::convert::restrict_to_scope;
use super::legacy::LegacyDb;
use super::model::{Directory, Message, Node, ptype};
use super::package::{Manifest, PackageWriter, Sections};
use super::{BATCH_ROWS, ChatDataError};
use crate::progress::{ProgressUpdate, Reporter};

/// `-Level`. What each level contains is **not documented** (migration.md §6.3); the
/// sections follow the names' evident meaning \[inf\]:
///
/// | level | package carries |
/// |---|---|
/// | `All` | principals, categories (+ scopes), rooms (+ roles, add-ins), content |
/// | `User` | principals (AdUsers, AdGroups, AdAffiliations, Principals.xml) |
/// | `Category` | categories with their scopes (+ the principals they name) |
/// | `RoomDirectory` | categories and rooms with roles and add-ins (+ the principals they name) |
/// | `Content` | messages (+ posters, and categories / rooms as context only) |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExportLevel {
    /// Everything (the cmdlet's default).
    #[default]
    All,
    /// Principals.
    User,
    /// Categories and scopes.
    Category,
    /// Categories, rooms, roles, add-ins.
    RoomDirectory,
    /// Chat content.
    Content,
}

impl ExportLevel {
    /// The cmdlet's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportLevel::All => "All",
            ExportLevel::User => "User",
            ExportLevel::Category => "Category",
            ExportLevel::RoomDirectory => "RoomDirectory",
            ExportLevel::Content => "Content",
        }
    }

    /// The sections a package of this level applies on import.
    pub fn sections(self) -> Sections {
        match self {
            ExportLevel::All => Sections {
                principals: true,
                categories: true,
                rooms: true,
                content: true,
            },
            ExportLevel::User => Sections {
                principals: true,
                ..Sections::default()
            },
            ExportLevel::Category => Sections {
                categories: true,
                ..Sections::default()
            },
            ExportLevel::RoomDirectory => Sections {
                categories: true,
                rooms: true,
                ..Sections::default()
            },
            ExportLevel::Content => Sections {
                content: true,
                ..Sections::default()
            },
        }
    }
}

impl FromStr for ExportLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ExportLevel::All,
            ExportLevel::User,
            ExportLevel::Category,
            ExportLevel::RoomDirectory,
            ExportLevel::Content,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| {
            format!(
                "unknown export level \"{s}\": use All, User, Category, RoomDirectory or Content"
            )
        })
    }
}

/// Options of [`export()`], named after the cmdlet's parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    /// `-Level`.
    pub level: ExportLevel,
    /// `-Scope`: category names (legacy or flattened); empty = all.
    pub scope: Vec<String>,
    /// `-StartDate` as ticks: messages before it are not exported.
    pub start_date_ticks: Option<i64>,
    /// `-DisableExportedNodes`: after a successful export, set disabled = 1 on the exported
    /// rooms and categories in the legacy database.
    pub disable_exported_nodes: bool,
    /// The target pool (recorded in the manifest).
    pub pool_fqdn: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            level: ExportLevel::All,
            scope: Vec::new(),
            start_date_ticks: None,
            disable_exported_nodes: false,
            pool_fqdn: "pchatpool.contoso.lab".into(),
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// The package.
    pub package: PathBuf,
    /// Categories exported (root and context ancestors not counted).
    pub categories: u64,
    /// Rooms exported.
    pub rooms: u64,
    /// Exported rooms that were already disabled in the source.
    pub disabled_rooms: u64,
    /// AD users (ptype 5) exported.
    pub users: u64,
    /// AD groups (ptype 9) exported.
    pub groups: u64,
    /// Principals of every type exported.
    pub principals: u64,
    /// Messages exported.
    pub messages: u64,
    /// Exported messages that post a file (`ma-filelink:`): the files themselves are copied
    /// by hand (migration.md Stage 7).
    #[serde(default)]
    pub file_posts: u64,
    /// Principals by kind (adds up to `principals`).
    #[serde(default)]
    pub principal_kinds: super::model::PrincipalCounts,
    /// Package size in bytes.
    pub bytes: u64,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// How a message that posts a file begins (legacy `tblChat.content`).
const FILE_LINK: &str = "ma-filelink:";

fn partial_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

/// Exports the legacy database at `legacy_db` to the package `out_zip`.
///
/// The package is written to `<out_zip>.partial` and renamed on success; on error or
/// cancellation the partial file is removed and `out_zip` is untouched.
///
/// # Errors
/// [`ChatDataError`] naming the database, entry or room; [`ChatDataError::Cancelled`];
/// [`ChatDataError::Options`] for an unknown `-Scope` category.
pub fn export(
    legacy_db: &Path,
    out_zip: &Path,
    opts: &ExportOptions,
    r: &dyn Reporter,
) -> Result<ExportSummary, ChatDataError> {
    let started = Instant::now();
    let tmp = partial_path(out_zip);
    let result = export_to(legacy_db, &tmp, opts, r);
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, out_zip).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ChatDataError::Io {
            path: out_zip.to_path_buf(),
            action: "move the finished package into place".into(),
            source: e,
        }
    })?;
    summary.package = out_zip.to_path_buf();
    if opts.disable_exported_nodes {
        disable_nodes(legacy_db, &summary_nodes(legacy_db, opts)?, r)?;
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log(format!(
        "export: {} categories, {} rooms, {} principals, {} messages → {} ({} bytes) in {} ms",
        summary.categories,
        summary.rooms,
        summary.principals,
        summary.messages,
        out_zip.display(),
        summary.bytes,
        summary.elapsed_ms
    ));
    Ok(summary)
}

/// The directory an export of `opts` writes, and the sections it applies.
fn export_directory(
    db: &LegacyDb,
    opts: &ExportOptions,
    r: &dyn Reporter,
) -> Result<(Directory, Sections), ChatDataError> {
    let mut d = db.read_directory()?;
    restrict_to_scope(&mut d, &opts.scope)
        .map_err(|m| ChatDataError::Options(format!("{}: {m}", db.path().display())))?;
    let sections = opts.level.sections();
    let level = opts.level;
    if level == ExportLevel::User {
        d.nodes.clear();
    }
    if level == ExportLevel::Category {
        d.nodes.retain(|n| n.is_category);
    }
    if level == ExportLevel::Content {
        d.roles.clear();
        d.scopes.clear();
    }
    let kept: BTreeSet<i64> = d.nodes.iter().map(|n| n.id).collect();
    d.roles.retain(|x| kept.contains(&x.node_id));
    d.scopes.retain(|x| kept.contains(&x.node_id));
    if !sections.rooms {
        d.addins.clear();
    }
    if !matches!(level, ExportLevel::All | ExportLevel::User) {
        // only the principals the exported rows name
        let mut used: BTreeSet<i64> = d
            .roles
            .iter()
            .map(|x| x.prin_id)
            .chain(d.scopes.iter().map(|x| x.prin_id))
            .collect();
        if sections.content {
            for room in d.rooms() {
                db.for_each_message(room, opts.start_date_ticks, false, |m| {
                    used.insert(m.poster_id);
                    Ok(true)
                })?;
            }
        }
        d.principals
            .retain(|p| used.contains(&p.id) || p.type_id == Some(ptype::SYSTEM_USER));
    }
    if sections.principals {
        let ids: BTreeSet<i64> = d.principals.iter().map(|p| p.id).collect();
        d.affiliations
            .retain(|a| ids.contains(&a.principal_id) && ids.contains(&a.group_id));
    } else {
        d.affiliations.clear();
    }
    r.log(format!(
        "export: level {}, {} categories, {} rooms, {} principals selected",
        level.as_str(),
        d.categories()
            .filter(|n| n.in_scope && Some(n.id) != d.root_id)
            .count(),
        d.rooms().count(),
        d.principals.len()
    ));
    Ok((d, sections))
}

fn export_to(
    legacy_db: &Path,
    tmp: &Path,
    opts: &ExportOptions,
    r: &dyn Reporter,
) -> Result<ExportSummary, ChatDataError> {
    let db = LegacyDb::open(legacy_db)?;
    let (d, sections) = export_directory(&db, opts, r)?;
    let total = if sections.content {
        db.estimate_messages()?
    } else {
        0
    };
    let manifest = Manifest {
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: legacy_db
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        pool_fqdn: opts.pool_fqdn.clone(),
        level: opts.level.as_str().into(),
        scope: opts.scope.clone(),
        start_date_ticks: opts.start_date_ticks,
        ..Manifest::default()
    };
    let mut w = PackageWriter::create(tmp, manifest)?;
    w.write_directory(&d, sections)?;
    if r.is_cancelled() {
        return Err(ChatDataError::Cancelled(super::Cancellation::nothing(
            "export directory",
        )));
    }
    let guid_of: std::collections::HashMap<i64, &str> = d
        .principals
        .iter()
        .filter_map(|p| p.guid.as_deref().map(|g| (p.id, g)))
        .collect();
    let mut done = 0u64;
    let mut bytes = 0u64;
    let mut file_posts = 0u64;
    if sections.content {
        // The legacy database is read by two threads, each with its own connection and
        // taking every other room (SQLite's work and the text's UTF-8 check), while this one
        // writes the XML and the digests in room order and the zip thread deflates: four
        // threads keep both cores busy where three left them idle a fifth of the time.
        let rooms: Vec<&Node> = d.rooms().collect();
        let start = opts.start_date_ticks;
        drop(db);
        std::thread::scope(|scope| -> Result<(), ChatDataError> {
            let rooms = &rooms;
            let mut lanes = Vec::with_capacity(READERS);
            for lane in 0..READERS {
                let (tx, feed) = std::sync::mpsc::sync_channel::<Feed>(FEED_BATCHES);
                let (back, recycled) = std::sync::mpsc::channel::<Vec<Message>>();
                std::thread::Builder::new()
                    .name(format!("export-read-{lane}"))
                    .spawn_scoped(scope, move || {
                        match LegacyDb::open(legacy_db)
                            .and_then(|db| db.limit_cache(READ_CACHE_KIB).map(|()| db))
                        {
                            Ok(db) => {
                                read_rooms(&db, rooms, (lane, READERS), start, &tx, &recycled)
                            }
                            Err(e) => {
                                let _ = tx.send(Feed::Failed(e));
                            }
                        }
                    })
                    .map_err(|e| ChatDataError::Io {
                        path: legacy_db.to_path_buf(),
                        action: "start reading the messages".into(),
                        source: e,
                    })?;
                lanes.push((feed, back));
            }
            for (i, room) in rooms.iter().enumerate() {
                w.begin_room(room)?;
                let (feed, back) = &lanes[i % READERS];
                loop {
                    let (batch, filled) = match feed.recv() {
                        Ok(Feed::Batch(batch, filled)) => (batch, filled),
                        Ok(Feed::RoomDone) => break,
                        Ok(Feed::Failed(e)) => return Err(e),
                        Err(_) => {
                            return Err(ChatDataError::Schema {
                                path: legacy_db.to_path_buf(),
                                message: format!(
                                    "the thread reading room \"{}\" stopped",
                                    room.name
                                ),
                            });
                        }
                    };
                    for m in &batch[..filled] {
                        w.write_message(m, guid_of.get(&m.poster_id).copied().unwrap_or(""))?;
                        done += 1;
                        bytes += m.content.len() as u64;
                        if m.content.starts_with(FILE_LINK) {
                            file_posts += 1;
                        }
                        if done.is_multiple_of(BATCH_ROWS) {
                            r.progress(ProgressUpdate {
                                phase: "export messages".into(),
                                done,
                                total,
                                bytes,
                            });
                            if r.is_cancelled() {
                                return Err(ChatDataError::Cancelled(
                                    super::Cancellation::nothing("export messages"),
                                ));
                            }
                        }
                    }
                    let _ = back.send(batch);
                }
            }
            Ok(())
        })?;
        r.progress(ProgressUpdate {
            phase: "export messages".into(),
            done,
            total,
            bytes,
        });
    }
    let (manifest, size) = w.finish()?;
    let principals = &d.principals;
    Ok(ExportSummary {
        package: tmp.to_path_buf(),
        categories: d
            .categories()
            .filter(|n| n.in_scope && Some(n.id) != d.root_id)
            .count() as u64,
        rooms: d.rooms().count() as u64,
        disabled_rooms: d.rooms().filter(|n| n.disabled).count() as u64,
        users: principals
            .iter()
            .filter(|p| p.type_id == Some(ptype::USER))
            .count() as u64,
        groups: principals
            .iter()
            .filter(|p| p.type_id == Some(ptype::GROUP))
            .count() as u64,
        principals: principals.len() as u64,
        principal_kinds: super::model::PrincipalCounts::of(principals),
        messages: manifest.counts.messages,
        file_posts,
        bytes: size,
        elapsed_ms: 0,
    })
}

/// Messages per batch handed from the reading thread to the writing one.
const FEED_MESSAGES: usize = 1024;

/// Batches each reading thread may have ready ahead of the writer.
const FEED_BATCHES: usize = 16;

/// Threads reading the legacy messages (each with its own connection, every other room).
const READERS: usize = 2;

/// Page cache of each reading connection, in KiB: the rooms are read in key order, so a
/// larger cache saves nothing (two of the default 32 MiB took the export to 105 MB).
const READ_CACHE_KIB: u32 = 8 * 1024;

/// What a reading thread hands the writer, in its rooms' order.
enum Feed {
    /// Messages of the room being read: the batch and how many are filled.
    Batch(Vec<Message>, usize),
    /// The room is read to its end.
    RoomDone,
    /// Reading failed.
    Failed(ChatDataError),
}

/// Reads the messages of the rooms `lane.0, lane.0 + lane.1, …` of `rooms`, in that order,
/// into batches (reused once the writer hands them back). Stops when the writer stops
/// listening.
fn read_rooms(
    db: &LegacyDb,
    rooms: &[&Node],
    lane: (usize, usize),
    start: Option<i64>,
    tx: &std::sync::mpsc::SyncSender<Feed>,
    recycled: &std::sync::mpsc::Receiver<Vec<Message>>,
) {
    let fresh = || recycled.try_recv().unwrap_or_default();
    let mut batch: Vec<Message> = fresh();
    for room in rooms.iter().skip(lane.0).step_by(lane.1) {
        let mut filled = 0usize;
        let mut gone = false;
        let read = db.for_each_message_ref(room, start, false, |m| {
            if batch.len() <= filled {
                batch.push(Message::default());
            }
            m.fill(&mut batch[filled]);
            filled += 1;
            if filled == FEED_MESSAGES {
                let full = std::mem::replace(&mut batch, fresh());
                if tx.send(Feed::Batch(full, filled)).is_err() {
                    gone = true;
                    return Ok(false);
                }
                filled = 0;
            }
            Ok(true)
        });
        if let Err(e) = read {
            let _ = tx.send(Feed::Failed(e));
            return;
        }
        if gone {
            return;
        }
        if filled > 0 {
            let part = std::mem::replace(&mut batch, fresh());
            if tx.send(Feed::Batch(part, filled)).is_err() {
                return;
            }
        }
        if tx.send(Feed::RoomDone).is_err() {
            return;
        }
    }
}

/// The nodeIDs an export of `opts` exports, which `-DisableExportedNodes` disables: the
/// in-scope categories (but the root) when the level carries categories, and the rooms when
/// it carries rooms or their content [inf: the cmdlet only says "the exported categories and
/// rooms"; a `User` export exports no node].
fn summary_nodes(legacy_db: &Path, opts: &ExportOptions) -> Result<Vec<i64>, ChatDataError> {
    let db = LegacyDb::open(legacy_db)?;
    let mut d = db.read_directory()?;
    restrict_to_scope(&mut d, &opts.scope).map_err(ChatDataError::Options)?;
    let sections = opts.level.sections();
    Ok(d.nodes
        .iter()
        .filter(|n| n.in_scope && Some(n.id) != d.root_id)
        .filter(|n| {
            if n.is_category {
                sections.categories
            } else {
                sections.rooms || sections.content
            }
        })
        .map(|n| n.id)
        .collect())
}

/// `-DisableExportedNodes`: one transaction on the legacy database.
fn disable_nodes(legacy_db: &Path, ids: &[i64], r: &dyn Reporter) -> Result<(), ChatDataError> {
    let mut conn = rusqlite::Connection::open(legacy_db).map_err(ChatDataError::sqlite(
        legacy_db,
        "open the legacy database for writing",
    ))?;
    let tx = conn.transaction().map_err(ChatDataError::sqlite(
        legacy_db,
        "begin disabling the exported nodes",
    ))?;
    {
        let mut st = tx
            .prepare("UPDATE tblNode SET disabled = 1 WHERE nodeID = ?1")
            .map_err(ChatDataError::sqlite(
                legacy_db,
                "disable the exported nodes",
            ))?;
        for id in ids {
            st.execute([id]).map_err(ChatDataError::sqlite(
                legacy_db,
                "disable the exported nodes",
            ))?;
        }
    }
    tx.commit().map_err(ChatDataError::sqlite(
        legacy_db,
        "commit disabling the exported nodes",
    ))?;
    r.log(format!(
        "export: disabled {} exported rooms and categories in the legacy database",
        ids.len()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_case_insensitively_and_map_to_sections() {
        assert_eq!(
            "roomdirectory".parse::<ExportLevel>().unwrap(),
            ExportLevel::RoomDirectory
        );
        assert_eq!(" All ".parse::<ExportLevel>().unwrap(), ExportLevel::All);
        assert!(
            "Everything"
                .parse::<ExportLevel>()
                .unwrap_err()
                .contains("RoomDirectory")
        );
        let s = ExportLevel::Content.sections();
        assert!(s.content && !s.rooms && !s.categories && !s.principals);
        let s = ExportLevel::RoomDirectory.sections();
        assert!(s.rooms && s.categories && !s.content);
        assert_eq!(ExportOptions::default().pool_fqdn, "pchatpool.contoso.lab");
        assert_eq!(
            partial_path(Path::new("/x/a.zip")),
            Path::new("/x/a.zip.partial")
        );
    }
}
