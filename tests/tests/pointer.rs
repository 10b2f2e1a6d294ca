//! The pointer end to end, witnessed by `xev`, a real X client that is
//! not ours: clicks, a double click, a drag and the wheel reach it as the
//! technician sent them, and a view-only session reaches it with nothing.

use tessera_tests::xev::{XEvent, Xev};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, x11_session, RelayProcess, Viewer};

/// Where the `xev` window sits on the screen.
const WINDOW: (i32, i32) = (500, 100);

/// The technician's script: click, double click, drag, wheel both ways
/// and sideways, all inside the `xev` window; then a right click, the
/// marker that the script is over.
fn pointer_script(viewer: &mut Viewer) {
    for command in [
        r#"{"cmd":"mouse_move","x":600,"y":200}"#,
        r#"{"cmd":"click"}"#,
        r#"{"cmd":"click","count":2}"#,
        r#"{"cmd":"click","action":"down"}"#,
        r#"{"cmd":"mouse_move","x":700,"y":250}"#,
        r#"{"cmd":"click","action":"up"}"#,
        r#"{"cmd":"scroll","dy":1}"#,
        r#"{"cmd":"scroll","dy":-1}"#,
        r#"{"cmd":"scroll","dx":1}"#,
        r#"{"cmd":"click","button":"right"}"#,
    ] {
        viewer.command(command);
    }
}

fn is_marker(e: &XEvent) -> bool {
    e.kind == "ButtonRelease" && e.button == Some(3)
}

/// Presses and releases as `(kind, button)`, in order.
fn buttons(events: &[XEvent]) -> Vec<(&str, u32)> {
    events
        .iter()
        .filter_map(|e| match (e.kind.as_str(), e.button) {
            (kind @ ("ButtonPress" | "ButtonRelease"), Some(b)) => Some((kind, b)),
            _ => None,
        })
        .collect()
}

#[test]
fn clicks_double_clicks_drags_and_the_wheel_reach_a_real_x_client() {
    let x = Xvfb::start("1280x720x24");
    let mut xev = Xev::start(&x, WINDOW.0, WINDOW.1);
    let relay = RelayProcess::start(&scratch("pointer"), &[]);
    let (_agent, mut viewer) = x11_session(&relay.client_args(), &x.display, "view,control", "y");
    pointer_script(&mut viewer);
    let events = xev.events_until(is_marker);
    let (press, release) = ("ButtonPress", "ButtonRelease");
    assert_eq!(
        buttons(&events),
        vec![
            (press, 1),
            (release, 1),
            (press, 1),
            (release, 1),
            (press, 1),
            (release, 1),
            (press, 1),
            (release, 1),
            (press, 5),
            (release, 5),
            (press, 4),
            (release, 4),
            (press, 7),
            (release, 7),
            (press, 3),
            (release, 3),
        ],
        "click, double click, drag, wheel down, up, right; then the marker"
    );
    // The first click lands where it was sent.
    let first = events
        .iter()
        .find(|e| e.kind == "ButtonPress")
        .expect("a press");
    assert_eq!(first.at, Some((600, 200)));
    // The drag: motion with button 1 held, ending where it was sent.
    let dragged = events
        .iter()
        .rfind(|e| e.kind == "MotionNotify" && e.state & 0x100 != 0)
        .expect("motion with the button held");
    assert_eq!(dragged.at, Some((700, 250)));
    let released = events
        .iter()
        .rfind(|e| e.kind == "ButtonRelease" && e.button == Some(1))
        .expect("the drag's release");
    assert_eq!(released.at, Some((700, 250)));
    assert!(x.held().is_empty(), "still held: {:?}", x.held());
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn a_view_only_session_reaches_xev_with_nothing() {
    let x = Xvfb::start("1280x720x24");
    let mut xev = Xev::start(&x, WINDOW.0, WINDOW.1);
    let relay = RelayProcess::start(&scratch("pointer-view-only"), &[]);
    let (mut agent, mut viewer) =
        x11_session(&relay.client_args(), &x.display, "view,control", "view");
    pointer_script(&mut viewer);
    // 15 events: move, 1 click (2), double click (4), drag (3), 3 scrolls,
    // the marker (2). The agent counts every one as refused.
    let mut counted = 0;
    while counted < 15 {
        let report = agent.events.event("input_refused");
        assert_eq!(report["reason"], "not_granted");
        counted += report["count"].as_u64().unwrap_or(0);
    }
    assert_eq!(counted, 15);
    assert_eq!(
        viewer.events.event("input_refused")["reason"],
        "not_granted"
    );
    // An outside click (xdotool, not the agent) marks the end of what xev
    // could have received; nothing of the technician's came before it.
    x.xdotool(&["mousemove", "510", "110", "click", "3"]);
    let events = xev.events_until(is_marker);
    assert_eq!(
        buttons(&events),
        vec![("ButtonPress", 3), ("ButtonRelease", 3)]
    );
    assert!(
        events
            .iter()
            .all(|e| e.at != Some((600, 200)) && e.at != Some((700, 250))),
        "xev saw the technician's pointer: {events:?}"
    );
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}
