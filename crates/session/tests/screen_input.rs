//! The screen and the technician's input through both machines: shared
//! exactly while `view` is granted, injected only with `control`, paced,
//! released, paused for the person's own hands.

mod common;

use common::*;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::{EndReason, Grants, Permission};
use tessera_session::agent::AgentInput;
use tessera_session::viewer::ViewerInput;
use tessera_session::{SessionEvent, Timer};

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
fn video_pictures_are_acknowledged_apart_and_only_with_view() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::VideoDecoded {
        seq: 4,
        bytes: 900,
        captured_at_us: 2,
    });
    assert_eq!(p.video_shown, vec![4]);
    assert!(p.shown.is_empty(), "not the lossless updates' count");
    assert!(p.viewer_events.contains(&SessionEvent::VideoFrame {
        seq: 4,
        bytes: 900,
        captured_at_us: 2
    }));
    // After view is taken back, a late acknowledgement reaches nothing.
    p.deliver_agent(AgentInput::Revoke(Permission::View));
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::VideoShown { seq: 5 }));
    assert_eq!(p.video_shown, vec![4]);
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

#[test]
fn the_persons_own_input_during_the_prompt_pauses_the_technicians_first_keys() {
    use std::time::Instant;
    use tessera_input::{Key, RefusalKind};
    let mut p = Pair::new(9, 9, "view,control");
    p.connect();
    // The person moves their mouse while they read the prompt...
    p.deliver_agent(AgentInput::LocalInput {
        at: Instant::now(),
        held: false,
    });
    // ...and allows control: the technician's first key waits for them.
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("view,control"))));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert!(p.injected.is_empty(), "injected: {:?}", p.injected);
    assert!(p.viewer_events.contains(&SessionEvent::InputRefused {
        reason: RefusalKind::LocalUser,
        count: 1
    }));
}
