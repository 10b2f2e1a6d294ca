//! The cryptography of pairing: SPAKE2 on the code's secret, the HKDF key
//! schedule, and the sealed key confirmations that authenticate the
//! certificate fingerprints each side will pin on the end-to-end channel;
//! and technician identities: keys, certificates, the agent's trust store
//! and the introduction signed for one session.
//!
//! Sans-IO: every function takes bytes and returns bytes or a typed error.
#![forbid(unsafe_code)]

mod confirm;
pub mod identity;
mod keys;
mod pake;

pub use confirm::{OwnConfirmation, PeerConfirmation};
pub use keys::{KeyLabel, SessionKeys};
pub use pake::{PairingContext, Pake, Role};

/// Why pairing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PakeError {
    /// The peer's SPAKE2 message is malformed (wrong length or not a point).
    #[error("the other side's key exchange message is malformed")]
    BadMessage,
    /// The confirmation did not open: the two sides used different codes
    /// (or someone in the middle tampered). The code must be burned.
    #[error("the code did not match on both sides")]
    WrongCode,
}
