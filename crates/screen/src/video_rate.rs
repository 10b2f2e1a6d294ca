//! The video's rate, from what the end-to-end QUIC connection says of the
//! link. Sans-IO: fed a sample of the connection's statistics every
//! [`SAMPLE_EVERY`], it answers the bitrate and frame rate to code at.
//!
//! The rule keeps the link's queue short, so that a keystroke's update is
//! never stuck behind video: the rate rises slowly while the round trip
//! stays near its minimum and losses stay rare, and falls at once when
//! the round trip grows (a queue is building) or many packets are lost
//! (the link is full). Random loss on a lossy link (a few packets in a
//! hundred) is not taken for congestion: QUIC recovers it. The rate never
//! passes a ceiling set by the region's size (a small region needs
//! little), nor falls under a floor at which pictures stay readable.

use std::time::Duration;

/// How often the connection is sampled.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(200);
/// Lowest rate, kbit/s.
pub const FLOOR_KBPS: u32 = 200;
/// Rate for a 960x540 region when the link allows it, kbit/s; other
/// sizes scale with the square root of their area (twice the side, twice
/// the rate: 1080p gets 5 Mbit/s).
pub const REFERENCE_KBPS: u32 = 2_500;
/// Highest rate whatever the region, kbit/s.
pub const CEILING_KBPS: u32 = 8_000;
/// Rise per sample while the link is clear (about +27 % a second).
const RISE: f64 = 1.05;
/// Fall when a queue builds or the link is full.
const FALL: f64 = 0.8;
/// Lost packets above which the link counts as full (a tenth: random
/// loss and reordering on a home link, which QUIC may count as loss,
/// stay well under it).
const LOSS_FULL: f64 = 0.10;
/// Packets a loss fraction is measured over: fewer say nothing (two
/// packets lost of forty is noise, not a full link).
const LOSS_WINDOW: u64 = 200;

/// What the connection said, as cumulative counts since it began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSample {
    /// Smoothed round trip.
    pub rtt: Duration,
    /// Smallest round trip seen.
    pub min_rtt: Duration,
    /// Packets sent so far.
    pub sent_packets: u64,
    /// Packets declared lost so far.
    pub lost_packets: u64,
}

/// The rate to code at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Bitrate, kbit/s.
    pub kbps: u32,
    /// Pictures a second.
    pub fps: u32,
}

/// Follows the link.
#[derive(Debug)]
pub struct VideoRate {
    kbps: f64,
    last: Option<LinkSample>,
    /// Packets sent and lost since the loss was last judged.
    window: (u64, u64),
}

/// The most a region of `width` x `height` is given, kbit/s.
pub fn ceiling_for(width: u32, height: u32) -> u32 {
    let area = f64::from(width) * f64::from(height);
    let scaled = f64::from(REFERENCE_KBPS) * (area / (960.0 * 540.0)).sqrt();
    (scaled as u32).clamp(FLOOR_KBPS, CEILING_KBPS)
}

impl VideoRate {
    /// Starting at `kbps`.
    pub fn new(kbps: u32) -> Self {
        Self {
            kbps: f64::from(kbps.max(FLOOR_KBPS)),
            last: None,
            window: (0, 0),
        }
    }

    /// The target now, for a region whose ceiling is `ceiling` kbit/s.
    pub fn target(&self, ceiling: u32) -> Target {
        let kbps = (self.kbps as u32).clamp(FLOOR_KBPS, ceiling.max(FLOOR_KBPS));
        // Fewer pictures when bits are scarce: each stays readable.
        let fps = match kbps {
            k if k >= 600 => 30,
            k if k >= 350 => 20,
            _ => 15,
        };
        Target { kbps, fps }
    }

    /// A new sample of the connection; `ceiling` as for [`Self::target`].
    pub fn sample(&mut self, now: LinkSample, ceiling: u32) -> Target {
        let Some(last) = self.last.replace(now) else {
            return self.target(ceiling);
        };
        self.window.0 += now.sent_packets.saturating_sub(last.sent_packets);
        self.window.1 += now.lost_packets.saturating_sub(last.lost_packets);
        let loss = match self.window {
            (sent, lost) if sent >= LOSS_WINDOW => {
                self.window = (0, 0);
                lost as f64 / sent as f64
            }
            _ => 0.0,
        };
        let slack = (now.min_rtt / 4).max(Duration::from_millis(15));
        let queue = now.rtt > now.min_rtt + slack;
        if queue || loss > LOSS_FULL {
            self.kbps *= FALL;
        } else {
            self.kbps *= RISE;
        }
        // Never far above what the region can use, so a rise after a
        // quiet spell starts from the ceiling, not from beyond it.
        let ceiling = f64::from(ceiling.max(FLOOR_KBPS));
        self.kbps = self.kbps.clamp(f64::from(FLOOR_KBPS), ceiling);
        self.target(ceiling as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rtt_ms: u64, sent: u64, lost: u64) -> LinkSample {
        LinkSample {
            rtt: Duration::from_millis(rtt_ms),
            min_rtt: Duration::from_millis(40),
            sent_packets: sent,
            lost_packets: lost,
        }
    }

    #[test]
    fn the_ceiling_grows_with_the_regions_side() {
        assert_eq!(ceiling_for(960, 540), 2_500);
        assert_eq!(ceiling_for(1920, 1080), 5_000);
        assert_eq!(ceiling_for(100, 100), FLOOR_KBPS.max(ceiling_for(100, 100)));
        assert_eq!(ceiling_for(8192, 8192), CEILING_KBPS);
    }

    #[test]
    fn a_clear_link_rises_to_the_ceiling_and_stays() {
        let mut rate = VideoRate::new(500);
        let mut t = rate.sample(sample(40, 0, 0), 2_500);
        for i in 1..100 {
            t = rate.sample(sample(41, i * 100, 0), 2_500);
        }
        assert_eq!(
            t,
            Target {
                kbps: 2_500,
                fps: 30
            }
        );
    }

    #[test]
    fn a_growing_round_trip_brings_the_rate_down_at_once() {
        let mut rate = VideoRate::new(2_500);
        rate.sample(sample(40, 0, 0), 2_500);
        let before = rate.sample(sample(42, 100, 0), 2_500).kbps;
        let after = rate.sample(sample(90, 200, 0), 2_500).kbps;
        assert!(after < before, "{after} after {before}");
        // A queue that stays: down to the floor, fewer pictures.
        let mut t = rate.target(2_500);
        for i in 3..40 {
            t = rate.sample(sample(120, i * 100, 0), 2_500);
        }
        assert_eq!(
            t,
            Target {
                kbps: FLOOR_KBPS,
                fps: 15
            }
        );
    }

    #[test]
    fn random_loss_is_not_congestion_but_heavy_loss_is() {
        let mut rate = VideoRate::new(1_000);
        rate.sample(sample(40, 0, 0), 2_500);
        // 2 % lost: still rising.
        let a = rate.sample(sample(40, 1_000, 20), 2_500).kbps;
        let b = rate.sample(sample(40, 2_000, 40), 2_500).kbps;
        assert!(b > a);
        // 3 of 40 in a small sample: noise, still rising.
        let c = rate.sample(sample(40, 2_040, 43), 2_500).kbps;
        assert!(c > b);
        // 20 % lost over enough packets: falling.
        let d = rate.sample(sample(40, 3_000, 243), 2_500).kbps;
        assert!(d < c);
    }
}
