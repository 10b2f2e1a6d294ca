//! The end-to-end channel: an inner QUIC connection between agent (server)
//! and viewer (client) through the relay (on lanes, or inside the relay
//! connection's datagrams: [`InnerPath`]), each side presenting a
//! fresh self-signed certificate and pinning the other's fingerprint, which
//! the PAKE authenticated. There is no unencrypted mode and no fallback.

use crate::cert::SelfSigned;
use crate::lane::InnerPath;
use crate::pinned::{Pin, PinnedClient, PinnedServer};
use crate::{transport, NetError};
use quinn::{Connection, Endpoint, EndpointConfig, TokioRuntime};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tessera_proto::peer::PEER_ALPN;
use tessera_proto::Fingerprint;

/// Placeholder address of the agent inside the tunnel (TEST-NET-1).
pub const AGENT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 1);
/// Placeholder address of the viewer inside the tunnel (TEST-NET-1).
pub const VIEWER_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)), 1);
/// Idle time after which the peer counts as lost.
pub const PEER_IDLE: Duration = Duration::from_secs(15);
/// How often the agent proves it is alive when nothing else is sent. Only
/// the agent pings (the viewer's acknowledgement proves the viewer alive
/// in turn), so an idle session costs one small packet each way per
/// interval.
pub const PEER_KEEP_ALIVE: Duration = Duration::from_secs(5);

/// The inner endpoint carries one connection in a tunnel: no connection
/// ids are needed to tell connections apart, so none are sent (8 bytes
/// saved on every packet).
fn inner_endpoint_config() -> EndpointConfig {
    let mut config = EndpointConfig::default();
    config.cid_generator(|| Box::new(quinn_proto::RandomConnectionIdGenerator::new(0)));
    config
}

fn tls_err(e: impl std::fmt::Display) -> NetError {
    NetError::Tls(e.to_string())
}

/// The agent's side of the inner connection: TLS 1.3 only, our session
/// certificate, and only the client certificate `peer` accepted.
pub fn server_config(own: &SelfSigned, peer: Fingerprint) -> Result<quinn::ServerConfig, NetError> {
    let mut tls = rustls::ServerConfig::builder_with_provider(crate::crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_err)?
        .with_client_cert_verifier(Arc::new(PinnedClient(Pin::new(Some(peer)))))
        .with_single_cert(vec![own.cert.clone()], own.key_der())
        .map_err(tls_err)?;
    tls.alpn_protocols = vec![PEER_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicServerConfig::try_from(tls).map_err(tls_err)?;
    let mut server = quinn::ServerConfig::with_crypto(Arc::new(quic));
    server.transport_config(transport::inner(PEER_IDLE, Some(PEER_KEEP_ALIVE)));
    Ok(server)
}

/// The viewer's side: TLS 1.3 only, only the server certificate `peer`
/// accepted, our session certificate presented.
pub fn client_config(own: &SelfSigned, peer: Fingerprint) -> Result<quinn::ClientConfig, NetError> {
    let mut tls = rustls::ClientConfig::builder_with_provider(crate::crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_err)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(Pin::new(Some(peer)))))
        .with_client_auth_cert(vec![own.cert.clone()], own.key_der())
        .map_err(tls_err)?;
    tls.alpn_protocols = vec![PEER_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls).map_err(tls_err)?;
    let mut client = quinn::ClientConfig::new(Arc::new(quic));
    client.transport_config(transport::inner(PEER_IDLE, None));
    Ok(client)
}

/// Agent: waits for the viewer's inner connection; only the certificate
/// `peer` is accepted. Failed attempts (forged or injected by a hostile
/// relay) are dropped and the wait goes on; the caller bounds it.
pub async fn accept(
    path: InnerPath,
    own: &SelfSigned,
    peer: Fingerprint,
) -> Result<(Endpoint, Connection), NetError> {
    let server = server_config(own, peer)?;
    let (socket, _) = path.into_socket(AGENT_ADDR, VIEWER_ADDR)?;
    let endpoint = Endpoint::new_with_abstract_socket(
        inner_endpoint_config(),
        Some(server),
        socket,
        Arc::new(TokioRuntime),
    )?;
    loop {
        let incoming = endpoint
            .accept()
            .await
            .ok_or_else(|| NetError::Closed("the relay connection closed".into()))?;
        match incoming.await {
            Ok(conn) => {
                // One viewer per session: refuse any further handshake.
                endpoint.set_server_config(None);
                return Ok((endpoint, conn));
            }
            Err(e) => tracing::warn!("refused an inner connection attempt: {e}"),
        }
    }
}

/// Viewer: connects to the agent inside the tunnel, pinning `peer`.
pub async fn connect(
    path: InnerPath,
    own: &SelfSigned,
    peer: Fingerprint,
) -> Result<(Endpoint, Connection), NetError> {
    let client = client_config(own, peer)?;
    let (socket, agent) = path.into_socket(VIEWER_ADDR, AGENT_ADDR)?;
    let endpoint = Endpoint::new_with_abstract_socket(
        inner_endpoint_config(),
        None,
        socket,
        Arc::new(TokioRuntime),
    )?;
    let conn = endpoint
        .connect_with(client, agent, "tessera-agent")
        .map_err(tls_err)?
        .await?;
    Ok((endpoint, conn))
}

