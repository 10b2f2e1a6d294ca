//! The screen streams' decoder: arbitrary bytes as a screen message. An
//! update is applied to a decoder that holds a picture; a cursor shape is
//! validated. Never a panic, never an allocation beyond the bounds; a
//! refused update leaves the decoder needing a keyframe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_screen::{Capture, Decoder, Encoder, ScreenMsg, Synthetic};

fuzz_target!(|data: &[u8]| {
    let update = match ScreenMsg::from_body(data) {
        Ok(ScreenMsg::Update(update)) => update,
        Ok(ScreenMsg::Cursor { shape, .. }) => {
            if let Some(shape) = shape {
                let _ = shape.validate();
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
