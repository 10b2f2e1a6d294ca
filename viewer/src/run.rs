//! Wires the viewer's state machine to the relay, the end-to-end channel,
//! the JSON commands on stdin and the clock. Every decision is the
//! machine's; this file only carries inputs in and actions out.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};
use tessera_net::cert::SelfSigned;
use tessera_net::channel::{ChannelEvent, ChannelSlot, Peer};
use tessera_net::lines::{read_line, Line};
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::timers::Timers;
use tessera_net::trust::RelayTrust;
use tessera_net::NetError;
use tessera_proto::peer::AgentMsg;
use tessera_proto::relay::RelayMsg;
use tessera_proto::{Code, EndReason, Fingerprint};
use tessera_screen::{Decoder, ScreenMsg, MAX_UPDATE_BYTES};
use tessera_secure::identity::{Introduction, SigningKey};
use tessera_session::command::{self, Command};
use tessera_session::terminal::printable;
use tessera_session::viewer::ScreenUse;
use tessera_session::viewer::{ViewerAction, ViewerInput, ViewerSession};
use tessera_session::CursorInfo;
use tessera_session::{render, SessionEvent, Side, Timeouts, Timer};
use tokio::sync::mpsc;

/// What the command line decided.
pub struct Options {
    /// `HOST:PORT` of the relay.
    pub relay: String,
    /// How to trust it.
    pub trust: RelayTrust,
    /// Print JSON events on stdout.
    pub events_json: bool,
    /// Who the technician says they are, what they ask, and their
    /// organisation's certificate if they have one.
    pub intro: Introduction,
    /// The key that signs the introduction for this session.
    pub key: SigningKey,
}

struct Viewer {
    events_json: bool,
    link: RelayLink,
    timers: Timers<Timer>,
    inputs: VecDeque<ViewerInput>,
    cert: Option<SelfSigned>,
    channel: ChannelSlot<AgentMsg>,
    commands: mpsc::Receiver<Line>,
    commands_open: bool,
    /// Screen messages from the agent's screen streams.
    screen: Option<mpsc::Receiver<Result<(ScreenMsg, usize), String>>>,
    decoder: Decoder,
}

enum Woke {
    Relay(Option<Result<RelayMsg, NetError>>),
    Channel(ChannelEvent<AgentMsg>),
    Command(Option<Line>),
    Screen(Option<Result<(ScreenMsg, usize), String>>),
    Timer(Timer),
    Interrupted,
}

/// Runs one viewer session; returns how it ended.
pub async fn run(options: Options, code: Code) -> Result<EndReason, String> {
    tessera_proto::peer::validate_name("--name", &options.intro.name).map_err(|e| e.to_string())?;
    if let Some(org) = &options.intro.org {
        tessera_proto::peer::validate_name("--org", org).map_err(|e| e.to_string())?;
    }
    let link = relay_client::connect(&options.relay, &options.trust)
        .await
        .map_err(|e| e.to_string())?;
    let mut viewer = Viewer {
        events_json: options.events_json,
        link,
        timers: Timers::default(),
        inputs: VecDeque::new(),
        cert: None,
        channel: ChannelSlot::default(),
        commands: spawn_stdin_reader(),
        commands_open: true,
        screen: None,
        decoder: Decoder::new().map_err(|e| format!("screen decoder: {e}"))?,
    };
    let mut session = ViewerSession::new(code, options.intro, options.key, Timeouts::default());
    let mut actions = session.start();
    loop {
        for action in actions.drain(..) {
            if let Some(reason) = viewer.perform(action).await {
                viewer.shutdown().await;
                return Ok(reason);
            }
        }
        let input = match viewer.inputs.pop_front() {
            Some(input) => input,
            None => match viewer.next_input(session.screen_use()).await {
                Some(input) => input,
                None => continue,
            },
        };
        actions = session.handle(input);
    }
}

