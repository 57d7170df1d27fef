//! The text of the selected item's detail pane: state and who set it, flags, notes, the
//! newest evidence (with a verify's differences or an import's warnings), guidance, the
//! rendered commands, proof, pitfalls and the source.

use ratatui::text::{Line, Span, Text};

use super::panes::{state_marker, state_style};
use crate::runbook::{Item, ItemKind};
use crate::store::ItemState;
use crate::t;
use crate::tui::ctx::Ctx;

fn heading(ctx: &Ctx, text: String) -> Line<'static> {
    Line::styled(text, ctx.theme.title)
}

pub(super) fn detail_text(ctx: &Ctx, item: &Item) -> Text<'static> {
    let th = &ctx.theme;
    let stage = ctx.stage_of(item);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.push(Line::styled(item.title.clone(), th.title));
    let kind = match item.kind {
        ItemKind::Manual => t!("kind-manual"),
        ItemKind::Probe => t!("kind-probe"),
        ItemKind::Task => t!("kind-task"),
    };
    let mut meta = vec![Span::styled(
        format!(
            "{} · {} · {}",
            item.checklist
                .map_or_else(|| item.id.clone(), |n| format!("#{n} {}", item.id)),
            kind,
            format_args!("{} {}", stage.number, stage.title)
        ),
        th.dim,
    )];
    if item.inferred {
        meta.push(Span::styled(
            format!(" · {}", t!("inferred-badge")),
            th.warn,
        ));
    }
    lines.push(Line::from(meta));
    let state = ctx.state_of(&item.id);
    let mut state_line = vec![Span::styled(
        format!("{} {}", state_marker(state), t!(state_message(state))),
        state_style(ctx, state),
    )];
    let status = ctx.migration.item(&item.id);
    if let (Some(who), Some(at)) = (status.who(), status.at()) {
        let by = match &status.source {
            crate::migration::Source::Evidence { .. } => t!("state-by-evidence"),
            _ => String::new(),
        };
        state_line.push(Span::styled(
            format!(
                " — {}{by}",
                t!(
                    "state-by",
                    who = who.to_string(),
                    when = at.format("%Y-%m-%d %H:%M UTC").to_string()
                )
            ),
            th.dim,
        ));
        if let Some(reason) = &status.reason {
            state_line.push(Span::styled(format!(" — {reason}"), th.text));
        }
    }
    if ctx.pending.contains(&item.id) {
        state_line.push(Span::styled(format!(" ({})", t!("saving")), th.warn));
    }
    lines.push(Line::from(state_line));
    let own = ctx.evidence_of(&item.id);
    if let Some(proof) = status.proof_line(own.iter().map(|e| e.evidence.summary.as_str())) {
        lines.push(Line::styled(
            t!("state-proof", proof = proof.to_string()),
            th.text,
        ));
    }
    for flag in crate::report::flag_lines(&status.flags) {
        lines.push(Line::styled(format!("⚠ {flag}"), th.warn));
    }
    if let Some(rule) = item.proven_by {
        lines.push(Line::styled(
            t!("proven-by", rule = rule.key().to_string()),
            th.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(heading(ctx, t!("section-notes")));
    match ctx
        .facts
        .records
        .get(&item.id)
        .and_then(|r| r.note.clone())
        .filter(|n| !n.is_empty())
    {
        Some(note) => {
            for l in note.lines() {
                lines.push(Line::styled(l.to_string(), th.text));
            }
        }
        None => lines.push(Line::styled(t!("no-notes"), th.dim)),
    }
    let evs = ctx.evidence_of(&item.id);
    if !evs.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(ctx, t!("section-evidence")));
        for (i, e) in evs.iter().take(5).enumerate() {
            let verdict = match e.evidence.passed {
                Some(true) => Span::styled(format!("{} ", t!("passed")), th.ok),
                Some(false) => Span::styled(format!("{} ", t!("failed")), th.error),
                None => Span::raw(""),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {} · ", e.at.format("%Y-%m-%d %H:%M"), e.evidence.source),
                    th.dim,
                ),
                verdict,
                Span::styled(e.evidence.summary.clone(), th.text),
            ]));
            if i == 0 {
                lines.extend(evidence_details(ctx, &e.evidence.detail));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(heading(ctx, t!("section-guidance")));
    for l in item.guidance.lines() {
        lines.push(Line::styled(l.to_string(), th.text));
    }
    if !item.cmdlets.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(ctx, t!("section-commands")));
        match ctx.rendered_cmdlets(item) {
            Ok(cmds) => lines.extend(
                cmds.into_iter()
                    .map(|c| Line::styled(format!("  {c}"), th.code)),
            ),
            Err(e) => lines.push(Line::styled(e, th.error)),
        }
    }
    if let Some(job) = item.job {
        lines.push(Line::raw(""));
        lines.push(Line::styled(t!("job-available", job = job.title()), th.key));
    }
    lines.push(Line::raw(""));
    lines.push(heading(ctx, t!("section-proof")));
    lines.push(Line::styled(item.proof.clone(), th.text));
    if !item.pitfalls.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(ctx, t!("section-pitfalls")));
        for p in &item.pitfalls {
            lines.push(Line::styled(format!("- {p}"), th.warn));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("{}: {}", t!("section-source"), item.source),
        th.dim,
    ));
    Text::from(lines)
}

/// The first lines of a job result worth reading: verify differences, import warnings.
fn evidence_details(ctx: &Ctx, detail: &serde_json::Value) -> Vec<Line<'static>> {
    let inner = detail.get("detail").unwrap_or(detail);
    let mut out = Vec::new();
    if let Some(diffs) = inner.get("differences").and_then(|d| d.as_array()) {
        for d in diffs.iter().take(12) {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Line::styled(
                format!(
                    "  {} \"{}\" {}: {} → {}",
                    s("kind"),
                    s("name"),
                    s("field"),
                    s("expected"),
                    s("actual")
                ),
                ctx.theme.error,
            ));
        }
        if diffs.len() > 12 {
            out.push(Line::styled(
                t!("more-differences", count = diffs.len() - 12),
                ctx.theme.dim,
            ));
        }
    }
    if let Some(warns) = inner.get("warnings").and_then(|d| d.as_array()) {
        for w in warns.iter().take(12) {
            let s = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Line::styled(
                format!("  {} {}: {}", s("code"), s("item"), s("message")),
                ctx.theme.warn,
            ));
        }
        if warns.len() > 12 {
            out.push(Line::styled(
                t!("more-warnings", count = warns.len() - 12),
                ctx.theme.dim,
            ));
        }
    }
    out
}

/// The message id naming a state.
pub fn state_message(state: ItemState) -> &'static str {
    match state {
        ItemState::Todo => "state-todo",
        ItemState::Done => "state-done",
        ItemState::Skipped => "state-skipped",
        ItemState::Blocked => "state-blocked",
        ItemState::Failed => "state-failed",
    }
}
