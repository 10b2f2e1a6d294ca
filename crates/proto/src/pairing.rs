//! What agent and viewer put in the relay's mailbox while pairing: the two
//! SPAKE2 messages, then one sealed confirmation each way.

use serde::{Deserialize, Serialize};

/// Largest encoded [`PairingMsg`].
pub const MAX_PAIRING_MSG: usize = 512;

/// A mailbox payload between agent and viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PairingMsg {
    /// The sender's SPAKE2 message (33 bytes for Ed25519).
    Pake(Vec<u8>),
    /// The sender's key confirmation: its certificate fingerprint sealed
    /// under its PAKE-derived key (AEAD), so opening it proves the peer knew
    /// the code and authenticates the fingerprint to pin.
    Confirm(Vec<u8>),
}
