//! Drawing the troubleshooting screen: the symptom list (or what a paste or event log
//! matched) and the selected symptom's detail with its checks, results and fixes.

use super::*;

// ---- drawing ------------------------------------------------------------------------------

/// The list and detail panes of the body: side by side from 120 columns, else the list
/// above the detail.
pub(super) fn panes(area: Rect, n: usize) -> (Rect, Rect) {
    if area.width >= 120 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)])
            .areas(area);
        (l, d)
    } else {
        let want = u16::try_from(n).unwrap_or(u16::MAX).saturating_add(2);
        let h = want.min(area.height * 2 / 5).max(4);
        let [l, d] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(area);
        (l, d)
    }
}

/// The body area for the terminal size (header above; status and footer below).
pub(super) fn body_for(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(3))
}

/// Rows a line takes when word-wrapped at `w` cells (greedy, as the paragraph wraps; a
/// word wider than the pane is broken).
pub(super) fn wrapped_rows(text: &str, w: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut rows, mut col) = (1usize, 0usize);
    for (i, word) in text.split(' ').enumerate() {
        let ww = word.width();
        let need = if i == 0 { ww } else { col + 1 + ww };
        if need <= w {
            col = need;
        } else if ww <= w {
            rows += 1;
            col = ww;
        } else {
            if col > 0 {
                rows += 1;
            }
            rows += (ww - 1) / w;
            col = (ww - 1) % w + 1;
        }
    }
    rows
}

pub(super) fn block<'a>(ctx: &Ctx, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            ctx.theme.border_focus
        } else {
            ctx.theme.border
        })
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

/// This symptom's recorded runs, newest first.
pub(super) fn runs<'a>(ctx: &'a Ctx, s: &Symptom) -> Vec<&'a EvidenceRecord> {
    let source = troubleshoot::evidence_source(s);
    s.items
        .first()
        .map(|i| {
            ctx.evidence_of(i)
                .iter()
                .filter(|e| e.evidence.source == source)
                .collect()
        })
        .unwrap_or_default()
}

/// The longest head of `s` that fits in `width` cells, and the rest.
pub(super) fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return (&s[..i], &s[i..]);
        }
        used += w;
    }
    (s, "")
}

/// A check status as a word in brackets, styled.
pub(super) fn status_mark(ctx: &Ctx, s: CheckStatus) -> Span<'static> {
    let (id, style) = match s {
        CheckStatus::Passed => ("ts-mark-passed", ctx.theme.ok),
        CheckStatus::Failed => ("ts-mark-failed", ctx.theme.error),
        CheckStatus::Unknown => ("ts-mark-unknown", ctx.theme.warn),
        CheckStatus::Manual => ("ts-mark-manual", ctx.theme.dim),
        CheckStatus::NotRun => ("ts-mark-not-run", ctx.theme.warn),
    };
    Span::styled(format!("[{}]", t!(id)), style)
}

pub(super) fn kind_word(k: CheckKind) -> String {
    match k {
        CheckKind::Probe => t!("ts-kind-probe"),
        CheckKind::Cmdlet => t!("ts-kind-cmdlet"),
        CheckKind::Sql => t!("ts-kind-sql"),
        CheckKind::Manual => t!("ts-kind-manual"),
    }
}

pub(super) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub(super) fn result_lines(ctx: &Ctx, results: &[CheckResult], out: &mut Vec<Line<'static>>) {
    for r in results {
        let head = match (r.kind, &r.command) {
            (CheckKind::Manual, _) | (_, None) => r.what.clone(),
            (_, Some(c)) => c.clone(),
        };
        out.push(Line::from(vec![
            status_mark(ctx, r.status),
            Span::styled(format!(" {}. {head}", r.check), ctx.theme.text),
        ]));
        if !r.output.is_empty() {
            out.push(Line::styled(format!("    {}", r.output), ctx.theme.dim));
        }
    }
}

/// Whether a symptom's checks or fix name the user who has the problem.
pub(super) fn uses_user(s: &Symptom) -> bool {
    let mark = format!("{{{{{USER_PLACEHOLDER}}}}}");
    s.checks
        .iter()
        .flat_map(|c| {
            [
                Some(&c.what),
                Some(&c.expect),
                c.target.as_ref(),
                c.cmdlet.as_ref(),
            ]
        })
        .flatten()
        .chain(std::iter::once(&s.fix))
        .chain(s.fix_cmdlets.iter())
        .any(|t| t.contains(&mark))
}

/// A cmdlet line filled from the deployment (one per server for per-server names), or as
/// written with why it cannot be filled.
pub(super) fn code_lines(ctx: &Ctx, line: &str, v: &Placeholders, out: &mut Vec<Line<'static>>) {
    let prompt = |l: &str| {
        if l.starts_with('#') {
            format!("   {l}")
        } else {
            format!("   PS> {l}")
        }
    };
    match render_line(line, v) {
        Ok(lines) => {
            for l in lines {
                out.push(Line::styled(prompt(&l), ctx.theme.code));
            }
        }
        Err(e) => {
            out.push(Line::styled(prompt(line), ctx.theme.code));
            out.push(Line::styled(format!("   ({e})"), ctx.theme.warn));
        }
    }
}

