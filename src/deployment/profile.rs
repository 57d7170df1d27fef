//! The deployment profile: sites, pools, servers, SQL instances, file stores, users and
//! client populations of the migration at hand, read from TOML. The built-in lab profile
//! ships in `assets/lab/profile.toml`; a production profile is a file the admin writes or
//! starts from a topology export (`pchat-migrate topology import FILE --merge-into P.toml`).
//! The format is documented in `docs/profile.md`; in short:
//!
//! ```toml
//! name = "Contoso"                 # display name
//! kind = "production"              # or "lab"
//! sip_domain = "contoso.com"
//!
//! [[sites]]
//! name = "Redmond"
//! site_id = 1
//!
//! [[pools]]                        # one per pool, every kind
//! id = "pchat"                     # short id, unique in the profile
//! kind = "lync2013-persistentchat" # see PoolKind
//! fqdn = "pchatpool.contoso.com"
//! site = "Redmond"
//! servers = ["pchat01.contoso.com"]
//! ports = [5041, 881, 443]
//! sql_instance = "pchatsql.contoso.com\\PCHAT"
//! database = "mgc"
//! compliance_database = "mgccomp"
//! file_store = "\\\\fs01.contoso.com\\LyncShare"
//! home_pool = "lyncpool.contoso.com" # next-hop Front End pool
//! # legacy pools: lookup_uri = "sip:ocschat@contoso.com" (the Lookup Server user)
//! # Persistent Chat pools: the endpoint for legacy clients (Stage 8), facts the admin
//! # states or a probe finds; leave a key out when it is not known
//! legacy_endpoint = { uri = "sip:ocschat@contoso.com", created = false, ocschat_user_exists = true }
//!
//! [migration]                      # see MigrationSettings
//! export_level = "All"
//!
//! [[users]]                        # single users (pilot, test, VIPs)
//! sip = "sip:alice@contoso.com"
//! pool = "lyncpool.contoso.com"    # home (registrar) pool
//! pchat_policy = true
//! client = "lync2013"              # see ClientKind
//! # lookup_uri = "sip:ocschat@contoso.com" (legacy Group Chat clients: LookupServerUri)
//!
//! [[clients]]                      # client populations
//! name = "Trading floor"
//! kind = "lync2010-groupchat"
//! count = 120
//! pool = "lync2010pool.contoso.com" # home pool of these users
//! lookup_uri = "sip:ocschat@contoso.com"
//! ```
//!
//! The profile fills the placeholders of the runbook's cmdlet lines ([`Profile::placeholders`])
//! and feeds the coexistence verdicts (`crate::coexistence`). Pool kinds use the field's
//! names: `ocs2007r2-groupchat`, `lync2010-groupchat`, `lync2013-persistentchat`,
//! `lync2013-frontend`, and the legacy front ends `lync2010-frontend` / `ocs2007r2-frontend`
//! that Group Chat pools are homed on (migration.md §2, §3).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The embedded lab profile (`assets/lab/profile.toml`).
pub const LAB_PROFILE_TOML: &str = include_str!("../../assets/lab/profile.toml");

