//! SQLite DDL of the lab's two databases: the legacy Lync Server 2010 Group Chat database and
//! the Lync Server 2013 Persistent Chat content database `mgc`.
//!
//! Laid out to schemas.md §1 (2013), §2 (2010) and Appendix A. Every table carries a comment
//! saying whether its columns are documented (`\[doc\]`, with the source page) or our
//! reconstruction (`\[inf\]`). SQLite types: GUIDs are TEXT in uppercase canonical form, `bit`
//! is INTEGER 0/1, tick time stamps are INTEGER, SQL `datetime` is TEXT
//! `YYYY-MM-DD HH:MM:SS`. Foreign keys are declared as in the docs but not enforced
//! (`PRAGMA foreign_keys` stays off, as bulk loads would pay for it).
//!
//! Lab-only physical choices: `tblChat` is an ordinary (rowid) table whose primary key
//! (channel, chat id) is a separate index. A `WITHOUT ROWID` table — the closer analogue of a
//! clustered SQL Server key — stores whole rows in its interior pages too, so every insert
//! that passes a 64 KiB message on its way down copies it; at 10 million messages that was a
//! third of the import's time. Messages are written in key order, so rowid order follows the
//! key and reading a room stays sequential. `prinGuid` has a unique index (it is the
//! documented alternate key).
//!
//! Not built (columns not retrievable, schemas.md §2.1): the 2010 `Logs` table, the 2010
//! node-derived helper table (name unknown), the compliance tables of both versions
//! (`mgccomp` is a separate database and the data plane does not use it), and the 2013
//! function `dbo.fnTicksToDate` (SQLite has no stored functions; see
//! [`crate::chatdata::ticks`]).

use rusqlite::{Connection, params};

use super::model::Role;

/// prinID of the system principal in both lab databases (2013 `updatedBy` "normally 1 = AD
/// sync" suggests prinID 1 is internal) \[inf\].
pub const SYSTEM_PRINCIPAL_ID: i64 = 1;
/// nodeID of the root category ("the root node has nodeID 1 and is its own parent") \[doc\].
pub const ROOT_NODE_ID: i64 = 1;
/// GUID of the mgc system principal (lab constant).
pub const MGC_SYSTEM_GUID: &str = "00000000-0000-0000-0000-00000000A001";
/// GUID of the mgc root node (lab constant).
pub const MGC_ROOT_GUID: &str = "00000000-0000-0000-0000-00000000B001";
/// The Persistent Chat pool the lab's `mgc` belongs to (the lab profile's pool); written into
/// its `tblConfig` `pool` row [inf: the real row's content is undocumented].
pub const LAB_PCHAT_POOL_FQDN: &str = "pchatpool.contoso.lab";
/// Fixed time stamp of the mgc seed rows (2013-01-01 00:00:00 UTC, in ticks).
pub const MGC_SEED_TICKS: i64 = 634_925_952_000_000_000;

/// Lab-chosen tblRoleType ids of the legacy database. Real ids are undocumented \[nf\]: code
/// must look roles up by `rtypeDesc`; the two lab databases deliberately use different ids so
/// that code which does not is caught by the tests.
pub const LEGACY_ROLE_IDS: [(Role, i64); 3] =
    [(Role::Member, 1), (Role::Manager, 2), (Role::Voiced, 3)];
/// Lab-chosen tblRoleType ids of `mgc` (see [`LEGACY_ROLE_IDS`]).
pub const MGC_ROLE_IDS: [(Role, i64); 4] = [
    (Role::Voiced, 1),
    (Role::Creator, 2),
    (Role::Member, 3),
    (Role::Manager, 4),
];

