//! Topology import: reads a published topology (`Get-CsTopology -AsXml | Out-File t.xml`) or
//! a Topology Builder file (`.tbxml`) and reports its sites, pools (clusters) with their
//! servers, services (role names) and ports, SQL instances and their stores, and file stores;
//! recognises the Lync Server 2013 Front End pools and Persistent Chat pools among them; and
//! says what it did not find and what that means for the migration.
//!
//! Formats (schemas.md §4): published root `Topology` in
//! `urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008`, clusters keyed by
//! `ClusterId(SiteId, Number)` and services by `ServiceId(SiteId, RoleName, Instance)`;
//! Topology Builder root `TopologyBuilder` → `NewTopology` → `PartialTopology`, everything
//! keyed by `UniqueId`. Encodings: UTF-8 with or without BOM, UTF-16 LE or BE (with BOM, or
//! recognised by the shape of the first `<`); LF or CRLF.
//!
//! What is inferred (see the notes each import carries):
//! * the Persistent Chat role names: no public topology with a Persistent Chat pool was found,
//!   so a pool is recognised by a role name containing `PersistentChat` or by port 5041
//!   (schemas.md §4.3), never by exact names;
//! * the product of a Front End pool from `ServiceVersion` (5 = Lync Server 2010, 6 = Lync
//!   Server 2013, 7 and later = Skype for Business Server, treated as the 2013 family);
//! * the link from a Persistent Chat pool to its stores and next hop through `DependsOn`.
//!
//! Legacy Group Chat pools are never in the topology: Lync Server 2010 Group Chat is a trusted
//! application pool outside it, OCS 2007 R2 Group Chat predates it.

mod merge;
mod read;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::profile::PoolKind;

pub use merge::{MergeReport, merge_file, merge_into_toml, new_profile_from};

/// The largest topology document read: 100 MiB (real ones are tens of kilobytes).
pub const MAX_BYTES: u64 = 100 * 1024 * 1024;
/// The deepest element nesting accepted (real documents nest about 10 deep).
pub const MAX_DEPTH: usize = 256;

/// Limits applied while reading a topology document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Refuse inputs larger than this many bytes (checked before reading).
    pub max_bytes: u64,
    /// Refuse documents whose elements nest deeper than this.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: MAX_BYTES,
            max_depth: MAX_DEPTH,
        }
    }
}

/// Why a topology document could not be read. Each names the file (and, where it applies,
/// line and column) and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    /// The file could not be read.
    #[error("cannot read topology {file}: {error}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Over the size limit; nothing was read.
    #[error(
        "{file}: {size} bytes is over the {limit}-byte limit for a topology document (real ones \
         are well under a megabyte); check that this is the output of Get-CsTopology -AsXml or a \
         Topology Builder .tbxml file"
    )]
    TooLarge {
        /// The file.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Neither UTF-8 nor UTF-16.
    #[error("{file}: {message}")]
    Encoding {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A `<!DOCTYPE …>`: topology documents never have one, and DTDs are never processed.
    #[error(
        "{file}:{line}:{column}: the document has a DTD (<!DOCTYPE …>); topology documents never \
         do and DTDs are not processed; export the topology again (Get-CsTopology -AsXml)"
    )]
    Dtd {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A DTD that declares entities (the "billion laughs" and external-entity shapes).
    #[error(
        "{file}:{line}:{column}: the document declares entities (<!ENTITY …> in a DTD); this is \
         not a topology export and is refused unread; export the topology again \
         (Get-CsTopology -AsXml)"
    )]
    EntityDeclaration {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A reference to an entity other than the five XML predefines.
    #[error(
        "{file}:{line}:{column}: undefined entity &{name}; (only &amp; &lt; &gt; &quot; &apos; \
         and character references are accepted); export the topology again"
    )]
    Entity {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The entity name.
        name: String,
    },
    /// Nesting over the limit.
    #[error(
        "{file}:{line}:{column}: elements nest deeper than {limit} levels (a topology nests about \
         10); this is not a topology export"
    )]
    TooDeep {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The limit.
        limit: usize,
    },
    /// Malformed XML.
    #[error("{file}:{line}:{column}: malformed XML: {message}; export the topology again")]
    Xml {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Well-formed XML, but not a topology.
    #[error(
        "{file}: not a topology document: the root element is <{root}>, expected <Topology> \
         (Get-CsTopology -AsXml) or <TopologyBuilder> (a Topology Builder .tbxml file)"
    )]
    NotTopology {
        /// The file.
        file: String,
        /// The root element's local name.
        root: String,
    },
    /// No element at all.
    #[error("{file}: the document is empty; export the topology again (Get-CsTopology -AsXml)")]
    Empty {
        /// The file.
        file: String,
    },
}

