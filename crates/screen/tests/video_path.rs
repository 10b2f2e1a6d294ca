//! The video path end to end, without a codec: frames split by
//! `VideoSplit`, the lossless part through the real encoder and decoder,
//! the video part handed over as raw pixels (as a perfect codec would),
//! composed by `VideoLayer`. What is checked: the region is found and
//! fitted to what moves, the lossless path leaves it alone, text beside
//! it stays exact, and when it stops the picture ends exact.

use std::time::{Duration, Instant};
use tessera_screen::{
    damaged_tiles, Damage, Decoder, Encoder, Frame, Rect, TileGrid, VideoLayer, VideoSplit,
};

const W: u32 = 640;
const H: u32 = 480;
/// The "video": not tile-aligned, even-sized.
const VIDEO: Rect = Rect {
    x: 70,
    y: 90,
    w: 300,
    h: 200,
};

/// A frame with noise in the video area (changing with `t`) and a line of
/// "text" (a few set pixels) at `typed` columns right of it.
fn screen(t: u32, typed: u32) -> Frame {
    let mut f = Frame::new(W, H).expect("frame");
    f.fill_rect(
        &Rect {
            x: 0,
            y: 0,
            w: W,
            h: H,
        },
        [200, 200, 200, 0],
    );
    let mut seed = t.wrapping_mul(2654435761).wrapping_add(1);
    let mut noise = Vec::with_capacity((VIDEO.w * VIDEO.h * 4) as usize);
    for _ in 0..VIDEO.w * VIDEO.h {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        noise.extend_from_slice(&[seed as u8, (seed >> 8) as u8, (seed >> 16) as u8, 0]);
    }
    f.write_rect(&VIDEO, &noise);
    for i in 0..typed {
        f.fill_rect(
            &Rect {
                x: 380 + i * 6,
                y: 120,
                w: 4,
                h: 8,
            },
            [0, 0, 0, 0],
        );
    }
    f
}

struct Path {
    /// Whether frames come with a damage report (as XDamage gives), or
    /// without one (every pixel compared).
    reported: bool,
    /// The last frame, to make the damage report from.
    last: Option<Frame>,
    /// The clock, and how far it moves between frames.
    now: Instant,
    step: Duration,
    split: VideoSplit,
    encoder: Encoder,
    decoder: Decoder,
    layer: VideoLayer,
    /// Lossless bytes sent in the last frame.
    lossless_bytes: usize,
}

impl Path {
    fn new(reported: bool) -> Self {
        Self {
            reported,
            last: None,
            now: Instant::now(),
            step: Duration::from_millis(33),
            split: VideoSplit::new(W, H).expect("split"),
            encoder: Encoder::new().expect("encoder"),
            decoder: Decoder::new().expect("decoder"),
            layer: VideoLayer::new(),
            lossless_bytes: 0,
        }
    }

    /// One frame through the whole path; the End goes before its top-off
    /// when `end_first` (the streams are not ordered).
    fn frame(&mut self, cur: &Frame, end_first: bool) {
        // The report a capture would make: the tiles that changed.
        let damage = match (self.reported, self.last.replace(cur.clone())) {
            (true, Some(last)) => Damage::Rects(
                damaged_tiles(&last, cur)
                    .into_iter()
                    .filter_map(|t| TileGrid::new(W, H).rect(t))
                    .collect(),
            ),
            _ => Damage::Everything,
        };
        let plan = self.split.split(cur, &damage, true);
        let (video, ended) = (plan.video, plan.ended);
        let update = self
            .encoder
            .encode_damage(plan.masked, &plan.damage)
            .expect("encode");
        self.now += self.step;
        self.split.settle(self.encoder.residual(), self.now);
        self.lossless_bytes = update.as_ref().map_or(0, |u| u.pixels.len());
        let end = |layer: &mut VideoLayer, decoder: &Decoder, seq: u64| {
            if let (Some(region), Some(picture)) = (ended, decoder.frame()) {
                layer.end(region, seq, picture);
            }
        };
        let next_seq = update.as_ref().map_or(0, |u| u.seq);
        if end_first {
            end(&mut self.layer, &self.decoder, next_seq);
        }
        if let Some(update) = &update {
            let picture = self.decoder.apply(update).expect("decode").clone();
            self.layer
                .lossless(&picture, update.seq, &update.changed_areas());
        }
        if !end_first {
            end(&mut self.layer, &self.decoder, next_seq);
        }
        if let Some(work) = video {
            let mut pixels = Vec::new();
            cur.read_rect(&work.rect, &mut pixels);
            self.layer
                .video(work.region, work.rect, pixels)
                .expect("video picture");
        }
    }
}

