//! Streaming, tolerant, hostile-input-safe reader of export packages (ours and real ones).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::content::{LimitReader, SharedFile, walk_failure};
use super::xml::{Record, XmlError, utf8_reader, walk};
use super::{
    EntryKind, FORMAT, Manifest, PackageLimits, RATIO_FLOOR_BYTES, Sections, classify, unsafe_name,
};
use crate::chatdata::ChatDataError;
use crate::chatdata::digest::{ContentDigest, DigestAlgorithm, RoomContent};
use crate::chatdata::model::{
    AddIn, Affiliation, Directory, Message, Node, Principal, Role, RoleAssignment, ScopeEntry,
    ptype,
};

/// What [`PackageReader::read_directory`] found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PackageContents {
    /// Principals, categories, rooms, add-ins, roles, scopes, affiliations.
    pub directory: Directory,
    /// Parts present (from the manifest, else from the files found).
    pub sections: Sections,
    /// Our manifest, when the package has one (real packages do not).
    pub manifest: Option<Manifest>,
    /// Human-readable notes on what was found and what was not.
    pub notes: Vec<String>,
    /// Entries the reader does not know (ignored).
    pub unknown_entries: Vec<String>,
    /// Content entries, in reading order.
    pub content_entries: Vec<String>,
    /// The package identity ([`PackageReader::package_id`]).
    pub package_id: String,
    /// The pool the package names: the manifest's `pool_fqdn`, else a `fqdn` / `poolFqdn` /
    /// `pool` attribute on the `<Pool>` root of a known file [inf: the cmdlet's root
    /// attributes are undocumented]; `None` when it names none.
    pub pool_fqdn: Option<String>,
    /// The entry that named the pool.
    pub pool_entry: Option<String>,
    /// The known files found (the four documented ones and ours).
    pub files_found: Vec<String>,
    /// The known files not found, each with what that means.
    pub files_missing: Vec<String>,
}

