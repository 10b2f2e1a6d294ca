//! The remote cursor drawn into the picture's pixels, for a presenter
//! that puts pixels on the screen itself (the technician's window on X11
//! puts changed areas straight into a window of its own, where no toolkit
//! draws the cursor over them).

use crate::{CursorShape, Rect};

impl Rect {
    /// The part of `self` that is also in `other`, if any.
    pub fn intersection(&self, other: &Rect) -> Option<Rect> {
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
        (right > left && bottom > top).then(|| Rect {
            x: left,
            y: top,
            w: right - left,
            h: bottom - top,
        })
    }
}

impl CursorShape {
    /// Where the cursor's image lies in a `width` x `height` picture when
    /// its hot spot is at `at` (picture pixels; may be outside it), or
    /// `None` when none of it shows.
    pub fn area_at(&self, at: (i32, i32), width: u32, height: u32) -> Option<Rect> {
        let left = i64::from(at.0) - i64::from(self.hot_x);
        let top = i64::from(at.1) - i64::from(self.hot_y);
        let right = (left + i64::from(self.width)).min(i64::from(width));
        let bottom = (top + i64::from(self.height)).min(i64::from(height));
        let (left, top) = (left.max(0), top.max(0));
        if right <= left || bottom <= top {
            return None;
        }
        // All four lie in 0..=width or 0..=height: they fit in u32.
        let cut = |v: i64| u32::try_from(v).unwrap_or(0);
        Some(Rect {
            x: cut(left),
            y: cut(top),
            w: cut(right - left),
            h: cut(bottom - top),
        })
    }

    /// Blends the cursor, hot spot at `at`, over `pixels`: the BGRX rows
    /// of `area` of the picture, packed. Parts of the cursor outside
    /// `area` are left out; a shape whose pixels do not match its size
    /// draws nothing.
    pub fn draw_over(&self, at: (i32, i32), area: &Rect, pixels: &mut [u8]) {
        if self.validate().is_err() || pixels.len() < area.w as usize * area.h as usize * 4 {
            return;
        }
        let left = i64::from(at.0) - i64::from(self.hot_x);
        let top = i64::from(at.1) - i64::from(self.hot_y);
        for cy in 0..self.height {
            let py = top + i64::from(cy) - i64::from(area.y);
            if py < 0 || py >= i64::from(area.h) {
                continue;
            }
            for cx in 0..self.width {
                let px = left + i64::from(cx) - i64::from(area.x);
                if px < 0 || px >= i64::from(area.w) {
                    continue;
                }
                let src = (cy as usize * self.width as usize + cx as usize) * 4;
                let dst = (py as usize * area.w as usize + px as usize) * 4;
                let (Some(s), Some(d)) =
                    (self.rgba.get(src..src + 4), pixels.get_mut(dst..dst + 4))
                else {
                    continue;
                };
                // Premultiplied RGBA over BGRX: out = cursor + under x (1 - alpha).
                let keep = 255 - u16::from(s[3]);
                let over = |c: u8, under: u8| {
                    (u16::from(c) + (u16::from(under) * keep + 127) / 255).min(255) as u8
                };
                d[0] = over(s[2], d[0]);
                d[1] = over(s[1], d[1]);
                d[2] = over(s[0], d[2]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 cursor, hot spot (1, 1): an opaque red row over a
    /// half-transparent white row.
    fn cursor() -> CursorShape {
        let red = [255, 0, 0, 255];
        let half_white = [128, 128, 128, 128];
        CursorShape {
            serial: 1,
            width: 3,
            height: 2,
            hot_x: 1,
            hot_y: 1,
            rgba: [red, red, red, half_white, half_white, half_white].concat(),
        }
    }

    fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
        Rect { x, y, w, h }
    }

    #[test]
    fn intersections() {
        assert_eq!(
            rect(0, 0, 10, 10).intersection(&rect(5, 5, 10, 10)),
            Some(rect(5, 5, 5, 5))
        );
        assert_eq!(rect(0, 0, 10, 10).intersection(&rect(10, 0, 5, 5)), None);
        assert_eq!(
            rect(2, 3, 4, 5).intersection(&rect(0, 0, 100, 100)),
            Some(rect(2, 3, 4, 5))
        );
        assert_eq!(
            rect(u32::MAX - 1, 0, 10, 1).intersection(&rect(0, 0, 4, 4)),
            None
        );
    }

    #[test]
    fn area_is_clipped_to_the_picture() {
        let c = cursor();
        assert_eq!(c.area_at((5, 5), 100, 100), Some(rect(4, 4, 3, 2)));
        assert_eq!(c.area_at((0, 0), 100, 100), Some(rect(0, 0, 2, 1)));
        assert_eq!(c.area_at((99, 99), 100, 100), Some(rect(98, 98, 2, 2)));
        assert_eq!(c.area_at((-5, 5), 100, 100), None);
        assert_eq!(c.area_at((i32::MAX, i32::MIN), 100, 100), None);
    }

    #[test]
    fn draws_premultiplied_over_bgrx_inside_the_area_only() {
        // Area 2x2 at (4, 4) of a picture filled with blue (BGRX).
        let area = rect(4, 4, 2, 2);
        let mut pixels = [255u8, 0, 0, 0].repeat(4);
        // Hot spot at (5, 5): the cursor covers x 4..7, y 4..6.
        cursor().draw_over((5, 5), &area, &mut pixels);
        // Top row: opaque red.
        assert_eq!(&pixels[0..8], &[0, 0, 255, 0, 0, 0, 255, 0]);
        // Bottom row: half white over blue = (128 + 127, 128, 128) in BGR.
        assert_eq!(&pixels[8..12], &[255, 128, 128, 0]);
        assert_eq!(&pixels[12..16], &[255, 128, 128, 0]);
    }

    #[test]
    fn a_malformed_shape_or_buffer_draws_nothing() {
        let mut bad = cursor();
        bad.rgba.pop();
        let area = rect(0, 0, 4, 4);
        let mut pixels = vec![7u8; 64];
        bad.draw_over((1, 1), &area, &mut pixels);
        assert!(pixels.iter().all(|&p| p == 7));
        let mut short = vec![7u8; 10];
        cursor().draw_over((1, 1), &area, &mut short);
        assert!(short.iter().all(|&p| p == 7));
    }
}
