//! The coexistence rules: every cell of migration.md §2's table (client × chat pool kind, with
//! its conditions met and, where it has conditions, with each one failing), the documented
//! contradiction, users not homed on 2013, policy off, legacy clients with the endpoint
//! missing or the `ocschat@` user still present, one pool at a time, health, the grid and
//! lookup. Also checks the table against migration.md itself when `../shared` is present.

use std::path::Path;

use pchat_migrate::coexistence::{
    self, Basis, ClientKind, Fact, PoolHealth, RULES, Reach, Subject, Verdict, lookup, matrix,
    matrix_with_health, rule, verdict, verdicts,
};
use pchat_migrate::deployment::{PoolKind, Profile, User};

#[path = "common/external.rs"]
mod external;

const DOMAIN_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/domain/migration.md");

const GC: &str = "gcpool.contoso.com";
const PCHAT: &str = "pchatpool.contoso.com";
const FE13: &str = "lyncpool.contoso.com";
const FE10: &str = "lync2010pool.contoso.com";

/// A profile with a 2013 Front End, a 2010 Front End, one legacy Group Chat pool of
/// `legacy_kind` and a Persistent Chat pool with the `endpoint` line (may be empty).
fn profile(legacy_kind: &str, endpoint: &str, users: &str) -> Profile {
    // a legacy pool is homed on a Front End of its own version (coexistence considerations)
    let legacy_home = if legacy_kind == "ocs2007r2-groupchat" {
        "ocs2007pool.contoso.com"
    } else {
        FE10
    };
    let text = format!(
        r#"name = "coexistence test"
kind = "production"
sip_domain = "contoso.com"

[[pools]]
id = "fe2013"
kind = "lync2013-frontend"
fqdn = "{FE13}"

[[pools]]
id = "fe2010"
kind = "lync2010-frontend"
fqdn = "{FE10}"

[[pools]]
id = "fe2007"
kind = "ocs2007r2-frontend"
fqdn = "ocs2007pool.contoso.com"

[[pools]]
id = "legacy"
kind = "{legacy_kind}"
fqdn = "{GC}"
lookup_uri = "sip:ocschat@contoso.com"
home_pool = "{legacy_home}"

[[pools]]
id = "pchat"
kind = "lync2013-persistentchat"
fqdn = "{PCHAT}"
home_pool = "{FE13}"
{endpoint}

[migration]

{users}
"#
    );
    Profile::parse(&text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Before Stage 8: no endpoint yet, the ocschat@ user exists.
const BEFORE_STAGE8: &str = "legacy_endpoint = { created = false, ocschat_user_exists = true }";
/// After Stage 8 done right: user deleted, endpoint created with the same URI.
const AFTER_STAGE8: &str = "legacy_endpoint = { created = true, ocschat_user_exists = false }";

fn user(client: ClientKind, home: &str, policy: bool) -> User {
    User {
        sip: "sip:alice@contoso.com".into(),
        pool: home.into(),
        pchat_policy: policy,
        client: Some(client),
        lookup_uri: None,
    }
}

fn judge(p: &Profile, u: &User) -> Verdict {
    verdict(p, &Subject::from_user(u), None)
}

fn cell<'a>(v: &'a Verdict, fqdn: &str) -> &'a coexistence::PoolVerdict {
    v.pool(fqdn)
        .unwrap_or_else(|| panic!("no {fqdn} in {v:#?}"))
}

fn has_reason(pv: &coexistence::PoolVerdict, needle: &str) -> bool {
    pv.reasons.iter().any(|r| r.text.contains(needle))
}

use ClientKind as C;
use PoolKind as P;

