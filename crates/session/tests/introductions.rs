//! The technician's introduction through both machines: verified by a
//! trusted organisation, or refused when signed for another session.

mod common;

use common::*;
use tessera_proto::EndReason;
use tessera_secure::identity::{Introduction, SigningKey, TrustStore};
use tessera_session::agent::AgentInput;
use tessera_session::SessionEvent;

fn consent_technician(p: &Pair) -> tessera_session::Technician {
    p.agent_events
        .iter()
        .find_map(|e| match e {
            SessionEvent::ConsentRequested { technician, .. } => Some(technician.clone()),
            _ => None,
        })
        .expect("the person was asked")
}

#[test]
fn a_technician_certified_by_a_trusted_org_is_shown_verified() {
    use tessera_secure::identity::{issue, Statement};
    let org = SigningKey::generate().expect("org key");
    let trust = TrustStore::parse(&format!("{} Acme IT", org.public())).expect("trust");
    let jane = SigningKey::generate().expect("key");
    let certificate = issue(
        &org,
        Statement {
            name: "Jane".into(),
            org: "Acme IT".into(),
            key: jane.public(),
            not_before: NOW - 60,
            not_after: NOW + 60,
        },
    );
    let intro = Introduction {
        name: "Jane".into(),
        org: Some("Acme IT".into()),
        requested: grants("view"),
        certificate: Some(certificate),
    };
    let same_key = SigningKey::from_pkcs8(jane.pkcs8()).expect("copy");
    let mut p = Pair::with(9, 9, intro.clone(), jane, trust.clone());
    p.connect();
    let shown = consent_technician(&p);
    assert!(shown.verified);
    assert_eq!(shown.verified_by.as_deref(), Some("Acme IT"));

    // The same technician, on a computer that trusts nobody.
    let mut p = Pair::with(9, 9, intro.clone(), same_key, TrustStore::default());
    p.connect();
    let shown = consent_technician(&p);
    assert!(!shown.verified);
    assert_eq!(shown.not_verified, Some("unknown_org"));

    // Someone else presenting Jane's certificate with their own key.
    let mallory = SigningKey::generate().expect("key");
    let mut p = Pair::with(9, 9, intro, mallory, trust);
    p.connect();
    assert_eq!(consent_technician(&p).not_verified, Some("other_key"));
}

#[test]
fn an_introduction_signed_for_another_session_ends_it() {
    let mut p = Pair::new(9, 9, "chat");
    p.pair();
    p.deliver_agent(AgentInput::ChannelUp);
    p.deliver_agent(AgentInput::Introduced {
        hello: unsigned_hello("Jane", "chat"),
        now: NOW,
    });
    assert!(!p.prompt_open, "never asked");
    assert_eq!(p.agent_finish, Some(EndReason::ProtocolError));
    assert!(p.agent_events.iter().any(|e| matches!(
        e,
        SessionEvent::SessionEnded { detail: Some(d), .. } if d.contains("not signed for this session")
    )));
}
