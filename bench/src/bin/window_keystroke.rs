//! Keystroke typed into the technician's window → pixels changed in that
//! window: the whole way a technician feels, the window's own drawing
//! included. The person's display (`:1`, 1024x768) has openbox and an
//! xterm running `cat`; the technician's (`:2`, 1600x1000) has the
//! viewer's window showing it at 1:1 with the pointer over the xterm.
//!
//! A key is typed on `:2` through XTest (press and release, no process to
//! start) and the time runs from just before it to the first XDamage
//! report on `:2`, inside the xterm's place in the window, after which
//! the pixels there differ from what they were before the key (reports
//! of a repaint that changed nothing there, such as the window's
//! status figures, do not count). Before each key the xterm's place
//! must have been still for 100 ms. When a repaint that changed nothing
//! there comes just before the one that did, the check of its pixels may
//! already see the change: the sample is then early by at most one check
//! (a GetImage of the xterm's place, whose median is printed).
//!
//! Systems, one after the other, each on fresh displays: Tessera (relay,
//! agent, the technician's window) and x11vnc with TigerVNC's viewer
//! (`xtigervncviewer`), x11vnc with its defaults and tuned (`-defer 0
//! -wait 1`).
//!
//! Run: `bash bench/run.sh`, or after a release build
//! `target/release/window_keystroke [SAMPLES] [tessera]` (default 200;
//! `tessera`: Tessera's window alone, to try a change; needs
//! x11vnc and tigervnc-viewer, which bench/run.sh installs).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tessera_bench::quantile;
use tessera_bench::two_screens::{
    click_at_centre, in_view, technician_display, view_origin, Person, TesseraWindow, VncWindow,
};
use tessera_bench::xwatch::{Area, DamageWatch, XDriver};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, Viewer};

/// The xterm's place must have been still this long before a key.
const QUIET: Duration = Duration::from_millis(100);
/// A key with no change after this long is counted as missed.
const GIVE_UP: Duration = Duration::from_secs(5);
/// Characters on a line before Return.
const LINE: usize = 60;
/// Keys typed first, not counted: the way warms up.
const WARM_UP: usize = 5;
/// X keysym of Return.
const RETURN: u32 = 0xff0d;

/// What one system's run gave.
struct Run {
    name: &'static str,
    times: Vec<Duration>,
    missed: usize,
    /// Damage in the xterm's place that changed none of its pixels.
    unchanged: usize,
    /// How long each check of the pixels took (a sample may be early by
    /// up to one check: see the module's notes).
    image_time: Vec<Duration>,
    /// For each sample, when the key was typed and when it showed (µs
    /// since the Unix epoch, to meet the agent's capture times).
    clock: Vec<(u64, u64)>,
    /// Tessera only: medians of key → the agent's capture and capture →
    /// shown, and how many samples they were taken over.
    split: Option<(Duration, Duration, usize)>,
}

/// Waits until the pixels of `area` have not changed for [`QUIET`] (at
/// most [`GIVE_UP`]: a window that repaints all the time still settles,
/// as only changed pixels count); returns them.
fn settle(watch: &DamageWatch, driver: &XDriver, area: &Area) -> Vec<u8> {
    let give_up = Instant::now() + GIVE_UP;
    let mut last = driver.image(area);
    let mut still_since = Instant::now();
    while watch
        .next_in(area, (still_since + QUIET).min(give_up))
        .is_some()
    {
        let now = driver.image(area);
        if now != last {
            last = now;
            still_since = Instant::now();
        }
    }
    last
}

/// Types `samples` keys into the window (after the warm-up) and times
/// each to its first visible change in `area` of the technician's screen.
fn measure(technician: &Xvfb, area: &Area, samples: usize, name: &'static str) -> Run {
    let watch = DamageWatch::start(&technician.display);
    let driver = XDriver::open(&technician.display);
    let letters: Vec<u8> = (0..26u32).map(|i| driver.keycode(0x61 + i)).collect();
    let enter = driver.keycode(RETURN);
    let mut run = Run {
        name,
        times: Vec::with_capacity(samples),
        missed: 0,
        unchanged: 0,
        image_time: Vec::new(),
        clock: Vec::with_capacity(samples),
        split: None,
    };
    for i in 0..WARM_UP + samples {
        if i > 0 && i % LINE == 0 {
            driver.tap(enter);
        }
        let before = settle(&watch, &driver, area);
        watch.drain();
        let typed_us = unix_micros();
        let start = driver.tap(letters[i % letters.len()]);
        let mut shown = None;
        while let Some(d) = watch.next_in(area, start + GIVE_UP) {
            let asked = Instant::now();
            let changed = driver.image(area) != before;
            run.image_time.push(asked.elapsed());
            if changed {
                shown = Some(d.at.duration_since(start));
                break;
            }
            run.unchanged += 1;
        }
        match (i < WARM_UP, shown) {
            (true, None) => panic!("{name}: a key typed into the window changed nothing"),
            (true, Some(_)) => {}
            (false, Some(t)) => {
                run.times.push(t);
                run.clock.push((typed_us, typed_us + t.as_micros() as u64));
            }
            (false, None) => run.missed += 1,
        }
    }
    run
}

