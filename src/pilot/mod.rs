//! The pilot: who tests the new Persistent Chat pool during coexistence, which chat test
//! cases each of them ran, and what that proves for the Coexistence stage.
//!
//! Pilot users come from the deployment profile ([`users_from_profile`]: the profile's users
//! homed on a Lync Server 2013 pool) or from a CSV file ([`users_from_csv`], header
//! `sip,display_name,client`). They are stored per session
//! ([`crate::store::Store::add_pilot_users`]); each result is stored durably with an audit
//! event ([`crate::store::Store::set_pilot_result`]).
//!
//! The test cases ([`PilotCase`]) are the ones that matter for chat (migration.md Stage 2,
//! §2): signs in, sees their rooms, joins a room, posts, sees history; and, for legacy Group
//! Chat clients only, reaches the new pool through the legacy endpoint and opens files. The
//! Lync 2013 client cannot post or view files in rooms (migration.md Stage 7) and does not
//! use the legacy endpoint, so those two cases are "n/a" for it, automatically.
//!
//! [`progress`] counts results per case and per user; [`coexistence_evidence`] turns the
//! results into the verdicts of checklist items 26, 27 and 66.

mod csv;

use serde::{Deserialize, Serialize};

use crate::deployment::{ClientKind, PoolKind, Profile};
use crate::store::{Evidence, EvidenceRecord, Store, StoreError};

/// The pilot's data, as the session stores it (below the store, which persists it).
pub use crate::pilot_model::{
    NewPilotUser, PilotCase, PilotClient, PilotOutcome, PilotResultRecord, PilotResults, PilotUser,
};
pub use csv::{CsvError, MAX_FIELD_CHARS, users_from_csv, users_from_csv_file, utf8_or_line};

/// Checklist item 26: pilot users homed on Lync 2013 with a Persistent Chat policy.
pub const ITEM_PILOT_POLICY: &str = "coexistence.pilot-policy";
/// Checklist item 27: a test room exists and the synthetic test passes.
pub const ITEM_TEST_ROOM: &str = "coexistence.test-room";
/// Checklist item 66: a legacy client reconnects and sees its rooms and files.
pub const ITEM_LEGACY_CLIENT: &str = "verify.legacy-client";

/// Pass / fail / n/a / todo counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Not applicable.
    pub na: usize,
    /// Not tested yet.
    pub todo: usize,
}

impl Counts {
    fn add(&mut self, r: PilotOutcome) {
        match r {
            PilotOutcome::Pass => self.pass += 1,
            PilotOutcome::Fail => self.fail += 1,
            PilotOutcome::NotApplicable => self.na += 1,
            PilotOutcome::Todo => self.todo += 1,
        }
    }

    /// All results counted.
    pub fn total(&self) -> usize {
        self.pass + self.fail + self.na + self.todo
    }

    /// Results that apply (everything but n/a): what "passed" is counted against.
    pub fn applicable(&self) -> usize {
        self.total() - self.na
    }

    /// `passed/applicable`, with the failures after it (`3/5 1✗`): the one way the pilot's
    /// progress is shown, so n/a and failures are never counted as done.
    pub fn passed_label(&self) -> String {
        if self.fail > 0 {
            format!("{}/{} {}✗", self.pass, self.applicable(), self.fail)
        } else {
            format!("{}/{}", self.pass, self.applicable())
        }
    }

    /// Results that are no longer todo.
    pub fn decided(&self) -> usize {
        self.total() - self.todo
    }

    /// Percentage decided (0–100; 100 when there is nothing to do).
    pub fn percent_done(&self) -> u8 {
        if self.total() == 0 {
            return 100;
        }
        u8::try_from(self.decided() * 100 / self.total()).unwrap_or(100)
    }

    /// Nothing failed and nothing is left to do.
    pub fn all_passed(&self) -> bool {
        self.fail == 0 && self.todo == 0
    }
}

/// Progress of one case across users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseProgress {
    /// The case.
    pub case: PilotCase,
    /// Its counts.
    pub counts: Counts,
}

