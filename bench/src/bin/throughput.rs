//! Bulk throughput agent → viewer: the end-to-end inner QUIC connection
//! through an in-process relay, against the same connection direct over
//! loopback UDP, in the same run. Usage: throughput [MIB] (default 200).

use tessera_bench::quic_pair::{direct, relayed, transfer};
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
    let (_e3, _e4, ra, rv) = relayed(&agent, &viewer, &dir).await;
    let mut rates = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let d = transfer(&da, &dv, bytes).await;
        let r = transfer(&ra, &rv, bytes).await;
        rates.0.push(bytes as f64 / d.as_secs_f64() / 1e6);
        rates.1.push(bytes as f64 / r.as_secs_f64() / 1e6);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (d, r) = (median(&mut rates.0), median(&mut rates.1));
    println!("agent -> viewer, {mib} MiB, median of 3: direct {d:.0} MB/s, via relay {r:.0} MB/s, ratio {:.2}", r / d);
    let _ = std::fs::remove_dir_all(dir);
}
