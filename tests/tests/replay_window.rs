//! The auditor's replay window on a real session's record, in French: it
//! opens on the record with nothing shown before the first picture, End
//! shows the screen as the technician last saw it, Home goes back to
//! nothing, Space plays up to the first picture, and N steps from event
//! to event up to the one that recorded it. Seen by screenshots of the
//! real window on Xvfb.

use std::path::PathBuf;
use std::process::{Child, Command};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{bin, scratch, wait_until, Agent, RelayProcess, Viewer};

/// The viewer's record of a short real session with the screen shared.
fn viewer_record(root: &std::path::Path) -> PathBuf {
    let relay = RelayProcess::start(&root.join("relay"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let dir = root.join("viewer").display().to_string();
    let mut viewer = Viewer::connect_as(
        &code,
        &args,
        "view",
        &["--name", "Jane", "--record-dir", &dir],
    );
    agent.answer("y");
    viewer.events.event("frame");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
    agent.wait();
    let folder = std::fs::read_dir(root.join("viewer"))
        .expect("records")
        .next()
        .expect("one record")
        .expect("entry");
    folder.path()
}

/// Kills the window at the end of the test, whatever happens.
struct Window(Child);

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_replay_window_shows_the_screen_at_the_moment_chosen() {
    let root = scratch("replay-window");
    let record = viewer_record(&root);
    let x = Xvfb::start("1400x900x24");
    let _window = Window(
        Command::new(bin("tessera-viewer"))
            .args(["audit", "replay", "--lang", "fr"])
            .arg(&record)
            .env("DISPLAY", &x.display)
            .spawn()
            .expect("the replay window starts"),
    );
    let id = x.focus_window_titled("Tessera, relecture");
    let (wx, wy) = x.window_position(&id);
    // A spot inside the replayed screen's blue frame (the synthetic
    // picture, scaled to fit left of the events).
    let (px, py) = (wx + 30, wy + 300);
    let blue_at_spot = || {
        let rgb = x.screenshot_rgb();
        let at = ((py * 1400 + px) * 3) as usize;
        let (r, b) = (rgb[at], rgb[at + 2]);
        b > r.saturating_add(40)
    };
    assert!(!blue_at_spot(), "a picture before any was sent");
    x.keys(&["End"]);
    wait_until("the last picture shown", &blue_at_spot);
    x.keys(&["Home"]);
    wait_until("nothing shown at the start", || !blue_at_spot());
    x.screenshot_to(&root.join("replay-fr-start.png"));
    // Played from the start, the picture comes when it came.
    x.keys(&["space"]);
    wait_until("the first picture reached while playing", &blue_at_spot);
    x.keys(&["space", "Home"]);
    wait_until("back at the start", || !blue_at_spot());
    // Event after event (each N one step), up to the screen's segment.
    wait_until("an event with the picture reached with N", || {
        x.keys(&["n"]);
        blue_at_spot()
    });
    x.screenshot_to(&root.join("replay-fr-event.png"));
}
