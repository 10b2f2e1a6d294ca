//! Tamper-evident session records (`docs/audit.md`).
//!
//! Each end of a session keeps a log whose records are the leaves of an
//! RFC 6962 Merkle tree; signed checkpoints of the tree's root let an
//! auditor prove a record whole and unaltered, and the proofs here let
//! one fact be shown on its own (inclusion) and one checkpoint be shown
//! to extend another (consistency). Everything here is sans-IO but
//! [`files`], the record folder on disk.

pub mod checkpoint;
pub mod cosignature;
pub mod export;
pub mod files;
pub mod input_facts;
pub mod live;
pub mod log;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod proof_file;
pub mod record;
pub mod recording;
pub mod replay;
pub mod report_html;
pub mod sentences;
pub mod session_record;
pub mod timeline;
pub mod verify;
pub mod wire;
pub mod witness;

pub use merkle::{leaf_hash, node_hash, root_of, Frontier, Hash, EMPTY_ROOT};
pub use proof::{
    consistency_proof, inclusion_proof, verify_consistency, verify_inclusion, ProofError, Since,
    Subtrees,
};

/// What a certifier signs to vouch for a session's log key: a domain
/// prefix, the log's origin, a line feed, the key. The origin binds the
/// key to one session and one end.
pub fn certificate_message(origin: &str, log_key: &[u8; 32]) -> Vec<u8> {
    let mut message = b"tessera/1 audit log key\0".to_vec();
    message.extend_from_slice(origin.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(log_key);
    message
}