/// The end-to-end channel once up: the inner connection and its one
/// control stream, read by a task into `messages`.
pub struct Peer<In> {
    endpoint: Endpoint,
    conn: Connection,
    send: quinn::SendStream,
    /// Messages from the peer, in order; an error or the end means the
    /// channel is gone.
    pub messages: tokio::sync::mpsc::Receiver<Result<In, NetError>>,
}

impl<In: serde::de::DeserializeOwned + Send + 'static> Peer<In> {
    /// Agent: accept the pinned viewer, then its control stream.
    pub async fn accept(
        path: InnerPath,
        own: &SelfSigned,
        peer: Fingerprint,
    ) -> Result<Self, NetError> {
        let (endpoint, conn) = accept(path, own, peer).await?;
        let (send, recv) = conn.accept_bi().await?;
        Ok(Self::new(endpoint, conn, send, recv))
    }

    /// Viewer: connect to the pinned agent and open the control stream.
    pub async fn connect(
        path: InnerPath,
        own: &SelfSigned,
        peer: Fingerprint,
    ) -> Result<Self, NetError> {
        let (endpoint, conn) = connect(path, own, peer).await?;
        let (send, recv) = conn.open_bi().await?;
        Ok(Self::new(endpoint, conn, send, recv))
    }

    fn new(
        endpoint: Endpoint,
        conn: Connection,
        send: quinn::SendStream,
        recv: quinn::RecvStream,
    ) -> Self {
        let messages = crate::framed::spawn_reader(recv, tessera_proto::peer::MAX_PEER_FRAME);
        Self {
            endpoint,
            conn,
            send,
            messages,
        }
    }

    /// Sends one message on the control stream.
    pub async fn send<Out: serde::Serialize>(&mut self, msg: &Out) -> Result<(), NetError> {
        crate::framed::write(&mut self.send, msg, tessera_proto::peer::MAX_PEER_FRAME).await
    }

    /// Closes gracefully: what was sent (such as an end notice) is given a
    /// moment to be received before the connection closes.
    pub async fn close(mut self) {
        let _ = self.send.finish();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.send.stopped()).await;
        self.conn.close(0u32.into(), b"session ended");
        let _ = tokio::time::timeout(Duration::from_secs(1), self.endpoint.wait_idle()).await;
    }
}

/// The end-to-end channel of one session through its life: not started,
/// being established (on its own task), up, gone. Both binaries wait on it
/// in their `select!` with [`next`](Self::next), which pends while there is
/// nothing to wait for.
pub struct ChannelSlot<In> {
    starting: Option<tokio::task::JoinHandle<Result<Peer<In>, NetError>>>,
    up: Option<Peer<In>>,
}

/// What happened on the channel.
#[derive(Debug)]
pub enum ChannelEvent<In> {
    /// The channel is established with the pinned peer.
    Up,
    /// It could not be established.
    Failed(NetError),
    /// A message from the peer.
    Message(In),
    /// The peer sent bytes that are not a valid message.
    Malformed(tessera_proto::FrameError),
    /// The channel closed or was lost.
    Lost,
}

impl<In> Default for ChannelSlot<In> {
    fn default() -> Self {
        Self {
            starting: None,
            up: None,
        }
    }
}

impl<In: serde::de::DeserializeOwned + Send + 'static> ChannelSlot<In> {
    /// Starts establishing the channel (accept or connect) on its own task.
    pub fn start(
        &mut self,
        establish: impl std::future::Future<Output = Result<Peer<In>, NetError>> + Send + 'static,
    ) {
        self.starting = Some(tokio::spawn(establish));
    }

    /// The next thing that happens; pends forever while idle.
    pub async fn next(&mut self) -> ChannelEvent<In> {
        if let Some(handle) = self.starting.as_mut() {
            let result = handle.await;
            self.starting = None;
            return match result {
                Ok(Ok(peer)) => {
                    self.up = Some(peer);
                    ChannelEvent::Up
                }
                Ok(Err(e)) => ChannelEvent::Failed(e),
                Err(e) => ChannelEvent::Failed(NetError::Closed(e.to_string())),
            };
        }
        let Some(peer) = self.up.as_mut() else {
            return std::future::pending().await;
        };
        match peer.messages.recv().await {
            Some(Ok(msg)) => ChannelEvent::Message(msg),
            Some(Err(NetError::Frame(e))) => ChannelEvent::Malformed(e),
            Some(Err(_)) | None => {
                self.up = None;
                ChannelEvent::Lost
            }
        }
    }

    /// The inner connection, once up, for streams beside the control
    /// stream (the screen).
    pub fn connection(&self) -> Option<Connection> {
        self.up.as_ref().map(|p| p.conn.clone())
    }

    /// Sends to the peer; `Ok(false)` when the channel is not up (the
    /// message had no one to go to).
    pub async fn send<Out: serde::Serialize>(&mut self, msg: &Out) -> Result<bool, NetError> {
        match self.up.as_mut() {
            Some(peer) => peer.send(msg).await.map(|()| true),
            None => Ok(false),
        }
    }

    /// Stops establishing, or closes gracefully (see [`Peer::close`]).
    pub async fn close(&mut self) {
        if let Some(handle) = self.starting.take() {
            handle.abort();
        }
        if let Some(peer) = self.up.take() {
            peer.close().await;
        }
    }
}
