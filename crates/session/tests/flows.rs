//! The two state machines wired to each other in memory, through a fake
//! relay mailbox: every transition and every end reason, without I/O.

mod common;

use common::*;
use tessera_proto::pairing::PairingMsg;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::relay::{ClientMsg, Refusal};
use tessera_proto::{EndReason, Grants, Nameplate, Permission};
use tessera_secure::identity::{Introduction, SigningKey, TrustStore};
use tessera_session::agent::{AgentAction, AgentInput};
use tessera_session::viewer::{ViewerAction, ViewerInput};
use tessera_session::{BurnReason, SessionEvent, Side, Timer};

#[test]
fn full_session_with_chat_both_ways_ended_by_the_user() {
    let mut p = Pair::running("view,chat", "view,chat");
    assert!(p.agent_events.contains(&SessionEvent::SessionStarted {
        granted: grants("view,chat")
    }));
    assert!(p.viewer_events.contains(&SessionEvent::SessionStarted {
        granted: grants("view,chat")
    }));
    assert!(p.viewer_events.contains(&SessionEvent::WaitingForConsent));
    p.deliver_viewer(ViewerInput::UserChat("bonjour".into()));
    p.deliver_agent(AgentInput::UserChat("merci".into()));
    let hello = SessionEvent::Chat {
        from: Side::Viewer,
        text: "bonjour".into(),
    };
    let thanks = SessionEvent::Chat {
        from: Side::Agent,
        text: "merci".into(),
    };
    assert!(p.agent_events.contains(&hello) && p.viewer_events.contains(&hello));
    assert!(p.agent_events.contains(&thanks) && p.viewer_events.contains(&thanks));
    p.deliver_agent(AgentInput::UserEnd);
    assert_eq!(
        p.ended(),
        (Some(EndReason::UserEnded), Some(EndReason::UserEnded))
    );
    assert!(p.agent_timers.is_empty(), "no timer left armed");
}

#[test]
fn technician_ends() {
    let mut p = Pair::running("chat", "chat");
    p.deliver_viewer(ViewerInput::UserEnd);
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::TechnicianEnded),
            Some(EndReason::TechnicianEnded)
        )
    );
}

#[test]
fn consent_prompt_shows_who_asks_and_what() {
    let mut p = Pair::new(9, 9, "view,control,chat");
    p.connect();
    let asked = p.agent_events.iter().find_map(|e| match e {
        SessionEvent::ConsentRequested {
            technician,
            requested,
        } => Some((technician.clone(), *requested)),
        _ => None,
    });
    let (tech, requested) = asked.expect("consent requested");
    assert_eq!(
        (tech.name.as_str(), tech.org.as_deref(), tech.verified),
        ("Jane", Some("Acme IT"), false)
    );
    assert_eq!(requested, grants("view,control,chat"));
}

#[test]
fn the_agent_never_grants_more_than_asked() {
    let p = Pair::running("chat", "view,control,chat");
    assert_eq!(p.agent.granted(), grants("chat"));
    assert_eq!(p.viewer.granted(), grants("chat"));
}

#[test]
fn wrong_code_burns_it_and_the_agent_gets_a_new_one() {
    let mut p = Pair::new(9, 8, "chat");
    p.pair();
    assert_eq!(p.viewer_finish, Some(EndReason::WrongCode));
    assert_eq!(p.agent_finish, None, "the agent waits with a new code");
    assert!(p.agent_events.contains(&SessionEvent::CodeBurned {
        reason: BurnReason::WrongCode
    }));
    assert_eq!(p.agent_relay, vec![ClientMsg::Burn, ClientMsg::Register]);
    // The agent takes a new registration with a new secret and shows it.
    p.deliver_agent(AgentInput::Registered {
        nameplate: Nameplate::new(483).expect("valid"),
        expires_in_secs: 600,
        secret: secret(3),
    });
    let codes = p
        .agent_events
        .iter()
        .filter(|e| matches!(e, SessionEvent::Code { .. }))
        .count();
    assert_eq!(codes, 2);
}

