//! Event logs: what the Lync, Persistent Chat, Group Chat (and, where they matter, SQL
//! Server and Message Queuing) services wrote, grouped by event and matched against the
//! catalog.
//!
//! Three inputs give the same [`EventReport`]:
//!
//! - an exported Windows event log (`.evtx`), read with the `evtx` crate ([`read_evtx`]);
//! - the output of `Get-WinEvent … | ConvertTo-Json` saved to a file ([`read_json`]):
//!   Windows PowerShell 5.1 writes `TimeCreated` as `/Date(ms)/`, PowerShell 7 as ISO 8601;
//! - the production pull through the executor (`exec` task `events`), which groups on the
//!   server and returns one object per (computer, provider, event ID) ([`from_pull`]).
//!
//! Which events are kept ([`is_relevant`]): providers whose name holds `Lync`,
//! `Persistent Chat`, `Group Chat`, `MGC`, `OCS`, `RTC`, `Communications Server` or starts
//! with `LS ` (Lync Server 2010/2013 sources), events of the `Lync Server` and `Office
//! Communications Server` logs, Service Control Manager events about a Lync service, and — only at level Critical, Error or Warning, or when the
//! catalog names their ID — events of `MSSQL…`/`SQLAgent…`/`SQLSERVERAGENT` and `MSMQ`.
//! Inferred: the exact provider names of every Lync version are not listed in one Microsoft
//! page; the name parts above come from the event samples the catalog cites.
//!
//! An `.evtx` export renders no message text (that needs the provider's message files on a
//! Windows computer); the event's data strings stand in for it.
//!
//! Hostile input: a file that is not an event log, or whose header is damaged, is an error
//! naming the file; damaged chunks or records are counted and reported
//! ([`EventReport::damage`]) while the readable records are still used; the parser runs
//! under `catch_unwind`, so a parser bug is an error, not a crash.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::Catalog;
use super::matching::{self, EventFacts};

/// One event, as read from a log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    /// When it was written (UTC).
    pub time: Option<DateTime<Utc>>,
    /// The event ID.
    pub id: u32,
    /// The provider (source) name.
    pub provider: String,
    /// The log (channel) name.
    pub log: String,
    /// The computer that wrote it.
    pub computer: String,
    /// 1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose; 0 unknown.
    pub level: u8,
    /// The message, or the event's data strings when no message was rendered.
    pub message: String,
}

/// The events of one (provider, event ID), with the symptoms they match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventGroup {
    /// The event ID.
    pub id: u32,
    /// The provider.
    pub provider: String,
    /// The logs they were in.
    pub logs: Vec<String>,
    /// The computers that wrote them.
    pub computers: Vec<String>,
    /// The most severe level seen (see [`EventRecord::level`]).
    pub level: u8,
    /// How many.
    pub count: u64,
    /// The first one's time.
    pub first: Option<DateTime<Utc>>,
    /// The last one's time.
    pub last: Option<DateTime<Utc>>,
    /// The last one's message (at most 500 characters).
    pub message: String,
    /// Matching symptoms: (id, score, reasons), best first.
    pub symptoms: Vec<GroupMatch>,
}

/// A symptom an event group matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMatch {
    /// The symptom id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The score ([`matching`]).
    pub score: u32,
    /// Why, one line each.
    pub reasons: Vec<String>,
}

/// What reading a log found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventReport {
    /// The file or source read.
    pub source: String,
    /// Records read.
    pub records: u64,
    /// Records kept (Lync, Persistent Chat, Group Chat, and the SQL and MSMQ ones that
    /// matter).
    pub kept: u64,
    /// Damage: records or chunks that could not be read, and the first errors.
    pub damage: Option<Damage>,
    /// The kept events, grouped: matched groups first (best score), then by count.
    pub groups: Vec<EventGroup>,
}

/// Parts of a log that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// How many record or chunk errors.
    pub errors: u64,
    /// The first few, as the parser worded them.
    pub first: Vec<String>,
}

