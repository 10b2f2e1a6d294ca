//! The relay's network side: accepts QUIC connections, speaks the
//! rendezvous protocol on each one's control stream, and once two are
//! paired forwards their datagrams blindly until either leaves.

use crate::intercept::{Direction, Interceptor, Passthrough};
use crate::log::{SessionLog, SessionRecord};
use crate::metrics::Metrics;
use crate::registry::{ConnId, Limits, Registry};
use crate::tls::RelayIdentity;
use quinn::{Connection, Endpoint, RecvStream, SendStream};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use tessera_net::{framed, transport, NetError};
use tessera_proto::relay::{
    ClientMsg, Refusal, RelayMsg, SessionId, MAX_CONTROL_FRAME, MAX_MAILBOX_MESSAGES,
    MAX_MAILBOX_PAYLOAD, RELAY_ALPN,
};
use tessera_proto::Fingerprint;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// QUIC application error codes the relay closes with.
mod close_code {
    pub const NORMAL: u32 = 0;
    pub const BAD_REQUEST: u32 = 1;
    pub const TIMEOUT: u32 = 2;
    pub const SLOW_READER: u32 = 3;
}

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

/// A running relay.
pub struct Relay {
    endpoint: Endpoint,
    fingerprint: Fingerprint,
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    metrics: Arc<Metrics>,
    log: SessionLog,
    interceptor: Arc<dyn Interceptor>,
    handshake_timeout: Duration,
    max_connections: u64,
}

struct State {
    registry: Registry,
    conns: HashMap<ConnId, Entry>,
    next_id: ConnId,
}

/// What the relay knows of one client connection.
struct Entry {
    conn: Connection,
    tx: mpsc::Sender<RelayMsg>,
    role: Role,
    /// Whether this client was ever paired: its mailbox messages may then
    /// legitimately arrive after the peer left, and are dropped.
    was_paired: bool,
}

enum Role {
    Fresh,
    Waiting,
    Paired(Arc<Pair>),
}

/// Two connections forwarding to each other.
struct Pair {
    agent: ConnId,
    viewer: ConnId,
    session_id: SessionId,
    nameplate: u32,
    started_at: SystemTime,
    agent_addr: SocketAddr,
    viewer_addr: SocketAddr,
    a2v: AtomicU64,
    v2a: AtomicU64,
    mailbox_sent: [AtomicU64; 2],
    forwarders: Mutex<Vec<AbortHandle>>,
    ended: AtomicBool,
}

impl Relay {
    /// Binds the QUIC endpoint. Call [`run`](Self::run) to serve.
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
        server.max_incoming(1024);
        let endpoint =
            Endpoint::server(server, config.listen).map_err(|source| RelayError::Bind {
                addr: config.listen,
                source,
            })?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                registry: Registry::new(config.limits),
                conns: HashMap::new(),
                next_id: 1,
            }),
            metrics: Arc::new(Metrics::default()),
            log: SessionLog::open(config.session_log).map_err(RelayError::Log)?,
            interceptor: config.interceptor,
            handshake_timeout: config.handshake_timeout,
            max_connections: u64::from(config.max_connections),
        });
        Ok(Self {
            endpoint,
            fingerprint,
            shared,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.endpoint.local_addr()
    }

    /// The certificate fingerprint clients pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// The relay's counters.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.shared.metrics.clone()
    }

    /// Serves until the endpoint is closed.
    pub async fn run(self) {
        let expiry = tokio::spawn(expire_loop(self.shared.clone()));
        while let Some(incoming) = self.endpoint.accept().await {
            if self.shared.metrics.connections_open.load(Ordering::Relaxed)
                >= self.shared.max_connections
            {
                self.shared
                    .metrics
                    .refusals_total
                    .fetch_add(1, Ordering::Relaxed);
                incoming.refuse();
                continue;
            }
            let shared = self.shared.clone();
            tokio::spawn(async move {
                match incoming.await {
                    Ok(conn) => serve(shared, conn).await,
                    Err(e) => tracing::debug!("handshake failed: {e}"),
                }
            });
        }
        expiry.abort();
    }

    /// Stops accepting and closes every connection.
    pub fn close(&self) {
        self.closer().close();
    }

    /// A handle that can close the relay while [`run`](Self::run) owns it.
    pub fn closer(&self) -> Closer {
        Closer(self.endpoint.clone())
    }
}

/// Closes a running relay (on SIGTERM, Ctrl-C, or from a test).
#[derive(Clone, Debug)]
pub struct Closer(Endpoint);

