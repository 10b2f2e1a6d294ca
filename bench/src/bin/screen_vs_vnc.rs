//! The screen issue's whole-system comparison: one Xvfb at 1920x1080, one
//! scripted workload, watched at the same time by Tessera (relay, agent,
//! headless viewer) and by x11vnc (with a minimal RFB client asking for
//! ZRLE and CopyRect). For each phase: bytes on the wire and the CPU the
//! capturing process used.
//!
//! Phases: typing 200 characters into an xterm at 10 a second; `less` on
//! a long file paging 5 times a second for 30 s, then scrolling a line 5
//! times a second for 30 s; 60 s idle. Tessera's bytes are what the relay
//! forwards between agent and viewer (the end-to-end QUIC packets, both
//! ways); x11vnc's are the RFB bytes both ways. Neither counts IP, UDP or
//! TCP headers, nor Tessera's keep-alives between each client and the
//! relay.
//! Run: `cargo run --release -p tessera-bench --bin screen_vs_vnc`
//! (needs x11vnc: `apt-get install x11vnc`; bench/run.sh installs it).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tessera_bench::{cpu_time, free_port, rfb, start_x11vnc};
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, RelayProcess, Viewer};

/// Time for the screen to settle between phases (workload pacing).
const SETTLE: Duration = Duration::from_secs(3);

struct Reading {
    frames: u64,
    frame_bytes: u64,
    tessera_bytes: u64,
    vnc_bytes: u64,
    agent_cpu: Duration,
    vnc_cpu: Duration,
    at: Instant,
}

struct Watchers<'a> {
    metrics: &'a str,
    vnc: &'a rfb::Counters,
    agent_pid: u32,
    vnc_pid: u32,
}

impl Watchers<'_> {
    fn read(&self, viewer: &mut Viewer) -> Reading {
        while viewer.events.next_line(Instant::now()).is_some() {}
        let frames: Vec<u64> = viewer
            .events
            .seen()
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["event"] == "frame")
            .map(|e| e["bytes"].as_u64().unwrap_or(0))
            .collect();
        Reading {
            frames: frames.len() as u64,
            frame_bytes: frames.iter().sum(),
            tessera_bytes: RelayProcess::metric(
                self.metrics,
                "tessera_relay_bytes_forwarded_total",
            ),
            vnc_bytes: self.vnc.total(),
            agent_cpu: cpu_time(self.agent_pid),
            vnc_cpu: cpu_time(self.vnc_pid),
            at: Instant::now(),
        }
    }
}

fn report(phase: &str, units: Option<(u64, &str)>, a: &Reading, b: &Reading) {
    eprintln!(
        "{phase}: {} screen updates, {} B of them",
        b.frames - a.frames,
        b.frame_bytes - a.frame_bytes
    );
    let secs = b.at.duration_since(a.at).as_secs_f64();
    let tessera = b.tessera_bytes - a.tessera_bytes;
    let vnc = b.vnc_bytes - a.vnc_bytes;
    let cpu = |x: Duration, y: Duration| 100.0 * (y - x).as_secs_f64() / secs;
    let per = units.map_or(String::new(), |(n, unit)| {
        format!(
            " | {:.0} B/{unit} | {:.0} B/{unit}",
            tessera as f64 / n as f64,
            vnc as f64 / n as f64
        )
    });
    println!(
        "| {phase} ({secs:.0} s) | {tessera} B ({:.2} kbit/s) | {vnc} B ({:.2} kbit/s) | {:.1}x | {:.2} % | {:.2} %{per} |",
        tessera as f64 * 8.0 / secs / 1000.0,
        vnc as f64 * 8.0 / secs / 1000.0,
        vnc as f64 / tessera.max(1) as f64,
        cpu(a.agent_cpu, b.agent_cpu),
        cpu(a.vnc_cpu, b.vnc_cpu),
    );
}

fn main() {
    let x = Xvfb::start("1920x1080x24");
    let dir = scratch("bench-screen");
    let text = dir.join("long.txt");
    tessera_tests::write_random_text(&text, 20_000, 10);
    // An xterm echoing what is typed until Ctrl-D, then paging the file.
    let script = format!("cat; exec less '{}'", text.display());
    let mut xterm = x.client(
        "xterm",
        &["-geometry", "160x60+0+0", "-e", "sh", "-c", &script],
    );
    x.wait_for_window("xterm");
    x.xdotool(&["mousemove", "400", "300"]);

    let metrics = format!("127.0.0.1:{}", free_port());
    let relay = RelayProcess::start(&dir.join("relay"), &["--metrics", &metrics]);
    let (agent, mut viewer) =
        tessera_tests::x11_session(&relay.client_args(), &x.display, "view", "y");
    viewer.events.event("frame");

    let vnc_port = free_port();
    let mut vnc = start_x11vnc(&x.display, vnc_port, &[]);
    let counters = rfb::start(&format!("127.0.0.1:{vnc_port}"))
        .expect("RFB handshake")
        .counters;
    let watch = Watchers {
        metrics: &metrics,
        vnc: &counters,
        agent_pid: agent.pid(),
        vnc_pid: vnc.id(),
    };
    std::thread::sleep(SETTLE);

    println!("| phase | Tessera | x11vnc | x11vnc / Tessera | agent CPU | x11vnc CPU | Tessera per unit | x11vnc per unit |");
    println!("|---|---|---|---|---|---|---|---|");
    let typed: String = "the quick brown fox jumps over the lazy dog 0123456789 "
        .chars()
        .cycle()
        .take(200)
        .collect();
    let start = watch.read(&mut viewer);
    // xdotool waits `--delay` between key down and up and again after:
    // 200 ms gives 10 characters a second (measured: the phase lasts 20 s).
    x.xdotool(&["type", "--delay", "200", &typed]);
    std::thread::sleep(SETTLE);
    let end = watch.read(&mut viewer);
    report("typing 200 chars at 10/s", Some((200, "key")), &start, &end);

    x.xdotool(&["key", "Return", "ctrl+d"]); // cat ends, less starts
    std::thread::sleep(SETTLE);
    for (phase, key, unit) in [
        ("less, 5 pages/s for 30 s", "space", "page"),
        ("less, 5 lines/s for 30 s", "j", "line"),
    ] {
        let start = watch.read(&mut viewer);
        let steps = 150;
        for _ in 0..steps {
            x.xdotool(&["key", key]);
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(SETTLE);
        let end = watch.read(&mut viewer);
        report(phase, Some((steps, unit)), &start, &end);
    }

    let start = watch.read(&mut viewer);
    std::thread::sleep(Duration::from_secs(60));
    let end = watch.read(&mut viewer);
    report("idle 60 s", None, &start, &end);
    println!(
        "\nx11vnc updates received: {}",
        counters.updates.load(Ordering::Relaxed)
    );

    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
    let _ = vnc.kill();
    let _ = vnc.wait();
    let _ = xterm.kill();
    let _ = xterm.wait();
}
