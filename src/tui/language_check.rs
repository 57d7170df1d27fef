//! What `pchat-migrate i18n check` verifies on the drawn screens. The real view code draws
//! into ratatui's `TestBackend` (the terminal is never touched) while a tour opens every
//! stage and item of the runbook, the overlays, and the other screens with each row
//! selected in turn; the Window screen shows a saved plan made from recorded lab rehearsal
//! evidence, with steps marked by two operators.
//!
//! - [`english_on_screens`]: the tour drawn pseudo-localized ([`crate::i18n::set_pseudo`]),
//!   at 80 and 160 columns, with the runbook's and the troubleshooting catalog's text in
//!   pseudo letters too. A plain ASCII word left on screen did not come through a message,
//!   unless it is data the deployment or the operators supplied (names, FQDNs, ids) or a
//!   word shown as it is by design ([`VERBATIM`]).
//! - [`broken_borders`]: the tour drawn in one language at 80 columns (24 rows, and
//!   [`TALL`] rows to show whole texts at the same widths): on every row of every box the
//!   right border must be a border cell, not covered by the second half of a wide
//!   character.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc::UnboundedReceiver;
use unicode_width::UnicodeWidthStr;

use super::app::{App, AppMsg, Focus};
use super::keymap::{Action, BINDINGS};
use super::screens::Screen;
use super::theme::{Theme, ThemeName};
use super::{WizardSetup, build_app, view};
use crate::deployment::Profile;
use crate::i18n;
use crate::i18n_check::{LanguageReport, ScreenGap};
use crate::jobs::JobKind;
use crate::runbook::Runbook;
use crate::store::Store;
use crate::wizard::RunbookNav;

/// Rows of the tall drawing: the panes keep their 80-column widths, and the texts that
/// scroll at 24 rows show whole.
pub const TALL: u16 = 120;

/// Words the screens show as they are, in every language, and why. Everything else in
/// ASCII letters must come through a message or be data.
pub const VERBATIM: &[(&str, &str)] = &[
    ("pchat", "the program's name, pchat-migrate, in the header"),
    (
        "migrate",
        "the program's name, pchat-migrate, in the header",
    ),
    ("UTC", "times are shown in UTC, named so"),
    ("PS", "the PowerShell prompt before a cmdlet line"),
    (
        "SfB",
        "Skype for Business, a client's short name in the pilot grid",
    ),
    (
        "GC",
        "Group Chat, in the pilot grid's client short names (L2010GC, OC07GC)",
    ),
    (
        "OC",
        "Office Communicator, in the pilot grid's client short names (OC07GC)",
    ),
];

/// The operators of the tour's session: the one at the keyboard and a second one who
/// marked a step.
const OPERATORS: [&str; 2] = ["alice", "bob"];
const SESSION: &str = "rehearsal";

/// Everything `i18n check` finds: the message, overlay and catalog checks of
/// [`crate::i18n::check`], then, for every language, the English the screens show outside
/// the messages and the boxes whose right border breaks.
///
/// # Errors
/// The tour could not be set up (the embedded runbook, catalog or an in-memory store
/// failed), with what failed.
pub fn check_all() -> Result<Vec<LanguageReport>, String> {
    let mut reports = crate::i18n_check::check();
    let english = english_on_screens()?;
    for r in &mut reports {
        r.english_on_screen.clone_from(&english);
        r.broken_borders = broken_borders(&r.lang)?;
    }
    let lang = i18n::current_language();
    i18n::set_language(&lang);
    Ok(reports)
}

