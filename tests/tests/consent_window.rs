//! The consent window, driven with the keyboard as a person would
//! (`xdotool` on Xvfb), in English and French: the code screen and its
//! Cancel, accept all, accept view only (control refused afterwards),
//! deny (the default), Escape, the session bar and the indicator it opens
//! (by the person, or by the technician's chat line), take a grant back,
//! and Stop. Screenshots of each state are kept beside the test's scratch
//! files; the ones in `docs/img/` were made this way.

use tessera_tests::window::{allowed, asked, waiting, DETAILS, LIVE};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, wait_until, RelayProcess, Viewer};

/// The bar is a strip at the top of the screen, not the window of the
/// code and the prompt.
fn assert_is_the_bar(x: &Xvfb, id: &str) {
    let (width, height) = x.window_size(id);
    assert!(height <= 130, "the bar is {width}x{height}");
    assert!(width <= 800, "the bar is {width}x{height}");
    assert_eq!(x.window_position(id).1, 0, "the bar is at the top");
}

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
    let id = x.focus_window_titled(LIVE);
    assert_is_the_bar(&x, &id);
    x.screenshot_to(&dir.join("bar-en.png"));
    // The bar: Stop, then Show details.
    x.keys(&["Tab", "Tab", "Return"]);
    x.focus_window_titled(DETAILS);
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
    let (mut agent, code, _) = waiting(&x, &relay, "fr", &[]);
    x.screenshot_to(&dir.join("code-fr.png"));
    let mut viewer = Viewer::connect_as(
        &code,
        &relay.client_args(),
        "view,control,chat",
        &["--name", "Jane Doe", "--org", "Acme IT"],
    );
    agent.events.event("consent_requested");
    x.focus_window_titled(tessera_tests::window::ASKING);
    x.screenshot_to(&dir.join("consent-fr.png"));
    x.keys(&["Tab", "Return"]);
    agent.events.event("session_started");
    viewer.events.event("session_started");
    let id = x.focus_window_titled(LIVE);
    assert_is_the_bar(&x, &id);
    x.screenshot_to(&dir.join("bar-fr.png"));
    // Arrêter la session, then Afficher les détails.
    x.keys(&["Tab", "Tab", "Return"]);
    x.focus_window_titled(DETAILS);
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
    // The bar's Show details, then the indicator's one Take back button
    // (view): nothing is left.
    x.focus_window_titled(LIVE);
    x.keys(&["Tab", "Tab", "Return"]);
    x.focus_window_titled(DETAILS);
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

#[test]
fn the_bar_shows_the_session_and_a_chat_line_opens_the_indicator() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-bar");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer, id) = allowed(&x, &relay, "en", "view,chat", &[]);
    assert_is_the_bar(&x, &id);
    // The technician writes: the indicator opens, full size, with the
    // line in it.
    viewer.command(r#"{"cmd":"chat","text":"hi"}"#);
    agent.events.event("chat");
    let open = x.focus_window_titled(DETAILS);
    assert_eq!(open, id, "the same window, opened");
    let (width, height) = x.window_size(&id);
    assert!(width >= 600 && height >= 500, "opened to {width}x{height}");
    x.screenshot_to(&dir.join("chat-open-en.png"));
    // Back to the bar: Take back (2), the chat box, Send, Stop, then Hide
    // details.
    x.keys(&["Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Return"]);
    x.focus_window_titled(LIVE);
    assert_is_the_bar(&x, &id);
    // The bar's Stop, first in line, ends the session.
    x.keys(&["Tab", "Return"]);
    assert_eq!(viewer.events.event("session_ended")["reason"], "user_ended");
    assert_eq!(agent.events.event("session_ended")["reason"], "user_ended");
}

#[test]
fn cancel_on_the_code_screen_ends_the_agent_and_gives_the_code_back() {
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("window-cancel");
    let metrics = format!("127.0.0.1:{}", free_port());
    let relay = RelayProcess::start(&dir.join("relay"), &["--metrics", &metrics]);
    let (mut agent, _code, _) = waiting(&x, &relay, "en", &[]);
    x.screenshot_to(&dir.join("code-en.png"));
    assert_eq!(RelayProcess::metric(&metrics, "tessera_relay_waiting"), 1);
    // Cancel is the code screen's one button.
    x.keys(&["Tab", "Return"]);
    assert_eq!(agent.events.event("session_ended")["reason"], "user_ended");
    let (status, stderr) = agent.wait();
    assert!(status.success(), "{stderr}");
    // The agent closed its connection on the way out: the relay forgot it.
    wait_until("the relay to let the code go", || {
        RelayProcess::metric(&metrics, "tessera_relay_waiting") == 0
    });
}

#[test]
fn under_a_window_manager_the_bar_stays_on_top_and_comes_back_when_minimised() {
    let x = Xvfb::start("1024x768x24");
    let _wm = x.window_manager();
    let dir = scratch("window-wm");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (_agent, _viewer, id) = allowed(&x, &relay, "en", "view", &[]);
    let bar = window_number(&id);
    // A window opened afterwards, which the window manager raises, still
    // stays under the bar.
    let _xterm = x.xterm_running(&["sh"]);
    let xterm = x.xdotool(&["search", "--onlyvisible", "--class", "xterm"]);
    let xterm = window_number(xterm.lines().next().expect("xterm window"));
    wait_until("the bar above the xterm", || {
        let stacking = root_property(&x, "_NET_CLIENT_LIST_STACKING");
        let at = |w| stacking.iter().position(|s| *s == w);
        matches!((at(bar), at(xterm)), (Some(b), Some(t)) if b > t)
    });
    x.screenshot_to(&dir.join("bar-over-xterm.png"));
    // The window manager minimises what it is asked to (the xterm)...
    x.xdotool(&["windowminimize", &xterm.to_string()]);
    wait_until("the xterm minimised", || {
        wm_state(&x, xterm).contains("Iconic")
    });
    // ...and the bar comes back from it.
    x.xdotool(&["windowminimize", &id]);
    wait_until("the bar shown again", || {
        wm_state(&x, bar).contains("Normal")
    });
    x.focus_window_titled(LIVE);
}

/// An X window id as a number, from `xdotool`'s decimal.
fn window_number(id: &str) -> u64 {
    id.trim().parse().expect("a window id")
}

/// The window ids a property of the root window lists (`xprop -root`).
fn root_property(x: &Xvfb, name: &str) -> Vec<u64> {
    let out = std::process::Command::new("xprop")
        .args(["-root", name])
        .env("DISPLAY", &x.display)
        .output()
        .expect("xprop");
    String::from_utf8_lossy(&out.stdout)
        .split(['#', ','])
        .skip(1)
        .filter_map(|w| u64::from_str_radix(w.trim().trim_start_matches("0x"), 16).ok())
        .collect()
}

/// What `xprop` says of a window's `WM_STATE` (`Normal`, `Iconic`).
fn wm_state(x: &Xvfb, window: u64) -> String {
    let out = std::process::Command::new("xprop")
        .args(["-id", &window.to_string(), "WM_STATE"])
        .env("DISPLAY", &x.display)
        .output()
        .expect("xprop");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A free loopback port for a relay's metrics listener.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}
