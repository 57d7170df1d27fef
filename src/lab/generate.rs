//! Deterministic generator of a legacy Group Chat database (per seed, with `rand_chacha`).
//!
//! Shapes that matter to the migration (see the module docs of [`crate::lab`]): a category
//! tree up to [`LabSpec::max_depth`] deep under the root, rooms of both behaviors and both
//! legacy visibilities, some disabled, some with an add-in; users, groups, an OU folder, the
//! domain, federated users and a federated group, the system user; managers on the root
//! category, scope principals on categories, member / manager / voiced roles on rooms;
//! tri-state invite / logged / filePost including one room whose invitation setting
//! conflicts with its category; messages with .NET ticks over several years, skewed room sizes,
//! alerts, `ma-filelink:` file posts, HTML links, multi-line and multilingual text.
//!
//! Built for speed and flat memory: the directory is small and built in memory; messages are
//! produced room by room and inserted through one prepared statement in a single transaction
//! into a fresh file with the journal off (the file is written under a temporary name and
//! renamed on success, so a half-built database is never left in place).

use std::path::Path;
use std::time::Instant;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use super::schema::{self, LEGACY_ROLE_IDS, ROOT_NODE_ID, SYSTEM_PRINCIPAL_ID};
use super::{LabError, LabSpec};
use crate::chatdata::model::{Role, enumv, ptype};
use crate::chatdata::ticks;
use crate::progress::{ProgressUpdate, Reporter};

/// Rows between progress samples and cancellation checks.
const BATCH: u64 = 5_000;

/// What the generator produced (row counts), for the log.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GenerateSummary {
    /// Principals of every type.
    pub principals: u64,
    /// Categories including the root.
    pub categories: u64,
    /// Rooms.
    pub rooms: u64,
    /// Messages.
    pub messages: u64,
    /// Content bytes (UTF-8).
    pub bytes: u64,
    /// Wall time.
    pub elapsed_ms: u64,
}

