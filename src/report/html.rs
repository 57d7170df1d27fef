//! The report as one self-contained HTML file: inline CSS, no scripts, no external assets
//! (no links to style sheets, fonts or images), every value escaped, print-friendly
//! (A4/Letter margins, tables that break between rows, colours that survive greyscale).

use std::fmt::Write;

use super::{Report, fmt_ts, passed_label};
use crate::pilot::{PilotCase, PilotOutcome};
use crate::planner::{StepState, fmt_duration};
use crate::store::ItemState;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(escape).unwrap_or_default()
}

const CSS: &str = r#"
:root { --ok: #1a7f37; --bad: #b3261e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10.5pt;
       color: #1f2328; margin: 2em auto; max-width: 72em; padding: 0 1.5em; line-height: 1.4; }
h1 { font-size: 1.7em; margin-bottom: .2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--line); padding-bottom: .2em; margin-top: 1.8em; }
h3 { font-size: 1.1em; margin: 1.4em 0 .3em; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border: 1px solid var(--line); padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ts { white-space: nowrap; font-variant-numeric: tabular-nums; }
.state { font-weight: bold; white-space: nowrap; }
.done, .passed, .pass { color: var(--ok); }
.failed, .fail, .blocked, .broken { color: var(--bad); }
.skipped, .todo, .info, .manual, .na { color: var(--warn); }
.note { white-space: pre-wrap; }
.banner { border: 2px solid; padding: .6em .9em; margin: 1em 0; font-weight: bold; }
.banner.ok { border-color: var(--ok); color: var(--ok); }
.banner.bad { border-color: var(--bad); color: var(--bad); }
ul.summary li { margin: .15em 0; }
.item { margin: .35em 0 .6em; padding-left: .6em; border-left: 3px solid var(--line); }
.item .title { font-weight: bold; }
.item .id { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; color: var(--muted); }
.item ul { margin: .2em 0; padding-left: 1.3em; }
code, .hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; word-break: break-all; }
.signoff td { height: 2.6em; }
@page { margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  tr, .item { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .banner { border-width: 3px; }
}
"#;

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

/// Renders the report as one self-contained HTML document.
pub fn html(r: &Report) -> String {
    let mut o = String::with_capacity(64 * 1024);
    // `write!` to a String cannot fail.
    let _ = render(r, &mut o);
    o
}

fn render(r: &Report, o: &mut String) -> std::fmt::Result {
    writeln!(o, "<!DOCTYPE html>")?;
    writeln!(o, "<html lang=\"en\">")?;
    writeln!(o, "<head>")?;
    writeln!(o, "<meta charset=\"utf-8\">")?;
    writeln!(
        o,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        o,
        "<title>{}: {}</title>",
        escape(&r.title),
        escape(&r.session.name)
    )?;
    writeln!(o, "<style>{CSS}</style>")?;
    writeln!(o, "</head>")?;
    writeln!(o, "<body>")?;
    writeln!(o, "<header>")?;
    writeln!(o, "<h1>{}</h1>", escape(&r.title))?;
    writeln!(
        o,
        "<p class=\"meta\">Session <strong>{}</strong> ({}) · deployment <strong>{}</strong> · \
         generated {} by pchat-migrate {}</p>",
        escape(&r.session.name),
        escape(&r.session.deployment),
        escape(&r.deployment.name),
        fmt_ts(r.generated_at),
        escape(&r.tool_version)
    )?;
    writeln!(o, "</header>")?;

    // Audit banner first: change management reads it before anything else.
    if r.audit.intact {
        writeln!(
            o,
            "<div class=\"banner ok\" id=\"audit-verdict\">Audit check: audit trail intact \
             ({} in this session, hash chain verified).</div>",
            super::events(r.audit.session_events)
        )?;
    } else {
        writeln!(
            o,
            "<div class=\"banner bad\" id=\"audit-verdict\">Audit check: audit trail BROKEN \
             at event #{}: {}</div>",
            r.audit.broken_event.unwrap_or(0),
            opt(&r.audit.broken_reason)
        )?;
    }

    // Summary.
    writeln!(
        o,
        "<section id=\"summary\"><h2>Summary</h2><ul class=\"summary\">"
    )?;
    writeln!(
        o,
        "<li><strong>Verdict:</strong> <span class=\"state {}\">{}</span></li>",
        passed_class(Some(r.verdict.ready)),
        escape(&r.verdict.headline)
    )?;
    let t = &r.totals;
    writeln!(
        o,
        "<li><strong>Checklist:</strong> {} items: {} done, {} skipped, {} failed, {} blocked, \
         {} to do{}</li>",
        t.total,
        t.done,
        t.skipped,
        t.failed,
        t.blocked,
        t.todo,
        if t.complete() { " (complete)" } else { "" }
    )?;
    match &r.verification {
        Some(v) => writeln!(
            o,
            "<li><strong>Verification:</strong> <span class=\"state {}\">{}</span>: {} \
             categories, {} rooms, {} messages compared, {} differences</li>",
            passed_class(Some(v.passed)),
            if v.passed { "passed" } else { "FAILED" },
            v.categories_compared,
            v.rooms_compared,
            v.messages_compared,
            v.differences_total
        )?,
        None => writeln!(o, "<li><strong>Verification:</strong> not run</li>")?,
    }
    match &r.preview {
        Some(pv) => writeln!(
            o,
            "<li><strong>-WhatIf preview:</strong> {} errors (items not imported; {} accepted by \
             name as losses), {} warnings, {} notes{}</li>",
            pv.errors,
            pv.accepted_losses.len(),
            pv.warnings,
            pv.notes,
            if pv.stale {
                " — stale: the package was exported again after it"
            } else {
                ""
            }
        )?,
        None => writeln!(o, "<li><strong>-WhatIf preview:</strong> not run</li>")?,
    }
    let p = &r.pilot.progress;
    writeln!(
        o,
        "<li><strong>Pilot:</strong> {} users; {} passed every test, {} with a failure; {} of \
         {} applicable results passed, {} failed</li>",
        p.users,
        p.users_passed,
        p.users_failing,
        p.totals.pass,
        p.totals.applicable(),
        p.totals.fail
    )?;
    match &r.window {
        Some(w) => writeln!(
            o,
            "<li><strong>Downtime window:</strong> planned {} (booked {}); actual {}</li>",
            fmt_duration(w.plan.total_s),
            fmt_duration(w.plan.window_s),
            w.progress
                .actual_s
                .map_or_else(|| "not started".into(), fmt_duration)
        )?,
        None => writeln!(
            o,
            "<li><strong>Downtime window:</strong> no plan saved</li>"
        )?,
    }
    writeln!(o, "</ul></section>")?;

    // Deployment.
    let d = &r.deployment;
    writeln!(o, "<section id=\"deployment\"><h2>Deployment</h2><ul>")?;
    writeln!(
        o,
        "<li><strong>Migration:</strong> {}</li>",
        escape(&d.migration)
    )?;
    writeln!(o, "<li><strong>Kind:</strong> {}</li>", escape(&d.kind))?;
    writeln!(
        o,
        "<li><strong>SIP domain:</strong> {}</li>",
        escape(&d.sip_domain)
    )?;
    if !d.sites.is_empty() {
        writeln!(
            o,
            "<li><strong>Sites:</strong> {}</li>",
            escape(&d.sites.join(", "))
        )?;
    }
    writeln!(
        o,
        "<li><strong>Export settings:</strong> <code>{}</code></li>",
        escape(&d.export_settings.join(" "))
    )?;
    writeln!(
        o,
        "<li><strong>Legacy endpoint SIP URI:</strong> {}</li>",
        escape(&d.lookup_uri)
    )?;
    if let Some(pf) = &r.session.profile {
        writeln!(o, "<li><strong>Profile file:</strong> {}</li>", escape(pf))?;
    }
    writeln!(
        o,
        "<li><strong>Session created:</strong> {} by {}</li>",
        fmt_ts(r.session.created_at),
        escape(&r.session.created_by)
    )?;
    writeln!(o, "</ul>")?;
    writeln!(
        o,
        "<table><thead><tr><th>Pool</th><th>FQDN</th><th>Servers</th><th>Database</th>\
         <th>File store</th></tr></thead><tbody>"
    )?;
    for p in &d.pools {
        writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.product),
            escape(&p.fqdn),
            escape(&p.servers.join(", ")),
            opt(&p.database),
            opt(&p.file_store)
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;

    // Stages.
    writeln!(o, "<section id=\"stages\"><h2>Stages and items</h2>")?;
    for s in &r.stages {
        let num = if s.number == 99 {
            "Rollback".to_string()
        } else {
            format!("Stage {}", s.number)
        };
        writeln!(
            o,
            "<h3 id=\"stage-{}\">{num}: {}</h3>",
            escape(&s.id),
            escape(&s.title)
        )?;
        writeln!(
            o,
            "<p class=\"muted\">{} {} of {} items done, {} skipped, {} failed, {} blocked.</p>",
            escape(&s.summary),
            s.totals.done,
            s.totals.total,
            s.totals.skipped,
            s.totals.failed,
            s.totals.blocked
        )?;
        for it in &s.items {
            let n = it.checklist.map_or_else(|| "–".into(), |n| n.to_string());
            write!(
                o,
                "<div class=\"item\" id=\"item-{}\"><span class=\"title\">[{n}] {}</span> \
                 <span class=\"id\">{}</span> · <span class=\"state {}\">{}</span>",
                escape(&it.id),
                escape(&it.title),
                escape(&it.id),
                state_class(it.state),
                it.state
            )?;
            if let (Some(w), Some(a)) = (&it.who, it.at) {
                write!(o, " by {} at {}", escape(w), fmt_ts(a))?;
            }
            if it.decided_by == "evidence" {
                write!(o, " (from recorded evidence)")?;
            }
            if let Some(reason) = &it.reason {
                write!(o, "; reason: {}", escape(reason))?;
            }
            if it.note.is_some() || !it.evidence.is_empty() || !it.flags.is_empty() {
                write!(o, "<ul>")?;
                for f in &it.flags {
                    write!(
                        o,
                        "<li><span class=\"state failed\">Attention</span>: {}</li>",
                        escape(f)
                    )?;
                }
                if let Some(note) = &it.note {
                    write!(
                        o,
                        "<li>Note ({}, {}): <span class=\"note\">{}</span></li>",
                        opt(&it.note_who),
                        it.note_at.map(fmt_ts).unwrap_or_default(),
                        escape(note)
                    )?;
                }
                for e in &it.evidence {
                    write!(
                        o,
                        "<li>Evidence, <span class=\"state {}\">{}</span> ({}, {}, {}): {}</li>",
                        passed_class(e.passed),
                        passed_label(e.passed),
                        escape(&e.source),
                        escape(&e.who),
                        fmt_ts(e.at),
                        escape(&e.summary)
                    )?;
                }
                write!(o, "</ul>")?;
            }
            writeln!(o, "</div>")?;
        }
    }
    writeln!(o, "</section>")?;

    // Jobs.
    writeln!(o, "<section id=\"jobs\"><h2>Job runs</h2>")?;
    if r.jobs.is_empty() {
        writeln!(o, "<p>No job ran in this session.</p>")?;
    } else {
        writeln!(
            o,
            "<table><thead><tr><th>#</th><th>Job</th><th>Item</th><th>Started</th>\
             <th>Finished</th><th>Duration</th><th>Status</th><th>Summary</th></tr></thead><tbody>"
        )?;
        for j in &r.jobs {
            writeln!(
                o,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"ts\">{}</td>\
                 <td class=\"ts\">{}</td><td class=\"num\">{}</td><td class=\"state {}\">{}</td>\
                 <td>{}</td></tr>",
                j.id,
                escape(&j.kind),
                escape(&j.item_id),
                fmt_ts(j.started_at),
                j.finished_at.map(fmt_ts).unwrap_or_default(),
                j.duration_s
                    .map(|d| format!("{d:.1} s"))
                    .unwrap_or_default(),
                match j.status.as_str() {
                    "succeeded" => "done",
                    "running" => "info",
                    _ => "failed",
                },
                escape(&j.status),
                opt(&j.summary)
            )?;
        }
        writeln!(o, "</tbody></table>")?;
    }
    writeln!(o, "</section>")?;

    // Verification.
    writeln!(o, "<section id=\"verification\"><h2>Verification</h2>")?;
    match &r.verification {
        None => writeln!(o, "<p>The verify job has not run in this session.</p>")?,
        Some(v) => {
            writeln!(
                o,
                "<p>Verification summary: <span class=\"state {}\">{}</span>. {} ({}, {})</p>",
                passed_class(Some(v.passed)),
                if v.passed { "passed" } else { "FAILED" },
                escape(&v.summary),
                escape(&v.who),
                fmt_ts(v.at)
            )?;
            writeln!(
                o,
                "<table><thead><tr><th>Compared</th><th>Count</th></tr></thead><tbody>"
            )?;
            for (k, n) in [
                ("Categories", v.categories_compared),
                ("Rooms", v.rooms_compared),
                ("Messages", v.messages_compared),
                ("Differences", v.differences_total as u64),
                ("Accepted losses", v.accepted_losses.len() as u64),
            ] {
                writeln!(o, "<tr><td>{k}</td><td class=\"num\">{n}</td></tr>")?;
            }
            if let Some(ms) = v.elapsed_ms {
                writeln!(
                    o,
                    "<tr><td>Time</td><td class=\"num\">{:.1} s</td></tr>",
                    ms as f64 / 1000.0
                )?;
            }
            writeln!(o, "</tbody></table>")?;
            if let Some(e) = &v.error {
                writeln!(o, "<p class=\"failed\">Error: {}</p>", escape(e))?;
            }
            if !v.differences.is_empty() {
                writeln!(
                    o,
                    "<table><thead><tr><th>Kind</th><th>Name</th><th>Field</th>\
                     <th>Expected</th><th>Found</th></tr></thead><tbody>"
                )?;
                for x in &v.differences {
                    writeln!(
                        o,
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(&x.kind),
                        escape(&x.name),
                        escape(&x.field),
                        escape(&x.expected),
                        escape(&x.actual)
                    )?;
                }
                writeln!(o, "</tbody></table>")?;
                if v.differences_total > v.differences.len() {
                    writeln!(
                        o,
                        "<p>… and {} more differences (see the verify job's JSON report).</p>",
                        v.differences_total - v.differences.len()
                    )?;
                }
            }
            if !v.target_only.is_empty() {
                writeln!(
                    o,
                    "<p class=\"muted\">Only on the new pool (not differences): {}</p>",
                    escape(&v.target_only.join(", "))
                )?;
            }
        }
    }
    writeln!(o, "</section>")?;

    // Pilot.
    writeln!(o, "<section id=\"pilot\"><h2>Pilot</h2>")?;
    let pr = &r.pilot.results;
    if pr.users.is_empty() {
        writeln!(o, "<p>No pilot users in this session.</p>")?;
    } else {
        write!(o, "<table><thead><tr><th>User</th><th>Client</th>")?;
        for c in PilotCase::ALL {
            write!(o, "<th>{}</th>", c.title())?;
        }
        writeln!(o, "</tr></thead><tbody>")?;
        for u in &pr.users {
            write!(
                o,
                "<tr><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td>",
                escape(&u.display_name),
                escape(&u.sip),
                escape(u.client.product_name())
            )?;
            for c in PilotCase::ALL {
                let res = pr.get(&u.sip, c).map_or(PilotOutcome::Todo, |x| x.result);
                write!(
                    o,
                    "<td class=\"state {}\">{}</td>",
                    outcome_class(res),
                    res.label()
                )?;
            }
            writeln!(o, "</tr>")?;
        }
        writeln!(o, "</tbody></table>")?;
        writeln!(
            o,
            "<table><thead><tr><th>Test</th><th>Pass</th><th>Fail</th><th>n/a</th>\
             <th>To do</th></tr></thead><tbody>"
        )?;
        for c in &r.pilot.progress.per_case {
            writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                c.case.title(),
                c.counts.pass,
                c.counts.fail,
                c.counts.na,
                c.counts.todo
            )?;
        }
        writeln!(o, "</tbody></table>")?;
        let notes: Vec<_> = pr
            .results
            .iter()
            .filter(|x| x.recorded() && x.note.is_some())
            .collect();
        if !notes.is_empty() {
            writeln!(o, "<p>Notes:</p><ul>")?;
            for x in notes {
                writeln!(
                    o,
                    "<li>{} / {}: <span class=\"state {}\">{}</span> ({}, {}): \
                     <span class=\"note\">{}</span></li>",
                    escape(&x.sip),
                    x.case.title(),
                    outcome_class(x.result),
                    x.result.label(),
                    opt(&x.who),
                    x.at.map(fmt_ts).unwrap_or_default(),
                    opt(&x.note)
                )?;
            }
            writeln!(o, "</ul>")?;
        }
    }
    writeln!(
        o,
        "<p>What the pilot proves for the Coexistence items:</p><ul>"
    )?;
    for e in &r.pilot.coexistence {
        writeln!(
            o,
            "<li><code>{}</code>: <span class=\"state {}\">{}</span>: {}</li>",
            escape(e.item_id),
            passed_class(Some(e.passed)),
            if e.passed { "passed" } else { "not yet" },
            escape(&e.summary)
        )?;
    }
    writeln!(o, "</ul></section>")?;

    // Troubleshooting.
    writeln!(
        o,
        "<section id=\"troubleshooting\"><h2>Troubleshooting</h2>"
    )?;
    if r.troubleshooting.is_empty() {
        writeln!(o, "<p>No troubleshooting checks were recorded.</p>")?;
    } else {
        writeln!(
            o,
            "<table><thead><tr><th>When</th><th>Who</th><th>Symptom</th><th>Item</th>\
             <th>Verdict</th><th>Result</th></tr></thead><tbody>"
        )?;
        for t in &r.troubleshooting {
            writeln!(
                o,
                "<tr><td class=\"ts\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"state {}\">{}</td><td>{}</td></tr>",
                fmt_ts(t.at),
                escape(&t.who),
                escape(&t.symptom),
                escape(&t.item_id),
                passed_class(t.passed),
                passed_label(t.passed),
                escape(&t.summary)
            )?;
        }
        writeln!(o, "</tbody></table>")?;
    }
    writeln!(o, "</section>")?;

    // Window.
    writeln!(
        o,
        "<section id=\"window\"><h2>Downtime window: planned against actual</h2>"
    )?;
    match &r.window {
        None => writeln!(o, "<p>No downtime plan was saved for this session.</p>")?,
        Some(w) => {
            writeln!(
                o,
                "<p>Plan saved by {} at {}: {}.</p>",
                escape(&w.saved_by),
                fmt_ts(w.saved_at),
                escape(&w.plan.summary())
            )?;
            writeln!(
                o,
                "<table><thead><tr><th>Step</th><th>Planned</th><th>Actual</th><th>State</th>\
                 <th>Basis</th></tr></thead><tbody>"
            )?;
            for (s, p) in w.steps.iter().zip(&w.plan.steps) {
                writeln!(
                    o,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"state {}\">{}</td><td>{}</td></tr>",
                    escape(&s.title),
                    fmt_duration(s.planned_s),
                    s.elapsed_s.map(fmt_duration).unwrap_or_default(),
                    step_class(s.state),
                    s.state.label(),
                    escape(&p.basis)
                )?;
            }
            writeln!(
                o,
                "<tr><th>Total</th><th class=\"num\">{} (window {})</th><th class=\"num\">{}</th>\
                 <th class=\"state {}\">{}</th><th></th></tr>",
                fmt_duration(w.progress.planned_s),
                fmt_duration(w.progress.window_s),
                w.progress.actual_s.map(fmt_duration).unwrap_or_default(),
                if w.progress.within_window {
                    "done"
                } else {
                    "failed"
                },
                if w.progress.within_window {
                    "within the window"
                } else {
                    "over the window"
                }
            )?;
            writeln!(o, "</tbody></table>")?;
        }
    }
    writeln!(o, "</section>")?;

    // Audit.
    writeln!(o, "<section id=\"audit\"><h2>Audit trail</h2>")?;
    if r.audit.intact {
        writeln!(
            o,
            "<p class=\"passed\">The audit trail is intact: every event's hash and link to the \
             event before it verify. {} in this session{}.</p>",
            super::events(r.audit.session_events),
            match (r.audit.first_at, r.audit.last_at) {
                (Some(a), Some(b)) => format!(", {} to {}", fmt_ts(a), fmt_ts(b)),
                _ => String::new(),
            }
        )?;
    } else {
        writeln!(
            o,
            "<p class=\"broken\"><strong>{}</strong></p><p>The events from #{} on cannot be \
             trusted; compare with a backup of the session database.</p>",
            escape(&r.audit.verdict()),
            r.audit.broken_event.unwrap_or(0)
        )?;
    }
    if let Some(h) = &r.audit.last_hash {
        writeln!(
            o,
            "<p>Hash of the session's last event: <span class=\"hash\">{}</span></p>",
            escape(h)
        )?;
    }
    writeln!(o, "</section>")?;

    // Verdict.
    writeln!(o, "<section id=\"verdict\"><h2>Verdict</h2>")?;
    writeln!(
        o,
        "<p><span class=\"state {}\">{}</span></p>",
        passed_class(Some(r.verdict.ready)),
        escape(&r.verdict.headline)
    )?;
    if !r.verdict.reasons.is_empty() {
        writeln!(o, "<ul>")?;
        for reason in &r.verdict.reasons {
            writeln!(o, "<li>{}</li>", escape(reason))?;
        }
        writeln!(o, "</ul>")?;
    }
    if !r.verdict.accepted_losses.is_empty() {
        writeln!(o, "<p>Losses accepted by name (not imported):</p><ul>")?;
        for l in &r.verdict.accepted_losses {
            writeln!(o, "<li>{}</li>", escape(l))?;
        }
        writeln!(o, "</ul>")?;
    }
    writeln!(o, "</section>")?;

    // Sign-off.
    writeln!(o, "<section id=\"signoff\"><h2>Sign-off</h2>")?;
    writeln!(
        o,
        "<table class=\"signoff\"><thead><tr><th>Role</th><th>Name</th><th>Signature</th>\
         <th>Date</th></tr></thead><tbody>"
    )?;
    for role in ["Migration engineer", "Service owner", "Change manager"] {
        writeln!(o, "<tr><td>{role}</td><td></td><td></td><td></td></tr>")?;
    }
    writeln!(o, "</tbody></table></section>")?;
    writeln!(o, "</body>")?;
    writeln!(o, "</html>")?;
    Ok(())
}
