//! Arbitrary bytes as what an auditor is handed of a session record: one
//! leaf line, and a whole log file through the verifier, whose report is
//! then cross-checked against both ends of a fixed whole session
//! (`src/audit.rs`). Seeds are real cosigned logs of both ends and their
//! leaf lines, so mutations start inside the leaf, checkpoint,
//! cosignature and peer-checkpoint checks.
//!
//! A leaf line that reads is the one line of its fact (it re-encodes to
//! the same bytes). A report never panics in its verdict, and one
//! without a fault holds only leaves in order, each linked to the one
//! before, under checkpoints whose roots are those of its leaves; it is
//! whole only when closed and covered. The cross-check gives the same
//! answer both ways round, and agrees only for the other end of the same
//! session.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_audit::record::{link, Fact, Leaf};
use tessera_audit::verify::cross::cross_check;
use tessera_audit::verify::{verify_log, Report};
use tessera_audit::wire::Hex;
use tessera_audit::{leaf_hash, root_of};
use tessera_fuzz::audit::reports;

/// What holds of any report: leaves and hashes agree, and the verdict
/// is a line.
fn check_any(report: &Report) {
    assert_eq!(report.leaves.len(), report.hashes.len());
    let verdict = report.verdict();
    assert!(
        !verdict.is_empty() && !verdict.contains('\n'),
        "{verdict:?}"
    );
}

/// What holds of a report without a fault.
fn check_sound(report: &Report) {
    let (leaves, hashes) = (&report.leaves, &report.hashes);
    let count = leaves.len() as u64;
    assert!(report.covered() <= count, "covers more than it holds");
    let mut previous: Option<&[u8; 32]> = None;
    let mut t = 0;
    for (i, (leaf, hash)) in leaves.iter().zip(hashes).enumerate() {
        assert_eq!(leaf.n, i as u64, "a leaf out of place");
        let line = leaf.encode().expect("a leaf read re-encodes");
        assert_eq!(&leaf_hash(&line), hash, "a leaf's hash is not its line's");
        assert_eq!(leaf.p, previous.map_or(Hex([0; 8]), link), "a broken link");
        assert!(leaf.t >= t, "time goes back");
        assert_eq!(
            matches!(leaf.fact, Fact::LogOpened { .. }),
            i == 0,
            "log_opened not first, or not only first"
        );
        assert!(
            i + 1 == leaves.len() || leaf.fact != Fact::LogClosed,
            "a leaf after log_closed"
        );
        previous = Some(hash);
        t = leaf.t;
    }
    assert_eq!(report.side.is_some(), !leaves.is_empty());
    let mut size = 0;
    for (checkpoint, note) in &report.checkpoints {
        assert!(checkpoint.size > size, "checkpoints out of order");
        assert_eq!(checkpoint.origin, report.origin);
        let covered = usize::try_from(checkpoint.size).expect("a size held");
        assert_eq!(
            checkpoint.root,
            root_of(&hashes[..covered]),
            "a checkpoint that is not of its leaves"
        );
        assert!(note.starts_with(&checkpoint.text()));
        size = checkpoint.size;
    }
    assert!(report.peer_checkpoints.is_empty() || report.peer.is_some());
    if report.whole() {
        assert_eq!(leaves.last().map(|l| &l.fact), Some(&Fact::LogClosed));
        assert_eq!(report.covered(), count);
        assert!(report.verdict().starts_with("valid: "));
    } else {
        assert!(report.verdict().starts_with("truncated"));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(leaf) = Leaf::decode(data) {
        let line = leaf.encode().expect("a leaf read re-encodes");
        assert_eq!(line, data, "a leaf reads back byte for byte");
        let kind = format!(r#""k":"{}""#, leaf.fact.kind());
        assert!(line.windows(kind.len()).any(|w| w == kind.as_bytes()));
    }
    let report = verify_log(data);
    check_any(&report);
    if report.fault.is_none() {
        check_sound(&report);
    }
    let peers = reports();
    for peer in [&peers.agent, &peers.viewer] {
        let result = cross_check(&report, peer);
        assert_eq!(result, cross_check(peer, &report), "not symmetric");
        if result.is_ok() {
            assert_eq!(report.session_id, peer.session_id);
            assert!(report.side.is_some() && report.side != peer.side);
        }
    }
});
