//! What an update is on the wire: its operations, its framing and its
//! bounds, and the errors a decoder reports. Shared by the encoder, which
//! builds these, and the decoder, which must distrust them.

use crate::frame::{FrameError, Rect, MAX_SIDE};
use crate::glyphs::GlyphError;
use crate::tiles::{TileGrid, TILE};
use serde::{Deserialize, Serialize};
use tessera_proto::frame::{decode_body, encode, FrameError as WireError};

/// Largest encoded update: a keyframe of incompressible noise at the
/// largest frame size, with room to spare.
pub const MAX_UPDATE_BYTES: usize = 80 * 1024 * 1024;
/// The most copies one update may carry.
pub(crate) const MAX_COPIES: usize = 256;

/// One change to the picture. Operations that carry pixels take them, in
/// order, from the update's [`Update::pixels`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Tile `index` is the next `w * h * 4` bytes of pixels (BGRX, rows
    /// packed).
    Tile {
        /// Tile number, row by row.
        index: u32,
    },
    /// Tile `index` is one colour.
    Fill {
        /// Tile number.
        index: u32,
        /// The colour, BGRX.
        bgrx: [u8; 4],
    },
    /// The pixels of `src` moved to `(dst_x, dst_y)` (a scroll or a drag).
    Copy {
        /// Where they were.
        src: Rect,
        /// New left edge.
        dst_x: u32,
        /// New top edge.
        dst_y: u32,
    },
    /// Only part of a tile changed (a keystroke): the next `w * h * 4`
    /// bytes of pixels are its BGRX. At most one tile's area.
    Rect {
        /// Where, in the picture.
        rect: Rect,
    },
    /// An area of at most one tile in a few colours (text): the next bytes
    /// of pixels are indices into `colours`, packed 1, 2 or 4 bits a pixel
    /// (for up to 2, 4 or 16 colours; none for one), each row starting on
    /// a byte.
    Indexed {
        /// Where, in the picture.
        rect: Rect,
        /// The palette, BGRX: 1 to 16 colours.
        colours: Vec<[u8; 4]>,
    },
    /// An area of any size in two colours, made of glyphs (text): the next
    /// `len` bytes of pixels are its glyph layout (see `glyphs.rs`),
    /// drawn in `colours[1]` over `colours[0]`, shapes sent once and then
    /// named by their number in a cache both sides keep until a keyframe.
    Glyphs {
        /// Where, in the picture.
        rect: Rect,
        /// Background, then foreground, BGRX.
        colours: [[u8; 4]; 2],
        /// Bytes of layout in the pixel data.
        len: u32,
    },
}

/// A picture update as sent from agent to viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update {
    /// Increases by one with every update the encoder makes.
    pub seq: u64,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Whether this replaces the whole picture.
    pub keyframe: bool,
    /// When the agent captured the picture, in microseconds since the Unix
    /// epoch (set by the caller; for latency measurement).
    pub captured_at_us: u64,
    /// The changes, applied in order (copies first, then tiles). At most
    /// [`MAX_OPS`], enforced while decoding, before any op is allocated.
    #[serde(deserialize_with = "bounded_ops")]
    pub ops: Vec<Op>,
    /// The pixel data of the operations, concatenated and compressed as
    /// one zstd frame (empty when no operation carries pixels).
    pub pixels: Vec<u8>,
}

/// The most operations an update may carry: every tile of the largest
/// picture, plus copies.
pub const MAX_OPS: usize = ((MAX_SIDE / TILE) * (MAX_SIDE / TILE)) as usize + MAX_COPIES;

/// Decodes the op list, refusing it as soon as it grows past [`MAX_OPS`]
/// (postcard would otherwise build the whole list first: 80 MiB of tiny
/// ops would take gigabytes).
fn bounded_ops<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Op>, D::Error> {
    struct Bounded;
    impl<'de> serde::de::Visitor<'de> for Bounded {
        type Value = Vec<Op>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "at most {MAX_OPS} operations")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Op>, A::Error> {
            let mut ops = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(op) = seq.next_element()? {
                if ops.len() == MAX_OPS {
                    return Err(serde::de::Error::custom(format!(
                        "more than {MAX_OPS} operations"
                    )));
                }
                ops.push(op);
            }
            Ok(ops)
        }
    }
    deserializer.deserialize_seq(Bounded)
}

