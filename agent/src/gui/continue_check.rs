//! The continue check in the window: who has been connected for how long,
//! End focused (a stray key press must not keep a forgotten session
//! open), Continue beside it, and the time left before the session ends
//! by itself.

use super::question::Buttons;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_session::consent::Lang;
use tessera_session::continue_check::{continue_countdown, continue_question, continue_words};

pub struct Check {
    deadline: Instant,
    /// How long the session had run when the question came.
    connected: Duration,
    /// End the session, and Continue once armed.
    buttons: Buttons,
}

impl Check {
    pub fn new(timeout: Duration, connected: Duration) -> Self {
        Self {
            deadline: Instant::now() + timeout,
            connected,
            buttons: Buttons::new(),
        }
    }

    /// Whether Continue works yet.
    pub fn is_armed(&self) -> bool {
        self.buttons.is_armed()
    }

    /// Draws the question; the answer once given (`true`: go on).
    pub fn show(&mut self, ui: &mut egui::Ui, name: &str, lang: Lang) -> Option<bool> {
        let words = continue_words(lang);
        ui.heading(words.title);
        ui.add_space(6.0);
        ui.label(continue_question(name, self.connected.as_secs(), lang));
        ui.add_space(10.0);
        let answer = self.buttons.show(ui, words.end, words.go_on);
        let left = self.deadline.saturating_duration_since(Instant::now());
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        ui.label(continue_countdown(secs, lang));
        ui.ctx().request_repaint_after(Duration::from_millis(250));
        answer
    }
}
