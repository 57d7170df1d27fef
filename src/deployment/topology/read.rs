//! Decoding and streaming reading of a topology document into a flat "raw" model: clusters,
//! SQL instances and services with the keys that link them. Classification (which cluster is
//! a Front End or a Persistent Chat pool) happens in `mod.rs`.
//!
//! Safety: the input size is checked before anything is decoded; quick-xml never processes a
//! DTD (a `<!DOCTYPE` is refused outright, and only the five predefined entities and
//! character references are accepted); nesting is limited; memory is the decoded text plus
//! what was found, both bounded by the size limit.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{Limits, TopologyError, TopologyFormat};

/// Namespace of a published topology (`Get-CsTopology -AsXml`) and of the elements the
/// Topology Builder file borrows from it (schemas.md §4.1).
pub(super) const NS_TOPOLOGY: &str = "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008";
/// Namespace of a Topology Builder file's root.
pub(super) const NS_BUILDER: &str =
    "urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008";

/// The document's text as UTF-8, and how it was encoded.
pub(super) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Sniffs the byte order mark (or the UTF-16 shape of `<`) and decodes to UTF-8.
pub(super) fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<Decoded<'a>, TopologyError> {
    let enc_err = |message: String| TopologyError::Encoding {
        file: file.to_string(),
        message,
    };
    let utf16 =
        |body: &[u8], big: bool, name: &'static str| -> Result<Decoded<'a>, TopologyError> {
            if !body.len().is_multiple_of(2) {
                return Err(enc_err(format!(
                    "{name} text has an odd number of bytes (truncated file?); export it again"
                )));
            }
            let units = body.chunks_exact(2).map(|c| {
                if big {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            let mut s = String::with_capacity(body.len() / 2 + body.len() / 8);
            for (i, ch) in char::decode_utf16(units).enumerate() {
                match ch {
                    Ok(c) => s.push(c),
                    Err(_) => {
                        return Err(enc_err(format!(
                            "invalid {name} at byte {} (unpaired surrogate); export it again",
                            i * 2 + 2
                        )));
                    }
                }
            }
            Ok(Decoded {
                text: Cow::Owned(s),
                encoding: name,
            })
        };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false, "UTF-16 LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true, "UTF-16 BE"),
        // UTF-16 without a byte order mark: "<" is 3C 00 (LE) or 00 3C (BE)
        [0x3C, 0x00, ..] => utf16(bytes, false, "UTF-16 LE (no BOM)"),
        [0x00, 0x3C, ..] => utf16(bytes, true, "UTF-16 BE (no BOM)"),
        _ => {
            let (body, encoding) = match bytes {
                [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, "UTF-8 with BOM"),
                _ => (bytes, "UTF-8"),
            };
            match std::str::from_utf8(body) {
                Ok(s) => Ok(Decoded {
                    text: Cow::Borrowed(s),
                    encoding,
                }),
                Err(e) => Err(enc_err(format!(
                    "not valid UTF-8 at byte {} and no UTF-16 byte order mark; save the export as \
                     UTF-8 or UTF-16 (Out-File -Encoding utf8)",
                    e.valid_up_to()
                ))),
            }
        }
    }
}

/// 1-based line and column of a byte offset in `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |l| l.trim_end_matches('\r').chars().count())
        + 1;
    (line, column)
}

/// A port of a service, as the topology lists it.
#[derive(Clone, Debug)]
pub(super) struct RawPort {
    pub owner: String,
    pub usage: String,
    pub side: String,
    pub port: u16,
    pub protocol: String,
}