/// migration.md §2, cell by cell: the answer when every condition holds, and the standing.
const EXPECTED: [(ClientKind, PoolKind, Reach, Basis); 18] = [
    (
        C::GroupChat2007R2,
        P::Ocs2007R2GroupChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::GroupChat2007R2,
        P::Lync2010GroupChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::GroupChat2007R2,
        P::Lync2013PersistentChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::Lync2010GroupChat,
        P::Ocs2007R2GroupChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::Lync2010GroupChat,
        P::Lync2010GroupChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::Lync2010GroupChat,
        P::Lync2013PersistentChat,
        Reach::Contradicted,
        Basis::Contradicted,
    ),
    (
        C::Lync2010,
        P::Ocs2007R2GroupChat,
        Reach::No,
        Basis::Inferred,
    ),
    (
        C::Lync2010,
        P::Lync2010GroupChat,
        Reach::No,
        Basis::Inferred,
    ),
    (
        C::Lync2010,
        P::Lync2013PersistentChat,
        Reach::No,
        Basis::Documented,
    ),
    (
        C::Lync2013,
        P::Ocs2007R2GroupChat,
        Reach::No,
        Basis::Documented,
    ),
    (
        C::Lync2013,
        P::Lync2010GroupChat,
        Reach::No,
        Basis::Documented,
    ),
    (
        C::Lync2013,
        P::Lync2013PersistentChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::Lync2013Basic,
        P::Ocs2007R2GroupChat,
        Reach::No,
        Basis::Documented,
    ),
    (
        C::Lync2013Basic,
        P::Lync2010GroupChat,
        Reach::No,
        Basis::Documented,
    ),
    (
        C::Lync2013Basic,
        P::Lync2013PersistentChat,
        Reach::Yes,
        Basis::Documented,
    ),
    (
        C::SkypeForBusiness,
        P::Ocs2007R2GroupChat,
        Reach::No,
        Basis::Inferred,
    ),
    (
        C::SkypeForBusiness,
        P::Lync2010GroupChat,
        Reach::No,
        Basis::Inferred,
    ),
    (
        C::SkypeForBusiness,
        P::Lync2013PersistentChat,
        Reach::Yes,
        Basis::Documented,
    ),
];

fn scenario_for(pool: PoolKind) -> (Profile, &'static str) {
    match pool {
        P::Lync2013PersistentChat => (profile("lync2010-groupchat", AFTER_STAGE8, ""), PCHAT),
        legacy => (profile(legacy.key(), BEFORE_STAGE8, ""), GC),
    }
}

#[test]
fn the_table_has_one_sourced_rule_per_client_and_chat_pool_kind() {
    assert_eq!(RULES.len(), EXPECTED.len());
    for (client, pool, reach, basis) in EXPECTED {
        let r = rule(client, pool).unwrap_or_else(|| panic!("no rule {client:?} {pool:?}"));
        assert_eq!((r.reach, r.basis), (reach, basis), "{client:?} → {pool:?}");
        assert!(!r.sources.is_empty(), "{client:?} → {pool:?} cites no page");
        assert!(r.sources.iter().all(|s| !s.trim().is_empty()));
        assert_eq!(
            r.basis == Basis::Contradicted,
            !r.claims.is_empty(),
            "claims only on contradicted cells"
        );
    }
    assert!(rule(C::Lync2013, P::Lync2013FrontEnd).is_none());
}

#[test]
fn every_cell_with_its_conditions_met() {
    for (client, pool, expected, _) in EXPECTED {
        let (p, fqdn) = scenario_for(pool);
        let v = judge(&p, &user(client, FE13, true));
        let pv = cell(&v, fqdn);
        assert_eq!(pv.reachable, expected, "{client:?} → {pool:?}: {pv:#?}");
        assert_eq!(pv.kind, pool);
        // every reason cites a source; the first one is the table's cell with its pages
        assert!(!pv.reasons.is_empty());
        for r in &pv.reasons {
            assert!(!r.source.trim().is_empty(), "{client:?} → {pool:?}: {r:?}");
        }
        let first = &pv.reasons[0];
        for s in rule(client, pool).unwrap().sources {
            assert!(first.source.contains(s), "{client:?} → {pool:?}: {first:?}");
        }
        // a legacy client talks to one pool at a time
        if client.is_legacy_group_chat() {
            let reached = v
                .per_pool
                .iter()
                .filter(|x| matches!(x.reachable, Reach::Yes | Reach::Contradicted))
                .count();
            assert!(reached <= 1, "{client:?}: {v:#?}");
        }
    }
}