/// Reads stdin lines on a plain thread, so the loop can select on them.
/// (A tokio blocking read would hold the runtime open at exit.) A line
/// over the command limit is dropped unread and reported.
fn spawn_stdin_reader() -> mpsc::Receiver<Line> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Ok(Some(line)) = read_line(&mut stdin, command::MAX_COMMAND_LINE) {
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Viewer {
    /// Waits for the next thing that happens; `None` when it needs no
    /// input to the machine. Screen data waits, is used or is dropped as
    /// the session says.
    async fn next_input(&mut self, screen_use: ScreenUse) -> Option<ViewerInput> {
        let woke = {
            let commands = &mut self.commands;
            let screen = &mut self.screen;
            let update = async move {
                match screen.as_mut() {
                    // Before consent it waits, unread, for the answer.
                    Some(rx) if screen_use != ScreenUse::Hold => rx.recv().await,
                    _ => std::future::pending().await,
                }
            };
            let open = self.commands_open;
            let command = async move {
                if open {
                    commands.recv().await
                } else {
                    std::future::pending().await
                }
            };
            tokio::select! {
                msg = self.link.messages.recv() => Woke::Relay(msg),
                event = self.channel.next() => Woke::Channel(event),
                line = command => Woke::Command(line),
                update = update => Woke::Screen(update),
                timer = self.timers.next() => Woke::Timer(timer),
                _ = tokio::signal::ctrl_c() => Woke::Interrupted,
            }
        };
        Some(match woke {
            Woke::Relay(msg) => self.relay_input(msg),
            Woke::Channel(ChannelEvent::Up) => {
                self.accept_screen();
                ViewerInput::ChannelUp
            }
            Woke::Screen(Some(_)) if screen_use == ScreenUse::Drop => {
                tracing::debug!("screen data while view is not granted: dropped");
                return None;
            }
            Woke::Screen(Some(Err(e))) => ViewerInput::FrameRejected(e),
            Woke::Screen(Some(Ok((ScreenMsg::Update(update), bytes)))) => {
                let started = std::time::Instant::now();
                let decoded = self.decoder.apply(&update);
                // Where the time goes (bench/ reads this).
                tracing::debug!(
                    seq = update.seq,
                    decode_us = started.elapsed().as_micros() as u64,
                    "screen update decoded"
                );
                match decoded {
                    Ok(frame) => ViewerInput::FrameDecoded {
                        seq: update.seq,
                        width: frame.width(),
                        height: frame.height(),
                        bytes,
                        captured_at_us: update.captured_at_us,
                    },
                    Err(e) => ViewerInput::FrameRejected(e.to_string()),
                }
            }
            Woke::Screen(Some(Ok((ScreenMsg::Cursor { pointer, shape }, _)))) => {
                let shape = match shape.map(|s| s.validate().map(|()| s)) {
                    Some(Err(e)) => return Some(ViewerInput::ProtocolViolation(e.to_string())),
                    // Headless: the shape is described, not drawn.
                    Some(Ok(shape)) => Some(CursorInfo {
                        width: shape.width,
                        height: shape.height,
                        hot_x: shape.hot_x,
                        hot_y: shape.hot_y,
                    }),
                    None => None,
                };
                ViewerInput::Cursor {
                    x: pointer.x,
                    y: pointer.y,
                    serial: pointer.serial,
                    shape,
                }
            }
            Woke::Screen(None) => {
                self.screen = None;
                return None;
            }
            Woke::Channel(ChannelEvent::Failed(e)) => {
                tracing::warn!("end-to-end channel failed: {e}");
                ViewerInput::ConnectionLost
            }
            Woke::Channel(ChannelEvent::Message(m)) => ViewerInput::FromAgent(m),
            Woke::Channel(ChannelEvent::Malformed(e)) => {
                ViewerInput::ProtocolViolation(e.to_string())
            }
            Woke::Channel(ChannelEvent::Lost) => ViewerInput::ConnectionLost,
            Woke::Command(Some(Line::Text(line))) => return self.command(&line),
            Woke::Command(Some(Line::TooLong)) => {
                self.error(&format!(
                    "command line over the {}-byte limit was dropped",
                    command::MAX_COMMAND_LINE
                ));
                return None;
            }
            Woke::Command(None) => {
                // No more commands; the session goes on until it ends.
                self.commands_open = false;
                return None;
            }
            Woke::Timer(t) => ViewerInput::TimerFired(t),
            Woke::Interrupted => ViewerInput::UserEnd,
        })
    }

    fn command(&mut self, line: &str) -> Option<ViewerInput> {
        if line.trim().is_empty() {
            return None;
        }
        match command::parse(line) {
            Ok(Command::Chat { text }) => Some(ViewerInput::UserChat(text)),
            Ok(Command::End) => Some(ViewerInput::UserEnd),
            Ok(Command::Request { grants }) => Some(ViewerInput::UserRequest(grants)),
            Ok(Command::Status) => Some(ViewerInput::UserStatus),
            Ok(Command::Display { index }) => Some(ViewerInput::UserShowDisplay(index)),
            Ok(Command::Snapshot { path }) => {
                match self.decoder.frame() {
                    Some(frame) => {
                        match crate::snapshot::write_png(frame, std::path::Path::new(&path)) {
                            Ok(()) => self.notice(serde_json::json!({
                                "event": "snapshot", "path": path,
                                "width": frame.width(), "height": frame.height(),
                            })),
                            Err(message) => self.error(&message),
                        }
                    }
                    None => {
                        self.error("no picture yet: the screen is not shared, or nothing arrived")
                    }
                }
                None
            }
            Ok(other) => match other.input_events() {
                Some(Ok(events)) => {
                    let mut events = events.into_iter().map(ViewerInput::UserInput);
                    let first = events.next();
                    self.inputs.extend(events);
                    first
                }
                Some(Err(message)) => {
                    self.error(&message);
                    None
                }
                None => None,
            },
            Err(message) => {
                self.error(&message);
                None
            }
        }
    }

    fn relay_input(&mut self, msg: Option<Result<RelayMsg, NetError>>) -> ViewerInput {
        match msg {
            Some(Ok(RelayMsg::Paired { session_id })) => {
                match SelfSigned::generate(&["tessera-viewer"]) {
                    Ok(cert) => {
                        let local_fingerprint = cert.fingerprint;
                        self.cert = Some(cert);
                        ViewerInput::Paired {
                            session_id,
                            local_fingerprint,
                        }
                    }
                    Err(e) => ViewerInput::ProtocolViolation(e.to_string()),
                }
            }
            Some(Ok(RelayMsg::Registered { .. })) => ViewerInput::ProtocolViolation(
                "the relay answered a join with a registration".into(),
            ),
            Some(Ok(RelayMsg::Mailbox { payload })) => ViewerInput::Mailbox(payload),
            Some(Ok(RelayMsg::PeerLeft)) => ViewerInput::PeerLeft,
            Some(Ok(RelayMsg::Refused { reason })) => ViewerInput::Refused(reason),
            Some(Err(NetError::Frame(e))) => {
                ViewerInput::ProtocolViolation(format!("from the relay: {e}"))
            }
            // The relay's own words, if it closed deliberately.
            Some(Err(e)) => ViewerInput::RelayClosed(Some(
                self.link.closed_because().unwrap_or_else(|| e.to_string()),
            )),
            None => ViewerInput::RelayClosed(self.link.closed_because()),
        }
    }

    async fn perform(&mut self, action: ViewerAction) -> Option<EndReason> {
        match action {
            ViewerAction::Relay(msg) => {
                if let Err(e) = self.link.send(&msg).await {
                    tracing::warn!("relay send failed: {e}");
                    self.inputs
                        .push_back(ViewerInput::RelayClosed(Some(e.to_string())));
                }
            }
            ViewerAction::StartChannel { peer_fingerprint } => self.start_channel(peer_fingerprint),
            ViewerAction::ToAgent(msg) => {
                if self.channel.send(&msg).await.is_err() {
                    self.inputs.push_back(ViewerInput::ConnectionLost);
                }
            }
            ViewerAction::SetTimer(t, after) => self.timers.set(t, after),
            ViewerAction::CancelTimer(t) => self.timers.cancel(t),
            ViewerAction::Emit(event) => self.emit(&event),
            ViewerAction::Finish(reason) => return Some(reason),
        }
        None
    }

    fn start_channel(&mut self, peer: Fingerprint) {
        let Some(cert) = self.cert.take() else {
            self.inputs.push_back(ViewerInput::ConnectionLost);
            return;
        };
        let outer = self.link.connection.clone();
        self.channel
            .start(async move { Peer::connect(&outer, &cert, peer).await });
    }

    /// Reads every screen stream the agent opens on the now-open channel
    /// (pictures on one, the cursor on another; a new one after a reset).
    /// A stream that carries a malformed message is dropped (the agent
    /// starts another) and reported, so the agent is asked for a whole
    /// picture.
    fn accept_screen(&mut self) {
        let Some(conn) = self.channel.connection() else {
            return;
        };
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            while let Ok(recv) = conn.accept_uni().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut messages = tessera_net::framed::spawn_sized_reader::<ScreenMsg>(
                        recv,
                        MAX_UPDATE_BYTES,
                    );
                    while let Some(message) = messages.recv().await {
                        let broken = match message {
                            Ok(message) => Ok(message),
                            // Malformed: the picture may be wrong from here.
                            Err(NetError::Frame(e)) => Err(e.to_string()),
                            Err(e) => {
                                // Reset by the agent (the share stopped) or
                                // the connection closed: nothing to repair.
                                tracing::debug!("screen stream ended: {e}");
                                return;
                            }
                        };
                        let stop = broken.is_err();
                        if tx.send(broken).await.is_err() || stop {
                            return;
                        }
                    }
                });
            }
        });
        self.screen = Some(rx);
    }

    /// A local result, reported as an event line (JSON) or a sentence.
    fn notice(&self, event: serde_json::Value) {
        if self.events_json {
            println!("{event}");
        } else if let Some(path) = event.get("path") {
            println!("Snapshot written to {path}.");
        }
    }

    /// A local problem with a command, reported without ending the session.
    fn error(&self, message: &str) {
        if self.events_json {
            println!(
                "{}",
                serde_json::json!({"event": "error", "message": message})
            );
        } else {
            eprintln!("tessera-viewer: {}", printable(message));
        }
    }

    fn emit(&self, event: &SessionEvent) {
        if self.events_json {
            println!("{}", render::json_line(event, SystemTime::now()));
            return;
        }
        let text = match event {
            SessionEvent::Paired => "Found the person's computer; checking the code...".to_string(),
            SessionEvent::Secured { .. } => {
                "Code confirmed: the connection is end-to-end encrypted.".into()
            }
            SessionEvent::WaitingForConsent => {
                "Waiting for the person to accept your request...".into()
            }
            SessionEvent::PromptShown {
                verified_by: Some(org),
                ..
            } => format!("The person sees you as verified by {org}."),
            SessionEvent::PromptShown { not_verified, .. } => format!(
                "The person sees you as NOT verified ({}).",
                not_verified.as_deref().unwrap_or("no reason given")
            ),
            SessionEvent::SessionStarted { granted } => {
                format!("Session started. Granted: {granted}.")
            }
            SessionEvent::GrantChanged { granted } => format!("Grants now: {granted}."),
            SessionEvent::Status { running: true, granted } => {
                format!("Session running. Grants now: {granted}.")
            }
            SessionEvent::Status { running: false, .. } => {
                "No session running yet: nothing is granted.".into()
            }
            SessionEvent::Chat {
                from: Side::Agent,
                text,
            } => format!("[them] {text}"),
            SessionEvent::Chat {
                from: Side::Viewer,
                text,
            } => format!("[you] {text}"),
            SessionEvent::Refused { permission, .. } => {
                format!("Refused: {} was not granted.", permission.name())
            }
            SessionEvent::SessionEnded { reason, detail } => format!(
                "Session ended: {}.{}",
                reason.describe(),
                detail
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
            SessionEvent::Frame { .. } | SessionEvent::Cursor { .. } => return,
            SessionEvent::InputRefused { reason, count } => {
                format!("Input refused ({}): {count} event(s).", reason.name())
            }
            SessionEvent::LocalUser { active: true } => {
                "The person is using their keyboard or mouse: your input is paused until they stop."
                    .into()
            }
            SessionEvent::LocalUser { active: false } => {
                "The person stopped using their keyboard and mouse: your input works again.".into()
            }
            SessionEvent::Displays { displays, showing } => {
                let list: Vec<String> = displays
                    .iter()
                    .enumerate()
                    .map(|(i, d)| format!("{i}: {} {}x{}", d.name, d.width, d.height))
                    .collect();
                format!("Displays: {} (showing {showing}).", list.join(", "))
            }
            SessionEvent::UpgradeRequested { requested } => {
                format!("Asked the person for: {requested}. Waiting for their answer...")
            }
            SessionEvent::UpgradeGranted { granted } => {
                format!("The person allowed more. Grants now: {granted}.")
            }
            SessionEvent::UpgradeRefused { reason } => {
                format!("Request refused: {}.", reason.describe())
            }
            SessionEvent::ContinueCheck { open: true } => {
                "The person is asked whether the session should go on: your input is paused until they answer.".into()
            }
            SessionEvent::ContinueCheck { open: false } => {
                "The person chose to go on: your input works again.".into()
            }
            SessionEvent::Code { .. }
            | SessionEvent::CodeBurned { .. }
            | SessionEvent::ConsentRequested { .. } => return,
        };
        // Details and names come from the network: nothing in them may
        // drive the technician's terminal.
        println!("{}", printable(&text));
    }

    async fn shutdown(mut self) {
        self.timers = Timers::default();
        self.channel.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.link.close()).await;
    }
}