/// A random GUID in uppercase canonical form (version-4 layout).
pub(crate) fn guid(rng: &mut impl Rng) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn ymd(y: i32, m: u32, d: u32) -> i64 {
    ticks::from_date(chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date"))
}

const GIVEN: [(&str, &str); 16] = [
    ("Giulia", "giulia"),
    ("Marco", "marco"),
    ("Francesca", "francesca"),
    ("José", "jose"),
    ("Lucía", "lucia"),
    ("Carmen", "carmen"),
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("지호", "jiho"),
    ("Anna", "anna"),
    ("David", "david"),
    ("Sarah", "sarah"),
    ("Peter", "peter"),
    ("Olivia", "olivia"),
    ("Noah", "noah"),
    ("Emma", "emma"),
];
const FAMILY: [(&str, &str); 12] = [
    ("Rossi", "rossi"),
    ("Bianchi", "bianchi"),
    ("García", "garcia"),
    ("Fernández", "fernandez"),
    ("김", "kim"),
    ("이", "lee"),
    ("박", "park"),
    ("Smith", "smith"),
    ("Jones", "jones"),
    ("Müller", "muller"),
    ("Brown", "brown"),
    ("Wilson", "wilson"),
];
const CATEGORY_NAMES: [&str; 10] = [
    "Engineering",
    "Ventas y Marketing",
    "Ricerca e Sviluppo",
    "운영팀",
    "Support",
    "Finance",
    "Legal & Compliance",
    "Operations",
    "Human Resources",
    "Trading",
];
const SUBCATEGORY_NAMES: [&str; 8] = [
    "Platform",
    "Europa",
    "Progetti",
    "아시아",
    "Tier 2",
    "Desk",
    "Regional",
    "Archive",
];
const ROOM_NAMES: [&str; 16] = [
    "Build Status",
    "Daily Stand-up",
    "Progettazione",
    "Revisión de código",
    "주간 회의",
    "Release Train 🚂",
    "Incidents",
    "Customer Escalations",
    "Pricing <Q&A>",
    "Notizie",
    "Equipo de ventas",
    "고객 지원",
    "Market Data",
    "Architecture Board",
    "Random ☕",
    "Onboarding",
];
const PHRASES: [&str; 24] = [
    "Build 4521 is green, deploying to staging now.",
    "Can someone review my change before lunch?",
    "The customer call moved to 3 pm.",
    "Buongiorno a tutti, la riunione è spostata a domani.",
    "Ho aggiornato il documento di progetto, fatemi sapere.",
    "Perfetto, grazie mille!",
    "¿Alguien puede revisar el presupuesto del trimestre?",
    "La demo salió muy bien, ¡enhorabuena al equipo!",
    "Mañana no estaré disponible por la tarde.",
    "오늘 회의는 3시에 시작합니다.",
    "배포가 완료되었습니다. 확인 부탁드립니다.",
    "감사합니다! 좋은 하루 되세요.",
    "🎉 Release shipped! 🚀",
    "👍 sounds good",
    "Coffee break ☕ anyone?",
    "Market opens in 5 minutes 📈",
    "Please use the <b>new</b> template & \"save as\" PDF.",
    "Ticket #1234 resolved; root cause was a DNS timeout.",
    "Reminder: code freeze starts Friday.",
    "I'll take the on-call shift this weekend.",
    "Numbers look off by 2% — checking the feed.",
    "OK",
    "Thanks!",
    "Will do.",
];
/// Words of the over-long room names (multilingual on purpose).
const LONG_NAME_WORDS: [&str; 12] = [
    "Archivio",
    "storico",
    "delle",
    "riunioni",
    "settimanali",
    "del",
    "comité",
    "de",
    "coordinación",
    "regional",
    "주간",
    "회의록",
];
/// One message in this many is a long paste (4 KiB to 64 KiB).
const LONG_PASTE_EVERY: u64 = 5_000;
/// The largest message the lab writes: 64 KiB of UTF-8.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
const FILES: [&str; 6] = [
    "Q3 report.xlsx",
    "design-v2.docx",
    "budget_2011.xlsx",
    "screenshot.png",
    "회의록.docx",
    "presentazione finale.pptx",
];

struct Gen {
    rng: ChaCha8Rng,
    next_prin: i64,
}

impl Gen {
    fn prin_id(&mut self) -> i64 {
        let id = self.next_prin;
        self.next_prin += 1;
        id
    }
}

/// Lab principal kept for role assignment and posting.
struct LabPrincipal {
    id: i64,
    ptype: i16,
}

struct LabNode {
    id: i64,
    depth: u32,
    is_category: bool,
    behavior: i16,
    scope_definer: i64,
    role_definer: i64,
    guid: String,
}

/// Generates the legacy database at `path` (which must not exist).
///
/// # Errors
/// [`LabError`] on SQLite errors or cancellation.
pub fn generate_legacy(
    path: &Path,
    spec: &LabSpec,
    r: &dyn Reporter,
) -> Result<GenerateSummary, LabError> {
    let started = Instant::now();
    let sql = |action: &'static str| {
        let path = path.to_path_buf();
        move |source| LabError::Sqlite {
            path,
            action: action.to_string(),
            source,
        }
    };
    let mut conn = Connection::open(path).map_err(sql("create the legacy database"))?;
    conn.execute_batch(
        "PRAGMA page_size=8192; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; \
         PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;",
    )
    .map_err(sql("set up the legacy database"))?;
    schema::create_legacy(&conn).map_err(sql("create the legacy tables"))?;

    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        next_prin: 1,
    };
    let mut summary = GenerateSummary::default();
    r.log(format!(
        "lab: generating the legacy Group Chat database ({} users, {} groups, {} rooms, {} messages, seed {})",
        spec.users, spec.groups, spec.rooms, spec.messages, spec.seed
    ));

    // ---- principals, add-ins, nodes, roles, scopes ------------------------------------
    let tx = conn
        .transaction()
        .map_err(sql("begin the directory transaction"))?;
    let principals = gen_principals(&mut g, spec, &tx).map_err(sql("insert principals"))?;
    summary.principals = principals.len() as u64;
    let addins = gen_addins(&mut g, &tx).map_err(sql("insert add-ins"))?;
    let nodes = gen_nodes(&mut g, spec, &principals, &addins, &tx).map_err(sql("insert nodes"))?;
    summary.categories = nodes.iter().filter(|n| n.is_category).count() as u64;
    summary.rooms = nodes.iter().filter(|n| !n.is_category).count() as u64;
    let posters = gen_roles(&mut g, &principals, &nodes, &tx).map_err(sql("insert roles"))?;
    gen_server_rows(&mut g, &tx).map_err(sql("insert server rows"))?;
    tx.commit().map_err(sql("commit the directory"))?;
    r.log(format!(
        "lab: {} principals, {} categories, {} rooms",
        summary.principals, summary.categories, summary.rooms
    ));
    if r.is_cancelled() {
        return Err(LabError::Cancelled);
    }

    // ---- messages ---------------------------------------------------------------------
    let rooms: Vec<&LabNode> = nodes.iter().filter(|n| !n.is_category).collect();
    let counts = skewed_counts(&mut g.rng, rooms.len(), spec.messages);
    let tx = conn
        .transaction()
        .map_err(sql("begin the message transaction"))?;
    {
        let mut ins = tx
            .prepare("INSERT INTO tblChat (channelID, chatID, chatDate, userId, isAlert, content) VALUES (?1,?2,?3,?4,?5,?6)")
            .map_err(sql("prepare the message insert"))?;
        let mut last = tx
            .prepare("INSERT INTO tblLastChatId (nodeID, lastChatId) VALUES (?1,?2)")
            .map_err(sql("prepare the last-chat-id insert"))?;
        let span_start = ymd(2009, 1, 5);
        let span_end = ymd(2013, 3, 29);
        let mut done = 0u64;
        let mut content = String::with_capacity(512);
        for (room, &n) in rooms.iter().zip(&counts) {
            let pool = &posters[&room.id];
            let start = span_start + g.rng.random_range(0..(span_end - span_start) / 2);
            let gap = if n == 0 {
                0
            } else {
                (span_end - start) / n as i64
            };
            let mut date = start;
            for chat_id in 1..=n as i64 {
                // ~1 % ties: same chatDate as the previous message
                if !g.rng.random_bool(0.01) {
                    date += g.rng.random_range(1..=gap.max(1) * 2);
                }
                let poster = *pool.choose(&mut g.rng).expect("poster pool is never empty");
                let alert = g.rng.random_bool(0.01);
                if (done + 1).is_multiple_of(LONG_PASTE_EVERY) {
                    let len = if done + 1 == LONG_PASTE_EVERY {
                        MAX_MESSAGE_BYTES
                    } else {
                        g.rng.random_range(4 * 1024..=MAX_MESSAGE_BYTES)
                    };
                    long_paste(&mut g.rng, len, &mut content);
                } else {
                    make_content(&mut g.rng, &room.guid, &mut content);
                }
                ins.execute(params![room.id, chat_id, date, poster, alert, content])
                    .map_err(sql("insert messages"))?;
                summary.bytes += content.len() as u64;
                done += 1;
                if done.is_multiple_of(BATCH) {
                    r.progress(ProgressUpdate {
                        phase: "lab messages".into(),
                        done,
                        total: spec.messages,
                        bytes: summary.bytes,
                    });
                    if r.is_cancelled() {
                        return Err(LabError::Cancelled);
                    }
                }
            }
            last.execute(params![room.id, n as i64])
                .map_err(sql("insert tblLastChatId"))?;
        }
        summary.messages = done;
        r.progress(ProgressUpdate {
            phase: "lab messages".into(),
            done,
            total: spec.messages,
            bytes: summary.bytes,
        });
    }
    tx.commit().map_err(sql("commit the messages"))?;
    drop(conn);
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    r.log(format!(
        "lab: {} messages ({} bytes of content) in {} ms",
        summary.messages, summary.bytes, summary.elapsed_ms
    ));
    Ok(summary)
}

