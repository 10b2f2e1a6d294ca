//! Tamper-evident session records (`docs/audit.md`).
//!
//! Each end of a session keeps a log whose records are the leaves of an
//! RFC 6962 Merkle tree; signed checkpoints of the tree's root let an
//! auditor prove a record whole and unaltered, and the proofs here let
//! one fact be shown on its own (inclusion) and one checkpoint be shown
//! to extend another (consistency). Everything here is sans-IO.

pub mod checkpoint;
pub mod cosignature;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod proof_file;

pub use merkle::{leaf_hash, node_hash, root_of, Frontier, Hash, EMPTY_ROOT};
pub use proof::{
    consistency_proof, inclusion_proof, verify_consistency, verify_inclusion, ProofError, Subtrees,
};