impl TroubleshootState {
    /// Rows the detail text takes at its width, minus the visible height: the largest scroll.
    pub(super) fn max_scroll(&self, ctx: &Ctx) -> u16 {
        let Some(s) = self.selected_symptom() else {
            return 0;
        };
        let (_, detail) = panes(body_for(ctx.size), self.list_rows());
        let w = usize::from(detail.width.saturating_sub(2)).max(1);
        let rows: usize = self
            .detail_lines(ctx, s)
            .iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                wrapped_rows(&text, w)
            })
            .sum();
        u16::try_from(rows.saturating_sub(usize::from(detail.height.saturating_sub(2))))
            .unwrap_or(u16::MAX)
    }

    /// The list marker of a symptom: running, never run, or the last verdict (text, so it
    /// reads without colour).
    pub(super) fn marker(&self, ctx: &Ctx, s: &Symptom) -> (&'static str, ratatui::style::Style) {
        if self.running.as_deref() == Some(s.id.as_str()) {
            return ("…", ctx.theme.warn);
        }
        match runs(ctx, s).first().map(|e| e.evidence.passed) {
            None => ("·", ctx.theme.dim),
            Some(Some(true)) => ("✓", ctx.theme.ok),
            Some(Some(false)) => ("✗", ctx.theme.error),
            Some(None) => ("?", ctx.theme.warn),
        }
    }

    /// Draws the screen.
    pub(super) fn paint(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let cat = match &self.catalog {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                f.render_widget(
                    Paragraph::new(t!("ts-catalog-error", error = e.clone()))
                        .style(ctx.theme.error)
                        .wrap(Wrap { trim: false })
                        .block(block(ctx, t!("title-ts-symptoms", count = 0), false)),
                    area,
                );
                return;
            }
            None => return,
        };
        let (list, detail) = panes(area, self.list_rows());
        self.draw_list(f, list, ctx, cat);
        self.draw_detail(f, detail, ctx);
    }

    pub(super) fn draw_list(&self, f: &mut Frame, area: Rect, ctx: &Ctx, cat: &Catalog) {
        let order = self.visible();
        let query = self.query.as_ref();
        let title = match query {
            Some(q) if q.no_match => t!("title-ts-no-match", count = order.len()),
            Some(_) => t!("title-ts-matches", count = order.len()),
            None => t!("title-ts-symptoms", count = cat.symptoms.len()),
        };
        let b = block(ctx, title, !self.detail_focus);
        let inner = b.inner(area);
        f.render_widget(b, area);
        let mut lines = Vec::new();
        let mut height = usize::from(inner.height);
        if let Some(q) = query {
            let what = if q.no_match {
                t!("ts-query-none", text = q.label.clone())
            } else {
                t!("ts-query", text = q.label.clone())
            };
            // Two rows at most, cut by display width (Korean takes two cells a character).
            let style = if q.no_match {
                ctx.theme.warn
            } else {
                ctx.theme.dim
            };
            let width = usize::from(inner.width.max(1));
            let mut rest = what.as_str();
            for _ in 0..2 {
                if rest.is_empty() {
                    break;
                }
                let (row, tail) = split_at_width(rest, width);
                lines.push(Line::styled(row.to_string(), style));
                rest = tail;
            }
            height = height.saturating_sub(lines.len());
        }
        // Wide: two rows a symptom (the title, what the admin sees or why it matched);
        // narrow: the title.
        let per = if area.width >= 60 && height >= order.len() * 2 {
            2
        } else {
            1
        };
        let rows = height / per;
        let first = list_offset(self.selected, rows);
        for (pos, &i) in order.iter().enumerate().skip(first).take(rows) {
            let s = &cat.symptoms[i];
            let (mark, style) = self.marker(ctx, s);
            let score = query.and_then(|q| q.ranked.iter().find(|(id, _, _)| *id == s.id));
            let mut spans = vec![Span::styled(format!("{mark} "), style)];
            if let Some((_, sc, _)) = score {
                spans.push(Span::styled(format!("{sc:>3} "), ctx.theme.dim));
            }
            spans.push(Span::styled(s.title.clone(), ctx.theme.text));
            let mut line = Line::from(spans);
            if pos == self.selected {
                line = line.style(ctx.theme.selected);
            }
            lines.push(line);
            if per == 2 {
                let second = match score {
                    Some((_, _, why)) if !why.is_empty() => why.join("; "),
                    _ => s.sees.clone(),
                };
                lines.push(Line::styled(format!("  {second}"), ctx.theme.dim));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    pub(super) fn draw_detail(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(s) = self.selected_symptom() else {
            return;
        };
        let lines = self.detail_lines(ctx, s);
        // After a resize the scroll may be past the end: show the end.
        let scroll = self.scroll.min(self.max_scroll(ctx));
        f.render_widget(
            Paragraph::new(lines)
                .block(block(ctx, s.id.clone(), self.detail_focus))
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            area,
        );
    }

    /// Everything the detail pane shows for a symptom.
    pub(super) fn detail_lines(&self, ctx: &Ctx, s: &Symptom) -> Vec<Line<'static>> {
        let v = values(ctx);
        let th = &ctx.theme;
        let mut out = vec![Line::styled(s.title.clone(), th.title)];
        out.push(Line::from(vec![
            Span::styled(format!("{} ", t!("ts-sees")), th.dim),
            Span::styled(fill_text(&s.sees, &v), th.text),
        ]));
        if let Some((_, score, why)) = self
            .query
            .as_ref()
            .and_then(|q| q.ranked.iter().find(|(id, _, _)| *id == s.id))
        {
            out.push(Line::styled(
                t!("ts-why", score = *score, why = why.join("; ")),
                th.warn,
            ));
        }
        out.push(Line::from(vec![
            Span::styled(format!("{} ", t!("ts-cause")), th.dim),
            Span::styled(fill_text(&s.cause, &v), th.text),
        ]));
        if let Some(d) = &s.disagreement {
            out.push(Line::styled(
                t!("ts-disagreement", text = d.clone()),
                th.warn,
            ));
        }
        if s.inferred {
            out.push(Line::styled(t!("ts-inferred"), th.warn));
        }
        out.push(Line::styled(
            t!("ts-items", items = s.items.join(", ")),
            th.dim,
        ));
        if uses_user(s) {
            out.push(Line::styled(
                match lookup_user(ctx) {
                    Some(u) => t!("ts-user", user = u),
                    None => t!("ts-no-user"),
                },
                th.dim,
            ));
        }

        // The last results first: they are what the admin looks for after r.
        out.push(Line::raw(""));
        out.push(Line::styled(t!("ts-results"), th.title));
        if self.running.as_deref() == Some(s.id.as_str()) {
            out.push(Line::styled(t!("ts-running"), th.warn));
        }
        if let Some((id, results, e)) = &self.unsaved
            && *id == s.id
        {
            out.push(Line::styled(t!("ts-unsaved", error = e.clone()), th.error));
            result_lines(ctx, results, &mut out);
        }
        let runs = runs(ctx, s);
        match runs.first() {
            None if self.running.is_none() => {
                out.push(Line::styled(t!("ts-no-results"), th.dim));
            }
            None => {}
            Some(ev) => {
                out.push(Line::styled(
                    t!(
                        "ts-run-at",
                        when = when(ev.at),
                        who = ev.who.clone(),
                        summary = ev.evidence.summary.clone()
                    ),
                    th.text,
                ));
                let results: Vec<CheckResult> =
                    serde_json::from_value(ev.evidence.detail["checks"].clone())
                        .unwrap_or_default();
                result_lines(ctx, &results, &mut out);
                for older in runs.iter().skip(1).take(3) {
                    out.push(Line::styled(
                        t!(
                            "ts-run-at",
                            when = when(older.at),
                            who = older.who.clone(),
                            summary = older.evidence.summary.clone()
                        ),
                        th.dim,
                    ));
                }
            }
        }

        out.push(Line::raw(""));
        out.push(Line::styled(t!("ts-checks"), th.title));
        for (i, c) in s.checks.iter().enumerate() {
            out.push(Line::from(vec![
                Span::styled(format!("{}. {} · ", i + 1, kind_word(c.kind)), th.dim),
                Span::styled(fill_text(&c.what, &v), th.text),
            ]));
            if let (Some(p), Some(target)) = (&c.probe, &c.target) {
                out.push(Line::styled(
                    format!("   {p} {}", fill_text(target, &v)),
                    th.code,
                ));
            }
            if let Some(line) = &c.cmdlet {
                code_lines(ctx, line, &v, &mut out);
            }
            if let (Some(db), Some(q)) = (&c.database, &c.query) {
                out.push(Line::styled(format!("   SQL ({db})> {q}"), th.code));
            }
            out.push(Line::styled(
                t!("ts-expect", text = fill_text(&c.expect, &v)),
                th.dim,
            ));
        }

        out.push(Line::raw(""));
        out.push(Line::styled(t!("ts-fix"), th.title));
        out.push(Line::styled(fill_text(&s.fix, &v), th.text));
        for line in &s.fix_cmdlets {
            code_lines(ctx, line, &v, &mut out);
        }
        out.push(Line::styled(
            t!("ts-source", source = s.source.clone()),
            th.dim,
        ));
        out
    }
}
