//! The package inspector: what an export package holds and what importing it will do — the
//! `-WhatIf` view the wizard shows, and whose [`Inspection::digest`] it records with the
//! admin's acknowledgement before the real import runs.
//!
//! Reads packages written by this program and real ones made by `Export-CsPersistentChatData`
//! (the tolerant rules of export-package.md: a package with only the four known files
//! inspects fine and [`Inspection::files_missing`] says what is absent). The warnings are
//! computed by the same code as the import's ([`super::preflight`]): with `target_mgc`, the
//! list (and so the digest) equals the one of a `-WhatIf` import into that target.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::convert::convert;
use super::import::{Prepared, all_warnings, plan, pool_check, prepare, scan_content};
use super::mgc::MgcDb;
use super::model::{enumv, ptype};
use super::package::{Counts, PackageLimits, Sections};
use super::preflight::{self, PreflightWarning, codes, severity};
use super::{ChatDataError, ticks};
use crate::progress::Reporter;

/// What the manifest of a package written by this program says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManifestSummary {
    /// Creation time (RFC 3339).
    pub created: String,
    /// Source database file name.
    pub source: String,
    /// `-Level` used.
    pub level: String,
    /// `-Scope` used.
    pub scope: Vec<String>,
    /// `-StartDate` used (ISO 8601 UTC), if any.
    pub start_date: Option<String>,
    /// The counts the manifest records.
    pub counts: Counts,
}

/// Counts of what the package holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Categories below the root that the package exports (context-only ancestors of a
    /// `-Scope`d export excluded).
    pub categories: u64,
    /// Of those, sub-categories that the import flattens.
    pub subcategories: u64,
    /// Rooms.
    pub rooms: u64,
    /// Rooms marked disabled.
    pub disabled_rooms: u64,
    /// Auditorium rooms.
    pub auditorium_rooms: u64,
    /// Rooms with an add-in.
    pub rooms_with_addin: u64,
    /// Add-ins.
    pub addins: u64,
    /// Principals of every type.
    pub principals: u64,
    /// Users (AdUsers.xml, or principals of type 5).
    pub users: u64,
    /// Groups (AdGroups.xml, or principals of type 9).
    pub groups: u64,
    /// Federated principals (2010 types 6, 7, 11).
    pub federated: u64,
    /// Every principal by kind (the counts add up to `principals`).
    pub principal_kinds: super::model::PrincipalCounts,
    /// Group memberships (AdAffiliations.xml).
    pub affiliations: u64,
    /// Role assignments (managers, members, presenters, creators).
    pub role_assignments: u64,
    /// Category scope entries.
    pub scope_entries: u64,
    /// Messages, when the package carries content files.
    pub messages: Option<u64>,
    /// Bytes of message text (UTF-8), when the package carries content.
    pub content_bytes: Option<u64>,
    /// Messages with a posted file (`ma-filelink:`), when the package carries content.
    pub file_posts: Option<u64>,
    /// Earliest message (ISO 8601 UTC).
    pub first_message: Option<String>,
    /// Latest message (ISO 8601 UTC).
    pub last_message: Option<String>,
}

/// One room of the package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoomInventory {
    /// The name the room gets in 2013 (flattened prefix included), or its legacy name when
    /// the import refuses it.
    pub name: String,
    /// The legacy name.
    pub legacy_name: String,
    /// The 2013 category name ("" when unknown).
    pub category: String,
    /// Disabled.
    pub disabled: bool,
    /// False when the import refuses the room (see the warnings).
    pub imported: bool,
    /// Messages in the package.
    pub messages: u64,
    /// Messages with a posted file.
    pub file_posts: u64,
}

/// Counts of warnings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WarningCounts {
    /// `error`: items not imported.
    pub errors: u64,
    /// `warning`: items changed.
    pub warnings: u64,
    /// `info`.
    pub infos: u64,
}

