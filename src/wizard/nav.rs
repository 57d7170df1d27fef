//! The runbook screen's logic without a terminal: which stage and item are selected, which pane
//! has the keys, the filter, and what an action asks the wizard to do ([`NavEffect`]). The
//! TUI's runbook screen (`tui::screens::runbook`) holds one [`RunbookNav`], feeds it the
//! keymap's actions, carries out the effects (gates, store writes, overlays, jobs) and draws
//! it; tests drive it with actions alone.

use serde::{Deserialize, Serialize};

use super::Action;
use crate::migration::Migration;
use crate::runbook::{Item, ProvenBy, Runbook, Stage};
use crate::store::ItemState;

/// Which pane has the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Focus {
    /// The stage list.
    #[default]
    Stages,
    /// The checklist of the selected stage (or the filter's matches).
    Items,
    /// The selected item's detail.
    Detail,
}

/// Something the admin asked for that may first need a confirmation or an override (the
/// gates of `Migration::gate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Open the selected stage's checklist.
    EnterStage(String),
    /// Change an item's state.
    SetState {
        /// Item id.
        item_id: String,
        /// New state.
        state: ItemState,
        /// Reason (skipped, blocked).
        reason: Option<String>,
    },
    /// Run an item's job.
    RunJob(String),
}

/// What an action asks the wizard to do beyond moving the selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavEffect {
    /// Pass the gates, then do it.
    Request(Pending),
    /// Ask for the reason of a skipped or blocked state.
    AskReason {
        /// The item.
        item_id: String,
        /// Skipped or blocked.
        state: ItemState,
    },
    /// Open the item's notes.
    EditNotes(String),
    /// Read the legacy database for items 9 and 32.
    LegacyProbe,
    /// Cancel the item's running job.
    CancelJob(String),
    /// Say something on the status line (a message id, and whether it is an error).
    Say(&'static str, bool),
}

/// The runbook screen's selection and filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunbookNav {
    /// Focused pane.
    pub focus: Focus,
    /// Selected stage: 0..stages, then the rollback list.
    pub stage_idx: usize,
    /// Selected row in the checklist.
    pub item_idx: usize,
    /// Detail pane scroll.
    pub detail_scroll: u16,
    /// Filter text.
    pub filter: String,
    /// Typing into the filter.
    pub filter_editing: bool,
}

impl RunbookNav {
    /// Number of rows in the stage list (the stages, then the rollback list).
    pub fn stage_count(rb: &Runbook) -> usize {
        rb.stages.len() + 1
    }

    /// The stage at a stage-list row.
    pub fn stage_at(rb: &Runbook, idx: usize) -> &Stage {
        rb.stages.get(idx).unwrap_or(&rb.rollback)
    }

