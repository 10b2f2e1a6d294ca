//! The Tessera relay: rendezvous by nameplate and blind forwarding of QUIC
//! datagrams between the two paired clients. It holds no key of the
//! end-to-end channel and keeps all state in memory; no database.
//!
//! A library with a thin binary, so tests can run it in-process and wrap it.
#![forbid(unsafe_code)]

mod client;
mod engine;
pub mod intercept;
mod lanes;
mod log;
pub mod metrics;
pub mod registry;
mod rules;
mod server;
mod socket;
pub mod tls;

pub use intercept::{Direction, Interceptor, Passthrough};
pub use registry::Limits;
pub use server::{Closer, Relay, RelayConfig, RelayError};
