//! What the technician's window costs its machine: CPU of the viewer
//! process (user + system, from `/proc`) while the remote screen does not
//! change, and while a 960x540 video plays on it; with the video, the
//! pictures received (the viewer's `frame` events) against the pictures
//! shown. A picture is shown when the window repaints the video's place
//! (XDamage on the technician's display) and a 32x32 square in its middle
//! changed: a repaint that changes nothing there is counted as a repaint,
//! not as a picture. TigerVNC's viewer with x11vnc is measured the same
//! way beside it, on fresh displays, for scale.
//!
//! The person's display (`:1`, 1024x768) has openbox and an idle xterm;
//! the technician's (`:2`, 1600x1000) the viewer's window, with the
//! pointer outside it. The "video" is [`tessera_bench::animation`]: no
//! player is installed on the reference machine.
//!
//! Run: `bash bench/run.sh`, or after a release build
//! `target/release/window_cpu [SECONDS]` (default 30 a phase).

use std::time::{Duration, Instant};
use tessera_bench::animation::Animation;
use tessera_bench::cpu_time;
use tessera_bench::two_screens::{
    in_view, technician_display, view_origin, window_area, Person, TesseraWindow, VncWindow,
};
use tessera_bench::xwatch::{repaints, Area, DamageWatch, XDriver};
use tessera_tests::scratch;
use tessera_tests::Viewer;

/// Where the video plays on the person's screen, and its size.
const VIDEO: Area = Area {
    x: 32,
    y: 160,
    w: 960,
    h: 540,
};
/// Pictures a second the video draws.
const VIDEO_FPS: u32 = 30;
/// Time for the screen to settle, or the video to get going, before a
/// phase is measured (workload pacing).
const SETTLE: Duration = Duration::from_secs(3);
/// Damage rectangles closer in time than this are one repaint.
const ONE_REPAINT: Duration = Duration::from_millis(5);

/// One phase's figures.
struct Phase {
    secs: f64,
    viewer_cpu: Duration,
    /// The agent's or x11vnc's CPU.
    server_cpu: Duration,
    /// Repaints of the watched place.
    repaints: usize,
    /// Repaints that showed a new picture.
    pictures: usize,
    /// The viewer's `frame` events and their bytes (Tessera only).
    frames: Option<(u64, u64)>,
}

/// The viewer's `frame` events so far: how many, and their bytes.
fn frames_so_far(viewer: &mut Viewer) -> (u64, u64) {
    while viewer.events.next_line(Instant::now()).is_some() {}
    viewer
        .events
        .seen()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "frame")
        .fold((0, 0), |(n, b), e| {
            (n + 1, b + e["bytes"].as_u64().unwrap_or(0))
        })
}

