//! The seed corpus of the fuzz target `screen_updates`
//! (`tests/fuzz/corpus/screen_updates/*.seed`): real messages from the real
//! encoder, so that a short fuzz run starts inside the decoder's pixel
//! paths (palettes, glyphs, tiles, rectangles, copies), which only a valid
//! zstd frame of the right length reaches.
//!
//! The target applies a keyframe of a 256x128 `Synthetic` screen, then
//! the message; deltas here are made against that same picture, as its
//! second update, so they are accepted. Each seed is a message body as the
//! target reads it (`ScreenMsg::from_body`: no length prefix).
//!
//! The tests check that the committed seeds still decode, through the
//! target's own steps, to the picture they were made for, and that
//! together they reach every operation. To write them again (after a
//! format change):
//!
//! ```text
//! TESSERA_WRITE_CORPUS=$PWD/tests/fuzz/corpus/screen_updates \
//!     cargo test -p tessera-screen --test fuzz_corpus
//! ```

mod seeds;

use seeds::{base, seeds, Outcome};
use std::path::{Path, PathBuf};
use tessera_screen::{DecodeError, Decoder, Encoder, Op, ScreenMsg, VideoLayer, VideoMsg};

/// A video message shown over the target's picture, as the target does
/// (the pixels stand for what the VP9 decoder would give); whether it
/// could be.
fn show(video: VideoMsg) -> bool {
    let picture = base();
    let mut layer = VideoLayer::new();
    layer.lossless(&picture, 1, &[]);
    match video {
        VideoMsg::Frame(frame) => {
            if frame.check(picture.width(), picture.height()).is_err() {
                return false;
            }
            let pixels = vec![0x80; frame.rect.w as usize * frame.rect.h as usize * 4];
            layer.video(frame.region, frame.rect, pixels).is_ok()
        }
        VideoMsg::End { region, covered_by } => {
            layer.end(region, covered_by, &picture);
            true
        }
    }
}

/// The steps of `tests/fuzz/fuzz_targets/screen_updates.rs`, with what
/// came of them; `Err` when the body does not even parse.
fn as_the_target_does(body: &[u8]) -> Result<Outcome, DecodeError> {
    let update = match ScreenMsg::from_body(body)? {
        ScreenMsg::Update(update) => update,
        ScreenMsg::Cursor { shape, .. } => {
            let valid = shape.is_none_or(|s| s.validate().is_ok());
            return Ok(Outcome::Cursor { valid });
        }
        ScreenMsg::Video(video) => return Ok(Outcome::Video { valid: show(video) }),
    };
    let mut decoder = Decoder::new().expect("decoder");
    let mut encoder = Encoder::new().expect("encoder");
    let key = encoder.encode(&base()).expect("encode").expect("keyframe");
    decoder.apply(&key).expect("the target's keyframe");
    Ok(match decoder.apply(&update) {
        Ok(frame) => Outcome::Picture(frame.clone()),
        Err(_) => {
            assert!(decoder.frame().is_none(), "a refusal keeps no picture");
            Outcome::Refused
        }
    })
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz/corpus/screen_updates")
}

/// Which operation kinds a message carries, by name.
fn op_kinds(msg: &ScreenMsg) -> Vec<&'static str> {
    let ScreenMsg::Update(update) = msg else {
        return vec![];
    };
    let kind = |op: &Op| match op {
        Op::Tile { .. } => "Tile",
        Op::Fill { .. } => "Fill",
        Op::Copy { .. } => "Copy",
        Op::Rect { .. } => "Rect",
        Op::Indexed { colours, .. } => match colours.len() {
            1 => "Indexed/1",
            2 => "Indexed/2",
            3..=4 => "Indexed/4",
            _ => "Indexed/16",
        },
        Op::Glyphs { .. } => "Glyphs",
    };
    update.ops.iter().map(kind).collect()
}

fn check(name: &str, body: &[u8], want: &Outcome) {
    let got = as_the_target_does(body).unwrap_or_else(|e| panic!("{name}: {e}"));
    match (&got, want) {
        (Outcome::Picture(got), Outcome::Picture(want)) => {
            assert!(got == want, "{name}: decoded picture differs")
        }
        (Outcome::Refused, Outcome::Refused) => {}
        (Outcome::Cursor { valid: a }, Outcome::Cursor { valid: b })
        | (Outcome::Video { valid: a }, Outcome::Video { valid: b }) => {
            assert_eq!(a, b, "{name}")
        }
        _ => panic!("{name}: {got:?}, expected {want:?}"),
    }
}

#[test]
fn the_seeds_decode_as_made_and_reach_every_operation() {
    let seeds = seeds();
    let write = std::env::var_os("TESSERA_WRITE_CORPUS").map(PathBuf::from);
    if let Some(dir) = &write {
        std::fs::create_dir_all(dir).expect("corpus directory");
    }
    let mut reached: Vec<&str> = Vec::new();
    let mut total = 0;
    for seed in &seeds {
        let bytes = seed.msg.to_bytes();
        let body = &bytes[tessera_proto::frame::LENGTH_PREFIX..];
        total += body.len();
        check(seed.name, body, &seed.outcome);
        if matches!(seed.outcome, Outcome::Picture(_)) {
            reached.extend(op_kinds(&seed.msg));
        }
        if let Some(dir) = &write {
            std::fs::write(dir.join(format!("{}.seed", seed.name)), body).expect("write seed");
            let kinds = op_kinds(&seed.msg).join(" ");
            println!("{}: {} bytes; {kinds}", seed.name, body.len());
        }
    }
    for kind in [
        "Tile",
        "Fill",
        "Copy",
        "Rect",
        "Indexed/1",
        "Indexed/2",
        "Indexed/4",
        "Indexed/16",
        "Glyphs",
    ] {
        assert!(reached.contains(&kind), "no accepted seed carries {kind}");
    }
    assert!(
        (20..=60).contains(&seeds.len()) && total < 2 << 20,
        "{} seeds, {total} bytes",
        seeds.len()
    );
}

#[test]
fn the_committed_corpus_is_every_seed_and_still_decodes() {
    let dir = corpus_dir();
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".seed"))
        .collect();
    committed.sort();
    let seeds = seeds();
    let mut made: Vec<String> = seeds.iter().map(|s| format!("{}.seed", s.name)).collect();
    made.sort();
    assert_eq!(
        committed, made,
        "write the corpus again (see the module doc)"
    );
    for seed in &seeds {
        let body = std::fs::read(dir.join(format!("{}.seed", seed.name))).expect("read seed");
        check(seed.name, &body, &seed.outcome);
    }
}