#[test]
fn garbage_in_the_mailbox_burns_the_code() {
    let mut p = Pair::new(9, 9, "chat");
    p.deliver_agent(AgentInput::Paired {
        session_id: [1; 16],
        local_fingerprint: AGENT_FP,
    });
    p.deliver_agent(AgentInput::Mailbox(boxed(PairingMsg::Pake(vec![0; 3]))));
    assert!(p.agent_events.contains(&SessionEvent::CodeBurned {
        reason: BurnReason::WrongCode
    }));
    p.agent_relay.clear();
    let mut p = Pair::new(9, 9, "chat");
    p.deliver_agent(AgentInput::Paired {
        session_id: [1; 16],
        local_fingerprint: AGENT_FP,
    });
    p.deliver_agent(AgentInput::Mailbox(b"not a pairing message".to_vec()));
    assert_eq!(p.agent_relay, vec![ClientMsg::Burn, ClientMsg::Register]);
}

#[test]
fn abandoned_pairing_burns_the_code() {
    let mut p = Pair::new(9, 9, "chat");
    p.deliver_agent(AgentInput::Paired {
        session_id: [1; 16],
        local_fingerprint: AGENT_FP,
    });
    assert!(p.agent_timers.contains(&Timer::Handshake));
    p.deliver_agent(AgentInput::TimerFired(Timer::Handshake));
    assert!(p.agent_events.contains(&SessionEvent::CodeBurned {
        reason: BurnReason::Abandoned
    }));
    assert_eq!(p.agent_relay, vec![ClientMsg::Burn, ClientMsg::Register]);
}

#[test]
fn denied_and_empty_grant_both_end_as_denied() {
    let mut p = Pair::new(9, 9, "view,chat");
    p.connect();
    p.deliver_agent(AgentInput::ConsentAnswer(None));
    assert_eq!(
        p.ended(),
        (Some(EndReason::Denied), Some(EndReason::Denied))
    );
    let mut p = Pair::new(9, 9, "view,chat");
    p.connect();
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control"))));
    assert_eq!(
        p.ended(),
        (Some(EndReason::Denied), Some(EndReason::Denied))
    );
}

#[test]
fn unanswered_prompt_times_out_and_is_dismissed() {
    let mut p = Pair::new(9, 9, "chat");
    p.connect();
    assert!(p.agent_timers.contains(&Timer::Consent));
    p.deliver_agent(AgentInput::TimerFired(Timer::Consent));
    assert!(!p.prompt_open);
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ConsentTimeout),
            Some(EndReason::ConsentTimeout)
        )
    );
}

#[test]
fn viewer_gives_up_if_the_agent_never_answers() {
    let mut p = Pair::new(9, 9, "chat");
    p.connect();
    p.deliver_viewer(ViewerInput::TimerFired(Timer::Consent));
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::TechnicianEnded),
            Some(EndReason::ConsentTimeout)
        )
    );
    assert!(!p.prompt_open);
}

#[test]
fn expired_and_unknown_codes() {
    let mut p = Pair::new(9, 9, "chat");
    p.deliver_agent(AgentInput::Refused(Refusal::Expired));
    assert_eq!(p.agent_finish, Some(EndReason::CodeExpired));
    for r in [Refusal::UnknownNameplate, Refusal::NameplateUsed] {
        let mut p = Pair::new(9, 9, "chat");
        let _ = p.viewer.start();
        p.deliver_viewer(ViewerInput::Refused(r));
        assert_eq!(p.viewer_finish, Some(EndReason::CodeExpired));
        let detail = p.viewer_events.iter().find_map(|e| match e {
            SessionEvent::SessionEnded { detail, .. } => detail.clone(),
            _ => None,
        });
        assert_eq!(detail.as_deref(), Some(r.describe()));
    }
}

