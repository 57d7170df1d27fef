//! The legacy → 2013 conversions of schemas.md §3, in one place. The import applies them to
//! the package; the verifier applies them to the legacy database to derive the expected 2013
//! state, so a documented conversion is never reported as a difference.
//!
//! | legacy | 2013 | rule |
//! |---|---|---|
//! | category tree | one level | flattened; name = parent names + own, joined by [`FLATTEN_SEPARATOR`] (root excluded) |
//! | room under a sub-category | room | name prefixed with its category's flattened name + separator |
//! | name over 256 UTF-16 units | — | refused with an error-level warning (docs: shorten before migrating) |
//! | tri-state invite/logged/filePost | category 1/0 | effective value resolved up the tree |
//! | room invite | 0 or NULL | category off ⇒ room off (warning when the room wanted it on); category on ⇒ room NULL (inherit) or 0 |
//! | room logged/filePost | NULL | the category's effective value rules (warning when the room's differed) |
//! | ScopePrincipal (allow) | tblScopePrincipal scopeIsDenied=0 | rows of the node named by scopeDefinerId |
//! | Manager on the root (and any ancestor) | Manager of every room below | root: documented; other ancestors: inferred |
//! | Member | Member | explicit rows from the room up to its roleDefinerId node |
//! | Voiced | Voiced | auditorium rooms only (2013: a normal room has no presenters) |
//! | federated principal (6, 7, 11) | disabled principal | prinDisabled=1, type 5 / 9, warning |
//! | topic | — | dropped (no 2013 column) |
//! | visibility 2/3, behavior 4/5, disabled, add-in | same | kept (NULL visibility resolved up the tree, default scope) |

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::model::{AddIn, Directory, Node, Role, enumv, ptype};

/// Separator between category names when flattening. **Inferred (schemas.md §3.1): the
/// separator is not documented**; the docs only say sub-categories are "renamed with the full
/// parent category names as a prefix".
pub const FLATTEN_SEPARATOR: &str = " - ";

/// Longest node name in 2013 (nvarchar(256), counted in UTF-16 code units) \[doc\].
pub const MAX_NAME_UNITS: usize = 256;

/// Effective value used when no node up to the root sets invite [doc: "default false"].
pub const DEFAULT_INVITE: bool = false;
/// Effective value used when no node up to the root sets logged \[inf\].
pub const DEFAULT_LOGGED: bool = true;
/// Effective value used when no node up to the root sets filePost \[inf\].
pub const DEFAULT_FILE_POST: bool = true;

pub use super::preflight::PreflightWarning;
use super::preflight::codes;

fn warn(out: &mut Vec<PreflightWarning>, severity: &str, code: &str, item: &str, message: String) {
    out.push(super::preflight::warning(severity, code, item, message));
}

/// A principal as 2013 stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetPrincipal {
    /// Legacy prinID (package-local).
    pub legacy_id: i64,
    /// prinGuid; `None` for principals of a real package that carries no GUID.
    pub guid: Option<String>,
    /// 2013 prinTypeID (federated types mapped to 5 / 9).
    pub type_id: i16,
    /// prinUri.
    pub uri: String,
    /// prinName: the common name (first RDN of the DN) \[inf\], else the display name.
    pub name: Option<String>,
    /// prinDisplayName: the legacy prinName (which held the display name) \[doc\].
    pub display_name: Option<String>,
    /// prinCompanyName.
    pub company: Option<String>,
    /// prinEmail.
    pub email: Option<String>,
    /// prinADPath.
    pub ad_path: Option<String>,
    /// prinADUserPrincipalName.
    pub upn: Option<String>,
    /// prinDisabled: 1 for disabled and for federated principals.
    pub disabled: i16,
    /// Legacy federated type.
    pub federated: bool,
    /// prinAddedOn.
    pub added_on: i64,
    /// prinUpdatedOn.
    pub updated_on: i64,
    /// prinVerifiedOn.
    pub verified_on: String,
}

/// A flattened 2013 category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetCategory {
    /// Legacy nodeID.
    pub legacy_id: i64,
    /// nodeGuid (kept; preservation undocumented \[nf\]).
    pub guid: String,
    /// Flattened name.
    pub name: String,
    /// nodeDesc.
    pub desc: String,
    /// Effective invitations.
    pub invite: bool,
    /// Effective chat history.
    pub logged: bool,
    /// Effective file uploads.
    pub file_post: bool,
    /// Allowed principals (legacy ids), scopeIsDenied = 0.
    pub scope: BTreeSet<i64>,
    /// nodeAddedBy (legacy prinID).
    pub added_by: i64,
    /// nodeAddedOn.
    pub added_on: i64,
    /// nodeUpdatedBy (legacy prinID).
    pub updated_by: i64,
    /// nodeUpdatedOn.
    pub updated_on: i64,
}

