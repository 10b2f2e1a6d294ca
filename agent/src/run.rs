//! Wires the agent's state machine to the relay, the end-to-end channel,
//! the terminal and the clock. Every decision is the machine's; this file
//! only carries inputs in and actions out.

use crate::gui::{UiCommand, UiEvent};
use crate::screen::{DisplaysNews, ScreenShare, SharedCapture};
use crate::tty::Tty;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};
use tessera_audit::live::Recording;
use tessera_audit::record::Fact;
use tessera_files::worker::Worker;
use tessera_net::cert::SelfSigned;
use tessera_net::channel::{ChannelEvent, ChannelSlot, Peer};
use tessera_net::lines::Line;
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::streams::{sort_streams, Sorted};
use tessera_net::timers::Timers;
use tessera_net::trust::RelayTrust;
use tessera_net::NetError;
use tessera_proto::clipboard::Clip;
use tessera_proto::peer::ViewerMsg;
use tessera_proto::relay::RelayMsg;
use tessera_proto::{EndReason, Fingerprint, Secret};
use tessera_session::agent::{AgentAction, AgentInput, AgentSession};
use tessera_session::consent::Lang;
use tessera_session::terminal::{self, Question, Terminal, Typed, TypedLine};
use tessera_session::transfers::FileNews;
use tessera_session::{render, SessionEvent, Timeouts};
use tokio::sync::mpsc;

mod actions;
mod record;

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
    /// The session's record.
    pub keeper: tessera_audit::live::Keeper,
    /// Where files sent to the person land.
    pub receive_dir: std::path::PathBuf,
}

/// Longest wait at the end for the viewer's last cosignature.
const RECORD_SETTLE: Duration = Duration::from_secs(1);
/// Once ours came, how long the viewer's final checkpoint may take.
const RECORD_GRACE: Duration = Duration::from_millis(150);

/// Everything the loop carries between turns.
struct Agent {
    options: Options,
    tty: Tty,
    link: RelayLink,
    timers: Timers<tessera_session::Timer>,
    inputs: VecDeque<AgentInput>,
    cert: Option<SelfSigned>,
    channel: ChannelSlot<ViewerMsg>,
    /// What lines typed at the terminal mean, and its words.
    terminal: Terminal,
    rng: SystemRandom,
    /// The screen share while `view` is granted.
    screen: Option<ScreenShare>,
    /// Seals the record every second.
    record_tick: tokio::time::Interval,
    /// What the screen share sent, for the record.
    screen_tap: (
        crate::screen::ScreenTap,
        tokio::sync::mpsc::UnboundedReceiver<(tessera_audit::recording::Kind, Vec<u8>)>,
    ),
    /// The person's clipboard (X11), and their copies while watched.
    clipboard: Option<(
        tessera_clipboard::LocalClipboard,
        mpsc::UnboundedReceiver<Clip>,
    )>,
    /// Sends this side's copies, one after the other.
    clip_sender: Option<mpsc::Sender<Clip>>,
    /// The technician's copies, read from their streams.
    copies: Option<mpsc::Receiver<Result<Clip, String>>>,
    /// Files sent and fetched, once the channel is up, and its news.
    files: Option<(Worker, mpsc::UnboundedReceiver<FileNews>)>,
    /// Display lists from the screen share, for the viewer.
    displays: (
        tokio::sync::mpsc::UnboundedSender<DisplaysNews>,
        tokio::sync::mpsc::UnboundedReceiver<DisplaysNews>,
    ),
}