#[test]
fn every_cell_with_a_condition_failing_says_no_and_why() {
    for (client, pool, _, _) in EXPECTED {
        let r = rule(client, pool).unwrap();
        for cond in r.conditions {
            let (p, fqdn) = scenario_for(pool);
            let mut u = user(client, FE13, true);
            let needle = match cond.condition {
                coexistence::Condition::HomedOnLync2013 => {
                    u.pool = FE10.into();
                    "not on a Lync Server 2013 pool"
                }
                coexistence::Condition::PersistentChatPolicy => {
                    u.pchat_policy = false;
                    "Grant-CsPersistentChatPolicy"
                }
                coexistence::Condition::LookupLeadsHere => {
                    u.lookup_uri = Some("sip:somewhere-else@contoso.com".into());
                    "one pool at a time"
                }
            };
            let v = judge(&p, &u);
            let pv = cell(&v, fqdn);
            assert_eq!(
                pv.reachable,
                Reach::No,
                "{client:?} → {pool:?} {cond:?}: {pv:#?}"
            );
            let why = pv
                .reasons
                .iter()
                .find(|x| x.text.contains(needle))
                .unwrap_or_else(|| panic!("{client:?} → {pool:?}: no {needle:?} in {pv:#?}"));
            assert_eq!(why.fact, cond.fact, "{why:?}");
            assert!(why.source.contains(cond.source), "{why:?}");
        }
    }
}

#[test]
fn lync2010_group_chat_client_against_2013_is_contradicted_citing_both_tables() {
    let p = profile("lync2010-groupchat", AFTER_STAGE8, "");
    let v = judge(&p, &user(C::Lync2010GroupChat, FE10, false));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::Contradicted);
    let supported = pv
        .reasons
        .iter()
        .find(|r| r.text.contains("Supported"))
        .expect("the 2016 interop table");
    assert_eq!(
        supported.source,
        "L13/lync-server-2013-client-interoperability-in-lync-2013"
    );
    assert_eq!(supported.fact, Fact::Documented);
    let na = pv
        .reasons
        .iter()
        .find(|r| r.text.contains("Not Applicable"))
        .expect("the 2012 table");
    assert_eq!(
        na.source,
        "L13/lync-server-2013-supported-clients-from-previous-deployments"
    );
    // the contradiction does not hide a missing endpoint: that is a plain no
    let p = profile("lync2010-groupchat", BEFORE_STAGE8, "");
    let v = judge(&p, &user(C::Lync2010GroupChat, FE10, false));
    assert_eq!(cell(&v, PCHAT).reachable, Reach::No);
    assert_eq!(cell(&v, GC).reachable, Reach::Yes);
}

#[test]
fn user_not_homed_on_2013_and_policy_off() {
    let p = profile("lync2010-groupchat", BEFORE_STAGE8, "");
    // homed on Lync 2010, policy on: no, because of the home pool only
    let v = judge(&p, &user(C::Lync2013, FE10, true));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::No);
    assert!(has_reason(
        pv,
        "homed on lync2010pool.contoso.com (Lync Server 2010 Front End)"
    ));
    assert!(has_reason(pv, "Move-CsUser"));
    assert!(!has_reason(pv, "Grant-CsPersistentChatPolicy"));
    // homed on 2013, policy off
    let v = judge(&p, &user(C::Lync2013, FE13, false));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::No);
    assert!(has_reason(
        pv,
        "global default is EnablePersistentChat = False"
    ));
    // both fine
    let v = judge(&p, &user(C::Lync2013, FE13, true));
    assert_eq!(cell(&v, PCHAT).reachable, Reach::Yes);
    assert_eq!(v.reachable_pools(), [PCHAT]);
    // a home pool the profile does not know: not known, and it says what to add
    let v = judge(&p, &user(C::Lync2013, "elsewhere.contoso.com", true));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::Unknown);
    assert!(has_reason(pv, "not in the profile"));
    // the inferred homing condition of Lync 2013 Basic is marked inferred
    let v = judge(&p, &user(C::Lync2013Basic, FE10, true));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::No);
    assert!(
        pv.reasons
            .iter()
            .any(|r| r.fact == Fact::Inferred && r.text.contains("homed on"))
    );
}