/// Errors reading a profile. Each names the file and, for syntax or schema errors, the line
/// and column, with what to do.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read profile {path}: {source}")]
    Read {
        /// The profile path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or does not match the profile schema.
    #[error(
        "{path}:{line}:{column}: {message}\n  fix the entry there (see docs/profile.md) and start again"
    )]
    Parse {
        /// The profile path.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// One entry parsed but is not usable (a duplicate pool id, a legacy endpoint on a pool
    /// that is not a Persistent Chat pool, …).
    #[error("{path}:{line}:{column}: {message}")]
    Entry {
        /// The profile path.
        path: PathBuf,
        /// 1-based line of the entry.
        line: usize,
        /// 1-based column of the entry.
        column: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The profile parsed but is not usable as a whole (for example two legacy pools).
    #[error("{path}: {message}")]
    Invalid {
        /// The profile path.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Lab (rehearsal on this machine) or production (real pools, real cmdlets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeploymentKind {
    /// SQLite databases laid out to the documented schemas, loopback endpoints, native jobs.
    Lab,
    /// The real pools, reached through PowerShell.
    Production,
}

/// The kind of a pool, in the field's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoolKind {
    /// Office Communications Server 2007 R2 Group Chat (a legacy source).
    #[serde(rename = "ocs2007r2-groupchat")]
    Ocs2007R2GroupChat,
    /// Lync Server 2010 Group Chat (a legacy source; a trusted application pool).
    #[serde(rename = "lync2010-groupchat")]
    Lync2010GroupChat,
    /// Lync Server 2013 Persistent Chat pool (the target).
    #[serde(rename = "lync2013-persistentchat")]
    Lync2013PersistentChat,
    /// Lync Server 2013 Front End pool (home and next hop of the Persistent Chat pool).
    #[serde(rename = "lync2013-frontend")]
    Lync2013FrontEnd,
    /// Lync Server 2010 Front End pool (home of a Lync 2010 Group Chat pool).
    #[serde(rename = "lync2010-frontend")]
    Lync2010FrontEnd,
    /// OCS 2007 R2 Front End pool (home of an OCS 2007 R2 Group Chat pool).
    #[serde(rename = "ocs2007r2-frontend")]
    Ocs2007R2FrontEnd,
}

impl PoolKind {
    /// The profile spelling (`lync2013-persistentchat`, …).
    pub fn key(self) -> &'static str {
        match self {
            Self::Ocs2007R2GroupChat => "ocs2007r2-groupchat",
            Self::Lync2010GroupChat => "lync2010-groupchat",
            Self::Lync2013PersistentChat => "lync2013-persistentchat",
            Self::Lync2013FrontEnd => "lync2013-frontend",
            Self::Lync2010FrontEnd => "lync2010-frontend",
            Self::Ocs2007R2FrontEnd => "ocs2007r2-frontend",
        }
    }

    /// True for the kinds a chat client connects to: the two legacy Group Chat kinds and
    /// Lync Server 2013 Persistent Chat.
    pub fn is_chat(self) -> bool {
        self.is_legacy_group_chat() || self == Self::Lync2013PersistentChat
    }

    /// True for the two legacy Group Chat kinds.
    pub fn is_legacy_group_chat(self) -> bool {
        matches!(self, Self::Ocs2007R2GroupChat | Self::Lync2010GroupChat)
    }

    /// The product name as admins say it.
    pub fn product_name(self) -> &'static str {
        match self {
            Self::Ocs2007R2GroupChat => "OCS 2007 R2 Group Chat",
            Self::Lync2010GroupChat => "Lync Server 2010 Group Chat",
            Self::Lync2013PersistentChat => "Lync Server 2013 Persistent Chat",
            Self::Lync2013FrontEnd => "Lync Server 2013 Front End",
            Self::Lync2010FrontEnd => "Lync Server 2010 Front End",
            Self::Ocs2007R2FrontEnd => "OCS 2007 R2 Front End",
        }
    }
}

/// A site of the topology.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Site name as in Topology Builder.
    pub name: String,
    /// Numeric site id (`SiteId` in topology XML).
    #[serde(default)]
    pub site_id: u32,
}

/// A pool: its FQDN, servers, service ports and stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Short id used inside the profile.
    pub id: String,
    /// The pool kind.
    pub kind: PoolKind,
    /// Pool FQDN.
    pub fqdn: String,
    /// Site name.
    #[serde(default)]
    pub site: String,
    /// Server FQDNs in the pool.
    #[serde(default)]
    pub servers: Vec<String>,
    /// Service ports to probe (5041 Persistent Chat SIP, 881 WCF, 443, 5061 registrar…).
    #[serde(default)]
    pub ports: Vec<u16>,
    /// SQL instance `fqdn\instance` of the pool's content database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_instance: Option<String>,
    /// Content database name (`mgc` on Lync 2013; the legacy name is site-specific).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Compliance database name (`mgccomp` on Lync 2013).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_database: Option<String>,
    /// File store (UNC path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_store: Option<String>,
    /// Lookup Server URI of a legacy pool (`sip:ocschat@<domain>` by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_uri: Option<String>,
    /// FQDN of the pool this one is homed on (next hop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_pool: Option<String>,
    /// Persistent Chat pools only: the endpoint legacy clients reach it through
    /// (`New-CsPersistentChatEndpoint`, Stage 8), and whether the `ocschat@` user is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_endpoint: Option<LegacyEndpoint>,
}

/// The endpoint for legacy Group Chat clients on a Persistent Chat pool (migration.md Stage 8):
/// `New-CsPersistentChatEndpoint -SipAddress <uri> -PersistentChatPoolFqdn <pool>`. With the
/// old Lookup Server URI (`sip:ocschat@<domain>`) legacy clients move transparently, but only
/// once the `ocschat@` user has been deleted; with any other URI the clients' LookupServerUri
/// must point at it (run-backward-compatibility). Each fact is `None` when nobody knows it:
/// leave the key out rather than guess.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyEndpoint {
    /// The endpoint's SIP URI; default `sip:ocschat@<sip_domain>` (the transparent method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Whether `New-CsPersistentChatEndpoint` has created it (`Get-CsPersistentChatEndpoint`
    /// shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// Whether the legacy Lookup Server user (`sip:ocschat@<domain>`, the legacy pool's
    /// `lookup_uri`) still exists. The docs delete it before the endpoint takes its URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocschat_user_exists: Option<bool>,
    /// Who established these facts: `admin` (stated by hand, the default) or `probe`.
    #[serde(default)]
    pub found_by: FactOrigin,
    /// When they were last checked (free text, ISO date or time preferred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
}