impl Closer {
    /// Clients are told the relay is shutting down.
    pub fn close(&self) {
        self.0
            .close(close_code::NORMAL.into(), b"relay shutting down");
    }

    /// Waits (at most `limit`) until the close has reached the clients.
    pub async fn wait_closed(&self, limit: Duration) {
        let _ = tokio::time::timeout(limit, self.0.wait_idle()).await;
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not stop the relay serving others.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Tells agents whose nameplate expired; the registry is the clock's judge.
async fn expire_loop(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        let mut state = shared.lock();
        for agent in state.registry.expire(Instant::now()) {
            if let Some(entry) = state.conns.get_mut(&agent) {
                entry.role = Role::Fresh;
                let _ = entry.tx.try_send(RelayMsg::Refused {
                    reason: Refusal::Expired,
                });
            }
        }
        shared
            .metrics
            .waiting
            .store(state.registry.waiting() as u64, Ordering::Relaxed);
    }
}

async fn serve(shared: Arc<Shared>, conn: Connection) {
    shared
        .metrics
        .connections_total
        .fetch_add(1, Ordering::Relaxed);
    shared
        .metrics
        .connections_open
        .fetch_add(1, Ordering::Relaxed);
    let addr = conn.remote_address();
    let stream = tokio::time::timeout(shared.handshake_timeout, conn.accept_bi()).await;
    let (send, recv) = match stream {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::debug!(%addr, "left before opening a control stream: {e}");
            shared
                .metrics
                .connections_open
                .fetch_sub(1, Ordering::Relaxed);
            return;
        }
        Err(_) => {
            conn.close(
                close_code::TIMEOUT.into(),
                b"no control stream opened in time",
            );
            shared
                .metrics
                .connections_open
                .fetch_sub(1, Ordering::Relaxed);
            return;
        }
    };
    let (tx, rx) = mpsc::channel(16);
    let id = {
        let mut state = shared.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.conns.insert(
            id,
            Entry {
                conn: conn.clone(),
                tx,
                role: Role::Fresh,
                was_paired: false,
            },
        );
        id
    };
    let writer = tokio::spawn(write_loop(send, rx, conn.clone()));
    let outcome = read_loop(&shared, id, addr, recv).await;
    if let Err(problem) = outcome {
        shared
            .metrics
            .bad_requests_total
            .fetch_add(1, Ordering::Relaxed);
        tracing::info!(%addr, "closing a client: {problem}");
        // The writer delivers the refusal, then closes the connection.
        send_to(
            &shared,
            id,
            RelayMsg::Refused {
                reason: Refusal::BadRequest,
            },
        );
    }
    leave(&shared, id);
    let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    conn.close(close_code::NORMAL.into(), b"closed");
    shared
        .metrics
        .connections_open
        .fetch_sub(1, Ordering::Relaxed);
}

/// Writes queued messages to the control stream in order.
async fn write_loop(mut send: SendStream, mut rx: mpsc::Receiver<RelayMsg>, conn: Connection) {
    while let Some(msg) = rx.recv().await {
        let refused = matches!(
            msg,
            RelayMsg::Refused {
                reason: Refusal::BadRequest
            }
        );
        if framed::write(&mut send, &msg, MAX_CONTROL_FRAME)
            .await
            .is_err()
        {
            break;
        }
        if refused {
            let _ = send.finish();
            let _ = send.stopped().await;
            conn.close(close_code::BAD_REQUEST.into(), b"bad request");
            break;
        }
    }
}

/// Reads and handles control messages until the client leaves or errs.
async fn read_loop(
    shared: &Arc<Shared>,
    id: ConnId,
    addr: SocketAddr,
    mut recv: RecvStream,
) -> Result<(), String> {
    loop {
        let msg = match framed::read::<ClientMsg>(&mut recv, MAX_CONTROL_FRAME).await {
            Ok(Some(msg)) => msg,
            Ok(None) => return Ok(()),
            Err(NetError::Frame(e)) => return Err(e.to_string()),
            Err(_) => return Ok(()), // connection gone
        };
        match msg {
            ClientMsg::Register => register(shared, id, addr)?,
            ClientMsg::Join { nameplate } => join(shared, id, addr, nameplate)?,
            ClientMsg::Mailbox { payload } => mailbox(shared, id, payload)?,
            ClientMsg::Burn => burn(shared, id)?,
            ClientMsg::Close => return Ok(()),
        }
    }
}

fn refuse(shared: &Shared, id: ConnId, reason: Refusal) {
    shared
        .metrics
        .refusals_total
        .fetch_add(1, Ordering::Relaxed);
    send_to(shared, id, RelayMsg::Refused { reason });
}