/// Permission bits of tblRoleType.rtypeAllowedPermSet, as `1 << n` (bit positions \[doc\],
/// the `1 << n` encoding \[inf\], schemas.md §1.3).
pub mod perm {
    /// 2: manage nodes.
    pub const MANAGE: i64 = 1 << 2;
    /// 4: create child nodes.
    pub const CREATE_CHILD: i64 = 1 << 4;
    /// 5: modify roles (2010, obsolete).
    pub const MODIFY_ROLES: i64 = 1 << 5;
    /// 6: modify settings (2010, obsolete).
    pub const MODIFY_SETTINGS: i64 = 1 << 6;
    /// 7: join a room.
    pub const JOIN: i64 = 1 << 7;
    /// 8: post in a room.
    pub const POST: i64 = 1 << 8;
    /// 9: leave a room (2010).
    pub const LEAVE: i64 = 1 << 9;
    /// 10: read history without joining.
    pub const READ_HISTORY: i64 = 1 << 10;
    /// 11: see the room.
    pub const SEE: i64 = 1 << 11;
    /// 12: post in auditorium rooms.
    pub const POST_AUDITORIUM: i64 = 1 << 12;
    /// 13: bypass visibility rules when browsing.
    pub const BYPASS_VISIBILITY: i64 = 1 << 13;
}

/// Which permissions each role holds (lab choice \[inf\]; the docs list the bits, not the sets).
pub fn role_perm_set(role: Role) -> i64 {
    use perm::*;
    let member = JOIN | POST | READ_HISTORY | SEE;
    match role {
        Role::Member => member | LEAVE,
        Role::Manager => member | MANAGE | MODIFY_ROLES | MODIFY_SETTINGS | BYPASS_VISIBILITY,
        Role::Voiced => member | POST_AUDITORIUM,
        Role::Creator => CREATE_CHILD | SEE,
    }
}

/// DDL of the legacy (Lync Server 2010 Group Chat) database. Physical names `tbl<Name>` [inf,
/// schemas.md §2.1: the 2010 pages title tables without prefix but cross-reference `tbl…`].
pub const LEGACY_DDL: &str = r#"
-- [doc gg615025] columns; the 2010 page lists no value rows, values assumed as 2013 [inf]
CREATE TABLE tblEnumAttribute (
  attributeID INTEGER NOT NULL PRIMARY KEY,
  attributeName TEXT NOT NULL);
-- [doc gg615025] columns; values [inf]
CREATE TABLE tblEnumValue (
  valueID INTEGER NOT NULL PRIMARY KEY,
  attributeID INTEGER NOT NULL REFERENCES tblEnumAttribute(attributeID),
  attributeValue TEXT NOT NULL);
-- [doc gg558633] incl. ptypeIsFederated; per-row flag values [inf]
CREATE TABLE tblPrincipalType (
  ptypeID INTEGER NOT NULL PRIMARY KEY,
  ptypeDesc TEXT NOT NULL,
  ptypeIsSystemUser INTEGER NOT NULL,
  ptypeIsUser INTEGER NOT NULL,
  ptypeIsFederated INTEGER NOT NULL);
-- [doc gg558667] 2010 shape: prinName = display name, prinDisabled bit, per-principal rights
CREATE TABLE tblPrincipal (
  prinID INTEGER NOT NULL PRIMARY KEY,
  prinGuid TEXT NOT NULL,
  prinUri TEXT NOT NULL,
  prinName TEXT,
  prinCompanyName TEXT,
  prinEmail TEXT,
  prinADPath TEXT,
  prinADUserPrincipalName TEXT,
  prinDisabled INTEGER NOT NULL,
  prinTypeID INTEGER NOT NULL REFERENCES tblPrincipalType(ptypeID),
  prinAllowedPermSet INTEGER NOT NULL,
  prinUseInheritedPerms INTEGER NOT NULL,
  prinAddedBy INTEGER,
  prinAddedOn INTEGER NOT NULL,
  prinUpdatedBy INTEGER,
  prinUpdatedOn INTEGER NOT NULL,
  prinVerifiedOn TEXT NOT NULL);
CREATE UNIQUE INDEX ixPrincipalGuid ON tblPrincipal(prinGuid);
-- [inf] 2010 column list not retrieved; 2013 shape assumed (schemas.md §2.2)
CREATE TABLE tblPrincipalAffiliations (
  principalID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  affiliationID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  "index" INTEGER NOT NULL,
  updatedBy INTEGER NOT NULL,
  PRIMARY KEY (principalID, "index", affiliationID));