#[derive(Clone, Debug, Default)]
pub(super) struct RawCluster {
    pub key: String,
    pub fqdn: String,
    pub site_id: Option<u32>,
    pub machines: Vec<String>,
    pub single_machine: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct RawSql {
    pub key: String,
    pub cluster_key: String,
    pub name: String,
    pub always_on_primary: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct RawService {
    pub key: String,
    pub role: String,
    pub site_id: Option<u32>,
    pub installed_on: Option<String>,
    pub depends: Vec<String>,
    pub ports: Vec<RawPort>,
    pub share_name: Option<String>,
    pub is_director: bool,
    pub service_version: Option<u32>,
}

/// Everything read from the document, unlinked.
#[derive(Debug, Default)]
pub(super) struct Raw {
    pub format: Option<TopologyFormat>,
    pub notes: Vec<String>,
    pub default_domain: Option<String>,
    pub domains: Vec<String>,
    pub sites: Vec<(u32, String)>,
    pub clusters: Vec<RawCluster>,
    pub sqls: Vec<RawSql>,
    pub services: Vec<RawService>,
    pub saw_new_topology: bool,
}

/// Parser state while streaming.
struct State<'t> {
    file: &'t str,
    text: &'t str,
    raw: Raw,
    /// Local names of the open elements.
    stack: Vec<String>,
    /// Where each open element started (reader positions, parallel to `stack`).
    opened_at: Vec<u64>,
    site: Option<usize>,
    site_name: Option<String>,
    cluster: Option<usize>,
    service: Option<usize>,
    /// Published form: the SqlInstance being read (name, always-on primary).
    pending_sql: Option<RawSql>,
    /// `SqlInstanceId @Name` being read under a service's InstalledOn.
    installed_sql_name: Option<String>,
    skipped: Vec<String>,
}

impl<'t> State<'t> {
    fn err_at(
        &self,
        pos: u64,
        make: impl FnOnce(String, usize, usize) -> TopologyError,
    ) -> TopologyError {
        // `pos` is where the reader stood: skip the whitespace before the markup it read
        let at = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let at = self
            .text
            .get(at..)
            .map_or(at, |rest| at + rest.len() - rest.trim_start().len());
        let (line, column) = line_col(self.text, at);
        make(self.file.to_string(), line, column)
    }

    fn parent(&self) -> &str {
        self.stack.last().map_or("", String::as_str)
    }

    fn grandparent(&self) -> &str {
        self.stack
            .len()
            .checked_sub(2)
            .and_then(|i| self.stack.get(i))
            .map_or("", String::as_str)
    }

