//! Seeds for `audit_recordings`: a screen recording of encoded pictures
//! (closed, cut mid-segment, without its index).
//!
//! Seeds for `audit_records`: both ends' whole records of the fixture
//! session, the agent's cut mid-stretch, and one leaf line of each kind
//! written there.
//!
//! Seeds for `audit_notes`: a checkpoint of a ten-record log, its note
//! signed by the fixture log key and cosigned by the fixture witness, and
//! tlog-proof files for one record, each checked to verify (or not) as
//! its name says.

use crate::Seeds;
use tessera_audit::checkpoint::Checkpoint;
use tessera_audit::cosignature::{cosign, verify_cosignature};
use tessera_audit::note::{sign, Note};
use tessera_audit::proof_file::{ProofFileError, TlogProof};
use tessera_audit::{inclusion_proof, leaf_hash, root_of, Hash, ProofError};
use tessera_fuzz::fixtures::{
    audit_log_key, audit_public, audit_witness_key, AUDIT_LOG, AUDIT_TIME, AUDIT_WITNESS,
};

/// The records of the seeds' log (the target takes a proof's `extra` as
/// its record).
fn records(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!(r#"{{"n":{i},"k":"event"}}"#).into_bytes())
        .collect()
}

/// The note of the checkpoint of `leaves`, signed by the log and
/// cosigned by the witness.
fn cosigned(leaves: &[Hash]) -> Note {
    let text = Checkpoint {
        origin: AUDIT_LOG.into(),
        size: leaves.len() as u64,
        root: root_of(leaves),
    }
    .text();
    Note {
        signatures: vec![
            sign(&text, AUDIT_LOG, &audit_log_key()).expect("signed"),
            cosign(&text, AUDIT_WITNESS, &audit_witness_key(), AUDIT_TIME).expect("cosigned"),
        ],
        text,
    }
}

/// The proof file of record `index` of `records`.
fn proof(records: &[Vec<u8>], index: usize) -> TlogProof {
    let leaves: Vec<Hash> = records.iter().map(|r| leaf_hash(r)).collect();
    TlogProof {
        extra: Some(records[index].clone()),
        index: index as u64,
        path: inclusion_proof(&leaves[..], index as u64, leaves.len() as u64).expect("a path"),
        note: cosigned(&leaves).to_text(),
    }
}

pub fn audit_notes(seeds: &mut Seeds) {
    let (log, witness) = (
        audit_public(&audit_log_key()),
        audit_public(&audit_witness_key()),
    );
    let ten = records(10);
    let leaves: Vec<Hash> = ten.iter().map(|r| leaf_hash(r)).collect();
    let note = cosigned(&leaves);
    assert_eq!(note.verify(AUDIT_LOG, &log), Ok(()));
    assert_eq!(
        verify_cosignature(&note, AUDIT_WITNESS, &witness),
        Ok(AUDIT_TIME)
    );
    seeds.add(
        "audit_notes",
        "cosigned_checkpoint",
        note.to_text().into_bytes(),
    );
    seeds.add(
        "audit_notes",
        "checkpoint_text",
        note.text.clone().into_bytes(),
    );

    let leaf = |p: &TlogProof| leaf_hash(p.extra.as_deref().unwrap_or_default());
    let six = proof(&ten, 6);
    assert!(six.verify(AUDIT_LOG, &log, &leaf(&six)).is_ok());
    let one = proof(&records(1), 0);
    assert!(one.path.is_empty());
    assert!(one.verify(AUDIT_LOG, &log, &leaf(&one)).is_ok());
    let mut moved = six.clone();
    moved.index = 7;
    assert_eq!(
        moved.verify(AUDIT_LOG, &log, &leaf(&moved)),
        Err(ProofFileError::Inclusion(ProofError::RootMismatch))
    );
    for (name, proof) in [
        ("tlog_proof", six),
        ("tlog_proof_single_record", one),
        ("tlog_proof_other_index", moved),
    ] {
        let text = proof.to_text();
        assert_eq!(TlogProof::parse(text.as_bytes()), Ok(proof));
        seeds.add("audit_notes", name, text.into_bytes());
    }
}

pub fn audit_records(seeds: &mut Seeds) {
    let session = tessera_fuzz::audit::session();
    let reports = tessera_fuzz::audit::reports();
    assert!(reports.agent.whole() && reports.viewer.whole());
    let cut = session.agent.len() * 2 / 3;
    let truncated = tessera_audit::verify::verify_log(&session.agent[..cut]);
    assert!(truncated.fault.is_none() && !truncated.whole());
    seeds.add("audit_records", "agent_log", session.agent.clone());
    seeds.add("audit_records", "viewer_log", session.viewer.clone());
    seeds.add(
        "audit_records",
        "agent_log_cut",
        session.agent[..cut].to_vec(),
    );
    let mut kinds = std::collections::BTreeSet::new();
    for line in session.agent.split(|&b| b == b'\n') {
        let Ok(leaf) = tessera_audit::record::Leaf::decode(line) else {
            continue;
        };
        if kinds.insert(leaf.fact.kind()) {
            seeds.add(
                "audit_records",
                &format!("leaf_{}", leaf.fact.kind()),
                line.to_vec(),
            );
        }
    }
}

pub fn audit_recordings(seeds: &mut Seeds) {
    use tessera_audit::recording::{scan, Kind, Recorder};
    use tessera_screen::{Encoder, Frame, ScreenMsg};
    let (mut recorder, mut file) = Recorder::new(AUDIT_LOG);
    let mut encoder = Encoder::new().expect("an encoder");
    for step in 0..6u32 {
        if step == 3 {
            encoder.request_keyframe();
        }
        let mut frame = Frame::new(32, 24).expect("a frame");
        for (i, px) in frame.pixels_mut().chunks_exact_mut(4).enumerate() {
            let on = (i as u32 % 32) / 4 == step;
            px.copy_from_slice(&[if on { 250 } else { 30 }, 60, 90, 0]);
        }
        let update = encoder.encode(&frame).expect("encoded").expect("a change");
        let kind = match update.keyframe {
            true => Kind::Keyframe,
            false => Kind::Update,
        };
        let at_us = 100_000 + u64::from(step) * 400_000;
        let bytes = ScreenMsg::Update(update).to_bytes();
        if let Some((segment, _)) = recorder.push(at_us, kind, &bytes).expect("pushed") {
            file.extend(segment);
        }
        if step % 2 == 1 {
            let (segment, _) = recorder.cut().expect("a segment");
            file.extend(segment);
        }
    }
    let unindexed = file.clone();
    file.extend(recorder.close());
    let closed = scan(&file).expect("scans");
    assert!(closed.closed && closed.segments.len() == 3);
    let cut = &unindexed[..unindexed.len() - 7];
    assert!(scan(cut).expect("scans").torn_at.is_some());
    seeds.add("audit_recordings", "closed", file.clone());
    seeds.add("audit_recordings", "without_index", unindexed.clone());
    seeds.add("audit_recordings", "cut_mid_segment", cut.to_vec());
}
