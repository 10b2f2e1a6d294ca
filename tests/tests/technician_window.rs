//! The technician's window, used as a person would: the person's agent on
//! one X server (`:1`, an xterm and the agent's own window), the
//! technician's window on another (`:2`). `xdotool` types the code into
//! the window and drives the remote xterm through it; the xterm's shell
//! writes the witnesses; ImageMagick compares the two screens.

use std::path::Path;
use tessera_tests::technician::{child_windows, open_window, Picture, CONNECT, IN_SESSION};
use tessera_tests::window::{open_details, ASKING, LIVE};
use tessera_tests::xev::Xev;
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, typo, wait_for_line, wait_until, Agent, RelayProcess};

const PERSON: (usize, usize) = (1024, 768);
const TECHNICIAN: (usize, usize) = (1600, 1000);
/// The bar's Send keys button in the window (English, default size).
const SEND_KEYS: (i32, i32) = (735, 12);
/// The fill of the window's End button.
const END_RED: [u8; 3] = [0xb0, 0x1c, 0x1c];
/// What the window draws granted (and a normal end) in.
const GRANTED: [u8; 3] = [0x1b, 0x6e, 0x2e];

fn metrics_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    format!("127.0.0.1:{port}")
}

/// Where the person's screen is shown in the technician's, once the two
/// agree pixel for pixel (the agent sends changes as they come: wait for
/// the last). The remote cursor drawn over the picture at `pointer` is
/// left out: `import` leaves the person's own pointer out of theirs.
fn remote_view_origin(person: &Xvfb, technician: &Xvfb, pointer: (i32, i32)) -> (usize, usize) {
    let skip = (
        (pointer.0 as usize).saturating_sub(32),
        (pointer.1 as usize).saturating_sub(32),
        96,
    );
    // A row of theirs away from the pointer finds the place.
    let row = if pointer.1 > 200 { 20 } else { PERSON.1 - 20 };
    let mut found = None;
    wait_until("the window shows the person's screen pixel-exact", || {
        let theirs = Picture::of_screen(person, PERSON.0, PERSON.1);
        let ours = Picture::of_screen(technician, TECHNICIAN.0, TECHNICIAN.1);
        found = ours.find(&theirs, row, Some(skip));
        found.is_some()
    });
    found.expect("found")
}

fn type_in(technician: &Xvfb, text: &str) {
    technician.xdotool(&["type", "--delay", "40", text]);
}