/// Which of the two document forms was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TopologyFormat {
    /// `Get-CsTopology -AsXml` (root `Topology`).
    Published,
    /// A Topology Builder file (root `TopologyBuilder`).
    TopologyBuilder,
}

/// A site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopoSite {
    /// `SiteId`.
    pub site_id: u32,
    /// Site name.
    pub name: String,
}

/// One port of one service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopoPort {
    /// The service's role name.
    pub role: String,
    /// `Owner` (`urn:component:…` or `urn:application:…`).
    pub owner: String,
    /// `Usage` (`SipServer`, `WebSite`, …).
    pub usage: String,
    /// `InterfaceSide` (`Primary`, `External`, …).
    pub interface_side: String,
    /// The port number.
    pub port: u16,
    /// `Protocol` (`Mtls`, `Https`, `Tcp`, …).
    pub protocol: String,
}

/// A cluster of the topology: a pool, or a single server (SQL, file server, Office Web Apps).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopoPool {
    /// Pool (cluster) FQDN.
    pub fqdn: String,
    /// Site id.
    pub site_id: Option<u32>,
    /// Site name.
    pub site: Option<String>,
    /// Server FQDNs (`Machine @Fqdn`; a single-machine cluster without one is its own FQDN).
    pub servers: Vec<String>,
    /// Role names of the services installed on it, sorted.
    pub roles: Vec<String>,
    /// Ports of those services.
    pub ports: Vec<TopoPort>,
    /// What the migration calls it, when recognised: Front End and/or Persistent Chat (a
    /// Standard Edition server can be both).
    pub kinds: Vec<PoolKind>,
    /// Why it was recognised (role names, port 5041, ServiceVersion).
    pub recognized_by: Vec<String>,
    /// Persistent Chat pool: the SQL instance of its `PersistentChatStore` (`mgc`); Front End
    /// pool: the SQL instance of its `UserStore` (back end).
    pub sql_instance: Option<String>,
    /// Persistent Chat pool: the SQL instance of its compliance store (`mgccomp`).
    pub compliance_sql_instance: Option<String>,
    /// The file store it depends on (UNC).
    pub file_store: Option<String>,
    /// Persistent Chat pool: the Front End pool it depends on (next hop).
    pub next_hop: Option<String>,
}

impl TopoPool {
    /// True when recognised as a Persistent Chat pool.
    pub fn is_pchat(&self) -> bool {
        self.kinds.contains(&PoolKind::Lync2013PersistentChat)
    }

    /// True when recognised as a Front End pool (2010 or 2013 family).
    pub fn is_frontend(&self) -> bool {
        self.kinds
            .iter()
            .any(|k| matches!(k, PoolKind::Lync2013FrontEnd | PoolKind::Lync2010FrontEnd))
    }

    /// The distinct port numbers, sorted.
    pub fn port_numbers(&self) -> Vec<u16> {
        self.ports
            .iter()
            .map(|p| p.port)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// A SQL Server instance of the topology.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopoSql {
    /// `fqdn\instance`, or `fqdn` for the default instance.
    pub instance: String,
    /// The SQL server (cluster) FQDN.
    pub fqdn: String,
    /// The instance name (empty: default instance).
    pub name: String,
    /// `AlwaysOnPrimaryNodeFqdn`, when the topology names one.
    pub always_on_primary: Option<String>,
    /// Role names of the stores on it (`UserStore`, `PersistentChatStore`, …).
    pub stores: Vec<String>,
}

/// A file store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopoFileStore {
    /// The file server FQDN.
    pub fqdn: String,
    /// The share name.
    pub share: String,
    /// `\\fqdn\share`.
    pub unc: String,
}

