//! Few-colour areas (text: a glyph colour on a background) as a palette
//! and packed indices: 1, 2 or 4 bits a pixel instead of 32, before any
//! compression. Terminal text packs eight-fold this way, and compresses
//! far better packed than as raw pixels.

/// Most colours a palette holds.
pub const MAX_COLOURS: usize = 16;

/// The distinct colours of `bgrx` pixels, in order of appearance, if there
/// are at most [`MAX_COLOURS`].
pub fn colours(bgrx: &[u8]) -> Option<Vec<[u8; 4]>> {
    let mut found: Vec<[u8; 4]> = Vec::with_capacity(MAX_COLOURS);
    let mut last = None;
    for pixel in bgrx.chunks_exact(4) {
        let colour = [pixel[0], pixel[1], pixel[2], pixel[3]];
        if last == Some(colour) {
            continue; // runs are the common case
        }
        last = Some(colour);
        if !found.contains(&colour) {
            if found.len() == MAX_COLOURS {
                return None;
            }
            found.push(colour);
        }
    }
    Some(found)
}

/// Bits a pixel for a palette of `n` colours (0: one colour, no indices).
pub fn bits_for(n: usize) -> u32 {
    match n {
        0 | 1 => 0,
        2 => 1,
        3..=4 => 2,
        _ => 4,
    }
}

/// Bytes of packed indices for a `width` x `height` area with `n`
/// colours; each row starts on a byte.
pub fn packed_len(width: u32, height: u32, n: usize) -> usize {
    let row = (width as usize * bits_for(n) as usize).div_ceil(8);
    row * height as usize
}

/// Appends the indices of `bgrx` (an area `width` pixels wide) into
/// `palette` to `out`, packed most significant bits first.
pub fn pack(bgrx: &[u8], width: u32, palette: &[[u8; 4]], out: &mut Vec<u8>) {
    let bits = bits_for(palette.len());
    if bits == 0 {
        return;
    }
    for row in bgrx.chunks_exact(width as usize * 4) {
        let (mut byte, mut used) = (0u8, 0);
        for pixel in row.chunks_exact(4) {
            let index = palette
                .iter()
                .position(|c| c[..] == pixel[..])
                .unwrap_or_default() as u8;
            byte |= index << (8 - bits - used);
            used += bits;
            if used == 8 {
                out.push(byte);
                (byte, used) = (0, 0);
            }
        }
        if used > 0 {
            out.push(byte);
        }
    }
}

/// Expands packed indices into `bgrx` pixels (an area `width` x `height`);
/// `None` if an index has no colour or the length is wrong.
pub fn unpack(
    packed: &[u8],
    width: u32,
    height: u32,
    palette: &[[u8; 4]],
    out: &mut Vec<u8>,
) -> Option<()> {
    out.clear();
    let bits = bits_for(palette.len());
    if packed.len() != packed_len(width, height, palette.len()) || palette.is_empty() {
        return None;
    }
    if bits == 0 {
        for _ in 0..width as usize * height as usize {
            out.extend_from_slice(&palette[0]);
        }
        return Some(());
    }
    let row_len = (width as usize * bits as usize).div_ceil(8);
    let mask = (1u8 << bits) - 1;
    for row in packed.chunks_exact(row_len) {
        for x in 0..width as usize {
            let bit = x * bits as usize;
            let index = (row[bit / 8] >> (8 - bits as usize - bit % 8)) & mask;
            out.extend_from_slice(palette.get(usize::from(index))?);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(colours: &[[u8; 4]], width: u32, height: u32) -> Vec<u8> {
        (0..width * height)
            .flat_map(|i| colours[(i as usize * 7 + i as usize / 3) % colours.len()])
            .collect()
    }

    #[test]
    fn packs_and_unpacks_every_palette_size() {
        for n in 1..=MAX_COLOURS {
            let palette: Vec<[u8; 4]> = (0..n as u8).map(|i| [i, 2 * i, 3 * i, 0]).collect();
            for (w, h) in [(1, 1), (6, 13), (64, 64), (7, 3)] {
                let pixels = area(&palette, w, h);
                let found = colours(&pixels).expect("few colours");
                let mut packed = Vec::new();
                pack(&pixels, w, &found, &mut packed);
                assert_eq!(
                    packed.len(),
                    packed_len(w, h, found.len()),
                    "{n} colours {w}x{h}"
                );
                let mut back = Vec::new();
                unpack(&packed, w, h, &found, &mut back).expect("unpack");
                assert_eq!(back, pixels, "{n} colours {w}x{h}");
            }
        }
    }

    #[test]
    fn too_many_colours_is_none() {
        let pixels: Vec<u8> = (0..17u8).flat_map(|i| [i, 0, 0, 0]).collect();
        assert_eq!(colours(&pixels), None);
    }

    #[test]
    fn an_index_without_a_colour_or_a_wrong_length_is_refused() {
        let palette = [[0; 4], [1; 4], [2; 4]]; // 2 bits: index 3 has none
        let mut out = Vec::new();
        assert_eq!(unpack(&[0b1100_0000], 1, 1, &palette, &mut out), None);
        assert_eq!(unpack(&[0, 0], 1, 1, &palette, &mut out), None);
        assert_eq!(unpack(&[], 1, 1, &[], &mut out), None);
    }
}
