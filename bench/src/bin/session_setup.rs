//! Code typed → session established: the viewer starts with the code,
//! the harness answers the consent prompt as soon as it shows, and the
//! clock stops when the viewer reports `session_started`. Real binaries,
//! real relay, loopback. Usage: session_setup [RUNS] (default 50).

use std::time::Instant;
use tessera_bench::quantile;
use tessera_tests::{scratch, Agent, RelayProcess, Viewer};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let relay = RelayProcess::start(
        &scratch("bench-setup"),
        &[
            "--register-rate",
            "100000000",
            "--join-rate",
            "1000000",
            "--max-registrations-per-ip",
            "100000",
        ],
    );
    let args = relay.client_args();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut agent = Agent::start(&args);
        let code = agent.code();
        let started = Instant::now();
        let mut viewer = Viewer::connect(&code, &args, "chat");
        agent.answer("y");
        viewer.events.event("session_started");
        times.push(started.elapsed());
        viewer.command(r#"{"cmd":"end"}"#);
        let _ = viewer.wait();
        let _ = agent.wait();
    }
    times.sort();
    println!(
        "code typed -> session established, {runs} runs: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        quantile(&times, 0.5).as_secs_f64() * 1e3,
        quantile(&times, 0.9).as_secs_f64() * 1e3,
        quantile(&times, 0.0).as_secs_f64() * 1e3,
        quantile(&times, 1.0).as_secs_f64() * 1e3,
    );
}