-- [inf] 2010 column list not retrieved; 2013 shape assumed
CREATE TABLE tblPrincipalMembers (
  prinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  memberADPath TEXT NOT NULL,
  PRIMARY KEY (prinID, memberADPath));
-- [doc gg558610] same columns as 2013
CREATE TABLE tblADCookie (
  prinGuid TEXT NOT NULL PRIMARY KEY,
  prinDCHost TEXT,
  adcContent BLOB,
  lastUpdated TEXT,
  lockedUntil TEXT);
-- [inf] 2010 column list not retrieved; 2013 shape assumed
CREATE TABLE tblSiopWhiteList (
  siopID TEXT NOT NULL PRIMARY KEY,
  siopName TEXT NOT NULL,
  siopUrl TEXT NOT NULL);
-- [doc gg615024] first 21 columns (nodeID … roleDefinerId); the tail siopID, nodeAddedBy/On,
-- nodeUpdatedBy/On is [inf] (not retrievable, assumed as 2013)
CREATE TABLE tblNode (
  nodeID INTEGER NOT NULL PRIMARY KEY,
  nodeGuid TEXT NOT NULL,
  parentID INTEGER REFERENCES tblNode(nodeID),
  nodeType INTEGER NOT NULL,
  nodeName TEXT NOT NULL,
  nodeDesc TEXT NOT NULL,
  topic TEXT NOT NULL,
  filestoreURI TEXT,
  inheritance INTEGER NOT NULL,
  scopeChange INTEGER NOT NULL,
  overrideMember INTEGER NOT NULL,
  invite INTEGER,
  logged INTEGER,
  filePost INTEGER,
  disabled INTEGER NOT NULL,
  restrictChildCreate INTEGER,
  behavior INTEGER NOT NULL REFERENCES tblEnumValue(valueID),
  visibility INTEGER REFERENCES tblEnumValue(valueID),
  scopeDefinerId INTEGER NOT NULL,
  roleDefinerId INTEGER NOT NULL,
  siopID TEXT REFERENCES tblSiopWhiteList(siopID),
  nodeAddedBy INTEGER NOT NULL,
  nodeAddedOn INTEGER NOT NULL,
  nodeUpdatedBy INTEGER NOT NULL,
  nodeUpdatedOn INTEGER NOT NULL);
-- [doc gg558623] Member, Manager, Voiced; lab-chosen ids [inf]
CREATE TABLE tblRoleType (
  rtypeID INTEGER NOT NULL PRIMARY KEY,
  rtypeDesc TEXT NOT NULL,
  rtypeAllowedPermSet INTEGER NOT NULL,
  honorsOverride INTEGER NOT NULL,
  honorsScope INTEGER NOT NULL);
-- [doc gg615039]
CREATE TABLE tblPrincipalRole (
  prinRoleNodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  prinRolePrinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  prinRoleTypeID INTEGER NOT NULL REFERENCES tblRoleType(rtypeID),
  prinRoleUpdatedBy INTEGER NOT NULL,
  honorsOverride INTEGER NOT NULL,
  honorsScope INTEGER NOT NULL,
  PRIMARY KEY (prinRoleNodeID, prinRolePrinID, prinRoleTypeID));
-- [doc gg558639] allow-only: no scopeIsDenied
CREATE TABLE tblScopePrincipal (
  scopeNodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  scopePrinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  scopeUpdatedBy INTEGER NOT NULL,
  PRIMARY KEY (scopeNodeID, scopePrinID));
-- [doc gg558619] no key documented
CREATE TABLE tblPurgedRoles (
  purgedOn TEXT NOT NULL,
  nodeId INTEGER NOT NULL,
  prinId INTEGER NOT NULL,
  roleId INTEGER NOT NULL);
-- [doc gg558652] no key documented
CREATE TABLE tblPurgedScoped (
  purgedOn TEXT NOT NULL,
  nodeId INTEGER NOT NULL,
  prinId INTEGER NOT NULL);