/// Who established a fact in the profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactOrigin {
    /// The admin wrote it.
    #[default]
    Admin,
    /// A probe (PowerShell or the live monitor) found it.
    Probe,
}

/// A chat-capable client, in the field's terms (migration.md §2, the coexistence table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ClientKind {
    /// Office Communicator 2007 R2 Group Chat client ("Group Chat client 2007 R2").
    #[serde(
        rename = "communicator2007r2-groupchat",
        alias = "groupchat2007r2",
        alias = "ocs2007r2-groupchat"
    )]
    GroupChat2007R2,
    /// The Lync 2010 Group Chat client (a separate program, GroupChatConsole).
    #[serde(rename = "lync2010-groupchat")]
    Lync2010GroupChat,
    /// Lync 2010 (the IM client, no group chat).
    #[serde(rename = "lync2010")]
    Lync2010,
    /// Lync 2013.
    #[serde(rename = "lync2013")]
    Lync2013,
    /// Lync 2013 Basic.
    #[serde(rename = "lync2013-basic")]
    Lync2013Basic,
    /// Skype for Business 2015 or 2016 (Windows desktop).
    #[serde(rename = "sfb", alias = "sfb2015", alias = "sfb2016")]
    SkypeForBusiness,
}

impl ClientKind {
    /// Every kind, in the order of the coexistence table.
    pub const ALL: [ClientKind; 6] = [
        Self::GroupChat2007R2,
        Self::Lync2010GroupChat,
        Self::Lync2010,
        Self::Lync2013,
        Self::Lync2013Basic,
        Self::SkypeForBusiness,
    ];

    /// The client's name as admins say it.
    pub fn product_name(self) -> &'static str {
        match self {
            Self::GroupChat2007R2 => "Communicator 2007 R2 Group Chat client",
            Self::Lync2010GroupChat => "Lync 2010 Group Chat client",
            Self::Lync2010 => "Lync 2010",
            Self::Lync2013 => "Lync 2013",
            Self::Lync2013Basic => "Lync 2013 Basic",
            Self::SkypeForBusiness => "Skype for Business 2015/2016",
        }
    }

    /// The profile spelling (`lync2013`, …).
    pub fn key(self) -> &'static str {
        match self {
            Self::GroupChat2007R2 => "communicator2007r2-groupchat",
            Self::Lync2010GroupChat => "lync2010-groupchat",
            Self::Lync2010 => "lync2010",
            Self::Lync2013 => "lync2013",
            Self::Lync2013Basic => "lync2013-basic",
            Self::SkypeForBusiness => "sfb",
        }
    }

    /// True for the two legacy Group Chat clients, which find their pool through a Lookup
    /// Server URI and talk to one pool at a time.
    pub fn is_legacy_group_chat(self) -> bool {
        matches!(self, Self::GroupChat2007R2 | Self::Lync2010GroupChat)
    }
}

impl std::fmt::Display for ClientKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.product_name())
    }
}

/// A population of clients: many users with the same client, home pool and settings, counted
/// rather than listed (the coexistence screen shows how many can reach which pool).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPopulation {
    /// Label shown on the coexistence screen (default: the client kind and home pool).
    #[serde(default)]
    pub name: String,
    /// The client they run.
    pub kind: ClientKind,
    /// How many users.
    #[serde(default = "one")]
    pub count: u32,
    /// FQDN of the pool these users are homed on (their registrar pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Legacy Group Chat clients: the Lookup Server URI they use (LookupServerUri Group
    /// Policy). A legacy client reaches one pool at a time, the one this URI leads to.
    /// Default: `sip:ocschat@<sip_domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_uri: Option<String>,
    /// Whether a Persistent Chat policy with EnablePersistentChat=True applies to them.
    #[serde(default)]
    pub pchat_policy: bool,
}

fn one() -> u32 {
    1
}

impl ClientPopulation {
    /// The label: `name`, or "<client> users on <pool>".
    pub fn label(&self) -> String {
        if !self.name.is_empty() {
            return self.name.clone();
        }
        match &self.pool {
            Some(p) => format!("{} users on {p}", self.kind.product_name()),
            None => format!("{} users", self.kind.product_name()),
        }
    }
}

