//! The export package (zip) written by [`crate::chatdata::export()`] and read by
//! [`crate::chatdata::import()`].
//!
//! # Layout (format version 1)
//!
//! Microsoft does not document the inside of an `Export-CsPersistentChatData` package
//! (export-package.md). Four files are known from Microsoft's own sample script; we write them
//! exactly in that shape at the root of the zip, so that script and ours both read them.
//! Everything else is this project's own layout, under the folder `pchat-migrate/`.
//!
//! ```text
//! AdUsers.xml         <Pool><AdUsers>
//!                       <User principalId="17" UserPrincipalName="anna.smith@contoso.lab"/> …
//!                     AD users (ptype 5) only; principalId = legacy prinID [inf]
//! AdGroups.xml        <Pool><AdGroups><Group principalId="5"/> …   AD groups (ptype 9)
//! AdAffiliations.xml  <Pool><AdAffiliations>
//!                       <User id="17"><Groups><Group id="5"/> …</Groups></User> …
//!                     memberships of users and groups in groups (ptype 9) from
//!                     tblPrincipalAffiliations; self, folder and domain rows left out
//! ChatRooms.xml       <Pool><ChatRooms>
//!                       <ChatRoom isDisabled="0"><Name>…</Name><Desc>…</Desc>
//!                         <Roles><Principal id="17" isManager="1" isMember="0" isCreator="0"/> …
//!                     legacy room names (not flattened); explicit room roles; no Voiced
//!                     (the known shape has no such flag — see Rooms.xml)
//!
//! pchat-migrate/Principals.xml
//!   <Principals><Principal id="17" guid="…" type="5" federated="0" disabled="0"
//!       addedBy="1" addedOn="<ticks>" updatedBy="1" updatedOn="<ticks>" verifiedOn="2013-03-30 02:00:00">
//!     <Uri>sip:…</Uri><Name>display name</Name><Company/><Email/><ADPath/><UPN/></Principal> …
//! pchat-migrate/AddIns.xml
//!   <AddIns><AddIn id="<siopID>"><Name>…</Name><Url>…</Url></AddIn> …
//! pchat-migrate/Categories.xml
//!   <Categories><Category id guid parent inScope invite logged filePost inheritance scopeChange
//!       overrideMember restrictChildCreate disabled behavior visibility scopeDefiner roleDefiner
//!       addedBy addedOn updatedBy updatedOn>
//!     <Name/><Desc/><Scope><Principal id="5"/> …</Scope><Roles><Role principal="9" type="Manager"/> …</Roles>
//!   </Category> …
//!   Every legacy column, unconverted: the import converts (flattening, effective settings).
//!   The root is the category whose parent is itself. Tri-state values: "1", "0", attribute
//!   absent = NULL (inherit). inScope="0" marks an ancestor carried only as context by a
//!   `-Scope`d export.
//! pchat-migrate/Rooms.xml
//!   <Rooms><Room …the attributes of Category, with category="<nodeID>" instead of parent,
//!       no inScope, and addin="<siopID>" when the room has an add-in>
//!     <Name/><Desc/><Topic/><Roles><Role principal="17" type="Manager|Member|Voiced"/> …</Roles>
//!   </Room> …
//! pchat-migrate/Content/00001.xml, 00002.xml, …   (at most 50 000 messages or 64 MiB each)
//!   <Content><Room id="42">
//!     <Message id="<legacy chatID>" date="<ticks>" poster="<prinID>">text</Message>
//!     <Message … alert="1">text</Message>       an alert (layout 1 also wrote alert="0")
//!     <Message … enc="hex">e4bda0…</Message>   text with characters XML 1.0 cannot carry
//!   </Room> …</Content>                         (control characters), as hex of its UTF-8
//!                                               bytes; a carriage return is written &#13;
//!   Rooms in id order, messages in legacy chatID order; a room may continue in the next file.
//! pchat-migrate/manifest.json   (written last)
//!   {"format":"pchat-migrate-package","version":2,"created":"…","source":"…","pool_fqdn":"…",
//!    "level":"All","scope":[],"start_date_ticks":null,
//!    "sections":{"principals":true,"categories":true,"rooms":true,"content":true},
//!    "counts":{…},"content_files":["pchat-migrate/Content/00001.xml",…],
//!    "rooms":[{"id":42,"name":"…","messages":n,"first":t,"last":t,"digest":"…","bytes":b},…],
//!    "digest":"blake3"}
//!   Per-room digest: see [`crate::chatdata::digest`], in package order. Version 1 (still
//!   read) had no top-level "digest" and a per-room "sha256": SHA-256 digests.
//! ```
//!
//! Text fields (names, descriptions, topics, principal strings) travel as child elements,
//! with `&`, `<`, `>` escaped and a carriage return as `&#13;` (a literal one would be
//! normalized away by any XML parser), hex-encoded with `enc="hex"` only when XML 1.0
//! cannot carry them at all. Entries are deflated (level 1, on a second thread).
//!
//! The pool a package is meant for is the manifest's `pool_fqdn`; in a package without our
//! manifest the reader looks for a `fqdn`, `poolFqdn` or `pool` attribute on the `<Pool>` root
//! of the known files [inf: the cmdlet's root attributes are undocumented]. The import
//! refuses a package naming another pool than the target's unless told otherwise.
//!
//! # Reading
//!
//! The reader is tolerant: unknown entries, elements and attributes are ignored; every field
//! may be an attribute or a child element; entries may sit in a folder; UTF-8 with or without
//! BOM and UTF-16 with BOM are accepted; an XML declaration naming any other encoding is
//! refused. Content entries take a fast path (no record tree, no allocation per message) with
//! the same rules, inflated on a second thread. A package without `pchat-migrate/` (a real one) still
//! reads: its principals then have no GUID and its rooms no category. It refuses, naming the
//! entry: names with `..`, absolute names, entries whose uncompressed size exceeds
//! [`PackageLimits::max_ratio`] × their compressed size (above a 64 KiB floor) or
//! [`PackageLimits::max_entry_bytes`] (also while inflating, whatever the headers declare),
//! texts over [`PackageLimits::max_text_bytes`], XML with a DTD or entity declarations,
//! truncated archives and entries, and content whose digest disagrees with the manifest.

