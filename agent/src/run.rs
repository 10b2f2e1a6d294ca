//! Wires the agent's state machine to the relay, the end-to-end channel,
//! the terminal and the clock. Every decision is the machine's; this file
//! only carries inputs in and actions out.

use crate::gui::{UiCommand, UiEvent};
use crate::screen::{DisplaysNews, ScreenShare, SharedCapture};
use crate::tty::Tty;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};
use tessera_net::cert::SelfSigned;
use tessera_net::channel::{ChannelEvent, ChannelSlot, Peer};
use tessera_net::lines::Line;
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::timers::Timers;
use tessera_net::trust::RelayTrust;
use tessera_net::NetError;
use tessera_proto::peer::ViewerMsg;
use tessera_proto::relay::RelayMsg;
use tessera_proto::{
    EndReason, Fingerprint, Grants, Nameplate, Permission, Secret, UpgradeRefusal,
};
use tessera_session::agent::{AgentAction, AgentInput, AgentSession};
use tessera_session::consent::{self, Lang};
use tessera_session::{render, BurnReason, SessionEvent, Side, Technician, Timeouts};

/// What the command line decided.
pub struct Options {
    /// `HOST:PORT` of the relay.
    pub relay: String,
    /// How to trust it.
    pub trust: RelayTrust,
    /// Print JSON events on stdout.
    pub events_json: bool,
    /// Language of the prompt.
    pub lang: Lang,
    /// Where the screen comes from (opened before a code is shown, so a
    /// display that cannot be captured is known before anyone consents).
    pub capture: SharedCapture,
    /// Where remote input goes (`None`: no desktop to drive, such as the
    /// synthetic screen; admitted input is then dropped with a warning).
    pub injector: Option<Box<dyn tessera_input::Injector + Send>>,
    /// When the person last used their own keyboard or mouse (`None`: no
    /// desktop, so no one to pause for).
    pub local_activity: Option<crate::local::LocalActivity>,
    /// The organisations trusted to vouch for technicians.
    pub trusted: tessera_secure::identity::TrustStore,
    /// The window, when the person sees one (`--ui gui`); the terminal
    /// asks otherwise.
    pub ui: Option<crate::gui::UiLink>,
    /// How long prompts wait, and when the continue check comes.
    pub timeouts: Timeouts,
}

/// The question open at the terminal, which the next typed line answers.
enum TtyPrompt {
    /// Consent or upgrade: what it asks for.
    Consent(Grants),
    /// The continue check.
    Continue,
}

/// Everything the loop carries between turns.
struct Agent {
    options: Options,
    tty: Tty,
    link: RelayLink,
    timers: Timers<tessera_session::Timer>,
    inputs: VecDeque<AgentInput>,
    cert: Option<SelfSigned>,
    channel: ChannelSlot<ViewerMsg>,
    /// The question open at the terminal, if any.
    prompt: Option<TtyPrompt>,
    /// Its last line (`Allow? [y/N]`), shown [`consent::ARM_DELAY`] after
    /// the rest: lines typed before it answer nothing.
    question: Option<(tokio::time::Instant, String)>,
    technician: Option<Technician>,
    /// When the session started (for the continue check's words).
    started: Option<std::time::Instant>,
    rng: SystemRandom,
    /// The screen share while `view` is granted.
    screen: Option<ScreenShare>,
    /// The watch on the person's own devices was lost: inject releases
    /// only.
    releases_only: bool,
    /// Display lists from the screen share, for the viewer.
    displays: (
        tokio::sync::mpsc::UnboundedSender<DisplaysNews>,
        tokio::sync::mpsc::UnboundedReceiver<DisplaysNews>,
    ),
}

