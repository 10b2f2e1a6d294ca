//! A whole session written by both ends in memory, shared by the tests
//! of the verifier, the proofs and the timeline.
#![allow(dead_code)]

use ring::signature::{Ed25519KeyPair, KeyPair};
use tessera_audit::log::Log;
use tessera_audit::record::{
    origin, Certification, Certifier, Fact, Outcome, Side, TypedText, FORMAT,
};
use tessera_audit::wire::{Base64, Hex};
use tessera_audit::witness::Witness;
use tessera_input::Key;
use tessera_proto::{EndReason, Grants, Permission};

pub fn key(seed: u8) -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("key")
}

pub fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().expect("32 bytes")
}

/// One end: its log, its file, its view of the other's log.
struct End {
    log: Log,
    file: Vec<u8>,
    witness: Option<Witness>,
    certification: Certification,
}

impl End {
    fn open(session: [u8; 16], side: Side, seed: u8) -> End {
        let log_key = key(seed);
        let certifier = key(seed + 100);
        let origin = origin(&session, side);
        let message = tessera_audit::certificate_message(&origin, &public(&log_key));
        let certification = Certification {
            kind: match side {
                Side::Agent => Certifier::Device,
                Side::Viewer => Certifier::Technician,
            },
            key: Base64(public(&certifier)),
            signature: Base64(certifier.sign(&message).as_ref().try_into().expect("64")),
        };
        let opening = Fact::LogOpened {
            format: FORMAT.into(),
            origin,
            side,
            session_id: Hex(session),
            relay: "127.0.0.1:4433".into(),
            software: "test".into(),
            log_key: Base64(public(&log_key)),
            certified_by: certification.clone(),
            wall_ms: 1_796_000_000_000,
            typed_text: TypedText::Recorded,
        };
        let (log, file) = Log::open(log_key, 0, opening).expect("open");
        End {
            log,
            file,
            witness: None,
            certification,
        }
    }

    fn record(&mut self, t: u64, fact: Fact) {
        let line = self.log.append(t, fact).expect("append");
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

    /// Seals a second; the checkpoint goes to `other`, which witnesses
    /// it, and its cosignature comes back.
    fn seal(&mut self, t: u64, closing: bool, other: &mut End) {
        let Some(sealed) = self
            .log
            .seal(t, 1_796_000_000_000 + t / 1000, closing)
            .expect("seal")
        else {
            return;
        };
        self.file.extend(sealed.leaves);
        self.file.extend(sealed.checkpoint_line);
        let Some(witness) = other.witness.as_mut() else {
            return;
        };
        let sent = self.log.for_peer().expect("proof").expect("new");
        let witnessed = witness
            .witness(
                &mut other.log,
                t,
                t / 1_000_000,
                &sent.note,
                sent.from,
                &sent.proof,
            )
            .expect("witnessed");
        other.file.extend(witnessed.line);
        let line = witnessed.cosignature.line();
        let size = witnessed.checkpoint.size;
        let cosigned = self
            .log
            .cosigned(t, size, &line, other.log.origin(), &other.log.public_key())
            .expect("cosigned");
        self.file.extend(cosigned);
    }
}

pub fn grants(list: &[Permission]) -> Grants {
    list.to_vec().into()
}

/// A full session: consent, typing, chat, a grant taken back, a note,
/// the end; checkpoints every "second" both ways.
pub fn session(id: u8) -> (Vec<u8>, Vec<u8>) {
    session_keyed(id, 1)
}

/// [`session`] with the agent's log key made from `agent_seed`: the same
/// session signed by another key.
pub fn session_keyed(id: u8, agent_seed: u8) -> (Vec<u8>, Vec<u8>) {
    let session = [id; 16];
    let mut agent = End::open(session, Side::Agent, agent_seed);
    let mut viewer = End::open(session, Side::Viewer, 2);
    for end in [&mut agent, &mut viewer] {
        end.record(10, Fact::Paired);
    }
    agent.seal(20, false, &mut viewer);
    let (a, v) = (&mut agent, &mut viewer);
    a.meet(30, v);
    v.meet(30, a);
    let asked = grants(&[Permission::View, Permission::Control, Permission::Chat]);
    for end in [&mut agent, &mut viewer] {
        end.record(40, Fact::ConsentRequested { requested: asked });
        end.record(50, Fact::Consent { granted: asked });
    }
    agent.seal(1_000_000, false, &mut viewer);
    viewer.seal(1_000_000, false, &mut agent);
    for (t, key) in [(1_100_000, Key::KeyL), (1_200_000, Key::KeyS)] {
        agent.record(
            t,
            Fact::Key {
                key,
                down: true,
                text: Some('l'),
                outcome: Outcome::Injected,
                why: None,
            },
        );
    }
    for end in [&mut agent, &mut viewer] {
        end.record(
            1_300_000,
            Fact::Chat {
                from: Side::Viewer,
                text: "Je regarde votre imprimante".into(),
            },
        );
    }
    agent.seal(2_000_000, false, &mut viewer);
    viewer.seal(2_000_000, false, &mut agent);
    let view_chat = grants(&[Permission::View, Permission::Chat]);
    for end in [&mut agent, &mut viewer] {
        end.record(2_100_000, Fact::GrantChanged { granted: view_chat });
    }
    viewer.record(
        2_200_000,
        Fact::Note {
            text: "Pilote réinstallé.".into(),
        },
    );
    for end in [&mut agent, &mut viewer] {
        end.record(
            3_000_000,
            Fact::SessionEnded {
                reason: EndReason::UserEnded,
                detail: None,
            },
        );
    }
    agent.seal(3_100_000, false, &mut viewer);
    viewer.seal(3_100_000, false, &mut agent);
    agent.seal(3_200_000, true, &mut viewer);
    viewer.seal(3_200_000, true, &mut agent);
    (agent.file, viewer.file)
}
