//! Seeds for `vp9_packets`: real VP9 streams from Tessera's encoder,
//! framed as the target reads them (u16 length, bytes).

use crate::Seeds;
use tessera_vp9::{Encoder, EncoderSettings, I420};

fn stream(width: u32, height: u32, frames: u32) -> Vec<u8> {
    let mut encoder = Encoder::new(&EncoderSettings::screen(width, height)).expect("encoder");
    let mut out = Vec::new();
    for t in 0..frames {
        let mut picture = I420::black(width, height);
        for (i, y) in picture.y.iter_mut().enumerate() {
            *y = (16 + (i as u32 + t * 9) % 200) as u8;
        }
        for packet in encoder.encode(&picture, i64::from(t) * 33, t == 0).expect("encode") {
            let len = u16::try_from(packet.data.len()).expect("a small packet");
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&packet.data);
        }
    }
    out
}

/// A keyframe and moving frames at 64x48, and a keyframe at 100x60.
pub fn vp9_packets(seeds: &mut Seeds) {
    seeds.add("vp9_packets", "moving_64x48", stream(64, 48, 4));
    seeds.add("vp9_packets", "key_100x60", stream(100, 60, 1));
}
