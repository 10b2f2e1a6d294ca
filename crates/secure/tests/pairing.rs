//! PAKE success and failure, and the key schedule's labels.

use tessera_proto::{Fingerprint, Nameplate, Secret};
use tessera_secure::{KeyLabel, PairingContext, Pake, PakeError, Role, SessionKeys};

fn ctx(session: u8) -> PairingContext {
    PairingContext {
        session_id: [session; 16],
        nameplate: Nameplate::new(482).expect("valid"),
    }
}

fn secret(d: [u8; 6]) -> Secret {
    Secret::from_digits(d).expect("digits")
}

fn run(
    agent_secret: &Secret,
    viewer_secret: &Secret,
    agent_ctx: PairingContext,
    viewer_ctx: PairingContext,
) -> (SessionKeys, SessionKeys) {
    let (agent, msg_a) = Pake::start(Role::Agent, agent_secret, agent_ctx);
    let (viewer, msg_b) = Pake::start(Role::Viewer, viewer_secret, viewer_ctx);
    let ka = agent.finish(&msg_b).expect("agent finishes");
    let kv = viewer.finish(&msg_a).expect("viewer finishes");
    (ka, kv)
}

/// Both sides seal their fingerprint and open the other's.
fn confirm(
    ka: SessionKeys,
    kv: SessionKeys,
) -> (
    Result<Fingerprint, PakeError>,
    Result<Fingerprint, PakeError>,
) {
    let (fa, fv) = (Fingerprint([1; 32]), Fingerprint([2; 32]));
    let (own_a, peer_a) = ka.confirmations(Role::Agent);
    let (own_v, peer_v) = kv.confirmations(Role::Viewer);
    let (sealed_a, sealed_v) = (own_a.seal(&fa), own_v.seal(&fv));
    (peer_a.open(&sealed_v), peer_v.open(&sealed_a))
}

#[test]
fn same_code_confirms_both_ways_and_carries_fingerprints() {
    let s = secret([9, 1, 3, 5, 7, 7]);
    let (ka, kv) = run(&s, &s, ctx(1), ctx(1));
    assert_eq!(ka.transcript(), kv.transcript());
    let (at_agent, at_viewer) = confirm(ka, kv);
    assert_eq!(at_agent, Ok(Fingerprint([2; 32])));
    assert_eq!(at_viewer, Ok(Fingerprint([1; 32])));
}

#[test]
fn wrong_code_fails_on_both_sides() {
    let (ka, kv) = run(
        &secret([9, 1, 3, 5, 7, 7]),
        &secret([9, 1, 3, 5, 7, 8]),
        ctx(1),
        ctx(1),
    );
    let (at_agent, at_viewer) = confirm(ka, kv);
    assert_eq!(at_agent, Err(PakeError::WrongCode));
    assert_eq!(at_viewer, Err(PakeError::WrongCode));
}

#[test]
fn other_session_id_fails_even_with_the_right_code() {
    let s = secret([9, 1, 3, 5, 7, 7]);
    let (ka, kv) = run(&s, &s, ctx(1), ctx(2));
    let (at_agent, at_viewer) = confirm(ka, kv);
    assert_eq!(at_agent, Err(PakeError::WrongCode));
    assert_eq!(at_viewer, Err(PakeError::WrongCode));
}

#[test]
fn tampered_confirmation_is_refused() {
    let s = secret([1, 2, 3, 4, 5, 6]);
    let (ka, kv) = run(&s, &s, ctx(1), ctx(1));
    let (own_v, _) = kv.confirmations(Role::Viewer);
    let (_, peer_a) = ka.confirmations(Role::Agent);
    let mut sealed = own_v.seal(&Fingerprint([7; 32]));
    sealed[5] ^= 1;
    assert_eq!(peer_a.open(&sealed), Err(PakeError::WrongCode));
}

#[test]
fn malformed_pake_message_is_an_error() {
    let (agent, _) = Pake::start(Role::Agent, &secret([0; 6]), ctx(1));
    assert_eq!(agent.finish(&[0u8; 5]).err(), Some(PakeError::BadMessage));
    let (agent, _) = Pake::start(Role::Agent, &secret([0; 6]), ctx(1));
    assert_eq!(
        agent.finish(&[0xffu8; 33]).err(),
        Some(PakeError::BadMessage)
    );
}

#[test]
fn key_labels_are_distinct_and_give_independent_keys() {
    let s = secret([4, 4, 4, 4, 4, 4]);
    let (ka, kv) = run(&s, &s, ctx(3), ctx(3));
    let infos: Vec<&[u8]> = KeyLabel::ALL.iter().map(|l| l.info()).collect();
    for (i, a) in infos.iter().enumerate() {
        assert!(a.starts_with(b"tessera/1 "));
        for b in &infos[i + 1..] {
            assert_ne!(a, b);
        }
    }
    for label in KeyLabel::ALL {
        assert_eq!(*ka.key(label), *kv.key(label), "{label:?} agrees");
    }
    assert_ne!(
        *ka.key(KeyLabel::AgentConfirm),
        *ka.key(KeyLabel::ViewerConfirm)
    );
}
