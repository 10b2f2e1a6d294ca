//! A picture of the screen: BGRX pixels, four bytes each, rows packed.

/// The longest side a frame may have: larger than any single display in
/// use, small enough that a frame's memory stays bounded (64 MiB).
pub const MAX_SIDE: u32 = 4096;

/// Why a frame could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Zero or over [`MAX_SIDE`] on a side.
    #[error("a {width}x{height} frame is out of range (1 to {MAX_SIDE} pixels a side)")]
    Size {
        /// Width asked.
        width: u32,
        /// Height asked.
        height: u32,
    },
    /// The pixel buffer does not match the size.
    #[error("{got} bytes of pixels for a {width}x{height} frame, {want} expected")]
    Pixels {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        want: usize,
    },
}

/// A rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Rect {
    /// Whether the rectangle lies within a `width` x `height` frame
    /// (overflow-safe: these come off the wire).
    pub fn fits(&self, width: u32, height: u32) -> bool {
        self.x.checked_add(self.w).is_some_and(|r| r <= width)
            && self.y.checked_add(self.h).is_some_and(|b| b <= height)
    }

    /// The smallest rectangle holding all of `rects` (`None` for none).
    /// For rectangles already inside a frame (sums cannot overflow).
    pub fn bounding<'a>(rects: impl IntoIterator<Item = &'a Rect>) -> Option<Rect> {
        let (left, top, right, bottom) = rects.into_iter().fold(None, |acc, r| {
            let (l, t, rt, b) = acc.unwrap_or((r.x, r.y, r.x + r.w, r.y + r.h));
            Some((l.min(r.x), t.min(r.y), rt.max(r.x + r.w), b.max(r.y + r.h)))
        })?;
        Some(Rect {
            x: left,
            y: top,
            w: right - left,
            h: bottom - top,
        })
    }

    /// The part of this rectangle inside `other` (`None` if they do not
    /// overlap).
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = self
            .x
            .saturating_add(self.w)
            .min(other.x.saturating_add(other.w));
        let bottom = self
            .y
            .saturating_add(self.h)
            .min(other.y.saturating_add(other.h));
        (left < right && top < bottom).then(|| Rect {
            x: left,
            y: top,
            w: right - left,
            h: bottom - top,
        })
    }

    /// This rectangle less `hole`: up to four bands (above, below, left,
    /// right of it), none if the hole covers it all.
    pub fn minus(&self, hole: &Rect) -> Vec<Rect> {
        let Some(cut) = self.intersect(hole) else {
            return vec![*self];
        };
        let (right, bottom) = (self.x + self.w, self.y + self.h);
        let (cut_right, cut_bottom) = (cut.x + cut.w, cut.y + cut.h);
        let bands = [
            Rect {
                x: self.x,
                y: self.y,
                w: self.w,
                h: cut.y - self.y,
            },
            Rect {
                x: self.x,
                y: cut_bottom,
                w: self.w,
                h: bottom - cut_bottom,
            },
            Rect {
                x: self.x,
                y: cut.y,
                w: cut.x - self.x,
                h: cut.h,
            },
            Rect {
                x: cut_right,
                y: cut.y,
                w: right - cut_right,
                h: cut.h,
            },
        ];
        bands.into_iter().filter(|r| r.w > 0 && r.h > 0).collect()
    }
}

/// BGRX pixels of a `width` x `height` picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

fn byte_len(width: u32, height: u32) -> Result<usize, FrameError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(FrameError::Size { width, height });
    }
    Ok(width as usize * height as usize * 4)
}

impl Frame {
    /// A black frame.
    pub fn new(width: u32, height: u32) -> Result<Self, FrameError> {
        let len = byte_len(width, height)?;
        Ok(Self {
            width,
            height,
            pixels: vec![0; len],
        })
    }

