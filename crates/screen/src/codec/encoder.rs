//! The encoder: compares each frame with the last one sent and emits only
//! what changed, choosing per change the cheapest form (copy, fill,
//! palette, glyphs or raw pixels) and compressing the pixel data of the
//! whole update in one zstd frame with a persistent context.

use super::wire::{Op, Update, MAX_COPIES};
use crate::capture::Damage;
use crate::frame::{Frame, Rect};
use crate::glyphs::{self, GlyphCache};
use crate::motion::find_moves;
use crate::palette;
use crate::tiles::{damaged_among, TileGrid, TILE};

/// zstd level: the fastest, which measured best for screen tiles.
const ZSTD_LEVEL: i32 = 1;
/// Smallest changed area sent as glyphs (a tile's worth, such as a new
/// line of text): below it (a keystroke) a palette costs as little.
const GLYPH_MIN_AREA: u64 = (TILE as u64) * (TILE as u64);

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
    /// What the last delta changed, tile by tile, after copies.
    residual: Vec<Changed>,
}

/// A tile a delta sent, after copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changed {
    /// The tile.
    pub tile: u32,
    /// The part of it whose pixels changed.
    pub part: Rect,
    /// Whether that part holds more colours than a palette takes (a
    /// photo, a film), rather than text or flat colour, which stay
    /// lossless however often they change.
    pub many_colours: bool,
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
            residual: Vec::new(),
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

    /// What the last update changed, after copies: each tile sent and the
    /// part of it whose pixels changed. Empty after a keyframe or an idle
    /// frame. This is what a classifier of motion looks at: a scroll or a
    /// drag leaves little here, a video the whole of its area.
    pub fn residual(&self) -> &[Changed] {
        &self.residual
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
        self.residual.clear();
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
        let delta = reference.is_some();
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
        for (index, rect, part) in parts {
            let mut changed = Changed {
                tile: index,
                part,
                many_colours: false,
            };
            if as_glyphs {
                self.residual.extend(delta.then_some(changed));
                continue;
            }
            cur.read_rect(&part, &mut self.scratch);
            let whole = part == rect;
            let colours = palette::colours(&self.scratch);
            changed.many_colours = colours.is_none();
            self.residual.extend(delta.then_some(changed));
            ops.push(match colours {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    #[test]
    fn changed_bounds_are_the_smallest_rectangle_of_changed_pixels() {
        let old = Frame::new(128, 64).expect("frame");
        let tile = rect(64, 0, 64, 64);
        assert_eq!(changed_bounds(&old, &old, &tile), None);
        let mut new = old.clone();
        new.fill_rect(&rect(70, 5, 1, 1), [1, 0, 0, 0]);
        new.fill_rect(&rect(90, 20, 3, 2), [2, 0, 0, 0]);
        // A change in the other tile is not this tile's.
        new.fill_rect(&rect(3, 3, 1, 1), [3, 0, 0, 0]);
        assert_eq!(changed_bounds(&old, &new, &tile), Some(rect(70, 5, 23, 17)));
    }

    #[test]
    fn op_area_is_what_an_operation_overwrites() {
        let grid = TileGrid::new(100, 70);
        assert_eq!(
            op_area(&Op::Tile { index: 3 }, &grid),
            Some(rect(64, 64, 36, 6))
        );
        assert_eq!(op_area(&Op::Tile { index: 4 }, &grid), None);
        let part = rect(1, 2, 3, 4);
        assert_eq!(op_area(&Op::Rect { rect: part }, &grid), Some(part));
        let copy = Op::Copy {
            src: part,
            dst_x: 0,
            dst_y: 0,
        };
        assert_eq!(op_area(&copy, &grid), None);
    }

    #[test]
    fn damaged_tiles_are_counted_per_column() {
        let grid = TileGrid::new(200, 130); // 4 x 3 tiles
        assert_eq!(per_column(&grid, &[0, 4, 8, 5, 11]), vec![3, 1, 0, 1]);
    }
}