fn exact_outside(a: &Frame, b: &Frame, hole: &Rect) -> bool {
    let full = Rect {
        x: 0,
        y: 0,
        w: W,
        h: H,
    };
    full.minus(hole).iter().all(|band| a.same_in(b, band))
}

#[test]
fn a_moving_area_becomes_a_region_fitted_to_it_and_text_beside_stays_exact() {
    for reported in [false, true] {
        moving_area(reported);
    }
}

fn moving_area(reported: bool) {
    let mut path = Path::new(reported);
    let mut t = 0;
    while path.split.region().is_none() {
        assert!(t < 20, "no region after {t} frames");
        path.frame(&screen(t, 0), false);
        t += 1;
    }
    let (_, rect) = path.split.region().expect("region");
    assert_eq!(rect, VIDEO, "fitted to the moving pixels, not to tiles");
    // Typing beside it, while it plays: every picture exact outside it,
    // and the lossless path carries the text only.
    for typed in 1..=8 {
        let cur = screen(t, typed);
        path.frame(&cur, false);
        t += 1;
        let shown = path.layer.picture().expect("picture");
        assert!(exact_outside(shown, &cur, &VIDEO), "text beside the video");
        assert!(shown.same_in(&cur, &VIDEO), "the region shows its picture");
        assert!(
            path.lossless_bytes < 2_000,
            "the lossless path sent {} bytes while the video played",
            path.lossless_bytes
        );
    }
    assert_eq!(path.split.region().map(|r| r.1), Some(VIDEO), "kept");
}

#[test]
fn a_still_region_is_topped_off_whatever_order_its_end_comes_in() {
    for (end_first, reported) in [(false, false), (true, false), (false, true), (true, true)] {
        let mut path = Path::new(reported);
        let mut t = 0;
        while path.split.region().is_none() {
            path.frame(&screen(t, 0), end_first);
            t += 1;
        }
        for _ in 0..5 {
            path.frame(&screen(t, 0), end_first);
            t += 1;
        }
        // Paused: the same picture, frame after frame.
        let paused = screen(t, 3);
        let mut frames = 0;
        while path.split.busy() {
            assert!(frames < 40, "the region never ended");
            path.frame(&paused, end_first);
            frames += 1;
        }
        assert!(!path.layer.playing(), "the video was put away");
        let shown = path.layer.picture().expect("picture");
        assert!(shown == &paused, "pixel-exact after the pause");
    }
}

#[test]
fn a_late_picture_of_an_ended_region_is_dropped() {
    let mut layer = VideoLayer::new();
    let picture = Frame::new(64, 64).expect("frame");
    let all = Rect {
        x: 0,
        y: 0,
        w: 64,
        h: 64,
    };
    layer.lossless(&picture, 1, &[all]);
    let rect = Rect {
        x: 2,
        y: 2,
        w: 4,
        h: 4,
    };
    let grey = vec![9; 64];
    assert_eq!(layer.video(1, rect, grey.clone()), Ok(Some(rect)));
    assert_eq!(layer.end(1, 1, &picture), Some(rect));
    assert!(!layer.playing());
    assert_eq!(layer.video(1, rect, grey), Ok(None), "late: dropped");
    assert_eq!(layer.picture(), Some(&picture));
    // A picture that does not fit is refused, not drawn.
    assert!(layer.video(2, rect, vec![0; 3]).is_err());
    let outside = Rect { x: 62, ..rect };
    assert!(layer.video(2, outside, vec![0; 64]).is_err());
}

