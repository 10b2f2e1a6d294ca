//! Issue 15's whole-system figures for motion: one Xvfb at 1920x1080, a
//! real video player (`ffplay` showing ffmpeg's test card, its colours
//! turning so that every tile moves) and a window dragged across the
//! screen, watched by Tessera (relay, agent, headless viewer, on loopback)
//! and then, on the same server and workloads, by x11vnc with a minimal
//! RFB client asking for ZRLE and CopyRect. One system at a time: on two
//! cores, each would otherwise pay for the other's CPU.
//!
//! For each phase: pictures a second at the viewer (Tessera's video
//! pictures and updates; x11vnc's framebuffer updates), Mbit/s on the
//! wire (what the relay forwarded, both ways; RFB bytes both ways), and
//! the CPU of the agent, the viewer and x11vnc. Then, for Tessera: the
//! PSNR of the video picture (the last one shown when the video pauses,
//! against `import`), keystroke to pixels while the video plays (the
//! viewer's `key` to its next `frame`), and the same video and keystrokes
//! with the viewer behind a home link (10 Mbit/s, 40 ms, 0.5 % loss).
//!
//! Run: `bash bench/run.sh`, or after a release build
//! `target/release/video_vs_vnc [PHASE_SECS]` (default 20; needs ffmpeg
//! and x11vnc).

use std::path::Path;
use std::time::{Duration, Instant};
use tessera_bench::xwatch::{repaints, DamageWatch, XDriver};
use tessera_bench::{cpu_time, free_port, quantile, rfb, start_x11vnc};
use tessera_tests::impair::{ImpairedPath, Link};
use tessera_tests::motion::{ffplay, focus, prerender, psnr, psnr_y, Area, Source};
use tessera_tests::xvfb::{XClient, Xvfb};
use tessera_tests::{scratch, Agent, RelayProcess, Viewer};

/// Time for a workload to reach its pace before it is measured.
const SETTLE: Duration = Duration::from_secs(3);
/// The video window of the first phase.
const WINDOW: Area = (960, 500, 960, 540);
/// Keystrokes timed in each keystroke phase.
const KEYS: usize = 60;
/// Pause between keystrokes (a typist's pace, so each is timed alone).
const GAP: Duration = Duration::from_millis(80);

/// A workload on the person's screen.
#[derive(Clone, Copy)]
enum Work {
    Window,
    FullScreen,
    Drag,
}

impl Work {
    fn name(self) -> &'static str {
        match self {
            Work::Window => "960x540 video window",
            Work::FullScreen => "full-screen video 1920x1080",
            Work::Drag => "window dragged across the screen",
        }
    }

    /// Starts it; the returned clients stop it when dropped (none for the
    /// drag, which `run_phase` drives).
    fn start(self, x: &Xvfb, dir: &Path) -> Vec<XClient> {
        let raw = |w, h| Source::Raw {
            path: dir.join(format!("scene-{w}x{h}.yuv")),
            w,
            h,
        };
        match self {
            Work::Window => {
                let (left, top, w, h) = WINDOW;
                vec![ffplay(x, &raw(w, h), left, top)]
            }
            Work::FullScreen => vec![ffplay(x, &raw(1920, 1080), 0, 0)],
            Work::Drag => Vec::new(),
        }
    }
}

/// Counts at one moment.
struct Reading {
    /// Repaints of the screen so far (what the player and the drag drew,
    /// seen by an X client of ours through XDamage).
    source: u64,
    pictures: u64,
    updates: u64,
    bytes: u64,
    cpu: Vec<Duration>,
    at: Instant,
}

