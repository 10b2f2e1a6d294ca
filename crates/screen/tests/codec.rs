//! The screen codec alone: pixel-exact round trips, only damage travels,
//! nothing when idle, and every malformed update refused without a panic.

use tessera_screen::{
    Capture, DecodeError, Decoder, Encoder, Frame, Op, Rect, Synthetic, Update, MAX_SIDE,
};

fn grab(s: &mut Synthetic) -> Frame {
    s.grab().expect("synthetic grab").0.clone()
}

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

#[test]
fn every_change_round_trips_pixel_exact() {
    let mut screen = Synthetic::new(1920, 1080).expect("screen");
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    roundtrip(&mut enc, &mut dec, &grab(&mut screen)).expect("keyframe");
    for _ in 0..30 {
        screen.type_char();
        roundtrip(&mut enc, &mut dec, &grab(&mut screen)).expect("delta");
    }
    screen.scroll(3);
    roundtrip(&mut enc, &mut dec, &grab(&mut screen)).expect("scroll");
    screen.noise();
    roundtrip(&mut enc, &mut dec, &grab(&mut screen)).expect("noise");
}

#[test]
fn an_idle_screen_sends_nothing() {
    let mut screen = Synthetic::new(800, 600).expect("screen");
    let mut enc = Encoder::new().expect("enc");
    assert!(enc.encode(&grab(&mut screen)).expect("encode").is_some());
    for _ in 0..10 {
        assert_eq!(enc.encode(&grab(&mut screen)).expect("encode"), None);
    }
}

#[test]
fn a_keystroke_sends_only_its_tiles() {
    let mut screen = Synthetic::new(1920, 1080).expect("screen");
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    let key = roundtrip(&mut enc, &mut dec, &grab(&mut screen)).expect("keyframe");
    screen.type_char();
    let update = enc
        .encode(&grab(&mut screen))
        .expect("encode")
        .expect("changed");
    assert!(!update.keyframe);
    assert!(
        update.ops.len() <= 2,
        "{} tiles for one glyph",
        update.ops.len()
    );
    assert!(
        update
            .ops
            .iter()
            .all(|op| matches!(op, Op::Rect { .. } | Op::Indexed { .. })),
        "only the glyph's pixels travel"
    );
    let bytes = update.to_bytes().len();
    assert!(bytes < 1000, "a keystroke cost {bytes} bytes");
    assert!(
        bytes * 50 < key,
        "a keystroke ({bytes} B) vs the keyframe ({key} B)"
    );
}

#[test]
fn a_scroll_travels_as_a_copy_plus_the_new_lines() {
    let mut screen = Synthetic::new(1920, 1080).expect("screen");
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    let mut plain = Encoder::new().expect("enc");
    plain.set_move_detection(false);
    let first = grab(&mut screen);
    roundtrip(&mut enc, &mut dec, &first).expect("keyframe");
    plain.encode(&first).expect("encode");
    screen.scroll(3);
    let scrolled = grab(&mut screen);
    let update = enc.encode(&scrolled).expect("encode").expect("changed");
    assert!(
        update.ops.iter().any(|op| matches!(op, Op::Copy { .. })),
        "no copy found"
    );
    let with_copy = update.to_bytes().len();
    let without = plain
        .encode(&scrolled)
        .expect("encode")
        .expect("changed")
        .to_bytes()
        .len();
    assert!(
        with_copy * 5 < without,
        "scroll: {with_copy} B with copies, {without} B without"
    );
    assert!(dec.apply(&update).expect("apply") == &scrolled);
}

#[test]
fn a_resolution_change_sends_a_keyframe() {
    let mut enc = Encoder::new().expect("enc");
    let mut dec = Decoder::new().expect("dec");
    roundtrip(
        &mut enc,
        &mut dec,
        &grab(&mut Synthetic::new(640, 480).expect("s")),
    )
    .expect("first");
    let bigger = grab(&mut Synthetic::new(1024, 768).expect("s"));
    let update = enc.encode(&bigger).expect("encode").expect("changed");
    assert!(update.keyframe);
    assert!(dec.apply(&update).expect("apply") == &bigger);
}