#[test]
fn a_technician_helps_through_the_window() {
    let person = Xvfb::start("1024x768x24");
    let technician = Xvfb::start("1600x1000x24");
    let dir = scratch("technician-window");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    // The person's desktop has a window manager: clicking the xterm
    // through the technician's window gives it the keyboard.
    let _wm = person.window_manager();
    let _xterm = person.shell_in(&work);
    let metrics = metrics_addr();
    let relay = RelayProcess::start(&dir.join("relay"), &["--metrics", &metrics]);

    let mut args = relay.client_args();
    args.extend(["--ui", "gui", "--screen", "x11", "--display"].map(String::from));
    args.push(person.display.clone());
    let mut agent = Agent::start_env(&args, &[("DISPLAY", Path::new(&person.display))]);
    let code = agent.code();

    // The technician types the code as a person: first with a typo, which
    // the window flags and never sends.
    let mut viewer = open_window(
        &technician,
        &relay.client_args(),
        "view,control,chat",
        &dir.join("home"),
        &[],
    );
    technician.focus_window_titled(CONNECT);
    type_in(&technician, &typo(&code));
    technician.keys(&["Return"]);
    technician.screenshot_to(&dir.join("connect-typo.png"));
    technician.keys(&["ctrl+a", "BackSpace"]);
    type_in(&technician, &code);
    technician.keys(&["Return"]);
    viewer.events.event("paired");
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_connections_total"),
        2,
        "the agent and one join: the typo never left the window"
    );
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_refusals_total"),
        0
    );

    // The person sees the request on :1 and allows it.
    viewer.events.event("prompt_shown");
    technician.screenshot_to(&dir.join("waiting.png"));
    person.focus_window_titled(ASKING);
    person.keys(&["Tab", "Return"]);
    agent.events.event("session_started");
    viewer.events.event("session_started");
    let window = technician.focus_window_titled(IN_SESSION);
    // Another window on the technician's screen, to give the keyboard to.
    let mut other = technician.client("xterm", &["-geometry", "20x4+1320+900"]);
    technician.wait_for_window("xterm");
    let elsewhere = technician.xdotool(&["search", "--onlyvisible", "--class", "xterm"]);
    let elsewhere = elsewhere.lines().next().expect("xterm window").to_string();
    technician.xdotool(&["windowfocus", "--sync", &window]);

    // The remote screen, pixel-exact at 1:1 (the person's pointer is
    // wherever X left it: the drawn cursor is left out).
    let origin = remote_view_origin(&person, &technician, person.pointer());
    technician.screenshot_to(&dir.join("session.png"));

    // Over the xterm, the technician types a command and it runs there.
    let (wx, wy) = technician.window_position(&window);
    let over_xterm = |x: usize, y: usize| {
        let (x, y) = (origin.0 + x - wx as usize, origin.1 + y - wy as usize);
        technician.xdotool(&[
            "mousemove",
            "--sync",
            "--window",
            &window,
            &x.to_string(),
            &y.to_string(),
        ]);
    };
    // Left of where the agent's window may be, below its bar.
    over_xterm(20, 200);
    technician.xdotool(&["click", "1"]);
    type_in(&technician, "echo typed through the window > typed.txt");
    technician.keys(&["Return"]);
    assert_eq!(
        wait_for_line(&work.join("typed.txt")),
        "typed through the window\n"
    );

    // Ctrl+C reaches the remote shell, not the window's copy.
    type_in(&technician, "sleep 300; echo late > late.txt");
    technician.keys(&["Return"]);
    wait_until("the remote shell sleeps", || {
        std::process::Command::new("pgrep")
            .args(["-f", "^sleep 300$"])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    technician.keys(&["ctrl+c"]);
    type_in(&technician, "echo after > after.txt");
    technician.keys(&["Return"]);
    assert_eq!(wait_for_line(&work.join("after.txt")), "after\n");
    assert!(
        !work.join("late.txt").exists(),
        "Ctrl+C interrupted the sleep"
    );

    // At 1:1 the picture is put straight into a child window over its
    // place (no repaint of the window); a menu of the window's over the
    // picture shows, the child stepping aside, and then comes back.
    let picture_window = format!(
        "{}x{}+{}+{}",
        PERSON.0,
        PERSON.1,
        origin.0 - wx as usize,
        origin.1 - wy as usize
    );
    let shown = |viewable: bool| {
        child_windows(&technician, &window)
            .iter()
            .any(|c| c.geometry == picture_window && c.viewable == viewable)
    };
    wait_until("the picture's own X window shows it", || shown(true));
    technician.click_in(&window, SEND_KEYS.0, SEND_KEYS.1);
    wait_until("the Send keys menu over the picture", || shown(false));
    let menu = Picture::of_screen(&technician, TECHNICIAN.0, TECHNICIAN.1);
    let theirs = Picture::of_screen(&person, PERSON.0, PERSON.1);
    assert!(
        menu.differences(&theirs, origin, None) > 1000,
        "the menu shows over the picture"
    );
    technician.keys(&["Escape"]);
    wait_until("the picture's own X window again", || shown(true));
    remote_view_origin(&person, &technician, person.pointer());
    over_xterm(20, 200);

    // A key held when the window loses the keyboard is let go there.
    technician.xdotool(&["keydown", "shift"]);
    wait_until("Shift held on the person's screen", || {
        !person.held().is_empty()
    });
    technician.xdotool(&["windowfocus", "--sync", &elsewhere]);
    wait_until("nothing held on the person's screen", || {
        person.held().is_empty()
    });
    technician.xdotool(&["keyup", "shift"]);

    // The person takes control back in their window (the bar's details,
    // then Take back): the technician's bar shows one grant fewer.
    let bar = 0..30;
    let granted_before =
        Picture::of_screen(&technician, TECHNICIAN.0, TECHNICIAN.1).count(GRANTED, bar.clone());
    let theirs = person.focus_window_titled(LIVE);
    open_details(&person, &theirs);
    person.click_in(&theirs, 271, 188);
    let changed = viewer.events.event("grant_changed");
    assert_eq!(changed["granted"], serde_json::json!(["view", "chat"]));
    wait_until("the technician's bar shows control taken back", || {
        let now =
            Picture::of_screen(&technician, TECHNICIAN.0, TECHNICIAN.1).count(GRANTED, bar.clone());
        now > 0 && now < granted_before
    });
    technician.screenshot_to(&dir.join("control-taken-back.png"));

    // The person stops the session there; the window goes back to Connect
    // and says how it ended (a normal end, framed in green).
    person.click_in(&theirs, 97, 413);
    assert_eq!(viewer.events.event("session_ended")["reason"], "user_ended");
    technician.focus_window_titled(CONNECT);
    wait_until("Connect says how the session ended", || {
        Picture::of_screen(&technician, TECHNICIAN.0, TECHNICIAN.1).count(GRANTED, 0..TECHNICIAN.1)
            > 200
    });
    technician.screenshot_to(&dir.join("ended.png"));
    drop(agent);

    // A second session, which the technician ends from the bar's red End
    // button: both sides say so, and the window is back at Connect.
    let mut agent = Agent::start(&relay.client_args());
    let code = agent.code();
    technician.focus_window_titled(CONNECT);
    type_in(&technician, &code);
    technician.keys(&["Return"]);
    agent.answer("y");
    viewer.events.event("session_started");
    technician.focus_window_titled(IN_SESSION);
    let mut end = None;
    wait_until("the End button shows", || {
        end = Picture::of_screen(&technician, TECHNICIAN.0, TECHNICIAN.1).centre_of(END_RED);
        end.is_some()
    });
    let (x, y) = end.expect("found");
    technician.click_at(x, y);
    assert_eq!(
        viewer.events.event("session_ended")["reason"],
        "technician_ended"
    );
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "technician_ended"
    );
    technician.focus_window_titled(CONNECT);
    let _ = other.kill();
    let _ = other.wait();
}