/// Runs one agent from registration to the end; returns how it ended.
pub async fn run(options: Options, mut tty: Tty) -> Result<EndReason, String> {
    tty.line(&format!("Connecting to the relay at {}...", options.relay));
    let link = relay_client::connect(&options.relay, &options.trust)
        .await
        .map_err(|e| e.to_string())?;
    let mut agent = Agent {
        options,
        tty,
        link,
        timers: Timers::default(),
        inputs: VecDeque::new(),
        cert: None,
        channel: ChannelSlot::default(),
        prompt: None,
        question: None,
        technician: None,
        started: None,
        rng: SystemRandom::new(),
        screen: None,
        releases_only: false,
        displays: tokio::sync::mpsc::unbounded_channel(),
    };
    let mut session = AgentSession::new(agent.options.timeouts, agent.options.trusted.clone());
    let mut actions = session.start();
    let mut tty_open = true;
    loop {
        for action in actions.drain(..) {
            if let Some(reason) = agent.perform(action).await {
                agent.shutdown().await;
                return Ok(reason);
            }
        }
        let input = match agent.inputs.pop_front() {
            Some(input) => input,
            None => match agent.next_input(&mut tty_open).await {
                Some(input) => input,
                None => continue,
            },
        };
        actions = session.handle(input);
    }
}

