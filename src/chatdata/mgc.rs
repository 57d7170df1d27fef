//! Reading the 2013 `mgc` database: the state the import plans against and the verifier
//! compares with. Columns are named explicitly (schemas.md §1.1: the schema may grow).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::ChatDataError;
use super::legacy::{open_read_only, require_tables};
use super::model::{AddIn, Role};

/// A category as stored in `mgc`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActualCategory {
    /// nodeID.
    pub id: i64,
    /// nodeName.
    pub name: String,
    /// nodeDesc.
    pub desc: String,
    /// invite (NULL read as None).
    pub invite: Option<bool>,
    /// logged.
    pub logged: Option<bool>,
    /// filePost.
    pub file_post: Option<bool>,
    /// Allowed principals' GUIDs (scopeIsDenied = 0).
    pub allowed: BTreeSet<String>,
    /// Denied principals' GUIDs (scopeIsDenied = 1).
    pub denied: BTreeSet<String>,
}

/// A room as stored in `mgc`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActualRoom {
    /// nodeID.
    pub id: i64,
    /// nodeName.
    pub name: String,
    /// nodeDesc.
    pub desc: String,
    /// nodeName of the parent node.
    pub category: String,
    /// disabled.
    pub disabled: bool,
    /// behavior.
    pub behavior: i16,
    /// visibility.
    pub visibility: i16,
    /// invite.
    pub invite: Option<bool>,
    /// logged (2013: always NULL on rooms).
    pub logged: Option<bool>,
    /// filePost (2013: always NULL on rooms).
    pub file_post: Option<bool>,
    /// siopID.
    pub addin: Option<String>,
    /// Role holders' GUIDs per role.
    pub roles: BTreeMap<Role, BTreeSet<String>>,
}

/// Everything but the messages.
#[derive(Clone, Debug, Default)]
pub struct TargetState {
    /// nodeID of the root (its own parent).
    pub root_id: i64,
    /// Categories by lowercase name.
    pub categories: BTreeMap<String, ActualCategory>,
    /// Rooms by lowercase name.
    pub rooms: BTreeMap<String, ActualRoom>,
    /// Add-ins.
    pub addins: Vec<AddIn>,
    /// prinGuid → prinID.
    pub prin_by_guid: HashMap<String, i64>,
    /// prinID → prinGuid.
    pub guid_by_prin: HashMap<i64, String>,
    /// lowercase UPN → prinID.
    pub prin_by_upn: HashMap<String, i64>,
    /// prinGuid → prinDisabled.
    pub disabled_by_guid: HashMap<String, i64>,
    /// Largest nodeID.
    pub max_node_id: i64,
    /// Largest prinID.
    pub max_prin_id: i64,
    /// prinID of the system principal (smallest SystemUser prinID; 1 in the lab).
    pub system_prin_id: i64,
}

/// An `mgc` database.
pub struct MgcDb {
    pub(crate) conn: Connection,
    path: PathBuf,
}

const MGC_TABLES: &[&str] = &[
    "tblNode",
    "tblPrincipal",
    "tblRoleType",
    "tblPrincipalRole",
    "tblScopePrincipal",
    "tblSiopWhiteList",
    "tblChat",
    "tblLastChatId",
];

