//! Both ends' session records, as the `audit_records` seeds and its
//! fixed peer reports are made: the agent's and the viewer's logs written
//! in memory by the real writer (`Log`), each end witnessing and
//! cosigning the other's checkpoints (`Witness`), with the fixture keys
//! (the agent's log key is [`audit_log_key`], the viewer's
//! [`audit_witness_key`]), so the same bytes every time.

use crate::fixtures::{
    audit_device_key, audit_log_key, audit_public, audit_technician_key, audit_witness_key,
    AUDIT_LOG, AUDIT_WITNESS, NOW,
};
use ring::signature::Ed25519KeyPair;
use std::sync::OnceLock;
use tessera_audit::log::Log;
use tessera_audit::record::{
    origin, Certification, Certifier, Direction, Fact, Outcome, Side, TypedText, FORMAT,
};
use tessera_audit::verify::{verify_log, Report};
use tessera_audit::wire::{Base64, Hex};
use tessera_audit::witness::Witness;
use tessera_input::{Button, Key, RefusalKind};
use tessera_proto::{EndReason, Grants, Permission, UpgradeRefusal};

/// The relay's session id: the fixture logs' origins
/// ([`AUDIT_LOG`], [`AUDIT_WITNESS`]) name it.
pub const SESSION_ID: [u8; 16] = [0x5e; 16];

/// The wall clock when the logs open (ms since the Unix epoch).
const WALL_MS: u64 = NOW * 1000;

/// `side`'s log key of the fixture session, vouched for by `certifier`
/// (the device key for the agent, the technician's for the viewer).
pub fn certify(side: Side, log_key: &Ed25519KeyPair, certifier: &Ed25519KeyPair) -> Certification {
    let origin = origin(&SESSION_ID, side);
    let message = tessera_audit::certificate_message(&origin, &audit_public(log_key));
    let mut signature = [0; 64];
    signature.copy_from_slice(certifier.sign(&message).as_ref());
    Certification {
        kind: match side {
            Side::Agent => Certifier::Device,
            Side::Viewer => Certifier::Technician,
        },
        key: Base64(audit_public(certifier)),
        signature: Base64(signature),
    }
}

/// One end: its log, its file, its view of the other's log.
struct End {
    log: Log,
    file: Vec<u8>,
    witness: Option<Witness>,
    certification: Certification,
}

impl End {
    /// Opens `side`'s log with `log_key`, vouched for by `certifier`.
    fn open(side: Side, log_key: Ed25519KeyPair, certifier: Ed25519KeyPair) -> End {
        let origin = origin(&SESSION_ID, side);
        let public = audit_public(&log_key);
        let certification = certify(side, &log_key, &certifier);
        let opening = Fact::LogOpened {
            format: FORMAT.into(),
            origin,
            side,
            session_id: Hex(SESSION_ID),
            relay: "relay.example.org:4433".into(),
            software: "tessera 0.1.0".into(),
            log_key: Base64(public),
            certified_by: certification.clone(),
            wall_ms: WALL_MS,
            typed_text: match side {
                Side::Agent => TypedText::Recorded,
                Side::Viewer => TypedText::Counted,
            },
        };
        let (log, file) = Log::open(log_key, 0, opening).expect("a log opens");
        End {
            log,
            file,
            witness: None,
            certification,
        }
    }

    fn record(&mut self, t: u64, fact: Fact) {
        let line = self.log.append(t, fact).expect("a fact appends");
        self.file.extend(line);
    }

    /// Learns the other end's log key (as its `LogKey` message gives it).
    fn meet(&mut self, t: u64, other: &End) {
        let key = other.log.public_key();
        self.record(
            t,
            Fact::PeerLogKey {
                origin: other.log.origin().into(),
                key: Base64(key),
                certified_by: other.certification.clone(),
            },
        );
        self.witness = Some(Witness::new(other.log.origin().into(), key));
    }

    /// Seals a stretch at `t`; the checkpoint goes to `other`, which
    /// witnesses it (once it knows this end's key), and its cosignature
    /// comes back.
    fn seal(&mut self, t: u64, closing: bool, other: &mut End) {
        let Some(sealed) = self
            .log
            .seal(t, WALL_MS + t / 1000, closing)
            .expect("a stretch seals")
        else {
            return;
        };
        self.file.extend(sealed.leaves);
        self.file.extend(sealed.checkpoint_line);
        let Some(witness) = other.witness.as_mut() else {
            return;
        };
        let sent = self.log.for_peer().expect("a proof").expect("a new one");
        let witnessed = witness
            .witness(
                &mut other.log,
                t,
                NOW + t / 1_000_000,
                &sent.note,
                sent.from,
                &sent.proof,
            )
            .expect("the other end witnesses it");
        other.file.extend(witnessed.line);
        let cosigned = self
            .log
            .cosigned(
                t,
                witnessed.checkpoint.size,
                &witnessed.cosignature.line(),
                other.log.origin(),
                &other.log.public_key(),
            )
            .expect("the cosignature holds");
        self.file.extend(cosigned);
    }
}

