//! The lossless screen bitstream. An [`Update`] is a keyframe (every tile)
//! or a delta (the damaged tiles, and copies of regions that moved). Each
//! tile, or the changed part of one, travels as one colour, as a palette
//! with packed indices (text), as glyphs, or as raw BGRX; the pixel data
//! of all the operations of an update is compressed together, in one zstd
//! frame, so what repeats between tiles (the same glyphs) is sent once.
//!
//! `wire` holds the format and its bounds, `encoder` the choice of what
//! to send, `decoder` the checks and the drawing.

mod decoder;
mod encoder;
mod wire;

pub use decoder::Decoder;
pub use encoder::{Changed, Encoder};
pub use wire::{DecodeError, Op, Update, MAX_OPS, MAX_UPDATE_BYTES};
