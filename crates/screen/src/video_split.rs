//! The agent's side of the video path: each captured frame is split
//! between the lossless encoder and the video encoder. Sans-IO: fed the
//! frame and its damage, it answers what the lossless encoder is to see
//! and which rectangle the video encoder is to code; fed what the
//! lossless encoder then sent, it classifies (with [`VideoRegions`]) and
//! decides where the video region is for the next frame.
//!
//! While a region lasts, the lossless encoder is given a *masked* frame:
//! the screen everywhere but the region, which keeps what it held when
//! the region began. Both lossless ends so agree on a picture in which
//! the region is still; the viewer shows the video pictures over it.
//! When the region ends, the mask lifts: the lossless encoder sees the
//! region's real pixels and sends them, which is the *top-off* that makes
//! a paused video pixel-exact.
//!
//! Changes count toward video only while the screen is grabbed at least
//! ten times a second (it is grabbed as it changes): text paged or
//! scrolled at a reading pace stays lossless. A region is fitted to the pixels that moved, not to whole
//! tiles, so text beside a video stays out of it; it is kept while the classifier
//! finds video inside it, and replaced (a new region, a new keyframe)
//! only when the video grows past it.

use crate::capture::Damage;
use crate::codec::Changed;
use crate::frame::{Frame, FrameError, Rect};
use crate::tiles::TileGrid;
use crate::video_regions::{VideoRegions, STILL, WINDOW};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Grabs a second below which nothing new becomes video (the screen is
/// grabbed as it changes: text paged or scrolled at a reading pace
/// changes slower than this; a film, an animation or a drag faster).
pub const FAST_GRABS: u64 = 10;
/// Smallest region worth a video encoder, in pixels (a 128x96 area).
const MIN_AREA: u64 = 128 * 96;
/// A region is replaced by a larger one when the video tiles around it
/// reach this fraction of its own (1 / GROWTH): a video that grew, not a
/// line of text typed beside it, which must stay lossless.
const GROWTH: usize = 4;
/// Video tiles around a region that never make it grow.
const MIN_TILES: usize = 4;

/// What to do with one frame.
#[derive(Debug)]
pub struct Plan<'a> {
    /// What the lossless encoder is to encode: the screen, the video
    /// region masked.
    pub masked: &'a Frame,
    /// Where the lossless encoder is to look.
    pub damage: Damage,
    /// The video region to code from the captured frame, if its pixels
    /// changed (or it is new).
    pub video: Option<VideoWork>,
    /// A region that ended: its top-off is in this frame's lossless
    /// update, after which the viewer is to put its video away.
    pub ended: Option<u32>,
}

/// The video encoder's part of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoWork {
    /// The region's number.
    pub region: u32,
    /// Where it is.
    pub rect: Rect,
    /// The region's first picture: a keyframe.
    pub first: bool,
}

/// The video region now.
struct Region {
    number: u32,
    /// Pixel rectangle, even-aligned.
    rect: Rect,
    /// The tile-aligned bounds of the cluster it was made from.
    tiles: Rect,
    /// The region's pixels as last given to the video encoder (kept only
    /// without damage reports, to compare with).
    last: Vec<u8>,
    /// No picture of it sent yet.
    first: bool,
    /// Its pixels changed since the video encoder last took a picture.
    pending: bool,
}

/// Splits frames between the lossless and the video paths (one screen
/// size; a new size starts afresh).
pub struct VideoSplit {
    grid: TileGrid,
    classifier: VideoRegions,
    masked: Frame,
    region: Option<Region>,
    next_region: u32,
    /// Per tile: the pixels that changed since it was last still.
    reach: Vec<Option<Rect>>,
    /// Per tile: frames since it last changed (saturating).
    quiet: Vec<u32>,
    /// Tiles of the region whose pixels changed in this frame.
    moved: Vec<u32>,
    /// A region that ended in the last frame, to top off in this one.
    ending: Option<(u32, Rect)>,
    /// The masked frame has been filled once (a damage report is only
    /// news after that).
    primed: bool,
    /// When the last [`WINDOW`] frames were settled.
    grabs: VecDeque<Instant>,
}

impl VideoSplit {
    /// A splitter for frames of `width` x `height`.
    pub fn new(width: u32, height: u32) -> Result<Self, FrameError> {
        let grid = TileGrid::new(width, height);
        let n = grid.count() as usize;
        Ok(Self {
            grid,
            classifier: VideoRegions::new(width, height),
            masked: Frame::new(width, height)?,
            region: None,
            next_region: 1,
            reach: vec![None; n],
            quiet: vec![u32::MAX; n],
            moved: Vec::new(),
            ending: None,
            primed: false,
            grabs: VecDeque::new(),
        })
    }

