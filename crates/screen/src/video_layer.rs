//! The viewer's side of the video path: the picture it shows is the
//! lossless picture with the video regions' pictures over it. Sans-IO:
//! fed lossless pictures (with what changed) and decoded video pictures
//! (with their region), it keeps the picture to show and answers which
//! areas of it changed.
//!
//! The two arrive on separate streams, in no fixed order. A region's
//! pictures cover the lossless pixels under it (still, by the agent's
//! mask) until its end is known *and* the lossless update that tops it
//! off has been shown; only then do the exact pixels come through. A
//! picture of a region already ended is late, and dropped.

use crate::frame::{Frame, Rect};

/// Regions kept at once; an older one past this is put away.
const MAX_REGIONS: usize = 4;

/// A region being shown.
struct Live {
    number: u32,
    rect: Rect,
    /// Its last picture, BGRX rows packed.
    pixels: Vec<u8>,
    /// Its end, once known: the lossless update that tops it off.
    covered_by: Option<u64>,
}

/// Why a video picture was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    /// No lossless picture yet to show it over.
    #[error("a video picture before any screen picture")]
    NoPicture,
    /// The region does not fit the picture, or the pixels the region.
    #[error("a video picture of {got} bytes for a region {rect:?} of a {width}x{height} picture")]
    Size {
        /// The region.
        rect: Rect,
        /// Bytes given.
        got: usize,
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
    },
}

/// The picture a viewer shows.
#[derive(Default)]
pub struct VideoLayer {
    shown: Option<Frame>,
    live: Vec<Live>,
    /// The last lossless update shown.
    lossless_seq: u64,
    /// Regions at or below this number have ended and been put away.
    ended_upto: u32,
}

impl VideoLayer {
    /// An empty layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The picture to show.
    pub fn picture(&self) -> Option<&Frame> {
        self.shown.as_ref()
    }

    /// Whether a video region is being shown.
    pub fn playing(&self) -> bool {
        !self.live.is_empty()
    }

    /// The lossless picture after update `seq`, which changed `changed`.
    /// Returns the areas of the shown picture that changed.
    pub fn lossless(&mut self, picture: &Frame, seq: u64, changed: &[Rect]) -> Vec<Rect> {
        // Updates count up within a share; one that does not is a new
        // share, whose video starts afresh.
        let restarted = seq <= self.lossless_seq;
        self.lossless_seq = seq;
        let same_size = self
            .shown
            .as_ref()
            .is_some_and(|s| (s.width(), s.height()) == (picture.width(), picture.height()));
        if !same_size || restarted {
            // The agent ends its video afresh too: what was live is over,
            // and a late picture of it is dropped.
            if let Some(last) = self.live.iter().map(|l| l.number).max() {
                self.ended_upto = self.ended_upto.max(last);
            }
            self.shown = Some(picture.clone());
            self.live.clear();
            return vec![whole(picture)];
        }
        let Some(shown) = self.shown.as_mut() else {
            return Vec::new();
        };
        let mut out: Vec<Rect> = changed.to_vec();
        for area in changed {
            shown.copy_rect_from(picture, area);
        }
        // Regions whose top-off this update carries come off; the others
        // stay over whatever changed under them.
        let seq = self.lossless_seq;
        let mut put_away = Vec::new();
        self.live.retain(|live| {
            let done = live.covered_by.is_some_and(|c| c <= seq);
            if done {
                shown.copy_rect_from(picture, &live.rect);
                put_away.push(live.rect);
            }
            !done
        });
        out.extend(&put_away);
        // The regions still live stay over whatever changed under them,
        // and over what a region put away uncovered.
        for live in &self.live {
            let touched = changed.iter().chain(&put_away);
            if touched.clone().any(|a| a.intersect(&live.rect).is_some()) {
                shown.write_rect(&live.rect, &live.pixels);
            }
        }
        out
    }

    /// A decoded picture of region `number` at `rect`, BGRX rows packed.
    /// Returns the area that changed (`None` for a late picture).
    pub fn video(
        &mut self,
        number: u32,
        rect: Rect,
        bgrx: Vec<u8>,
    ) -> Result<Option<Rect>, LayerError> {
        let shown = self.shown.as_mut().ok_or(LayerError::NoPicture)?;
        let fits = rect.fits(shown.width(), shown.height())
            && bgrx.len() == rect.w as usize * rect.h as usize * 4;
        if !fits {
            return Err(LayerError::Size {
                rect,
                got: bgrx.len(),
                width: shown.width(),
                height: shown.height(),
            });
        }
        if number <= self.ended_upto && !self.live.iter().any(|l| l.number == number) {
            return Ok(None); // a region already put away
        }
        shown.write_rect(&rect, &bgrx);
        match self.live.iter_mut().find(|l| l.number == number) {
            Some(live) => {
                live.rect = rect;
                live.pixels = bgrx;
            }
            None => {
                self.live.push(Live {
                    number,
                    rect,
                    pixels: bgrx,
                    covered_by: None,
                });
                if self.live.len() > MAX_REGIONS {
                    // Put away the oldest; its top-off is on its way.
                    let old = self.live.remove(0);
                    self.ended_upto = self.ended_upto.max(old.number);
                }
            }
        }
        Ok(Some(rect))
    }

    /// Region `number` ended; update `covered_by` tops it off. Returns
    /// the area that changed, if the update was already shown.
    pub fn end(&mut self, number: u32, covered_by: u64, picture: &Frame) -> Option<Rect> {
        let at = self.live.iter().position(|l| l.number == number);
        self.ended_upto = self.ended_upto.max(number);
        let at = at?;
        if covered_by > self.lossless_seq {
            self.live[at].covered_by = Some(covered_by);
            return None;
        }
        let live = self.live.remove(at);
        let shown = self.shown.as_mut()?;
        let fits = (shown.width(), shown.height()) == (picture.width(), picture.height());
        if !fits {
            return None;
        }
        shown.copy_rect_from(picture, &live.rect);
        // What it uncovered of a region still live is that region's.
        for other in &self.live {
            if other.rect.intersect(&live.rect).is_some() {
                shown.write_rect(&other.rect, &other.pixels);
            }
        }
        Some(live.rect)
    }
}

fn whole(frame: &Frame) -> Rect {
    Rect {
        x: 0,
        y: 0,
        w: frame.width(),
        h: frame.height(),
    }
}