/// Progress of one user across cases.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProgress {
    /// SIP URI.
    pub sip: String,
    /// Display name.
    pub display_name: String,
    /// Client.
    pub client: PilotClient,
    /// Counts.
    pub counts: Counts,
}

/// Pilot progress per test case and per user.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotProgress {
    /// Number of pilot users.
    pub users: usize,
    /// Per case, in [`PilotCase::ALL`] order.
    pub per_case: Vec<CaseProgress>,
    /// Per user, in the order they were added.
    pub per_user: Vec<UserProgress>,
    /// Over everything.
    pub totals: Counts,
    /// Users with at least one failure.
    pub users_failing: usize,
    /// Users with every case passed or n/a.
    pub users_passed: usize,
}

/// Counts the results per case and per user.
pub fn progress(results: &PilotResults) -> PilotProgress {
    let mut per_case: Vec<CaseProgress> = PilotCase::ALL
        .iter()
        .map(|&case| CaseProgress {
            case,
            counts: Counts::default(),
        })
        .collect();
    let mut totals = Counts::default();
    let mut per_user = Vec::with_capacity(results.users.len());
    for u in &results.users {
        let mut counts = Counts::default();
        for r in results.for_user(&u.sip) {
            counts.add(r.result);
            totals.add(r.result);
            if let Some(c) = per_case.iter_mut().find(|c| c.case == r.case) {
                c.counts.add(r.result);
            }
        }
        per_user.push(UserProgress {
            sip: u.sip.clone(),
            display_name: u.display_name.clone(),
            client: u.client,
            counts,
        });
    }
    PilotProgress {
        users: results.users.len(),
        users_failing: per_user.iter().filter(|u| u.counts.fail > 0).count(),
        users_passed: per_user.iter().filter(|u| u.counts.all_passed()).count(),
        per_case,
        per_user,
        totals,
    }
}

/// A verdict for one checklist item, derived from the pilot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoexistenceEvidence {
    /// The runbook item ([`ITEM_PILOT_POLICY`], [`ITEM_TEST_ROOM`], [`ITEM_LEGACY_CLIENT`]).
    pub item_id: &'static str,
    /// Whether the pilot proves the item.
    pub passed: bool,
    /// One line for the checklist.
    pub summary: String,
}

fn list(v: &[&str]) -> String {
    const MAX: usize = 5;
    let mut s = v.iter().take(MAX).copied().collect::<Vec<_>>().join(", ");
    if v.len() > MAX {
        s.push_str(&format!(" and {} more", v.len() - MAX));
    }
    s
}