#[test]
fn copies_move_regions_before_tiles_apply() {
    let mut frame = Frame::new(128, 128).expect("frame");
    frame.fill_rect(
        &Rect {
            x: 0,
            y: 64,
            w: 128,
            h: 64,
        },
        [1, 2, 3, 0],
    );
    let mut dec = Decoder::new().expect("dec");
    let mut enc = Encoder::new().expect("enc");
    dec.apply(&enc.encode(&frame).expect("e").expect("key"))
        .expect("key");
    let scroll = Update {
        seq: 2,
        width: 128,
        height: 128,
        keyframe: false,
        captured_at_us: 0,
        ops: vec![
            Op::Copy {
                src: Rect {
                    x: 0,
                    y: 64,
                    w: 128,
                    h: 64,
                },
                dst_x: 0,
                dst_y: 0,
            },
            Op::Fill {
                index: 2,
                bgrx: [9, 9, 9, 0],
            },
            Op::Fill {
                index: 3,
                bgrx: [9, 9, 9, 0],
            },
        ],
        pixels: vec![],
    };
    let out = dec.apply(&scroll).expect("scroll");
    assert_eq!(&out.pixels()[..4], &[1, 2, 3, 0]);
    assert_eq!(&out.pixels()[out.pixels().len() - 4..], &[9, 9, 9, 0]);
}

fn decoder_with_picture() -> Decoder {
    let mut dec = Decoder::new().expect("dec");
    let mut enc = Encoder::new().expect("enc");
    let frame = grab(&mut Synthetic::new(256, 128).expect("s"));
    dec.apply(&enc.encode(&frame).expect("e").expect("key"))
        .expect("key");
    dec
}

/// Recognises the error a malformed update must produce.
type Expect = fn(&DecodeError) -> bool;

fn delta(ops: Vec<Op>) -> Update {
    with_pixels(ops, vec![])
}

fn with_pixels(ops: Vec<Op>, pixels: Vec<u8>) -> Update {
    Update {
        seq: 2,
        width: 256,
        height: 128,
        keyframe: false,
        captured_at_us: 0,
        ops,
        pixels,
    }
}

fn rect(x: u32, y: u32, w: u32, h: u32) -> Rect {
    Rect { x, y, w, h }
}