/// The pool named by a `<Pool>` root element's attributes, if any.
fn pool_attr(ancestors: &[Record]) -> Option<String> {
    let root = ancestors.first()?;
    if !root.name.eq_ignore_ascii_case("Pool") {
        return None;
    }
    ["fqdn", "poolFqdn", "pool"]
        .iter()
        .find_map(|k| root.attrs.iter().find(|(a, _)| a.eq_ignore_ascii_case(k)))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Totals of one pass over the content.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct ContentStats {
    /// Messages read.
    pub messages: u64,
    /// Content bytes (UTF-8).
    pub bytes: u64,
    /// Per legacy room id, in package order.
    pub rooms: BTreeMap<i64, RoomContent>,
    /// Rooms whose chatDate goes backwards somewhere in package order (the import numbers
    /// their messages in chatDate order).
    pub unordered: std::collections::BTreeSet<i64>,
    /// Messages with a posted file (`ma-filelink:`) per room.
    pub file_posts: BTreeMap<i64, u64>,
}

pub(crate) struct Entry {
    pub(crate) index: usize,
    pub(crate) name: String,
    kind: EntryKind,
    pub(crate) compressed: u64,
    pub(crate) size: u64,
}

/// An open package. [`PackageReader::open`] checks every entry name and declared size;
/// [`PackageReader::read_directory`] reads everything but the content;
/// [`PackageReader::for_each_message`] streams the content.
pub struct PackageReader {
    package_id: String,
    file_len: u64,
    archive: ZipArchive<SharedFile>,
    path: PathBuf,
    limits: PackageLimits,
    entries: Vec<Entry>,
    /// Indexes into `entries` of the content entries, sorted by name: computed once at open
    /// (per entry it made reading a package quadratic in its entries).
    content: Vec<usize>,
    guid_by_id: HashMap<i64, String>,
    manifest: Option<Manifest>,
    ids: Interner,
}

/// Maps principal ids that are not integers (real packages may use GUIDs) to synthetic
/// negative ids.
#[derive(Default)]
pub(crate) struct Interner {
    map: HashMap<String, i64>,
}

impl Interner {
    fn id(&mut self, s: &str) -> i64 {
        let s = s.trim();
        if let Ok(n) = s.parse::<i64>() {
            return n;
        }
        let next = -(self.map.len() as i64) - 1_000_000;
        *self.map.entry(s.to_ascii_uppercase()).or_insert(next)
    }

    /// The id of `s` without interning: a number is itself, a GUID is known only if the
    /// directory interned it (content reading, after the directory, shares the interner
    /// between threads read-only).
    pub(crate) fn lookup(&self, s: &str) -> Option<i64> {
        let s = s.trim();
        if let Ok(n) = s.parse::<i64>() {
            return Some(n);
        }
        self.map.get(&s.to_ascii_uppercase()).copied()
    }
}

fn looks_like_guid(s: &str) -> bool {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Sentinel: the callback failed with a [`ChatDataError`] kept aside.
pub(crate) const CALLBACK_FAILED: &str = "\u{0}callback";

impl PackageReader {
    /// Opens `path` and checks every entry's name and declared sizes.
    ///
    /// # Errors
    /// [`ChatDataError::Package`] naming the entry: not a zip / truncated, unsafe names,
    /// oversized or over-compressed entries.
    pub fn open(path: &Path, limits: PackageLimits) -> Result<PackageReader, ChatDataError> {
        let file = File::open(path)
            .and_then(SharedFile::new)
            .map_err(ChatDataError::io(path, "open the package"))?;
        let mut archive = ZipArchive::new(file).map_err(|e| ChatDataError::Package {
            path: path.to_path_buf(),
            entry: "(archive)".into(),
            message: format!(
                "not a readable zip archive ({e}); the file may be truncated or damaged — copy it again or re-run the export"
            ),
        })?;
        let mut entries = Vec::new();
        let file_len = std::fs::metadata(path)
            .map_err(ChatDataError::io(path, "read the package size"))?
            .len();
        let mut id_hash = Sha256::new();
        id_hash.update(b"pchat-migrate package id v1\n");
        id_hash.update(file_len.to_be_bytes());
        for index in 0..archive.len() {
            let f = archive
                .by_index_raw(index)
                .map_err(|e| ChatDataError::Package {
                    path: path.to_path_buf(),
                    entry: format!("#{index}"),
                    message: format!("cannot read the entry header ({e}); the archive is damaged"),
                })?;
            let name = String::from_utf8_lossy(f.name_raw()).into_owned();
            id_hash.update((f.name_raw().len() as u64).to_be_bytes());
            id_hash.update(f.name_raw());
            id_hash.update(f.crc32().to_be_bytes());
            id_hash.update(f.size().to_be_bytes());
            id_hash.update(f.compressed_size().to_be_bytes());
            let fail = |message: String| ChatDataError::Package {
                path: path.to_path_buf(),
                entry: crate::safe_text::escape(&name).into_owned(),
                message,
            };
            if let Some(why) = unsafe_name(&name) {
                return Err(fail(format!(
                    "{why}; refusing the package (it was not written by the export)"
                )));
            }
            if f.is_dir() {
                continue;
            }
            let (size, compressed) = (f.size(), f.compressed_size());
            if size > limits.max_entry_bytes {
                return Err(fail(format!(
                    "declares {size} bytes uncompressed, over the {} byte limit per entry",
                    limits.max_entry_bytes
                )));
            }
            if size > RATIO_FLOOR_BYTES && size > compressed.saturating_mul(limits.max_ratio) {
                return Err(fail(format!(
                    "expands from {compressed} to {size} bytes, more than {}× (a zip bomb?); refusing the package",
                    limits.max_ratio
                )));
            }
            let kind = classify(&name);
            entries.push(Entry {
                index,
                name,
                kind,
                compressed,
                size,
            });
        }
        let mut content: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].kind == EntryKind::Content)
            .collect();
        content.sort_by(|&a, &b| entries[a].name.cmp(&entries[b].name));
        Ok(PackageReader {
            content,
            package_id: hex::encode(id_hash.finalize()),
            file_len,
            archive,
            path: path.to_path_buf(),
            limits,
            entries,
            guid_by_id: HashMap::new(),
            manifest: None,
            ids: Interner::default(),
        })
    }

    /// The package's identity: SHA-256 (hex) over its size and, for every entry in
    /// central-directory order, the name, CRC-32 and sizes. Cheap (no entry is read) and
    /// changes whenever any entry changes; the CRC-32 of every entry read is checked by the
    /// zip reader.
    pub fn package_id(&self) -> &str {
        &self.package_id
    }

    /// Size of the package file in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Every file entry: (name, uncompressed bytes, compressed bytes), in archive order.
    pub fn entries(&self) -> Vec<(String, u64, u64)> {
        self.entries
            .iter()
            .map(|e| (e.name.clone(), e.size, e.compressed))
            .collect()
    }

    /// The limits in force.
    pub fn limits(&self) -> PackageLimits {
        self.limits
    }

    fn perr(&self, entry: &str, message: impl Into<String>) -> ChatDataError {
        ChatDataError::Package {
            path: self.path.clone(),
            entry: entry.to_string(),
            message: message.into(),
        }
    }

    /// Opens entry `i` as a bounded, UTF-8 reader and walks it.
    fn walk_entry(
        &mut self,
        i: usize,
        records: &[&str],
        mut f: impl FnMut(&mut Interner, super::xml::Found<'_>) -> Result<(), ChatDataError>,
    ) -> Result<(), ChatDataError> {
        let (index, name, compressed) = {
            let e = &self.entries[i];
            (e.index, e.name.clone(), e.compressed)
        };
        let limits = self.limits;
        let path = self.path.clone();
        let input = open_limited(&mut self.archive, &path, index, &name, compressed, limits)?;
        let mut kept: Option<ChatDataError> = None;
        let ids = &mut self.ids;
        let r = walk(input, records, |found| {
            f(ids, found).map_err(|e| {
                kept = Some(e);
                XmlError(CALLBACK_FAILED.into())
            })
        });
        match r {
            Ok(()) => Ok(()),
            Err(e) => Err(walk_failure(e, kept, &path, &name)),
        }
    }

    fn read_manifest(&mut self, i: usize) -> Result<Manifest, ChatDataError> {
        let (index, name) = (self.entries[i].index, self.entries[i].name.clone());
        let mut text = Vec::new();
        let path = self.path.clone();
        let fail = |m: String| ChatDataError::Package {
            path: path.clone(),
            entry: name.clone(),
            message: m,
        };
        let zf = self
            .archive
            .by_index(index)
            .map_err(|e| fail(format!("cannot open ({e})")))?;
        let cap = 64 * 1024 * 1024;
        LimitReader {
            inner: zf,
            limit: cap,
            read: 0,
            why: "manifest larger than 64 MiB".into(),
        }
        .read_to_end(&mut text)
        .map_err(|e| fail(format!("cannot read ({e})")))?;
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
        let m: Manifest = serde_json::from_slice(text).map_err(|e| {
            self.perr(
                &name,
                format!("not a valid manifest ({e}); re-run the export"),
            )
        })?;
        if m.format != FORMAT {
            return Err(self.perr(
                &name,
                format!("format is \"{}\", expected \"{FORMAT}\"", m.format),
            ));
        }
        if m.version > super::FORMAT_VERSION {
            return Err(self.perr(
                &name,
                format!("layout version {} is newer than this program understands ({}); update pchat-migrate", m.version, super::FORMAT_VERSION),
            ));
        }
        Ok(m)
    }

    fn find(&self, kind: EntryKind) -> Option<usize> {
        self.entries.iter().position(|e| e.kind == kind)
    }

    /// Reads every entry but the content into a [`PackageContents`].
    ///
    /// # Errors
    /// [`ChatDataError::Package`] naming the entry for malformed or hostile XML and bad values.
    pub fn read_directory(&mut self) -> Result<PackageContents, ChatDataError> {
        let mut out = PackageContents::default();
        let mut d = Directory::default();
        let mut principals: BTreeMap<i64, Principal> = BTreeMap::new();
        let mut pool_seen: Option<(String, String)> = None;

        if let Some(i) = self.find(EntryKind::Manifest) {
            let m = self.read_manifest(i)?;
            out.notes.push(format!(
                "manifest: layout {}, level {}, {} messages in {} rooms ({} digests), written {}",
                m.version,
                crate::safe_text::escape(&m.level),
                m.counts.messages,
                m.rooms.len(),
                m.digest.label(),
                crate::safe_text::escape(&m.created)
            ));
            self.manifest = Some(m);
        } else {
            out.notes.push("no pchat-migrate manifest: not written by this program; counts and digests cannot be checked".into());
        }

        // our principals (full data)
        if let Some(i) = self.find(EntryKind::Principals) {
            let entry = self.entries[i].name.clone();
            self.walk_entry(i, &["Principal"], |ids, f| {
                let p = principal_from(&f.record, ids).map_err(|m| perr(&entry, m))?;
                principals.insert(p.id, p);
                Ok(())
            })?;
        }
        // the known AD files
        let mut users = 0u64;
        let mut groups = 0u64;
        for (kind, rec, t) in [
            (EntryKind::AdUsers, "User", ptype::USER),
            (EntryKind::AdGroups, "Group", ptype::GROUP),
        ] {
            let Some(i) = self.find(kind.clone()) else {
                continue;
            };
            let entry = self.entries[i].name.clone();
            let counter = if t == ptype::USER {
                &mut users
            } else {
                &mut groups
            };
            let pool = &mut pool_seen;
            self.walk_entry(i, &[rec], |ids, f| {
                if pool.is_none() {
                    *pool = pool_attr(f.ancestors).map(|p| (p, entry.clone()));
                }
                let raw = f
                    .record
                    .get("principalId")
                    .or_else(|| f.record.get("id"))
                    .ok_or_else(|| perr(&entry, format!("a <{rec}> has no principalId")))?;
                let id = ids.id(raw);
                let upn = f
                    .record
                    .get("UserPrincipalName")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string);
                let p = principals.entry(id).or_insert_with(|| Principal {
                    id,
                    guid: looks_like_guid(raw)
                        .then(|| raw.trim().trim_matches(['{', '}']).to_ascii_uppercase()),
                    type_id: Some(t),
                    uri: String::new(),
                    ..Principal::default()
                });
                if p.upn.is_none() {
                    p.upn = upn;
                }
                *counter += 1;
                Ok(())
            })?;
        }
        if let Some(i) = self.find(EntryKind::AdAffiliations) {
            let entry = self.entries[i].name.clone();
            let affs = &mut d.affiliations;
            self.walk_entry(i, &["User"], |ids, f| {
                let who = f
                    .record
                    .get("id")
                    .or_else(|| f.record.get("principalId"))
                    .ok_or_else(|| perr(&entry, "a <User> has no id"))?;
                let who = ids.id(who);
                let mut gs = Vec::new();
                f.record.descendants("Group", &mut gs);
                for g in gs {
                    if let Some(gid) = g.get("id").or_else(|| g.get("principalId")) {
                        let gid = ids.id(gid);
                        if gid != who {
                            affs.push(Affiliation {
                                principal_id: who,
                                group_id: gid,
                            });
                        }
                    }
                }
                Ok(())
            })?;
            d.affiliations.sort_unstable();
            d.affiliations.dedup();
        }
        if let Some(i) = self.find(EntryKind::AddIns) {
            let entry = self.entries[i].name.clone();
            let addins = &mut d.addins;
            self.walk_entry(i, &["AddIn"], |_, f| {
                let r = &f.record;
                let field = |k: &str| r.get_text(k).map_err(|e| perr(&entry, e.0));
                addins.push(AddIn {
                    id: r
                        .get("id")
                        .ok_or_else(|| perr(&entry, "an <AddIn> has no id"))?
                        .trim()
                        .to_ascii_uppercase(),
                    name: field("Name")?.unwrap_or_default(),
                    url: field("Url")?.unwrap_or_default(),
                });
                Ok(())
            })?;
        }
        for (kind, tag) in [
            (EntryKind::Categories, "Category"),
            (EntryKind::Rooms, "Room"),
        ] {
            let Some(i) = self.find(kind) else {
                continue;
            };
            let entry = self.entries[i].name.clone();
            let (nodes, roles, scopes) = (&mut d.nodes, &mut d.roles, &mut d.scopes);
            self.walk_entry(i, &[tag], |ids, f| {
                let n = node_from(&f.record, tag == "Category").map_err(|m| perr(&entry, m))?;
                let mut rs = Vec::new();
                f.record.descendants("Role", &mut rs);
                for r in rs {
                    let (Some(p), Some(t)) = (r.get("principal"), r.get("type")) else {
                        return Err(perr(
                            &entry,
                            format!("a <Role> of \"{}\" lacks principal or type", n.name),
                        ));
                    };
                    let role = Role::from_desc(t).ok_or_else(|| {
                        perr(
                            &entry,
                            format!("unknown role type \"{t}\" in \"{}\"", n.name),
                        )
                    })?;
                    roles.push(RoleAssignment {
                        node_id: n.id,
                        prin_id: ids.id(p),
                        role,
                    });
                }
                if let Some(scope) = f.record.child("Scope") {
                    for p in scope
                        .children
                        .iter()
                        .filter(|c| c.name.eq_ignore_ascii_case("Principal"))
                    {
                        if let Some(id) = p.get("id") {
                            scopes.push(ScopeEntry {
                                node_id: n.id,
                                prin_id: ids.id(id),
                            });
                        }
                    }
                }
                nodes.push(n);
                Ok(())
            })?;
        }
        let have_rooms_xml = self.find(EntryKind::Rooms).is_some();
        let mut chat_rooms = 0u64;
        if let Some(i) = self.find(EntryKind::ChatRooms) {
            let entry = self.entries[i].name.clone();
            let (nodes, roles) = (&mut d.nodes, &mut d.roles);
            let pool = &mut pool_seen;
            self.walk_entry(i, &["ChatRoom"], |ids, f| {
                if pool.is_none() {
                    *pool = pool_attr(f.ancestors).map(|p| (p, entry.clone()));
                }
                chat_rooms += 1;
                if have_rooms_xml {
                    return Ok(()); // read for validation; Rooms.xml has the full data
                }
                let r = &f.record;
                let name = r
                    .get_text("Name")
                    .map_err(|e| perr(&entry, e.0))?
                    .ok_or_else(|| perr(&entry, format!("ChatRoom #{chat_rooms} has no <Name>")))?;
                let id = -(chat_rooms as i64);
                let mut ps = Vec::new();
                r.descendants("Principal", &mut ps);
                for p in ps {
                    let Some(pid) = p.get("id") else { continue };
                    let pid = ids.id(pid);
                    for (flag, role) in [
                        ("isManager", Role::Manager),
                        ("isMember", Role::Member),
                        ("isCreator", Role::Creator),
                    ] {
                        if parse_bool(p.get(flag)).unwrap_or(false) {
                            roles.push(RoleAssignment {
                                node_id: id,
                                prin_id: pid,
                                role,
                            });
                        }
                    }
                }
                nodes.push(Node {
                    id,
                    parent_id: 0,
                    is_category: false,
                    desc: r
                        .get_text("Desc")
                        .map_err(|e| perr(&entry, e.0))?
                        .unwrap_or_default(),
                    disabled: parse_bool(r.get("isDisabled")).unwrap_or(false),
                    behavior: crate::chatdata::model::enumv::NORMAL,
                    in_scope: true,
                    name,
                    ..Node::default()
                });
                Ok(())
            })?;
        }
        out.content_entries = self
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Content)
            .map(|e| e.name.clone())
            .collect();
        out.content_entries.sort();
        out.unknown_entries = self
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Unknown)
            .map(|e| e.name.clone())
            .collect();

        d.nodes.sort_by_key(|n| n.id);
        d.roles.sort_unstable();
        d.roles.dedup();
        d.scopes.sort_unstable();
        d.scopes.dedup();
        d.root_id = d
            .nodes
            .iter()
            .find(|n| n.is_category && n.parent_id == n.id)
            .map(|n| n.id);
        d.principals = principals.into_values().collect();
        self.guid_by_id = d
            .principals
            .iter()
            .filter_map(|p| p.guid.clone().map(|g| (p.id, g)))
            .collect();

        let found = |k: &EntryKind| self.entries.iter().any(|e| &e.kind == k);
        out.sections = match &self.manifest {
            Some(m) => m.sections,
            None => Sections {
                principals: found(&EntryKind::AdUsers) || found(&EntryKind::Principals),
                categories: found(&EntryKind::Categories),
                rooms: found(&EntryKind::ChatRooms) || found(&EntryKind::Rooms),
                content: !out.content_entries.is_empty(),
            },
        };
        out.notes.push(format!(
            "found {} ({} in AdUsers.xml, {} in AdGroups.xml), {} categories and the root, {} rooms ({} in ChatRooms.xml), {} add-ins, {} content files",
            super::super::model::PrincipalCounts::of(&d.principals),
            users,
            groups,
            d.categories().filter(|c| Some(c.id) != d.root_id).count(),
            d.rooms().count(),
            chat_rooms,
            d.addins.len(),
            out.content_entries.len()
        ));
        if out.content_entries.is_empty() {
            out.notes
                .push("no content files found: this package carries no chat history".into());
        }
        if self.find(EntryKind::Categories).is_none() && d.rooms().next().is_some() {
            out.notes.push("no categories file found: rooms have no category (a package not written by this program?)".into());
        }
        if !out.unknown_entries.is_empty() {
            out.notes.push(format!(
                "ignored {} unknown entries",
                out.unknown_entries.len()
            ));
        }
        out.manifest = self.manifest.clone();
        out.package_id = self.package_id.clone();
        let from_manifest = self
            .manifest
            .as_ref()
            .map(|m| m.pool_fqdn.trim().to_string())
            .filter(|p| !p.is_empty())
            .map(|p| (p, super::MANIFEST.to_string()));
        if let Some((pool, entry)) = from_manifest.or(pool_seen) {
            out.pool_fqdn = Some(pool);
            out.pool_entry = Some(entry);
        }
        let known: [(EntryKind, &str, &str); 9] = [
            (
                EntryKind::AdUsers,
                "AdUsers.xml",
                "no AD users: users are not provisioned by this package",
            ),
            (
                EntryKind::AdGroups,
                "AdGroups.xml",
                "no AD groups: groups are not provisioned by this package",
            ),
            (
                EntryKind::AdAffiliations,
                "AdAffiliations.xml",
                "no group memberships: AD sync rebuilds them on the new pool",
            ),
            (
                EntryKind::ChatRooms,
                "ChatRooms.xml",
                "no room directory in the documented shape",
            ),
            (
                EntryKind::Manifest,
                super::MANIFEST,
                "no pchat-migrate manifest: counts and content digests cannot be checked",
            ),
            (
                EntryKind::Principals,
                super::PRINCIPALS,
                "no principal details (GUIDs, types): principals are matched by user principal name",
            ),
            (
                EntryKind::AddIns,
                super::ADDINS,
                "no add-ins file: rooms keep no add-in",
            ),
            (
                EntryKind::Categories,
                super::CATEGORIES,
                "no categories file: rooms have no category and cannot be created",
            ),
            (
                EntryKind::Rooms,
                super::ROOMS,
                "no full room settings: rooms are read from ChatRooms.xml (name, description, disabled, roles)",
            ),
        ];
        for (kind, name, missing) in known {
            match self.entries.iter().find(|e| e.kind == kind) {
                Some(e) => out.files_found.push(e.name.clone()),
                None => out.files_missing.push(format!("{name}: {missing}")),
            }
        }
        if out.content_entries.is_empty() {
            out.files_missing.push(format!(
                "{}*.xml: no content files, this package carries no chat history",
                super::CONTENT_PREFIX
            ));
        } else {
            out.files_found.push(format!(
                "{}*.xml ({} files)",
                super::CONTENT_PREFIX,
                out.content_entries.len()
            ));
        }
        out.directory = d;
        Ok(out)
    }

    /// The content entries, in reading order (sorted by name).
    pub fn content_entries(&self) -> Vec<String> {
        self.content
            .iter()
            .map(|&i| self.entries[i].name.clone())
            .collect()
    }

    /// How many content entries the package has.
    pub fn content_count(&self) -> usize {
        self.content.len()
    }

    /// An empty [`ContentScan`] whose digests use the manifest's hash (BLAKE3 without a
    /// manifest: nothing is then checked against it).
    pub fn content_scan(&self) -> ContentScan {
        ContentScan::new(
            self.manifest
                .as_ref()
                .map_or(DigestAlgorithm::default(), |m| m.digest),
        )
    }

    /// The poster GUID a message's digest uses (empty when the package gives none).
    pub fn poster_guid(&self, id: i64) -> &str {
        self.guid_by_id.get(&id).map(String::as_str).unwrap_or("")
    }

    /// Reads the content entries from number `from` on (in
    /// [`PackageReader::content_entries`] order), on worker threads (see
    /// [`super::content`]): every message is added to `scan` and passed to `f`, in package
    /// order, on this thread; `after(k, scan)` runs after entry `k`. Errors name the entry.
    ///
    /// # Errors
    /// [`ChatDataError::Package`] naming the entry; whatever `f` or `after` returns (a
    /// [`ChatDataError::Package`] with an empty path and entry gets them filled in).
    pub fn read_content(
        &self,
        from: usize,
        scan: &mut ContentScan,
        mut f: impl FnMut(&Message) -> Result<(), ChatDataError>,
        mut after: impl FnMut(usize, &ContentScan) -> Result<(), ChatDataError>,
    ) -> Result<(), ChatDataError> {
        let entries: Vec<&Entry> = self
            .content
            .iter()
            .skip(from)
            .map(|&i| &self.entries[i])
            .collect();
        let scan = std::cell::RefCell::new(scan);
        super::content::read_in_order(
            &self.archive,
            &entries,
            &self.path,
            self.limits,
            &self.ids,
            |m| {
                scan.borrow_mut().add(m, self.poster_guid(m.poster_id));
                f(m)
            },
            |k| after(from + k, &scan.borrow()),
        )
    }

    /// Checks the totals of a complete content pass against the manifest (when there is one).
    ///
    /// # Errors
    /// [`ChatDataError::Package`] naming the manifest.
    pub fn check_manifest(&self, stats: &ContentStats) -> Result<(), ChatDataError> {
        let Some(m) = &self.manifest else {
            return Ok(());
        };
        let entry = super::MANIFEST;
        if m.counts.messages != stats.messages {
            return Err(self.perr(
                entry,
                format!(
                    "the manifest counts {} messages but the content files hold {}: the package is incomplete or altered; re-run the export",
                    m.counts.messages, stats.messages
                ),
            ));
        }
        for room in &m.rooms {
            let got = stats
                .rooms
                .get(&room.id)
                .cloned()
                .unwrap_or_else(|| ContentDigest::with(m.digest).finish());
            if got.messages != room.content.messages || got.digest != room.content.digest {
                return Err(self.perr(
                    entry,
                    format!(
                        "the content of room \"{}\" does not match the manifest ({} messages, {} {}… expected {} messages, {}…): the package is damaged or altered; re-run the export",
                        crate::safe_text::escape(&room.name),
                        got.messages,
                        m.digest.label(),
                        &got.digest[..12],
                        room.content.messages,
                        // the manifest's text, not ours: cut by characters, not bytes
                        crate::safe_text::escape(
                            &room.content.digest.chars().take(12).collect::<String>()
                        )
                    ),
                ));
            }
        }
        if let Some(extra) = stats
            .rooms
            .keys()
            .find(|id| !m.rooms.iter().any(|r| r.id == **id))
        {
            return Err(self.perr(
                entry,
                format!("content for room id {extra} that the manifest does not list: the package was altered"),
            ));
        }
        Ok(())
    }

    /// Streams every message of the package in package order (content entries sorted by
    /// name). Checks counts and per-room digests against the manifest when there is one.
    /// Call [`PackageReader::read_directory`] first (it supplies the poster GUIDs the
    /// digests need). `f` returns an error to stop; a [`ChatDataError::Package`] it returns
    /// with an empty path and entry gets the package path and the current entry filled in.
    ///
    /// # Errors
    /// [`ChatDataError::Package`] naming the entry; whatever `f` returns.
    pub fn for_each_message(
        &mut self,
        mut f: impl FnMut(&Message) -> Result<(), ChatDataError>,
    ) -> Result<ContentStats, ChatDataError> {
        let mut scan = self.content_scan();
        self.read_content(0, &mut scan, &mut f, |_, _| Ok(()))?;
        let stats = scan.finish();
        self.check_manifest(&stats)?;
        Ok(stats)
    }
}