impl EventReport {
    /// Symptom ids matched by any group, best score first, each once.
    pub fn matched_symptoms(&self) -> Vec<String> {
        let mut best: BTreeMap<&str, u32> = BTreeMap::new();
        for g in &self.groups {
            for m in &g.symptoms {
                let e = best.entry(m.id.as_str()).or_insert(0);
                *e = (*e).max(m.score);
            }
        }
        let mut v: Vec<(&str, u32)> = best.into_iter().collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
        v.into_iter().map(|(id, _)| id.to_string()).collect()
    }
}

/// Why a log could not be read at all. Names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum EventLogError {
    /// Not readable as an event log.
    #[error(
        "{file}: not a readable Windows event log ({message}); export it again with Event Viewer (Save All Events As… .evtx) or wevtutil epl"
    )]
    NotEventLog {
        /// The file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// Not `Get-WinEvent | ConvertTo-Json` output.
    #[error(
        "{file}: not Get-WinEvent JSON ({message}); save it with Get-WinEvent … | ConvertTo-Json -Depth 2 | Out-File -Encoding utf8"
    )]
    NotJson {
        /// The file.
        file: String,
        /// The problem.
        message: String,
    },
    /// The file cannot be opened.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        message: String,
    },
    /// The parser itself failed (a bug in it): the records read so far are not used.
    #[error(
        "{file}: the event log parser stopped unexpectedly after {records} records; the file may be damaged"
    )]
    ParserFailed {
        /// The file.
        file: String,
        /// Records read before.
        records: u64,
    },
}

/// Name parts of the providers kept (lower case).
const PROVIDER_PARTS: [&str; 7] = [
    "lync",
    "persistent chat",
    "group chat",
    "mgc",
    "ocs",
    "communications server",
    "rtc",
];

/// Logs kept whole.
const LOGS: [&str; 2] = ["lync server", "office communications server"];

/// Whether an event concerns the migration: see the module docs. `catalog_ids` are the
/// event IDs the catalog names.
pub fn is_relevant(e: &EventRecord, catalog_ids: &BTreeSet<u32>) -> bool {
    let p = e.provider.to_lowercase();
    let log = e.log.to_lowercase();
    if LOGS.contains(&log.as_str())
        || p.starts_with("ls ")
        || PROVIDER_PARTS.iter().any(|part| p.contains(part))
    {
        return true;
    }
    // Windows starting and stopping the Lync services: kept when the service is a Lync one.
    if p == "service control manager" {
        let m = e.message.to_lowercase();
        return PROVIDER_PARTS.iter().any(|part| m.contains(part));
    }
    let sql_or_mq = p.starts_with("mssql")
        || p.starts_with("sqlagent")
        || p.starts_with("sqlserveragent")
        || p.starts_with("msmq")
        || p == "message queuing";
    sql_or_mq && ((1..=3).contains(&e.level) || catalog_ids.contains(&e.id))
}

/// Groups relevant records as they are read, so a large log costs memory per group, not
/// per record.
struct Grouper {
    ids: BTreeSet<u32>,
    groups: BTreeMap<(String, u32), EventGroup>,
    kept: u64,
}

impl Grouper {
    fn new(catalog: &Catalog) -> Grouper {
        Grouper {
            ids: catalog
                .symptoms
                .iter()
                .flat_map(|s| s.events.iter().map(|k| k.id))
                .collect(),
            groups: BTreeMap::new(),
            kept: 0,
        }
    }

    fn add(&mut self, r: &EventRecord) {
        if !is_relevant(r, &self.ids) {
            return;
        }
        self.kept += 1;
        let g = self
            .groups
            .entry((r.provider.clone(), r.id))
            .or_insert_with(|| EventGroup {
                id: r.id,
                provider: r.provider.clone(),
                logs: Vec::new(),
                computers: Vec::new(),
                level: r.level,
                count: 0,
                first: r.time,
                last: r.time,
                message: String::new(),
                symptoms: Vec::new(),
            });
        merge(g, r, 1);
    }

