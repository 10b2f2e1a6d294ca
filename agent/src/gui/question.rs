//! The two buttons every question ends with: the safe one (Deny, End the
//! session) first, with the focus when the question appears and working
//! at once; the yes (Allow, Continue) beside it, which works only
//! [`ARM_DELAY`] after the question appears.

use eframe::egui;
use std::time::Instant;
use tessera_session::consent::ARM_DELAY;

pub struct Buttons {
    opened: Instant,
    /// Focus goes to the safe button once, when the question appears.
    focused: bool,
}

impl Buttons {
    /// Buttons of a question appearing now.
    pub fn new() -> Self {
        Self {
            opened: Instant::now(),
            focused: false,
        }
    }

    /// Whether the yes button works yet.
    pub fn is_armed(&self) -> bool {
        self.opened.elapsed() >= ARM_DELAY
    }

    /// Draws them side by side; `Some(false)` when the safe one is
    /// pressed, `Some(true)` for yes.
    pub fn show(&mut self, ui: &mut egui::Ui, no: &str, yes: &str) -> Option<bool> {
        let mut pressed = None;
        ui.horizontal(|ui| {
            let no = ui.button(egui::RichText::new(no).size(18.0));
            if !self.focused {
                no.request_focus();
                self.focused = true;
            }
            if no.clicked() {
                pressed = Some(false);
            }
            let yes = egui::Button::new(egui::RichText::new(yes).size(18.0));
            if ui.add_enabled(self.is_armed(), yes).clicked() {
                pressed = Some(true);
            }
        });
        pressed
    }
}
