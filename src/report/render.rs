//! The one walk over the [`Report`]: it decides what the report says, in which order, and
//! hands it to a [`Sink`] as blocks (headings, paragraphs, lists, tables) of [`Span`]s. The
//! Markdown and HTML sinks only decide how a block looks and escape every value; so both
//! formats show the same content.

use std::borrow::Cow;

use super::{ItemReport, Report, StageReport, VerificationSummary, events, fmt_ts, passed_label};
use crate::pilot::{PilotCase, PilotOutcome};
use crate::planner::{StepState, fmt_duration};
use crate::store::ItemState;

/// A run of inline text. Every text is a value to escape (the sink escapes it).
#[derive(Clone)]
pub(super) enum Span<'a> {
    /// Plain text.
    Text(Cow<'a, str>),
    /// A label or a word that must stand out (Markdown `**…**`, HTML `<strong>`).
    Strong(Cow<'a, str>),
    /// A state word with its class (`done`, `failed`, `info`…): Markdown bold, HTML
    /// `<span class="state …">`.
    State(&'static str, Cow<'a, str>),
    /// An identifier, a hash or a command line (Markdown `` `…` ``, HTML `<code>`).
    Code(Cow<'a, str>),
    /// Text with a look of its own (`muted`, `note`): Markdown plain, HTML
    /// `<span class="…">`.
    Styled(&'static str, Cow<'a, str>),
}

/// How a table cell is laid out (HTML class; Markdown ignores it).
#[derive(Clone, Copy)]
pub(super) enum Align {
    /// Text.
    Text,
    /// A number or a duration, right-aligned.
    Num,
    /// A timestamp, kept on one line.
    Time,
    /// A state word, coloured by its class.
    State(&'static str),
}

/// One table cell.
pub(super) struct Cell<'a> {
    pub align: Align,
    pub spans: Vec<Span<'a>>,
}

/// A table: header, body rows, and an optional total row.
pub(super) struct Table<'a> {
    /// HTML class of the table (`signoff`), if any.
    pub class: Option<&'static str>,
    pub head: Vec<Cow<'a, str>>,
    pub rows: Vec<Vec<Cell<'a>>>,
    pub foot: Option<Vec<Cell<'a>>>,
}

/// Where a walk over the report writes. Each method writes one block; values inside spans
/// are escaped by the sink.
pub(super) trait Sink {
    /// The document's start: its title, the page title and the line under the heading.
    fn start(&mut self, title: &str, page_title: &str, meta: &[Span<'_>]);
    /// A framed verdict line at the top (`ok` or not), with an anchor id.
    fn banner(&mut self, id: &str, ok: bool, spans: &[Span<'_>]);
    /// Opens a top-level section (anchor id, heading).
    fn section(&mut self, id: &str, title: &str);
    /// Closes the section opened last.
    fn end_section(&mut self);
    /// A sub-heading with an anchor id.
    fn heading(&mut self, id: &str, text: &str);
    /// A paragraph; `class` is its look (`muted`, `passed`, `failed`, `broken`).
    fn para(&mut self, class: Option<&'static str>, spans: &[Span<'_>]);
    /// A bulleted list; `class` is its look (`summary`).
    fn list(&mut self, class: Option<&'static str>, items: &[Vec<Span<'_>>]);
    /// One checklist item: its id, its checklist number (digits, or `–` for none; our own
    /// text), its title, the state line and the lines under it.
    fn item(
        &mut self,
        id: &str,
        number: &str,
        title: &str,
        head: &[Span<'_>],
        details: &[Vec<Span<'_>>],
    );
    /// A table.
    fn table(&mut self, t: &Table<'_>);
}

fn text<'a>(s: impl Into<Cow<'a, str>>) -> Span<'a> {
    Span::Text(s.into())
}

fn strong<'a>(s: impl Into<Cow<'a, str>>) -> Span<'a> {
    Span::Strong(s.into())
}

fn state<'a>(class: &'static str, s: impl Into<Cow<'a, str>>) -> Span<'a> {
    Span::State(class, s.into())
}

fn cell<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell {
        align: Align::Text,
        spans: vec![text(s)],
    }
}

fn num<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell {
        align: Align::Num,
        spans: vec![text(s)],
    }
}

