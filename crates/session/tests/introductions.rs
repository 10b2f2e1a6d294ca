//! The technician's introduction through both machines: verified by a
//! trusted organisation, or refused when signed for another session.

mod common;

use common::*;
use tessera_proto::EndReason;
use tessera_secure::identity::{Introduction, SigningKey, TrustStore};
use tessera_session::agent::AgentInput;
use tessera_session::SessionEvent;

/// How the viewer was told the prompt presents the technician.
fn prompt_shown(p: &Pair) -> (bool, Option<String>, Option<String>) {
    let told: Vec<_> = p
        .viewer_events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::PromptShown {
                verified,
                verified_by,
                not_verified,
            } => Some((*verified, verified_by.clone(), not_verified.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(told.len(), 1, "told exactly once: {told:?}");
    told[0].clone()
}

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
        ticket: None,
    };
    let same_key = SigningKey::from_pkcs8(jane.pkcs8()).expect("copy");
    let mut p = Pair::with(9, 9, intro.clone(), jane, trust.clone());
    p.connect();
    let shown = consent_technician(&p);
    assert!(shown.verified);
    assert_eq!(shown.verified_by.as_deref(), Some("Acme IT"));
    assert_eq!(prompt_shown(&p), (true, Some("Acme IT".into()), None));

    // The same technician, on a computer that trusts nobody.
    let mut p = Pair::with(9, 9, intro.clone(), same_key, TrustStore::default());
    p.connect();
    let shown = consent_technician(&p);
    assert!(!shown.verified);
    assert_eq!(shown.not_verified, Some("unknown_org"));
    assert_eq!(prompt_shown(&p), (false, None, Some("unknown_org".into())));

    // Someone else presenting Jane's certificate with their own key.
    let mallory = SigningKey::generate().expect("key");
    let mut p = Pair::with(9, 9, intro, mallory, trust);
    p.connect();
    assert_eq!(consent_technician(&p).not_verified, Some("other_key"));
    assert_eq!(prompt_shown(&p), (false, None, Some("other_key".into())));
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

#[test]
fn every_reason_the_agent_gives_is_one_the_viewer_accepts() {
    use tessera_proto::peer::{validate_asking, NOT_VERIFIED_REASONS};
    use tessera_secure::identity::NotVerified;
    // Exhaustive: a new reason fails to compile here until it is listed.
    let every = |why: NotVerified| match why {
        NotVerified::NoCertificate
        | NotVerified::OtherKey
        | NotVerified::BadSignature
        | NotVerified::UnknownOrg
        | NotVerified::NotYetValid
        | NotVerified::Expired
        | NotVerified::NameMismatch => why.name(),
    };
    let names: Vec<&str> = [
        NotVerified::NoCertificate,
        NotVerified::OtherKey,
        NotVerified::BadSignature,
        NotVerified::UnknownOrg,
        NotVerified::NotYetValid,
        NotVerified::Expired,
        NotVerified::NameMismatch,
    ]
    .into_iter()
    .map(every)
    .collect();
    assert_eq!(names, NOT_VERIFIED_REASONS);
    for name in names {
        assert_eq!(validate_asking(false, None, Some(name)), Ok(()));
    }
}