/// English on the screens that did not come through a message (see the module docs),
/// each distinct row once.
///
/// # Errors
/// See [`check_all`].
pub fn english_on_screens() -> Result<Vec<ScreenGap>, String> {
    let before = i18n::current_language();
    i18n::set_language(i18n::ENGLISH);
    i18n::set_pseudo(true);
    let result = (|| {
        let mut fx = Fixture::new(i18n::ENGLISH, true)?;
        let data = std::mem::take(&mut fx.words);
        let mut found = Findings::default();
        for size in [(80, 24), (160, 48), (80, TALL), (160, TALL)] {
            tour(&mut fx, size, &mut |view, buf| {
                for (row, words, text) in english_words(buf, &data.for_view(view)) {
                    found.add(
                        view,
                        size,
                        row,
                        format!("English not from a message: {}", words.join(" ")),
                        text,
                    );
                }
            })?;
        }
        fx.app.shutdown();
        Ok(found.0)
    })();
    i18n::set_pseudo(false);
    i18n::set_language(&before);
    result
}

/// Boxes whose right border is broken when the screens are drawn in `lang` (see the module
/// docs), each distinct row once.
///
/// # Errors
/// See [`check_all`].
pub fn broken_borders(lang: &str) -> Result<Vec<ScreenGap>, String> {
    let before = i18n::current_language();
    i18n::set_language(lang);
    let result = (|| {
        let mut fx = Fixture::new(lang, false)?;
        let mut found = Findings::default();
        for size in [(80, 24), (80, TALL)] {
            tour(&mut fx, size, &mut |view, buf| {
                for (row, problem, text) in border_problems(buf) {
                    found.add(view, size, row, problem, text);
                }
            })?;
        }
        fx.app.shutdown();
        Ok(found.0)
    })();
    i18n::set_language(&before);
    result
}

#[derive(Default)]
struct Findings(Vec<ScreenGap>);

impl Findings {
    /// Keeps one finding per problem and row text; later views only count.
    fn add(&mut self, view: &str, size: (u16, u16), row: u16, problem: String, text: String) {
        if let Some(g) = self
            .0
            .iter_mut()
            .find(|g| g.problem == problem && g.text == text)
        {
            g.views += 1;
            return;
        }
        self.0.push(ScreenGap {
            view: view.to_string(),
            size: format!("{}x{}", size.0, size.1),
            row,
            problem,
            text,
            views: 1,
        });
    }
}

/// Data the screens show as it is: shown untranslated, it is no finding.
#[derive(Default)]
struct DataWords {
    /// Names, FQDNs, values of the profile and of the placeholders; the operators and the
    /// session; key names; the clients' product names; [`VERBATIM`].
    common: BTreeSet<String>,
    /// Stage and item ids, the evidence rules (`probe-dns`) (on the runbook screen and its
    /// overlays).
    runbook: BTreeSet<String>,
    /// Symptom ids, probes, targets, database names (on the troubleshoot screen).
    catalog: BTreeSet<String>,
    /// The evidence the session recorded, source and summary (on the runbook and pilot
    /// screens, which show it as recorded).
    evidence: BTreeSet<String>,
}

impl DataWords {
    /// The words a view may show.
    fn for_view(&self, view: &str) -> BTreeSet<String> {
        let mut out = self.common.clone();
        if view.starts_with("runbook") || view.starts_with("overlay") {
            out.extend(self.runbook.iter().cloned());
            out.extend(self.evidence.iter().cloned());
        }
        if view.starts_with("pilot") {
            out.extend(self.evidence.iter().cloned());
        }
        if view.starts_with("troubleshoot") {
            out.extend(self.catalog.iter().cloned());
            // A symptom names the runbook items it concerns.
            out.extend(self.runbook.iter().cloned());
        }
        out
    }
}

/// The wizard on the lab profile with an in-memory store holding a rehearsal: recorded job
/// evidence, a saved plan, marked window steps.
struct Fixture {
    app: App,
    rx: UnboundedReceiver<AppMsg>,
    words: DataWords,
}

