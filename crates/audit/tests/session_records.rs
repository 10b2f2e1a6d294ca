//! Both ends' `SessionRecord`s driven as the binaries drive them, their
//! audit messages crossing in memory: facts, screen messages, ticks, the
//! close; then the auditor's checks on the bytes they gave to write.

mod common;

use common::{grants, key, public};
use tessera_audit::log::MAX_PENDING;
use tessera_audit::record::{origin, Certification, Certifier, Fact, Side, TypedText};
use tessera_audit::recording::Kind;
use tessera_audit::session_record::{Opening, Outputs, RecordError, SessionRecord, Write};
use tessera_audit::verify::cross::cross_check;
use tessera_audit::verify::screen::verify_recording;
use tessera_audit::verify::verify_log;
use tessera_audit::wire::Base64;
use tessera_proto::audit::AuditMsg;
use tessera_proto::{EndReason, Permission};

const SESSION: [u8; 16] = [0x42; 16];
const WALL_MS: u64 = 1_796_000_000_000;

/// One end: its record and the files it was told to write.
struct End {
    record: SessionRecord,
    log: Vec<u8>,
    screen: Vec<u8>,
    outbox: Vec<AuditMsg>,
}

impl End {
    fn open(side: Side, seed: u8, certifier_seed: u8) -> End {
        let log_key = key(seed);
        let certifier = key(certifier_seed);
        let message =
            tessera_audit::certificate_message(&origin(&SESSION, side), &public(&log_key));
        let certification = Certification {
            kind: match side {
                Side::Agent => Certifier::Device,
                Side::Viewer => Certifier::Technician,
            },
            key: Base64(public(&certifier)),
            signature: Base64(certifier.sign(&message).as_ref().try_into().expect("64")),
        };
        let opening = Opening {
            side,
            session_id: SESSION,
            relay: "127.0.0.1:4433".into(),
            software: "test".into(),
            log_key,
            certification,
            wall_ms: WALL_MS,
            typed_text: TypedText::Recorded,
        };
        let (record, out) = SessionRecord::open(opening, 0).expect("opens");
        let mut end = End {
            record,
            log: Vec::new(),
            screen: Vec::new(),
            outbox: Vec::new(),
        };
        end.apply(out);
        end
    }

    fn apply(&mut self, out: Outputs) {
        for write in out.writes {
            match write {
                Write::Log { bytes, .. } => self.log.extend(bytes),
                Write::Screen(bytes) => self.screen.extend(bytes),
                Write::Sealed(sealed) => {
                    self.log.extend(sealed.leaves);
                    self.log.extend(sealed.checkpoint_line);
                }
            }
        }
        self.outbox.extend(out.to_peer);
    }

    fn record(&mut self, t: u64, fact: Fact) {
        let out = self.record.record(t, fact).expect("recorded");
        self.apply(out);
    }

    fn tick(&mut self, t: u64) {
        let out = self.record.tick(t, WALL_MS + t / 1000).expect("ticked");
        self.apply(out);
    }
}

/// Delivers what `from` sent to `to`.
fn deliver(from: &mut End, to: &mut End, t: u64) -> Result<(), RecordError> {
    for msg in std::mem::take(&mut from.outbox) {
        let out = to
            .record
            .from_peer(t, 1_796_000_000 + t / 1_000_000, &msg)?;
        to.apply(out);
    }
    Ok(())
}

fn exchange(a: &mut End, v: &mut End, t: u64) {
    for _ in 0..3 {
        deliver(a, v, t).expect("the viewer takes it");
        deliver(v, a, t).expect("the agent takes it");
    }
}

fn session() -> (End, End) {
    let mut a = End::open(Side::Agent, 1, 101);
    let mut v = End::open(Side::Viewer, 2, 102);
    exchange(&mut a, &mut v, 5);
    let asked = grants(&[Permission::View, Permission::Control]);
    for end in [&mut a, &mut v] {
        end.record(10, Fact::Consent { granted: asked });
    }
    for (i, t) in [100_000u64, 600_000, 1_200_000, 1_700_000]
        .into_iter()
        .enumerate()
    {
        let kind = if i == 0 { Kind::Keyframe } else { Kind::Update };
        let message = vec![i as u8; 1000 + i];
        let out = a.record.screen(t, kind, &message).expect("recorded");
        a.apply(out);
        let out = v.record.screen(t + 50, kind, &message).expect("recorded");
        v.apply(out);
        if (1_000_000..1_300_000).contains(&t) {
            a.tick(1_000_000 + i as u64);
            v.tick(1_000_000 + i as u64);
            exchange(&mut a, &mut v, 1_000_100);
        }
    }
    for end in [&mut a, &mut v] {
        end.record(
            2_000_000,
            Fact::SessionEnded {
                reason: EndReason::UserEnded,
                detail: None,
            },
        );
    }
    a.tick(2_100_000);
    v.tick(2_100_000);
    exchange(&mut a, &mut v, 2_100_000);
    for end in [&mut a, &mut v] {
        let out = end
            .record
            .close(2_200_000, WALL_MS + 2_200)
            .expect("closed");
        end.apply(out);
    }
    exchange(&mut a, &mut v, 2_300_000);
    (a, v)
}