    /// False for content of a Topology Builder file outside `NewTopology`.
    fn in_scope(&mut self) -> bool {
        if self.raw.format != Some(TopologyFormat::TopologyBuilder) {
            return true;
        }
        match self.stack.get(1) {
            None => true,
            Some(top) if top == "NewTopology" => true,
            Some(top) => {
                if !self.skipped.contains(top) {
                    self.skipped.push(top.clone());
                }
                false
            }
        }
    }
}

/// Reads the decoded document into the raw model.
pub(super) fn read(text: &str, file: &str, limits: &Limits) -> Result<Raw, TopologyError> {
    refuse_control_characters(text, file)?;
    let mut reader = NsReader::from_str(text);
    {
        let c = reader.config_mut();
        c.check_end_names = true;
        c.trim_text(false);
        c.expand_empty_elements = false;
    }
    let mut st = State {
        file,
        text,
        raw: Raw::default(),
        stack: Vec::new(),
        opened_at: Vec::new(),
        site: None,
        site_name: None,
        cluster: None,
        service: None,
        pending_sql: None,
        installed_sql_name: None,
        skipped: Vec::new(),
    };
    let mut saw_root = false;
    loop {
        let pos = reader.buffer_position();
        let (ns, ev) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(xml_error(&st, reader.error_position(), &e)),
        };
        match ev {
            Event::DocType(d) => {
                let body = String::from_utf8_lossy(d.as_ref()).to_ascii_uppercase();
                return Err(if body.contains("<!ENTITY") {
                    st.err_at(pos, |file, line, column| TopologyError::EntityDeclaration {
                        file,
                        line,
                        column,
                    })
                } else {
                    st.err_at(pos, |file, line, column| TopologyError::Dtd {
                        file,
                        line,
                        column,
                    })
                });
            }
            Event::Start(e) | Event::Empty(e) if st.stack.len() >= limits.max_depth => {
                let _ = e;
                return Err(st.err_at(pos, |file, line, column| TopologyError::TooDeep {
                    file,
                    line,
                    column,
                    limit: limits.max_depth,
                }));
            }
            Event::Start(e) => {
                if !saw_root {
                    root(&mut st, &e, &ns, pos)?;
                    saw_root = true;
                } else if st.in_scope() {
                    open(&mut st, &e, pos)?;
                }
                st.stack.push(local(&e));
                st.opened_at.push(pos);
            }
            Event::Empty(e) => {
                if !saw_root {
                    root(&mut st, &e, &ns, pos)?;
                    saw_root = true;
                } else if st.in_scope() {
                    let name = local(&e);
                    open(&mut st, &e, pos)?;
                    st.stack.push(name);
                    close(&mut st);
                    st.stack.pop();
                }
            }
            Event::End(_) => {
                if st.in_scope() {
                    close(&mut st);
                }
                st.stack.pop();
                st.opened_at.pop();
            }
            Event::Text(t) => {
                if st.site_name.is_some() {
                    let s = t
                        .decode()
                        .map_err(|e| xml_error_msg(&st, pos, &e.to_string()))?;
                    if let Some(name) = st.site_name.as_mut() {
                        name.push_str(&s);
                    }
                }
            }
            Event::CData(t) => {
                if let Some(name) = st.site_name.as_mut() {
                    name.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let mut out = String::new();
                resolve_ref(&st, &r, pos, &mut out)?;
                if let Some(name) = st.site_name.as_mut() {
                    name.push_str(&out);
                }
            }
            Event::Eof => {
                // A document cut short (a half-copied file) is not a smaller topology.
                if let (Some(name), Some(&at)) = (st.stack.last(), st.opened_at.last()) {
                    let (end_line, _) = line_col(text, text.len());
                    let message = format!(
                        "the document ends on line {end_line} while <{name}> opened here is \
                         still open ({} element(s) unclosed): the file is cut short",
                        st.stack.len()
                    );
                    return Err(xml_error_msg(&st, at, &message));
                }
                break;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !saw_root {
        return Err(TopologyError::Empty {
            file: file.to_string(),
        });
    }
    for s in &st.skipped {
        st.raw.notes.push(format!(
            "skipped <{s}> in the Topology Builder file: only <NewTopology> (what Topology Builder \
             would publish) is read"
        ));
    }
    if st.raw.format == Some(TopologyFormat::TopologyBuilder) && !st.raw.saw_new_topology {
        st.raw.notes.push(
            "the Topology Builder file has no <NewTopology>: nothing was read from it; open it in \
             Topology Builder and save it again, or export the published topology with \
             Get-CsTopology -AsXml"
                .into(),
        );
    }
    Ok(st.raw)
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn xml_error(st: &State<'_>, pos: u64, e: &quick_xml::Error) -> TopologyError {
    if let quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) = e
    {
        let name = name.clone();
        return st.err_at(pos, |file, line, column| TopologyError::Entity {
            file,
            line,
            column,
            name,
        });
    }
    xml_error_msg(st, pos, &e.to_string())
}

fn xml_error_msg(st: &State<'_>, pos: u64, message: &str) -> TopologyError {
    let message = message.to_string();
    st.err_at(pos, |file, line, column| TopologyError::Xml {
        file,
        line,
        column,
        message,
    })
}

/// Control characters (other than tab and line ends) and bidirectional overrides: XML 1.0
/// forbids the first and topology names never hold the second; either could alter a terminal
/// or hide text once printed or merged into a profile.
fn is_control(c: char) -> bool {
    crate::safe_text::is_unsafe(c) && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses the document at the first control character, naming its line and column.
fn refuse_control_characters(text: &str, file: &str) -> Result<(), TopologyError> {
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_control(c)) {
        let (line, column) = line_col(text, at);
        return Err(TopologyError::Xml {
            file: file.to_string(),
            line,
            column,
            message: format!(
                "the control character U+{:04X} is not allowed in a topology document",
                u32::from(c)
            ),
        });
    }
    Ok(())
}

/// Only the five predefined entities and character references exist without a DTD.
fn resolve_ref(
    st: &State<'_>,
    r: &quick_xml::events::BytesRef<'_>,
    pos: u64,
    out: &mut String,
) -> Result<(), TopologyError> {
    match r.resolve_char_ref() {
        Ok(Some(ch)) if is_control(ch) => {
            return Err(xml_error_msg(
                st,
                pos,
                &format!(
                    "a character reference to the control character U+{:04X}, which a \
                     topology never holds",
                    u32::from(ch)
                ),
            ));
        }
        Ok(Some(ch)) => {
            out.push(ch);
            return Ok(());
        }
        Ok(None) => {}
        Err(e) => {
            return Err(xml_error_msg(
                st,
                pos,
                &format!("bad character reference: {e}"),
            ));
        }
    }
    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
    out.push(match name.as_str() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            return Err(st.err_at(pos, |file, line, column| TopologyError::Entity {
                file,
                line,
                column,
                name,
            }));
        }
    });
    Ok(())
}

/// The attributes of an element, unescaped (an undefined entity is an error).
fn attrs(
    st: &State<'_>,
    e: &BytesStart<'_>,
    pos: u64,
) -> Result<Vec<(String, String)>, TopologyError> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|x| xml_error_msg(st, pos, &format!("bad attribute: {x}")))?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        if a.key.as_ref().starts_with(b"xmlns") {
            continue;
        }
        let value = a.unescape_value().map_err(|x| xml_error(st, pos, &x))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn root(
    st: &mut State<'_>,
    e: &BytesStart<'_>,
    ns: &ResolveResult<'_>,
    pos: u64,
) -> Result<(), TopologyError> {
    let name = local(e);
    let namespace = match ns {
        ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
        _ => String::new(),
    };
    let (format, expected) = match name.as_str() {
        "Topology" => (TopologyFormat::Published, NS_TOPOLOGY),
        "TopologyBuilder" => (TopologyFormat::TopologyBuilder, NS_BUILDER),
        _ => {
            return Err(TopologyError::NotTopology {
                file: st.file.to_string(),
                root: name,
            });
        }
    };
    if namespace != expected {
        st.raw.notes.push(format!(
            "the root <{name}> has namespace \"{namespace}\", not the expected \"{expected}\"; \
             read it anyway"
        ));
    }
    st.raw.format = Some(format);
    let _ = pos;
    Ok(())
}

fn parse_u32(v: Option<&str>) -> Option<u32> {
    v.and_then(|s| s.trim().parse().ok())
}

fn cluster_key(site: Option<&str>, number: Option<&str>) -> String {
    format!("cluster:{}:{}", site.unwrap_or(""), number.unwrap_or(""))
}

fn uid_key(id: &str) -> String {
    format!("uid:{}", id.trim().to_ascii_lowercase())
}

/// An element opens (its attributes are complete; children follow).
fn open(st: &mut State<'_>, e: &BytesStart<'_>, pos: u64) -> Result<(), TopologyError> {
    let name = local(e);
    let parent = st.parent().to_string();
    let grandparent = st.grandparent().to_string();
    let a = attrs(st, e, pos)?;
    let raw = &mut st.raw;
    match name.as_str() {
        "NewTopology" => raw.saw_new_topology = true,
        "InternalDomains" => {
            if let Some(d) = get(&a, "DefaultDomain") {
                raw.default_domain = Some(d.to_string());
            }
        }
        "InternalDomain" if parent == "InternalDomains" => {
            if let Some(d) = get(&a, "Name") {
                raw.domains.push(d.to_string());
            }
        }
        "CentralSite" => {
            let id = parse_u32(get(&a, "SiteId")).unwrap_or(0);
            raw.sites.push((id, String::new()));
            st.site = Some(raw.sites.len() - 1);
        }
        "Name" if parent == "CentralSite" => st.site_name = Some(String::new()),
        "Cluster" => {
            let site_id = st.site.map(|i| raw.sites[i].0);
            raw.clusters.push(RawCluster {
                key: get(&a, "UniqueId").map(uid_key).unwrap_or_default(),
                fqdn: get(&a, "Fqdn").unwrap_or_default().to_string(),
                site_id,
                machines: Vec::new(),
                single_machine: get(&a, "IsSingleMachineOnly")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            });
            st.cluster = Some(raw.clusters.len() - 1);
        }
        "ClusterId" => {
            let key = cluster_key(get(&a, "SiteId"), get(&a, "Number"));
            match (parent.as_str(), grandparent.as_str()) {
                ("Cluster", _) => {
                    if let Some(c) = st.cluster.and_then(|i| raw.clusters.get_mut(i)) {
                        c.key = key;
                        c.site_id = parse_u32(get(&a, "SiteId")).or(c.site_id);
                    }
                }
                ("SqlInstanceId", "SqlInstance") => {
                    if let Some(p) = st.pending_sql.as_mut() {
                        p.key = format!("sql:{key}:{}", p.name.to_ascii_lowercase());
                        p.cluster_key = key;
                    }
                }
                ("SqlInstanceId", "InstalledOn") => {
                    let n = st.installed_sql_name.clone().unwrap_or_default();
                    if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                        s.installed_on = Some(format!("sql:{key}:{}", n.to_ascii_lowercase()));
                    }
                }
                ("InstalledOn", _) => {
                    if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                        s.installed_on = Some(key);
                    }
                }
                _ => {}
            }
        }
        "Machine" if parent == "Cluster" || parent == "Machines" => {
            if let Some(c) = st.cluster.and_then(|i| raw.clusters.get_mut(i)) {
                let fqdn = get(&a, "Fqdn").unwrap_or_default();
                let fqdn = if fqdn.is_empty() {
                    c.fqdn.clone()
                } else {
                    fqdn.to_string()
                };
                if !fqdn.is_empty() && !c.machines.iter().any(|m| m.eq_ignore_ascii_case(&fqdn)) {
                    c.machines.push(fqdn);
                }
            }
        }
        "SqlInstance" if parent == "SqlInstances" => {
            if grandparent == "Cluster" {
                // Topology Builder: the instance sits inside its cluster
                let cluster_key = st
                    .cluster
                    .and_then(|i| raw.clusters.get(i))
                    .map(|c| c.key.clone())
                    .unwrap_or_default();
                raw.sqls.push(RawSql {
                    key: get(&a, "UniqueId").map(uid_key).unwrap_or_default(),
                    cluster_key,
                    name: get(&a, "Name").unwrap_or_default().to_string(),
                    always_on_primary: None,
                });
            } else {
                st.pending_sql = Some(RawSql {
                    always_on_primary: get(&a, "AlwaysOnPrimaryNodeFqdn").map(str::to_string),
                    ..RawSql::default()
                });
            }
        }
        "SqlInstanceId" => match parent.as_str() {
            "SqlInstance" => {
                if let Some(p) = st.pending_sql.as_mut() {
                    p.name = get(&a, "Name").unwrap_or_default().to_string();
                }
            }
            "InstalledOn" => {
                st.installed_sql_name = Some(get(&a, "Name").unwrap_or_default().to_string());
            }
            _ => {}
        },
        "Service" if parent == "Services" => {
            raw.services.push(RawService {
                key: get(&a, "UniqueId").map(uid_key).unwrap_or_default(),
                role: get(&a, "RoleName").unwrap_or_default().to_string(),
                installed_on: get(&a, "InstalledOn").map(uid_key),
                service_version: parse_u32(get(&a, "ServiceVersion")),
                ..RawService::default()
            });
            st.service = Some(raw.services.len() - 1);
        }
        "ServiceId" => {
            let site = get(&a, "SiteId");
            let role = get(&a, "RoleName").unwrap_or_default();
            let key = format!(
                "svc:{}:{}:{}",
                site.unwrap_or(""),
                role.to_ascii_lowercase(),
                get(&a, "Instance").unwrap_or("")
            );
            if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                match parent.as_str() {
                    "Service" => {
                        s.key = key;
                        s.role = role.to_string();
                        s.site_id = parse_u32(site);
                    }
                    "Dependency" => s.depends.push(key),
                    _ => {}
                }
            }
        }
        "Dependency" => {
            if let (Some(id), Some(s)) = (
                get(&a, "ServiceUniqueId"),
                st.service.and_then(|i| raw.services.get_mut(i)),
            ) {
                s.depends.push(uid_key(id));
            }
        }
        "Port" if parent == "Ports" => {
            if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                let port = get(&a, "Port").and_then(|p| p.trim().parse::<u16>().ok());
                if let Some(port) = port {
                    let text = |k: &str| get(&a, k).unwrap_or_default().to_string();
                    s.ports.push(RawPort {
                        owner: text("Owner"),
                        usage: text("Usage"),
                        side: text("InterfaceSide"),
                        port,
                        protocol: text("Protocol"),
                    });
                }
            }
        }
        "FileStoreService" if parent == "Service" => {
            if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                s.share_name = get(&a, "ShareName").map(str::to_string);
            }
        }
        "RegistrarService" if parent == "Service" => {
            if let Some(s) = st.service.and_then(|i| raw.services.get_mut(i)) {
                s.is_director =
                    get(&a, "IsDirector").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// An element closes (the stack still holds it as its last entry).
fn close(st: &mut State<'_>) {
    let name = st.parent().to_string();
    match name.as_str() {
        "Name" => {
            if let (Some(n), Some(i)) = (st.site_name.take(), st.site) {
                st.raw.sites[i].1 = n.trim().to_string();
            }
        }
        "CentralSite" => st.site = None,
        "Cluster" => st.cluster = None,
        "SqlInstance" => {
            if let Some(p) = st.pending_sql.take() {
                st.raw.sqls.push(p);
            }
        }
        "SqlInstanceId" => st.installed_sql_name = None,
        "Service" => st.service = None,
        _ => {}
    }
}