/// Opens entry `index` as a size- and ratio-bounded UTF-8 reader.
fn open_limited<'a>(
    archive: &'a mut ZipArchive<SharedFile>,
    path: &Path,
    index: usize,
    name: &str,
    compressed: u64,
    limits: PackageLimits,
) -> Result<Box<dyn std::io::BufRead + 'a>, ChatDataError> {
    let zf = archive
        .by_index(index)
        .map_err(|e| ChatDataError::Package {
            path: path.to_path_buf(),
            entry: name.to_string(),
            message: format!("cannot open the entry ({e}); the archive is damaged"),
        })?;
    utf8_reader(LimitReader::entry(zf, compressed, limits)).map_err(|e| ChatDataError::Package {
        path: path.to_path_buf(),
        entry: name.to_string(),
        message: format!("cannot read: {e}"),
    })
}

/// Running totals of a content pass: per-room digests (package order, for the manifest
/// check), counts, first/last dates, rooms whose dates go backwards, file posts.
#[derive(Default)]
pub struct ContentScan {
    /// The hash the manifest's digests use.
    algorithm: DigestAlgorithm,
    digests: BTreeMap<i64, (ContentDigest, i64)>,
    unordered: std::collections::BTreeSet<i64>,
    file_posts: BTreeMap<i64, u64>,
    messages: u64,
    bytes: u64,
    /// The current room: id, digest, last chatDate.
    cur: Option<(i64, ContentDigest, i64)>,
}

