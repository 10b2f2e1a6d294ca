//! Pictures as VP9 takes and gives them: 8-bit I420 (a full-size luma
//! plane, two quarter-size chroma planes), each plane packed row after
//! row, and the PSNR that tells how close a decoded picture is.

/// One picture in I420.
#[derive(Clone, PartialEq, Eq)]
pub struct I420 {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Luma, `width` bytes a row.
    pub y: Vec<u8>,
    /// Blue-difference chroma, `chroma_width()` bytes a row.
    pub u: Vec<u8>,
    /// Red-difference chroma, as `u`.
    pub v: Vec<u8>,
}

impl std::fmt::Debug for I420 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "I420({}x{})", self.width, self.height)
    }
}

impl I420 {
    /// A black picture (luma 16, chroma 128, as video levels have it).
    pub fn black(width: u32, height: u32) -> Self {
        let (cw, ch) = chroma_size(width, height);
        Self {
            width,
            height,
            y: vec![16; width as usize * height as usize],
            u: vec![128; cw * ch],
            v: vec![128; cw * ch],
        }
    }

    /// Chroma planes' width and height: half, rounded up.
    pub fn chroma_size(&self) -> (usize, usize) {
        chroma_size(self.width, self.height)
    }

    /// Whether the planes have the sizes the dimensions call for.
    pub fn is_whole(&self) -> bool {
        let (cw, ch) = self.chroma_size();
        self.y.len() == self.width as usize * self.height as usize
            && self.u.len() == cw * ch
            && self.v.len() == cw * ch
    }
}

fn chroma_size(width: u32, height: u32) -> (usize, usize) {
    (width.div_ceil(2) as usize, height.div_ceil(2) as usize)
}

/// The peak signal-to-noise ratio of `b`'s luma against `a`'s, in dB
/// (`f64::INFINITY` when identical; `None` when the sizes differ).
pub fn psnr_y(a: &I420, b: &I420) -> Option<f64> {
    if (a.width, a.height) != (b.width, b.height) || a.y.len() != b.y.len() || a.y.is_empty() {
        return None;
    }
    let sse: u64 =
        a.y.iter()
            .zip(&b.y)
            .map(|(p, q)| {
                let d = i64::from(*p) - i64::from(*q);
                (d * d) as u64
            })
            .sum();
    if sse == 0 {
        return Some(f64::INFINITY);
    }
    let mse = sse as f64 / a.y.len() as f64;
    Some(10.0 * (255.0 * 255.0 / mse).log10())
}