/// What a topology document holds, as the migration sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopologyImport {
    /// Where it came from (file name).
    pub source: String,
    /// Published or Topology Builder.
    pub format: TopologyFormat,
    /// How it was encoded (`UTF-8`, `UTF-8 with BOM`, `UTF-16 LE`, …).
    pub encoding: String,
    /// `LF`, `CRLF`, `mixed` or `none`.
    pub line_endings: String,
    /// `InternalDomains @DefaultDomain`.
    pub default_domain: Option<String>,
    /// The SIP domains (`InternalDomain @Name`).
    pub sip_domains: Vec<String>,
    /// Sites.
    pub sites: Vec<TopoSite>,
    /// Every cluster, recognised or not.
    pub pools: Vec<TopoPool>,
    /// SQL instances.
    pub sql_instances: Vec<TopoSql>,
    /// File stores.
    pub file_stores: Vec<TopoFileStore>,
    /// What was found and what was not, in the admin's terms.
    pub notes: Vec<String>,
}

impl TopologyImport {
    /// The Persistent Chat pools found.
    pub fn pchat_pools(&self) -> impl Iterator<Item = &TopoPool> {
        self.pools.iter().filter(|p| p.is_pchat())
    }

    /// The Front End pools found.
    pub fn frontend_pools(&self) -> impl Iterator<Item = &TopoPool> {
        self.pools.iter().filter(|p| p.is_frontend())
    }

    /// A plain-text report: the notes, then every cluster with its servers, roles and ports,
    /// then the SQL instances and file stores (what `pchat-migrate topology import` prints).
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for n in &self.notes {
            let _ = writeln!(out, "- {n}");
        }
        let _ = writeln!(out, "\nclusters:");
        for p in &self.pools {
            let kinds = p.kinds.iter().map(|k| k.key()).collect::<Vec<_>>();
            let _ = writeln!(
                out,
                "  {}{}{}",
                p.fqdn,
                p.site
                    .as_deref()
                    .map(|s| format!("  (site {s})"))
                    .unwrap_or_default(),
                if kinds.is_empty() {
                    String::new()
                } else {
                    format!("  => {}", kinds.join(", "))
                }
            );
            let _ = writeln!(out, "    servers: {}", p.servers.join(", "));
            if !p.roles.is_empty() {
                let _ = writeln!(out, "    roles:   {}", p.roles.join(", "));
            }
            let ports = p.port_numbers();
            if !ports.is_empty() {
                let _ = writeln!(
                    out,
                    "    ports:   {}",
                    ports
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        if !self.sql_instances.is_empty() {
            let _ = writeln!(out, "\nSQL instances:");
            for s in &self.sql_instances {
                let _ = writeln!(out, "  {}  stores: {}", s.instance, s.stores.join(", "));
            }
        }
        if !self.file_stores.is_empty() {
            let _ = writeln!(out, "\nfile stores:");
            for f in &self.file_stores {
                let _ = writeln!(out, "  {}", f.unc);
            }
        }
        out
    }

    /// The cluster with this FQDN.
    pub fn pool(&self, fqdn: &str) -> Option<&TopoPool> {
        self.pools
            .iter()
            .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
    }
}

/// Reads a topology document with the default limits (100 MiB, nesting 256).
///
/// # Errors
/// [`TopologyError`] naming `source` (and line and column where it applies).
pub fn import(bytes: &[u8], source: &str) -> Result<TopologyImport, TopologyError> {
    import_with_limits(bytes, source, &Limits::default())
}

/// Reads a topology document with explicit limits.
///
/// # Errors
/// [`TopologyError`] naming `source`.
pub fn import_with_limits(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
) -> Result<TopologyImport, TopologyError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(TopologyError::TooLarge {
            file: source.to_string(),
            size,
            limit: limits.max_bytes,
        });
    }
    let decoded = read::decode(bytes, source)?;
    let raw = read::read(&decoded.text, source, limits)?;
    Ok(classify(
        raw,
        source,
        decoded.encoding,
        line_endings(&decoded.text),
    ))
}

