//! Grants mid-session: upgrade requests (a new prompt, the same rules,
//! and no wearing the person down), and the continue check of a long
//! session. Both machines wired in memory, without I/O.

mod common;

use common::*;
use tessera_input::{InputEvent, Key, RefusalKind};
use tessera_proto::peer::ViewerMsg;
use tessera_proto::{EndReason, UpgradeRefusal};
use tessera_session::agent::{AgentInput, MAX_UPGRADE_DENIALS};
use tessera_session::viewer::ViewerInput;
use tessera_session::{SessionEvent, Timer};

fn key(key: Key, down: bool) -> InputEvent {
    InputEvent::Key {
        key,
        down,
        text: None,
    }
}

/// The technician asks for `list`.
fn request(p: &mut Pair, list: &str) {
    p.deliver_viewer(ViewerInput::UserRequest(grants(list)));
}

fn refused(reason: UpgradeRefusal) -> SessionEvent {
    SessionEvent::UpgradeRefused { reason }
}

#[test]
fn an_accepted_upgrade_adds_what_the_person_ticked_on_both_sides() {
    let mut p = Pair::running("view", "view");
    request(&mut p, "view,control,chat");
    assert!(p.prompt_open);
    assert_eq!(
        p.asked.last(),
        Some(&(grants("control,chat"), Some(grants("view")))),
        "the prompt names only what is new, and what is had"
    );
    assert!(p.agent_events.contains(&SessionEvent::UpgradeRequested {
        requested: grants("control,chat")
    }));
    assert!(p.agent_timers.contains(&Timer::Consent), "it times out too");
    // Ticked: control, and files (never asked, so never granted).
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control,files"))));
    assert!(!p.prompt_open);
    let granted = SessionEvent::UpgradeGranted {
        granted: grants("view,control"),
    };
    assert!(p.agent_events.contains(&granted));
    assert!(p.viewer_events.contains(&granted));
    assert_eq!(p.agent.granted(), grants("view,control"));
    assert_eq!(p.viewer.granted(), grants("view,control"));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert_eq!(p.injected, vec![key(Key::KeyA, true)], "control works");
    p.deliver_viewer(ViewerInput::UserStatus);
    assert_eq!(
        p.viewer_events.last(),
        Some(&SessionEvent::Status {
            running: true,
            granted: grants("view,control")
        }),
        "the technician can ask what they may do at any moment"
    );
}

#[test]
fn before_the_person_answers_nothing_is_granted() {
    let mut p = Pair::new(9, 9, "view");
    p.connect();
    p.deliver_viewer(ViewerInput::UserStatus);
    assert_eq!(
        p.viewer_events.last(),
        Some(&SessionEvent::Status {
            running: false,
            granted: grants("")
        })
    );
}

#[test]
fn no_remote_input_reaches_the_computer_while_the_upgrade_prompt_is_open() {
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ShiftLeft, true)));
    p.injected.clear();
    request(&mut p, "chat");
    assert_eq!(
        p.injected,
        vec![key(Key::ShiftLeft, false)],
        "what the technician held is let go when the prompt opens"
    );
    p.injected.clear();
    // The technician tries to reach the Allow button themself.
    p.deliver_viewer(ViewerInput::UserInput(InputEvent::Move { x: 300, y: 300 }));
    p.deliver_viewer(ViewerInput::UserInput(InputEvent::Button {
        button: tessera_input::Button::Left,
        down: true,
    }));
    assert!(p.injected.is_empty());
    let prompt_open = SessionEvent::InputRefused {
        reason: RefusalKind::PromptOpen,
        count: 1,
    };
    assert!(p.viewer_events.contains(&prompt_open));
    assert!(p.prompt_open, "still waiting for the person");
    p.deliver_agent(AgentInput::ConsentAnswer(None));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyB, true)));
    assert_eq!(p.injected, vec![key(Key::KeyB, true)], "control again");
}

#[test]
fn a_denied_upgrade_leaves_the_session_as_it_was() {
    let mut p = Pair::running("view,chat", "view,chat");
    request(&mut p, "control");
    p.deliver_agent(AgentInput::ConsentAnswer(None));
    assert!(p.agent_events.contains(&refused(UpgradeRefusal::Denied)));
    assert!(p.viewer_events.contains(&refused(UpgradeRefusal::Denied)));
    assert_eq!(p.agent.granted(), grants("view,chat"));
    assert_eq!(p.viewer.granted(), grants("view,chat"));
    assert_eq!(p.ended(), (None, None), "the session goes on");
    // Nothing ticked is a no as well.
    p.deliver_agent(AgentInput::TimerFired(Timer::UpgradeCooldown));
    request(&mut p, "control");
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("files"))));
    assert_eq!(p.agent.granted(), grants("view,chat"));
}

