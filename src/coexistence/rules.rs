//! The coexistence table of migration.md §2 as data: for each client and chat pool kind, what
//! the documents say, under which conditions, and where they say it. One row per cell of the
//! table (6 clients × 3 chat pool kinds); the verdicts in `mod.rs` only read this table.

use serde::Serialize;

use super::{Fact, Reach};
use crate::deployment::{ClientKind, PoolKind};

/// Where the documents stand on one cell of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Stated in the cited pages.
    Documented,
    /// Our inference from documented facts.
    Inferred,
    /// The cited pages disagree.
    Contradicted,
    /// Searched for and not found.
    NotFound,
}

/// A condition the documents put on a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// The user is homed on a Lync Server 2013 pool.
    HomedOnLync2013,
    /// A Persistent Chat policy with EnablePersistentChat=True applies to the user (the
    /// global default is False).
    PersistentChatPolicy,
    /// A legacy client talks to one pool at a time, the one its Lookup Server URI leads to.
    /// For a Persistent Chat pool that means a legacy endpoint with that URI exists, and when
    /// the URI is the old `ocschat@` one, the `ocschat@` user was deleted first.
    LookupLeadsHere,
}

impl Condition {
    /// The condition in the admin's words.
    pub fn text(self) -> &'static str {
        match self {
            Self::HomedOnLync2013 => "the user is homed on a Lync Server 2013 pool",
            Self::PersistentChatPolicy => {
                "a Persistent Chat policy enables the user (global default: off)"
            }
            Self::LookupLeadsHere => {
                "the client's Lookup Server URI leads to this pool (one pool at a time); on the \
                 Persistent Chat pool through a legacy endpoint, created after the ocschat@ user \
                 was deleted when it reuses that URI"
            }
        }
    }
}

/// A condition of a cell, with its standing and source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cond {
    /// The condition.
    pub condition: Condition,
    /// Documented or inferred for this client.
    pub fact: Fact,
    /// The page that states it.
    pub source: &'static str,
}

/// What one source says, for contradicted cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The page.
    pub source: &'static str,
    /// What it says.
    pub says: &'static str,
}

/// One cell of the coexistence table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The client.
    pub client: ClientKind,
    /// The chat pool kind.
    pub pool: PoolKind,
    /// The answer when every condition holds.
    pub reach: Reach,
    /// Documented, inferred, contradicted or not found.
    pub basis: Basis,
    /// The cell in the admin's words.
    pub summary: &'static str,
    /// The pages it rests on (for a contradicted cell, every side's page).
    pub sources: &'static [&'static str],
    /// For a contradicted cell: what each side says.
    pub claims: &'static [Claim],
    /// The conditions (empty: none).
    pub conditions: &'static [Cond],
}

/// Page names, as migration.md §0 abbreviates them.
pub mod src {
    /// Coexistence considerations.
    pub const COEXISTENCE: &str = "L13/coexistence-considerations";
    /// Migration process – details, step 8 (the legacy endpoint).
    pub const DETAILS: &str = "L13/migration-process-details (step 8)";
    /// Running backward compatibility for Persistent Chat Server.
    pub const BACKCOMPAT: &str = "L13/run-backward-compatibility-for-persistent-chat-server";
    /// Client interoperability in Lync 2013 (2016-03-04).
    pub const INTEROP: &str = "L13/lync-server-2013-client-interoperability-in-lync-2013";
    /// Supported clients from previous deployments (2012-12-14).
    pub const PREVIOUS: &str = "L13/lync-server-2013-supported-clients-from-previous-deployments";
    /// Desktop client comparison tables.
    pub const COMPARISON: &str = "L13/lync-server-2013-desktop-client-comparison-tables";
    /// How Persistent Chat Server works.
    pub const HOW: &str = "L13/lync-server-2013-how-persistent-chat-server-works";
    /// Get-CsPersistentChatPolicy (global default EnablePersistentChat = False).
    pub const POLICY: &str = "PS/Get-CsPersistentChatPolicy";
    /// Lync 2010 Group Chat client Group Policy (LookupServerUri).
    pub const GPO: &str = "L10 gg195779";
}

