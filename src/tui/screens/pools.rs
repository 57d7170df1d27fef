//! The pools and coexistence screen: each pool's live state (up, degraded, down, unknown)
//! with a latency sparkline, certificate warnings and the last change; the client × pool
//! matrix from the coexistence rules, with the monitor's view folded in; and a user lookup
//! (type a SIP URI, see the verdict and every reason). In the lab, `x` stops or starts the
//! selected pool's loopback endpoints to rehearse the shutdown stage.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline};

use super::Component;
use super::{movement, step};
use crate::coexistence::{self, Matrix, PoolHealth, Reach};
use crate::monitor::StateChange;
use crate::monitor::{PoolState, StatusSnapshot};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::overlays::InputPurpose;
use crate::tui::text::fit;
use crate::tui::wrap::{Paragraph, Wrap};

/// What the pools screen keeps.
#[derive(Default)]
pub struct PoolsState {
    /// Selected pool row.
    pub selected: usize,
    /// The client × pool grid, recomputed when a snapshot arrives.
    pub matrix: Option<Matrix>,
    /// Recent state changes, newest first (at most 20).
    pub changes: Vec<String>,
}

/// The pool rows: the profile's pools, in profile order.
fn pool_fqdns(ctx: &Ctx) -> Vec<String> {
    ctx.profile.pools.iter().map(|p| p.fqdn.clone()).collect()
}

/// Health of a pool for the coexistence rules, from a snapshot.
pub fn health(snapshot: Option<&StatusSnapshot>, fqdn: &str) -> PoolHealth {
    match snapshot.and_then(|s| s.pool(fqdn)) {
        None => PoolHealth::Unknown,
        Some(p) => match p.state {
            PoolState::Up => PoolHealth::Up,
            PoolState::Degraded => PoolHealth::Degraded {
                last_probe: snapshot.and_then(|s| s.taken_at),
                detail: p.why.clone(),
            },
            PoolState::Down => PoolHealth::Down {
                last_probe: snapshot.and_then(|s| s.taken_at),
                detail: p.why.clone(),
            },
            PoolState::Unknown => PoolHealth::Unknown,
        },
    }
}

fn state_style(ctx: &Ctx, s: PoolState) -> ratatui::style::Style {
    match s {
        PoolState::Up => ctx.theme.ok,
        PoolState::Degraded => ctx.theme.warn,
        PoolState::Down => ctx.theme.error,
        PoolState::Unknown => ctx.theme.dim,
    }
}

/// The word for a pool's state, in the language of the run.
fn state_label(s: PoolState) -> String {
    match s {
        PoolState::Up => t!("pool-state-up"),
        PoolState::Degraded => t!("pool-state-degraded"),
        PoolState::Down => t!("pool-state-down"),
        PoolState::Unknown => t!("pool-state-unknown"),
    }
}

/// The word for a reach verdict, in the language of the run.
fn reach_label(r: Reach) -> String {
    match r {
        Reach::Yes => t!("reach-yes"),
        Reach::No => t!("reach-no"),
        Reach::Contradicted => t!("reach-contradicted"),
        Reach::Unknown => t!("reach-unknown"),
    }
}

/// A matrix cell: the rule's word, then how many of the profile's people reach the pool now
/// (✓), do not (✗) and cannot be told (?: a fact is missing or the documents disagree,
/// which is not a "does not reach").
fn cell_text(word: &str, t: &coexistence::Tally) -> String {
    if t.total() == 0 {
        return word.to_string();
    }
    let open = t.unknown + t.contradicted;
    if open > 0 {
        format!("{word} ({}✓ {}✗ {open}?)", t.yes, t.no)
    } else {
        format!("{word} ({}✓ {}✗)", t.yes, t.no)
    }
}

fn reach_style(ctx: &Ctx, r: Reach) -> ratatui::style::Style {
    match r {
        Reach::Yes => ctx.theme.ok,
        Reach::No => ctx.theme.error,
        Reach::Contradicted => ctx.theme.warn,
        Reach::Unknown => ctx.theme.dim,
    }
}

