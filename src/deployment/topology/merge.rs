//! Merging an import into a profile: pools are added or updated by FQDN (and chat/non-chat
//! kind, since a Standard Edition server can carry both), sites are added by name, and
//! nothing the admin wrote is removed — users, client populations, migration settings,
//! hand-added legacy pools, ids, kinds, Lookup Server URIs, legacy endpoint facts and
//! database names stay. Written back with `toml_edit`, so the file keeps its comments and
//! layout; the result is read back and compared before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::{TopoPool, TopologyImport, is_pchat_role};
use crate::deployment::profile::{
    DeploymentKind, MigrationSettings, Pool, PoolKind, Profile, ProfileError, Site,
};

/// What a merge changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// FQDNs of pools added.
    pub added: Vec<String>,
    /// FQDNs of pools updated.
    pub updated: Vec<String>,
    /// FQDNs of pools the topology confirms unchanged.
    pub unchanged: Vec<String>,
    /// Site names added.
    pub sites_added: Vec<String>,
    /// One line per change, in the admin's terms.
    pub changes: Vec<String>,
    /// Things the admin should look at (kept values that disagree with the topology, …).
    pub notes: Vec<String>,
}

impl MergeReport {
    /// True when the merge changed nothing.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.sites_added.is_empty()
    }
}

impl TopologyImport {
    /// The recognised pools as profile pools (ids left empty), one per recognised kind.
    pub fn profile_pools(&self) -> Vec<Pool> {
        let mut out = Vec::new();
        for tp in &self.pools {
            for kind in &tp.kinds {
                out.push(profile_pool(tp, *kind));
            }
        }
        out
    }

    /// Adds or updates the recognised pools and the sites in `profile`, keeping everything
    /// the admin wrote (see the module docs). Returns what changed.
    pub fn merge_into(&self, profile: &mut Profile) -> MergeReport {
        let mut r = MergeReport::default();
        if profile.sip_domain.trim().is_empty()
            && let Some(d) = self.default_domain.as_ref().or(self.sip_domains.first())
        {
            profile.sip_domain = d.clone();
            r.changes.push(format!("sip_domain set to {d}"));
        } else if let Some(d) = &self.default_domain
            && !d.eq_ignore_ascii_case(&profile.sip_domain)
            && !self
                .sip_domains
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&profile.sip_domain))
        {
            r.notes.push(format!(
                "the profile's sip_domain {} is not among the topology's SIP domains ({}); kept \
                 the profile's",
                profile.sip_domain,
                self.sip_domains.join(", ")
            ));
        }
        for s in &self.sites {
            match profile
                .sites
                .iter_mut()
                .find(|p| p.name.eq_ignore_ascii_case(&s.name))
            {
                Some(p) if p.site_id == 0 && s.site_id != 0 => {
                    p.site_id = s.site_id;
                    r.changes
                        .push(format!("site {}: site_id set to {}", p.name, s.site_id));
                }
                Some(_) => {}
                None if s.name.is_empty() => {}
                None => {
                    profile.sites.push(Site {
                        name: s.name.clone(),
                        site_id: s.site_id,
                    });
                    r.sites_added.push(s.name.clone());
                    r.changes.push(format!("added site {}", s.name));
                }
            }
        }
        for cand in self.profile_pools() {
            let existing = profile.pools.iter_mut().find(|p| {
                p.fqdn.eq_ignore_ascii_case(&cand.fqdn) && p.kind.is_chat() == cand.kind.is_chat()
            });
            match existing {
                Some(p) => {
                    let lines = update_pool(p, &cand, &mut r.notes);
                    if lines.is_empty() {
                        r.unchanged.push(p.fqdn.clone());
                    } else {
                        r.updated.push(p.fqdn.clone());
                        for l in lines {
                            r.changes.push(format!("pool {} ({}): {l}", p.id, p.fqdn));
                        }
                    }
                }
                None => {
                    let mut pool = cand;
                    pool.id = fresh_id(profile, &pool);
                    r.added.push(pool.fqdn.clone());
                    r.changes.push(format!(
                        "added pool {} ({}) {} with {} server(s)",
                        pool.id,
                        pool.kind.key(),
                        pool.fqdn,
                        pool.servers.len()
                    ));
                    profile.pools.push(pool);
                }
            }
        }
        r
    }
}