/// The verdicts the pilot gives for the Coexistence stage's items:
///
/// * item 26 ([`ITEM_PILOT_POLICY`]): passed when there is at least one pilot user and every
///   one is homed on a Lync 2013 pool with a Persistent Chat policy, **as the profile says**
///   (users imported from CSV that the profile does not know count as unknown, not passed);
/// * item 27 ([`ITEM_TEST_ROOM`]): passed when at least one user passed "joins a room" and
///   "posts" (the human counterpart of the synthetic test) and nobody failed signing in,
///   seeing rooms, joining, posting or history;
/// * item 66 ([`ITEM_LEGACY_CLIENT`]): passed when at least one legacy-client user passed
///   "legacy endpoint", "sees history" and "files", and no legacy-client user failed them.
///
/// Inferred: these thresholds (one passing user, no failure) are our rule; the docs only say
/// that pilot users on 2013 with a policy pass the synthetic test (migration.md Stage 2).
pub fn coexistence_evidence(results: &PilotResults) -> Vec<CoexistenceEvidence> {
    let mut out = Vec::with_capacity(3);

    // Item 26.
    let n = results.users.len();
    let mut not_2013 = Vec::new();
    let mut no_policy = Vec::new();
    let mut unknown = Vec::new();
    for u in &results.users {
        match (u.homed_on_2013, u.pchat_policy) {
            (Some(false), _) => not_2013.push(u.sip.as_str()),
            (_, Some(false)) => no_policy.push(u.sip.as_str()),
            (None, _) | (_, None) => unknown.push(u.sip.as_str()),
            (Some(true), Some(true)) => {}
        }
    }
    let ok = n - not_2013.len() - no_policy.len() - unknown.len();
    let summary = if n == 0 {
        "no pilot users yet: add them from the profile or a CSV file".to_string()
    } else {
        let mut s = format!(
            "{ok} of {n} pilot users homed on Lync 2013 with a Persistent Chat policy (profile)"
        );
        if !not_2013.is_empty() {
            s.push_str(&format!("; not homed on 2013: {}", list(&not_2013)));
        }
        if !no_policy.is_empty() {
            s.push_str(&format!("; no policy: {}", list(&no_policy)));
        }
        if !unknown.is_empty() {
            s.push_str(&format!("; not in the profile: {}", list(&unknown)));
        }
        s
    };
    out.push(CoexistenceEvidence {
        item_id: ITEM_PILOT_POLICY,
        passed: n > 0 && ok == n,
        summary,
    });

    // Item 27.
    let core = [
        PilotCase::SignIn,
        PilotCase::SeesRooms,
        PilotCase::JoinsRoom,
        PilotCase::Posts,
        PilotCase::History,
    ];
    let mut failing = Vec::new();
    let mut joined_and_posted = 0;
    for u in &results.users {
        let r = |c| results.get(&u.sip, c).map(|r| r.result);
        if core.iter().any(|&c| r(c) == Some(PilotOutcome::Fail)) {
            failing.push(u.sip.as_str());
        }
        if r(PilotCase::JoinsRoom) == Some(PilotOutcome::Pass)
            && r(PilotCase::Posts) == Some(PilotOutcome::Pass)
        {
            joined_and_posted += 1;
        }
    }
    let summary = if n == 0 {
        "no pilot users yet".to_string()
    } else if joined_and_posted == 0 && failing.is_empty() {
        format!("not tested yet: no pilot user has joined a room and posted ({n} users)")
    } else {
        let mut s = format!("{joined_and_posted} of {n} pilot users joined a room and posted");
        if !failing.is_empty() {
            s.push_str(&format!(
                "; chat tests failed for {}: {}",
                failing.len(),
                list(&failing)
            ));
        }
        s
    };
    out.push(CoexistenceEvidence {
        item_id: ITEM_TEST_ROOM,
        passed: joined_and_posted > 0 && failing.is_empty(),
        summary,
    });

    // Item 66.
    let legacy_cases = [
        PilotCase::LegacyEndpoint,
        PilotCase::History,
        PilotCase::Files,
    ];
    let legacy: Vec<&PilotUser> = results
        .users
        .iter()
        .filter(|u| u.client.is_legacy())
        .collect();
    let mut legacy_failing = Vec::new();
    let mut legacy_ok = 0;
    for u in &legacy {
        let r = |c| results.get(&u.sip, c).map(|r| r.result);
        if legacy_cases
            .iter()
            .any(|&c| r(c) == Some(PilotOutcome::Fail))
        {
            legacy_failing.push(u.sip.as_str());
        } else if legacy_cases
            .iter()
            .all(|&c| r(c) == Some(PilotOutcome::Pass))
        {
            legacy_ok += 1;
        }
    }
    let summary = if legacy.is_empty() {
        "no pilot user runs a legacy Group Chat client; add one (client lync2010-groupchat or \
         ocs2007r2-groupchat)"
            .to_string()
    } else {
        let mut s = format!(
            "{legacy_ok} of {} legacy-client pilot users reached the new pool through the legacy \
             endpoint and saw history and files",
            legacy.len()
        );
        if !legacy_failing.is_empty() {
            s.push_str(&format!("; failed: {}", list(&legacy_failing)));
        }
        s
    };
    out.push(CoexistenceEvidence {
        item_id: ITEM_LEGACY_CLIENT,
        passed: legacy_ok > 0 && legacy_failing.is_empty(),
        summary,
    });
    out
}

