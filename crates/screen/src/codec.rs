//! The lossless screen bitstream. An [`Update`] is a keyframe (every tile)
//! or a delta (the damaged tiles, and copies of regions that moved). Each
//! tile, or the changed part of one, travels as one colour, as a palette
//! with packed indices (text), or as raw BGRX; the pixel data of all the
//! operations of an update is compressed together, in one zstd frame, so
//! what repeats between tiles (the same glyphs) is sent once.
//!
//! The decoder trusts nothing: sizes, tile indices, rectangles, palettes
//! and the decompressed length are checked before any pixel is written
//! (a glyph layout is checked as it is drawn), a delta must follow the
//! update the picture is at, and a failed update drops the picture so the
//! next one must be a keyframe (no half-applied state survives).

use crate::capture::Damage;
use crate::frame::{Frame, FrameError, Rect, MAX_SIDE};
use crate::glyphs::{self, GlyphCache};
use crate::motion::find_moves;
use crate::palette::{self, MAX_COLOURS};
use crate::tiles::{damaged_among, TileGrid, TILE};
use serde::{Deserialize, Serialize};
use tessera_proto::frame::{decode_body, encode, FrameError as WireError};

/// Largest encoded update: a keyframe of incompressible noise at the
/// largest frame size, with room to spare.
pub const MAX_UPDATE_BYTES: usize = 80 * 1024 * 1024;
/// The most operations one update may carry (every tile, plus copies).
const MAX_COPIES: usize = 256;
/// zstd level: the fastest, which measured best for screen tiles.
const ZSTD_LEVEL: i32 = 1;
/// Pixel data an update may carry beyond a raw picture's bytes (palettes
/// and partial tiles can overlap a little; nothing legitimate needs more).
const MAX_PIXEL_SLACK: usize = 1 << 20;
/// Smallest changed area sent as glyphs (a tile's worth, such as a new
/// line of text): below it (a keystroke) a palette costs as little.
const GLYPH_MIN_AREA: u64 = (TILE as u64) * (TILE as u64);

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
    BadGlyphs(Rect, glyphs::GlyphError),
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

/// Turns successive frames into updates, keeping the last frame sent and a
/// persistent zstd context.
pub struct Encoder {
    prev: Option<Frame>,
    detect_moves: bool,
    seq: u64,
    zstd: zstd::bulk::Compressor<'static>,
    scratch: Vec<u8>,
    /// The update's pixel data before compression.
    pixels: Vec<u8>,
    glyphs: GlyphCache,
    use_glyphs: bool,
}

