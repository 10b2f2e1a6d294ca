//! Health and load counters, served in the Prometheus text format on
//! `--metrics ADDR:PORT`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

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
    /// Lanes bound now (two per pair whose clients both took one).
    pub lanes_open: AtomicU64,
    /// Of the bytes forwarded, those delivered on lanes.
    pub lane_bytes_total: AtomicU64,
    /// Requests refused since start (rate limits, unknown or used codes,
    /// capacity), not counting bad requests.
    pub refusals_total: AtomicU64,
    /// Malformed or out-of-place messages since start.
    pub bad_requests_total: AtomicU64,
    /// Session-log records dropped because the writer fell behind.
    pub session_log_dropped_total: AtomicU64,
}

impl Metrics {
    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &AtomicU64); 11] = [
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
            ("tessera_relay_lanes_open", "gauge", &self.lanes_open),
            (
                "tessera_relay_lane_bytes_total",
                "counter",
                &self.lane_bytes_total,
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
            (
                "tessera_relay_session_log_dropped_total",
                "counter",
                &self.session_log_dropped_total,
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

/// Bounds on the metrics endpoint, so that clients that connect and say
/// nothing cannot hold it (or the relay's file descriptors).
#[derive(Clone, Copy, Debug)]
pub struct EndpointLimits {
    /// How long a connection has to send its request and take the answer.
    pub timeout: Duration,
    /// Connections served at once; more are closed as soon as accepted.
    pub max_connections: usize,
}

impl Default for EndpointLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            max_connections: 16,
        }
    }
}

/// Serves `metrics` over plain HTTP on `listener` with the default
/// [`EndpointLimits`], until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    serve_with(listener, metrics, EndpointLimits::default()).await;
}

/// Serves `metrics` over plain HTTP on `listener` within `limits`: every
/// request gets the whole exposition, whatever it asked.
pub async fn serve_with(listener: TcpListener, metrics: Arc<Metrics>, limits: EndpointLimits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream); // every slot taken: closed at once
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut stream = stream;
            let _ = tokio::time::timeout(limits.timeout, answer(&mut stream, &metrics)).await;
            // The slot is free before the client sees the close.
            drop(slot);
            drop(stream);
        });
    }
}

/// Reads the request head (what one read brings, at most 1 KiB) and writes
/// the exposition.
async fn answer(stream: &mut TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    let mut request = [0u8; 1024];
    if stream.read(&mut request).await? == 0 {
        return Ok(()); // closed without asking
    }
    let body = metrics.render();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generous: only reached when the endpoint fails to act.
    const BOUND: Duration = Duration::from_secs(20);

    async fn endpoint(limits: EndpointLimits) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve_with(listener, Arc::new(Metrics::default()), limits));
        addr
    }

    /// Waits for the endpoint to close `stream`; returns what it sent first.
    async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
        let mut got = Vec::new();
        tokio::time::timeout(BOUND, stream.read_to_end(&mut got))
            .await
            .expect("the endpoint closes the connection")
            .unwrap_or_default();
        got
    }

    #[tokio::test]
    async fn a_client_that_says_nothing_is_closed_after_the_timeout() {
        let addr = endpoint(EndpointLimits {
            timeout: Duration::from_millis(200),
            max_connections: 16,
        })
        .await;
        let mut silent = TcpStream::connect(addr).await.unwrap();
        assert!(until_closed(&mut silent).await.is_empty());
    }

    #[tokio::test]
    async fn connections_over_the_cap_are_closed_at_once_and_the_others_served() {
        let addr = endpoint(EndpointLimits {
            timeout: Duration::from_secs(3600),
            max_connections: 16,
        })
        .await;
        let mut held = Vec::new();
        for _ in 0..16 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
        // Accepted in order, after the 16 that hold every slot.
        let mut excess = TcpStream::connect(addr).await.unwrap();
        assert!(until_closed(&mut excess).await.is_empty());

        let mut first = held.remove(0);
        first
            .write_all(b"GET /metrics HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let answer = String::from_utf8(until_closed(&mut first).await).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert!(answer.contains("tessera_relay_connections_open 0"));

        // Its slot is free again: the next client is served.
        let mut next = TcpStream::connect(addr).await.unwrap();
        next.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert!(until_closed(&mut next)
            .await
            .starts_with(b"HTTP/1.1 200 OK"));
    }
}