fn time<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell {
        align: Align::Time,
        spans: vec![text(s)],
    }
}

fn state_cell<'a>(class: &'static str, s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell {
        align: Align::State(class),
        spans: vec![text(s)],
    }
}

fn table<'a>(head: &[&'a str], rows: Vec<Vec<Cell<'a>>>) -> Table<'a> {
    Table {
        class: None,
        head: head.iter().map(|h| Cow::Borrowed(*h)).collect(),
        rows,
        foot: None,
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

fn opt_ts(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(fmt_ts).unwrap_or_default()
}

fn state_class(s: ItemState) -> &'static str {
    match s {
        ItemState::Done => "done",
        ItemState::Skipped => "skipped",
        ItemState::Failed => "failed",
        ItemState::Blocked => "blocked",
        ItemState::Todo => "todo",
    }
}

fn passed_class(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "passed",
        Some(false) => "failed",
        None => "info",
    }
}

fn outcome_class(r: PilotOutcome) -> &'static str {
    match r {
        PilotOutcome::Pass => "pass",
        PilotOutcome::Fail => "fail",
        PilotOutcome::NotApplicable => "na",
        PilotOutcome::Todo => "todo",
    }
}

fn step_class(s: StepState) -> &'static str {
    match s {
        StepState::Done => "done",
        StepState::DoneLate | StepState::RunningLate => "failed",
        StepState::Running => "info",
        StepState::Pending => "todo",
    }
}

fn job_class(status: &str) -> &'static str {
    match status {
        "succeeded" => "done",
        "running" => "info",
        _ => "failed",
    }
}

/// Walks the whole report into `sink`.
pub(super) fn render(r: &Report, sink: &mut impl Sink) {
    sink.start(
        &r.title,
        &format!("{}: {}", r.title, r.session.name),
        &[
            text("Session "),
            strong(&r.session.name),
            text(format!(" ({}) · deployment ", r.session.deployment)),
            strong(&r.deployment.name),
            text(format!(
                " · generated {} by pchat-migrate {}",
                fmt_ts(r.generated_at),
                r.tool_version
            )),
        ],
    );
    // The audit check first: change management reads it before anything else.
    let audit_line = if r.audit.intact {
        format!(
            "Audit check: audit trail intact ({} in this session, hash chain verified).",
            events(r.audit.session_events)
        )
    } else {
        format!("Audit check: {}", r.audit.verdict())
    };
    sink.banner("audit-verdict", r.audit.intact, &[text(audit_line)]);
    summary(r, sink);
    deployment(r, sink);
    sink.section("stages", "Stages and items");
    for s in &r.stages {
        stage(s, sink);
    }
    sink.end_section();
    jobs(r, sink);
    sink.section("verification", "Verification");
    match &r.verification {
        None => sink.para(None, &[text("The verify job has not run in this session.")]),
        Some(v) => verification(v, sink),
    }
    sink.end_section();
    pilot(r, sink);
    troubleshooting(r, sink);
    window(r, sink);
    audit(r, sink);
    verdict(r, sink);
    sink.section("signoff", "Sign-off");
    let rows = ["Migration engineer", "Service owner", "Change manager"]
        .into_iter()
        .map(|role| vec![cell(role), cell(""), cell(""), cell("")])
        .collect();
    sink.table(&Table {
        class: Some("signoff"),
        ..table(&["Role", "Name", "Signature", "Date"], rows)
    });
    sink.end_section();
}

