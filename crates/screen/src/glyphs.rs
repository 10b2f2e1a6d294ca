//! Text as glyphs: a two-colour area is cut into the shapes it is drawn
//! with (the glyphs of a terminal or an editor), and each shape is sent
//! once; afterwards it is named by its number in a cache both sides keep.
//! A page of text then costs a few bits a character instead of its
//! pixels. Nothing here knows about fonts: a "glyph" is any run of
//! columns holding the foreground colour within a band of rows that do.
//!
//! The layout of an area's glyphs (all numbers LEB128 varints):
//! `bands`, then per band `dy` (blank rows above it, from the previous
//! band's end), `height`, `glyphs`, then per glyph `dx` (blank columns
//! before it, from the previous glyph's end) and `id`: 0 for a new shape,
//! followed by its `width` and its rows (1 bit a pixel, most significant
//! first, each row starting on a byte), or the cache number plus one.
//!
//! The cache holds [`CACHE_SLOTS`] shapes and reuses its slots in turn,
//! so encoder and decoder agree on every number without talking; both
//! empty it at every keyframe.

use crate::frame::{Frame, Rect};
use std::collections::HashMap;

/// Shapes a cache holds.
pub const CACHE_SLOTS: usize = 4096;
/// Widest and tallest shape: wider runs are cut, taller bands are not
/// text (the area is then sent otherwise).
pub const MAX_GLYPH_SIDE: u32 = 64;

/// The shapes both sides have seen, by number.
#[derive(Default)]
pub struct GlyphCache {
    /// Slot contents: width, height, then the packed rows.
    slots: Vec<Vec<u8>>,
    next: usize,
    index: HashMap<Vec<u8>, u32>,
}