/// A user of the deployment, for pilot tracking and coexistence verdicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// SIP URI.
    pub sip: String,
    /// FQDN of the pool the user is homed on.
    pub pool: String,
    /// Whether a Persistent Chat policy with EnablePersistentChat=True applies.
    #[serde(default)]
    pub pchat_policy: bool,
    /// Client the user runs (`lync2013`, `lync2010-groupchat`, …; see [`ClientKind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientKind>,
    /// Legacy Group Chat clients: the LookupServerUri the client uses; default
    /// `sip:ocschat@<the user's SIP domain>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_uri: Option<String>,
}

/// Migration settings: the export parameters and the names used by the cmdlet lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationSettings {
    /// `Export-CsPersistentChatData -Level`: All, User, Category, RoomDirectory or Content.
    #[serde(default = "default_level")]
    pub export_level: String,
    /// `-Scope`: category names; empty means every category.
    #[serde(default)]
    pub scope: Vec<String>,
    /// `-StartDate` as an ISO date (`YYYY-MM-DD`); empty means all history.
    #[serde(default)]
    pub start_date: String,
    /// `-DisableExportedNodes`.
    #[serde(default)]
    pub disable_exported_nodes: bool,
    /// Folder on the server where the cmdlets read and write files; empty in the lab.
    #[serde(default)]
    pub work_dir: String,
    /// Room used by `Test-CsPersistentChatMessage`.
    #[serde(default)]
    pub test_room: String,
    /// Two test users for `Test-CsPersistentChatMessage`.
    #[serde(default)]
    pub test_users: Vec<String>,
    /// Name of the Persistent Chat policy to grant.
    #[serde(default)]
    pub pchat_policy: String,
    /// RBAC group whose members run the export and import.
    #[serde(default)]
    pub operator_group: String,
}

fn default_level() -> String {
    "All".into()
}

impl Default for MigrationSettings {
    fn default() -> Self {
        Self {
            export_level: default_level(),
            scope: Vec::new(),
            start_date: String::new(),
            disable_exported_nodes: false,
            work_dir: String::new(),
            test_room: String::new(),
            test_users: Vec::new(),
            pchat_policy: String::new(),
            operator_group: "CsPersistentChatAdministrator".into(),
        }
    }
}

/// A deployment profile. See the module docs and `docs/profile.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Display name.
    pub name: String,
    /// Lab or production.
    pub kind: DeploymentKind,
    /// Primary SIP domain.
    pub sip_domain: String,
    /// Sites.
    #[serde(default)]
    pub sites: Vec<Site>,
    /// Pools of every kind.
    #[serde(default)]
    pub pools: Vec<Pool>,
    /// Migration settings.
    pub migration: MigrationSettings,
    /// Users (pilot and coexistence).
    #[serde(default)]
    pub users: Vec<User>,
    /// Client populations (coexistence).
    #[serde(default)]
    pub clients: Vec<ClientPopulation>,
}

impl Profile {
    /// The built-in lab profile.
    ///
    /// # Panics
    /// Never in a released build: a test parses the embedded file.
    pub fn lab() -> Profile {
        Self::parse(LAB_PROFILE_TOML, Path::new("assets/lab/profile.toml"))
            .unwrap_or_else(|e| panic!("embedded lab profile is invalid: {e}"))
    }