    /// The selected stage.
    pub fn stage<'a>(&self, rb: &'a Runbook) -> &'a Stage {
        Self::stage_at(rb, self.stage_idx)
    }

    /// The stage ids in stage-list order.
    pub fn stage_ids(rb: &Runbook) -> Vec<String> {
        (0..Self::stage_count(rb))
            .map(|i| Self::stage_at(rb, i).id.clone())
            .collect()
    }

    /// The checklist rows: the selected stage's items, or every item matching the filter.
    pub fn visible_items<'a>(&self, rb: &'a Runbook) -> Vec<&'a Item> {
        let f = self.filter.trim().to_lowercase();
        if f.is_empty() {
            return self.stage(rb).items.iter().collect();
        }
        rb.stages
            .iter()
            .chain(std::iter::once(&rb.rollback))
            .flat_map(|s| s.items.iter())
            .filter(|it| {
                it.title.to_lowercase().contains(&f)
                    || it.id.to_lowercase().contains(&f)
                    || it.checklist.is_some_and(|n| n.to_string() == f)
                    || it.cmdlets.iter().any(|c| c.to_lowercase().contains(&f))
            })
            .collect()
    }

    /// The selected item.
    pub fn item<'a>(&self, rb: &'a Runbook) -> Option<&'a Item> {
        self.visible_items(rb).get(self.item_idx).copied()
    }

    /// Keeps the item selection within the checklist (after a filter or stage change).
    pub fn clamp(&mut self, rb: &Runbook) {
        let n = self.visible_items(rb).len();
        if self.item_idx >= n {
            self.item_idx = n.saturating_sub(1);
        }
    }

    /// Jumps to the rollback list.
    pub fn open_rollback(&mut self, rb: &Runbook) {
        self.stage_idx = Self::stage_count(rb) - 1;
        self.item_idx = 0;
        self.focus = Focus::Items;
        self.filter.clear();
    }

    /// Applies one action; returns what it asks the wizard to do. Actions of other screens
    /// and the global ones (quit, screens, theme…) give nothing here.
    pub fn on_action(&mut self, action: Action, rb: &Runbook, m: &Migration) -> Vec<NavEffect> {
        let item = self.item(rb).map(|i| (i.id.clone(), i.job, i.proven_by));
        match action {
            Action::Back => self.back(),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Stages => Focus::Items,
                    Focus::Items => Focus::Detail,
                    Focus::Detail => Focus::Stages,
                };
            }
            Action::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Stages => Focus::Detail,
                    Focus::Items => Focus::Stages,
                    Focus::Detail => Focus::Items,
                };
            }
            Action::Up => self.move_by(rb, -1),
            Action::Down => self.move_by(rb, 1),
            Action::PageUp => self.move_by(rb, -10),
            Action::PageDown => self.move_by(rb, 10),
            Action::Top => self.move_by(rb, -10_000),
            Action::Bottom => self.move_by(rb, 10_000),
            Action::Enter => match self.focus {
                Focus::Stages => {
                    return vec![NavEffect::Request(Pending::EnterStage(
                        self.stage(rb).id.clone(),
                    ))];
                }
                Focus::Items => self.focus = Focus::Detail,
                Focus::Detail => {}
            },
            Action::ToggleDone => {
                if let Some((id, _, _)) = item {
                    let state = if m.state(&id) == ItemState::Done {
                        ItemState::Todo
                    } else {
                        ItemState::Done
                    };
                    return vec![NavEffect::Request(Pending::SetState {
                        item_id: id,
                        state,
                        reason: None,
                    })];
                }
            }
            Action::Skip | Action::Block => {
                if let Some((id, _, _)) = item {
                    let state = if action == Action::Skip {
                        ItemState::Skipped
                    } else {
                        ItemState::Blocked
                    };
                    return vec![NavEffect::AskReason { item_id: id, state }];
                }
            }
            Action::Fail | Action::Reset => {
                if let Some((id, _, _)) = item {
                    let state = if action == Action::Fail {
                        ItemState::Failed
                    } else {
                        ItemState::Todo
                    };
                    return vec![NavEffect::Request(Pending::SetState {
                        item_id: id,
                        state,
                        reason: None,
                    })];
                }
            }
            Action::Notes => {
                if let Some((id, _, _)) = item {
                    return vec![NavEffect::EditNotes(id)];
                }
            }
            Action::RunJob => match item {
                Some((_, _, Some(ProvenBy::ProbeCapacity | ProvenBy::ProbeRoomNames))) => {
                    return vec![NavEffect::LegacyProbe];
                }
                Some((id, Some(_), _)) => return vec![NavEffect::Request(Pending::RunJob(id))],
                Some(_) => return vec![NavEffect::Say("status-no-job", true)],
                None => {}
            },
            Action::CancelJob => {
                if let Some((id, _, _)) = item {
                    return vec![NavEffect::CancelJob(id)];
                }
            }
            Action::Rollback => {
                self.open_rollback(rb);
                if !m.rollback_available {
                    return vec![NavEffect::Say("status-rollback-unavailable", true)];
                }
            }
            Action::Filter => {
                self.filter_editing = true;
                self.focus = Focus::Items;
            }
            _ => {}
        }
        Vec::new()
    }

    /// A key typed into the filter: a character, backspace, enter (done) or esc (cleared).
    pub fn filter_key(&mut self, key: FilterKey) {
        match key {
            FilterKey::Char(c) => {
                if self.filter.chars().count() < MAX_FILTER_CHARS {
                    self.filter.push(c);
                }
                self.item_idx = 0;
            }
            FilterKey::Backspace => {
                self.filter.pop();
                self.item_idx = 0;
            }
            FilterKey::Done => {
                self.filter_editing = false;
                self.focus = Focus::Items;
            }
            FilterKey::Clear => {
                self.filter.clear();
                self.filter_editing = false;
                self.item_idx = 0;
            }
        }
    }

    fn back(&mut self) {
        if !self.filter.is_empty() {
            self.filter.clear();
            self.item_idx = 0;
            return;
        }
        self.focus = match self.focus {
            Focus::Detail => Focus::Items,
            Focus::Items | Focus::Stages => Focus::Stages,
        };
    }

    fn move_by(&mut self, rb: &Runbook, delta: i32) {
        fn step(v: usize, delta: i32, len: usize) -> usize {
            if len == 0 {
                return 0;
            }
            let n = i64::try_from(v).unwrap_or(0) + i64::from(delta);
            usize::try_from(n.clamp(0, i64::try_from(len - 1).unwrap_or(0))).unwrap_or(0)
        }
        match self.focus {
            Focus::Stages => {
                let new = step(self.stage_idx, delta, Self::stage_count(rb));
                if new != self.stage_idx {
                    self.stage_idx = new;
                    self.item_idx = 0;
                    self.detail_scroll = 0;
                }
            }
            Focus::Items => {
                let new = step(self.item_idx, delta, self.visible_items(rb).len());
                if new != self.item_idx {
                    self.item_idx = new;
                    self.detail_scroll = 0;
                }
            }
            Focus::Detail => {
                let v = i32::from(self.detail_scroll) + delta;
                self.detail_scroll = u16::try_from(v.clamp(0, 2000)).unwrap_or(0);
            }
        }
    }
}

/// The longest filter (characters).
pub const MAX_FILTER_CHARS: usize = 4096;

/// A key typed while the filter is being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKey {
    /// A character.
    Char(char),
    /// Delete the last character.
    Backspace,
    /// Done: the checklist takes the keys.
    Done,
    /// Clear the filter and stop editing it.
    Clear,
}
