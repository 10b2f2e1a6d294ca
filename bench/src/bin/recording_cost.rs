//! What the session record costs the person's machine: a scripted session
//! on Xvfb (the technician types a line into an xterm twice a second, and
//! chats every 10 s) for the measured time; the agent's CPU over that time
//! (user + system, `/proc/PID/stat`), the part of it spent keeping the
//! record (the agent's `recorded` timings, in the same run), and the bytes
//! its record grew by a minute (log and screen recording).
//!
//! Goal: the record under 10 % of the agent's CPU. Run: `bash bench/run.sh`
//! (sets `RUST_LOG`), or after a release build
//! `RUST_LOG=tessera_agent=debug target/release/recording_cost [SECONDS]`
//! (default 120; the issue's figure is for 600).

use std::time::{Duration, Instant};
use tessera_bench::{cpu_time, strip_ansi};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, x11_session, RelayProcess};

/// Between two typed lines (workload pacing).
const TYPING_EVERY: Duration = Duration::from_millis(500);

/// The bytes under `dir`, recursively.
fn bytes_under(dir: &std::path::Path) -> (u64, u64) {
    let mut log = 0;
    let mut screen = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (l, s) = bytes_under(&path);
            log += l;
            screen += s;
        } else if let Ok(meta) = entry.metadata() {
            match path.extension().and_then(|e| e.to_str()) {
                Some("jsonl") => log += meta.len(),
                Some("tsr") => screen += meta.len(),
                _ => {}
            }
        }
    }
    (log, screen)
}

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let x = Xvfb::start("1280x720x24");
    let mut xterm = x.xterm_showing("recording cost");
    // No window manager: the keyboard goes where the pointer is.
    x.xdotool(&["mousemove", "--sync", "40", "40"]);
    let dir = scratch("bench-recording-cost");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let records = dir.join("records");
    let mut args = relay.client_args();
    args.extend(["--record-dir".into(), records.display().to_string()]);
    let (agent, mut viewer) = x11_session(&args, &x.display, "view,control,chat", "y");
    viewer.events.event("frame");
    let agent_records = records.clone();
    let (log_before, screen_before) = bytes_under(&agent_records);
    let cpu_before = cpu_time(agent.pid());
    let start = Instant::now();
    let mut lines = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        viewer.command(r#"{"cmd":"text","text":"the quick brown fox jumps over the lazy dog\n"}"#);
        lines += 1;
        if lines.is_multiple_of(20) {
            viewer.command(r#"{"cmd":"chat","text":"Je regarde, un instant"}"#);
        }
        // Workload pacing, while the events flow.
        let until = Instant::now() + TYPING_EVERY;
        while viewer.events.next_line(until).is_some() {}
    }
    let wall = start.elapsed();
    let cpu = cpu_time(agent.pid()) - cpu_before;
    let (log_after, screen_after) = bytes_under(&agent_records);
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    let (_, agent_log) = agent.wait();
    let recorded_us: u64 = agent_log
        .lines()
        .map(strip_ansi)
        .filter(|l| l.contains("recorded"))
        .filter_map(|l| {
            let value = l.split("record_us=").nth(1)?;
            value.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum();
    let minutes = wall.as_secs_f64() / 60.0;
    let share = 100.0 * recorded_us as f64 / 1e6 / cpu.as_secs_f64().max(1e-9);
    println!(
        "{:.0} s scripted session, {lines} lines typed: agent CPU {:.2} % of a core ({} ms); \
         keeping the record {} ms = {share:.1} % of the agent's CPU (goal < 10 %); \
         records (both ends) grew {:.0} KB/min of log and {:.0} KB/min of screen",
        wall.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
        cpu.as_millis(),
        recorded_us / 1000,
        (log_after - log_before) as f64 / 1000.0 / minutes,
        (screen_after - screen_before) as f64 / 1000.0 / minutes,
    );
    if recorded_us == 0 {
        println!("(no timings: run with RUST_LOG=tessera_agent=debug)");
    }
    let _ = xterm.kill();
    let _ = xterm.wait();
}
