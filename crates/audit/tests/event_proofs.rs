//! One event handed on alone: `prove_event` on a real session record,
//! checked by `check_proof` with only the log's verifier key (and the
//! other end's, for its cosignature), and every way a proof is refused.

mod common;

use common::session;
use tessera_audit::proof_file::TlogProof;
use tessera_audit::record::Fact;
use tessera_audit::verify::prove::{check_proof, log_verifier_key, prove_event};
use tessera_audit::verify::verify_log;

#[test]
fn every_signed_event_proves_alone_and_is_cosigned() {
    let (agent, viewer) = session(7);
    let (report, peer) = (verify_log(&agent), verify_log(&viewer));
    assert!(report.whole(), "{}", report.verdict());
    let vkey = log_verifier_key(&report);
    let witness = vec![log_verifier_key(&peer)];
    for n in 0..report.leaves.len() as u64 {
        let file = prove_event(&report, n).expect("a proof").to_text();
        let proven = check_proof(file.as_bytes(), &vkey, &witness).expect("it checks");
        assert_eq!(proven.leaf, report.leaves[n as usize]);
        assert_eq!(proven.checkpoint.size, report.leaves.len() as u64);
        assert_eq!(proven.cosigned_by.len(), 1);
    }
    let chat = report
        .leaves
        .iter()
        .position(|l| matches!(l.fact, Fact::Chat { .. }))
        .expect("a chat event") as u64;
    let proven = check_proof(
        prove_event(&report, chat)
            .expect("proof")
            .to_text()
            .as_bytes(),
        &vkey,
        &[],
    )
    .expect("checks without witnesses too");
    assert!(matches!(proven.leaf.fact, Fact::Chat { ref text, .. } if text.contains("imprimante")));
}

#[test]
fn a_proof_altered_or_checked_against_another_key_is_refused() {
    let (agent, viewer) = session(7);
    let (report, peer) = (verify_log(&agent), verify_log(&viewer));
    let vkey = log_verifier_key(&report);
    let proof = prove_event(&report, 5).expect("a proof");
    // The event changed: its hash is no longer the leaf's.
    let mut changed = proof.clone();
    let line = String::from_utf8(changed.extra.clone().expect("extra")).expect("utf-8");
    changed.extra = Some(line.replacen("\"t\":", "\"t\":1", 1).into_bytes());
    assert!(check_proof(changed.to_text().as_bytes(), &vkey, &[]).is_err());
    // Moved to another index.
    let mut moved = proof.clone();
    moved.index = 6;
    let why = check_proof(moved.to_text().as_bytes(), &vkey, &[]).unwrap_err();
    assert!(why.contains("number 5"), "{why}");
    // Checked against the other end's key, or with a witness that did
    // not sign.
    let text = proof.to_text();
    assert!(check_proof(text.as_bytes(), &log_verifier_key(&peer), &[]).is_err());
    let stranger = verify_log(&session(8).1);
    let why = check_proof(text.as_bytes(), &vkey, &[log_verifier_key(&stranger)]).unwrap_err();
    assert!(why.starts_with("cosignature by"), "{why}");
    // A key with a typo.
    let why = check_proof(text.as_bytes(), &vkey.replacen('+', "x+", 1), &[]).unwrap_err();
    assert!(why.starts_with("--key"), "{why}");
    assert_eq!(TlogProof::parse(text.as_bytes()), Ok(proof));
}

#[test]
fn unsigned_or_missing_events_have_no_proof() {
    let (agent, _) = session(7);
    let report = verify_log(&agent);
    let count = report.leaves.len() as u64;
    assert!(prove_event(&report, count)
        .unwrap_err()
        .contains("no event"));
    // The record cut just after the chat: the events of that second are
    // not under any checkpoint yet.
    let chat = agent
        .windows(11)
        .position(|w| w == b"imprimante\"")
        .expect("chat");
    let cut = chat + agent[chat..].iter().position(|b| *b == b'\n').expect("eol") + 1;
    let truncated = verify_log(&agent[..cut]);
    assert!(!truncated.whole() && truncated.fault.is_none());
    let last = truncated.leaves.len() as u64 - 1;
    assert!(last >= truncated.covered());
    let why = prove_event(&truncated, last).unwrap_err();
    assert!(why.contains("after the last signed checkpoint"), "{why}");
    assert!(prove_event(&truncated, truncated.covered() - 1).is_ok());
}
