//! The technician's window: Connect, then Waiting, then the session, and
//! back to Connect with the reason when it ends. Each session runs as a
//! task of the tokio runtime (the loop of `run.rs`); the window wakes only
//! when that task reports something or the technician acts.

use super::bar;
use super::bridge::{lock, Report, SharedPicture, WindowFront};
use super::connect::{ConnectForm, LastEnd, Start};
use super::direct::DirectPicture;
use super::files_panel;
use super::grab::KeyboardGrab;
use super::remote_screen::RemoteScreen;
use super::session_view::SessionView;
use eframe::egui;
use raw_window_handle::{HasWindowHandle, RawWindowHandle};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use tessera_proto::Permission;
use tessera_session::consent::Lang;
use tessera_session::terminal::printable;
use tessera_session::viewer::ViewerInput;
use tessera_session::viewer_view::Phase;
use tessera_session::viewer_words::{
    classify_connect_error, connect_error_advice, end_advice, viewer_words,
};

/// The technician's window as an X window, on X11.
fn x11_window(frame: &eframe::Frame) -> Option<u32> {
    match frame.window_handle().map(|h| h.as_raw()) {
        Ok(RawWindowHandle::Xlib(h)) => u32::try_from(h.window).ok(),
        Ok(RawWindowHandle::Xcb(h)) => Some(h.window.get()),
        _ => None,
    }
}

/// What shows around the remote picture: the window's clear colour.
const BACKDROP: egui::Color32 = egui::Color32::from_gray(40);

/// How long a closing window waits for the session to say goodbye.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// What the window starts with.
pub struct Launch {
    /// The language of every word.
    pub lang: Lang,
    /// Also print each session event as a JSON line on stdout.
    pub events_json: bool,
    /// The connect form.
    pub form: ConnectForm,
    /// Where the form's settings are remembered.
    pub settings_path: PathBuf,
    /// A session to start at once (`connect CODE`).
    pub start: Option<Start>,
    /// Sessions start with the keyboard grab on (`--grab-keyboard`).
    pub grab_keyboard: bool,
}

/// The window's state.
pub struct ViewerApp {
    runtime: tokio::runtime::Handle,
    reports_tx: mpsc::Sender<Report>,
    reports: mpsc::Receiver<Report>,
    picture: SharedPicture,
    launch: Launch,
    session: Option<SessionView>,
    /// Whether the window was last told to the session as shown.
    shown: bool,
    /// Whether the window had the keyboard focus when last looked at.
    focused: bool,
    /// The window was asked to close; it does once the session is over
    /// or at this moment.
    closing: Option<Instant>,
    /// The title last given to the window.
    shown_title: String,
    /// The keyboard grab, while it is on.
    grab: Option<KeyboardGrab>,
    /// The technician wants the grab (it is on while control is granted
    /// and the keyboard not released).
    grab_wanted: bool,
    ctx: egui::Context,
}

impl ViewerApp {
    /// The window, running sessions on `runtime`.
    pub fn new(ctx: egui::Context, runtime: tokio::runtime::Handle, mut launch: Launch) -> Self {
        let (reports_tx, reports) = mpsc::channel();
        let start = launch.start.take();
        let mut app = Self {
            runtime,
            reports_tx,
            reports,
            picture: SharedPicture::default(),
            launch,
            session: None,
            shown: true,
            focused: false,
            closing: None,
            shown_title: String::new(),
            grab: None,
            grab_wanted: false,
            ctx,
        };
        if let Some(start) = start {
            app.start(start);
        }
        app
    }

    fn lang(&self) -> Lang {
        self.launch.lang
    }

    /// Starts a session: a new loop task, a new screen.
    fn start(&mut self, start: Start) {
        if let Err(e) = self.launch.form.settings().save(&self.launch.settings_path) {
            tracing::warn!("settings not remembered: {e}");
        }
        lock(&self.picture).clear();
        let (requests, requests_rx) = tokio::sync::mpsc::unbounded_channel();
        let front = WindowFront::new(
            requests_rx,
            self.reports_tx.clone(),
            self.picture.clone(),
            self.ctx.clone(),
            self.launch.events_json,
        );
        let done = self.reports_tx.clone();
        let ctx = self.ctx.clone();
        let receive_dir = start.options.receive_dir.display().to_string();
        let session = self
            .runtime
            .spawn(crate::run::run(start.options, start.code, front));
        self.runtime.spawn(async move {
            // A loop that died says so too: the window never waits forever.
            let result = session
                .await
                .unwrap_or_else(|e| Err(format!("internal error in the session: {e}")));
            let _ = done.send(Report::Finished(result));
            ctx.request_repaint();
        });
        let screen = RemoteScreen::new(self.picture.clone());
        let mut view = SessionView::new(requests, screen, self.lang());
        view.files.receive_dir = receive_dir;
        self.session = Some(view);
        self.shown = true;
        self.focused = false;
        self.grab = None;
        self.grab_wanted = self.launch.grab_keyboard;
    }

