//! Tessera's transport edges: quinn and rustls configured for the relay
//! connection and for the end-to-end inner connection, the relay trust
//! policies (pinned fingerprint, CA, or trust on first use), the
//! two paths the inner QUIC connection takes through the relay (a lane,
//! or the relay connection's datagrams), and bounded framed streams.
//!
//! Session rules live in `tessera-session`; this crate only moves bytes and
//! checks certificates.
#![forbid(unsafe_code)]

pub mod cert;
pub mod channel;
pub mod clip_streams;
pub mod datagram;
mod error;
pub mod framed;
pub mod lane;
pub mod lines;
pub mod pinned;
pub mod relay_args;
pub mod relay_client;
pub mod small_file;
pub mod streams;
pub mod timers;
pub mod transport;
pub mod trust;

pub use error::NetError;

use std::sync::Arc;

/// The one crypto provider Tessera uses everywhere: rustls on ring.
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
