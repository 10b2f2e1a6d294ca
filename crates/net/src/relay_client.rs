//! A client's connection to the relay: QUIC with the chosen trust policy,
//! one control stream for rendezvous messages, and afterwards a lane or
//! datagrams for the end-to-end connection.

use crate::lane::{self, InnerPath};
use crate::trust::{RelayTrust, TrustCheck};
use crate::{framed, transport, NetError};
use quinn::{Connection, Endpoint, SendStream};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tessera_proto::relay::{ClientMsg, CloseReason, RelayMsg, MAX_CONTROL_FRAME, RELAY_ALPN};
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinHandle;

/// How long a QUIC handshake with the relay may take before we call it
/// unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long leaving waits for the relay to take what was sent.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// Idle time after which the relay connection counts as lost.
pub const RELAY_IDLE: Duration = Duration::from_secs(20);

/// An open relay connection.
pub struct RelayLink {
    /// The local endpoint (kept alive for the connection's lifetime).
    pub endpoint: Endpoint,
    /// The QUIC connection to the relay; its datagrams carry the inner
    /// connection after pairing.
    pub connection: Connection,
    /// Rendezvous messages from the relay, in order (lane answers go to
    /// the lane being opened instead).
    pub messages: mpsc::Receiver<Result<RelayMsg, NetError>>,
    send: Arc<Mutex<SendStream>>,
    lane_replies: Arc<Mutex<LaneReplies>>,
    /// How many `Paired` the relay has sent so far: lane messages are
    /// tagged with it, so a pairing never takes an earlier one's.
    pairings: Arc<AtomicU64>,
    lane: Option<JoinHandle<Option<UdpSocket>>>,
}

impl RelayLink {
    /// Sends one rendezvous message.
    pub async fn send(&mut self, msg: &ClientMsg) -> Result<(), NetError> {
        framed::write(&mut *self.send.lock().await, msg, MAX_CONTROL_FRAME).await
    }

    /// Once paired: starts opening a lane in the background (see
    /// [`lane`]), while the PAKE runs. A lane from an earlier pairing of
    /// this link is dropped.
    pub fn start_lane(&mut self) {
        if let Some(old) = self.lane.take() {
            old.abort();
        }
        let relay = self.connection.remote_address();
        let (send, replies) = (self.send.clone(), self.lane_replies.clone());
        let pairing = self.pairings.load(Ordering::SeqCst);
        self.lane = Some(tokio::spawn(lane::open(relay, send, replies, pairing)));
    }

    /// Where the end-to-end connection is to run: the lane started by
    /// [`start_lane`](Self::start_lane) once it is open, or this
    /// connection's datagrams if the relay offered none.
    pub fn inner_path(&mut self) -> impl std::future::Future<Output = InnerPath> + Send + 'static {
        let lane = self.lane.take();
        let outer = self.connection.clone();
        let relay = outer.remote_address();
        async move {
            let socket = match lane {
                Some(task) => task.await.ok().flatten(),
                None => None,
            };
            match socket {
                Some(socket) => {
                    tracing::info!("end-to-end connection on a lane through the relay");
                    InnerPath::Lane { socket, relay }
                }
                None => {
                    tracing::info!("end-to-end connection in the relay connection's datagrams");
                    InnerPath::Datagrams(outer)
                }
            }
        }
    }

    /// Why the relay connection closed: for a deliberate close, the fixed
    /// sentence of its [`CloseReason`] code, never the reason bytes the
    /// relay sent (a hostile relay could fill them with terminal escapes).
    pub fn closed_because(&self) -> Option<String> {
        self.connection.close_reason().map(|e| relay_close_text(&e))
    }

    /// Leaves politely: tells the relay, then closes the connection.
    ///
    /// Closing a QUIC connection discards stream data not yet sent, so this
    /// first lets the relay read everything (it closes the connection
    /// itself on `Close`), or gives up after [`CLOSE_GRACE`].
    pub async fn close(mut self) {
        let _ = self.send(&ClientMsg::Close).await;
        let _ = self.send.lock().await.finish();
        let _ = tokio::time::timeout(CLOSE_GRACE, self.connection.closed()).await;
        self.connection.close(0u32.into(), b"bye");
        self.endpoint.wait_idle().await;
    }
}

