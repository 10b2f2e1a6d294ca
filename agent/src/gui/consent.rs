//! The consent prompt in the window: who asks (verified or plainly not),
//! what they ask with a box to tick for each, Deny focused and the
//! default, and the time left before it denies by itself. An upgrade
//! request mid-session is the same prompt, naming what is new and what is
//! already allowed.

use super::question::Buttons;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_proto::Grants;
use tessera_session::consent::{
    countdown_text, describe_technician, describe_ticket, permission_explained, window_words, Lang,
};
use tessera_session::prompt::{ConsentForm, ConsentRequest};
use tessera_session::Technician;

/// Warning red: the prompt's and the code screen's warnings.
pub const WARNING: egui::Color32 = egui::Color32::from_rgb(0xa0, 0x00, 0x00);
/// Green: a technician someone this computer trusts vouches for.
pub const VERIFIED: egui::Color32 = egui::Color32::from_rgb(0x00, 0x60, 0x10);
/// Orange: a name only the caller gives.
pub const UNVERIFIED: egui::Color32 = egui::Color32::from_rgb(0xa0, 0x40, 0x00);

pub struct Prompt {
    technician: Technician,
    form: ConsentForm,
    /// For an upgrade, what is already granted; `None` for the first
    /// prompt.
    already: Option<Grants>,
    /// Deny, and Allow once armed.
    buttons: Buttons,
}

impl Prompt {
    pub fn new(ask: ConsentRequest) -> Self {
        Self {
            form: ConsentForm::new(ask.requested, ask.timeout, Instant::now()),
            technician: ask.technician,
            already: ask.already,
            buttons: Buttons::new(),
        }
    }

    /// Whether Allow works yet.
    pub fn is_armed(&self) -> bool {
        self.buttons.is_armed()
    }

    /// Whether it asks for more mid-session.
    pub fn is_upgrade(&self) -> bool {
        self.already.is_some()
    }

    /// Draws the prompt; the answer once the person gives one (`None`
    /// inside: denied).
    pub fn show(&mut self, ui: &mut egui::Ui, lang: Lang) -> Option<Option<Grants>> {
        let words = window_words(lang);
        ui.heading(match self.is_upgrade() {
            true => words.more_title,
            false => words.title,
        });
        ui.add_space(6.0);
        egui::Frame::new()
            .stroke(egui::Stroke::new(2.0, WARNING))
            .inner_margin(8.0)
            .show(ui, |ui| {
                let warning = match self.is_upgrade() {
                    true => words.more_warning,
                    false => words.warning,
                };
                ui.label(egui::RichText::new(warning).strong().color(WARNING));
            });
        ui.add_space(10.0);
        let colour = match self.technician.verified {
            true => VERIFIED,
            false => UNVERIFIED,
        };
        ui.label(
            egui::RichText::new(describe_technician(&self.technician, lang))
                .strong()
                .color(colour),
        );
        // Said once, on the first prompt: an upgrade changes neither.
        if !self.is_upgrade() {
            if let Some(ticket) = describe_ticket(&self.technician, lang) {
                ui.label(ticket);
            }
            ui.label(words.recorded);
        }
        if let Some(had) = self.already {
            ui.label(format!("{} {}", words.already, had.words(lang)));
            ui.label(words.more_asks);
        } else {
            ui.label(words.asks);
        }
        let asked: Vec<_> = self.form.requested().collect();
        for p in asked {
            let mut on = self.form.is_chosen(p);
            if ui
                .checkbox(&mut on, permission_explained(p, lang))
                .changed()
            {
                self.form.set(p, on);
            }
        }
        ui.add_space(10.0);
        let mut answer = match self.buttons.show(ui, words.deny, words.allow) {
            Some(true) => Some(self.form.accept()),
            Some(false) => Some(None),
            None => None,
        };
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            answer = Some(None);
        }
        let left = self.form.seconds_left(Instant::now());
        ui.label(countdown_text(left, lang));
        ui.ctx().request_repaint_after(Duration::from_millis(250));
        answer
    }
}
