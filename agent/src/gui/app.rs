//! The window's state: what the session loop said last, turned into what
//! the person sees. One window for the agent's life: the code, then the
//! prompt (on top and focused), then the session bar at the top of the
//! screen, which opens into the indicator (by the person, at a chat line
//! from the technician, and under a question when the technician asks for
//! more or the continue check is due, with the bar and its Stop still at
//! hand), then the end notice.

use super::code_screen::CodeScreen;
use super::fetch::FetchQuestion;
use super::indicator::{Live, Pressed};
use super::placement::{Placement, Placer};
use super::{bar, consent::Prompt, continue_check::Check, UiCommand, UiEvent, Window};
use eframe::egui;
use std::time::{Duration, Instant};
use tessera_session::consent::{window_words, Lang};
use tessera_session::continue_check::continue_words;
use tessera_session::terminal::file_words::fetch_words;
use tessera_session::words::{ended_notice, indicator_words, report_note, started_notice};
use tessera_session::{SessionEvent, Side, Technician};

/// After the end, the notice stays this long unless closed sooner.
const END_NOTICE: Duration = Duration::from_secs(10);

/// The window's whole state, drawn anew at each frame.
pub struct AgentWindow {
    window: Window,
    code: Option<CodeScreen>,
    prompt: Option<Prompt>,
    check: Option<Check>,
    fetch: Option<FetchQuestion>,
    /// Where received files land (said in the indicator).
    receive_folder: Option<String>,
    live: Option<Live>,
    /// The indicator is open rather than the bar (mid-session).
    details: bool,
    /// A session ran: the window stays at the top of the screen.
    had_session: bool,
    /// The person cancelled the code: no end notice, the window closes.
    cancelled: bool,
    /// Where the window is.
    placer: Placer,
    /// Who asked last (named by the notices).
    technician: Option<Technician>,
    /// A line for the person (started, ended), kept until replaced.
    notice: Option<String>,
    /// The session is over; the window closes at this moment.
    closing_at: Option<Instant>,
    /// Stop was sent (the window is closing, or the person pressed Stop).
    stopped: bool,
    /// The title shown, which names what the window shows (for the
    /// taskbar, and for automation to wait on).
    title: String,
}

impl AgentWindow {
    /// A window showing nothing yet (its first frame is titled plain
    /// "Tessera").
    pub fn new(window: Window) -> Self {
        Self {
            window,
            code: None,
            prompt: None,
            check: None,
            fetch: None,
            receive_folder: None,
            live: None,
            details: false,
            had_session: false,
            cancelled: false,
            placer: Placer::new(),
            technician: None,
            notice: None,
            closing_at: None,
            stopped: false,
            title: String::new(),
        }
    }

    /// What the window shows, in a few words. A question is named once it
    /// can be answered (its yes button armed), so whoever waits on the
    /// title finds it whole.
    fn current_title(&self) -> String {
        let lang = self.lang();
        let arming = self.prompt.as_ref().is_some_and(|p| !p.is_armed())
            || self.check.as_ref().is_some_and(|c| !c.is_armed())
            || self.fetch.as_ref().is_some_and(|f| !f.is_armed());
        if arming {
            return "Tessera".into();
        }
        let what = if let Some(prompt) = &self.prompt {
            let words = window_words(lang);
            match prompt.is_upgrade() {
                true => words.more_title,
                false => words.title,
            }
            .to_string()
        } else if self.check.is_some() {
            continue_words(lang).title.to_string()
        } else if self.fetch.is_some() {
            fetch_words(lang).title.to_string()
        } else if self.live.is_some() {
            let words = indicator_words(lang);
            match self.details {
                true => words.details_title,
                false => words.live,
            }
            .to_string()
        } else if self.closing_at.is_some() || self.notice.is_some() {
            self.notice.clone().unwrap_or_default()
        } else {
            indicator_words(lang).code_title.to_string()
        };
        format!("Tessera: {what}")
    }

    /// The bar while a session runs with nothing to say; open when the
    /// person opened it or a question is asked.
    fn placement(&self) -> Placement {
        let asking = self.prompt.is_some() || self.check.is_some() || self.fetch.is_some();
        match (&self.live, self.details || asking) {
            (Some(_), false) => Placement::Bar,
            (Some(_), true) => Placement::Open,
            (None, _) if self.had_session => Placement::Open,
            (None, _) => Placement::Home,
        }
    }

    fn lang(&self) -> Lang {
        self.window.lang
    }