impl Fixture {
    fn new(lang: &str, pseudo: bool) -> Result<Fixture, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let profile = Profile::lab();
        let mut store = Store::open_in_memory().map_err(|x| e(&x))?;
        let session = store
            .create_session(SESSION, "lab", None, OPERATORS[0])
            .map_err(|x| e(&x))?;
        let english = Runbook::embedded().map_err(|x| e(&x))?;
        rehearse(&mut store, session.id, &english)?;
        let mut runbook = if pseudo {
            english.clone()
        } else {
            Runbook::embedded_for(lang).map_err(|x| e(&x))?
        };
        if pseudo {
            pseudo_runbook(&mut runbook);
        }
        let placeholders = crate::exec::runbook_placeholders(
            &profile,
            "C:\\PChatMigration",
            &crate::exec::ExecutorConfig::default(),
        );
        let (mut app, rx) = build_app(WizardSetup {
            runbook: Arc::new(runbook),
            placeholders: placeholders.clone(),
            deployment_name: profile.name.clone(),
            deployment_kind: "lab".into(),
            migration_line: String::new(),
            store,
            session,
            operator: OPERATORS[0].into(),
            theme: Theme::pick(ThemeName::Dark, false),
            mouse: true,
            job_env: Err("the screen check runs no jobs".into()),
            job_logs_dir: None,
            reopen: None,
            profile: profile.clone(),
            data_dir: None,
            lab_dir: None,
            profile_path: None,
            monitor: Default::default(),
        })
        .map_err(|x| e(&x))?;
        let catalog = crate::troubleshoot::Catalog::embedded().map_err(|x| e(&x))?;
        if pseudo {
            let mut pseudo_catalog = catalog.clone();
            pseudo_symptoms(&mut pseudo_catalog);
            app.troubleshoot.catalog = Some(Ok(Arc::new(pseudo_catalog)));
        }
        let mut words = data_words(&profile, &placeholders, &english, &catalog);
        let mut fx = Fixture {
            app,
            rx,
            words: DataWords::default(),
        };
        // Pilot users from the profile: their results attach evidence to items 26, 27, 66.
        fx.app.on_action(Action::GoTo(Screen::Pilot));
        fx.pump_until("the pilot to load", |a| a.pilot.data.is_some())?;
        fx.app.on_action(Action::PilotAddProfileUsers);
        fx.pump_until("the pilot users' evidence", |a| {
            !a.evidence_of(crate::pilot::ITEM_PILOT_POLICY).is_empty()
        })?;
        // The client × pool matrix names the clients as Microsoft does.
        fx.app.on_action(Action::GoTo(Screen::Pools));
        if let Some(m) = &fx.app.pools.matrix {
            for row in &m.rows {
                words.common.extend(ascii_words(row.label));
            }
        }
        fx.app.on_action(Action::GoTo(Screen::Runbook));
        let app = &fx.app;
        // Evidence shows as it was recorded: job summaries, pilot verdicts (in English, for
        // the sign-off report and the audit trail), and so does the line the model derives
        // from it for an item proven by another item's evidence (a verify aspect).
        for it in english.items().chain(english.rollback.items.iter()) {
            for e in app.evidence_of(&it.id) {
                words.evidence.extend(ascii_words(&e.evidence.source));
                words.evidence.extend(ascii_words(&e.evidence.summary));
            }
            if let crate::migration::Source::Evidence { summary, .. } =
                &app.migration.item(&it.id).source
            {
                words.evidence.extend(ascii_words(summary));
            }
        }
        fx.words = words;
        Ok(fx)
    }

    /// Applies the workers' answers until `done` holds.
    fn pump_until(&mut self, what: &str, done: impl Fn(&App) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(&self.app) {
            if Instant::now() > deadline {
                return Err(format!("the screen check timed out waiting for {what}"));
            }
            match self.rx.try_recv() {
                Ok(msg) => self.app.on_msg(msg),
                Err(_) => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        Ok(())
    }
}

/// Records what a lab rehearsal leaves in a session: for each job a run and its evidence,
/// as the jobs record them, then a plan estimated from the measured rates and saved, and
/// two window steps marked (one started and finished by two operators, one running).
fn rehearse(store: &mut Store, sid: i64, rb: &Runbook) -> Result<(), String> {
    let e = |e: crate::store::StoreError| e.to_string();
    let messages = 20_000u64;
    for (kind, ms) in [
        (JobKind::Export, 4_000),
        (JobKind::ImportWhatIf, 5_000),
        (JobKind::Import, 8_000),
        (JobKind::Verify, 2_000),
    ] {
        let item = rb
            .job_item(kind)
            .ok_or_else(|| format!("no runbook item runs the {kind:?} job"))?;
        let run = store
            .job_started(sid, &item.id, kind.key(), None, OPERATORS[0])
            .map_err(e)?;
        let outcome = crate::jobs::JobOutcome {
            kind,
            passed: true,
            summary: i18n::pseudo("job summary as recorded"),
            detail: serde_json::json!({
                "messages": messages,
                "messages_compared": messages,
                "file_posts": 366,
            }),
            elapsed_ms: ms,
            findings: None,
        };
        crate::jobs::record::JobRecord::of(kind, &Ok(outcome))
            .save(store, sid, &item.id, run.id, OPERATORS[0])
            .map_err(e)?;
    }
    let inputs = crate::planner::PlanInputs {
        messages,
        database_mb: 2.3,
        file_posts: 366,
        throughput: crate::planner::measured_throughput(store, sid).map_err(e)?,
        starts_at: chrono::DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z")
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc)),
        ..crate::planner::PlanInputs::default()
    };
    let plan = crate::planner::estimate(&inputs).map_err(|x| x.to_string())?;
    crate::planner::save(store, sid, &plan, OPERATORS[0]).map_err(e)?;
    store
        .start_window_step(sid, "stop-services", OPERATORS[0])
        .map_err(e)?;
    store
        .finish_window_step(sid, "stop-services", OPERATORS[1])
        .map_err(e)?;
    store
        .start_window_step(sid, "backups", OPERATORS[0])
        .map_err(e)?;
    Ok(())
}

