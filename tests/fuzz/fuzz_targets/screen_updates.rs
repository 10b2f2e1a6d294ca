//! The screen decoder: arbitrary bytes as an update, applied to a decoder
//! that holds a picture. Never a panic, never an allocation beyond the
//! bounds; a refused update leaves the decoder needing a keyframe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_screen::{Capture, Decoder, Encoder, Synthetic, Update};

fuzz_target!(|data: &[u8]| {
    let Ok(update) = Update::from_body(data) else { return };
    let mut decoder = Decoder::new().expect("decoder");
    let mut encoder = Encoder::new().expect("encoder");
    let mut screen = Synthetic::new(256, 128).expect("screen");
    let frame = screen.grab().expect("grab").clone();
    if let Ok(Some(key)) = encoder.encode(&frame) {
        let _ = decoder.apply(&key);
    }
    if decoder.apply(&update).is_err() {
        assert!(decoder.frame().is_none());
    }
});
