//! The screen codec's round trips: every picture is rebuilt pixel-exact,
//! only damage travels, nothing when idle, scrolls as copies, a resize as
//! a keyframe.

use tessera_screen::{Capture, Decoder, Encoder, Frame, Op, Rect, Synthetic, Update};

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

/// What a viewer that redraws only the changed areas shows: its own copy
/// of the picture, into which only `changed_areas` are copied.
fn redraw_changed(shown: &mut Frame, update: &Update, decoded: &Frame) {
    let mut pixels = Vec::new();
    for area in update.changed_areas() {
        decoded.read_rect(&area, &mut pixels);
        shown.write_rect(&area, &pixels);
    }
}

#[test]
fn redrawing_only_the_changed_areas_shows_the_whole_picture() {
    let mut screen = Synthetic::new(1280, 720).expect("screen");
    let (mut enc, mut dec) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    let mut shown = Frame::new(1280, 720).expect("frame");
    let mut step = |screen: &mut Synthetic, shown: &mut Frame| {
        let frame = grab(screen);
        let update = enc.encode(&frame).expect("encode").expect("changed");
        let decoded = dec.apply(&update).expect("apply");
        redraw_changed(shown, &update, decoded);
        assert!(*shown == frame, "the redrawn picture differs");
        update
    };
    assert!(step(&mut screen, &mut shown).keyframe);
    for _ in 0..20 {
        screen.type_char();
        let update = step(&mut screen, &mut shown);
        assert!(update.changed_areas().iter().all(|a| a.w * a.h <= 64 * 64));
    }
    screen.scroll(3);
    step(&mut screen, &mut shown);
    screen.noise();
    step(&mut screen, &mut shown);
}