    fn send(&self, event: UiEvent) {
        let _ = self.window.events.send(event);
    }

    fn name(&self) -> String {
        self.technician
            .as_ref()
            .map_or_else(|| "The technician".into(), |t| t.name.clone())
    }

    /// In front of everything, with the keyboard: a question is open.
    fn come_forward(ctx: &egui::Context) {
        ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
            egui::UserAttentionType::Critical,
        ));
    }

    fn take(&mut self, command: UiCommand, ctx: &egui::Context) {
        match command {
            UiCommand::AskConsent(ask) => {
                self.technician = Some(ask.technician.clone());
                self.prompt = Some(Prompt::new(ask));
                Self::come_forward(ctx);
            }
            UiCommand::AskContinue { timeout } => {
                let connected = self.live.as_ref().map_or(Duration::ZERO, Live::connected);
                self.check = Some(Check::new(timeout, connected));
                Self::come_forward(ctx);
            }
            UiCommand::ReceiveFolder(folder) => self.receive_folder = Some(folder),
            UiCommand::AskFetch(ask) => {
                self.fetch = Some(FetchQuestion::new(ask));
                Self::come_forward(ctx);
            }
            UiCommand::Dismiss => {
                self.prompt = None;
                self.check = None;
                self.fetch = None;
            }
            UiCommand::Event(event) => self.event(event, ctx),
            // The person cancelled: they know, no notice to read.
            UiCommand::Quit if self.cancelled => self.closing_at = Some(Instant::now()),
            UiCommand::Quit => {
                self.prompt = None;
                self.check = None;
                self.fetch = None;
                self.live = None;
                self.closing_at.get_or_insert(Instant::now() + END_NOTICE);
            }
            UiCommand::Recorded(folder) => {
                let recorded = tessera_session::terminal::recorded_in(&folder, self.lang());
                self.notice = Some(match self.notice.take() {
                    Some(notice) => format!("{notice} {recorded}"),
                    None => recorded,
                });
            }
            // Without an end notice to show, at once.
            UiCommand::Exit if self.closing_at.is_none() => {
                self.closing_at = Some(Instant::now());
            }
            UiCommand::Exit => {}
        }
    }

    fn event(&mut self, event: SessionEvent, ctx: &egui::Context) {
        if let Some(live) = &mut self.live {
            // A transfer starting opens the indicator: the person sees it.
            if live.transfers.list.event(&event) {
                self.details = true;
            }
        }
        match event {
            SessionEvent::Code {
                code,
                expires_in_secs,
            } => {
                let lasts = Duration::from_secs(expires_in_secs.into());
                self.code = Some(CodeScreen::new(code, lasts));
            }
            SessionEvent::SessionStarted { granted } => {
                self.prompt = None;
                self.code = None;
                self.had_session = true;
                self.details = false;
                let technician = self.technician.clone();
                self.notice = Some(started_notice(&self.name(), self.lang()));
                self.live = technician.map(|t| Live::new(t, granted));
                if let Some(live) = &mut self.live {
                    live.transfers.folder = self.receive_folder.clone();
                }
            }
            SessionEvent::GrantChanged { granted } | SessionEvent::UpgradeGranted { granted } => {
                if let Some(live) = &mut self.live {
                    live.granted = granted;
                }
            }
            SessionEvent::Chat { from, text } => {
                if let Some(live) = &mut self.live {
                    live.chat_line(from, text);
                    // The technician's line opens the indicator where the
                    // person sees it (always on top). Not the keyboard:
                    // it would take the technician's typing along.
                    if from == Side::Viewer {
                        self.details = true;
                        ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
                            egui::UserAttentionType::Informational,
                        ));
                    }
                }
            }
            // Each copy is said, and the indicator opens to say it (with
            // its Take back for the clipboard at hand).
            SessionEvent::Clipboard {
                from, kind, bytes, ..
            } => {
                let name = self.name();
                let line = tessera_session::terminal::file_words::clipboard_words(
                    from,
                    kind,
                    bytes,
                    &name,
                    self.lang(),
                );
                if let Some(live) = &mut self.live {
                    live.copied(line);
                    self.details = true;
                }
            }
            // The technician's report, among the messages: the person
            // sees what is written about their computer.
            SessionEvent::Note { text } => {
                let line = report_note(&text, self.lang());
                if let Some(live) = &mut self.live {
                    live.chat_line(Side::Viewer, line);
                    self.details = true;
                }
            }
            SessionEvent::SessionEnded { reason, .. } => {
                self.prompt = None;
                self.check = None;
                self.code = None;
                // Who no longer has access, or why it never started.
                self.notice = Some(match self.live.take() {
                    Some(_) => ended_notice(&self.name(), self.lang()),
                    None => tessera_session::words::not_started_notice(reason, self.lang()),
                });
            }
            _ => {}
        }
    }

    /// Passes the bar's or the indicator's events on (Stop means the
    /// window is done), and opens or closes the indicator.
    fn forward(&mut self, pressed: Pressed) {
        if let Some(open) = pressed.details {
            self.details = open;
        }
        for event in pressed.events {
            if event == UiEvent::Stop {
                self.stopped = true;
            }
            self.send(event);
        }
    }
}

