//! Drawing the pilot screen: the users × test cases grid, the selected cell's detail, the
//! coexistence items and the progress per test case.

use super::*;
use crate::tui::text::fit;

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

// ---- drawing --------------------------------------------------------------------------------

fn block<'a>(ctx: &Ctx, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(ctx.theme.border)
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

fn outcome_style(ctx: &Ctx, r: &PilotResultRecord) -> Style {
    match r.result {
        PilotOutcome::Pass => ctx.theme.ok,
        PilotOutcome::Fail => ctx.theme.error,
        PilotOutcome::NotApplicable => ctx.theme.dim,
        PilotOutcome::Todo => ctx.theme.text,
    }
}

fn counts_line(c: &Counts) -> String {
    t!(
        "pilot-counts",
        pass = c.pass,
        fail = c.fail,
        na = c.na,
        todo = c.todo
    )
}

impl PilotState {
    /// Draws the screen: the grid on top; below it the selected cell's detail, the coexistence
    /// items and (on wide screens) the progress per test.
    pub(super) fn paint(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let users = u16::try_from(self.users()).unwrap_or(u16::MAX);
        let wide = area.width >= 120;
        // Header row, footer row, borders; at least one user row.
        let want = users.max(1).saturating_add(4);
        if wide {
            let grid_h = want.min(area.height / 2).max(6);
            let [grid, rest] =
                Layout::vertical([Constraint::Length(grid_h), Constraint::Min(6)]).areas(area);
            self.draw_grid(f, grid, ctx);
            let [detail, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(rest);
            self.draw_detail(f, detail, ctx);
            let [coex, prog] =
                Layout::vertical([Constraint::Min(6), Constraint::Length(10)]).areas(right);
            self.draw_coexistence(f, coex, ctx, true);
            self.draw_case_progress(f, prog, ctx);
        } else {
            let grid_h = want.min(area.height.saturating_sub(12)).max(5);
            let [grid, detail, coex] = Layout::vertical([
                Constraint::Length(grid_h),
                Constraint::Min(7),
                Constraint::Length(5),
            ])
            .areas(area);
            self.draw_grid(f, grid, ctx);
            self.draw_detail(f, detail, ctx);
            self.draw_coexistence(f, coex, ctx, false);
        }
    }

    fn grid_title(&self) -> String {
        match &self.data {
            Some(d) => t!(
                "pilot-grid-title",
                users = d.progress.users,
                pass = d.progress.totals.pass,
                fail = d.progress.totals.fail,
                todo = d.progress.totals.todo
            ),
            None => t!("screen-pilot"),
        }
    }

    fn draw_grid(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let b = block(ctx, self.grid_title());
        let inner = b.inner(area);
        f.render_widget(b, area);
        let th = &ctx.theme;
        let Some(data) = &self.data else {
            let text = match &self.load_error {
                Some(e) => {
                    Line::styled(t!("status-pilot-load-failed", error = e.clone()), th.error)
                }
                None => Line::styled(t!("pilot-loading"), th.dim),
            };
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
            return;
        };
        if data.results.users.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(t!("pilot-empty"), th.dim)).wrap(Wrap { trim: false }),
                inner,
            );
            return;
        }
        let total_w = usize::from(inner.width);
        let ncases = PilotCase::ALL.len();
        let done_w = 9;
        let user_w = if total_w >= 140 { 30 } else { 20 };
        let case_w = (total_w.saturating_sub(user_w + done_w) / ncases).clamp(4, 18);
        let full = PilotCase::ALL
            .iter()
            .all(|&c| width(&case_title(c)) < case_w);
        let label = |c: PilotCase| if full { case_title(c) } else { case_short(c) };

        // Header.
        let mut header = vec![Span::styled(fit(&t!("pilot-col-user"), user_w), th.dim)];
        for (i, &c) in PilotCase::ALL.iter().enumerate() {
            let style = if i == self.case {
                th.selected
            } else {
                th.title
            };
            header.push(Span::styled(fit(&label(c), case_w - 1), style));
            header.push(Span::raw(" "));
        }
        header.push(Span::styled(fit(&t!("pilot-col-done"), done_w), th.dim));
        let mut lines = vec![Line::from(header)];

        // Users.
        let rows = usize::from(inner.height.saturating_sub(2));
        let offset = list_offset(self.selected, rows);
        let name_w = user_w - 2 - 8;
        for (u, user) in data
            .results
            .users
            .iter()
            .enumerate()
            .skip(offset)
            .take(rows)
        {
            let selected_row = u == self.selected;
            let marker = if selected_row { "▶ " } else { "  " };
            let mut spans = vec![Span::styled(
                format!(
                    "{marker}{}{}",
                    fit(&user.display_name, name_w),
                    fit(&format!(" {}", client_short(user.client)), 8)
                ),
                if selected_row { th.selected } else { th.text },
            )];
            for c in 0..ncases {
                let selected_cell = selected_row && c == self.case;
                let (text, style) = match data.cell(u, c) {
                    None => ("?".to_string(), th.dim),
                    Some(r) if self.pending.contains(&(user.sip.clone(), r.case)) => {
                        ("…".to_string(), th.warn)
                    }
                    Some(r) => (outcome_label(r.result), outcome_style(ctx, r)),
                };
                let text = if selected_cell && width(&text) + 2 < case_w {
                    format!("[{text}]")
                } else {
                    text
                };
                let style = if selected_cell {
                    style.patch(th.selected)
                } else {
                    style
                };
                spans.push(Span::styled(fit(&text, case_w - 1), style));
                spans.push(Span::raw(" "));
            }
            if let Some(p) = data.progress.per_user.get(u) {
                spans.push(Span::styled(
                    fit(&p.counts.passed_label(), done_w),
                    if p.counts.fail > 0 { th.error } else { th.dim },
                ));
            }
            lines.push(Line::from(spans));
        }

        // Progress per test, under its column.
        let mut footer = vec![Span::styled(fit(&t!("pilot-row-done"), user_w), th.dim)];
        for cp in &data.progress.per_case {
            let c = &cp.counts;
            let text = c.passed_label();
            let style = if c.fail > 0 { th.error } else { th.dim };
            footer.push(Span::styled(fit(&text, case_w - 1), style));
            footer.push(Span::raw(" "));
        }
        let t = &data.progress.totals;
        footer.push(Span::styled(
            fit(&t.passed_label(), done_w),
            if t.fail > 0 { th.error } else { th.dim },
        ));
        // Keep the footer on the last row even when there are few users.
        while lines.len() < usize::from(inner.height.saturating_sub(1)) {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(footer));
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_detail(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let case = self.selected_case();
        let data = self.data.as_ref();
        let Some(user) = self.user() else {
            f.render_widget(
                Paragraph::new(Line::styled(case_description(case), th.text))
                    .block(block(ctx, case_title(case)))
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        };
        let title = t!(
            "pilot-detail-title",
            case = case_title(case),
            user = user.display_name.clone()
        );
        // Most important first: the result and its note, then who and when (at 80×24 the
        // last lines may be cut; the grid shows the progress too).
        let mut lines = Vec::new();
        if self.pending.contains(&(user.sip.clone(), case)) {
            lines.push(Line::styled(t!("pilot-saving"), th.warn));
        }
        if let Some(r) = data.and_then(|d| d.cell(self.selected, self.case)) {
            let mut spans = vec![Span::styled(
                t!("pilot-detail-result", result = outcome_label(r.result)),
                outcome_style(ctx, r),
            )];
            match (&r.note, r.recorded()) {
                (_, false) if r.result == PilotOutcome::NotApplicable => {
                    spans.push(Span::styled(format!(" — {}", t!("pilot-auto-na")), th.dim));
                }
                (Some(note), _) => spans.push(Span::styled(format!(" — {note}"), th.text)),
                _ => {}
            }
            lines.push(Line::from(spans));
            lines.push(match (&r.who, r.at) {
                (Some(who), Some(at)) => Line::styled(
                    t!(
                        "pilot-detail-recorded",
                        who = who.clone(),
                        when = at.format("%Y-%m-%d %H:%M UTC").to_string()
                    ),
                    th.dim,
                ),
                _ => Line::styled(t!("pilot-detail-not-recorded"), th.dim),
            });
        }
        lines.push(Line::styled(
            t!(
                "pilot-detail-user",
                sip = user.sip.clone(),
                client = user.client.product_name(),
                pool = user.pool.clone().unwrap_or_else(|| t!("pilot-unknown")),
                policy = yes_no(user.pchat_policy),
                on2013 = yes_no(user.homed_on_2013)
            ),
            th.text,
        ));
        lines.push(Line::styled(case_description(case), th.dim));
        if let Some(d) = data {
            if let Some(cp) = d.progress.per_case.get(self.case) {
                lines.push(Line::styled(
                    format!("{} {}", t!("pilot-this-test"), counts_line(&cp.counts)),
                    th.dim,
                ));
            }
            if let Some(up) = d.progress.per_user.get(self.selected) {
                lines.push(Line::styled(
                    format!("{} {}", t!("pilot-this-user"), counts_line(&up.counts)),
                    th.dim,
                ));
            }
        }
        f.render_widget(
            Paragraph::new(lines)
                .block(block(ctx, title))
                .wrap(Wrap { trim: false }),
            area,
        );
    }

    fn draw_coexistence(&self, f: &mut Frame, area: Rect, ctx: &Ctx, wrap: bool) {
        let th = &ctx.theme;
        let b = block(ctx, t!("pilot-coex-title"));
        let inner = b.inner(area);
        f.render_widget(b, area);
        let Some(data) = &self.data else { return };
        let mut lines = Vec::new();
        for e in &data.coexistence {
            let item = ctx.runbook.item(e.item_id);
            let number = item
                .and_then(|i| i.checklist)
                .map_or_else(String::new, |n| n.to_string());
            let (verdict, style) = if e.passed {
                (t!("pilot-coex-proven"), th.ok)
            } else {
                (t!("pilot-coex-not-proven"), th.warn)
            };
            let mut spans = vec![
                Span::styled(format!("{number:>2} "), th.key),
                Span::styled(format!("{verdict} "), style),
            ];
            if wrap && let Some(i) = item {
                spans.push(Span::styled(format!("{}: ", i.title), th.title));
            }
            spans.push(Span::styled(e.summary.clone(), th.text));
            lines.push(Line::from(spans));
        }
        lines.push(Line::styled(t!("pilot-coex-note"), th.dim));
        let p = Paragraph::new(lines);
        let p = if wrap {
            p.wrap(Wrap { trim: false })
        } else {
            p
        };
        f.render_widget(p, inner);
    }

    fn draw_case_progress(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let b = block(ctx, t!("pilot-progress-title"));
        let inner = b.inner(area);
        f.render_widget(b, area);
        let Some(data) = &self.data else { return };
        let name_w = PilotCase::ALL
            .iter()
            .map(|&c| width(&case_title(c)))
            .max()
            .unwrap_or(10)
            + 2;
        let lines: Vec<Line> = data
            .progress
            .per_case
            .iter()
            .map(|cp| {
                let style = if cp.counts.fail > 0 {
                    th.error
                } else {
                    th.text
                };
                Line::from(vec![
                    Span::styled(fit(&case_title(cp.case), name_w), th.title),
                    Span::styled(counts_line(&cp.counts), style),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
