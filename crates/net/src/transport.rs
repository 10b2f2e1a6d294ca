//! QUIC transport parameters, set explicitly so memory per connection is
//! bounded and the inner connection fits in the outer one's datagrams.

use quinn::{IdleTimeout, TransportConfig, VarInt};
use std::sync::Arc;
use std::time::Duration;

/// Outer UDP payload assumed on every path (the IPv6 minimum MTU less
/// headers): large enough that outer datagrams carry 1200-byte inner
/// packets (outer overhead is ≤ 38 bytes with a short header).
pub const OUTER_MIN_MTU: u16 = 1280;
/// The inner connection starts at QUIC's minimum and discovers upwards.
pub const INNER_MTU: u16 = 1200;
/// Outer datagram send buffer: small, so a slow path drops old packets
/// (the inner connection recovers) instead of queueing delay.
pub const DATAGRAM_SEND_BUFFER: usize = 64 * 1024;
/// Outer datagram receive buffer.
pub const DATAGRAM_RECV_BUFFER: usize = 256 * 1024;

/// A client's connection to the relay: one control stream, datagrams,
/// keep-alives so NATs and the relay see it alive.
pub fn relay_client(idle: Duration) -> Arc<TransportConfig> {
    let mut t = outer_common(idle);
    t.max_concurrent_bidi_streams(VarInt::from_u32(0));
    Arc::new(t)
}

/// The relay's side of a client connection: exactly one control stream,
/// small windows, bounded datagram buffers.
pub fn relay_server(idle: Duration) -> Arc<TransportConfig> {
    let mut t = outer_common(idle);
    t.max_concurrent_bidi_streams(VarInt::from_u32(1));
    Arc::new(t)
}

fn outer_common(idle: Duration) -> TransportConfig {
    let mut t = TransportConfig::default();
    t.max_concurrent_uni_streams(VarInt::from_u32(0));
    t.stream_receive_window(VarInt::from_u32(16 * 1024));
    t.receive_window(VarInt::from_u32(64 * 1024));
    t.send_window(64 * 1024);
    t.datagram_receive_buffer_size(Some(DATAGRAM_RECV_BUFFER));
    t.datagram_send_buffer_size(DATAGRAM_SEND_BUFFER);
    t.initial_mtu(OUTER_MIN_MTU);
    t.min_mtu(OUTER_MIN_MTU);
    t.max_idle_timeout(IdleTimeout::try_from(idle).ok());
    t.keep_alive_interval(Some(idle / 3));
    t
}

/// The end-to-end connection between agent and viewer, inside the relay's
/// datagrams. A peer that goes silent for `idle` is reported lost; this
/// side pings every `keep_alive` when it has nothing else to send.
pub fn inner(idle: Duration, keep_alive: Option<Duration>) -> Arc<TransportConfig> {
    let mut t = TransportConfig::default();
    t.initial_mtu(INNER_MTU);
    t.min_mtu(INNER_MTU);
    t.max_concurrent_bidi_streams(VarInt::from_u32(4));
    t.max_concurrent_uni_streams(VarInt::from_u32(16));
    t.stream_receive_window(VarInt::from_u32(4 * 1024 * 1024));
    t.receive_window(VarInt::from_u32(16 * 1024 * 1024));
    t.send_window(16 * 1024 * 1024);
    t.max_idle_timeout(IdleTimeout::try_from(idle).ok());
    t.keep_alive_interval(keep_alive);
    Arc::new(t)
}