impl eframe::App for AgentWindow {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        while let Ok(command) = self.window.commands.try_recv() {
            self.take(command, ctx);
        }
        // It never hides: minimised (the button is gone, but a window
        // manager may have its own ways), it comes back.
        if ctx.input(|i| i.viewport().minimized) == Some(true) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            self.placer.raise_again();
        }
        // Closing the window ends whatever is under way.
        if ctx.input(|i| i.viewport().close_requested()) && !self.stopped {
            self.stopped = true;
            self.send(UiEvent::Stop);
        }
        if let Some(at) = self.closing_at {
            let now = Instant::now();
            if now >= at {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                ctx.request_repaint_after(at - now);
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let lang = self.lang();
        let words = indicator_words(lang);
        self.show(ui, lang, words);
        let placed = self.placer.place(ui.ctx(), self.placement());
        // Renamed once what it names has been drawn at its size: whoever
        // waits on the title then finds it on screen.
        let title = self.current_title();
        if placed && title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl AgentWindow {
    fn show(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        words: tessera_session::words::IndicatorWords,
    ) {
        let panel = match self.placement() {
            Placement::Bar => egui::CentralPanel::default_margins().frame(bar::frame(ui.style())),
            _ => egui::CentralPanel::default_margins(),
        };
        panel.show(ui, |ui| {
            // Each view has its own ids, so keyboard focus never carries
            // from a button of one view to the button in its place in the
            // next.
            if let Some(prompt) = &mut self.prompt {
                let answer = ui.push_id("prompt", |ui| prompt.show(ui, lang)).inner;
                if let Some(answer) = answer {
                    self.prompt = None;
                    self.send(UiEvent::Answer(answer));
                }
                return self.show_bar(ui, lang);
            }
            let name = self.name();
            if let Some(check) = &mut self.check {
                let answer = ui.push_id("check", |ui| check.show(ui, &name, lang)).inner;
                if let Some(go_on) = answer {
                    self.check = None;
                    self.send(UiEvent::Continue(go_on));
                }
                return self.show_bar(ui, lang);
            }
            if let Some(fetch) = &mut self.fetch {
                let answer = ui.push_id("fetch", |ui| fetch.show(ui, lang)).inner;
                if let Some(yes) = answer {
                    let id = fetch.id();
                    self.fetch = None;
                    self.send(UiEvent::Fetch { id, yes });
                }
                return self.show_bar(ui, lang);
            }
            if let Some(live) = &self.live {
                if !self.details {
                    let pressed = ui
                        .push_id("bar", |ui| bar::show(live, ui, lang, true))
                        .inner;
                    return self.forward(pressed);
                }
            }
            if let Some(notice) = &self.notice {
                ui.label(egui::RichText::new(notice).strong());
                ui.separator();
            }
            if let Some(live) = &mut self.live {
                let pressed = ui.push_id("live", |ui| live.show(ui, lang)).inner;
                return self.forward(pressed);
            }
            if self.closing_at.is_some() {
                let close = ui.button(words.close);
                close.request_focus();
                if close.clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
                return;
            }
            let cancel = self
                .code
                .as_ref()
                .is_some_and(|code| ui.push_id("code", |ui| code.show(ui, lang)).inner);
            if cancel {
                // Ends the agent: the code is given back to the relay.
                self.code = None;
                self.cancelled = true;
                self.forward(Pressed {
                    events: vec![UiEvent::Stop],
                    details: None,
                });
            }
        });
    }

    /// Under a question mid-session: the session is live, Stop at hand.
    fn show_bar(&mut self, ui: &mut egui::Ui, lang: Lang) {
        if let Some(live) = &self.live {
            ui.add_space(8.0);
            ui.separator();
            let pressed = ui
                .push_id("bar-under", |ui| bar::show(live, ui, lang, false))
                .inner;
            self.forward(pressed);
        }
    }
}