fn summary(r: &Report, sink: &mut impl Sink) {
    let mut items = vec![vec![
        strong("Verdict:"),
        text(" "),
        state(passed_class(Some(r.verdict.ready)), &r.verdict.headline),
    ]];
    let t = &r.totals;
    items.push(vec![
        strong("Checklist:"),
        text(format!(
            " {} items: {} done, {} skipped, {} failed, {} blocked, {} to do{}",
            t.total,
            t.done,
            t.skipped,
            t.failed,
            t.blocked,
            t.todo,
            if t.complete() { " (complete)" } else { "" }
        )),
    ]);
    items.push(match &r.verification {
        Some(v) => vec![
            strong("Verification:"),
            text(" "),
            state(
                passed_class(Some(v.passed)),
                if v.passed { "passed" } else { "FAILED" },
            ),
            text(format!(
                ": {} categories, {} rooms, {} messages compared, {}{}",
                v.categories_compared,
                v.rooms_compared,
                v.messages_compared,
                crate::i18n::count(v.differences_total, "difference", "differences"),
                v.stale
                    .as_ref()
                    .map(|why| format!(" — stale: {why}"))
                    .unwrap_or_default()
            )),
        ],
        None => vec![strong("Verification:"), text(" not run")],
    });
    items.push(match &r.preview {
        Some(pv) => vec![
            strong("-WhatIf preview:"),
            text(format!(
                " {} (items not imported; {} accepted by name as losses), {}, {}{}",
                crate::i18n::count(pv.errors, "error", "errors"),
                pv.accepted_losses.len(),
                crate::i18n::count(pv.warnings, "warning", "warnings"),
                crate::i18n::count(pv.notes, "note", "notes"),
                pv.stale
                    .as_ref()
                    .map(|why| format!(" — stale: {why}"))
                    .unwrap_or_default()
            )),
        ],
        None => vec![strong("-WhatIf preview:"), text(" not run")],
    });
    let p = &r.pilot.progress;
    items.push(vec![
        strong("Pilot:"),
        text(format!(
            " {} users; {} passed every test, {} with a failure; {} of {} applicable results \
             passed, {} failed",
            p.users,
            p.users_passed,
            p.users_failing,
            p.totals.pass,
            p.totals.applicable(),
            p.totals.fail
        )),
    ]);
    items.push(match &r.window {
        Some(w) => vec![
            strong("Downtime window:"),
            text(format!(
                " planned {} (booked {}); actual {}",
                fmt_duration(w.plan.total_s),
                fmt_duration(w.plan.window_s),
                w.progress
                    .actual_s
                    .map_or_else(|| "not started".into(), fmt_duration)
            )),
        ],
        None => vec![strong("Downtime window:"), text(" no plan saved")],
    });
    sink.section("summary", "Summary");
    sink.list(Some("summary"), &items);
    sink.end_section();
}

/// A list line: a bold label, then its value.
fn line<'a>(label: &'static str, value: Span<'a>) -> Vec<Span<'a>> {
    vec![strong(label), text(" "), value]
}

fn deployment(r: &Report, sink: &mut impl Sink) {
    let d = &r.deployment;
    let mut items = vec![
        line("Migration:", text(&d.migration)),
        line("Kind:", text(&d.kind)),
        line("SIP domain:", text(&d.sip_domain)),
    ];
    if !d.sites.is_empty() {
        items.push(line("Sites:", text(d.sites.join(", "))));
    }
    items.push(line(
        "Export settings:",
        Span::Code(d.export_settings.join(" ").into()),
    ));
    items.push(line("Legacy endpoint SIP URI:", text(&d.lookup_uri)));
    if let Some(p) = &r.session.profile {
        items.push(line("Profile file:", text(p)));
    }
    items.push(line(
        "Session created:",
        text(format!(
            "{} by {}",
            fmt_ts(r.session.created_at),
            r.session.created_by
        )),
    ));
    let rows = d
        .pools
        .iter()
        .map(|p| {
            vec![
                cell(&p.product),
                cell(&p.fqdn),
                cell(p.servers.join(", ")),
                cell(opt(&p.database)),
                cell(opt(&p.file_store)),
            ]
        })
        .collect();
    sink.section("deployment", "Deployment");
    sink.list(None, &items);
    sink.table(&table(
        &["Pool", "FQDN", "Servers", "Database", "File store"],
        rows,
    ));
    sink.end_section();
}