/// Queues a message for a client; one that does not read is dropped.
fn send_to(shared: &Shared, id: ConnId, msg: RelayMsg) {
    let state = shared.lock();
    if let Some(entry) = state.conns.get(&id) {
        if entry.tx.try_send(msg).is_err() {
            entry
                .conn
                .close(close_code::SLOW_READER.into(), b"control stream not read");
        }
    }
}

fn register(shared: &Shared, id: ConnId, addr: SocketAddr) -> Result<(), String> {
    let result = {
        let mut state = shared.lock();
        match state.conns.get(&id).map(|e| &e.role) {
            Some(Role::Fresh) => {}
            _ => return Err("register while already registered or paired".into()),
        }
        let result = state.registry.register(id, addr.ip(), Instant::now());
        if result.is_ok() {
            if let Some(e) = state.conns.get_mut(&id) {
                e.role = Role::Waiting;
            }
        }
        shared
            .metrics
            .waiting
            .store(state.registry.waiting() as u64, Ordering::Relaxed);
        result
    };
    match result {
        Ok((nameplate, ttl)) => send_to(
            shared,
            id,
            RelayMsg::Registered {
                nameplate: nameplate.get(),
                expires_in_secs: u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX),
            },
        ),
        Err(reason) => refuse(shared, id, reason),
    }
    Ok(())
}

fn join(
    shared: &Arc<Shared>,
    viewer: ConnId,
    viewer_addr: SocketAddr,
    nameplate: u32,
) -> Result<(), String> {
    let target = shared.interceptor.join(nameplate);
    let pair = {
        let mut state = shared.lock();
        match state.conns.get(&viewer).map(|e| &e.role) {
            Some(Role::Fresh) => {}
            _ => return Err("join while registered or paired".into()),
        }
        let pairing = match state
            .registry
            .join(target, viewer_addr.ip(), Instant::now())
        {
            Ok(p) => p,
            Err(reason) => {
                drop(state);
                refuse(shared, viewer, reason);
                return Ok(());
            }
        };
        shared
            .metrics
            .waiting
            .store(state.registry.waiting() as u64, Ordering::Relaxed);
        let Some(agent) = state.conns.get(&pairing.agent) else {
            drop(state);
            refuse(shared, viewer, Refusal::UnknownNameplate);
            return Ok(());
        };
        let pair = Arc::new(Pair {
            agent: pairing.agent,
            viewer,
            session_id: pairing.session_id,
            nameplate,
            started_at: SystemTime::now(),
            agent_addr: agent.conn.remote_address(),
            viewer_addr,
            a2v: AtomicU64::new(0),
            v2a: AtomicU64::new(0),
            mailbox_sent: [AtomicU64::new(0), AtomicU64::new(0)],
            forwarders: Mutex::new(Vec::new()),
            ended: AtomicBool::new(false),
        });
        let agent_conn = agent.conn.clone();
        let viewer_conn = match state.conns.get(&viewer) {
            Some(v) => v.conn.clone(),
            None => return Ok(()),
        };
        for id in [pair.agent, viewer] {
            if let Some(e) = state.conns.get_mut(&id) {
                e.role = Role::Paired(pair.clone());
                e.was_paired = true;
            }
        }
        let handles = [
            tokio::spawn(forward(
                shared.clone(),
                pair.clone(),
                Direction::AgentToViewer,
                agent_conn.clone(),
                viewer_conn.clone(),
            )),
            tokio::spawn(forward(
                shared.clone(),
                pair.clone(),
                Direction::ViewerToAgent,
                viewer_conn,
                agent_conn,
            )),
        ];
        if let Ok(mut f) = pair.forwarders.lock() {
            f.extend(handles.iter().map(|h| h.abort_handle()));
        }
        pair
    };
    shared.metrics.pairs_total.fetch_add(1, Ordering::Relaxed);
    shared.metrics.pairs_active.fetch_add(1, Ordering::Relaxed);
    let paired = RelayMsg::Paired {
        session_id: pair.session_id,
    };
    send_to(shared, pair.agent, paired.clone());
    send_to(shared, viewer, paired);
    Ok(())
}

/// Forwards datagrams one way, blindly, counting bytes.
async fn forward(
    shared: Arc<Shared>,
    pair: Arc<Pair>,
    dir: Direction,
    from: Connection,
    to: Connection,
) {
    let counter = match dir {
        Direction::AgentToViewer => &pair.a2v,
        Direction::ViewerToAgent => &pair.v2a,
    };
    while let Ok(datagram) = from.read_datagram().await {
        for d in shared.interceptor.datagram(dir, datagram) {
            counter.fetch_add(d.len() as u64, Ordering::Relaxed);
            shared
                .metrics
                .bytes_forwarded_total
                .fetch_add(d.len() as u64, Ordering::Relaxed);
            // Too large or buffer full: dropped, as a router would.
            let _ = to.send_datagram(d);
        }
    }
}