/// Pictures and updates the viewer has reported so far.
fn counted(viewer: &mut Viewer) -> (u64, u64) {
    while viewer.events.next_line(Instant::now()).is_some() {}
    let seen = viewer.events.seen();
    let count = |kind: &str| {
        let tag = format!(r#""event":"{kind}""#);
        seen.iter().filter(|l| l.contains(&tag)).count() as u64
    };
    (count("video_frame"), count("frame"))
}

/// The screen's repaints, counted as they come.
struct Repaints {
    watch: DamageWatch,
    seen: u64,
}

impl Repaints {
    fn count(&mut self) -> u64 {
        // Rectangles less than 5 ms apart are one picture being drawn.
        self.seen += repaints(&self.watch.take(), Duration::from_millis(5)) as u64;
        self.seen
    }
}

fn tessera_reading(viewer: &mut Viewer, metrics: &str, pids: &[u32], source: u64) -> Reading {
    let (pictures, updates) = counted(viewer);
    Reading {
        source,
        pictures,
        updates,
        bytes: RelayProcess::metric(metrics, "tessera_relay_bytes_forwarded_total"),
        cpu: pids.iter().map(|&p| cpu_time(p)).collect(),
        at: Instant::now(),
    }
}

/// Plays `work` for `secs`, dragging the xterm `drag` if it is the drag.
fn run_phase(
    x: &Xvfb,
    dir: &Path,
    work: Work,
    driver: &XDriver,
    drag: u32,
    secs: u64,
    read: &mut dyn FnMut() -> Reading,
) -> (Reading, Reading, Vec<XClient>) {
    let clients = work.start(x, dir);
    std::thread::sleep(SETTLE);
    let a = read();
    let start = Instant::now();
    let until = start + Duration::from_secs(secs);
    let mut step = 0u32;
    while Instant::now() < until {
        match work {
            // As a hand drags with a 60 Hz mouse: 60 steps a second, 8
            // pixels each (480 px/s), back and forth, and down and up.
            Work::Drag => {
                let along = (step * 8) % 2800;
                let x_pos = if along < 1400 { along } else { 2800 - along };
                let y_pos = 200 + (step * 2) % 400;
                driver.move_window(drag, x_pos as i32, y_pos as i32);
                step += 1;
                let next = start + Duration::from_micros(16_667 * u64::from(step));
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let b = read();
    (a, b, clients)
}

fn row(system: &str, work: Work, a: &Reading, b: &Reading, cpu_names: &[&str]) {
    let secs = b.at.duration_since(a.at).as_secs_f64();
    let cpu: Vec<String> = a
        .cpu
        .iter()
        .zip(&b.cpu)
        .zip(cpu_names)
        .map(|((x, y), name)| format!("{name} {:.1} %", 100.0 * (*y - *x).as_secs_f64() / secs))
        .collect();
    println!(
        "| {} | {system} | {:.1} /s | {:.1} /s video + {:.1} /s updates | {:.2} Mbit/s | {} |",
        work.name(),
        (b.source - a.source) as f64 / secs,
        (b.pictures - a.pictures) as f64 / secs,
        (b.updates - a.updates) as f64 / secs,
        (b.bytes - a.bytes) as f64 * 8.0 / secs / 1e6,
        cpu.join(", "),
    );
}

/// The PSNR (Y, RGB) of the last video picture shown when the video at
/// `area` pauses, against `import`: `samples` of them, each taken as the
/// last finite one before the top-off makes it exact.
fn paused_psnr(
    x: &Xvfb,
    viewer: &mut Viewer,
    dir: &Path,
    area: Area,
    samples: usize,
) -> Vec<(f64, f64)> {
    let (ours, screen) = (dir.join("ours.png"), dir.join("screen.png"));
    focus(x, "--name", "video");
    let mut out = Vec::new();
    for _ in 0..samples * 3 {
        if out.len() == samples {
            break;
        }
        std::thread::sleep(Duration::from_secs(1)); // let it play
        x.xdotool(&["key", "p"]);
        x.screenshot_to(&screen);
        let mut last = None;
        for _ in 0..100 {
            snapshot(viewer, &ours);
            let (y, rgb) = (psnr_y(&ours, &screen, area), psnr(&ours, &screen, area));
            if rgb.is_infinite() {
                break;
            }
            last = Some((y, rgb));
        }
        out.extend(last);
        x.xdotool(&["key", "p"]);
    }
    out
}

fn snapshot(viewer: &mut Viewer, path: &Path) {
    viewer.command(&format!(
        r#"{{"cmd":"snapshot","path":"{}"}}"#,
        path.display()
    ));
    viewer.events.event("snapshot");
}

/// Keystroke (the viewer's `key`) to the viewer's next `frame` event,
/// typed into the xterm while whatever plays plays.
fn keystrokes(x: &Xvfb, viewer: &mut Viewer) -> Vec<Duration> {
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    focus(x, "--class", "xterm");
    let mut out = Vec::new();
    for i in 0..KEYS {
        let key = format!("Key{}", (b'A' + (i % 26) as u8) as char);
        while viewer.events.next_line(Instant::now()).is_some() {}
        let start = Instant::now();
        viewer.command(&serde_json::json!({"cmd": "key", "key": key}).to_string());
        viewer.events.event("frame");
        out.push(start.elapsed());
        std::thread::sleep(GAP);
    }
    out.sort();
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn session(x: &Xvfb, relay: &RelayProcess, viewer_args: &[String]) -> (Agent, Viewer) {
    let mut agent_args = relay.client_args();
    agent_args.extend(["--screen", "x11", "--display", &x.display].map(String::from));
    let mut agent = Agent::start(&agent_args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, viewer_args, "view,control");
    agent.answer("y");
    viewer.events.event("session_started");
    viewer.events.event("frame");
    (agent, viewer)
}

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let x = Xvfb::start("1920x1080x24");
    let dir = scratch("bench-video");
    let text = dir.join("text.txt");
    tessera_tests::write_random_text(&text, 200, 10);
    // The xterm typed into, and dragged: text, so the drag is of content.
    let script = format!("cat '{}'; exec cat", text.display());
    let xterm = XClient::from(x.client(
        "xterm",
        &["-geometry", "80x24+20+30", "-e", "sh", "-c", &script],
    ));
    x.wait_for_window("xterm");
    let drag = x.xdotool(&["search", "--onlyvisible", "--class", "xterm"]);
    let drag: u32 = drag
        .lines()
        .next()
        .and_then(|id| id.trim().parse().ok())
        .expect("the xterm's window id");
    let driver = XDriver::open(&x.display);
    let metrics = format!("127.0.0.1:{}", free_port());
    let relay = RelayProcess::start(&dir.join("relay"), &["--metrics", &metrics]);

    // The videos, made before anything is measured.
    for (w, h) in [(WINDOW.2, WINDOW.3), (1920, 1080)] {
        prerender(w, h, 2, &dir.join(format!("scene-{w}x{h}.yuv")));
    }
    let mut screen = Repaints {
        watch: DamageWatch::start(&x.display),
        seen: 0,
    };
    println!(
        "| workload | system | screen repaints | pictures at the viewer | on the wire | CPU |"
    );
    println!("|---|---|---|---|---|---|");
    let (agent, mut viewer) = session(&x, &relay, &relay.client_args());
    let pids = [agent.pid(), viewer.pid()];
    let mut psnrs = Vec::new();
    let mut typing = Vec::new();
    for work in [Work::Window, Work::FullScreen, Work::Drag] {
        let mut read = || tessera_reading(&mut viewer, &metrics, &pids, screen.count());
        let (a, b, clients) = run_phase(&x, &dir, work, &driver, drag, secs, &mut read);
        row("Tessera", work, &a, &b, &["agent", "viewer"]);
        if let Work::Window = work {
            psnrs = paused_psnr(&x, &mut viewer, &dir, WINDOW, 5);
            typing = keystrokes(&x, &mut viewer);
        }
        drop(clients);
        driver.move_window(drag, 20, 30);
    }
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    drop(agent);

    let port = free_port();
    let mut server = start_x11vnc(&x.display, port, &[]);
    let probe = rfb::start(&format!("127.0.0.1:{port}")).expect("RFB handshake");
    for work in [Work::Window, Work::FullScreen, Work::Drag] {
        let mut read = || Reading {
            source: screen.count(),
            pictures: 0,
            updates: probe
                .counters
                .updates
                .load(std::sync::atomic::Ordering::Relaxed),
            bytes: probe.counters.total(),
            cpu: vec![cpu_time(server.id())],
            at: Instant::now(),
        };
        let (a, b, clients) = run_phase(&x, &dir, work, &driver, drag, secs, &mut read);
        row("x11vnc", work, &a, &b, &["x11vnc"]);
        drop(clients);
        driver.move_window(drag, 20, 30);
    }
    let _ = server.kill();
    let _ = server.wait();

    // The viewer at home: 10 Mbit/s, 40 ms round trip, 0.5 % loss.
    let home = ImpairedPath::start(
        relay.addr.parse().expect("relay"),
        Link::home(),
        Link::home(),
    );
    let (agent, mut viewer) = session(&x, &relay, &home.client_args(&relay.fingerprint));
    let pids = [agent.pid(), viewer.pid()];
    let mut read = || tessera_reading(&mut viewer, &metrics, &pids, screen.count());
    let (a, b, clients) = run_phase(&x, &dir, Work::Window, &driver, drag, secs, &mut read);
    row(
        "Tessera, home link",
        Work::Window,
        &a,
        &b,
        &["agent", "viewer"],
    );
    let home_typing = keystrokes(&x, &mut viewer);
    drop(clients);
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    drop(agent);

    println!("\nPaused video picture against import, (Y, RGB) dB: {psnrs:.1?}");
    for (name, v) in [("loopback", &typing), ("home link (40 ms)", &home_typing)] {
        println!(
            "Keystroke to the viewer's next picture while the video plays, {name}: p50 {:.1} ms, p90 {:.1} ms ({} keys)",
            ms(quantile(v, 0.5)),
            ms(quantile(v, 0.9)),
            v.len()
        );
    }
    drop(xterm);
}
