//! Streaming writer of the export package (layout in the parent module's docs).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::xml::needs_hex;
use super::{
    ADDINS, CATEGORIES, CHUNK_BYTES, CHUNK_MESSAGES, CONTENT_PREFIX, FORMAT, FORMAT_VERSION,
    MANIFEST, Manifest, ManifestRoom, PRINCIPALS, ROOMS, Sections,
};
use crate::chatdata::ChatDataError;
use crate::chatdata::digest::{ContentDigest, DigestAlgorithm};
use crate::chatdata::model::{Directory, Message, Node, Role, ptype};

/// Flush the XML buffer into the zip entry beyond this many bytes.
const FLUSH_BYTES: usize = 256 * 1024;

/// Work for the compressing thread.
enum ZipCmd {
    Start(String, SimpleFileOptions),
    Data(Vec<u8>),
}

/// The zip writer runs on its own thread: the caller formats XML (and reads the database)
/// while the previous buffers are deflated, so an export uses both cores.
struct ZipThread {
    tx: Option<std::sync::mpsc::SyncSender<ZipCmd>>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
    handle: Option<std::thread::JoinHandle<Result<File, String>>>,
}

impl ZipThread {
    fn spawn(file: File) -> std::io::Result<ZipThread> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<ZipCmd>(4);
        let (back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let handle = std::thread::Builder::new()
            .name("export-zip".into())
            .spawn(move || -> Result<File, String> {
                let mut zip = ZipWriter::new(BufWriter::with_capacity(256 * 1024, file));
                for cmd in rx {
                    match cmd {
                        ZipCmd::Start(name, opts) => {
                            zip.start_file(name, opts).map_err(|e| e.to_string())?;
                        }
                        ZipCmd::Data(buf) => {
                            zip.write_all(&buf).map_err(|e| e.to_string())?;
                            let _ = back.send(buf);
                        }
                    }
                }
                let out = zip
                    .finish()
                    .map_err(|e| format!("cannot finish the zip: {e}"))?;
                out.into_inner()
                    .map_err(|e| format!("cannot flush the package: {}", e.error()))
            })?;
        Ok(ZipThread {
            tx: Some(tx),
            recycled,
            handle: Some(handle),
        })
    }

    /// Sends a command; on failure, the thread's own error.
    fn send(&mut self, cmd: ZipCmd) -> Result<(), String> {
        let sent = self.tx.as_ref().map(|tx| tx.send(cmd).is_ok());
        if sent == Some(true) {
            return Ok(());
        }
        Err(self
            .stop()
            .err()
            .unwrap_or_else(|| "the zip writer stopped".into()))
    }

    /// An empty buffer (recycled when possible).
    fn buffer(&self) -> Vec<u8> {
        match self.recycled.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::with_capacity(FLUSH_BYTES * 2),
        }
    }

    /// Closes the archive and returns the file.
    fn stop(&mut self) -> Result<File, String> {
        self.tx = None;
        match self.handle.take() {
            Some(h) => h
                .join()
                .unwrap_or_else(|_| Err("the zip writer panicked".into())),
            None => Err("the zip writer already stopped".into()),
        }
    }
}