/// The result of [`inspect()`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inspection {
    /// The package file.
    pub package: PathBuf,
    /// The package identity (see [`super::package::PackageReader::package_id`]).
    pub package_id: String,
    /// Package size in bytes.
    pub package_bytes: u64,
    /// True when the package carries this program's manifest.
    pub written_by_pchat_migrate: bool,
    /// The manifest, when there is one.
    pub manifest: Option<ManifestSummary>,
    /// The pool the package names, if any.
    pub pool_fqdn: Option<String>,
    /// The target database inspected against, if any.
    pub target: Option<PathBuf>,
    /// The pool the target belongs to, if known.
    pub target_pool_fqdn: Option<String>,
    /// Parts present.
    pub sections: Sections,
    /// Known files found.
    pub files_found: Vec<String>,
    /// Known files not found, each with what that means.
    pub files_missing: Vec<String>,
    /// Entries the reader does not know (ignored by the import).
    pub unknown_entries: Vec<String>,
    /// Counts.
    pub inventory: Inventory,
    /// Rooms, in package order.
    pub rooms: Vec<RoomInventory>,
    /// What the reader noticed.
    pub notes: Vec<String>,
    /// Pre-flight warnings, errors first (the list the import reports).
    pub warnings: Vec<PreflightWarning>,
    /// Warnings by severity.
    pub warning_counts: WarningCounts,
    /// Wall time.
    pub elapsed_ms: u64,
}

impl Inspection {
    /// SHA-256 (hex) over the package identity and the warnings: what the admin
    /// acknowledges. Equal to the `digest` of a `-WhatIf` [`super::import()`] of the same
    /// package into the same target (when inspected with that target).
    pub fn digest(&self) -> String {
        preflight::digest(&self.package_id, &self.warnings)
    }

    /// A plain-text report: what the package holds, what is missing, the warnings.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let i = &self.inventory;
        let _ = writeln!(
            s,
            "package {} ({} bytes){}",
            self.package.display(),
            self.package_bytes,
            if self.written_by_pchat_migrate {
                ", written by pchat-migrate"
            } else {
                ", no pchat-migrate manifest"
            }
        );
        if let Some(m) = &self.manifest {
            let _ = writeln!(
                s,
                "  exported {} from {}: -Level {}{}{}",
                m.created,
                m.source,
                m.level,
                if m.scope.is_empty() {
                    String::new()
                } else {
                    format!(", -Scope {}", m.scope.join(", "))
                },
                m.start_date
                    .as_ref()
                    .map(|d| format!(", -StartDate {d}"))
                    .unwrap_or_default()
            );
        }
        if let Some(p) = &self.pool_fqdn {
            let _ = writeln!(s, "  pool: {p}");
        }
        let _ = writeln!(
            s,
            "  {} categories ({} sub-categories to flatten), {} rooms ({} disabled, {} auditorium, {} with an add-in), {} add-ins",
            i.categories,
            i.subcategories,
            i.rooms,
            i.disabled_rooms,
            i.auditorium_rooms,
            i.rooms_with_addin,
            i.addins
        );
        let _ = writeln!(
            s,
            "  {}, {} memberships, {} role assignments, {} scope entries",
            i.principal_kinds, i.affiliations, i.role_assignments, i.scope_entries
        );
        match i.messages {
            Some(n) => {
                let _ = writeln!(
                    s,
                    "  {n} messages ({} bytes of text, {} file posts){}",
                    i.content_bytes.unwrap_or(0),
                    i.file_posts.unwrap_or(0),
                    match (&i.first_message, &i.last_message) {
                        (Some(a), Some(b)) => format!(", {a} to {b}"),
                        _ => String::new(),
                    }
                );
            }
            None => {
                let _ = writeln!(s, "  no chat history in this package");
            }
        }
        for f in &self.files_missing {
            let _ = writeln!(s, "  missing: {f}");
        }
        if !self.unknown_entries.is_empty() {
            let _ = writeln!(
                s,
                "  {} unknown entries ignored",
                self.unknown_entries.len()
            );
        }
        if let Some(t) = &self.target {
            let _ = writeln!(
                s,
                "  target: {}{}",
                t.display(),
                self.target_pool_fqdn
                    .as_ref()
                    .map(|p| format!(" (pool {p})"))
                    .unwrap_or_default()
            );
        }
        let c = self.warning_counts;
        let _ = writeln!(
            s,
            "{}",
            super::preflight::Counts {
                errors: c.errors as usize,
                warnings: c.warnings as usize,
                notes: c.infos as usize,
            }
            .phrase()
        );
        for w in &self.warnings {
            let _ = writeln!(
                s,
                "  {:<7} {:<24} {}: {}",
                w.severity, w.code, w.item, w.message
            );
        }
        let _ = writeln!(s, "digest {}", self.digest());
        s
    }
}