/// The xterm's place in the technician's window, with the pointer on it
/// and the person's keyboard on the xterm.
fn drive_xterm(person: &Person, technician: &Xvfb) -> Area {
    let origin = view_origin(person, technician);
    let area = in_view(&person.xterm, origin);
    click_at_centre(technician, &area);
    area
}

fn tessera(samples: usize) -> Run {
    let person = Person::start();
    let technician = technician_display();
    let dir = scratch("bench-window-keys");
    let mut session = TesseraWindow::start(&person, &technician, &dir);
    let area = drive_xterm(&person, &technician);
    let mut run = measure(&technician, &area, samples, "Tessera window via relay");
    run.split = split(&run.clock, &mut session.viewer);
    run
}

/// Splits each sample at the agent's capture of the update that showed
/// the key (the first `frame` event captured after the key and before it
/// showed): the key's way in (X server, the window's event handling, the
/// relay, the agent's injection, the xterm's drawing) and the update's
/// way out (encoding, the relay, decoding, the window's repaint).
fn split(clock: &[(u64, u64)], viewer: &mut Viewer) -> Option<(Duration, Duration, usize)> {
    while viewer.events.next_line(Instant::now()).is_some() {}
    let mut captured: Vec<u64> = viewer
        .events
        .seen()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "frame")
        .filter_map(|e| e["captured_at_us"].as_u64())
        .collect();
    captured.sort_unstable();
    let (mut way_in, mut way_out): (Vec<Duration>, Vec<Duration>) = clock
        .iter()
        .filter_map(|&(typed, shown)| {
            let c = *captured.iter().find(|&&c| c >= typed)?;
            (c <= shown).then(|| {
                (
                    Duration::from_micros(c - typed),
                    Duration::from_micros(shown - c),
                )
            })
        })
        .unzip();
    way_in.sort();
    way_out.sort();
    let n = way_in.len();
    (n > 0).then(|| (quantile(&way_in, 0.5), quantile(&way_out, 0.5), n))
}

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

fn vnc(samples: usize, flags: &[&str], name: &'static str) -> Run {
    let person = Person::start();
    let technician = technician_display();
    let _vnc = VncWindow::start(&person, &technician, flags);
    let area = drive_xterm(&person, &technician);
    measure(&technician, &area, samples, name)
}

fn row(run: &Run) -> Duration {
    let mut v = run.times.clone();
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {} | {} |",
        run.name,
        v.len(),
        ms(quantile(&v, 0.5)),
        ms(quantile(&v, 0.9)),
        ms(quantile(&v, 0.99)),
        ms(v.last().copied().unwrap_or_default()),
        run.missed,
        run.unchanged,
    );
    let mut checks = run.image_time.clone();
    checks.sort();
    eprintln!(
        "{}: a pixel check took {:.2} ms (median of {})",
        run.name,
        ms(quantile(&checks, 0.5)),
        checks.len()
    );
    quantile(&v, 0.5)
}

fn main() {
    let samples: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    // `window_keystroke N tessera`: Tessera's window alone, to try a change.
    let alone = std::env::args().nth(2).as_deref() == Some("tessera");
    let started = Instant::now();
    let mut runs = vec![tessera(samples)];
    if !alone {
        runs.push(vnc(samples, &[], "x11vnc + xtigervncviewer, defaults"));
        runs.push(vnc(
            samples,
            &["-defer", "0", "-wait", "1"],
            "x11vnc -defer 0 -wait 1 + xtigervncviewer",
        ));
    }
    println!(
        "Keystroke typed into the viewer window on :2 → pixels changed there, {samples} keys \
         (person 1024x768 xterm -e cat, window at 1:1), {:.0} s:\n",
        started.elapsed().as_secs_f64()
    );
    println!("| | samples | p50 | p90 | p99 | max | missed | damage with no change |");
    println!("|---|---|---|---|---|---|---|---|");
    let medians: Vec<Duration> = runs.iter().map(row).collect();
    let ours = medians[0].as_secs_f64();
    if let [_, defaults, tuned] = medians[..] {
        println!(
            "\nVNC p50 / Tessera p50: defaults {:.1}x, tuned {:.1}x (goal: at least 4x)",
            defaults.as_secs_f64() / ours,
            tuned.as_secs_f64() / ours
        );
    }
    if let Some((way_in, way_out, n)) = runs[0].split {
        println!(
            "Tessera's samples split at the agent's capture (medians of {n}): key typed → \
             captured {:.2} ms, captured → shown in the window {:.2} ms",
            way_in.as_secs_f64() * 1000.0,
            way_out.as_secs_f64() * 1000.0
        );
    }
}