#[test]
fn legacy_client_endpoint_missing_unknown_or_ocschat_user_still_present() {
    let gc = |ep: &str, u: &User| {
        let p = profile("lync2010-groupchat", ep, "");
        let v = judge(&p, u);
        (cell(&v, GC).clone(), cell(&v, PCHAT).clone(), v)
    };
    let client = user(C::GroupChat2007R2, FE10, false);
    // endpoint not created yet: the legacy pool, not the new one
    let (legacy, pchat, v) = gc(BEFORE_STAGE8, &client);
    assert_eq!(
        legacy.reachable,
        Reach::Yes,
        "2007 R2 client → 2010 pool: the same sentence as the reverse pairing"
    );
    assert_eq!(pchat.reachable, Reach::No);
    assert!(has_reason(
        &pchat,
        "New-CsPersistentChatEndpoint -SipAddress sip:ocschat@contoso.com -PersistentChatPoolFqdn pchatpool.contoso.com"
    ));
    // the derived Lookup Server URI is said, and marked inferred
    assert_eq!(v.lookup_uri.as_deref(), Some("sip:ocschat@contoso.com"));
    assert!(
        pchat
            .reasons
            .iter()
            .any(|r| r.fact == Fact::Inferred && r.text.contains("LookupServerUri not stated"))
    );

    let l10 = user(C::Lync2010GroupChat, FE10, false);
    // endpoint created, but the ocschat@ user still exists: conflict, delete the user first
    let (legacy, pchat, _) = gc(
        "legacy_endpoint = { created = true, ocschat_user_exists = true }",
        &l10,
    );
    assert_eq!(pchat.reachable, Reach::No);
    assert!(has_reason(&pchat, "still exists"), "{pchat:#?}");
    assert_eq!(legacy.reachable, Reach::Yes);
    // endpoint state not known
    let (legacy, pchat, _) = gc("legacy_endpoint = { ocschat_user_exists = true }", &l10);
    assert_eq!(pchat.reachable, Reach::Unknown);
    assert!(has_reason(&pchat, "Get-CsPersistentChatEndpoint"));
    assert_eq!(legacy.reachable, Reach::Yes);
    // no legacy_endpoint at all: not known either (nobody said)
    let (_, pchat, _) = gc("", &l10);
    assert_eq!(pchat.reachable, Reach::Unknown);
    // endpoint created, user deletion not known: both sides not known
    let (legacy, pchat, _) = gc("legacy_endpoint = { created = true }", &l10);
    assert_eq!(pchat.reachable, Reach::Unknown);
    assert_eq!(legacy.reachable, Reach::Unknown);
    // Stage 8 done right: the new pool (contradicted for this client), not the old one
    let (legacy, pchat, _) = gc(AFTER_STAGE8, &l10);
    assert_eq!(pchat.reachable, Reach::Contradicted);
    assert_eq!(legacy.reachable, Reach::No);
    assert!(has_reason(&legacy, "was deleted"));
    let (_, pchat, _) = gc(AFTER_STAGE8, &client);
    assert_eq!(pchat.reachable, Reach::Yes);
    assert!(has_reason(&pchat, "deleted first"));
}

#[test]
fn manual_method_friendly_uri_one_pool_at_a_time() {
    let ep = r#"legacy_endpoint = { uri = "sip:persistentchat@contoso.com", created = true, ocschat_user_exists = true, found_by = "probe", checked_at = "2024-05-02" }"#;
    let p = profile("ocs2007r2-groupchat", ep, "");
    // pointed at the friendly URI: the new pool only
    let mut u = user(C::GroupChat2007R2, FE10, false);
    u.lookup_uri = Some("SIP:PersistentChat@Contoso.com".into());
    let v = judge(&p, &u);
    assert_eq!(cell(&v, PCHAT).reachable, Reach::Yes);
    assert!(has_reason(cell(&v, PCHAT), "manual method"));
    assert!(has_reason(cell(&v, PCHAT), "found by a probe, 2024-05-02"));
    assert_eq!(cell(&v, GC).reachable, Reach::No);
    // still on the old URI: the old pool only (the ocschat@ user is kept with this method)
    u.lookup_uri = Some("sip:ocschat@contoso.com".into());
    let v = judge(&p, &u);
    assert_eq!(cell(&v, GC).reachable, Reach::Yes);
    assert_eq!(cell(&v, PCHAT).reachable, Reach::No);
    assert!(has_reason(cell(&v, PCHAT), "one pool at a time"));
}

#[test]
fn client_not_stated_is_unknown_everywhere() {
    let p = profile("lync2010-groupchat", BEFORE_STAGE8, "");
    let mut u = user(C::Lync2013, FE13, true);
    u.client = None;
    let v = judge(&p, &u);
    assert!(v.per_pool.iter().all(|x| x.reachable == Reach::Unknown));
    assert!(
        v.per_pool
            .iter()
            .all(|x| x.reasons[0].source == coexistence::PROFILE)
    );
}

