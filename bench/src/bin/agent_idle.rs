//! The person's machine while a session idles with the agent's window
//! showing: the agent captures its own display (`--screen x11` on Xvfb),
//! so whatever its window redraws is captured, encoded and sent like any
//! other change on the screen. The session is allowed in the window with
//! the keyboard, left to settle, then nothing happens for the measured
//! time: the figure is the agent's CPU (user + system time from
//! `/proc/PID/stat`) over that time, as a share of one core, and the
//! screen updates the viewer received meanwhile.
//!
//! Goal: at most 1 % of a core. Run: `bash bench/run.sh`, or after a
//! release build `target/release/agent_idle [SECONDS]` (default 30).

use std::time::{Duration, Instant};
use tessera_bench::cpu_time;
use tessera_tests::window::allowed;
use tessera_tests::xvfb::Xvfb;
use tessera_tests::{scratch, RelayProcess};

/// After the session starts: the keyframe, the started notice and the
/// window's change of layout come and go before the clock starts
/// (workload pacing).
const SETTLE: Duration = Duration::from_secs(5);

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let x = Xvfb::start("1920x1080x24");
    let dir = scratch("bench-agent-idle");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let (agent, mut viewer, _) = allowed(
        &x,
        &relay,
        "en",
        "view,control,chat",
        &["--screen", "x11", "--display", &x.display],
    );
    viewer.events.event("frame");
    std::thread::sleep(SETTLE);
    while viewer.events.next_line(Instant::now()).is_some() {}
    let idle = Duration::from_secs(seconds);
    let cpu_before = cpu_time(agent.pid());
    let start = Instant::now();
    let mut frames = 0u32;
    while let Some(line) = viewer.events.next_line(start + idle) {
        if line.contains(r#""event":"frame""#) {
            frames += 1;
        }
    }
    let wall = start.elapsed();
    let cpu = cpu_time(agent.pid()) - cpu_before;
    println!(
        "agent idle {:.0} s, window showing: CPU {:.2} % of a core ({} ms), {frames} screen updates sent (goal ≤ 1 %)",
        wall.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
        cpu.as_millis(),
    );
    viewer.command(r#"{"cmd":"end"}"#);
    let _ = viewer.wait();
}
