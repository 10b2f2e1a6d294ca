//! The connect screen: the code (grouped as the agent shows it, a typo
//! flagged from its check digit while typing), the relay and how it is
//! trusted, who the technician is, and what they ask for. It remembers
//! all but the code.

use super::settings::Settings;
use crate::run::Options;
use eframe::egui;
use std::path::Path;
use tessera_net::trust::RelayTrust;
use tessera_proto::peer::validate_name;
use tessera_proto::{Code, Fingerprint, Grants, Permission};
use tessera_secure::identity::{Introduction, SigningKey};
use tessera_session::code_entry::{self, CodeEntry};
use tessera_session::consent::Lang;
use tessera_session::viewer_words::viewer_words;
use zeroize::Zeroize;

use super::colours::{GRANTED, NOT_VERIFIED as ERROR};

/// A session ready to start: where, who, what, and the code.
pub struct Start {
    /// The session's options.
    pub options: Options,
    /// The person's code.
    pub code: Code,
}

/// Why the last session ended (or never started), shown above the form.
pub struct LastEnd {
    /// What happened, in plain words.
    pub headline: String,
    /// What to do next.
    pub advice: String,
    /// More, when there is more (filtered).
    pub detail: Option<String>,
    /// Whether it ended as expected (not an error).
    pub normal: bool,
}

/// The form's state.
pub struct ConnectForm {
    code: String,
    settings: Settings,
    /// A problem to show under the form (bad fingerprint, identity file).
    problem: Option<String>,
    /// Why the last session ended.
    pub last_end: Option<LastEnd>,
    focus_code: bool,
    /// The code field, once drawn (its egui state is dropped on start).
    code_field: Option<egui::Id>,
    /// The ticket given on the command line (`--ticket`), for every
    /// session of this window; never remembered.
    pub ticket: Option<tessera_proto::peer::Ticket>,
}

impl Drop for ConnectForm {
    fn drop(&mut self) {
        self.code.zeroize();
    }
}

impl ConnectForm {
    /// A form filled from the remembered settings (`problem`: they could
    /// not be read).
    pub fn new(settings: Settings, problem: Option<String>) -> Self {
        Self {
            code: String::new(),
            settings,
            problem,
            last_end: None,
            focus_code: true,
            code_field: None,
            ticket: None,
        }
    }

