//! Sends the screen to the viewer while `view` is granted. A capture thread
//! waits for the screen to change (XDamage where there is one), grabs when
//! the pacer says the viewer is keeping up, encodes only what changed and
//! hands the update to a task that writes it on its own end-to-end stream.
//! The cursor goes on a second stream, so it never waits behind a picture.
//! What moves like a video is split off (`VideoSplit`), coded with VP9 and
//! sent on a third stream of lower priority, so a keystroke's update never
//! waits behind video data.
//!
//! Stopping (revoke, end) sets a flag the capture thread checks before
//! each grab and send, and resets both streams: what was not yet sent is
//! dropped, not delivered late.

use crate::video::VideoEncoding;
use quinn::{Connection, SendStream, VarInt};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tessera_audit::recording::Kind;
use tessera_net::streams::StreamKind;
use tessera_proto::peer::DisplayInfo;
use tessera_screen::{Capture, CaptureError, Encoder, Pacer, Pointer, ScreenMsg, VideoSplit};
use tokio::sync::{mpsc, watch};

/// Longest wait for the screen before the cursor is looked at again.
const POLL: Duration = Duration::from_millis(33);
/// While a video region lasts, the screen is grabbed this often even
/// when nothing changes, so that a pause is seen and topped off.
const VIDEO_TICK: Duration = Duration::from_millis(33);
/// Shortest time between two grabs (at most 60 a second).
const MIN_GRAB_INTERVAL: Duration = Duration::from_millis(16);
/// The same while a video region plays: the video's own pace (about 30
/// changes a second) sets how often the screen is grabbed, and a
/// keystroke beside it is grabbed within 8 ms, not after the 16 ms the
/// last video grab started.
const MIN_GRAB_INTERVAL_VIDEO: Duration = Duration::from_millis(8);
/// Updates the viewer may not have shown yet before grabbing waits.
const IN_FLIGHT: u64 = 2;
/// With the window full this long and no acknowledgement, the updates in
/// flight are taken as lost and a whole picture is sent (a stall is never
/// permanent, whatever was dropped on the way).
const ACK_TIMEOUT: Duration = Duration::from_secs(10);

/// A whole picture at least this often while the screen changes, so a
/// replay of the recording can start near any moment (`docs/audit.md`).
const KEYFRAME_EVERY: Duration = Duration::from_secs(8);

/// Every screen message as it was written to the viewer, for the
/// session's screen recording.
pub type ScreenTap = mpsc::UnboundedSender<(Kind, Vec<u8>)>;

/// The capture source, shared by successive shares (one at a time: a new
/// share's thread waits for the old one to let go).
pub type SharedCapture = Arc<Mutex<Box<dyn Capture + Send>>>;

/// What the session tells the capture thread.
enum Control {
    Keyframe,
    Shown(u64),
    VideoShown(u64),
    Show(u32),
    /// The video stream was re-opened: start the video afresh.
    VideoLost,
    /// The cursor stream was re-opened: send position and shape afresh.
    CursorLost,
}

/// The next video region's number, kept across shares: the viewer drops
/// pictures of a number it has seen end, so numbers only ever rise while
/// this agent runs (it serves one session).
static NEXT_REGION: AtomicU32 = AtomicU32::new(1);

/// The display list, for the session to pass on to the viewer.
pub type DisplaysNews = (Vec<DisplayInfo>, u32);

/// A running screen share; dropping it stops the capture thread and
/// resets the streams.
pub struct ScreenShare {
    control: std_mpsc::Sender<Control>,
    stopped: Arc<AtomicBool>,
    _stop: watch::Sender<()>,
}

impl Drop for ScreenShare {
    fn drop(&mut self) {
        // The capture thread checks this before each grab and each send;
        // the writers see the watch close and reset their streams.
        self.stopped.store(true, Ordering::SeqCst);
    }
}

