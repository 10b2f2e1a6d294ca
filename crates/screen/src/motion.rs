//! Finding regions that moved vertically between two frames (a terminal
//! scrolling, a page paging), so they travel as a copy plus the newly
//! exposed lines instead of as whole tiles.
//!
//! Works per column strip one tile wide, so a window that does not span the
//! screen is found too. A guess is only a guess: the encoder applies the
//! copies to the previous picture and then diffs tiles pixel-exact against
//! the real frame, so a wrong guess costs bytes, never correctness.

use crate::frame::{Frame, Rect};
use crate::tiles::TILE;
use std::collections::HashMap;

/// Shortest band of moved rows worth a copy.
const MIN_BAND: u32 = 32;
/// Damaged tiles a strip needs before it is searched for motion.
const MIN_DAMAGED_TILES: usize = 3;

/// A vertical move: rows `y0..y1` of the new frame equal rows `y0+dy..`
/// of the old one, across `x..x+w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Move {
    pub x: u32,
    pub w: u32,
    pub y0: u32,
    pub y1: u32,
    pub dy: i64,
}

impl Move {
    /// The copy as the bitstream carries it.
    pub fn source(&self) -> Rect {
        Rect {
            x: self.x,
            y: (i64::from(self.y0) + self.dy) as u32,
            w: self.w,
            h: self.y1 - self.y0,
        }
    }
}

/// A fast, non-cryptographic hash of one strip of one row.
fn row_hash(frame: &Frame, strip: &Rect, y: u32) -> u64 {
    frame
        .span(strip, y)
        .chunks(8)
        .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
            let mut word = [0u8; 8];
            word[..c.len()].copy_from_slice(c);
            (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95)
        })
}

/// The vertical moves from `prev` to `cur` (same size), given how many
/// tiles are damaged in each tile column.
pub(crate) fn find_moves(prev: &Frame, cur: &Frame, damaged_per_column: &[usize]) -> Vec<Move> {
    let mut moves: Vec<Move> = Vec::new();
    for (col, &damaged) in damaged_per_column.iter().enumerate() {
        if damaged < MIN_DAMAGED_TILES {
            continue;
        }
        let x = col as u32 * TILE;
        let strip = Rect {
            x,
            y: 0,
            w: TILE.min(cur.width() - x),
            h: cur.height(),
        };
        if let Some(m) = strip_move(prev, cur, &strip) {
            // Neighbouring strips that moved alike become one copy.
            match moves.last_mut() {
                Some(last)
                    if last.x + last.w == m.x
                        && (last.y0, last.y1, last.dy) == (m.y0, m.y1, m.dy) =>
                {
                    last.w += m.w
                }
                _ => moves.push(m),
            }
        }
    }
    moves
}

fn strip_move(prev: &Frame, cur: &Frame, strip: &Rect) -> Option<Move> {
    let old: Vec<u64> = (0..strip.h).map(|y| row_hash(prev, strip, y)).collect();
    let new: Vec<u64> = (0..strip.h).map(|y| row_hash(cur, strip, y)).collect();
    let mut first_seen: HashMap<u64, u32> = HashMap::with_capacity(old.len());
    for (y, h) in old.iter().enumerate().rev() {
        first_seen.insert(*h, y as u32);
    }
    // Vote for the shift that explains the most changed rows.
    let mut votes: HashMap<i64, u32> = HashMap::new();
    for (y, h) in new.iter().enumerate() {
        if old[y] == *h {
            continue;
        }
        if let Some(&from) = first_seen.get(h) {
            *votes.entry(i64::from(from) - y as i64).or_default() += 1;
        }
    }
    let (&dy, &count) = votes.iter().max_by_key(|(dy, n)| (**n, -dy.abs()))?;
    if count < MIN_BAND || dy == 0 {
        return None;
    }
    // The longest band of rows that this shift explains.
    let explained = |y: u32| {
        let from = i64::from(y) + dy;
        from >= 0 && from < i64::from(strip.h) && old[from as usize] == new[y as usize]
    };
    let (mut best, mut start) = ((0, 0), None);
    for y in 0..=strip.h {
        match (y < strip.h && explained(y), start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                if y - s > best.1 - best.0 {
                    best = (s, y);
                }
                start = None;
            }
            _ => {}
        }
    }
    (best.1 - best.0 >= MIN_BAND).then_some(Move {
        x: strip.x,
        w: strip.w,
        y0: best.0,
        y1: best.1,
        dy,
    })
}
