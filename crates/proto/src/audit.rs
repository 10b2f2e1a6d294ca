//! What the two ends exchange about their session records, on the
//! end-to-end control stream (`docs/audit.md`): each end's log key, each
//! checkpoint with the proof that it extends the one before, and the
//! other end's cosignature. Either log then proves the other's history,
//! and neither end can rewrite its past alone.
//!
//! The texts are checked here for size and characters only; what they
//! mean (signatures, proofs) is checked by `tessera-audit`.

use crate::identity::{PublicKey, Signature};
use serde::{Deserialize, Serialize};

/// Longest log name (`tessera/<32 hex digits>/viewer` is 47).
pub const MAX_ORIGIN_BYTES: usize = 64;
/// Longest checkpoint note or cosignature line sent (a checkpoint with
/// its signature is about 200 bytes).
pub const MAX_NOTE_BYTES: usize = 4 * 1024;
/// Most hashes in a consistency proof (a tree of up to 2^64 leaves needs
/// no more than 128).
pub const MAX_PROOF_HASHES: usize = 128;

/// Which longer-lived key vouches for a session's log key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogCertifier {
    /// The agent machine's device key.
    Device,
    /// The technician's identity key.
    Technician,
}

/// One message about the records; either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditMsg {
    /// My log's name and key, and who vouches for it; sent once, first.
    LogKey {
        /// The log's origin, `tessera/<session id>/<side>`.
        origin: String,
        /// The key its checkpoints are signed with.
        key: PublicKey,
        /// Which key vouches for it.
        certifier: LogCertifier,
        /// That key.
        certifier_key: PublicKey,
        /// Its signature over the audit crate's certificate message.
        signature: Signature,
    },
    /// A signed checkpoint of my log, and the consistency proof from the
    /// one sent before (of size `from`; 0 and no proof the first time).
    Checkpoint {
        /// The signed note.
        note: String,
        /// The size of the checkpoint sent before.
        from: u64,
        /// The consistency proof, RFC 6962 order.
        proof: Vec<[u8; 32]>,
    },
    /// My cosignature of your checkpoint of `size` leaves: one C2SP
    /// `cosignature/v1` note signature line.
    Cosignature {
        /// The checkpoint's size.
        size: u64,
        /// The signature line.
        line: String,
    },
}

/// Why an audit message was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditMsgError {
    /// A text over its limit.
    #[error("audit message: {field} of {len} bytes (at most {max})")]
    TooLong {
        /// Which text.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A control character where none may be.
    #[error("audit message: {0} holds a control character")]
    ControlCharacter(&'static str),
}

fn check(field: &'static str, text: &str, max: usize, lines: bool) -> Result<(), AuditMsgError> {
    if text.len() > max {
        return Err(AuditMsgError::TooLong {
            field,
            len: text.len(),
            max,
        });
    }
    match text
        .chars()
        .any(|c| c.is_control() && !(lines && c == '\n'))
    {
        true => Err(AuditMsgError::ControlCharacter(field)),
        false => Ok(()),
    }
}

impl AuditMsg {
    /// Checks sizes and characters, before anything reads further.
    pub fn validate(&self) -> Result<(), AuditMsgError> {
        match self {
            AuditMsg::LogKey { origin, .. } => check("origin", origin, MAX_ORIGIN_BYTES, false),
            AuditMsg::Checkpoint { note, proof, .. } => {
                check("checkpoint", note, MAX_NOTE_BYTES, true)?;
                match proof.len() > MAX_PROOF_HASHES {
                    true => Err(AuditMsgError::TooLong {
                        field: "consistency proof",
                        len: proof.len(),
                        max: MAX_PROOF_HASHES,
                    }),
                    false => Ok(()),
                }
            }
            AuditMsg::Cosignature { line, .. } => check("cosignature", line, MAX_NOTE_BYTES, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_or_control_texts_are_refused() {
        let proof = AuditMsg::Checkpoint {
            note: "a\n".into(),
            from: 0,
            proof: vec![[0; 32]; MAX_PROOF_HASHES + 1],
        };
        assert!(matches!(
            proof.validate(),
            Err(AuditMsgError::TooLong {
                field: "consistency proof",
                ..
            })
        ));
        let line = AuditMsg::Cosignature {
            size: 1,
            line: "\u{1b}[2J".into(),
        };
        assert_eq!(
            line.validate(),
            Err(AuditMsgError::ControlCharacter("cosignature"))
        );
        let origin = AuditMsg::LogKey {
            origin: "x".repeat(MAX_ORIGIN_BYTES + 1),
            key: PublicKey([0; 32]),
            certifier: LogCertifier::Device,
            certifier_key: PublicKey([0; 32]),
            signature: Signature([0; 64]),
        };
        assert!(origin.validate().is_err());
        let fine = AuditMsg::Checkpoint {
            note: "tessera/x\n1\nAAAA\n\n— tessera/x AAAA\n".into(),
            from: 0,
            proof: vec![],
        };
        assert_eq!(fine.validate(), Ok(()));
    }
}
