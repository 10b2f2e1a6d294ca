//! Two ends of a session writing their logs in memory, cosigning each
//! other's checkpoints; then the auditor's checks on what they wrote:
//! whole records pass and cross-check, and every kind of tampering is
//! found at the right place.

mod common;

use common::*;
use tessera_audit::verify::cross::cross_check;
use tessera_audit::verify::{verify_log, Place};
#[test]
fn a_full_session_verifies_on_both_ends_and_they_agree() {
    let (agent, viewer) = session(7);
    let (a, v) = (verify_log(&agent), verify_log(&viewer));
    assert!(a.whole(), "{}", a.verdict());
    assert!(v.whole(), "{}", v.verdict());
    assert!(
        a.cosigned >= 4 && v.cosigned >= 3,
        "{} {}",
        a.cosigned,
        v.cosigned
    );
    assert!(!a.peer_checkpoints.is_empty() && !v.peer_checkpoints.is_empty());
    let notes = cross_check(&a, &v).unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(a.verdict().starts_with("valid: "), "{}", a.verdict());
}

/// The log's lines, to tamper with.
fn lines(file: &[u8]) -> Vec<Vec<u8>> {
    file.split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// The index in `lines` of leaf `n`.
fn line_of(lines: &[Vec<u8>], n: u64) -> usize {
    let prefix = format!("{{\"n\":{n},");
    lines
        .iter()
        .position(|l| l.starts_with(prefix.as_bytes()))
        .expect("leaf n")
}

#[test]
fn a_changed_byte_is_found_at_its_event() {
    let (agent, _) = session(7);
    let mut lines = lines(&agent);
    // The chat line (a leaf followed by another leaf).
    let at = lines
        .iter()
        .position(|l| l.windows(11).any(|w| w == b"imprimante\""))
        .unwrap();
    let n = at_leaf(&lines[at]);
    let spot = lines[at].windows(3).position(|w| w == b"Je ").unwrap();
    lines[at][spot] = b'j';
    let report = verify_log(&lines.concat());
    assert_eq!(report.fault.clone().unwrap().place, Place::Event(n));
    assert!(!report.whole());
}

fn at_leaf(line: &[u8]) -> u64 {
    let text = std::str::from_utf8(line).expect("utf-8");
    let n = text.strip_prefix("{\"n\":").expect("a leaf");
    n[..n.find(',').expect("n")].parse().expect("a number")
}

#[test]
fn a_deleted_or_moved_event_is_found() {
    let (agent, _) = session(7);
    let lines = lines(&agent);
    let at = line_of(&lines, 5);
    let mut deleted = lines.clone();
    deleted.remove(at);
    let fault = verify_log(&deleted.concat()).fault.unwrap();
    assert_eq!(fault.place, Place::Event(5), "{fault}");
    let mut swapped = lines.clone();
    swapped.swap(at, at + 1);
    let fault = verify_log(&swapped.concat()).fault.unwrap();
    assert_eq!(fault.place, Place::Event(5), "{fault}");
}

#[test]
fn a_cut_tail_is_truncation_after_the_last_checkpoint() {
    let (agent, _) = session(7);
    let full = verify_log(&agent);
    let mut last_verdict = String::new();
    // Whole from the end of the checkpoint that covers log_closed (what
    // comes after it, the other end's signatures, stands on its own).
    let closed = agent
        .windows(14)
        .position(|w| w == b"\"log_closed\"}\n")
        .expect("log_closed");
    let sealed = closed
        + agent[closed..]
            .windows(15)
            .position(|w| w == b"{\"checkpoint\":\"")
            .expect("final checkpoint");
    let sealed = sealed
        + agent[sealed..]
            .iter()
            .position(|b| *b == b'\n')
            .expect("end")
        + 1;
    // Cut at every byte: never a fault, whole only from there, and what
    // is covered never shrinks as more is kept.
    let mut covered = 0;
    for cut in 0..agent.len() {
        let report = verify_log(&agent[..cut]);
        assert!(report.fault.is_none(), "cut at {cut}: {}", report.verdict());
        assert_eq!(report.whole(), cut >= sealed, "cut at {cut}");
        assert!(report.covered() >= covered);
        covered = report.covered();
        if cut < sealed {
            last_verdict = report.verdict();
            // Named at the last event a signed checkpoint covers.
            if covered > 0 {
                let unsigned = report.leaves.len() as u64 - covered;
                assert_eq!(
                    last_verdict,
                    format!(
                        "truncated after event {} (the {unsigned} events after it are not signed)",
                        covered - 1
                    ),
                    "cut at {cut}"
                );
            }
        }
    }
    assert!(
        last_verdict.starts_with("truncated after event"),
        "{last_verdict}"
    );
    assert!(full.whole());
}

/// The size a checkpoint line claims (its note's second line).
fn claimed_size(line: &[u8]) -> u64 {
    let text = std::str::from_utf8(line).expect("utf-8");
    let body = text.split("\\n").nth(1).expect("a size line");
    body.parse().expect("a size")
}

#[test]
fn a_checkpoint_signed_by_another_key_or_session_is_refused_at_its_place() {
    let (agent, _) = session(7);
    let lines = lines(&agent);
    // The second checkpoint: what comes before it holds, so the fault is
    // there and nowhere earlier.
    let ours_at = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(b"{\"checkpoint\""))
        .nth(1)
        .unwrap()
        .0;
    let size = claimed_size(&lines[ours_at]);
    // The same session's log under another key (a forger's), and another
    // session's under the same key.
    for (other, why) in [
        (session_keyed(7, 3).0, "another key"),
        (session(8).0, "another session"),
    ] {
        let theirs = self::lines(&other);
        let theirs_at = theirs
            .iter()
            .position(|l| l.starts_with(b"{\"checkpoint\"") && claimed_size(l) == size)
            .expect("a checkpoint of the same size");
        assert_ne!(theirs[theirs_at], lines[ours_at], "{why}");
        let mut replaced = lines.clone();
        replaced[ours_at] = theirs[theirs_at].clone();
        let report = verify_log(&replaced.concat());
        let fault = report.fault.clone().unwrap();
        assert_eq!(fault.place, Place::Checkpoint(size), "{why}: {fault}");
        assert!(
            fault.why.contains("not signed by this log's key"),
            "{why}: {fault}"
        );
        assert_eq!(report.checkpoints.len(), 1, "{why}: the first still holds");
    }
}

