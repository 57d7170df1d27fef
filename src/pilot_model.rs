//! The pilot's data as a session stores it: the chat test cases ([`PilotCase`]), the clients
//! pilot users test with ([`PilotClient`]), the outcomes ([`PilotOutcome`]), the users and the
//! users × cases matrix ([`PilotResults`]). Plain data with no I/O, so that the session store
//! can persist it and [`crate::pilot`] can work on it (the checklist evidence, the CSV
//! import) on top of the store.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One chat test case a pilot user runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PilotCase {
    /// Signs in to the client.
    SignIn,
    /// Sees their rooms (Lync 2013: only when homed on 2013 and enabled by policy).
    SeesRooms,
    /// Joins a room.
    JoinsRoom,
    /// Posts a message in a room.
    Posts,
    /// Sees the room's history (migrated messages included).
    History,
    /// A legacy Group Chat client reaches the new pool through the legacy endpoint, with no
    /// change to its configuration (legacy clients only).
    LegacyEndpoint,
    /// Posts and opens files in a room (legacy clients only: Lync 2013 cannot).
    Files,
}

impl PilotCase {
    /// Every case, in the order a tester works through them.
    pub const ALL: [PilotCase; 7] = [
        PilotCase::SignIn,
        PilotCase::SeesRooms,
        PilotCase::JoinsRoom,
        PilotCase::Posts,
        PilotCase::History,
        PilotCase::LegacyEndpoint,
        PilotCase::Files,
    ];

    /// The stable id, as stored (`sign-in`, `sees-rooms`, …).
    pub fn id(self) -> &'static str {
        match self {
            PilotCase::SignIn => "sign-in",
            PilotCase::SeesRooms => "sees-rooms",
            PilotCase::JoinsRoom => "joins-room",
            PilotCase::Posts => "posts",
            PilotCase::History => "history",
            PilotCase::LegacyEndpoint => "legacy-endpoint",
            PilotCase::Files => "files",
        }
    }

    /// A short title for column headers.
    pub fn title(self) -> &'static str {
        match self {
            PilotCase::SignIn => "Signs in",
            PilotCase::SeesRooms => "Sees rooms",
            PilotCase::JoinsRoom => "Joins a room",
            PilotCase::Posts => "Posts",
            PilotCase::History => "Sees history",
            PilotCase::LegacyEndpoint => "Legacy endpoint",
            PilotCase::Files => "Files",
        }
    }

    /// What the tester does and what counts as a pass.
    pub fn description(self) -> &'static str {
        match self {
            PilotCase::SignIn => "Sign in to the client; it reaches the Persistent Chat pool.",
            PilotCase::SeesRooms => {
                "The rooms the user belongs to are listed (Lync 2013: only when the user is \
                 homed on Lync 2013 and a Persistent Chat policy enables them)."
            }
            PilotCase::JoinsRoom => "Open one of the rooms (the test room first).",
            PilotCase::Posts => "Post a message; another pilot user sees it.",
            PilotCase::History => "The room shows its history, migrated messages included.",
            PilotCase::LegacyEndpoint => {
                "A Lync 2010 Group Chat or Communicator 2007 R2 Group Chat client reaches the new \
                 pool through the legacy endpoint without any change to its settings."
            }
            PilotCase::Files => {
                "Post a file and open a file posted before the migration (legacy clients only: \
                 Lync 2013 cannot post or view files in rooms)."
            }
        }
    }

    /// Whether the case applies to a client. `LegacyEndpoint` and `Files` apply to legacy
    /// Group Chat clients only.
    pub fn applies_to(self, client: PilotClient) -> bool {
        match self {
            PilotCase::LegacyEndpoint | PilotCase::Files => client.is_legacy(),
            _ => true,
        }
    }

    /// Why the case does not apply to a client (`None` when it does).
    pub fn not_applicable_because(self, client: PilotClient) -> Option<&'static str> {
        if self.applies_to(client) {
            return None;
        }
        Some(match self {
            PilotCase::Files => {
                "Lync 2013 clients cannot post or view files in rooms (migration.md Stage 7)"
            }
            _ => "only legacy Group Chat clients use the legacy endpoint",
        })
    }
}

impl fmt::Display for PilotCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for PilotCase {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        PilotCase::ALL
            .into_iter()
            .find(|c| c.id().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                format!(
                    "unknown pilot test case {s:?}; expected one of {}",
                    PilotCase::ALL.map(PilotCase::id).join(", ")
                )
            })
    }
}

