//! Take back → refusal: how long from the person's click on "Take back"
//! (for control) in the agent's window to the refusal of the technician's
//! next input. The technician streams pointer moves (one every 5 ms, well
//! under the flood limit); the click is `xdotool` on Xvfb, timed from just
//! before `xdotool` starts; the end is the headless viewer's
//! `input_refused` event (`not_granted`) read on its stdout. So the figure
//! includes starting `xdotool`, the X server, the window noticing the
//! click, the agent's loop, the way back through the relay and the
//! viewer's event: an upper bound on "revocation takes effect".
//!
//! Goal: under 100 ms. Run: `bash bench/run.sh`, or after a release build
//! `target/release/revoke_latency [SAMPLES]` (default 30; a fresh session
//! each, because the person's window is the one that takes back).

use std::process::Command;
use std::time::{Duration, Instant};
use tessera_bench::quantile;
use tessera_tests::window::{allowed, open_details};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, RelayProcess, DEADLINE};

/// "Take back" beside "Use your mouse and keyboard", from the window's
/// corner, when view and control are granted.
const TAKE_BACK_CONTROL: (i32, i32) = (271, 188);
/// One pointer move every this long from the technician.
const STREAM_EVERY: Duration = Duration::from_millis(5);
/// Input flowing before the click, so the click falls mid-stream
/// (workload pacing).
const BEFORE_CLICK: Duration = Duration::from_millis(300);

fn sample(x: &Xvfb, relay: &RelayProcess) -> Duration {
    let (mut agent, mut viewer, id) = allowed(x, relay, "en", "view,control", &[]);
    // The session shows as a bar; Take back is in the indicator it opens.
    open_details(x, &id);
    let (wx, wy) = x.window_position(&id);
    let (cx, cy) = (wx + TAKE_BACK_CONTROL.0, wy + TAKE_BACK_CONTROL.1);
    // The pointer waits over the button; only the click is timed.
    x.xdotool(&["mousemove", "--sync", &cx.to_string(), &cy.to_string()]);
    let display = x.display.clone();
    let start = Instant::now();
    let clicker = std::thread::spawn(move || {
        std::thread::sleep(BEFORE_CLICK);
        let clicked = Instant::now();
        let status = Command::new("xdotool")
            .args(["click", "1"])
            .env("DISPLAY", &display)
            .status()
            .expect("xdotool");
        assert!(status.success(), "xdotool click");
        clicked
    });
    let deadline = start + DEADLINE;
    let mut n = 0u32;
    let refused_at = loop {
        n += 1;
        let (px, py) = (10 + n % 200, 10 + n % 100);
        viewer.command(&format!(r#"{{"cmd":"mouse_move","x":{px},"y":{py}}}"#));
        let next = Instant::now() + STREAM_EVERY;
        let mut refused = None;
        while let Some(line) = viewer.events.next_line(next) {
            if line.contains(r#""event":"input_refused""#) && line.contains("not_granted") {
                refused = Some(Instant::now());
                break;
            }
        }
        if let Some(at) = refused {
            break at;
        }
        assert!(Instant::now() < deadline, "no refusal after the click");
    };
    let clicked = clicker.join().expect("clicker");
    assert!(
        viewer
            .events
            .seen()
            .iter()
            .any(|l| l.contains(r#""event":"grant_changed""#)),
        "the click took control back"
    );
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    // Not waiting for the end notice to close by itself.
    agent.kill();
    let _ = agent.wait();
    refused_at.saturating_duration_since(clicked)
}

fn main() {
    let samples: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let x = Xvfb::start("1024x768x24");
    let dir = scratch("bench-revoke");
    // A session per sample, from one address: above the default rates.
    let relay = RelayProcess::start(
        &dir.join("relay"),
        &["--join-rate", "600", "--register-rate", "600"],
    );
    let mut times: Vec<Duration> = (0..samples).map(|_| sample(&x, &relay)).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "take back control → next input refused, {samples} samples: p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms (goal < 100 ms)",
        ms(quantile(&times, 0.5)),
        ms(quantile(&times, 0.9)),
        ms(quantile(&times, 1.0)),
    );
}
