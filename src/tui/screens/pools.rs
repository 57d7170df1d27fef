//! The pools and coexistence screen: each pool's live state (up, degraded, down, unknown)
//! with a latency sparkline, certificate warnings and the last change; the client × pool
//! matrix from the coexistence rules, with the monitor's view folded in; and a user lookup
//! (type a SIP URI, see the verdict and every reason). In the lab, `x` stops or starts the
//! selected pool's loopback endpoints to rehearse the shutdown stage.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Sparkline};

use super::{movement, step};
use crate::coexistence::{self, Matrix, PoolHealth, Reach, Verdict};
use crate::monitor::{PoolState, StatusSnapshot};
use crate::t;
use crate::tui::app::{App, InputPurpose};
use crate::tui::keymap::Action;
use crate::tui::wrap::{Paragraph, Wrap, fit};

/// What the pools screen keeps.
#[derive(Default)]
pub struct PoolsState {
    /// Selected pool row.
    pub selected: usize,
    /// The monitor's latest snapshot.
    pub snapshot: Option<Arc<StatusSnapshot>>,
    /// The client × pool grid, recomputed when a snapshot arrives.
    pub matrix: Option<Matrix>,
    /// The last user lookup.
    pub lookup: Option<Result<Verdict, String>>,
    /// Recent state changes, newest first (at most 20).
    pub changes: Vec<String>,
}

