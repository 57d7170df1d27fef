//! The runbook screen: the stage list, the selected stage's checklist (or the filter's
//! matches) and the selected item's detail. Its selection and the effects of its keys are
//! [`RunbookNav`] (`crate::wizard`, testable without a terminal); this module carries the
//! effects out through the context (gates, store writes, overlays, jobs), saves the position,
//! handles the mouse and draws.

mod detail;
mod panes;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};

use super::Component;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::layout::{layout, list_offset};
use crate::tui::overlays::{NotesOverlay, ReasonOverlay, widgets::one_line};
use crate::wizard::{FilterKey, Focus, NavEffect, Pending, RunbookNav};

pub use detail::state_message;

/// The runbook screen's state: the selection, and the position last saved.
#[derive(Default)]
pub struct RunbookScreen {
    /// Selection, focus and filter.
    pub nav: RunbookNav,
    /// The UI position as last saved (JSON).
    pub saved_ui: String,
    ui_save: Arc<UiSaveSlot>,
}

/// Where the admin was, saved per session.
#[derive(serde::Serialize, serde::Deserialize)]
struct UiState {
    stage: String,
    item: Option<String>,
    focus: Focus,
}

/// The newest UI position not yet saved, and whether a save is queued.
#[derive(Default)]
struct UiSaveSlot {
    latest: std::sync::Mutex<Option<String>>,
    queued: std::sync::atomic::AtomicBool,
}

impl RunbookScreen {
    /// The screen at the position saved for the session (JSON from the store), if any.
    pub fn restore(ctx: &Ctx, saved: Option<String>) -> RunbookScreen {
        let mut s = RunbookScreen::default();
        let rb = &ctx.runbook;
        if let Some(ui) = saved
            .as_deref()
            .and_then(|j| serde_json::from_str::<UiState>(j).ok())
        {
            if let Some(i) = RunbookNav::stage_ids(rb)
                .iter()
                .position(|id| *id == ui.stage)
            {
                s.nav.stage_idx = i;
            }
            if let Some(item) = ui.item
                && let Some(i) = s.nav.visible_items(rb).iter().position(|it| it.id == item)
            {
                s.nav.item_idx = i;
            }
            s.nav.focus = ui.focus;
            s.saved_ui = saved.unwrap_or_default();
        }
        s
    }

    /// Asks for an action through the gates; done at once when none stands in front of it.
    pub fn request(&mut self, ctx: &mut Ctx, pending: Pending) {
        if let Some(p) = ctx.gate(pending) {
            self.perform(ctx, p);
        }
    }

    fn perform(&mut self, ctx: &mut Ctx, pending: Pending) {
        match pending {
            Pending::EnterStage(_) => {
                self.nav.focus = Focus::Items;
                self.nav.clamp(&ctx.runbook);
            }
            Pending::SetState {
                item_id,
                state,
                reason,
            } => ctx.save_state(&item_id, state, reason),
            Pending::RunJob(item_id) => ctx.start_job(&item_id),
        }
    }

    fn carry_out(&mut self, ctx: &mut Ctx, effect: NavEffect) {
        match effect {
            NavEffect::Request(p) => self.request(ctx, p),
            NavEffect::AskReason { item_id, state } => {
                ctx.open(ReasonOverlay::overlay(item_id, state))
            }
            NavEffect::EditNotes(id) => {
                let note = ctx
                    .record(&id)
                    .and_then(|r| r.note.clone())
                    .unwrap_or_default();
                ctx.open(NotesOverlay::overlay(&id, note));
            }
            NavEffect::LegacyProbe => ctx.run_legacy_probe(true),
            NavEffect::CancelJob(id) => ctx.cancel_job(&id),
            NavEffect::Say(id, error) => ctx.set_status(t!(id), error),
        }
    }

    /// A key while the filter is being typed (true: it took the key).
    pub fn on_filter_key(&mut self, ctx: &Ctx, k: &KeyEvent) -> bool {
        if !self.nav.filter_editing {
            return false;
        }
        let key = match k.code {
            KeyCode::Esc => FilterKey::Clear,
            KeyCode::Enter => FilterKey::Done,
            KeyCode::Backspace => FilterKey::Backspace,
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => FilterKey::Char(c),
            _ => return true,
        };
        self.nav.filter_key(key);
        self.nav.clamp(&ctx.runbook);
        true
    }

    /// A paste into the filter while it is being typed (true: it took the text).
    pub fn on_paste(&mut self, ctx: &Ctx, text: &str) -> bool {
        if !self.nav.filter_editing {
            return false;
        }
        let room =
            crate::wizard::nav::MAX_FILTER_CHARS.saturating_sub(self.nav.filter.chars().count());
        self.nav.filter.push_str(&one_line(text, room));
        self.nav.item_idx = 0;
        self.nav.clamp(&ctx.runbook);
        true
    }

