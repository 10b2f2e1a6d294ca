//! The agent's window: the code to read aloud, the consent prompt, and
//! while a session is live a bar at the top of the screen that opens into
//! the session indicator. It runs on the main
//! thread (eframe); the session loop talks to it through a command channel
//! and hears back through an event channel. Every decision stays with the
//! session machine: the window only shows and asks.

mod app;
mod bar;
mod code_screen;
mod consent;
mod continue_check;
mod fetch;
mod indicator;
mod placement;
mod question;
mod transfers;

use eframe::egui;
use std::sync::mpsc;
use std::time::Duration;
use tessera_proto::{Grants, Permission};
use tessera_session::consent::Lang;
use tessera_session::prompt::ConsentRequest;
use tessera_session::SessionEvent;
use tokio::sync::mpsc as async_mpsc;

/// What the session loop tells the window.
#[derive(Debug)]
pub enum UiCommand {
    /// Something happened (a code, the session starting, a grant
    /// changing, the end...).
    Event(SessionEvent),
    /// Ask the person: who, what, for how long (the first prompt, or an
    /// upgrade request).
    AskConsent(ConsentRequest),
    /// Ask whether the long session should go on.
    AskContinue {
        /// Until the session ends by itself.
        timeout: Duration,
    },
    /// Ask whether the technician may have a file of the person's.
    AskFetch(tessera_session::agent::FetchRequest),
    /// Where files sent to the person land (said in the indicator).
    ReceiveFolder(String),
    /// The prompt no longer applies (answered elsewhere, timed out, the
    /// caller left).
    Dismiss,
    /// The session is over: show the end notice, then close.
    Quit,
    /// The session's record was kept in this folder: said under the end
    /// notice.
    Recorded(String),
    /// The agent stops now (it could not start, or it is done): close.
    Exit,
}

/// What the person did in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiEvent {
    /// The prompt's answer (`None`: denied).
    Answer(Option<Grants>),
    /// The continue check's answer (`true`: go on).
    Continue(bool),
    /// The fetch question's answer (`yes`: send the copy).
    Fetch {
        /// The transfer asked about.
        id: u32,
        /// Whether to send it.
        yes: bool,
    },
    /// Stop this file transfer.
    StopFile(u32),

    /// A chat line the person wrote.
    Chat(String),
    /// Take this permission back.
    Revoke(Permission),
    /// End the session (the Stop button, or the window closed).
    Stop,
}

/// The session loop's end of the window.
pub struct UiLink {
    commands: mpsc::Sender<UiCommand>,
    ctx: egui::Context,
    /// What the person does in the window.
    pub events: async_mpsc::UnboundedReceiver<UiEvent>,
}

impl UiLink {
    /// Tells the window, and wakes it to show it at once.
    pub fn send(&self, command: UiCommand) {
        let _ = self.commands.send(command);
        self.ctx.request_repaint();
    }
}

/// The window's end, to run on the main thread with [`run`].
pub struct Window {
    commands: mpsc::Receiver<UiCommand>,
    events: async_mpsc::UnboundedSender<UiEvent>,
    ctx: egui::Context,
    lang: Lang,
}

/// Closes the window when the agent stops, whatever stopped it.
pub struct Closer {
    commands: mpsc::Sender<UiCommand>,
    ctx: egui::Context,
}

impl Closer {
    /// Closes the window (after the end notice, if one is showing).
    pub fn exit(&self) {
        let _ = self.commands.send(UiCommand::Exit);
        self.ctx.request_repaint();
    }
}

/// The ends of a window not yet shown: the session loop's, the window's,
/// and the closer.
pub fn channel(lang: Lang) -> (UiLink, Window, Closer) {
    let (commands, command_rx) = mpsc::channel();
    let (event_tx, events) = async_mpsc::unbounded_channel();
    let ctx = egui::Context::default();
    (
        UiLink {
            commands: commands.clone(),
            ctx: ctx.clone(),
            events,
        },
        Window {
            commands: command_rx,
            events: event_tx,
            ctx: ctx.clone(),
            lang,
        },
        Closer { commands, ctx },
    )
}

/// Shows the window until the session loop says `Quit` or the person
/// closes it (which ends the session: the loop hears `Stop`).
pub fn run(window: Window) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Tessera")
            .with_inner_size(placement::FULL)
            .with_position(placement::HOME)
            .with_always_on_top()
            // It never hides: shrunk to a bar, never minimised to nothing.
            .with_minimize_button(false),
        ..Default::default()
    };
    let ctx = window.ctx.clone();
    eframe::run_native_ext(
        "tessera-agent",
        options,
        Some(ctx),
        Box::new(move |cc| {
            // Light and large: read by someone stressed, maybe on a small
            // or old screen.
            cc.egui_ctx.set_visuals(egui::Visuals::light());
            cc.egui_ctx.set_zoom_factor(1.2);
            Ok(Box::new(app::AgentWindow::new(window)))
        }),
    )
    .map_err(|e| format!("cannot open the window ({e}): is there a display? try --ui tty"))
}
