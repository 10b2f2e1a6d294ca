//! VP9 for the screen's moving regions, through Debian's libvpx
//! (`env-libvpx-sys`): an encoder tuned for screen content in real time
//! (speed 8 or 9, row multithreading, no lag frames, cyclic-refresh AQ,
//! constant bitrate that can be changed as the link's estimate moves,
//! keyframes on request) and a decoder that refuses streams larger than
//! its bounds before libvpx allocates for them.
//!
//! All of libvpx's C API is called from `ffi.rs`, with its invariants
//! written there; the rest of the crate, and its users, are safe code.

pub mod convert;
mod ffi;
pub mod frame;

pub use convert::{bgrx_to_i420, i420_to_bgrx};
pub use ffi::{Decoder, Encoder, MAX_PACKET};
pub use frame::{psnr_y, I420};

/// Widest or tallest picture either side accepts (two 4K screens side
/// by side fit).
pub const MAX_SIDE: u32 = 8192;

/// How an encoder is set up.
#[derive(Clone, Copy, Debug)]
pub struct EncoderSettings {
    /// Largest frame it will take: frames may be smaller, never larger
    /// (libvpx 1.12 corrupts memory when an encoder grows).
    pub max_width: u32,
    /// As `max_width`.
    pub max_height: u32,
    /// The rate aimed at, kbit/s.
    pub bitrate_kbps: u32,
    /// Encoder threads.
    pub threads: u32,
    /// libvpx's real-time speed, 5 to 9 (higher: faster, a little worse).
    pub speed: u32,
}

impl EncoderSettings {
    /// Screen-content defaults for frames up to `width` x `height`:
    /// 2 Mbit/s, two threads, speed 8.
    pub fn screen(width: u32, height: u32) -> Self {
        Self {
            max_width: width,
            max_height: height,
            bitrate_kbps: 2000,
            threads: 2,
            speed: 8,
        }
    }
}

/// One compressed frame.
#[derive(Clone, PartialEq, Eq)]
pub struct Packet {
    /// The bytes, as the decoder takes them.
    pub data: Vec<u8>,
    /// Whether it starts a stream (decodable alone).
    pub key: bool,
}

impl std::fmt::Debug for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packet({} bytes, key: {})", self.data.len(), self.key)
    }
}

/// What went wrong, named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Vp9Error {
    /// libvpx could not start a codec.
    #[error("VP9 could not start: {0}")]
    Init(String),
    /// A setting was refused.
    #[error("VP9 refused a setting: {0}")]
    Config(String),
    /// A picture of a size outside the bounds.
    #[error("a VP9 picture of {width}x{height} pixels, outside the bounds")]
    Size {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// Encoding failed.
    #[error("VP9 encoding failed: {0}")]
    Encode(String),
    /// A packet that does not decode.
    #[error("a VP9 packet that does not decode: {0}")]
    Decode(String),
}