/// The runbook's text in pseudo letters: titles, summaries, guidance, proof, pitfalls,
/// sources and cmdlet lines (placeholders kept, so that they still fill in). Ids stay.
fn pseudo_runbook(rb: &mut Runbook) {
    let p = |s: &mut String| *s = pseudo_keeping_placeholders(s);
    for stage in rb
        .stages
        .iter_mut()
        .chain(std::iter::once(&mut rb.rollback))
    {
        p(&mut stage.title);
        p(&mut stage.summary);
        p(&mut stage.source);
        for it in &mut stage.items {
            p(&mut it.title);
            p(&mut it.guidance);
            p(&mut it.proof);
            p(&mut it.source);
            it.pitfalls.iter_mut().for_each(p);
            it.cmdlets.iter_mut().for_each(p);
        }
    }
}

/// The catalog's text in pseudo letters (ids, items, probes and database names stay).
fn pseudo_symptoms(c: &mut crate::troubleshoot::Catalog) {
    let p = |s: &mut String| *s = pseudo_keeping_placeholders(s);
    for s in &mut c.symptoms {
        p(&mut s.title);
        p(&mut s.sees);
        p(&mut s.cause);
        p(&mut s.fix);
        p(&mut s.source);
        s.disagreement.iter_mut().for_each(p);
        s.errors.iter_mut().for_each(p);
        s.phrases.iter_mut().for_each(p);
        s.fix_cmdlets.iter_mut().for_each(p);
        for ev in &mut s.events {
            ev.source.iter_mut().for_each(p);
        }
        for check in &mut s.checks {
            p(&mut check.what);
            p(&mut check.expect);
            check.cmdlet.iter_mut().for_each(p);
            check.query.iter_mut().for_each(p);
        }
    }
}