/// The link prefix of a posted file in message content (schemas.md §1.3, tblChat.content).
pub const FILE_LINK_PREFIX: &str = "ma-filelink:";

impl ContentScan {
    /// An empty scan whose digests use `algorithm` (the manifest's: see
    /// [`PackageReader::content_scan`]).
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        Self {
            algorithm,
            ..Self::default()
        }
    }

    /// Adds one message (`poster_guid` feeds the digest).
    pub fn add(&mut self, m: &Message, poster_guid: &str) {
        match &mut self.cur {
            Some((id, _, _)) if *id == m.room_id => {}
            _ => {
                if let Some((id, mut d, last)) = self.cur.take() {
                    d.park();
                    self.digests.insert(id, (d, last));
                }
                let (d, last) = self
                    .digests
                    .remove(&m.room_id)
                    .unwrap_or((ContentDigest::with(self.algorithm), i64::MIN));
                self.cur = Some((m.room_id, d, last));
            }
        }
        let (_, d, last) = self.cur.as_mut().expect("set above");
        d.update(m.date, poster_guid, m.is_alert, &m.content);
        if m.date < *last {
            self.unordered.insert(m.room_id);
        }
        *last = m.date;
        if m.content.contains(FILE_LINK_PREFIX) {
            *self.file_posts.entry(m.room_id).or_default() += 1;
        }
        self.messages += 1;
        self.bytes += m.content.len() as u64;
    }

    /// Messages added so far.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Content bytes added so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The totals.
    pub fn finish(mut self) -> ContentStats {
        if let Some((id, d, last)) = self.cur.take() {
            self.digests.insert(id, (d, last));
        }
        ContentStats {
            messages: self.messages,
            bytes: self.bytes,
            rooms: self
                .digests
                .into_iter()
                .map(|(k, (v, _))| (k, v.finish()))
                .collect(),
            unordered: self.unordered,
            file_posts: self.file_posts,
        }
    }
}