#[test]
fn rate_limited_or_busy_relay_ends_as_relay_closed() {
    let mut p = Pair::new(9, 9, "chat");
    let _ = p.viewer.start();
    p.deliver_viewer(ViewerInput::Refused(Refusal::RateLimited));
    assert_eq!(p.viewer_finish, Some(EndReason::RelayClosed));
    let mut p = Pair::new(9, 9, "chat");
    p.deliver_agent(AgentInput::Refused(Refusal::Busy));
    assert_eq!(p.agent_finish, Some(EndReason::RelayClosed));
}

#[test]
fn connection_lost_and_relay_closed_on_either_side() {
    for (input_a, input_v, reason) in [
        (
            AgentInput::ConnectionLost,
            ViewerInput::ConnectionLost,
            EndReason::ConnectionLost,
        ),
        (
            AgentInput::RelayClosed(None),
            ViewerInput::RelayClosed(None),
            EndReason::RelayClosed,
        ),
        (
            AgentInput::PeerLeft,
            ViewerInput::PeerLeft,
            EndReason::ConnectionLost,
        ),
    ] {
        let mut p = Pair::running("chat", "chat");
        p.agent.handle(input_a).iter().for_each(|a| {
            if let AgentAction::Finish(r) = a {
                assert_eq!(*r, reason);
            }
        });
        assert!(p.agent.is_ended());
        let actions = p.viewer.handle(input_v);
        assert!(actions.contains(&ViewerAction::Finish(reason)));
    }
}

#[test]
fn a_peer_breaking_the_protocol_ends_with_protocol_error() {
    let mut p = Pair::running("chat", "chat");
    p.deliver_agent(AgentInput::ProtocolViolation("message too large".into()));
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ProtocolError),
            Some(EndReason::ProtocolError)
        )
    );
    // A second hello is out of order.
    let mut p = Pair::running("chat", "chat");
    p.deliver_agent(AgentInput::Introduced {
        hello: unsigned_hello("Mallory", "control"),
        now: NOW,
    });
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ProtocolError),
            Some(EndReason::ProtocolError)
        )
    );
    // A name with terminal escapes never reaches the prompt.
    let mut p = Pair::new(9, 9, "chat");
    p.pair();
    p.deliver_agent(AgentInput::ChannelUp);
    p.deliver_agent(AgentInput::Introduced {
        hello: unsigned_hello("Jane\x1b[2J", "chat"),
        now: NOW,
    });
    assert!(!p.prompt_open);
    assert_eq!(p.agent_finish, Some(EndReason::ProtocolError));
}

#[test]
fn chat_without_the_grant_is_refused_by_the_agent() {
    let mut p = Pair::running("view,chat", "view");
    // A modified viewer that skips its own courtesy check still gets nothing.
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::Chat {
        text: "let me in".into(),
    }));
    let refused = SessionEvent::Refused {
        permission: Permission::Chat,
        reason: "not_granted",
    };
    assert!(p.agent_events.contains(&refused));
    assert!(p.viewer_events.contains(&refused));
    assert!(!p
        .agent_events
        .iter()
        .any(|e| matches!(e, SessionEvent::Chat { .. })));
    // And chat during the prompt is refused too.
    let mut p = Pair::new(9, 9, "chat");
    p.connect();
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::Chat {
        text: "click yes".into(),
    }));
    assert!(p.agent_events.contains(&refused));
}

#[test]
fn revoking_a_grant_takes_effect_at_once() {
    let mut p = Pair::running("view,chat", "view,chat");
    p.deliver_agent(AgentInput::Revoke(Permission::Chat));
    assert_eq!(p.agent.granted(), grants("view"));
    assert_eq!(p.viewer.granted(), grants("view"));
    assert!(p.viewer_events.contains(&SessionEvent::GrantChanged {
        granted: grants("view")
    }));
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::Chat {
        text: "still here?".into(),
    }));
    assert!(!p
        .agent_events
        .iter()
        .any(|e| matches!(e, SessionEvent::Chat { .. })));
}

