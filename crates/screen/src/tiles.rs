//! The tile grid damage is measured in: only tiles that changed are sent.

use crate::frame::{Frame, Rect};

/// Side of a tile in pixels (the last row and column may be smaller).
pub const TILE: u32 = 64;

/// The tiles of a frame size, numbered row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TileGrid {
    width: u32,
    height: u32,
    cols: u32,
    rows: u32,
}

impl TileGrid {
    /// The grid of a `width` x `height` frame.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            cols: width.div_ceil(TILE),
            rows: height.div_ceil(TILE),
        }
    }

    /// How many tile columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// How many tiles.
    pub fn count(&self) -> u32 {
        self.cols * self.rows
    }

    /// The rectangle of tile `index`, if it exists.
    pub fn rect(&self, index: u32) -> Option<Rect> {
        if index >= self.count() {
            return None;
        }
        let (col, row) = (index % self.cols, index / self.cols);
        let (x, y) = (col * TILE, row * TILE);
        Some(Rect {
            x,
            y,
            w: TILE.min(self.width - x),
            h: TILE.min(self.height - y),
        })
    }
}

impl TileGrid {
    /// The tiles `rect` touches, in order (none if it is off the grid).
    pub fn covering(&self, rect: &Rect) -> impl Iterator<Item = u32> + '_ {
        let right = rect.x.saturating_add(rect.w).min(self.width);
        let bottom = rect.y.saturating_add(rect.h).min(self.height);
        let (cols, rows) = if rect.w == 0 || rect.h == 0 || rect.x >= right || rect.y >= bottom {
            (0..0, 0..0)
        } else {
            (
                rect.x / TILE..right.div_ceil(TILE),
                rect.y / TILE..bottom.div_ceil(TILE),
            )
        };
        rows.flat_map(move |row| cols.clone().map(move |col| row * self.cols + col))
    }
}

/// The tiles whose pixels differ between two frames of the same size.
pub fn damaged_tiles(prev: &Frame, cur: &Frame) -> Vec<u32> {
    let grid = TileGrid::new(cur.width(), cur.height());
    damaged_among(prev, cur, 0..grid.count())
}

/// Which of the `candidates` tiles differ between two frames of the same
/// size (the others are known to be equal).
pub fn damaged_among(prev: &Frame, cur: &Frame, candidates: impl Iterator<Item = u32>) -> Vec<u32> {
    let grid = TileGrid::new(cur.width(), cur.height());
    candidates
        .filter(|&i| {
            grid.rect(i)
                .is_some_and(|r| (r.y..r.y + r.h).any(|y| prev.span(&r, y) != cur.span(&r, y)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_tiles_are_clipped() {
        let grid = TileGrid::new(100, 70);
        assert_eq!(grid.count(), 4);
        assert_eq!(
            grid.rect(3),
            Some(Rect {
                x: 64,
                y: 64,
                w: 36,
                h: 6
            })
        );
        assert_eq!(grid.rect(4), None);
    }

    #[test]
    fn one_changed_pixel_damages_one_tile() {
        let prev = Frame::new(200, 130).expect("frame");
        let mut cur = prev.clone();
        let i = (70 * 200 + 130) * 4; // x=130, y=70: tile (2, 1)
        cur.pixels_mut()[i] = 9;
        assert_eq!(damaged_tiles(&prev, &cur), vec![4 + 2]);
        assert!(damaged_tiles(&prev, &prev).is_empty());
    }

    #[test]
    fn covering_lists_the_tiles_a_rectangle_touches() {
        let grid = TileGrid::new(200, 130); // 4 x 3 tiles
        let rect = |x, y, w, h| Rect { x, y, w, h };
        let tiles = |r: Rect| grid.covering(&r).collect::<Vec<_>>();
        assert_eq!(tiles(rect(0, 0, 1, 1)), vec![0]);
        assert_eq!(tiles(rect(63, 63, 2, 2)), vec![0, 1, 4, 5]);
        assert_eq!(tiles(rect(195, 129, 50, 50)), vec![11], "clipped");
        assert_eq!(tiles(rect(0, 0, 0, 5)), Vec::<u32>::new());
        assert_eq!(tiles(rect(300, 0, 5, 5)), Vec::<u32>::new());
    }
}
