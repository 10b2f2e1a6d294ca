//! The seeds themselves: pictures drawn like a desktop (text, flat
//! colours, few-colour areas, photos, moves) encoded by the real encoder,
//! cursor images, and a few hand-made updates refused deep inside the
//! decoder.

use tessera_screen::{
    Capture, CursorShape, Encoder, Frame, Op, Pointer, Rect, ScreenMsg, Synthetic, Update,
    VideoFrame, VideoMsg,
};

const WIDTH: u32 = 256;
const HEIGHT: u32 = 128;
/// The synthetic window's background.
const PAPER: [u8; 4] = [0xff, 0xff, 0xff, 0];
/// The synthetic window's text.
const INK: [u8; 4] = [0x20, 0x20, 0x20, 0];
/// The synthetic desktop around the window.
const DESKTOP: [u8; 4] = [0x80, 0x50, 0x30, 0];
/// The synthetic window, inside the 256x128 screen.
const WINDOW: Rect = Rect {
    x: 16,
    y: 8,
    w: 224,
    h: 112,
};

/// What a seed must come to in the fuzz target.
#[derive(Debug)]
pub enum Outcome {
    /// The decoder's picture afterwards.
    Picture(Frame),
    /// The update was refused (the decoder then holds no picture).
    Refused,
    /// A cursor message, and whether its shape (if any) is valid.
    Cursor { valid: bool },
    /// A video message, and whether it may be shown over the picture.
    Video { valid: bool },
}

/// One seed: its file name (without `.seed`), the message, and what it
/// must come to.
pub struct Seed {
    pub name: &'static str,
    pub msg: ScreenMsg,
    pub outcome: Outcome,
}

/// The picture the fuzz target starts from.
pub fn base() -> Frame {
    let mut screen = Synthetic::new(WIDTH, HEIGHT).expect("screen");
    screen.grab().expect("grab").0.clone()
}

fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
    Rect { x, y, w, h }
}

/// A deterministic byte stream (xorshift64).
fn stream(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Noise over `area`: a photo at its worst.
fn noise(frame: &mut Frame, area: Rect, seed: u64) {
    let mut next = stream(seed);
    let pixels: Vec<u8> = (0..area.w * area.h)
        .flat_map(|_| {
            let [b, g, r, ..] = next().to_le_bytes();
            [b, g, r, 0]
        })
        .collect();
    frame.write_rect(&area, &pixels);
}

/// A smooth gradient over `area`: a photo at its best, many colours.
fn gradient(frame: &mut Frame, area: Rect) {
    let pixels: Vec<u8> = (0..area.h)
        .flat_map(|y| (0..area.w).map(move |x| [(x * 3) as u8, (y * 2) as u8, (x + y) as u8, 0]))
        .flatten()
        .collect();
    frame.write_rect(&area, &pixels);
}

/// Vertical stripes of `n` colours over `area` (a few-colour tile).
fn stripes(frame: &mut Frame, area: Rect, n: u32) {
    for x in 0..area.w {
        let i = (x / 3) % n;
        frame.fill_rect(
            &rect(area.x + x, area.y, 1, area.h),
            [(i * 15) as u8, (255 - i * 9) as u8, (i * 40) as u8, 0],
        );
    }
}

/// Text in `ink` over `area`: 6x13 cells, each one of 16 shapes 5x9,
/// chosen by `seed` (as a terminal draws it; shapes repeat, so they are
/// named from the glyph cache after their first use).
fn text(frame: &mut Frame, area: Rect, seed: u64, ink: [u8; 4]) {
    let mut next = stream(seed);
    let shapes: Vec<u64> = (0..16)
        .map(|i| 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1))
        .collect();
    for row in 0..area.h / 13 {
        for col in 0..area.w / 6 {
            let shape = shapes[(next() % 16) as usize];
            for gy in 0..9 {
                for gx in 0..5 {
                    if shape >> (gy * 5 + gx) & 1 == 1 {
                        let dot = rect(area.x + col * 6 + gx, area.y + row * 13 + 2 + gy, 1, 1);
                        frame.fill_rect(&dot, ink);
                    }
                }
            }
        }
    }
}

/// A fresh encoder's keyframe of `frame`.
fn keyframe(frame: &Frame) -> Update {
    let mut enc = Encoder::new().expect("encoder");
    enc.encode(frame).expect("encode").expect("keyframe")
}