/// Why the relay connection ended, in fixed words (see
/// [`RelayLink::closed_because`]).
fn relay_close_text(e: &quinn::ConnectionError) -> String {
    match e {
        quinn::ConnectionError::ApplicationClosed(close) => {
            CloseReason::describe_code(close.error_code.into_inner())
        }
        other => crate::error::connection_error_text(other),
    }
}

/// Resolves `HOST:PORT` to its first address.
pub async fn resolve(relay: &str) -> Result<SocketAddr, NetError> {
    let err = |reason: String| NetError::Resolve {
        addr: relay.to_string(),
        reason,
    };
    tokio::net::lookup_host(relay)
        .await
        .map_err(|e| err(e.to_string()))?
        .next()
        .ok_or_else(|| err("no address found".into()))
}

/// Connects to the relay at `relay` (`HOST:PORT`) under `trust`, from a
/// new local endpoint.
pub async fn connect(relay: &str, trust: &RelayTrust) -> Result<RelayLink, NetError> {
    let addr = resolve(relay).await?;
    let bind: SocketAddr = if addr.is_ipv6() {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    };
    let endpoint = Endpoint::client(bind)?;
    connect_on(&endpoint, relay, trust).await
}

/// Connects from an existing endpoint (many connections can share one,
/// as load tests do).
pub async fn connect_on(
    endpoint: &Endpoint,
    relay: &str,
    trust: &RelayTrust,
) -> Result<RelayLink, NetError> {
    let endpoint = endpoint.clone();
    let addr = resolve(relay).await?;
    let host = relay.rsplit_once(':').map_or(relay, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let check = TrustCheck::new(trust, relay)?;
    let mut tls = rustls::ClientConfig::builder_with_provider(crate::crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| NetError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(check.verifier.clone())
        .with_no_client_auth();
    tls.alpn_protocols = vec![RELAY_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| NetError::Tls(e.to_string()))?;
    let mut config = quinn::ClientConfig::new(Arc::new(quic));
    config.transport_config(transport::relay_client(RELAY_IDLE));

    let unreachable = |reason: String| NetError::Unreachable { addr, reason };
    let connecting = endpoint
        .connect_with(config, addr, host)
        .map_err(|e| unreachable(e.to_string()))?;
    let connection = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(c)) => c,
        // The relay answered but the handshake failed: a certificate the
        // policy refuses (or a pin mismatch, named precisely if so).
        Ok(Err(e @ quinn::ConnectionError::TransportError(_))) => {
            return Err(check.mismatch().unwrap_or_else(|| NetError::RelayRejected {
                addr,
                reason: relay_close_text(&e),
            }))
        }
        Ok(Err(e)) => {
            return Err(check
                .mismatch()
                .unwrap_or_else(|| unreachable(relay_close_text(&e))))
        }
        Err(_) => {
            return Err(check
                .mismatch()
                .unwrap_or_else(|| unreachable(format!("no answer within {CONNECT_TIMEOUT:?}"))))
        }
    };
    check.connected()?;
    let (send, recv) = connection.open_bi().await?;
    let pairings = Arc::new(AtomicU64::new(0));
    let (messages, lane_replies) = sort_replies(
        framed::spawn_reader(recv, MAX_CONTROL_FRAME),
        pairings.clone(),
    );
    Ok(RelayLink {
        endpoint,
        connection,
        messages,
        send: Arc::new(Mutex::new(send)),
        lane_replies: Arc::new(Mutex::new(lane_replies)),
        pairings,
        lane: None,
    })
}

/// Lane messages from the relay, each with the pairing it came after.
pub type LaneReplies = mpsc::Receiver<(u64, RelayMsg)>;

