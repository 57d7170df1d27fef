//! The `-WhatIf` preview: what the import would do and every finding, grouped by code with
//! counts (errors first), a group expanded to its rooms, filtered by text; `a` acknowledges
//! the warnings, `L` accepts a refused item's loss by name. The large lab gives thousands of
//! findings over a dozen codes, so the list is read by group, and the selection never leaves
//! the rows there are.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

use super::accept_loss::AcceptLossOverlay;
use super::widgets::{MAX_LINE_CHARS, one_line, popup};
use super::{Command, Outcome, Overlay};
use crate::jobs::JobKind;
use crate::migration::{self, FindingGroup, ImportReadiness, Preview, PreviewWarning};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::tui::layout::list_offset;
use crate::tui::wrap::{Paragraph, Wrap};

/// One row of the finding list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// A group's heading: its index and how many of its findings the filter keeps.
    Group(usize, usize),
    /// A finding: its group and its index in the preview.
    Finding(usize, usize),
}

/// The preview overlay.
pub struct PreviewOverlay {
    /// The preview read from the evidence.
    pub preview: Box<Preview>,
    /// The package's inventory from the inspector (filled in when it has read it).
    pub inventory: Vec<String>,
    /// The findings by code.
    pub groups: Vec<FindingGroup>,
    /// Codes shown expanded.
    pub expanded: HashSet<String>,
    /// Selected row.
    pub selected: usize,
    /// Filter text (code, item or message, any case).
    pub filter: String,
    /// Typing into the filter.
    pub filter_editing: bool,
}

impl PreviewOverlay {
    /// The preview with every group collapsed but the errors'.
    pub fn overlay(preview: Preview) -> Overlay {
        let groups = preview.groups();
        let expanded = groups
            .iter()
            .filter(|g| g.severity == crate::chatdata::preflight::severity::ERROR)
            .map(|g| g.code.clone())
            .collect();
        Overlay::Preview(Box::new(PreviewOverlay {
            preview: Box::new(preview),
            inventory: Vec::new(),
            groups,
            expanded,
            selected: 0,
            filter: String::new(),
            filter_editing: false,
        }))
    }

    fn matches(&self, w: &PreviewWarning) -> bool {
        let f = self.filter.trim().to_lowercase();
        f.is_empty()
            || w.code.to_lowercase().contains(&f)
            || w.item.to_lowercase().contains(&f)
            || w.message.to_lowercase().contains(&f)
    }