impl MgcDb {
    /// Opens read-only (verify, what-if).
    ///
    /// # Errors
    /// Missing file or tables.
    pub fn open_read_only(path: &Path) -> Result<MgcDb, ChatDataError> {
        let conn = open_read_only(path, "Persistent Chat (mgc)")?;
        require_tables(&conn, path, "Persistent Chat (mgc)", MGC_TABLES)?;
        Ok(MgcDb {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens read-write (import).
    ///
    /// # Errors
    /// Missing file or tables.
    pub fn open_read_write(path: &Path) -> Result<MgcDb, ChatDataError> {
        if !path.is_file() {
            return Err(ChatDataError::Schema {
                path: path.to_path_buf(),
                message: "the Persistent Chat (mgc) database does not exist (lab: run `pchat-migrate lab init` first)".into(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(ChatDataError::sqlite(path, "open the mgc database"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(ChatDataError::sqlite(path, "set up the connection"))?;
        conn.execute_batch("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;")
            .map_err(ChatDataError::sqlite(path, "set up the connection"))?;
        require_tables(&conn, path, "Persistent Chat (mgc)", MGC_TABLES)?;
        Ok(MgcDb {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Caps this connection's page cache at `kib` KiB.
    ///
    /// # Errors
    /// The pragma fails (SQLite error, with the file).
    pub fn limit_cache(&self, kib: u32) -> Result<(), ChatDataError> {
        super::legacy::limit_cache(&self.conn, &self.path, kib)
    }

    fn err(&self, action: &str) -> impl FnOnce(rusqlite::Error) -> ChatDataError {
        ChatDataError::sqlite(&self.path, action)
    }

    /// The pool this database belongs to, as its `tblConfig` row `pool` names it
    /// (`configContent` with an `fqdn="…"` attribute) (inferred: the real row's content is
    /// undocumented ("unsupported configuration"); the lab writes `<pool fqdn="…"/>`).
    /// `None` when the table, the row or the attribute is missing.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn pool_fqdn(&self) -> Result<Option<String>, ChatDataError> {
        let has: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='tblConfig'",
                [],
                |r| r.get(0),
            )
            .map_err(self.err("read the schema"))?;
        if has == 0 {
            return Ok(None);
        }
        let content: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT configContent FROM tblConfig WHERE configLabel = 'pool'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err("read tblConfig"))?;
        Ok(content.flatten().and_then(|c| {
            let i = c.find("fqdn=")? + 5;
            let q = c[i..].chars().next()?;
            let rest = &c[i + q.len_utf8()..];
            let end = rest.find(q)?;
            Some(rest[..end].trim().to_string()).filter(|s| !s.is_empty())
        }))
    }

    /// tblRoleType ids by role, looked up by `rtypeDesc` (ids are undocumented).
    ///
    /// # Errors
    /// A role missing from tblRoleType.
    pub fn role_ids(&self) -> Result<BTreeMap<Role, i64>, ChatDataError> {
        let mut st = self
            .conn
            .prepare("SELECT rtypeID, rtypeDesc FROM tblRoleType")
            .map_err(self.err("read tblRoleType"))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.err("read tblRoleType"))?;
        let mut m = BTreeMap::new();
        for row in rows {
            let (id, desc) = row.map_err(self.err("read tblRoleType"))?;
            if let Some(role) = Role::from_desc(&desc) {
                m.insert(role, id);
            }
        }
        for role in [Role::Member, Role::Manager, Role::Voiced] {
            if !m.contains_key(&role) {
                return Err(ChatDataError::Schema {
                    path: self.path.clone(),
                    message: format!(
                        "tblRoleType has no row with rtypeDesc '{}': the database is not a complete mgc",
                        role.desc()
                    ),
                });
            }
        }
        Ok(m)
    }

    /// Reads principals, categories, rooms, roles, scopes and add-ins.
    ///
    /// # Errors
    /// SQLite errors naming the table.
    pub fn read_state(&self) -> Result<TargetState, ChatDataError> {
        let c = &self.conn;
        let mut s = TargetState::default();
        let mut st = c
            .prepare("SELECT prinID, prinGuid, prinADUserPrincipalName, prinDisabled, prinTypeID FROM tblPrincipal ORDER BY prinID")
            .map_err(self.err("read tblPrincipal"))?;
        let mut rows = st.query([]).map_err(self.err("read tblPrincipal"))?;
        s.system_prin_id = 0;
        while let Some(r) = rows.next().map_err(self.err("read tblPrincipal"))? {
            let id: i64 = r.get(0).map_err(self.err("read tblPrincipal"))?;
            let guid: String = r
                .get::<_, String>(1)
                .map_err(self.err("read tblPrincipal"))?
                .to_uppercase();
            let upn: Option<String> = r.get(2).map_err(self.err("read tblPrincipal"))?;
            let disabled: i64 = r.get(3).map_err(self.err("read tblPrincipal"))?;
            let t: i64 = r.get(4).map_err(self.err("read tblPrincipal"))?;
            if t == i64::from(super::model::ptype::SYSTEM_USER) && s.system_prin_id == 0 {
                s.system_prin_id = id;
            }
            if let Some(u) = upn {
                s.prin_by_upn.insert(u.to_lowercase(), id);
            }
            s.prin_by_guid.insert(guid.clone(), id);
            s.disabled_by_guid.insert(guid.clone(), disabled);
            s.guid_by_prin.insert(id, guid);
            s.max_prin_id = s.max_prin_id.max(id);
        }
        if s.system_prin_id == 0 {
            s.system_prin_id = 1;
        }
        drop(rows);
        drop(st);

        let mut names: HashMap<i64, String> = HashMap::new();
        let mut st = c
            .prepare(
                "SELECT nodeID, parentID, nodeType, nodeName, nodeDesc, invite, logged, filePost, disabled, behavior, visibility, siopID \
                 FROM tblNode ORDER BY nodeID",
            )
            .map_err(self.err("read tblNode"))?;
        let mut rows = st.query([]).map_err(self.err("read tblNode"))?;
        let mut room_parent: Vec<(String, i64)> = Vec::new();
        while let Some(r) = rows.next().map_err(self.err("read tblNode"))? {
            let e = || self.err("read tblNode");
            let id: i64 = r.get(0).map_err(e())?;
            let parent: Option<i64> = r.get(1).map_err(e())?;
            let is_cat = r.get::<_, i64>(2).map_err(e())? != 0;
            let name: String = r.get(3).map_err(e())?;
            s.max_node_id = s.max_node_id.max(id);
            names.insert(id, name.clone());
            if is_cat && parent.is_none_or(|p| p == id) {
                s.root_id = id;
                continue;
            }
            if is_cat {
                s.categories.insert(
                    name.to_lowercase(),
                    ActualCategory {
                        id,
                        desc: r.get(4).map_err(e())?,
                        invite: r.get(5).map_err(e())?,
                        logged: r.get(6).map_err(e())?,
                        file_post: r.get(7).map_err(e())?,
                        name,
                        ..ActualCategory::default()
                    },
                );
            } else {
                room_parent.push((name.to_lowercase(), parent.unwrap_or(0)));
                s.rooms.insert(
                    name.to_lowercase(),
                    ActualRoom {
                        id,
                        desc: r.get(4).map_err(e())?,
                        invite: r.get(5).map_err(e())?,
                        logged: r.get(6).map_err(e())?,
                        file_post: r.get(7).map_err(e())?,
                        disabled: r.get::<_, i64>(8).map_err(e())? != 0,
                        behavior: r.get(9).map_err(e())?,
                        visibility: r.get(10).map_err(e())?,
                        addin: r
                            .get::<_, Option<String>>(11)
                            .map_err(e())?
                            .map(|a| a.to_uppercase()),
                        name,
                        ..ActualRoom::default()
                    },
                );
            }
        }
        for (key, parent) in room_parent {
            if let Some(room) = s.rooms.get_mut(&key) {
                room.category = names.get(&parent).cloned().unwrap_or_default();
            }
        }
        drop(rows);
        drop(st);
        let node_key: HashMap<i64, (bool, String)> = s
            .categories
            .iter()
            .map(|(k, c)| (c.id, (true, k.clone())))
            .chain(s.rooms.iter().map(|(k, r)| (r.id, (false, k.clone()))))
            .collect();

        let mut st = c
            .prepare(
                "SELECT r.prinRoleNodeID, r.prinRolePrinID, t.rtypeDesc FROM tblPrincipalRole r \
                 JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID",
            )
            .map_err(self.err("read tblPrincipalRole"))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(self.err("read tblPrincipalRole"))?;
        for row in rows {
            let (node, prin, desc) = row.map_err(self.err("read tblPrincipalRole"))?;
            let (Some((false, key)), Some(role)) = (node_key.get(&node), Role::from_desc(&desc))
            else {
                continue;
            };
            let guid = s
                .guid_by_prin
                .get(&prin)
                .cloned()
                .unwrap_or_else(|| format!("prinID {prin}"));
            if let Some(room) = s.rooms.get_mut(key) {
                room.roles.entry(role).or_default().insert(guid);
            }
        }
        drop(st);

        let mut st = c
            .prepare("SELECT scopeNodeID, scopePrinID, scopeIsDenied FROM tblScopePrincipal")
            .map_err(self.err("read tblScopePrincipal"))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(self.err("read tblScopePrincipal"))?;
        for row in rows {
            let (node, prin, denied) = row.map_err(self.err("read tblScopePrincipal"))?;
            let Some((true, key)) = node_key.get(&node) else {
                continue;
            };
            let guid = s
                .guid_by_prin
                .get(&prin)
                .cloned()
                .unwrap_or_else(|| format!("prinID {prin}"));
            if let Some(cat) = s.categories.get_mut(key) {
                if denied != 0 {
                    cat.denied.insert(guid);
                } else {
                    cat.allowed.insert(guid);
                }
            }
        }
        drop(st);

        let mut st = c
            .prepare("SELECT siopID, siopName, siopUrl FROM tblSiopWhiteList ORDER BY siopID")
            .map_err(self.err("read tblSiopWhiteList"))?;
        let rows = st
            .query_map([], |r| {
                Ok(AddIn {
                    id: r.get::<_, String>(0)?.to_uppercase(),
                    name: r.get(1)?,
                    url: r.get(2)?,
                })
            })
            .map_err(self.err("read tblSiopWhiteList"))?;
        for a in rows {
            s.addins.push(a.map_err(self.err("read tblSiopWhiteList"))?);
        }
        Ok(s)
    }

    /// Streams every message in table order (no index: one pass over the table), as
    /// (channelId, chatId, chatDate, userId, isAlert, content as its UTF-8 bytes: the
    /// column's type is checked, the encoding is not, for a caller that digests bytes).
    /// The order of rooms and of messages within a room is whatever the file holds: callers
    /// check it. `f` returns `false` to stop.
    ///
    /// # Errors
    /// SQLite errors; content that is not text (naming the room id); whatever `f` returns.
    pub fn for_each_row(
        &self,
        f: impl FnMut(i64, i64, i64, i64, bool, &[u8]) -> Result<bool, ChatDataError>,
    ) -> Result<(), ChatDataError> {
        super::legacy::chat_rows(
            &self.conn,
            &self.path,
            "SELECT channelId, chatId, chatDate, userId, isAlert, content FROM tblChat NOT INDEXED",
            &[],
            f,
        )
    }

    /// Streams one room's messages as (chatDate, userId, isAlert, content), in chatId order
    /// or, with `by_date`, in (chatDate, chatId) order. `f` returns `false` to stop.
    ///
    /// # Errors
    /// SQLite errors naming the room; whatever `f` returns.
    pub fn for_each_message(
        &self,
        room_id: i64,
        room_name: &str,
        by_date: bool,
        mut f: impl FnMut(i64, i64, bool, &str) -> Result<bool, ChatDataError>,
    ) -> Result<(), ChatDataError> {
        let action = format!("read the messages of room \"{room_name}\"");
        let sql = if by_date {
            "SELECT chatDate, userId, isAlert, content FROM tblChat WHERE channelId = ?1 ORDER BY chatDate, chatId"
        } else {
            "SELECT chatDate, userId, isAlert, content FROM tblChat WHERE channelId = ?1 ORDER BY chatId"
        };
        let mut st = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.err(&action)(e))?;
        let mut rows = st
            .query(params![room_id])
            .map_err(|e| self.err(&action)(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(&action)(e))? {
            let date: i64 = r.get(0).map_err(|e| self.err(&action)(e))?;
            let user: i64 = r.get(1).map_err(|e| self.err(&action)(e))?;
            let alert = r.get::<_, i64>(2).map_err(|e| self.err(&action)(e))? != 0;
            let content = r.get_ref(3).map_err(|e| self.err(&action)(e))?;
            let text = content.as_str().map_err(|_| ChatDataError::Schema {
                path: self.path.clone(),
                message: format!("room \"{room_name}\": a message's content is not valid text"),
            })?;
            if !f(date, user, alert, text)? {
                break;
            }
        }
        Ok(())
    }
}
