//! The fetch question in the window: who asks for which file or folder,
//! Deny focused, the yes armed a moment later, the time left.

use super::question::Buttons;
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_session::agent::FetchRequest;
use tessera_session::consent::Lang;
use tessera_session::terminal::file_words::{fetch_prompt_text, fetch_words};

pub struct FetchQuestion {
    ask: FetchRequest,
    deadline: Instant,
    buttons: Buttons,
}

impl FetchQuestion {
    pub fn new(ask: FetchRequest) -> Self {
        Self {
            deadline: Instant::now() + ask.timeout,
            ask,
            buttons: Buttons::new(),
        }
    }

    /// The transfer it asks about.
    pub fn id(&self) -> u32 {
        self.ask.id
    }

    /// Whether its yes works yet.
    pub fn is_armed(&self) -> bool {
        self.buttons.is_armed()
    }

    /// Draws the question; the answer once given (`true`: send it).
    pub fn show(&mut self, ui: &mut egui::Ui, lang: Lang) -> Option<bool> {
        let words = fetch_words(lang);
        ui.heading(words.title);
        ui.add_space(6.0);
        let left = self.deadline.saturating_duration_since(Instant::now());
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let technician = &self.ask.technician;
        let text = fetch_prompt_text(
            &technician.name,
            technician.verified_by.as_deref(),
            &self.ask.path,
            secs,
            lang,
        );
        // The terminal's answer line is the buttons here.
        let body = text
            .rsplit_once('\n')
            .map_or(text.as_str(), |(body, _)| body);
        ui.label(body.trim());
        ui.add_space(10.0);
        let answer = self.buttons.show(ui, words.deny, words.allow);
        ui.ctx().request_repaint_after(Duration::from_millis(250));
        answer
    }
}