#[test]
fn malformed_updates_are_refused_and_need_a_keyframe() {
    let bomb = zstd::bulk::compress(&vec![0u8; 64 * 64 * 4 * 16], 1).expect("zstd");
    let short = zstd::bulk::compress(&[0u8; 100], 1).expect("zstd");
    let cases: Vec<(&str, Update, Expect)> = vec![
        (
            "tile out of range",
            delta(vec![Op::Fill {
                index: 8,
                bgrx: [0; 4],
            }]),
            |e| matches!(e, DecodeError::NoSuchTile { index: 8, .. }),
        ),
        (
            "corrupt zstd",
            with_pixels(vec![Op::Tile { index: 0 }], vec![1, 2, 3]),
            |e| matches!(e, DecodeError::BadPixels(16384)),
        ),
        (
            "decompression bomb",
            with_pixels(vec![Op::Tile { index: 0 }], bomb),
            |e| matches!(e, DecodeError::BadPixels(_)),
        ),
        (
            "pixels shorter than the tiles",
            with_pixels(vec![Op::Tile { index: 1 }], short.clone()),
            |e| matches!(e, DecodeError::BadPixels(_)),
        ),
        (
            "pixels without an operation that takes them",
            with_pixels(vec![], short),
            |e| matches!(e, DecodeError::BadPixels(0)),
        ),
        (
            "an empty palette",
            delta(vec![Op::Indexed {
                rect: rect(0, 0, 8, 8),
                colours: vec![],
            }]),
            |e| matches!(e, DecodeError::BadPalette { colours: 0, .. }),
        ),
        (
            "a palette of 17 colours",
            delta(vec![Op::Indexed {
                rect: rect(0, 0, 8, 8),
                colours: vec![[0; 4]; 17],
            }]),
            |e| matches!(e, DecodeError::BadPalette { colours: 17, .. }),
        ),
        (
            "an index beyond its palette",
            with_pixels(
                vec![Op::Indexed {
                    rect: rect(0, 0, 1, 1),
                    colours: vec![[0; 4], [1; 4], [2; 4]],
                }],
                zstd::bulk::compress(&[0b1100_0000], 1).expect("zstd"),
            ),
            |e| matches!(e, DecodeError::BadPalette { colours: 3, .. }),
        ),
        (
            "copy overflowing u32",
            delta(vec![Op::Copy {
                src: Rect {
                    x: u32::MAX,
                    y: 0,
                    w: 2,
                    h: 2,
                },
                dst_x: 0,
                dst_y: 0,
            }]),
            |e| matches!(e, DecodeError::BadCopy { .. }),
        ),
        (
            "copy off the picture",
            delta(vec![Op::Copy {
                src: Rect {
                    x: 0,
                    y: 0,
                    w: 10,
                    h: 10,
                },
                dst_x: 250,
                dst_y: 0,
            }]),
            |e| matches!(e, DecodeError::BadCopy { .. }),
        ),
        (
            "copy after a tile",
            delta(vec![
                Op::Fill {
                    index: 0,
                    bgrx: [0; 4],
                },
                Op::Copy {
                    src: Rect {
                        x: 0,
                        y: 0,
                        w: 1,
                        h: 1,
                    },
                    dst_x: 1,
                    dst_y: 1,
                },
            ]),
            |e| matches!(e, DecodeError::CopyAfterTile),
        ),
        (
            "rectangle larger than a tile",
            delta(vec![Op::Rect {
                rect: rect(0, 0, 65, 64),
            }]),
            |e| matches!(e, DecodeError::BadRect(_)),
        ),
        (
            "rectangle off the picture",
            delta(vec![Op::Rect {
                rect: rect(250, 0, 10, 10),
            }]),
            |e| matches!(e, DecodeError::BadRect(_)),
        ),
        (
            "empty rectangle",
            delta(vec![Op::Rect {
                rect: rect(0, 0, 0, 5),
            }]),
            |e| matches!(e, DecodeError::BadRect(_)),
        ),
        (
            "too many operations",
            delta(vec![
                Op::Fill {
                    index: 0,
                    bgrx: [0; 4]
                };
                300
            ]),
            |e| matches!(e, DecodeError::TooManyOps(300)),
        ),
        (
            "delta for another size",
            Update {
                width: 100,
                ..delta(vec![])
            },
            |e| matches!(e, DecodeError::NeedKeyframe { .. }),
        ),
        (
            "absurd size",
            Update {
                width: MAX_SIDE + 1,
                keyframe: true,
                ..delta(vec![])
            },
            |e| matches!(e, DecodeError::Size(_)),
        ),
        (
            "empty size",
            Update {
                height: 0,
                keyframe: true,
                ..delta(vec![])
            },
            |e| matches!(e, DecodeError::Size(_)),
        ),
    ];
    for (what, update, expected) in cases {
        let mut dec = decoder_with_picture();
        let err = dec
            .apply(&update)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(expected(&err), "{what}: {err}");
        assert!(!err.to_string().is_empty());
        assert!(
            dec.frame().is_none(),
            "{what}: a failed update must drop the picture"
        );
        let again = dec.apply(&delta(vec![])).err();
        assert!(
            matches!(again, Some(DecodeError::NeedKeyframe { .. })),
            "{what}"
        );
    }
}

#[test]
fn an_op_list_too_long_for_any_picture_is_refused_while_decoding() {
    let flood = Update {
        ops: vec![
            Op::Fill {
                index: 0,
                bgrx: [0; 4]
            };
            tessera_screen::MAX_OPS + 1
        ],
        ..delta(vec![])
    };
    let bytes = flood.to_bytes();
    assert!(matches!(
        Update::from_bytes(&bytes),
        Err(DecodeError::Wire(_))
    ));
}

