//! Wires the viewer's state machine to the relay, the end-to-end channel,
//! the technician's presentation ([`Front`]: headless or the window) and
//! the clock. Every decision is the machine's; this file only carries
//! inputs in and actions out.

use crate::front::{Front, Request};
use crate::video::{Outcome, VideoView};
use std::collections::VecDeque;
use std::time::Duration;
use tessera_audit::live::{Keeper, Recording};
use tessera_audit::record::Fact;
use tessera_audit::record::{Certifier, Side, TypedText};
use tessera_audit::recording::Kind;
use tessera_audit::wire::Hex;
use tessera_files::worker::Worker;
use tessera_net::cert::SelfSigned;
use tessera_net::channel::{ChannelEvent, ChannelSlot, Peer};
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::streams::{sort_streams, Sorted};
use tessera_net::timers::Timers;
use tessera_net::trust::RelayTrust;
use tessera_net::NetError;
use tessera_proto::clipboard::Clip;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::relay::RelayMsg;
use tessera_proto::{Code, EndReason, Fingerprint};
use tessera_screen::{Decoder, ScreenMsg, MAX_UPDATE_BYTES};
use tessera_secure::identity::{Introduction, SigningKey};
use tessera_session::transfers::FileNews;
use tessera_session::viewer::ScreenUse;
use tessera_session::viewer::{ViewerAction, ViewerInput, ViewerSession};
use tessera_session::CursorInfo;
use tessera_session::{Timeouts, Timer};
use tokio::sync::mpsc;

mod record;

/// What the command line decided.
pub struct Options {
    /// `HOST:PORT` of the relay.
    pub relay: String,
    /// How to trust it.
    pub trust: RelayTrust,
    /// Who the technician says they are, what they ask, and their
    /// organisation's certificate if they have one.
    pub intro: Introduction,
    /// The key that signs the introduction for this session, and
    /// vouches for the session record's key.
    pub key: SigningKey,
    /// Where session records are kept.
    pub record_dir: std::path::PathBuf,
    /// Where fetched files land.
    pub receive_dir: std::path::PathBuf,
    /// Share this desktop's clipboard (the window: the person's copies
    /// land on it, the technician's are sent while the window has the
    /// focus); headless, copies go through commands and events.
    pub share_clipboard: bool,
}

struct Viewer<F> {
    front: F,
    front_open: bool,
    link: RelayLink,
    timers: Timers<Timer>,
    inputs: VecDeque<ViewerInput>,
    cert: Option<SelfSigned>,
    channel: ChannelSlot<AgentMsg>,
    /// Screen messages from the agent's screen streams.
    screen: Option<mpsc::Receiver<Result<(ScreenMsg, usize), String>>>,
    decoder: Decoder,
    /// The video over the lossless picture: what is shown.
    video: VideoView,
    /// The session's record, and its one-second seal.
    keeper: Keeper,
    record_tick: tokio::time::Interval,
    /// This desktop's clipboard, when shared, and its copies while
    /// watched; whether the window has the focus.
    clipboard: Option<(
        tessera_clipboard::LocalClipboard,
        mpsc::UnboundedReceiver<Clip>,
    )>,
    focused: bool,
    /// Whether this desktop's copies are watched now.
    watching: bool,
    /// What is granted, as the machine said after its last step.
    granted: tessera_proto::Grants,
    /// Sends this side's copies, one after the other.
    clip_sender: Option<mpsc::Sender<Clip>>,
    /// The person's copies, read from their streams.
    copies: Option<mpsc::Receiver<Result<tessera_proto::clipboard::Clip, String>>>,
    /// Files sent and fetched, once the channel is up, and its news.
    files: Option<(Worker, mpsc::UnboundedReceiver<FileNews>)>,
    receive_dir: std::path::PathBuf,
    /// Snapshots being written report here.
    snapshots: (
        mpsc::UnboundedSender<Written>,
        mpsc::UnboundedReceiver<Written>,
    ),
}

enum Woke {
    Relay(Option<Result<RelayMsg, NetError>>),
    Channel(ChannelEvent<AgentMsg>),
    Front(Option<Request>),
    Screen(Option<Result<(ScreenMsg, usize), String>>),
    Timer(Timer),
    Snapshot(Written),
    Files(FileNews),
    TheirCopy(Result<tessera_proto::clipboard::Clip, String>),
    OurCopy(Clip),
    RecordTick,
    Interrupted,
}

/// The technician's side of the record: its log key vouched for by
/// their identity key.
fn keeper(options: &Options) -> Result<Keeper, String> {
    let key = SigningKey::from_pkcs8(options.key.pkcs8()).map_err(|e| e.to_string())?;
    Ok(Keeper {
        parent: options.record_dir.clone(),
        side: Side::Viewer,
        relay: options.relay.clone(),
        software: format!("tessera-viewer {}", env!("CARGO_PKG_VERSION")),
        typed_text: TypedText::Recorded,
        certifier: (Certifier::Technician, key.public().0),
        sign: Box::new(move |message| key.sign(message).0),
        live: None,
    })
}