/// [`i18n::pseudo`], except inside `{{placeholders}}`.
fn pseudo_keeping_placeholders(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&i18n::pseudo(&rest[..start]));
        out.push_str(&rest[start..start + len + 2]);
        rest = &rest[start + len + 2..];
    }
    out.push_str(&i18n::pseudo(rest));
    out
}

/// The words of data (see [`DataWords`]), as they appear on screen.
fn data_words(
    profile: &Profile,
    placeholders: &crate::runbook::Placeholders,
    rb: &Runbook,
    catalog: &crate::troubleshoot::Catalog,
) -> DataWords {
    let mut w = DataWords::default();
    let mut strings = Vec::new();
    collect_strings(
        &serde_json::to_value(profile).unwrap_or_default(),
        &mut strings,
    );
    strings.extend(placeholders.values().flatten().cloned());
    strings.extend(OPERATORS.iter().map(|s| s.to_string()));
    strings.push(SESSION.to_string());
    strings.extend(
        BINDINGS
            .iter()
            .flat_map(|b| b.keys.iter().map(|k| k.label.to_string())),
    );
    strings.extend(VERBATIM.iter().map(|(w, _)| w.to_string()));
    w.common = strings.iter().flat_map(|s| ascii_words(s)).collect();
    for stage in rb.stages.iter().chain(std::iter::once(&rb.rollback)) {
        w.runbook.extend(ascii_words(&stage.id));
        for it in &stage.items {
            w.runbook.extend(ascii_words(&it.id));
            if let Some(p) = it.proven_by {
                w.runbook.extend(ascii_words(p.key()));
            }
        }
    }
    for s in &catalog.symptoms {
        w.catalog.extend(ascii_words(&s.id));
        for c in &s.checks {
            for v in [&c.probe, &c.database, &c.healthy, &c.target]
                .into_iter()
                .flatten()
            {
                w.catalog.extend(ascii_words(v));
            }
        }
    }
    w
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Runs of two or more ASCII letters.
fn ascii_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .map(str::to_string)
        .collect()
}

/// The text of a buffer row, wide characters once (the cell they hide skipped).
pub fn row_text(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = buf.area.x;
    while x < buf.area.right() {
        let sym = buf[(x, y)].symbol();
        out.push_str(sym);
        x += u16::try_from(sym.width().max(1)).unwrap_or(1);
    }
    out.trim_end().to_string()
}

/// Rows that show ASCII words which are neither data nor [`VERBATIM`]: (row, the words,
/// the row's text). A word cut short at the end of its column (followed by `…`, a border
/// or the end of the row) counts as data when a data word starts with it; one cut at the
/// start (after a border, an overlay's edge) when a data word ends with it.
pub fn english_words(buf: &Buffer, allowed: &BTreeSet<String>) -> Vec<(u16, Vec<String>, String)> {
    let mut out = Vec::new();
    for y in buf.area.y..buf.area.bottom() {
        let text = row_text(buf, y);
        let mut words = Vec::new();
        let mut pos = 0;
        while let Some(off) = text[pos..].find(|c: char| c.is_ascii_alphabetic()) {
            let start = pos + off;
            let end = text[start..]
                .find(|c: char| !c.is_ascii_alphabetic())
                .map_or(text.len(), |l| start + l);
            pos = end;
            let word = &text[start..end];
            if word.len() < 2 || allowed.contains(word) {
                continue;
            }
            let edge = |c: Option<char>| c.is_none_or(|c| "…│┌┐└┘├┤".contains(c));
            let after = &text[end..];
            let cut_after = edge(after.chars().next()) || after.trim_start_matches(' ').is_empty();
            let cut_before = edge(text[..start].chars().next_back());
            if (cut_after && allowed.iter().any(|a| a.starts_with(word)))
                || (cut_before && allowed.iter().any(|a| a.ends_with(word)))
            {
                continue;
            }
            words.push(word.to_string());
        }
        if !words.is_empty() {
            out.push((y, words, text.trim().to_string()));
        }
    }
    out
}