/// The result of one test case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PilotOutcome {
    /// Worked.
    Pass,
    /// Did not work; the note says what happened.
    Fail,
    /// Does not apply to this user or client.
    #[serde(rename = "na")]
    NotApplicable,
    /// Not tested yet.
    Todo,
}

impl PilotOutcome {
    /// Every outcome.
    pub const ALL: [PilotOutcome; 4] = [
        PilotOutcome::Pass,
        PilotOutcome::Fail,
        PilotOutcome::NotApplicable,
        PilotOutcome::Todo,
    ];

    /// As stored: `pass`, `fail`, `na`, `todo`.
    pub fn as_str(self) -> &'static str {
        match self {
            PilotOutcome::Pass => "pass",
            PilotOutcome::Fail => "fail",
            PilotOutcome::NotApplicable => "na",
            PilotOutcome::Todo => "todo",
        }
    }

    /// As shown: `pass`, `FAIL`, `n/a`, `todo`.
    pub fn label(self) -> &'static str {
        match self {
            PilotOutcome::Pass => "pass",
            PilotOutcome::Fail => "FAIL",
            PilotOutcome::NotApplicable => "n/a",
            PilotOutcome::Todo => "todo",
        }
    }
}

impl fmt::Display for PilotOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PilotOutcome {
    type Err = String;

    /// Accepts `pass`, `fail`, `na`, `n/a`, `n.a.`, `todo` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pass" | "passed" | "ok" => Ok(PilotOutcome::Pass),
            "fail" | "failed" => Ok(PilotOutcome::Fail),
            "na" | "n/a" | "n.a." | "n.a" => Ok(PilotOutcome::NotApplicable),
            "todo" | "" => Ok(PilotOutcome::Todo),
            _ => Err(format!(
                "unknown pilot result {s:?}; expected pass, fail, n/a or todo"
            )),
        }
    }
}

/// The chat client a pilot user runs (migration.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PilotClient {
    /// Lync 2013 (full client).
    #[serde(rename = "lync2013")]
    Lync2013,
    /// Lync 2013 Basic.
    #[serde(rename = "lync2013-basic")]
    Lync2013Basic,
    /// Skype for Business 2015/2016.
    #[serde(rename = "sfb")]
    SkypeForBusiness,
    /// The Lync 2010 Group Chat client (legacy).
    #[serde(rename = "lync2010-groupchat")]
    Lync2010GroupChat,
    /// The Office Communicator 2007 R2 Group Chat client (legacy).
    #[serde(rename = "ocs2007r2-groupchat")]
    Ocs2007R2GroupChat,
}

impl PilotClient {
    /// Every client.
    pub const ALL: [PilotClient; 5] = [
        PilotClient::Lync2013,
        PilotClient::Lync2013Basic,
        PilotClient::SkypeForBusiness,
        PilotClient::Lync2010GroupChat,
        PilotClient::Ocs2007R2GroupChat,
    ];

    /// As stored and written in CSV files and profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            PilotClient::Lync2013 => "lync2013",
            PilotClient::Lync2013Basic => "lync2013-basic",
            PilotClient::SkypeForBusiness => "sfb",
            PilotClient::Lync2010GroupChat => "lync2010-groupchat",
            PilotClient::Ocs2007R2GroupChat => "ocs2007r2-groupchat",
        }
    }

    /// The product name.
    pub fn product_name(self) -> &'static str {
        match self {
            PilotClient::Lync2013 => "Lync 2013",
            PilotClient::Lync2013Basic => "Lync 2013 Basic",
            PilotClient::SkypeForBusiness => "Skype for Business",
            PilotClient::Lync2010GroupChat => "Lync 2010 Group Chat",
            PilotClient::Ocs2007R2GroupChat => "Communicator 2007 R2 Group Chat",
        }
    }

    /// True for the legacy Group Chat clients, which reach the new pool through the legacy
    /// endpoint and can post and view files.
    pub fn is_legacy(self) -> bool {
        matches!(
            self,
            PilotClient::Lync2010GroupChat | PilotClient::Ocs2007R2GroupChat
        )
    }
}

impl fmt::Display for PilotClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PilotClient {
    type Err = String;

