//! File throughput through the real relay, release binaries on loopback:
//! a file of MIB MiB sent by the headless viewer into the agent's receive
//! folder (read, hashed, sent, written, synced, checked), from
//! `send_file` to the agent's `file_complete`; against the same bytes on
//! the bare inner QUIC connection direct over loopback (no disk, no
//! relay), in the same run; and the CPU each end spends per GiB.
//! Usage: file_throughput [MIB] (default 1024).

use std::process::Command;
use std::time::{Duration, Instant};
use tessera_bench::cpu_time;
use tessera_bench::quic_pair::{direct, transfer};
use tessera_net::cert::SelfSigned;
use tessera_tests::{scratch, Agent, RelayProcess, Viewer};

const RUNS: usize = 3;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let bytes = mib * 1024 * 1024;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let direct_rate = runtime.block_on(async {
        let agent = SelfSigned::generate(&["tessera-agent"]).expect("cert");
        let viewer = SelfSigned::generate(&["tessera-viewer"]).expect("cert");
        let (_e1, _e2, a, v) = direct(&agent, &viewer).await;
        let mut rates = Vec::new();
        for _ in 0..RUNS {
            let took = transfer(&v, &a, bytes).await;
            rates.push(bytes as f64 / took.as_secs_f64() / 1e6);
        }
        median(rates)
    });

    let dir = scratch("bench-files");
    let relay = RelayProcess::start(&dir.join("relay"), &[]);
    let receive = dir.join("receive");
    let mut args = relay.client_args();
    args.extend(["--receive-dir".into(), receive.display().to_string()]);
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &relay.client_args(), "files");
    agent.answer("y");
    agent.events.event("session_started");
    viewer.events.event("session_started");
    let file = dir.join("payload.bin");
    let made = Command::new("head")
        .args(["-c", &bytes.to_string(), "/dev/urandom"])
        .stdout(std::fs::File::create(&file).expect("create"))
        .status()
        .expect("head");
    assert!(made.success());
    let (mut rates, mut agent_cpu, mut viewer_cpu) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (a0, v0) = (cpu_time(agent.pid()), cpu_time(viewer.pid()));
        let started = Instant::now();
        viewer.command(&format!(
            r#"{{"cmd":"send_file","path":"{}"}}"#,
            file.display()
        ));
        agent
            .events
            .event_within("file_complete", Duration::from_secs(900));
        let took = started.elapsed();
        viewer.events.event("file_complete");
        let gib = bytes as f64 / (1u64 << 30) as f64;
        rates.push(bytes as f64 / took.as_secs_f64() / 1e6);
        agent_cpu.push((cpu_time(agent.pid()) - a0).as_secs_f64() / gib);
        viewer_cpu.push((cpu_time(viewer.pid()) - v0).as_secs_f64() / gib);
        std::fs::remove_file(receive.join("payload.bin")).expect("received");
    }
    let files = median(rates);
    println!(
        "file viewer -> agent through the relay, {mib} MiB, median of {RUNS}: {files:.0} MB/s; \
         bare inner connection direct {direct_rate:.0} MB/s; ratio {:.2}; \
         CPU per GiB: agent (receiver) {:.2} s, viewer (sender) {:.2} s",
        files / direct_rate,
        median(agent_cpu),
        median(viewer_cpu),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