fn is_border(sym: &str) -> bool {
    sym.chars()
        .next()
        .is_some_and(|c| ('\u{2500}'..='\u{257F}').contains(&c))
}

/// Every box (a `┌` whose left edge ends in `└`, and whose top edge ends in a `┐` that a
/// `┘` closes) with a row whose right border cell is not a border (a wide character's
/// second half covers it, or text overwrote it): (row, what, the row's text). Where
/// another box (an overlay) covers a box's edge, that edge is not judged.
pub fn border_problems(buf: &Buffer) -> Vec<(u16, String, String)> {
    let a = buf.area;
    let sym = |x: u16, y: u16| buf[(x, y)].symbol();
    // (left, top, right, bottom)
    let mut boxes = Vec::new();
    for y in a.y..a.bottom() {
        for x in a.x..a.right() {
            if sym(x, y) != "┌" {
                continue;
            }
            let Some(bottom) = (y + 1..a.bottom()).find(|&yy| sym(x, yy) == "└") else {
                continue;
            };
            if let Some(right) =
                (x + 1..a.right()).find(|&xx| sym(xx, y) == "┐" && sym(xx, bottom) == "┘")
            {
                boxes.push((x, y, right, bottom));
            }
        }
    }
    let mut out = Vec::new();
    for (i, &(left, top, right, bottom)) in boxes.iter().enumerate() {
        for yy in top + 1..bottom {
            let under_another = boxes.iter().enumerate().any(|(j, &(l, t, r, b))| {
                j != i && (l..=r).contains(&right) && (t..=b).contains(&yy)
            });
            if under_another {
                continue;
            }
            let covered = right > a.x && sym(right - 1, yy).width() > 1;
            if covered || !is_border(sym(right, yy)) {
                out.push((
                    yy,
                    format!(
                        "right border of the box at columns {left}..{right} broken on this row{}",
                        if covered {
                            " (a wide character covers it)"
                        } else {
                            ""
                        }
                    ),
                    row_text(buf, yy),
                ));
            }
        }
    }
    out
}

/// Draws one frame at `size`.
fn draw(app: &mut App, size: (u16, u16)) -> Result<Buffer, String> {
    app.size = size;
    let mut term = Terminal::new(TestBackend::new(size.0, size.1)).map_err(|e| e.to_string())?;
    term.draw(|f| view::draw(f, app))
        .map_err(|e| e.to_string())?;
    Ok(term.backend().buffer().clone())
}

/// Puts the wizard into the state an overlay shows.
type Opens = fn(&mut App);