fn paired_with(shared: &Shared, id: ConnId) -> Option<(Arc<Pair>, ConnId, Direction)> {
    let state = shared.lock();
    match state.conns.get(&id).map(|e| &e.role) {
        Some(Role::Paired(pair)) if pair.agent == id => {
            Some((pair.clone(), pair.viewer, Direction::AgentToViewer))
        }
        Some(Role::Paired(pair)) => Some((pair.clone(), pair.agent, Direction::ViewerToAgent)),
        _ => None,
    }
}

fn mailbox(shared: &Shared, id: ConnId, payload: Vec<u8>) -> Result<(), String> {
    if payload.len() > MAX_MAILBOX_PAYLOAD {
        return Err(format!(
            "mailbox payload of {} bytes over the limit",
            payload.len()
        ));
    }
    let Some((pair, peer, dir)) = paired_with(shared, id) else {
        let late = shared.lock().conns.get(&id).is_some_and(|e| e.was_paired);
        return if late {
            Ok(()) // the peer left while this was in flight
        } else {
            Err("mailbox before pairing".into())
        };
    };
    let sent = &pair.mailbox_sent[usize::from(dir == Direction::ViewerToAgent)];
    if sent.fetch_add(1, Ordering::Relaxed) >= u64::from(MAX_MAILBOX_MESSAGES) {
        return Err("too many mailbox messages".into());
    }
    for payload in shared.interceptor.mailbox(dir, payload) {
        send_to(shared, peer, RelayMsg::Mailbox { payload });
    }
    Ok(())
}

fn burn(shared: &Shared, id: ConnId) -> Result<(), String> {
    match paired_with(shared, id) {
        Some((pair, _, Direction::AgentToViewer)) => {
            unpair(shared, &pair, "burned");
            Ok(())
        }
        Some(_) => Err("only the agent may burn its code".into()),
        // Burning an unused registration: drop it.
        None => {
            let mut state = shared.lock();
            state.registry.unregister(id, Instant::now());
            if let Some(e) = state.conns.get_mut(&id) {
                e.role = Role::Fresh;
            }
            Ok(())
        }
    }
}

/// Ends forwarding for a pair, tells the other side, logs the record.
/// Ending and freeing both roles happen under one lock, so a client that
/// re-registers right after can never see itself still paired.
fn unpair(shared: &Shared, pair: &Arc<Pair>, end: &'static str) {
    {
        let mut state = shared.lock();
        if pair.ended.swap(true, Ordering::SeqCst) {
            return;
        }
        for id in [pair.agent, pair.viewer] {
            if let Some(e) = state.conns.get_mut(&id) {
                if matches!(&e.role, Role::Paired(p) if Arc::ptr_eq(p, pair)) {
                    e.role = Role::Fresh;
                }
            }
        }
    }
    if let Ok(f) = pair.forwarders.lock() {
        f.iter().for_each(AbortHandle::abort);
    }
    for id in [pair.agent, pair.viewer] {
        send_to(shared, id, RelayMsg::PeerLeft);
    }
    shared.metrics.pairs_active.fetch_sub(1, Ordering::Relaxed);
    shared.log.write(&SessionRecord {
        session_id: pair.session_id.iter().map(|b| format!("{b:02x}")).collect(),
        nameplate: pair.nameplate,
        started_at: humantime::format_rfc3339_millis(pair.started_at).to_string(),
        ended_at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
        agent_addr: pair.agent_addr,
        viewer_addr: pair.viewer_addr,
        bytes_agent_to_viewer: pair.a2v.load(Ordering::Relaxed),
        bytes_viewer_to_agent: pair.v2a.load(Ordering::Relaxed),
        end,
    });
}

/// A client is gone: release its registration or end its pair.
fn leave(shared: &Shared, id: ConnId) {
    if let Some((pair, _, dir)) = paired_with(shared, id) {
        let end = match dir {
            Direction::AgentToViewer => "agent_left",
            Direction::ViewerToAgent => "viewer_left",
        };
        unpair(shared, &pair, end);
    }
    let mut state = shared.lock();
    state.registry.unregister(id, Instant::now());
    state.conns.remove(&id);
    shared
        .metrics
        .waiting
        .store(state.registry.waiting() as u64, Ordering::Relaxed);
}
