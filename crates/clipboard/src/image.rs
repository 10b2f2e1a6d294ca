//! Copied images between the clipboard's pixels and the PNG bytes that
//! cross: encoded where a copy is read, decoded (with bounds) before a
//! received copy reaches the clipboard. A PNG from the network is never
//! handed on as it came: only pixels this decoder produced are.

use std::io::Cursor;
use tessera_proto::clipboard::{Clip, ClipKind};
use tokio::sync::mpsc;

/// Most pixels an image may have either way (8192 x 4096, two 4K
/// screens side by side); its RGBA then takes at most 128 MiB.
pub const MAX_PIXELS: u64 = 8192 * 4096;
/// Widest or tallest side.
pub const MAX_SIDE: u32 = 16_384;

/// An image as the clipboard holds it: 8-bit RGBA, row by row.
#[derive(Clone, PartialEq, Eq)]
pub struct Rgba {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Rgba {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgba({}x{})", self.width, self.height)
    }
}

impl Rgba {
    /// What the no-echo check compares: the pixels and their shape, as
    /// the same picture read back may be encoded differently.
    pub fn identity(&self) -> [u8; 32] {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&self.width.to_be_bytes());
        ctx.update(&self.height.to_be_bytes());
        ctx.update(&self.pixels);
        let mut hash = [0; 32];
        hash.copy_from_slice(ctx.finish().as_ref());
        hash
    }
}

/// Why an image cannot cross.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Larger than [`MAX_PIXELS`] or [`MAX_SIDE`], or empty.
    #[error(
        "an image of {width}x{height} pixels (at most {MAX_SIDE} a side and {MAX_PIXELS} in all)"
    )]
    Size {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// Pixels that are not `width * height * 4` bytes.
    #[error("an image whose pixels do not fill it")]
    Shape,
    /// Not a PNG file this decoder can read.
    #[error("a copied image that is not a readable PNG file: {0}")]
    Png(String),
}

fn check_size(width: u32, height: u32) -> Result<u64, ImageError> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(ImageError::Size { width, height });
    }
    Ok(pixels)
}

