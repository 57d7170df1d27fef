//! Coexistence: who can reach which chat pool right now, and why not.
//!
//! During a migration up to three kinds of chat pool run side by side (OCS 2007 R2 Group
//! Chat, Lync Server 2010 Group Chat, Lync Server 2013 Persistent Chat). Which client reaches
//! which is the table of migration.md §2, kept as data in [`rules::RULES`] with the source
//! page and standing (documented, inferred, contradicted, not found) of every cell. The
//! functions here apply it to the profile's users and client populations and the facts the
//! profile holds (home pools, Persistent Chat policy, Lookup Server URIs, the legacy endpoint
//! and the `ocschat@` user), and, when the live monitor supplies it, each pool's health.
//!
//! Where Microsoft's documents disagree the verdict is [`Reach::Contradicted`] and cites
//! every side; where a fact is missing it is [`Reach::Unknown`] and says which. Nothing here
//! guesses.
//!
//! Pure code: no I/O, no clock.

pub mod rules;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::deployment::{ClientPopulation, Pool, PoolKind, Profile, User, normalize_sip};

pub use crate::deployment::ClientKind;
pub use rules::{Basis, CHAT_POOL_KINDS, Claim, Cond, Condition, RULES, Rule, rule};

/// Can the client reach the pool?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Yes: the documents say so and every condition holds.
    Yes,
    /// No: the documents say not, or a condition fails, or the pool is down.
    No,
    /// The documents disagree (the reasons cite each side).
    Contradicted,
    /// A fact is missing (the reasons say which), or the documents are silent.
    Unknown,
}

/// The standing of one reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// Stated in the cited page.
    Documented,
    /// Our inference from documented facts.
    Inferred,
    /// Not found: in the documents, or (source `profile`) in the profile.
    NotFound,
    /// Observed: a probe or the live monitor found it.
    Observed,
}

/// One reason behind a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The reason in the admin's words.
    pub text: String,
    /// Where it comes from: a page (migration.md §0 short names), `profile`, or
    /// `live monitor`.
    pub source: String,
    /// Its standing.
    pub fact: Fact,
}

impl Reason {
    fn new(text: impl Into<String>, source: impl Into<String>, fact: Fact) -> Self {
        Self {
            text: text.into(),
            source: source.into(),
            fact,
        }
    }
}

/// The verdict for one chat pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoolVerdict {
    /// Pool FQDN.
    pub pool_fqdn: String,
    /// Pool kind.
    pub kind: PoolKind,
    /// The answer.
    pub reachable: Reach,
    /// Why: the table's cell first, then each condition, then health.
    pub reasons: Vec<Reason>,
}

/// The verdict for one user or client population, for every chat pool of the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The user's SIP URI, or the population's label.
    pub user: String,
    /// The client (`None` when the profile does not say).
    pub client: Option<ClientKind>,
    /// 1 for a user; the population's size.
    pub count: u32,
    /// True for a client population.
    pub population: bool,
    /// Legacy clients: the Lookup Server URI used (stated or derived).
    pub lookup_uri: Option<String>,
    /// One entry per chat pool, in profile order.
    pub per_pool: Vec<PoolVerdict>,
}

impl Verdict {
    /// The entry for one pool.
    pub fn pool(&self, fqdn: &str) -> Option<&PoolVerdict> {
        self.per_pool
            .iter()
            .find(|p| p.pool_fqdn.eq_ignore_ascii_case(fqdn))
    }

    /// FQDNs of the pools reached (`Reach::Yes`).
    pub fn reachable_pools(&self) -> Vec<&str> {
        self.per_pool
            .iter()
            .filter(|p| p.reachable == Reach::Yes)
            .map(|p| p.pool_fqdn.as_str())
            .collect()
    }
}

/// A pool's health as the live monitor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum PoolHealth {
    /// Answering.
    Up,
    /// Answering, with problems (some servers or ports down).
    Degraded {
        /// When it was last probed.
        last_probe: Option<DateTime<Utc>>,
        /// What the probe found.
        detail: String,
    },
    /// Not answering.
    Down {
        /// When it was last probed.
        last_probe: Option<DateTime<Utc>>,
        /// What the probe found.
        detail: String,
    },
    /// Not probed (yet).
    Unknown,
}