#[test]
fn one_end_swapped_for_another_session_s_is_found_by_the_cross_check() {
    let (agent, viewer) = session(7);
    let (_, other_viewer) = session(8);
    let a = verify_log(&agent);
    let v = verify_log(&viewer);
    let w = verify_log(&other_viewer);
    assert!(w.whole());
    assert!(cross_check(&a, &v).is_ok());
    let error = cross_check(&a, &w).unwrap_err();
    assert!(error.contains("two sessions"), "{error}");
    assert!(cross_check(&a, &a).is_err());
}

#[test]
fn a_record_cut_behind_the_other_end_s_back_is_found() {
    let (agent, viewer) = session(7);
    let v = verify_log(&viewer);
    // The agent's record cut after its third checkpoint line: valid on
    // its own (truncated), but the viewer holds later checkpoints of it.
    let lines = lines(&agent);
    let third = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(b"{\"checkpoint\""))
        .nth(2)
        .unwrap()
        .0;
    let a = verify_log(&lines[..=third].concat());
    assert!(a.fault.is_none() && !a.whole());
    let error = cross_check(&a, &v).unwrap_err();
    assert!(error.contains("agent's record was cut"), "{error}");
}

#[test]
fn a_verdict_quoting_the_file_is_one_safe_line() {
    let (agent, _) = session(7);
    let mut lines = lines(&agent);
    let at = line_of(&lines, 2);
    let text = String::from_utf8(lines[at].clone()).unwrap();
    let kind = text.find("\"k\":\"").unwrap() + 5;
    let end = kind + text[kind..].find('"').unwrap();
    // An unknown kind the parser quotes back: a line feed, an escape
    // sequence and a direction override, then a very long tail.
    let hostile = format!("x\\n\\u001b[2J\\u202e{}", "y".repeat(5000));
    lines[at] = format!("{}{hostile}{}", &text[..kind], &text[end..]).into_bytes();
    let verdict = verify_log(&lines.concat()).verdict();
    assert!(verdict.starts_with("NOT VALID: event 2"), "{verdict}");
    assert!(!verdict.chars().any(|c| c.is_control() || c == '\u{202e}'));
    assert!(verdict.chars().count() < 400, "{verdict}");
}
