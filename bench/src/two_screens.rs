//! Two X servers as the window benchmarks need them: the person's (`:1`,
//! 1024x768, openbox and an xterm running `cat`) and the technician's
//! (`:2`, 1600x1000), with either Tessera's technician window or x11vnc
//! and TigerVNC's viewer between them. Each system gets fresh servers, so
//! the two never share a display or a CPU-hungry neighbour.

use crate::xwatch::Area;
use crate::{free_port, start_x11vnc};
use std::path::Path;
use std::process::{Child, Command};
use tessera_tests::technician::{open_window, Picture, CONNECT, IN_SESSION};
use tessera_tests::xvfb::{XClient, Xvfb};
use tessera_tests::{wait_until, Agent, RelayProcess, Viewer};

/// The person's screen size.
pub const PERSON: (usize, usize) = (1024, 768);
/// The technician's screen size (the window opens at 1280x860 in it).
pub const TECHNICIAN: (usize, usize) = (1600, 1000);
/// Where the person's pointer waits: far from the xterm, so it never
/// covers what is measured.
const PERSON_POINTER: (i32, i32) = (1000, 740);
/// Where the technician's pointer waits when it is not driving: outside
/// every window.
pub const TECHNICIAN_AWAY: (i32, i32) = (1590, 990);

/// The person's display: a window manager (a click gives the xterm the
/// keyboard) and an xterm echoing what is typed.
pub struct Person {
    /// The X server.
    pub x: Xvfb,
    /// The xterm's window, on the person's screen.
    pub xterm: Area,
    _xterm: XClient,
    _wm: XClient,
}

impl Person {
    /// Starts the display, openbox and the xterm; returns once the xterm
    /// is mapped.
    pub fn start() -> Person {
        let x = Xvfb::start(&format!("{}x{}x24", PERSON.0, PERSON.1));
        let wm = x.window_manager();
        let xterm_client = x.xterm_running(&["cat"]);
        let id = x.xdotool(&["search", "--onlyvisible", "--class", "xterm"]);
        let id = id.lines().next().expect("the xterm's window").to_string();
        let xterm = window_area(&x, &id);
        x.xdotool(&[
            "mousemove",
            "--sync",
            &PERSON_POINTER.0.to_string(),
            &PERSON_POINTER.1.to_string(),
        ]);
        Person {
            x,
            xterm,
            _xterm: xterm_client,
            _wm: wm,
        }
    }
}

/// Starts the technician's display with the pointer away from where
/// windows open.
pub fn technician_display() -> Xvfb {
    let x = Xvfb::start(&format!("{}x{}x24", TECHNICIAN.0, TECHNICIAN.1));
    park_pointer(&x);
    x
}

/// Moves the technician's pointer outside every window.
pub fn park_pointer(x: &Xvfb) {
    x.xdotool(&[
        "mousemove",
        "--sync",
        &TECHNICIAN_AWAY.0.to_string(),
        &TECHNICIAN_AWAY.1.to_string(),
    ]);
}

/// Where window `id` is on the screen and its size (`xwininfo`'s
/// absolute position: `xdotool` counts a window manager's frame twice).
pub fn window_area(x: &Xvfb, id: &str) -> Area {
    let out = Command::new("xwininfo")
        .args(["-id", id])
        .env("DISPLAY", &x.display)
        .output()
        .expect("xwininfo");
    assert!(out.status.success(), "xwininfo -id {id}");
    let info = String::from_utf8_lossy(&out.stdout);
    let number = |name: &str| -> i64 {
        info.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {info:?}"))
    };
    Area {
        x: number("Absolute upper-left X:") as i32,
        y: number("Absolute upper-left Y:") as i32,
        w: number("Width:") as u32,
        h: number("Height:") as u32,
    }
}

/// Where the person's screen shows on the technician's: where their
/// xterm shows, pixel for pixel (the rest may differ: TigerVNC's viewer
/// shows a notice over the picture for its first seconds, and x11vnc
/// sends the window manager's shaded title bars as lossy JPEG).
pub fn view_origin(person: &Person, technician: &Xvfb) -> (i32, i32) {
    let xterm = person.xterm;
    let mut found = None;
    wait_until("the viewer shows the person's xterm pixel-exact", || {
        let theirs = Picture::of_screen(&person.x, PERSON.0, PERSON.1);
        let ours = Picture::of_screen(technician, TECHNICIAN.0, TECHNICIAN.1);
        // A row through the xterm's cursor: found in one place only.
        found = ours.find(&crop(&theirs, &xterm), 8, None);
        found.is_some()
    });
    let (x, y) = found.expect("found");
    (x as i32 - xterm.x, y as i32 - xterm.y)
}