/// The pool rows: the profile's pools, in profile order.
fn pool_fqdns(app: &App) -> Vec<String> {
    app.profile.pools.iter().map(|p| p.fqdn.clone()).collect()
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

/// Recomputes the grid from the profile and the latest snapshot.
pub fn refresh(app: &mut App) {
    let snap = app.pools.snapshot.clone();
    let h = |fqdn: &str| health(snap.as_deref(), fqdn);
    app.pools.matrix = Some(coexistence::matrix_with_health(&app.profile, Some(&h)));
}

/// Opened: compute the grid (the monitor fills in health as it goes).
pub fn on_enter(app: &mut App) {
    if app.pools.matrix.is_none() {
        refresh(app);
    }
}

/// Keys of the pools screen.
pub fn on_action(app: &mut App, action: Action) -> bool {
    if let Some(d) = movement(action) {
        app.pools.selected = step(app.pools.selected, d, pool_fqdns(app).len());
        return true;
    }
    match action {
        Action::ProbeNow => {
            app.monitor_command(crate::tui::monitor_link::MonitorCmd::ProbeNow);
            app.set_status(t!("status-probing"), false);
            true
        }
        Action::TogglePool => {
            if let Some(fqdn) = pool_fqdns(app).get(app.pools.selected).cloned() {
                app.toggle_lab_pool(fqdn);
            }
            true
        }
        Action::LookupUser => {
            app.open_input(InputPurpose::LookupUser, &t!("lookup-placeholder"));
            true
        }
        Action::ImportTopology => {
            app.open_input(InputPurpose::TopologyFile, &t!("topology-placeholder"));
            true
        }
        _ => false,
    }
}

/// Looks a user up (called when the lookup input is submitted).
pub fn lookup(app: &mut App, sip: &str) {
    let sip = sip.trim();
    let sip = if sip.contains(':') {
        sip.to_string()
    } else {
        format!("sip:{sip}")
    };
    let snap = app.pools.snapshot.clone();
    let h = |fqdn: &str| health(snap.as_deref(), fqdn);
    app.pools.lookup = Some(
        coexistence::lookup_with_health(&app.profile, &sip, Some(&h))
            .ok_or_else(|| t!("lookup-unknown", sip = sip.clone())),
    );
}

fn state_style(app: &App, s: PoolState) -> ratatui::style::Style {
    match s {
        PoolState::Up => app.theme.ok,
        PoolState::Degraded => app.theme.warn,
        PoolState::Down => app.theme.error,
        PoolState::Unknown => app.theme.dim,
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

fn reach_style(app: &App, r: Reach) -> ratatui::style::Style {
    match r {
        Reach::Yes => app.theme.ok,
        Reach::No => app.theme.error,
        Reach::Contradicted => app.theme.warn,
        Reach::Unknown => app.theme.dim,
    }
}

/// Draws the screen.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let n = u16::try_from(app.profile.pools.len()).unwrap_or(8);
    let [pools_area, rest] =
        Layout::vertical([Constraint::Length(n + 3), Constraint::Min(6)]).areas(area);
    draw_pools(f, pools_area, app);
    let (matrix_area, detail_area) = if area.width >= 120 {
        let [m, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(rest);
        (m, d)
    } else {
        let [m, d] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rest);
        (m, d)
    };
    draw_matrix(f, matrix_area, app);
    draw_detail(f, detail_area, app);
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(format!(" {title} "), app.theme.title))
}

fn draw_pools(f: &mut Frame, area: Rect, app: &App) {
    let snap = app.pools.snapshot.as_deref();
    let title = match snap.and_then(|s| s.taken_at) {
        Some(t) => t!(
            "pools-title-probed",
            when = t.format("%H:%M:%S UTC").to_string(),
            round = snap.map_or(0, |s| s.round)
        ),
        None => t!("pools-title-waiting"),
    };
    let b = block(app, title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let spark_w = 20u16.min(inner.width / 5);
    for (i, pool) in app.profile.pools.iter().enumerate() {
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
        let selected = i == app.pools.selected;
        let [text, spark] =
            Layout::horizontal([Constraint::Min(10), Constraint::Length(spark_w)]).areas(row);
        let wide = inner.width >= 110;
        let mut spans = vec![
            Span::styled(
                format!("{} ", fit(&state_label(state), 8)),
                state_style(app, state),
            ),
            Span::styled(format!("{:<30} ", pool.fqdn), app.theme.text),
        ];
        // Narrow terminals drop the product column: the FQDN names the pool.
        if wide {
            spans.push(Span::styled(
                format!("{:<34} ", pool.kind.product_name()),
                app.theme.dim,
            ));
        }
        spans.extend([
            Span::styled(format!("{up:>2}/{total:<2} "), app.theme.text),
            Span::styled(format!("{last} "), app.theme.dim),
        ]);
        if certs > 0 {
            spans.push(Span::styled(
                t!("cert-warnings", count = certs),
                app.theme.warn,
            ));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(app.theme.selected);
        }
        f.render_widget(Paragraph::new(line), text);
        if let Some(p) = status {
            let data: Vec<u64> = p.latency_history_ms.clone();
            f.render_widget(
                Sparkline::default()
                    .data(&data)
                    .style(state_style(app, state)),
                spark,
            );
        }
    }
    let header = if inner.width >= 110 {
        Line::styled(t!("pools-header"), app.theme.dim)
    } else {
        Line::styled(t!("pools-header-narrow"), app.theme.dim)
    };
    f.render_widget(
        Paragraph::new(header),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
}

fn draw_matrix(f: &mut Frame, area: Rect, app: &App) {
    let b = block(app, t!("matrix-title"));
    let inner = b.inner(area);
    f.render_widget(b, area);
    let Some(m) = &app.pools.matrix else { return };
    let col_w = usize::from(inner.width.saturating_sub(24)) / m.pools.len().max(1);
    let mut lines = vec![Line::from(
        std::iter::once(Span::styled(fit(&t!("matrix-client"), 24), app.theme.dim))
            .chain(m.pools.iter().map(|p| {
                let name: String = p.fqdn.chars().take(col_w.saturating_sub(1)).collect();
                Span::styled(format!("{name:<col_w$}"), app.theme.title)
            }))
            .collect::<Vec<_>>(),
    )];
    for row in &m.rows {
        let mut spans = vec![Span::styled(
            format!("{} ", fit(row.label, 23)),
            app.theme.text,
        )];
        for c in &row.cells {
            let t = &c.tally;
            let reach = c.rule.reach;
            let word = reach_label(reach);
            let cell = if t.total() > 0 {
                format!("{word} ({}✓ {}✗)", t.yes, t.no + t.unknown + t.contradicted)
            } else {
                word.to_string()
            };
            spans.push(Span::styled(
                format!("{} ", fit(&cell, col_w.saturating_sub(1))),
                reach_style(app, reach),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(t!("matrix-legend"), app.theme.dim));
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_detail(f: &mut Frame, area: Rect, app: &App) {
    let mut lines: Vec<Line> = Vec::new();
    let title;
    if let Some(lookup) = &app.pools.lookup {
        title = t!("lookup-title");
        match lookup {
            Err(e) => lines.push(Line::styled(e.clone(), app.theme.error)),
            Ok(v) => {
                let client = v
                    .client
                    .map_or_else(|| "?".to_string(), |c| format!("{c:?}"));
                lines.push(Line::styled(
                    format!("{} · {client}", v.user),
                    app.theme.title,
                ));
                for pv in &v.per_pool {
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!("{} ", fit(&reach_label(pv.reachable), 12)),
                            reach_style(app, pv.reachable),
                        ),
                        Span::styled(pv.pool_fqdn.clone(), app.theme.text),
                    ]));
                    for r in &pv.reasons {
                        lines.push(Line::styled(
                            format!("  - {} [{:?}; {}]", r.text, r.fact, r.source),
                            app.theme.dim,
                        ));
                    }
                }
            }
        }
    } else {
        let fqdn = pool_fqdns(app)
            .get(app.pools.selected)
            .cloned()
            .unwrap_or_default();
        title = fqdn.clone();
        match app.pools.snapshot.as_deref().and_then(|s| s.pool(&fqdn)) {
            None => lines.push(Line::styled(t!("pool-not-probed"), app.theme.dim)),
            Some(p) => {
                lines.push(Line::styled(
                    format!("{} — {}", state_label(p.state), p.why),
                    state_style(app, p.state),
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
                    lines.push(Line::styled(format!("{}  {ports}", s.fqdn), app.theme.text));
                }
                for w in &p.cert_warnings {
                    lines.push(Line::styled(format!("! {w}"), app.theme.warn));
                }
            }
        }
        if !app.pools.changes.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(t!("pool-changes"), app.theme.title));
            for c in app.pools.changes.iter().take(6) {
                lines.push(Line::styled(c.clone(), app.theme.dim));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block(app, title))
            .wrap(Wrap { trim: false }),
        area,
    );
}