/// Inspects `package`, and what importing it into `target_mgc` would do when given.
///
/// # Errors
/// [`ChatDataError::Package`] naming the entry for packages that fail to read (hostile
/// names, bombs, DTDs, truncation, bad encodings, content that does not match its
/// manifest); a missing or foreign target database; [`ChatDataError::Cancelled`].
pub fn inspect(
    package: &Path,
    target_mgc: Option<&Path>,
    r: &dyn Reporter,
) -> Result<Inspection, ChatDataError> {
    inspect_with(package, target_mgc, PackageLimits::default(), r)
}

/// [`inspect()`] with explicit entry limits.
///
/// # Errors
/// As [`inspect()`].
pub fn inspect_with(
    package: &Path,
    target_mgc: Option<&Path>,
    limits: PackageLimits,
    r: &dyn Reporter,
) -> Result<Inspection, ChatDataError> {
    let started = Instant::now();
    let mut prep: Prepared = prepare(package, limits, r)?;
    let conv = convert(&prep.contents.directory);
    // the target: pool and plan
    let mut target_pool = None;
    let mut pool_warning = None;
    let mut plan_warnings = Vec::new();
    let mut conv_opt = Some(conv);
    let mut plan_conv = None;
    if let Some(t) = target_mgc {
        let db = MgcDb::open_read_only(t)?;
        target_pool = db.pool_fqdn()?;
        pool_warning = match pool_check(package, &prep.contents, target_pool.as_deref(), false) {
            Ok(w) => w,
            Err(ChatDataError::Package { message, .. }) => Some(preflight::warning(
                severity::ERROR,
                codes::OTHER_POOL,
                prep.contents.pool_fqdn.as_deref().unwrap_or(""),
                message,
            )),
            Err(e) => return Err(e),
        };
        let state = db.read_state()?;
        let p = plan(
            &prep.contents,
            conv_opt.take().expect("converted once"),
            state,
        );
        plan_warnings = p.warnings;
        plan_conv = Some(p.conv);
    }
    let conv = plan_conv.or(conv_opt).expect("converted");
    let has_content = !prep.contents.content_entries.is_empty();
    let mut scan = prep.reader.content_scan();
    scan_content(
        &mut prep,
        0,
        &mut scan,
        "inspect",
        r,
        |_| Ok(()),
        |_, _| Ok(()),
    )?;
    let stats = scan.finish();
    prep.reader.check_manifest(&stats)?;
    let warnings = all_warnings(&conv, Some(&stats), &plan_warnings, pool_warning.as_ref());

    let c = &prep.contents;
    let d = &c.directory;
    let root = d.root_id;
    let in_scope_cats: Vec<_> = d
        .categories()
        .filter(|n| Some(n.id) != root && n.in_scope)
        .collect();
    let is_sub = |n: &super::model::Node| {
        d.nodes
            .iter()
            .find(|p| p.id == n.parent_id)
            .is_some_and(|p| Some(p.id) != root && p.is_category)
    };
    let count_type = |t: i16| d.principals.iter().filter(|p| p.type_id == Some(t)).count() as u64;
    let mut inv = Inventory {
        categories: in_scope_cats.len() as u64,
        subcategories: in_scope_cats.iter().filter(|n| is_sub(n)).count() as u64,
        rooms: d.rooms().count() as u64,
        disabled_rooms: d.rooms().filter(|n| n.disabled).count() as u64,
        auditorium_rooms: d
            .rooms()
            .filter(|n| n.behavior == enumv::AUDITORIUM)
            .count() as u64,
        rooms_with_addin: d.rooms().filter(|n| n.siop_id.is_some()).count() as u64,
        addins: d.addins.len() as u64,
        principals: d.principals.len() as u64,
        users: count_type(ptype::USER),
        groups: count_type(ptype::GROUP),
        federated: d.principals.iter().filter(|p| p.federated).count() as u64,
        principal_kinds: super::model::PrincipalCounts::of(&d.principals),
        affiliations: d.affiliations.len() as u64,
        role_assignments: d.roles.len() as u64,
        scope_entries: d.scopes.len() as u64,
        ..Inventory::default()
    };
    if has_content {
        inv.messages = Some(stats.messages);
        inv.content_bytes = Some(stats.bytes);
        inv.file_posts = Some(stats.file_posts.values().sum());
        inv.first_message = stats
            .rooms
            .values()
            .filter_map(|r| r.first)
            .min()
            .map(ticks::format);
        inv.last_message = stats
            .rooms
            .values()
            .filter_map(|r| r.last)
            .max()
            .map(ticks::format);
    }
    let rooms = d
        .rooms()
        .map(|n| {
            let converted = conv.room(n.id);
            RoomInventory {
                name: converted
                    .map(|r| r.name.clone())
                    .or_else(|| conv.refused_rooms.get(&n.id).map(|r| r.0.clone()))
                    .unwrap_or_else(|| n.name.clone()),
                legacy_name: n.name.clone(),
                category: converted.map(|r| r.category.clone()).unwrap_or_default(),
                disabled: n.disabled,
                imported: converted.is_some(),
                messages: stats.rooms.get(&n.id).map_or(0, |r| r.messages),
                file_posts: stats.file_posts.get(&n.id).copied().unwrap_or(0),
            }
        })
        .collect();
    let counts = WarningCounts {
        errors: preflight::count(&warnings, severity::ERROR) as u64,
        warnings: preflight::count(&warnings, severity::WARNING) as u64,
        infos: preflight::count(&warnings, severity::INFO) as u64,
    };
    let out = Inspection {
        package: package.to_path_buf(),
        package_id: c.package_id.clone(),
        package_bytes: prep.reader.file_len(),
        written_by_pchat_migrate: c.manifest.is_some(),
        manifest: c.manifest.as_ref().map(|m| ManifestSummary {
            created: m.created.clone(),
            source: m.source.clone(),
            level: m.level.clone(),
            scope: m.scope.clone(),
            start_date: m.start_date_ticks.map(ticks::format),
            counts: m.counts.clone(),
        }),
        pool_fqdn: c.pool_fqdn.clone(),
        target: target_mgc.map(Path::to_path_buf),
        target_pool_fqdn: target_pool,
        sections: c.sections,
        files_found: c.files_found.clone(),
        files_missing: c.files_missing.clone(),
        unknown_entries: c.unknown_entries.clone(),
        inventory: inv,
        rooms,
        notes: c.notes.clone(),
        warning_counts: counts,
        warnings,
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    r.log(format!(
        "inspect: {} rooms, {} messages; {} errors, {} warnings; digest {}",
        out.inventory.rooms,
        out.inventory.messages.unwrap_or(0),
        counts.errors,
        counts.warnings,
        out.digest()
    ));
    Ok(out)
}