#[test]
fn technician_ending_during_the_prompt_dismisses_it() {
    let mut p = Pair::new(9, 9, "chat");
    p.connect();
    p.deliver_viewer(ViewerInput::UserEnd);
    assert!(!p.prompt_open);
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::TechnicianEnded),
            Some(EndReason::TechnicianEnded)
        )
    );
}

#[test]
fn an_ended_session_ignores_everything() {
    let mut p = Pair::running("chat", "chat");
    p.deliver_agent(AgentInput::UserEnd);
    assert!(p
        .agent
        .handle(AgentInput::FromViewer(ViewerMsg::Chat { text: "x".into() }))
        .is_empty());
    assert!(p
        .viewer
        .handle(ViewerInput::FromAgent(AgentMsg::Chat { text: "x".into() }))
        .is_empty());
}

#[test]
fn events_render_as_the_documented_json() {
    let e = SessionEvent::SessionStarted {
        granted: grants("view,chat"),
    };
    assert_eq!(
        serde_json::to_string(&e).expect("json"),
        r#"{"event":"session_started","granted":["view","chat"]}"#
    );
    let e = SessionEvent::SessionEnded {
        reason: EndReason::UserEnded,
        detail: None,
    };
    assert_eq!(
        serde_json::to_string(&e).expect("json"),
        r#"{"event":"session_ended","reason":"user_ended"}"#
    );
    let e = SessionEvent::Chat {
        from: Side::Viewer,
        text: "hello".into(),
    };
    assert_eq!(
        serde_json::to_string(&e).expect("json"),
        r#"{"event":"chat","from":"viewer","text":"hello"}"#
    );
}

#[test]
fn the_screen_is_shared_exactly_while_view_is_granted() {
    let mut p = Pair::running("chat", "chat");
    assert!(!p.screen_on, "no view, no screen");
    let mut p2 = Pair::running("view,chat", "view,chat");
    assert!(p2.screen_on);
    p2.deliver_agent(AgentInput::Revoke(Permission::View));
    assert!(!p2.screen_on, "revoking view stops the screen first");
    let mut p3 = Pair::running("view", "view");
    p3.deliver_agent(AgentInput::UserEnd);
    assert!(!p3.screen_on);
    // A keyframe request needs the view grant.
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::NeedKeyframe));
    assert_eq!(p.keyframes, 0);
    assert!(p.agent_events.contains(&SessionEvent::Refused {
        permission: Permission::View,
        reason: "not_granted"
    }));
}

fn display(name: &str, primary: bool) -> tessera_proto::peer::DisplayInfo {
    tessera_proto::peer::DisplayInfo {
        name: name.into(),
        x: 0,
        y: 0,
        width: 1280,
        height: 720,
        primary,
    }
}

#[test]
fn screen_data_waits_for_consent_is_used_with_view_and_dropped_after() {
    use tessera_session::viewer::ScreenUse;
    let mut p = Pair::new(9, 9, "view");
    p.connect();
    assert_eq!(p.viewer.screen_use(), ScreenUse::Hold, "consent pending");
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("view"))));
    assert_eq!(p.viewer.screen_use(), ScreenUse::Use);
    p.deliver_agent(AgentInput::Revoke(Permission::View));
    assert_eq!(p.viewer.screen_use(), ScreenUse::Drop, "after a revoke");
    // A broken stream after the revoke asks for nothing.
    p.deliver_viewer(ViewerInput::FrameRejected("reset".into()));
    assert_eq!(p.keyframes, 0);
}

#[test]
fn decoded_updates_are_acknowledged_to_pace_the_agent() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::FrameDecoded {
        seq: 7,
        width: 1280,
        height: 720,
        bytes: 100,
        captured_at_us: 1,
    });
    assert_eq!(p.shown, vec![7]);
    assert!(p
        .viewer_events
        .iter()
        .any(|e| matches!(e, SessionEvent::Frame { seq: 7, .. })));
}

