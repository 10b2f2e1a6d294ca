//! Keystroke to viewer pixels ("glass to glass"): an xterm running `cat`
//! on Xvfb; a key is sent and timed until the viewer has the picture that
//! shows the character. Tessera: the headless viewer's `key` command on
//! stdin, until its `frame` event on stdout (after decoding), through the
//! relay on loopback. x11vnc, defaults and tuned (`-defer 0 -wait 1`): a
//! small RFB client sends the key and times the next update that changes
//! pixels, fully received (not decoded: a bound in x11vnc's favour).
//!
//! With `RUST_LOG=tessera_agent=debug,tessera_viewer=debug` (bench/run.sh
//! sets it) the agent and viewer log their timings, and the time is split:
//! to the injection, to the capture, grab, encode, decode, and the rest
//! (the way back: network, relay, framing, the event).
//!
//! Run: `bash bench/run.sh`, or after a release build
//! `target/release/glass_to_glass [SAMPLES]` (default 200).

use std::collections::HashMap;
use std::process::Child;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tessera_bench::{free_port, quantile, rfb, start_x11vnc, strip_ansi};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, x11_session, RelayProcess, Viewer, DEADLINE};

/// Pause between keystrokes: a fast typist's pace, so each key is timed
/// alone (workload pacing, not synchronisation).
const GAP: Duration = Duration::from_millis(60);
/// Characters on a line before Enter (the line then goes on screen twice).
const LINE: usize = 60;
/// Time for `cat`'s echo of a line to be drawn and sent before the next
/// key (workload pacing).
const AFTER_ENTER: Duration = Duration::from_millis(300);
/// Samples whose frame is compared with `import`'s screenshot.
const CHECKED: usize = 10;

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// One keystroke's timing on Tessera.
struct Sample {
    /// Key sent to frame event received.
    total: Duration,
    /// When the key command was written, µs since the epoch.
    sent_us: u64,
    /// The frame that followed.
    seq: u64,
    /// When the agent started grabbing it, µs since the epoch.
    captured_us: u64,
}

fn letter(i: usize) -> char {
    (b'a' + (i % 26) as u8) as char
}

/// Reads what is already there without waiting.
fn drain(viewer: &mut Viewer) {
    while viewer.events.next_line(Instant::now()).is_some() {}
}

fn tessera(x: &Xvfb, samples: usize) -> (Vec<Sample>, usize, String, String) {
    let dir = scratch("bench-glass");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (agent, mut viewer) = x11_session(&relay.client_args(), &x.display, "view,control", "y");
    viewer.events.event("frame");
    // The xterm has the focus while the pointer is over it.
    viewer.command(r#"{"cmd":"mouse_move","x":200,"y":100}"#);
    std::thread::sleep(AFTER_ENTER);
    let mut out = Vec::new();
    let mut complete = 0;
    for i in 0..samples + CHECKED {
        if i > 0 && i % LINE == 0 {
            viewer.command(r#"{"cmd":"key","key":"Enter"}"#);
            std::thread::sleep(AFTER_ENTER);
        }
        drain(&mut viewer);
        let key = format!("Key{}", letter(i).to_ascii_uppercase());
        let command = serde_json::json!({"cmd": "key", "key": key}).to_string();
        let sent_us = unix_micros();
        let start = Instant::now();
        viewer.command(&command);
        let frame = viewer.events.event("frame");
        let total = start.elapsed();
        if i < samples {
            out.push(Sample {
                total,
                sent_us,
                seq: frame["seq"].as_u64().unwrap_or(0),
                captured_us: frame["captured_at_us"].as_u64().unwrap_or(0),
            });
        } else {
            // Does the first frame after the key show all of it? Compare
            // the viewer's picture with the X server's own.
            let png = dir.join("check.png");
            let path = png.display().to_string();
            viewer.command(&serde_json::json!({"cmd": "snapshot", "path": path}).to_string());
            viewer.events.event("snapshot");
            let (_, _, pixels) = tessera_tests::xvfb::read_png_rgb(&png);
            if pixels == x.screenshot_rgb() {
                complete += 1;
            }
        }
        std::thread::sleep(GAP);
    }
    viewer.command(r#"{"cmd":"end"}"#);
    let (_, viewer_log) = viewer.wait();
    let (_, agent_log) = agent.wait();
    (out, complete, agent_log, viewer_log)
}

fn vnc(x: &Xvfb, flags: &[&str], samples: usize) -> Vec<Duration> {
    let port = free_port();
    let mut server: Child = start_x11vnc(&x.display, port, flags);
    let probe = rfb::start(&format!("127.0.0.1:{port}")).expect("RFB handshake");
    probe
        .next_update(Instant::now() + DEADLINE)
        .expect("a first picture from x11vnc");
    std::thread::sleep(AFTER_ENTER);
    let mut out = Vec::new();
    for i in 0..samples {
        if i > 0 && i % LINE == 0 {
            probe.key(0xff0d).expect("Return");
            std::thread::sleep(AFTER_ENTER);
        }
        probe.drain();
        let start = Instant::now();
        probe.key(u32::from(letter(i))).expect("key");
        let arrived = probe
            .next_update(start + DEADLINE)
            .expect("an update after the key");
        out.push(arrived.duration_since(start));
        std::thread::sleep(GAP);
    }
    let _ = server.kill();
    let _ = server.wait();
    out
}

/// `key=value` fields of the log lines with `message`, colours removed.
fn log_fields(log: &str, message: &str) -> Vec<HashMap<String, u64>> {
    log.lines()
        .map(strip_ansi)
        .filter(|l| l.contains(message))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|f| f.split_once('='))
                .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
                .collect()
        })
        .collect()
}

