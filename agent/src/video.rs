//! The agent's video encoder: codes the video region of a captured frame
//! with VP9, paced by the viewer's acknowledgements so that at most a
//! couple of pictures wait on the link (a slow link gets the newest
//! motion, not a backlog), at the bitrate and frame rate the link's
//! statistics allow (`VideoRate`).
//!
//! The VP9 encoder is made at the screen's size the first time a region
//! needs it (libvpx 1.12 must not grow past its first size) and kept for
//! the share; each region starts with a keyframe.

use std::time::{Duration, Instant};
use tessera_screen::{
    ceiling_for, Frame, LinkSample, Pacer, Target, VideoFrame, VideoRate, VideoWork,
};
use tessera_vp9::{bgrx_to_i420, Encoder, EncoderSettings, Vp9Error, I420};

/// Video pictures the viewer may not have shown yet before coding waits.
const IN_FLIGHT: u64 = 2;

/// The rate aimed at, kbit/s, until the link's estimate says otherwise.
const START_KBPS: u32 = 1_500;
/// A change of bitrate smaller than this fraction is not worth telling
/// the encoder.
const RETUNE: f64 = 0.05;

/// Codes video regions.
pub struct VideoCoder {
    vp9: Option<Encoder>,
    /// The size the encoder was made for.
    made_for: (u32, u32),
    i420: I420,
    pacer: Pacer,
    seq: u64,
    started: Instant,
    rate: VideoRate,
    /// What the encoder was last told.
    target: Target,
    /// The region coded last (its size sets the rate's ceiling).
    region: (u32, u32),
    last_picture: Option<Instant>,
}

impl VideoCoder {
    /// A coder; nothing is allocated until the first region.
    pub fn new() -> Self {
        Self {
            vp9: None,
            made_for: (0, 0),
            i420: I420::black(2, 2),
            pacer: Pacer::new(IN_FLIGHT),
            seq: 0,
            started: Instant::now(),
            rate: VideoRate::new(START_KBPS),
            target: Target {
                kbps: START_KBPS,
                fps: 30,
            },
            region: (960, 540),
            last_picture: None,
        }
    }

    /// Whether a picture may be coded now: few enough wait, and the frame
    /// rate allows another.
    pub fn room(&self) -> bool {
        // A little early is on time: grabs come at their own pace.
        let interval = Duration::from_millis(800 / u64::from(self.target.fps.max(1)));
        self.pacer.in_flight() < IN_FLIGHT
            && self.last_picture.is_none_or(|t| t.elapsed() >= interval)
    }

    /// The connection's statistics now: the rate follows them.
    pub fn link(&mut self, sample: LinkSample) -> Result<(), Vp9Error> {
        let target = self
            .rate
            .sample(sample, ceiling_for(self.region.0, self.region.1));
        let change = f64::from(target.kbps) / f64::from(self.target.kbps.max(1));
        if (change - 1.0).abs() >= RETUNE || target.fps != self.target.fps {
            tracing::debug!(kbps = target.kbps, fps = target.fps, "video rate");
            if let Some(vp9) = self.vp9.as_mut() {
                vp9.set_bitrate(target.kbps)?;
            }
            self.target = target;
        }
        Ok(())
    }

    /// The viewer showed video picture `seq`.
    pub fn shown(&mut self, seq: u64) {
        self.pacer.shown(seq);
    }

    /// What was in flight will never be acknowledged (the stream was
    /// reset, or the share restarted its video).
    pub fn lost(&mut self) {
        self.pacer.lost();
    }

    /// Codes `work.rect` of `frame`, a keyframe when the region is new.
    pub fn code(
        &mut self,
        frame: &Frame,
        work: &VideoWork,
        captured_at_us: u64,
    ) -> Result<Option<VideoFrame>, Vp9Error> {
        let rect = work.rect;
        let screen = (frame.width(), frame.height());
        if self.vp9.is_none() || self.made_for != screen {
            self.vp9 = None; // the old one is freed before the new is made
            let mut settings = EncoderSettings::screen(screen.0, screen.1);
            settings.bitrate_kbps = self.target.kbps;
            self.vp9 = Some(Encoder::new(&settings)?);
            self.made_for = screen;
        }
        let Some(vp9) = self.vp9.as_mut() else {
            return Ok(None);
        };
        if self.region != (rect.w, rect.h) {
            // A region of another size: its own ceiling, at once.
            self.region = (rect.w, rect.h);
            let target = self.rate.target(ceiling_for(rect.w, rect.h));
            vp9.set_bitrate(target.kbps)?;
            self.target = target;
        }
        let stride = frame.stride();
        let start = rect.y as usize * stride + rect.x as usize * 4;
        let pixels = frame.pixels().get(start..).unwrap_or_default();
        bgrx_to_i420(rect.w, rect.h, pixels, stride as u32, &mut self.i420)?;
        let pts = self.started.elapsed().as_millis() as i64;
        let packets = vp9.encode(&self.i420, pts, work.first)?;
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
        self.last_picture = Some(Instant::now());
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
