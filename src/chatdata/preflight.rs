//! Pre-flight warnings (migration.md Stages 3 and 6): one computation shared by the package
//! inspector ([`super::inspect()`]), the `-WhatIf` import and the real import, so the three
//! always show the same list for the same package and target.
//!
//! Sources of warnings, in the order they are computed:
//!
//! 1. the conversion of the package's directory ([`super::convert::convert`]): flattened
//!    sub-categories and the names they get, names over 256 characters, root-category
//!    managers, invitation settings forced off, federated principals, dropped settings;
//! 2. the package's content (`convert::file_post_warnings`): rooms whose posted files must be
//!    copied by hand;
//! 3. the target, when there is one (the import's plan): items the import overwrites,
//!    principals that cannot be provisioned, rooms that cannot receive their content.
//!
//! [`finalize`] puts the list in a stable order (errors first, then by code and item) so that
//! [`digest`] — which the wizard records with the admin's acknowledgement — only changes when
//! the package or what the import will do changes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One pre-flight warning.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PreflightWarning {
    /// Stable code (see [`codes`]), e.g. `flattened-category`.
    pub code: String,
    /// `error` (the item is not imported), `warning` (imported, changed; act before the
    /// import if that is not wanted) or `info`.
    pub severity: String,
    /// The room, category, principal or add-in concerned.
    pub item: String,
    /// What will happen and what to do.
    pub message: String,
}

/// Severity values.
pub mod severity {
    /// The item is not imported.
    pub const ERROR: &str = "error";
    /// The item is imported but changed.
    pub const WARNING: &str = "warning";
    /// For information.
    pub const INFO: &str = "info";
}

/// The stable warning codes.
pub mod codes {
    /// A sub-category is flattened into a top-level category with a prefixed name \[doc\].
    pub const FLATTENED_CATEGORY: &str = "flattened-category";
    /// A flattened category or room name is over 256 characters \[doc\]: not imported.
    pub const NAME_TOO_LONG: &str = "name-too-long";
    /// A manager of the root category becomes a manager of every room \[doc\].
    pub const ROOT_MANAGER: &str = "root-manager";
    /// A room asks for invitations its category turns off: forced off \[doc\].
    pub const INVITE_FORCED_OFF: &str = "invite-forced-off";
    /// A federated principal is imported disabled \[doc\].
    pub const FEDERATED_PRINCIPAL: &str = "federated-principal";
    /// A room has posted files (`ma-filelink:`) that must be copied by hand \[doc\].
    pub const FILE_POSTS: &str = "file-posts";
    /// An item of the target with the same name is overwritten \[doc\].
    pub const OVERWRITE: &str = "overwrite";
    /// Two items get the same 2013 name: the second is not imported.
    pub const DUPLICATE_NAME: &str = "duplicate-name";
    /// A room without a category in the package: not imported.
    pub const ROOM_WITHOUT_CATEGORY: &str = "room-without-category";
    /// A room whose category is refused: not imported.
    pub const CATEGORY_REFUSED: &str = "category-refused";
    /// A room whose category is not in the export: not imported.
    pub const CATEGORY_NOT_EXPORTED: &str = "category-not-exported";
    /// A room's own chat-history setting is dropped (category-level in 2013) \[doc\].
    pub const ROOM_HISTORY_SETTING: &str = "room-history-setting";
    /// A room's own file-upload setting is dropped (category-level in 2013) \[doc\].
    pub const ROOM_FILE_POST_SETTING: &str = "room-file-post-setting";
    /// Presenters of a normal room are dropped (2013: auditorium rooms only) \[doc\].
    pub const VOICED_IN_NORMAL_ROOM: &str = "voiced-in-normal-room";
    /// Room-level Creator roles have no 2013 equivalent.
    pub const CREATOR_ON_ROOM: &str = "creator-on-room";
    /// A role or scope principal the package does not define is left out.
    pub const PRINCIPAL_UNKNOWN: &str = "principal-unknown";
    /// A room's add-in is not in the package.
    pub const ADDIN_MISSING: &str = "addin-missing";
    /// Room topics are dropped (no 2013 column) \[doc\].
    pub const TOPIC_DROPPED: &str = "topic-dropped";
    /// Principals without a GUID (real packages) are matched by user principal name.
    pub const PRINCIPAL_WITHOUT_GUID: &str = "principal-without-guid";
    /// A GUID-less principal matches nobody on the target: its roles are left out.
    pub const PRINCIPAL_NOT_PROVISIONED: &str = "principal-not-provisioned";
    /// A room cannot be created or found on the target: its content is not imported.
    pub const ROOM_NOT_ON_TARGET: &str = "room-not-on-target";
    /// The package names a different pool and the admin allowed it.
    pub const OTHER_POOL: &str = "other-pool";
}