#[test]
fn displays_are_listed_and_chosen_only_with_view() {
    let mut p = Pair::running("view", "view");
    let displays = vec![display("DP-1", true), display("HDMI-1", false)];
    p.deliver_agent(AgentInput::Displays {
        displays: displays.clone(),
        showing: 0,
    });
    assert!(p.viewer_events.contains(&SessionEvent::Displays {
        displays: displays.clone(),
        showing: 0
    }));
    p.deliver_viewer(ViewerInput::UserShowDisplay(1));
    assert_eq!(p.show_display, vec![1]);

    let mut chat = Pair::running("chat", "chat");
    chat.deliver_agent(AgentInput::Displays {
        displays,
        showing: 0,
    });
    assert!(!chat
        .viewer_events
        .iter()
        .any(|e| matches!(e, SessionEvent::Displays { .. })));
    // A viewer that asks anyway (skipping its own check) is refused.
    chat.deliver_agent(AgentInput::FromViewer(ViewerMsg::ShowDisplay { index: 0 }));
    assert!(chat.show_display.is_empty());
    assert!(chat.agent_events.contains(&SessionEvent::Refused {
        permission: Permission::View,
        reason: "not_granted"
    }));
}

#[test]
fn a_bad_display_list_is_a_protocol_error() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::FromAgent(AgentMsg::Displays {
        displays: vec![display("DP-1", true)],
        showing: 3,
    }));
    assert_eq!(p.viewer_finish, Some(EndReason::ProtocolError));
}

#[test]
fn a_rejected_update_asks_the_agent_for_a_keyframe() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::FrameRejected("bad tile".into()));
    assert_eq!(p.keyframes, 1);
    p.deliver_viewer(ViewerInput::FrameDecoded {
        seq: 3,
        width: 8,
        height: 8,
        bytes: 100,
        captured_at_us: 1,
    });
    assert!(p.viewer_events.contains(&SessionEvent::Frame {
        seq: 3,
        width: 8,
        height: 8,
        bytes: 100,
        captured_at_us: 1
    }));
}

fn key(key: tessera_input::Key, down: bool) -> tessera_input::InputEvent {
    tessera_input::InputEvent::Key {
        key,
        down,
        text: None,
    }
}

#[test]
fn input_is_injected_only_with_control_and_released_on_revoke() {
    use tessera_input::Key;
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ShiftLeft, true)));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert_eq!(
        p.injected,
        vec![key(Key::ShiftLeft, true), key(Key::KeyA, true)]
    );
    p.injected.clear();
    p.deliver_agent(AgentInput::Revoke(Permission::Control));
    assert_eq!(
        p.injected,
        vec![key(Key::KeyA, false), key(Key::ShiftLeft, false)],
        "revoking control releases what is held, modifiers last"
    );
    p.injected.clear();
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyB, true)));
    assert!(p.injected.is_empty(), "no control, nothing injected");
}

#[test]
fn a_view_only_session_refuses_counts_and_reports_input() {
    use tessera_input::{Key, RefusalKind};
    let mut p = Pair::running("view", "view");
    for _ in 0..3 {
        p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    }
    assert!(p.injected.is_empty());
    let refused = SessionEvent::InputRefused {
        reason: RefusalKind::NotGranted,
        count: 1,
    };
    // The first refusal is reported at once, to both; the next ones
    // within a second are counted for the next report.
    assert!(p.agent_events.contains(&refused));
    assert!(p.viewer_events.contains(&refused));
}