impl GlyphCache {
    /// Forgets every shape (at a keyframe).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn get(&self, id: u32) -> Option<&[u8]> {
        self.slots.get(id as usize).map(Vec::as_slice)
    }

    fn find(&self, key: &[u8]) -> Option<u32> {
        self.index.get(key).copied()
    }

    fn insert(&mut self, key: Vec<u8>) {
        let slot = self.next;
        self.next = (self.next + 1) % CACHE_SLOTS;
        if let Some(old) = self.slots.get_mut(slot) {
            self.index.remove(old.as_slice());
            *old = key.clone();
        } else {
            self.slots.push(key.clone());
        }
        self.index.insert(key, slot as u32);
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Why a glyph layout was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlyphError {
    /// It ended early or went on after its last glyph.
    #[error("glyph data of the wrong length")]
    Length,
    /// A band or glyph outside the area, or a shape too large.
    #[error("a glyph outside its area or larger than {MAX_GLYPH_SIDE} pixels")]
    Outside,
    /// A cache number nobody sent.
    #[error("glyph {0} is not in the cache")]
    Unknown(u32),
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u32, GlyphError> {
        let mut v = 0u64;
        for shift in [0, 7, 14, 21, 28] {
            let (&b, rest) = self.bytes.split_first().ok_or(GlyphError::Length)?;
            self.bytes = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                // A value past u32 is refused, not truncated.
                return u32::try_from(v).map_err(|_| GlyphError::Length);
            }
        }
        Err(GlyphError::Length)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], GlyphError> {
        if n > self.bytes.len() {
            return Err(GlyphError::Length);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
}

/// Whether the pixel at column `x` of row `row` (BGRX) is not `bg`.
fn is_fg(row: &[u8], x: u32, bg: [u8; 4]) -> bool {
    let i = x as usize * 4;
    row.get(i..i + 4).is_some_and(|p| p != bg)
}

/// Writes the glyph layout of `area` of `frame` (whose pixels are `bg` or
/// one other colour) to `out`, learning new shapes into `cache`. `None`,
/// with nothing learnt or written, if the area does not look like text (a
/// band of foreground rows taller than [`MAX_GLYPH_SIDE`]) or would cost
/// more than about `budget` bytes before compression (mostly shapes never
/// seen: a picture in two colours rather than text).
pub fn encode(
    frame: &Frame,
    area: &Rect,
    bg: [u8; 4],
    cache: &mut GlyphCache,
    out: &mut Vec<u8>,
    budget: usize,
) -> Option<()> {
    let rows: Vec<&[u8]> = (area.y..area.y + area.h)
        .map(|y| frame.span(area, y))
        .collect();
    let ink: Vec<bool> = rows
        .iter()
        .map(|row| (0..area.w).any(|x| is_fg(row, x, bg)))
        .collect();
    let mut bands = Vec::new();
    let mut y = 0;
    while y < area.h {
        if !ink[y as usize] {
            y += 1;
            continue;
        }
        let top = y;
        while y < area.h && ink[y as usize] {
            y += 1;
        }
        if y - top > MAX_GLYPH_SIDE {
            return None;
        }
        bands.push((top, y - top));
    }
    // The glyphs of each band, with their shapes.
    let mut plan = Vec::with_capacity(bands.len());
    for (top, height) in bands {
        let band = &rows[top as usize..(top + height) as usize];
        let column_ink = |x: u32| band.iter().any(|row| is_fg(row, x, bg));
        let mut glyphs = Vec::new();
        let mut x = 0;
        while x < area.w {
            if !column_ink(x) {
                x += 1;
                continue;
            }
            let left = x;
            while x < area.w && x - left < MAX_GLYPH_SIDE && column_ink(x) {
                x += 1;
            }
            let width = x - left;
            let mut key = vec![width as u8, height as u8];
            for row in band {
                let mut byte = 0u8;
                for i in 0..width {
                    if is_fg(row, left + i, bg) {
                        byte |= 0x80 >> (i % 8);
                    }
                    if i % 8 == 7 || i == width - 1 {
                        key.push(byte);
                        byte = 0;
                    }
                }
            }
            glyphs.push((left, key));
        }
        plan.push((top, height, glyphs));
    }
    // Worth it only if most shapes are known or repeat: new shapes cost
    // their bits, known ones about a byte and a half before compression.
    let mut seen = std::collections::HashSet::new();
    let cost: usize = plan
        .iter()
        .flat_map(|(_, _, glyphs)| glyphs)
        .map(|(_, key)| {
            if cache.find(key).is_some() || !seen.insert(key.as_slice()) {
                3
            } else {
                2 * key.len() + 6
            }
        })
        .sum::<usize>()
        / 2;
    if cost > budget {
        return None;
    }
    // From here on the area is text: shapes are learnt as they are met,
    // in the order the decoder will meet them.
    put_varint(out, plan.len() as u32);
    let mut band_end = 0;
    for (top, height, glyphs) in plan {
        put_varint(out, top - band_end);
        put_varint(out, height);
        band_end = top + height;
        put_varint(out, glyphs.len() as u32);
        let mut glyph_end = 0;
        for (left, key) in glyphs {
            let width = u32::from(key[0]);
            put_varint(out, left - glyph_end);
            glyph_end = left + width;
            match cache.find(&key) {
                Some(id) => put_varint(out, id + 1),
                None => {
                    put_varint(out, 0);
                    put_varint(out, width);
                    out.extend_from_slice(&key[2..]);
                    cache.insert(key);
                }
            }
        }
    }
    Some(())
}

/// Draws the glyph layout `bytes` into `area` of `frame`, after filling it
/// with `bg`, glyphs in `fg`; learns new shapes into `cache`. Every number
/// is checked before it is drawn with (the layout is checked as it is
/// read, so an error can come after part of it was drawn: the caller then
/// drops the picture). Bands and glyphs never overlap, so the drawing is
/// bounded by the area.
pub fn decode(
    bytes: &[u8],
    frame: &mut Frame,
    area: &Rect,
    [bg, fg]: [[u8; 4]; 2],
    cache: &mut GlyphCache,
) -> Result<(), GlyphError> {
    frame.fill_rect(area, bg);
    let mut r = Reader { bytes };
    let bands = r.varint()?;
    let mut band_end = 0u32;
    for _ in 0..bands {
        // u64 sums: no wrap-around can bring a band back inside the area.
        let top = u64::from(band_end) + u64::from(r.varint()?);
        let height = r.varint()?;
        if height == 0 || height > MAX_GLYPH_SIDE || top + u64::from(height) > u64::from(area.h) {
            return Err(GlyphError::Outside);
        }
        let top = top as u32; // fits: at most area.h
        band_end = top + height;
        let glyphs = r.varint()?;
        let mut glyph_end = 0u32;
        for _ in 0..glyphs {
            let left = u64::from(glyph_end) + u64::from(r.varint()?);
            if left >= u64::from(area.w) {
                return Err(GlyphError::Outside);
            }
            let left = left as u32; // fits: below area.w
            let key = match r.varint()? {
                0 => {
                    let width = r.varint()?;
                    if width == 0 || width > MAX_GLYPH_SIDE {
                        return Err(GlyphError::Outside);
                    }
                    let row = (width as usize).div_ceil(8);
                    let mut key = vec![width as u8, height as u8];
                    key.extend_from_slice(r.take(row * height as usize)?);
                    cache.insert(key.clone());
                    key
                }
                id => cache
                    .get(id - 1)
                    .ok_or(GlyphError::Unknown(id - 1))?
                    .to_vec(),
            };
            let (width, shape_height) = (u32::from(key[0]), u32::from(key[1]));
            if shape_height != height || width > area.w - left {
                return Err(GlyphError::Outside);
            }
            glyph_end = left + width;
            let row_len = (width as usize).div_ceil(8);
            let stride = frame.stride();
            let pixels = frame.pixels_mut();
            for (dy, row) in key[2..].chunks_exact(row_len).enumerate() {
                let y = (area.y + top) as usize + dy;
                for x in 0..width {
                    if row[x as usize / 8] & (0x80 >> (x % 8)) != 0 {
                        let at = y * stride + (area.x + left + x) as usize * 4;
                        if let Some(pixel) = pixels.get_mut(at..at + 4) {
                            pixel.copy_from_slice(&fg);
                        }
                    }
                }
            }
        }
    }
    if !r.bytes.is_empty() {
        return Err(GlyphError::Length);
    }
    Ok(())
}
