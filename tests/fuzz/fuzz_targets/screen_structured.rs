//! The screen codec end to end on pictures the fuzzer draws: the bytes
//! are a picture (a size, a flat colour or the synthetic desktop) and a
//! list of edits (fills in a few colours, text, noise, gradients, scrolls,
//! moves anywhere, keyframe requests, the glyph and move options), sent
//! with or without the damage a capture would report; after every update,
//! encoded, framed, parsed and decoded, the decoder's picture must equal
//! the source pixel for pixel. Unlike `screen_updates`, which feeds the
//! decoder hostile bytes, this finds the encoder and the decoder
//! disagreeing on a valid stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_screen::{Capture, Damage, Decoder, Encoder, Frame, Rect, Synthetic, Update};

/// Largest picture drawn: tall enough for four tile rows (moves are
/// looked for only in columns of three damaged tiles or more), small
/// enough to encode hundreds of times a second.
const MAX_W: u32 = 200;
const MAX_H: u32 = 200;

/// The fuzzer's bytes, read as numbers; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    fn u16(&mut self) -> u32 {
        u32::from(self.u8()) << 8 | u32::from(self.u8())
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: u32) -> u32 {
        self.u16() % n
    }

    /// A rectangle inside a `width` x `height` picture, never empty.
    fn rect(&mut self, width: u32, height: u32) -> Rect {
        let x = self.below(width);
        let y = self.below(height);
        let w = 1 + self.below(width - x);
        let h = 1 + self.below(height - y);
        Rect { x, y, w, h }
    }

    /// One of a few colours, so that areas come out as palettes and
    /// glyphs as often as raw pixels.
    fn colour(&mut self) -> [u8; 4] {
        const COLOURS: [[u8; 4]; 6] = [
            [0xff, 0xff, 0xff, 0],
            [0x20, 0x20, 0x20, 0],
            [0x80, 0x50, 0x30, 0],
            [0, 0, 0xc0, 0],
            [0x10, 0xa0, 0x10, 0],
            [0, 0, 0, 0],
        ];
        COLOURS[usize::from(self.u8()) % COLOURS.len()]
    }
}

/// Encodes `frame` (looking only at `damage` when given, as after a
/// capture's report), sends it as bytes, decodes, and checks the
/// decoder's picture is `frame`.
fn send(enc: &mut Encoder, dec: &mut Decoder, frame: &Frame, damage: Option<Vec<Rect>>) {
    let update = match damage {
        Some(rects) => enc.encode_damage(frame, &Damage::Rects(rects)),
        None => enc.encode(frame),
    };
    if let Some(update) = update.expect("encode") {
        let parsed = Update::from_bytes(&update.to_bytes()).expect("parse our own update");
        assert_eq!(parsed, update, "framing changed the update");
        dec.apply(&parsed).expect("apply our own update");
    }
    assert!(
        dec.frame() == Some(frame),
        "decoded picture differs from the source"
    );
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    // Zeros (or no bytes) give the largest synthetic desktop, where a
    // scroll of a few bytes already exercises the search for moves.
    let width = MAX_W - bytes.below(MAX_W);
    let height = MAX_H - bytes.below(MAX_H);
    let all = Rect {
        x: 0,
        y: 0,
        w: width,
        h: height,
    };
    let mut frame = match bytes.u8() % 2 {
        // A desktop with a window of text: something to scroll and move.
        0 => {
            let mut screen = Synthetic::new(width, height).expect("in range");
            screen.grab().expect("synthetic grab").0.clone()
        }
        _ => {
            let mut frame = Frame::new(width, height).expect("in range");
            frame.fill_rect(&all, bytes.colour());
            frame
        }
    };
    let mut enc = Encoder::new().expect("encoder");
    let mut dec = Decoder::new().expect("decoder");
    send(&mut enc, &mut dec, &frame, None);
    // What changed since the last update, as a capture would report it.
    let mut damage = Vec::new();
    while !bytes.0.is_empty() {
        match bytes.u8() % 11 {
            0 => {
                let (area, colour) = (bytes.rect(width, height), bytes.colour());
                frame.fill_rect(&area, colour);
                damage.push(area);
            }
            1 => {
                // Text: 8x16 cells of dots from a 64-bit shape, in one ink.
                let area = bytes.rect(width, height);
                let (ink, shape) = (bytes.colour(), u64::from(bytes.u16()) * 0x9e37_79b9);
                for y in area.y..area.y + area.h {
                    for x in area.x..area.x + area.w {
                        let bit = (y % 16 / 2) * 8 + x % 8;
                        if y % 16 < 14 && x % 8 < 6 && shape >> bit & 1 == 1 {
                            frame.fill_rect(&Rect { x, y, w: 1, h: 1 }, ink);
                        }
                    }
                }
                damage.push(area);
            }
            2 => {
                let area = bytes.rect(width, height);
                let mut state = u64::from(bytes.u16()) | 1;
                let mut pixels = Vec::with_capacity((area.w * area.h * 4) as usize);
                for _ in 0..area.w * area.h {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let [b, g, r, ..] = state.to_le_bytes();
                    pixels.extend([b, g, r, 0]);
                }
                frame.write_rect(&area, &pixels);
                damage.push(area);
            }
            3 => {
                let area = bytes.rect(width, height);
                let step = u32::from(1 + bytes.u8());
                let mut pixels = Vec::with_capacity((area.w * area.h * 4) as usize);
                for y in 0..area.h {
                    for x in 0..area.w {
                        pixels.extend([(x * step) as u8, y as u8, (x + y) as u8, 0]);
                    }
                }
                frame.write_rect(&area, &pixels);
                damage.push(area);
            }
            4 => {
                // A scroll of the whole picture, up or down.
                let dy = 1 + u32::from(bytes.u8()) % height;
                if dy < height {
                    let band = Rect {
                        y: 0,
                        h: height - dy,
                        ..all
                    };
                    match bytes.u8() % 2 {
                        0 => frame.copy_within(&Rect { y: dy, ..band }, 0, 0),
                        _ => frame.copy_within(&band, 0, dy),
                    }
                    damage.push(all);
                }
            }
            5 => {
                // A move anywhere (a window dragged).
                let src = bytes.rect(width, height);
                let dst_x = bytes.below(width - src.w + 1);
                let dst_y = bytes.below(height - src.h + 1);
                frame.copy_within(&src, dst_x, dst_y);
                damage.push(Rect {
                    x: dst_x,
                    y: dst_y,
                    ..src
                });
            }
            6 => {
                send(&mut enc, &mut dec, &frame, None);
                damage.clear();
            }
            7 => send(
                &mut enc,
                &mut dec,
                &frame,
                Some(std::mem::take(&mut damage)),
            ),
            8 => enc.request_keyframe(),
            9 => enc.set_glyphs(bytes.u8() % 2 == 0),
            _ => enc.set_move_detection(bytes.u8() % 2 == 0),
        }
    }
    send(&mut enc, &mut dec, &frame, None);
});