-- [doc gg558650]
CREATE TABLE tblPrincipalInvites (
  prinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  invID INTEGER NOT NULL,
  nodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  createdOn TEXT NOT NULL,
  PRIMARY KEY (prinID, nodeID));
-- [inf] 2010 column list not retrieved; 2013 shape assumed
CREATE TABLE tblLastInviteId (
  prinID INTEGER NOT NULL PRIMARY KEY REFERENCES tblPrincipal(prinID),
  lastInviteID INTEGER NOT NULL);
-- [doc gg615031] no rtf column; PK (channelID, chatID); an ordinary rowid table (lab choice,
-- see the module docs)
CREATE TABLE tblChat (
  channelID INTEGER NOT NULL,
  chatID INTEGER NOT NULL,
  chatDate INTEGER NOT NULL,
  userId INTEGER NOT NULL,
  isAlert INTEGER NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (channelID, chatID));
-- [doc gg558616]
CREATE TABLE tblLastChatId (
  nodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  lastChatId INTEGER NOT NULL,
  PRIMARY KEY (nodeID, lastChatId));
-- [inf] 2010 column list not retrieved; 2013 shape assumed
CREATE TABLE tblPreference (
  prefLabel TEXT NOT NULL,
  prefSeqID INTEGER NOT NULL,
  prefContent TEXT,
  lastModifiedBy INTEGER NOT NULL,
  PRIMARY KEY (prefLabel, prefSeqID));
-- [doc gg558646] 2010: fileTokenExpireTime, no compliance columns
CREATE TABLE tblFileToken (
  fileToken TEXT NOT NULL PRIMARY KEY,
  fileTokenUserID INTEGER NOT NULL,
  fileTokenChannelID TEXT NOT NULL,
  fileTokenExpireTime TEXT NOT NULL);
-- [doc gg558648] with serverType 1 Lookup, 2 Channel, 4 Compliance
CREATE TABLE tblServerIdentity (
  serverID INTEGER NOT NULL PRIMARY KEY,
  serverAddress TEXT NOT NULL,
  serverType INTEGER NOT NULL,
  serverLastPingTime TEXT);
-- [inf] 2010 column lists not retrieved; 2013 shape assumed
CREATE TABLE tblAdminLock (
  lockExpiresTime TEXT NOT NULL,
  lockServerID INTEGER NOT NULL,
  lockActorID INTEGER NOT NULL);
CREATE TABLE tblSystemRevision (sysRevision INTEGER NOT NULL);
CREATE TABLE tblActivePeers (
  aplServerID INTEGER NOT NULL,
  aplPeerID INTEGER NOT NULL,
  PRIMARY KEY (aplServerID, aplPeerID));
-- [doc gg558663] new row per change, highest configSeqID current
CREATE TABLE tblConfig (
  configLabel TEXT NOT NULL,
  configSeqID INTEGER NOT NULL,
  configContent TEXT,
  lastModifiedBy INTEGER NOT NULL,
  PRIMARY KEY (configLabel, configSeqID));
-- [doc gg615021]
CREATE TABLE tblVersion (
  versionId INTEGER NOT NULL PRIMARY KEY,
  versionedOn TEXT NOT NULL,
  description TEXT,
  poolId TEXT NOT NULL);
"#;

/// DDL of the 2013 `mgc` database (schemas.md §1.3–§1.5, Appendix A).
pub const MGC_DDL: &str = r#"
-- [doc tblEnumAttribute] hard-coded rows 1 Visibility, 2 Behavior
CREATE TABLE tblEnumAttribute (
  attributeID INTEGER NOT NULL PRIMARY KEY,
  attributeName TEXT NOT NULL);
-- [doc tblEnumValue] hard-coded rows 2 private, 3 scope, 4 normal, 5 auditorium, 6 open
CREATE TABLE tblEnumValue (
  valueID INTEGER NOT NULL PRIMARY KEY,
  attributeID INTEGER NOT NULL REFERENCES tblEnumAttribute(attributeID),
  attributeValue TEXT NOT NULL);
