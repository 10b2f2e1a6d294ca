//! Which parts of the screen are *video*: regions whose tiles keep
//! changing frame after frame (a film, an animation, a window being
//! dragged), to be sent through a video encoder, while text and still
//! regions stay lossless tiles. Sans-IO: fed each frame's damaged tiles
//! (what the lossless path would send, after scrolls and moves were
//! taken out as copies), it answers the video regions and the tiles that
//! just left video, which must be *topped off*: sent again losslessly, so
//! a paused video ends pixel-exact.
//!
//! Hysteresis keeps the choice steady: a tile enters after changing in
//! [`ENTER`] of the last [`WINDOW`] frames, inside a cluster of at least
//! [`MIN_TILES`] such tiles (a blinking cursor, a clock or a typed line is
//! never video), and leaves only after [`STILL`] frames without a change.

use crate::frame::Rect;
use crate::tiles::TileGrid;

/// Frames of history per tile (one bit each in a `u8`).
pub const WINDOW: u32 = 8;
const _: () = assert!(WINDOW == u8::BITS);
/// Changes within the window that make a tile a candidate.
pub const ENTER: u32 = 6;
/// Candidate tiles a connected cluster needs to become video.
pub const MIN_TILES: usize = 4;
/// Frames without a change after which a video tile leaves video.
pub const STILL: u32 = 10;

/// What one frame's classification says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classified {
    /// The video regions now, tile-aligned, one per connected cluster.
    pub video: Vec<Rect>,
    /// Tiles that left video this frame: send them losslessly now.
    pub top_off: Vec<u32>,
}

/// The classifier's memory of one screen size.
pub struct VideoRegions {
    grid: TileGrid,
    /// Per tile: bit `i` set if it changed `i` frames ago (bit 0: now).
    history: Vec<u8>,
    /// Per tile: in video now.
    video: Vec<bool>,
    /// Per tile: frames since its last change (saturating).
    quiet: Vec<u32>,
}

impl VideoRegions {
    /// A classifier for a `width` x `height` screen (a new one for a new size).
    pub fn new(width: u32, height: u32) -> Self {
        let grid = TileGrid::new(width, height);
        let n = grid.count() as usize;
        Self {
            grid,
            history: vec![0; n],
            video: vec![false; n],
            quiet: vec![u32::MAX; n],
        }
    }

    /// One frame: the tiles that changed in it (indices past the grid are
    /// ignored).
    pub fn frame(&mut self, damaged: &[u32]) -> Classified {
        for h in &mut self.history {
            *h <<= 1;
        }
        for q in &mut self.quiet {
            *q = q.saturating_add(1);
        }
        for &t in damaged {
            if let (Some(h), Some(q)) = (
                self.history.get_mut(t as usize),
                self.quiet.get_mut(t as usize),
            ) {
                *h |= 1;
                *q = 0;
            }
        }
        let mut out = Classified::default();
        // Leaving: still long enough.
        for (t, in_video) in self.video.iter_mut().enumerate() {
            if *in_video && self.quiet[t] >= STILL {
                *in_video = false;
                out.top_off.push(t as u32);
            }
        }
        // Entering: busy tiles in clusters large enough (video tiles count
        // toward a cluster, so a region grows at its edges).
        let busy: Vec<bool> = (0..self.history.len())
            .map(|t| self.history[t].count_ones() >= ENTER || self.video[t])
            .collect();
        for cluster in clusters(&self.grid, &busy) {
            let fresh = cluster.iter().filter(|&&t| !self.video[t as usize]).count();
            if cluster.len() >= MIN_TILES && fresh > 0 {
                for &t in &cluster {
                    self.video[t as usize] = true;
                }
            }
        }
        // Regions: one bounding box per connected cluster of video tiles.
        for cluster in clusters(&self.grid, &self.video) {
            if let Some(rect) = bounds(&self.grid, &cluster) {
                out.video.push(rect);
            }
        }
        out
    }

    /// Whether tile `t` is in video now.
    pub fn is_video(&self, t: u32) -> bool {
        self.video.get(t as usize).copied().unwrap_or(false)
    }
}

