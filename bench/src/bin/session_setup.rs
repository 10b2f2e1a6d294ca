//! Session setup, in the two parts a person and a technician wait for:
//! code typed → the prompt shown to the person (the viewer starts with
//! the code; the clock stops when the agent's terminal shows who asks for
//! what), and prompt answered → session running (the clock starts when
//! the harness types `y` at the answer line, which shows 1 s after the
//! question on purpose, and stops when the viewer reports
//! `session_started`). Real binaries, real relay, loopback.
//! Usage: session_setup [RUNS] (default 50).

use std::time::{Duration, Instant};
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
    let mut to_prompt = Vec::with_capacity(runs);
    let mut to_running = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut agent = Agent::start(&args);
        let code = agent.code();
        let typed = Instant::now();
        let mut viewer = Viewer::connect(&code, &args, "chat");
        agent.terminal.wait_for(" asks to: ");
        to_prompt.push(typed.elapsed());
        agent.terminal.wait_for("Allow? [y/N]");
        let answered = Instant::now();
        agent.terminal.type_line("y");
        viewer.events.event("session_started");
        to_running.push(answered.elapsed());
        viewer.command(r#"{"cmd":"end"}"#);
        let _ = viewer.wait();
        let _ = agent.wait();
    }
    report("code typed -> prompt shown", runs, &mut to_prompt);
    report("prompt answered -> session running", runs, &mut to_running);
}

fn report(what: &str, runs: usize, times: &mut [Duration]) {
    times.sort();
    let ms = |q| quantile(times, q).as_secs_f64() * 1e3;
    println!(
        "{what}, {runs} runs: median {:.1} ms, p90 {:.1} ms, min {:.1} ms, max {:.1} ms",
        ms(0.5),
        ms(0.9),
        ms(0.0),
        ms(1.0),
    );
}
