//! The session indicator, the bar opened into everything: who is
//! connected (verified or not), for how long, what they may do with a
//! button to take each back, the chat, Stop, and the way back to the bar.
//! It only takes away: nothing here can add a grant.

use super::UiEvent;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_proto::peer::MAX_CHAT_CHARS;
use tessera_proto::{Grants, Permission};
use tessera_session::consent::{describe_technician, permission_explained, Lang};
use tessera_session::words::{chat_label, connected_for, indicator_words};
use tessera_session::{Side, Technician};

/// The colour of "in progress" and of Stop.
pub const LIVE: egui::Color32 = egui::Color32::from_rgb(0xc0, 0x10, 0x10);
/// The technician's chat lines, set apart from the window's own words.
const THEIRS: egui::Color32 = egui::Color32::from_rgb(0x10, 0x30, 0x80);

/// Chat lines kept on screen.
const CHAT_KEPT: usize = 200;
/// Clipboard lines kept on screen.
const COPIES_KEPT: usize = 3;

/// A running session, as the window shows it.
pub struct Live {
    /// Who is connected, as the prompt named them.
    pub technician: Technician,
    /// What they may do now.
    pub granted: Grants,
    since: Instant,
    chat: Vec<(Side, String)>,
    draft: String,
    /// Files coming in and going out.
    pub transfers: super::transfers::Transfers,
    /// What crossed the clipboard lately, newest last.
    copies: Vec<String>,
}

impl Live {
    pub fn new(technician: Technician, granted: Grants) -> Self {
        Self {
            technician,
            granted,
            since: Instant::now(),
            chat: Vec::new(),
            draft: String::new(),
            transfers: Default::default(),
            copies: Vec::new(),
        }
    }

    /// How long the session has run.
    pub fn connected(&self) -> Duration {
        self.since.elapsed()
    }

    /// "for 12 min", and asks for the next frame when those words change
    /// (not before: an idle session's window stays still on the screen
    /// the technician's stream captures).
    pub fn for_how_long(&self, ui: &egui::Ui, lang: Lang) -> String {
        let (text, changes_in) = connected_for(self.connected(), lang);
        ui.ctx().request_repaint_after(changes_in);
        text
    }

    /// Keeps a chat line to show.
    pub fn chat_line(&mut self, from: Side, text: String) {
        if self.chat.len() == CHAT_KEPT {
            self.chat.remove(0);
        }
        self.chat.push((from, text));
    }

    /// Keeps what crossed the clipboard, in the person's words.
    pub fn copied(&mut self, line: String) {
        if self.copies.len() == COPIES_KEPT {
            self.copies.remove(0);
        }
        self.copies.push(line);
    }

    /// Draws the indicator; what the person pressed.
    pub fn show(&mut self, ui: &mut egui::Ui, lang: Lang) -> Pressed {
        let words = indicator_words(lang);
        let mut events = Vec::new();
        ui.label(
            egui::RichText::new(words.live)
                .color(LIVE)
                .strong()
                .size(20.0),
        );
        ui.label(describe_technician(&self.technician, lang));
        ui.label(self.for_how_long(ui, lang));
        ui.add_space(8.0);
        ui.label(words.may);
        for p in self.granted.iter() {
            ui.horizontal(|ui| {
                ui.label(permission_explained(p, lang));
                if ui.button(words.take_back).clicked() {
                    events.push(UiEvent::Revoke(p));
                }
            });
        }
        for line in &self.copies {
            ui.label(egui::RichText::new(line).color(THEIRS));
        }
        if !self.transfers.is_empty() {
            ui.add_space(8.0);
            self.transfers.show(ui, lang, &mut events);
        }
        if self.granted.contains(Permission::Chat) || !self.chat.is_empty() {
            ui.add_space(8.0);
            self.show_chat(ui, lang, &mut events);
        }
        ui.add_space(12.0);
        let mut details = None;
        ui.horizontal(|ui| {
            if ui
                .button(egui::RichText::new(words.stop).size(18.0).color(LIVE))
                .clicked()
            {
                events.push(UiEvent::Stop);
            }
            ui.add_space(16.0);
            if ui
                .button(egui::RichText::new(words.hide_details).size(18.0))
                .clicked()
            {
                details = Some(false);
            }
        });
        Pressed { events, details }
    }

    /// The chat: the lines so far, each technician line under their name,
    /// and a box to write one while chat is granted.
    fn show_chat(&mut self, ui: &mut egui::Ui, lang: Lang, events: &mut Vec<UiEvent>) {
        let words = indicator_words(lang);
        ui.label(egui::RichText::new(words.messages).strong());
        egui::Frame::new()
            .stroke(egui::Stroke::new(1.0, egui::Color32::GRAY))
            .inner_margin(4.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(90.0)
                    .min_scrolled_height(90.0)
                    .stick_to_bottom(true)
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        // Every line under its writer's name, so no line of
                        // the technician's can pass for the person's own or
                        // for the window's words.
                        for (from, text) in &self.chat {
                            let who = chat_label(*from, &self.technician.name, lang);
                            for line in text.lines() {
                                let line = egui::RichText::new(format!("{who}: {line}"));
                                ui.label(match from {
                                    Side::Viewer => line.color(THEIRS),
                                    Side::Agent => line,
                                });
                            }
                        }
                    });
            });
        if !self.granted.contains(Permission::Chat) {
            return;
        }
        ui.horizontal(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut self.draft)
                    .hint_text(words.write)
                    .char_limit(MAX_CHAT_CHARS)
                    .desired_width(300.0),
            );
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button(words.send).clicked() || entered) && !self.draft.trim().is_empty() {
                events.push(UiEvent::Chat(std::mem::take(&mut self.draft)));
                if entered {
                    field.request_focus();
                }
            }
        });
    }
}

/// What the person pressed in the bar or the indicator: what goes to the
/// session, and whether to open the indicator (`Some(true)`) or go back
/// to the bar (`Some(false)`).
#[derive(Debug, Default)]
pub struct Pressed {
    /// For the session loop (Take back, chat, a transfer's Stop, Stop).
    pub events: Vec<UiEvent>,
    /// Open the indicator, or go back to the bar.
    pub details: Option<bool>,
}