fn block<'a>(ctx: &Ctx, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(ctx.theme.border)
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

impl PoolsState {
    /// Recomputes the grid from the profile and the latest snapshot.
    pub fn refresh(&mut self, ctx: &Ctx) {
        let snap = ctx.snapshot.clone();
        let h = |fqdn: &str| health(snap.as_deref(), fqdn);
        self.matrix = Some(coexistence::matrix_with_health(&ctx.profile, Some(&h)));
    }

    /// Opened: compute the grid (the monitor fills in health as it goes).
    fn enter(&mut self, ctx: &mut Ctx) {
        if self.matrix.is_none() {
            self.refresh(ctx);
        }
    }

    /// Keys of the pools screen.
    fn act(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        if let Some(d) = movement(action) {
            self.selected = step(self.selected, d, pool_fqdns(ctx).len());
            return true;
        }
        match action {
            Action::ProbeNow => {
                ctx.monitor_command(crate::tui::monitor_link::MonitorCmd::ProbeNow);
                ctx.set_status(t!("status-probing"), false);
                true
            }
            Action::TogglePool => {
                if let Some(fqdn) = pool_fqdns(ctx).get(self.selected).cloned() {
                    ctx.toggle_lab_pool(fqdn);
                }
                true
            }
            Action::LookupUser => {
                ctx.open_input(InputPurpose::LookupUser, &t!("lookup-placeholder"));
                true
            }
            Action::ImportTopology => {
                ctx.open_input(InputPurpose::TopologyFile, &t!("topology-placeholder"));
                true
            }
            _ => false,
        }
    }

    /// Looks a user up (called when the lookup input is submitted).
    pub fn lookup(&mut self, ctx: &mut Ctx, sip: &str) {
        let sip = sip.trim();
        let sip = if sip.contains(':') {
            sip.to_string()
        } else {
            format!("sip:{sip}")
        };
        let snap = ctx.snapshot.clone();
        let h = |fqdn: &str| health(snap.as_deref(), fqdn);
        ctx.lookup = Some(
            coexistence::lookup_with_health(&ctx.profile, &sip, Some(&h))
                .ok_or_else(|| t!("lookup-unknown", sip = sip.clone())),
        );
    }

    /// Draws the screen.
    fn paint(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let n = u16::try_from(ctx.profile.pools.len()).unwrap_or(8);
        let [pools_area, rest] =
            Layout::vertical([Constraint::Length(n + 3), Constraint::Min(6)]).areas(area);
        self.draw_pools(f, pools_area, ctx);
        let (matrix_area, detail_area) = if area.width >= 120 {
            let [m, d] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(rest);
            (m, d)
        } else {
            let [m, d] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
            (m, d)
        };
        self.draw_matrix(f, matrix_area, ctx);
        self.draw_detail(f, detail_area, ctx);
    }