/// Longest wait at the end for the agent's last cosignature.
const RECORD_SETTLE: Duration = Duration::from_secs(1);
/// Once ours came, how long the agent's final checkpoint may take.
const RECORD_GRACE: Duration = Duration::from_millis(150);

/// A snapshot written (where, its size), or why not.
type Written = Result<(std::path::PathBuf, u32, u32), String>;

/// Runs one viewer session, shown by `front`; returns how it ended.
pub async fn run<F: Front>(options: Options, code: Code, front: F) -> Result<EndReason, String> {
    tessera_proto::peer::validate_name("--name", &options.intro.name).map_err(|e| e.to_string())?;
    if let Some(ticket) = &options.intro.ticket {
        ticket.validate().map_err(|e| format!("--ticket: {e}"))?;
    }
    // No session that could not be recorded: checked before the code is
    // used.
    tessera_audit::files::check_writable(&options.record_dir)?;
    if let Some(org) = &options.intro.org {
        tessera_proto::peer::validate_name("--org", org).map_err(|e| e.to_string())?;
    }
    let link = relay_client::connect(&options.relay, &options.trust)
        .await
        .map_err(|e| e.to_string())?;
    let mut viewer = Viewer {
        front,
        front_open: true,
        link,
        timers: Timers::default(),
        inputs: VecDeque::new(),
        cert: None,
        channel: ChannelSlot::default(),
        screen: None,
        decoder: Decoder::new().map_err(|e| format!("screen decoder: {e}"))?,
        video: VideoView::default(),
        keeper: keeper(&options)?,
        record_tick: tokio::time::interval(Duration::from_secs(1)),
        snapshots: mpsc::unbounded_channel(),
        files: None,
        copies: None,
        clip_sender: None,
        clipboard: match options.share_clipboard {
            true => tessera_clipboard::LocalClipboard::open_desktop(),
            false => None,
        },
        focused: false,
        watching: false,
        granted: tessera_proto::Grants::NONE,
        receive_dir: options.receive_dir.clone(),
    };
    let mut session = ViewerSession::new(code, options.intro, options.key, Timeouts::default());
    let mut actions = session.start();
    loop {
        for action in actions.drain(..) {
            if let Some(reason) = viewer.perform(action).await {
                viewer.close_record().await;
                viewer.settle_record().await;
                viewer.shutdown().await;
                return Ok(reason);
            }
        }
        viewer.send_audit().await;
        let input = match viewer.inputs.pop_front() {
            Some(input) => input,
            None => match viewer.next_input(session.screen_use()).await {
                Some(input) => input,
                None => continue,
            },
        };
        actions = session.handle(input);
        viewer.follow_clipboard(session.granted());
    }
}

