//! What VP9 costs the agent and the viewer per frame, on moving
//! pictures: BGRX to I420 at 1080p, encoding a 960x540 video region and
//! a 1080p frame at speed 8 (two threads, screen tuning), and decoding
//! the 960x540 one. Run: `cargo bench -p tessera-vp9 --bench vp9`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tessera_vp9::{bgrx_to_i420, Decoder, Encoder, EncoderSettings, I420};

/// A moving BGRX picture: a gradient that slides with `t`.
fn bgrx(width: u32, height: u32, t: u32) -> Vec<u8> {
    (0..height)
        .flat_map(|y| {
            (0..width).flat_map(move |x| {
                let v = ((x + y + t * 5) % 256) as u8;
                [v, v.wrapping_mul(3), 255 - v, 0]
            })
        })
        .collect()
}

fn frames(width: u32, height: u32, count: u32) -> Vec<I420> {
    (0..count)
        .map(|t| {
            let mut out = I420::black(1, 1);
            bgrx_to_i420(width, height, &bgrx(width, height, t), width * 4, &mut out)
                .expect("convert");
            out
        })
        .collect()
}

fn convert(c: &mut Criterion) {
    let pixels = bgrx(1920, 1080, 0);
    let mut out = I420::black(1920, 1080);
    c.bench_function("bgrx_to_i420_1080p", |b| {
        b.iter(|| bgrx_to_i420(1920, 1080, black_box(&pixels), 1920 * 4, &mut out).expect("ok"))
    });
}

fn encode(c: &mut Criterion) {
    for (name, w, h, kbps) in [
        ("encode_540p", 960, 540, 1500),
        ("encode_1080p", 1920, 1080, 4000),
    ] {
        let pictures = frames(w, h, 30);
        let mut encoder = Encoder::new(&EncoderSettings {
            bitrate_kbps: kbps,
            ..EncoderSettings::screen(w, h)
        })
        .expect("encoder");
        let mut t = 0usize;
        c.bench_function(name, |b| {
            b.iter(|| {
                let p = &pictures[t % pictures.len()];
                t += 1;
                encoder.encode(p, t as i64 * 33, false).expect("encode")
            })
        });
    }
}

fn decode(c: &mut Criterion) {
    let pictures = frames(960, 540, 30);
    let mut encoder = Encoder::new(&EncoderSettings::screen(960, 540)).expect("encoder");
    let packets: Vec<Vec<u8>> = pictures
        .iter()
        .enumerate()
        .flat_map(|(t, p)| encoder.encode(p, t as i64 * 33, false).expect("encode"))
        .map(|p| p.data)
        .collect();
    c.bench_function("decode_540p_30_frames", |b| {
        b.iter(|| {
            let mut decoder = Decoder::new(2, 1920, 1080).expect("decoder");
            for p in &packets {
                black_box(decoder.decode(p).expect("decode"));
            }
        })
    });
}

criterion_group!(benches, convert, encode, decode);
criterion_main!(benches);
