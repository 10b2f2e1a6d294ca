//! The agent's video encoder, on a thread of its own so that coding a
//! picture (7 ms at 960x540, 23 ms at 1080p) never delays the capture
//! thread's next grab: a keystroke's update goes out while a video
//! picture is being coded.
//!
//! The capture thread converts the region to I420 (a fraction of a
//! millisecond) and hands it over, one picture at a time, only while
//! [`VideoEncoding::room`] says so: fewer than two pictures wait for the
//! viewer's acknowledgement (a slow link gets the newest motion, not a
//! backlog) and the frame rate allows another. The thread codes it with
//! VP9 at the bitrate the link's statistics allow (`VideoRate`, sampled
//! every 200 ms) and writes it to the video stream.
//!
//! The VP9 encoder is made at the screen's size the first time a region
//! needs it (libvpx 1.12 must not grow past its first size), on this
//! thread, and kept for the share; each region starts with a keyframe.

use quinn::Connection;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_audit::recording::Kind;
use tessera_screen::{
    ceiling_for, Frame, LinkSample, Pacer, ScreenMsg, Target, VideoFrame, VideoMsg, VideoRate,
    VideoWork, SAMPLE_EVERY,
};
use tessera_vp9::{bgrx_to_i420, Encoder, EncoderSettings, Vp9Error, I420};
use tokio::sync::mpsc;

/// Video pictures the viewer may not have shown yet before coding waits,
/// on a short round trip; each further 20 ms of round trip allows one
/// more (a picture's time at 30 a second, with room for a retransmission
/// holding the stream up), so a far viewer keeps the pace, up to
/// [`MAX_IN_FLIGHT`]. None waits at the sender: they are on the way.
const IN_FLIGHT: u64 = 2;
/// The most video pictures ever in flight.
const MAX_IN_FLIGHT: u64 = 6;
/// The rate aimed at, kbit/s, until the link's estimate says otherwise.
const START_KBPS: u32 = 1_500;
/// A change of bitrate smaller than this fraction is not worth telling
/// the encoder.
const RETUNE: f64 = 0.05;
/// Regions larger than this many pixels are coded at libvpx's speed 9
/// (about a third faster at 1080p, a little worse), others at 8.
const FAST_ABOVE: u64 = 1280 * 720;
/// The encoder thread's nice value: below the capture thread, so a
/// keystroke's grab never waits for a core the encoder holds (libvpx's
/// workers, made from this thread, inherit it).
const NICE: i32 = 10;

/// What the capture thread tells the encoder thread.
enum Job {
    /// Code this picture of the region (of a screen of `screen` size).
    Picture {
        i420: I420,
        work: VideoWork,
        screen: (u32, u32),
        captured_at_us: u64,
    },
    /// The viewer showed picture `seq`.
    Shown(u64),
    /// What is in flight will never be acknowledged.
    Lost,
    /// Region `region` ended; update `covered_by` tops it off. Sent after
    /// the pictures handed over before it, so a region that replaces
    /// another has its first picture on the way before the old one is put
    /// away (the viewer would otherwise show the stale picture under it).
    End { region: u32, covered_by: u64 },
}

/// What both threads see.
#[derive(Default)]
struct Shared {
    /// The viewer has room for another picture.
    ready: AtomicBool,
    /// A picture was handed over and the encoder thread has not taken it
    /// yet (set by the capture thread, cleared by the encoder thread as it
    /// takes it: so at most one ever waits).
    queued: AtomicBool,
    /// The region must start again from a keyframe (a picture was lost
    /// on the way or could not be coded).
    restart: AtomicBool,
    /// Shortest time between two pictures, ms (0: as they come).
    interval_ms: AtomicU64,
}

/// The capture thread's handle on the video encoder thread; dropping it
/// ends the thread.
pub struct VideoEncoding {
    jobs: std_mpsc::Sender<Job>,
    shared: Arc<Shared>,
    /// When the frame rate allows the next picture.
    next_due: Option<Instant>,
}

impl VideoEncoding {
    /// Starts the encoder thread, which writes pictures to `out` and
    /// follows `link`'s statistics.
    pub fn start(link: Connection, out: mpsc::Sender<(Kind, Vec<u8>)>) -> Self {
        let (jobs, inbox) = std_mpsc::channel();
        let shared = Arc::new(Shared::default());
        shared.ready.store(true, Ordering::SeqCst);
        let thread_shared = shared.clone();
        std::thread::spawn(move || {
            if let Err(e) =
                rustix::process::setpriority_process(Some(rustix::thread::gettid()), NICE)
            {
                tracing::debug!("video encoder thread priority: {e}");
            }
            let mut coder = VideoCoder::new(thread_shared, out);
            coder.run(inbox, &link);
        });
        Self {
            jobs,
            shared,
            next_due: None,
        }
    }

