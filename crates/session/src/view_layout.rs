//! Where the remote picture goes in the technician's window, and how the
//! pointer maps back to a remote pixel.
//!
//! Positions and sizes are egui logical points; `ppp` is the window's
//! physical pixels per point (2 on a typical HiDPI screen). The device
//! scale is physical pixels per remote pixel: at 1 (`1:1`), and at every
//! integer, the picture is sampled nearest-neighbour and drawn on the
//! physical pixel grid, so it is pixel-exact.

/// The smallest zoom, in physical pixels per remote pixel.
pub const MIN_ZOOM: f32 = 0.1;
/// The largest zoom, in physical pixels per remote pixel.
pub const MAX_ZOOM: f32 = 8.0;
/// The zoom steps [`Scale::zoom_in`] and [`Scale::zoom_out`] go through.
pub const ZOOM_STEPS: [f32; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];

/// Two scales this close are the same step.
const STEP_EPSILON: f32 = 1e-3;
/// How far inside its pixel [`ViewMapping::from_remote`] places a point,
/// in physical pixels: enough to absorb `f32` rounding, so that
/// [`ViewMapping::to_remote`] maps it back to the same pixel, and far
/// below anything a screen can show.
const INSIDE_NUDGE_PHYSICAL: f64 = 1.0 / 128.0;

/// How large the remote picture is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Scale {
    /// As large as fits the available area, keeping the aspect ratio
    /// (the rest is left empty: letterboxing), but never beyond one
    /// remote pixel a physical pixel: a smaller screen than the window is
    /// shown at 1:1, sharp (enlarging blurs; zoom does it on demand).
    #[default]
    Fit,
    /// One remote pixel on one physical pixel: sharp, perhaps scrolled.
    Actual,
    /// This many physical pixels per remote pixel (taken within
    /// [`MIN_ZOOM`] ..= [`MAX_ZOOM`]).
    Zoom(f32),
}

/// A zoom factor within bounds (a non-number is taken as 1).
fn clamp_zoom(z: f32) -> f32 {
    if z.is_nan() {
        1.0
    } else {
        z.clamp(MIN_ZOOM, MAX_ZOOM)
    }
}

/// A usable `ppp` (a broken one is taken as 1).
fn sane_ppp(ppp: f32) -> f32 {
    if ppp.is_finite() && ppp > 0.0 {
        ppp
    } else {
        1.0
    }
}

impl Scale {
    /// The device scale this choice gives now: `current_device_scale`
    /// when it is a usable number, else what the choice says by itself.
    fn now(self, current_device_scale: f32) -> f32 {
        if current_device_scale.is_finite() && current_device_scale > 0.0 {
            return current_device_scale;
        }
        match self {
            Scale::Zoom(z) => clamp_zoom(z),
            Scale::Fit | Scale::Actual => 1.0,
        }
    }

    /// The next larger step of [`ZOOM_STEPS`] after the device scale shown
    /// now (`current_device_scale`, as [`ViewMapping::device_scale`] says:
    /// from `Fit` it depends on the window). Beyond the last step, the
    /// scale stays.
    pub fn zoom_in(self, current_device_scale: f32) -> Scale {
        let now = self.now(current_device_scale);
        let next = ZOOM_STEPS.iter().copied().find(|s| *s > now + STEP_EPSILON);
        Scale::Zoom(clamp_zoom(next.unwrap_or(now)))
    }

    /// The next smaller step of [`ZOOM_STEPS`] before the device scale
    /// shown now; below the first step, the scale stays.
    pub fn zoom_out(self, current_device_scale: f32) -> Scale {
        let now = self.now(current_device_scale);
        let next = ZOOM_STEPS
            .iter()
            .rev()
            .copied()
            .find(|s| *s < now - STEP_EPSILON);
        Scale::Zoom(clamp_zoom(next.unwrap_or(now)))
    }
}