impl Encoder {
    /// A fresh encoder; its first update is a keyframe.
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            prev: None,
            detect_moves: true,
            seq: 0,
            zstd: zstd::bulk::Compressor::new(ZSTD_LEVEL)?,
            scratch: Vec::new(),
            pixels: Vec::new(),
            glyphs: GlyphCache::default(),
            use_glyphs: true,
        })
    }

    /// The next keyframe will be whole (a new viewer, or a decoder that
    /// lost its picture).
    pub fn request_keyframe(&mut self) {
        self.prev = None;
    }

    /// Whether large two-colour changes are sent as glyphs (on by
    /// default; off only to measure what they save).
    pub fn set_glyphs(&mut self, on: bool) {
        self.use_glyphs = on;
    }

    /// Whether moved regions are sent as copies (on by default; off only
    /// to measure what they save).
    pub fn set_move_detection(&mut self, on: bool) {
        self.detect_moves = on;
    }

    /// The update that brings a decoder from the last frame encoded to
    /// `cur`; `None` when nothing changed (an idle screen sends nothing).
    pub fn encode(&mut self, cur: &Frame) -> std::io::Result<Option<Update>> {
        self.encode_damage(cur, &Damage::Everything)
    }

    /// As [`Encoder::encode`], looking only where `damage` says pixels may
    /// differ from the last frame encoded (the capture's damage report).
    pub fn encode_damage(
        &mut self,
        cur: &Frame,
        damage: &Damage,
    ) -> std::io::Result<Option<Update>> {
        let grid = TileGrid::new(cur.width(), cur.height());
        let mut candidates: Vec<u32> = match damage {
            Damage::Everything => (0..grid.count()).collect(),
            Damage::Rects(rects) => rects.iter().flat_map(|r| grid.covering(r)).collect(),
        };
        candidates.sort_unstable();
        candidates.dedup();
        let mut ops = Vec::new();
        let (keyframe, tiles, reference) = match self.prev.take() {
            Some(mut prev) if prev.width() == cur.width() && prev.height() == cur.height() => {
                let mut damaged = damaged_among(&prev, cur, candidates.iter().copied());
                if damaged.is_empty() {
                    self.prev = Some(prev); // idle: nothing to send
                    return Ok(None);
                }
                if self.detect_moves {
                    let moves = find_moves(&prev, cur, &per_column(&grid, &damaged));
                    if !moves.is_empty() {
                        // Predict as the decoder will, then send only what
                        // the copies did not get right.
                        for m in moves.iter().take(MAX_COPIES) {
                            let src = m.source();
                            prev.copy_within(&src, m.x, m.y0);
                            ops.push(Op::Copy {
                                src,
                                dst_x: m.x,
                                dst_y: m.y0,
                            });
                        }
                        // The copies changed the prediction where they
                        // landed; look there too.
                        for m in moves.iter().take(MAX_COPIES) {
                            candidates.extend(grid.covering(&Rect {
                                x: m.x,
                                y: m.y0,
                                ..m.source()
                            }));
                        }
                        candidates.sort_unstable();
                        candidates.dedup();
                        damaged = damaged_among(&prev, cur, candidates.iter().copied());
                    }
                }
                (false, damaged, Some(prev))
            }
            _ => (true, (0..grid.count()).collect(), None),
        };
        ops.reserve(tiles.len());
        self.pixels.clear();
        // Within a damaged tile, only the pixels that changed travel.
        let parts: Vec<(u32, Rect, Rect)> = tiles
            .into_iter()
            .filter_map(|index| {
                let rect = grid.rect(index)?;
                let part = reference
                    .as_ref()
                    .and_then(|r| changed_bounds(r, cur, &rect))
                    .unwrap_or(rect);
                Some((index, rect, part))
            })
            .collect();
        if reference.is_none() {
            self.glyphs.clear(); // a keyframe: both caches start afresh
        } else if let Some(op) = self
            .use_glyphs
            .then(|| self.glyph_op(cur, &parts))
            .flatten()
        {
            ops.push(op); // text: one area, its glyphs mostly known
        }
        let as_glyphs = ops.iter().any(|op| matches!(op, Op::Glyphs { .. }));
        for (index, rect, part) in parts.into_iter().filter(|_| !as_glyphs) {
            cur.read_rect(&part, &mut self.scratch);
            let whole = part == rect;
            ops.push(match palette::colours(&self.scratch) {
                Some(colours) if colours.len() == 1 && whole => Op::Fill {
                    index,
                    bgrx: colours[0],
                },
                Some(colours) => {
                    palette::pack(&self.scratch, part.w, &colours, &mut self.pixels);
                    Op::Indexed {
                        rect: part,
                        colours,
                    }
                }
                None => {
                    self.pixels.extend_from_slice(&self.scratch);
                    match whole {
                        true => Op::Tile { index },
                        false => Op::Rect { rect: part },
                    }
                }
            });
        }
        let pixels = match self.pixels.is_empty() {
            true => Vec::new(),
            false => self.zstd.compress(&self.pixels)?,
        };
        self.seq += 1;
        // The new reference is `cur`. For a delta it is cheaper to patch the
        // predicted picture: areas not sent are already equal to `cur`.
        self.prev = Some(match reference {
            Some(mut reference) => {
                for op in &ops {
                    if let Some(area) = op_area(op, &grid) {
                        cur.read_rect(&area, &mut self.scratch);
                        reference.write_rect(&area, &self.scratch);
                    }
                }
                reference
            }
            None => cur.clone(),
        });
        Ok(Some(Update {
            seq: self.seq,
            width: cur.width(),
            height: cur.height(),
            keyframe,
            captured_at_us: 0,
            ops,
            pixels,
        }))
    }
}