#[test]
fn a_down_pool_says_so_and_blocks() {
    let p = profile("lync2010-groupchat", BEFORE_STAGE8, "");
    let at = chrono::DateTime::parse_from_rfc3339("2024-05-02T10:15:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let health = move |fqdn: &str| match fqdn {
        PCHAT => PoolHealth::Down {
            last_probe: Some(at),
            detail: "5041 refused on pchat01, pchat02".into(),
        },
        FE10 => PoolHealth::Degraded {
            last_probe: None,
            detail: "one of two servers answers".into(),
        },
        _ => PoolHealth::Up,
    };
    let u = user(C::Lync2013, FE13, true);
    let v = verdict(&p, &Subject::from_user(&u), Some(&health));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::No);
    let down = pv
        .reasons
        .iter()
        .find(|r| r.text.contains("is down"))
        .unwrap();
    assert_eq!(
        down.text,
        "pool pchatpool.contoso.com (the chat pool) is down (last probe 2024-05-02 10:15:00 UTC): \
         5041 refused on pchat01, pchat02"
    );
    assert_eq!(
        (down.fact, down.source.as_str()),
        (Fact::Observed, coexistence::MONITOR)
    );
    // degraded: said, but still reachable
    let legacy = user(C::Lync2010GroupChat, FE10, false);
    let v = verdict(&p, &Subject::from_user(&legacy), Some(&health));
    let pv = cell(&v, GC);
    assert_eq!(pv.reachable, Reach::Yes);
    assert!(has_reason(
        pv,
        "lync2010pool.contoso.com (its next-hop Front End pool) is degraded"
    ));
    // the user's home Front End down blocks a Lync 2013 client
    let fe_down = |fqdn: &str| {
        if fqdn == FE13 {
            PoolHealth::Down {
                last_probe: None,
                detail: String::new(),
            }
        } else {
            PoolHealth::Up
        }
    };
    let v = verdict(&p, &Subject::from_user(&u), Some(&fe_down));
    let pv = cell(&v, PCHAT);
    assert_eq!(pv.reachable, Reach::No);
    assert!(has_reason(
        pv,
        "lyncpool.contoso.com (its next-hop Front End pool) is down (last probe time unknown)"
    ));
    // all up: unchanged
    let v = verdict(&p, &Subject::from_user(&u), Some(&|_: &str| PoolHealth::Up));
    assert_eq!(cell(&v, PCHAT).reachable, Reach::Yes);
}

#[test]
fn the_lab_grid_counts_users_and_populations() {
    let lab = Profile::lab();
    let m = matrix(&lab);
    let cols: Vec<&str> = m.pools.iter().map(|p| p.fqdn.as_str()).collect();
    assert_eq!(cols, ["gcpool.contoso.lab", "pchatpool.contoso.lab"]);
    assert_eq!(m.rows.len(), 6);
    assert_eq!(m.rows[0].client, C::GroupChat2007R2);
    let row = |c: ClientKind| m.rows.iter().find(|r| r.client == c).unwrap();
    let lync13 = row(C::Lync2013);
    let pchat = &lync13.cells[1];
    assert_eq!(pchat.pool_fqdn, "pchatpool.contoso.lab");
    assert_eq!(pchat.rule.reach, Reach::Yes);
    assert_eq!(pchat.conditions.len(), 2);
    // pilot01, pilot02 and the 25-strong pilot group reach it; pilot03 (no policy),
    // legacy02 (homed on 2010) and the 400 without policy do not
    assert_eq!((pchat.tally.yes, pchat.tally.no), (27, 402));
    // the trading floor and legacy01 reach the legacy pool, not the new one (no endpoint yet)
    let l10gc = row(C::Lync2010GroupChat);
    assert_eq!(
        (l10gc.cells[0].tally.yes, l10gc.cells[0].tally.total()),
        (121, 121)
    );
    assert_eq!(l10gc.cells[1].tally.no, 121);
    // 2007 R2 clients against a 2010 pool: by manual configuration, as the reverse pairing
    assert_eq!(row(C::GroupChat2007R2).cells[0].tally.yes, 16);
    assert_eq!(row(C::Lync2010).cells[1].tally.no, 300);
    assert_eq!(m.verdicts.len(), lab.users.len() + lab.clients.len());
    // the screen gets JSON-able data
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["rows"][5]["label"], "Skype for Business 2015/2016");
    // with health
    let m = matrix_with_health(&lab, Some(&|_: &str| PoolHealth::Unknown));
    assert_eq!(m.pools[0].health, Some(PoolHealth::Unknown));
}