/// Runs one agent from registration to the end; returns how it ended.
pub async fn run(options: Options, mut tty: Tty) -> Result<EndReason, String> {
    tty.line(&terminal::connecting(&options.relay, options.lang));
    let link = relay_client::connect(&options.relay, &options.trust)
        .await
        .map_err(|e| e.to_string())?;
    let options_lang = options.lang;
    let mut agent = Agent {
        options,
        tty,
        link,
        timers: Timers::default(),
        inputs: VecDeque::new(),
        cert: None,
        channel: ChannelSlot::default(),
        terminal: Terminal::new(options_lang),
        rng: SystemRandom::new(),
        screen: None,
        record_tick: tokio::time::interval(Duration::from_secs(1)),
        screen_tap: tokio::sync::mpsc::unbounded_channel(),
        displays: tokio::sync::mpsc::unbounded_channel(),
        files: None,
        clipboard: tessera_clipboard::LocalClipboard::open_desktop(),
        copies: None,
        clip_sender: None,
    };
    let mut session = AgentSession::new(agent.options.timeouts, agent.options.trusted.clone());
    let mut actions = session.start();
    let mut tty_open = true;
    loop {
        for action in actions.drain(..) {
            if let Some(reason) = agent.perform(action).await {
                agent.close_record().await;
                agent.settle_record().await;
                agent.shutdown().await;
                return Ok(reason);
            }
        }
        agent.send_audit().await;
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
            let arm_due = self.terminal.arm_due();
            let armed = async {
                match arm_due {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
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
            let files = async {
                match self.files.as_mut() {
                    Some((_, news)) => news.recv().await,
                    None => std::future::pending().await,
                }
            };
            let copied = async {
                match self.clipboard.as_mut() {
                    Some((_, copies)) => copies.recv().await,
                    None => std::future::pending().await,
                }
            };
            let theirs = async {
                match self.copies.as_mut() {
                    Some(copies) => copies.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = self.link.messages.recv() => Woke::Relay(msg),
                Some(news) = files => Woke::Files(news),
                Some(clip) = copied => Woke::Copied(clip),
                Some(clip) = theirs => Woke::TheirCopy(clip),
                event = self.channel.next() => Woke::Channel(event),
                line = typed => Woke::Typed(line),
                timer = self.timers.next() => Woke::Timer(timer),
                news = self.displays.1.recv() => Woke::Displays(news),
                at = local => Woke::Local(at),
                event = window => Woke::Window(event),
                _ = armed => Woke::Armed,
                _ = self.record_tick.tick() => Woke::RecordTick,
                Some(sent) = self.screen_tap.1.recv() => Woke::ScreenSent(sent),
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
            Woke::Channel(ChannelEvent::Up) => {
                self.start_files();
                AgentInput::ChannelUp
            }
            Woke::Files(news) => AgentInput::Files(news),
            Woke::Copied(clip) => AgentInput::LocalClipboard(clip),
            Woke::TheirCopy(Ok(clip)) => AgentInput::RemoteClipboard(clip),
            Woke::TheirCopy(Err(why)) => AgentInput::ProtocolViolation(why),
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
            Woke::Typed(Some((Line::Text(text), at))) => {
                return match self.terminal.typed(TypedLine { text, at }) {
                    Typed::Input(input) => Some(input),
                    Typed::Notice(notice) => {
                        self.tty.line(notice);
                        None
                    }
                    Typed::Nothing => None,
                }
            }
            Woke::Typed(Some((Line::TooLong, _))) => {
                self.tty.line(self.terminal.too_long());
                return None;
            }
            Woke::Typed(None) => {
                *tty_open = false;
                AgentInput::UserEnd
            }
            Woke::Timer(timer) => AgentInput::TimerFired(timer),
            Woke::Window(Some(UiEvent::Answer(answer))) => AgentInput::ConsentAnswer(answer),
            Woke::Window(Some(UiEvent::Continue(go_on))) => AgentInput::ContinueAnswer(go_on),
            Woke::Window(Some(UiEvent::Fetch { id, yes })) => AgentInput::FetchAnswer { id, yes },
            Woke::Window(Some(UiEvent::StopFile(id))) => AgentInput::StopFile(id),
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
                        // The machine lets releases through (so nothing
                        // stays pressed), nothing else ever again.
                        return Some(AgentInput::ControlLost);
                    }
                }
                return None;
            }
            Woke::Interrupted => AgentInput::UserEnd,
            Woke::ScreenSent((kind, bytes)) => {
                let started = std::time::Instant::now();
                let kept = self.options.keeper.screen(kind, &bytes);
                tracing::debug!(record_us = started.elapsed().as_micros() as u64, "recorded");
                match kept {
                    Ok(()) => return None,
                    Err(why) => AgentInput::RecordFailed(why),
                }
            }
            Woke::RecordTick => {
                let started = std::time::Instant::now();
                let kept = self.options.keeper.tick();
                tracing::debug!(record_us = started.elapsed().as_micros() as u64, "recorded");
                match kept {
                    Ok(()) => return None,
                    Err(why) => AgentInput::RecordFailed(why),
                }
            }
            Woke::Armed => {
                if let Some(answer_line) = self.terminal.arm(std::time::Instant::now()) {
                    // Nothing typed before this line may answer it.
                    self.tty.discard_pending();
                    self.tty.say(&answer_line);
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
            })) => AgentInput::Registered {
                nameplate,
                expires_in_secs,
                secret: self.fresh_secret(),
            },
            Some(Ok(RelayMsg::Paired { session_id })) => {
                self.link.start_lane();
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
            // The link hands these to the lane being opened, never here.
            Some(Ok(
                RelayMsg::LaneOpen { .. }
                | RelayMsg::NoLane
                | RelayMsg::LaneTicket { .. }
                | RelayMsg::LaneRefused { .. },
            )) => AgentInput::ProtocolViolation("the relay answered a lane out of turn".into()),
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

    fn start_channel(&mut self, peer: Fingerprint) {
        let Some(cert) = self.cert.take() else {
            self.inputs.push_back(AgentInput::ConnectionLost);
            return;
        };
        let path = self.link.inner_path();
        self.channel
            .start(async move { Peer::accept(path.await, &cert, peer).await });
    }

    /// Starts the file worker on the channel just up: file streams from
    /// the viewer go to it, any other kind is stopped unread.
    fn start_files(&mut self) {
        let Some(conn) = self.channel.connection() else {
            return;
        };
        let (streams, streams_rx) = mpsc::channel(16);
        let (clips, clips_rx) = mpsc::channel(4);
        sort_streams(
            conn.clone(),
            Sorted {
                files: Some(streams),
                clipboard: Some(clips),
                ..Sorted::default()
            },
        );
        self.copies = Some(tessera_clipboard::image::decodable(
            tessera_net::clip_streams::read(clips_rx),
        ));
        self.clip_sender = Some(tessera_net::clip_streams::sender(conn.clone()));
        self.files = Some(Worker::start(
            conn,
            self.options.receive_dir.clone(),
            streams_rx,
        ));
        if let Some(ui) = &self.options.ui {
            let folder = self.options.receive_dir.display().to_string();
            ui.send(UiCommand::ReceiveFolder(folder));
        }
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
        if let Some(text) = self.terminal.event_text(event, std::time::Instant::now()) {
            self.tty.line(&text);
        }
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
    Typed(Option<(Line, std::time::Instant)>),
    Timer(tessera_session::Timer),
    Displays(Option<DisplaysNews>),
    Local(Option<(std::time::Instant, bool)>),
    Window(Option<UiEvent>),
    /// The terminal's question may be answered now.
    Armed,
    /// A second of the record to seal.
    RecordTick,
    /// A screen message went to the viewer: it goes on the recording.
    ScreenSent((tessera_audit::recording::Kind, Vec<u8>)),
    Interrupted,
    /// The file worker reports.
    Files(FileNews),
    /// The person copied something (while watched).
    Copied(Clip),
    /// The technician's copy arrived (or was refused).
    TheirCopy(Result<Clip, String>),
}