impl Encoder {
    /// The changes as one [`Op::Glyphs`], if together they cover a large
    /// enough area in exactly two colours that cuts into glyphs (text
    /// that changed a lot at once: a page, a redraw).
    fn glyph_op(&mut self, cur: &Frame, parts: &[(u32, Rect, Rect)]) -> Option<Op> {
        let rect = Rect::bounding(parts.iter().map(|(_, _, part)| part))?;
        let area = u64::from(rect.w) * u64::from(rect.h);
        let changed: u64 = parts
            .iter()
            .map(|(_, _, p)| u64::from(p.w) * u64::from(p.h))
            .sum();
        // Large, and mostly changed: scattered changes (a new line at the
        // bottom and the clock at the top) go tile by tile.
        if area < GLYPH_MIN_AREA || changed * 2 < area {
            return None;
        }
        cur.read_rect(&rect, &mut self.scratch);
        let colours = palette::colours(&self.scratch).filter(|c| c.len() == 2)?;
        let first = self
            .scratch
            .chunks_exact(4)
            .filter(|p| **p == colours[0])
            .count();
        let bg_first = first * 2 >= self.scratch.len() / 4;
        let (bg, fg) = match bg_first {
            true => (colours[0], colours[1]),
            false => (colours[1], colours[0]),
        };
        let start = self.pixels.len();
        // About what the parts cost tile by tile: little for one colour,
        // else packed bits (1 a pixel), which zstd shrinks 2.5-fold on text.
        let budget = parts
            .iter()
            .map(|(_, _, part)| {
                cur.read_rect(part, &mut self.scratch);
                match palette::colours(&self.scratch).map(|c| c.len()) {
                    Some(1) => 8,
                    _ => (u64::from(part.w) * u64::from(part.h) / 20) as usize,
                }
            })
            .sum();
        glyphs::encode(cur, &rect, bg, &mut self.glyphs, &mut self.pixels, budget)?;
        Some(Op::Glyphs {
            rect,
            colours: [bg, fg],
            len: (self.pixels.len() - start) as u32,
        })
    }
}

/// The smallest rectangle of `tile` holding every pixel that differs
/// between `old` and `new` (`None` if none does).
fn changed_bounds(old: &Frame, new: &Frame, tile: &Rect) -> Option<Rect> {
    let differs = |y: u32| old.span(tile, y) != new.span(tile, y);
    let top = (tile.y..tile.y + tile.h).find(|&y| differs(y))?;
    let bottom = (tile.y..tile.y + tile.h).rev().find(|&y| differs(y))?;
    let (mut left, mut right) = (tile.w, 0);
    for y in top..=bottom {
        let (a, b) = (old.span(tile, y), new.span(tile, y));
        for (i, (pa, pb)) in a.chunks_exact(4).zip(b.chunks_exact(4)).enumerate() {
            if pa != pb {
                left = left.min(i as u32);
                right = right.max(i as u32);
            }
        }
    }
    Some(Rect {
        x: tile.x + left,
        y: top,
        w: right - left + 1,
        h: bottom - top + 1,
    })
}

/// The area an operation sets (copies excepted: they move pixels).
fn op_area(op: &Op, grid: &TileGrid) -> Option<Rect> {
    match op {
        Op::Tile { index } | Op::Fill { index, .. } => grid.rect(*index),
        Op::Rect { rect } | Op::Indexed { rect, .. } | Op::Glyphs { rect, .. } => Some(*rect),
        Op::Copy { .. } => None,
    }
}