#[test]
fn lookup_by_sip_uri() {
    let lab = Profile::lab();
    let v = lookup(&lab, "SIP:Pilot01@Contoso.lab").unwrap();
    assert_eq!(v.user, "sip:pilot01@contoso.lab");
    assert_eq!(v.client, Some(C::Lync2013));
    assert_eq!(v.reachable_pools(), ["pchatpool.contoso.lab"]);
    assert!(lookup(&lab, "pilot01@contoso.lab").is_some());
    assert!(lookup(&lab, "sip:nobody@contoso.lab").is_none());
    let v = lookup(&lab, "sip:legacy02@contoso.lab").unwrap();
    assert!(v.reachable_pools().is_empty());
    assert_eq!(
        verdicts(&lab, None).len(),
        lab.users.len() + lab.clients.len()
    );
}

/// The table above against migration.md §2 itself: each cell's yes/no/not found, and the
/// [I] marks, so a change in the reference shows here.
#[test]
fn the_table_matches_migration_md() {
    if !external::available(
        std::path::Path::new(DOMAIN_DOC),
        "../shared/domain/migration.md",
        "the project's shared folder",
    ) {
        return;
    }
    let doc = std::fs::read_to_string(DOMAIN_DOC).expect("read migration.md");
    let section = doc
        .split("## 2. Coexistence rules")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("migration.md §2");
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Client"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 6, "{rows:#?}");
    let client_of = |cell: &str| {
        if cell.contains("2007 R2 **Group Chat**") {
            C::GroupChat2007R2
        } else if cell.contains("**2010 Group Chat**") {
            C::Lync2010GroupChat
        } else if cell.contains("**2010** (IM client)") {
            C::Lync2010
        } else if cell.contains("**2013 Basic**") {
            C::Lync2013Basic
        } else if cell.contains("**2013**") {
            C::Lync2013
        } else if cell.contains("Skype for Business") {
            C::SkypeForBusiness
        } else {
            panic!("unknown client row {cell}")
        }
    };
    let mut seen = 0;
    for row in &rows {
        let client = client_of(&row[0]);
        for (i, pool) in [
            P::Ocs2007R2GroupChat,
            P::Lync2010GroupChat,
            P::Lync2013PersistentChat,
        ]
        .into_iter()
        .enumerate()
        {
            let text = &row[i + 1];
            let (doc_reach, doc_inferred) = if text.contains("NOT FOUND") {
                (Reach::Unknown, false)
            } else if text.starts_with("Yes") {
                (Reach::Yes, text.contains("[I]"))
            } else if text.starts_with("No") || text.starts_with("**No**") {
                (Reach::No, text.contains("[I]"))
            } else if text == "—" {
                (Reach::No, true) // a dash: no entry; our "no" is an inference
            } else {
                panic!("unread cell {text:?}")
            };
            let r = rule(client, pool).unwrap();
            if (client, pool) == (C::Lync2010GroupChat, P::Lync2013PersistentChat) {
                // the table says yes; §2's "Contradictory interop tables" says otherwise
                assert_eq!(doc_reach, Reach::Yes);
                assert_eq!(r.reach, Reach::Contradicted);
                assert!(section.contains("Contradictory interop tables"));
                assert!(section.contains("**Not Applicable**"));
                assert!(section.contains("**Supported (see migration guide)**"));
            } else if (client, pool) == (C::GroupChat2007R2, P::Lync2010GroupChat) {
                // migration.md has "NOT FOUND" here, but the coexistence page's sentence that
                // the reverse pairing (2010 client → 2007 R2 pool) rests on — a legacy client
                // can be pointed at any one of the three pool kinds — covers this one too
                // (issue 12's review of the page): our table follows the page.
                assert_eq!(doc_reach, Reach::Unknown);
                assert_eq!((r.reach, r.basis), (Reach::Yes, Basis::Documented));
                let reverse = rule(C::Lync2010GroupChat, P::Ocs2007R2GroupChat).unwrap();
                assert_eq!(r.sources, reverse.sources);
                assert!(reverse.summary.contains("any one of the"));
                assert!(r.summary.contains("any one of the"));
            } else {
                assert_eq!(r.reach, doc_reach, "{client:?} → {pool:?}: {text}");
            }
            let ours_inferred = r.basis == Basis::Inferred;
            assert_eq!(ours_inferred, doc_inferred, "{client:?} → {pool:?}: {text}");
            seen += 1;
        }
    }
    assert_eq!(seen, 18);
}
