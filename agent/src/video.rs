//! The agent's video encoder: codes the video region of a captured frame
//! with VP9, paced by the viewer's acknowledgements so that at most a
//! couple of pictures wait on the link (a slow link gets the newest
//! motion, not a backlog).
//!
//! The VP9 encoder is made at the screen's size the first time a region
//! needs it (libvpx 1.12 must not grow past its first size) and kept for
//! the share; each region starts with a keyframe.

use std::time::Instant;
use tessera_screen::{Frame, Pacer, VideoFrame, VideoWork};
use tessera_vp9::{bgrx_to_i420, Encoder, EncoderSettings, Vp9Error, I420};

/// Video pictures the viewer may not have shown yet before coding waits.
const IN_FLIGHT: u64 = 2;

/// The rate aimed at, kbit/s, until the link's estimate says otherwise.
pub const START_KBPS: u32 = 2500;

/// Codes video regions.
pub struct VideoCoder {
    vp9: Option<Encoder>,
    /// The size the encoder was made for.
    made_for: (u32, u32),
    i420: I420,
    pacer: Pacer,
    seq: u64,
    started: Instant,
    kbps: u32,
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
            kbps: START_KBPS,
        }
    }

    /// Whether a picture may be coded now (few enough wait).
    pub fn room(&self) -> bool {
        self.pacer.in_flight() < IN_FLIGHT
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
            settings.bitrate_kbps = self.kbps;
            self.vp9 = Some(Encoder::new(&settings)?);
            self.made_for = screen;
        }
        let Some(vp9) = self.vp9.as_mut() else {
            return Ok(None);
        };
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