/// Reads a topology file, checking its size before reading it.
///
/// # Errors
/// [`TopologyError`] naming the file.
pub fn import_file(path: &Path, limits: &Limits) -> Result<TopologyImport, TopologyError> {
    use std::io::Read;
    let file = path.display().to_string();
    let read_err = |error| TopologyError::Read {
        file: file.clone(),
        error,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let size = f.metadata().map_err(read_err)?.len();
    if size > limits.max_bytes {
        return Err(TopologyError::TooLarge {
            file,
            size,
            limit: limits.max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // read at most one byte over the limit, in case the file grew since
    f.take(limits.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    import_with_limits(&bytes, &file, limits)
}

/// `pchat-migrate topology import FILE [--merge-into PROFILE.toml] [--json]`: reads the
/// file, merges it into the profile when asked, and returns what the command prints.
///
/// # Errors
/// The reading or merging error, naming the file.
pub fn import_command(
    file: &Path,
    merge_into: Option<&Path>,
    json: bool,
) -> Result<String, String> {
    use std::fmt::Write;
    let found = import_file(file, &Limits::default()).map_err(|e| e.to_string())?;
    let merged = match merge_into {
        Some(path) => Some(merge_file(&found, path)?),
        None => None,
    };
    if json {
        let body = serde_json::json!({
            "import": found,
            "merge": merged.as_ref().map(|(report, created)| serde_json::json!({
                "profile": merge_into.map(|p| p.display().to_string()),
                "created": created,
                "report": report,
            })),
        });
        let mut s = serde_json::to_string_pretty(&body).map_err(|e| e.to_string())?;
        s.push('\n');
        return Ok(s);
    }
    let mut out = found.to_text();
    if let (Some((report, created)), Some(path)) = (&merged, merge_into) {
        let _ = writeln!(out);
        if report.is_empty() && !created {
            let _ = writeln!(out, "{}: already up to date", path.display());
        } else {
            let verb = if *created { "created" } else { "updated" };
            let _ = writeln!(out, "{verb} {}:", path.display());
        }
        for line in report.changes.iter().chain(&report.notes) {
            let _ = writeln!(out, "  {line}");
        }
    }
    Ok(out)
}

fn line_endings(text: &str) -> String {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    match (lf, crlf) {
        (0, _) => "none",
        (l, c) if l == c => "CRLF",
        (_, 0) => "LF",
        _ => "mixed",
    }
    .to_string()
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_ascii_lowercase()
        .contains(&needle.to_ascii_lowercase())
}

fn is_pchat_role(role: &str) -> bool {
    contains_ci(role, "persistentchat")
}

fn is_pchat_store_role(role: &str) -> bool {
    is_pchat_role(role) && contains_ci(role, "store")
}

/// The default Persistent Chat port to the Front Ends (migration.md §3.1).
const PCHAT_PORT: u16 = 5041;

/// Links the raw model and recognises the pools.
fn classify(raw: read::Raw, source: &str, encoding: &str, line_endings: String) -> TopologyImport {
    let mut notes = raw.notes.clone();
    let site_name = |id: Option<u32>| {
        id.and_then(|id| {
            raw.sites
                .iter()
                .find(|(sid, _)| *sid == id)
                .map(|(_, n)| n.clone())
        })
    };
    let cluster_fqdn = |key: &str| {
        raw.clusters
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.fqdn.clone())
    };
    // SQL instances with their display names
    let sql_display = |s: &read::RawSql| {
        let host = cluster_fqdn(&s.cluster_key).unwrap_or_default();
        if s.name.is_empty() {
            host
        } else {
            format!("{host}\\{}", s.name)
        }
    };
    let mut sql_instances: Vec<TopoSql> = raw
        .sqls
        .iter()
        .map(|s| TopoSql {
            instance: sql_display(s),
            fqdn: cluster_fqdn(&s.cluster_key).unwrap_or_default(),
            name: s.name.clone(),
            always_on_primary: s.always_on_primary.clone(),
            stores: Vec::new(),
        })
        .collect();
    for svc in &raw.services {
        let Some(on) = &svc.installed_on else {
            notes.push(format!(
                "service {} has no InstalledOn: not attached to any pool",
                svc.role
            ));
            continue;
        };
        if let Some(i) = raw.sqls.iter().position(|s| &s.key == on) {
            if !sql_instances[i].stores.contains(&svc.role) {
                sql_instances[i].stores.push(svc.role.clone());
            }
        } else if !raw.clusters.iter().any(|c| &c.key == on) {
            notes.push(format!(
                "service {} is installed on {on}, which is neither a cluster nor a SQL instance \
                 of this document",
                svc.role
            ));
        }
    }
    let service_by_key = |key: &str| raw.services.iter().find(|s| s.key == key);
    let sql_of = |svc: &read::RawService| {
        svc.installed_on
            .as_ref()
            .and_then(|on| raw.sqls.iter().find(|s| &s.key == on))
            .map(sql_display)
    };
    // file stores
    let mut file_stores = Vec::new();
    let file_store_of = |svc: &read::RawService| -> Option<TopoFileStore> {
        let share = svc.share_name.clone()?;
        let host = svc.installed_on.as_deref().and_then(cluster_fqdn)?;
        Some(TopoFileStore {
            unc: format!("\\\\{host}\\{share}"),
            fqdn: host,
            share,
        })
    };
    for svc in &raw.services {
        if svc.role.eq_ignore_ascii_case("FileStore")
            && let Some(fs) = file_store_of(svc)
            && !file_stores.contains(&fs)
        {
            file_stores.push(fs);
        }
    }

    let mut pools = Vec::new();
    for c in &raw.clusters {
        let services: Vec<&read::RawService> = raw
            .services
            .iter()
            .filter(|s| s.installed_on.as_deref() == Some(c.key.as_str()))
            .collect();
        let roles: Vec<String> = services
            .iter()
            .map(|s| s.role.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let ports: Vec<TopoPort> = services
            .iter()
            .flat_map(|s| {
                s.ports.iter().map(|p| TopoPort {
                    role: s.role.clone(),
                    owner: p.owner.clone(),
                    usage: p.usage.clone(),
                    interface_side: p.side.clone(),
                    port: p.port,
                    protocol: p.protocol.clone(),
                })
            })
            .collect();
        let mut kinds = Vec::new();
        let mut recognized_by = Vec::new();
        // Front End: Registrar (not a Director) or UserServices
        let registrar = services
            .iter()
            .find(|s| s.role.eq_ignore_ascii_case("Registrar"));
        let user_services = services
            .iter()
            .find(|s| s.role.eq_ignore_ascii_case("UserServices"));
        let director = registrar.is_some_and(|r| r.is_director);
        if director {
            notes.push(format!(
                "{} is a Director pool (Registrar with IsDirector=true): not a home pool for users",
                c.fqdn
            ));
        } else if let Some(fe) = registrar.or(user_services) {
            let version = fe.service_version;
            let (kind, why) = match version {
                Some(5) => (
                    Some(PoolKind::Lync2010FrontEnd),
                    "ServiceVersion 5 (inferred: Lync Server 2010)".to_string(),
                ),
                Some(6) => (
                    Some(PoolKind::Lync2013FrontEnd),
                    "ServiceVersion 6 (inferred: Lync Server 2013)".to_string(),
                ),
                Some(v) if v > 6 => (
                    Some(PoolKind::Lync2013FrontEnd),
                    format!(
                        "ServiceVersion {v} (inferred: Skype for Business Server, treated as the \
                         Lync Server 2013 family)"
                    ),
                ),
                None => (
                    Some(PoolKind::Lync2013FrontEnd),
                    "no ServiceVersion (assumed Lync Server 2013)".to_string(),
                ),
                Some(v) => (None, format!("ServiceVersion {v} (not a known product)")),
            };
            let mut which: Vec<&str> = Vec::new();
            if registrar.is_some() {
                which.push("Registrar");
            }
            if user_services.is_some() {
                which.push("UserServices");
            }
            recognized_by.push(format!("role {}", which.join(" + ")));
            recognized_by.push(why);
            match kind {
                Some(k) => kinds.push(k),
                None => notes.push(format!(
                    "{} has Front End roles but an unknown ServiceVersion; not classified",
                    c.fqdn
                )),
            }
        }
        // Persistent Chat: a role name containing PersistentChat, or port 5041
        let pchat_roles: Vec<&read::RawService> = services
            .iter()
            .copied()
            .filter(|s| is_pchat_role(&s.role) && !is_pchat_store_role(&s.role))
            .collect();
        let by_port: Vec<&read::RawService> = services
            .iter()
            .copied()
            .filter(|s| s.ports.iter().any(|p| p.port == PCHAT_PORT))
            .collect();
        let mut pchat_services: Vec<&read::RawService> = pchat_roles.clone();
        for s in &by_port {
            if !pchat_services.iter().any(|x| std::ptr::eq(*x, *s)) {
                pchat_services.push(s);
            }
        }
        let mut sql_instance = None;
        let mut compliance_sql_instance = None;
        let mut file_store = None;
        let mut next_hop = None;
        if !pchat_services.is_empty() {
            kinds.push(PoolKind::Lync2013PersistentChat);
            if !pchat_roles.is_empty() {
                recognized_by.push(format!(
                    "role {} (name contains PersistentChat; exact role names inferred)",
                    pchat_roles
                        .iter()
                        .map(|s| s.role.as_str())
                        .collect::<Vec<_>>()
                        .join(" + ")
                ));
            }
            if !by_port.is_empty() {
                recognized_by.push(format!(
                    "port {PCHAT_PORT} (Persistent Chat SIP, migration.md §3.1)"
                ));
            } else {
                notes.push(format!(
                    "Persistent Chat pool {} has no port {PCHAT_PORT}: Topology Builder lets the \
                     port to the Front Ends be changed; the profile keeps the ports found ({})",
                    c.fqdn,
                    pchat_services
                        .iter()
                        .flat_map(|s| s.ports.iter().map(|p| p.port.to_string()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if pchat_roles.is_empty() {
                notes.push(format!(
                    "{} is taken for a Persistent Chat pool by port {PCHAT_PORT} alone: none of \
                     its role names ({}) contains PersistentChat; check it in Topology Builder",
                    c.fqdn,
                    roles.join(", ")
                ));
            }
            for dep in pchat_services.iter().flat_map(|s| s.depends.iter()) {
                let Some(d) = service_by_key(dep) else {
                    continue;
                };
                if is_pchat_store_role(&d.role) {
                    if contains_ci(&d.role, "compliance") {
                        compliance_sql_instance = compliance_sql_instance.or_else(|| sql_of(d));
                    } else {
                        sql_instance = sql_instance.or_else(|| sql_of(d));
                    }
                } else if d.role.eq_ignore_ascii_case("FileStore") {
                    file_store = file_store.or_else(|| file_store_of(d).map(|f| f.unc));
                } else if d.role.eq_ignore_ascii_case("Registrar")
                    || d.role.eq_ignore_ascii_case("UserServices")
                {
                    let hop = d.installed_on.as_deref().and_then(cluster_fqdn);
                    if hop
                        .as_deref()
                        .is_some_and(|h| !h.eq_ignore_ascii_case(&c.fqdn))
                    {
                        next_hop = next_hop.or(hop);
                    }
                }
            }
        } else if kinds.iter().any(|k| *k != PoolKind::Lync2013PersistentChat) {
            // Front End: back-end store and file store through its dependencies
            for dep in services.iter().flat_map(|s| s.depends.iter()) {
                let Some(d) = service_by_key(dep) else {
                    continue;
                };
                if d.role.eq_ignore_ascii_case("UserStore") {
                    sql_instance = sql_instance.or_else(|| sql_of(d));
                } else if d.role.eq_ignore_ascii_case("FileStore") {
                    file_store = file_store.or_else(|| file_store_of(d).map(|f| f.unc));
                }
            }
        }
        let servers = if c.machines.is_empty() && c.single_machine {
            vec![c.fqdn.clone()]
        } else {
            c.machines.clone()
        };
        pools.push(TopoPool {
            fqdn: c.fqdn.clone(),
            site_id: c.site_id,
            site: site_name(c.site_id),
            servers,
            roles,
            ports,
            kinds,
            recognized_by,
            sql_instance,
            compliance_sql_instance,
            file_store,
            next_hop,
        });
    }

    let format = raw.format.unwrap_or(TopologyFormat::Published);
    let sites: Vec<TopoSite> = raw
        .sites
        .iter()
        .map(|(id, name)| TopoSite {
            site_id: *id,
            name: name.clone(),
        })
        .collect();
    let mut out = TopologyImport {
        source: source.to_string(),
        format,
        encoding: encoding.to_string(),
        line_endings,
        default_domain: raw.default_domain.clone(),
        sip_domains: raw.domains.clone(),
        sites,
        pools,
        sql_instances,
        file_stores,
        notes: Vec::new(),
    };
    out.notes = findings(&out, notes);
    out
}

/// The notes: a summary line, one line per recognised pool, then what is missing.
fn findings(t: &TopologyImport, read_notes: Vec<String>) -> Vec<String> {
    let mut notes = Vec::new();
    let form = match t.format {
        TopologyFormat::Published => "published topology (Get-CsTopology -AsXml)",
        TopologyFormat::TopologyBuilder => "Topology Builder file",
    };
    notes.push(format!(
        "read a {form}, {}, {} line endings: {} site(s), {} cluster(s), {} SQL instance(s), {} \
         file store(s)",
        t.encoding,
        t.line_endings,
        t.sites.len(),
        t.pools.len(),
        t.sql_instances.len(),
        t.file_stores.len()
    ));
    for p in t.frontend_pools() {
        notes.push(format!(
            "Front End pool {} ({} server(s)): {}",
            p.fqdn,
            p.servers.len(),
            p.recognized_by.join("; ")
        ));
    }
    for p in t.pchat_pools() {
        let mut line = format!(
            "Persistent Chat pool {} ({} server(s)): {}",
            p.fqdn,
            p.servers.len(),
            p.recognized_by.join("; ")
        );
        for (what, v) in [
            ("mgc on", &p.sql_instance),
            ("mgccomp on", &p.compliance_sql_instance),
            ("file store", &p.file_store),
            ("next hop", &p.next_hop),
        ] {
            if let Some(v) = v {
                line.push_str(&format!("; {what} {v}"));
            }
        }
        notes.push(line);
        if p.sql_instance.is_none() {
            notes.push(format!(
                "Persistent Chat pool {}: no PersistentChatStore dependency found; add \
                 sql_instance to the profile by hand",
                p.fqdn
            ));
        }
        if p.next_hop.is_none() {
            notes.push(format!(
                "Persistent Chat pool {}: no next-hop Front End pool found among its \
                 dependencies; add home_pool to the profile by hand",
                p.fqdn
            ));
        }
    }
    notes.extend(read_notes);
    if t.pchat_pools().next().is_none() {
        notes.push(
            "no Persistent Chat pool: the Build the target stage is not done (Topology Builder → \
             Persistent Chat Pools → New Persistent Chat Pool, then publish; migration.md Stage 1)"
                .into(),
        );
    }
    if !t
        .frontend_pools()
        .any(|p| p.kinds.contains(&PoolKind::Lync2013FrontEnd))
    {
        notes.push(
            "no Lync Server 2013 Front End pool (Registrar/UserServices roles): the Persistent \
             Chat pool needs one as its home and next hop (migration.md Stage 1)"
                .into(),
        );
    }
    notes.push(
        "no legacy Group Chat pool: Lync 2010 Group Chat is a trusted application pool outside \
         the topology — add it to the profile by hand or from Get-CsTrustedApplicationPool (OCS \
         2007 R2 Group Chat is not in a Lync topology either)"
            .into(),
    );
    notes
}