-- [doc tblSiopWhiteList]
CREATE TABLE tblSiopWhiteList (
  siopID TEXT NOT NULL PRIMARY KEY,
  siopName TEXT NOT NULL,
  siopUrl TEXT NOT NULL);
-- [doc tblPrincipalType] rows 1-5, 8, 9, 10; flag values [doc for the user column, else inf]
CREATE TABLE tblPrincipalType (
  ptypeID INTEGER NOT NULL PRIMARY KEY,
  ptypeDesc TEXT NOT NULL,
  ptypeIsSystemUser INTEGER NOT NULL,
  ptypeIsUser INTEGER NOT NULL);
-- [doc tblPrincipal]
CREATE TABLE tblPrincipal (
  prinID INTEGER NOT NULL PRIMARY KEY,
  prinGuid TEXT NOT NULL,
  prinUri TEXT NOT NULL,
  prinName TEXT,
  prinDisplayName TEXT,
  prinCompanyName TEXT,
  prinEmail TEXT,
  prinADPath TEXT,
  prinADUserPrincipalName TEXT,
  prinDisabled INTEGER NOT NULL,
  prinTypeID INTEGER NOT NULL REFERENCES tblPrincipalType(ptypeID),
  prinPoolID INTEGER,
  prinPolicyID INTEGER,
  prinAddedBy INTEGER,
  prinAddedOn INTEGER NOT NULL,
  prinUpdatedBy INTEGER,
  prinUpdatedOn INTEGER NOT NULL,
  prinVerifiedOn TEXT NOT NULL);
CREATE UNIQUE INDEX ixPrincipalGuid ON tblPrincipal(prinGuid);
-- [doc tblNode]
CREATE TABLE tblNode (
  nodeID INTEGER NOT NULL PRIMARY KEY,
  nodeGuid TEXT NOT NULL,
  parentID INTEGER REFERENCES tblNode(nodeID),
  nodeType INTEGER NOT NULL,
  nodeName TEXT NOT NULL,
  nodeDesc TEXT NOT NULL,
  invite INTEGER,
  logged INTEGER,
  filePost INTEGER,
  disabled INTEGER NOT NULL,
  behavior INTEGER NOT NULL REFERENCES tblEnumValue(valueID),
  visibility INTEGER NOT NULL REFERENCES tblEnumValue(valueID),
  siopID TEXT REFERENCES tblSiopWhiteList(siopID),
  nodeAddedBy INTEGER NOT NULL,
  nodeAddedOn INTEGER NOT NULL,
  nodeUpdatedBy INTEGER NOT NULL,
  nodeUpdatedOn INTEGER NOT NULL,
  purgedOn TEXT);
-- [doc tblRoleType] Member, Manager, Voiced, Creator; ids lab-chosen [nf]
CREATE TABLE tblRoleType (
  rtypeID INTEGER NOT NULL PRIMARY KEY,
  rtypeDesc TEXT NOT NULL,
  rtypeAllowedPermSet INTEGER NOT NULL);
-- [doc tblPrincipalRole]
CREATE TABLE tblPrincipalRole (
  prinRoleNodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  prinRolePrinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  prinRoleTypeID INTEGER NOT NULL REFERENCES tblRoleType(rtypeID),
  prinRoleUpdatedBy INTEGER NOT NULL,
  PRIMARY KEY (prinRoleNodeID, prinRolePrinID, prinRoleTypeID));
-- [doc tblScopePrincipal]
CREATE TABLE tblScopePrincipal (
  scopeNodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  scopePrinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  scopeIsDenied INTEGER NOT NULL,
  scopeUpdatedBy INTEGER NOT NULL,
  PRIMARY KEY (scopeNodeID, scopePrinID));
-- [doc tblPrincipalAffiliations]
CREATE TABLE tblPrincipalAffiliations (
  principalID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  affiliationID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  "index" INTEGER NOT NULL,
  updatedBy INTEGER NOT NULL,
  PRIMARY KEY (principalID, "index", affiliationID));
