//! The session bar: what the window shrinks to while a session runs, so
//! it no longer covers the screen the technician works on. Who is
//! connected and whether anyone vouches for them, for how long, what they
//! may do, Stop, and the button that opens the indicator. The same bar
//! sits under a question mid-session, without that button.

use super::consent::{UNVERIFIED, VERIFIED};
use super::indicator::{Live, Pressed, LIVE};
use super::UiEvent;
use eframe::egui;
use tessera_session::consent::Lang;
use tessera_session::words::{indicator_words, technician_short};

/// The bar's frame: a red border all round, so it reads as a live session
/// wherever it is on the screen.
pub fn frame(style: &egui::Style) -> egui::Frame {
    egui::Frame::central_panel(style)
        .inner_margin(10.0)
        .stroke(egui::Stroke::new(3.0, LIVE))
}

/// Draws the bar for `live`; with `details`, the button that opens the
/// indicator. Stop comes first in the keyboard's order.
pub fn show(live: &Live, ui: &mut egui::Ui, lang: Lang, details: bool) -> Pressed {
    let words = indicator_words(lang);
    let mut pressed = Pressed::default();
    ui.horizontal(|ui| {
        // A red light, as a recording one.
        let (light, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().circle_filled(light.center(), 6.0, LIVE);
        ui.label(
            egui::RichText::new(words.live)
                .color(LIVE)
                .strong()
                .size(16.0),
        );
        ui.label(live.for_how_long(ui, lang));
    });
    let (who, status) = technician_short(&live.technician, lang);
    let colour = match live.technician.verified {
        true => VERIFIED,
        false => UNVERIFIED,
    };
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(egui::RichText::new(who).strong()).truncate());
        ui.add(egui::Label::new(egui::RichText::new(status).color(colour)).truncate());
    });
    ui.horizontal(|ui| {
        if ui
            .button(egui::RichText::new(words.stop).color(LIVE).strong())
            .clicked()
        {
            pressed.events.push(UiEvent::Stop);
        }
        if details && ui.button(words.show_details).clicked() {
            pressed.details = Some(true);
        }
        let may = format!("{} {}", words.may, live.granted.words(lang));
        ui.add(egui::Label::new(may).truncate());
    });
    pressed
}
