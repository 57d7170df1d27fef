//! The report as Markdown (GitHub-flavoured: tables, escaped values).

use std::fmt::Write;

use super::{Report, fmt_ts, passed_label};
use crate::pilot::{PilotCase, PilotOutcome};
use crate::planner::fmt_duration;

/// Escapes text for inline Markdown: punctuation that could start emphasis, links, code,
/// HTML or a table cell is backslash-escaped, `&` becomes `&amp;`, and line breaks become
/// `<br>`. A value is always written after some text of ours on the same line, and never
/// contains a line break, so it cannot start a list or a heading.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(escape).unwrap_or_default()
}

fn outcome_cell(r: PilotOutcome) -> &'static str {
    match r {
        PilotOutcome::Pass => "pass",
        PilotOutcome::Fail => "**FAIL**",
        PilotOutcome::NotApplicable => "n/a",
        PilotOutcome::Todo => "todo",
    }
}

/// Renders the report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    // `write!` to a String cannot fail.
    let _ = render(r, &mut o);
    o
}

fn render(r: &Report, o: &mut String) -> std::fmt::Result {
    writeln!(o, "# {}", escape(&r.title))?;
    writeln!(o)?;
    writeln!(
        o,
        "Session **{}** ({}) · deployment **{}** · generated {} by pchat-migrate {}",
        escape(&r.session.name),
        escape(&r.session.deployment),
        escape(&r.deployment.name),
        fmt_ts(r.generated_at),
        escape(&r.tool_version)
    )?;
    writeln!(o)?;

    // Summary.
    writeln!(o, "## Summary")?;
    writeln!(o)?;
    writeln!(o, "- **Verdict:** **{}**", escape(&r.verdict.headline))?;
    if r.audit.intact {
        writeln!(
            o,
            "- **Audit trail:** audit trail intact ({} in this session; hash chain verified)",
            super::events(r.audit.session_events)
        )?;
    } else {
        writeln!(o, "- **Audit trail:** **{}**", escape(&r.audit.verdict()))?;
    }
    let t = &r.totals;
    writeln!(
        o,
        "- **Checklist:** {} items: {} done, {} skipped, {} failed, {} blocked, {} to do{}",
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
            "- **Verification:** {}: {} categories, {} rooms, {} messages compared, {} differences",
            if v.passed { "passed" } else { "**FAILED**" },
            v.categories_compared,
            v.rooms_compared,
            v.messages_compared,
            v.differences_total
        )?,
        None => writeln!(o, "- **Verification:** not run")?,
    }
    match &r.preview {
        Some(pv) => writeln!(
            o,
            "- **-WhatIf preview:** {} errors (items not imported; {} accepted by name as losses), {} warnings, {} notes{}",
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
        None => writeln!(o, "- **-WhatIf preview:** not run")?,
    }
    let p = &r.pilot.progress;
    writeln!(
        o,
        "- **Pilot:** {} users; {} passed every test, {} with a failure; {} of {} applicable results passed, {} failed",
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
            "- **Downtime window:** planned {} (booked {}); actual {}",
            fmt_duration(w.plan.total_s),
            fmt_duration(w.plan.window_s),
            w.progress
                .actual_s
                .map_or_else(|| "not started".into(), fmt_duration)
        )?,
        None => writeln!(o, "- **Downtime window:** no plan saved")?,
    }
    writeln!(o)?;

    // Deployment.
    let d = &r.deployment;
    writeln!(o, "## Deployment")?;
    writeln!(o)?;
    writeln!(o, "- **Migration:** {}", escape(&d.migration))?;
    writeln!(o, "- **Kind:** {}", escape(&d.kind))?;
    writeln!(o, "- **SIP domain:** {}", escape(&d.sip_domain))?;
    if !d.sites.is_empty() {
        writeln!(o, "- **Sites:** {}", escape(&d.sites.join(", ")))?;
    }
    writeln!(
        o,
        "- **Export settings:** {}",
        escape(&d.export_settings.join(" "))
    )?;
    writeln!(
        o,
        "- **Legacy endpoint SIP URI:** {}",
        escape(&d.lookup_uri)
    )?;
    if let Some(p) = &r.session.profile {
        writeln!(o, "- **Profile file:** {}", escape(p))?;
    }
    writeln!(
        o,
        "- **Session created:** {} by {}",
        fmt_ts(r.session.created_at),
        escape(&r.session.created_by)
    )?;
    writeln!(o)?;
    writeln!(o, "| Pool | FQDN | Servers | Database | File store |")?;
    writeln!(o, "|---|---|---|---|---|")?;
    for p in &d.pools {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            escape(&p.product),
            escape(&p.fqdn),
            escape(&p.servers.join(", ")),
            opt(&p.database),
            opt(&p.file_store)
        )?;
    }
    writeln!(o)?;

    // Stages and items.
    writeln!(o, "## Stages and items")?;
    writeln!(o)?;
    for s in &r.stages {
        let num = if s.number == 99 {
            "Rollback".to_string()
        } else {
            format!("Stage {}", s.number)
        };
        writeln!(o, "### {num}: {}", escape(&s.title))?;
        writeln!(o)?;
        writeln!(
            o,
            "{} {} of {} items done, {} skipped, {} failed, {} blocked.",
            escape(&s.summary),
            s.totals.done,
            s.totals.total,
            s.totals.skipped,
            s.totals.failed,
            s.totals.blocked
        )?;
        writeln!(o)?;
        for it in &s.items {
            let n = it.checklist.map_or_else(|| "–".into(), |n| n.to_string());
            let mut line = format!(
                "- **[{n}] {}** (`{}`): **{}**",
                escape(&it.title),
                it.id.replace('`', "'"),
                it.state
            );
            if let (Some(w), Some(a)) = (&it.who, it.at) {
                let _ = write!(line, " by {} at {}", escape(w), fmt_ts(a));
            }
            if it.decided_by == "evidence" {
                line.push_str(" (from recorded evidence)");
            }
            if let Some(reason) = &it.reason {
                let _ = write!(line, "; reason: {}", escape(reason));
            }
            writeln!(o, "{line}")?;
            for f in &it.flags {
                writeln!(o, "  - **Attention:** {}", escape(f))?;
            }
            if let Some(note) = &it.note {
                writeln!(
                    o,
                    "  - Note ({}, {}): {}",
                    opt(&it.note_who),
                    it.note_at.map(fmt_ts).unwrap_or_default(),
                    escape(note)
                )?;
            }
            for e in &it.evidence {
                writeln!(
                    o,
                    "  - Evidence, {} ({}, {}, {}): {}",
                    passed_label(e.passed),
                    escape(&e.source),
                    escape(&e.who),
                    fmt_ts(e.at),
                    escape(&e.summary)
                )?;
            }
        }
        writeln!(o)?;
    }

    // Jobs.
    writeln!(o, "## Job runs")?;
    writeln!(o)?;
    if r.jobs.is_empty() {
        writeln!(o, "No job ran in this session.")?;
    } else {
        writeln!(
            o,
            "| # | Job | Item | Started | Finished | Duration | Status | Summary |"
        )?;
        writeln!(o, "|---|---|---|---|---|---|---|---|")?;
        for j in &r.jobs {
            writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                j.id,
                escape(&j.kind),
                escape(&j.item_id),
                fmt_ts(j.started_at),
                j.finished_at.map(fmt_ts).unwrap_or_default(),
                j.duration_s
                    .map(|d| format!("{d:.1} s"))
                    .unwrap_or_default(),
                escape(&j.status),
                opt(&j.summary)
            )?;
        }
    }
    writeln!(o)?;

    // Verification.
    writeln!(o, "## Verification")?;
    writeln!(o)?;
    match &r.verification {
        None => writeln!(o, "The verify job has not run in this session.")?,
        Some(v) => {
            writeln!(
                o,
                "Verification summary: **{}**. {} ({}, {})",
                if v.passed { "passed" } else { "FAILED" },
                escape(&v.summary),
                escape(&v.who),
                fmt_ts(v.at)
            )?;
            writeln!(o)?;
            writeln!(o, "| Compared | Count |")?;
            writeln!(o, "|---|---|")?;
            writeln!(o, "| Categories | {} |", v.categories_compared)?;
            writeln!(o, "| Rooms | {} |", v.rooms_compared)?;
            writeln!(o, "| Messages | {} |", v.messages_compared)?;
            writeln!(o, "| Differences | {} |", v.differences_total)?;
            if let Some(ms) = v.elapsed_ms {
                writeln!(o, "| Time | {:.1} s |", ms as f64 / 1000.0)?;
            }
            writeln!(o)?;
            if let Some(e) = &v.error {
                writeln!(o, "Error: {}", escape(e))?;
                writeln!(o)?;
            }
            if v.stale {
                writeln!(
                    o,
                    "**Stale:** an import ran after this verify; it no longer describes the target."
                )?;
                writeln!(o)?;
            }
            if !v.accepted_losses.is_empty() {
                writeln!(
                    o,
                    "Accepted losses (refused by the import, accepted by name before it ran; not differences):"
                )?;
                for l in &v.accepted_losses {
                    writeln!(o, "- {}", escape(l))?;
                }
                writeln!(o)?;
            }
            if !v.differences.is_empty() {
                writeln!(o, "| Kind | Name | Field | Expected | Found |")?;
                writeln!(o, "|---|---|---|---|---|")?;
                for x in &v.differences {
                    writeln!(
                        o,
                        "| {} | {} | {} | {} | {} |",
                        escape(&x.kind),
                        escape(&x.name),
                        escape(&x.field),
                        escape(&x.expected),
                        escape(&x.actual)
                    )?;
                }
                if v.differences_total > v.differences.len() {
                    writeln!(
                        o,
                        "\n… and {} more differences (see the verify job's JSON report).",
                        v.differences_total - v.differences.len()
                    )?;
                }
                writeln!(o)?;
            }
            if !v.target_only.is_empty() {
                writeln!(
                    o,
                    "Only on the new pool (not differences): {}",
                    escape(&v.target_only.join(", "))
                )?;
                writeln!(o)?;
            }
        }
    }

    // Pilot.
    writeln!(o, "## Pilot")?;
    writeln!(o)?;
    let pr = &r.pilot.results;
    if pr.users.is_empty() {
        writeln!(o, "No pilot users in this session.")?;
    } else {
        let head: Vec<&str> = PilotCase::ALL.iter().map(|c| c.title()).collect();
        writeln!(o, "| User | Client | {} |", head.join(" | "))?;
        writeln!(o, "|---|---|{}", "---|".repeat(head.len()))?;
        for u in &pr.users {
            let cells: Vec<&str> = PilotCase::ALL
                .iter()
                .map(|c| {
                    pr.get(&u.sip, *c)
                        .map_or("todo", |x| outcome_cell(x.result))
                })
                .collect();
            writeln!(
                o,
                "| {} ({}) | {} | {} |",
                escape(&u.display_name),
                escape(&u.sip),
                escape(u.client.product_name()),
                cells.join(" | ")
            )?;
        }
        writeln!(o)?;
        writeln!(o, "| Test | Pass | Fail | n/a | To do |")?;
        writeln!(o, "|---|---|---|---|---|")?;
        for c in &r.pilot.progress.per_case {
            writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                c.case.title(),
                c.counts.pass,
                c.counts.fail,
                c.counts.na,
                c.counts.todo
            )?;
        }
        writeln!(o)?;
        let notes: Vec<_> = pr
            .results
            .iter()
            .filter(|x| x.recorded() && x.note.is_some())
            .collect();
        if !notes.is_empty() {
            writeln!(o, "Notes:")?;
            writeln!(o)?;
            for x in notes {
                writeln!(
                    o,
                    "- {} / {}: {} ({}, {}): {}",
                    escape(&x.sip),
                    x.case.title(),
                    x.result.label(),
                    opt(&x.who),
                    x.at.map(fmt_ts).unwrap_or_default(),
                    opt(&x.note)
                )?;
            }
            writeln!(o)?;
        }
    }
    writeln!(o, "What the pilot proves for the Coexistence items:")?;
    writeln!(o)?;
    for e in &r.pilot.coexistence {
        writeln!(
            o,
            "- `{}`: {}: {}",
            e.item_id,
            if e.passed { "passed" } else { "not yet" },
            escape(&e.summary)
        )?;
    }
    writeln!(o)?;

    // Troubleshooting.
    writeln!(o, "## Troubleshooting")?;
    writeln!(o)?;
    if r.troubleshooting.is_empty() {
        writeln!(o, "No troubleshooting checks were recorded.")?;
    } else {
        writeln!(o, "| When | Who | Symptom | Item | Verdict | Result |")?;
        writeln!(o, "|---|---|---|---|---|---|")?;
        for t in &r.troubleshooting {
            writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                fmt_ts(t.at),
                escape(&t.who),
                escape(&t.symptom),
                escape(&t.item_id),
                passed_label(t.passed),
                escape(&t.summary)
            )?;
        }
    }
    writeln!(o)?;

    // Window.
    writeln!(o, "## Downtime window: planned against actual")?;
    writeln!(o)?;
    match &r.window {
        None => writeln!(o, "No downtime plan was saved for this session.")?,
        Some(w) => {
            writeln!(
                o,
                "Plan saved by {} at {}: {}.",
                escape(&w.saved_by),
                fmt_ts(w.saved_at),
                escape(&w.plan.summary())
            )?;
            writeln!(o)?;
            writeln!(o, "| Step | Planned | Actual | State | Basis |")?;
            writeln!(o, "|---|---|---|---|---|")?;
            for (s, p) in w.steps.iter().zip(&w.plan.steps) {
                writeln!(
                    o,
                    "| {} | {} | {} | {} | {} |",
                    escape(&s.title),
                    fmt_duration(s.planned_s),
                    s.elapsed_s.map(fmt_duration).unwrap_or_default(),
                    s.state.label(),
                    escape(&p.basis)
                )?;
            }
            writeln!(
                o,
                "| **Total** | {} (window {}) | {} | {} | |",
                fmt_duration(w.progress.planned_s),
                fmt_duration(w.progress.window_s),
                w.progress.actual_s.map(fmt_duration).unwrap_or_default(),
                if w.progress.within_window {
                    "within the window"
                } else {
                    "**over the window**"
                }
            )?;
        }
    }
    writeln!(o)?;

    // Audit.
    writeln!(o, "## Audit trail")?;
    writeln!(o)?;
    if r.audit.intact {
        writeln!(
            o,
            "The audit trail is intact: every event's hash and link to the event before it \
             verify. {} in this session{}.",
            super::events(r.audit.session_events),
            match (r.audit.first_at, r.audit.last_at) {
                (Some(a), Some(b)) => format!(", {} to {}", fmt_ts(a), fmt_ts(b)),
                _ => String::new(),
            }
        )?;
    } else {
        writeln!(o, "**{}**", escape(&r.audit.verdict()))?;
        writeln!(o)?;
        writeln!(
            o,
            "The events from #{} on cannot be trusted; compare with a backup of the session \
             database.",
            r.audit.broken_event.unwrap_or(0)
        )?;
    }
    if let Some(h) = &r.audit.last_hash {
        writeln!(o)?;
        writeln!(o, "Hash of the session's last event: `{h}`")?;
    }
    writeln!(o)?;

    // Verdict.
    writeln!(o, "## Verdict")?;
    writeln!(o)?;
    writeln!(o, "**{}**", escape(&r.verdict.headline))?;
    writeln!(o)?;
    for reason in &r.verdict.reasons {
        writeln!(o, "- {}", escape(reason))?;
    }
    if !r.verdict.accepted_losses.is_empty() {
        writeln!(o)?;
        writeln!(o, "Losses accepted by name (not imported):")?;
        for l in &r.verdict.accepted_losses {
            writeln!(o, "- {}", escape(l))?;
        }
    }
    writeln!(o)?;

    // Sign-off.
    writeln!(o, "## Sign-off")?;
    writeln!(o)?;
    writeln!(o, "| Role | Name | Signature | Date |")?;
    writeln!(o, "|---|---|---|---|")?;
    for role in ["Migration engineer", "Service owner", "Change manager"] {
        writeln!(o, "| {role} | | | |")?;
    }
    Ok(())
}
