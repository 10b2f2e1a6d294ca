//! The relay's public face: configuration, binding, running and closing.
//! The work itself is done by the [engine](crate::engine) on one task.

use crate::engine::{Engine, Settings};
use crate::intercept::{Interceptor, Passthrough};
use crate::log::SessionLog;
use crate::metrics::Metrics;
use crate::registry::{Limits, Registry};
use crate::rules::Rules;
use crate::socket::RelaySocket;
use crate::tls::RelayIdentity;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tessera_net::transport;
use tessera_proto::relay::RELAY_ALPN;
use tessera_proto::Fingerprint;
use tokio::sync::watch;

/// Everything a relay needs to start.
pub struct RelayConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Certificate and key.
    pub identity: RelayIdentity,
    /// Rendezvous limits.
    pub limits: Limits,
    /// A client that says nothing for this long is dropped.
    pub idle_timeout: Duration,
    /// A client must open its control stream within this time.
    pub handshake_timeout: Duration,
    /// Open connections at most; more are refused at the handshake.
    pub max_connections: u32,
    /// Where to append the session log (JSON lines), if anywhere.
    pub session_log: Option<PathBuf>,
    /// The forwarding seam; [`Passthrough`] for a real relay.
    pub interceptor: Arc<dyn Interceptor>,
    /// Offer lanes (see [`tessera_proto::lane`]); on by default.
    pub lanes: bool,
}

impl RelayConfig {
    /// Defaults for everything but address and identity.
    pub fn new(listen: SocketAddr, identity: RelayIdentity) -> Self {
        Self {
            listen,
            identity,
            limits: Limits::default(),
            idle_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(10),
            max_connections: 100_000,
            session_log: None,
            interceptor: Arc::new(Passthrough),
            lanes: true,
        }
    }
}

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Bad certificate or key.
    #[error("TLS: {0}")]
    Tls(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source} (is another relay running? try --listen)")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The session log could not be opened.
    #[error("cannot open the session log: {0}")]
    Log(std::io::Error),
}

/// A bound relay, ready to [`run`](Self::run).
pub struct Relay {
    engine: Engine,
    local_addr: SocketAddr,
    fingerprint: Fingerprint,
    metrics: Arc<Metrics>,
    stop: watch::Sender<bool>,
    stop_rx: watch::Receiver<bool>,
    closed: watch::Sender<bool>,
}

impl Relay {
    /// Binds the UDP socket and prepares the QUIC endpoint. Must be called
    /// inside a tokio runtime.
    pub fn bind(config: RelayConfig) -> Result<Self, RelayError> {
        let fingerprint = config.identity.fingerprint();
        let mut tls = rustls::ServerConfig::builder_with_provider(tessera_net::crypto_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .map_err(|e| RelayError::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(config.identity.chain, config.identity.key)
            .map_err(|e| RelayError::Tls(e.to_string()))?;
        tls.alpn_protocols = vec![RELAY_ALPN.to_vec()];
        let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls)
            .map_err(|e| RelayError::Tls(e.to_string()))?;
        let mut server = quinn::ServerConfig::with_crypto(Arc::new(quic));
        server.transport_config(transport::relay_server(config.idle_timeout));
        let server = Arc::new(server);

        let bind_error = |source| RelayError::Bind {
            addr: config.listen,
            source,
        };
        let socket = std::net::UdpSocket::bind(config.listen).map_err(bind_error)?;
        socket.set_nonblocking(true).map_err(bind_error)?;
        let socket = tokio::net::UdpSocket::from_std(socket).map_err(bind_error)?;
        let local_addr = socket.local_addr().map_err(bind_error)?;
        let socket = RelaySocket::new(socket).map_err(bind_error)?;
        // The relay's connections keep to the 1280-byte floor (no MTU
        // discovery of their own); lanes carry larger packets as they come.
        // Clients are not invited to grease the QUIC fixed bit, so their
        // QUIC packets never start with the zero byte of a lane packet.
        let mut endpoint_config = quinn::EndpointConfig::default();
        endpoint_config.grease_quic_bit(false);
        let endpoint =
            quinn_proto::Endpoint::new(Arc::new(endpoint_config), Some(server), false, None);
        let metrics = Arc::new(Metrics::default());
        let settings = Settings {
            rules: {
                let rules = Rules::new(Registry::new(config.limits), config.interceptor.clone());
                if config.lanes {
                    rules
                } else {
                    rules.without_lanes()
                }
            },
            metrics: metrics.clone(),
            log: SessionLog::open(config.session_log, metrics.clone()).map_err(RelayError::Log)?,
            interceptor: config.interceptor,
            handshake_timeout: config.handshake_timeout,
            max_connections: config.max_connections as usize,
        };
        let (stop, stop_rx) = watch::channel(false);
        let (closed, _) = watch::channel(false);
        Ok(Self {
            engine: Engine::new(socket, endpoint, settings),
            local_addr,
            fingerprint,
            metrics,
            stop,
            stop_rx,
            closed,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    /// The certificate fingerprint clients pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The relay's counters.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Serves until closed (see [`closer`](Self::closer)).
    pub async fn run(self) {
        // Keep our own handles alive so the engine's channels stay open.
        let (_stop, _closed) = (self.stop, self.closed.clone());
        self.engine.run(self.stop_rx, self.closed).await;
    }

    /// Stops serving and closes every connection.
    pub fn close(&self) {
        self.closer().close();
    }

    /// A handle that can close the relay while [`run`](Self::run) owns it.
    pub fn closer(&self) -> Closer {
        Closer {
            stop: self.stop.clone(),
            closed: self.closed.subscribe(),
        }
    }
}

/// Closes a running relay (on SIGTERM, Ctrl-C, or from a test).
#[derive(Clone, Debug)]
pub struct Closer {
    stop: watch::Sender<bool>,
    closed: watch::Receiver<bool>,
}

impl Closer {
    /// Clients are told the relay is shutting down.
    pub fn close(&self) {
        let _ = self.stop.send(true);
    }

    /// Waits (at most `limit`) until the close has reached the clients
    /// (or two seconds passed) and every session-log record is written.
    pub async fn wait_closed(&self, limit: Duration) {
        let mut closed = self.closed.clone();
        let _ = tokio::time::timeout(limit, closed.wait_for(|c| *c)).await;
    }
}