/// The monitor's view, by pool FQDN.
pub type HealthFn<'a> = &'a dyn Fn(&str) -> PoolHealth;

/// Who a verdict is for: a user or a client population, in common terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject<'a> {
    /// SIP URI or population label.
    pub label: String,
    /// SIP URI (users only).
    pub sip: Option<&'a str>,
    /// The client.
    pub client: Option<ClientKind>,
    /// Home (registrar) pool FQDN.
    pub home_pool: Option<&'a str>,
    /// Whether a Persistent Chat policy enables them.
    pub pchat_policy: bool,
    /// Legacy clients: LookupServerUri, when stated.
    pub lookup_uri: Option<&'a str>,
    /// How many users.
    pub count: u32,
    /// True for a population.
    pub population: bool,
}

impl<'a> Subject<'a> {
    /// A single user.
    pub fn from_user(u: &'a User) -> Self {
        Self {
            label: u.sip.clone(),
            sip: Some(&u.sip),
            client: u.client,
            home_pool: Some(u.pool.as_str()).filter(|p| !p.is_empty()),
            pchat_policy: u.pchat_policy,
            lookup_uri: u.lookup_uri.as_deref(),
            count: 1,
            population: false,
        }
    }

    /// A client population.
    pub fn from_population(c: &'a ClientPopulation) -> Self {
        Self {
            label: c.label(),
            sip: None,
            client: Some(c.kind),
            home_pool: c.pool.as_deref(),
            pchat_policy: c.pchat_policy,
            lookup_uri: c.lookup_uri.as_deref(),
            count: c.count,
            population: true,
        }
    }
}

/// The source name for facts read from the profile.
pub const PROFILE: &str = "profile";
/// The source name for the live monitor's observations.
pub const MONITOR: &str = "live monitor";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    Yes,
    No,
    Unknown,
}

/// The verdict for one subject, for every chat pool of the profile.
pub fn verdict(profile: &Profile, subject: &Subject<'_>, health: Option<HealthFn<'_>>) -> Verdict {
    let lookup = subject
        .client
        .filter(|c| c.is_legacy_group_chat())
        .map(|_| effective_lookup_uri(profile, subject));
    let per_pool = profile
        .chat_pools()
        .map(|pool| pool_verdict(profile, subject, pool, lookup.as_ref(), health))
        .collect();
    Verdict {
        user: subject.label.clone(),
        client: subject.client,
        count: subject.count,
        population: subject.population,
        lookup_uri: lookup.map(|(uri, _)| uri),
        per_pool,
    }
}

/// Verdicts for every user, then every client population.
pub fn verdicts(profile: &Profile, health: Option<HealthFn<'_>>) -> Vec<Verdict> {
    profile
        .users
        .iter()
        .map(Subject::from_user)
        .chain(profile.clients.iter().map(Subject::from_population))
        .map(|s| verdict(profile, &s, health))
        .collect()
}

/// The verdict for the user with this SIP URI (with or without `sip:`, any case).
pub fn lookup(profile: &Profile, sip_uri: &str) -> Option<Verdict> {
    lookup_with_health(profile, sip_uri, None)
}

/// [`lookup`] with the live monitor's view.
pub fn lookup_with_health(
    profile: &Profile,
    sip_uri: &str,
    health: Option<HealthFn<'_>>,
) -> Option<Verdict> {
    let want = normalize_sip(sip_uri);
    profile
        .users
        .iter()
        .find(|u| normalize_sip(&u.sip) == want)
        .map(|u| verdict(profile, &Subject::from_user(u), health))
}

/// The Lookup Server URI a legacy client uses, and the reason when it was derived.
fn effective_lookup_uri(profile: &Profile, s: &Subject<'_>) -> (String, Option<Reason>) {
    if let Some(u) = s.lookup_uri.filter(|u| !u.trim().is_empty()) {
        return (normalize_sip(u), None);
    }
    let domain = s
        .sip
        .and_then(|sip| sip.rsplit_once('@').map(|(_, d)| d.to_string()))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| profile.sip_domain.clone());
    let uri = normalize_sip(&format!("ocschat@{domain}"));
    let reason = Reason::new(
        format!(
            "LookupServerUri not stated: without the Group Policy the client derives it from the \
             user's SIP domain; taken as the default Lookup Server user {uri}"
        ),
        format!("{}; {}", rules::src::GPO, rules::src::BACKCOMPAT),
        Fact::Inferred,
    );
    (uri, Some(reason))
}

