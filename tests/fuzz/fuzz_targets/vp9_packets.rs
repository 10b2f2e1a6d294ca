//! A VP9 stream as the viewer will decode it (`tessera_vp9::Decoder`,
//! bounded to 640x480 here): the input is a run of packets, each a
//! little-endian u16 length then its bytes. Never a panic, never a
//! picture outside the bounds or with planes that do not fill it. Seeds
//! are real streams: a keyframe then moving frames, at two sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_vp9::Decoder;

fuzz_target!(|data: &[u8]| {
    let Ok(mut decoder) = Decoder::new(1, 640, 480) else {
        return;
    };
    let mut rest = data;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
        let Some(packet) = rest.get(2..2 + len) else {
            break;
        };
        rest = &rest[2 + len..];
        if let Ok(Some(picture)) = decoder.decode(packet) {
            assert!(picture.width <= 640 && picture.height <= 480);
            assert!(picture.is_whole());
        }
    }
});