use src::*;

const LOOKUP_D: Cond = Cond {
    condition: Condition::LookupLeadsHere,
    fact: Fact::Documented,
    source: COEXISTENCE,
};
const LOOKUP_ENDPOINT_D: Cond = Cond {
    condition: Condition::LookupLeadsHere,
    fact: Fact::Documented,
    source: BACKCOMPAT,
};
const HOMED_D: Cond = Cond {
    condition: Condition::HomedOnLync2013,
    fact: Fact::Documented,
    source: COEXISTENCE,
};
const POLICY_D: Cond = Cond {
    condition: Condition::PersistentChatPolicy,
    fact: Fact::Documented,
    source: COEXISTENCE,
};
const HOMED_I: Cond = Cond {
    condition: Condition::HomedOnLync2013,
    fact: Fact::Inferred,
    source: COEXISTENCE,
};
const POLICY_I: Cond = Cond {
    condition: Condition::PersistentChatPolicy,
    fact: Fact::Inferred,
    source: POLICY,
};

use ClientKind as C;
use PoolKind as P;

/// The table: migration.md §2, one row per client × chat pool kind.
pub static RULES: &[Rule] = &[
    // Communicator 2007 R2 Group Chat client
    Rule {
        client: C::GroupChat2007R2,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "its native pool",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[LOOKUP_D],
    },
    Rule {
        client: C::GroupChat2007R2,
        pool: P::Lync2010GroupChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "by manual configuration: a legacy client can be pointed at any one of the \
                  three pool kinds, one at a time (the sentence the reverse pairing rests on)",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[LOOKUP_D],
    },
    Rule {
        client: C::GroupChat2007R2,
        pool: P::Lync2013PersistentChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "through manual configuration, or transparently once a legacy endpoint carries \
                  the old Lookup Server URI; step 8 names Communicator 2007 R2 Group Chat clients",
        sources: &[DETAILS, BACKCOMPAT, COEXISTENCE],
        claims: &[],
        conditions: &[LOOKUP_ENDPOINT_D],
    },
    // Lync 2010 Group Chat client
    Rule {
        client: C::Lync2010GroupChat,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "by manual configuration: a legacy client can be pointed at any one of the \
                  three pool kinds, one at a time",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[LOOKUP_D],
    },
    Rule {
        client: C::Lync2010GroupChat,
        pool: P::Lync2010GroupChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "its native pool (LookupServerUri / ConfigurationMode Group Policy)",
        sources: &[COEXISTENCE, GPO],
        claims: &[],
        conditions: &[LOOKUP_D],
    },
    Rule {
        client: C::Lync2010GroupChat,
        pool: P::Lync2013PersistentChat,
        reach: Reach::Contradicted,
        basis: Basis::Contradicted,
        summary: "the two interop tables disagree; the migration pages show it working through \
                  the legacy endpoint",
        sources: &[INTEROP, PREVIOUS, DETAILS, BACKCOMPAT],
        claims: &[
            Claim {
                source: INTEROP,
                says: "Lync 2010 Group Chat → Lync Server 2013: Supported (see migration guide) \
                       (2016-03-04)",
            },
            Claim {
                source: PREVIOUS,
                says: "Lync 2010 Group Chat → Lync Server 2013: Not Applicable (2012-12-14)",
            },
            Claim {
                source: DETAILS,
                says: "legacy Lync 2010 Group Chat clients reach the new pool transparently once \
                       the legacy endpoint exists",
            },
        ],
        conditions: &[LOOKUP_ENDPOINT_D],
    },
    // Lync 2010 (IM client)
    Rule {
        client: C::Lync2010,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::No,
        basis: Basis::Inferred,
        summary: "Lync 2010 has no group chat; the 2010 era needed the separate Lync 2010 Group \
                  Chat client",
        sources: &[COMPARISON],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2010,
        pool: P::Lync2010GroupChat,
        reach: Reach::No,
        basis: Basis::Inferred,
        summary: "Lync 2010 has no group chat; the 2010 era needed the separate Lync 2010 Group \
                  Chat client",
        sources: &[COMPARISON],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2010,
        pool: P::Lync2013PersistentChat,
        reach: Reach::No,
        basis: Basis::Documented,
        summary: "no Persistent Chat integration entry for Lync 2010 in the comparison table",
        sources: &[COMPARISON],
        claims: &[],
        conditions: &[],
    },
    // Lync 2013
    Rule {
        client: C::Lync2013,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::No,
        basis: Basis::Documented,
        summary: "Lync 2013 clients reach only the Lync Server 2013 Persistent Chat pool",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2013,
        pool: P::Lync2010GroupChat,
        reach: Reach::No,
        basis: Basis::Documented,
        summary: "Lync 2013 clients do not work with Lync Server 2010 Group Chat",
        sources: &[INTEROP, COEXISTENCE],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2013,
        pool: P::Lync2013PersistentChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "for users homed on Lync Server 2013 and enabled by a Persistent Chat policy; \
                  the pool list comes by in-band provisioning (no file upload or view)",
        sources: &[COEXISTENCE, HOW],
        claims: &[],
        conditions: &[HOMED_D, POLICY_D],
    },
    // Lync 2013 Basic
    Rule {
        client: C::Lync2013Basic,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::No,
        basis: Basis::Documented,
        summary: "Lync 2013 clients reach only the Lync Server 2013 Persistent Chat pool",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2013Basic,
        pool: P::Lync2010GroupChat,
        reach: Reach::No,
        basis: Basis::Documented,
        summary: "Lync 2013 clients do not work with Lync Server 2010 Group Chat",
        sources: &[INTEROP, COEXISTENCE],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::Lync2013Basic,
        pool: P::Lync2013PersistentChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "Persistent Chat integration is ticked for Lync 2013 Basic (escalate room to \
                  meeting is not); the homing and policy conditions are assumed as for Lync 2013",
        sources: &[COMPARISON],
        claims: &[],
        conditions: &[HOMED_I, POLICY_I],
    },
    // Skype for Business 2015/2016
    Rule {
        client: C::SkypeForBusiness,
        pool: P::Ocs2007R2GroupChat,
        reach: Reach::No,
        basis: Basis::Inferred,
        summary: "not stated; a newer client than Lync 2013, which reaches only the 2013 \
                  Persistent Chat pool",
        sources: &[COEXISTENCE],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::SkypeForBusiness,
        pool: P::Lync2010GroupChat,
        reach: Reach::No,
        basis: Basis::Inferred,
        summary: "not stated; a newer client than Lync 2013, which does not work with Lync \
                  Server 2010 Group Chat",
        sources: &[COEXISTENCE, INTEROP],
        claims: &[],
        conditions: &[],
    },
    Rule {
        client: C::SkypeForBusiness,
        pool: P::Lync2013PersistentChat,
        reach: Reach::Yes,
        basis: Basis::Documented,
        summary: "Persistent Chat integration is ticked in the comparison table (not for Skype \
                  for Business Online users); the homing and policy conditions are assumed as \
                  for Lync 2013",
        sources: &[COMPARISON],
        claims: &[],
        conditions: &[HOMED_I, POLICY_I],
    },
];

/// The chat pool kinds, in the order of the table's columns.
pub const CHAT_POOL_KINDS: [PoolKind; 3] = [
    PoolKind::Ocs2007R2GroupChat,
    PoolKind::Lync2010GroupChat,
    PoolKind::Lync2013PersistentChat,
];

/// The rule for a client and a chat pool kind (`None` for a pool kind no client connects to,
/// such as a Front End pool).
pub fn rule(client: ClientKind, pool: PoolKind) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.client == client && r.pool == pool)
}
