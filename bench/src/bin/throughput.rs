//! Bulk throughput agent → viewer: the end-to-end inner QUIC connection
//! through an in-process relay, on lanes and in datagrams, against the
//! same connection direct over loopback UDP, in the same run.
//! Usage: throughput [MIB] (default 200).

use tessera_bench::quic_pair::{direct, relayed, transfer, RelayPath};
use tessera_net::cert::SelfSigned;

#[tokio::main]
async fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let bytes = mib * 1024 * 1024;
    let agent = SelfSigned::generate(&["tessera-agent"]).expect("cert");
    let viewer = SelfSigned::generate(&["tessera-viewer"]).expect("cert");
    let dir = std::env::temp_dir().join(format!("tessera-bench-{}", std::process::id()));
    let (_e1, _e2, da, dv) = direct(&agent, &viewer).await;
    let (_e3, _e4, la, lv) = relayed(&agent, &viewer, &dir.join("lanes"), RelayPath::Lanes).await;
    let (_e5, _e6, ga, gv) = relayed(
        &agent,
        &viewer,
        &dir.join("datagrams"),
        RelayPath::Datagrams,
    )
    .await;
    let mut rates = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..3 {
        for (i, (from, to)) in [(&da, &dv), (&la, &lv), (&ga, &gv)].into_iter().enumerate() {
            let took = transfer(from, to, bytes).await;
            rates[i].push(bytes as f64 / took.as_secs_f64() / 1e6);
        }
    }
    let [d, l, g] = rates.map(|mut v| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    });
    println!(
        "agent -> viewer, {mib} MiB, median of 3: direct {d:.0} MB/s; via relay on lanes {l:.0} MB/s, ratio {:.2}; in datagrams {g:.0} MB/s, ratio {:.2}",
        l / d,
        g / d
    );
    let _ = std::fs::remove_dir_all(dir);
}
