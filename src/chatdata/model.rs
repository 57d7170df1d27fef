//! The in-memory model of legacy Group Chat data, shared by the legacy-database reader
//! ([`super::legacy`]), the export package writer and reader ([`super::package`]) and the
//! conversion to the 2013 model ([`super::convert`]).
//!
//! The *directory* (principals, categories, rooms, add-ins, roles, scopes, affiliations) is
//! small and held in memory; chat messages are never collected — they are streamed one
//! [`Message`] at a time.
//!
//! Ids (`id`, `parent_id`, `prin_id`, …) are the legacy database's own `nodeID` / `prinID`
//! values. They are only meaningful inside one package or one legacy database; the 2013 side is
//! joined on names (nodes) and `prinGuid` (principals), schemas.md §3.1, §3.4.

use serde::Serialize;

/// Principal type ids (tblPrincipalType.ptypeID). 1–5, 8–10 documented for both versions;
/// 6, 7, 11 exist only in 2010 (schemas.md §1.3, §2.2).
pub mod ptype {
    /// Generic, never stored.
    pub const ANY: i16 = 1;
    /// Generic user, never stored.
    pub const ANY_USER: i16 = 2;
    /// Generic group, never stored.
    pub const ANY_GROUP: i16 = 3;
    /// Internal principal of the server.
    pub const SYSTEM_USER: i16 = 4;
    /// Regular user.
    pub const USER: i16 = 5;
    /// 2010 only: MindAlign 6.x compatibility, unused.
    pub const EXTERNAL_USER: i16 = 6;
    /// 2010 only: federated user.
    pub const FEDERATED_USER: i16 = 7;
    /// AD domain.
    pub const DC: i16 = 8;
    /// AD security group.
    pub const GROUP: i16 = 9;
    /// AD container or OU.
    pub const FOLDER: i16 = 10;
    /// 2010 only: federated group.
    pub const FEDERATED_GROUP: i16 = 11;

    /// True for the 2010-only federated types (6, 7, 11).
    pub fn is_federated(t: i16) -> bool {
        matches!(t, EXTERNAL_USER | FEDERATED_USER | FEDERATED_GROUP)
    }
}

/// Enumerated values of tblEnumValue (schemas.md §1.3) [doc for 2013; same ids assumed in 2010].
pub mod enumv {
    /// visibility: private (members only) — cmdlet Privacy "Secret".
    pub const PRIVATE: i16 = 2;
    /// visibility: scope — cmdlet Privacy "Closed".
    pub const SCOPE: i16 = 3;
    /// behavior: normal room.
    pub const NORMAL: i16 = 4;
    /// behavior: auditorium (only presenters post).
    pub const AUDITORIUM: i16 = 5;
    /// visibility: open (2013 only).
    pub const OPEN: i16 = 6;
}

/// A role, by `tblRoleType.rtypeDesc`. Numeric ids are undocumented: always look them up by
/// description (schemas.md §1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Role {
    /// Room member.
    Member,
    /// Room manager.
    Manager,
    /// Presenter in an auditorium room.
    Voiced,
    /// May create rooms (2013 only).
    Creator,
}

impl Role {
    /// All roles, in a fixed order.
    pub const ALL: [Role; 4] = [Role::Member, Role::Manager, Role::Voiced, Role::Creator];

    /// The `rtypeDesc` text.
    pub fn desc(self) -> &'static str {
        match self {
            Role::Member => "Member",
            Role::Manager => "Manager",
            Role::Voiced => "Voiced",
            Role::Creator => "Creator",
        }
    }

    /// Parses an `rtypeDesc` (case-insensitive).
    pub fn from_desc(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.desc().eq_ignore_ascii_case(s.trim()))
    }
}