    /// Takes in what the session loops reported.
    fn take_reports(&mut self, now: Instant) {
        while let Ok(report) = self.reports.try_recv() {
            let lang = self.lang();
            match report {
                Report::Finished(result) => {
                    self.grab = None;
                    lock(&self.picture).set_direct(None);
                    let detail = self
                        .session
                        .take()
                        .and_then(|s| s.view.ended_detail().map(str::to_owned));
                    self.launch.form.last_end = Some(match result {
                        Ok(reason) => {
                            let (headline, advice) = end_advice(reason, lang);
                            LastEnd {
                                headline: headline.into(),
                                advice: advice.into(),
                                detail,
                                normal: reason.is_normal(),
                            }
                        }
                        Err(message) => {
                            let kind = classify_connect_error(&message);
                            let (headline, advice) = connect_error_advice(kind, lang);
                            LastEnd {
                                headline: headline.into(),
                                advice: advice.into(),
                                detail: Some(printable(&message)),
                                normal: false,
                            }
                        }
                    });
                    self.launch.form.focus_code();
                    lock(&self.picture).clear();
                }
                Report::Event(event) => {
                    if let Some(s) = &mut self.session {
                        s.apply(event, now);
                    }
                }
                Report::Snapshot(path) => {
                    if let Some(s) = &mut self.session {
                        let words = viewer_words(lang);
                        let saved = format!("{} {}", words.snapshot_saved, path.display());
                        s.view.notify(&saved, now);
                    }
                }
                Report::Error(message) => {
                    if let Some(s) = &mut self.session {
                        s.view.notify(&message, now);
                    }
                }
                Report::RoundTrip(rtt) => {
                    if let Some(s) = &mut self.session {
                        s.view.round_trip(rtt);
                    }
                }
            }
        }
    }

    /// A hidden window drops pictures; shown again, it asks for a whole one.
    fn follow_visibility(&mut self, ctx: &egui::Context) {
        let hidden = ctx.input(|i| {
            let v = i.viewport();
            v.minimized.unwrap_or(false) || v.occluded.unwrap_or(false)
        });
        let focused = ctx.input(|i| i.focused);
        if let Some(s) = &self.session {
            if focused != self.focused {
                self.focused = focused;
                s.focused(focused);
            }
            if hidden == self.shown {
                self.shown = !hidden;
                s.send(ViewerInput::WindowShown(self.shown));
            }
        }
    }

