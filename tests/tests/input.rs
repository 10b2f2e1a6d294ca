//! Remote input end to end: the viewer's commands travel through the real
//! relay and reach a real xterm on Xvfb through the agent's injection;
//! the witness is the file the shell writes (and `xdotool`).

use tessera_tests::xvfb::Xvfb;
use tessera_tests::{shell_session, wait_for_line, ShellSession, Viewer};

const LINE: &str = "bonjour é à ç € ù";

/// What the technician's script does: point into the terminal, type the
/// command, press Enter.
fn type_the_line(viewer: &mut Viewer) {
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    let command = format!(r#"echo "{LINE}" > out.txt"#);
    viewer.command(&serde_json::json!({"cmd": "text", "text": command}).to_string());
    viewer.command(r#"{"cmd":"key","key":"Enter"}"#);
}

fn typed_into_the_shell_with_layout(layout: &str) {
    let x = Xvfb::start("1280x720x24");
    let status = std::process::Command::new("setxkbmap")
        .arg(layout)
        .env("DISPLAY", &x.display)
        .status()
        .expect("setxkbmap (x11-xkb-utils)");
    assert!(status.success(), "setxkbmap {layout}");
    let ShellSession {
        work,
        mut viewer,
        agent: _agent,
        keep: _keep,
    } = shell_session(&x, &format!("input-{layout}"), "view,control", "y");
    // A shortcut first: a wrong start of line, then Ctrl+U, which the
    // terminal's line discipline takes as "erase the line".
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    viewer.command(r#"{"cmd":"text","text":"echo wrong "}"#);
    viewer.command(r#"{"cmd":"key","key":"ControlLeft","action":"down"}"#);
    viewer.command(r#"{"cmd":"key","key":"KeyU"}"#);
    viewer.command(r#"{"cmd":"key","key":"ControlLeft","action":"up"}"#);
    type_the_line(&mut viewer);
    assert_eq!(wait_for_line(&work.join("out.txt")), format!("{LINE}\n"));
    let at = x.xdotool(&["getmouselocation"]);
    assert!(at.starts_with("x:200 y:100"), "{at}");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn text_reaches_a_real_shell_on_a_us_layout() {
    typed_into_the_shell_with_layout("us");
}

#[test]
fn text_reaches_a_real_shell_on_a_french_layout() {
    typed_into_the_shell_with_layout("fr");
}

#[test]
fn a_view_only_session_injects_nothing_and_says_so() {
    let x = Xvfb::start("1280x720x24");
    let before = x.xdotool(&["getmouselocation"]);
    let ShellSession {
        work,
        mut agent,
        mut viewer,
        keep: _keep,
    } = shell_session(&x, "input-view-only", "view,control", "view");
    type_the_line(&mut viewer);
    let refused = viewer.events.event("input_refused");
    assert_eq!(refused["reason"], "not_granted");
    // Every event is counted by the agent: the first report, then the
    // rest within the second.
    let mut counted = 0;
    while counted < 4 {
        let report = agent.events.event("input_refused");
        assert_eq!(report["reason"], "not_granted");
        counted += report["count"].as_u64().unwrap_or(0);
    }
    assert_eq!(counted, 4, "move, text, and the key's down and up");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
    assert!(!work.join("out.txt").exists(), "the shell ran a command");
    assert_eq!(
        x.xdotool(&["getmouselocation"]),
        before,
        "the pointer moved"
    );
}