impl ScreenShare {
    /// Starts capturing from `capture` and sending on new streams of `conn`;
    /// display lists go to `news`, what was sent to `tap`.
    pub fn start(
        capture: SharedCapture,
        conn: Connection,
        news: mpsc::UnboundedSender<DisplaysNews>,
        tap: ScreenTap,
    ) -> Self {
        let (control, orders) = std_mpsc::channel();
        let (stop, stopped_watch) = watch::channel(());
        let stopped = Arc::new(AtomicBool::new(false));
        let (updates, pictures) = mpsc::channel::<(Kind, Vec<u8>)>(1);
        let (cursor, pointers) = mpsc::channel::<(Kind, Vec<u8>)>(8);
        let (video, pictures_in_motion) = mpsc::channel::<(Kind, Vec<u8>)>(4);
        let (keyframe, cursor_lost) = (control.clone(), control.clone());
        let video_lost = control.clone();
        tokio::spawn(write_stream(
            conn.clone(),
            pictures_in_motion,
            stopped_watch.clone(),
            VIDEO_PRIORITY,
            move || {
                let _ = video_lost.send(Control::VideoLost);
            },
            tap.clone(),
        ));
        tokio::spawn(write_stream(
            conn.clone(),
            pictures,
            stopped_watch.clone(),
            0,
            move || {
                // A new stream starts from a whole picture.
                let _ = keyframe.send(Control::Keyframe);
            },
            tap.clone(),
        ));
        let link = conn.clone();
        tokio::spawn(write_stream(
            conn,
            pointers,
            stopped_watch,
            0,
            move || {
                let _ = cursor_lost.send(Control::CursorLost);
            },
            tap,
        ));
        let thread_stopped = stopped.clone();
        std::thread::spawn(move || {
            let Ok(mut capture) = capture.lock() else {
                return;
            };
            let mut sharing = Sharing {
                capture: capture.as_mut(),
                orders,
                updates,
                cursor,
                video,
                link,
                news,
                stopped: thread_stopped,
            };
            if let Err(e) = sharing.run() {
                tracing::error!("screen sharing stopped: {e}");
            }
        });
        Self {
            control,
            stopped,
            _stop: stop,
        }
    }

    /// The next update will be a whole picture.
    pub fn keyframe(&self) {
        let _ = self.control.send(Control::Keyframe);
    }

    /// The viewer has shown update `seq`.
    pub fn shown(&self, seq: u64) {
        let _ = self.control.send(Control::Shown(seq));
    }

    /// The viewer has shown video picture `seq`.
    pub fn video_shown(&self, seq: u64) {
        let _ = self.control.send(Control::VideoShown(seq));
    }

    /// Show display `index` (checked by the capture).
    pub fn show(&self, index: u32) {
        let _ = self.control.send(Control::Show(index));
    }
}

/// The video stream's priority: below updates and the cursor (0), so
/// QUIC sends their bytes first when both wait.
const VIDEO_PRIORITY: i32 = -1;

/// Writes framed messages on a uni stream of `conn` sent at `priority`,
/// opening another if one breaks while the connection lives (`reopened`
/// is told); resets it when the share stops. What was written goes to
/// `tap`.
async fn write_stream(
    conn: Connection,
    mut messages: mpsc::Receiver<(Kind, Vec<u8>)>,
    mut stopped: watch::Receiver<()>,
    priority: i32,
    reopened: impl Fn(),
    tap: ScreenTap,
) {
    let mut stream: Option<SendStream> = None;
    loop {
        // `biased`: a stop wins over anything still queued.
        let bytes = tokio::select! {
            biased;
            _ = stopped.changed() => None,
            bytes = messages.recv() => bytes,
        };
        let Some((kind, bytes)) = bytes else {
            if let Some(mut stream) = stream {
                let _ = stream.reset(VarInt::from_u32(0));
            }
            return;
        };
        if stream.is_none() {
            tokio::select! {
                biased;
                _ = stopped.changed() => return,
                opened = tessera_net::streams::open(&conn, StreamKind::Screen) => match opened {
                    Ok(opened) => {
                        let _ = opened.set_priority(priority);
                        stream = Some(opened)
                    }
                    Err(_) => return, // the connection is gone
                },
            }
        }
        let Some(open) = stream.as_mut() else {
            return;
        };
        tokio::select! {
            biased;
            _ = stopped.changed() => {
                let _ = open.reset(VarInt::from_u32(0));
                return;
            }
            written = open.write_all(&bytes) => {
                if written.is_err() {
                    // The viewer stopped this stream: what is queued was
                    // made for it; start another, afresh.
                    stream = None;
                    while messages.try_recv().is_ok() {}
                    reopened();
                } else {
                    let _ = tap.send((kind, bytes));
                }
            }
        }
    }
}

