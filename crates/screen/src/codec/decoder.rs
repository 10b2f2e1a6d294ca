//! The decoder: rebuilds the picture from updates, checking every size,
//! index, rectangle, palette and the decompressed length before any pixel
//! is written (a glyph layout is checked as it is drawn). A delta must
//! follow the update the picture is at, and a failed update drops the
//! picture, so no half-applied state survives: the next must be a keyframe.

use super::wire::{DecodeError, Op, Update, MAX_COPIES};
use crate::frame::{Frame, Rect};
use crate::glyphs::{self, GlyphCache};
use crate::palette::{self, MAX_COLOURS};
use crate::tiles::{TileGrid, TILE};

/// Pixel data an update may carry beyond a raw picture's bytes (palettes
/// and partial tiles can overlap a little; nothing legitimate needs more).
const MAX_PIXEL_SLACK: usize = 1 << 20;

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

    /// The sequence number of the update the picture is at.
    pub fn seq(&self) -> Option<u64> {
        self.seq
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    #[test]
    fn a_part_is_non_empty_at_most_a_tile_and_inside() {
        assert_eq!(check_part(&rect(0, 0, 64, 64), 100, 100), Ok(()));
        assert_eq!(check_part(&rect(36, 0, 64, 1), 100, 100), Ok(()));
        // A tile's area in another shape is allowed: it is the area that
        // bounds the pixels.
        assert_eq!(check_part(&rect(0, 0, 100, 40), 100, 100), Ok(()));
        for bad in [
            rect(0, 0, 0, 1),
            rect(0, 0, 1, 0),
            rect(0, 0, 65, 64),
            rect(37, 0, 64, 1),
            rect(u32::MAX, 0, 2, 1),
        ] {
            assert_eq!(check_part(&bad, 100, 100), Err(DecodeError::BadRect(bad)));
        }
    }
}