impl<F: Front> Viewer<F> {
    /// Waits for the next thing that happens; `None` when it needs no
    /// input to the machine. Screen data waits, is used or is dropped as
    /// the session says.
    async fn next_input(&mut self, screen_use: ScreenUse) -> Option<ViewerInput> {
        let woke = {
            let front = &mut self.front;
            let screen = &mut self.screen;
            let update = async move {
                match screen.as_mut() {
                    // Before consent it waits, unread, for the answer.
                    Some(rx) if screen_use != ScreenUse::Hold => rx.recv().await,
                    _ => std::future::pending().await,
                }
            };
            let open = self.front_open;
            let request = async move {
                if open {
                    front.next().await
                } else {
                    std::future::pending().await
                }
            };
            let files = async {
                match self.files.as_mut() {
                    Some((_, news)) => news.recv().await,
                    None => std::future::pending().await,
                }
            };
            let ours = async {
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
                Some(clip) = theirs => Woke::TheirCopy(clip),
                Some(clip) = ours => Woke::OurCopy(clip),
                event = self.channel.next() => Woke::Channel(event),
                request = request => Woke::Front(request),
                update = update => Woke::Screen(update),
                timer = self.timers.next() => Woke::Timer(timer),
                Some(written) = self.snapshots.1.recv() => Woke::Snapshot(written),
                _ = self.record_tick.tick() => Woke::RecordTick,
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
                let input = match decoded {
                    Ok(frame) => {
                        let changed =
                            self.video
                                .lossless(frame, update.seq, &update.changed_areas());
                        if let Some(shown) = self.video.picture() {
                            self.front.picture(shown, &changed);
                        }
                        if let Some(conn) = self.channel.connection() {
                            self.front.round_trip(conn.rtt());
                        }
                        ViewerInput::FrameDecoded {
                            seq: update.seq,
                            width: frame.width(),
                            height: frame.height(),
                            bytes,
                            captured_at_us: update.captured_at_us,
                        }
                    }
                    Err(e) => return Some(ViewerInput::FrameRejected(e.to_string())),
                };
                // What the technician saw goes on the recording.
                let kind = match update.keyframe {
                    true => Kind::Keyframe,
                    false => Kind::Update,
                };
                match self
                    .keeper
                    .screen(kind, &ScreenMsg::Update(update).to_bytes())
                {
                    Ok(()) => input,
                    Err(why) => ViewerInput::RecordFailed(why),
                }
            }
            Woke::Screen(Some(Ok((ScreenMsg::Video(msg), bytes)))) => {
                // What the technician saw goes on the recording.
                let recorded = ScreenMsg::Video(msg.clone()).to_bytes();
                if let Err(why) = self.keeper.screen(Kind::Video, &recorded) {
                    return Some(ViewerInput::RecordFailed(why));
                }
                let started = std::time::Instant::now();
                let outcome = match self.video.message(msg, self.decoder.frame()) {
                    Ok(outcome) => outcome,
                    Err(why) => return Some(ViewerInput::FrameRejected(why)),
                };
                let area = match &outcome {
                    Outcome::Picture { area, .. } | Outcome::Ended(area) => *area,
                };
                if let (Some(area), Some(shown)) = (area, self.video.picture()) {
                    self.front.picture(shown, &[area]);
                }
                match outcome {
                    Outcome::Picture {
                        seq,
                        captured_at_us,
                        ..
                    } => {
                        // Where the time goes (bench/ reads this).
                        tracing::debug!(
                            seq,
                            decode_us = started.elapsed().as_micros() as u64,
                            "video picture decoded"
                        );
                        ViewerInput::VideoDecoded {
                            seq,
                            bytes,
                            captured_at_us,
                        }
                    }
                    Outcome::Ended(_) => return None,
                }
            }
            Woke::Screen(Some(Ok((ScreenMsg::Cursor { pointer, shape }, _)))) => {
                let recorded = ScreenMsg::Cursor {
                    pointer,
                    shape: shape.clone(),
                }
                .to_bytes();
                if let Err(why) = self.keeper.screen(Kind::Cursor, &recorded) {
                    return Some(ViewerInput::RecordFailed(why));
                }
                let shape = match shape.map(|s| s.validate().map(|()| s)) {
                    Some(Err(e)) => return Some(ViewerInput::ProtocolViolation(e.to_string())),
                    // Drawn by a window; described to the machine.
                    Some(Ok(shape)) => Some(shape),
                    None => None,
                };
                self.front.cursor(pointer, shape.as_ref());
                let shape = shape.map(|shape| CursorInfo {
                    width: shape.width,
                    height: shape.height,
                    hot_x: shape.hot_x,
                    hot_y: shape.hot_y,
                });
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
            Woke::Front(Some(Request::Session(input))) => input,
            Woke::Front(Some(Request::Focused(focused))) => {
                self.focused = focused;
                self.follow_clipboard(self.granted);
                return None;
            }
            Woke::Front(Some(Request::Snapshot(path))) => {
                self.snapshot(path);
                return None;
            }
            Woke::Snapshot(written) => {
                match written {
                    Ok((path, width, height)) => self.front.snapshot_written(&path, width, height),
                    Err(message) => {
                        // The snapshot fact is on the record already: so
                        // is why its picture is missing.
                        let fact = Fact::Error {
                            what: format!("snapshot not written: {message}"),
                        };
                        if let Err(why) = self.keeper.apply(Recording::Fact(Box::new(fact))) {
                            self.inputs.push_back(ViewerInput::RecordFailed(why));
                        }
                        self.front.error(&message)
                    }
                }
                return None;
            }
            Woke::Front(None) => {
                // No more requests; the session goes on until it ends.
                self.front_open = false;
                return None;
            }
            Woke::Timer(t) => ViewerInput::TimerFired(t),
            Woke::Files(news) => ViewerInput::Files(news),
            Woke::TheirCopy(Ok(clip)) => ViewerInput::RemoteClipboard(clip),
            Woke::TheirCopy(Err(why)) => ViewerInput::ProtocolViolation(why),
            Woke::OurCopy(clip) => match clip.as_text() {
                Some(text) => ViewerInput::UserClipboard(text.to_string()),
                None => ViewerInput::UserImage(clip.bytes().to_vec()),
            },
            Woke::Interrupted => ViewerInput::UserEnd,
            Woke::RecordTick => match self.keeper.tick() {
                Ok(()) => return None,
                Err(why) => ViewerInput::RecordFailed(why),
            },
        })
    }