/// The profile pool a recognised cluster contributes for one kind.
fn profile_pool(tp: &TopoPool, kind: PoolKind) -> Pool {
    let pchat = kind == PoolKind::Lync2013PersistentChat;
    let ports: BTreeSet<u16> = if pchat {
        let roles: BTreeSet<&str> = tp
            .ports
            .iter()
            .filter(|p| is_pchat_role(&p.role) || p.port == super::PCHAT_PORT)
            .map(|p| p.role.as_str())
            .chain(
                tp.roles
                    .iter()
                    .map(String::as_str)
                    .filter(|r| is_pchat_role(r)),
            )
            .collect();
        tp.ports
            .iter()
            .filter(|p| roles.contains(p.role.as_str()))
            .map(|p| p.port)
            .collect()
    } else {
        // the registrar's SIP port and the internal web services port
        tp.ports
            .iter()
            .filter(|p| {
                let primary = p.interface_side.eq_ignore_ascii_case("Primary");
                let sip = p.role.eq_ignore_ascii_case("Registrar")
                    && p.owner.eq_ignore_ascii_case("urn:component:Registrar")
                    && p.usage.eq_ignore_ascii_case("SipServer");
                let web = p.role.eq_ignore_ascii_case("WebServices")
                    && p.protocol.eq_ignore_ascii_case("Https");
                primary && (sip || web)
            })
            .map(|p| p.port)
            .collect()
    };
    let mut ports: Vec<u16> = ports.into_iter().collect();
    // the documented port first (5041 or 5061), the rest in order
    let first = if pchat { super::PCHAT_PORT } else { 5061 };
    if let Some(i) = ports.iter().position(|p| *p == first) {
        let p = ports.remove(i);
        ports.insert(0, p);
    }
    Pool {
        id: String::new(),
        kind,
        fqdn: tp.fqdn.clone(),
        site: tp.site.clone().unwrap_or_default(),
        servers: tp.servers.clone(),
        ports,
        sql_instance: tp.sql_instance.clone(),
        database: (pchat && tp.sql_instance.is_some()).then(|| "mgc".to_string()),
        compliance_database: (pchat && tp.compliance_sql_instance.is_some())
            .then(|| "mgccomp".to_string()),
        file_store: tp.file_store.clone(),
        lookup_uri: None,
        home_pool: if pchat { tp.next_hop.clone() } else { None },
        legacy_endpoint: None,
    }
}

