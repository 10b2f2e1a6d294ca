//! Remote input's safety end to end, with outside witnesses: the person's
//! own mouse pauses the technician (Xephyr's devices stand for the
//! person's hands), nothing stays pressed when control is revoked or the
//! viewer dies (`xinput query-state`), and bad or excessive input is
//! refused with a reason and injects nothing (`xdotool`).

use std::time::Instant;
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{
    scratch, shell_session, wait_for_line, wait_until, x11_session, RelayProcess, ShellSession,
    Viewer,
};

/// Types `echo NAME > NAME.txt` and Enter at the pointer.
fn echo_to_file(viewer: &mut Viewer, name: &str) {
    viewer.command(
        &serde_json::json!({"cmd": "text", "text": format!("echo {name} > {name}.txt")})
            .to_string(),
    );
    viewer.command(r#"{"cmd":"key","key":"Enter"}"#);
}

#[test]
fn the_persons_own_mouse_pauses_remote_input_for_two_seconds() {
    // Xephyr: its keyboard and mouse are devices of their own, fed by the
    // outer server, as a person's would be; the agent injects by XTest.
    let x = Xvfb::resizable(1024, 768);
    let ShellSession {
        work,
        mut viewer,
        agent: _agent,
        keep: _keep,
    } = shell_session(&x, "input-local-user", "view,control", "y");
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    echo_to_file(&mut viewer, "before");
    assert_eq!(wait_for_line(&work.join("before.txt")), "before\n");
    assert!(
        !viewer
            .events
            .seen()
            .iter()
            .any(|l| l.contains("local_user")),
        "the agent's own injection paused it"
    );

    // Another XTest client (xdotool on the same display) is not the
    // person: the technician's input still goes through.
    x.xdotool(&["mousemove", "210", "110"]);
    echo_to_file(&mut viewer, "xtest");
    assert_eq!(wait_for_line(&work.join("xtest.txt")), "xtest\n");

    // The person moves their mouse.
    let moved = Instant::now();
    x.physical_xdotool(&["mousemove", "300", "150"]);
    let paused = viewer.events.event("local_user");
    assert_eq!(paused["active"], true);
    echo_to_file(&mut viewer, "during");
    let refused = viewer.events.event("input_refused");
    assert_eq!(refused["reason"], "local_user");

    let resumed = viewer.events.event("local_user");
    assert_eq!(resumed["active"], false);
    assert!(
        moved.elapsed() >= tessera_input::LOCAL_PAUSE,
        "the pause ended after {:?}",
        moved.elapsed()
    );
    echo_to_file(&mut viewer, "after");
    assert_eq!(wait_for_line(&work.join("after.txt")), "after\n");
    assert!(
        !work.join("during.txt").exists(),
        "input during the pause was injected"
    );
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn revoking_control_mid_typing_releases_every_key() {
    let x = Xvfb::start("1280x720x24");
    let ShellSession {
        mut agent,
        mut viewer,
        keep: _keep,
        ..
    } = shell_session(&x, "input-revoke", "view,control", "y");
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    viewer.command(r#"{"cmd":"key","key":"ShiftLeft","action":"down"}"#);
    viewer.command(r#"{"cmd":"key","key":"KeyA","action":"down"}"#);
    // X11 keycodes are evdev codes + 8: ShiftLeft 42 → 50, KeyA 30 → 38.
    wait_until("Shift and A held", || {
        let held = x.held();
        held.iter().any(|k| k.starts_with("key[50]"))
            && held.iter().any(|k| k.starts_with("key[38]"))
    });
    agent.terminal.type_line("/revoke control");
    let changed = agent.events.event("grant_changed");
    assert_eq!(changed["granted"], serde_json::json!(["view"]), "{changed}");
    assert_eq!(x.held(), Vec::<String>::new(), "keys left pressed");
    // And control stays off.
    viewer.events.event("grant_changed");
    viewer.command(r#"{"cmd":"key","key":"KeyB","action":"down"}"#);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "not_granted"
    );
    assert_eq!(x.held(), Vec::<String>::new());
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn a_viewer_killed_mid_drag_leaves_no_button_pressed() {
    let x = Xvfb::start("1280x720x24");
    let dir = scratch("input-viewer-killed");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) =
        x11_session(&relay.client_args(), &x.display, "view,control", "y");
    viewer.command(r#"{"cmd":"mouse_move","x":100,"y":100}"#);
    viewer.command(r#"{"cmd":"click","action":"down"}"#);
    viewer.command(r#"{"cmd":"key","key":"ControlLeft","action":"down"}"#);
    viewer.command(r#"{"cmd":"mouse_move","x":300,"y":200}"#);
    wait_until("the drag under way", || {
        x.xdotool(&["getmouselocation"]).starts_with("x:300 y:200")
    });
    let held = x.held();
    assert!(
        held.iter().any(|b| b.starts_with("button[1]"))
            && held.iter().any(|k| k.starts_with("key[37]")),
        "{held:?}"
    );
    viewer.kill(); // a crash: no goodbye
    let ended = agent.events.event("session_ended");
    assert_eq!(ended["reason"], "connection_lost", "{ended}");
    assert_eq!(x.held(), Vec::<String>::new(), "left pressed");
    let _ = agent.wait();
}

#[test]
fn bad_and_excessive_input_is_refused_with_a_reason_and_injects_nothing() {
    let x = Xvfb::start("1280x720x24");
    let dir = scratch("input-bad");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (mut agent, mut viewer) =
        x11_session(&relay.client_args(), &x.display, "view,control,chat", "y");
    let before = x.xdotool(&["getmouselocation"]);

    // Off the screen: refused by the agent as invalid.
    viewer.command(r#"{"cmd":"mouse_move","x":5000,"y":100}"#);
    assert_eq!(viewer.events.event("input_refused")["reason"], "invalid");
    assert_eq!(agent.events.event("input_refused")["reason"], "invalid");
    // Text with a control character (an escape sequence): invalid.
    viewer.command(r#"{"cmd":"text","text":"ls\u001b[2J"}"#);
    // An unknown key never leaves the viewer: its error names the fix.
    viewer.command(r#"{"cmd":"key","key":"KeyZZ"}"#);
    let error = viewer.events.event("error");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("unknown key \"KeyZZ\""),
        "{error}"
    );
    assert_eq!(
        x.xdotool(&["getmouselocation"]),
        before,
        "the pointer moved"
    );

    // An absurd rate: 3000 moves at once, past the burst of 1000.
    let moves: Vec<String> = (0..3000)
        .map(|i| format!(r#"{{"cmd":"mouse_move","x":{},"y":{}}}"#, 10 + i % 100, 10))
        .collect();
    viewer.command(&moves.join("\n"));
    let flood = agent
        .events
        .event_where("input_refused", |e| e["reason"] == "flood");
    assert!(flood["count"].as_u64().unwrap_or(0) >= 1, "{flood}");
    viewer
        .events
        .event_where("input_refused", |e| e["reason"] == "flood");
    // The session goes on.
    viewer.command(r#"{"cmd":"chat","text":"still there?"}"#);
    agent.events.event("chat");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}