#[test]
fn both_records_are_whole_cross_checked_with_their_screens() {
    let (a, v) = session();
    for end in [&a, &v] {
        let mut report = verify_log(&end.log);
        assert!(report.whole(), "{}", report.verdict());
        assert!(report.cosigned >= 3, "{}", report.cosigned);
        let screen = verify_recording(&mut report, &end.screen);
        assert_eq!(screen.segments, 2, "{}", report.verdict());
        assert_eq!(screen.unlisted, 0);
        assert!(report.whole(), "{}", report.verdict());
    }
    let (ra, rv) = (verify_log(&a.log), verify_log(&v.log));
    assert!(cross_check(&ra, &rv).is_ok(), "{:?}", cross_check(&ra, &rv));
    // The final checkpoints were countersigned after both closed.
    assert!(
        ra.checkpoints
            .last()
            .expect("one")
            .1
            .matches('\u{2014}')
            .count()
            == 2
    );
}

#[test]
fn a_forged_or_misplaced_peer_message_ends_the_record() {
    let mut a = End::open(Side::Agent, 1, 101);
    let mut v = End::open(Side::Viewer, 2, 102);
    // Another session's viewer key.
    let mut stranger = End::open(Side::Agent, 3, 103);
    let err = deliver(&mut stranger, &mut a, 5).unwrap_err();
    assert!(matches!(err, RecordError::Peer(_)), "{err}");
    // The viewer's key with its certificate signature broken.
    let Some(AuditMsg::LogKey { signature, .. }) = v.outbox.first_mut() else {
        panic!("a log key first");
    };
    signature.0[0] ^= 1;
    let err = deliver(&mut v, &mut a, 5).unwrap_err();
    assert!(err.to_string().contains("log key"), "{err}");
    // A cosignature for a checkpoint never sent.
    let mut a = End::open(Side::Agent, 1, 101);
    let mut v = End::open(Side::Viewer, 2, 102);
    exchange(&mut a, &mut v, 5);
    let forged = AuditMsg::Cosignature {
        size: 99,
        line: "\u{2014} x AAAA\n".into(),
    };
    assert!(a.record.from_peer(6, 1, &forged).is_err());
}

#[test]
fn a_cosignature_crossing_the_end_leaves_the_record_whole() {
    let mut a = End::open(Side::Agent, 1, 101);
    let mut v = End::open(Side::Viewer, 2, 102);
    exchange(&mut a, &mut v, 5);
    a.record(10, Fact::Paired);
    a.tick(1_000_000);
    // The viewer cosigns that second's checkpoint; its answer is still on
    // the way when the agent closes.
    deliver(&mut a, &mut v, 1_000_100).expect("witnessed");
    a.record(
        1_100_000,
        Fact::SessionEnded {
            reason: EndReason::UserEnded,
            detail: None,
        },
    );
    let out = a.record.close(1_200_000, WALL_MS + 1_200).expect("closed");
    a.apply(out);
    exchange(&mut a, &mut v, 1_300_000);
    let out = v.record.close(1_400_000, WALL_MS + 1_400).expect("closed");
    v.apply(out);
    exchange(&mut a, &mut v, 1_500_000);
    for end in [&a, &v] {
        let report = verify_log(&end.log);
        assert!(report.whole(), "{}", report.verdict());
    }
    assert!(a.record.all_cosigned());
}

#[test]
fn a_peer_that_stops_cosigning_ends_the_record_whole() {
    // Found by the audit_peer fuzz target: the seal that noticed the
    // silence was dropped with its error, so the next line skipped an
    // event and this end's own record no longer verified.
    let mut a = End::open(Side::Agent, 1, 101);
    let mut v = End::open(Side::Viewer, 2, 102);
    exchange(&mut a, &mut v, 5);
    let mut stopped = None;
    for second in 1..=(MAX_PENDING as u64 + 2) {
        let t = second * 1_000_000;
        a.record(t, Fact::Paired);
        match a.record.tick(t + 500_000, WALL_MS + t / 1000 + 500) {
            Ok(out) => a.apply(out),
            Err(e) => {
                stopped = Some(e);
                break;
            }
        }
        // The viewer hears the checkpoints, never answers.
        a.outbox.clear();
    }
    assert!(
        matches!(stopped, Some(RecordError::PeerSilent)),
        "{stopped:?}"
    );
    let out = a
        .record
        .close(500_000_000, WALL_MS + 500_000)
        .expect("closed");
    a.apply(out);
    let report = verify_log(&a.log);
    assert!(report.whole(), "{}", report.verdict());
}