/// Attaches [`coexistence_evidence`] to items 26, 27 and 66 as evidence (source `pilot`,
/// detail: the progress counts), durably with its audit events. Does not tick the items:
/// the admin does, having read the evidence.
///
/// # Errors
/// Store errors.
pub fn record_coexistence_evidence(
    store: &mut Store,
    session_id: i64,
    results: &PilotResults,
    who: &str,
) -> Result<Vec<EvidenceRecord>, StoreError> {
    let p = progress(results);
    let detail = serde_json::json!({
        "users": p.users,
        "totals": p.totals,
        "users_passed": p.users_passed,
        "users_failing": p.users_failing,
    });
    coexistence_evidence(results)
        .into_iter()
        .map(|e| {
            store.add_evidence(
                session_id,
                e.item_id,
                &Evidence {
                    source: "pilot".into(),
                    summary: e.summary,
                    passed: Some(e.passed),
                    detail: detail.clone(),
                },
                who,
            )
        })
        .collect()
}

/// The profile's users that are homed on a Lync Server 2013 pool, as pilot users (their pool
/// and policy come along, for item 26). Users whose `client` is empty are taken to run
/// Lync 2013. Returns the users and a warning per user left out.
pub fn users_from_profile(profile: &Profile) -> (Vec<NewPilotUser>, Vec<String>) {
    let mut users = Vec::new();
    let mut warnings = Vec::new();
    for u in &profile.users {
        let homed_on_2013 = pool_is_2013(profile, &u.pool);
        if homed_on_2013 != Some(true) {
            warnings.push(format!(
                "{}: left out, homed on {} which is not a Lync Server 2013 pool",
                u.sip, u.pool
            ));
            continue;
        }
        let client = match u.client {
            None | Some(ClientKind::Lync2013) => PilotClient::Lync2013,
            Some(ClientKind::Lync2013Basic) => PilotClient::Lync2013Basic,
            Some(ClientKind::SkypeForBusiness) => PilotClient::SkypeForBusiness,
            Some(ClientKind::Lync2010GroupChat) => PilotClient::Lync2010GroupChat,
            Some(ClientKind::GroupChat2007R2) => PilotClient::Ocs2007R2GroupChat,
            Some(ClientKind::Lync2010) => {
                warnings.push(format!(
                    "{}: left out, the Lync 2010 client has no Persistent Chat (migration.md §2)",
                    u.sip
                ));
                continue;
            }
        };
        users.push(NewPilotUser {
            sip: u.sip.clone(),
            display_name: default_display_name(&u.sip),
            client,
            pool: Some(u.pool.clone()),
            pchat_policy: Some(u.pchat_policy),
            homed_on_2013,
        });
    }
    (users, warnings)
}

/// Whether a pool FQDN is a Lync 2013 pool of the profile (Front End or Persistent Chat);
/// `None` when the profile does not list it.
pub fn pool_is_2013(profile: &Profile, fqdn: &str) -> Option<bool> {
    profile
        .pools
        .iter()
        .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn.trim()))
        .map(|p| {
            matches!(
                p.kind,
                PoolKind::Lync2013FrontEnd | PoolKind::Lync2013PersistentChat
            )
        })
}

/// Fills in pool and policy from the profile for users it knows (CSV imports).
pub fn enrich_from_profile(users: &mut [NewPilotUser], profile: &Profile) {
    for u in users {
        if let Some(p) = profile
            .users
            .iter()
            .find(|p| p.sip.eq_ignore_ascii_case(&u.sip))
        {
            u.pool = Some(p.pool.clone());
            u.pchat_policy = Some(p.pchat_policy);
            u.homed_on_2013 = pool_is_2013(profile, &p.pool);
        }
    }
}

/// `sip:jane.doe@contoso.com` → `jane.doe`.
pub(crate) fn default_display_name(sip: &str) -> String {
    let s = sip.trim();
    let s = s
        .strip_prefix("sip:")
        .or_else(|| s.strip_prefix("SIP:"))
        .unwrap_or(s);
    s.split('@').next().unwrap_or(s).to_string()
}

#[cfg(test)]
mod tests;
