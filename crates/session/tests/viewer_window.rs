//! The viewer machine's rules for the technician's window: a hidden window
//! drops the picture and asks for a whole one when shown again; the
//! agent's word on how its prompt presents the technician is taken once,
//! while waiting for consent, and checked.

mod common;

use common::*;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::EndReason;
use tessera_session::agent::AgentInput;
use tessera_session::viewer::{ScreenUse, ViewerAction, ViewerInput};
use tessera_session::SessionEvent;

fn keyframe_asked(actions: &[ViewerAction]) -> bool {
    actions.contains(&ViewerAction::ToAgent(ViewerMsg::NeedKeyframe))
}

#[test]
fn a_hidden_window_drops_the_picture_and_asks_for_a_keyframe_when_shown() {
    let mut p = Pair::running("view", "view");
    assert_eq!(p.viewer.screen_use(), ScreenUse::Use);
    assert!(p.viewer.handle(ViewerInput::WindowShown(false)).is_empty());
    assert_eq!(
        p.viewer.screen_use(),
        ScreenUse::Drop,
        "no decode, no Shown"
    );
    // Hidden twice is still one hiding; shown twice asks once.
    assert!(p.viewer.handle(ViewerInput::WindowShown(false)).is_empty());
    let shown = p.viewer.handle(ViewerInput::WindowShown(true));
    assert_eq!(shown, vec![ViewerAction::ToAgent(ViewerMsg::NeedKeyframe)]);
    assert_eq!(p.viewer.screen_use(), ScreenUse::Use);
    assert!(p.viewer.handle(ViewerInput::WindowShown(true)).is_empty());

    // Through the agent: the request reaches its capture as a keyframe.
    p.deliver_viewer(ViewerInput::WindowShown(false));
    let before = p.keyframes;
    p.deliver_viewer(ViewerInput::WindowShown(true));
    assert_eq!(p.keyframes, before + 1);
    assert_eq!(p.ended(), (None, None), "the session goes on");
}

#[test]
fn a_hidden_window_does_not_ask_for_a_keyframe_on_a_rejected_update() {
    let mut p = Pair::running("view", "view");
    let _ = p.viewer.handle(ViewerInput::WindowShown(false));
    let rejected = p
        .viewer
        .handle(ViewerInput::FrameRejected("a delta without a base".into()));
    assert!(!keyframe_asked(&rejected), "{rejected:?}");
    assert!(keyframe_asked(
        &p.viewer.handle(ViewerInput::WindowShown(true))
    ));
}

#[test]
fn showing_the_window_asks_nothing_without_view() {
    let mut p = Pair::running("view,chat", "chat");
    assert_eq!(p.viewer.screen_use(), ScreenUse::Drop);
    let _ = p.viewer.handle(ViewerInput::WindowShown(false));
    assert!(p.viewer.handle(ViewerInput::WindowShown(true)).is_empty());
}

#[test]
fn hidden_before_consent_the_picture_waits_then_is_dropped_until_shown() {
    let mut p = Pair::new(9, 9, "view");
    p.connect();
    assert!(p.viewer.handle(ViewerInput::WindowShown(false)).is_empty());
    assert_eq!(p.viewer.screen_use(), ScreenUse::Hold);
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("view"))));
    assert_eq!(p.viewer.granted(), grants("view"));
    assert_eq!(p.viewer.screen_use(), ScreenUse::Drop);
    assert!(keyframe_asked(
        &p.viewer.handle(ViewerInput::WindowShown(true))
    ));
    assert_eq!(p.viewer.screen_use(), ScreenUse::Use);
}

#[test]
fn an_ended_session_ignores_the_window() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::UserEnd);
    assert!(p.viewer.handle(ViewerInput::WindowShown(false)).is_empty());
    assert!(p.viewer.handle(ViewerInput::WindowShown(true)).is_empty());
    assert_eq!(p.viewer.screen_use(), ScreenUse::Drop);
}

/// A pair whose viewer waits for consent and was not told of the prompt
/// yet (its `Hello` never reached the agent).
fn waiting_untold() -> Pair {
    let mut p = Pair::new(9, 9, "chat");
    p.pair();
    p.deliver_agent(AgentInput::ChannelUp);
    let actions = p.viewer.handle(ViewerInput::ChannelUp);
    assert!(actions.contains(&ViewerAction::Emit(SessionEvent::WaitingForConsent)));
    p
}

fn asking(verified_by: Option<&str>, not_verified: Option<&str>) -> ViewerInput {
    ViewerInput::FromAgent(AgentMsg::Asking {
        verified: verified_by.is_some(),
        verified_by: verified_by.map(str::to_string),
        not_verified: not_verified.map(str::to_string),
    })
}

fn ends_for_protocol_error(actions: &[ViewerAction]) -> bool {
    actions.contains(&ViewerAction::ToAgent(ViewerMsg::End {
        reason: EndReason::ProtocolError,
    })) && actions.contains(&ViewerAction::Finish(EndReason::ProtocolError))
}

#[test]
fn the_prompt_is_told_once_while_waiting() {
    let mut p = waiting_untold();
    let told = p.viewer.handle(asking(Some("Acme IT"), None));
    assert_eq!(
        told,
        vec![ViewerAction::Emit(SessionEvent::PromptShown {
            verified: true,
            verified_by: Some("Acme IT".into()),
            not_verified: None,
        })]
    );
    let again = p.viewer.handle(asking(Some("Acme IT"), None));
    assert!(ends_for_protocol_error(&again), "{again:?}");
}

#[test]
fn a_prompt_told_with_unknown_or_contradictory_words_ends_the_session() {
    for (by, why) in [
        (None, Some("trust me, I am your bank")),
        (Some("Acme IT\u{202E}"), None),
        (Some("Acme IT"), Some("expired")),
    ] {
        let mut p = waiting_untold();
        let actions = p.viewer.handle(asking(by, why));
        assert!(
            ends_for_protocol_error(&actions),
            "{by:?} {why:?}: {actions:?}"
        );
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, ViewerAction::Emit(SessionEvent::PromptShown { .. }))),
            "nothing unchecked is shown"
        );
    }
}

#[test]
fn a_prompt_told_out_of_place_is_a_protocol_error() {
    let mut p = Pair::running("chat", "chat");
    let actions = p.viewer.handle(asking(None, Some("no_certificate")));
    assert!(ends_for_protocol_error(&actions), "{actions:?}");

    // Before the channel is up (still pairing): out of order too.
    let mut p = Pair::new(9, 9, "chat");
    let _ = p.viewer.start();
    let actions = p.viewer.handle(asking(None, Some("no_certificate")));
    assert!(actions.contains(&ViewerAction::Finish(EndReason::ProtocolError)));
}