fn stage(s: &StageReport, sink: &mut impl Sink) {
    let num = if s.number == 99 {
        "Rollback".to_string()
    } else {
        format!("Stage {}", s.number)
    };
    sink.heading(&format!("stage-{}", s.id), &format!("{num}: {}", s.title));
    sink.para(
        Some("muted"),
        &[text(format!(
            "{} {} of {} items done, {} skipped, {} failed, {} blocked.",
            s.summary,
            s.totals.done,
            s.totals.total,
            s.totals.skipped,
            s.totals.failed,
            s.totals.blocked
        ))],
    );
    for it in &s.items {
        item(it, sink);
    }
}

fn item(it: &ItemReport, sink: &mut impl Sink) {
    let n = it.checklist.map_or_else(|| "–".into(), |n| n.to_string());
    let mut head = vec![state(state_class(it.state), it.state.to_string())];
    if let (Some(w), Some(a)) = (&it.who, it.at) {
        head.push(text(format!(" by {w} at {}", fmt_ts(a))));
    }
    if it.decided_by == "evidence" {
        match &it.proof {
            Some(p) => head.push(text(format!(" (from recorded evidence: {p})"))),
            None => head.push(text(" (from recorded evidence)")),
        }
    }
    if let Some(reason) = &it.reason {
        head.push(text(format!("; reason: {reason}")));
    }
    let mut details: Vec<Vec<Span<'_>>> = it
        .flags
        .iter()
        .map(|f| vec![state("failed", "Attention"), text(": "), text(f)])
        .collect();
    if let Some(note) = &it.note {
        details.push(vec![
            text(format!(
                "Note ({}, {}): ",
                opt(&it.note_who),
                opt_ts(it.note_at)
            )),
            Span::Styled("note", note.into()),
        ]);
    }
    for e in &it.evidence {
        details.push(vec![
            text("Evidence, "),
            state(passed_class(e.passed), passed_label(e.passed)),
            text(format!(
                " ({}, {}, {}): {}",
                e.source,
                e.who,
                fmt_ts(e.at),
                e.summary
            )),
        ]);
    }
    sink.item(&it.id, &n, &it.title, &head, &details);
}

/// A section holding one table, or a sentence saying why there is none.
fn table_section<'a>(
    sink: &mut impl Sink,
    (id, title): (&str, &str),
    empty: &str,
    head: &[&'a str],
    rows: Vec<Vec<Cell<'a>>>,
) {
    sink.section(id, title);
    if rows.is_empty() {
        sink.para(None, &[text(empty)]);
    } else {
        sink.table(&table(head, rows));
    }
    sink.end_section();
}

fn jobs(r: &Report, sink: &mut impl Sink) {
    let rows = r
        .jobs
        .iter()
        .map(|j| {
            vec![
                num(j.id.to_string()),
                cell(&j.kind),
                cell(&j.item_id),
                time(fmt_ts(j.started_at)),
                time(opt_ts(j.finished_at)),
                num(j
                    .duration_s
                    .map(|d| format!("{d:.1} s"))
                    .unwrap_or_default()),
                state_cell(job_class(&j.status), &j.status),
                cell(opt(&j.summary)),
            ]
        })
        .collect();
    table_section(
        sink,
        ("jobs", "Job runs"),
        "No job ran in this session.",
        &[
            "#", "Job", "Item", "Started", "Finished", "Duration", "Status", "Summary",
        ],
        rows,
    );
}

