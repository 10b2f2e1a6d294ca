//! Health and load counters, served in the Prometheus text format on
//! `--metrics ADDR:PORT`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters and gauges of one relay.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Connections accepted since start.
    pub connections_total: AtomicU64,
    /// Connections open now.
    pub connections_open: AtomicU64,
    /// Agents waiting for a viewer now.
    pub waiting: AtomicU64,
    /// Pairs forwarding now.
    pub pairs_active: AtomicU64,
    /// Pairs made since start.
    pub pairs_total: AtomicU64,
    /// Datagram bytes forwarded since start.
    pub bytes_forwarded_total: AtomicU64,
    /// Requests refused since start (rate limits, unknown or used codes,
    /// capacity), not counting bad requests.
    pub refusals_total: AtomicU64,
    /// Malformed or out-of-place messages since start.
    pub bad_requests_total: AtomicU64,
}

impl Metrics {
    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &AtomicU64); 8] = [
            (
                "tessera_relay_connections_total",
                "counter",
                &self.connections_total,
            ),
            (
                "tessera_relay_connections_open",
                "gauge",
                &self.connections_open,
            ),
            ("tessera_relay_waiting", "gauge", &self.waiting),
            ("tessera_relay_pairs_active", "gauge", &self.pairs_active),
            ("tessera_relay_pairs_total", "counter", &self.pairs_total),
            (
                "tessera_relay_bytes_forwarded_total",
                "counter",
                &self.bytes_forwarded_total,
            ),
            (
                "tessera_relay_refusals_total",
                "counter",
                &self.refusals_total,
            ),
            (
                "tessera_relay_bad_requests_total",
                "counter",
                &self.bad_requests_total,
            ),
        ];
        let mut out = String::new();
        for (name, kind, value) in rows {
            out.push_str(&format!(
                "# TYPE {name} {kind}\n{name} {}\n",
                value.load(Ordering::Relaxed)
            ));
        }
        out
    }
}

/// Serves `metrics` over plain HTTP on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, metrics: std::sync::Arc<Metrics>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).await;
            let body = metrics.render();
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        });
    }
}