/// How many damaged tiles each tile column holds.
fn per_column(grid: &TileGrid, damaged: &[u32]) -> Vec<usize> {
    let cols = grid.cols() as usize;
    let mut counts = vec![0; cols];
    for &i in damaged {
        counts[i as usize % cols] += 1;
    }
    counts
}

/// Rebuilds the picture from updates.
pub struct Decoder {
    frame: Option<Frame>,
    /// Sequence number of the update the picture is at.
    seq: Option<u64>,
    zstd: zstd::bulk::Decompressor<'static>,
    scratch: Vec<u8>,
    pixels: Vec<u8>,
    glyphs: GlyphCache,
}

impl Decoder {
    /// A decoder with no picture yet (it needs a keyframe).
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            frame: None,
            seq: None,
            zstd: zstd::bulk::Decompressor::new()?,
            scratch: Vec::with_capacity((TILE * TILE * 4) as usize),
            pixels: Vec::new(),
            glyphs: GlyphCache::default(),
        })
    }

    /// The picture as decoded so far.
    pub fn frame(&self) -> Option<&Frame> {
        self.frame.as_ref()
    }

    /// Applies an update. On error the picture is dropped: the caller asks
    /// the encoder for a keyframe.
    pub fn apply(&mut self, update: &Update) -> Result<&Frame, DecodeError> {
        let next = self.seq.take().map(|s| s.wrapping_add(1));
        let mut frame = match self.frame.take() {
            _ if update.keyframe => {
                self.glyphs.clear(); // the encoder cleared its own
                Frame::new(update.width, update.height)?
            }
            // A delta applies only to the picture of the update just
            // before it: after a gap the picture and the glyph cache may
            // be out of step with the encoder.
            Some(f)
                if f.width() == update.width
                    && f.height() == update.height
                    && next == Some(update.seq) =>
            {
                f
            }
            _ => {
                return Err(DecodeError::NeedKeyframe {
                    width: update.width,
                    height: update.height,
                })
            }
        };
        self.apply_ops(&mut frame, update)?;
        self.seq = Some(update.seq);
        Ok(self.frame.insert(frame))
    }

    fn apply_ops(&mut self, frame: &mut Frame, update: &Update) -> Result<(), DecodeError> {
        let grid = TileGrid::new(frame.width(), frame.height());
        let limit = grid.count() as usize + MAX_COPIES;
        if update.ops.len() > limit {
            return Err(DecodeError::TooManyOps(update.ops.len()));
        }
        // First every operation is checked and the pixel data they need
        // added up; nothing is written before all of it holds.
        let (width, height) = (frame.width(), frame.height());
        let mut want = 0usize;
        let mut seen_pixels = false;
        for op in &update.ops {
            match op {
                Op::Copy { src, dst_x, dst_y } => {
                    if seen_pixels {
                        return Err(DecodeError::CopyAfterTile);
                    }
                    let dst = Rect {
                        x: *dst_x,
                        y: *dst_y,
                        w: src.w,
                        h: src.h,
                    };
                    if !src.fits(width, height) || !dst.fits(width, height) {
                        return Err(DecodeError::BadCopy {
                            src: *src,
                            dst_x: *dst_x,
                            dst_y: *dst_y,
                        });
                    }
                }
                Op::Fill { index, .. } | Op::Tile { index } => {
                    seen_pixels = true;
                    let rect = grid.rect(*index).ok_or(DecodeError::NoSuchTile {
                        index: *index,
                        width,
                        height,
                    })?;
                    if matches!(op, Op::Tile { .. }) {
                        want += rect.w as usize * rect.h as usize * 4;
                    }
                }
                Op::Rect { rect } => {
                    seen_pixels = true;
                    check_part(rect, width, height)?;
                    want += rect.w as usize * rect.h as usize * 4;
                }
                Op::Indexed { rect, colours } => {
                    seen_pixels = true;
                    check_part(rect, width, height)?;
                    if colours.is_empty() || colours.len() > MAX_COLOURS {
                        return Err(DecodeError::BadPalette {
                            rect: *rect,
                            colours: colours.len(),
                        });
                    }
                    want += palette::packed_len(rect.w, rect.h, colours.len());
                }
                Op::Glyphs { rect, len, .. } => {
                    seen_pixels = true;
                    let area = rect.w as usize * rect.h as usize;
                    if rect.w == 0 || rect.h == 0 || !rect.fits(width, height) {
                        return Err(DecodeError::BadRect(*rect));
                    }
                    // A layout never needs more than the raw pixels would.
                    if *len as usize > area * 4 {
                        return Err(DecodeError::BadPixels(*len as usize));
                    }
                    want += *len as usize;
                }
            }
        }
        // At most one glyph area, and never more pixel data than a raw
        // picture (plus slack for palettes): what a hostile update can
        // make the decoder hold or draw is bounded by the picture.
        let glyph_areas = update
            .ops
            .iter()
            .filter(|op| matches!(op, Op::Glyphs { .. }))
            .count();
        let picture = width as usize * height as usize * 4;
        if glyph_areas > 1 || want > picture + MAX_PIXEL_SLACK {
            return Err(DecodeError::BadPixels(want));
        }
        // Decompresses into at most `want` bytes: a zstd bomb fails here
        // instead of allocating.
        self.pixels.clear();
        if want > 0 {
            self.pixels.reserve(want);
            let got = self
                .zstd
                .decompress_to_buffer(&update.pixels, &mut self.pixels)
                .map_err(|_| DecodeError::BadPixels(want))?;
            if got != want {
                return Err(DecodeError::BadPixels(want));
            }
        } else if !update.pixels.is_empty() {
            return Err(DecodeError::BadPixels(0));
        }
        let mut at = 0;
        let mut take = |n: usize| {
            let slice = self.pixels.get(at..at + n);
            at += n;
            slice.ok_or(DecodeError::BadPixels(want))
        };
        for op in &update.ops {
            match op {
                Op::Copy { src, dst_x, dst_y } => frame.copy_within(src, *dst_x, *dst_y),
                Op::Fill { index, bgrx } => {
                    if let Some(rect) = grid.rect(*index) {
                        frame.fill_rect(&rect, *bgrx);
                    }
                }
                Op::Tile { index } => {
                    if let Some(rect) = grid.rect(*index) {
                        frame.write_rect(&rect, take(rect.w as usize * rect.h as usize * 4)?);
                    }
                }
                Op::Rect { rect } => {
                    frame.write_rect(rect, take(rect.w as usize * rect.h as usize * 4)?);
                }
                Op::Indexed { rect, colours } => {
                    let packed = take(palette::packed_len(rect.w, rect.h, colours.len()))?;
                    palette::unpack(packed, rect.w, rect.h, colours, &mut self.scratch).ok_or(
                        DecodeError::BadPalette {
                            rect: *rect,
                            colours: colours.len(),
                        },
                    )?;
                    frame.write_rect(rect, &self.scratch);
                }
                Op::Glyphs { rect, colours, len } => {
                    let layout = take(*len as usize)?;
                    glyphs::decode(layout, frame, rect, *colours, &mut self.glyphs)
                        .map_err(|e| DecodeError::BadGlyphs(*rect, e))?;
                }
            }
        }
        Ok(())
    }
}

/// Checks a partial-tile rectangle: not empty, at most a tile's area, in
/// the picture.
fn check_part(rect: &Rect, width: u32, height: u32) -> Result<(), DecodeError> {
    let area = u64::from(rect.w) * u64::from(rect.h);
    if rect.w == 0 || rect.h == 0 || area > u64::from(TILE * TILE) || !rect.fits(width, height) {
        return Err(DecodeError::BadRect(*rect));
    }
    Ok(())
}