/// A legacy principal (2010 tblPrincipal shape plus its type's federated flag).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// Legacy prinID.
    pub id: i64,
    /// prinGuid, uppercase canonical; `None` only for principals read from a real package
    /// that carried no GUID (AdUsers.xml gives only `principalId` and `UserPrincipalName`).
    pub guid: Option<String>,
    /// prinTypeID; `None` when the package did not say.
    pub type_id: Option<i16>,
    /// tblPrincipalType.ptypeIsFederated of the type (6, 7, 11).
    pub federated: bool,
    /// prinUri (`sip:` for users, `ma-grp:` otherwise).
    pub uri: String,
    /// prinName: the **display name** in 2010 (schemas.md §2.2).
    pub name: Option<String>,
    /// prinCompanyName.
    pub company: Option<String>,
    /// prinEmail.
    pub email: Option<String>,
    /// prinADPath (DN), NULL for federated and system principals.
    pub ad_path: Option<String>,
    /// prinADUserPrincipalName.
    pub upn: Option<String>,
    /// prinDisabled (bit in 2010).
    pub disabled: bool,
    /// prinAddedBy.
    pub added_by: Option<i64>,
    /// prinAddedOn (ticks).
    pub added_on: i64,
    /// prinUpdatedBy.
    pub updated_by: Option<i64>,
    /// prinUpdatedOn (ticks).
    pub updated_on: i64,
    /// prinVerifiedOn (SQL datetime as text, `YYYY-MM-DD HH:MM:SS`).
    pub verified_on: String,
}

/// A legacy tblNode row: a category (`is_category`) or a room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Node {
    /// nodeID.
    pub id: i64,
    /// nodeGuid, uppercase canonical.
    pub guid: String,
    /// parentID (the root is its own parent).
    pub parent_id: i64,
    /// nodeType = 1.
    pub is_category: bool,
    /// nodeName.
    pub name: String,
    /// nodeDesc.
    pub desc: String,
    /// topic (rooms; no 2013 column).
    pub topic: String,
    /// invite: Some(true) on, Some(false) off, None inherited.
    pub invite: Option<bool>,
    /// logged (history), tri-state.
    pub logged: Option<bool>,
    /// filePost (uploads), tri-state.
    pub file_post: Option<bool>,
    /// disabled.
    pub disabled: bool,
    /// inheritance (category flag).
    pub inheritance: bool,
    /// scopeChange (category flag).
    pub scope_change: bool,
    /// overrideMember: the membership list restarts at this node.
    pub override_member: bool,
    /// restrictChildCreate (tri-state; meaning disputed, schemas.md §2.2).
    pub restrict_child_create: Option<bool>,
    /// behavior (4 normal, 5 auditorium).
    pub behavior: i16,
    /// visibility (2 private, 3 scope; nullable in 2010).
    pub visibility: Option<i16>,
    /// scopeDefinerId.
    pub scope_definer_id: i64,
    /// roleDefinerId.
    pub role_definer_id: i64,
    /// siopID (add-in), uppercase canonical.
    pub siop_id: Option<String>,
    /// nodeAddedBy (legacy prinID).
    pub added_by: i64,
    /// nodeAddedOn (ticks).
    pub added_on: i64,
    /// nodeUpdatedBy.
    pub updated_by: i64,
    /// nodeUpdatedOn (ticks).
    pub updated_on: i64,
    /// False for categories that a `-Scope`d export carried only as context (ancestors of
    /// the exported categories, needed for flattened names and inherited settings). Such
    /// categories are not created by the import.
    pub in_scope: bool,
}

/// A registered add-in (tblSiopWhiteList).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AddIn {
    /// siopID, uppercase canonical.
    pub id: String,
    /// siopName.
    pub name: String,
    /// siopUrl.
    pub url: String,
}

/// An explicit role assignment (tblPrincipalRole).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RoleAssignment {
    /// prinRoleNodeID.
    pub node_id: i64,
    /// prinRolePrinID.
    pub prin_id: i64,
    /// The role.
    pub role: Role,
}

/// A legacy scope row (tblScopePrincipal, allow only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ScopeEntry {
    /// scopeNodeID.
    pub node_id: i64,
    /// scopePrinID.
    pub prin_id: i64,
}

/// A membership (tblPrincipalAffiliations, without the self row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Affiliation {
    /// principalID.
    pub principal_id: i64,
    /// affiliationID (the group, folder or domain).
    pub group_id: i64,
}

/// Everything but the messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Directory {
    /// nodeID of the root category (its own parent); 1 in practice.
    pub root_id: Option<i64>,
    /// Principals.
    pub principals: Vec<Principal>,
    /// Categories and rooms.
    pub nodes: Vec<Node>,
    /// Add-ins.
    pub addins: Vec<AddIn>,
    /// Role assignments.
    pub roles: Vec<RoleAssignment>,
    /// Scope rows.
    pub scopes: Vec<ScopeEntry>,
    /// Memberships.
    pub affiliations: Vec<Affiliation>,
}