    /// The remembered settings, as the form now has them.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Draws the form; returns a session to start when Connect is pressed
    /// (or Enter in the code field) with everything valid.
    pub fn show(&mut self, ui: &mut egui::Ui, lang: Lang) -> Option<Start> {
        let w = viewer_words(lang);
        let mut start = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.set_max_width(520.0);
                ui.add_space(16.0);
                ui.heading(w.connect_title);
                ui.add_space(8.0);
                if let Some(end) = &self.last_end {
                    last_end(ui, end);
                    ui.add_space(8.0);
                }
                ui.label(w.code_label);
                let entry = code_entry::check(&self.code);
                // The code field has the keyboard when Connect comes back,
                // and whenever the window gets it with nothing else
                // focused: given before the field is drawn, so that keys
                // arriving in this very pass already go into it.
                let window_focused = ui.input(|i| {
                    i.events
                        .iter()
                        .any(|e| matches!(e, egui::Event::WindowFocused(true)))
                });
                let unfocused = ui.memory(|m| m.focused().is_none());
                if let Some(id) = self.code_field {
                    if self.focus_code || (window_focused && unfocused) {
                        ui.memory_mut(|m| m.request_focus(id));
                        self.focus_code = false;
                    }
                }
                let field = ui.add(
                    egui::TextEdit::singleline(&mut self.code)
                        .font(egui::TextStyle::Heading)
                        .hint_text("482 913 577 2")
                        .desired_width(260.0)
                        .align(egui::Align2::CENTER_CENTER),
                );
                self.code_field = Some(field.id);
                if self.focus_code {
                    field.request_focus();
                    self.focus_code = false;
                }
                let field = field.on_hover_text(w.code_hint);
                if field.changed() {
                    let grouped = code_entry::grouped(&self.code);
                    if grouped != self.code {
                        let cursor = cursor_index(ui, field.id)
                            .map(|at| code_entry::cursor_after_grouping(&self.code, at));
                        self.code.zeroize();
                        self.code = grouped;
                        place_cursor(ui, field.id, cursor.unwrap_or(self.code.chars().count()));
                    }
                }
                match entry.message(lang) {
                    Some(m) => ui.colored_label(ERROR, m),
                    None => ui.label(""),
                };
                let submitted = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if submitted && !entry.is_ready() {
                    // Enter on a code that is not right: stay here to fix it.
                    field.request_focus();
                }
                ui.add_space(8.0);
                self.details(ui, lang);
                ui.add_space(8.0);
                if let Some(problem) = &self.problem {
                    ui.colored_label(ERROR, problem.as_str());
                }
                let ready = entry.is_ready();
                let connect = ui.add_enabled(
                    ready,
                    egui::Button::new(egui::RichText::new(w.connect).heading())
                        .min_size(egui::vec2(200.0, 40.0)),
                );
                if ready && (connect.clicked() || submitted) {
                    if let CodeEntry::Ready(code) = entry {
                        start = self.start(code, lang);
                        if start.is_some() {
                            if let Some(id) = self.code_field {
                                forget_field(ui.ctx(), id);
                            }
                        }
                    }
                }
            });
        });
        start
    }

    fn details(&mut self, ui: &mut egui::Ui, lang: Lang) {
        let w = viewer_words(lang);
        let s = &mut self.settings;
        egui::Grid::new("connect-details")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                ui.label(w.relay_label);
                ui.add(egui::TextEdit::singleline(&mut s.relay).hint_text(w.relay_hint));
                ui.end_row();
                ui.label(w.relay_fingerprint_label);
                ui.add(
                    egui::TextEdit::singleline(&mut s.relay_fingerprint)
                        .hint_text(w.relay_fingerprint_hint),
                );
                ui.end_row();
                ui.label(w.identity_label);
                ui.add(egui::TextEdit::singleline(&mut s.identity).hint_text(w.identity_hint));
                ui.end_row();
                if s.identity.trim().is_empty() {
                    ui.label(w.name_label);
                    ui.text_edit_singleline(&mut s.name);
                    ui.end_row();
                    ui.label(w.org_label);
                    ui.text_edit_singleline(&mut s.org);
                    ui.end_row();
                }
                ui.label(w.receive_label);
                let default = tessera_files::downloads::default_receive_dir();
                let hint = format!("{} {}", w.receive_hint, default.display());
                ui.add(egui::TextEdit::singleline(&mut s.receive_dir).hint_text(hint));
                ui.end_row();
            });
        ui.add_space(8.0);
        ui.label(egui::RichText::new(w.ask_for).strong());
        let mut asked = requested(s);
        ui.horizontal_wrapped(|ui| {
            for p in Permission::ALL {
                let mut on = asked.contains(p);
                ui.checkbox(&mut on, w.permission(p).0)
                    .on_hover_text(w.permission(p).1);
                asked = if on { asked.with(p) } else { asked.without(p) };
            }
        });
        s.request = asked.iter().map(|p| p.name().to_string()).collect();
    }

    /// Everything the session needs, or the problem shown on the form.
    fn start(&mut self, code: Code, lang: Lang) -> Option<Start> {
        match self.prepare(code, lang) {
            Ok(start) => {
                self.code.zeroize();
                self.problem = None;
                self.last_end = None;
                Some(start)
            }
            Err(problem) => {
                self.problem = Some(problem);
                None
            }
        }
    }

    /// The session for `code` with the form as filled (`connect CODE`
    /// starts with it), or what is wrong with the form.
    pub fn prepare(&self, code: Code, lang: Lang) -> Result<Start, String> {
        let w = viewer_words(lang);
        let s = &self.settings;
        let trust = match s.relay_fingerprint.trim() {
            "" => RelayTrust::KnownRelays(RelayTrust::default_known_relays()),
            hex => RelayTrust::Fingerprint(
                hex.parse::<Fingerprint>()
                    .map_err(|e| format!("{} {e}", w.bad_fingerprint))?,
            ),
        };
        let requested = requested(s);
        if requested.is_empty() {
            return Err(w.nothing_asked.into());
        }
        let (name, org, key, certificate) = match s.identity.trim() {
            "" => {
                let name = s.name.trim().to_string();
                let org = Some(s.org.trim().to_string()).filter(|o| !o.is_empty());
                // Checked here, named as the form names the fields.
                validate_name(w.name_label, &name).map_err(|e| e.to_string())?;
                if let Some(org) = &org {
                    validate_name(w.org_label, org).map_err(|e| e.to_string())?;
                }
                let key = SigningKey::generate().map_err(|e| e.to_string())?;
                (name, org, key, None)
            }
            path => {
                let file = crate::identity::load(Path::new(path))?;
                (file.name, file.org, file.key, file.certificate)
            }
        };
        Ok(Start {
            options: Options {
                relay: s.relay.trim().to_string(),
                trust,
                intro: Introduction {
                    name,
                    org,
                    requested,
                    certificate,
                    ticket: self.ticket.clone(),
                },
                key,
                record_dir: match s.record_dir.trim() {
                    "" => tessera_audit::files::default_record_dir(),
                    dir => dir.into(),
                },
                receive_dir: match s.receive_dir.trim() {
                    "" => tessera_files::downloads::default_receive_dir(),
                    dir => dir.into(),
                },
                share_clipboard: true,
            },
            code,
        })
    }

    /// The code field takes the keyboard again (back from a session).
    pub fn focus_code(&mut self) {
        self.focus_code = true;
    }
}

fn requested(s: &Settings) -> Grants {
    s.request
        .iter()
        .filter_map(|n| Permission::from_name(n))
        .fold(Grants::NONE, Grants::with)
}

/// Where the text cursor is in field `id`, in characters.
fn cursor_index(ui: &egui::Ui, id: egui::Id) -> Option<usize> {
    let state = egui::TextEdit::load_state(ui.ctx(), id)?;
    Some(state.cursor.char_range()?.primary.index.0)
}

/// Puts the text cursor of field `id` at character `at`.
fn place_cursor(ui: &egui::Ui, id: egui::Id, at: usize) {
    if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), id) {
        let at = egui::text::CCursor::new(at);
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::one(at)));
        state.store(ui.ctx(), id);
    }
}

/// Forgets what egui kept of the code field (its undo history holds
/// copies of what was typed).
fn forget_field(ctx: &egui::Context, id: egui::Id) {
    ctx.data_mut(|d| d.remove::<egui::text_edit::TextEditState>(id));
}

fn last_end(ui: &mut egui::Ui, end: &LastEnd) {
    let colour = if end.normal { GRANTED } else { ERROR };
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(2.0, colour))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(&end.headline).strong().color(colour));
            ui.label(&end.advice);
            if let Some(detail) = &end.detail {
                ui.label(egui::RichText::new(detail).small());
            }
        });
}