/// Splits `total` messages over `rooms` rooms with a Zipf-like skew (a few rooms hold most
/// messages); every room but possibly the smallest gets at least one when there are enough.
fn skewed_counts(rng: &mut ChaCha8Rng, rooms: usize, total: u64) -> Vec<u64> {
    if rooms == 0 {
        return Vec::new();
    }
    let mut ranks: Vec<usize> = (0..rooms).collect();
    ranks.shuffle(rng);
    let weights: Vec<f64> = ranks
        .iter()
        .map(|&k| 1.0 / ((k + 1) as f64).powf(1.2))
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut counts: Vec<u64> = weights
        .iter()
        .map(|w| ((total as f64) * w / sum).floor() as u64)
        .collect();
    let assigned: u64 = counts.iter().sum();
    let top = ranks.iter().position(|&k| k == 0).expect("rank 0 exists");
    counts[top] += total - assigned;
    counts
}

/// A long paste (a log or a document pasted into the room): multilingual lines until exactly
/// `len` bytes (padded with spaces after the last whole character).
fn long_paste(rng: &mut ChaCha8Rng, len: usize, out: &mut String) {
    out.clear();
    out.push_str("[paste] ");
    while out.len() < len {
        let p = PHRASES.choose(rng).expect("non-empty");
        if out.len() + p.len() + 2 > len {
            break;
        }
        out.push_str(p);
        out.push_str("\r\n");
    }
    while out.len() < len {
        out.push(' ');
    }
}

fn make_content(rng: &mut ChaCha8Rng, room_guid: &str, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let roll: u32 = rng.random_range(0..1000);
    match roll {
        0..20 => {
            // file post [inf: link format not documented]
            let file = FILES.choose(rng).expect("non-empty");
            let _ = write!(
                out,
                "ma-filelink://gcpool.contoso.lab/{room_guid}/{:08X}/{file}",
                rng.random::<u32>()
            );
        }
        20..50 => {
            let page: u32 = rng.random_range(1..500);
            let _ = write!(
                out,
                "See <a href=\"http://intranet.contoso.lab/wiki/Page{page}\">http://intranet.contoso.lab/wiki/Page{page}</a>"
            );
        }
        50..70 => {
            let a = PHRASES.choose(rng).expect("non-empty");
            let b = PHRASES.choose(rng).expect("non-empty");
            let _ = write!(out, "{a}\r\n{b}\r\n-- sent from the road");
        }
        70..75 => {
            let a = PHRASES.choose(rng).expect("non-empty");
            let _ = write!(out, "[STORY]Weekly summary\r\n{a}");
        }
        75..77 => {
            // a control character, as pasted from other tools: not representable in XML 1.0
            let _ = write!(out, "ping\u{7} {}", rng.random_range(0..100));
        }
        77..80 => {
            out.push_str("  indented reply with trailing space  ");
        }
        _ => {
            let a = PHRASES.choose(rng).expect("non-empty");
            out.push_str(a);
            if rng.random_bool(0.3) {
                let b = PHRASES.choose(rng).expect("non-empty");
                out.push(' ');
                out.push_str(b);
            }
        }
    }
}