-- [doc tblChat] PK (channelId, chatId) [inf: the doc's "<channelID, chatD>" is a typo];
-- an ordinary rowid table (lab choice, see the module docs)
CREATE TABLE tblChat (
  channelId INTEGER NOT NULL,
  chatId INTEGER NOT NULL,
  chatDate INTEGER NOT NULL,
  userId INTEGER NOT NULL,
  isAlert INTEGER NOT NULL,
  content TEXT NOT NULL,
  rtf TEXT,
  PRIMARY KEY (channelId, chatId));
-- [doc tblLastChatId]
CREATE TABLE tblLastChatId (
  nodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  lastChatID INTEGER NOT NULL,
  PRIMARY KEY (nodeID, lastChatID));
-- [doc tblPrincipalInvites]
CREATE TABLE tblPrincipalInvites (
  prinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  invID INTEGER NOT NULL,
  nodeID INTEGER NOT NULL REFERENCES tblNode(nodeID),
  createdOn TEXT NOT NULL,
  PRIMARY KEY (prinID, nodeID));
-- [doc tblLastInviteId]
CREATE TABLE tblLastInviteId (
  prinID INTEGER NOT NULL PRIMARY KEY REFERENCES tblPrincipal(prinID),
  lastInviteID INTEGER NOT NULL);
-- [doc tblFileToken]
CREATE TABLE tblFileToken (
  fileToken TEXT NOT NULL PRIMARY KEY,
  fileTokenUserID INTEGER NOT NULL,
  fileTokenChannelID TEXT NOT NULL,
  fileTokenExpireDate TEXT NOT NULL,
  fileTokenComplianceFileUrl TEXT,
  fileTokenComplianceThumbnailUrl TEXT,
  fileTokenComplianceTime TEXT,
  fileTokenComplianceIsUpload INTEGER,
  fileTokenCompliancePinned INTEGER NOT NULL);
-- [doc tblPreference]
CREATE TABLE tblPreference (
  prefLabel TEXT NOT NULL,
  prefSeqID INTEGER NOT NULL,
  prefContent TEXT,
  lastModifiedBy INTEGER NOT NULL,
  PRIMARY KEY (prefLabel, prefSeqID));
-- [doc tblADCookie]
CREATE TABLE tblADCookie (
  prinGuid TEXT NOT NULL PRIMARY KEY,
  prinDCHost TEXT,
  adcContent BLOB,
  lastUpdated TEXT,
  lockedUntil TEXT);
-- [doc tblPrincipalMemberDifference]
CREATE TABLE tblPrincipalMemberDifference (
  prinGuid TEXT NOT NULL,
  memberADPath TEXT,
  memberRemoved INTEGER NOT NULL,
  PRIMARY KEY (prinGuid, memberADPath));
-- [doc tblADUpdates] no key documented
CREATE TABLE tblADUpdates (
  prinGuid TEXT NOT NULL,
  prinADPath TEXT NOT NULL,
  prinAttributesChanged INTEGER NOT NULL,
  prinMembersChanged INTEGER NOT NULL,
  prinAffiliationsChanged INTEGER NOT NULL,
  prinDeleted INTEGER NOT NULL,
  lastUpdated TEXT NOT NULL);
-- [doc tblPrincipalMembers]
CREATE TABLE tblPrincipalMembers (
  prinID INTEGER NOT NULL REFERENCES tblPrincipal(prinID),
  memberADPath TEXT NOT NULL,
  PRIMARY KEY (prinID, memberADPath));
-- [doc tblPrincipalMeta]
CREATE TABLE tblPrincipalMeta (
  prinID INTEGER NOT NULL PRIMARY KEY REFERENCES tblPrincipal(prinID),
  prinAffiliationsDirty INTEGER NOT NULL,
  prinAttributesDirty INTEGER NOT NULL,
  prinDeleted INTEGER NOT NULL,
  tryCount INTEGER,
  lastTry TEXT,
  nextTry TEXT);
-- [doc tblSkippedAffiliations]
CREATE TABLE tblSkippedAffiliations (
  prinID INTEGER NOT NULL,
  affDescription TEXT NOT NULL,
  updatedBy INTEGER NOT NULL,
  PRIMARY KEY (prinID, affDescription));
-- [doc tblServerIdentity]
CREATE TABLE tblServerIdentity (
  serverID INTEGER NOT NULL PRIMARY KEY,
  serverAddress TEXT NOT NULL,
  serverLastPingTime TEXT);
-- [doc tblAdminLock] no key documented
CREATE TABLE tblAdminLock (
  lockExpiresTime TEXT NOT NULL,
  lockServerID INTEGER NOT NULL,
  lockActorID INTEGER NOT NULL);
-- [doc tblSystemRevision]
CREATE TABLE tblSystemRevision (sysRevision INTEGER NOT NULL);
-- [doc tblActivePeers]
CREATE TABLE tblActivePeers (
  aplServerID INTEGER NOT NULL,
  aplPeerID INTEGER NOT NULL,
  PRIMARY KEY (aplServerID, aplPeerID));
-- [doc tblConfig]
CREATE TABLE tblConfig (
  configLabel TEXT NOT NULL PRIMARY KEY,
  configContent TEXT,
  configPoolID TEXT NOT NULL);
"#;

/// Enum rows shared by both databases: (valueID, attributeID, attributeValue). The legacy
/// database gets only 2–5 (`open` is new in 2013 \[inf\]).
const ENUM_VALUES: [(i64, i64, &str); 5] = [
    (2, 1, "private"),
    (3, 1, "scope"),
    (4, 2, "normal"),
    (5, 2, "auditorium"),
    (6, 1, "open"),
];

/// (ptypeID, ptypeDesc, isSystemUser, isUser, isFederated); 6, 7, 11 are 2010-only.
const PRINCIPAL_TYPES: [(i64, &str, bool, bool, bool); 11] = [
    (1, "Any", false, false, false),
    (2, "AnyUser", false, true, false),
    (3, "AnyGroup", false, false, false),
    (4, "SystemUser", true, false, false),
    (5, "User", false, true, false),
    (6, "ExternalUser", false, true, true),
    (7, "FederatedUser", false, true, true),
    (8, "DC", false, false, false),
    (9, "Group", false, false, false),
    (10, "Folder", false, false, false),
    (11, "FederatedGroup", false, false, true),
];

fn seed_enums(conn: &Connection, legacy: bool) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO tblEnumAttribute (attributeID, attributeName) VALUES (1,'Visibility'),(2,'Behavior')",
        [],
    )?;
    for (id, attr, value) in ENUM_VALUES {
        if legacy && id == 6 {
            continue;
        }
        conn.execute(
            "INSERT INTO tblEnumValue (valueID, attributeID, attributeValue) VALUES (?1,?2,?3)",
            params![id, attr, value],
        )?;
    }
    Ok(())
}

