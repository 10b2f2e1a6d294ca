//! Between the screen's 32-bit BGRX pixels and I420, with `yuvutils-rs`
//! (SIMD, measured at 0.4 ms for a 1080p frame when buffers are reused):
//! BT.601 limited range both ways, what a VP9 decoder assumes when the
//! stream does not say. Sizes are checked here first: the library
//! panics on planes that do not fit.

use crate::frame::I420;
use crate::Vp9Error;
use yuvutils_rs::{
    BufferStoreMut, YuvConversionMode, YuvPlanarImage, YuvPlanarImageMut, YuvRange,
    YuvStandardMatrix,
};

const RANGE: YuvRange = YuvRange::Limited;
const MATRIX: YuvStandardMatrix = YuvStandardMatrix::Bt601;

fn checked(width: u32, height: u32, pixels: &[u8], stride: u32) -> Result<(), Vp9Error> {
    let row = u64::from(width) * 4;
    let need = u64::from(stride) * u64::from(height.saturating_sub(1)) + row;
    if width == 0 || height == 0 || width > crate::MAX_SIDE || height > crate::MAX_SIDE {
        return Err(Vp9Error::Size { width, height });
    }
    if u64::from(stride) < row || (pixels.len() as u64) < need {
        return Err(Vp9Error::Encode(
            "BGRX pixels that do not fill the picture".into(),
        ));
    }
    Ok(())
}

/// `width` x `height` BGRX pixels (`stride` bytes a row) as I420, into
/// `out`'s planes (reused when they already have the size).
pub fn bgrx_to_i420(
    width: u32,
    height: u32,
    pixels: &[u8],
    stride: u32,
    out: &mut I420,
) -> Result<(), Vp9Error> {
    checked(width, height, pixels, stride)?;
    if (out.width, out.height) != (width, height) || !out.is_whole() {
        *out = I420::black(width, height);
    }
    let (cw, _) = out.chroma_size();
    let mut planar = YuvPlanarImageMut {
        y_plane: BufferStoreMut::Borrowed(&mut out.y),
        y_stride: width,
        u_plane: BufferStoreMut::Borrowed(&mut out.u),
        u_stride: cw as u32,
        v_plane: BufferStoreMut::Borrowed(&mut out.v),
        v_stride: cw as u32,
        width,
        height,
    };
    yuvutils_rs::bgra_to_yuv420(
        &mut planar,
        pixels,
        stride,
        RANGE,
        MATRIX,
        YuvConversionMode::Balanced,
    )
    .map_err(|e| Vp9Error::Encode(format!("BGRX to I420: {e:?}")))
}

/// `frame` as BGRX pixels, `width * 4` bytes a row, the fourth byte 255.
pub fn i420_to_bgrx(frame: &I420) -> Result<Vec<u8>, Vp9Error> {
    if !frame.is_whole() || frame.width == 0 || frame.height == 0 {
        return Err(Vp9Error::Decode(
            "a picture whose planes do not fill it".into(),
        ));
    }
    let (cw, _) = frame.chroma_size();
    let planar = YuvPlanarImage {
        y_plane: &frame.y,
        y_stride: frame.width,
        u_plane: &frame.u,
        u_stride: cw as u32,
        v_plane: &frame.v,
        v_stride: cw as u32,
        width: frame.width,
        height: frame.height,
    };
    let mut out = vec![0u8; frame.width as usize * frame.height as usize * 4];
    yuvutils_rs::yuv420_to_bgra(&planar, &mut out, frame.width * 4, RANGE, MATRIX)
        .map_err(|e| Vp9Error::Decode(format!("I420 to BGRX: {e:?}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth BGRX picture, as a photo or a video frame would be.
    fn smooth(width: u32, height: u32) -> Vec<u8> {
        (0..height)
            .flat_map(|y| {
                (0..width).flat_map(move |x| {
                    [
                        (x * 255 / width) as u8,
                        (y * 255 / height) as u8,
                        ((x + y) % 256) as u8,
                        0,
                    ]
                })
            })
            .collect()
    }

    #[test]
    fn a_smooth_picture_survives_the_round_trip_closely() {
        let (w, h) = (64, 48);
        let source = smooth(w, h);
        let mut yuv = I420::black(1, 1);
        bgrx_to_i420(w, h, &source, w * 4, &mut yuv).expect("to I420");
        assert_eq!((yuv.width, yuv.height), (w, h));
        let back = i420_to_bgrx(&yuv).expect("to BGRX");
        let worst = source
            .chunks(4)
            .zip(back.chunks(4))
            .flat_map(|(a, b)| (0..3).map(move |i| (i32::from(a[i]) - i32::from(b[i])).abs()))
            .max()
            .expect("pixels");
        // 4:2:0 halves colour resolution; a smooth picture loses little.
        assert!(worst <= 12, "largest channel error {worst}");
    }

    #[test]
    fn short_or_odd_buffers_are_refused_not_panicked_on() {
        let mut yuv = I420::black(1, 1);
        let pixels = smooth(10, 10);
        assert!(bgrx_to_i420(10, 11, &pixels, 40, &mut yuv).is_err());
        assert!(bgrx_to_i420(10, 10, &pixels, 36, &mut yuv).is_err());
        assert!(bgrx_to_i420(0, 10, &pixels, 40, &mut yuv).is_err());
        // A stride wider than the row is fine.
        let wide: Vec<u8> = pixels
            .chunks(40)
            .flat_map(|r| r.iter().copied().chain([0; 8]))
            .collect();
        bgrx_to_i420(10, 10, &wide, 48, &mut yuv).expect("padded rows");
        // Odd sizes: chroma rounds up.
        let odd = smooth(11, 7);
        bgrx_to_i420(11, 7, &odd, 44, &mut yuv).expect("odd");
        assert_eq!(i420_to_bgrx(&yuv).expect("back").len(), 11 * 7 * 4);
        let mut torn = I420::black(10, 10);
        torn.v.pop();
        assert!(i420_to_bgrx(&torn).is_err());
    }
}