fn pool_verdict(
    profile: &Profile,
    s: &Subject<'_>,
    pool: &Pool,
    lookup: Option<&(String, Option<Reason>)>,
    health: Option<HealthFn<'_>>,
) -> PoolVerdict {
    let mut reasons = Vec::new();
    let Some(client) = s.client else {
        reasons.push(Reason::new(
            format!(
                "the profile does not say which client {} runs; set client (see docs/profile.md)",
                s.label
            ),
            PROFILE,
            Fact::NotFound,
        ));
        return PoolVerdict {
            pool_fqdn: pool.fqdn.clone(),
            kind: pool.kind,
            reachable: Reach::Unknown,
            reasons,
        };
    };
    let Some(rule) = rules::rule(client, pool.kind) else {
        // chat_pools() only yields kinds the table covers; keep the answer honest anyway
        reasons.push(Reason::new(
            format!("no rule for {client} against {}", pool.kind.product_name()),
            "migration.md §2",
            Fact::NotFound,
        ));
        return PoolVerdict {
            pool_fqdn: pool.fqdn.clone(),
            kind: pool.kind,
            reachable: Reach::Unknown,
            reasons,
        };
    };
    reasons.push(Reason::new(
        format!(
            "{client} → {}: {} ({})",
            pool.kind.product_name(),
            reach_word(rule.reach),
            rule.summary
        ),
        rule.sources.join("; "),
        match rule.basis {
            Basis::Documented | Basis::Contradicted => Fact::Documented,
            Basis::Inferred => Fact::Inferred,
            Basis::NotFound => Fact::NotFound,
        },
    ));
    for c in rule.claims {
        reasons.push(Reason::new(
            format!("{} says: {}", c.source, c.says),
            c.source,
            Fact::Documented,
        ));
    }
    let mut any_fails = false;
    let mut any_unknown = false;
    for cond in rule.conditions {
        let (holds, mut rs) = match cond.condition {
            Condition::HomedOnLync2013 => homed_on_2013(profile, s, cond),
            Condition::PersistentChatPolicy => policy(s, cond),
            Condition::LookupLeadsHere => {
                let (uri, derived) = match lookup {
                    Some((u, d)) => (u.clone(), d.clone()),
                    None => effective_lookup_uri(profile, s),
                };
                if let Some(d) = derived {
                    reasons.push(d);
                }
                lookup_leads_here(profile, &uri, pool, cond)
            }
        };
        reasons.append(&mut rs);
        match holds {
            Holds::Yes => {}
            Holds::No => any_fails = true,
            Holds::Unknown => any_unknown = true,
        }
    }
    // a failing condition says no; a missing fact says not known (even on a contradicted
    // cell: the route itself may not exist); otherwise the table's answer
    let mut reachable = if any_fails {
        Reach::No
    } else {
        match rule.reach {
            Reach::Yes | Reach::Contradicted if any_unknown => Reach::Unknown,
            r => r,
        }
    };
    if let Some(h) = health
        && reachable != Reach::No
    {
        let mut checked: Vec<String> = Vec::new();
        let mut on_path: Vec<(&str, &str)> = vec![(pool.fqdn.as_str(), "the chat pool")];
        if let Some(hop) = pool.home_pool.as_deref() {
            on_path.push((hop, "its next-hop Front End pool"));
        }
        if !client.is_legacy_group_chat()
            && let Some(home) = s.home_pool
        {
            on_path.push((home, "the user's home pool"));
        }
        for (fqdn, role) in on_path {
            if checked.iter().any(|c| c.eq_ignore_ascii_case(fqdn)) {
                continue;
            }
            checked.push(fqdn.to_string());
            match h(fqdn) {
                PoolHealth::Down { last_probe, detail } => {
                    reasons.push(Reason::new(
                        format!(
                            "pool {fqdn} ({role}) is down (last probe {}){}",
                            probe_time(last_probe),
                            detail_suffix(&detail)
                        ),
                        MONITOR,
                        Fact::Observed,
                    ));
                    reachable = Reach::No;
                }
                PoolHealth::Degraded { last_probe, detail } => reasons.push(Reason::new(
                    format!(
                        "pool {fqdn} ({role}) is degraded (last probe {}){}",
                        probe_time(last_probe),
                        detail_suffix(&detail)
                    ),
                    MONITOR,
                    Fact::Observed,
                )),
                PoolHealth::Up | PoolHealth::Unknown => {}
            }
        }
    }
    PoolVerdict {
        pool_fqdn: pool.fqdn.clone(),
        kind: pool.kind,
        reachable,
        reasons,
    }
}

