//! Arbitrary mailbox payloads fed to both state machines mid-pairing: the
//! PAKE and confirmation decoding must fail cleanly (burn or end), never
//! panic. The input is the first payload's length (one byte), the first
//! payload, then the second, so seeds can hold two real messages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_proto::{Code, Fingerprint, Grants, Nameplate, Secret};
use tessera_secure::identity::{Introduction, SigningKey, TrustStore};
use tessera_session::agent::{AgentInput, AgentSession};
use tessera_session::viewer::{ViewerInput, ViewerSession};
use tessera_session::Timeouts;

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (first, second) = rest.split_at(usize::from(len).min(rest.len()));
    let nameplate = Nameplate::new(482).expect("nameplate");
    let secret = || Secret::from_digits([1, 2, 3, 4, 5, 6]).expect("secret");

    let mut agent = AgentSession::new(Timeouts::default(), TrustStore::default());
    let _ = agent.start();
    let _ = agent.handle(AgentInput::Registered {
        nameplate,
        expires_in_secs: 600,
        secret: secret(),
    });
    let _ = agent.handle(AgentInput::Paired {
        session_id: [0; 16],
        local_fingerprint: Fingerprint([1; 32]),
    });
    let _ = agent.handle(AgentInput::Mailbox(first.to_vec()));
    let _ = agent.handle(AgentInput::Mailbox(second.to_vec()));

    let intro = Introduction {
        name: "fuzz".into(),
        org: None,
        requested: Grants::NONE,
        certificate: None,
        ticket: None,
    };
    let key = SigningKey::generate().expect("key");
    let mut viewer = ViewerSession::new(
        Code::new(nameplate, secret()),
        intro,
        key,
        Timeouts::default(),
    );
    let _ = viewer.start();
    let _ = viewer.handle(ViewerInput::Paired {
        session_id: [0; 16],
        local_fingerprint: Fingerprint([2; 32]),
    });
    let _ = viewer.handle(ViewerInput::Mailbox(first.to_vec()));
    let _ = viewer.handle(ViewerInput::Mailbox(second.to_vec()));
});