/// Creates the legacy tables and the static rows (enums, principal types, role types).
///
/// # Errors
/// Any SQLite error.
pub fn create_legacy(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(LEGACY_DDL)?;
    seed_enums(conn, true)?;
    for (id, desc, sys, user, fed) in PRINCIPAL_TYPES {
        conn.execute(
            "INSERT INTO tblPrincipalType (ptypeID, ptypeDesc, ptypeIsSystemUser, ptypeIsUser, ptypeIsFederated) VALUES (?1,?2,?3,?4,?5)",
            params![id, desc, sys, user, fed],
        )?;
    }
    for (role, id) in LEGACY_ROLE_IDS {
        let (honors_override, honors_scope) = legacy_role_honors(role);
        conn.execute(
            "INSERT INTO tblRoleType (rtypeID, rtypeDesc, rtypeAllowedPermSet, honorsOverride, honorsScope) VALUES (?1,?2,?3,?4,?5)",
            params![id, role.desc(), role_perm_set(role), honors_override, honors_scope],
        )?;
    }
    Ok(())
}

/// (honorsOverride, honorsScope) of a legacy role type. Inferred (schemas.md §2.2
/// roleDefinerId): member lists restart where overridden and obey scope; managers cannot be
/// reset (definer = root) and are not limited by scope; presenters exist only on rooms.
pub fn legacy_role_honors(role: Role) -> (bool, bool) {
    match role {
        Role::Member => (true, true),
        Role::Manager => (false, false),
        Role::Voiced | Role::Creator => (false, true),
    }
}