    fn finish(
        self,
        source: &str,
        read: u64,
        damage: Option<Damage>,
        catalog: &Catalog,
    ) -> EventReport {
        finish(
            source,
            self.groups.into_values().collect(),
            read,
            self.kept,
            damage,
            catalog,
        )
    }
}

/// Groups relevant records and matches each group against the catalog.
pub fn report(
    source: &str,
    records: &[EventRecord],
    read: u64,
    damage: Option<Damage>,
    catalog: &Catalog,
) -> EventReport {
    let mut g = Grouper::new(catalog);
    for r in records {
        g.add(r);
    }
    g.finish(source, read, damage, catalog)
}

fn merge(g: &mut EventGroup, r: &EventRecord, count: u64) {
    g.count += count;
    if !r.log.is_empty() && !g.logs.contains(&r.log) {
        g.logs.push(r.log.clone());
    }
    if !r.computer.is_empty() && !g.computers.contains(&r.computer) {
        g.computers.push(r.computer.clone());
    }
    if r.level != 0 && (g.level == 0 || r.level < g.level) {
        g.level = r.level;
    }
    if let Some(t) = r.time {
        if g.first.is_none_or(|f| t < f) {
            g.first = Some(t);
        }
        if g.last.is_none_or(|l| t >= l) {
            g.last = Some(t);
            g.message = r.message.chars().take(500).collect();
        }
    } else if g.message.is_empty() {
        g.message = r.message.chars().take(500).collect();
    }
}

fn finish(
    source: &str,
    mut groups: Vec<EventGroup>,
    read: u64,
    kept: u64,
    damage: Option<Damage>,
    catalog: &Catalog,
) -> EventReport {
    for g in &mut groups {
        let ranking = matching::rank_event(
            catalog,
            &EventFacts {
                id: g.id,
                provider: &g.provider,
                message: &g.message,
            },
        );
        g.symptoms = ranking
            .matches
            .iter()
            .take(3)
            .map(|m| GroupMatch {
                id: m.symptom.id.clone(),
                title: m.symptom.title.clone(),
                score: m.score,
                reasons: m.reasons.iter().map(|r| r.describe()).collect(),
            })
            .collect();
    }
    groups.sort_by(|a, b| {
        let sa = a.symptoms.first().map_or(0, |m| m.score);
        let sb = b.symptoms.first().map_or(0, |m| m.score);
        sb.cmp(&sa)
            .then(b.count.cmp(&a.count))
            .then(a.id.cmp(&b.id))
    });
    EventReport {
        source: source.to_string(),
        records: read,
        kept,
        damage,
        groups,
    }
}

/// How many record errors a report quotes.
const QUOTED_ERRORS: usize = 3;

/// Reads an exported `.evtx` file.
///
/// # Errors
/// [`EventLogError`]: the file cannot be opened, is not an event log (bad header), or the
/// parser failed. Damaged records are not an error: they are counted in the report.
pub fn read_evtx(path: &Path, catalog: &Catalog) -> Result<EventReport, EventLogError> {
    let file = path.display().to_string();
    if let Err(e) = std::fs::metadata(path) {
        return Err(EventLogError::Io {
            file,
            message: e.to_string(),
        });
    }
    let read = std::panic::catch_unwind(|| read_evtx_records(path, catalog));
    let (grouper, read_count, damage) = match read {
        Err(_) => {
            return Err(EventLogError::ParserFailed { file, records: 0 });
        }
        Ok(Err(message)) => return Err(EventLogError::NotEventLog { file, message }),
        Ok(Ok(x)) => x,
    };
    Ok(grouper.finish(&file, read_count, damage, catalog))
}

type Read = (Grouper, u64, Option<Damage>);

