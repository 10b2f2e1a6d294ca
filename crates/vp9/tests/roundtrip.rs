//! The encoder and decoder against each other on moving pictures: what
//! decodes is close to what was encoded, keyframes come when asked,
//! smaller frames go through an encoder made larger, and the decoder
//! refuses what is outside its bounds or is not VP9, without a panic.

use tessera_vp9::{psnr_y, Decoder, Encoder, EncoderSettings, Vp9Error, I420};

/// A picture with detail (a diagonal gradient, text-like stripes) and a
/// bright square that moves with `t`, as a video region would.
fn moving(width: u32, height: u32, t: u32) -> I420 {
    let mut f = I420::black(width, height);
    for y in 0..height {
        for x in 0..width {
            let stripe = if (x / 3 + y / 5) % 7 == 0 { 60 } else { 0 };
            let mut luma = 16 + ((x + y + t * 2) % 180) + stripe;
            let (sx, sy) = (
                (t * 7) % width.saturating_sub(40).max(1),
                (t * 3) % height.saturating_sub(40).max(1),
            );
            if (sx..sx + 40).contains(&x) && (sy..sy + 40).contains(&y) {
                luma = 235;
            }
            f.y[(y * width + x) as usize] = luma.min(235) as u8;
        }
    }
    let (cw, ch) = f.chroma_size();
    for i in 0..cw * ch {
        f.u[i] = 100 + (i % 50) as u8;
        f.v[i] = 140 - (i % 30) as u8;
    }
    f
}

fn settings(width: u32, height: u32) -> EncoderSettings {
    EncoderSettings {
        bitrate_kbps: 1500,
        ..EncoderSettings::screen(width, height)
    }
}

#[test]
fn moving_pictures_decode_close_to_the_source() {
    let (w, h) = (320, 180);
    let mut encoder = Encoder::new(&settings(w, h)).expect("encoder");
    let mut decoder = Decoder::new(2, 1920, 1080).expect("decoder");
    let mut worst = f64::INFINITY;
    for t in 0..30 {
        let source = moving(w, h, t);
        let packets = encoder
            .encode(&source, i64::from(t) * 33, false)
            .expect("encode");
        assert_eq!(packets.len(), 1, "real time: one packet a frame");
        if t == 0 {
            assert!(packets[0].key, "a stream starts with a keyframe");
        } else {
            assert!(!packets[0].key, "no keyframe unless asked");
        }
        let picture = decoder
            .decode(&packets[0].data)
            .expect("decode")
            .expect("a picture");
        assert_eq!((picture.width, picture.height), (w, h));
        if t >= 10 {
            worst = worst.min(psnr_y(&source, &picture).expect("same size"));
        }
    }
    assert!(worst >= 30.0, "PSNR {worst:.1} dB");
}

#[test]
fn a_keyframe_comes_when_asked() {
    let mut encoder = Encoder::new(&settings(160, 96)).expect("encoder");
    encoder
        .encode(&moving(160, 96, 0), 0, false)
        .expect("first");
    encoder
        .encode(&moving(160, 96, 1), 33, false)
        .expect("second");
    let asked = encoder
        .encode(&moving(160, 96, 2), 66, true)
        .expect("asked");
    assert!(asked[0].key);
    // A fresh decoder starts from it.
    let mut decoder = Decoder::new(1, 640, 480).expect("decoder");
    assert!(decoder.decode(&asked[0].data).expect("decode").is_some());
}

#[test]
fn smaller_frames_go_through_and_larger_ones_are_refused() {
    let mut encoder = Encoder::new(&settings(320, 180)).expect("encoder");
    let mut decoder = Decoder::new(1, 640, 480).expect("decoder");
    let small = moving(160, 90, 0);
    let packets = encoder.encode(&small, 0, true).expect("smaller");
    let picture = decoder
        .decode(&packets[0].data)
        .expect("decode")
        .expect("a picture");
    assert_eq!((picture.width, picture.height), (160, 90));
    // Odd sizes too.
    let odd = moving(101, 57, 1);
    let packets = encoder.encode(&odd, 33, true).expect("odd");
    let picture = decoder
        .decode(&packets[0].data)
        .expect("decode")
        .expect("a picture");
    assert_eq!((picture.width, picture.height), (101, 57));
    assert_eq!(
        encoder.encode(&moving(321, 180, 2), 66, false),
        Err(Vp9Error::Size {
            width: 321,
            height: 180
        })
    );
    let mut torn = moving(160, 90, 3);
    torn.u.pop();
    assert!(matches!(
        encoder.encode(&torn, 99, false),
        Err(Vp9Error::Encode(_))
    ));
}

#[test]
fn the_bitrate_can_change_mid_stream() {
    let mut encoder = Encoder::new(&settings(320, 180)).expect("encoder");
    encoder
        .encode(&moving(320, 180, 0), 0, false)
        .expect("first");
    encoder.set_bitrate(300).expect("lower");
    encoder
        .encode(&moving(320, 180, 1), 33, false)
        .expect("after");
}

#[test]
fn the_decoder_refuses_streams_beyond_its_bounds_and_garbage() {
    let mut encoder = Encoder::new(&settings(320, 180)).expect("encoder");
    let key = encoder.encode(&moving(320, 180, 0), 0, true).expect("key");
    let mut small = Decoder::new(1, 200, 200).expect("decoder");
    assert_eq!(
        small.decode(&key[0].data),
        Err(Vp9Error::Size {
            width: 320,
            height: 180
        })
    );
    let mut decoder = Decoder::new(1, 640, 480).expect("decoder");
    assert!(decoder.decode(&[]).is_err());
    let garbage: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert!(
        !matches!(decoder.decode(&garbage), Ok(Some(_))),
        "garbage made a picture"
    );
    // Cut short, then whole again: the decoder goes on.
    let _ = decoder.decode(&key[0].data[..key[0].data.len() / 2]);
    assert!(decoder.decode(&key[0].data).expect("decode").is_some());
}