#[test]
fn an_unanswered_upgrade_times_out_and_its_prompt_goes() {
    let mut p = Pair::running("view", "view");
    request(&mut p, "control");
    p.deliver_agent(AgentInput::TimerFired(Timer::Consent));
    assert!(!p.prompt_open, "taken down");
    assert!(p.viewer_events.contains(&refused(UpgradeRefusal::Timeout)));
    // A late click on the prompt that was going away changes nothing.
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control"))));
    assert_eq!(p.agent.granted(), grants("view"));
    assert_eq!(p.ended(), (None, None));
}

#[test]
fn asking_again_and_again_is_refused_without_a_prompt() {
    let mut p = Pair::running("view", "view");
    for round in 0..MAX_UPGRADE_DENIALS {
        request(&mut p, "control");
        assert_eq!(p.asked.len(), 2 + round as usize, "asked");
        p.deliver_agent(AgentInput::ConsentAnswer(None));
        request(&mut p, "control");
        assert_eq!(p.asked.len(), 2 + round as usize, "not asked again so soon");
        let why = match round + 1 < MAX_UPGRADE_DENIALS {
            true => UpgradeRefusal::TooSoon,
            false => UpgradeRefusal::TooMany,
        };
        assert_eq!(p.viewer_events.last(), Some(&refused(why)));
        p.deliver_agent(AgentInput::TimerFired(Timer::UpgradeCooldown));
    }
    request(&mut p, "control");
    assert_eq!(
        p.viewer_events.last(),
        Some(&refused(UpgradeRefusal::TooMany))
    );
    assert!(!p.prompt_open);
    assert_eq!(p.asked.len(), 1 + MAX_UPGRADE_DENIALS as usize);
}

#[test]
fn one_question_at_a_time_and_only_for_something_new() {
    let mut p = Pair::running("view,control", "view,control");
    request(&mut p, "view");
    assert_eq!(
        p.viewer_events.last(),
        Some(&refused(UpgradeRefusal::NothingNew))
    );
    assert!(!p.prompt_open);
    request(&mut p, "chat");
    request(&mut p, "files");
    assert_eq!(p.viewer_events.last(), Some(&refused(UpgradeRefusal::Busy)));
    assert_eq!(p.asked.len(), 2, "the first prompt and the one for chat");
}

#[test]
fn what_was_just_taken_back_is_not_asked_for_at_once() {
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_agent(AgentInput::Revoke(tessera_proto::Permission::Control));
    request(&mut p, "control");
    assert_eq!(
        p.viewer_events.last(),
        Some(&refused(UpgradeRefusal::TooSoon))
    );
    p.deliver_agent(AgentInput::TimerFired(Timer::UpgradeCooldown));
    request(&mut p, "control");
    assert!(p.prompt_open, "asked once the pause is over");
}

#[test]
fn an_upgrade_to_view_starts_the_screen() {
    let mut p = Pair::running("chat", "chat");
    assert!(!p.screen_on);
    request(&mut p, "view");
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("view"))));
    assert!(p.screen_on);
}

#[test]
fn stopping_during_an_upgrade_prompt_takes_it_down_and_ends_both_sides() {
    let mut p = Pair::running("view", "view");
    request(&mut p, "control");
    p.deliver_agent(AgentInput::UserEnd);
    assert!(!p.prompt_open);
    assert_eq!(
        p.ended(),
        (Some(EndReason::UserEnded), Some(EndReason::UserEnded))
    );
}

#[test]
fn a_request_before_the_session_runs_is_out_of_order() {
    let mut p = Pair::new(9, 9, "view");
    p.connect();
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::Request {
        grants: grants("control"),
    }));
    assert_eq!(p.agent_finish, Some(EndReason::ProtocolError));
    assert!(!p.prompt_open);
}

