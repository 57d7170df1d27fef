//! Production: the exact script of a job, to read before it runs. A step that changes the
//! deployment needs its word typed; a password is asked when the profile needs one. Enter
//! approves ([`Command::RunApproved`]: the script's SHA-256 is recorded, never the password).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::TextArea;

use super::widgets::{
    MAX_CONFIRM_CHARS, MAX_LINE_CHARS, Scroll, paste_into, place_cursor, popup, single_line_editor,
    type_into,
};
use super::{Command, Outcome, Overlay};
use crate::exec::{Credential, CredentialNeed, Script, credential::Secret};
use crate::jobs::JobKind;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::tui::wrap::{Paragraph, Wrap};

/// What the operator approved: the job, the script's fingerprint and where it runs, and the
/// credential typed (held as a [`Secret`], wiped on drop).
pub struct Approval {
    /// Item id.
    pub item_id: String,
    /// Which job.
    pub kind: JobKind,
    /// SHA-256 of the exact script.
    pub sha256: String,
    /// Where it runs.
    pub runs_on: String,
    /// The credential typed, when one was asked for.
    pub credential: Option<Credential>,
}

/// The script review.
pub struct ScriptReview {
    /// Item id.
    pub item_id: String,
    /// Which job.
    pub kind: JobKind,
    /// The script as shown (secrets redacted).
    pub display: String,
    /// Where it runs.
    pub runs_on: String,
    /// Notes from the executor (double hop, package share, …).
    pub notes: Vec<String>,
    /// SHA-256 of the exact script, recorded when it is approved.
    pub sha256: String,
    /// The word to type when the script changes the deployment.
    pub confirm_word: Option<String>,
    /// The confirmation input.
    pub confirm: Box<TextArea<'static>>,
    /// The account name input, when the profile names none.
    pub user: Option<Box<TextArea<'static>>>,
    /// The account the profile names.
    pub fixed_user: Option<String>,
    /// The masked password input, when a password is needed.
    pub password: Option<Box<TextArea<'static>>>,
    /// Which input has the keys: 0 confirmation, 1 user, 2 password.
    pub field: usize,
    /// Scroll of the script text.
    pub scroll: Scroll,
}

impl ScriptReview {
    /// The review of `script` for `item_id`'s job.
    pub fn overlay(item_id: &str, kind: JobKind, script: &Script, need: CredentialNeed) -> Overlay {
        let (user, fixed_user, password) = match need {
            CredentialNeed::Prompt { user } => {
                let mut pw = single_line_editor(&t!("password-placeholder"));
                pw.set_mask_char('•');
                let editor = user
                    .is_none()
                    .then(|| Box::new(single_line_editor(&t!("user-placeholder"))));
                (editor, user, Some(Box::new(pw)))
            }
            _ => (None, None, None),
        };
        let confirm_word = script
            .changes_deployment
            .then(|| script.confirm_word.clone())
            .flatten();
        let field = if confirm_word.is_some() {
            0
        } else if user.is_some() {
            1
        } else {
            2
        };
        Overlay::Script(Box::new(ScriptReview {
            item_id: item_id.to_string(),
            kind,
            display: script.display.clone(),
            runs_on: script.runs_on.clone(),
            notes: script.notes.clone(),
            sha256: script.sha256(),
            confirm_word: confirm_word.clone(),
            confirm: Box::new(single_line_editor(
                &confirm_word.map_or_else(String::new, |w| t!("confirm-placeholder", word = w)),
            )),
            user,
            fixed_user,
            password,
            field,
            scroll: Scroll::default(),
        }))
    }

    fn fields(&self) -> Vec<usize> {
        let mut f = Vec::new();
        if self.confirm_word.is_some() {
            f.push(0);
        }
        if self.user.is_some() {
            f.push(1);
        }
        if self.password.is_some() {
            f.push(2);
        }
        f
    }

    fn editor(&mut self) -> Option<(&mut TextArea<'static>, usize)> {
        match self.field {
            0 if self.confirm_word.is_some() => Some((&mut self.confirm, MAX_CONFIRM_CHARS)),
            1 => self.user.as_deref_mut().map(|e| (e, MAX_LINE_CHARS)),
            2 => self.password.as_deref_mut().map(|e| (e, MAX_LINE_CHARS)),
            _ => None,
        }
    }