/// A message's number field: `None` when empty, an error naming the field when not an
/// integer.
pub(crate) fn parse_num(s: &str, key: &str) -> Result<Option<i64>, ChatDataError> {
    // the common case first: plain digits, as the export writes them (18 digits always fit)
    let b = s.as_bytes();
    if !b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit) {
        return Ok(Some(
            b.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')),
        ));
    }
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| {
        perr(
            "",
            format!(
                "<Message> has {key}=\"{}\", which is not a number",
                crate::safe_text::escape(t)
            ),
        )
    })
}

pub(crate) fn perr(entry: &str, message: impl Into<String>) -> ChatDataError {
    // path is filled in by the caller's context; keep the entry precise
    ChatDataError::Package {
        path: PathBuf::new(),
        entry: entry.to_string(),
        message: message.into(),
    }
}

pub(crate) fn parse_bool(v: Option<&str>) -> Option<bool> {
    match v.map(str::trim) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn opt_i64(r: &Record, key: &str) -> Result<Option<i64>, String> {
    match r.get(key).map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("<{}> has {key}=\"{s}\", which is not a number", r.name)),
    }
}

fn req_i64(r: &Record, key: &str) -> Result<i64, String> {
    opt_i64(r, key)?.ok_or_else(|| format!("a <{}> lacks {key}", r.name))
}