fn gen_principals(
    g: &mut Gen,
    spec: &LabSpec,
    tx: &Connection,
) -> rusqlite::Result<Vec<LabPrincipal>> {
    let mut ins = tx.prepare(
        "INSERT INTO tblPrincipal (prinID, prinGuid, prinUri, prinName, prinCompanyName, prinEmail, prinADPath, \
         prinADUserPrincipalName, prinDisabled, prinTypeID, prinAllowedPermSet, prinUseInheritedPerms, prinAddedBy, \
         prinAddedOn, prinUpdatedBy, prinUpdatedOn, prinVerifiedOn) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
    )?;
    let mut aff = tx.prepare(
        "INSERT INTO tblPrincipalAffiliations (principalID, affiliationID, \"index\", updatedBy) VALUES (?1,?2,?3,1)",
    )?;
    let mut out = Vec::new();
    struct P<'a> {
        t: i16,
        uri: String,
        name: Option<String>,
        company: Option<&'a str>,
        email: Option<String>,
        dn: Option<String>,
        upn: Option<String>,
        disabled: bool,
    }
    let mut insert =
        |g: &mut Gen, p: P<'_>, out: &mut Vec<LabPrincipal>| -> rusqlite::Result<i64> {
            let id = g.prin_id();
            let added = ymd(2008, 6, 1) + g.rng.random_range(0..ticks::TICKS_PER_DAY * 365);
            let updated = added + g.rng.random_range(0..ticks::TICKS_PER_DAY * 700);
            let perms: i64 = if p.t == ptype::USER { 1 } else { 0 };
            let guid = guid(&mut g.rng);
            ins.execute(params![
                id,
                guid,
                p.uri,
                p.name,
                p.company,
                p.email,
                p.dn,
                p.upn,
                p.disabled,
                p.t,
                perms,
                true,
                if id == SYSTEM_PRINCIPAL_ID {
                    None
                } else {
                    Some(SYSTEM_PRINCIPAL_ID)
                },
                added,
                if id == SYSTEM_PRINCIPAL_ID {
                    None
                } else {
                    Some(SYSTEM_PRINCIPAL_ID)
                },
                updated,
                "2013-03-30 02:00:00",
            ])?;
            out.push(LabPrincipal { id, ptype: p.t });
            Ok(id)
        };
    let none = || P {
        t: 0,
        uri: String::new(),
        name: None,
        company: None,
        email: None,
        dn: None,
        upn: None,
        disabled: false,
    };
    insert(
        g,
        P {
            t: ptype::SYSTEM_USER,
            uri: "ma-grp://contoso.lab/system".into(),
            name: Some("Group Chat System".into()),
            ..none()
        },
        &mut out,
    )?;
    let domain = insert(
        g,
        P {
            t: ptype::DC,
            uri: "ma-grp://contoso.lab/domain".into(),
            dn: Some("DC=contoso,DC=lab".into()),
            ..none()
        },
        &mut out,
    )?;
    let ou = insert(
        g,
        P {
            t: ptype::FOLDER,
            uri: "ma-grp://contoso.lab/ou/chat-users".into(),
            dn: Some("OU=Chat Users,DC=contoso,DC=lab".into()),
            ..none()
        },
        &mut out,
    )?;
    let mut groups = Vec::new();
    for i in 0..spec.groups {
        let base = CATEGORY_NAMES[i as usize % CATEGORY_NAMES.len()];
        let name = format!("GC {base} {}", i + 1);
        let slug = format!("gc-group-{}", i + 1);
        groups.push(insert(
            g,
            P {
                t: ptype::GROUP,
                uri: format!("ma-grp://contoso.lab/group/{slug}"),
                name: Some(name.clone()),
                dn: Some(format!(
                    "CN={},OU=Groups,DC=contoso,DC=lab",
                    name.replace(',', "\\,")
                )),
                email: Some(format!("{slug}@contoso.lab")),
                ..none()
            },
            &mut out,
        )?);
    }
    let mut users = Vec::new();
    for i in 0..spec.users {
        let (display, slug) = match i {
            0 => ("Pilot User 01".to_string(), "pilot01".to_string()),
            1 => ("Pilot User 02".to_string(), "pilot02".to_string()),
            2 => ("Legacy User 01".to_string(), "legacy01".to_string()),
            _ => {
                let (gn, gs) = *GIVEN.choose(&mut g.rng).expect("non-empty");
                let (fname, fs) = *FAMILY.choose(&mut g.rng).expect("non-empty");
                let korean = fname
                    .chars()
                    .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
                let display = if korean {
                    format!("{fname}{gn}")
                } else {
                    format!("{gn} {fname}")
                };
                (display, format!("{gs}.{fs}{i}"))
            }
        };
        let disabled = i > 2 && g.rng.random_bool(0.02);
        users.push(insert(
            g,
            P {
                t: ptype::USER,
                uri: format!("sip:{slug}@contoso.lab"),
                name: Some(display.clone()),
                company: Some("Contoso"),
                email: Some(format!("{slug}@contoso.lab")),
                dn: Some(format!(
                    "CN={},OU=Chat Users,DC=contoso,DC=lab",
                    display.replace(',', "\\,")
                )),
                upn: Some(format!("{slug}@contoso.lab")),
                disabled,
            },
            &mut out,
        )?);
    }
    for i in 1..=3 {
        insert(
            g,
            P {
                t: ptype::FEDERATED_USER,
                uri: format!("sip:partner{i}@fabrikam.com"),
                name: Some(format!("Fabrikam Partner {i}")),
                company: Some("Fabrikam"),
                email: Some(format!("partner{i}@fabrikam.com")),
                ..none()
            },
            &mut out,
        )?;
    }
    insert(
        g,
        P {
            t: ptype::FEDERATED_GROUP,
            uri: "ma-grp://fabrikam.com/group/partners".into(),
            name: Some("Fabrikam Partners".into()),
            ..none()
        },
        &mut out,
    )?;
    // affiliations: a self row for every non-system principal, users in the OU, the domain and
    // 1-3 groups, groups in the domain, group 2 nested in group 1.
    for p in &out {
        if p.id != SYSTEM_PRINCIPAL_ID {
            aff.execute(params![p.id, p.id, -1])?;
        }
    }
    for &u in &users {
        aff.execute(params![u, domain, 1])?;
        aff.execute(params![u, ou, 1])?;
        if !groups.is_empty() {
            let k = g.rng.random_range(1..=3usize.min(groups.len()));
            let picks: Vec<i64> = groups.choose_multiple(&mut g.rng, k).copied().collect();
            for grp in picks {
                aff.execute(params![u, grp, 1])?;
            }
        }
    }
    for &grp in &groups {
        aff.execute(params![grp, domain, 1])?;
    }
    if groups.len() >= 2 {
        aff.execute(params![groups[1], groups[0], 1])?;
    }
    Ok(out)
}

