//! The deployment profile: sites, pools, servers, SQL instances, file stores and users of the
//! migration at hand, read from TOML. The built-in lab profile ships in
//! `assets/lab/profile.toml`; a production profile is a file the admin writes (see README).
//!
//! The profile fills the placeholders of the runbook's cmdlet lines ([`Profile::placeholders`]).
//! Pool kinds use the field's names: `ocs2007r2-groupchat`, `lync2010-groupchat`,
//! `lync2013-persistentchat`, `lync2013-frontend`, and the legacy front ends
//! `lync2010-frontend` / `ocs2007r2-frontend` that Group Chat pools are homed on
//! (migration.md §2, §3).

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
        "{path}:{line}:{column}: {message}\n  fix the entry there (see README, \"Deployment profile\") and start again"
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
    /// The profile parsed but is not usable (for example no Persistent Chat pool).
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    #[serde(default)]
    pub sql_instance: Option<String>,
    /// Content database name (`mgc` on Lync 2013; the legacy name is site-specific).
    #[serde(default)]
    pub database: Option<String>,
    /// Compliance database name (`mgccomp` on Lync 2013).
    #[serde(default)]
    pub compliance_database: Option<String>,
    /// File store (UNC path).
    #[serde(default)]
    pub file_store: Option<String>,
    /// Lookup Server URI of a legacy pool (`sip:ocschat@<domain>` by default).
    #[serde(default)]
    pub lookup_uri: Option<String>,
    /// FQDN of the pool this one is homed on (next hop).
    #[serde(default)]
    pub home_pool: Option<String>,
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
    /// Client the user runs (`lync2013`, `lync2010-groupchat`, …).
    #[serde(default)]
    pub client: String,
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

/// A deployment profile. See the module docs and README, "Deployment profile".
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
    /// [`ProfileError::Parse`] with line and column, or [`ProfileError::Invalid`].
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
        profile.validate(path)?;
        Ok(profile)
    }

    fn validate(&self, path: &Path) -> Result<(), ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let legacy = self
            .pools
            .iter()
            .filter(|p| p.kind.is_legacy_group_chat())
            .count();
        if legacy > 1 {
            return Err(invalid(
                "more than one legacy Group Chat pool: only one legacy pool can be migrated \
                 (migration.md, Stage 0); keep the one you migrate now"
                    .into(),
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for p in &self.pools {
            if !ids.insert(p.id.as_str()) {
                return Err(invalid(format!(
                    "pool id \"{}\" is used twice; give each [[pools]] entry its own id",
                    p.id
                )));
            }
        }
        Ok(())
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

    /// The Lync 2013 Front End pool the Persistent Chat pool is homed on (or the first one).
    pub fn frontend_pool(&self) -> Option<&Pool> {
        let home = self.pchat_pool().and_then(|p| p.home_pool.as_deref());
        self.pools
            .iter()
            .filter(|p| p.kind == PoolKind::Lync2013FrontEnd)
            .find(|p| home.is_none_or(|h| h.eq_ignore_ascii_case(&p.fqdn)))
            .or_else(|| {
                self.pools
                    .iter()
                    .find(|p| p.kind == PoolKind::Lync2013FrontEnd)
            })
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