    /// A frame over captured pixels (BGRX, rows packed).
    pub fn from_pixels(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, FrameError> {
        let want = byte_len(width, height)?;
        if pixels.len() != want {
            return Err(FrameError::Pixels {
                width,
                height,
                got: pixels.len(),
                want,
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// All pixels, BGRX, rows packed.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// All pixels, for a capture backend or a decoder to write.
    pub fn pixels_mut(&mut self) -> &mut [u8] {
        &mut self.pixels
    }

    /// Bytes of one row.
    pub fn stride(&self) -> usize {
        self.width as usize * 4
    }

    /// The bytes of `rect`'s part of row `y` (rect must fit).
    pub(crate) fn span(&self, rect: &Rect, y: u32) -> &[u8] {
        let start = y as usize * self.stride() + rect.x as usize * 4;
        &self.pixels[start..start + rect.w as usize * 4]
    }

    /// Copies `rect` out, rows packed.
    pub fn read_rect(&self, rect: &Rect, out: &mut Vec<u8>) {
        out.clear();
        for y in rect.y..rect.y + rect.h {
            out.extend_from_slice(self.span(rect, y));
        }
    }

    /// Writes rows-packed `data` into `rect` (sizes must agree).
    pub fn write_rect(&mut self, rect: &Rect, data: &[u8]) {
        let row = rect.w as usize * 4;
        let stride = self.stride();
        for (i, chunk) in data.chunks_exact(row).enumerate() {
            let start = (rect.y as usize + i) * stride + rect.x as usize * 4;
            self.pixels[start..start + row].copy_from_slice(chunk);
        }
    }

    /// Copies `rect` of `src`, a frame of the same size, into this one.
    pub fn copy_rect_from(&mut self, src: &Frame, rect: &Rect) {
        let stride = self.stride();
        let row = rect.w as usize * 4;
        for y in rect.y..rect.y + rect.h {
            let start = y as usize * stride + rect.x as usize * 4;
            self.pixels[start..start + row].copy_from_slice(src.span(rect, y));
        }
    }

    /// Whether `rect` holds the same pixels here and in `other`, a frame
    /// of the same size.
    pub fn same_in(&self, other: &Frame, rect: &Rect) -> bool {
        (rect.y..rect.y + rect.h).all(|y| self.span(rect, y) == other.span(rect, y))
    }

    /// Fills `rect` with one pixel value.
    pub fn fill_rect(&mut self, rect: &Rect, bgrx: [u8; 4]) {
        let stride = self.stride();
        for y in rect.y..rect.y + rect.h {
            let start = y as usize * stride + rect.x as usize * 4;
            for px in self.pixels[start..start + rect.w as usize * 4].chunks_exact_mut(4) {
                px.copy_from_slice(&bgrx);
            }
        }
    }

    /// Moves the pixels of `src` to `(dst_x, dst_y)` within this frame, as
    /// a scroll does; overlapping is handled.
    pub fn copy_within(&mut self, src: &Rect, dst_x: u32, dst_y: u32) {
        let stride = self.stride();
        let row = src.w as usize * 4;
        let rows: Box<dyn Iterator<Item = u32>> = if dst_y > src.y {
            Box::new((0..src.h).rev())
        } else {
            Box::new(0..src.h)
        };
        for i in rows {
            let from = (src.y + i) as usize * stride + src.x as usize * 4;
            let to = (dst_y + i) as usize * stride + dst_x as usize * 4;
            self.pixels.copy_within(from..from + row, to);
        }
    }
}

#[cfg(test)]
mod bounding_tests {
    use super::Rect;

    fn r(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    #[test]
    fn intersections_are_the_common_part() {
        assert_eq!(
            r(0, 0, 10, 10).intersect(&r(5, 5, 10, 10)),
            Some(r(5, 5, 5, 5))
        );
        assert_eq!(r(0, 0, 10, 10).intersect(&r(10, 0, 5, 5)), None);
        assert_eq!(
            r(2, 2, 3, 3).intersect(&r(0, 0, 100, 100)),
            Some(r(2, 2, 3, 3))
        );
    }

    #[test]
    fn a_rectangle_less_a_hole_is_the_bands_around_it() {
        let whole = r(0, 0, 10, 10);
        assert_eq!(whole.minus(&r(20, 20, 5, 5)), vec![whole]);
        assert_eq!(whole.minus(&r(0, 0, 10, 10)), Vec::<Rect>::new());
        let bands = whole.minus(&r(2, 3, 4, 5));
        assert_eq!(
            bands,
            vec![r(0, 0, 10, 3), r(0, 8, 10, 2), r(0, 3, 2, 5), r(6, 3, 4, 5)]
        );
        let area: u32 = bands.iter().map(|b| b.w * b.h).sum();
        assert_eq!(area, 100 - 20);
    }

    #[test]
    fn the_bounding_rectangle_holds_them_all() {
        let a = Rect {
            x: 10,
            y: 5,
            w: 4,
            h: 4,
        };
        let b = Rect {
            x: 2,
            y: 20,
            w: 3,
            h: 1,
        };
        assert_eq!(
            Rect::bounding([&a, &b]),
            Some(Rect {
                x: 2,
                y: 5,
                w: 12,
                h: 16
            })
        );
        assert_eq!(Rect::bounding([&a]), Some(a));
        assert_eq!(Rect::bounding(std::iter::empty()), None);
    }
}