/// Visits every view of the tour at `size`: (view name, the drawn buffer).
fn tour(
    fx: &mut Fixture,
    size: (u16, u16),
    visit: &mut dyn FnMut(&str, &Buffer),
) -> Result<(), String> {
    let mut show = |app: &mut App, name: String| -> Result<(), String> {
        app.status = None;
        let buf = draw(app, size)?;
        visit(&name, &buf);
        Ok(())
    };
    let app = &mut fx.app;
    // The runbook: every stage, then every item of it with its detail.
    app.on_action(Action::GoTo(Screen::Runbook));
    for s in 0..RunbookNav::stage_count(&app.runbook) {
        app.ctx.overlay = None;
        let nav = &mut app.checklist.nav;
        nav.focus = Focus::Stages;
        nav.stage_idx = s;
        nav.item_idx = 0;
        nav.detail_scroll = 0;
        let stage = RunbookNav::stage_at(&app.runbook, s).clone();
        show(app, format!("runbook stage {}", stage.id))?;
        app.checklist.nav.focus = Focus::Items;
        for (i, it) in stage.items.iter().enumerate() {
            app.checklist.nav.item_idx = i;
            show(app, format!("runbook item {}", it.id))?;
        }
    }
    // The overlays of the runbook screen.
    let overlays: [(&str, Opens); 6] = [
        ("help", |a| a.on_action(Action::Help)),
        ("rollback", |a| a.on_action(Action::Rollback)),
        ("notes", |a| {
            a.on_action(Action::Enter);
            a.on_action(Action::Notes);
        }),
        ("gate", |a| {
            a.checklist.nav.stage_idx = a.runbook.stage_index("build").unwrap_or(0);
            a.on_action(Action::Enter);
            a.on_action(Action::ToggleDone);
        }),
        ("confirm", |a| {
            a.checklist.nav.stage_idx = a.runbook.stage_index("export").unwrap_or(0);
            a.on_action(Action::Enter);
        }),
        ("filter", |a| {
            a.on_action(Action::Filter);
        }),
    ];
    for (name, open) in overlays {
        app.ctx.overlay = None;
        let nav = &mut app.checklist.nav;
        nav.filter_editing = false;
        nav.filter.clear();
        nav.focus = Focus::Stages;
        nav.stage_idx = 0;
        nav.item_idx = 0;
        open(app);
        show(app, format!("overlay {name}"))?;
    }
    app.ctx.overlay = None;
    app.checklist.nav.filter_editing = false;
    app.checklist.nav.filter.clear();
    // Pools: each pool selected.
    app.on_action(Action::GoTo(Screen::Pools));
    for i in 0..app.profile.pools.len() {
        show(app, format!("pools row {i}"))?;
        app.on_action(Action::Down);
    }
    // Pilot: the profile's users (added by the fixture).
    app.on_action(Action::GoTo(Screen::Pilot));
    fx.pump_until("the pilot to load", |a| a.pilot.data.is_some())?;
    let app = &mut fx.app;
    show(app, "pilot".into())?;
    // Troubleshoot: each symptom selected.
    app.on_action(Action::GoTo(Screen::Troubleshoot));
    let symptoms = app
        .troubleshoot
        .catalog
        .as_ref()
        .and_then(|c| c.as_ref().ok())
        .map(|c| c.symptoms.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    for id in symptoms {
        show(app, format!("troubleshoot {id}"))?;
        app.on_action(Action::Down);
    }
    // Window: the saved plan, each step selected.
    app.on_action(Action::GoTo(Screen::Window));
    fx.pump_until("the window plan", |a| {
        a.window.loaded && !a.window.loading && a.window.plan.is_some()
    })?;
    let app = &mut fx.app;
    app.window.selected = 0;
    let steps = app.window.rows().len();
    for i in 0..steps {
        app.window.selected = i;
        show(app, format!("window row {i}"))?;
    }
    app.on_action(Action::GoTo(Screen::Runbook));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::wrap::{Paragraph, Wrap};
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Widget};

    #[test]
    fn a_wide_character_over_the_right_border_is_found() {
        let area = Rect::new(0, 0, 12, 4);
        let mut buf = Buffer::empty(area);
        Block::default()
            .borders(Borders::ALL)
            .render(area, &mut buf);
        assert!(border_problems(&buf).is_empty());
        // Nine cells of text, then a Hangul syllable on the last inner cell (10): its second
        // half lands on the border.
        buf.set_string(1, 1, "abcdefghi서", ratatui::style::Style::default());
        let found = border_problems(&buf);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("wide character"), "{found:?}");
    }

    #[test]
    fn ascii_words_outside_data_are_reported() {
        let area = Rect::new(0, 0, 30, 2);
        let mut buf = Buffer::empty(area);
        Paragraph::new(vec![
            Line::raw(format!("{} fixed", i18n::pseudo("Stop"))),
            Line::raw(format!("{} alice", i18n::pseudo("by"))),
        ])
        .wrap(Wrap { trim: false })
        .render(area, &mut buf);
        let allowed: BTreeSet<String> = ["alice".to_string()].into();
        let found = english_words(&buf, &allowed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, ["fixed"]);
    }
}