    /// Closing the window ends the session first, so the person's side
    /// knows at once.
    fn follow_close(&mut self, ctx: &egui::Context, now: Instant) {
        if ctx.input(|i| i.viewport().close_requested()) && self.closing.is_none() {
            if let Some(s) = &mut self.session {
                s.end();
                self.closing = Some(now + CLOSE_GRACE);
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                ctx.request_repaint_after(CLOSE_GRACE);
            }
        }
        if let Some(at) = self.closing {
            if self.session.is_none() || now >= at {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn title(&self) -> String {
        let w = viewer_words(self.lang());
        let what = match self.session.as_ref().map(|s| s.view.phase()) {
            None => w.connect_title,
            Some(Phase::Connecting) => w.connecting,
            Some(Phase::Waiting(_)) => w.waiting,
            Some(Phase::Running) => w.in_session,
        };
        format!("Tessera: {what}")
    }

    /// Takes the keyboard grab while it is wanted, control is granted and
    /// the keyboard not released; lets it go otherwise.
    fn follow_grab(&mut self, ctx: &egui::Context, frame: &eframe::Frame, now: Instant) {
        let Some(s) = &mut self.session else {
            self.grab = None;
            return;
        };
        let want = self.grab_wanted
            && *s.view.phase() == Phase::Running
            && !s.ending
            && s.view.may(Permission::Control)
            && !s.screen.keyboard_released();
        if !want {
            if self.grab.take().is_some() && s.screen.keyboard_released() {
                // Ctrl+Alt let go of the grab too: it stays off.
                self.grab_wanted = false;
            }
            return;
        }
        if self.grab.is_some() {
            return;
        }
        let started = match x11_window(frame) {
            Some(window) => KeyboardGrab::start(window, ctx.clone()),
            None => Err(viewer_words(self.launch.lang).grab_x11_only.to_string()),
        };
        match started {
            Ok(grab) => {
                tracing::debug!("keyboard grabbed");
                self.grab = Some(grab);
            }
            Err(e) => {
                tracing::warn!("{e}");
                self.grab_wanted = false;
                s.view.notify(&e, now);
            }
        }
    }

    /// Once a session, as it starts: the presenter that puts the picture
    /// straight onto the X server (`direct`), where there is one.
    fn follow_direct(&mut self, frame: &eframe::Frame) {
        let Some(s) = &mut self.session else {
            return;
        };
        // Before the first picture can come (it comes after consent), so
        // that every picture and cursor update reaches it.
        if s.screen.direct_tried() {
            return;
        }
        let direct = x11_window(frame).and_then(|window| match DirectPicture::start(window) {
            Ok(direct) => Some(Arc::new(direct)),
            Err(e) => {
                tracing::info!("the picture is drawn by the window: {e}");
                None
            }
        });
        lock(&self.picture).set_direct(direct.clone());
        s.screen.set_direct(direct);
    }

    fn snapshot_path() -> PathBuf {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let dir = home
            .as_ref()
            .map(|h| h.join("Pictures"))
            .filter(|p| p.is_dir())
            .or(home)
            .unwrap_or_else(|| PathBuf::from("."));
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        dir.join(format!("tessera-snapshot-{ms}.png"))
    }

    fn session_ui(&mut self, ui: &mut egui::Ui, now: Instant) {
        let lang = self.lang();
        let Some(s) = &mut self.session else {
            return;
        };
        if *s.view.phase() != Phase::Running {
            s.screen.hide();
            egui::CentralPanel::default().show(ui, |ui| bar::waiting(ui, s, lang));
            return;
        }
        egui::Panel::top("bar").show(ui, |ui| {
            if bar::top_bar(ui, s, lang, &mut self.grab_wanted) {
                s.snapshot(Self::snapshot_path());
            }
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            bar::status_line(ui, s, lang, now);
        });
        if s.view.chat_open() {
            egui::Panel::right("chat")
                .default_size(300.0)
                .show(ui, |ui| bar::chat_panel(ui, s, lang));
        }
        files_panel::dropped(ui.ctx(), s);
        if s.files.open {
            egui::Panel::right("files")
                .default_size(340.0)
                .show(ui, |ui| files_panel::panel(ui, s, lang));
        }
        // Before the picture: every window of ours over it is known when
        // the picture decides how it is shown.
        bar::ask_more(ui.ctx(), s, lang);
        // No fill: the clear colour is the backdrop, so the picture's
        // pixels are drawn once per repaint, not twice.
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                if !s.view.may(Permission::View) {
                    s.screen.hide();
                    ui.centered_and_justified(|ui| {
                        ui.colored_label(egui::Color32::WHITE, viewer_words(lang).no_picture)
                    });
                    return;
                }
                s.screen.refresh(ui.ctx());
                s.screen.show(ui, lang);
            });
        s.screen.follow_cursor(ui.ctx());
        if let Some(after) = s.view.next_wake(now) {
            ui.ctx().request_repaint_after(after);
        }
    }
}

impl eframe::App for ViewerApp {
    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        BACKDROP.to_normalized_gamma_f32()
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let now = Instant::now();
        self.take_reports(now);
        self.follow_visibility(ctx);
        self.follow_close(ctx, now);
        // A viewport command asks for a repaint: send it only on a change,
        // or the window would never rest.
        let title = self.title();
        if title != self.shown_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let now = Instant::now();
        if self.session.is_some() {
            self.session_ui(ui, now);
            self.follow_grab(ui.ctx(), frame, now);
            self.follow_direct(frame);
            return;
        }
        let lang = self.lang();
        let mut start = None;
        egui::CentralPanel::default().show(ui, |ui| {
            start = self.launch.form.show(ui, lang);
        });
        if let Some(start) = start {
            self.start(start);
        }
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw: &mut egui::RawInput) {
        // A hidden window's input is kept for its next shown pass, where
        // this hook sees it again: taken then, it is taken once.
        let hidden = raw.viewport().minimized.unwrap_or(false);
        let Some(s) = self.session.as_mut().filter(|_| !hidden) else {
            return;
        };
        if *s.view.phase() != Phase::Running || s.ending {
            return;
        }
        let control = s.view.may(Permission::Control);
        let typing_here = ctx.text_edit_focused();
        let grabbed = self.grab.is_some();
        for event in s.screen.take_input(ctx, raw, control, typing_here, grabbed) {
            s.send(ViewerInput::UserInput(event));
        }
        if let Some(grab) = &self.grab {
            while let Ok((key, down)) = grab.keys.try_recv() {
                for event in s.screen.grabbed_key(key, down, control) {
                    s.send(ViewerInput::UserInput(event));
                }
            }
        }
    }
}
