//! The screen streams' decoder: arbitrary bytes as a screen message. An
//! update is applied to a decoder that holds a picture; a cursor shape is
//! validated. Never a panic, never an allocation beyond the bounds; a
//! refused update leaves the decoder needing a keyframe. A video message
//! is checked, then shown over the picture (its pixels standing for what
//! the VP9 decoder, fuzzed by `vp9_packets`, would give).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_screen::{Capture, Decoder, Encoder, ScreenMsg, Synthetic, VideoLayer, VideoMsg};

fuzz_target!(|data: &[u8]| {
    let update = match ScreenMsg::from_body(data) {
        Ok(ScreenMsg::Update(update)) => update,
        Ok(ScreenMsg::Cursor { shape, .. }) => {
            if let Some(shape) = shape {
                let _ = shape.validate();
            }
            return;
        }
        Ok(ScreenMsg::Video(video)) => {
            let mut screen = Synthetic::new(256, 128).expect("screen");
            let picture = screen.grab().expect("grab").0.clone();
            let mut layer = VideoLayer::new();
            layer.lossless(&picture, 1, &[]);
            match video {
                VideoMsg::Frame(frame) => {
                    if frame.check(picture.width(), picture.height()).is_ok() {
                        let bytes = frame.rect.w as usize * frame.rect.h as usize * 4;
                        let drawn = layer.video(frame.region, frame.rect, vec![0x80; bytes]);
                        assert!(drawn.is_ok(), "a checked region is drawn");
                    }
                }
                VideoMsg::End { region, covered_by } => {
                    layer.end(region, covered_by, &picture);
                }
            }
            return;
        }
        Err(_) => return,
    };
    let mut decoder = Decoder::new().expect("decoder");
    let mut encoder = Encoder::new().expect("encoder");
    let mut screen = Synthetic::new(256, 128).expect("screen");
    let frame = screen.grab().expect("grab").0.clone();
    if let Ok(Some(key)) = encoder.encode(&frame) {
        let _ = decoder.apply(&key);
    }
    if decoder.apply(&update).is_err() {
        assert!(decoder.frame().is_none());
    }
});
