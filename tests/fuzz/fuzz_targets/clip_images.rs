//! A copied image as the receiver decodes it before its clipboard gets
//! the pixels (`tessera_clipboard::image::from_png`): never a panic,
//! never more pixels than the bounds allow, and what decodes re-encodes
//! and decodes to the same pixels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_clipboard::image::{from_png, to_png, MAX_PIXELS};

fuzz_target!(|data: &[u8]| {
    if let Ok(image) = from_png(data) {
        let pixels = u64::from(image.width) * u64::from(image.height);
        assert!(pixels <= MAX_PIXELS);
        assert_eq!(image.pixels.len() as u64, pixels * 4);
        let again = to_png(&image).expect("re-encodes");
        assert_eq!(from_png(&again).expect("decodes"), image);
    }
});
