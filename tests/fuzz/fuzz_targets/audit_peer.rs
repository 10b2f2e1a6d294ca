//! Arbitrary bytes as what the other end sends a live session record:
//! control-stream frames (a 2-byte little-endian length, then the body),
//! each decoded as the viewer decodes the agent's messages, and every
//! `Audit` one handed to the viewer's `SessionRecord` (its log key,
//! checkpoints with consistency proofs, cosignatures of ours), while the
//! record keeps its own chat lines and seals once a second (an empty
//! frame moves on to the next second). Seeds are
//! a real agent record's messages, so mutations start inside the
//! witness's proof and signature checks and `Log::cosigned`.
//!
//! Whatever the other end sends, and whether the record refuses it (the
//! session then ends) or not, this end's own record closes and verifies
//! whole: a rogue peer can end a session, never spoil its record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_audit::record::Side;
use tessera_audit::verify::verify_log;
use tessera_fuzz::audit_peer::{End, MAX_MESSAGES};
use tessera_proto::frame::decode_body;
use tessera_proto::peer::{AgentMsg, MAX_PEER_FRAME};

fuzz_target!(|data: &[u8]| {
    let (mut ours, _) = End::open(Side::Viewer);
    let mut rest = data;
    let mut taken = 0;
    let mut going = ours.second().is_ok();
    while going && taken < MAX_MESSAGES {
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_le_bytes(*len)).min(tail.len());
        let (frame, tail) = tail.split_at(len);
        rest = tail;
        // An empty frame: the next second.
        if frame.is_empty() {
            going = ours.second().is_ok();
            continue;
        }
        taken += 1;
        if let Ok(AgentMsg::Audit(msg)) = decode_body::<AgentMsg>(frame, MAX_PEER_FRAME) {
            going = ours.take(&msg).is_ok();
        }
    }
    let log = ours.close().expect("the record closes whatever the peer sent");
    let report = verify_log(&log);
    assert!(report.whole(), "{}", report.verdict());
});