/// Builds a warning.
pub fn warning(severity: &str, code: &str, item: &str, message: String) -> PreflightWarning {
    PreflightWarning {
        code: code.into(),
        severity: severity.into(),
        item: item.into(),
        message,
    }
}

fn rank(severity: &str) -> u8 {
    match severity {
        severity::ERROR => 0,
        severity::WARNING => 1,
        _ => 2,
    }
}

/// Sorts (errors first, then by code, item and message) and removes duplicates.
pub fn finalize(mut v: Vec<PreflightWarning>) -> Vec<PreflightWarning> {
    v.sort_by(|a, b| {
        (rank(&a.severity), &a.code, &a.item, &a.message).cmp(&(
            rank(&b.severity),
            &b.code,
            &b.item,
            &b.message,
        ))
    });
    v.dedup();
    v
}

/// SHA-256 (lowercase hex) over the package identity and the warnings, in their (finalized)
/// order. The inspector's [`super::inspect::Inspection::digest`] and the import summary's
/// `digest` are this function, so an acknowledgement recorded for an inspection can be
/// checked against the `-WhatIf` run and the real import of the same package and target.
pub fn digest(package_id: &str, warnings: &[PreflightWarning]) -> String {
    let mut h = Sha256::new();
    h.update(b"pchat-migrate preflight v1\n");
    h.update(package_id.as_bytes());
    h.update(b"\n");
    for w in warnings {
        for field in [&w.code, &w.severity, &w.item, &w.message] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
    }
    hex::encode(h.finalize())
}

/// Counts of a warnings list by severity.
pub fn count(warnings: &[PreflightWarning], sev: &str) -> usize {
    warnings.iter().filter(|w| w.severity == sev).count()
}

/// Errors, warnings and notes of a list of findings, counted apart: the one count the
/// inspector, the `-WhatIf` preview, the import, the wizard and the report all show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// `error`: the item is not imported (a loss).
    pub errors: usize,
    /// `warning`: the item is imported but changed.
    pub warnings: usize,
    /// `info` (and anything else): for information.
    pub notes: usize,
}

impl Counts {
    /// Counts findings by their severity.
    pub fn of<'a>(severities: impl IntoIterator<Item = &'a str>) -> Counts {
        let mut c = Counts::default();
        for sev in severities {
            match sev {
                severity::ERROR => c.errors += 1,
                severity::WARNING => c.warnings += 1,
                _ => c.notes += 1,
            }
        }
        c
    }

    /// "0 errors, 74 warnings, 1 note": the counts as one English phrase, each noun agreeing
    /// with its number.
    pub fn phrase(&self) -> String {
        use crate::i18n::count;
        format!(
            "{}, {}, {}",
            count(self.errors, "error", "errors"),
            count(self.warnings, "warning", "warnings"),
            count(self.notes, "note", "notes")
        )
    }

    /// Counts a list of pre-flight warnings.
    pub fn of_warnings(warnings: &[PreflightWarning]) -> Counts {
        Counts::of(warnings.iter().map(|w| w.severity.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalize_orders_errors_first_and_digest_follows_the_list() {
        let a = warning(severity::INFO, codes::TOPIC_DROPPED, "3 rooms", "x".into());
        let b = warning(severity::ERROR, codes::NAME_TOO_LONG, "Room", "y".into());
        let c = warning(severity::WARNING, codes::OVERWRITE, "room: A", "z".into());
        let v = finalize(vec![a.clone(), b.clone(), c.clone(), a.clone()]);
        assert_eq!(v, [b.clone(), c.clone(), a.clone()]);
        let d1 = digest("pkg", &v);
        assert_eq!(
            d1,
            digest("pkg", &finalize(vec![c.clone(), a.clone(), b.clone()]))
        );
        assert_ne!(d1, digest("other", &v));
        assert_ne!(d1, digest("pkg", &v[..2]));
        // no ambiguity by concatenation between fields
        let x = warning("w", "ab", "c", String::new());
        let y = warning("w", "a", "bc", String::new());
        assert_ne!(digest("p", &[x]), digest("p", &[y]));
        assert_eq!(count(&v, severity::ERROR), 1);
    }
}
