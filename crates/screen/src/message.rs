//! What travels on the agent's screen streams: picture updates on one,
//! cursor moves on another (so a moving cursor never waits behind a large
//! update), and the video region's coded pictures on a third, sent at a
//! lower priority (so a keystroke never waits behind video). All are
//! framed, versioned and bounded like every message.

use crate::codec::{DecodeError, Update, MAX_UPDATE_BYTES};
use crate::cursor::{CursorShape, Pointer};
use crate::frame::Rect;
use serde::{Deserialize, Serialize};
use tessera_proto::frame::{decode_body, encode};

/// One message on a screen stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScreenMsg {
    /// A picture update.
    Update(Update),
    /// The cursor moved or changed shape; `shape` comes with the first
    /// position that uses it.
    Cursor {
        /// Position and shape serial.
        pointer: Pointer,
        /// The image, when the serial is new to the viewer.
        shape: Option<CursorShape>,
    },
    /// The video stream: a coded picture of the region that moves, or
    /// that region's end.
    Video(VideoMsg),
}

/// Largest coded video picture accepted (a keyframe of the largest
/// region at the highest rate fits many times over).
pub const MAX_VIDEO_BYTES: usize = 8 * 1024 * 1024;

/// One message of the video stream. A *region* is a rectangle of the
/// picture that keeps changing (a film, an animation); while it lasts the
/// lossless updates leave it alone and the viewer shows these pictures
/// over it. When it ends, a lossless update puts exact pixels there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoMsg {
    /// A coded picture of the region.
    Frame(VideoFrame),
    /// Region `region` ended: once the lossless update `covered_by` is
    /// shown, its pixels are exact and the video pictures are put away.
    End {
        /// The region's number.
        region: u32,
        /// The lossless update that tops the region off (or an earlier
        /// one, when nothing there changed).
        covered_by: u64,
    },
}

/// A coded picture of the video region (VP9).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoFrame {
    /// The region's number; a new region starts with a keyframe, and the
    /// pictures of an older one are no longer shown.
    pub region: u32,
    /// Counts every video picture sent, whatever its region: the viewer
    /// acknowledges it, which paces the agent.
    pub seq: u64,
    /// Where the region is in the picture; the same for all its pictures.
    pub rect: Rect,
    /// Whether this picture decodes alone (a region's first is one).
    pub key: bool,
    /// When the agent captured it, microseconds since the Unix epoch.
    pub captured_at_us: u64,
    /// The VP9 frame, at most [`MAX_VIDEO_BYTES`].
    pub data: Vec<u8>,
}

impl std::fmt::Debug for VideoFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "VideoFrame(region {} seq {} {:?} key {} {} B)",
            self.region,
            self.seq,
            self.rect,
            self.key,
            self.data.len()
        )
    }
}

/// Why a video picture cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    /// Its rectangle is empty, odd-sized or outside the picture.
    #[error("a video region at {rect:?} does not fit a {width}x{height} picture in even sizes")]
    Rect {
        /// The region.
        rect: Rect,
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
    },
    /// Its data is larger than [`MAX_VIDEO_BYTES`].
    #[error("a video picture of {0} bytes (at most {MAX_VIDEO_BYTES})")]
    TooLarge(usize),
}

impl VideoFrame {
    /// Checks what a decoder must not trust: the region lies within a
    /// `width` x `height` picture in even sizes (4:2:0), the data is
    /// bounded.
    pub fn check(&self, width: u32, height: u32) -> Result<(), VideoError> {
        let r = self.rect;
        let even = [r.x, r.y, r.w, r.h].iter().all(|v| v.is_multiple_of(2));
        if r.w == 0 || r.h == 0 || !even || !r.fits(width, height) {
            return Err(VideoError::Rect {
                rect: r,
                width,
                height,
            });
        }
        if self.data.len() > MAX_VIDEO_BYTES {
            return Err(VideoError::TooLarge(self.data.len()));
        }
        Ok(())
    }
}

impl ScreenMsg {
    /// The message as bytes (versioned frame, length prefix included).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Bounded by construction: updates of at most MAX_SIDE² pixels,
        // cursors of at most MAX_CURSOR_SIDE².
        encode(self, MAX_UPDATE_BYTES).unwrap_or_default()
    }

    /// Parses a message body (after the length prefix), bounded.
    pub fn from_body(body: &[u8]) -> Result<Self, DecodeError> {
        Ok(decode_body(body, MAX_UPDATE_BYTES)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(rect: Rect, data: usize) -> VideoFrame {
        VideoFrame {
            region: 1,
            seq: 1,
            rect,
            key: true,
            captured_at_us: 0,
            data: vec![0; data],
        }
    }

    #[test]
    fn a_video_picture_must_fit_in_even_sizes_and_be_bounded() {
        let r = |x, y, w, h| Rect { x, y, w, h };
        assert_eq!(frame(r(2, 4, 64, 32), 10).check(100, 100), Ok(()));
        for bad in [
            r(1, 4, 64, 32),
            r(2, 4, 63, 32),
            r(0, 0, 0, 0),
            r(40, 0, 62, 2),
        ] {
            assert!(matches!(
                frame(bad, 10).check(100, 100),
                Err(VideoError::Rect { .. })
            ));
        }
        assert_eq!(
            frame(r(0, 0, 2, 2), MAX_VIDEO_BYTES + 1).check(100, 100),
            Err(VideoError::TooLarge(MAX_VIDEO_BYTES + 1))
        );
        let msg = ScreenMsg::Video(VideoMsg::Frame(frame(r(0, 0, 2, 2), 3)));
        let bytes = msg.to_bytes();
        assert_eq!(ScreenMsg::from_body(&bytes[4..]).ok(), Some(msg));
    }
}