/// The encoder's update from the target's picture to that picture after
/// `edit`, and the picture it must decode to.
fn delta(edit: impl FnOnce(&mut Frame)) -> (Update, Frame) {
    let mut enc = Encoder::new().expect("encoder");
    let start = base();
    enc.encode(&start).expect("encode").expect("keyframe");
    let mut end = start;
    edit(&mut end);
    let update = enc.encode(&end).expect("encode").expect("a change");
    assert!(!update.keyframe && update.seq == 2);
    (update, end)
}

/// A move of `src` to `(dst_x, dst_y)`, then `edit`, as one delta: a copy
/// followed by the encoder's own residue. (The encoder finds moves only in
/// columns of three damaged tiles or more, which a 128-pixel-high picture
/// does not have, so the copy is placed by hand where it would have put
/// it.)
fn moved(src: Rect, dst_x: u32, dst_y: u32, edit: impl FnOnce(&mut Frame)) -> (Update, Frame) {
    let mut enc = Encoder::new().expect("encoder");
    enc.set_move_detection(false);
    // The residue must not name glyphs learnt by an update the decoder
    // never sees.
    enc.set_glyphs(false);
    let start = base();
    enc.encode(&start).expect("encode").expect("keyframe");
    let mut predicted = start;
    predicted.copy_within(&src, dst_x, dst_y);
    let _ = enc.encode(&predicted).expect("encode");
    let mut end = predicted;
    edit(&mut end);
    let residue = enc.encode(&end).expect("encode");
    let (ops, pixels) = residue.map_or((vec![], vec![]), |r| (r.ops, r.pixels));
    let update = Update {
        seq: 2,
        width: WIDTH,
        height: HEIGHT,
        keyframe: false,
        captured_at_us: 0,
        ops: [vec![Op::Copy { src, dst_x, dst_y }], ops].concat(),
        pixels,
    };
    (update, end)
}

/// A hand-made delta whose pixel data is a valid zstd frame: refused only
/// deep inside the decoder.
fn crafted(ops: Vec<Op>, raw: &[u8], seq: u64) -> Update {
    Update {
        seq,
        width: WIDTH,
        height: HEIGHT,
        keyframe: false,
        captured_at_us: 0,
        ops,
        pixels: zstd::bulk::compress(raw, 1).expect("zstd"),
    }
}

/// A cursor image: an arrow (or a bar), premultiplied RGBA.
fn cursor(serial: u32, width: u32, height: u32, hot: (u32, u32), arrow: bool) -> ScreenMsg {
    let rgba = (0..height)
        .flat_map(|y| {
            (0..width).flat_map(move |x| {
                let inside = if arrow { x <= y / 2 } else { x == width / 2 };
                let edge = inside && (x == 0 || x == y / 2 || y + 1 == height);
                match (inside, edge) {
                    (false, _) => [0, 0, 0, 0],
                    (true, true) => [0, 0, 0, 255],
                    (true, false) => [255, 255, 255, 255],
                }
            })
        })
        .collect();
    ScreenMsg::Cursor {
        pointer: Pointer {
            x: 40,
            y: -3,
            serial,
        },
        shape: Some(CursorShape {
            serial,
            width,
            height,
            hot_x: hot.0,
            hot_y: hot.1,
            rgba,
        }),
    }
}

fn picture(name: &'static str, (update, end): (Update, Frame)) -> Seed {
    Seed {
        name,
        msg: ScreenMsg::Update(update),
        outcome: Outcome::Picture(end),
    }
}

fn key(name: &'static str, frame: Frame) -> Seed {
    picture(name, (keyframe(&frame), frame))
}

fn refused(name: &'static str, update: Update) -> Seed {
    Seed {
        name,
        msg: ScreenMsg::Update(update),
        outcome: Outcome::Refused,
    }
}

fn pointer(name: &'static str, msg: ScreenMsg, valid: bool) -> Seed {
    Seed {
        name,
        msg,
        outcome: Outcome::Cursor { valid },
    }
}

fn video(name: &'static str, rect: Rect, data: usize, valid: bool) -> Seed {
    Seed {
        name,
        msg: ScreenMsg::Video(VideoMsg::Frame(VideoFrame {
            region: 1,
            seq: 1,
            rect,
            key: true,
            captured_at_us: 0,
            data: vec![0x82; data],
        })),
        outcome: Outcome::Video { valid },
    }
}