#[test]
fn the_continue_check_pauses_input_and_a_yes_goes_on() {
    let mut p = Pair::running("view,control", "view,control");
    assert!(p.agent_timers.contains(&Timer::ContinueCheck));
    p.deliver_viewer(ViewerInput::UserInput(key(Key::ControlLeft, true)));
    p.injected.clear();
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueCheck));
    assert_eq!(p.continue_asked, 1);
    assert!(p.prompt_open);
    assert_eq!(p.injected, vec![key(Key::ControlLeft, false)], "let go");
    let open = SessionEvent::ContinueCheck { open: true };
    assert!(p.viewer_events.contains(&open), "the technician knows why");
    p.injected.clear();
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert!(p.injected.is_empty(), "no input while the question is open");
    p.deliver_agent(AgentInput::ContinueAnswer(true));
    assert!(p
        .viewer_events
        .contains(&SessionEvent::ContinueCheck { open: false }));
    assert!(
        p.agent_timers.contains(&Timer::ContinueCheck),
        "asked again later"
    );
    p.deliver_viewer(ViewerInput::UserInput(key(Key::KeyA, true)));
    assert_eq!(p.injected, vec![key(Key::KeyA, true)]);
}

#[test]
fn the_continue_check_unanswered_or_refused_ends_the_session() {
    let mut p = Pair::running("view", "view");
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueCheck));
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueAnswer));
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::ContinueTimeout),
            Some(EndReason::ContinueTimeout)
        )
    );
    assert!(!p.prompt_open, "taken down");

    let mut p = Pair::running("view", "view");
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueCheck));
    p.deliver_agent(AgentInput::ContinueAnswer(false));
    assert_eq!(
        p.ended(),
        (Some(EndReason::UserEnded), Some(EndReason::UserEnded))
    );
}

#[test]
fn a_continue_check_due_during_an_upgrade_prompt_waits_for_its_answer() {
    let mut p = Pair::running("view", "view");
    request(&mut p, "control");
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueCheck));
    assert_eq!(p.continue_asked, 0, "one question at a time");
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control"))));
    assert_eq!(
        p.continue_asked, 1,
        "asked as soon as the first is answered"
    );
    request(&mut p, "chat");
    assert_eq!(p.viewer_events.last(), Some(&refused(UpgradeRefusal::Busy)));
}

#[test]
fn the_new_events_render_as_documented() {
    let json = |e: &SessionEvent| serde_json::to_string(e).expect("json");
    assert_eq!(
        json(&SessionEvent::UpgradeRequested {
            requested: grants("control")
        }),
        r#"{"event":"upgrade_requested","requested":["control"]}"#
    );
    assert_eq!(
        json(&SessionEvent::UpgradeGranted {
            granted: grants("view,control")
        }),
        r#"{"event":"upgrade_granted","granted":["view","control"]}"#
    );
    assert_eq!(
        json(&refused(UpgradeRefusal::TooSoon)),
        r#"{"event":"upgrade_refused","reason":"too_soon"}"#
    );
    assert_eq!(
        json(&SessionEvent::ContinueCheck { open: true }),
        r#"{"event":"continue_check","open":true}"#
    );
    assert_eq!(
        json(&SessionEvent::Status {
            running: true,
            granted: grants("view")
        }),
        r#"{"event":"status","running":true,"granted":["view"]}"#
    );
}

#[test]
fn control_lost_is_never_offered_again() {
    let mut p = Pair::running("view,control", "view,control");
    p.deliver_agent(AgentInput::ControlLost);
    assert_eq!(p.agent.granted(), grants("view"));
    request(&mut p, "control");
    assert_eq!(
        p.viewer_events.last(),
        Some(&refused(UpgradeRefusal::Unavailable)),
        "no prompt for what cannot be given (and no pause for it)"
    );
    request(&mut p, "control,chat");
    assert_eq!(
        p.asked.last(),
        Some(&(grants("chat"), Some(grants("view"))))
    );

    // Lost while an upgrade prompt offering it is open: not granted.
    let mut p = Pair::running("view", "view");
    request(&mut p, "control,chat");
    p.deliver_agent(AgentInput::ControlLost);
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control,chat"))));
    assert_eq!(p.agent.granted(), grants("view,chat"));

    // Lost before the person answered: not granted even if ticked.
    let mut p = Pair::new(9, 9, "view,control");
    p.connect();
    p.deliver_agent(AgentInput::ControlLost);
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("view,control"))));
    assert_eq!(p.agent.granted(), grants("view"));
    assert_eq!(p.viewer.granted(), grants("view"));
}