impl Agent {
    /// Waits for the next thing that happens; `None` when it needs no
    /// input to the machine (such as a usage hint).
    async fn next_input(&mut self, tty_open: &mut bool) -> Option<AgentInput> {
        let woke = {
            let lines = &mut self.tty.lines;
            let open = *tty_open;
            let typed = async move {
                if open {
                    lines.recv().await
                } else {
                    std::future::pending().await
                }
            };
            let window = async {
                match self.options.ui.as_mut() {
                    Some(ui) => ui.events.recv().await,
                    None => std::future::pending().await,
                }
            };
            let armed = async {
                match &self.question {
                    Some((at, _)) => tokio::time::sleep_until(*at).await,
                    None => std::future::pending().await,
                }
            };
            let local = async {
                match self.options.local_activity.as_mut() {
                    Some(rx) => match rx.changed().await {
                        Ok(()) => *rx.borrow_and_update(),
                        Err(_) => None,
                    },
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = self.link.messages.recv() => Woke::Relay(msg),
                event = self.channel.next() => Woke::Channel(event),
                line = typed => Woke::Typed(line),
                timer = self.timers.next() => Woke::Timer(timer),
                news = self.displays.1.recv() => Woke::Displays(news),
                at = local => Woke::Local(at),
                event = window => Woke::Window(event),
                _ = armed => Woke::Armed,
                _ = tokio::signal::ctrl_c() => Woke::Interrupted,
            }
        };
        Some(match woke {
            Woke::Relay(msg) => self.relay_input(msg),
            Woke::Displays(Some((displays, showing))) => {
                // Positions are relative to the shown display.
                if let (Some(injector), Some(shown)) = (
                    self.options.injector.as_mut(),
                    displays.get(showing as usize),
                ) {
                    injector.set_origin(shown.x, shown.y);
                }
                AgentInput::Displays { displays, showing }
            }
            Woke::Displays(None) => return None,
            Woke::Channel(ChannelEvent::Up) => AgentInput::ChannelUp,
            Woke::Channel(ChannelEvent::Failed(e)) => {
                tracing::warn!("end-to-end channel failed: {e}");
                AgentInput::ConnectionLost
            }
            // Input carries when it arrived (rate limit, local user pause).
            Woke::Channel(ChannelEvent::Message(ViewerMsg::Input(event))) => {
                AgentInput::RemoteInput {
                    event,
                    at: std::time::Instant::now(),
                }
            }
            // The introduction carries the time, for its certificate.
            Woke::Channel(ChannelEvent::Message(ViewerMsg::Hello(hello))) => {
                AgentInput::Introduced {
                    hello,
                    now: unix_micros() / 1_000_000,
                }
            }
            Woke::Channel(ChannelEvent::Message(m)) => AgentInput::FromViewer(m),
            Woke::Channel(ChannelEvent::Malformed(e)) => {
                AgentInput::ProtocolViolation(e.to_string())
            }
            Woke::Channel(ChannelEvent::Lost) => AgentInput::ConnectionLost,
            Woke::Typed(Some(Line::Text(line))) => return self.typed(line),
            Woke::Typed(Some(Line::TooLong)) => {
                self.tty.line("(That line was too long and was not sent.)");
                return None;
            }
            Woke::Typed(None) => {
                *tty_open = false;
                AgentInput::UserEnd
            }
            Woke::Timer(timer) => AgentInput::TimerFired(timer),
            Woke::Window(Some(UiEvent::Answer(answer))) => AgentInput::ConsentAnswer(answer),
            Woke::Window(Some(UiEvent::Continue(go_on))) => AgentInput::ContinueAnswer(go_on),
            Woke::Window(Some(UiEvent::Chat(text))) => AgentInput::UserChat(text),
            Woke::Window(Some(UiEvent::Revoke(permission))) => AgentInput::Revoke(permission),
            // The window closed (it cannot come back): the session ends.
            Woke::Window(Some(UiEvent::Stop) | None) => {
                if let Some(ui) = self.options.ui.as_mut() {
                    ui.events.close();
                }
                AgentInput::UserEnd
            }
            Woke::Local(Some((at, held))) => AgentInput::LocalInput { at, held },
            Woke::Local(None) => {
                // The watch ended (its error was logged). Without it the
                // person could not take the mouse back: stop injecting.
                if self
                    .options
                    .local_activity
                    .as_ref()
                    .is_some_and(|rx| rx.has_changed().is_err())
                {
                    self.options.local_activity = None;
                    if self.options.injector.is_some() {
                        tracing::warn!("remote control stopped: the local keyboard and mouse can no longer be watched");
                        // Releases still go through (so nothing stays
                        // pressed), nothing else ever again.
                        self.releases_only = true;
                        return Some(AgentInput::ControlLost);
                    }
                }
                return None;
            }
            Woke::Interrupted => AgentInput::UserEnd,
            Woke::Armed => {
                if let Some((_, question)) = self.question.take() {
                    self.tty.say(&question);
                }
                return None;
            }
        })
    }

    /// Translates a relay message into the machine's input, drawing the
    /// secret and the session certificate where the machine needs them.
    fn relay_input(&mut self, msg: Option<Result<RelayMsg, NetError>>) -> AgentInput {
        match msg {
            Some(Ok(RelayMsg::Registered {
                nameplate,
                expires_in_secs,
            })) => match Nameplate::new(nameplate) {
                Some(nameplate) => AgentInput::Registered {
                    nameplate,
                    expires_in_secs,
                    secret: self.fresh_secret(),
                },
                None => AgentInput::ProtocolViolation(format!(
                    "the relay gave an invalid nameplate {nameplate}"
                )),
            },
            Some(Ok(RelayMsg::Paired { session_id })) => {
                match SelfSigned::generate(&["tessera-agent"]) {
                    Ok(cert) => {
                        let local_fingerprint = cert.fingerprint;
                        self.cert = Some(cert);
                        AgentInput::Paired {
                            session_id,
                            local_fingerprint,
                        }
                    }
                    Err(e) => AgentInput::ProtocolViolation(e.to_string()),
                }
            }
            Some(Ok(RelayMsg::Mailbox { payload })) => AgentInput::Mailbox(payload),
            Some(Ok(RelayMsg::PeerLeft)) => AgentInput::PeerLeft,
            Some(Ok(RelayMsg::Refused { reason })) => AgentInput::Refused(reason),
            Some(Err(NetError::Frame(e))) => {
                AgentInput::ProtocolViolation(format!("from the relay: {e}"))
            }
            // The relay's own words, if it closed deliberately.
            Some(Err(e)) => AgentInput::RelayClosed(Some(
                self.link.closed_because().unwrap_or_else(|| e.to_string()),
            )),
            None => AgentInput::RelayClosed(self.link.closed_because()),
        }
    }

    /// What a line typed at the terminal means now.
    fn typed(&mut self, line: String) -> Option<AgentInput> {
        // A line finished before the question was asked was meant for
        // something else (a chat line): it answers nothing.
        if self.prompt.is_some() && self.question.is_some() {
            self.tty.line(
                "(That line was typed before the question: please wait for it, then answer.)",
            );
            return None;
        }
        match self.prompt.take() {
            Some(TtyPrompt::Consent(requested)) => {
                return Some(AgentInput::ConsentAnswer(consent::parse_answer(
                    &line, requested,
                )))
            }
            Some(TtyPrompt::Continue) => {
                return Some(AgentInput::ContinueAnswer(
                    tessera_session::continue_check::parse_continue(&line),
                ))
            }
            None => {}
        }
        let trimmed = line.trim();
        let (command, arg) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        match command {
            "/stop" | "/end" => Some(AgentInput::UserEnd),
            "/revoke" => match Permission::from_name(arg.trim()) {
                Some(p) => Some(AgentInput::Revoke(p)),
                None => {
                    self.tty
                        .line("Usage: /revoke view|control|clipboard|files|chat");
                    None
                }
            },
            "" => None,
            other if other.starts_with('/') => {
                self.tty.line("Commands: /stop ends the session, /revoke PERMISSION takes one back. Anything else is sent as chat.");
                None
            }
            _ => Some(AgentInput::UserChat(line)),
        }
    }

    /// Carries out one action; returns the end reason on `Finish`.
    async fn perform(&mut self, action: AgentAction) -> Option<EndReason> {
        match action {
            AgentAction::Relay(msg) => {
                if let Err(e) = self.link.send(&msg).await {
                    tracing::warn!("relay send failed: {e}");
                    self.inputs
                        .push_back(AgentInput::RelayClosed(Some(e.to_string())));
                }
            }
            AgentAction::StartChannel { peer_fingerprint } => self.start_channel(peer_fingerprint),
            AgentAction::ToViewer(msg) => {
                if self.channel.send(&msg).await.is_err() {
                    self.inputs.push_back(AgentInput::ConnectionLost);
                }
            }
            AgentAction::AskConsent(ask) => {
                self.technician = Some(ask.technician.clone());
                match &self.options.ui {
                    // The window asks; the terminal only answers when it
                    // is the prompt.
                    Some(ui) => ui.send(UiCommand::AskConsent(ask)),
                    None => {
                        let (who, asked) = (&ask.technician, ask.requested);
                        let (secs, lang) = (ask.timeout.as_secs(), self.options.lang);
                        let text = match ask.already {
                            None => consent::prompt_text(who, asked, secs, lang),
                            Some(had) => consent::upgrade_prompt_text(who, asked, had, secs, lang),
                        };
                        self.prompt = Some(TtyPrompt::Consent(asked));
                        self.ask_at_terminal(&text);
                    }
                }
            }
            AgentAction::AskContinue { timeout } => match &self.options.ui {
                Some(ui) => ui.send(UiCommand::AskContinue { timeout }),
                None => {
                    let name = self
                        .technician
                        .as_ref()
                        .map_or("The technician".into(), |t| t.name.clone());
                    let connected = self.started.map_or(0, |s| s.elapsed().as_secs());
                    let text = tessera_session::continue_check::continue_prompt_text(
                        &name,
                        connected,
                        timeout.as_secs(),
                        self.options.lang,
                    );
                    self.prompt = Some(TtyPrompt::Continue);
                    self.ask_at_terminal(&text);
                }
            },
            AgentAction::DismissConsent => {
                if let Some(ui) = &self.options.ui {
                    ui.send(UiCommand::Dismiss);
                }
                // The continue check's end is told by the session's end.
                self.question = None;
                if let Some(TtyPrompt::Consent(_)) = self.prompt.take() {
                    self.tty.line("\n(The request was withdrawn.)");
                }
            }
            AgentAction::SetTimer(t, after) => self.timers.set(t, after),
            AgentAction::CancelTimer(t) => self.timers.cancel(t),
            AgentAction::Emit(event) => self.emit(&event),
            AgentAction::ShareScreen(true) => {
                if let Some(conn) = self.channel.connection() {
                    let capture = self.options.capture.clone();
                    let news = self.displays.0.clone();
                    self.screen = Some(ScreenShare::start(capture, conn, news));
                }
            }
            AgentAction::ShareScreen(false) => self.screen = None,
            AgentAction::SendKeyframe => {
                if let Some(screen) = &self.screen {
                    screen.keyframe();
                }
            }
            AgentAction::ScreenShown(seq) => {
                if let Some(screen) = &self.screen {
                    screen.shown(seq);
                }
            }
            AgentAction::Inject(event) if self.releases_only && !event.is_release() => {
                tracing::warn!("input admitted, but remote control stopped: dropped");
            }
            AgentAction::Inject(event) => match self.options.injector.as_mut() {
                Some(injector) => {
                    if let Err(e) = injector.inject(&event) {
                        tracing::warn!("{e}");
                    }
                    // When it reached the X server (bench/ reads this).
                    tracing::debug!(at_us = unix_micros(), "injected");
                }
                None => tracing::warn!("input admitted, but this agent has no desktop to drive"),
            },
            AgentAction::ShowDisplay(index) => {
                if let Some(screen) = &self.screen {
                    screen.show(index);
                }
            }
            AgentAction::Finish(reason) => {
                if let Some(ui) = &self.options.ui {
                    ui.send(UiCommand::Quit);
                }
                return Some(reason);
            }
        }
        None
    }

    /// Shows a question at the terminal: all but its last line now, the
    /// last one (what to type) once it may be answered.
    fn ask_at_terminal(&mut self, text: &str) {
        let (body, question) = text.rsplit_once('\n').unwrap_or(("", text));
        self.tty.line(body);
        let armed = tokio::time::Instant::now() + consent::ARM_DELAY;
        self.question = Some((armed, question.to_string()));
    }

    fn start_channel(&mut self, peer: Fingerprint) {
        let Some(cert) = self.cert.take() else {
            self.inputs.push_back(AgentInput::ConnectionLost);
            return;
        };
        let outer = self.link.connection.clone();
        self.channel
            .start(async move { Peer::accept(&outer, &cert, peer).await });
    }

    fn fresh_secret(&self) -> Secret {
        let mut pool = [0u8; 64];
        let mut used = pool.len();
        Secret::from_random(|| {
            if used == pool.len() {
                // The OS CSPRNG does not fail on Linux once booted; if it
                // did, all-0xff bytes are rejected by the sampler forever,
                // so we would loop rather than emit a weak secret.
                if self.rng.fill(&mut pool).is_err() {
                    pool = [0xff; 64];
                }
                used = 0;
            }
            used += 1;
            pool[used - 1]
        })
    }

    /// Shows an event to the person, and prints it as JSON if asked.
    fn emit(&mut self, event: &SessionEvent) {
        if self.options.events_json {
            println!("{}", render::json_line(event, SystemTime::now()));
        }
        if let Some(ui) = &self.options.ui {
            ui.send(UiCommand::Event(event.clone()));
        }
        let lang = self.options.lang;
        let text = match event {
            SessionEvent::Code { code, expires_in_secs } => format!(
                "\nYour code: {code}\nRead it to the technician who is helping you. It works once and expires in {} minutes.",
                expires_in_secs / 60
            ),
            SessionEvent::Paired => "Someone entered the code; checking it...".into(),
            SessionEvent::CodeBurned { reason: BurnReason::WrongCode } => {
                "Someone tried a wrong code, so the code is now void. Here is a new one:".into()
            }
            SessionEvent::CodeBurned { reason: BurnReason::Abandoned } => {
                "The connection attempt did not complete, so the code is now void. Here is a new one:".into()
            }
            SessionEvent::Secured { .. } => "Code confirmed: the connection is end-to-end encrypted.".into(),
            SessionEvent::ConsentRequested { .. }
            | SessionEvent::WaitingForConsent
            | SessionEvent::Frame { .. }
            | SessionEvent::Displays { .. }
            | SessionEvent::Cursor { .. }
            | SessionEvent::LocalUser { .. }
            | SessionEvent::UpgradeRequested { .. }
            | SessionEvent::Status { .. }
            | SessionEvent::ContinueCheck { open: true } => return,
            SessionEvent::InputRefused { reason, count } => format!(
                "(The technician's keyboard or mouse was blocked: {}; {count} event(s).)",
                match reason {
                    tessera_input::RefusalKind::NotGranted => "you did not allow control",
                    tessera_input::RefusalKind::PromptOpen => "a question is open on your screen",
                    tessera_input::RefusalKind::LocalUser => "you are using your computer",
                    tessera_input::RefusalKind::Flood => "too many events at once",
                    tessera_input::RefusalKind::Invalid => "an invalid event",
                }
            ),
            SessionEvent::SessionStarted { granted } => {
                self.started = Some(std::time::Instant::now());
                let who = self.technician.as_ref().map_or("The technician".into(), |t| t.name.clone());
                format!(
                    "\nSession started. {who} may now: {}.\nType a message and Enter to chat. /revoke PERMISSION takes one back, /stop ends the session.",
                    consent::describe_grants(*granted, lang)
                )
            }
            SessionEvent::GrantChanged { granted } | SessionEvent::UpgradeGranted { granted } => {
                format!("Permissions now: {}.", consent::describe_grants(*granted, lang))
            }
            SessionEvent::UpgradeRefused { reason } => match reason {
                UpgradeRefusal::Denied => {
                    "Refused: the technician keeps only what you allowed before.".into()
                }
                UpgradeRefusal::Timeout => {
                    "No answer in time: refused. The technician keeps only what you allowed before.".into()
                }
                other => format!(
                    "(The technician asked for more; refused without asking you: {}.)",
                    other.describe()
                ),
            },
            SessionEvent::ContinueCheck { open: false } => "The session goes on.".into(),
            SessionEvent::Chat { from: Side::Viewer, text } => {
                // Every line carries the name, so a message cannot pass for
                // Tessera's own words.
                let who = self.technician.as_ref().map_or("Technician".into(), |t| t.name.clone());
                text.lines().map(|l| format!("[{who}] {l}")).collect::<Vec<_>>().join("\n")
            }
            SessionEvent::Chat { from: Side::Agent, .. } => return,
            SessionEvent::Refused { permission, .. } => format!(
                "(Refused: the technician tried to use {}, which you did not allow.)",
                permission.name()
            ),
            SessionEvent::SessionEnded { reason, detail } => format!(
                "\nSession ended: {}.{}",
                reason.describe(),
                detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
            ),
        };
        self.tty.line(&text);
    }

    /// Closes the channel and the relay connection, giving queued messages
    /// (such as the end notice) a moment to arrive.
    async fn shutdown(mut self) {
        self.timers = Timers::default();
        self.channel.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.link.close()).await;
    }
}

/// Microseconds since the Unix epoch, for timings compared across
/// processes.
fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// What woke the loop.
enum Woke {
    Relay(Option<Result<RelayMsg, NetError>>),
    Channel(ChannelEvent<ViewerMsg>),
    Typed(Option<Line>),
    Timer(tessera_session::Timer),
    Displays(Option<DisplaysNews>),
    Local(Option<(std::time::Instant, bool)>),
    Window(Option<UiEvent>),
    /// The terminal's question may be answered now.
    Armed,
    Interrupted,
}
