//! The screen codec on text: a new page travels as glyphs learnt once,
//! a scroll of text as a copy plus the new line.

use tessera_screen::{Decoder, Encoder, Frame, Op, Rect, Update};

/// Encodes, sends as bytes, decodes; asserts the decoder's picture equals
/// the source exactly. Returns the update's size on the wire.
fn roundtrip(enc: &mut Encoder, dec: &mut Decoder, frame: &Frame) -> Option<usize> {
    let update = enc.encode(frame).expect("encode")?;
    let bytes = update.to_bytes();
    let received = Update::from_bytes(&bytes).expect("parse");
    let decoded = dec.apply(&received).expect("apply");
    assert!(decoded == frame, "decoded picture differs");
    Some(bytes.len())
}

fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
    Rect { x, y, w, h }
}

/// A 640x480 white page of 6x13 cells, each showing one of 16 shapes
/// (black), chosen by `seed`: text, as a terminal draws it.
fn text_page(seed: u64) -> Frame {
    let mut frame = Frame::new(640, 480).expect("frame");
    frame.fill_rect(
        &Rect {
            x: 0,
            y: 0,
            w: 640,
            h: 480,
        },
        [255, 255, 255, 0],
    );
    let mut state = seed * 2 + 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let shapes: Vec<u64> = (0..16)
        .map(|i| 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i + 1))
        .collect();
    for row in 1..35 {
        for col in 1..100 {
            let shape = shapes[(next() % 16) as usize];
            for gy in 0..9 {
                for gx in 0..5 {
                    if shape >> (gy * 5 + gx) & 1 == 1 {
                        let dot = Rect {
                            x: col * 6 + gx,
                            y: row * 13 + 2 + gy,
                            w: 1,
                            h: 1,
                        };
                        frame.fill_rect(&dot, [0, 0, 0, 0]);
                    }
                }
            }
        }
    }
    frame
}

#[test]
fn a_new_page_of_text_travels_as_glyphs_learnt_once() {
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    roundtrip(&mut enc, &mut dec, &text_page(1)).expect("keyframe");
    let first = enc.encode(&text_page(2)).expect("encode").expect("changed");
    assert!(
        first.ops.iter().any(|op| matches!(op, Op::Glyphs { .. })),
        "a whole new page in two colours goes as glyphs"
    );
    assert!(dec.apply(&first).expect("apply") == &text_page(2));
    let second = enc.encode(&text_page(3)).expect("encode").expect("changed");
    assert!(dec.apply(&second).expect("apply") == &text_page(3));
    let (first, second) = (first.to_bytes().len(), second.to_bytes().len());
    // The same page as palettes, for comparison.
    let mut tiles = Encoder::new().expect("enc");
    tiles.set_glyphs(false);
    tiles.encode(&text_page(1)).expect("keyframe");
    let as_tiles = tiles
        .encode(&text_page(3))
        .expect("e")
        .expect("c")
        .to_bytes()
        .len();
    assert!(
        second < first && second * 3 < as_tiles,
        "page 2: {first} B, page 3 (shapes known): {second} B, as tiles: {as_tiles} B"
    );
}

#[test]
fn a_text_scroll_is_a_copy_plus_the_new_line_even_with_glyphs() {
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    let page = text_page(1);
    roundtrip(&mut enc, &mut dec, &page).expect("keyframe");
    // Scroll the text up one line; a new line appears at the bottom.
    let mut scrolled = page.clone();
    scrolled.copy_within(&rect(0, 13, 640, 467), 0, 0);
    let fresh = text_page(2);
    let mut line = Vec::new();
    fresh.read_rect(&rect(0, 442, 640, 13), &mut line);
    scrolled.write_rect(&rect(0, 442, 640, 13), &line);
    let update = enc.encode(&scrolled).expect("encode").expect("changed");
    assert!(update.ops.iter().any(|op| matches!(op, Op::Copy { .. })));
    let bytes = update.to_bytes().len();
    assert!(dec.apply(&update).expect("apply") == &scrolled);
    assert!(bytes < 1500, "a one-line scroll cost {bytes} B");
}