fn principal_from(r: &Record, ids: &mut Interner) -> Result<Principal, String> {
    let raw = r.get("id").ok_or("a <Principal> has no id")?;
    let text = |k: &str| r.get_text(k).map_err(|e| e.0);
    let type_id = opt_i64(r, "type")?.map(|t| t as i16);
    Ok(Principal {
        id: ids.id(raw),
        guid: r
            .get("guid")
            .filter(|g| !g.trim().is_empty())
            .map(|g| g.trim().trim_matches(['{', '}']).to_ascii_uppercase()),
        type_id,
        federated: parse_bool(r.get("federated"))
            .unwrap_or_else(|| type_id.is_some_and(ptype::is_federated)),
        uri: text("Uri")?.unwrap_or_default(),
        name: text("Name")?,
        company: text("Company")?,
        email: text("Email")?,
        ad_path: text("ADPath")?,
        upn: text("UPN")?,
        disabled: parse_bool(r.get("disabled")).unwrap_or(false),
        added_by: opt_i64(r, "addedBy")?,
        added_on: opt_i64(r, "addedOn")?.unwrap_or(0),
        updated_by: opt_i64(r, "updatedBy")?,
        updated_on: opt_i64(r, "updatedOn")?.unwrap_or(0),
        verified_on: r.get("verifiedOn").unwrap_or("").to_string(),
    })
}