fn grants(list: &[Permission]) -> Grants {
    list.iter().copied().collect()
}

/// Both whole records of one session.
pub struct Session {
    /// The agent's log file.
    pub agent: Vec<u8>,
    /// The viewer's log file.
    pub viewer: Vec<u8>,
}

/// A session that writes nearly every kind of fact: pairing, the
/// technician's introduction, consent, typing, clicks, scrolls, moves,
/// refused input, chat, clipboard and files, the person's own input, an
/// upgrade refused and one granted, a continue check, a grant taken back,
/// screen segments, a snapshot, an error, a note, the end; a checkpoint
/// every second both ways, each cosigned by the other end, and the final
/// ones after `log_closed`.
pub fn session() -> Session {
    let mut agent = End::open(Side::Agent, audit_log_key(), audit_device_key());
    let mut viewer = End::open(Side::Viewer, audit_witness_key(), audit_technician_key());
    assert_eq!(agent.log.origin(), AUDIT_LOG);
    assert_eq!(viewer.log.origin(), AUDIT_WITNESS);
    let (a, v) = (&mut agent, &mut viewer);
    for end in [&mut *a, &mut *v] {
        end.record(
            5,
            Fact::Nameplate {
                nameplate: "4217".into(),
            },
        );
        end.record(10, Fact::Paired);
    }
    a.record(
        15,
        Fact::Secured {
            peer_fingerprint: Hex([0x0b; 32]),
        },
    );
    v.record(
        15,
        Fact::Secured {
            peer_fingerprint: Hex([0x0a; 32]),
        },
    );
    a.seal(20, false, v);
    v.seal(20, false, a);
    a.meet(30, v);
    v.meet(30, a);
    a.record(
        35,
        Fact::Technician {
            name: "Jane Doe".into(),
            org: Some("Acme IT".into()),
            verified_by: Some("Acme IT".into()),
            not_verified: None,
        },
    );
    let asked = grants(&[Permission::View, Permission::Control, Permission::Chat]);
    for end in [&mut *a, &mut *v] {
        end.record(
            38,
            Fact::Ticket {
                id: "INC-1042".into(),
                priority: Some("high".into()),
            },
        );
        end.record(40, Fact::ConsentRequested { requested: asked });
        end.record(50, Fact::Consent { granted: asked });
    }
    a.seal(1_000_000, false, v);
    v.seal(1_000_000, false, a);

    for (t, key, text) in [(1_100_000, Key::KeyL, 'l'), (1_150_000, Key::KeyS, 's')] {
        for down in [true, false] {
            a.record(
                t,
                Fact::Key {
                    key,
                    down,
                    text: down.then_some(text),
                    outcome: Outcome::Injected,
                    why: None,
                },
            );
        }
    }
    a.record(
        1_200_000,
        Fact::Text {
            text: Some("lpstat -p\n".into()),
            chars: 10,
            outcome: Outcome::Injected,
            why: None,
        },
    );
    a.record(
        1_300_000,
        Fact::Moves {
            count: 14,
            x: 640,
            y: 400,
            outcome: Outcome::Injected,
            why: None,
        },
    );
    for down in [true, false] {
        a.record(
            1_400_000,
            Fact::Click {
                button: Button::Left,
                down,
                x: 640,
                y: 400,
                outcome: Outcome::Injected,
                why: None,
            },
        );
    }
    a.record(
        1_500_000,
        Fact::Scroll {
            dx: 0,
            dy: -240,
            outcome: Outcome::Injected,
            why: None,
        },
    );
    a.record(
        1_600_000,
        Fact::ScreenSegment {
            i: 0,
            offset: 0,
            len: 48_213,
            sha256: Hex([0x31; 32]),
            first_us: 1_000_000,
            last_us: 1_600_000,
            keyframe: true,
        },
    );
    for end in [&mut *a, &mut *v] {
        end.record(
            1_700_000,
            Fact::Chat {
                from: Side::Viewer,
                text: "Je regarde votre imprimante".into(),
            },
        );
        end.record(
            1_800_000,
            Fact::Chat {
                from: Side::Agent,
                text: "D'accord, merci !".into(),
            },
        );
    }
    a.seal(2_000_000, false, v);
    v.seal(2_000_000, false, a);

    a.record(2_100_000, Fact::LocalUser { active: true });
    a.record(
        2_150_000,
        Fact::Key {
            key: Key::Enter,
            down: true,
            text: None,
            outcome: Outcome::Refused,
            why: Some(RefusalKind::LocalUser),
        },
    );
    a.record(
        2_160_000,
        Fact::Click {
            button: Button::Right,
            down: true,
            x: 12,
            y: 34,
            outcome: Outcome::Refused,
            why: Some(RefusalKind::LocalUser),
        },
    );
    a.record(2_200_000, Fact::LocalUser { active: false });
    let clipboard = asked.with(Permission::Clipboard);
    let files = clipboard.with(Permission::Files);
    for end in [&mut *a, &mut *v] {
        end.record(
            2_300_000,
            Fact::UpgradeRequested {
                requested: Grants::NONE.with(Permission::Files),
            },
        );
        end.record(
            2_400_000,
            Fact::UpgradeRefused {
                why: UpgradeRefusal::Denied,
            },
        );
        end.record(
            2_500_000,
            Fact::UpgradeRequested {
                requested: Grants::NONE
                    .with(Permission::Clipboard)
                    .with(Permission::Files),
            },
        );
        end.record(2_600_000, Fact::UpgradeGranted { granted: files });
    }
    a.seal(3_000_000, false, v);
    v.seal(3_000_000, false, a);

    for end in [&mut *a, &mut *v] {
        end.record(
            3_100_000,
            Fact::Clipboard {
                dir: Direction::ToAgent,
                bytes: 27,
                sha256: Hex([0x42; 32]),
            },
        );
        end.record(
            3_200_000,
            Fact::File {
                dir: Direction::ToViewer,
                name: "cups-error_log".into(),
                bytes: 18_432,
                sha256: Hex([0x43; 32]),
            },
        );
        end.record(3_300_000, Fact::ContinueCheck { open: true });
        end.record(3_400_000, Fact::ContinueCheck { open: false });
    }
    v.record(
        3_500_000,
        Fact::Snapshot {
            seq: 212,
            sha256: Hex([0x44; 32]),
        },
    );
    a.record(
        3_600_000,
        Fact::ScreenSegment {
            i: 1,
            offset: 48_213,
            len: 9_876,
            sha256: Hex([0x32; 32]),
            first_us: 2_000_000,
            last_us: 3_600_000,
            keyframe: false,
        },
    );
    v.record(
        3_700_000,
        Fact::Error {
            what: "snapshot folder not writable; saved in the temporary folder".into(),
        },
    );
    a.seal(4_000_000, false, v);
    v.seal(4_000_000, false, a);

    let view_chat = grants(&[Permission::View, Permission::Chat]);
    for end in [&mut *a, &mut *v] {
        end.record(4_100_000, Fact::GrantChanged { granted: view_chat });
    }
    a.record(
        4_150_000,
        Fact::Text {
            text: Some("reboot".into()),
            chars: 6,
            outcome: Outcome::Refused,
            why: Some(RefusalKind::NotGranted),
        },
    );
    v.record(
        4_200_000,
        Fact::Note {
            text: "Pilote réinstallé, file d'impression vidée.".into(),
        },
    );
    for end in [&mut *a, &mut *v] {
        end.record(
            5_000_000,
            Fact::SessionEnded {
                reason: EndReason::TechnicianEnded,
                detail: Some("problème résolu".into()),
            },
        );
    }
    a.seal(5_100_000, false, v);
    v.seal(5_100_000, false, a);
    // The agent closes first: the viewer records its last checkpoint as
    // a leaf; the viewer's comes after the agent closed, as a line.
    a.seal(5_200_000, true, v);
    v.seal(5_200_000, true, a);
    Session {
        agent: agent.file,
        viewer: viewer.file,
    }
}

/// The reports of [`session`]'s two records, verified once.
pub struct Reports {
    /// The agent's.
    pub agent: Report,
    /// The viewer's.
    pub viewer: Report,
}

/// [`session`]'s reports, whole both: the fixed peers a fuzzed record is
/// cross-checked against.
pub fn reports() -> &'static Reports {
    static REPORTS: OnceLock<Reports> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let session = session();
        let reports = Reports {
            agent: verify_log(&session.agent),
            viewer: verify_log(&session.viewer),
        };
        assert!(reports.agent.whole(), "{}", reports.agent.verdict());
        assert!(reports.viewer.whole(), "{}", reports.viewer.verdict());
        reports
    })
}