/// Connected (4-neighbour) clusters of the set tiles.
fn clusters(grid: &TileGrid, set: &[bool]) -> Vec<Vec<u32>> {
    let cols = grid.cols() as usize;
    let mut seen = vec![false; set.len()];
    let mut out = Vec::new();
    for start in 0..set.len() {
        if !set[start] || seen[start] {
            continue;
        }
        let mut cluster = Vec::new();
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(t) = stack.pop() {
            cluster.push(t as u32);
            let (col, row) = (t % cols, t / cols);
            let mut near = Vec::with_capacity(4);
            if col > 0 {
                near.push(t - 1);
            }
            if col + 1 < cols {
                near.push(t + 1);
            }
            if row > 0 {
                near.push(t - cols);
            }
            near.push(t + cols);
            for n in near {
                if n < set.len() && set[n] && !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        cluster.sort_unstable();
        out.push(cluster);
    }
    out
}

/// The rectangle covering `tiles`.
fn bounds(grid: &TileGrid, tiles: &[u32]) -> Option<Rect> {
    let rects: Vec<Rect> = tiles.iter().filter_map(|&t| grid.rect(t)).collect();
    let x0 = rects.iter().map(|r| r.x).min()?;
    let y0 = rects.iter().map(|r| r.y).min()?;
    let x1 = rects.iter().map(|r| r.x + r.w).max()?;
    let y1 = rects.iter().map(|r| r.y + r.h).max()?;
    Some(Rect {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::TILE;

    const W: u32 = 1920;
    const H: u32 = 1080;

    /// The tiles of `rect` on the 1080p grid.
    fn tiles_of(rect: Rect) -> Vec<u32> {
        TileGrid::new(W, H).covering(&rect).collect()
    }

    fn window() -> Rect {
        Rect {
            x: 128,
            y: 128,
            w: 960,
            h: 540,
        }
    }

    #[test]
    fn a_window_that_changes_every_frame_becomes_one_region() {
        let mut v = VideoRegions::new(W, H);
        let damaged = tiles_of(window());
        for frame in 1..ENTER {
            assert!(
                v.frame(&damaged).video.is_empty(),
                "frame {frame}: too soon"
            );
        }
        let c = v.frame(&damaged);
        assert_eq!(c.video.len(), 1);
        let r = c.video[0];
        // Tile-aligned, covering the window.
        assert_eq!((r.x % TILE, r.y % TILE), (0, 0));
        assert!(
            r.x <= 128 && r.y <= 128 && r.x + r.w >= 1088 && r.y + r.h >= 668,
            "{r:?}"
        );
        assert!(c.top_off.is_empty());
    }

    #[test]
    fn a_cursor_a_clock_and_typing_are_never_video() {
        let mut v = VideoRegions::new(W, H);
        for frame in 0..40u32 {
            let mut damaged = Vec::new();
            if frame % 2 == 0 {
                damaged.push(5); // a blinking cursor
            }
            damaged.push(29); // a clock's seconds, one tile, every frame
            damaged.push(300 + frame % 12); // typing along one line
            assert!(v.frame(&damaged).video.is_empty(), "frame {frame}");
        }
    }

    #[test]
    fn when_the_motion_stops_its_tiles_are_topped_off_once() {
        let mut v = VideoRegions::new(W, H);
        let damaged = tiles_of(window());
        for _ in 0..10 {
            v.frame(&damaged);
        }
        let mut topped = Vec::new();
        for frame in 1..=STILL {
            let c = v.frame(&[]);
            if frame < STILL {
                assert_eq!(c.video.len(), 1, "frame {frame}: still video");
                assert!(c.top_off.is_empty());
            } else {
                assert!(c.video.is_empty());
                topped = c.top_off;
            }
        }
        topped.sort_unstable();
        let mut expected = damaged.clone();
        expected.sort_unstable();
        assert_eq!(topped, expected, "every tile of the region, once");
        assert_eq!(v.frame(&[]), Classified::default());
    }

    #[test]
    fn a_pause_shorter_than_still_keeps_the_region() {
        let mut v = VideoRegions::new(W, H);
        let damaged = tiles_of(window());
        for _ in 0..10 {
            v.frame(&damaged);
        }
        for _ in 0..STILL - 1 {
            v.frame(&[]);
        }
        let c = v.frame(&damaged);
        assert_eq!(c.video.len(), 1);
        assert!(c.top_off.is_empty());
    }

    #[test]
    fn two_separate_videos_are_two_regions() {
        let mut v = VideoRegions::new(W, H);
        let left = tiles_of(Rect {
            x: 0,
            y: 0,
            w: 256,
            h: 256,
        });
        let right = tiles_of(Rect {
            x: 1280,
            y: 640,
            w: 320,
            h: 192,
        });
        let both: Vec<u32> = left.iter().chain(&right).copied().collect();
        let mut last = Classified::default();
        for _ in 0..ENTER {
            last = v.frame(&both);
        }
        assert_eq!(last.video.len(), 2, "{:?}", last.video);
    }

    #[test]
    fn tiles_off_the_grid_are_ignored() {
        let mut v = VideoRegions::new(100, 100);
        for _ in 0..10 {
            assert!(v.frame(&[0, 1, 2, 3, 9999, u32::MAX]).video.len() <= 1);
        }
        assert!(v.is_video(0));
        assert!(!v.is_video(u32::MAX));
    }
}