    /// Writes the picture to `path` on a blocking thread, so pictures
    /// and input keep flowing while the PNG is encoded and synced; the
    /// result comes back through `snapshots`.
    fn snapshot(&mut self, path: std::path::PathBuf) {
        let Some(frame) = self.video.picture().cloned() else {
            return self
                .front
                .error("no picture yet: the screen is not shared, or nothing arrived");
        };
        // On the record: which picture, and its pixels' hash (a replay
        // of that moment gives the same).
        let fact = Fact::Snapshot {
            seq: self.decoder.seq().unwrap_or(0),
            sha256: Hex(tessera_audit::recording::sha256(frame.pixels())),
        };
        if let Err(why) = self.keeper.apply(Recording::Fact(Box::new(fact))) {
            self.inputs.push_back(ViewerInput::RecordFailed(why));
        }
        let done = self.snapshots.0.clone();
        tokio::task::spawn_blocking(move || {
            let written = crate::snapshot::write_png(&frame, &path)
                .map(|()| (path, frame.width(), frame.height()));
            let _ = done.send(written);
        });
    }

    fn relay_input(&mut self, msg: Option<Result<RelayMsg, NetError>>) -> ViewerInput {
        match msg {
            Some(Ok(RelayMsg::Paired { session_id })) => {
                self.link.start_lane();
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
            // The link hands these to the lane being opened, never here.
            Some(Ok(
                RelayMsg::LaneOpen { .. }
                | RelayMsg::NoLane
                | RelayMsg::LaneTicket { .. }
                | RelayMsg::LaneRefused { .. },
            )) => ViewerInput::ProtocolViolation("the relay answered a lane out of turn".into()),
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
            ViewerAction::Emit(event) => self.front.event(&event),
            ViewerAction::Record(recording) => {
                if let Err(why) = self.keeper.apply(recording) {
                    self.inputs.push_back(ViewerInput::RecordFailed(why));
                }
            }
            ViewerAction::SendClipboard(clip) => {
                if let Some(sender) = &self.clip_sender {
                    if sender.try_send(clip).is_err() {
                        tracing::warn!("a copy was not sent: too many waiting");
                    }
                }
            }
            // On this desktop's clipboard when shared; the event carries
            // it either way.
            ViewerAction::SetClipboard(clip) => match &self.clipboard {
                Some((clipboard, _)) => clipboard.set(clip),
                None => self.front.clipboard(&clip),
            },
            ViewerAction::Files(order) => {
                if let Some((worker, _)) = &self.files {
                    worker.order(order);
                }
            }
            ViewerAction::Finish(reason) => return Some(reason),
        }
        None
    }

    fn start_channel(&mut self, peer: Fingerprint) {
        let Some(cert) = self.cert.take() else {
            self.inputs.push_back(ViewerInput::ConnectionLost);
            return;
        };
        let path = self.link.inner_path();
        self.channel
            .start(async move { Peer::connect(path.await, &cert, peer).await });
    }

    /// Watches this desktop's copies only while the window has the focus
    /// and `clipboard` is granted.
    fn follow_clipboard(&mut self, granted: tessera_proto::Grants) {
        self.granted = granted;
        let watch = self.focused && granted.contains(tessera_proto::Permission::Clipboard);
        if let (Some((clipboard, _)), true) = (&self.clipboard, watch != self.watching) {
            // Back in the window: a copy the technician made elsewhere
            // meanwhile goes (it is one they made to paste there).
            clipboard.watch(watch, true);
            self.watching = watch;
        }
    }

    /// Sorts the streams the agent opens on the now-open channel: screen
    /// streams are read here (pictures on one, the cursor on another; a
    /// new one after a reset), file streams go to the file worker.
    /// A stream that carries a malformed message is dropped (the agent
    /// starts another) and reported, so the agent is asked for a whole
    /// picture.
    fn accept_screen(&mut self) {
        let Some(conn) = self.channel.connection() else {
            return;
        };
        let (tx, rx) = mpsc::channel(4);
        let (screens, mut screens_rx) = mpsc::channel(4);
        let (files, files_rx) = mpsc::channel(16);
        let (clips, clips_rx) = mpsc::channel(4);
        sort_streams(
            conn.clone(),
            Sorted {
                screen: Some(screens),
                files: Some(files),
                clipboard: Some(clips),
            },
        );
        self.copies = Some(tessera_clipboard::image::decodable(
            tessera_net::clip_streams::read(clips_rx),
        ));
        self.clip_sender = Some(tessera_net::clip_streams::sender(conn.clone()));
        self.files = Some(Worker::start(conn, self.receive_dir.clone(), files_rx));
        tokio::spawn(async move {
            while let Some(recv) = screens_rx.recv().await {
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

    async fn shutdown(mut self) {
        self.timers = Timers::default();
        self.channel.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.link.close()).await;
    }
}