    /// Reads and validates a profile file.
    ///
    /// # Errors
    /// [`ProfileError`] naming the file, line and column.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates profile text; `path` only names the source in errors.
    ///
    /// # Errors
    /// [`ProfileError::Parse`] or [`ProfileError::Entry`] with line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ProfileError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        profile.validate(path, text)?;
        Ok(profile)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), ProfileError> {
        let at = |table: &str, index: usize, key: &str, message: String| {
            let (line, column) = entry_position(text, table, index, key);
            ProfileError::Entry {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let mut ids = std::collections::BTreeSet::new();
        let mut fqdns = std::collections::BTreeSet::new();
        let mut legacy: Option<&Pool> = None;
        let mut endpoint_uris: BTreeMap<String, &Pool> = BTreeMap::new();
        let mut user_gone: Option<(bool, &Pool)> = None;
        for (i, p) in self.pools.iter().enumerate() {
            if !ids.insert(p.id.as_str()) {
                return Err(at(
                    "pools",
                    i,
                    "id",
                    format!(
                        "pool id \"{}\" is used twice; give each [[pools]] entry its own id",
                        p.id
                    ),
                ));
            }
            // a Standard Edition server may carry a Front End and a Persistent Chat pool
            if !fqdns.insert((p.fqdn.to_ascii_lowercase(), p.kind.is_chat())) {
                return Err(at(
                    "pools",
                    i,
                    "fqdn",
                    format!(
                        "pool FQDN {} is listed twice; keep one [[pools]] entry per pool",
                        p.fqdn
                    ),
                ));
            }
            if p.kind.is_legacy_group_chat() {
                if let Some(first) = legacy {
                    return Err(at(
                        "pools",
                        i,
                        "kind",
                        format!(
                            "more than one legacy Group Chat pool ({} and {}): only one legacy \
                             pool can be migrated (migration.md, Stage 0); keep the one you \
                             migrate now",
                            first.fqdn, p.fqdn
                        ),
                    ));
                }
                legacy = Some(p);
            }
            let Some(ep) = &p.legacy_endpoint else {
                continue;
            };
            if p.kind != PoolKind::Lync2013PersistentChat {
                return Err(at(
                    "pools",
                    i,
                    "legacy_endpoint",
                    format!(
                        "legacy_endpoint belongs on the Persistent Chat pool (New-CsPersistentChatEndpoint \
                         -PersistentChatPoolFqdn <pchat pool>), not on {} ({}); move it there",
                        p.fqdn,
                        p.kind.product_name()
                    ),
                ));
            }
            let uri = normalize_sip(ep.uri.as_deref().unwrap_or(&self.default_lookup_uri()));
            if let Some(other) = endpoint_uris.insert(uri.clone(), p) {
                return Err(at(
                    "pools",
                    i,
                    "legacy_endpoint",
                    format!(
                        "{} and {} both carry the legacy endpoint {uri}: a SIP URI belongs to one \
                         endpoint, and a legacy client reaches one pool at a time; give one of \
                         them another uri",
                        other.fqdn, p.fqdn
                    ),
                ));
            }
            if let Some(exists) = ep.ocschat_user_exists {
                if let Some((before, other)) = user_gone
                    && before != exists
                {
                    return Err(at(
                        "pools",
                        i,
                        "legacy_endpoint",
                        format!(
                            "ocschat_user_exists is {exists} here but {before} on {}: there is \
                             one ocschat@ user; state the same fact on both",
                            other.fqdn
                        ),
                    ));
                }
                user_gone = Some((exists, p));
            }
        }
        // Homing (L13/coexistence-considerations): the Persistent Chat pool is homed on a
        // Lync Server 2013 pool; Lync 2010 Group Chat on a Lync 2010 pool; OCS 2007 R2 Group
        // Chat on an OCS 2007 R2 pool.
        for (i, p) in self.pools.iter().enumerate() {
            let Some(home) = p.home_pool.as_deref().filter(|h| !h.trim().is_empty()) else {
                continue;
            };
            let want = match p.kind {
                PoolKind::Lync2013PersistentChat => PoolKind::Lync2013FrontEnd,
                PoolKind::Lync2010GroupChat => PoolKind::Lync2010FrontEnd,
                PoolKind::Ocs2007R2GroupChat => PoolKind::Ocs2007R2FrontEnd,
                _ => continue,
            };
            match self
                .pools
                .iter()
                .find(|x| x.fqdn.eq_ignore_ascii_case(home.trim()))
            {
                None => {
                    return Err(at(
                        "pools",
                        i,
                        "home_pool",
                        format!(
                            "{} names home_pool {home}, which is not a [[pools]] entry of this profile; add it (kind \
                             {}) or correct the name",
                            p.fqdn,
                            want.key()
                        ),
                    ));
                }
                Some(h) if h.kind != want => {
                    return Err(at(
                        "pools",
                        i,
                        "home_pool",
                        format!(
                            "{} ({}) must be homed on a {} pool, but its home_pool {} is a {} pool \
                             (L13/coexistence-considerations); name the right pool",
                            p.fqdn,
                            p.kind.product_name(),
                            want.product_name(),
                            h.fqdn,
                            h.kind.product_name()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        // -StartDate is documented with -Level RoomDirectory only (PS/Export-CsPersistentChatData).
        let level = self.migration.export_level.trim();
        if !self.migration.start_date.trim().is_empty()
            && !level.eq_ignore_ascii_case("RoomDirectory")
        {
            let (line, column) = entry_position(text, "migration", 0, "start_date");
            return Err(ProfileError::Entry {
                path: path.to_path_buf(),
                line,
                column,
                message: format!(
                    "start_date is set with export_level = \"{level}\": Export-CsPersistentChatData documents \
                     -StartDate only with -Level RoomDirectory, so what it does with {level} is unknown; set \
                     export_level = \"RoomDirectory\" or empty start_date (decide it before the downtime)"
                ),
            });
        }
        let mut sips = std::collections::BTreeSet::new();
        for (i, u) in self.users.iter().enumerate() {
            if !sips.insert(normalize_sip(&u.sip)) {
                return Err(at(
                    "users",
                    i,
                    "sip",
                    format!(
                        "user {} is listed twice; keep one [[users]] entry per user",
                        u.sip
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The pool with this FQDN (case-insensitive).
    pub fn pool_by_fqdn(&self, fqdn: &str) -> Option<&Pool> {
        self.pools
            .iter()
            .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
    }

    /// The chat pools: the legacy Group Chat pools and the Persistent Chat pools, in profile
    /// order (the columns of the coexistence grid).
    pub fn chat_pools(&self) -> impl Iterator<Item = &Pool> {
        self.pools.iter().filter(|p| p.kind.is_chat())
    }

    /// The legacy Lookup Server URI by default: `sip:ocschat@<sip_domain>`.
    pub fn default_lookup_uri(&self) -> String {
        format!("sip:ocschat@{}", self.sip_domain)
    }

    /// Whether the `ocschat@` Lookup Server user still exists, as stated on a Persistent Chat
    /// pool's `legacy_endpoint` (`None`: nobody said).
    pub fn ocschat_user_exists(&self) -> Option<bool> {
        self.pools
            .iter()
            .filter_map(|p| p.legacy_endpoint.as_ref())
            .find_map(|e| e.ocschat_user_exists)
    }

    /// The profile as TOML (comments are not kept: to update an existing file keeping its
    /// comments use [`crate::deployment::topology::merge_into_toml`]).
    ///
    /// # Errors
    /// A message when a value cannot be written as TOML (none of the profile's types fails).
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string_pretty(self).map_err(|e| e.to_string())
    }

    /// The legacy Group Chat pool, if the profile has one.
    pub fn legacy_pool(&self) -> Option<&Pool> {
        self.pools.iter().find(|p| p.kind.is_legacy_group_chat())
    }

    /// The Persistent Chat pool (the target), if the profile has one.
    pub fn pchat_pool(&self) -> Option<&Pool> {
        self.pools
            .iter()
            .find(|p| p.kind == PoolKind::Lync2013PersistentChat)
    }

    /// The Lync 2013 Front End pool the Persistent Chat pool is homed on: the one its
    /// `home_pool` names (validation makes sure it is a Lync 2013 pool), or, when it names
    /// none, the profile's only Lync 2013 Front End pool; `None` when it names none and there
    /// are several (the next hop must not be guessed).
    pub fn frontend_pool(&self) -> Option<&Pool> {
        let home = self
            .pchat_pool()
            .and_then(|p| p.home_pool.as_deref())
            .filter(|h| !h.trim().is_empty());
        let mut fes = self
            .pools
            .iter()
            .filter(|p| p.kind == PoolKind::Lync2013FrontEnd);
        match home {
            Some(h) => fes.find(|p| p.fqdn.eq_ignore_ascii_case(h.trim())),
            None => {
                let first = fes.next();
                if fes.next().is_some() { None } else { first }
            }
        }
    }

    /// The values that fill the runbook's cmdlet placeholders (`{{name}}` in
    /// `assets/runbook/*.toml`). Each name maps to one or more values; a line that uses a
    /// many-valued name is repeated once per value (one line per server).
    ///
    /// `work_dir` is where export packages and reports go: the profile's `work_dir` in
    /// production, the lab's export folder in the lab. Values that the profile lacks are
    /// left out, so rendering names the missing placeholder instead of inventing a value.
    pub fn placeholders(&self, work_dir: &str) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut one = |k: &str, v: &str| {
            if !v.is_empty() {
                m.insert(k.to_string(), vec![v.to_string()]);
            }
        };
        one("sip_domain", &self.sip_domain);
        one("deployment_name", &self.name);
        let lookup = self
            .legacy_pool()
            .and_then(|p| p.lookup_uri.clone())
            .unwrap_or_else(|| format!("sip:ocschat@{}", self.sip_domain));
        one("lookup_uri", &lookup);
        let m_work = work_dir.trim_end_matches(['\\', '/']);
        let sep = if m_work.contains('\\') || m_work.is_empty() {
            "\\"
        } else {
            "/"
        };
        let file = |name: &str| {
            if m_work.is_empty() {
                name.to_string()
            } else {
                format!("{m_work}{sep}{name}")
            }
        };
        one("work_dir", m_work);
        one("export_file", &file("GroupChatExport.zip"));
        one("export_report", &file("export-report.html"));
        one("whatif_report", &file("import-whatif-report.html"));
        one("import_report", &file("import-report.html"));
        one("mgc_backup_file", &file("mgc-before-import.zip"));
        one("verify_report", &file("verify-report.json"));
        let mig = &self.migration;
        one("export_level", &mig.export_level);
        one("start_date", &mig.start_date);
        one("test_room", &mig.test_room);
        one("pchat_policy", &mig.pchat_policy);
        one("operator_group", &mig.operator_group);
        if let Some(u) = mig.test_users.first() {
            one("test_user1", u);
        }
        if let Some(u) = mig.test_users.get(1) {
            one("test_user2", u);
        }
        if let Some(site) = self.sites.first() {
            one("site", &site.name);
        }
        let scope = mig
            .scope
            .iter()
            .map(|s| format!("\"{}\"", s.replace('"', "`\"")))
            .collect::<Vec<_>>()
            .join(",");
        one("export_scope", &scope);

        let mut pool_values = |prefix: &str, pool: Option<&Pool>| {
            let Some(p) = pool else { return };
            m.insert(format!("{prefix}_pool_fqdn"), vec![p.fqdn.clone()]);
            if !p.servers.is_empty() {
                m.insert(format!("{prefix}_server"), p.servers.clone());
            }
            for (k, v) in [
                ("sql_instance", &p.sql_instance),
                ("db", &p.database),
                ("compliance_db", &p.compliance_database),
                ("file_store", &p.file_store),
            ] {
                if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                    m.insert(format!("{prefix}_{k}"), vec![v.clone()]);
                }
            }
            if let Some(sql) = &p.sql_instance {
                let host = sql.split('\\').next().unwrap_or(sql);
                m.insert(format!("{prefix}_sql_fqdn"), vec![host.to_string()]);
                if let Some(inst) = sql.split('\\').nth(1) {
                    m.insert(
                        format!("{prefix}_sql_instance_name"),
                        vec![inst.to_string()],
                    );
                }
            }
            m.insert(
                format!("{prefix}_product"),
                vec![p.kind.product_name().to_string()],
            );
        };
        pool_values("legacy", self.legacy_pool());
        pool_values("pchat", self.pchat_pool());
        pool_values("fe", self.frontend_pool());
        let legacy_home = self
            .legacy_pool()
            .and_then(|p| p.home_pool.clone())
            .and_then(|h| self.pools.iter().find(|p| p.fqdn.eq_ignore_ascii_case(&h)));
        pool_values("legacy_fe", legacy_home);
        if let Some(p) = self.pchat_pool() {
            let port = if p.ports.contains(&5041) {
                5041
            } else {
                p.ports.first().copied().unwrap_or(5041)
            };
            m.insert("pchat_port".into(), vec![port.to_string()]);
        }
        m
    }
}

/// A SIP URI compared the way SIP compares them here: lower case, with the `sip:` scheme.
pub fn normalize_sip(uri: &str) -> String {
    let t = uri.trim();
    let rest = t
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("sip:"))
        .map_or(t, |_| &t[4..]);
    format!("sip:{}", rest.to_ascii_lowercase())
}

/// Line and column of `[[table]]` entry `index`'s `key` (or of the entry itself) in the
/// profile text, for errors about one entry. (1, 1) when the text cannot be read back.
fn entry_position(text: &str, table: &str, index: usize, key: &str) -> (usize, usize) {
    let Ok(doc) = text.parse::<toml_edit::Document<String>>() else {
        return (1, 1);
    };
    // `[[table]]` entries by index, or a plain `[table]`
    let entry = doc.get(table).and_then(|t| match t.as_array_of_tables() {
        Some(a) => a.get(index),
        None => t.as_table(),
    });
    let span = entry
        .and_then(|e| e.get(key))
        .and_then(|item| match item {
            toml_edit::Item::Value(v) => v.span(),
            toml_edit::Item::Table(t) => t.span(),
            _ => None,
        })
        .or_else(|| entry.and_then(|e| e.span()));
    span.map_or((1, 1), |s| line_col(text, s.start))
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lab profile with `from` replaced by `to`, parsed.
    fn lab_with(from: &str, to: &str) -> Result<Profile, ProfileError> {
        assert!(LAB_PROFILE_TOML.contains(from), "{from}");
        Profile::parse(&LAB_PROFILE_TOML.replacen(from, to, 1), Path::new("p.toml"))
    }

    #[test]
    fn homing_is_checked_and_the_named_home_pool_is_used() {
        // The Persistent Chat pool homed on the Lync 2010 Front End pool is refused, naming it.
        let e = lab_with(
            "home_pool = \"lyncpool.contoso.lab\"",
            "home_pool = \"lync2010pool.contoso.lab\"",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p.toml:"), "{e}");
        assert!(
            e.contains("pchatpool.contoso.lab") && e.contains("lync2010pool.contoso.lab"),
            "{e}"
        );
        assert!(e.contains("Lync Server 2013"), "{e}");
        // a home pool that is not in the profile
        let e = lab_with(
            "home_pool = \"lyncpool.contoso.lab\"",
            "home_pool = \"nowhere.contoso.lab\"",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("nowhere.contoso.lab"), "{e}");
        // two 2013 Front End pools: the named one is the next hop, not the first listed
        let text = LAB_PROFILE_TOML.replacen(
            "[[pools]]",
            "[[pools]]\nid = \"fe-other\"\nkind = \"lync2013-frontend\"\nfqdn = \"other.contoso.lab\"\nservers = [\"fe9.contoso.lab\"]\n\n[[pools]]",
            1,
        );
        let p = Profile::parse(&text, Path::new("p.toml")).unwrap();
        assert_eq!(p.pools[0].fqdn, "other.contoso.lab");
        assert_eq!(p.frontend_pool().unwrap().fqdn, "lyncpool.contoso.lab");
        assert_eq!(
            p.placeholders("C:\\w")["fe_pool_fqdn"],
            vec!["lyncpool.contoso.lab"]
        );
    }

    #[test]
    fn start_date_is_refused_with_any_level_but_room_directory() {
        let e = lab_with("start_date = \"\"", "start_date = \"2012-01-01\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("RoomDirectory") && e.contains("start_date"),
            "{e}"
        );
        let line = LAB_PROFILE_TOML
            .lines()
            .position(|l| l.starts_with("start_date"))
            .unwrap()
            + 1;
        assert!(e.starts_with(&format!("p.toml:{line}:")), "{e}");
        let text = LAB_PROFILE_TOML
            .replacen("start_date = \"\"", "start_date = \"2012-01-01\"", 1)
            .replacen(
                "export_level = \"All\"",
                "export_level = \"RoomDirectory\"",
                1,
            );
        Profile::parse(&text, Path::new("p.toml")).unwrap();
    }

    #[test]
    fn lab_profile_parses_and_has_both_pools() {
        let p = Profile::lab();
        assert_eq!(p.kind, DeploymentKind::Lab);
        assert_eq!(p.legacy_pool().unwrap().fqdn, "gcpool.contoso.lab");
        assert_eq!(p.pchat_pool().unwrap().fqdn, "pchatpool.contoso.lab");
        assert_eq!(p.frontend_pool().unwrap().fqdn, "lyncpool.contoso.lab");
    }

    #[test]
    fn placeholders_expand_servers_and_sql() {
        let m = Profile::lab().placeholders("C:\\PChatMigration");
        assert_eq!(m["pchat_server"].len(), 2);
        assert_eq!(
            m["legacy_sql_instance"],
            vec!["gcsql.contoso.lab\\GROUPCHAT"]
        );
        assert_eq!(m["pchat_sql_fqdn"], vec!["pchatsql.contoso.lab"]);
        assert_eq!(
            m["export_file"],
            vec!["C:\\PChatMigration\\GroupChatExport.zip"]
        );
        assert_eq!(m["lookup_uri"], vec!["sip:ocschat@contoso.lab"]);
        assert_eq!(m["pchat_port"], vec!["5041"]);
        assert_eq!(m["legacy_fe_pool_fqdn"], vec!["lync2010pool.contoso.lab"]);
    }

    #[test]
    fn parse_error_names_line_and_column() {
        let text = "name = \"x\"\nkind = \"lab\"\nsip_domain = 5\n[migration]\n";
        let err = Profile::parse(text, Path::new("p.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p.toml:3:"), "{msg}");
    }

    #[test]
    fn unknown_field_is_an_error_with_position() {
        let text =
            "name = \"x\"\nkind = \"lab\"\nsip_domain = \"a\"\nsip_domian = \"b\"\n[migration]\n";
        let err = Profile::parse(text, Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().contains("p.toml:4:"), "{err}");
    }

    #[test]
    fn two_legacy_pools_are_refused() {
        let mut text = LAB_PROFILE_TOML.to_string();
        text.push_str(
            "\n[[pools]]\nid = \"ocs\"\nkind = \"ocs2007r2-groupchat\"\nfqdn = \"ocsgc.contoso.lab\"\n",
        );
        let err = Profile::parse(&text, Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().contains("only one legacy pool"), "{err}");
    }
}