/// Encodes `image` as PNG (fast compression: a copy is sent once).
pub fn to_png(image: &Rgba) -> Result<Vec<u8>, ImageError> {
    let pixels = check_size(image.width, image.height)?;
    if image.pixels.len() as u64 != pixels * 4 {
        return Err(ImageError::Shape);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let png_error = |e: png::EncodingError| ImageError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&image.pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

/// Decodes a PNG file's bytes into RGBA, refusing an image larger than
/// the bounds before its pixels are allocated, and any decoding error.
pub fn from_png(bytes: &[u8]) -> Result<Rgba, ImageError> {
    let png_error = |e: png::DecodingError| ImageError::Png(e.to_string());
    let limits = png::Limits {
        bytes: (MAX_PIXELS * 8) as usize, // room for 16-bit RGBA before it is narrowed
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    let header = decoder.read_header_info().map_err(png_error)?;
    let pixels = check_size(header.width, header.height)?;
    let mut reader = decoder.read_info().map_err(png_error)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| ImageError::Png("an image too large to hold".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(png_error)?;
    let (width, height) = (frame.width, frame.height);
    if u64::from(width) * u64::from(height) != pixels {
        return Err(ImageError::Shape);
    }
    if frame.buffer_size() > buf.len() {
        return Err(ImageError::Shape);
    }
    buf.truncate(frame.buffer_size());
    let data = &buf;
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => data.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::GrayscaleAlpha => data
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Indexed => return Err(ImageError::Png("a palette left unexpanded".into())),
    };
    if rgba.len() as u64 != pixels * 4 {
        return Err(ImageError::Shape);
    }
    Ok(Rgba {
        width,
        height,
        pixels: rgba,
    })
}

/// The other side's copies as they arrive (`tessera_net::clip_streams`),
/// with every image decoded once, off the runtime's threads, before it is
/// handed on: an image that does not decode is the sender's error (an
/// honest sender only sends PNGs it encoded), reported as such, so the
/// session never tells its person of a copy that cannot be put there.
pub fn decodable(
    mut copies: mpsc::Receiver<Result<Clip, String>>,
) -> mpsc::Receiver<Result<Clip, String>> {
    let (out, out_rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(copy) = copies.recv().await {
            let checked = match copy {
                Ok(clip) if clip.kind == ClipKind::Png => {
                    let bytes = clip.bytes().to_vec();
                    match tokio::task::spawn_blocking(move || from_png(&bytes)).await {
                        Ok(Ok(_)) => Ok(clip),
                        Ok(Err(e)) => Err(format!("a copied image that does not decode: {e}")),
                        Err(_) => Err("a copied image could not be checked".to_string()),
                    }
                }
                other => other,
            };
            if out.send(checked).await.is_err() {
                return;
            }
        }
    });
    out_rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(width: u32, height: u32) -> Rgba {
        let pixels = (0..width * height)
            .flat_map(|i| {
                [
                    (i % 251) as u8,
                    (i / 7 % 256) as u8,
                    0x40,
                    0xff - (i % 3) as u8,
                ]
            })
            .collect();
        Rgba {
            width,
            height,
            pixels,
        }
    }

    #[test]
    fn an_image_crosses_pixel_exact() {
        let image = checker(37, 19);
        let png = to_png(&image).unwrap();
        assert!(png.starts_with(&tessera_proto::clipboard::PNG_SIGNATURE));
        assert_eq!(from_png(&png).unwrap(), image);
    }

    #[test]
    fn rgb_and_grey_images_become_opaque_rgba() {
        for (color, channels) in [(png::ColorType::Rgb, 3), (png::ColorType::Grayscale, 1)] {
            let mut out = Vec::new();
            let mut encoder = png::Encoder::new(&mut out, 2, 1);
            encoder.set_color(color);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&vec![9u8; 2 * channels]).unwrap();
            writer.finish().unwrap();
            let image = from_png(&out).unwrap();
            assert_eq!(image.pixels, [9, 9, 9, 255, 9, 9, 9, 255]);
        }
    }

    #[test]
    fn too_large_empty_or_broken_images_are_refused() {
        // A header claiming 20000 x 20000: refused before any allocation.
        let mut huge = Vec::new();
        let encoder = png::Encoder::new(&mut huge, 20_000, 20_000);
        drop(encoder.write_header().unwrap());
        assert_eq!(
            from_png(&huge),
            Err(ImageError::Size {
                width: 20_000,
                height: 20_000
            })
        );
        assert!(matches!(
            from_png(b"\x89PNG\r\n\x1a\nnot"),
            Err(ImageError::Png(_))
        ));
        let empty = Rgba {
            width: 0,
            height: 3,
            pixels: Vec::new(),
        };
        assert!(matches!(to_png(&empty), Err(ImageError::Size { .. })));
        let short = Rgba {
            width: 2,
            height: 2,
            pixels: vec![0; 15],
        };
        assert_eq!(to_png(&short), Err(ImageError::Shape));
    }

    #[tokio::test]
    async fn images_that_do_not_decode_are_reported_not_handed_on() {
        let (tx, rx) = mpsc::channel(4);
        let mut checked = decodable(rx);
        let good = Clip::png(to_png(&checker(3, 2)).unwrap()).unwrap();
        let mut bad = tessera_proto::clipboard::PNG_SIGNATURE.to_vec();
        bad.extend_from_slice(b"not the rest of a PNG");
        let bad = Clip::png(bad).unwrap();
        let text = Clip::text("ping".into()).unwrap();
        for c in [good.clone(), bad, text.clone()] {
            tx.send(Ok(c)).await.unwrap();
        }
        assert_eq!(checked.recv().await, Some(Ok(good)));
        let refused = checked.recv().await.unwrap().unwrap_err();
        assert!(refused.contains("does not decode"), "{refused}");
        assert_eq!(checked.recv().await, Some(Ok(text)));
    }
}
