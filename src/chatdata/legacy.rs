//! Reading a legacy Group Chat database (2010 shape, schemas.md §2.2): the directory into a
//! [`Directory`], messages streamed room by room. Always opened read-only.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::ChatDataError;
use super::model::{
    AddIn, Affiliation, Directory, Message, MessageRef, Node, Principal, Role, RoleAssignment,
    ScopeEntry, ptype,
};

/// Opens a SQLite database read-only, with an error that names the file when it is missing.
pub(crate) fn open_read_only(path: &Path, what: &str) -> Result<Connection, ChatDataError> {
    if !path.is_file() {
        return Err(ChatDataError::Schema {
            path: path.to_path_buf(),
            message: format!(
                "the {what} database does not exist (lab: run `pchat-migrate lab init` first)"
            ),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(ChatDataError::sqlite(
        path,
        format!("open the {what} database read-only"),
    ))?;
    conn.execute_batch("PRAGMA cache_size=-32768; PRAGMA query_only=ON;")
        .map_err(ChatDataError::sqlite(path, "set up the connection"))?;
    Ok(conn)
}

/// Runs `sql`, a query of `tblChat`'s (channel, chatId, chatDate, userId, isAlert, content)
/// columns in that order, on the legacy or the `mgc` database, passing each row to `f` with
/// the content as its UTF-8 bytes (the column's type is checked, the encoding is not: the
/// callers digest bytes); `params` are bound to its parameters in order. `f` returns `false`
/// to stop.
///
/// # Errors
/// SQLite errors naming `path`; content that is not text, or another cell that is not an
/// integer (naming room and chatId); whatever `f` returns.
pub(crate) fn chat_rows(
    conn: &Connection,
    path: &Path,
    sql: &str,
    params: &[i64],
    mut f: impl FnMut(i64, i64, i64, i64, bool, &[u8]) -> Result<bool, ChatDataError>,
) -> Result<(), ChatDataError> {
    let err = |e| ChatDataError::sqlite(path, "read the messages")(e);
    // one call per row and column less than rusqlite's rows (see `direct_sql`)
    let mut scan = super::direct_sql::RowScan::new(conn, sql, params).map_err(err)?;
    while let Some(r) = scan.next().map_err(err)? {
        let room = r.int(0).map_err(err)?;
        let cell = |e| bad_cell(path, &format!("room id {room}"), e);
        let chat = r.int(1).map_err(cell)?;
        let cell = |e| bad_cell(path, &format!("room id {room}, chatID {chat}"), e);
        let date = r.int(2).map_err(cell)?;
        let user = r.int(3).map_err(cell)?;
        let alert = r.int(4).map_err(cell)? != 0;
        let Ok(text) = r.text(5) else {
            return Err(ChatDataError::Schema {
                path: path.to_path_buf(),
                message: format!(
                    "room id {room}, chatID {chat}: content is not valid text; fix that row"
                ),
            });
        };
        if !f(room, chat, date, user, alert, text)? {
            break;
        }
    }
    Ok(())
}

/// The error of a `tblChat` cell that is not the integer the schema says (a text chatDate, a
/// NULL userId), naming the row by `row` ("room id 7, chatID 12"); other errors are SQLite's.
fn bad_cell(path: &Path, row: &str, e: rusqlite::Error) -> ChatDataError {
    match e {
        rusqlite::Error::InvalidColumnType(_, column, found) => {
            let found = match found {
                rusqlite::types::Type::Null => "NULL",
                rusqlite::types::Type::Text => "text",
                rusqlite::types::Type::Real => "a real number",
                rusqlite::types::Type::Blob => "a blob",
                rusqlite::types::Type::Integer => "an integer",
            };
            ChatDataError::Schema {
                path: path.to_path_buf(),
                message: format!(
                    "{row}: {column} holds {found} where the schema has an integer; fix that row in the source"
                ),
            }
        }
        other => ChatDataError::sqlite(path, "read the messages")(other),
    }
}

/// Caps `conn`'s page cache at `kib` KiB (`PRAGMA cache_size` with a negative value).
pub(crate) fn limit_cache(conn: &Connection, path: &Path, kib: u32) -> Result<(), ChatDataError> {
    conn.execute_batch(&format!("PRAGMA cache_size=-{kib};"))
        .map_err(ChatDataError::sqlite(path, "set the page cache"))
}

/// Fails with a clear message when a table the code relies on is missing.
pub(crate) fn require_tables(
    conn: &Connection,
    path: &Path,
    what: &str,
    tables: &[&str],
) -> Result<(), ChatDataError> {
    for t in tables {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=?1 COLLATE NOCASE",
                [t],
                |r| r.get(0),
            )
            .map_err(ChatDataError::sqlite(path, "read the schema"))?;
        if n == 0 {
            return Err(ChatDataError::Schema {
                path: path.to_path_buf(),
                message: format!(
                    "table {t} is missing: this is not a {what} database (check the file you pointed at)"
                ),
            });
        }
    }
    Ok(())
}

/// A legacy database opened read-only.
pub struct LegacyDb {
    conn: Connection,
    path: PathBuf,
}

impl LegacyDb {
    /// Opens `path` read-only and checks that the legacy tables are there.
    ///
    /// # Errors
    /// [`ChatDataError::Schema`] when the file is missing or not a legacy database.
    pub fn open(path: &Path) -> Result<LegacyDb, ChatDataError> {
        let conn = open_read_only(path, "legacy Group Chat")?;
        require_tables(
            &conn,
            path,
            "legacy Group Chat",
            &[
                "tblNode",
                "tblPrincipal",
                "tblPrincipalType",
                "tblRoleType",
                "tblPrincipalRole",
                "tblScopePrincipal",
                "tblChat",
            ],
        )?;
        Ok(LegacyDb {
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
        limit_cache(&self.conn, &self.path, kib)
    }

    fn err(&self, action: &str) -> impl FnOnce(rusqlite::Error) -> ChatDataError {
        ChatDataError::sqlite(&self.path, action)
    }

    /// Reads principals, nodes, add-ins, roles, scopes and affiliations. Every node is marked
    /// `in_scope`.
    ///
    /// # Errors
    /// SQLite errors naming the table.
    pub fn read_directory(&self) -> Result<Directory, ChatDataError> {
        let c = &self.conn;
        let mut d = Directory::default();
        let mut st = c
            .prepare(
                "SELECT p.prinID, p.prinGuid, p.prinTypeID, t.ptypeIsFederated, p.prinUri, p.prinName, p.prinCompanyName, \
                 p.prinEmail, p.prinADPath, p.prinADUserPrincipalName, p.prinDisabled, p.prinAddedBy, p.prinAddedOn, \
                 p.prinUpdatedBy, p.prinUpdatedOn, p.prinVerifiedOn \
                 FROM tblPrincipal p LEFT JOIN tblPrincipalType t ON t.ptypeID = p.prinTypeID ORDER BY p.prinID",
            )
            .map_err(self.err("read tblPrincipal"))?;
        let rows = st
            .query_map([], |r| {
                let type_id: i16 = r.get(2)?;
                let fed: Option<bool> = r.get(3)?;
                Ok(Principal {
                    id: r.get(0)?,
                    guid: Some(r.get::<_, String>(1)?.to_uppercase()),
                    type_id: Some(type_id),
                    federated: fed.unwrap_or_else(|| ptype::is_federated(type_id)),
                    uri: r.get(4)?,
                    name: r.get(5)?,
                    company: r.get(6)?,
                    email: r.get(7)?,
                    ad_path: r.get(8)?,
                    upn: r.get(9)?,
                    disabled: r.get::<_, i64>(10)? != 0,
                    added_by: r.get(11)?,
                    added_on: r.get(12)?,
                    updated_by: r.get(13)?,
                    updated_on: r.get(14)?,
                    verified_on: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
                })
            })
            .map_err(self.err("read tblPrincipal"))?;
        for p in rows {
            d.principals.push(p.map_err(self.err("read tblPrincipal"))?);
        }

        let mut st = c
            .prepare(
                "SELECT nodeID, nodeGuid, parentID, nodeType, nodeName, nodeDesc, topic, invite, logged, filePost, disabled, \
                 inheritance, scopeChange, overrideMember, restrictChildCreate, behavior, visibility, scopeDefinerId, \
                 roleDefinerId, siopID, nodeAddedBy, nodeAddedOn, nodeUpdatedBy, nodeUpdatedOn FROM tblNode ORDER BY nodeID",
            )
            .map_err(self.err("read tblNode"))?;
        let rows = st
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                Ok(Node {
                    id,
                    guid: r.get::<_, String>(1)?.to_uppercase(),
                    parent_id: r.get::<_, Option<i64>>(2)?.unwrap_or(id),
                    is_category: r.get::<_, i64>(3)? != 0,
                    name: r.get(4)?,
                    desc: r.get(5)?,
                    topic: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    invite: r.get(7)?,
                    logged: r.get(8)?,
                    file_post: r.get(9)?,
                    disabled: r.get::<_, i64>(10)? != 0,
                    inheritance: r.get::<_, i64>(11)? != 0,
                    scope_change: r.get::<_, i64>(12)? != 0,
                    override_member: r.get::<_, i64>(13)? != 0,
                    restrict_child_create: r.get(14)?,
                    behavior: r.get(15)?,
                    visibility: r.get(16)?,
                    scope_definer_id: r.get(17)?,
                    role_definer_id: r.get(18)?,
                    siop_id: r.get::<_, Option<String>>(19)?.map(|s| s.to_uppercase()),
                    added_by: r.get(20)?,
                    added_on: r.get(21)?,
                    updated_by: r.get(22)?,
                    updated_on: r.get(23)?,
                    in_scope: true,
                })
            })
            .map_err(self.err("read tblNode"))?;
        for n in rows {
            d.nodes.push(n.map_err(self.err("read tblNode"))?);
        }
        d.root_id = d
            .nodes
            .iter()
            .find(|n| n.is_category && n.parent_id == n.id)
            .map(|n| n.id);

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
            d.addins.push(a.map_err(self.err("read tblSiopWhiteList"))?);
        }

        // roles are joined on rtypeDesc: numeric ids are undocumented (schemas.md §1.3)
        let mut st = c
            .prepare(
                "SELECT r.prinRoleNodeID, r.prinRolePrinID, t.rtypeDesc FROM tblPrincipalRole r \
                 JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID ORDER BY 1, 2, 3",
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
            let (node_id, prin_id, desc) = row.map_err(self.err("read tblPrincipalRole"))?;
            if let Some(role) = Role::from_desc(&desc) {
                d.roles.push(RoleAssignment {
                    node_id,
                    prin_id,
                    role,
                });
            }
        }

        let mut st = c
            .prepare("SELECT scopeNodeID, scopePrinID FROM tblScopePrincipal ORDER BY 1, 2")
            .map_err(self.err("read tblScopePrincipal"))?;
        let rows = st
            .query_map([], |r| {
                Ok(ScopeEntry {
                    node_id: r.get(0)?,
                    prin_id: r.get(1)?,
                })
            })
            .map_err(self.err("read tblScopePrincipal"))?;
        for s in rows {
            d.scopes
                .push(s.map_err(self.err("read tblScopePrincipal"))?);
        }

        let has_aff: i64 = c
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='tblPrincipalAffiliations'", [], |r| r.get(0))
            .map_err(self.err("read the schema"))?;
        if has_aff > 0 {
            let mut st = c
                .prepare(
                    "SELECT DISTINCT principalID, affiliationID FROM tblPrincipalAffiliations \
                     WHERE principalID <> affiliationID ORDER BY 1, 2",
                )
                .map_err(self.err("read tblPrincipalAffiliations"))?;
            let rows = st
                .query_map([], |r| {
                    Ok(Affiliation {
                        principal_id: r.get(0)?,
                        group_id: r.get(1)?,
                    })
                })
                .map_err(self.err("read tblPrincipalAffiliations"))?;
            for a in rows {
                d.affiliations
                    .push(a.map_err(self.err("read tblPrincipalAffiliations"))?);
            }
        }
        Ok(d)
    }

    /// Messages at or after `start` (ticks): an exact count (a full scan of tblChat).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn count_messages(&self, start: Option<i64>) -> Result<u64, ChatDataError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM tblChat WHERE chatDate >= ?1",
                [start.unwrap_or(i64::MIN)],
                |r| r.get(0),
            )
            .map_err(self.err("count messages in tblChat"))?;
        Ok(n as u64)
    }

    /// Messages that post a file (`ma-filelink:`) on or after `start` (ticks), or all.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn count_file_posts(&self, start: Option<i64>) -> Result<u64, ChatDataError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM tblChat WHERE chatDate >= ?1 AND content LIKE 'ma-filelink:%'",
                [start.unwrap_or(i64::MIN)],
                |r| r.get(0),
            )
            .map_err(self.err("count file posts in tblChat"))?;
        Ok(n as u64)
    }

    /// A cheap estimate of the message count for progress totals: the sum of
    /// tblLastChatId.lastChatId (an upper bound when a start date filters messages out), or
    /// the exact count when that table is missing.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn estimate_messages(&self) -> Result<u64, ChatDataError> {
        match self.conn.query_row(
            "SELECT IFNULL(SUM(lastChatId), 0) FROM tblLastChatId",
            [],
            |r| r.get::<_, i64>(0),
        ) {
            Ok(n) => Ok(n.max(0) as u64),
            Err(_) => self.count_messages(None),
        }
    }

    /// Streams every message with chatDate ≥ `start` in table order (no index: one pass
    /// over the table, about half the work of reading the rooms one by one through the
    /// primary key), as (channelID, chatID, chatDate, userId, isAlert, content as its UTF-8
    /// bytes: the column's type is checked, the encoding is not, for a caller that digests
    /// bytes). The order of rooms and of messages within a room is whatever the file holds:
    /// callers check it. `f` returns `false` to stop.
    ///
    /// # Errors
    /// SQLite errors; content that is not text (naming room and chatID); whatever `f` returns.
    pub fn for_each_row(
        &self,
        start: Option<i64>,
        f: impl FnMut(i64, i64, i64, i64, bool, &[u8]) -> Result<bool, ChatDataError>,
    ) -> Result<(), ChatDataError> {
        chat_rows(
            &self.conn,
            &self.path,
            "SELECT channelID, chatID, chatDate, userId, isAlert, content FROM tblChat NOT INDEXED WHERE chatDate >= ?1",
            &[start.unwrap_or(i64::MIN)],
            f,
        )
    }

    /// Streams the messages of one room with chatDate ≥ `start`, in chatID order (the
    /// legacy sequence) or, with `by_date`, in (chatDate, chatID) order. `f` returns `false`
    /// to stop early.
    ///
    /// # Errors
    /// SQLite errors, content that is not valid UTF-8 or a cell that is not an integer (naming
    /// room and chatID), and whatever `f` returns.
    pub fn for_each_message(
        &self,
        room: &Node,
        start: Option<i64>,
        by_date: bool,
        mut f: impl FnMut(&Message) -> Result<bool, ChatDataError>,
    ) -> Result<(), ChatDataError> {
        let mut m = Message::default();
        self.for_each_message_ref(room, start, by_date, |r| {
            r.fill(&mut m);
            f(&m)
        })
    }

    /// [`Self::for_each_message`] with each message's text borrowed from its row (valid for
    /// the call of `f`): for a reader that copies the messages into buffers of its own.
    ///
    /// # Errors
    /// As [`Self::for_each_message`].
    pub fn for_each_message_ref(
        &self,
        room: &Node,
        start: Option<i64>,
        by_date: bool,
        mut f: impl FnMut(&MessageRef<'_>) -> Result<bool, ChatDataError>,
    ) -> Result<(), ChatDataError> {
        let sql = if by_date {
            "SELECT chatID, chatDate, userId, isAlert, content FROM tblChat WHERE channelID = ?1 AND chatDate >= ?2 ORDER BY chatDate, chatID"
        } else {
            "SELECT chatID, chatDate, userId, isAlert, content FROM tblChat WHERE channelID = ?1 AND chatDate >= ?2 ORDER BY chatID"
        };
        let action = || format!("read the messages of room \"{}\"", room.name);
        let err = |e| self.err(&action())(e);
        let mut scan =
            super::direct_sql::RowScan::new(&self.conn, sql, &[room.id, start.unwrap_or(i64::MIN)])
                .map_err(err)?;
        while let Some(r) = scan.next().map_err(err)? {
            let chat_id = r
                .int(0)
                .map_err(|e| bad_cell(&self.path, &format!("room \"{}\"", room.name), e))?;
            let cell = |e| {
                bad_cell(
                    &self.path,
                    &format!("room \"{}\", chatID {chat_id}", room.name),
                    e,
                )
            };
            let content = r
                .text(4)
                .ok()
                .and_then(|t| std::str::from_utf8(t).ok())
                .ok_or_else(|| ChatDataError::Schema {
                    path: self.path.clone(),
                    message: format!(
                        "room \"{}\", chatID {chat_id}: content is not valid text; fix that row in the source before exporting",
                        room.name
                    ),
                })?;
            let m = MessageRef {
                room_id: room.id,
                chat_id,
                date: r.int(1).map_err(cell)?,
                poster_id: r.int(2).map_err(cell)?,
                is_alert: r.int(3).map_err(cell)? != 0,
                content,
            };
            if !f(&m)? {
                break;
            }
        }
        Ok(())
    }
}