use serde::{Deserialize, Serialize};

mod content;
mod reader;
mod writer;
pub(crate) mod xml;

pub use reader::{ContentScan, ContentStats, FILE_LINK_PREFIX, PackageContents, PackageReader};
pub use writer::PackageWriter;

/// The folder of this project's own files.
pub const OUR_DIR: &str = "pchat-migrate";
/// The manifest entry.
pub const MANIFEST: &str = "pchat-migrate/manifest.json";
/// Our principals entry.
pub const PRINCIPALS: &str = "pchat-migrate/Principals.xml";
/// Our add-ins entry.
pub const ADDINS: &str = "pchat-migrate/AddIns.xml";
/// Our categories entry.
pub const CATEGORIES: &str = "pchat-migrate/Categories.xml";
/// Our rooms entry.
pub const ROOMS: &str = "pchat-migrate/Rooms.xml";
/// Prefix of our content entries.
pub const CONTENT_PREFIX: &str = "pchat-migrate/Content/";
/// `format` value of our manifest.
pub const FORMAT: &str = "pchat-migrate-package";
/// Version of this layout: 2 names the digests' hash in the manifest (`"digest":"blake3"`,
/// per room `"digest"`); 1 had SHA-256 digests in a per-room `"sha256"` field, still read.
pub const FORMAT_VERSION: u32 = 2;
/// Messages per content entry.
pub const CHUNK_MESSAGES: u64 = 50_000;
/// Uncompressed bytes per content entry (soft limit, checked between messages).
pub const CHUNK_BYTES: u64 = 64 * 1024 * 1024;
/// Below this uncompressed size the compression-ratio check does not apply (tiny entries
/// compress by large factors legitimately).
pub const RATIO_FLOOR_BYTES: u64 = 64 * 1024;

/// Which parts a package carries (derived from `-Level`, or from the files present in a
/// package without our manifest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sections {
    /// Principals to provision (AdUsers/AdGroups/AdAffiliations, Principals.xml).
    pub principals: bool,
    /// Categories to create or overwrite (with their scopes).
    pub categories: bool,
    /// Rooms to create or overwrite (with their roles) and add-ins.
    pub rooms: bool,
    /// Chat content.
    pub content: bool,
}