/// The capture thread's state.
struct Sharing<'a> {
    capture: &'a mut (dyn Capture + Send),
    orders: std_mpsc::Receiver<Control>,
    updates: mpsc::Sender<(Kind, Vec<u8>)>,
    cursor: mpsc::Sender<(Kind, Vec<u8>)>,
    video: mpsc::Sender<(Kind, Vec<u8>)>,
    /// The end-to-end connection, whose statistics set the video's rate.
    link: Connection,
    news: mpsc::UnboundedSender<DisplaysNews>,
    stopped: Arc<AtomicBool>,
}

/// Why the capture thread ends.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("screen encoder: {0}")]
    Encoder(#[from] std::io::Error),
    #[error("screen size: {0}")]
    Size(#[from] tessera_screen::FrameError),
}

impl Sharing<'_> {
    fn run(&mut self) -> Result<(), Stop> {
        let mut encoder = Encoder::new()?;
        let mut pacer = Pacer::new(IN_FLIGHT);
        let mut last_grab: Option<Instant> = None;
        let mut pointer_sent: Option<Pointer> = None;
        let mut shape_sent: Option<u32> = None;
        let mut last_progress = Instant::now();
        let mut last_keyframe = Instant::now();
        let mut split = VideoSplit::new(1, 1)?.starting_at(NEXT_REGION.load(Ordering::SeqCst));
        let mut coder = VideoEncoding::start(self.link.clone(), self.video.clone());
        // The last lossless update sent (a video region's end names it).
        let mut lossless_seq = 0;
        self.announce_displays();
        loop {
            if self.stopped.load(Ordering::SeqCst) {
                return Ok(());
            }
            loop {
                match self.orders.try_recv() {
                    Ok(Control::Keyframe) => {
                        encoder.request_keyframe();
                        pacer.lost();
                        split.restart_video();
                        coder.lost();
                    }
                    Ok(Control::VideoShown(seq)) => coder.shown(seq),
                    Ok(Control::VideoLost) => {
                        split.restart_video();
                        coder.lost();
                    }
                    Ok(Control::Shown(seq)) => {
                        pacer.shown(seq);
                        last_progress = Instant::now();
                    }
                    Ok(Control::CursorLost) => {
                        pointer_sent = None;
                        shape_sent = None;
                    }
                    Ok(Control::Show(index)) => match self.capture.show(index as usize) {
                        Ok(()) => {
                            encoder.request_keyframe();
                            pacer.lost();
                            // The next update is a keyframe of that display.
                            let (w, h) = split.size();
                            for region in split.resize(w, h)? {
                                coder.end(region, lossless_seq + 1);
                            }
                            pointer_sent = None;
                            self.announce_displays();
                        }
                        Err(e) => tracing::warn!("the viewer asked for display {index}: {e}"),
                    },
                    Err(std_mpsc::TryRecvError::Empty) => break,
                    Err(std_mpsc::TryRecvError::Disconnected) => return Ok(()),
                }
            }
            // Wait for the screen: briefly while updates wait for room or
            // the grab interval, longer when nothing is pending.
            let min_interval = match split.busy() {
                true => MIN_GRAB_INTERVAL_VIDEO,
                false => MIN_GRAB_INTERVAL,
            };
            let since = last_grab.map_or(min_interval, |t| t.elapsed());
            let timeout = if pacer.ready() {
                min_interval.saturating_sub(since)
            } else {
                POLL
            };
            if pacer.in_flight() >= IN_FLIGHT && last_progress.elapsed() > ACK_TIMEOUT {
                tracing::warn!("no acknowledgement from the viewer: resending a whole picture");
                encoder.request_keyframe();
                pacer.lost();
                last_progress = Instant::now();
            }
            let news = self.capture.wait(timeout)?;
            if news.damaged {
                pacer.damaged();
            }
            if split.busy() && last_grab.is_none_or(|t| t.elapsed() >= VIDEO_TICK) {
                pacer.damaged(); // a video region is watched for its pause
            }
            if news.displays_changed {
                encoder.request_keyframe();
                pacer.lost();
                self.announce_displays();
            }
            if let Some(mut pointer) = self.capture.pointer()? {
                if pointer_sent != Some(pointer) {
                    let shape = match shape_sent == Some(pointer.serial) {
                        true => None,
                        false => self.capture.cursor_shape()?,
                    };
                    if let Some(shape) = &shape {
                        pointer.serial = shape.serial; // the newest shape
                    }
                    let sent_shape = shape.as_ref().map(|s| s.serial);
                    let msg = ScreenMsg::Cursor { pointer, shape };
                    // A full queue skips this position; the next one goes.
                    if !self.stopped.load(Ordering::SeqCst)
                        && self.cursor.try_send((Kind::Cursor, msg.to_bytes())).is_ok()
                    {
                        pointer_sent = Some(pointer);
                        shape_sent = sent_shape.or(shape_sent);
                    }
                }
            }
            if !pacer.ready()
                || last_grab.is_some_and(|t| t.elapsed() < min_interval)
                || self.stopped.load(Ordering::SeqCst)
            {
                continue;
            }
            last_grab = Some(Instant::now());
            let captured_at_us = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as u64);
            let grab_started = Instant::now();
            let (frame, damage) = self.capture.grab()?;
            let size = (frame.width(), frame.height());
            if split.size() != size {
                // This frame's update is a keyframe of the new size.
                for region in split.resize(size.0, size.1)? {
                    coder.end(region, lossless_seq + 1);
                }
            }
            if coder.take_restart() {
                split.restart_video();
            }
            let plan = split.split(frame, &damage, coder.room());
            let (work, ended) = (plan.video, plan.ended);
            let encode_started = Instant::now();
            let update = encoder.encode_damage(plan.masked, &plan.damage)?;
            split.settle(encoder.residual(), Instant::now());
            // The update that tops an ended region off: this frame's, or
            // the last one sent when nothing there differs.
            let covered_by = update.as_ref().map_or(lossless_seq, |u| u.seq);
            // A new region's first picture goes before an old one's end.
            if let Some(work) = work {
                if let Err(e) = coder.code(frame, work, captured_at_us) {
                    tracing::warn!("video encoder: {e}; starting the video again");
                    split.restart_video();
                    coder.lost();
                }
            }
            if let Some(region) = ended {
                // This frame's update tops it off: the viewer puts the
                // video away once it has shown both.
                coder.end(region, covered_by);
            }
            NEXT_REGION.store(split.next_region(), Ordering::SeqCst);
            match update {
                Some(mut update) => {
                    // Where the time goes (bench/ reads these).
                    tracing::debug!(
                        seq = update.seq,
                        captured_at_us,
                        grab_us = (encode_started - grab_started).as_micros() as u64,
                        encode_us = encode_started.elapsed().as_micros() as u64,
                        "screen update"
                    );
                    update.captured_at_us = captured_at_us;
                    lossless_seq = update.seq;
                    let kind = match update.keyframe {
                        true => {
                            last_keyframe = Instant::now();
                            Kind::Keyframe
                        }
                        false => {
                            // The next change goes as a whole picture when
                            // the last one is old (an idle screen still
                            // sends nothing).
                            if last_keyframe.elapsed() >= KEYFRAME_EVERY {
                                encoder.request_keyframe();
                            }
                            Kind::Update
                        }
                    };
                    pacer.grabbed(Some(update.seq));
                    last_progress = Instant::now();
                    let bytes = ScreenMsg::Update(update).to_bytes();
                    if bytes.is_empty() {
                        // Could not be framed (never expected): the viewer
                        // would miss it, so start again from a whole picture.
                        encoder.request_keyframe();
                        pacer.lost();
                        continue;
                    }
                    if self.stopped.load(Ordering::SeqCst)
                        || self.updates.blocking_send((kind, bytes)).is_err()
                    {
                        return Ok(()); // the share stopped
                    }
                }
                None => pacer.grabbed(None), // idle: nothing to send
            }
        }
    }

    fn announce_displays(&self) {
        let showing = self.capture.showing() as u32;
        let _ = self.news.send((self.capture.displays(), showing));
    }
}
