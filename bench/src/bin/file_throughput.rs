//! File throughput, three ways in one run, a file of MIB MiB each time:
//! Tessera's file machinery (read, hashed, sent, written, synced,
//! checked) on a direct inner connection and through an in-process relay
//! on lanes, the ratio being what the relay costs a file; then through the
//! real relay process, release binaries on loopback, from the headless
//! viewer's `send_file` to the agent's `file_complete`, with the CPU each
//! end spends per GiB; and the bare inner connection direct (no disk).
//! Usage: file_throughput [MIB] (default 1024).

use std::process::Command;
use std::time::{Duration, Instant};
use tessera_bench::cpu_time;
use tessera_bench::file_pair::FilePair;
use tessera_bench::quic_pair::{direct, relayed, transfer, RelayPath};
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
    let dir = scratch("bench-files");
    let file = dir.join("payload.bin");
    let made = Command::new("head")
        .args(["-c", &bytes.to_string(), "/dev/urandom"])
        .stdout(std::fs::File::create(&file).expect("create"))
        .status()
        .expect("head");
    assert!(made.success());
    let rate = |took: Duration| bytes as f64 / took.as_secs_f64() / 1e6;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (direct_rate, files_direct, files_relayed) = runtime.block_on(async {
        let agent = SelfSigned::generate(&["tessera-agent"]).expect("cert");
        let viewer = SelfSigned::generate(&["tessera-viewer"]).expect("cert");
        let (_e1, _e2, a, v) = direct(&agent, &viewer).await;
        let (_e3, _e4, ra, rv) =
            relayed(&agent, &viewer, &dir.join("inproc-relay"), RelayPath::Lanes).await;
        let inbox = dir.join("inproc-receive");
        let mut on_direct = FilePair::new(&v, &a, &inbox.join("direct"));
        let mut on_relay = FilePair::new(&rv, &ra, &inbox.join("relayed"));
        let (mut bare, mut direct_files, mut relayed_files) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            bare.push(rate(transfer(&v, &a, bytes).await));
            direct_files.push(rate(on_direct.send(&file).await));
            relayed_files.push(rate(on_relay.send(&file).await));
        }
        (median(bare), median(direct_files), median(relayed_files))
    });
    println!(
        "files, Tessera's machinery in one process, {mib} MiB, median of {RUNS}: \
         direct {files_direct:.0} MB/s, through the relay on lanes {files_relayed:.0} MB/s, \
         ratio {:.2}",
        files_relayed / files_direct
    );

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
        "file viewer -> agent, real binaries through the relay process, {mib} MiB, median of {RUNS}: {files:.0} MB/s; \
         bare inner connection direct {direct_rate:.0} MB/s; ratio {:.2}; \
         CPU per GiB: agent (receiver) {:.2} s, viewer (sender) {:.2} s",
        files / direct_rate,
        median(agent_cpu),
        median(viewer_cpu),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