impl Drop for ZipThread {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Appends `s` as XML element text: `&`, `<`, `>` escaped and `\r` as `&#13;` (a literal CR
/// would be normalized away by every XML parser).
pub(crate) fn escape_text_into(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.extend_from_slice(&b[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
}

/// Bytes that stop the fast copy of [`escape_checked_into`]: the four escaped ones, the
/// control characters XML 1.0 cannot carry (tab and line feed pass), and 0xEF, the lead byte
/// of U+FFFE and U+FFFF.
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[0xEF] = true;
    t
};

/// [`escape_text_into`] and [`needs_hex`] in one pass over `s`: appends `s` escaped and
/// returns true, or appends nothing and returns false when XML 1.0 cannot carry `s` (then
/// it travels as hex).
pub(crate) fn escape_checked_into(out: &mut Vec<u8>, s: &str) -> bool {
    let mark = out.len();
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if !STOP[c as usize] {
            continue;
        }
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            // U+FFFE / U+FFFF are EF BF BE / EF BF BF; 0xEF is never a continuation byte
            0xEF if !(b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF))) => {
                continue;
            }
            _ => {
                out.truncate(mark);
                return false;
            }
        };
        out.extend_from_slice(&b[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
    true
}

/// Appends the decimal form of `v`.
fn push_int(out: &mut Vec<u8>, v: i64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let neg = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(&tmp[i..]);
}

/// Appends lowercase hex of `bytes`.
fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

type XmlW = quick_xml::Writer<Vec<u8>>;

fn b(v: bool) -> &'static str {
    if v { "1" } else { "0" }
}

/// Writes a package entry by entry. Create with [`PackageWriter::create`], write the
/// directory, then messages room by room, then [`PackageWriter::finish`].
pub struct PackageWriter {
    zip: ZipThread,
    path: PathBuf,
    manifest: Manifest,
    xml: XmlW,
    entry: String,
    // content state
    chunk_open: bool,
    chunk_messages: u64,
    chunk_bytes: u64,
    room_open: Option<i64>,
    current: Option<(i64, String, ContentDigest)>,
    rooms: BTreeMap<i64, ManifestRoom>,
    uncompressed: u64,
}

impl PackageWriter {
    /// Creates the zip at `path` (truncating it). `manifest` carries the export's
    /// parameters (source, pool, level, scope, start date, sections); counts, content files and
    /// rooms are filled in while writing.
    ///
    /// # Errors
    /// I/O errors naming the file.
    pub fn create(path: &Path, mut manifest: Manifest) -> Result<PackageWriter, ChatDataError> {
        let file = File::create(path).map_err(ChatDataError::io(path, "create the package"))?;
        manifest.format = FORMAT.into();
        manifest.version = FORMAT_VERSION;
        manifest.digest = DigestAlgorithm::Blake3;
        let zip =
            ZipThread::spawn(file).map_err(ChatDataError::io(path, "start the zip writer"))?;
        Ok(PackageWriter {
            zip,
            path: path.to_path_buf(),
            manifest,
            xml: quick_xml::Writer::new(Vec::with_capacity(FLUSH_BYTES * 2)),
            entry: String::new(),
            chunk_open: false,
            chunk_messages: 0,
            chunk_bytes: 0,
            room_open: None,
            current: None,
            rooms: BTreeMap::new(),
            uncompressed: 0,
        })
    }

    fn err(&self, message: impl std::fmt::Display) -> ChatDataError {
        ChatDataError::Package {
            path: self.path.clone(),
            entry: if self.entry.is_empty() {
                "(archive)".into()
            } else {
                self.entry.clone()
            },
            message: format!("cannot write: {message}"),
        }
    }