fn probe_time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "time unknown".to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

fn detail_suffix(d: &str) -> String {
    if d.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", d.trim())
    }
}

/// The word for a reach, as the reasons say it.
pub fn reach_word(r: Reach) -> &'static str {
    match r {
        Reach::Yes => "yes",
        Reach::No => "no",
        Reach::Contradicted => "the documents disagree",
        Reach::Unknown => "not known",
    }
}

fn homed_on_2013(profile: &Profile, s: &Subject<'_>, cond: &Cond) -> (Holds, Vec<Reason>) {
    let Some(home) = s.home_pool else {
        return (
            Holds::Unknown,
            vec![Reason::new(
                format!(
                    "{} is required; the profile does not say where {} is homed (set pool)",
                    cond.condition.text(),
                    s.label
                ),
                PROFILE,
                Fact::NotFound,
            )],
        );
    };
    match profile.pool_by_fqdn(home) {
        None => (
            Holds::Unknown,
            vec![Reason::new(
                format!(
                    "{} is required; home pool {home} is not in the profile, so its version is \
                     not known (add it to [[pools]])",
                    cond.condition.text()
                ),
                PROFILE,
                Fact::NotFound,
            )],
        ),
        Some(p) if p.kind == PoolKind::Lync2013FrontEnd => (
            Holds::Yes,
            vec![Reason::new(
                format!("homed on {home}, a Lync Server 2013 Front End pool (required)"),
                cond.source,
                cond.fact,
            )],
        ),
        Some(p) => (
            Holds::No,
            vec![Reason::new(
                format!(
                    "homed on {home} ({}), not on a Lync Server 2013 pool: move the user to a \
                     2013 pool first (Move-CsUser)",
                    p.kind.product_name()
                ),
                cond.source,
                cond.fact,
            )],
        ),
    }
}

fn policy(s: &Subject<'_>, cond: &Cond) -> (Holds, Vec<Reason>) {
    if s.pchat_policy {
        (
            Holds::Yes,
            vec![Reason::new(
                "a Persistent Chat policy enables the user (EnablePersistentChat = True; required)",
                cond.source,
                cond.fact,
            )],
        )
    } else {
        (
            Holds::No,
            vec![Reason::new(
                "no Persistent Chat policy enables the user (the global default is \
                 EnablePersistentChat = False): Grant-CsPersistentChatPolicy, or enable it \
                 globally (Stage 11)",
                format!("{}; {}", cond.source, rules::src::POLICY),
                cond.fact,
            )],
        )
    }
}

/// True when `uri` is a legacy Lookup Server user's URI: a legacy pool's `lookup_uri`, the
/// default `sip:ocschat@<domain>`, or any `ocschat@` address.
fn is_lookup_user_uri(profile: &Profile, uri: &str) -> bool {
    uri == normalize_sip(&profile.default_lookup_uri())
        || uri.starts_with("sip:ocschat@")
        || profile
            .chat_pools()
            .filter(|p| p.kind.is_legacy_group_chat())
            .any(|p| normalize_sip(&legacy_lookup_uri(profile, p)) == uri)
}

fn legacy_lookup_uri(profile: &Profile, p: &Pool) -> String {
    p.lookup_uri
        .clone()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| profile.default_lookup_uri())
}