#[test]
fn truncated_and_foreign_bytes_are_refused() {
    let mut enc = Encoder::new().expect("enc");
    let bytes = enc
        .encode(&grab(&mut Synthetic::new(64, 64).expect("s")))
        .expect("e")
        .expect("key")
        .to_bytes();
    for cut in [0, 3, 4, 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(Update::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut other_version = bytes.clone();
    other_version[4] = 9;
    assert!(matches!(
        Update::from_bytes(&other_version),
        Err(DecodeError::Wire(_))
    ));
    let mut huge = bytes;
    huge[..4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        Update::from_bytes(&huge),
        Err(DecodeError::Wire(_))
    ));
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
fn glyphs_naming_unknown_shapes_or_leaving_their_area_are_refused() {
    let zstd = |b: &[u8]| zstd::bulk::compress(b, 1).expect("zstd");
    let glyphs = |len| Op::Glyphs {
        rect: rect(0, 0, 64, 64),
        colours: [[255; 4], [0; 4]],
        len,
    };
    // One band at row 0, 8 high, one glyph naming cache entry 5.
    let unknown = [1, 0, 8, 1, 0, 6];
    // One band 70 high: taller than any glyph.
    let tall = [1, 0, 70, 0];
    // A new 8x8 glyph at column 60: past the area's right edge.
    let mut outside = vec![1, 0, 8, 1, 60, 0, 8];
    outside.extend([0xff; 8]);
    for (what, layout) in [
        ("unknown", &unknown[..]),
        ("tall", &tall[..]),
        ("outside", &outside[..]),
    ] {
        let mut dec = decoder_with_picture();
        let update = with_pixels(vec![glyphs(layout.len() as u32)], zstd(layout));
        let err = dec.apply(&update).err();
        assert!(
            matches!(err, Some(DecodeError::BadGlyphs(..))),
            "{what}: {err:?}"
        );
        assert!(dec.frame().is_none());
    }
    let mut dec = decoder_with_picture();
    let too_long = with_pixels(vec![glyphs(64 * 64 * 4 + 1)], vec![]);
    assert!(matches!(
        dec.apply(&too_long),
        Err(DecodeError::BadPixels(_))
    ));
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

#[test]
fn a_delta_after_a_gap_needs_a_keyframe() {
    let mut dec = decoder_with_picture(); // at update 1
    let gap = Update {
        seq: 3,
        ..delta(vec![])
    };
    assert!(matches!(
        dec.apply(&gap),
        Err(DecodeError::NeedKeyframe { .. })
    ));
    assert!(dec.frame().is_none());
}

#[test]
fn hostile_glyph_areas_are_bounded() {
    let zstd = |b: &[u8]| zstd::bulk::compress(b, 1).expect("zstd");
    let whole = |len| Op::Glyphs {
        rect: rect(0, 0, 256, 128),
        colours: [[255; 4], [0; 4]],
        len,
    };
    // Two glyph areas: more drawing than the picture; refused.
    let mut dec = decoder_with_picture();
    let two = with_pixels(vec![whole(1), whole(1)], zstd(&[0, 0]));
    assert!(matches!(dec.apply(&two), Err(DecodeError::BadPixels(_))));
    // A band skip of u32::MAX rows must not wrap back into the area.
    let mut dec = decoder_with_picture();
    let layout = [1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 1, 0, 0, 1, 0x80];
    let wrap = with_pixels(vec![whole(layout.len() as u32)], zstd(&layout));
    assert!(matches!(dec.apply(&wrap), Err(DecodeError::BadGlyphs(..))));
    // A varint past u32 is refused, not truncated.
    let mut dec = decoder_with_picture();
    let layout = [0xff, 0xff, 0xff, 0xff, 0x7f];
    let long = with_pixels(vec![whole(layout.len() as u32)], zstd(&layout));
    assert!(matches!(dec.apply(&long), Err(DecodeError::BadGlyphs(..))));
}
