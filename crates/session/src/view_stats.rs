//! The figures of the technician's status line: round-trip time, pictures
//! shown per second and bandwidth, over a sliding second.

use crate::consent::Lang;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window the figures cover.
const WINDOW: Duration = Duration::from_secs(1);
/// The most frames remembered: memory stays bounded whatever arrives, and
/// a rate above this many a second reads as this many.
const MAX_FRAMES: usize = 1024;

/// Frames shown lately, for [`StatusFigures`].
#[derive(Debug, Default)]
pub struct ViewStats {
    /// When each frame was shown and its size on the wire, oldest first.
    frames: VecDeque<(Instant, usize)>,
}

impl ViewStats {
    /// A frame of `bytes` on the wire was shown at `now`.
    pub fn frame(&mut self, now: Instant, bytes: usize) {
        self.forget_before(now);
        if self.frames.len() == MAX_FRAMES {
            self.frames.pop_front();
        }
        self.frames.push_back((now, bytes));
    }

    /// Drops frames more than a second before `now`.
    fn forget_before(&mut self, now: Instant) {
        while let Some((at, _)) = self.frames.front() {
            if now.saturating_duration_since(*at) < WINDOW {
                break;
            }
            self.frames.pop_front();
        }
    }

    /// The figures at `now`: frames and bytes of the last second, and the
    /// round-trip time `rtt` as the connection measures it.
    pub fn snapshot(&mut self, now: Instant, rtt: Option<Duration>) -> StatusFigures {
        self.forget_before(now);
        let bytes: usize = self.frames.iter().map(|(_, b)| b).sum();
        StatusFigures {
            fps: self.frames.len() as f32,
            bytes_per_sec: bytes as f64,
            rtt,
        }
    }
}

/// What the status line says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatusFigures {
    /// Pictures shown in the last second.
    pub fps: f32,
    /// Bytes received for them in the last second.
    pub bytes_per_sec: f64,
    /// Round-trip time to the agent, when known.
    pub rtt: Option<Duration>,
}

/// `value` with one decimal under 10, none above, with `lang`'s decimal
/// separator.
fn decimal(value: f64, lang: Lang) -> String {
    let text = if value < 9.95 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    match lang {
        Lang::En => text,
        Lang::Fr => text.replace('.', ","),
    }
}

/// A rate in bytes a second, in decimal units (kB = 1000 B).
fn rate(bytes_per_sec: f64, lang: Lang) -> String {
    let (b, kb, mb, gb) = match lang {
        Lang::En => ("B/s", "kB/s", "MB/s", "GB/s"),
        Lang::Fr => ("o/s", "ko/s", "Mo/s", "Go/s"),
    };
    let v = if bytes_per_sec.is_finite() {
        bytes_per_sec.max(0.0)
    } else {
        0.0
    };
    if v < 999.5 {
        format!("{v:.0} {b}")
    } else if v < 999_500.0 {
        format!("{} {kb}", decimal(v / 1e3, lang))
    } else if v < 999_500_000.0 {
        format!("{} {mb}", decimal(v / 1e6, lang))
    } else {
        format!("{} {gb}", decimal(v / 1e9, lang))
    }
}

impl StatusFigures {
    /// The status line, such as `18 ms · 24 fps · 1.2 MB/s` (in French
    /// `18 ms · 24 i/s · 1,2 Mo/s`); the time is left out when unknown.
    pub fn line(&self, lang: Lang) -> String {
        let mut parts = Vec::with_capacity(3);
        if let Some(rtt) = self.rtt {
            let ms = rtt.as_secs_f64() * 1000.0;
            parts.push(if ms < 1.0 {
                "<1 ms".to_string()
            } else {
                format!("{ms:.0} ms")
            });
        }
        let fps = if self.fps.is_finite() {
            self.fps.max(0.0)
        } else {
            0.0
        };
        parts.push(match lang {
            Lang::En => format!("{fps:.0} fps"),
            Lang::Fr => format!("{fps:.0} i/s"),
        });
        parts.push(rate(self.bytes_per_sec, lang));
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_last_second_only() {
        let start = Instant::now();
        let mut stats = ViewStats::default();
        for i in 0..24u64 {
            stats.frame(start + Duration::from_millis(i * 40), 50_000);
        }
        let at = start + Duration::from_millis(960);
        let figures = stats.snapshot(at, Some(Duration::from_millis(18)));
        assert_eq!(figures.fps, 24.0);
        assert_eq!(figures.bytes_per_sec, 1_200_000.0);
        assert_eq!(figures.line(Lang::En), "18 ms · 24 fps · 1.2 MB/s");
        assert_eq!(figures.line(Lang::Fr), "18 ms · 24 i/s · 1,2 Mo/s");
        // Half a second later, the first half of them are gone.
        let later = stats.snapshot(at + Duration::from_millis(500), None);
        assert_eq!(later.fps, 12.0);
        // Two seconds of nothing: nothing.
        let idle = stats.snapshot(at + Duration::from_secs(2), None);
        assert_eq!((idle.fps, idle.bytes_per_sec), (0.0, 0.0));
        assert_eq!(idle.line(Lang::En), "0 fps · 0 B/s");
    }

    #[test]
    fn memory_stays_bounded() {
        let start = Instant::now();
        let mut stats = ViewStats::default();
        for i in 0..10_000u64 {
            stats.frame(start + Duration::from_micros(i * 10), 1);
        }
        assert!(stats.frames.len() <= MAX_FRAMES);
        let figures = stats.snapshot(start + Duration::from_millis(100), None);
        assert_eq!(figures.fps, MAX_FRAMES as f32);
    }

    #[test]
    fn a_clock_reading_behind_the_frames_loses_nothing() {
        let start = Instant::now();
        let mut stats = ViewStats::default();
        stats.frame(start + Duration::from_millis(10), 100);
        assert_eq!(stats.snapshot(start, None).fps, 1.0);
    }

    #[test]
    fn rates_and_times_read_naturally() {
        let figures = |rtt_us: Option<u64>, fps: f32, bytes: f64| StatusFigures {
            fps,
            bytes_per_sec: bytes,
            rtt: rtt_us.map(Duration::from_micros),
        };
        assert_eq!(
            figures(Some(400), 60.0, 850.0).line(Lang::En),
            "<1 ms · 60 fps · 850 B/s"
        );
        assert_eq!(
            figures(Some(123_400), 1.0, 12_345.0).line(Lang::En),
            "123 ms · 1 fps · 12 kB/s"
        );
        assert_eq!(
            figures(None, 30.0, 3_456_000.0).line(Lang::Fr),
            "30 i/s · 3,5 Mo/s"
        );
        assert_eq!(
            figures(None, 30.0, 45_000_000.0).line(Lang::En),
            "30 fps · 45 MB/s"
        );
        assert_eq!(
            figures(None, 30.0, 2.5e9).line(Lang::En),
            "30 fps · 2.5 GB/s"
        );
        assert_eq!(
            figures(None, f32::NAN, f64::NAN).line(Lang::En),
            "0 fps · 0 B/s"
        );
    }
}
