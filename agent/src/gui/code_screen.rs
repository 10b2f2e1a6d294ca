//! The code screen, the first thing a worried person sees: what the code
//! is for, the code in large type, to whom it may be read (only the
//! technician they called themselves), how long it lasts, and a way to
//! give up.

use super::consent::WARNING;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_session::consent::Lang;
use tessera_session::words::{code_expires, indicator_words};

/// A code waiting for the technician.
pub struct CodeScreen {
    code: String,
    /// When the relay forgets it (what it said when it gave the
    /// nameplate).
    expires_at: Instant,
}

impl CodeScreen {
    /// A code shown now, which the relay keeps for `expires_in`.
    pub fn new(code: String, expires_in: Duration) -> Self {
        Self {
            code,
            expires_at: Instant::now() + expires_in,
        }
    }

    /// Draws the screen; `true` once the person pressed Cancel.
    pub fn show(&self, ui: &mut egui::Ui, lang: Lang) -> bool {
        let words = indicator_words(lang);
        ui.heading(egui::RichText::new(words.code_title).strong());
        ui.add_space(6.0);
        ui.label(words.code_for);
        ui.add_space(14.0);
        ui.label(
            egui::RichText::new(&self.code)
                .size(44.0)
                .monospace()
                .strong(),
        );
        ui.add_space(10.0);
        egui::Frame::new()
            .stroke(egui::Stroke::new(2.0, WARNING))
            .inner_margin(8.0)
            .show(ui, |ui| {
                ui.label(egui::RichText::new(words.read_only).strong().color(WARNING));
            });
        ui.add_space(10.0);
        let left = self.expires_at.saturating_duration_since(Instant::now());
        let (expiry, changes_in) = code_expires(left, lang);
        ui.label(expiry);
        // Redrawn when the words change: each minute, then each second.
        if changes_in != Duration::MAX {
            ui.ctx().request_repaint_after(changes_in);
        }
        ui.add_space(14.0);
        ui.label(words.waiting);
        ui.add_space(14.0);
        ui.button(egui::RichText::new(words.cancel).size(18.0))
            .clicked()
    }
}
