//! Grants mid-session in the agent's window, driven with the mouse and
//! the keyboard as a person would (`xdotool` on Xvfb): an upgrade request
//! allowed with a click, and one denied in French; a technician with
//! control clicking Allow through remote input gets nothing; Take back
//! and Stop clicked; chat both ways in the indicator (the technician's
//! line opens it from the bar); the continue check answered, then left
//! unanswered; a line of the technician's report shown among the
//! messages, and the end saying where the record is. Screenshots of each are kept beside the
//! test's scratch files; the ones in `docs/img/` were made this way.

use std::time::Duration;
use tessera_tests::window::{allowed, ASKING_MORE, CONTINUE, DETAILS, LIVE};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, wait_until, RelayProcess};

/// Where the upgrade prompt's "Allow what is ticked" is, from the
/// window's corner (one permission asked, English).
const ALLOW_ONE: (i32, i32) = (192, 222);

#[test]
fn a_remote_click_on_allow_gets_nothing_and_the_persons_click_grants() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-upgrade-click");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    // The agent drives this very display: the technician's clicks would
    // land on the prompt if the agent let them through.
    let (mut agent, mut viewer, _) = allowed(
        &x,
        &relay,
        "en",
        "view,control",
        &["--screen", "x11", "--display", &x.display],
    );
    viewer.command(r#"{"cmd":"request","grants":["chat"]}"#);
    let asked = agent.events.event("upgrade_requested");
    assert_eq!(asked["requested"], serde_json::json!(["chat"]));
    let id = x.focus_window_titled(ASKING_MORE);
    x.screenshot_to(&dir.join("upgrade-en.png"));
    let (wx, wy) = x.window_position(&id);
    let allow = (wx + ALLOW_ONE.0, wy + ALLOW_ONE.1);
    let before = x.pointer();
    viewer.command(&format!(
        r#"{{"cmd":"mouse_move","x":{},"y":{}}}"#,
        allow.0, allow.1
    ));
    viewer.command(r#"{"cmd":"click"}"#);
    let refused = viewer.events.event("input_refused");
    assert_eq!(refused["reason"], "prompt_open");
    assert_eq!(x.pointer(), before, "the technician's move never happened");
    // The person's own click on the same spot is what allows it.
    x.click_in(&id, ALLOW_ONE.0, ALLOW_ONE.1);
    let granted = viewer.events.event("upgrade_granted");
    assert_eq!(
        granted["granted"],
        serde_json::json!(["view", "control", "chat"])
    );
    assert!(
        !agent
            .events
            .seen()
            .iter()
            .any(|l| l.contains("upgrade_refused")),
        "one answer, the person's"
    );
    viewer.command(r#"{"cmd":"status"}"#);
    let status = viewer.events.event("status");
    assert_eq!(
        status["granted"],
        serde_json::json!(["view", "control", "chat"])
    );
    // Control works again once the prompt is gone.
    viewer.command(r#"{"cmd":"mouse_move","x":500,"y":700}"#);
    wait_until("the technician's pointer move", || {
        x.pointer() == (500, 700)
    });
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn a_click_the_moment_the_prompt_appears_does_not_allow() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-upgrade-armed");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (_agent, mut viewer, id) = allowed(&x, &relay, "en", "view", &[]);
    viewer.command(r#"{"cmd":"request","grants":["chat"]}"#);
    // The window is titled plainly "Tessera" while the prompt is drawn but
    // Allow is not armed yet: the person clicks where Allow is, at once,
    // as if told "click there now".
    wait_until("the prompt drawn, Allow not armed", || {
        std::process::Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "^Tessera$"])
            .env("DISPLAY", &x.display)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    x.click_in(&id, ALLOW_ONE.0, ALLOW_ONE.1);
    // Still asking once armed: that click answered nothing.
    x.focus_window_titled(ASKING_MORE);
    x.click_in(&id, ALLOW_ONE.0, ALLOW_ONE.1);
    let granted = viewer.events.event("upgrade_granted");
    assert_eq!(granted["granted"], serde_json::json!(["view", "chat"]));
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn an_upgrade_denied_in_french_keeps_the_session_as_it_was() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-upgrade-deny");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer, _) = allowed(&x, &relay, "fr", "view", &[]);
    viewer.command(r#"{"cmd":"request","grants":["control","chat"]}"#);
    x.focus_window_titled(ASKING_MORE);
    x.screenshot_to(&dir.join("upgrade-fr.png"));
    x.keys(&["Return"]); // Refuser has the focus
    assert_eq!(viewer.events.event("upgrade_refused")["reason"], "denied");
    assert_eq!(agent.events.event("upgrade_refused")["reason"], "denied");
    // Control is still refused, and the session goes on.
    viewer.command(r#"{"cmd":"mouse_move","x":10,"y":10}"#);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "not_granted"
    );
    viewer.command(r#"{"cmd":"request","grants":["control"]}"#);
    assert_eq!(viewer.events.event("upgrade_refused")["reason"], "too_soon");
    x.focus_window_titled(LIVE);
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn take_back_chat_and_stop_with_the_mouse() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-clicks");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer, id) = allowed(&x, &relay, "en", "view,control,chat", &[]);
    // Chat both ways: the technician's line opens the indicator and shows
    // under their name; the person types theirs in the box.
    viewer.command(r#"{"cmd":"chat","text":"Bonjour, je regarde votre écran."}"#);
    agent.events.event("chat");
    x.focus_window_titled(DETAILS);
    x.click_in(&id, 190, 397); // the message box
    x.xdotool(&["type", "--delay", "40", "Merci !"]);
    x.keys(&["Return"]);
    let line = viewer.events.event_where("chat", |e| e["from"] == "agent");
    assert_eq!(line["text"], "Merci !");
    x.screenshot_to(&dir.join("chat-en.png"));
    // Take back control: the next input is refused.
    x.click_in(&id, 271, 188);
    let changed = viewer.events.event("grant_changed");
    assert_eq!(changed["granted"], serde_json::json!(["view", "chat"]));
    viewer.command(r#"{"cmd":"mouse_move","x":10,"y":10}"#);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "not_granted"
    );
    // Stop, one row higher now.
    x.click_in(&id, 97, 413);
    assert_eq!(viewer.events.event("session_ended")["reason"], "user_ended");
    assert_eq!(agent.events.event("session_ended")["reason"], "user_ended");
}

#[test]
fn the_continue_check_pauses_control_goes_on_with_a_click_and_ends_unanswered() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-continue");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer, _) = allowed(
        &x,
        &relay,
        "en",
        "view,control",
        &["--continue-check", "10s", "--continue-answer", "10s"],
    );
    let wait = Duration::from_secs(30);
    let check = viewer.events.event_within("continue_check", wait);
    assert_eq!(check["open"], true);
    let id = x.focus_window_titled(CONTINUE);
    x.screenshot_to(&dir.join("continue-en.png"));
    viewer.command(r#"{"cmd":"mouse_move","x":10,"y":10}"#);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "prompt_open"
    );
    x.click_in(&id, 241, 110); // Continue
    let answered = viewer.events.event("continue_check");
    assert_eq!(answered["open"], false);
    // Answered, the window is the bar again.
    x.focus_window_titled(LIVE);
    // Asked again 10 s later; nobody answers this time.
    let check = viewer.events.event_within("continue_check", wait);
    assert_eq!(check["open"], true);
    let ended = viewer.events.event_within("session_ended", wait);
    assert_eq!(ended["reason"], "continue_timeout");
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "continue_timeout"
    );
}

#[test]
fn the_technician_s_report_line_shows_and_the_end_says_where_the_record_is() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-report");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let records = dir.join("records").display().to_string();
    let (mut agent, mut viewer, _) = allowed(&x, &relay, "fr", "view", &["--record-dir", &records]);
    // Chat is not granted: the report's line shows all the same, and
    // opens the indicator where the person reads it.
    viewer.command(r#"{"cmd":"note","text":"Pilote réinstallé"}"#);
    agent.events.event("note");
    x.focus_window_titled(DETAILS);
    x.screenshot_to(&dir.join("report-line-fr.png"));
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
    // The end notice names the folder the record is in.
    x.focus_window_titled("Cette session a .*enregistr.*sur cet ordinateur, dans .*records");
    x.screenshot_to(&dir.join("recorded-fr.png"));
    assert!(agent.wait().0.success());
}
