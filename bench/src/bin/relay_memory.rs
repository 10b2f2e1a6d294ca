//! Relay memory with many idle clients: N registered agents waiting, then
//! M paired idle sessions, on a real relay process (release build).
//! Usage: relay_memory [AGENTS] [PAIRS] (defaults 10000 and 1000).
//! With `TESSERA_RELAY=ADDR` and `TESSERA_RELAY_FINGERPRINT=HEX` it only
//! opens PAIRS paired sessions on that running relay and holds them until
//! interrupted (for profiling a relay under a heap profiler).

use quinn::Endpoint;
use std::sync::Arc;
use std::time::Instant;
use tessera_bench::rss_kib;
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::trust::RelayTrust;
use tessera_proto::relay::{ClientMsg, RelayMsg};
use tessera_tests::{scratch, RelayProcess};
use tokio::sync::Semaphore;

async fn open(endpoint: &Endpoint, addr: &str, trust: &RelayTrust, count: usize) -> Vec<RelayLink> {
    // Handshakes at once: both ends share two cores here.
    let gate = Arc::new(Semaphore::new(32));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (endpoint, addr, trust, gate) = (
            endpoint.clone(),
            addr.to_string(),
            trust.clone(),
            gate.clone(),
        );
        tasks.spawn(async move {
            let _permit = gate.acquire().await.expect("gate");
            relay_client::connect_on(&endpoint, &addr, &trust)
                .await
                .expect("connect")
        });
    }
    let mut links = Vec::with_capacity(count);
    while let Some(link) = tasks.join_next().await {
        links.push(link.expect("task"));
    }
    links
}

async fn register(links: &mut [RelayLink]) -> Vec<tessera_proto::Nameplate> {
    let mut plates = Vec::with_capacity(links.len());
    for link in links.iter_mut() {
        link.send(&ClientMsg::Register).await.expect("register");
    }
    for link in links.iter_mut() {
        match link.messages.recv().await {
            Some(Ok(RelayMsg::Registered { nameplate, .. })) => plates.push(nameplate),
            other => panic!("registration failed: {other:?}"),
        }
    }
    plates
}

/// Opens `pairs` agent/viewer pairs and pairs them; returns every link.
async fn pair_up(
    endpoint: &Endpoint,
    addr: &str,
    trust: &RelayTrust,
    pairs: usize,
) -> Vec<RelayLink> {
    let mut agent_links = open(endpoint, addr, trust, pairs).await;
    let plates = register(&mut agent_links).await;
    let mut viewer_links = open(endpoint, addr, trust, pairs).await;
    for (link, plate) in viewer_links.iter_mut().zip(&plates) {
        link.send(&ClientMsg::Join { nameplate: *plate })
            .await
            .expect("join");
    }
    for link in viewer_links.iter_mut().chain(agent_links.iter_mut()) {
        match link.messages.recv().await {
            Some(Ok(RelayMsg::Paired { .. })) => {}
            other => panic!("pairing failed: {other:?}"),
        }
    }
    agent_links.extend(viewer_links);
    agent_links
}

fn relay(name: &str) -> RelayProcess {
    RelayProcess::start(
        &scratch(name),
        &[
            "--register-rate",
            "100000000",
            "--join-rate",
            "100000000",
            "--max-registrations-per-ip",
            "1000000",
        ],
    )
}

#[tokio::main]
async fn main() {
    let agents: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let pairs: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000);
    let endpoint = Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("endpoint");
    if let (Ok(addr), Ok(fp)) = (
        std::env::var("TESSERA_RELAY"),
        std::env::var("TESSERA_RELAY_FINGERPRINT"),
    ) {
        let trust = RelayTrust::Fingerprint(fp.parse().expect("fingerprint"));
        let _held = pair_up(&endpoint, &addr, &trust, pairs).await;
        println!("{pairs} sessions paired on {addr}; holding them until interrupted");
        let _ = tokio::signal::ctrl_c().await;
        return;
    }

    let waiting = relay("bench-mem-agents");
    let trust = RelayTrust::Fingerprint(waiting.fingerprint.parse().expect("fp"));
    let before = rss_kib(waiting.pid());
    let started = Instant::now();
    let mut links = open(&endpoint, &waiting.addr, &trust, agents).await;
    let plates = register(&mut links).await;
    let after = rss_kib(waiting.pid());
    let per = (after.saturating_sub(before)) as f64 / agents as f64;
    println!(
        "{agents} registered idle agents: relay RSS {before} KiB -> {after} KiB, {per:.1} KiB each ({:.1} s to set up); nameplates {}..{}",
        started.elapsed().as_secs_f64(),
        plates.iter().min().map_or(0, |n| n.get()),
        plates.iter().max().map_or(0, |n| n.get()),
    );
    drop(links);
    drop(waiting);

    let paired = relay("bench-mem-pairs");
    let trust = RelayTrust::Fingerprint(paired.fingerprint.parse().expect("fp"));
    let before = rss_kib(paired.pid());
    let _held = pair_up(&endpoint, &paired.addr, &trust, pairs).await;
    let after = rss_kib(paired.pid());
    let per = (after.saturating_sub(before)) as f64 / pairs as f64;
    println!(
        "{pairs} paired idle sessions: relay RSS {before} KiB -> {after} KiB, {per:.1} KiB each, {:.0} sessions per GiB",
        1024.0 * 1024.0 / per.max(0.001)
    );
}