fn gen_addins(g: &mut Gen, tx: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut ids = Vec::new();
    for (name, url) in [
        (
            "Contoso Wiki",
            "https://wiki.contoso.lab/groupchat/addin.aspx",
        ),
        ("Build Dashboard", "https://build.contoso.lab/addin/"),
    ] {
        let id = guid(&mut g.rng);
        tx.execute(
            "INSERT INTO tblSiopWhiteList (siopID, siopName, siopUrl) VALUES (?1,?2,?3)",
            params![id, name, url],
        )?;
        ids.push(id);
    }
    Ok(ids)
}

fn tri(rng: &mut ChaCha8Rng, p_on: f64, p_off: f64) -> Option<bool> {
    let x: f64 = rng.random();
    if x < p_on {
        Some(true)
    } else if x < p_on + p_off {
        Some(false)
    } else {
        None
    }
}

fn gen_nodes(
    g: &mut Gen,
    spec: &LabSpec,
    principals: &[LabPrincipal],
    addins: &[String],
    tx: &Connection,
) -> rusqlite::Result<Vec<LabNode>> {
    let mut ins = tx.prepare(
        "INSERT INTO tblNode (nodeID, nodeGuid, parentID, nodeType, nodeName, nodeDesc, topic, filestoreURI, inheritance, \
         scopeChange, overrideMember, invite, logged, filePost, disabled, restrictChildCreate, behavior, visibility, \
         scopeDefinerId, roleDefinerId, siopID, nodeAddedBy, nodeAddedOn, nodeUpdatedBy, nodeUpdatedOn) \
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25)",
    )?;
    let mut scope = tx.prepare(
        "INSERT INTO tblScopePrincipal (scopeNodeID, scopePrinID, scopeUpdatedBy) VALUES (?1,?2,1)",
    )?;
    let of_type = |t: i16| {
        principals
            .iter()
            .filter(move |p| p.ptype == t)
            .map(|p| p.id)
    };
    let domain = of_type(ptype::DC).next();
    let ou = of_type(ptype::FOLDER).next();
    let groups: Vec<i64> = of_type(ptype::GROUP).collect();

    let mut nodes: Vec<LabNode> = Vec::new();
    let mut next_id = ROOT_NODE_ID;
    // root
    let root_guid = guid(&mut g.rng);
    ins.execute(params![
        ROOT_NODE_ID,
        root_guid,
        ROOT_NODE_ID,
        true,
        "Root",
        "Root category",
        "",
        "https://gcpool.contoso.lab/GroupChat/WebService/FileStore.svc",
        false,
        true,
        true,
        true,
        true,
        true,
        false,
        Option::<bool>::None,
        enumv::NORMAL,
        enumv::SCOPE,
        ROOT_NODE_ID,
        ROOT_NODE_ID,
        Option::<String>::None,
        SYSTEM_PRINCIPAL_ID,
        ymd(2008, 5, 1),
        SYSTEM_PRINCIPAL_ID,
        ymd(2008, 5, 1),
    ])?;
    if let Some(d) = domain {
        scope.execute(params![ROOT_NODE_ID, d])?;
    }
    nodes.push(LabNode {
        id: ROOT_NODE_ID,
        depth: 0,
        is_category: true,
        behavior: enumv::NORMAL,
        scope_definer: ROOT_NODE_ID,
        role_definer: ROOT_NODE_ID,
        guid: root_guid,
    });
    next_id += 1;

    // categories, breadth first
    let max_depth = spec.max_depth.max(1);
    let mut frontier: Vec<usize> = vec![0];
    let mut sub_counter = 0usize;
    let mut conflict_category: Option<usize> = None;
    for depth in 1..=max_depth {
        let mut next_frontier = Vec::new();
        for &parent_idx in &frontier {
            let n_children: u32 = if depth == 1 {
                spec.top_categories
            } else if parent_idx == frontier[0] {
                1 // guarantee one chain down to max_depth
            } else {
                g.rng.random_range(0..=if depth == 2 { 2 } else { 1 })
            };
            for k in 0..n_children {
                let name = if depth == 1 {
                    let base = CATEGORY_NAMES[k as usize % CATEGORY_NAMES.len()];
                    if (k as usize) < CATEGORY_NAMES.len() {
                        base.to_string()
                    } else {
                        format!("{base} {}", k + 1)
                    }
                } else {
                    sub_counter += 1;
                    format!(
                        "{} {}",
                        SUBCATEGORY_NAMES[sub_counter % SUBCATEGORY_NAMES.len()],
                        sub_counter
                    )
                };
                let parent = &nodes[parent_idx];
                let (parent_id, parent_scope_definer, parent_role_definer) =
                    (parent.id, parent.scope_definer, parent.role_definer);
                let id = next_id;
                next_id += 1;
                // the second top category has invitations off: a room below it will conflict
                let invite = if depth == 1 && k == 1 {
                    Some(false)
                } else {
                    tri(&mut g.rng, 0.3, 0.2)
                };
                let logged = tri(&mut g.rng, 0.2, 0.1);
                let file_post = tri(&mut g.rng, 0.2, 0.2);
                let inheritance = !(depth == 1 && k == 1) && g.rng.random_bool(0.3);
                let scope_change = g.rng.random_bool(0.5);
                let override_member = g.rng.random_bool(0.15);
                // scope: top categories always define one; sub-categories narrow it sometimes
                let own_scope = depth == 1 || g.rng.random_bool(0.3);
                let scope_definer = if own_scope { id } else { parent_scope_definer };
                let role_definer = if override_member {
                    id
                } else {
                    parent_role_definer
                };
                let added = ymd(2008, 6, 1) + g.rng.random_range(0..ticks::TICKS_PER_DAY * 200);
                let guid = guid(&mut g.rng);
                ins.execute(params![
                    id,
                    guid,
                    parent_id,
                    true,
                    name,
                    format!("Category for {name}"),
                    "",
                    Option::<String>::None,
                    inheritance,
                    scope_change,
                    override_member,
                    invite,
                    logged,
                    file_post,
                    false,
                    Option::<bool>::None,
                    enumv::NORMAL,
                    Option::<i16>::None,
                    scope_definer,
                    role_definer,
                    Option::<String>::None,
                    SYSTEM_PRINCIPAL_ID,
                    added,
                    SYSTEM_PRINCIPAL_ID,
                    added,
                ])?;
                if own_scope {
                    if depth == 1
                        && k % 2 == 0
                        && let Some(ou) = ou
                    {
                        scope.execute(params![id, ou])?;
                    }
                    let k_groups = g.rng.random_range(1..=2usize).min(groups.len());
                    for grp in groups.choose_multiple(&mut g.rng, k_groups) {
                        scope.execute(params![id, grp])?;
                    }
                }
                if depth == 1 && k == 1 {
                    conflict_category = Some(nodes.len());
                }
                next_frontier.push(nodes.len());
                nodes.push(LabNode {
                    id,
                    depth,
                    is_category: true,
                    behavior: enumv::NORMAL,
                    scope_definer,
                    role_definer,
                    guid,
                });
            }
        }
        if next_frontier.is_empty() {
            break;
        }
        frontier = next_frontier;
    }

    // rooms: spread over the non-root categories; the deepest and the conflict category first
    let cats: Vec<usize> = (1..nodes.len()).collect();
    if cats.is_empty() {
        return Ok(nodes);
    }
    let deepest = *cats
        .iter()
        .max_by_key(|&&i| nodes[i].depth)
        .expect("non-empty");
    let mut room_names_used = std::collections::BTreeSet::new();
    for i in 0..spec.rooms {
        let long = i >= 2 && i < 2 + spec.long_names;
        let cat_idx = match i {
            0 => deepest,
            1 => conflict_category.unwrap_or(deepest),
            _ if long => deepest,
            _ => *cats.choose(&mut g.rng).expect("non-empty"),
        };
        let base = ROOM_NAMES[i as usize % ROOM_NAMES.len()];
        let mut name = if long {
            // fits the legacy nvarchar(256) alone, passes 256 once the flattened category
            // names are prefixed (2013 limit) [doc: "256 characters including the prefixes"]
            let mut n = format!("{base} {} – ", i + 1);
            for w in LONG_NAME_WORDS.iter().cycle() {
                if n.chars().count() + w.chars().count() + 1 > 240 {
                    break;
                }
                n.push_str(w);
                n.push(' ');
            }
            n.trim_end().to_string()
        } else {
            format!("{base} {}", i + 1)
        };
        while !room_names_used.insert(name.clone()) {
            name.push('+');
        }
        let cat = &nodes[cat_idx];
        let (cat_id, cat_scope, cat_role) = (cat.id, cat.scope_definer, cat.role_definer);
        let id = next_id;
        next_id += 1;
        let auditorium = g.rng.random_bool(0.15);
        let behavior = if auditorium {
            enumv::AUDITORIUM
        } else {
            enumv::NORMAL
        };
        let visibility = if g.rng.random_bool(0.3) {
            enumv::PRIVATE
        } else {
            enumv::SCOPE
        };
        let disabled = i > 1 && g.rng.random_bool(0.1);
        // room 1 sits in the invitations-off category and asks for invitations: a conflict
        let invite = if i == 1 {
            Some(true)
        } else {
            tri(&mut g.rng, 0.05, 0.2)
        };
        let logged = tri(&mut g.rng, 0.05, 0.05);
        let file_post = tri(&mut g.rng, 0.05, 0.1);
        let override_member = g.rng.random_bool(0.2);
        let role_definer = if override_member { id } else { cat_role };
        let siop = if g.rng.random_bool(0.12) {
            addins.choose(&mut g.rng).cloned()
        } else {
            None
        };
        let added = ymd(2008, 9, 1) + g.rng.random_range(0..ticks::TICKS_PER_DAY * 300);
        let updated = added + g.rng.random_range(0..ticks::TICKS_PER_DAY * 600);
        let by = admins_pick(&mut g.rng, principals);
        let guid = guid(&mut g.rng);
        ins.execute(params![
            id,
            guid,
            cat_id,
            false,
            name,
            format!("Room {name}: discussions and announcements"),
            format!("Topic of {name}"),
            Option::<String>::None,
            false,
            false,
            override_member,
            invite,
            logged,
            file_post,
            disabled,
            Option::<bool>::None,
            behavior,
            visibility,
            cat_scope,
            role_definer,
            siop,
            by,
            added,
            by,
            updated,
        ])?;
        nodes.push(LabNode {
            id,
            depth: nodes[cat_idx].depth + 1,
            is_category: false,
            behavior,
            scope_definer: cat_scope,
            role_definer,
            guid,
        });
    }
    Ok(nodes)
}