/// Updates `p` from the topology's `c`; returns one line per change. The topology wins for
/// what it publishes (servers, site, SQL instance, file store, next hop); ports are merged;
/// database names and everything else the admin wrote are kept.
fn update_pool(p: &mut Pool, c: &Pool, notes: &mut Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    if p.kind != c.kind {
        notes.push(format!(
            "pool {} ({}): the profile says {}, the topology suggests {}; kept the profile's",
            p.id,
            p.fqdn,
            p.kind.key(),
            c.kind.key()
        ));
    }
    let same_set = |a: &[String], b: &[String]| {
        let low = |v: &[String]| {
            v.iter()
                .map(|s| s.to_ascii_lowercase())
                .collect::<BTreeSet<_>>()
        };
        low(a) == low(b)
    };
    if !c.servers.is_empty() && !same_set(&p.servers, &c.servers) {
        lines.push(format!(
            "servers [{}] → [{}]",
            p.servers.join(", "),
            c.servers.join(", ")
        ));
        p.servers = c.servers.clone();
    }
    let added: Vec<u16> = c
        .ports
        .iter()
        .copied()
        .filter(|x| !p.ports.contains(x))
        .collect();
    if !added.is_empty() {
        lines.push(format!(
            "ports + {}",
            added
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        p.ports.extend(added);
    }
    if !c.site.is_empty() && !p.site.eq_ignore_ascii_case(&c.site) {
        lines.push(format!("site \"{}\" → \"{}\"", p.site, c.site));
        p.site = c.site.clone();
    }
    let mut take = |name: &str, mine: &mut Option<String>, theirs: &Option<String>| {
        if let Some(t) = theirs
            && mine.as_deref().is_none_or(|m| !m.eq_ignore_ascii_case(t))
        {
            lines.push(match mine {
                Some(m) => format!("{name} {m} → {t}"),
                None => format!("{name} set to {t}"),
            });
            *mine = Some(t.clone());
        }
    };
    take("sql_instance", &mut p.sql_instance, &c.sql_instance);
    take("file_store", &mut p.file_store, &c.file_store);
    take("home_pool", &mut p.home_pool, &c.home_pool);
    for (name, mine, theirs) in [
        ("database", &mut p.database, &c.database),
        (
            "compliance_database",
            &mut p.compliance_database,
            &c.compliance_database,
        ),
    ] {
        if mine.is_none()
            && let Some(t) = theirs
        {
            lines.push(format!("{name} set to {t}"));
            *mine = Some(t.clone());
        }
    }
    lines
}

/// A pool id not yet used: `pchat`, `fe2013`, `fe2010`, else the FQDN's first label, with a
/// number appended when needed.
fn fresh_id(profile: &Profile, pool: &Pool) -> String {
    let used = |id: &str| profile.pools.iter().any(|p| p.id == id);
    let label = pool
        .fqdn
        .split('.')
        .next()
        .unwrap_or("pool")
        .to_ascii_lowercase();
    let preferred = match pool.kind {
        PoolKind::Lync2013PersistentChat => "pchat",
        PoolKind::Lync2013FrontEnd => "fe2013",
        PoolKind::Lync2010FrontEnd => "fe2010",
        _ => label.as_str(),
    };
    for base in [preferred, label.as_str()] {
        if !base.is_empty() && !used(base) {
            return base.to_string();
        }
    }
    (2..)
        .map(|n| format!("{label}-{n}"))
        .find(|id| !used(id))
        .unwrap_or_else(|| label.clone())
}

/// A new production profile holding what the import found.
pub fn new_profile_from(import: &TopologyImport) -> (Profile, MergeReport) {
    let domain = import
        .default_domain
        .clone()
        .or_else(|| import.sip_domains.first().cloned())
        .unwrap_or_default();
    let mut p = Profile {
        name: if domain.is_empty() {
            "Imported topology".into()
        } else {
            domain.clone()
        },
        kind: DeploymentKind::Production,
        sip_domain: domain,
        sites: Vec::new(),
        pools: Vec::new(),
        migration: MigrationSettings::default(),
        users: Vec::new(),
        clients: Vec::new(),
    };
    let r = import.merge_into(&mut p);
    (p, r)
}

fn value_of_strings(v: &[String]) -> toml_edit::Value {
    toml_edit::Value::Array(v.iter().map(String::as_str).collect())
}

fn value_of_ports(v: &[u16]) -> toml_edit::Value {
    toml_edit::Value::Array(v.iter().map(|p| i64::from(*p)).collect())
}

/// Sets `key` in `t`, keeping the comments around an existing value.
fn set(t: &mut toml_edit::Table, key: &str, v: toml_edit::Value) {
    match t.get_mut(key) {
        Some(toml_edit::Item::Value(old)) => {
            let decor = old.decor().clone();
            *old = v;
            *old.decor_mut() = decor;
        }
        _ => {
            t.insert(key, toml_edit::Item::Value(v));
        }
    }
}

/// A table for a new `[[pools]]` / `[[sites]]` entry, from its serde form.
fn table_of<T: Serialize>(x: &T) -> Result<toml_edit::Table, String> {
    let text = toml::to_string(x).map_err(|e| e.to_string())?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    Ok(doc.as_table().clone())
}

/// Merges `import` into the profile text `text` (from `path`, for errors), keeping its
/// comments and layout. Returns the new text and the report; the text is read back and must
/// equal the merged profile.
///
/// # Errors
/// The profile's own errors ([`ProfileError`], with line and column), or
/// [`ProfileError::Invalid`] when the merged text would not read back the same.
pub fn merge_into_toml(
    import: &TopologyImport,
    text: &str,
    path: &Path,
) -> Result<(String, MergeReport), ProfileError> {
    let before = Profile::parse(text, path)?;
    let mut after = before.clone();
    let mut report = import.merge_into(&mut after);
    if report.is_empty() && before.sip_domain == after.sip_domain && before.sites == after.sites {
        return Ok((text.to_string(), report));
    }
    let invalid = |message: String| ProfileError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let edited = edit_document(text, &before, &after);
    let out = match edited {
        Ok(s) => s,
        Err(why) => {
            report.notes.push(format!(
                "{why}: the profile was written again in full, without its comments"
            ));
            after.to_toml().map_err(invalid)?
        }
    };
    let check = Profile::parse(&out, path)?;
    if check != after {
        return Err(invalid(
            "the merged profile does not read back the same; nothing was written (please report \
             this with the profile and the topology file)"
                .into(),
        ));
    }
    Ok((out, report))
}

/// Applies the differences between `before` and `after` to the document, in place.
fn edit_document(text: &str, before: &Profile, after: &Profile) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    if before.sip_domain != after.sip_domain {
        set(
            doc.as_table_mut(),
            "sip_domain",
            after.sip_domain.as_str().into(),
        );
    }
    edit_array(&mut doc, "sites", &before.sites, &after.sites, |t, b, a| {
        if b.site_id != a.site_id {
            set(t, "site_id", i64::from(a.site_id).into());
        }
    })?;
    edit_array(&mut doc, "pools", &before.pools, &after.pools, |t, b, a| {
        if b.servers != a.servers {
            set(t, "servers", value_of_strings(&a.servers));
        }
        if b.ports != a.ports {
            set(t, "ports", value_of_ports(&a.ports));
        }
        if b.site != a.site {
            set(t, "site", a.site.as_str().into());
        }
        for (key, bv, av) in [
            ("sql_instance", &b.sql_instance, &a.sql_instance),
            ("database", &b.database, &a.database),
            (
                "compliance_database",
                &b.compliance_database,
                &a.compliance_database,
            ),
            ("file_store", &b.file_store, &a.file_store),
            ("home_pool", &b.home_pool, &a.home_pool),
        ] {
            if bv != av
                && let Some(v) = av
            {
                set(t, key, v.as_str().into());
            }
        }
    })?;
    Ok(doc.to_string())
}

/// Updates the first `before.len()` entries of the array of tables `key` and appends the rest
/// of `after` (a merge only appends).
fn edit_array<T: Serialize + PartialEq>(
    doc: &mut toml_edit::DocumentMut,
    key: &str,
    before: &[T],
    after: &[T],
    update: impl Fn(&mut toml_edit::Table, &T, &T),
) -> Result<(), String> {
    if before == after {
        return Ok(());
    }
    if doc.get(key).is_none() {
        doc.insert(
            key,
            toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()),
        );
    }
    let arr = doc
        .get_mut(key)
        .and_then(toml_edit::Item::as_array_of_tables_mut)
        .ok_or_else(|| format!("{key} is not written as [[{key}]] tables"))?;
    if arr.len() != before.len() {
        return Err(format!("{key} could not be matched entry by entry"));
    }
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        if b != a
            && let Some(t) = arr.get_mut(i)
        {
            update(t, b, a);
        }
    }
    for a in &after[before.len()..] {
        let mut t = table_of(a)?;
        t.decor_mut()
            .set_prefix("\n# added by pchat-migrate topology import\n");
        arr.push(t);
    }
    Ok(())
}

/// Merges `import` into the profile file at `path`, or creates it (kind = production) when it
/// does not exist. Writes through a temporary file and a rename; writes nothing when nothing
/// changed. Returns the report and whether the file was created.
///
/// # Errors
/// A message naming the file (profile errors carry line and column).
pub fn merge_file(import: &TopologyImport, path: &Path) -> Result<(MergeReport, bool), String> {
    let (text, report, created) = if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read profile {}: {e}", path.display()))?;
        let (out, report) = merge_into_toml(import, &text, path).map_err(|e| e.to_string())?;
        if out == text {
            return Ok((report, false));
        }
        (out, report, false)
    } else {
        let (profile, report) = new_profile_from(import);
        let body = profile.to_toml()?;
        let text = format!(
            "# Deployment profile written by `pchat-migrate topology import` from {}.\n# The \
             format is documented in docs/profile.md. Add the legacy Group Chat pool, the \
             users,\n# the client populations and the [migration] settings by hand.\n\n{body}",
            import.source
        );
        Profile::parse(&text, path).map_err(|e| e.to_string())?;
        (text, report, true)
    };
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot replace {}: {e}", path.display())
    })?;
    Ok((report, created))
}
