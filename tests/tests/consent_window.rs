//! The consent window, driven with the keyboard as a person would
//! (`xdotool` on Xvfb), in English and French: accept all, accept view
//! only (control refused afterwards), deny (the default), Escape, take a
//! grant back from the session indicator, and Stop. Screenshots of each
//! state are kept beside the test's scratch files; the ones in
//! `docs/img/` were made this way.

use tessera_tests::scratch;
use tessera_tests::window::{asked, LIVE};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::RelayProcess;

#[test]
fn accept_all_with_the_keyboard_then_stop() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-accept");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = asked(&x, &relay, "en", "view,control,chat", &[]);
    x.screenshot_to(&dir.join("consent-en.png"));
    // Deny has the focus; Tab moves to Allow, Enter presses it.
    x.keys(&["Tab", "Return"]);
    let started = agent.events.event("session_started");
    assert_eq!(
        started["granted"],
        serde_json::json!(["view", "control", "chat"])
    );
    viewer.events.event("session_started");
    x.focus_window_titled(LIVE);
    x.screenshot_to(&dir.join("indicator-en.png"));
    // The indicator: a Take back button per grant (3), the chat box and
    // its Send button, then Stop.
    x.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Return"]);
    assert_eq!(viewer.events.event("session_ended")["reason"], "user_ended");
    assert_eq!(agent.events.event("session_ended")["reason"], "user_ended");
}

#[test]
fn the_french_window_says_the_same() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-fr");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = asked(&x, &relay, "fr", "view,control,chat", &[]);
    x.screenshot_to(&dir.join("consent-fr.png"));
    x.keys(&["Tab", "Return"]);
    agent.events.event("session_started");
    viewer.events.event("session_started");
    x.focus_window_titled(LIVE);
    x.screenshot_to(&dir.join("indicator-fr.png"));
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
    // The end notice names who no longer has access.
    x.focus_window_titled("Tessera: Jane Doe n.a plus acc.*");
    x.screenshot_to(&dir.join("ended-fr.png"));
    x.keys(&["Return"]);
    assert!(
        agent.wait().0.success(),
        "Fermer closes the window and the agent"
    );
}

#[test]
fn deny_is_the_default_and_escape_denies_too() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-deny");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = asked(&x, &relay, "en", "view,control", &[]);
    x.keys(&["Return"]);
    assert_eq!(viewer.events.event("session_ended")["reason"], "denied");
    assert_eq!(agent.events.event("session_ended")["reason"], "denied");

    let (mut agent, mut viewer) = asked(&x, &relay, "en", "view,control", &[]);
    x.keys(&["Escape"]);
    assert_eq!(viewer.events.event("session_ended")["reason"], "denied");
    assert_eq!(agent.events.event("session_ended")["reason"], "denied");
}

#[test]
fn view_only_then_control_is_refused_and_a_grant_taken_back() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-view-only");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = asked(&x, &relay, "en", "view,control,chat", &[]);
    // From Deny, back to the last box (chat) and untick it, then control;
    // then forward past Deny to Allow.
    x.keys(&[
        "shift+Tab",
        "space",
        "shift+Tab",
        "space",
        "Tab",
        "Tab",
        "Tab",
        "Return",
    ]);
    let started = viewer.events.event("session_started");
    assert_eq!(started["granted"], serde_json::json!(["view"]));
    agent.events.event("session_started");
    viewer.command(r#"{"cmd":"mouse_move","x":10,"y":10}"#);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "not_granted"
    );
    // The indicator's one Take back button (view), then nothing is left.
    x.focus_window_titled(LIVE);
    x.keys(&["Tab", "Return"]);
    let changed = viewer.events.event("grant_changed");
    assert_eq!(changed["granted"], serde_json::json!([]));
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn no_answer_in_a_minute_is_a_refusal_and_the_window_says_so() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-timeout");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) = asked(&x, &relay, "en", "view", &[]);
    // The person does nothing: the prompt's 60 s run out.
    let ended = viewer
        .events
        .event_within("session_ended", std::time::Duration::from_secs(90));
    assert_eq!(ended["reason"], "consent_timeout");
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "consent_timeout"
    );
    x.focus_window_titled("Tessera: No answer in time");
    x.screenshot_to(&dir.join("timeout-en.png"));
    x.keys(&["Return"]);
    let _ = agent.wait();
}