fn admins_pick(rng: &mut ChaCha8Rng, principals: &[LabPrincipal]) -> i64 {
    principals
        .iter()
        .filter(|p| p.ptype == ptype::USER)
        .take(6)
        .map(|p| p.id)
        .collect::<Vec<_>>()
        .choose(rng)
        .copied()
        .unwrap_or(SYSTEM_PRINCIPAL_ID)
}

/// Inserts roles and returns, per room, the prinIDs that post there.
fn gen_roles(
    g: &mut Gen,
    principals: &[LabPrincipal],
    nodes: &[LabNode],
    tx: &Connection,
) -> rusqlite::Result<std::collections::BTreeMap<i64, Vec<i64>>> {
    let role_id = |role: Role| {
        LEGACY_ROLE_IDS
            .iter()
            .find(|(r, _)| *r == role)
            .expect("legacy role")
            .1
    };
    let mut ins = tx.prepare(
        "INSERT OR IGNORE INTO tblPrincipalRole (prinRoleNodeID, prinRolePrinID, prinRoleTypeID, prinRoleUpdatedBy, \
         honorsOverride, honorsScope) VALUES (?1,?2,?3,1,?4,?5)",
    )?;
    let mut add = |node: i64, prin: i64, role: Role| -> rusqlite::Result<()> {
        let (ho, hs) = schema::legacy_role_honors(role);
        ins.execute(params![node, prin, role_id(role), ho, hs])?;
        Ok(())
    };
    let users: Vec<i64> = principals
        .iter()
        .filter(|p| p.ptype == ptype::USER)
        .map(|p| p.id)
        .collect();
    let groups: Vec<i64> = principals
        .iter()
        .filter(|p| p.ptype == ptype::GROUP)
        .map(|p| p.id)
        .collect();
    let federated: Vec<i64> = principals
        .iter()
        .filter(|p| p.ptype == ptype::FEDERATED_USER)
        .map(|p| p.id)
        .collect();
    // two managers on the root category (they become managers of every room)
    for &u in users.iter().skip(3).take(2) {
        add(ROOT_NODE_ID, u, Role::Manager)?;
    }
    let mut posters = std::collections::BTreeMap::new();
    for room in nodes.iter().filter(|n| !n.is_category) {
        let mut pool = Vec::new();
        let n_mgr = g.rng.random_range(1..=2usize).min(users.len());
        for &u in users.choose_multiple(&mut g.rng, n_mgr) {
            add(room.id, u, Role::Manager)?;
            pool.push(u);
        }
        let n_mem = g.rng.random_range(2..=12usize).min(users.len());
        for &u in users.choose_multiple(&mut g.rng, n_mem) {
            add(room.id, u, Role::Member)?;
            pool.push(u);
        }
        if !groups.is_empty() && g.rng.random_bool(0.4) {
            let grp = *groups.choose(&mut g.rng).expect("non-empty");
            add(room.id, grp, Role::Member)?;
        }
        if !federated.is_empty() && g.rng.random_bool(0.1) {
            let f = *federated.choose(&mut g.rng).expect("non-empty");
            add(room.id, f, Role::Member)?;
            pool.push(f);
        }
        if room.behavior == enumv::AUDITORIUM {
            let n_voiced = g.rng.random_range(1..=3usize).min(users.len());
            for &u in users.choose_multiple(&mut g.rng, n_voiced) {
                add(room.id, u, Role::Voiced)?;
                pool.push(u);
            }
        }
        if pool.is_empty() {
            pool.push(SYSTEM_PRINCIPAL_ID);
        }
        posters.insert(room.id, pool);
    }
    Ok(posters)
}