    fn draw_pools(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let snap = ctx.snapshot.as_deref();
        let title = match snap.and_then(|s| s.taken_at) {
            Some(t) => t!(
                "pools-title-probed",
                when = t.format("%H:%M:%S UTC").to_string(),
                round = snap.map_or(0, |s| s.round)
            ),
            None => t!("pools-title-waiting"),
        };
        let b = block(ctx, title);
        let inner = b.inner(area);
        f.render_widget(b, area);
        let spark_w = 20u16.min(inner.width / 5);
        for (i, pool) in ctx.profile.pools.iter().enumerate() {
            let Ok(y) = u16::try_from(i) else { break };
            if y + 1 >= inner.height {
                break;
            }
            let row = Rect::new(inner.x, inner.y + 1 + y, inner.width, 1);
            let status = snap.and_then(|s| s.pool(&pool.fqdn));
            let state = status.map_or(PoolState::Unknown, |p| p.state);
            let (up, total) = status.map_or((0, 0), |p| p.counts());
            let last = status
                .and_then(|p| p.last_change)
                .map(|t| t.format("%H:%M:%S").to_string())
                .unwrap_or_default();
            let certs = status.map_or(0, |p| p.cert_warnings.len());
            let selected = i == self.selected;
            let [text, spark] =
                Layout::horizontal([Constraint::Min(10), Constraint::Length(spark_w)]).areas(row);
            let wide = inner.width >= 110;
            let mut spans = vec![
                Span::styled(
                    format!("{} ", fit(&state_label(state), 8)),
                    state_style(ctx, state),
                ),
                Span::styled(format!("{:<30} ", pool.fqdn), ctx.theme.text),
            ];
            // Narrow terminals drop the product column: the FQDN names the pool.
            if wide {
                spans.push(Span::styled(
                    format!("{:<34} ", pool.kind.product_name()),
                    ctx.theme.dim,
                ));
            }
            spans.extend([
                Span::styled(format!("{up:>2}/{total:<2} "), ctx.theme.text),
                Span::styled(format!("{last} "), ctx.theme.dim),
            ]);
            if certs > 0 {
                spans.push(Span::styled(
                    t!("cert-warnings", count = certs),
                    ctx.theme.warn,
                ));
            }
            let mut line = Line::from(spans);
            if selected {
                line = line.style(ctx.theme.selected);
            }
            f.render_widget(Paragraph::new(line), text);
            if let Some(p) = status {
                let data: Vec<u64> = p.latency_history_ms.clone();
                f.render_widget(
                    Sparkline::default()
                        .data(&data)
                        .style(state_style(ctx, state)),
                    spark,
                );
            }
        }
        let header = if inner.width >= 110 {
            Line::styled(t!("pools-header"), ctx.theme.dim)
        } else {
            Line::styled(t!("pools-header-narrow"), ctx.theme.dim)
        };
        f.render_widget(
            Paragraph::new(header),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
    }

    fn draw_matrix(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let b = block(ctx, t!("matrix-title"));
        let inner = b.inner(area);
        f.render_widget(b, area);
        let Some(m) = &self.matrix else { return };
        let col_w = usize::from(inner.width.saturating_sub(24)) / m.pools.len().max(1);
        let mut lines = vec![Line::from(
            std::iter::once(Span::styled(fit(&t!("matrix-client"), 24), ctx.theme.dim))
                .chain(m.pools.iter().map(|p| {
                    let name: String = p.fqdn.chars().take(col_w.saturating_sub(1)).collect();
                    Span::styled(format!("{name:<col_w$}"), ctx.theme.title)
                }))
                .collect::<Vec<_>>(),
        )];
        for row in &m.rows {
            let mut spans = vec![Span::styled(
                format!("{} ", fit(row.label, 23)),
                ctx.theme.text,
            )];
            for c in &row.cells {
                let t = &c.tally;
                let reach = c.rule.reach;
                let word = reach_label(reach);
                let cell = cell_text(&word, t);
                spans.push(Span::styled(
                    format!("{} ", fit(&cell, col_w.saturating_sub(1))),
                    reach_style(ctx, reach),
                ));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(t!("matrix-legend"), ctx.theme.dim));
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_detail(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let mut lines: Vec<Line> = Vec::new();
        let title;
        if let Some(lookup) = &ctx.lookup {
            title = t!("lookup-title");
            match lookup {
                Err(e) => lines.push(Line::styled(e.clone(), ctx.theme.error)),
                Ok(v) => {
                    let client = v
                        .client
                        .map_or_else(|| "?".to_string(), |c| format!("{c:?}"));
                    lines.push(Line::styled(
                        format!("{} · {client}", v.user),
                        ctx.theme.title,
                    ));
                    for pv in &v.per_pool {
                        lines.push(Line::from(vec![
                            Span::styled(
                                format!("{} ", fit(&reach_label(pv.reachable), 12)),
                                reach_style(ctx, pv.reachable),
                            ),
                            Span::styled(pv.pool_fqdn.clone(), ctx.theme.text),
                        ]));
                        for r in &pv.reasons {
                            lines.push(Line::styled(
                                format!("  - {} [{:?}; {}]", r.text, r.fact, r.source),
                                ctx.theme.dim,
                            ));
                        }
                    }
                }
            }
        } else {
            let fqdn = pool_fqdns(ctx)
                .get(self.selected)
                .cloned()
                .unwrap_or_default();
            title = fqdn.clone();
            match ctx.snapshot.as_deref().and_then(|s| s.pool(&fqdn)) {
                None => lines.push(Line::styled(t!("pool-not-probed"), ctx.theme.dim)),
                Some(p) => {
                    lines.push(Line::styled(
                        format!("{} — {}", state_label(p.state), p.why),
                        state_style(ctx, p.state),
                    ));
                    for s in &p.servers {
                        let ports = s
                            .ports
                            .iter()
                            .map(|pt| {
                                format!(
                                    "{}:{}{}",
                                    pt.port,
                                    pt.outcome.label(),
                                    pt.latency_ms()
                                        .map(|l| format!(" {l}ms"))
                                        .unwrap_or_default()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("  ");
                        lines.push(Line::styled(format!("{}  {ports}", s.fqdn), ctx.theme.text));
                    }
                    for w in &p.cert_warnings {
                        lines.push(Line::styled(format!("! {w}"), ctx.theme.warn));
                    }
                }
            }
            if !self.changes.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(t!("pool-changes"), ctx.theme.title));
                for c in self.changes.iter().take(6) {
                    lines.push(Line::styled(c.clone(), ctx.theme.dim));
                }
            }
        }
        f.render_widget(
            Paragraph::new(lines)
                .block(block(ctx, title))
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

impl PoolsState {
    /// A pool changed state: list it (newest first) and write it to the audit trail (the
    /// first round's Unknown → X is not a change worth recording).
    pub fn on_state_change(&mut self, ctx: &mut Ctx, c: StateChange) {
        let line = format!(
            "{} {} {} → {} ({})",
            c.at.format("%H:%M:%S"),
            c.pool_fqdn,
            c.from.label(),
            c.to.label(),
            c.why
        );
        self.changes.insert(0, line);
        self.changes.truncate(20);
        if c.from == PoolState::Unknown {
            return;
        }
        let detail = crate::monitor::audit_detail(&c);
        let (sid, who) = (ctx.session.id, ctx.operator.clone());
        ctx.submit_store(move |store| {
            if let Err(e) = store.record_event(sid, "pool-state", None, &detail, &who) {
                tracing::warn!("cannot record a pool state change: {e}");
            }
        });
    }
}

impl Component for PoolsState {
    type Msg = ();

    fn on_enter(&mut self, ctx: &mut Ctx) {
        self.enter(ctx);
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        self.act(ctx, action)
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        self.paint(f, area, ctx);
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Pools]
    }

    fn hint(&self, _ctx: &Ctx) -> String {
        t!("hint-pools")
    }

    fn footer_hides(&self, ctx: &Ctx, action: Action) -> bool {
        // Stopping a pool is a lab rehearsal: production pools are not ours to stop.
        action == Action::TogglePool && ctx.deployment_kind != "lab"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_counts_the_unknown_apart_from_those_who_do_not_reach() {
        let t = coexistence::Tally {
            yes: 2,
            no: 3,
            contradicted: 1,
            unknown: 4,
        };
        assert_eq!(cell_text("yes", &t), "yes (2✓ 3✗ 5?)");
        let known = coexistence::Tally {
            yes: 2,
            no: 3,
            ..coexistence::Tally::default()
        };
        assert_eq!(cell_text("yes", &known), "yes (2✓ 3✗)");
        assert_eq!(cell_text("no", &coexistence::Tally::default()), "no");
    }
}
