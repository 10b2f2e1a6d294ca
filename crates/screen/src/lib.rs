//! The screen path of Tessera: frames, damage by tiles, and a lossless,
//! versioned bitstream whose decoder bounds and validates everything it is
//! given. Capture backends feed [`Frame`]s in; the [`Encoder`] turns the
//! newest frame into an [`Update`] carrying only what changed; the
//! [`Decoder`] rebuilds the picture pixel for pixel. What moves like a
//! video is split off by [`VideoSplit`] for a video encoder, and shown
//! over the lossless picture by [`VideoLayer`].
//!
//! No I/O here but the capture backends: the codec is tested alone.
#![forbid(unsafe_code)]

mod capture;
mod codec;
mod cursor;
mod frame;
mod glyphs;
mod message;
mod motion;
mod overlay;
mod pacer;
mod palette;
mod synthetic;
mod tiles;
mod video_layer;
mod video_rate;
mod video_regions;
mod video_split;
mod x11;

pub use capture::{Capture, CaptureError, Damage, News};
pub use codec::{Changed, DecodeError, Decoder, Encoder, Op, Update, MAX_OPS, MAX_UPDATE_BYTES};
pub use cursor::{CursorError, CursorShape, Pointer, MAX_CURSOR_SIDE};
pub use frame::{Frame, FrameError, Rect, MAX_SIDE};
pub use message::{ScreenMsg, VideoError, VideoFrame, VideoMsg, MAX_VIDEO_BYTES};
pub use pacer::Pacer;
pub use synthetic::Synthetic;
pub use tiles::{damaged_tiles, TileGrid, TILE};
pub use video_layer::{LayerError, VideoLayer};
pub use video_rate::{ceiling_for, LinkSample, Target, VideoRate, SAMPLE_EVERY};
pub use video_regions::{Classified, VideoRegions};
pub use video_split::{Plan, VideoSplit, VideoWork};
pub use x11::X11Capture;