impl Directory {
    /// Rooms, in id order.
    pub fn rooms(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| !n.is_category)
    }

    /// Categories (including the root), in id order.
    pub fn categories(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.is_category)
    }
}

/// Principals by kind, so that every count of principals adds up and says what it holds:
/// `users + groups + federated + system + containers == total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PrincipalCounts {
    /// Every principal.
    pub total: u64,
    /// AD users (type 5).
    pub users: u64,
    /// AD security groups (type 9).
    pub groups: u64,
    /// 2010 federated and external principals (types 6, 7, 11); imported disabled \[doc\].
    pub federated: u64,
    /// The server's own principals (type 4): mapped to the target's system principal, not
    /// imported as principals.
    pub system: u64,
    /// AD domains and OUs (types 8, 10) and any other type.
    pub containers: u64,
}

impl PrincipalCounts {
    /// Counts `principals` by kind.
    pub fn of(principals: &[Principal]) -> PrincipalCounts {
        let mut c = PrincipalCounts::default();
        for p in principals {
            c.total += 1;
            match p.type_id {
                Some(t) if ptype::is_federated(t) => c.federated += 1,
                Some(ptype::USER) => c.users += 1,
                Some(ptype::GROUP) => c.groups += 1,
                Some(ptype::SYSTEM_USER) => c.system += 1,
                _ if p.federated => c.federated += 1,
                _ => c.containers += 1,
            }
        }
        c
    }
}

impl std::fmt::Display for PrincipalCounts {
    /// `263 principals (240 users, 16 groups, 4 federated, 1 system, 2 domains/OUs)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} principals ({} users, {} groups, {} federated, {} system, {} domains/OUs)",
            self.total, self.users, self.groups, self.federated, self.system, self.containers
        )
    }
}

/// One chat message (legacy tblChat).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Message {
    /// channelID: the legacy room nodeID.
    pub room_id: i64,
    /// chatID: the legacy per-room sequence number.
    pub chat_id: i64,
    /// chatDate (ticks).
    pub date: i64,
    /// userId: the legacy poster prinID.
    pub poster_id: i64,
    /// isAlert.
    pub is_alert: bool,
    /// content (plain text, `ma-filelink:` links, HTML links, `[STORY]` encoding kept as is).
    pub content: String,
}

/// Text capacity (bytes) a reused [`Message`] keeps between messages. Buffers of messages are
/// recycled through the data plane's pipelines; without this bound every slot would keep the
/// capacity of the longest message it ever held (tens of KB in real rooms), and the slots in
/// flight would hold gigabytes.
pub const KEPT_TEXT_CAPACITY: usize = 1024;

impl Message {
    /// Gives up a text buffer grown past [`KEPT_TEXT_CAPACITY`] (before reusing the message).
    pub fn release_long_text(&mut self) {
        if self.content.capacity() > KEPT_TEXT_CAPACITY {
            self.content = String::new();
        }
    }
}

/// A [`Message`] whose text is borrowed from where it was read (a database row), so a reader
/// that fills buffers of its own copies the text once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageRef<'a> {
    /// channelID: the legacy room nodeID.
    pub room_id: i64,
    /// chatID: the legacy per-room sequence number.
    pub chat_id: i64,
    /// chatDate (ticks).
    pub date: i64,
    /// userId: the legacy poster prinID.
    pub poster_id: i64,
    /// isAlert.
    pub is_alert: bool,
    /// content.
    pub content: &'a str,
}

impl MessageRef<'_> {
    /// Copies this message into `m`, reusing its text buffer (after
    /// [`Message::release_long_text`]).
    pub fn fill(&self, m: &mut Message) {
        m.release_long_text();
        m.room_id = self.room_id;
        m.chat_id = self.chat_id;
        m.date = self.date;
        m.poster_id = self.poster_id;
        m.is_alert = self.is_alert;
        m.content.clear();
        m.content.push_str(self.content);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_message_gives_up_a_long_text_buffer_and_keeps_a_short_one() {
        let mut m = Message::default();
        m.content.push_str(&"x".repeat(KEPT_TEXT_CAPACITY + 1));
        m.release_long_text();
        assert_eq!(m.content.capacity(), 0);
        m.content.push_str(&"y".repeat(100));
        let cap = m.content.capacity();
        m.release_long_text();
        assert_eq!(
            (m.content.as_str(), m.content.capacity()),
            ("y".repeat(100).as_str(), cap)
        );
    }
}
