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

/// Seeds for `audit_peer`: what a real agent record sends the viewer's
/// over a session (its log key, its checkpoints with their proofs, its
/// cosignatures of the viewer's), framed one a second as the target reads
/// them; and the same session cut short, and with one cosignature for a
/// checkpoint the viewer never made.
pub fn audit_peer(seeds: &mut Seeds) {
    use std::collections::VecDeque;
    use tessera_audit::record::Side;
    use tessera_fuzz::audit_peer::{End, MAX_MESSAGES};
    use tessera_proto::audit::AuditMsg;
    use tessera_proto::peer::AgentMsg;

    let frame = |msg: &AuditMsg| {
        let body = tessera_proto::frame::encode_payload(&AgentMsg::Audit(Box::new(msg.clone())));
        let mut framed = u16::try_from(body.len())
            .expect("an audit message fits a frame")
            .to_le_bytes()
            .to_vec();
        framed.extend(body);
        framed
    };
    let (mut viewer, to_agent) = End::open(Side::Viewer);
    let (mut agent, to_viewer) = End::open(Side::Agent);
    let mut queue: VecDeque<AuditMsg> = to_viewer.into();
    let mut to_agent: VecDeque<AuditMsg> = to_agent.into();
    let mut frames = Vec::new();
    let mut kinds = std::collections::HashSet::new();
    // As the target: each second the viewer keeps a line and seals, then
    // takes what the agent sent; an empty frame starts the next second.
    let mut taken = 0;
    for second in 0..12 {
        if second > 0 {
            frames.push(0u16.to_le_bytes().to_vec());
        }
        to_agent.extend(viewer.second().expect("the viewer's second"));
        while let Some(msg) = to_agent.pop_front() {
            queue.extend(agent.take(&msg).expect("the agent takes the viewer's"));
        }
        queue.extend(agent.second().expect("the agent's second"));
        while let Some(msg) = queue.pop_front() {
            kinds.insert(std::mem::discriminant(&msg));
            frames.push(frame(&msg));
            taken += 1;
            to_agent.extend(viewer.take(&msg).expect("the viewer takes the agent's"));
        }
    }
    assert!(taken <= MAX_MESSAGES, "a seed the target reads whole");
    assert_eq!(kinds.len(), 3, "log key, checkpoints and cosignatures");
    let log = viewer.close().expect("closed");
    let report = tessera_audit::verify::verify_log(&log);
    assert!(
        report.whole() && report.cosigned > 0,
        "{}",
        report.verdict()
    );
    assert!(!report.peer_checkpoints.is_empty());
    seeds.add("audit_peer", "agent_session", frames.concat());
    seeds.add(
        "audit_peer",
        "agent_cut",
        frames[..frames.len() / 2].concat(),
    );
    let mut foreign = frames[..4].concat();
    foreign.extend(frame(&AuditMsg::Cosignature {
        size: 1_000,
        line: "— tessera/5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e/agent AAAA\n".into(),
    }));
    seeds.add("audit_peer", "foreign_cosignature", foreign);
}