fn verification(v: &VerificationSummary, sink: &mut impl Sink) {
    sink.para(
        None,
        &[
            text("Verification summary: "),
            state(
                passed_class(Some(v.passed)),
                if v.passed { "passed" } else { "FAILED" },
            ),
            text(format!(". {} ({}, {})", v.summary, v.who, fmt_ts(v.at))),
        ],
    );
    let mut rows: Vec<Vec<Cell<'_>>> = [
        ("Categories", v.categories_compared),
        ("Rooms", v.rooms_compared),
        ("Messages", v.messages_compared),
        ("Differences", v.differences_total as u64),
        ("Accepted losses", v.accepted_losses.len() as u64),
    ]
    .into_iter()
    .map(|(k, n)| vec![cell(k), num(n.to_string())])
    .collect();
    if let Some(ms) = v.elapsed_ms {
        rows.push(vec![
            cell("Time"),
            num(format!("{:.1} s", ms as f64 / 1000.0)),
        ]);
    }
    sink.table(&table(&["Compared", "Count"], rows));
    if let Some(e) = &v.error {
        sink.para(Some("failed"), &[text(format!("Error: {e}"))]);
    }
    if let Some(why) = &v.stale {
        sink.para(
            None,
            &[
                strong("Stale:"),
                text(format!(" {why}; it no longer describes the target.")),
            ],
        );
    }
    if !v.accepted_losses.is_empty() {
        sink.para(
            None,
            &[text(
                "Accepted losses (refused by the import, accepted by name before it ran; not \
                 differences):",
            )],
        );
        let items: Vec<_> = v.accepted_losses.iter().map(|l| vec![text(l)]).collect();
        sink.list(None, &items);
    }
    if !v.differences.is_empty() {
        let rows = v
            .differences
            .iter()
            .map(|x| {
                vec![
                    cell(&x.kind),
                    cell(&x.name),
                    cell(&x.field),
                    cell(&x.expected),
                    cell(&x.actual),
                ]
            })
            .collect();
        sink.table(&table(
            &["Kind", "Name", "Field", "Expected", "Found"],
            rows,
        ));
        if v.differences_total > v.differences.len() {
            sink.para(
                None,
                &[text(format!(
                    "… and {} more differences (see the verify job's JSON report).",
                    v.differences_total - v.differences.len()
                ))],
            );
        }
    }
    if !v.target_only.is_empty() {
        sink.para(
            Some("muted"),
            &[text(format!(
                "Only on the new pool (not differences): {}",
                v.target_only.join(", ")
            ))],
        );
    }
}

fn pilot(r: &Report, sink: &mut impl Sink) {
    sink.section("pilot", "Pilot");
    let pr = &r.pilot.results;
    if pr.users.is_empty() {
        sink.para(None, &[text("No pilot users in this session.")]);
    } else {
        let mut head = vec!["User", "Client"];
        head.extend(PilotCase::ALL.iter().map(|c| c.title()));
        let rows = pr
            .users
            .iter()
            .map(|u| {
                let mut row = vec![
                    Cell {
                        align: Align::Text,
                        spans: vec![
                            text(&u.display_name),
                            Span::Styled("muted", format!(" ({})", u.sip).into()),
                        ],
                    },
                    cell(u.client.product_name()),
                ];
                row.extend(PilotCase::ALL.iter().map(|c| {
                    let res = pr.get(&u.sip, *c).map_or(PilotOutcome::Todo, |x| x.result);
                    state_cell(outcome_class(res), res.label())
                }));
                row
            })
            .collect();
        sink.table(&table(&head, rows));
        let rows = r
            .pilot
            .progress
            .per_case
            .iter()
            .map(|c| {
                vec![
                    cell(c.case.title()),
                    num(c.counts.pass.to_string()),
                    num(c.counts.fail.to_string()),
                    num(c.counts.na.to_string()),
                    num(c.counts.todo.to_string()),
                ]
            })
            .collect();
        sink.table(&table(&["Test", "Pass", "Fail", "n/a", "To do"], rows));
        let notes: Vec<_> = pr
            .results
            .iter()
            .filter(|x| x.recorded() && x.note.is_some())
            .map(|x| {
                vec![
                    text(format!("{} / {}: ", x.sip, x.case.title())),
                    state(outcome_class(x.result), x.result.label()),
                    text(format!(" ({}, {}): ", opt(&x.who), opt_ts(x.at))),
                    Span::Styled("note", opt(&x.note).into()),
                ]
            })
            .collect();
        if !notes.is_empty() {
            sink.para(None, &[text("Notes:")]);
            sink.list(None, &notes);
        }
    }
    sink.para(
        None,
        &[text("What the pilot proves for the Coexistence items:")],
    );
    let items: Vec<_> = r
        .pilot
        .coexistence
        .iter()
        .map(|e| {
            vec![
                Span::Code(e.item_id.into()),
                text(": "),
                state(
                    passed_class(Some(e.passed)),
                    if e.passed { "passed" } else { "not yet" },
                ),
                text(": "),
                text(&e.summary),
            ]
        })
        .collect();
    sink.list(None, &items);
    sink.end_section();
}