/// A 2013 room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetRoom {
    /// Legacy nodeID.
    pub legacy_id: i64,
    /// nodeGuid.
    pub guid: String,
    /// Name, prefixed when under a sub-category.
    pub name: String,
    /// nodeDesc.
    pub desc: String,
    /// Flattened category name.
    pub category: String,
    /// Legacy nodeID of the category.
    pub category_legacy_id: i64,
    /// disabled.
    pub disabled: bool,
    /// behavior (4 / 5).
    pub behavior: i16,
    /// visibility (2 / 3 / 6).
    pub visibility: i16,
    /// invite: None = inherit (NULL), Some(false) = off.
    pub invite: Option<bool>,
    /// siopID.
    pub addin: Option<String>,
    /// Managers (legacy prinIDs).
    pub managers: BTreeSet<i64>,
    /// Members (legacy prinIDs).
    pub members: BTreeSet<i64>,
    /// Presenters (legacy prinIDs).
    pub voiced: BTreeSet<i64>,
    /// nodeAddedBy (legacy prinID).
    pub added_by: i64,
    /// nodeAddedOn.
    pub added_on: i64,
    /// nodeUpdatedBy (legacy prinID).
    pub updated_by: i64,
    /// nodeUpdatedOn.
    pub updated_on: i64,
}

impl TargetRoom {
    /// Principals holding `role`.
    pub fn holders(&self, role: Role) -> &BTreeSet<i64> {
        static EMPTY: BTreeSet<i64> = BTreeSet::new();
        match role {
            Role::Manager => &self.managers,
            Role::Member => &self.members,
            Role::Voiced => &self.voiced,
            Role::Creator => &EMPTY,
        }
    }
}

/// The expected 2013 state.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Converted {
    /// Categories to create or overwrite.
    pub categories: Vec<TargetCategory>,
    /// Rooms to create or overwrite.
    pub rooms: Vec<TargetRoom>,
    /// Add-ins.
    pub addins: Vec<AddIn>,
    /// Principals (system principals left out).
    pub principals: Vec<TargetPrincipal>,
    /// Warnings and refusals.
    pub warnings: Vec<PreflightWarning>,
    /// Legacy room id → (name, reason) of rooms that will not be imported.
    pub refused_rooms: BTreeMap<i64, (String, String)>,
    /// Legacy room id → index in `rooms`.
    pub room_index: HashMap<i64, usize>,
    /// Legacy prinID → GUID.
    pub guid_by_id: HashMap<i64, String>,
}

impl Converted {
    /// The GUID of a legacy principal id.
    pub fn guid_of(&self, id: i64) -> Option<&str> {
        self.guid_by_id.get(&id).map(String::as_str)
    }

    /// The converted room of a legacy room id.
    pub fn room(&self, legacy_id: i64) -> Option<&TargetRoom> {
        self.room_index.get(&legacy_id).map(|&i| &self.rooms[i])
    }
}