/// Creates the `mgc` tables and the seed rows: enums, principal types, role types, the system
/// principal (prinID 1), the root node (nodeID 1, its own parent) and the `pool` config row.
///
/// # Errors
/// Any SQLite error.
pub fn create_mgc(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(MGC_DDL)?;
    seed_enums(conn, false)?;
    for (id, desc, sys, user, fed) in PRINCIPAL_TYPES {
        if fed {
            continue;
        }
        conn.execute(
            "INSERT INTO tblPrincipalType (ptypeID, ptypeDesc, ptypeIsSystemUser, ptypeIsUser) VALUES (?1,?2,?3,?4)",
            params![id, desc, sys, user],
        )?;
    }
    for (role, id) in MGC_ROLE_IDS {
        conn.execute(
            "INSERT INTO tblRoleType (rtypeID, rtypeDesc, rtypeAllowedPermSet) VALUES (?1,?2,?3)",
            params![id, role.desc(), role_perm_set(role)],
        )?;
    }
    conn.execute(
        "INSERT INTO tblPrincipal (prinID, prinGuid, prinUri, prinName, prinDisplayName, prinDisabled, prinTypeID, \
         prinAddedOn, prinUpdatedOn, prinVerifiedOn) VALUES (?1,?2,'ma-grp://system/persistentchat','System','System',0,4,?3,?3,'2013-01-01 00:00:00')",
        params![SYSTEM_PRINCIPAL_ID, MGC_SYSTEM_GUID, MGC_SEED_TICKS],
    )?;
    conn.execute(
        "INSERT INTO tblNode (nodeID, nodeGuid, parentID, nodeType, nodeName, nodeDesc, invite, logged, filePost, disabled, \
         behavior, visibility, siopID, nodeAddedBy, nodeAddedOn, nodeUpdatedBy, nodeUpdatedOn) \
         VALUES (?1,?2,?1,1,'Root','Root category',0,1,1,0,4,3,NULL,?3,?4,?3,?4)",
        params![ROOT_NODE_ID, MGC_ROOT_GUID, SYSTEM_PRINCIPAL_ID, MGC_SEED_TICKS],
    )?;
    conn.execute(
        "INSERT INTO tblConfig (configLabel, configContent, configPoolID) VALUES ('pool', ?1, '00000000-0000-0000-0000-00000000C001')",
        [format!("<pool fqdn=\"{LAB_PCHAT_POOL_FQDN}\"/>")],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemas_create_and_seed() {
        let legacy = Connection::open_in_memory().unwrap();
        create_legacy(&legacy).unwrap();
        let n: i64 = legacy
            .query_row(
                "SELECT COUNT(*) FROM tblPrincipalType WHERE ptypeIsFederated=1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 3);
        let mgc = Connection::open_in_memory().unwrap();
        create_mgc(&mgc).unwrap();
        let roles: Vec<String> = mgc
            .prepare("SELECT rtypeDesc FROM tblRoleType ORDER BY rtypeDesc")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(roles, ["Creator", "Manager", "Member", "Voiced"]);
        let parent: i64 = mgc
            .query_row("SELECT parentID FROM tblNode WHERE nodeID=1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(parent, 1);
    }

    #[test]
    fn seed_ticks_are_2013_01_01() {
        assert_eq!(
            crate::chatdata::ticks::format(MGC_SEED_TICKS),
            "2013-01-01T00:00:00.0000000Z"
        );
    }

    #[test]
    fn role_ids_differ_between_the_two_databases() {
        for (role, legacy_id) in LEGACY_ROLE_IDS {
            let mgc_id = MGC_ROLE_IDS.iter().find(|(r, _)| *r == role).unwrap().1;
            assert_ne!(legacy_id, mgc_id, "{role:?}");
        }
    }
}