    /// The rows shown: each group with findings the filter keeps, and its findings when it is
    /// expanded (every group is, while a filter is set).
    pub fn rows(&self) -> Vec<Row> {
        let filtering = !self.filter.trim().is_empty();
        let mut rows = Vec::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let kept: Vec<usize> = g
                .members
                .iter()
                .copied()
                .filter(|&i| self.matches(&self.preview.warnings[i]))
                .collect();
            if kept.is_empty() {
                continue;
            }
            rows.push(Row::Group(gi, kept.len()));
            if filtering || self.expanded.contains(&g.code) {
                rows.extend(kept.into_iter().map(|i| Row::Finding(gi, i)));
            }
        }
        rows
    }

    fn selected_row(&self) -> Option<Row> {
        self.rows().get(self.selected).copied()
    }

    fn move_to(&mut self, to: i64) {
        let n = self.rows().len();
        self.selected =
            usize::try_from(to.clamp(0, i64::try_from(n).unwrap_or(0) - 1)).unwrap_or(0);
    }

    fn move_by(&mut self, delta: i64) {
        self.move_to(i64::try_from(self.selected).unwrap_or(0) + delta);
    }

    /// Moves to the next (or previous) group heading.
    fn jump_group(&mut self, forward: bool) {
        let rows = self.rows();
        let mut heads = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Group(..)))
            .map(|(i, _)| i);
        let to = if forward {
            heads.find(|&i| i > self.selected)
        } else {
            heads.rfind(|&i| i < self.selected)
        };
        if let Some(to) = to {
            self.selected = to;
        }
    }

    fn toggle_selected(&mut self) {
        let (Row::Group(gi, _) | Row::Finding(gi, _)) = match self.selected_row() {
            Some(r) => r,
            None => return,
        };
        let code = self.groups[gi].code.clone();
        if !self.expanded.remove(&code) {
            self.expanded.insert(code);
        }
        // Stay on the group's heading when it folds.
        if let Some(i) = self
            .rows()
            .iter()
            .position(|r| matches!(r, Row::Group(g, _) if *g == gi))
        {
            self.selected = i;
        }
    }

    /// Keys: movement, enter folds a group, `/` filters, `]`/`[` jump between groups, `x`
    /// folds or unfolds all, `a` acknowledges, `L` accepts a refused item's loss, esc closes.
    pub fn on_key(&mut self, k: KeyEvent, ctx: &Ctx) -> Outcome {
        if self.filter_editing {
            match k.code {
                KeyCode::Esc => {
                    self.filter.clear();
                    self.filter_editing = false;
                }
                KeyCode::Enter => self.filter_editing = false,
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c)
                    if !k.modifiers.contains(KeyModifiers::CONTROL)
                        && self.filter.chars().count() < MAX_LINE_CHARS =>
                {
                    self.filter.push(c);
                }
                _ => {}
            }
            self.move_by(0);
            return Outcome::keep();
        }
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.move_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.move_by(-1),
            KeyCode::PageDown => self.move_by(10),
            KeyCode::PageUp => self.move_by(-10),
            KeyCode::Home | KeyCode::Char('g') => self.move_to(0),
            KeyCode::End | KeyCode::Char('G') => self.move_to(i64::MAX / 2),
            KeyCode::Char(']') => self.jump_group(true),
            KeyCode::Char('[') => self.jump_group(false),
            KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Right | KeyCode::Left => {
                self.toggle_selected();
            }
            KeyCode::Char('x') => {
                if self.expanded.len() == self.groups.len() {
                    self.expanded.clear();
                } else {
                    self.expanded = self.groups.iter().map(|g| g.code.clone()).collect();
                }
                self.move_by(0);
            }
            KeyCode::Char('/') => self.filter_editing = true,
            KeyCode::Char('a') => return self.acknowledge(ctx),
            KeyCode::Char('L') => return self.accept_loss(ctx),
            KeyCode::Esc | KeyCode::Char('q') => {
                if self.filter.is_empty() {
                    return Outcome::close();
                }
                self.filter.clear();
                self.move_by(0);
            }
            _ => {}
        }
        Outcome::keep()
    }

    /// A paste goes into the filter while it is being typed.
    pub fn on_paste(&mut self, text: &str) {
        if self.filter_editing {
            let room = MAX_LINE_CHARS.saturating_sub(self.filter.chars().count());
            self.filter.push_str(&one_line(text, room));
            self.move_by(0);
        }
    }

    fn acknowledge(&self, ctx: &Ctx) -> Outcome {
        match &ctx.migration.import {
            ImportReadiness::NotAcknowledged { .. } => {
                let item = ctx
                    .runbook
                    .job_item(JobKind::ImportWhatIf)
                    .map(|i| i.id.clone())
                    .unwrap_or_default();
                Outcome::close_with(vec![Command::RecordEvent {
                    kind: migration::EVENT_WHATIF_ACK,
                    subject: item,
                    detail: migration::ack_detail(&self.preview),
                    then: None,
                }])
            }
            ImportReadiness::LossesNotAccepted { .. } => Outcome::keep_with(vec![Command::Status(
                t!("import-losses-not-accepted"),
                true,
            )]),
            ImportReadiness::Ready => Outcome::close_with(vec![Command::Status(
                t!("status-already-acknowledged"),
                false,
            )]),
            other => Outcome::keep_with(vec![Command::Status(t!(other.message_id()), true)]),
        }
    }

    fn is_accepted(ctx: &Ctx, w: &PreviewWarning) -> bool {
        ctx.migration
            .accepted_losses
            .iter()
            .any(|a| a.code == w.code && a.item == w.item)
    }

    /// The selected refused item, or else the first one not accepted yet.
    fn accept_loss(&self, ctx: &Ctx) -> Outcome {
        let selected = match self.selected_row() {
            Some(Row::Finding(_, i)) => Some(&self.preview.warnings[i]),
            _ => None,
        }
        .filter(|w| w.is_error() && !Self::is_accepted(ctx, w));
        let next = selected
            .or_else(|| self.preview.errors().find(|w| !Self::is_accepted(ctx, w)))
            .cloned();
        match next {
            Some(w) if self.preview.completed && self.preview.stale.is_none() => {
                Outcome::close_with(vec![Command::Open(AcceptLossOverlay::overlay(
                    self.preview.evidence_id,
                    w,
                ))])
            }
            _ => Outcome::keep_with(vec![Command::Status(t!("status-no-loss-to-accept"), false)]),
        }
    }

    /// Draws the summary, the inventory, the grouped findings and the selected one in full.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let r = centered(area, 110, area.height.saturating_sub(2));
        let (block, inner) = popup(f, r, th, t!("title-preview"));
        f.render_widget(block, r);
        let p = &self.preview;
        let c = p.counts;
        let mut head = vec![
            Line::styled(
                p.summary.clone(),
                if p.completed && c.errors == 0 {
                    th.ok
                } else {
                    th.error
                },
            ),
            Line::styled(
                t!(
                    "preview-counts",
                    errors = c.errors,
                    warnings = c.warnings,
                    notes = c.notes
                ),
                if c.errors > 0 { th.error } else { th.title },
            ),
            Line::styled(
                t!(
                    "preview-ran",
                    when = p.at.format("%Y-%m-%d %H:%M UTC").to_string()
                ),
                th.dim,
            ),
        ];
        if self.inventory.is_empty() {
            head.push(Line::styled(t!("inventory-reading"), th.dim));
        } else {
            head.push(Line::styled(
                format!("{} {}", t!("inventory-title"), self.inventory.join(" · ")),
                th.text,
            ));
        }
        let head_para = Paragraph::new(head).wrap(Wrap { trim: true });
        let head_rows = u16::try_from(head_para.line_count(inner.width)).unwrap_or(4);
        let [head_area, list_area, detail_area, filter_area, hint_area] = Layout::vertical([
            Constraint::Length(head_rows),
            Constraint::Min(3),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(head_para, head_area);

        let rows = self.rows();
        let width = usize::from(list_area.width);
        let items: Vec<ListItem> = rows
            .iter()
            .map(|row| match *row {
                Row::Group(gi, kept) => {
                    let g = &self.groups[gi];
                    let open = self.expanded.contains(&g.code) || !self.filter.trim().is_empty();
                    let style = severity_style(ctx, &g.severity);
                    let mut spans = vec![
                        Span::styled(if open { "▾ " } else { "▸ " }, th.key),
                        Span::styled(format!("{:<8}", g.severity), style),
                        Span::styled(g.code.clone(), th.key),
                        Span::styled(
                            if kept == g.members.len() {
                                format!("  ({kept})")
                            } else {
                                format!("  ({kept}/{})", g.members.len())
                            },
                            th.text,
                        ),
                    ];
                    if g.severity == crate::chatdata::preflight::severity::ERROR {
                        let accepted = g
                            .members
                            .iter()
                            .filter(|&&i| Self::is_accepted(ctx, &p.warnings[i]))
                            .count();
                        spans.push(Span::styled(
                            format!(
                                "  {}",
                                t!(
                                    "preview-group-accepted",
                                    accepted = accepted,
                                    total = g.members.len()
                                )
                            ),
                            if accepted == g.members.len() {
                                th.warn
                            } else {
                                th.error
                            },
                        ));
                    }
                    ListItem::new(Line::from(spans))
                }
                Row::Finding(_, i) => {
                    let w = &p.warnings[i];
                    let mark = if w.is_error() {
                        if Self::is_accepted(ctx, w) {
                            format!("{} ", t!("loss-accepted"))
                        } else {
                            format!("{} ", t!("loss-open"))
                        }
                    } else {
                        String::new()
                    };
                    let text = crate::tui::text::truncate(
                        &format!("    {mark}{}: {}", w.item, w.message),
                        width,
                    );
                    ListItem::new(Line::styled(text, th.text))
                }
            })
            .collect();
        let height = usize::from(list_area.height);
        let selected = self.selected.min(rows.len().saturating_sub(1));
        let mut state = ListState::default()
            .with_offset(list_offset(selected, height))
            .with_selected((!rows.is_empty()).then_some(selected));
        f.render_stateful_widget(
            List::new(items).highlight_style(th.selected),
            list_area,
            &mut state,
        );
        if rows.is_empty() {
            let text = if p.warnings.is_empty() {
                t!("preview-no-warnings")
            } else {
                t!("preview-no-match")
            };
            f.render_widget(Paragraph::new(text).style(th.dim), list_area);
        }

        let detail = match rows.get(selected) {
            Some(Row::Finding(_, i)) => {
                let w = &p.warnings[*i];
                vec![
                    Line::from(vec![
                        Span::styled(format!("{} ", w.code), th.key),
                        Span::styled(w.item.clone(), th.title),
                    ]),
                    Line::styled(w.message.clone(), th.text),
                ]
            }
            Some(Row::Group(gi, _)) => {
                let g = &self.groups[*gi];
                vec![Line::styled(
                    t!(
                        "preview-group-hint",
                        code = g.code.clone(),
                        count = g.members.len()
                    ),
                    th.dim,
                )]
            }
            None => Vec::new(),
        };
        f.render_widget(
            Paragraph::new(detail).wrap(Wrap { trim: true }),
            detail_area,
        );
        let filter_line = if self.filter_editing || !self.filter.is_empty() {
            Line::styled(
                t!("hint-filter", filter = self.filter.clone()),
                if self.filter_editing { th.key } else { th.dim },
            )
        } else {
            Line::styled(
                t!(
                    "preview-position",
                    row = selected + usize::from(!rows.is_empty()),
                    rows = rows.len()
                ),
                th.dim,
            )
        };
        f.render_widget(Paragraph::new(filter_line), filter_area);
        let readiness = &ctx.migration.import;
        let hint_text = match readiness {
            ImportReadiness::Ready => t!("preview-acknowledged"),
            ImportReadiness::LossesNotAccepted { .. } => t!("preview-hint-losses"),
            _ => t!("preview-hint"),
        };
        f.render_widget(
            Paragraph::new(hint_text).style(if *readiness == ImportReadiness::Ready {
                th.ok
            } else {
                th.key
            }),
            hint_area,
        );
    }
}

fn severity_style(ctx: &Ctx, severity: &str) -> ratatui::style::Style {
    match severity {
        "error" => ctx.theme.error,
        "info" => ctx.theme.dim,
        _ => ctx.theme.warn,
    }
}