    /// Frames of a new size: starts afresh, region numbers going on
    /// rising (so a viewer never takes an old region's late picture for a
    /// new one's).
    /// Returns the regions it drops, live or ending: the caller ends them
    /// (`End`) with the keyframe that follows.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<Vec<u32>, FrameError> {
        let next = self.next_region;
        let dropped = self
            .region
            .as_ref()
            .map(|r| r.number)
            .into_iter()
            .chain(self.ending.map(|(n, _)| n))
            .collect();
        *self = Self::new(width, height)?;
        self.next_region = next;
        Ok(dropped)
    }

    /// The number the next region will have. Region numbers rise for as
    /// long as a viewer watches, across shares (a viewer drops pictures of
    /// a number it has seen end): a new share starts from where the last
    /// one stopped ([`Self::starting_at`]).
    pub fn next_region(&self) -> u32 {
        self.next_region
    }

    /// This splitter, its regions numbered from `first`.
    pub fn starting_at(mut self, first: u32) -> Self {
        self.next_region = first.max(1);
        self
    }

    /// The size of the frames it takes.
    pub fn size(&self) -> (u32, u32) {
        (self.masked.width(), self.masked.height())
    }

    /// Whether a region is live or ending: frames must keep coming even
    /// when nothing changes, for the classifier to see it go still.
    pub fn busy(&self) -> bool {
        self.region.is_some() || self.ending.is_some()
    }

    /// The video region now, if any.
    pub fn region(&self) -> Option<(u32, Rect)> {
        self.region.as_ref().map(|r| (r.number, r.rect))
    }

    /// The region's next picture is a keyframe (the viewer lost it).
    pub fn restart_video(&mut self) {
        if let Some(region) = &mut self.region {
            region.first = true;
            region.pending = true;
        }
    }

    /// Step one of a frame: `cur` as captured, `damage` as the capture
    /// reported it (a frame of another size is a caller's error: make a
    /// new splitter). With `room` false the video encoder cannot take a
    /// picture now: none is planned, and the next is measured against
    /// the last one it took, so the picture a pause leaves is coded as
    /// soon as there is room.
    pub fn split(&mut self, cur: &Frame, damage: &Damage, room: bool) -> Plan<'_> {
        let full = Rect {
            x: 0,
            y: 0,
            w: cur.width(),
            h: cur.height(),
        };
        let everything = !self.primed || matches!(damage, Damage::Everything);
        self.primed = true;
        let areas: Vec<Rect> = match damage {
            Damage::Rects(rects) if !everything => {
                rects.iter().filter_map(|r| r.intersect(&full)).collect()
            }
            _ => vec![full],
        };
        // The region: which of its tiles moved, and its new pixels. A
        // damage report is trusted there as the lossless path trusts it;
        // without one, the pixels are compared with the last picture.
        self.moved.clear();
        let mut video = None;
        if let Some(region) = &mut self.region {
            let rect = region.rect;
            let grid = self.grid;
            for t in grid.covering(&rect) {
                let Some(part) = grid.rect(t).and_then(|tile| tile.intersect(&rect)) else {
                    continue;
                };
                let moved = match everything {
                    false => areas.iter().any(|a| a.intersect(&part).is_some()),
                    true => !same_as(cur, &part, &rect, &region.last),
                };
                if region.first || moved {
                    self.moved.push(t);
                }
            }
            region.pending |= !self.moved.is_empty();
            if region.pending && room {
                if everything {
                    cur.read_rect(&rect, &mut region.last);
                }
                video = Some(VideoWork {
                    region: region.number,
                    rect,
                    first: region.first,
                });
                region.first = false;
                region.pending = false;
            }
        }
        // The lossless path: the screen, but the region.
        let hole = self.region.as_ref().map(|r| r.rect);
        let mut lossless: Vec<Rect> = match hole {
            Some(hole) => areas.iter().flat_map(|a| a.minus(&hole)).collect(),
            None => areas,
        };
        for area in &lossless {
            self.masked.copy_rect_from(cur, area);
        }
        // A region that ended: its real pixels now, outside any new hole.
        let ended = self.ending.take().map(|(number, rect)| {
            let bands = match hole {
                Some(hole) => rect.minus(&hole),
                None => vec![rect],
            };
            for band in bands {
                self.masked.copy_rect_from(cur, &band);
                lossless.push(band);
            }
            number
        });
        Plan {
            masked: &self.masked,
            damage: match everything {
                true => Damage::Everything,
                false => Damage::Rects(lossless),
            },
            video,
            ended,
        }
    }

    /// Step two, at `now`: what the lossless encoder changed (its
    /// residual, after copies). Classifies the frame and decides the
    /// region for the next. Changes count toward video only while grabs
    /// come at least [`FAST_GRABS`] a second: a page of text turned five
    /// times a second changes every tile of every grab, but is no video.
    pub fn settle(&mut self, residual: &[Changed], now: Instant) {
        self.grabs.push_back(now);
        while self.grabs.len() > WINDOW as usize {
            self.grabs.pop_front();
        }
        let span = self
            .grabs
            .front()
            .map_or(Duration::MAX, |first| now.saturating_duration_since(*first));
        let fast = self.grabs.len() == WINDOW as usize
            && span <= Duration::from_millis(1000 * u64::from(WINDOW) / FAST_GRABS);
        let counted = if fast || self.region.is_some() {
            residual
        } else {
            &[]
        };
        let mut changed: Vec<u32> = counted.iter().map(|c| c.tile).collect();
        for c in counted {
            self.reached(c.tile, c.part);
        }
        let region_rect = self.region.as_ref().map(|r| r.rect);
        if let Some(rect) = region_rect {
            for t in std::mem::take(&mut self.moved) {
                if let Some(part) = self.grid.rect(t).and_then(|tile| tile.intersect(&rect)) {
                    self.reached(t, part);
                    changed.push(t);
                }
            }
        }
        for q in &mut self.quiet {
            *q = q.saturating_add(1);
        }
        for &t in &changed {
            if let Some(q) = self.quiet.get_mut(t as usize) {
                *q = 0;
            }
        }
        for (t, q) in self.quiet.iter().enumerate() {
            if *q > STILL {
                self.reach[t] = None;
            }
        }
        changed.sort_unstable();
        changed.dedup();
        let classified = self.classifier.frame(&changed);
        self.follow(&classified.video);
    }

    /// Keeps, replaces or ends the region after a classification.
    fn follow(&mut self, video: &[Rect]) {
        if let Some(region) = &self.region {
            let inside: Vec<&Rect> = video
                .iter()
                .filter(|v| v.intersect(&region.tiles).is_some())
                .collect();
            // Video tiles next to the region, not in it: a few are a line
            // typed beside the video (kept out), many a video that grew.
            let outside = inside
                .iter()
                .flat_map(|v| self.grid.covering(v))
                .filter(|&t| self.classifier.is_video(t))
                .filter(|&t| {
                    let tile = self.grid.rect(t);
                    tile.is_some_and(|tile| tile.intersect(&region.tiles).is_none())
                })
                .count();
            let own = self.grid.covering(&region.tiles).count();
            let grown = outside >= MIN_TILES.max(own / GROWTH);
            if !inside.is_empty() && !grown {
                return;
            }
            // Ended or outgrown: the old one is topped off next frame.
            if let Some(old) = self.region.take() {
                self.ending = Some((old.number, old.rect));
            }
        }
        // The largest video cluster, fitted to what moved in it.
        let Some(tiles) = video.iter().max_by_key(|v| u64::from(v.w) * u64::from(v.h)) else {
            return;
        };
        let reached: Vec<Rect> = self
            .grid
            .covering(tiles)
            .filter(|&t| self.classifier.is_video(t))
            .filter_map(|t| self.reach.get(t as usize).copied().flatten())
            .collect();
        let Some(rect) = Rect::bounding(&reached).and_then(|r| even(r, &self.masked)) else {
            return;
        };
        if u64::from(rect.w) * u64::from(rect.h) < MIN_AREA {
            return;
        }
        self.region = Some(Region {
            number: self.next_region,
            rect,
            tiles: *tiles,
            last: Vec::new(),
            first: true,
            pending: true,
        });
        self.next_region = self.next_region.wrapping_add(1).max(1);
    }

    fn reached(&mut self, t: u32, part: Rect) {
        if let Some(reach) = self.reach.get_mut(t as usize) {
            *reach = Some(match *reach {
                Some(r) => Rect::bounding([&r, &part]).unwrap_or(part),
                None => part,
            });
        }
    }
}

/// Whether `part` of `cur` equals the same part of `last`, the rows-packed
/// pixels of `rect` (which holds `part`).
fn same_as(cur: &Frame, part: &Rect, rect: &Rect, last: &[u8]) -> bool {
    let stride = rect.w as usize * 4;
    if last.len() != stride * rect.h as usize {
        return false;
    }
    let dx = (part.x - rect.x) as usize * 4;
    (part.y..part.y + part.h).all(|y| {
        let row = (y - rect.y) as usize * stride + dx;
        last.get(row..row + part.w as usize * 4) == Some(cur.span(part, y))
    })
}

/// `r` grown to even edges (4:2:0 video), within `frame`; `None` if
/// nothing is left.
fn even(r: Rect, frame: &Frame) -> Option<Rect> {
    let (fw, fh) = (frame.width() & !1, frame.height() & !1);
    let x = r.x & !1;
    let y = r.y & !1;
    let right = (r.x + r.w).next_multiple_of(2).min(fw);
    let bottom = (r.y + r.h).next_multiple_of(2).min(fh);
    (right > x && bottom > y).then(|| Rect {
        x,
        y,
        w: right - x,
        h: bottom - y,
    })
}