/// Row counts of a package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Principals in Principals.xml.
    pub principals: u64,
    /// AD users in AdUsers.xml.
    pub users: u64,
    /// AD groups in AdGroups.xml.
    pub groups: u64,
    /// Categories in Categories.xml (root and context ancestors included).
    pub categories: u64,
    /// Rooms.
    pub rooms: u64,
    /// Add-ins.
    pub addins: u64,
    /// Role assignments.
    pub roles: u64,
    /// Scope rows.
    pub scopes: u64,
    /// Messages.
    pub messages: u64,
}

/// Per-room entry of the manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRoom {
    /// Legacy nodeID.
    pub id: i64,
    /// Legacy room name.
    pub name: String,
    /// Count, first/last chatDate, digest (package order).
    #[serde(flatten)]
    pub content: crate::chatdata::digest::RoomContent,
}

/// `pchat-migrate/manifest.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// File name of the source database.
    pub source: String,
    /// The pool the package is meant for.
    pub pool_fqdn: String,
    /// `-Level` used.
    pub level: String,
    /// `-Scope` used (category names).
    pub scope: Vec<String>,
    /// `-StartDate` used (ticks).
    pub start_date_ticks: Option<i64>,
    /// Parts present.
    pub sections: Sections,
    /// Row counts.
    pub counts: Counts,
    /// Content entries, in order.
    pub content_files: Vec<String>,
    /// Rooms whose content is in the package.
    pub rooms: Vec<ManifestRoom>,
    /// The hash of the rooms' digests (absent in layout version 1: SHA-256).
    #[serde(default = "crate::chatdata::digest::DigestAlgorithm::version_1")]
    pub digest: crate::chatdata::digest::DigestAlgorithm,
}

/// Limits the reader enforces on every entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PackageLimits {
    /// Largest uncompressed size of one entry (default 2 GiB).
    pub max_entry_bytes: u64,
    /// Largest uncompressed ÷ compressed ratio of one entry (default 100).
    pub max_ratio: u64,
    /// Largest single message text (default 16 MiB; real messages are far smaller — the lab
    /// goes up to 64 KiB). Bounds the reader's memory on hostile input.
    pub max_text_bytes: u64,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_entry_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 100,
            max_text_bytes: 16 * 1024 * 1024,
        }
    }
}

/// What an entry is, by name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EntryKind {
    AdUsers,
    AdGroups,
    AdAffiliations,
    ChatRooms,
    Principals,
    AddIns,
    Categories,
    Rooms,
    Content,
    Manifest,
    Unknown,
}

/// Classifies an entry name: the four known files by base name (anywhere, any case), ours
/// by their path below a `pchat-migrate/` folder.
pub(crate) fn classify(name: &str) -> EntryKind {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    let ours = lower.find("pchat-migrate/").map(|i| &lower[i..]);
    match ours {
        Some("pchat-migrate/manifest.json") => return EntryKind::Manifest,
        Some("pchat-migrate/principals.xml") => return EntryKind::Principals,
        Some("pchat-migrate/addins.xml") => return EntryKind::AddIns,
        Some("pchat-migrate/categories.xml") => return EntryKind::Categories,
        Some("pchat-migrate/rooms.xml") => return EntryKind::Rooms,
        Some(p) if p.starts_with("pchat-migrate/content/") && p.ends_with(".xml") => {
            return EntryKind::Content;
        }
        _ => {}
    }
    match base {
        "adusers.xml" => EntryKind::AdUsers,
        "adgroups.xml" => EntryKind::AdGroups,
        "adaffiliations.xml" => EntryKind::AdAffiliations,
        "chatrooms.xml" => EntryKind::ChatRooms,
        _ => EntryKind::Unknown,
    }
}

/// Why an entry name is unsafe, if it is: absolute paths (`/x`, `\x`, `C:x`), `..`
/// components, NUL bytes.
pub(crate) fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.contains('\0') {
        return Some("the entry name contains a NUL byte");
    }
    if name.chars().any(crate::safe_text::is_unsafe) {
        return Some("the entry name contains a control character (shown escaped)");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("the entry name is an absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Some("the entry name is an absolute (drive-letter) path");
    }
    if name.split(['/', '\\']).any(|c| c == "..") {
        return Some("the entry name climbs out of the package with \"..\"");
    }
    None
}

#[cfg(test)]
mod tests;
