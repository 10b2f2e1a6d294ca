//! Writes the decoded picture as a PNG, whole or not at all: the image goes
//! to a temporary file beside the target, which is renamed into place.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use tessera_screen::Frame;

/// Writes `frame` (BGRX) to `path` as an 8-bit RGB PNG.
pub fn write_png(frame: &Frame, path: &Path) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot write the snapshot {}: {e}", path.display());
    let tmp = path.with_extension("png.partial");
    let rgb: Vec<u8> = frame
        .pixels()
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    let file = File::create(&tmp).map_err(|e| fail(&e))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), frame.width(), frame.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let result = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb).and_then(|()| w.finish()));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    std::fs::rename(&tmp, path).map_err(|e| fail(&e))
}