/// Every seed, with what it must come to.
pub fn seeds() -> Vec<Seed> {
    let synthetic = |w, h| {
        let mut s = Synthetic::new(w, h).expect("screen");
        s.grab().expect("grab").0.clone()
    };
    let flat = |w, h, bgrx| {
        let mut f = Frame::new(w, h).expect("frame");
        f.fill_rect(&rect(0, 0, w, h), bgrx);
        f
    };
    let new_page = |seed| {
        move |f: &mut Frame| {
            f.fill_rect(&WINDOW, PAPER);
            text(
                f,
                rect(WINDOW.x + 2, WINDOW.y, WINDOW.w - 4, WINDOW.h),
                seed,
                INK,
            );
        }
    };
    let mut seeds = vec![
        // Keyframes: every tile, in the forms a whole tile takes.
        key("key-synthetic-256x128", base()),
        key("key-synthetic-edges-300x200", synthetic(300, 200)),
        key("key-flat-1x1", flat(1, 1, [1, 2, 3, 0])),
        key("key-flat-clipped-65x65", flat(65, 65, [9, 8, 7, 0])),
        key("key-noise-64x48", {
            let mut f = flat(64, 48, [0; 4]);
            noise(&mut f, rect(0, 0, 64, 48), 1);
            f
        }),
        key("key-gradient-80x40", {
            let mut f = flat(80, 40, [0; 4]);
            gradient(&mut f, rect(0, 0, 80, 40));
            f
        }),
        key("key-palettes-320x64", {
            let mut f = flat(320, 64, [0; 4]);
            for (i, n) in [1, 2, 4, 16, 17].into_iter().enumerate() {
                stripes(&mut f, rect(i as u32 * 64, 0, 64, 64), n);
            }
            f
        }),
        key("key-text-page-192x96", {
            let mut f = flat(192, 96, PAPER);
            text(&mut f, rect(0, 0, 192, 96), 7, INK);
            f
        }),
        // Deltas against the target's picture: the changed part of a
        // tile, whole tiles, glyphs.
        picture(
            "delta-keystroke",
            delta(|f| text(f, rect(WINDOW.x + 4, WINDOW.y + 96, 6, 13), 3, INK)),
        ),
        picture(
            "delta-typed-line",
            delta(|f| {
                f.fill_rect(&rect(WINDOW.x, WINDOW.y + 96, WINDOW.w, 16), PAPER);
                text(f, rect(WINDOW.x + 4, WINDOW.y + 96, 200, 13), 4, INK);
            }),
        ),
        picture("delta-page-of-glyphs", delta(new_page(5))),
        picture("delta-page-of-glyphs-again", delta(new_page(6))),
        picture(
            "delta-glyphs-wider-than-64",
            delta(|f| {
                new_page(8)(f);
                // A rule wider than any glyph: cut into pieces.
                f.fill_rect(&rect(WINDOW.x + 4, WINDOW.y + 50, 200, 2), INK);
            }),
        ),
        picture(
            "delta-fill-one-tile",
            delta(|f| f.fill_rect(&rect(64, 0, 64, 64), [0, 0, 0xc0, 0])),
        ),
        picture(
            "delta-fill-every-tile",
            delta(|f| f.fill_rect(&rect(0, 0, WIDTH, HEIGHT), [0x30, 0x60, 0x90, 0])),
        ),
        picture(
            "delta-part-one-colour",
            delta(|f| f.fill_rect(&rect(70, 20, 30, 10), [5, 5, 5, 0])),
        ),
        picture(
            "delta-part-two-colours",
            delta(|f| stripes(f, rect(130, 70, 20, 20), 2)),
        ),
        picture(
            "delta-part-four-colours",
            delta(|f| stripes(f, rect(10, 70, 40, 50), 4)),
        ),
        picture(
            "delta-part-sixteen-colours",
            delta(|f| stripes(f, rect(200, 10, 50, 50), 16)),
        ),
        picture(
            "delta-noise-one-tile",
            delta(|f| noise(f, rect(128, 64, 64, 64), 2)),
        ),
        picture(
            "delta-noise-part",
            delta(|f| noise(f, rect(3, 5, 17, 9), 3)),
        ),
        picture(
            "delta-gradient-part",
            delta(|f| gradient(f, rect(150, 30, 60, 60))),
        ),
        picture(
            "delta-noise-across-tiles",
            delta(|f| noise(f, rect(100, 40, 40, 40), 4)),
        ),
        picture(
            "delta-mixed",
            delta(|f| {
                f.fill_rect(&rect(0, 64, 64, 64), [1, 1, 1, 0]);
                noise(f, rect(70, 70, 8, 8), 5);
                stripes(f, rect(200, 0, 56, 30), 3);
                text(f, rect(WINDOW.x + 4, WINDOW.y + 2, 30, 13), 6, INK);
            }),
        ),
        // Moves: a scroll, a scroll with a new line, a window dragged
        // sideways, a move overlapping itself.
        picture(
            "delta-scroll-one-line",
            moved(rect(16, 24, 224, 96), 16, 8, |f| {
                f.fill_rect(&rect(16, 104, 224, 16), PAPER)
            }),
        ),
        picture(
            "delta-scroll-and-new-line",
            moved(rect(16, 40, 224, 80), 16, 8, |f| {
                f.fill_rect(&rect(16, 88, 224, 32), PAPER);
                text(f, rect(20, 88, 200, 26), 9, INK);
            }),
        ),
        picture(
            "delta-window-dragged-sideways",
            moved(rect(16, 8, 180, 100), 60, 20, |f| {
                // What the window no longer covers shows the desktop.
                f.fill_rect(&rect(16, 8, 44, 100), DESKTOP);
                f.fill_rect(&rect(16, 8, 180, 12), DESKTOP);
            }),
        ),
        picture(
            "delta-scroll-down-overlapping",
            moved(rect(0, 0, 256, 100), 0, 28, |f| {
                f.fill_rect(&rect(0, 0, 256, 28), DESKTOP)
            }),
        ),
        // Cursors.
        pointer("cursor-arrow-16x24", cursor(1, 16, 24, (0, 0), true), true),
        pointer("cursor-bar-9x18", cursor(2, 9, 18, (4, 9), false), true),
        pointer("cursor-big-48x48", cursor(3, 48, 48, (10, 10), true), true),
        pointer("cursor-dot-1x1", cursor(4, 1, 1, (0, 0), true), true),
        pointer(
            "cursor-moved",
            ScreenMsg::Cursor {
                pointer: Pointer {
                    x: 100,
                    y: 50,
                    serial: 1,
                },
                shape: None,
            },
            true,
        ),
        pointer(
            "cursor-hot-spot-outside",
            cursor(5, 8, 8, (8, 0), true),
            false,
        ),
        // Video: a region shown over the picture, and its end.
        video("video-region", rect(16, 8, 96, 64), 40, true),
        video("video-region-odd", rect(15, 8, 96, 64), 40, false),
        video("video-region-outside", rect(200, 8, 96, 64), 40, false),
        Seed {
            name: "video-end",
            msg: ScreenMsg::Video(VideoMsg::End {
                region: 1,
                covered_by: 3,
            }),
            outcome: Outcome::Video { valid: true },
        },
    ];
    // Refused deep inside: the pixel data is a valid zstd frame.
    let glyphs = |len: usize| Op::Glyphs {
        rect: rect(16, 8, 64, 64),
        colours: [PAPER, INK],
        len: len as u32,
    };
    let unknown_glyph = [1, 0, 8, 1, 0, 6];
    let mut outside = vec![1, 0, 8, 1, 60, 0, 8];
    outside.extend([0xff; 8]);
    seeds.extend([
        refused(
            "refused-index-beyond-palette",
            crafted(
                vec![Op::Indexed {
                    rect: rect(0, 0, 1, 1),
                    colours: vec![[0; 4], [1; 4], [2; 4]],
                }],
                &[0b1100_0000],
                2,
            ),
        ),
        refused(
            "refused-glyph-unknown",
            crafted(vec![glyphs(unknown_glyph.len())], &unknown_glyph, 2),
        ),
        refused(
            "refused-glyph-outside",
            crafted(vec![glyphs(outside.len())], &outside, 2),
        ),
        refused(
            "refused-pixels-short",
            crafted(vec![Op::Tile { index: 1 }], &[7; 100], 2),
        ),
        refused(
            "refused-copy-after-tile",
            crafted(
                vec![
                    Op::Tile { index: 0 },
                    Op::Copy {
                        src: rect(0, 0, 8, 8),
                        dst_x: 1,
                        dst_y: 1,
                    },
                ],
                &[7; 64 * 64 * 4],
                2,
            ),
        ),
        refused(
            "refused-after-a-gap",
            crafted(vec![Op::Tile { index: 0 }], &[7; 64 * 64 * 4], 3),
        ),
    ]);
    seeds
}