    /// The mouse: a click selects a stage or an item, the wheel scrolls the pane under it.
    pub fn on_mouse(&mut self, ctx: &Ctx, m: MouseEvent) {
        let a = layout(Rect::new(0, 0, ctx.size.0, ctx.size.1));
        let p = Position::new(m.column, m.row);
        let pane = if a.stages.contains(p) {
            Focus::Stages
        } else if a.items.contains(p) {
            Focus::Items
        } else if a.detail.contains(p) {
            Focus::Detail
        } else {
            return;
        };
        let rb = &ctx.runbook;
        let nav = &mut self.nav;
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = m.kind == MouseEventKind::ScrollDown;
                let before = nav.focus;
                nav.focus = pane;
                let steps = if pane == Focus::Detail { 3 } else { 1 };
                for _ in 0..steps {
                    nav.on_action(
                        if down { Action::Down } else { Action::Up },
                        rb,
                        &ctx.migration,
                    );
                }
                nav.focus = before;
            }
            MouseEventKind::Down(MouseButton::Left) => {
                nav.focus = pane;
                let (area, selected, len) = match pane {
                    Focus::Stages => (a.stages, nav.stage_idx, RunbookNav::stage_count(rb)),
                    Focus::Items => (a.items, nav.item_idx, nav.visible_items(rb).len()),
                    Focus::Detail => return,
                };
                let inner_y = area.y + 1;
                let height = usize::from(area.height.saturating_sub(2));
                if m.row < inner_y || height == 0 {
                    return;
                }
                let row = list_offset(selected, height) + usize::from(m.row - inner_y);
                if row < len {
                    if pane == Focus::Stages && row != nav.stage_idx {
                        nav.stage_idx = row;
                        nav.item_idx = 0;
                        nav.detail_scroll = 0;
                    } else if pane == Focus::Items && row != nav.item_idx {
                        nav.item_idx = row;
                        nav.detail_scroll = 0;
                    }
                }
            }
            _ => {}
        }
    }

    /// Saves where the admin is, when it changed (no audit event: it is not a change of the
    /// migration's state). Latest position wins, one save queued at a time: a flood of
    /// movement keys must not queue one committed write per key (quit waits for the queue).
    pub fn save_position(&mut self, ctx: &Ctx) {
        let rb = &ctx.runbook;
        let ui = UiState {
            stage: self.nav.stage(rb).id.clone(),
            item: self.nav.item(rb).map(|i| i.id.clone()),
            focus: self.nav.focus,
        };
        let Ok(json) = serde_json::to_string(&ui) else {
            return;
        };
        if json == self.saved_ui {
            return;
        }
        self.saved_ui = json.clone();
        *self
            .ui_save
            .latest
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(json);
        if self
            .ui_save
            .queued
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            return;
        }
        let sid = ctx.session.id;
        let slot = self.ui_save.clone();
        ctx.submit_store(move |store| {
            slot.queued
                .store(false, std::sync::atomic::Ordering::Release);
            let latest = slot.latest.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(json) = latest
                && let Err(e) = store.save_ui_state(sid, &json)
            {
                tracing::warn!("cannot save the UI position: {e}");
            }
        });
    }
}

impl Component for RunbookScreen {
    type Msg = ();

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        let effects = self.nav.on_action(action, &ctx.runbook, &ctx.migration);
        for e in effects {
            self.carry_out(ctx, e);
        }
        self.nav.clamp(&ctx.runbook);
        // Every runbook action ends here: the global ones were offered first.
        true
    }

    fn draw(&self, f: &mut Frame, _area: Rect, ctx: &Ctx) {
        let a = layout(f.area());
        panes::draw_stages(f, a.stages, self, ctx);
        panes::draw_items(f, a.items, self, ctx);
        panes::draw_detail(f, a.detail, self, ctx);
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Stages, Context::Items]
    }

    fn context(&self, ctx: &Ctx) -> Context {
        match self.nav.focus {
            Focus::Stages => Context::Stages,
            Focus::Items | Focus::Detail if self.nav.item(&ctx.runbook).is_some() => Context::Items,
            Focus::Items | Focus::Detail => Context::Stages,
        }
    }

    fn hint(&self, ctx: &Ctx) -> String {
        if self.nav.filter_editing {
            return t!("hint-filter", filter = self.nav.filter.clone());
        }
        match self.nav.focus {
            Focus::Stages => t!("hint-stages"),
            Focus::Items => match self.nav.item(&ctx.runbook) {
                Some(it) if it.job.is_some() => t!("hint-item-job"),
                Some(_) => t!("hint-item"),
                None => t!("no-items"),
            },
            Focus::Detail => t!("hint-detail"),
        }
    }

    fn footer_hides(&self, ctx: &Ctx, action: Action) -> bool {
        let item = self.nav.item(&ctx.runbook);
        match action {
            // `r` is offered only on an item with a job (or the legacy probe of 9 and 32).
            Action::RunJob => !item.is_some_and(|i| {
                i.job.is_some()
                    || matches!(
                        i.proven_by,
                        Some(
                            crate::runbook::ProvenBy::ProbeCapacity
                                | crate::runbook::ProvenBy::ProbeRoomNames
                        )
                    )
            }),
            Action::CancelJob => !item.is_some_and(|i| ctx.jobs.contains_key(&i.id)),
            _ => false,
        }
    }
}