    /// Page keys scroll the script, tab moves between the inputs, enter approves, esc does
    /// not run it; other keys type into the active input.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => Outcome::close_with(vec![Command::Status(t!("status-not-run"), false)]),
            KeyCode::PageDown => {
                self.scroll.by(10);
                Outcome::keep()
            }
            KeyCode::PageUp => {
                self.scroll.by(-10);
                Outcome::keep()
            }
            KeyCode::Tab | KeyCode::BackTab => {
                let fields = self.fields();
                if let Some(i) = fields.iter().position(|f| *f == self.field) {
                    self.field = fields[(i + 1) % fields.len()];
                }
                Outcome::keep()
            }
            KeyCode::Enter => self.approve(),
            _ => {
                if let Some((e, limit)) = self.editor() {
                    type_into(e, k, limit);
                }
                Outcome::keep()
            }
        }
    }

    /// Checks the word and the credential; the approval takes the password out of the
    /// editor (which is cleared).
    fn approve(&mut self) -> Outcome {
        if let Some(word) = &self.confirm_word {
            let typed = self.confirm.lines().join("").trim().to_string();
            if &typed != word {
                self.field = 0;
                return Outcome::keep_with(vec![Command::Status(
                    t!("status-confirm-mismatch", word = word.clone()),
                    true,
                )]);
            }
        }
        let mut credential = None;
        if let Some(pw) = self.password.as_mut() {
            let user = self
                .fixed_user
                .clone()
                .or_else(|| {
                    self.user
                        .as_ref()
                        .map(|u| u.lines().join("").trim().to_string())
                })
                .unwrap_or_default();
            let password = pw.lines().join("");
            pw.clear();
            match Credential::new(user, Secret::new(password)) {
                Ok(c) => credential = Some(c),
                Err(e) => return Outcome::keep_with(vec![Command::Status(e, true)]),
            }
        }
        Outcome::close_with(vec![Command::RunApproved(Box::new(Approval {
            item_id: self.item_id.clone(),
            kind: self.kind,
            sha256: self.sha256.clone(),
            runs_on: self.runs_on.clone(),
            credential,
        }))])
    }

    /// A paste goes into the active input, on one line.
    pub fn on_paste(&mut self, text: &str) {
        if let Some((e, limit)) = self.editor() {
            paste_into(e, text, limit);
        }
    }

    /// Draws the script, its notes and the inputs.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let r = centered(area, 110, area.height.saturating_sub(2));
        let (block, inner) = popup(f, r, th, t!("title-script", job = self.kind.title()));
        let inputs = u16::from(self.confirm_word.is_some())
            + u16::from(self.user.is_some())
            + u16::from(self.password.is_some());
        let [head, body, fields, hint] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(inputs * 2),
            Constraint::Length(1),
        ])
        .areas(inner);
        let lines = self.display.lines().count();
        let code_rows = body.height.saturating_sub(2);
        let block = match self.scroll.indicator(lines, code_rows) {
            Some(at) => block.title_bottom(Span::styled(format!(" {at} "), th.key)),
            None => block,
        };
        f.render_widget(block, r);
        let mut head_lines = vec![Line::styled(
            t!(
                "script-runs-on",
                host = self.runs_on.clone(),
                sha = self.sha256.chars().take(16).collect::<String>()
            ),
            th.text,
        )];
        if let Some(n) = self.notes.first() {
            head_lines.push(Line::styled(n.clone(), th.warn));
        }
        f.render_widget(Paragraph::new(head_lines).wrap(Wrap { trim: true }), head);
        let code: Vec<Line> = self
            .display
            .lines()
            .map(|l| Line::styled(l.to_string(), th.code))
            .collect();
        let top = self.scroll.clamp(lines, code_rows);
        f.render_widget(
            Paragraph::new(code)
                .block(
                    Block::default()
                        .borders(Borders::TOP | Borders::BOTTOM)
                        .border_style(th.border),
                )
                .scroll((top, 0)),
            body,
        );
        let mut y = fields.y;
        let mut field = |label: String, editor: &TextArea<'_>, active: bool| {
            let label_area = Rect::new(fields.x, y, fields.width, 1);
            let input_area = Rect::new(fields.x, y + 1, fields.width, 1);
            f.render_widget(
                Paragraph::new(label).style(if active { th.key } else { th.dim }),
                label_area,
            );
            f.render_widget(editor, input_area);
            if active {
                place_cursor(f, input_area, editor);
            }
            y += 2;
        };
        if let Some(word) = &self.confirm_word {
            field(
                t!("confirm-type", word = word.clone()),
                &self.confirm,
                self.field == 0,
            );
        }
        if let Some(u) = &self.user {
            field(t!("script-user"), u, self.field == 1);
        }
        if let Some(p) = &self.password {
            let label = match &self.fixed_user {
                Some(u) => t!("script-password-for", user = u.clone()),
                None => t!("script-password"),
            };
            field(label, p, self.field == 2);
        }
        f.render_widget(Paragraph::new(t!("script-hint")).style(th.dim), hint);
    }
}