fn read_evtx_records(path: &Path, catalog: &Catalog) -> Result<Read, String> {
    let settings = evtx::ParserSettings::new()
        .separate_json_attributes(true)
        .num_threads(1);
    let mut parser = evtx::EvtxParser::from_path(path)
        .map_err(|e| e.to_string())?
        .with_configuration(settings);
    let mut out = Grouper::new(catalog);
    let mut read = 0u64;
    let mut errors = 0u64;
    let mut first = Vec::new();
    for r in parser.records_json_value() {
        match r {
            Ok(rec) => {
                read += 1;
                let secs = rec.timestamp.as_second();
                let nanos = u32::try_from(rec.timestamp.subsec_nanosecond()).unwrap_or(0);
                let time = DateTime::<Utc>::from_timestamp(secs, nanos);
                if let Some(e) = record_from_evtx_json(&rec.data, time) {
                    out.add(&e);
                }
            }
            Err(e) => {
                errors += 1;
                if first.len() < QUOTED_ERRORS {
                    first.push(e.to_string());
                }
            }
        }
    }
    let damage = (errors > 0).then_some(Damage { errors, first });
    Ok((out, read, damage))
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(m) => m.get("#text").and_then(text_of),
        _ => None,
    }
}

fn number_of(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(m) => number_of(m.get("#text")),
        _ => None,
    }
}

/// Collects the string values of an event's data, in order.
fn data_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(a) => a.iter().for_each(|x| data_strings(x, out)),
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !k.ends_with("_attributes"))
            .for_each(|(_, x)| data_strings(x, out)),
        _ => {}
    }
}

/// One record of `evtx`'s JSON (attributes separated) as an [`EventRecord`].
fn record_from_evtx_json(v: &Value, time: Option<DateTime<Utc>>) -> Option<EventRecord> {
    let ev = v.get("Event")?;
    let sys = ev.get("System")?;
    let id = number_of(sys.get("EventID"))
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    let provider = sys
        .get("Provider_attributes")
        .and_then(|a| a.get("Name").or_else(|| a.get("EventSourceName")))
        .and_then(text_of)
        .unwrap_or_default();
    let log = sys.get("Channel").and_then(text_of).unwrap_or_default();
    let computer = sys.get("Computer").and_then(text_of).unwrap_or_default();
    let level = number_of(sys.get("Level"))
        .and_then(|n| u8::try_from(n).ok())
        .unwrap_or(0);
    let mut strings = Vec::new();
    for part in ["EventData", "UserData"] {
        if let Some(d) = ev.get(part) {
            data_strings(d, &mut strings);
        }
    }
    Some(EventRecord {
        time,
        id,
        provider,
        log,
        computer,
        level,
        message: strings.join(" | "),
    })
}

/// Largest JSON file read (a Get-WinEvent export of the last days is far smaller; the
/// reading below streams the objects into groups, so memory is the text plus the groups).
pub const MAX_JSON_BYTES: u64 = 256 * 1024 * 1024;

/// One `Get-WinEvent | ConvertTo-Json` object, only the fields used.
#[derive(serde::Deserialize)]
struct RawWinEvent {
    #[serde(rename = "Id", default)]
    id: Option<Value>,
    #[serde(rename = "ProviderName", default)]
    provider: Option<String>,
    #[serde(rename = "LogName", default)]
    log: Option<String>,
    #[serde(rename = "MachineName", default)]
    computer: Option<String>,
    #[serde(rename = "Level", default)]
    level: Option<Value>,
    #[serde(rename = "LevelDisplayName", default)]
    level_name: Option<String>,
    #[serde(rename = "TimeCreated", default)]
    time: Option<Value>,
    #[serde(rename = "Message", default)]
    message: Option<String>,
}

/// Groups the objects of a JSON array (or one object) as they are parsed, so only the
/// text and the groups are in memory, never every record.
struct StreamInto<'g> {
    grouper: &'g mut Grouper,
    total: u64,
    usable: u64,
}

impl StreamInto<'_> {
    fn take(&mut self, o: RawWinEvent) {
        self.total += 1;
        if let Some(r) = record_from_winevent(o) {
            self.usable += 1;
            self.grouper.add(&r);
        }
    }
}