fn lookup_leads_here(
    profile: &Profile,
    uri: &str,
    pool: &Pool,
    cond: &Cond,
) -> (Holds, Vec<Reason>) {
    use rules::src::{BACKCOMPAT, COEXISTENCE, DETAILS};
    let user_exists = profile.ocschat_user_exists();
    let r = |text: String, source: &str, fact: Fact| vec![Reason::new(text, source, fact)];
    if pool.kind.is_legacy_group_chat() {
        let pool_uri = normalize_sip(&legacy_lookup_uri(profile, pool));
        if uri != pool_uri {
            return (
                Holds::No,
                r(
                    format!(
                        "its Lookup Server URI is {uri}, this pool's is {pool_uri}: a legacy \
                         client talks to one pool at a time"
                    ),
                    cond.source,
                    cond.fact,
                ),
            );
        }
        return match user_exists {
            Some(false) => (
                Holds::No,
                r(
                    format!(
                        "the Lookup Server user {pool_uri} was deleted (Stage 8): this pool no \
                         longer answers at that URI"
                    ),
                    DETAILS,
                    Fact::Inferred,
                ),
            ),
            Some(true) => (
                Holds::Yes,
                r(
                    format!(
                        "points at this pool's Lookup Server user {pool_uri}, which still exists"
                    ),
                    COEXISTENCE,
                    Fact::Documented,
                ),
            ),
            None => {
                let shadow = profile.chat_pools().find(|p| {
                    p.kind == PoolKind::Lync2013PersistentChat
                        && p.legacy_endpoint.as_ref().is_some_and(|e| {
                            e.created == Some(true)
                                && normalize_sip(
                                    e.uri.as_deref().unwrap_or(&profile.default_lookup_uri()),
                                ) == pool_uri
                        })
                });
                match shadow {
                    Some(p) => (
                        Holds::Unknown,
                        r(
                            format!(
                                "the legacy endpoint on {} also carries {pool_uri}; not known \
                                 whether the ocschat@ user was deleted (set \
                                 legacy_endpoint.ocschat_user_exists)",
                                p.fqdn
                            ),
                            PROFILE,
                            Fact::NotFound,
                        ),
                    ),
                    None => (
                        Holds::Yes,
                        r(
                            format!(
                                "points at this pool's Lookup Server user {pool_uri}; the user \
                                 is taken to exist (it is deleted only in Stage 8; the profile \
                                 does not say)"
                            ),
                            DETAILS,
                            Fact::Inferred,
                        ),
                    ),
                }
            }
        };
    }
    // the Persistent Chat pool: through its legacy endpoint
    let ep = pool.legacy_endpoint.as_ref();
    let stated = ep.and_then(|e| e.uri.as_deref());
    let ep_uri = normalize_sip(stated.unwrap_or(&profile.default_lookup_uri()));
    if uri != ep_uri {
        return (
            Holds::No,
            r(
                format!(
                    "its Lookup Server URI is {uri}; this pool's legacy endpoint is {ep_uri}{}: a \
                     legacy client talks to one pool at a time",
                    if stated.is_none() {
                        " (the default; the profile names none)"
                    } else {
                        ""
                    }
                ),
                BACKCOMPAT,
                Fact::Documented,
            ),
        );
    }
    let origin = ep.map_or(String::new(), |e| {
        let by = match e.found_by {
            crate::deployment::FactOrigin::Admin => "stated by the admin",
            crate::deployment::FactOrigin::Probe => "found by a probe",
        };
        match &e.checked_at {
            Some(at) => format!(" ({by}, {at})"),
            None => format!(" ({by})"),
        }
    });
    match ep.and_then(|e| e.created) {
        Some(false) => (
            Holds::No,
            r(
                format!(
                    "no legacy endpoint {ep_uri} on this pool yet{origin}: \
                     New-CsPersistentChatEndpoint -SipAddress {ep_uri} -PersistentChatPoolFqdn \
                     {} (Stage 8)",
                    pool.fqdn
                ),
                DETAILS,
                Fact::Documented,
            ),
        ),
        None => (
            Holds::Unknown,
            r(
                format!(
                    "not known whether New-CsPersistentChatEndpoint has created {ep_uri} on this \
                     pool: check Get-CsPersistentChatEndpoint -PersistentChatPoolFqdn {} and set \
                     legacy_endpoint.created",
                    pool.fqdn
                ),
                PROFILE,
                Fact::NotFound,
            ),
        ),
        Some(true) if is_lookup_user_uri(profile, &ep_uri) => match user_exists {
            Some(false) => (
                Holds::Yes,
                r(
                    format!(
                        "the legacy endpoint carries {ep_uri} and the ocschat@ user was deleted \
                         first{origin}: legacy clients reach this pool without a client change"
                    ),
                    DETAILS,
                    Fact::Documented,
                ),
            ),
            Some(true) => (
                Holds::No,
                r(
                    format!(
                        "the ocschat@ user {ep_uri} still exists{origin}: delete it (Stage 8); \
                         an endpoint with the same SIP URI conflicts with it"
                    ),
                    DETAILS,
                    Fact::Inferred,
                ),
            ),
            None => (
                Holds::Unknown,
                r(
                    format!(
                        "the legacy endpoint carries {ep_uri}, but not known whether the \
                         ocschat@ user was deleted first (set legacy_endpoint.ocschat_user_exists)"
                    ),
                    PROFILE,
                    Fact::NotFound,
                ),
            ),
        },
        Some(true) => (
            Holds::Yes,
            r(
                format!(
                    "the legacy endpoint {ep_uri} exists{origin} and the client's \
                     LookupServerUri points at it (the manual method)"
                ),
                BACKCOMPAT,
                Fact::Documented,
            ),
        ),
    }
}