    /// Accepts the stored names and a few spellings admins use (`skype-for-business`,
    /// `sfb2015`, `lync2010gc`, …). The Lync 2010 IM client is refused: it has no
    /// Persistent Chat.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        Ok(match t.as_str() {
            "lync2013" | "lync-2013" => PilotClient::Lync2013,
            "lync2013-basic" | "lync-2013-basic" => PilotClient::Lync2013Basic,
            "sfb" | "sfb2015" | "sfb2016" | "skype-for-business" | "skypeforbusiness" => {
                PilotClient::SkypeForBusiness
            }
            "lync2010-groupchat" | "lync2010gc" | "lync-2010-group-chat" => {
                PilotClient::Lync2010GroupChat
            }
            "ocs2007r2-groupchat" | "ocs2007r2gc" | "communicator2007r2-groupchat" => {
                PilotClient::Ocs2007R2GroupChat
            }
            "lync2010" | "lync-2010" => {
                return Err(
                    "the Lync 2010 client has no Persistent Chat; a pilot user needs the \
                     Lync 2010 Group Chat client (lync2010-groupchat) or Lync 2013"
                        .to_string(),
                );
            }
            _ => {
                return Err(format!(
                    "unknown client {s:?}; expected one of {}",
                    PilotClient::ALL.map(PilotClient::as_str).join(", ")
                ));
            }
        })
    }
}

/// A pilot user to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPilotUser {
    /// SIP URI, `sip:user@domain`.
    pub sip: String,
    /// Display name (the SIP user part when none is known).
    pub display_name: String,
    /// The chat client the user tests with.
    pub client: PilotClient,
    /// FQDN of the pool the user is homed on, when known (from the profile).
    pub pool: Option<String>,
    /// Whether a Persistent Chat policy enables the user, when known (from the profile).
    pub pchat_policy: Option<bool>,
    /// Whether that pool is a Lync Server 2013 pool, when known (from the profile).
    pub homed_on_2013: Option<bool>,
}

/// A pilot user as stored in a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotUser {
    /// SIP URI.
    pub sip: String,
    /// Display name.
    pub display_name: String,
    /// Client.
    pub client: PilotClient,
    /// Home pool FQDN, when known.
    pub pool: Option<String>,
    /// Persistent Chat policy enabled, when known.
    pub pchat_policy: Option<bool>,
    /// Homed on a Lync 2013 pool, when known.
    pub homed_on_2013: Option<bool>,
    /// Where the user came from: `profile` or `csv:<file name>`.
    pub source: String,
    /// When the user was added (or last updated).
    pub added_at: DateTime<Utc>,
    /// Who added them.
    pub added_by: String,
}

/// The result of one case for one user. Cases never recorded are listed too: `todo`, or
/// `na` (automatic) when the case does not apply to the user's client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotResultRecord {
    /// The user's SIP URI.
    pub sip: String,
    /// The case.
    pub case: PilotCase,
    /// The result.
    pub result: PilotOutcome,
    /// The tester's note (for an automatic n/a: why it does not apply).
    pub note: Option<String>,
    /// Who recorded it (`None` when never recorded).
    pub who: Option<String>,
    /// When it was recorded (`None` when never recorded).
    pub at: Option<DateTime<Utc>>,
}

impl PilotResultRecord {
    /// True when somebody recorded this result (false for the default todo / automatic n/a).
    pub fn recorded(&self) -> bool {
        self.who.is_some()
    }
}

/// A session's pilot: the users and the full users × cases matrix, as
/// [`crate::store::Store::pilot_results`] returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotResults {
    /// The pilot users, in the order they were added.
    pub users: Vec<PilotUser>,
    /// One record per user and case ([`PilotCase::ALL`] order), users in `users` order.
    pub results: Vec<PilotResultRecord>,
}

impl PilotResults {
    /// The user with this SIP URI.
    pub fn user(&self, sip: &str) -> Option<&PilotUser> {
        self.users.iter().find(|u| u.sip.eq_ignore_ascii_case(sip))
    }

    /// One user's records, in case order.
    pub fn for_user<'a>(&'a self, sip: &'a str) -> impl Iterator<Item = &'a PilotResultRecord> {
        self.results
            .iter()
            .filter(move |r| r.sip.eq_ignore_ascii_case(sip))
    }

    /// The record of one user and case.
    pub fn get(&self, sip: &str, case: PilotCase) -> Option<&PilotResultRecord> {
        self.results
            .iter()
            .find(|r| r.case == case && r.sip.eq_ignore_ascii_case(sip))
    }
}