    /// Whether a picture may be handed over now.
    pub fn room(&self) -> bool {
        self.shared.ready.load(Ordering::SeqCst)
            && !self.shared.queued.load(Ordering::SeqCst)
            && self.next_due.is_none_or(|t| Instant::now() >= t)
    }

    /// Region `region` ended, topped off by update `covered_by`: told to
    /// the viewer after the pictures already handed over.
    pub fn end(&self, region: u32, covered_by: u64) {
        let _ = self.jobs.send(Job::End { region, covered_by });
    }

    /// Whether the region must start again from a keyframe (asked once).
    pub fn take_restart(&self) -> bool {
        self.shared.restart.swap(false, Ordering::SeqCst)
    }

    /// Hands `work.rect` of `frame` over to be coded.
    pub fn code(
        &mut self,
        frame: &Frame,
        work: VideoWork,
        captured_at_us: u64,
    ) -> Result<(), Vp9Error> {
        let rect = work.rect;
        let stride = frame.stride();
        let start = rect.y as usize * stride + rect.x as usize * 4;
        let pixels = frame.pixels().get(start..).unwrap_or_default();
        let mut i420 = I420::black(2, 2);
        bgrx_to_i420(rect.w, rect.h, pixels, stride as u32, &mut i420)?;
        self.shared.queued.store(true, Ordering::SeqCst);
        // Credit, not a gap: pictures due every `interval` on average, so
        // a rate below the screen's does not alias with its cadence (20 a
        // second out of 30 is two of three, not one of two).
        let interval = Duration::from_millis(self.shared.interval_ms.load(Ordering::SeqCst));
        let now = Instant::now();
        let floor = now.checked_sub(interval).unwrap_or(now);
        let from = self.next_due.map_or(now, |due| due.max(floor));
        self.next_due = Some(from + interval);
        let job = Job::Picture {
            i420,
            work,
            screen: (frame.width(), frame.height()),
            captured_at_us,
        };
        if self.jobs.send(job).is_err() {
            return Err(Vp9Error::Encode("the video encoder thread is gone".into()));
        }
        Ok(())
    }

    /// The viewer showed video picture `seq`.
    pub fn shown(&self, seq: u64) {
        let _ = self.jobs.send(Job::Shown(seq));
    }

    /// What was in flight will never be acknowledged (the stream was
    /// reset, or the share restarted its video).
    pub fn lost(&self) {
        let _ = self.jobs.send(Job::Lost);
    }
}

/// The encoder thread's state.
struct VideoCoder {
    vp9: Option<Encoder>,
    /// The size the encoder was made for.
    made_for: (u32, u32),
    pacer: Pacer,
    seq: u64,
    started: Instant,
    rate: VideoRate,
    /// What the encoder was last told.
    target: Target,
    /// The region coded last (its size sets the rate's ceiling).
    region: (u32, u32),
    shared: Arc<Shared>,
    out: mpsc::Sender<(Kind, Vec<u8>)>,
}

impl VideoCoder {
    fn new(shared: Arc<Shared>, out: mpsc::Sender<(Kind, Vec<u8>)>) -> Self {
        Self {
            vp9: None,
            made_for: (0, 0),
            pacer: Pacer::new(IN_FLIGHT),
            seq: 0,
            started: Instant::now(),
            rate: VideoRate::new(START_KBPS),
            target: Target {
                kbps: START_KBPS,
                fps: 30,
            },
            region: (960, 540),
            shared,
            out,
        }
    }

