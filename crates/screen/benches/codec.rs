//! Per-1080p-frame cost of damage detection, encoding and decoding, for
//! the four workloads of the screen issue: a full text screen (keyframe),
//! one keystroke, a page scroll, and full-screen noise.
//! Run: `cargo bench -p tessera-screen`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tessera_screen::{damaged_tiles, Capture, Decoder, Encoder, Frame, Synthetic, Update};

/// A before/after pair of frames for one workload.
fn workload(name: &str) -> (Frame, Frame) {
    let mut screen = Synthetic::new(1920, 1080).expect("screen");
    let before = screen.grab().expect("grab").0.clone();
    match name {
        "keystroke" => screen.type_char(),
        "scroll_page" => screen.scroll(40),
        "noise" => screen.noise(),
        _ => {}
    }
    (before, screen.grab().expect("grab").0.clone())
}

/// The update from `before` to `after` (a keyframe of `after` for the text
/// screen).
fn update(name: &str, before: &Frame, after: &Frame) -> Update {
    let mut enc = Encoder::new().expect("encoder");
    if name != "text_screen" {
        enc.encode(before).expect("encode");
    }
    enc.encode(after).expect("encode").expect("changed")
}

fn bench(c: &mut Criterion) {
    for name in ["text_screen", "keystroke", "scroll_page", "noise"] {
        let (before, after) = workload(name);
        let mut group = c.benchmark_group(name);
        group.sample_size(20);
        group.bench_function("damage", |b| {
            b.iter(|| black_box(damaged_tiles(&before, &after)))
        });
        group.bench_function("encode", |b| {
            b.iter_batched(
                || {
                    let mut enc = Encoder::new().expect("encoder");
                    if name != "text_screen" {
                        enc.encode(&before).expect("encode");
                    }
                    enc
                },
                |mut enc| black_box(enc.encode(&after).expect("encode")),
                criterion::BatchSize::LargeInput,
            )
        });
        let up = update(name, &before, &after);
        let key = if up.keyframe {
            None
        } else {
            Some(update("text_screen", &before, &before))
        };
        group.bench_function("decode", |b| {
            b.iter_batched(
                || {
                    let mut dec = Decoder::new().expect("decoder");
                    if let Some(key) = &key {
                        dec.apply(key).expect("keyframe");
                    }
                    dec
                },
                |mut dec| black_box(dec.apply(&up).map(|f| f.width()).expect("decode")),
                criterion::BatchSize::LargeInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