/// Splits the relay's messages: lane messages to the lane being opened,
/// tagged with the pairing they belong to (dropped if too many wait),
/// everything else to the rendezvous, in order. `pairings` counts the
/// `Paired` messages, updated before each is handed on.
fn sort_replies(
    mut all: mpsc::Receiver<Result<RelayMsg, NetError>>,
    pairings: Arc<AtomicU64>,
) -> (mpsc::Receiver<Result<RelayMsg, NetError>>, LaneReplies) {
    let (messages, messages_rx) = mpsc::channel(16);
    let (lanes, lanes_rx) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Some(msg) = all.recv().await {
            match msg {
                Ok(
                    reply @ (RelayMsg::LaneOpen { .. }
                    | RelayMsg::NoLane
                    | RelayMsg::LaneTicket { .. }
                    | RelayMsg::LaneRefused { .. }),
                ) => {
                    let _ = lanes.try_send((pairings.load(Ordering::SeqCst), reply));
                }
                other => {
                    if let Ok(RelayMsg::Paired { .. }) = other {
                        pairings.fetch_add(1, Ordering::SeqCst);
                    }
                    if messages.send(other).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    (messages_rx, lanes_rx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::SelfSigned;
    use tessera_proto::relay::CloseReason;

    /// An OSC 52 sequence (set the clipboard) and a screen clear: what a
    /// hostile relay would put in its close reason.
    const EVIL: &[u8] = b"\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\x1b[Hrelay says hi";

    /// A relay that waits for the client's first control message, then
    /// closes with `code` and [`EVIL`] as the reason.
    async fn hostile_relay(code: u32) -> (String, RelayTrust) {
        let cert = SelfSigned::generate(&["localhost"]).unwrap();
        let mut tls = rustls::ServerConfig::builder_with_provider(crate::crypto_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.clone()], cert.key_der())
            .unwrap();
        tls.alpn_protocols = vec![RELAY_ALPN.to_vec()];
        let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls).unwrap();
        let mut server = quinn::ServerConfig::with_crypto(Arc::new(quic));
        server.transport_config(transport::relay_server(Duration::from_secs(30)));
        let endpoint = Endpoint::server(server, "127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = endpoint.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let conn = endpoint.accept().await.unwrap().await.unwrap();
            let (_send, mut recv) = conn.accept_bi().await.unwrap();
            let mut first = [0u8; 1];
            recv.read_exact(&mut first).await.unwrap();
            conn.close(code.into(), EVIL);
            endpoint.wait_idle().await;
        });
        (addr, RelayTrust::Fingerprint(cert.fingerprint))
    }

    /// What the client reports, from the message channel and from
    /// `closed_because`, once the hostile relay closed.
    async fn reported(code: u32) -> (String, String) {
        let (addr, trust) = hostile_relay(code).await;
        let mut link = connect(&addr, &trust).await.unwrap();
        link.send(&ClientMsg::Register).await.unwrap();
        let error = match link.messages.recv().await {
            Some(Err(e)) => e.to_string(),
            other => panic!("expected the close as an error, got {other:?}"),
        };
        (error, link.closed_because().unwrap())
    }

    fn assert_clean(text: &str) {
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(!text.contains("52;c"), "{text:?}");
        assert!(!text.contains("relay says hi"), "{text:?}");
    }

    #[tokio::test]
    async fn a_known_close_code_is_told_in_fixed_words_never_the_relays_bytes() {
        let (error, because) = reported(CloseReason::BadRequest.code()).await;
        assert_clean(&error);
        assert_clean(&because);
        assert_eq!(because, CloseReason::BadRequest.describe());
    }

    #[tokio::test]
    async fn an_unknown_close_code_is_told_by_number_only() {
        let (error, because) = reported(77).await;
        assert_clean(&error);
        assert_eq!(because, "the relay closed the connection (code 77)");
    }
}
