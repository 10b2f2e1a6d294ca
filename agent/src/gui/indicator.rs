//! The session indicator: who is connected (verified or not), for how
//! long, what they may do with a button to take each back, and Stop. It
//! only takes away: nothing here can add a grant.

use super::UiEvent;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_proto::Grants;
use tessera_session::consent::{describe_technician, permission_explained, Lang};
use tessera_session::words::{elapsed, indicator_words};
use tessera_session::Technician;

const LIVE: egui::Color32 = egui::Color32::from_rgb(0xc0, 0x10, 0x10);

pub struct Live {
    technician: Technician,
    pub granted: Grants,
    since: Instant,
}

impl Live {
    pub fn new(technician: Technician, granted: Grants) -> Self {
        Self {
            technician,
            granted,
            since: Instant::now(),
        }
    }

    /// Draws the indicator; what the person asked for.
    pub fn show(&self, ui: &mut egui::Ui, lang: Lang) -> Vec<UiEvent> {
        let words = indicator_words(lang);
        let mut events = Vec::new();
        ui.label(
            egui::RichText::new(words.live)
                .color(LIVE)
                .strong()
                .size(20.0),
        );
        ui.label(describe_technician(&self.technician, lang));
        ui.label(format!(
            "{} {}",
            words.since,
            elapsed(self.since.elapsed().as_secs())
        ));
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
        ui.add_space(12.0);
        if ui
            .button(egui::RichText::new(words.stop).size(18.0).color(LIVE))
            .clicked()
        {
            events.push(UiEvent::Stop);
        }
        ui.ctx().request_repaint_after(Duration::from_secs(1));
        events
    }
}