fn troubleshooting(r: &Report, sink: &mut impl Sink) {
    let rows = r
        .troubleshooting
        .iter()
        .map(|t| {
            vec![
                time(fmt_ts(t.at)),
                cell(&t.who),
                cell(&t.symptom),
                cell(&t.item_id),
                state_cell(passed_class(t.passed), passed_label(t.passed)),
                cell(&t.summary),
            ]
        })
        .collect();
    table_section(
        sink,
        ("troubleshooting", "Troubleshooting"),
        "No troubleshooting checks were recorded.",
        &["When", "Who", "Symptom", "Item", "Verdict", "Result"],
        rows,
    );
}

fn window(r: &Report, sink: &mut impl Sink) {
    sink.section("window", "Downtime window: planned against actual");
    match &r.window {
        None => sink.para(
            None,
            &[text("No downtime plan was saved for this session.")],
        ),
        Some(w) => {
            sink.para(
                None,
                &[text(format!(
                    "Plan saved by {} at {}: {}.",
                    w.saved_by,
                    fmt_ts(w.saved_at),
                    w.plan.summary()
                ))],
            );
            let rows = w
                .steps
                .iter()
                .zip(&w.plan.steps)
                .map(|(s, p)| {
                    vec![
                        cell(&s.title),
                        num(fmt_duration(s.planned_s)),
                        num(s.elapsed_s.map(fmt_duration).unwrap_or_default()),
                        state_cell(step_class(s.state), s.state.label()),
                        cell(&p.basis),
                    ]
                })
                .collect();
            let within = w.progress.within_window;
            let foot = vec![
                Cell {
                    align: Align::Text,
                    spans: vec![strong("Total")],
                },
                num(format!(
                    "{} (window {})",
                    fmt_duration(w.progress.planned_s),
                    fmt_duration(w.progress.window_s)
                )),
                num(w.progress.actual_s.map(fmt_duration).unwrap_or_default()),
                Cell {
                    align: Align::Text,
                    spans: vec![if within {
                        state("done", "within the window")
                    } else {
                        state("failed", "over the window")
                    }],
                },
                cell(""),
            ];
            sink.table(&Table {
                foot: Some(foot),
                ..table(&["Step", "Planned", "Actual", "State", "Basis"], rows)
            });
        }
    }
    sink.end_section();
}

fn audit(r: &Report, sink: &mut impl Sink) {
    let a = &r.audit;
    sink.section("audit", "Audit trail");
    if a.intact {
        let span = match (a.first_at, a.last_at) {
            (Some(first), Some(last)) => format!(", {} to {}", fmt_ts(first), fmt_ts(last)),
            _ => String::new(),
        };
        sink.para(
            Some("passed"),
            &[text(format!(
                "The audit trail is intact: every event's hash and link to the event before it \
                 verify. {} in this session{span}.",
                events(a.session_events)
            ))],
        );
    } else {
        sink.para(Some("broken"), &[strong(a.verdict())]);
        sink.para(
            None,
            &[text(format!(
                "The events from #{} on cannot be trusted; compare with a backup of the session \
                 database.",
                a.broken_event.unwrap_or(0)
            ))],
        );
    }
    if let Some(h) = &a.last_hash {
        sink.para(
            None,
            &[
                text("Hash of the session's last event: "),
                Span::Code(h.into()),
            ],
        );
    }
    sink.end_section();
}

fn verdict(r: &Report, sink: &mut impl Sink) {
    let v = &r.verdict;
    sink.section("verdict", "Verdict");
    sink.para(None, &[state(passed_class(Some(v.ready)), &v.headline)]);
    let reasons: Vec<_> = v.reasons.iter().map(|x| vec![text(x)]).collect();
    sink.list(None, &reasons);
    if !v.accepted_losses.is_empty() {
        sink.para(None, &[text("Losses accepted by name (not imported):")]);
        let losses: Vec<_> = v.accepted_losses.iter().map(|x| vec![text(x)]).collect();
        sink.list(None, &losses);
    }
    sink.end_section();
}
