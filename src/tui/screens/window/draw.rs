//! Drawing the downtime window screen: the steps (plan against actual, with a gauge per
//! step) and the rates, totals and source size beside them.

use super::*;
use crate::tui::text::fit;

// ---- drawing ----------------------------------------------------------------------------

pub(super) fn offset(secs: u64) -> String {
    if secs == 0 {
        "+0m".into()
    } else {
        format!("+{}", fmt_duration(secs))
    }
}

pub(super) fn when(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let weekday = match t.weekday() {
        chrono::Weekday::Mon => t!("weekday-mon"),
        chrono::Weekday::Tue => t!("weekday-tue"),
        chrono::Weekday::Wed => t!("weekday-wed"),
        chrono::Weekday::Thu => t!("weekday-thu"),
        chrono::Weekday::Fri => t!("weekday-fri"),
        chrono::Weekday::Sat => t!("weekday-sat"),
        chrono::Weekday::Sun => t!("weekday-sun"),
    };
    t!(
        "datetime-utc",
        weekday = weekday,
        date = t.format("%Y-%m-%d").to_string(),
        time = t.format("%H:%M").to_string()
    )
}

pub(super) fn block<'a>(ctx: &Ctx, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(ctx.theme.border)
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

pub(super) fn state_style(ctx: &Ctx, s: StepState) -> Style {
    match s {
        StepState::Pending => ctx.theme.dim,
        StepState::Running => ctx.theme.text,
        StepState::RunningLate => ctx.theme.error,
        StepState::Done => ctx.theme.ok,
        StepState::DoneLate => ctx.theme.warn,
    }
}

/// Column widths: step, planned, start, end, elapsed, state, gauge, basis (0: not shown).
struct Columns {
    step: usize,
    planned: usize,
    start: usize,
    end: usize,
    elapsed: usize,
    state: usize,
    gauge: usize,
    basis: usize,
}

impl Columns {
    fn for_width(w: u16) -> Columns {
        let w = usize::from(w);
        let (step, planned, start, end, elapsed, state) = if w >= 120 {
            (26, 8, 9, 9, 9, 12)
        } else {
            (20, 7, 8, 8, 7, 11)
        };
        // Two cells of selection marker, one space after each column.
        let fixed = 2 + step + planned + start + end + elapsed + state + 6;
        let rest = w.saturating_sub(fixed);
        let (gauge, basis) = if w >= 120 {
            (20.min(rest), rest.saturating_sub(21))
        } else {
            (rest, 0)
        };
        Columns {
            step,
            planned,
            start,
            end,
            elapsed,
            state,
            gauge,
            basis,
        }
    }

    /// Where the gauge starts, from the row's left edge.
    fn gauge_x(&self) -> usize {
        2 + self.step + self.planned + self.start + self.end + self.elapsed + self.state + 6
    }
}

pub(super) fn rate_lines(ctx: &Ctx, heading: String, t: &Throughput) -> Vec<Line<'static>> {
    let rows: [(StepId, &Option<Rate>, &str); 4] = [
        (StepId::Export, &t.export, "export"),
        (StepId::ImportWhatIf, &t.import_whatif, "import --what-if"),
        (StepId::Import, &t.import, "import"),
        (StepId::Verify, &t.verify, "verify"),
    ];
    let mut lines = vec![Line::styled(heading, ctx.theme.title)];
    for (s, r, cmd) in rows {
        lines.push(match r {
            Some(r) => Line::styled(
                t!(
                    "window-rate",
                    job = step_title(s),
                    rate = format!("{:.0}", r.messages_per_s),
                    source = r.source_shown()
                ),
                ctx.theme.text,
            ),
            None => Line::styled(
                t!(
                    "window-rate-missing",
                    job = step_title(s),
                    command = cmd.to_string()
                ),
                ctx.theme.warn,
            ),
        });
    }
    lines
}

impl WindowState {
    /// Draws the screen.
    pub(super) fn paint(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let now = Utc::now();
        let statuses = self.statuses(ctx, now);
        let n = u16::try_from(statuses.len()).unwrap_or(9);
        let [table, info] =
            Layout::vertical([Constraint::Length(n + 3), Constraint::Min(4)]).areas(area);
        self.draw_table(f, table, ctx, &statuses);
        self.draw_info(f, info, ctx, &statuses, now);
    }

