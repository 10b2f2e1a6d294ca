//! The viewer's video: decodes the agent's VP9 pictures (on the session's
//! task, never the window's thread) and shows them over the lossless
//! picture through a `VideoLayer`, which decides what is shown when.

use tessera_screen::{Frame, Rect, VideoLayer, VideoMsg};
use tessera_vp9::{i420_to_bgrx, Decoder};

/// Decoder threads: one. Two contended with everything else the
/// technician's machine runs (measured on two cores: a keystroke beside a
/// playing video took 7.8 ms to the viewer's picture at p50, 2.5 with one),
/// and one decodes a 960x540 picture in about a millisecond.
const THREADS: u32 = 1;

/// What came of a video message.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A picture, shown (`area` changed) or dropped as late (`None`): to
    /// acknowledge either way, so the agent goes on.
    Picture {
        /// Its sequence number.
        seq: u64,
        /// When the agent captured it.
        captured_at_us: u64,
        /// What changed on screen.
        area: Option<Rect>,
    },
    /// A region ended; `area` changed if its top-off was already shown.
    Ended(Option<Rect>),
}

/// The video over the picture.
#[derive(Default)]
pub struct VideoView {
    layer: VideoLayer,
    /// The VP9 decoder and the picture size it is bounded by.
    vp9: Option<(Decoder, (u32, u32))>,
    /// The region whose keyframe the decoder has taken: a later picture of
    /// another region is undecodable until that region's keyframe.
    synced: Option<u32>,
}

impl VideoView {
    /// The picture to show: the lossless one with the video over it.
    pub fn picture(&self) -> Option<&Frame> {
        self.layer.picture()
    }

    /// The lossless picture after update `seq`; what changed on screen.
    pub fn lossless(&mut self, picture: &Frame, seq: u64, changed: &[Rect]) -> Vec<Rect> {
        self.layer.lossless(picture, seq, changed)
    }

    /// A video message, over `picture` (the lossless one). An error names
    /// what was wrong; the caller asks for a keyframe.
    pub fn message(&mut self, msg: VideoMsg, picture: Option<&Frame>) -> Result<Outcome, String> {
        let picture = picture.ok_or("a video picture before any screen picture")?;
        let (width, height) = (picture.width(), picture.height());
        let frame = match msg {
            VideoMsg::End { region, covered_by } => {
                return Ok(Outcome::Ended(self.layer.end(region, covered_by, picture)));
            }
            VideoMsg::Frame(frame) => frame,
        };
        frame.check(width, height).map_err(|e| e.to_string())?;
        let late = Outcome::Picture {
            seq: frame.seq,
            captured_at_us: frame.captured_at_us,
            area: None,
        };
        if !frame.key && self.synced != Some(frame.region) {
            return Ok(late); // waits for its region's keyframe
        }
        let decoder = match &mut self.vp9 {
            Some((decoder, size)) if *size == (width, height) => decoder,
            _ => {
                self.vp9 = None;
                let decoder = Decoder::new(THREADS, width, height)
                    .map_err(|e| format!("video decoder: {e}"))?;
                &mut self.vp9.insert((decoder, (width, height))).0
            }
        };
        let decoded = decoder.decode(&frame.data);
        let i420 = match decoded {
            Ok(Some(i420)) => i420,
            Ok(None) => return Ok(late),
            Err(e) => {
                self.synced = None;
                return Err(format!("video picture {}: {e}", frame.seq));
            }
        };
        if frame.key {
            self.synced = Some(frame.region);
        }
        if (i420.width, i420.height) != (frame.rect.w, frame.rect.h) {
            self.synced = None;
            return Err(format!(
                "a {}x{} video picture for a {}x{} region",
                i420.width, i420.height, frame.rect.w, frame.rect.h
            ));
        }
        let bgrx = i420_to_bgrx(&i420).map_err(|e| e.to_string())?;
        let area = self
            .layer
            .video(frame.region, frame.rect, bgrx)
            .map_err(|e| e.to_string())?;
        Ok(Outcome::Picture {
            seq: frame.seq,
            captured_at_us: frame.captured_at_us,
            area,
        })
    }
}
