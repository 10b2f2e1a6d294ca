//! A relay that does not deserve trust. It can drop or delay; it can never
//! read, alter or impersonate: every test here either completes the
//! session with exactly the data that was sent, or fails closed.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use tessera_tests::hostile::{HostileRelay, MailboxFlipper, Recorder, Swapper, Tamper, Tamperer};
use tessera_tests::{running_session, scratch, Agent, Viewer};

const SECRET_CHAT: &str = "zebra-7431-confidential-payroll";

#[test]
fn a_recording_relay_sees_neither_chat_nor_secret() {
    let recorder = Arc::new(Recorder::default());
    let relay = HostileRelay::start(&scratch("recorder"), recorder.clone());
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let secret: String = code
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()[3..9]
        .to_string();
    let mut viewer = Viewer::connect(&code, &args, "chat");
    agent.answer("y");
    viewer.events.event("session_started");
    viewer.command(&format!(r#"{{"cmd":"chat","text":"{SECRET_CHAT}"}}"#));
    assert_eq!(agent.events.event("chat")["text"], SECRET_CHAT);
    agent.terminal.type_line(SECRET_CHAT);
    viewer.events.event_where("chat", |e| e["from"] == "agent");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());

    let seen = recorder.bytes.lock().expect("recording").clone();
    assert!(
        seen.len() > 1000,
        "the recorder saw the traffic ({} bytes)",
        seen.len()
    );
    let contains = |needle: &[u8]| seen.windows(needle.len()).any(|w| w == needle);
    assert!(
        !contains(SECRET_CHAT.as_bytes()),
        "chat plaintext crossed the relay"
    );
    assert!(
        !contains(&SECRET_CHAT.as_bytes()[..8]),
        "part of the chat crossed the relay"
    );
    assert!(
        !contains(secret.as_bytes()),
        "the secret digits crossed the relay"
    );
    assert!(
        !contains(b"Jane"),
        "the technician's name crossed the relay in clear"
    );
}

/// Runs a chat session through a tampering relay and checks that what
/// arrives is exactly what was sent.
fn session_survives(mode: Tamper, name: &str) {
    let tamperer = Tamperer::new(mode);
    let relay = HostileRelay::start(&scratch(name), tamperer.clone());
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    for i in 0..5 {
        viewer.command(&format!(r#"{{"cmd":"chat","text":"line {i} intact"}}"#));
    }
    for i in 0..5 {
        let got = agent.events.event("chat");
        assert_eq!(got["text"], format!("line {i} intact"), "{mode:?}");
    }
    viewer.command(r#"{"cmd":"end"}"#);
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "technician_ended"
    );
    assert!(viewer.wait().0.success());
    let chats = agent
        .events
        .seen()
        .iter()
        .filter(|l| l.contains(r#""event":"chat""#))
        .count();
    assert_eq!(chats, 5, "{mode:?}: no message lost, duplicated or forged");
    assert!(
        tamperer.tampered.load(Ordering::Relaxed) > 0,
        "{mode:?} tampered with nothing"
    );
}

#[test]
fn flipped_bits_are_rejected_and_recovered() {
    session_survives(Tamper::FlipEvery(5), "flip");
}

#[test]
fn replayed_datagrams_are_ignored() {
    session_survives(Tamper::Duplicate, "replay");
}

#[test]
fn dropped_datagrams_are_recovered() {
    session_survives(Tamper::DropEvery(4), "drop");
}

#[test]
fn injected_datagrams_are_rejected() {
    session_survives(Tamper::InjectEvery(3), "inject");
}

#[test]
fn a_relay_that_corrupts_everything_makes_the_session_fail_closed() {
    let relay = HostileRelay::start(&scratch("corrupt"), Tamperer::new(Tamper::FlipAllAfter(0)));
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &args, "chat");
    // The PAKE succeeds (the mailbox is untouched) but no inner packet
    // authenticates: the channel never opens and no prompt is shown.
    assert_eq!(
        viewer.events.event("session_ended")["reason"],
        "connection_lost"
    );
    let ended = agent.events.event("session_ended");
    assert_eq!(ended["reason"], "connection_lost");
    assert!(
        !agent.terminal.shown().contains("Allow?"),
        "a prompt was shown for a forged channel"
    );
}

#[test]
fn a_tampered_pake_message_fails_and_burns_the_code() {
    let relay = HostileRelay::start(&scratch("mailbox"), Arc::new(MailboxFlipper));
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &args, "chat");
    assert_eq!(viewer.events.event("session_ended")["reason"], "wrong_code");
    agent.events.event("code_burned");
    agent.code();
}

#[test]
fn a_relay_that_pairs_with_a_third_party_fails_the_pake() {
    let swapper = Arc::new(Swapper::default());
    let relay = HostileRelay::start(&scratch("swap"), swapper.clone());
    let args = relay.client_args();
    let mut intended = Agent::start(&args);
    let mut third_party = Agent::start(&args);
    let code = intended.code();
    let other = third_party.code();
    let nameplate = |c: &str| tessera_proto::Code::parse(c).expect("code").nameplate;
    *swapper.swap.lock().expect("swap") = Some((nameplate(&code), nameplate(&other)));

    let mut viewer = Viewer::connect(&code, &args, "chat");
    assert_eq!(viewer.events.event("session_ended")["reason"], "wrong_code");
    assert_eq!(
        third_party.events.event("code_burned")["reason"],
        "wrong_code"
    );
    assert!(!third_party.terminal.shown().contains("Allow?"));

    // The intended agent was never reached: its code was neither tried
    // nor burned, so once the relay stops re-pairing, a viewer with that
    // same code pairs with it (its first pairing) and reaches its prompt.
    *swapper.swap.lock().expect("swap") = None;
    let mut second = Viewer::connect(&code, &args, "chat");
    intended.answer("y");
    assert_eq!(
        second.events.event("session_started")["granted"],
        serde_json::json!(["chat"])
    );
    intended.events.event("session_started");
    let events = intended.events.seen();
    let count = |name: &str| {
        let tag = format!(r#""event":"{name}""#);
        events.iter().filter(|l| l.contains(&tag)).count()
    };
    assert_eq!(count("paired"), 1, "{events:#?}");
    assert_eq!(count("code_burned"), 0, "{events:#?}");
    assert_eq!(count("code"), 1, "{events:#?}");
    second.command(r#"{"cmd":"end"}"#);
    assert!(second.wait().0.success());
}