fn row(name: &str, mut v: Vec<Duration>) -> Duration {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {name} | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
        v.len(),
        ms(quantile(&v, 0.5)),
        ms(quantile(&v, 0.9)),
        ms(quantile(&v, 0.99))
    );
    quantile(&v, 0.5)
}

/// Median of the part of each sample `part` can say (µs).
fn median_us(mut v: Vec<u64>) -> String {
    if v.is_empty() {
        return "—".into();
    }
    v.sort_unstable();
    format!("{:.2} ms", v[v.len() / 2] as f64 / 1000.0)
}

fn breakdown(samples: &[Sample], agent_log: &str, viewer_log: &str) {
    let injected: Vec<u64> = log_fields(agent_log, "injected")
        .iter()
        .filter_map(|f| f.get("at_us").copied())
        .collect();
    let updates: HashMap<u64, HashMap<String, u64>> = log_fields(agent_log, "screen update")
        .into_iter()
        .filter_map(|f| Some((*f.get("seq")?, f)))
        .collect();
    let decoded: HashMap<u64, u64> = log_fields(viewer_log, "screen update decoded")
        .into_iter()
        .filter_map(|f| Some((*f.get("seq")?, *f.get("decode_us")?)))
        .collect();
    if updates.is_empty() {
        println!("\n(no timings logged: run with RUST_LOG=tessera_agent=debug,tessera_viewer=debug for where the time goes)");
        return;
    }
    let (mut to_inject, mut to_capture, mut grab, mut encode, mut decode, mut rest) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for s in samples {
        // The key's first injected event after it was sent.
        let Some(&inj) = injected.iter().find(|&&t| t >= s.sent_us) else {
            continue;
        };
        let (Some(u), Some(&d)) = (updates.get(&s.seq), decoded.get(&s.seq)) else {
            continue;
        };
        let (g, e) = (
            u.get("grab_us").copied().unwrap_or(0),
            u.get("encode_us").copied().unwrap_or(0),
        );
        let total = s.total.as_micros() as u64;
        let before_grab = s.captured_us.saturating_sub(s.sent_us);
        to_inject.push(inj.saturating_sub(s.sent_us));
        to_capture.push(s.captured_us.saturating_sub(inj));
        grab.push(g);
        encode.push(e);
        decode.push(d);
        rest.push(total.saturating_sub(before_grab + g + e + d));
    }
    println!(
        "\nWhere Tessera's time goes (medians of {} samples):\n",
        grab.len()
    );
    println!("| part | median |");
    println!("|---|---|");
    println!(
        "| key sent → injected (viewer, relay, agent's gate, XTest) | {} |",
        median_us(to_inject)
    );
    println!(
        "| injected → capture starts (X server draws, XDamage, agent wakes) | {} |",
        median_us(to_capture)
    );
    println!("| grab (XShm) | {} |", median_us(grab));
    println!("| encode | {} |", median_us(encode));
    println!("| decode | {} |", median_us(decode));
    println!(
        "| the rest (QUIC, relay, viewer's event) | {} |",
        median_us(rest)
    );
}

fn main() {
    let samples: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let x = Xvfb::start("1920x1080x24");
    let _xterm = x.xterm_running(&["cat"]);

    let (tessera_samples, complete, agent_log, viewer_log) = tessera(&x, samples);
    let defaults = vnc(&x, &[], samples);
    let tuned = vnc(&x, &["-defer", "0", "-wait", "1"], samples);

    println!("Keystroke → picture, {samples} keystrokes, 1920x1080 Xvfb, xterm -e cat:\n");
    println!("| | samples | p50 | p90 | p99 |");
    println!("|---|---|---|---|---|");
    let ours = row(
        "Tessera via relay (loopback)",
        tessera_samples.iter().map(|s| s.total).collect(),
    );
    let vnc_defaults = row("x11vnc, defaults", defaults);
    let vnc_tuned = row("x11vnc -defer 0 -wait 1", tuned);
    println!(
        "\nx11vnc p50 / Tessera p50: defaults {:.1}x, tuned {:.1}x",
        vnc_defaults.as_secs_f64() / ours.as_secs_f64(),
        vnc_tuned.as_secs_f64() / ours.as_secs_f64()
    );
    println!("First frame after the key equal to `import`'s screenshot: {complete} of {CHECKED}");
    breakdown(&tessera_samples, &agent_log, &viewer_log);
}