/// The size, in points, at which a `remote` picture (pixels) is drawn with
/// `scale` in an `available` area (points), on a screen of `ppp` physical
/// pixels per point. `(0, 0)` for an empty picture.
pub fn view_size(scale: Scale, remote: (u32, u32), available: (f32, f32), ppp: f32) -> (f32, f32) {
    if remote.0 == 0 || remote.1 == 0 {
        return (0.0, 0.0);
    }
    // In f64, so that a fitted side comes out as the available size
    // itself, not a hair beyond it.
    let (w, h) = (f64::from(remote.0), f64::from(remote.1));
    let ppp = f64::from(sane_ppp(ppp));
    let points_per_pixel = match scale {
        Scale::Fit => {
            let room = |a: f32| {
                if a.is_finite() {
                    f64::from(a.max(0.0))
                } else {
                    0.0
                }
            };
            (room(available.0) / w)
                .min(room(available.1) / h)
                .min(1.0 / ppp)
        }
        Scale::Actual => 1.0 / ppp,
        Scale::Zoom(z) => f64::from(clamp_zoom(z)) / ppp,
    };
    ((w * points_per_pixel) as f32, (h * points_per_pixel) as f32)
}

/// Where the picture is drawn, and the mapping between window points and
/// remote pixels that goes with it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewMapping {
    /// Top left, snapped to the physical pixel grid.
    origin: (f32, f32),
    /// Size in points.
    size: (f32, f32),
    /// Remote picture size in pixels.
    remote: (u32, u32),
    /// Physical pixels per point.
    ppp: f32,
}

impl ViewMapping {
    /// The picture of `remote` pixels drawn with its top left at `origin`
    /// and `size` points large, on a screen of `ppp`. The picture must be
    /// painted at [`snapped_origin`](Self::snapped_origin), which the
    /// mapping uses.
    pub fn new(origin: (f32, f32), size: (f32, f32), remote: (u32, u32), ppp: f32) -> Self {
        let ppp = sane_ppp(ppp);
        let snap = |v: f32| (v * ppp).round() / ppp;
        Self {
            origin: (snap(origin.0), snap(origin.1)),
            size,
            remote,
            ppp,
        }
    }

    /// The origin rounded to the physical pixel grid: where to paint the
    /// picture, so that at 1:1 each remote pixel lands on one physical
    /// pixel instead of being smeared over two.
    pub fn snapped_origin(&self) -> (f32, f32) {
        self.origin
    }

    /// Points per remote pixel along one axis, if anything is drawn.
    fn points_per_pixel(size: f32, pixels: u32) -> Option<f64> {
        (pixels > 0 && size.is_finite() && size > 0.0).then(|| f64::from(size) / f64::from(pixels))
    }

    /// One axis of [`to_remote`](Self::to_remote).
    fn axis_to_remote(&self, offset: f32, size: f32, pixels: u32) -> Option<u32> {
        let per_pixel = Self::points_per_pixel(size, pixels)?;
        // NaN fails both comparisons.
        if !(offset >= 0.0 && offset < size) {
            return None;
        }
        // In physical pixels, where the pointer really is (a whole pixel,
        // which f32 points only approximate: 1/ppp is rarely exact), nudged
        // inside so that the rounding cannot drop it into the pixel before.
        let ppp = f64::from(self.ppp);
        let device_scale = per_pixel * ppp;
        let physical = f64::from(offset) * ppp + INSIDE_NUDGE_PHYSICAL;
        let cell = (physical / device_scale).floor();
        // `offset` is within the picture, so `cell` is at least 0; rounding
        // may reach `pixels` at the far edge.
        Some((cell as u32).min(pixels - 1))
    }

    /// The remote pixel under `pos` (points), or `None` outside the
    /// picture: the floor of `(pos - origin) * ppp / device_scale` on each
    /// axis, the last pixel included up to the picture's far edge.
    pub fn to_remote(&self, pos: (f32, f32)) -> Option<(u32, u32)> {
        let x = self.axis_to_remote(pos.0 - self.origin.0, self.size.0, self.remote.0)?;
        let y = self.axis_to_remote(pos.1 - self.origin.1, self.size.1, self.remote.1)?;
        Some((x, y))
    }

