//! One fact handed on without the rest: a C2SP `tlog-proof` of one event
//! of a verified record, and its check by someone who holds only that
//! file and the log's verifier key.

use super::Report;
use crate::checkpoint::Checkpoint;
use crate::cosignature::verify_cosignature;
use crate::merkle::leaf_hash;
use crate::note::{parse_verifier_key, verifier_key};
use crate::proof::inclusion_proof;
use crate::proof_file::TlogProof;
use crate::record::Leaf;

/// The log's verifier key (`<origin>+<id>+<key>`), as an auditor hands it
/// to whoever checks a proof from it.
pub fn log_verifier_key(report: &Report) -> String {
    verifier_key(&report.origin, &report.log_key)
}

/// A proof that event `n` of `report`'s record is in the tree of its last
/// signed checkpoint (cosigned by the other end when the record was
/// closed): the event's line rides along as the proof's extra data.
pub fn prove_event(report: &Report, n: u64) -> Result<TlogProof, String> {
    if report.fault.is_some() {
        return Err(format!("the record is not valid: {}", report.verdict()));
    }
    let covered = report.covered();
    if n >= covered {
        return Err(match n < report.leaves.len() as u64 {
            true => format!("event {n} is after the last signed checkpoint ({covered} events)"),
            false => format!("no event {n}: the record holds {}", report.leaves.len()),
        });
    }
    let (Some((_, note)), Some(leaf)) = (report.checkpoints.last(), report.leaves.get(n as usize))
    else {
        return Err(format!("no signed checkpoint covers event {n}"));
    };
    let line = leaf.encode().map_err(|e| e.to_string())?;
    let path = inclusion_proof(&report.hashes[..], n, covered).map_err(|e| e.to_string())?;
    Ok(TlogProof {
        extra: Some(line),
        index: n,
        path,
        note: note.clone(),
    })
}

/// What a proof proves, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven {
    /// The checkpoint the event is under.
    pub checkpoint: Checkpoint,
    /// The event.
    pub leaf: Leaf,
    /// The witnesses (`--witness` keys) whose cosignatures on the
    /// checkpoint verified, by name, with the time they state.
    pub cosigned_by: Vec<(String, u64)>,
}

/// Checks a tlog-proof file against the log's verifier key `vkey` and
/// the verifier keys of the witnesses that must have cosigned it (the
/// other end of the session): the event it carries is leaf `index` of a
/// tree whose checkpoint that key signed.
pub fn check_proof(file: &[u8], vkey: &str, witnesses: &[String]) -> Result<Proven, String> {
    let (name, public) = parse_verifier_key(vkey).map_err(|e| format!("--key: {e}"))?;
    let proof = TlogProof::parse(file).map_err(|e| e.to_string())?;
    let line = proof
        .extra
        .as_deref()
        .ok_or("the proof carries no event (no extra data)")?;
    let leaf = Leaf::decode(line).map_err(|e| format!("the event it carries: {e}"))?;
    if leaf.n != proof.index {
        return Err(format!(
            "the event says it is number {} but the proof is for {}",
            leaf.n, proof.index
        ));
    }
    let checkpoint = proof
        .verify(&name, &public, &leaf_hash(line))
        .map_err(|e| e.to_string())?;
    if checkpoint.origin != name {
        return Err(format!(
            "the checkpoint is of another log ({})",
            checkpoint.origin
        ));
    }
    let note = proof.read_note().map_err(|e| e.to_string())?;
    let mut cosigned_by = Vec::new();
    for witness in witnesses {
        let (name, public) = parse_verifier_key(witness).map_err(|e| format!("--witness: {e}"))?;
        let time = verify_cosignature(&note, &name, &public)
            .map_err(|e| format!("cosignature by {name}: {e}"))?;
        cosigned_by.push((name, time));
    }
    Ok(Proven {
        checkpoint,
        leaf,
        cosigned_by,
    })
}