/// UTF-16 length, the unit of nvarchar limits.
pub fn name_units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Marks the categories named in `scope` (matched case-insensitively on the legacy name or
/// on the flattened name) and their subtrees as in scope, keeps their ancestors (and the root)
/// as context (`in_scope = false`) and drops every other node with its roles and scopes.
/// An empty `scope` keeps everything. `-Scope` semantics: "limits the export to named
/// categories and their rooms" \[doc\].
///
/// # Errors
/// A message naming the unknown categories and listing the top-level ones.
pub fn restrict_to_scope(d: &mut Directory, scope: &[String]) -> Result<(), String> {
    if scope.is_empty() {
        return Ok(());
    }
    let tree = Tree::new(d);
    let mut selected = BTreeSet::new();
    let mut unknown = Vec::new();
    for want in scope {
        let hits: Vec<i64> = d
            .categories()
            .filter(|n| Some(n.id) != tree.root)
            .filter(|n| {
                n.name.eq_ignore_ascii_case(want.trim())
                    || tree.flat_name(n.id).eq_ignore_ascii_case(want.trim())
            })
            .map(|n| n.id)
            .collect();
        if hits.is_empty() {
            unknown.push(want.clone());
        }
        selected.extend(hits);
    }
    if !unknown.is_empty() {
        let tops: Vec<&str> = d
            .categories()
            .filter(|n| Some(n.parent_id) == tree.root && Some(n.id) != tree.root)
            .map(|n| n.name.as_str())
            .collect();
        return Err(format!(
            "-Scope names categories that do not exist: {}; top-level categories are: {}",
            unknown
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", "),
            tops.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut keep_in: BTreeSet<i64> = BTreeSet::new();
    let mut keep_ctx: BTreeSet<i64> = BTreeSet::new();
    for n in &d.nodes {
        let chain = tree.chain(n.id);
        if chain.iter().any(|id| selected.contains(id)) {
            keep_in.insert(n.id);
            keep_ctx.extend(
                chain
                    .iter()
                    .copied()
                    .filter(|id| !selected.contains(id) && !keep_in.contains(id)),
            );
        }
    }
    if let Some(r) = tree.root {
        keep_ctx.insert(r);
    }
    // ancestors of selected categories are context unless they are selected themselves
    keep_ctx.retain(|id| !keep_in.contains(id));
    d.nodes
        .retain(|n| keep_in.contains(&n.id) || (n.is_category && keep_ctx.contains(&n.id)));
    for n in &mut d.nodes {
        n.in_scope = keep_in.contains(&n.id);
    }
    let kept: BTreeSet<i64> = d.nodes.iter().map(|n| n.id).collect();
    d.roles.retain(|r| kept.contains(&r.node_id));
    d.scopes.retain(|s| kept.contains(&s.node_id));
    Ok(())
}

/// Parent links with cycle protection.
struct Tree<'a> {
    by_id: HashMap<i64, &'a Node>,
    root: Option<i64>,
}

const MAX_DEPTH: usize = 64;

impl<'a> Tree<'a> {
    fn new(d: &'a Directory) -> Tree<'a> {
        let by_id: HashMap<i64, &Node> = d.nodes.iter().map(|n| (n.id, n)).collect();
        let root = d.root_id.or_else(|| {
            d.nodes
                .iter()
                .find(|n| n.is_category && n.parent_id == n.id)
                .map(|n| n.id)
        });
        Tree { by_id, root }
    }

    fn parent(&self, id: i64) -> Option<&'a Node> {
        let n = self.by_id.get(&id)?;
        if n.parent_id == n.id {
            return None;
        }
        self.by_id.get(&n.parent_id).copied()
    }

    /// The node and its ancestors, nearest first, root included.
    fn chain(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cur = self.by_id.get(&id).copied();
        while let Some(n) = cur {
            if out.len() > MAX_DEPTH || out.contains(&n.id) {
                break;
            }
            out.push(n.id);
            cur = self.parent(n.id);
        }
        out
    }

    /// Category names from the top level down to `id`, root excluded.
    fn flat_name(&self, id: i64) -> String {
        let mut names: Vec<&str> = self
            .chain(id)
            .into_iter()
            .filter(|c| Some(*c) != self.root)
            .filter_map(|c| self.by_id.get(&c).map(|n| n.name.as_str()))
            .collect();
        names.reverse();
        names.join(FLATTEN_SEPARATOR)
    }

    /// Effective tri-state value of `field` at node `id`: when an ancestor has
    /// `inheritance` = 1, its children "must inherit" its settings \[doc\] so the highest such
    /// ancestor's effective value wins \[inf\]; otherwise the nearest non-NULL value up the tree,
    /// else `default`.
    fn effective(&self, id: i64, field: fn(&Node) -> Option<bool>, default: bool) -> bool {
        let chain = self.chain(id);
        // highest ancestor (excluding the node itself) with inheritance on
        if let Some(pos) = chain
            .iter()
            .skip(1)
            .rposition(|c| self.by_id[c].inheritance)
        {
            let forcing = chain[pos + 1];
            return self
                .chain(forcing)
                .iter()
                .find_map(|c| field(self.by_id[c]))
                .unwrap_or(default);
        }
        chain
            .iter()
            .find_map(|c| field(self.by_id[c]))
            .unwrap_or(default)
    }

    fn effective_visibility(&self, id: i64) -> i16 {
        self.chain(id)
            .iter()
            .find_map(|c| self.by_id[c].visibility)
            .unwrap_or(enumv::SCOPE)
    }
}

/// Common name of a DN: the value of its first RDN, unescaped \[inf\].
fn common_name(dn: &str) -> Option<String> {
    let first = {
        let mut end = dn.len();
        let mut esc = false;
        for (i, c) in dn.char_indices() {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == ',' {
                end = i;
                break;
            }
        }
        &dn[..end]
    };
    let (_, value) = first.split_once('=')?;
    let mut out = String::new();
    let mut esc = false;
    for c in value.chars() {
        if esc {
            out.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else {
            out.push(c);
        }
    }
    Some(out.trim().to_string()).filter(|s| !s.is_empty())
}

/// Applies every conversion to `d` (already restricted to the export's scope).
pub fn convert(d: &Directory) -> Converted {
    let tree = Tree::new(d);
    let mut out = Converted::default();
    let w = &mut out.warnings;

    // ---- principals -------------------------------------------------------------------
    let mut system: BTreeSet<i64> = BTreeSet::new();
    let mut known: BTreeSet<i64> = BTreeSet::new();
    let mut without_guid = 0usize;
    for p in &d.principals {
        if let Some(g) = &p.guid {
            out.guid_by_id.insert(p.id, g.clone());
        }
        let t = p.type_id.unwrap_or(ptype::USER);
        if t == ptype::SYSTEM_USER {
            system.insert(p.id);
            continue;
        }
        known.insert(p.id);
        let item = if p.uri.is_empty() {
            p.upn
                .clone()
                .unwrap_or_else(|| format!("principal {}", p.id))
        } else {
            p.uri.clone()
        };
        let type_id = match t {
            ptype::EXTERNAL_USER | ptype::FEDERATED_USER => ptype::USER,
            ptype::FEDERATED_GROUP => ptype::GROUP,
            other => other,
        };
        if p.federated {
            warn(
                w,
                "warning",
                codes::FEDERATED_PRINCIPAL,
                &item,
                "federated principals are not supported by Persistent Chat: imported as a disabled principal; \
                 the rooms migrate but this principal cannot reach them"
                    .into(),
            );
        }
        if p.guid.is_none() {
            without_guid += 1;
        }
        out.principals.push(TargetPrincipal {
            legacy_id: p.id,
            guid: p.guid.clone(),
            type_id,
            uri: p.uri.clone(),
            name: p
                .ad_path
                .as_deref()
                .and_then(common_name)
                .or_else(|| p.name.clone()),
            display_name: p.name.clone(),
            company: p.company.clone(),
            email: p.email.clone(),
            ad_path: p.ad_path.clone(),
            upn: p.upn.clone(),
            disabled: i16::from(p.disabled || p.federated),
            federated: p.federated,
            added_on: p.added_on,
            updated_on: p.updated_on,
            verified_on: p.verified_on.clone(),
        });
    }
    if without_guid > 0 {
        warn(
            w,
            "warning",
            codes::PRINCIPAL_WITHOUT_GUID,
            &format!("{without_guid} principals"),
            "the package gives no GUID for these principals (a package not written by this program): each is \
             matched on the target by user principal name, or left out with its roles if none matches"
                .into(),
        );
    }
    let principal_label = |id: i64| -> String {
        d.principals
            .iter()
            .find(|p| p.id == id)
            .map(|p| {
                if p.uri.is_empty() {
                    p.upn.clone().unwrap_or_default()
                } else {
                    p.uri.clone()
                }
            })
            .unwrap_or_else(|| format!("principal id {id}"))
    };

    // ---- add-ins ------------------------------------------------------------------------
    out.addins = d.addins.clone();
    let addin_ids: BTreeSet<&str> = d.addins.iter().map(|a| a.id.as_str()).collect();

    // ---- roles by node --------------------------------------------------------------------
    let mut roles: HashMap<(i64, Role), BTreeSet<i64>> = HashMap::new();
    for r in &d.roles {
        roles
            .entry((r.node_id, r.role))
            .or_default()
            .insert(r.prin_id);
    }
    let holders = |node: i64, role: Role| roles.get(&(node, role)).cloned().unwrap_or_default();
    let mut scope_rows: HashMap<i64, BTreeSet<i64>> = HashMap::new();
    for s in &d.scopes {
        scope_rows.entry(s.node_id).or_default().insert(s.prin_id);
    }

    // ---- categories -----------------------------------------------------------------------
    let mut refused_categories: BTreeMap<i64, String> = BTreeMap::new();
    let mut flat: HashMap<i64, String> = HashMap::new();
    let mut seen_names: HashMap<String, i64> = HashMap::new();
    for n in d.categories() {
        if Some(n.id) == tree.root {
            continue;
        }
        let name = tree.flat_name(n.id);
        flat.insert(n.id, name.clone());
        if !n.in_scope {
            continue;
        }
        if name_units(&name) > MAX_NAME_UNITS {
            warn(
                w,
                "error",
                codes::NAME_TOO_LONG,
                &name,
                format!(
                    "the flattened category name has {} characters, over the 2013 limit of {MAX_NAME_UNITS}: the category \
                     and its rooms are not imported; shorten the legacy names with the Group Chat Admin Tool and export again",
                    name_units(&name)
                ),
            );
            refused_categories.insert(
                n.id,
                "its category name is too long after flattening".into(),
            );
            continue;
        }
        if tree.parent(n.id).map(|p| p.id) != tree.root {
            let rooms_below = d.rooms().filter(|r| r.parent_id == n.id).count();
            warn(
                w,
                "warning",
                codes::FLATTENED_CATEGORY,
                &name,
                format!(
                    "sub-category \"{}\" is flattened into the top-level category \"{name}\" (2013 has one category \
                     level; the separator \"{FLATTEN_SEPARATOR}\" is this tool's choice); its {rooms_below} room{} get \
                     the prefix \"{name}{FLATTEN_SEPARATOR}\"; simplify the tree before exporting if that naming is unwanted",
                    n.name,
                    if rooms_below == 1 { "" } else { "s" }
                ),
            );
        }
        if let Some(prev) = seen_names.insert(name.to_lowercase(), n.id) {
            warn(
                w,
                "error",
                codes::DUPLICATE_NAME,
                &name,
                format!(
                    "two legacy categories flatten to the same name (ids {prev} and {}): the second is not imported; rename one and export again",
                    n.id
                ),
            );
            refused_categories.insert(n.id, "its category name clashes after flattening".into());
            continue;
        }
        // scope: the rows of the node named by scopeDefinerId, else the nearest ancestor with rows
        let definer = if scope_rows.contains_key(&n.scope_definer_id) {
            Some(n.scope_definer_id)
        } else {
            tree.chain(n.id)
                .into_iter()
                .find(|c| scope_rows.contains_key(c))
        };
        let mut scope = definer
            .and_then(|c| scope_rows.get(&c))
            .cloned()
            .unwrap_or_default();
        scope.retain(|p| !system.contains(p));
        for p in scope.clone() {
            if !known.contains(&p) {
                warn(
                    w,
                    "warning",
                    codes::PRINCIPAL_UNKNOWN,
                    &name,
                    format!("scope principal id {p} is not in the package; left out"),
                );
                scope.remove(&p);
            }
        }
        out.categories.push(TargetCategory {
            legacy_id: n.id,
            guid: n.guid.clone(),
            desc: n.desc.clone(),
            invite: tree.effective(n.id, |x| x.invite, DEFAULT_INVITE),
            logged: tree.effective(n.id, |x| x.logged, DEFAULT_LOGGED),
            file_post: tree.effective(n.id, |x| x.file_post, DEFAULT_FILE_POST),
            scope,
            added_by: n.added_by,
            added_on: n.added_on,
            updated_by: n.updated_by,
            updated_on: n.updated_on,
            name,
        });
    }
    let category_by_id: HashMap<i64, usize> = out
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.legacy_id, i))
        .collect();

    // ---- rooms -------------------------------------------------------------------------------
    let mut topics = 0usize;
    let mut room_names: HashMap<String, i64> = HashMap::new();
    for n in d.rooms() {
        let refuse = |out_w: &mut Vec<PreflightWarning>,
                      refused: &mut BTreeMap<i64, (String, String)>,
                      code: &str,
                      item: &str,
                      msg: String| {
            warn(out_w, "error", code, item, msg.clone());
            refused.insert(n.id, (item.to_string(), msg));
        };
        let parent = tree
            .by_id
            .get(&n.parent_id)
            .copied()
            .filter(|p| p.is_category && Some(p.id) != tree.root);
        let Some(parent) = parent else {
            refuse(
                w,
                &mut out.refused_rooms,
                codes::ROOM_WITHOUT_CATEGORY,
                &n.name,
                "the room has no category in the package (2013 rooms must belong to a category): not imported; \
                 use a package written with categories (-Level All or RoomDirectory)"
                    .into(),
            );
            continue;
        };
        if let Some(why) = refused_categories.get(&parent.id) {
            refuse(
                w,
                &mut out.refused_rooms,
                codes::CATEGORY_REFUSED,
                &n.name,
                format!("not imported because {why}"),
            );
            continue;
        }
        let Some(&cat_idx) = category_by_id.get(&parent.id) else {
            refuse(
                w,
                &mut out.refused_rooms,
                codes::CATEGORY_NOT_EXPORTED,
                &n.name,
                "the room's category was not part of the export: not imported".into(),
            );
            continue;
        };
        let cat_name = flat[&parent.id].clone();
        let top_level = tree.parent(parent.id).map(|p| p.id) == tree.root;
        let name = if top_level {
            n.name.clone()
        } else {
            format!("{cat_name}{FLATTEN_SEPARATOR}{}", n.name)
        };
        if name_units(&name) > MAX_NAME_UNITS {
            refuse(
                w,
                &mut out.refused_rooms,
                codes::NAME_TOO_LONG,
                &name,
                format!(
                    "with its category prefix the room name has {} characters, over the 2013 limit of {MAX_NAME_UNITS}: \
                     not imported; shorten the room or category names with the Group Chat Admin Tool and export again",
                    name_units(&name)
                ),
            );
            continue;
        }
        if let Some(prev) = room_names.insert(name.to_lowercase(), n.id) {
            refuse(
                w,
                &mut out.refused_rooms,
                codes::DUPLICATE_NAME,
                &name,
                format!(
                    "another room (legacy id {prev}) has the same 2013 name: this one is not imported; rename one and export again"
                ),
            );
            continue;
        }
        if !n.topic.is_empty() {
            topics += 1;
        }
        let cat = &out.categories[cat_idx];
        // invitations
        let room_eff = tree.effective(n.id, |x| x.invite, DEFAULT_INVITE);
        let invite = if !cat.invite {
            if room_eff {
                warn(
                    w,
                    "warning",
                    codes::INVITE_FORCED_OFF,
                    &name,
                    format!(
                        "the room has invitations on but its category \"{}\" has them off: 2013 forces the room off \
                         (fix the legacy setting before migrating if invitations are wanted)",
                        cat.name
                    ),
                );
            }
            Some(false)
        } else if room_eff {
            None
        } else {
            Some(false)
        };
        let room_logged = tree.effective(n.id, |x| x.logged, DEFAULT_LOGGED);
        let room_file_post = tree.effective(n.id, |x| x.file_post, DEFAULT_FILE_POST);
        for (code, what, eff, cat_value) in [
            (
                codes::ROOM_HISTORY_SETTING,
                "chat history",
                room_logged,
                cat.logged,
            ),
            (
                codes::ROOM_FILE_POST_SETTING,
                "file posting",
                room_file_post,
                cat.file_post,
            ),
        ] {
            if eff != cat_value {
                warn(
                    w,
                    "warning",
                    code,
                    &name,
                    format!(
                        "the room had {what} {} but 2013 sets it per category only: the room follows \"{}\" ({})",
                        if eff { "on" } else { "off" },
                        cat.name,
                        if cat_value { "on" } else { "off" }
                    ),
                );
            }
        }
        // roles
        let chain = tree.chain(n.id);
        let mut managers = BTreeSet::new();
        for c in &chain {
            managers.extend(holders(*c, Role::Manager));
        }
        let mut members = BTreeSet::new();
        for c in &chain {
            members.extend(holders(*c, Role::Member));
            if *c == n.role_definer_id {
                break;
            }
            if !chain.contains(&n.role_definer_id) {
                break; // definer not above the room: explicit members only
            }
        }
        let mut voiced = holders(n.id, Role::Voiced);
        if n.behavior != enumv::AUDITORIUM && !voiced.is_empty() {
            warn(
                w,
                "warning",
                codes::VOICED_IN_NORMAL_ROOM,
                &name,
                format!(
                    "{} presenters dropped: in 2013 only auditorium rooms have presenters",
                    voiced.len()
                ),
            );
            voiced.clear();
        }
        if !holders(n.id, Role::Creator).is_empty() {
            warn(
                w,
                "warning",
                codes::CREATOR_ON_ROOM,
                &name,
                "room-level Creator roles have no 2013 equivalent: dropped".into(),
            );
        }
        for set in [&mut managers, &mut members, &mut voiced] {
            set.retain(|p| !system.contains(p));
            let unknown: Vec<i64> = set.iter().copied().filter(|p| !known.contains(p)).collect();
            for p in unknown {
                warn(
                    w,
                    "warning",
                    codes::PRINCIPAL_UNKNOWN,
                    &name,
                    format!(
                        "role holder {} is not in the package; left out",
                        principal_label(p)
                    ),
                );
                set.remove(&p);
            }
        }
        let addin = match &n.siop_id {
            Some(s) if addin_ids.contains(s.as_str()) => Some(s.clone()),
            Some(s) => {
                warn(
                    w,
                    "warning",
                    codes::ADDIN_MISSING,
                    &name,
                    format!("add-in {s} is not in the package: the room gets none"),
                );
                None
            }
            None => None,
        };
        out.room_index.insert(n.id, out.rooms.len());
        out.rooms.push(TargetRoom {
            legacy_id: n.id,
            guid: n.guid.clone(),
            desc: n.desc.clone(),
            category: cat_name,
            category_legacy_id: parent.id,
            disabled: n.disabled,
            behavior: n.behavior,
            visibility: n
                .visibility
                .unwrap_or_else(|| tree.effective_visibility(n.id)),
            invite,
            addin,
            managers,
            members,
            voiced,
            added_by: n.added_by,
            added_on: n.added_on,
            updated_by: n.updated_by,
            updated_on: n.updated_on,
            name,
        });
    }
    // managers of the root category manage every room after the import [doc]
    if let Some(root) = tree.root {
        let rooms = out.rooms.len();
        for p in holders(root, Role::Manager) {
            if system.contains(&p) {
                continue;
            }
            warn(
                w,
                "warning",
                codes::ROOT_MANAGER,
                &principal_label(p),
                format!(
                    "manager of the root category: becomes a manager of every imported room ({rooms}); remove the \
                     principal from the root category's managers with the Group Chat Admin Tool before exporting if \
                     that is not wanted"
                ),
            );
        }
    }
    if topics > 0 {
        warn(
            w,
            "info",
            codes::TOPIC_DROPPED,
            &format!("{topics} rooms"),
            "2013 rooms have no topic (only a description): room topics are not imported".into(),
        );
    }
    out
}

/// One `file-posts` warning per imported room whose content holds `ma-filelink:` posts:
/// the tools do not move the files themselves [doc, migration.md Stage 7].
pub(crate) fn file_post_warnings(
    conv: &Converted,
    stats: &super::package::ContentStats,
) -> Vec<PreflightWarning> {
    let mut out = Vec::new();
    for (room_id, &n) in &stats.file_posts {
        if n == 0 {
            continue;
        }
        let name = conv
            .room(*room_id)
            .map(|r| r.name.clone())
            .or_else(|| conv.refused_rooms.get(room_id).map(|r| r.0.clone()))
            .unwrap_or_else(|| format!("room id {room_id}"));
        out.push(super::preflight::warning(
            super::preflight::severity::WARNING,
            codes::FILE_POSTS,
            &name,
            format!(
                "{n} posted file{} (ma-filelink:) in this room: the import carries the links, not the files; \
                 copy the whole legacy file store folder to the Persistent Chat file store (XCOPY) or the links break",
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chatdata::model::*;

    fn node(id: i64, parent: i64, cat: bool, name: &str) -> Node {
        Node {
            id,
            guid: format!("G{id}"),
            parent_id: parent,
            is_category: cat,
            name: name.into(),
            behavior: enumv::NORMAL,
            scope_definer_id: id,
            role_definer_id: 1,
            in_scope: true,
            ..Node::default()
        }
    }

    fn user(id: i64, t: i16) -> Principal {
        Principal {
            id,
            guid: Some(format!("P{id}")),
            type_id: Some(t),
            federated: ptype::is_federated(t),
            uri: format!("sip:u{id}@contoso.lab"),
            ad_path: Some(format!("CN=User\\, {id},OU=x,DC=contoso")),
            name: Some(format!("Display {id}")),
            ..Principal::default()
        }
    }

    /// Root(1) > Eng(2) > Platform(3) > Tools(4); rooms: A(10) in Eng, B(11) in Platform, C(12) in Tools
    fn tree() -> Directory {
        let mut root = node(1, 1, true, "Root");
        root.invite = Some(true);
        root.logged = Some(true);
        root.file_post = Some(false);
        Directory {
            root_id: Some(1),
            principals: vec![
                user(1, ptype::SYSTEM_USER),
                user(20, ptype::USER),
                user(21, ptype::USER),
                user(22, ptype::FEDERATED_USER),
            ],
            nodes: vec![
                root,
                node(2, 1, true, "Eng"),
                node(3, 2, true, "Platform"),
                node(4, 3, true, "Tools"),
                node(10, 2, false, "A"),
                node(11, 3, false, "B"),
                node(12, 4, false, "C"),
            ],
            roles: vec![RoleAssignment {
                node_id: 1,
                prin_id: 20,
                role: Role::Manager,
            }],
            ..Directory::default()
        }
    }

    fn node_mut(d: &mut Directory, id: i64) -> &mut Node {
        d.nodes.iter_mut().find(|n| n.id == id).unwrap()
    }

    #[test]
    fn categories_flatten_with_parent_prefix_and_rooms_under_subcategories_get_it() {
        let c = convert(&tree());
        let names: Vec<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Eng", "Eng - Platform", "Eng - Platform - Tools"]);
        let rooms: Vec<(&str, &str)> = c
            .rooms
            .iter()
            .map(|r| (r.name.as_str(), r.category.as_str()))
            .collect();
        assert_eq!(
            rooms,
            [
                ("A", "Eng"),
                ("Eng - Platform - B", "Eng - Platform"),
                ("Eng - Platform - Tools - C", "Eng - Platform - Tools")
            ]
        );
    }

    #[test]
    fn effective_tri_state_resolves_up_the_tree_and_honours_inheritance() {
        let mut d = tree();
        node_mut(&mut d, 3).file_post = Some(true);
        node_mut(&mut d, 4).logged = Some(false);
        let c = convert(&d);
        let get = |n: &str| c.categories.iter().find(|c| c.name == n).unwrap().clone();
        assert!(!get("Eng").file_post, "inherited from the root");
        assert!(get("Eng - Platform").file_post, "own value");
        assert!(
            get("Eng - Platform - Tools").file_post,
            "inherited from Platform"
        );
        assert!(!get("Eng - Platform - Tools").logged);
        assert!(get("Eng - Platform").logged);
        // Eng forces inheritance: its descendants take Eng's effective values
        node_mut(&mut d, 2).inheritance = true;
        let c = convert(&d);
        let get = |n: &str| c.categories.iter().find(|c| c.name == n).unwrap().clone();
        assert!(!get("Eng - Platform").file_post);
        assert!(get("Eng - Platform - Tools").logged);
        // nothing set anywhere: documented / chosen defaults
        let mut bare = tree();
        for n in &mut bare.nodes {
            n.invite = None;
            n.logged = None;
            n.file_post = None;
        }
        let c = convert(&bare);
        assert_eq!(
            (
                c.categories[0].invite,
                c.categories[0].logged,
                c.categories[0].file_post
            ),
            (DEFAULT_INVITE, DEFAULT_LOGGED, DEFAULT_FILE_POST)
        );
    }

    #[test]
    fn invitation_on_under_a_category_that_has_it_off_is_forced_off_with_a_warning() {
        let mut d = tree();
        node_mut(&mut d, 3).invite = Some(false);
        node_mut(&mut d, 11).invite = Some(true);
        node_mut(&mut d, 10).invite = Some(false);
        let c = convert(&d);
        let room = |n: &str| {
            c.rooms
                .iter()
                .find(|r| r.name.ends_with(n))
                .unwrap()
                .clone()
        };
        assert_eq!(room("B").invite, Some(false));
        assert_eq!(room("A").invite, Some(false), "explicit off stays off");
        assert_eq!(
            room("C").invite,
            Some(false),
            "category Tools inherits off from Platform"
        );
        let forced: Vec<&PreflightWarning> = c
            .warnings
            .iter()
            .filter(|w| w.code == codes::INVITE_FORCED_OFF)
            .collect();
        assert_eq!(forced.len(), 1, "{:?}", c.warnings);
        assert_eq!(forced[0].item, "Eng - Platform - B");
        // category on, room inherits → NULL
        let c = convert(&tree());
        assert_eq!(c.rooms[0].invite, None);
    }

    #[test]
    fn root_managers_become_managers_of_every_room_and_members_follow_the_role_definer() {
        let mut d = tree();
        d.roles.push(RoleAssignment {
            node_id: 3,
            prin_id: 21,
            role: Role::Member,
        });
        d.roles.push(RoleAssignment {
            node_id: 11,
            prin_id: 22,
            role: Role::Member,
        });
        node_mut(&mut d, 11).role_definer_id = 3; // B's member list starts at Platform
        node_mut(&mut d, 12).role_definer_id = 12; // C restarts its own list
        let c = convert(&d);
        for r in &c.rooms {
            assert!(
                r.managers.contains(&20),
                "{} lacks the root manager",
                r.name
            );
        }
        let b = c.rooms.iter().find(|r| r.name.ends_with("B")).unwrap();
        assert_eq!(b.members, BTreeSet::from([21, 22]));
        let cc = c.rooms.iter().find(|r| r.name.ends_with("C")).unwrap();
        assert!(cc.members.is_empty());
    }

    #[test]
    fn over_long_names_are_refused_not_truncated() {
        let mut d = tree();
        node_mut(&mut d, 12).name = "x".repeat(240); // + "Eng - Platform - Tools - " > 256
        let c = convert(&d);
        assert!(c.rooms.iter().all(|r| r.legacy_id != 12));
        assert!(c.refused_rooms.contains_key(&12));
        let w = c
            .warnings
            .iter()
            .find(|w| w.code == codes::NAME_TOO_LONG)
            .unwrap();
        assert_eq!(w.severity, "error");
        // exactly 256 UTF-16 units is fine; emoji count twice
        let mut d = tree();
        node_mut(&mut d, 10).name = "😀".repeat(128);
        assert!(convert(&d).room(10).is_some());
        node_mut(&mut d, 10).name = "😀".repeat(129);
        assert!(convert(&d).room(10).is_none());
    }

    #[test]
    fn federated_principals_become_disabled_and_voiced_needs_an_auditorium() {
        let mut d = tree();
        d.roles.push(RoleAssignment {
            node_id: 10,
            prin_id: 21,
            role: Role::Voiced,
        });
        let c = convert(&d);
        let fed = c.principals.iter().find(|p| p.legacy_id == 22).unwrap();
        assert_eq!((fed.disabled, fed.type_id), (1, ptype::USER));
        assert!(
            c.warnings
                .iter()
                .any(|w| w.code == codes::FEDERATED_PRINCIPAL)
        );
        assert!(
            c.principals.iter().all(|p| p.legacy_id != 1),
            "system user left out"
        );
        let u = c.principals.iter().find(|p| p.legacy_id == 20).unwrap();
        assert_eq!(u.name.as_deref(), Some("User, 20"));
        assert_eq!(u.display_name.as_deref(), Some("Display 20"));
        assert!(c.room(10).unwrap().voiced.is_empty());
        assert!(
            c.warnings
                .iter()
                .any(|w| w.code == codes::VOICED_IN_NORMAL_ROOM)
        );
        node_mut(&mut d, 10).behavior = enumv::AUDITORIUM;
        assert_eq!(convert(&d).room(10).unwrap().voiced, BTreeSet::from([21]));
    }

    #[test]
    fn scope_comes_from_the_scope_definer() {
        let mut d = tree();
        d.principals.push(user(30, ptype::GROUP));
        d.scopes.push(ScopeEntry {
            node_id: 2,
            prin_id: 30,
        });
        node_mut(&mut d, 3).scope_definer_id = 2;
        let c = convert(&d);
        for cat in &c.categories {
            assert_eq!(cat.scope, BTreeSet::from([30]), "{}", cat.name);
        }
    }

    #[test]
    fn restrict_to_scope_keeps_subtree_and_ancestors_as_context() {
        let mut d = tree();
        restrict_to_scope(&mut d, &["platform".into()]).unwrap();
        let ids: Vec<(i64, bool)> = d.nodes.iter().map(|n| (n.id, n.in_scope)).collect();
        assert_eq!(
            ids,
            [
                (1, false),
                (2, false),
                (3, true),
                (4, true),
                (11, true),
                (12, true)
            ]
        );
        let c = convert(&d);
        assert_eq!(
            c.categories
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["Eng - Platform", "Eng - Platform - Tools"]
        );
        assert!(
            c.rooms.iter().all(|r| r.managers.contains(&20)),
            "root managers kept through the context root"
        );
        let mut d = tree();
        let e = restrict_to_scope(&mut d, &["Nope".into()]).unwrap_err();
        assert!(e.contains("\"Nope\"") && e.contains("\"Eng\""), "{e}");
    }
}