fn gen_server_rows(g: &mut Gen, tx: &Connection) -> rusqlite::Result<()> {
    tx.execute_batch(
        "INSERT INTO tblServerIdentity (serverID, serverAddress, serverType, serverLastPingTime) VALUES \
           (1, 'net.tcp://gc01.contoso.lab:8011/Lookup', 1, NULL), \
           (2, 'net.tcp://gc01.contoso.lab:8011/Channel', 2, '2013-03-30 01:59:00'), \
           (3, 'net.tcp://gc02.contoso.lab:8011/Channel', 2, '2013-03-30 01:59:30'), \
           (4, 'msmq://gc01.contoso.lab/private$/compliance', 4, NULL); \
         INSERT INTO tblConfig (configLabel, configSeqID, configContent, lastModifiedBy) VALUES \
           ('pool', 1, '<pool fqdn=\"gcpool.contoso.lab\"/>', 1), \
           ('webpool', 1, '<webpool url=\"https://gcpool.contoso.lab/GroupChat/WebService\"/>', 1), \
           ('webservice', 1, '<webservice/>', 1), \
           ('ChannelServer-gc01', 1, '<server/>', 1), \
           ('LookupServer-gc01', 1, '<server/>', 1), \
           ('ComplianceServer-gc01', 1, '<server/>', 1); \
         INSERT INTO tblSystemRevision (sysRevision) VALUES (1);",
    )?;
    tx.execute(
        "INSERT INTO tblVersion (versionId, versionedOn, description, poolId) VALUES (1, '2010-11-15 00:00:00', 'Lync Server 2010 Group Chat (lab)', ?1)",
        params![guid(&mut g.rng)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_uppercase_canonical() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let g = guid(&mut rng);
        assert_eq!(g.len(), 36);
        assert_eq!(g, g.to_uppercase());
        assert_eq!(&g[14..15], "4");
    }

    #[test]
    fn skewed_counts_sum_and_skew() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let c = skewed_counts(&mut rng, 50, 20_000);
        assert_eq!(c.iter().sum::<u64>(), 20_000);
        let mut sorted = c.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let top5: u64 = sorted[..5].iter().sum();
        assert!(top5 > 8_000, "a few rooms hold most messages: {sorted:?}");
    }
}
