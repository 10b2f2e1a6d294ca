//! Seeds for `clip_images`: PNG files as a copy carries them.

use crate::Seeds;
use tessera_clipboard::image::{to_png, Rgba};

/// A small RGBA image, a one-pixel one, and a wide one whose rows differ,
/// as the agent and the viewer encode them.
pub fn clip_images(seeds: &mut Seeds) {
    let images = [
        ("rgba_3x2", 3, 2),
        ("one_pixel", 1, 1),
        ("wide_40x3", 40, 3),
    ];
    for (name, width, height) in images {
        let pixels = (0..width * height * 4).map(|i| (i * 37 % 256) as u8).collect();
        let image = Rgba {
            width,
            height,
            pixels,
        };
        seeds.add("clip_images", name, to_png(&image).expect("encodes"));
    }
}