impl Update {
    /// The update as bytes (versioned frame, length prefix included).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Bounded by construction: tiles of at most MAX_SIDE² pixels.
        encode(self, MAX_UPDATE_BYTES).unwrap_or_default()
    }

    /// Parses an update body (after the length prefix), bounded.
    pub fn from_body(body: &[u8]) -> Result<Self, DecodeError> {
        Ok(decode_body(body, MAX_UPDATE_BYTES)?)
    }

    /// Parses a whole frame, length prefix included, bounded.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(tessera_proto::frame::decode(bytes, MAX_UPDATE_BYTES)?)
    }

    /// The areas of the picture this update changes, so a viewer redraws
    /// (uploads to its texture) only those: everything for a keyframe,
    /// otherwise one rectangle an operation. Meaningful once the update
    /// applied without error (its rectangles are then known to fit);
    /// anything that does not fit is left out.
    pub fn changed_areas(&self) -> Vec<Rect> {
        let whole = Rect {
            x: 0,
            y: 0,
            w: self.width,
            h: self.height,
        };
        if self.keyframe {
            return vec![whole];
        }
        let grid = TileGrid::new(self.width, self.height);
        self.ops
            .iter()
            .filter_map(|op| match op {
                Op::Tile { index } | Op::Fill { index, .. } => grid.rect(*index),
                Op::Copy { src, dst_x, dst_y } => Some(Rect {
                    x: *dst_x,
                    y: *dst_y,
                    ..*src
                }),
                Op::Rect { rect } | Op::Indexed { rect, .. } | Op::Glyphs { rect, .. } => {
                    Some(*rect)
                }
            })
            .filter(|r| r.fits(self.width, self.height))
            .collect()
    }
}

/// What was wrong with an update. After any of these the decoder needs a
/// keyframe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a well-formed, bounded, current-version message.
    #[error("screen update: {0}")]
    Wire(#[from] WireError),
    /// The frame size is out of range.
    #[error("screen update: {0}")]
    Size(#[from] FrameError),
    /// A delta arrived without a picture to apply it to (or for another
    /// size): a keyframe is needed.
    #[error("screen update: a delta for a {width}x{height} picture arrived without its keyframe")]
    NeedKeyframe {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// More operations than a picture can need.
    #[error("screen update: {0} operations is more than a picture can need")]
    TooManyOps(usize),
    /// A tile number beyond the picture.
    #[error("screen update: tile {index} does not exist in a {width}x{height} picture")]
    NoSuchTile {
        /// The index.
        index: u32,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The pixel data is corrupt, or not the length the operations need.
    #[error("screen update: the pixel data does not match the operations ({0} bytes expected)")]
    BadPixels(usize),
    /// A copy reaches outside the picture.
    #[error("screen update: a copy from {src:?} to ({dst_x}, {dst_y}) leaves the picture")]
    BadCopy {
        /// Source.
        src: Rect,
        /// Destination left.
        dst_x: u32,
        /// Destination top.
        dst_y: u32,
    },
    /// A partial-tile rectangle off the picture, empty, or larger than a
    /// tile.
    #[error("screen update: bad rectangle {0:?}")]
    BadRect(Rect),
    /// A glyph layout that does not fit its area or names unknown glyphs.
    #[error("screen update: bad glyphs at {0:?}: {1}")]
    BadGlyphs(Rect, GlyphError),
    /// A palette that is empty, too large, or indexed beyond its end.
    #[error("screen update: bad palette of {colours} colours at {rect:?}")]
    BadPalette {
        /// Where.
        rect: Rect,
        /// How many colours it had.
        colours: usize,
    },
    /// Copies after tiles (copies read the previous picture, so they come
    /// first).
    #[error("screen update: a copy after tiles")]
    CopyAfterTile,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fills(n: usize) -> Update {
        Update {
            seq: 1,
            width: 64,
            height: 64,
            keyframe: true,
            captured_at_us: 0,
            ops: vec![
                Op::Fill {
                    index: 0,
                    bgrx: [0; 4]
                };
                n
            ],
            pixels: vec![],
        }
    }

    #[test]
    fn the_op_list_is_bounded_at_max_ops_while_parsing() {
        let at_limit = fills(MAX_OPS);
        assert_eq!(Update::from_bytes(&at_limit.to_bytes()), Ok(at_limit));
        assert!(matches!(
            Update::from_bytes(&fills(MAX_OPS + 1).to_bytes()),
            Err(DecodeError::Wire(WireError::Malformed(_)))
        ));
    }
}