    fn start_entry(&mut self, name: &str) -> Result<(), ChatDataError> {
        self.entry = name.to_string();
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1))
            .unix_permissions(0o644);
        self.zip
            .send(ZipCmd::Start(name.to_string(), opts))
            .map_err(|e| self.err(e))?;
        self.xml.get_mut().clear();
        self.xml
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(|e| self.err(e))?;
        self.xml.get_mut().push(b'\n');
        Ok(())
    }

    fn flush_xml(&mut self, force: bool) -> Result<(), ChatDataError> {
        if force || self.xml.get_ref().len() >= FLUSH_BYTES {
            let fresh = self.zip.buffer();
            let buf = std::mem::replace(self.xml.get_mut(), fresh);
            self.uncompressed += buf.len() as u64;
            self.chunk_bytes += buf.len() as u64;
            self.zip.send(ZipCmd::Data(buf)).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), ChatDataError> {
        let mut e = BytesStart::new(name);
        for a in attrs {
            e.push_attribute(*a);
        }
        self.xml
            .write_event(Event::Start(e))
            .map_err(|x| self.err(x))
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), ChatDataError> {
        let mut e = BytesStart::new(name);
        for a in attrs {
            e.push_attribute(*a);
        }
        self.xml
            .write_event(Event::Empty(e))
            .map_err(|x| self.err(x))
    }

    fn close(&mut self, name: &str) -> Result<(), ChatDataError> {
        self.xml
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(|x| self.err(x))
    }

    /// `<name>text</name>`, hex-encoded (`enc="hex"`) when XML 1.0 cannot carry the text.
    fn text(&mut self, name: &str, value: &str) -> Result<(), ChatDataError> {
        let mut e = BytesStart::new(name);
        let hexed = needs_hex(value);
        if hexed {
            e.push_attribute(("enc", "hex"));
        }
        self.xml
            .write_event(Event::Start(e))
            .map_err(|x| self.err(x))?;
        let out = self.xml.get_mut();
        if hexed {
            push_hex(out, value.as_bytes());
        } else {
            escape_text_into(out, value);
        }
        self.close(name)
    }

    fn opt_text(&mut self, name: &str, value: Option<&str>) -> Result<(), ChatDataError> {
        match value {
            Some(v) => self.text(name, v),
            None => Ok(()),
        }
    }

    fn end_entry(&mut self) -> Result<(), ChatDataError> {
        self.xml.get_mut().push(b'\n');
        self.flush_xml(true)
    }

    /// Writes the directory files for `d` (already filtered by the export):
    /// the three AD files when `sections.principals`, ChatRooms.xml when `sections.rooms`,
    /// and our Principals / AddIns / Categories / Rooms files whenever `d` has such rows.
    ///
    /// # Errors
    /// I/O and zip errors naming the entry.
    pub fn write_directory(
        &mut self,
        d: &Directory,
        sections: Sections,
    ) -> Result<(), ChatDataError> {
        self.manifest.sections = sections;
        let c = &mut self.manifest.counts;
        c.principals = d.principals.len() as u64;
        c.categories = d.categories().count() as u64;
        c.rooms = d.rooms().count() as u64;
        c.addins = d.addins.len() as u64;
        c.roles = d.roles.len() as u64;
        c.scopes = d.scopes.len() as u64;
        if sections.principals {
            self.write_ad_files(d)?;
        }
        if sections.rooms {
            self.write_chat_rooms(d)?;
        }
        if !d.principals.is_empty() {
            self.write_principals(d)?;
        }
        if !d.addins.is_empty() {
            self.start_entry(ADDINS)?;
            self.open("AddIns", &[])?;
            for a in &d.addins {
                self.open("AddIn", &[("id", &a.id)])?;
                self.text("Name", &a.name)?;
                self.text("Url", &a.url)?;
                self.close("AddIn")?;
            }
            self.close("AddIns")?;
            self.end_entry()?;
        }
        let roles_by_node = group_roles(d);
        if d.categories().next().is_some() {
            self.start_entry(CATEGORIES)?;
            self.open("Categories", &[])?;
            for n in d.categories() {
                self.write_node("Category", n, d, &roles_by_node)?;
                self.flush_xml(false)?;
            }
            self.close("Categories")?;
            self.end_entry()?;
        }
        if d.rooms().next().is_some() {
            self.start_entry(ROOMS)?;
            self.open("Rooms", &[])?;
            for n in d.rooms() {
                self.write_node("Room", n, d, &roles_by_node)?;
                self.flush_xml(false)?;
            }
            self.close("Rooms")?;
            self.end_entry()?;
        }
        Ok(())
    }

    fn write_ad_files(&mut self, d: &Directory) -> Result<(), ChatDataError> {
        self.start_entry("AdUsers.xml")?;
        self.open("Pool", &[])?;
        self.open("AdUsers", &[])?;
        let mut users = 0;
        for p in d
            .principals
            .iter()
            .filter(|p| p.type_id == Some(ptype::USER))
        {
            let id = p.id.to_string();
            self.empty(
                "User",
                &[
                    ("principalId", &id),
                    ("UserPrincipalName", p.upn.as_deref().unwrap_or("")),
                ],
            )?;
            users += 1;
            self.flush_xml(false)?;
        }
        self.close("AdUsers")?;
        self.close("Pool")?;
        self.end_entry()?;

        self.start_entry("AdGroups.xml")?;
        self.open("Pool", &[])?;
        self.open("AdGroups", &[])?;
        let mut groups = 0;
        for p in d
            .principals
            .iter()
            .filter(|p| p.type_id == Some(ptype::GROUP))
        {
            let id = p.id.to_string();
            self.empty("Group", &[("principalId", &id)])?;
            groups += 1;
        }
        self.close("AdGroups")?;
        self.close("Pool")?;
        self.end_entry()?;
        self.manifest.counts.users = users;
        self.manifest.counts.groups = groups;

        // memberships of users and groups in groups (the known shape lists groups only;
        // folder and domain affiliations are rebuilt by AD sync on the new pool)
        let types: BTreeMap<i64, Option<i16>> =
            d.principals.iter().map(|p| (p.id, p.type_id)).collect();
        let is = |id: i64, t: i16| types.get(&id).copied().flatten() == Some(t);
        let mut by_member: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for a in &d.affiliations {
            if (is(a.principal_id, ptype::USER) || is(a.principal_id, ptype::GROUP))
                && is(a.group_id, ptype::GROUP)
            {
                by_member
                    .entry(a.principal_id)
                    .or_default()
                    .push(a.group_id);
            }
        }
        self.start_entry("AdAffiliations.xml")?;
        self.open("Pool", &[])?;
        self.open("AdAffiliations", &[])?;
        for (who, groups) in by_member {
            let id = who.to_string();
            self.open("User", &[("id", &id)])?;
            self.open("Groups", &[])?;
            for g in groups {
                let g = g.to_string();
                self.empty("Group", &[("id", &g)])?;
            }
            self.close("Groups")?;
            self.close("User")?;
            self.flush_xml(false)?;
        }
        self.close("AdAffiliations")?;
        self.close("Pool")?;
        self.end_entry()
    }

    fn write_chat_rooms(&mut self, d: &Directory) -> Result<(), ChatDataError> {
        self.start_entry("ChatRooms.xml")?;
        self.open("Pool", &[])?;
        self.open("ChatRooms", &[])?;
        let roles = group_roles(d);
        for room in d.rooms() {
            self.open("ChatRoom", &[("isDisabled", b(room.disabled))])?;
            self.text("Name", &room.name)?;
            self.text("Desc", &room.desc)?;
            self.open("Roles", &[])?;
            // one Principal per principal: flags merged over its roles
            let mut per: BTreeMap<i64, (bool, bool, bool)> = BTreeMap::new();
            for r in roles.get(&room.id).map(Vec::as_slice).unwrap_or(&[]) {
                let e = per.entry(r.0).or_default();
                match r.1 {
                    Role::Manager => e.0 = true,
                    Role::Member => e.1 = true,
                    Role::Creator => e.2 = true,
                    Role::Voiced => {}
                }
            }
            for (id, (m, mem, cr)) in per {
                if !(m || mem || cr) {
                    continue;
                }
                let id = id.to_string();
                self.empty(
                    "Principal",
                    &[
                        ("id", &id),
                        ("isManager", b(m)),
                        ("isMember", b(mem)),
                        ("isCreator", b(cr)),
                    ],
                )?;
            }
            self.close("Roles")?;
            self.close("ChatRoom")?;
            self.flush_xml(false)?;
        }
        self.close("ChatRooms")?;
        self.close("Pool")?;
        self.end_entry()
    }

    fn write_principals(&mut self, d: &Directory) -> Result<(), ChatDataError> {
        self.start_entry(PRINCIPALS)?;
        self.open("Principals", &[])?;
        for p in &d.principals {
            let id = p.id.to_string();
            let t = p.type_id.map(|t| t.to_string()).unwrap_or_default();
            let added_by = p.added_by.map(|v| v.to_string()).unwrap_or_default();
            let updated_by = p.updated_by.map(|v| v.to_string()).unwrap_or_default();
            let added_on = p.added_on.to_string();
            let updated_on = p.updated_on.to_string();
            let mut attrs: Vec<(&str, &str)> = vec![("id", &id)];
            if let Some(g) = &p.guid {
                attrs.push(("guid", g));
            }
            if !t.is_empty() {
                attrs.push(("type", &t));
            }
            attrs.push(("federated", b(p.federated)));
            attrs.push(("disabled", b(p.disabled)));
            if !added_by.is_empty() {
                attrs.push(("addedBy", &added_by));
            }
            attrs.push(("addedOn", &added_on));
            if !updated_by.is_empty() {
                attrs.push(("updatedBy", &updated_by));
            }
            attrs.push(("updatedOn", &updated_on));
            attrs.push(("verifiedOn", &p.verified_on));
            self.open("Principal", &attrs)?;
            self.text("Uri", &p.uri)?;
            self.opt_text("Name", p.name.as_deref())?;
            self.opt_text("Company", p.company.as_deref())?;
            self.opt_text("Email", p.email.as_deref())?;
            self.opt_text("ADPath", p.ad_path.as_deref())?;
            self.opt_text("UPN", p.upn.as_deref())?;
            self.close("Principal")?;
            self.flush_xml(false)?;
        }
        self.close("Principals")?;
        self.end_entry()
    }

    fn write_node(
        &mut self,
        tag: &str,
        n: &Node,
        d: &Directory,
        roles: &BTreeMap<i64, Vec<(i64, Role)>>,
    ) -> Result<(), ChatDataError> {
        let id = n.id.to_string();
        let parent = n.parent_id.to_string();
        let behavior = n.behavior.to_string();
        let visibility = n.visibility.map(|v| v.to_string());
        let sdef = n.scope_definer_id.to_string();
        let rdef = n.role_definer_id.to_string();
        let added_by = n.added_by.to_string();
        let added_on = n.added_on.to_string();
        let updated_by = n.updated_by.to_string();
        let updated_on = n.updated_on.to_string();
        let rcc = n.restrict_child_create.map(b);
        let mut attrs: Vec<(&str, &str)> = vec![("id", &id), ("guid", &n.guid)];
        attrs.push((if n.is_category { "parent" } else { "category" }, &parent));
        if n.is_category {
            attrs.push(("inScope", b(n.in_scope)));
        }
        for (k, v) in [
            ("invite", n.invite),
            ("logged", n.logged),
            ("filePost", n.file_post),
        ] {
            if let Some(v) = v {
                attrs.push((k, b(v)));
            }
        }
        attrs.push(("disabled", b(n.disabled)));
        attrs.push(("inheritance", b(n.inheritance)));
        attrs.push(("scopeChange", b(n.scope_change)));
        attrs.push(("overrideMember", b(n.override_member)));
        if let Some(v) = rcc {
            attrs.push(("restrictChildCreate", v));
        }
        attrs.push(("behavior", &behavior));
        if let Some(v) = &visibility {
            attrs.push(("visibility", v));
        }
        attrs.push(("scopeDefiner", &sdef));
        attrs.push(("roleDefiner", &rdef));
        if let Some(s) = &n.siop_id {
            attrs.push(("addin", s));
        }
        attrs.push(("addedBy", &added_by));
        attrs.push(("addedOn", &added_on));
        attrs.push(("updatedBy", &updated_by));
        attrs.push(("updatedOn", &updated_on));
        self.open(tag, &attrs)?;
        self.text("Name", &n.name)?;
        self.text("Desc", &n.desc)?;
        if !n.is_category {
            self.text("Topic", &n.topic)?;
        }
        if n.is_category {
            let scope: Vec<i64> = d
                .scopes
                .iter()
                .filter(|s| s.node_id == n.id)
                .map(|s| s.prin_id)
                .collect();
            if !scope.is_empty() {
                self.open("Scope", &[])?;
                for p in scope {
                    let p = p.to_string();
                    self.empty("Principal", &[("id", &p)])?;
                }
                self.close("Scope")?;
            }
        }
        if let Some(rs) = roles.get(&n.id) {
            self.open("Roles", &[])?;
            for (p, role) in rs {
                let p = p.to_string();
                self.empty("Role", &[("principal", &p), ("type", role.desc())])?;
            }
            self.close("Roles")?;
        }
        self.close(tag)
    }

    fn open_chunk(&mut self) -> Result<(), ChatDataError> {
        let name = format!(
            "{CONTENT_PREFIX}{:05}.xml",
            self.manifest.content_files.len() + 1
        );
        self.manifest.content_files.push(name.clone());
        self.start_entry(&name)?;
        self.open("Content", &[])?;
        self.chunk_open = true;
        self.chunk_messages = 0;
        self.chunk_bytes = 0;
        Ok(())
    }

    fn close_chunk(&mut self) -> Result<(), ChatDataError> {
        if self.room_open.take().is_some() {
            self.close("Room")?;
        }
        if self.chunk_open {
            self.close("Content")?;
            self.end_entry()?;
            self.chunk_open = false;
        }
        Ok(())
    }

    /// Starts the content of a room (call for every exported room, even without messages,
    /// so the manifest records its count).
    pub fn begin_room(&mut self, room: &Node) -> Result<(), ChatDataError> {
        self.end_room()?;
        self.current = Some((
            room.id,
            room.name.clone(),
            ContentDigest::with(self.manifest.digest),
        ));
        Ok(())
    }

    /// Writes one message of the current room; `poster_guid` is the poster's prinGuid
    /// (empty when unknown) and only feeds the manifest digest.
    ///
    /// # Errors
    /// I/O and zip errors naming the entry.
    pub fn write_message(&mut self, m: &Message, poster_guid: &str) -> Result<(), ChatDataError> {
        let Some((room_id, _, digest)) = self.current.as_mut() else {
            return Err(self.err("a message was written outside a room (begin_room first)"));
        };
        let room_id = *room_id;
        digest.update(m.date, poster_guid, m.is_alert, &m.content);
        if !self.chunk_open
            || self.chunk_messages >= CHUNK_MESSAGES
            || self.chunk_bytes >= CHUNK_BYTES
        {
            self.close_chunk()?;
            self.open_chunk()?;
        }
        if self.room_open != Some(room_id) {
            if self.room_open.is_some() {
                self.close("Room")?;
            }
            let id = room_id.to_string();
            self.open("Room", &[("id", &id)])?;
            self.room_open = Some(room_id);
        }
        let out = self.xml.get_mut();
        out.extend_from_slice(b"<Message id=\"");
        push_int(out, m.chat_id);
        out.extend_from_slice(b"\" date=\"");
        push_int(out, m.date);
        out.extend_from_slice(b"\" poster=\"");
        push_int(out, m.poster_id);
        // an absent alert reads as 0: one attribute less to write, deflate and parse for
        // nearly every message
        out.extend_from_slice(if m.is_alert { b"\" alert=\"1\"" } else { b"\"" });
        let mark = out.len();
        out.push(b'>');
        if !escape_checked_into(out, &m.content) {
            out.truncate(mark);
            out.extend_from_slice(b" enc=\"hex\">");
            push_hex(out, m.content.as_bytes());
        }
        out.extend_from_slice(b"</Message>");
        self.chunk_messages += 1;
        self.manifest.counts.messages += 1;
        self.flush_xml(false)
    }

    fn end_room(&mut self) -> Result<(), ChatDataError> {
        if let Some((id, name, digest)) = self.current.take() {
            self.rooms.insert(
                id,
                ManifestRoom {
                    id,
                    name,
                    content: digest.finish(),
                },
            );
        }
        Ok(())
    }

    /// Uncompressed bytes written so far.
    pub fn uncompressed_bytes(&self) -> u64 {
        self.uncompressed
    }

    /// Closes the content, writes the manifest (last), finishes the zip and syncs the file.
    /// Returns the manifest and the package size in bytes.
    ///
    /// # Errors
    /// I/O and zip errors naming the entry.
    pub fn finish(mut self) -> Result<(Manifest, u64), ChatDataError> {
        self.end_room()?;
        self.close_chunk()?;
        self.manifest.rooms = std::mem::take(&mut self.rooms).into_values().collect();
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| self.err(e))?;
        self.entry = MANIFEST.into();
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644);
        self.zip
            .send(ZipCmd::Start(MANIFEST.into(), opts))
            .map_err(|e| self.err(e))?;
        self.zip.send(ZipCmd::Data(json)).map_err(|e| self.err(e))?;
        self.entry.clear();
        let path = self.path.clone();
        let file = self.zip.stop().map_err(|e| ChatDataError::Package {
            path: path.clone(),
            entry: "(archive)".into(),
            message: e,
        })?;
        file.sync_all()
            .map_err(ChatDataError::io(&path, "sync the package to disk"))?;
        let size = file
            .metadata()
            .map_err(ChatDataError::io(&path, "read the package size"))?
            .len();
        Ok((self.manifest, size))
    }
}

fn group_roles(d: &Directory) -> BTreeMap<i64, Vec<(i64, Role)>> {
    let mut m: BTreeMap<i64, Vec<(i64, Role)>> = BTreeMap::new();
    for r in &d.roles {
        m.entry(r.node_id).or_default().push((r.prin_id, r.role));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_escape_agrees_with_needs_hex_and_escape_text() {
        let cases = [
            "",
            "plain",
            "a & b < c > d\r\ne\tf",
            "😀 한국어 ñ",
            "\u{7}bell",
            "ctrl at end \u{1}",
            "x\u{FFFE}",
            "x\u{FFFF}y",
            "\u{FFFD} and \u{FEFF} and \u{EFFF} stay text",
            "\u{F000}\u{FFEF}",
        ];
        for s in cases {
            let mut out = b"prefix".to_vec();
            let ok = escape_checked_into(&mut out, s);
            assert_eq!(ok, !needs_hex(s), "{s:?}");
            let mut want = b"prefix".to_vec();
            if ok {
                escape_text_into(&mut want, s);
            }
            assert_eq!(out, want, "{s:?}");
        }
    }
}
