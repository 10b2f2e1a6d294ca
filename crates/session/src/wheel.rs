//! The technician's wheel and touchpad as the agent's scrolling: whole
//! units of 1/120 of a notch ([`NOTCH`]), positive down and right, at most
//! [`MAX_SCROLL`] an event. Fractions are kept for the next event, so slow
//! touchpad scrolling adds up instead of being lost.

use tessera_input::{MAX_SCROLL, NOTCH};

/// Points of smooth (touchpad) scrolling that make one wheel notch.
const POINTS_A_NOTCH: f32 = 50.0;

/// Lines a page scroll counts as.
const LINES_A_PAGE: f32 = 10.0;

/// What a wheel delta is counted in, as the window's toolkit says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WheelUnit {
    /// Points of smooth scrolling (a touchpad, a free-spinning wheel).
    Point,
    /// Lines: one is a notch of a clicking wheel.
    Line,
    /// Pages.
    Page,
}

impl WheelUnit {
    /// Scroll units (1/120 notch) one of this unit makes.
    fn units(self) -> f32 {
        let notch = NOTCH as f32;
        match self {
            WheelUnit::Point => notch / POINTS_A_NOTCH,
            WheelUnit::Line => notch,
            WheelUnit::Page => notch * LINES_A_PAGE,
        }
    }
}

/// Collects wheel movement into whole scroll units, keeping the fraction
/// for the next event.
#[derive(Debug, Default)]
pub struct Wheel {
    /// What is left under one unit, across and down (always under one).
    rest: (f32, f32),
}

impl Wheel {
    /// The toolkit's wheel `delta` `(x, y)` in `unit` (positive y: the
    /// content moves down, i.e. scrolling up) as the agent's `(dx, dy)`
    /// (positive dy scrolls down); `None` while under one unit.
    ///
    /// A delta that is not a finite number is ignored: kept, it would
    /// turn the fraction into NaN and no scrolling would ever be sent
    /// again. A delta too large for a float once counted in units scrolls
    /// the limit.
    pub fn scroll(&mut self, unit: WheelUnit, delta: (f32, f32)) -> Option<(i32, i32)> {
        if !(delta.0.is_finite() && delta.1.is_finite()) {
            return None;
        }
        let per = unit.units();
        let limit = MAX_SCROLL as f32;
        // Clamped before it is split, so that an overflow to infinity
        // leaves a finite fraction.
        let x = (self.rest.0 - delta.0 * per).clamp(-limit, limit);
        let y = (self.rest.1 - delta.1 * per).clamp(-limit, limit);
        let (dx, dy) = (x.trunc(), y.trunc());
        self.rest = (x - dx, y - dy);
        let (dx, dy) = (dx as i32, dy as i32);
        (dx != 0 || dy != 0).then_some((dx, dy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_notch_is_120_units_down_positive() {
        let mut w = Wheel::default();
        assert_eq!(w.scroll(WheelUnit::Line, (0.0, -1.0)), Some((0, NOTCH)));
        assert_eq!(
            w.scroll(WheelUnit::Line, (1.0, 1.0)),
            Some((-NOTCH, -NOTCH))
        );
    }

    #[test]
    fn a_page_is_ten_notches() {
        let mut w = Wheel::default();
        assert_eq!(w.scroll(WheelUnit::Page, (0.0, -1.0)), Some((0, 1200)));
        assert_eq!(w.scroll(WheelUnit::Page, (-0.5, 0.0)), Some((600, 0)));
    }

    #[test]
    fn fifty_points_make_a_notch() {
        let mut w = Wheel::default();
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -50.0)), Some((0, NOTCH)));
        assert_eq!(w.scroll(WheelUnit::Point, (25.0, 0.0)), Some((-60, 0)));
    }

    #[test]
    fn smooth_scrolling_adds_up_its_fractions() {
        let mut w = Wheel::default();
        // 0.2 points is 0.48 units: nothing yet, then it adds up.
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.2)), None);
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.2)), None);
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.2)), Some((0, 1)));
        let total: i32 = (0..50)
            .filter_map(|_| w.scroll(WheelUnit::Point, (0.0, -1.0)))
            .map(|(_, dy)| dy)
            .sum();
        assert!((119..=121).contains(&total), "{total}");
    }

    #[test]
    fn fractions_going_back_cancel_out() {
        let mut w = Wheel::default();
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.3)), None);
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, 0.3)), None);
        // Nothing was left over: another 0.3 is still under a unit.
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.3)), None);
    }

    #[test]
    fn one_event_scrolls_at_most_the_limit() {
        let mut w = Wheel::default();
        assert_eq!(
            w.scroll(WheelUnit::Page, (-1000.0, 1000.0)),
            Some((MAX_SCROLL, -MAX_SCROLL))
        );
    }

    #[test]
    fn a_delta_that_is_not_a_number_changes_nothing() {
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut w = Wheel::default();
            assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.3)), None);
            assert_eq!(w.scroll(WheelUnit::Line, (bad, 0.0)), None, "{bad}");
            assert_eq!(w.scroll(WheelUnit::Line, (0.0, bad)), None, "{bad}");
            // The wheel still works, and the fraction before is kept:
            // 0.72 units, and 0.3 points more make 1.44.
            assert_eq!(w.scroll(WheelUnit::Line, (0.0, -1.0)), Some((0, NOTCH)));
            assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.3)), Some((0, 1)));
        }
    }

    #[test]
    fn a_delta_too_large_for_a_float_scrolls_the_limit_and_no_more() {
        let mut w = Wheel::default();
        // f32::MAX pages overflow to infinity once counted in units.
        assert_eq!(
            w.scroll(WheelUnit::Page, (0.0, -f32::MAX)),
            Some((0, MAX_SCROLL))
        );
        assert_eq!(w.scroll(WheelUnit::Line, (0.0, -1.0)), Some((0, NOTCH)));
        assert_eq!(w.scroll(WheelUnit::Point, (0.0, -0.2)), None);
    }
}