    /// Where remote pixel `p` is drawn (points): its top left, nudged
    /// 1/128 of a physical pixel inside so that [`to_remote`](Self::to_remote)
    /// maps it back to `p` whatever the rounding. For the remote cursor's
    /// hot spot; `p` may lie outside the picture.
    pub fn from_remote(&self, p: (i32, i32)) -> (f32, f32) {
        let nudge = INSIDE_NUDGE_PHYSICAL / f64::from(self.ppp);
        let axis = |origin: f32, size: f32, pixels: u32, v: i32| {
            let per_pixel = Self::points_per_pixel(size, pixels).unwrap_or(0.0);
            (f64::from(origin) + f64::from(v) * per_pixel + nudge) as f32
        };
        (
            axis(self.origin.0, self.size.0, self.remote.0, p.0),
            axis(self.origin.1, self.size.1, self.remote.1, p.1),
        )
    }

    /// Physical pixels per remote pixel (horizontally; `Fit` and zooms keep
    /// the aspect ratio), 0 when nothing is drawn.
    pub fn device_scale(&self) -> f32 {
        Self::points_per_pixel(self.size.0, self.remote.0)
            .map_or(0.0, |p| (p * f64::from(self.ppp)) as f32)
    }

    /// Whether to sample the picture nearest-neighbour: the device scale
    /// is a whole number (within 1e-3) on both axes, so every remote pixel
    /// is a sharp block. Otherwise linear filtering reads better.
    pub fn nearest(&self) -> bool {
        let whole = |size: f32, pixels: u32| {
            Self::points_per_pixel(size, pixels).is_some_and(|p| {
                let scale = p * f64::from(self.ppp);
                scale >= 1.0 - 1e-3 && (scale - scale.round()).abs() < 1e-3
            })
        };
        whole(self.size.0, self.remote.0) && whole(self.size.1, self.remote.1)
    }
}

/// At one remote pixel per physical pixel, where the shown part of the
/// picture lies on the physical pixel grid: for a presenter that puts
/// pixels on the screen itself, with no scaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelPlacement {
    /// Top left of the shown part, in the window's physical pixels.
    pub window: (i32, i32),
    /// Top left of the shown part, in remote pixels.
    pub picture: (u32, u32),
    /// Size of the shown part, in pixels.
    pub size: (u32, u32),
}