/// The part `area` of `picture`.
fn crop(picture: &Picture, area: &Area) -> Picture {
    let (x, w) = (area.x as usize, area.w as usize);
    let rgb = (area.y as usize..area.y as usize + area.h as usize)
        .flat_map(|y| {
            let start = (y * picture.width + x) * 3;
            picture.rgb[start..start + w * 3].iter().copied()
        })
        .collect();
    Picture {
        width: w,
        height: area.h as usize,
        rgb,
    }
}

/// `area` of the person's screen as it shows on the technician's, the
/// person's screen being shown at 1:1 from `origin`.
pub fn in_view(area: &Area, origin: (i32, i32)) -> Area {
    Area {
        x: area.x + origin.0,
        y: area.y + origin.1,
        ..*area
    }
}

/// Tessera between the two displays: relay, agent on the person's
/// display (answering at its terminal), the technician's window.
pub struct TesseraWindow {
    /// The technician's window (its events on stdout, as JSON lines).
    pub viewer: Viewer,
    /// The person's agent.
    pub agent: Agent,
    /// The window's X id on the technician's display.
    pub window: String,
    _relay: RelayProcess,
}

impl TesseraWindow {
    /// Starts a session asking for view and control, the code typed into
    /// the window as a technician would; returns once it runs and the
    /// window has the keyboard.
    pub fn start(person: &Person, technician: &Xvfb, dir: &Path) -> TesseraWindow {
        let relay = RelayProcess::start(&dir.join("relay"), &[]);
        let mut args = relay.client_args();
        args.extend(["--screen", "x11", "--display"].map(String::from));
        args.push(person.x.display.clone());
        let mut agent = Agent::start(&args);
        let code = agent.code();
        let mut viewer = open_window(
            technician,
            &relay.client_args(),
            "view,control",
            &dir.join("home"),
            &[],
        );
        technician.focus_window_titled(CONNECT);
        technician.xdotool(&["type", "--delay", "40", &code]);
        technician.keys(&["Return"]);
        agent.answer("y");
        viewer.events.event("session_started");
        let window = technician.focus_window_titled(IN_SESSION);
        TesseraWindow {
            viewer,
            agent,
            window,
            _relay: relay,
        }
    }
}

/// x11vnc on the person's display and TigerVNC's viewer on the
/// technician's, both with their defaults unless `server_flags` say.
pub struct VncWindow {
    server: Child,
    viewer: Child,
    /// The viewer's window.
    pub window: String,
}

impl VncWindow {
    /// Starts both; returns once the viewer's window is mapped and has
    /// the keyboard.
    pub fn start(person: &Person, technician: &Xvfb, server_flags: &[&str]) -> VncWindow {
        let port = free_port();
        let server = start_x11vnc(&person.x.display, port, server_flags);
        let target = format!("127.0.0.1::{port}");
        let viewer = technician.client("xtigervncviewer", &[target.as_str()]);
        technician.wait_for_window_named("TigerVNC");
        let id = technician.xdotool(&["search", "--onlyvisible", "--name", "TigerVNC"]);
        let window = id.lines().next().expect("the viewer's window").to_string();
        technician.xdotool(&["windowfocus", "--sync", &window]);
        VncWindow {
            server,
            viewer,
            window,
        }
    }

    /// The viewer's process id.
    pub fn viewer_pid(&self) -> u32 {
        self.viewer.id()
    }

    /// x11vnc's process id.
    pub fn server_pid(&self) -> u32 {
        self.server.id()
    }
}

impl Drop for VncWindow {
    fn drop(&mut self) {
        for child in [&mut self.viewer, &mut self.server] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Puts the technician's pointer on the middle of `area` of their screen
/// and clicks there (through the viewer, the person's window manager
/// gives the window under it the keyboard).
pub fn click_at_centre(technician: &Xvfb, area: &Area) {
    let x = area.x + area.w as i32 / 2;
    let y = area.y + area.h as i32 / 2;
    technician.click_at(x, y);
}