/// How many users (population members count) of one client get each answer for one pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Reach the pool.
    pub yes: u64,
    /// Do not.
    pub no: u64,
    /// The documents disagree.
    pub contradicted: u64,
    /// A fact is missing.
    pub unknown: u64,
}

impl Tally {
    fn add(&mut self, r: Reach, n: u32) {
        let n = u64::from(n);
        match r {
            Reach::Yes => self.yes += n,
            Reach::No => self.no += n,
            Reach::Contradicted => self.contradicted += n,
            Reach::Unknown => self.unknown += n,
        }
    }

    /// Everyone counted.
    pub fn total(&self) -> u64 {
        self.yes + self.no + self.contradicted + self.unknown
    }
}

/// A column of the grid: one chat pool of the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixPool {
    /// Pool FQDN.
    pub fqdn: String,
    /// Pool kind.
    pub kind: PoolKind,
    /// Product name.
    pub product: &'static str,
    /// The monitor's view, when one was given.
    pub health: Option<PoolHealth>,
}

/// One cell: the table's rule for the client against this pool's kind, and how many of the
/// profile's users and client populations with that client get each answer now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixCell {
    /// Pool FQDN (the column).
    pub pool_fqdn: String,
    /// The table's rule.
    pub rule: &'static Rule,
    /// The rule's conditions, in words.
    pub conditions: Vec<&'static str>,
    /// The profile's people with this client, by answer.
    pub tally: Tally,
}

/// One row: a client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    /// The client.
    pub client: ClientKind,
    /// Its name.
    pub label: &'static str,
    /// One cell per pool column.
    pub cells: Vec<MatrixCell>,
}

/// The client × pool grid of the coexistence screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// Columns: the chat pools of the profile.
    pub pools: Vec<MatrixPool>,
    /// Rows: every client kind, in the table's order.
    pub rows: Vec<MatrixRow>,
    /// Every user's and client population's verdict.
    pub verdicts: Vec<Verdict>,
}

/// The grid for the profile, without health.
pub fn matrix(profile: &Profile) -> Matrix {
    matrix_with_health(profile, None)
}

/// The grid for the profile, with the monitor's view of each pool.
pub fn matrix_with_health(profile: &Profile, health: Option<HealthFn<'_>>) -> Matrix {
    let verdicts = verdicts(profile, health);
    let pools: Vec<MatrixPool> = profile
        .chat_pools()
        .map(|p| MatrixPool {
            fqdn: p.fqdn.clone(),
            kind: p.kind,
            product: p.kind.product_name(),
            health: health.map(|h| h(&p.fqdn)),
        })
        .collect();
    let rows = ClientKind::ALL
        .iter()
        .map(|&client| MatrixRow {
            client,
            label: client.product_name(),
            cells: pools
                .iter()
                .filter_map(|col| {
                    let rule = rules::rule(client, col.kind)?;
                    let mut tally = Tally::default();
                    for v in verdicts.iter().filter(|v| v.client == Some(client)) {
                        if let Some(pv) = v.pool(&col.fqdn) {
                            tally.add(pv.reachable, v.count);
                        }
                    }
                    Some(MatrixCell {
                        pool_fqdn: col.fqdn.clone(),
                        rule,
                        conditions: rule.conditions.iter().map(|c| c.condition.text()).collect(),
                        tally,
                    })
                })
                .collect(),
        })
        .collect();
    Matrix {
        pools,
        rows,
        verdicts,
    }
}