#[test]
fn the_keyboard_grab_sends_what_the_desktop_would_take() {
    let person = Xvfb::start("1024x768x24");
    let technician = Xvfb::start("1600x1000x24");
    let dir = scratch("technician-grab");
    // The technician's desktop has a window manager that binds Alt+Tab
    // for itself (openbox's default), as desktops do. (The person's has
    // none here: one would switch their windows on Alt+Tab, which is the
    // point, but then xev could not witness it.)
    let _technician_wm = technician.window_manager();
    let mut xev = Xev::start(&person, 20, 300);
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let mut args = relay.client_args();
    args.extend(["--screen", "x11", "--display"].map(String::from));
    args.push(person.display.clone());
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = open_window(
        &technician,
        &relay.client_args(),
        "view,control",
        &dir.join("home"),
        &["--grab-keyboard"],
    );
    technician.focus_window_titled(CONNECT);
    type_in(&technician, &code);
    technician.keys(&["Return"]);
    agent.answer("y");
    viewer.events.event("session_started");
    technician.focus_window_titled(IN_SESSION);
    // The person's program that has the keyboard.
    let tester = person.xdotool(&["search", "--name", "Event Tester"]);
    let tester = tester.lines().next().expect("xev window").to_string();
    person.xdotool(&["windowfocus", "--sync", &tester]);

    // Alt+Tab on the technician's keyboard reaches the person's program
    // whole: without the grab their window manager takes it first.
    technician.keys(&["alt+Tab"]);
    let events = xev.events_until(|e| e.kind == "KeyRelease" && e.key.as_deref() == Some("Tab"));
    let tab = events
        .iter()
        .find(|e| e.kind == "KeyPress" && e.key.as_deref() == Some("Tab"))
        .unwrap_or_else(|| panic!("no Tab pressed: {events:?}"));
    assert_ne!(tab.state & 0x8, 0, "with Alt held (Mod1): {events:?}");
    drop(viewer);
}