    fn run(&mut self, inbox: std_mpsc::Receiver<Job>, link: &Connection) {
        let mut next_sample = Instant::now() + SAMPLE_EVERY;
        loop {
            let wait = next_sample.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(wait) {
                Ok(Job::Picture {
                    i420,
                    work,
                    screen,
                    captured_at_us,
                }) => {
                    self.shared.queued.store(false, Ordering::SeqCst);
                    let started = Instant::now();
                    match self.code(&i420, &work, screen, captured_at_us) {
                        Ok(Some(picture)) => {
                            tracing::debug!(
                                seq = picture.seq,
                                captured_at_us,
                                key = picture.key,
                                bytes = picture.data.len(),
                                w = work.rect.w,
                                h = work.rect.h,
                                encode_us = started.elapsed().as_micros() as u64,
                                "video picture"
                            );
                            let bytes = ScreenMsg::Video(VideoMsg::Frame(picture)).to_bytes();
                            if self.out.blocking_send((Kind::Video, bytes)).is_err() {
                                return; // the share stopped
                            }
                        }
                        Ok(None) if work.first => {
                            // A keyframe dropped: what follows has nothing
                            // to refer to.
                            self.shared.restart.store(true, Ordering::SeqCst);
                        }
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!("video encoder: {e}; starting the video again");
                            self.pacer.lost();
                            self.shared.restart.store(true, Ordering::SeqCst);
                        }
                    }
                }
                Ok(Job::Shown(seq)) => self.pacer.shown(seq),
                Ok(Job::End { region, covered_by }) => {
                    let end = ScreenMsg::Video(VideoMsg::End { region, covered_by });
                    if self
                        .out
                        .blocking_send((Kind::Video, end.to_bytes()))
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(Job::Lost) => self.pacer.lost(),
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
            }
            if Instant::now() >= next_sample {
                next_sample = Instant::now() + SAMPLE_EVERY;
                self.follow(link);
            }
            let ready = self.pacer.ready_for_more();
            self.shared.ready.store(ready, Ordering::SeqCst);
        }
    }

    /// The connection's statistics now: the rate follows them.
    fn follow(&mut self, link: &Connection) {
        let path = link.stats().path;
        let rtt_frames = path.rtt.as_millis() as u64 / 20;
        self.pacer
            .set_window((IN_FLIGHT + rtt_frames).min(MAX_IN_FLIGHT));
        let sample = LinkSample {
            rtt: path.rtt,
            min_rtt: path.min_rtt,
            sent_packets: path.sent_packets,
            lost_packets: path.lost_packets,
        };
        let target = self
            .rate
            .sample(sample, ceiling_for(self.region.0, self.region.1));
        let change = f64::from(target.kbps) / f64::from(self.target.kbps.max(1));
        if (change - 1.0).abs() >= RETUNE || target.fps != self.target.fps {
            tracing::debug!(kbps = target.kbps, fps = target.fps, "video rate");
            if let Some(vp9) = self.vp9.as_mut() {
                if let Err(e) = vp9.set_bitrate(target.kbps) {
                    tracing::warn!("video encoder: {e}");
                }
            }
            self.set_target(target);
        }
    }

    fn set_target(&mut self, target: Target) {
        // At the full rate pictures come as the screen makes them.
        let interval = match target.fps {
            30.. => 0,
            fps => 1000 / u64::from(fps.max(1)),
        };
        self.shared.interval_ms.store(interval, Ordering::SeqCst);
        self.target = target;
    }

    /// Codes one picture of a region, a keyframe when the region is new.
    fn code(
        &mut self,
        i420: &I420,
        work: &VideoWork,
        screen: (u32, u32),
        captured_at_us: u64,
    ) -> Result<Option<VideoFrame>, Vp9Error> {
        let rect = work.rect;
        if self.vp9.is_none() || self.made_for != screen {
            self.vp9 = None; // the old one is freed before the new is made
            let mut settings = EncoderSettings::screen(screen.0, screen.1);
            settings.bitrate_kbps = self.target.kbps;
            self.vp9 = Some(Encoder::new(&settings)?);
            self.made_for = screen;
        }
        if self.region != (rect.w, rect.h) {
            // A region of another size: its own ceiling, at once.
            self.region = (rect.w, rect.h);
            let target = self.rate.target(ceiling_for(rect.w, rect.h));
            let large = u64::from(rect.w) * u64::from(rect.h) > FAST_ABOVE;
            if let Some(vp9) = self.vp9.as_mut() {
                vp9.set_bitrate(target.kbps)?;
                vp9.set_speed(if large { 9 } else { 8 })?;
            }
            self.set_target(target);
        }
        let Some(vp9) = self.vp9.as_mut() else {
            return Ok(None);
        };
        let pts = self.started.elapsed().as_millis() as i64;
        let packets = vp9.encode(i420, pts, work.first)?;
        if packets.len() > 1 {
            // Never made in real time without lag frames; not one picture.
            return Err(Vp9Error::Encode(format!(
                "{} packets for one picture",
                packets.len()
            )));
        }
        let Some(packet) = packets.into_iter().next() else {
            return Ok(None); // dropped by the rate control
        };
        self.seq += 1;
        self.pacer.grabbed(Some(self.seq));
        Ok(Some(VideoFrame {
            region: work.region,
            seq: self.seq,
            rect,
            key: packet.key,
            captured_at_us,
            data: packet.data,
        }))
    }
}
