//! The screen codec's refusals: every malformed update (bad sizes,
//! indices, rectangles, palettes, copies, pixel data or glyph layouts) is
//! refused without a panic and drops the picture, so the next must be a
//! keyframe; truncated and foreign bytes are refused.

use tessera_screen::{
    Capture, DecodeError, Decoder, Encoder, Frame, Op, Rect, Synthetic, Update, MAX_SIDE,
};

fn grab(s: &mut Synthetic) -> Frame {
    s.grab().expect("synthetic grab").0.clone()
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