impl<'de> serde::de::Visitor<'de> for &mut StreamInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of Get-WinEvent objects, or one object")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(o) = seq.next_element::<RawWinEvent>()? {
            self.take(o);
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let o = <RawWinEvent as serde::Deserialize>::deserialize(
            serde::de::value::MapAccessDeserializer::new(map),
        )?;
        self.take(o);
        Ok(())
    }
}

/// Reads `Get-WinEvent … | ConvertTo-Json` output (an array, or one object).
///
/// # Errors
/// [`EventLogError::NotJson`] when the text is not JSON or holds no event objects;
/// [`EventLogError::Io`] when the file cannot be read or is over [`MAX_JSON_BYTES`].
pub fn read_json(path: &Path, catalog: &Catalog) -> Result<EventReport, EventLogError> {
    let file = path.display().to_string();
    let io = |message: String| EventLogError::Io {
        file: file.clone(),
        message,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| io(e.to_string()))?
        .len();
    if len > MAX_JSON_BYTES {
        return Err(io(format!(
            "{len} bytes is more than a Get-WinEvent export of the last days; filter it (-StartTime, -ProviderName)"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| io(e.to_string()))?;
    let text = decode_text(&bytes);
    drop(bytes);
    let mut grouper = Grouper::new(catalog);
    let mut stream = StreamInto {
        grouper: &mut grouper,
        total: 0,
        usable: 0,
    };
    let mut de = serde_json::Deserializer::from_str(text.trim_start_matches('\u{feff}'));
    serde::Deserializer::deserialize_any(&mut de, &mut stream)
        .and_then(|()| de.end())
        .map_err(|e| EventLogError::NotJson {
            file: file.clone(),
            message: e.to_string(),
        })?;
    let (total, usable) = (stream.total, stream.usable);
    drop(text);
    if usable == 0 && total > 0 {
        return Err(EventLogError::NotJson {
            file,
            message: "no object has an Id and a ProviderName".into(),
        });
    }
    Ok(grouper.finish(&file, total, None, catalog))
}

/// UTF-8, or UTF-16 with a byte-order mark (what `Out-File` writes in Windows PowerShell).
fn decode_text(bytes: &[u8]) -> String {
    if bytes.len() >= 2 && (bytes[..2] == [0xFF, 0xFE] || bytes[..2] == [0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `TimeCreated` as ConvertTo-Json writes it: `/Date(1712345678901)/` (5.1) or ISO 8601.
pub fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(m) => {
            return m
                .get("DateTime")
                .or_else(|| m.get("value"))
                .and_then(parse_time);
        }
        _ => return None,
    };
    if let Some(ms) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits: String = ms
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        return digits
            .parse::<i64>()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_millis);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn level_of(o: &Value) -> u8 {
    level_of_raw(
        o.get("Level"),
        o.get("LevelDisplayName").and_then(Value::as_str),
    )
}

fn level_of_raw(level: Option<&Value>, name: Option<&str>) -> u8 {
    if let Some(n) = number_of(level) {
        return u8::try_from(n).unwrap_or(0);
    }
    match name.unwrap_or("").to_ascii_lowercase().as_str() {
        "critical" => 1,
        "error" => 2,
        "warning" => 3,
        "information" => 4,
        "verbose" => 5,
        _ => 0,
    }
}

fn record_from_winevent(o: RawWinEvent) -> Option<EventRecord> {
    let id = number_of(o.id.as_ref())?;
    Some(EventRecord {
        time: o.time.as_ref().and_then(parse_time),
        id: u32::try_from(id).ok()?,
        level: level_of_raw(o.level.as_ref(), o.level_name.as_deref()),
        provider: o.provider?,
        log: o.log.unwrap_or_default(),
        computer: o.computer.unwrap_or_default(),
        message: o.message.unwrap_or_default(),
    })
}

/// The production pull's objects (one per computer, log, provider and event ID, grouped on
/// the server: `Computer`, `LogName`, `ProviderName`, `Id`, `Level`, `Count`, `First`,
/// `Last`, `Message`) as a report. Objects that lack an Id or provider are skipped.
pub fn from_pull(source: &str, objects: &[Value], catalog: &Catalog) -> EventReport {
    let ids: BTreeSet<u32> = catalog
        .symptoms
        .iter()
        .flat_map(|s| s.events.iter().map(|k| k.id))
        .collect();
    let mut groups: BTreeMap<(String, u32), EventGroup> = BTreeMap::new();
    let mut read = 0u64;
    let mut kept = 0u64;
    for o in objects {
        let Some(id) = number_of(o.get("Id")).and_then(|n| u32::try_from(n).ok()) else {
            continue;
        };
        let Some(provider) = o.get("ProviderName").and_then(Value::as_str) else {
            continue;
        };
        let count = number_of(o.get("Count")).unwrap_or(1).max(1);
        read += count;
        let first = o.get("First").and_then(parse_time);
        let last = o.get("Last").and_then(parse_time);
        let rec = EventRecord {
            time: last,
            id,
            provider: provider.to_string(),
            log: o
                .get("LogName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            computer: o
                .get("Computer")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            level: level_of(o),
            message: o
                .get("Message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        };
        if !is_relevant(&rec, &ids) {
            continue;
        }
        kept += count;
        let g = groups
            .entry((rec.provider.clone(), id))
            .or_insert_with(|| EventGroup {
                id,
                provider: rec.provider.clone(),
                logs: Vec::new(),
                computers: Vec::new(),
                level: rec.level,
                count: 0,
                first,
                last,
                message: String::new(),
                symptoms: Vec::new(),
            });
        if let Some(f) = first
            && g.first.is_none_or(|x| f < x)
        {
            g.first = Some(f);
        }
        merge(g, &rec, count);
    }
    finish(
        source,
        groups.into_values().collect(),
        read,
        kept,
        None,
        catalog,
    )
}

/// The level as a word.
pub fn level_word(level: u8) -> &'static str {
    match level {
        1 => "Critical",
        2 => "Error",
        3 => "Warning",
        4 => "Information",
        5 => "Verbose",
        _ => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_from_both_powershells() {
        let t = parse_time(&Value::String("/Date(1714857129000)/".into())).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-05-04T21:12:09+00:00");
        let t = parse_time(&Value::String("2024-05-04T23:12:09.5+02:00".into())).unwrap();
        assert_eq!(t.timestamp(), 1_714_857_129);
        assert!(parse_time(&Value::String("yesterday".into())).is_none());
    }

    #[test]
    fn relevance_keeps_lync_and_serious_sql_only() {
        let ids = BTreeSet::from([9002]);
        let ev = |provider: &str, log: &str, id: u32, level: u8| EventRecord {
            time: None,
            id,
            provider: provider.into(),
            log: log.into(),
            computer: String::new(),
            level,
            message: String::new(),
        };
        assert!(is_relevant(
            &ev("LS Persistent Chat Server", "Lync Server", 1, 4),
            &ids
        ));
        assert!(is_relevant(&ev("Anything", "Lync Server", 1, 4), &ids));
        assert!(is_relevant(&ev("OCS MGC", "Application", 5282, 4), &ids));
        assert!(is_relevant(
            &ev("MSSQLSERVER", "Application", 18456, 2),
            &ids
        ));
        assert!(is_relevant(
            &ev("MSSQL$PCHAT", "Application", 9002, 4),
            &ids
        ));
        assert!(!is_relevant(
            &ev("MSSQLSERVER", "Application", 17137, 4),
            &ids
        ));
        assert!(!is_relevant(
            &ev("Service Control Manager", "System", 7036, 4),
            &ids
        ));
        let mut scm = ev("Service Control Manager", "System", 7024, 2);
        scm.message = "Lync Server Persistent Chat | 3286842403".into();
        assert!(is_relevant(&scm, &ids));
    }
}