#[test]
fn the_session_ending_releases_everything_held() {
    use tessera_input::{Button, InputEvent, Key};
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_viewer(ViewerInput::UserInput(InputEvent::Button {
        button: Button::Left,
        down: true,
    }));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ControlLeft, true)));
    p.injected.clear();
    p.deliver_agent(AgentInput::ConnectionLost); // the viewer vanished mid-drag
    assert_eq!(
        p.injected,
        vec![
            key(Key::ControlLeft, false),
            InputEvent::Button {
                button: Button::Left,
                down: false
            }
        ]
    );
}

#[test]
fn refusals_held_back_are_reported_with_their_count() {
    use tessera_input::{Key, RefusalKind};
    let mut p = Pair::running("view", "view");
    for _ in 0..3 {
        p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    }
    assert!(p.agent_timers.contains(&Timer::InputRefusals));
    p.deliver_agent(AgentInput::TimerFired(Timer::InputRefusals));
    let later = SessionEvent::InputRefused {
        reason: RefusalKind::NotGranted,
        count: 2,
    };
    assert!(p.agent_events.contains(&later), "{:?}", p.agent_events);
    assert!(p.viewer_events.contains(&later));
}

#[test]
fn the_local_user_pauses_remote_input_and_the_technician_is_told() {
    use std::time::Instant;
    use tessera_input::{Key, RefusalKind};
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ShiftLeft, true)));
    p.injected.clear();
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    assert_eq!(
        p.injected,
        vec![key(Key::ShiftLeft, false)],
        "the person gets their keyboard back as it was"
    );
    let active = SessionEvent::LocalUser { active: true };
    assert!(p.viewer_events.contains(&active));
    assert!(p.agent_events.contains(&active));
    assert!(p.agent_timers.contains(&Timer::LocalPause));
    // Still moving: the pause goes on, and is not announced twice.
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    let told = |events: &[SessionEvent]| events.iter().filter(|e| **e == active).count();
    assert_eq!(told(&p.viewer_events), 1);
    p.injected.clear();
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert!(p.injected.is_empty());
    assert!(p.viewer_events.contains(&SessionEvent::InputRefused {
        reason: RefusalKind::LocalUser,
        count: 1
    }));
    p.deliver_agent(AgentInput::TimerFired(Timer::LocalPause));
    assert!(p
        .viewer_events
        .contains(&SessionEvent::LocalUser { active: false }));
}

#[test]
fn a_technician_without_control_is_not_told_about_the_local_user() {
    use std::time::Instant;
    let mut p = Pair::running("view", "view");
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    p.deliver_agent(AgentInput::TimerFired(Timer::LocalPause));
    assert!(!p
        .viewer_events
        .iter()
        .any(|e| matches!(e, SessionEvent::LocalUser { .. })));
}

#[test]
fn a_key_the_person_holds_keeps_the_pause_until_let_go() {
    use std::time::Instant;
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: true,
    });
    p.deliver_agent(AgentInput::TimerFired(Timer::LocalPause));
    assert!(
        !p.viewer_events
            .contains(&SessionEvent::LocalUser { active: false }),
        "still held: the pause goes on"
    );
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    p.deliver_agent(AgentInput::TimerFired(Timer::LocalPause));
    assert!(p
        .viewer_events
        .contains(&SessionEvent::LocalUser { active: false }));
}

#[test]
fn after_control_is_revoked_the_technician_hears_no_more_of_the_local_user() {
    use std::time::Instant;
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    p.deliver_agent(AgentInput::Revoke(Permission::Control));
    p.deliver_agent(AgentInput::TimerFired(Timer::LocalPause));
    assert!(!p
        .viewer_events
        .contains(&SessionEvent::LocalUser { active: false }));
}

#[test]
fn losing_the_local_watch_takes_control_back() {
    use tessera_input::Key;
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ShiftLeft, true)));
    p.injected.clear();
    p.deliver_agent(AgentInput::ControlLost);
    assert_eq!(p.injected, vec![key(Key::ShiftLeft, false)]);
    assert!(p.viewer_events.contains(&SessionEvent::GrantChanged {
        granted: Grants::parse_list("view").expect("grants")
    }));
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