impl ViewMapping {
    /// Where the part of the picture inside `visible` (points: min and
    /// max corners) lies, when one remote pixel is one physical pixel;
    /// `None` at any other scale or when nothing of it shows.
    pub fn pixel_placement(&self, visible: ((f32, f32), (f32, f32))) -> Option<PixelPlacement> {
        // Drawn size within half a physical pixel of the picture's: the
        // last column and row land where they belong.
        let one = |size: f32, pixels: u32| {
            Self::points_per_pixel(size, pixels).is_some_and(|_| {
                (f64::from(size) * f64::from(self.ppp) - f64::from(pixels)).abs() < 0.5
            })
        };
        let corners = [visible.0 .0, visible.0 .1, visible.1 .0, visible.1 .1];
        if !one(self.size.0, self.remote.0)
            || !one(self.size.1, self.remote.1)
            || !corners.iter().all(|v| v.is_finite())
        {
            return None;
        }
        let px = |v: f32| (f64::from(v) * f64::from(self.ppp)).round();
        let axis = |origin: f32, min: f32, max: f32, pixels: u32| {
            let origin = px(origin);
            let start = px(min).max(origin);
            let end = px(max).min(origin + f64::from(pixels));
            // Bounded by the picture (≤ MAX_SIDE) and the window.
            (end > start).then_some((start as i32, (start - origin) as u32, (end - start) as u32))
        };
        let (wx, px0, w) = axis(self.origin.0, visible.0 .0, visible.1 .0, self.remote.0)?;
        let (wy, py0, h) = axis(self.origin.1, visible.0 .1, visible.1 .1, self.remote.1)?;
        Some(PixelPlacement {
            window: (wx, wy),
            picture: (px0, py0),
            size: (w, h),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(scale: Scale, remote: (u32, u32), available: (f32, f32), ppp: f32) -> ViewMapping {
        let size = view_size(scale, remote, available, ppp);
        // Centred in the available area, as the window does.
        let origin = ((available.0 - size.0) / 2.0, (available.1 - size.1) / 2.0);
        ViewMapping::new(origin, size, remote, ppp)
    }

    #[test]
    fn actual_size_is_one_remote_pixel_per_physical_pixel() {
        assert_eq!(
            view_size(Scale::Actual, (1920, 1080), (100.0, 100.0), 1.0),
            (1920.0, 1080.0)
        );
        assert_eq!(
            view_size(Scale::Actual, (1920, 1080), (100.0, 100.0), 2.0),
            (960.0, 540.0)
        );
        let (w, h) = view_size(Scale::Actual, (1366, 768), (0.0, 0.0), 1.25);
        assert!((w - 1092.8).abs() < 1e-3 && (h - 614.4).abs() < 1e-3);
    }

    #[test]
    fn one_to_one_maps_exactly_at_ppp_1() {
        let m = ViewMapping::new((10.0, 20.0), (640.0, 480.0), (640, 480), 1.0);
        assert_eq!(m.device_scale(), 1.0);
        assert!(m.nearest());
        assert_eq!(m.to_remote((10.0, 20.0)), Some((0, 0)));
        assert_eq!(m.to_remote((10.99, 20.99)), Some((0, 0)));
        assert_eq!(m.to_remote((11.0, 21.0)), Some((1, 1)));
        assert_eq!(m.to_remote((10.0 + 333.5, 20.0 + 7.0)), Some((333, 7)));
        for x in 0..640 {
            let pos = (10.0 + x as f32 + 0.5, 20.5);
            assert_eq!(m.to_remote(pos), Some((x, 0)));
        }
    }

    #[test]
    fn one_to_one_maps_exactly_on_hidpi() {
        let size = view_size(Scale::Actual, (1920, 1080), (800.0, 600.0), 2.0);
        let m = ViewMapping::new((5.0, 7.5), size, (1920, 1080), 2.0);
        assert_eq!(m.device_scale(), 1.0);
        assert!(m.nearest());
        // Each point is two remote pixels; each half point one.
        assert_eq!(m.to_remote((5.0, 7.5)), Some((0, 0)));
        assert_eq!(m.to_remote((5.5, 8.0)), Some((1, 1)));
        assert_eq!(m.to_remote((5.0 + 100.25, 7.5 + 0.75)), Some((200, 1)));
        for x in 0..1920u32 {
            let pos = (5.0 + x as f32 / 2.0 + 0.25, 7.6);
            assert_eq!(m.to_remote(pos), Some((x, 0)), "{x}");
        }
    }

    #[test]
    fn the_origin_is_snapped_to_physical_pixels() {
        let m = ViewMapping::new((10.3, 20.8), (640.0, 480.0), (640, 480), 1.0);
        assert_eq!(m.snapped_origin(), (10.0, 21.0));
        assert_eq!(m.to_remote((10.0, 21.0)), Some((0, 0)));
        let m = ViewMapping::new((10.3, 20.8), (320.0, 240.0), (640, 480), 2.0);
        assert_eq!(m.snapped_origin(), (10.5, 21.0));
        let m = ViewMapping::new((0.3, 0.3), (1.0, 1.0), (1, 1), 1.5);
        let (x, _) = m.snapped_origin();
        assert!((x * 1.5 - (x * 1.5).round()).abs() < 1e-6, "{x}");
    }

    #[test]
    fn edges_map_to_the_last_pixel_and_outside_is_none() {
        let m = ViewMapping::new((0.0, 0.0), (640.0, 480.0), (640, 480), 1.0);
        assert_eq!(m.to_remote((639.999, 479.999)), Some((639, 479)));
        assert_eq!(m.to_remote((639.0, 479.0)), Some((639, 479)));
        assert_eq!(m.to_remote((640.0, 10.0)), None, "one point right");
        assert_eq!(m.to_remote((10.0, 480.0)), None, "one point below");
        assert_eq!(m.to_remote((-1.0, 10.0)), None, "one point left");
        assert_eq!(m.to_remote((10.0, -0.01)), None, "just above");
        assert_eq!(m.to_remote((f32::NAN, 10.0)), None);
        // Scaled: the far edge still maps to the last pixel.
        let m = ViewMapping::new((0.0, 0.0), (1000.0, 562.5), (1920, 1080), 1.0);
        assert_eq!(m.to_remote((999.99, 562.49)), Some((1919, 1079)));
        assert_eq!(m.to_remote((1000.0, 0.0)), None);
    }

    #[test]
    fn fit_letterboxes_a_wide_picture_top_and_bottom() {
        let m = mapping(Scale::Fit, (1920, 1080), (1000.0, 1000.0), 1.0);
        let size = view_size(Scale::Fit, (1920, 1080), (1000.0, 1000.0), 1.0);
        assert_eq!(size, (1000.0, 562.5));
        assert_eq!(m.snapped_origin(), (0.0, 219.0));
        assert!(!m.nearest(), "0.52 is not a whole scale");
        assert_eq!(m.to_remote((500.0, 100.0)), None, "the band above");
        assert_eq!(m.to_remote((500.0, 900.0)), None, "the band below");
        assert_eq!(m.to_remote((0.0, 219.0)), Some((0, 0)));
        assert_eq!(m.to_remote((999.9, 781.4)), Some((1919, 1079)));
    }

    #[test]
    fn fit_letterboxes_a_tall_picture_left_and_right() {
        let size = view_size(Scale::Fit, (1080, 1920), (1000.0, 800.0), 2.0);
        assert_eq!(size, (450.0, 800.0));
        let m = mapping(Scale::Fit, (1080, 1920), (1000.0, 800.0), 2.0);
        assert_eq!(m.snapped_origin(), (275.0, 0.0));
        assert_eq!(m.to_remote((274.9, 400.0)), None);
        assert_eq!(m.to_remote((725.0, 400.0)), None);
        assert_eq!(m.to_remote((275.0, 0.0)), Some((0, 0)));
        assert_eq!(m.to_remote((500.0, 400.0)), Some((540, 960)));
        assert!((m.device_scale() - 450.0 * 2.0 / 1080.0).abs() < 1e-6);
    }

    #[test]
    fn fit_never_enlarges_a_small_picture() {
        // Smaller than the window: shown 1:1, sharp, not blown up.
        assert_eq!(
            view_size(Scale::Fit, (640, 480), (1280.0, 1000.0), 1.0),
            (640.0, 480.0)
        );
        // On a HiDPI screen, 1:1 is half as many points.
        assert_eq!(
            view_size(Scale::Fit, (640, 480), (1280.0, 1000.0), 2.0),
            (320.0, 240.0)
        );
        // Enlarging is a zoom, on demand: twice as large, sharp blocks.
        let m = mapping(Scale::Zoom(2.0), (640, 480), (1280.0, 960.0), 1.0);
        assert_eq!(m.device_scale(), 2.0);
        assert!(m.nearest(), "exactly twice as large: sharp blocks");
        assert_eq!(m.to_remote((1.9, 1.9)), Some((0, 0)));
        assert_eq!(m.to_remote((2.0, 3.9)), Some((1, 1)));
    }

    #[test]
    fn every_physical_pixel_maps_exactly_at_fractional_scales() {
        // Pointer positions come as whole physical pixels over ppp, which
        // f32 points only approximate; each must land on its own pixel.
        for ppp in [1.0_f32, 1.25, 1.5, 1.75, 2.0, 2.25, 3.0] {
            for zoom in [1.0_f32, 2.0, 3.0] {
                let remote = (683, 384);
                let size = view_size(Scale::Zoom(zoom), remote, (4000.0, 4000.0), ppp);
                let m = ViewMapping::new((37.0 / ppp, 11.0 / ppp), size, remote, ppp);
                let (ox, oy) = m.snapped_origin();
                let (ox, oy) = ((ox * ppp).round() as i64, (oy * ppp).round() as i64);
                for px in 0..(remote.0 as i64 * zoom as i64) {
                    let x = (ox + px) as f32 / ppp;
                    let y = (oy + px % (remote.1 as i64 * zoom as i64)) as f32 / ppp;
                    let want = (
                        (px / zoom as i64) as u32,
                        ((px % (remote.1 as i64 * zoom as i64)) / zoom as i64) as u32,
                    );
                    assert_eq!(
                        m.to_remote((x, y)),
                        Some(want),
                        "ppp {ppp} zoom {zoom} px {px}"
                    );
                }
            }
        }
    }

    #[test]
    fn fit_in_no_room_draws_nothing_and_maps_nothing() {
        for available in [(0.0, 500.0), (-5.0, -5.0), (f32::NAN, 100.0)] {
            let size = view_size(Scale::Fit, (1920, 1080), available, 1.0);
            assert_eq!(size, (0.0, 0.0), "{available:?}");
            let m = ViewMapping::new((0.0, 0.0), size, (1920, 1080), 1.0);
            assert_eq!(m.to_remote((0.0, 0.0)), None);
            assert_eq!(m.device_scale(), 0.0);
            assert!(!m.nearest());
        }
        assert_eq!(
            view_size(Scale::Fit, (0, 1080), (100.0, 100.0), 1.0),
            (0.0, 0.0)
        );
    }

    #[test]
    fn integer_zooms_sample_nearest_others_linear() {
        for (z, ppp, nearest) in [
            (2.0, 1.0, true),
            (3.0, 2.0, true),
            (4.0, 1.25, true),
            (1.5, 1.0, false),
            (0.5, 1.0, false),
            (0.75, 2.0, false),
        ] {
            let size = view_size(Scale::Zoom(z), (800, 600), (10.0, 10.0), ppp);
            let m = ViewMapping::new((0.0, 0.0), size, (800, 600), ppp);
            assert!((m.device_scale() - z).abs() < 1e-5, "{z} {ppp}");
            assert_eq!(m.nearest(), nearest, "{z} at {ppp}");
        }
        // Zoom 3 on a plain screen: each remote pixel is 3x3 points.
        let size = view_size(Scale::Zoom(3.0), (800, 600), (10.0, 10.0), 1.0);
        let m = ViewMapping::new((0.0, 0.0), size, (800, 600), 1.0);
        assert_eq!(m.to_remote((2.99, 3.0)), Some((0, 1)));
        assert_eq!(m.to_remote((2399.0, 1799.0)), Some((799, 599)));
    }

    #[test]
    fn zoom_is_clamped() {
        let size = view_size(Scale::Zoom(100.0), (10, 10), (0.0, 0.0), 1.0);
        assert_eq!(size, (80.0, 80.0));
        let size = view_size(Scale::Zoom(0.0), (100, 100), (0.0, 0.0), 1.0);
        assert!((size.0 - 10.0).abs() < 1e-4, "{size:?}");
        let size = view_size(Scale::Zoom(f32::NAN), (100, 100), (0.0, 0.0), 1.0);
        assert_eq!(size, (100.0, 100.0));
    }

    #[test]
    fn round_trip_from_remote_to_remote() {
        let cases = [
            (Scale::Actual, 1.0),
            (Scale::Actual, 2.0),
            (Scale::Actual, 1.25),
            (Scale::Zoom(3.0), 1.0),
            (Scale::Zoom(0.1), 1.0),
            (Scale::Zoom(8.0), 2.0),
            (Scale::Zoom(0.75), 1.5),
        ];
        for (scale, ppp) in cases {
            let remote = (1920, 1080);
            let size = view_size(scale, remote, (500.0, 500.0), ppp);
            let m = ViewMapping::new((13.3, 7.7), size, remote, ppp);
            for p in [
                (0, 0),
                (1, 1),
                (1919, 1079),
                (640, 3),
                (1001, 999),
                (7, 1078),
            ] {
                let at = m.from_remote(p);
                let back = m.to_remote(at);
                assert_eq!(
                    back,
                    Some((p.0 as u32, p.1 as u32)),
                    "{scale:?} {ppp} {p:?}"
                );
            }
        }
        // Fit at an awkward scale, every pixel of a row.
        let m = mapping(Scale::Fit, (1366, 768), (1001.0, 700.0), 1.0);
        for x in 0..1366 {
            let at = m.from_remote((x, 500));
            assert_eq!(m.to_remote(at), Some((x as u32, 500)), "{x}");
        }
    }

    #[test]
    fn from_remote_places_the_cursor_even_off_the_picture() {
        let m = ViewMapping::new((10.0, 20.0), (320.0, 240.0), (640, 480), 2.0);
        let near =
            |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01;
        assert!(near(m.from_remote((0, 0)), (10.0, 20.0)));
        assert!(near(m.from_remote((2, 4)), (11.0, 22.0)));
        assert!(near(m.from_remote((-4, 480)), (8.0, 260.0)));
        assert_eq!(m.to_remote(m.from_remote((-4, 0))), None);
    }

    #[test]
    fn zoom_steps_in_and_out_from_what_is_shown() {
        assert_eq!(Scale::Fit.zoom_in(0.52), Scale::Zoom(0.75));
        assert_eq!(Scale::Fit.zoom_out(0.52), Scale::Zoom(0.5));
        assert_eq!(Scale::Actual.zoom_in(1.0), Scale::Zoom(1.5));
        assert_eq!(Scale::Actual.zoom_out(1.0), Scale::Zoom(0.75));
        assert_eq!(Scale::Zoom(2.0).zoom_in(2.0), Scale::Zoom(3.0));
        assert_eq!(Scale::Zoom(2.0).zoom_out(2.0005), Scale::Zoom(1.5));
        // At the ends the scale stays.
        assert_eq!(Scale::Zoom(4.0).zoom_in(4.0), Scale::Zoom(4.0));
        assert_eq!(Scale::Zoom(0.25).zoom_out(0.25), Scale::Zoom(0.25));
        assert_eq!(Scale::Fit.zoom_out(0.1), Scale::Zoom(0.1));
        assert_eq!(Scale::Fit.zoom_in(6.0), Scale::Zoom(6.0));
        // Every step is reached going up, then down.
        let mut s = Scale::Zoom(0.25);
        let mut seen = vec![0.25];
        while let Scale::Zoom(z) = s.zoom_in(match s {
            Scale::Zoom(z) => z,
            _ => 1.0,
        }) {
            if seen.last() == Some(&z) {
                break;
            }
            seen.push(z);
            s = Scale::Zoom(z);
        }
        assert_eq!(seen, ZOOM_STEPS);
        // Without a usable current scale, the choice itself is used.
        assert_eq!(Scale::Zoom(2.0).zoom_in(f32::NAN), Scale::Zoom(3.0));
        assert_eq!(Scale::Fit.zoom_in(0.0), Scale::Zoom(1.5));
    }

    #[test]
    fn pixel_placement_only_at_one_to_one() {
        // 1024x768 at 1:1 on a 1x screen, origin (128, 40).
        let m = ViewMapping::new((128.0, 40.0), (1024.0, 768.0), (1024, 768), 1.0);
        let all = m.pixel_placement(((0.0, 0.0), (2000.0, 2000.0)));
        assert_eq!(
            all,
            Some(PixelPlacement {
                window: (128, 40),
                picture: (0, 0),
                size: (1024, 768)
            })
        );
        // Clipped by a scroll area: the shown part starts inside the picture.
        let part = m.pixel_placement(((200.0, 100.0), (600.0, 400.0)));
        assert_eq!(
            part,
            Some(PixelPlacement {
                window: (200, 100),
                picture: (72, 60),
                size: (400, 300)
            })
        );
        // On a 2x screen, 1:1 in physical pixels is 512x384 points.
        let hidpi = ViewMapping::new((10.0, 10.0), (512.0, 384.0), (1024, 768), 2.0);
        assert_eq!(
            hidpi.pixel_placement(((0.0, 0.0), (2000.0, 2000.0))),
            Some(PixelPlacement {
                window: (20, 20),
                picture: (0, 0),
                size: (1024, 768)
            })
        );
        // Scaled: none, even by a hair (a 4096-wide picture at 0.999).
        let fit = ViewMapping::new((0.0, 0.0), (800.0, 600.0), (1024, 768), 1.0);
        assert_eq!(fit.pixel_placement(((0.0, 0.0), (2000.0, 2000.0))), None);
        let hair = ViewMapping::new((0.0, 0.0), (4091.9, 2045.9), (4096, 2048), 1.0);
        assert_eq!(hair.pixel_placement(((0.0, 0.0), (5000.0, 5000.0))), None);
        // Nothing visible: none.
        assert_eq!(m.pixel_placement(((0.0, 0.0), (100.0, 30.0))), None);
        assert_eq!(
            m.pixel_placement(((f32::NAN, 0.0), (f32::NAN, 900.0))),
            None
        );
    }
}