    fn draw_table(&self, f: &mut Frame, area: Rect, ctx: &Ctx, statuses: &[StepStatus]) {
        let title = match &self.plan {
            Some(p) => t!("window-title-plan", window = fmt_duration(p.window_s)),
            None => t!("window-title-no-plan"),
        };
        let b = block(ctx, title);
        let inner = b.inner(area);
        f.render_widget(b, area);
        if inner.height == 0 {
            return;
        }
        let c = Columns::for_width(inner.width);
        let mut header = format!(
            "  {} {} {} {} {} {} {}",
            fit(&t!("window-col-step"), c.step),
            fit(&t!("window-col-planned"), c.planned),
            fit(&t!("window-col-start"), c.start),
            fit(&t!("window-col-end"), c.end),
            fit(&t!("window-col-elapsed"), c.elapsed),
            fit(&t!("window-col-state"), c.state),
            fit(&t!("window-col-gauge"), c.gauge),
        );
        if c.basis > 0 {
            header.push(' ');
            header.push_str(&fit(&t!("window-col-basis"), c.basis));
        }
        f.render_widget(
            Paragraph::new(Line::styled(header, ctx.theme.dim)),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
        let selected = self.selected.min(statuses.len().saturating_sub(1));
        for (i, st) in statuses.iter().enumerate() {
            let Ok(y) = u16::try_from(i) else { break };
            if y + 1 >= inner.height {
                break;
            }
            let row = Rect::new(inner.x, inner.y + 1 + y, inner.width, 1);
            let planned = self.plan.as_ref().and_then(|p| p.step(st.step));
            let dash = "—".to_string();
            let (p, s, e) = planned.map_or((dash.clone(), dash.clone(), dash.clone()), |p| {
                (
                    fmt_duration(p.planned_s),
                    offset(p.offset_s),
                    offset(p.offset_s + p.planned_s),
                )
            });
            let elapsed = st.elapsed_s.map_or(dash.clone(), fmt_duration);
            let is_sel = i == selected;
            let mut spans = vec![
                Span::styled(if is_sel { "> " } else { "  " }, ctx.theme.key),
                Span::styled(
                    format!("{} ", fit(&step_title(st.step), c.step)),
                    ctx.theme.text,
                ),
                Span::styled(format!("{} ", fit(&p, c.planned)), ctx.theme.text),
                Span::styled(format!("{} ", fit(&s, c.start)), ctx.theme.dim),
                Span::styled(format!("{} ", fit(&e, c.end)), ctx.theme.dim),
                Span::styled(format!("{} ", fit(&elapsed, c.elapsed)), ctx.theme.text),
                Span::styled(
                    format!("{} ", fit(&state_word(st.state), c.state)),
                    state_style(ctx, st.state),
                ),
            ];
            if c.basis > 0 {
                spans.push(Span::raw(" ".repeat(c.gauge + 1)));
                spans.push(Span::styled(
                    fit(
                        &planned.map_or_else(String::new, |p| p.basis_shown()),
                        c.basis,
                    ),
                    ctx.theme.dim,
                ));
            }
            let mut line = Line::from(spans);
            if is_sel {
                line = line.style(ctx.theme.selected);
            }
            f.render_widget(Paragraph::new(line), row);
            let gx = u16::try_from(c.gauge_x()).unwrap_or(u16::MAX);
            let gw = u16::try_from(c.gauge).unwrap_or(0);
            if gw > 1 && gx < row.width {
                let ratio = match (st.elapsed_s, st.planned_s) {
                    (Some(e), p) if p > 0 => (e as f64 / p as f64).clamp(0.0, 1.0),
                    (Some(_), _) if matches!(st.state, StepState::Done | StepState::DoneLate) => {
                        1.0
                    }
                    _ => 0.0,
                };
                let gauge = LineGauge::default()
                    .ratio(ratio)
                    .label("")
                    .filled_symbol(symbols::line::THICK_HORIZONTAL)
                    .unfilled_symbol(symbols::line::HORIZONTAL)
                    .filled_style(state_style(ctx, st.state))
                    .unfilled_style(ctx.theme.dim);
                let w = gw.min(row.width - gx);
                f.render_widget(gauge, Rect::new(row.x + gx, row.y, w, 1));
            }
        }
    }

    fn draw_info(
        &self,
        f: &mut Frame,
        area: Rect,
        ctx: &Ctx,
        statuses: &[StepStatus],
        now: DateTime<Utc>,
    ) {
        let mut lines: Vec<Line> = Vec::new();
        if let Some(p) = &self.problem {
            lines.push(Line::styled(p.clone(), ctx.theme.error));
        }
        match &self.plan {
            None => {
                if !self.loaded {
                    lines.push(Line::styled(t!("window-loading"), ctx.theme.dim));
                } else {
                    lines.push(Line::styled(t!("window-no-plan"), ctx.theme.text));
                }
                if let Some(t) = &self.throughput {
                    lines.extend(rate_lines(ctx, t!("window-rates"), t));
                }
            }
            Some(plan) => {
                lines.push(Line::styled(
                    t!(
                        "window-book",
                        window = fmt_duration(plan.window_s),
                        steps = fmt_duration(plan.total_s),
                        factor = plan.inputs.safety_factor.to_string()
                    ),
                    ctx.theme.title,
                ));
                let progress = derived::progress(plan, statuses, now);
                let end_line = match (plan.starts_at, plan.ends_at, progress.started_at) {
                    (Some(s), Some(e), _) => t!("window-booked", start = when(s), end = when(e)),
                    (_, _, Some(s)) => {
                        let e = s + chrono::Duration::seconds(
                            i64::try_from(plan.window_s).unwrap_or(i64::MAX),
                        );
                        t!("window-started", start = when(s), end = when(e))
                    }
                    _ => t!("window-not-booked", window = fmt_duration(plan.window_s)),
                };
                lines.push(Line::styled(end_line, ctx.theme.text));
                if let (Some(a), Some(p)) = (progress.actual_s, progress.projected_s) {
                    lines.push(if progress.within_window {
                        Line::styled(
                            t!(
                                "window-progress-fits",
                                elapsed = fmt_duration(a),
                                projected = fmt_duration(p)
                            ),
                            ctx.theme.ok,
                        )
                    } else {
                        Line::styled(
                            t!(
                                "window-progress-over",
                                elapsed = fmt_duration(a),
                                projected = fmt_duration(p),
                                over = fmt_duration(p.saturating_sub(plan.window_s))
                            ),
                            ctx.theme.error,
                        )
                    });
                }
                let selected = self.selected.min(statuses.len().saturating_sub(1));
                if let Some(st) = statuses.get(selected) {
                    let basis = plan
                        .step(st.step)
                        .map_or_else(String::new, |p| p.basis_shown());
                    lines.push(Line::styled(
                        t!("window-selected", step = step_title(st.step), basis = basis),
                        ctx.theme.text,
                    ));
                    if let (Some(src), Some(at)) = (st.source_shown(), st.started_at) {
                        lines.push(Line::styled(
                            t!("window-actual", source = src, start = when(at)),
                            ctx.theme.dim,
                        ));
                    }
                }
                lines.push(Line::styled(
                    t!(
                        "window-size",
                        messages = plan.inputs.messages.to_string(),
                        mb = format!("{:.1}", plan.inputs.database_mb)
                    ),
                    ctx.theme.dim,
                ));
                if let Some((at, who)) = &self.saved {
                    lines.push(Line::styled(
                        t!("window-saved", when = when(*at), who = who.clone()),
                        ctx.theme.dim,
                    ));
                }
                lines.push(Line::raw(""));
                lines.extend(rate_lines(
                    ctx,
                    t!("window-plan-rates"),
                    &plan.inputs.throughput,
                ));
            }
        }
        f.render_widget(
            Paragraph::new(lines)
                .block(block(ctx, t!("window-info-title")))
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::minutes(min)
    }

    #[test]
    fn the_source_size_comes_from_the_export_evidence_first() {
        let s = measure_source(Some((1234, Some(2 * 1_048_576), at(0), 7)), None, None).unwrap();
        assert_eq!(s.messages, 1234);
        assert!(s.note.contains("package 2.0 MB"), "{}", s.note);
        let e = measure_source(None, Some(Path::new("/nonexistent/legacy.db")), None);
        assert!(e.is_err());
    }
}