fn node_from(r: &Record, is_category: bool) -> Result<Node, String> {
    let id = req_i64(r, "id")?;
    let text = |k: &str| r.get_text(k).map_err(|e| e.0);
    let name = text("Name")?.ok_or_else(|| format!("<{}> id {id} has no <Name>", r.name))?;
    Ok(Node {
        id,
        guid: r.get("guid").unwrap_or("").trim().to_ascii_uppercase(),
        parent_id: opt_i64(r, if is_category { "parent" } else { "category" })?.unwrap_or(0),
        is_category,
        desc: text("Desc")?.unwrap_or_default(),
        topic: text("Topic")?.unwrap_or_default(),
        invite: parse_bool(r.get("invite")),
        logged: parse_bool(r.get("logged")),
        file_post: parse_bool(r.get("filePost")),
        disabled: parse_bool(r.get("disabled")).unwrap_or(false),
        inheritance: parse_bool(r.get("inheritance")).unwrap_or(false),
        scope_change: parse_bool(r.get("scopeChange")).unwrap_or(false),
        override_member: parse_bool(r.get("overrideMember")).unwrap_or(false),
        restrict_child_create: parse_bool(r.get("restrictChildCreate")),
        behavior: opt_i64(r, "behavior")?
            .map_or(crate::chatdata::model::enumv::NORMAL, |v| v as i16),
        visibility: opt_i64(r, "visibility")?.map(|v| v as i16),
        scope_definer_id: opt_i64(r, "scopeDefiner")?.unwrap_or(id),
        role_definer_id: opt_i64(r, "roleDefiner")?.unwrap_or(id),
        siop_id: r
            .get("addin")
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_ascii_uppercase()),
        added_by: opt_i64(r, "addedBy")?.unwrap_or(0),
        added_on: opt_i64(r, "addedOn")?.unwrap_or(0),
        updated_by: opt_i64(r, "updatedBy")?.unwrap_or(0),
        updated_on: opt_i64(r, "updatedOn")?.unwrap_or(0),
        in_scope: parse_bool(r.get("inScope")).unwrap_or(true),
        name,
    })
}