/// Measures `secs` of whatever the screens are doing: repaints of
/// `place`, and how many of them showed a new picture (the pixels of
/// `patch`, a small square inside it, changed).
fn phase(
    technician: &XDriver,
    watch: &DamageWatch,
    (place, patch): (&Area, &Area),
    pids: (u32, u32),
    secs: u64,
    mut viewer: Option<&mut Viewer>,
) -> Phase {
    let frames_before = viewer.as_deref_mut().map(frames_so_far);
    let (viewer_before, server_before) = (cpu_time(pids.0), cpu_time(pids.1));
    watch.drain();
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut damage = Vec::new();
    let mut shown = technician.image(patch);
    let mut pictures = 0;
    while let Some(d) = watch.next_in(place, end) {
        damage.push(d);
        if d.area.intersects(patch) {
            let now = technician.image(patch);
            if now != shown {
                pictures += 1;
                shown = now;
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (viewer_after, server_after) = (cpu_time(pids.0), cpu_time(pids.1));
    let frames = viewer.map(frames_so_far).zip(frames_before);
    Phase {
        secs: elapsed,
        viewer_cpu: viewer_after.saturating_sub(viewer_before),
        server_cpu: server_after.saturating_sub(server_before),
        repaints: repaints(&damage, ONE_REPAINT),
        pictures,
        frames: frames.map(|((n1, b1), (n0, b0))| (n1 - n0, b1 - b0)),
    }
}

/// A 32x32 square at the middle of `area`.
fn middle(area: &Area) -> Area {
    Area {
        x: area.x + area.w as i32 / 2 - 16,
        y: area.y + area.h as i32 / 2 - 16,
        w: 32,
        h: 32,
    }
}

fn print(system: &str, what: &str, p: &Phase) {
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / p.secs;
    let per_s = |n: u64| n as f64 / p.secs;
    let received = p.frames.map_or("—".to_string(), |(n, bytes)| {
        format!("{:.1} /s ({:.0} kB/s)", per_s(n), per_s(bytes) / 1000.0)
    });
    println!(
        "| {system} | {what} ({:.0} s) | **{:.2} %** | {:.2} % | {received} | {:.1} /s | {:.1} /s |",
        p.secs,
        pct(p.viewer_cpu),
        pct(p.server_cpu),
        per_s(p.pictures as u64),
        per_s(p.repaints as u64),
    );
}

fn tessera(secs: u64) -> (Phase, Phase, u64) {
    let person = Person::start();
    let technician = technician_display();
    let dir = scratch("bench-window-cpu");
    let mut session = TesseraWindow::start(&person, &technician, &dir);
    let origin = view_origin(&person, &technician);
    let window = window_area(&technician, &session.window);
    let watch = DamageWatch::start(&technician.display);
    let driver = XDriver::open(&technician.display);
    let pids = (session.viewer.pid(), session.agent.pid());
    std::thread::sleep(SETTLE);
    let idle = phase(
        &driver,
        &watch,
        (&window, &middle(&window)),
        pids,
        secs,
        Some(&mut session.viewer),
    );
    let (video, drawn) = with_video(&person, |place| {
        let place = in_view(place, origin);
        let watched = (&place, &middle(&place));
        phase(
            &driver,
            &watch,
            watched,
            pids,
            secs,
            Some(&mut session.viewer),
        )
    });
    (idle, video, drawn)
}

fn vnc(secs: u64) -> (Phase, Phase, u64) {
    let person = Person::start();
    let technician = technician_display();
    let vnc = VncWindow::start(&person, &technician, &[]);
    let origin = view_origin(&person, &technician);
    let window = window_area(&technician, &vnc.window);
    let watch = DamageWatch::start(&technician.display);
    let driver = XDriver::open(&technician.display);
    let pids = (vnc.viewer_pid(), vnc.server_pid());
    std::thread::sleep(SETTLE);
    let idle = phase(
        &driver,
        &watch,
        (&window, &middle(&window)),
        pids,
        secs,
        None,
    );
    let (video, drawn) = with_video(&person, |place| {
        let place = in_view(place, origin);
        phase(&driver, &watch, (&place, &middle(&place)), pids, secs, None)
    });
    (idle, video, drawn)
}

/// Plays the video on the person's screen while `measure` runs (after
/// it got going); returns what `measure` found and the video's pictures
/// drawn a second.
fn with_video(person: &Person, measure: impl FnOnce(&Area) -> Phase) -> (Phase, u64) {
    let to = |v: i32| i16::try_from(v).expect("position");
    let size = |v: u32| u16::try_from(v).expect("size");
    let video = Animation::start(
        &person.x.display,
        (to(VIDEO.x), to(VIDEO.y)),
        (size(VIDEO.w), size(VIDEO.h)),
        VIDEO_FPS,
    );
    let started = Instant::now();
    std::thread::sleep(SETTLE);
    let phase = measure(&VIDEO);
    let drawn = video.stop();
    let rate = drawn as f64 / started.elapsed().as_secs_f64();
    (phase, rate.round() as u64)
}

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let (ours_idle, ours_video, ours_drawn) = tessera(secs);
    let (vnc_idle, vnc_video, vnc_drawn) = vnc(secs);
    println!(
        "Viewer window on :2 showing a 1024x768 screen at 1:1; video {}x{} at {VIDEO_FPS}/s \
         (drawn: {ours_drawn}/s during Tessera's run, {vnc_drawn}/s during VNC's):\n",
        VIDEO.w, VIDEO.h
    );
    println!(
        "| viewer | phase | viewer CPU | agent / x11vnc CPU | pictures received | pictures shown | window repaints |"
    );
    println!("|---|---|---|---|---|---|---|");
    print("Tessera window", "idle", &ours_idle);
    print("Tessera window", "video", &ours_video);
    print("xtigervncviewer + x11vnc", "idle", &vnc_idle);
    print("xtigervncviewer + x11vnc", "video", &vnc_video);
}