#[test]
fn text_paged_at_a_reading_pace_never_becomes_video() {
    let mut path = Path::new(true);
    path.step = Duration::from_millis(200); // five pages a second
    for page in 0..40u32 {
        // A page of "text": two colours, a new layout every frame.
        let mut cur = Frame::new(W, H).expect("frame");
        let all = Rect {
            x: 0,
            y: 0,
            w: W,
            h: H,
        };
        cur.fill_rect(&all, [255, 255, 255, 0]);
        for line in 0..40 {
            for col in 0..80 {
                if (line * 7 + col * 3 + page * 11) % 5 < 2 {
                    let glyph = Rect {
                        x: col * 8,
                        y: line * 12,
                        w: 5,
                        h: 8,
                    };
                    cur.fill_rect(&glyph, [0, 0, 0, 0]);
                }
            }
        }
        path.frame(&cur, false);
        assert_eq!(path.split.region(), None, "page {page} became video");
        let shown = path.layer.picture().expect("picture");
        assert!(shown == &cur, "page {page} is exact");
    }
}

fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
    Rect { x, y, w, h }
}

#[test]
fn a_region_put_away_leaves_the_live_one_it_covered_on_top() {
    let mut layer = VideoLayer::new();
    let picture = Frame::new(64, 64).expect("frame");
    layer.lossless(&picture, 1, &[rect(0, 0, 64, 64)]);
    let (a, b) = (rect(0, 0, 32, 32), rect(8, 8, 16, 16));
    layer.video(1, a, vec![1; 32 * 32 * 4]).expect("a");
    layer.video(2, b, vec![2; 16 * 16 * 4]).expect("b");
    // A ends, topped off by an update already shown: B stays on top.
    assert_eq!(layer.end(1, 1, &picture), Some(a));
    let shown = layer.picture().expect("picture");
    let mut inside = Vec::new();
    shown.read_rect(&b, &mut inside);
    assert!(
        inside.iter().all(|&v| v == 2),
        "B's picture, not A's or the frozen one"
    );
    let mut outside = Vec::new();
    shown.read_rect(&rect(0, 0, 8, 8), &mut outside);
    assert!(
        outside.iter().all(|&v| v == 0),
        "A's place outside B is exact"
    );
    // The same when the covering update comes after the end.
    layer.video(3, a, vec![3; 32 * 32 * 4]).expect("c");
    layer.video(2, b, vec![2; 16 * 16 * 4]).expect("b again");
    assert_eq!(layer.end(3, 2, &picture), None, "waits for update 2");
    layer.lossless(&picture, 2, &[]);
    let shown = layer.picture().expect("picture");
    shown.read_rect(&b, &mut inside);
    assert!(inside.iter().all(|&v| v == 2));
}

#[test]
fn a_new_share_puts_the_old_video_away() {
    let mut layer = VideoLayer::new();
    let picture = Frame::new(64, 64).expect("frame");
    layer.lossless(&picture, 40, &[rect(0, 0, 64, 64)]);
    layer
        .video(5, rect(0, 0, 16, 16), vec![9; 16 * 16 * 4])
        .expect("video");
    // The agent shares again: its updates count from 1.
    layer.lossless(&picture, 1, &[rect(0, 0, 64, 64)]);
    assert!(!layer.playing());
    assert_eq!(layer.picture(), Some(&picture));
    // A late picture of the old region is dropped; a new one shows.
    assert_eq!(layer.video(5, rect(0, 0, 16, 16), vec![9; 1024]), Ok(None));
    let r = rect(0, 0, 16, 16);
    assert_eq!(layer.video(6, r, vec![7; 1024]), Ok(Some(r)));
}

#[test]
fn a_resize_names_the_regions_it_drops_and_numbers_go_on() {
    let mut path = Path::new(false);
    let mut t = 0;
    while path.split.region().is_none() {
        path.frame(&screen(t, 0), false);
        t += 1;
    }
    let (number, _) = path.split.region().expect("region");
    let next = path.split.next_region();
    assert_eq!(path.split.resize(W, H).expect("resize"), vec![number]);
    assert_eq!(path.split.region(), None);
    assert_eq!(path.split.next_region(), next, "numbers never go back");
    let fresh = VideoSplit::new(W, H).expect("split").starting_at(next);
    assert_eq!(fresh.next_region(), next);
}
