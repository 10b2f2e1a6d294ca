//! The two state machines wired to each other in memory, through a fake
//! relay mailbox: pairing, consent and every end reason, without I/O.
//! The screen and input rules are in `screen_input.rs`, introductions
//! in `introductions.rs`.

mod common;

use common::*;
use tessera_proto::pairing::PairingMsg;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::relay::{ClientMsg, Refusal};
use tessera_proto::{EndReason, Nameplate, Permission};
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
    // The technician saw how the prompt presented them, before the answer.
    let shown = SessionEvent::PromptShown {
        verified: false,
        verified_by: None,
        not_verified: Some("no_certificate".into()),
    };
    let at = |event: &SessionEvent| p.viewer_events.iter().position(|e| e == event);
    let started = SessionEvent::SessionStarted {
        granted: grants("view,chat"),
    };
    assert!(at(&SessionEvent::WaitingForConsent) < at(&shown));
    assert!(at(&shown).is_some() && at(&shown) < at(&started));
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
    // The viewer says why: both sides, and both records, give the reason.
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ConsentTimeout),
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
    let e = SessionEvent::PromptShown {
        verified: true,
        verified_by: Some("Acme IT".into()),
        not_verified: None,
    };
    assert_eq!(
        serde_json::to_string(&e).expect("json"),
        r#"{"event":"prompt_shown","verified":true,"verified_by":"Acme IT"}"#
    );
    let e = SessionEvent::PromptShown {
        verified: false,
        verified_by: None,
        not_verified: Some("expired".into()),
    };
    assert_eq!(
        tessera_session::render::json_line(&e, std::time::SystemTime::UNIX_EPOCH),
        r#"{"event":"prompt_shown","verified":false,"not_verified":"expired"}"#
    );
}
