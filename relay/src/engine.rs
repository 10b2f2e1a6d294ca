//! The relay's network engine on quinn-proto: one task drives the UDP
//! socket, the QUIC endpoint and every client connection, with shared
//! buffers. Compared with one async task (and channel) per connection, an
//! idle client costs only its QUIC state, which is what lets one relay hold
//! tens of thousands of waiting and paired clients.
//!
//! The rendezvous rules are the [`Registry`]'s; this file moves bytes,
//! applies them, and forwards datagrams blindly.

use crate::intercept::{Direction, Interceptor};
use crate::log::{SessionLog, SessionRecord};
use crate::metrics::Metrics;
use crate::registry::{ConnId, Registry};
use bytes::{Bytes, BytesMut};
use quinn_proto::{ConnectionHandle, DatagramEvent, Dir, Endpoint, Event, StreamEvent, StreamId};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tessera_proto::frame::{self, LENGTH_PREFIX};
use tessera_proto::relay::{
    ClientMsg, CloseReason, Refusal, RelayMsg, SessionId, MAX_CONTROL_FRAME, MAX_MAILBOX_MESSAGES,
    MAX_MAILBOX_PAYLOAD,
};
use tessera_proto::Nameplate;
use tokio::net::UdpSocket;
use tokio::sync::watch;

/// How often expiries and stalled clients are checked.
const SWEEP: Duration = Duration::from_millis(250);
/// How long a refused client has to read its refusal before the close.
const LINGER: Duration = Duration::from_secs(1);
/// Control bytes queued for one client at most (a handful of messages is
/// all a rendezvous needs).
const MAX_OUTBOX: usize = 16 * 1024;
/// Datagrams read per wake-up before other work gets a turn.
const RECV_BATCH: usize = 64;

/// What the engine needs from its owner.
pub(crate) struct Settings {
    pub registry: Registry,
    pub metrics: Arc<Metrics>,
    pub log: SessionLog,
    pub interceptor: Arc<dyn Interceptor>,
    pub handshake_timeout: Duration,
    pub max_connections: usize,
}

/// One client connection and what the relay knows of it.
struct Client {
    /// The relay's own id for this client, never reused (quinn reuses
    /// connection handles), so no stale rule can reach a later client.
    id: ConnId,
    conn: quinn_proto::Connection,
    opened_at: Instant,
    control: Option<StreamId>,
    /// Control bytes received but not yet a whole frame.
    inbox: Vec<u8>,
    /// Control bytes not yet accepted by the stream (flow control).
    outbox: Vec<u8>,
    role: Role,
    was_paired: bool,
    /// Refused for a bad request: closed once the refusal is delivered.
    closing_since: Option<Instant>,
    /// The deadline last pushed on the timer heap.
    timer: Option<Instant>,
    /// Left (or lost): only driven until drained.
    gone: bool,
}

/// How a read of the control stream ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamEnd {
    /// More may come.
    Open,
    /// The client finished its side: it is leaving.
    Finished,
    /// The client reset its side: it is leaving.
    Reset,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Fresh,
    Waiting,
    Paired(u64),
}

/// Two connections forwarding to each other.
struct Pair {
    agent: ConnectionHandle,
    viewer: ConnectionHandle,
    session_id: SessionId,
    nameplate: Nameplate,
    started_at: SystemTime,
    agent_addr: SocketAddr,
    viewer_addr: SocketAddr,
    a2v: u64,
    v2a: u64,
    mailbox_sent: [u32; 2],
}

/// The state the one task owns.
pub(crate) struct Engine {
    socket: UdpSocket,
    endpoint: Endpoint,
    settings: Settings,
    clients: HashMap<ConnectionHandle, Client>,
    by_id: HashMap<ConnId, ConnectionHandle>,
    next_id: ConnId,
    pairs: HashMap<u64, Pair>,
    next_pair: u64,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    dirty: HashSet<ConnectionHandle>,
    /// Scratch for building packets.
    buf: Vec<u8>,
    shutting_down: bool,
}

impl Engine {
    pub(crate) fn new(socket: UdpSocket, endpoint: Endpoint, settings: Settings) -> Self {
        Self {
            socket,
            endpoint,
            settings,
            clients: HashMap::new(),
            by_id: HashMap::new(),
            next_id: 1,
            pairs: HashMap::new(),
            next_pair: 1,
            timers: BinaryHeap::new(),
            dirty: HashSet::new(),
            buf: Vec::with_capacity(2048),
            shutting_down: false,
        }
    }

    /// Serves until `stop` turns true, then closes every connection and
    /// reports on `closed` once they are drained (or after two seconds).
    pub(crate) async fn run(
        mut self,
        mut stop: watch::Receiver<bool>,
        closed: watch::Sender<bool>,
    ) {
        let mut packet = vec![0u8; 65_536];
        let mut sweep = tokio::time::interval(SWEEP);
        let mut stop_deadline: Option<Instant> = None;
        loop {
            let next = self.next_timer();
            tokio::select! {
                received = self.socket.recv_from(&mut packet) => {
                    if let Ok((n, from)) = received {
                        let now = Instant::now();
                        self.datagram(now, from, &packet[..n]);
                        for _ in 1..RECV_BATCH {
                            match self.socket.try_recv_from(&mut packet) {
                                Ok((n, from)) => self.datagram(now, from, &packet[..n]),
                                Err(_) => break,
                            }
                        }
                    }
                }
                () = sleep_until(next) => self.timeouts(Instant::now()),
                _ = sweep.tick() => self.sweep(Instant::now()),
                changed = stop.changed(), if !self.shutting_down => {
                    if changed.is_err() || *stop.borrow() {
                        self.shut_down(Instant::now());
                        stop_deadline = Some(Instant::now() + Duration::from_secs(2));
                    }
                }
            }
            self.drive_dirty(Instant::now());
            if self.shutting_down
                && (self.clients.is_empty() || stop_deadline.is_some_and(|d| Instant::now() >= d))
            {
                let _ = closed.send(true);
                return;
            }
        }
    }

    fn next_timer(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, ch))) = self.timers.peek().copied() {
            match self.clients.get(&ConnectionHandle(ch)) {
                Some(c) if c.timer == Some(at) => return Some(at),
                _ => {
                    self.timers.pop(); // stale
                }
            }
        }
        None
    }

    fn timeouts(&mut self, now: Instant) {
        while let Some(Reverse((at, ch))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let ch = ConnectionHandle(ch);
            if let Some(c) = self.clients.get_mut(&ch) {
                if c.timer == Some(at) {
                    c.timer = None;
                    c.conn.handle_timeout(now);
                    self.dirty.insert(ch);
                }
            }
        }
    }

    /// One UDP datagram from the network.
    fn datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        self.buf.clear();
        let event =
            self.endpoint
                .handle(now, from, None, None, BytesMut::from(data), &mut self.buf);
        match event {
            Some(DatagramEvent::ConnectionEvent(ch, event)) => {
                if let Some(c) = self.clients.get_mut(&ch) {
                    c.conn.handle_event(event);
                    self.dirty.insert(ch);
                }
            }
            Some(DatagramEvent::NewConnection(incoming)) => self.incoming(now, incoming),
            Some(DatagramEvent::Response(t)) => self.send(&t),
            None => {}
        }
    }

    fn incoming(&mut self, now: Instant, incoming: quinn_proto::Incoming) {
        if self.shutting_down || self.clients.len() >= self.settings.max_connections {
            self.settings
                .metrics
                .refusals_total
                .fetch_add(1, Ordering::Relaxed);
            self.buf.clear();
            let t = self.endpoint.refuse(incoming, &mut self.buf);
            self.send(&t);
            return;
        }
        self.buf.clear();
        match self.endpoint.accept(incoming, now, &mut self.buf, None) {
            Ok((ch, conn)) => {
                let m = &self.settings.metrics;
                m.connections_total.fetch_add(1, Ordering::Relaxed);
                m.connections_open.fetch_add(1, Ordering::Relaxed);
                let id = self.next_id;
                self.next_id += 1;
                self.by_id.insert(id, ch);
                self.clients.insert(
                    ch,
                    Client {
                        id,
                        conn,
                        opened_at: now,
                        control: None,
                        inbox: Vec::new(),
                        outbox: Vec::new(),
                        role: Role::Fresh,
                        was_paired: false,
                        closing_since: None,
                        timer: None,
                        gone: false,
                    },
                );
                self.dirty.insert(ch);
            }
            Err(e) => {
                tracing::debug!("handshake refused: {}", e.cause);
                if let Some(t) = e.response {
                    self.send(&t);
                }
            }
        }
    }

    /// Sends the packet in `self.buf` described by `t`. A full socket
    /// buffer drops it: QUIC recovers, as from any loss.
    fn send(&self, t: &quinn_proto::Transmit) {
        let data = &self.buf[..t.size];
        match t.segment_size {
            Some(size) if size > 0 => {
                for segment in data.chunks(size) {
                    let _ = self.socket.try_send_to(segment, t.destination);
                }
            }
            _ => {
                let _ = self.socket.try_send_to(data, t.destination);
            }
        }
    }

    /// Drives every connection touched since the last turn; driving one can
    /// touch others (forwarding, pairing), which the next batch picks up.
    fn drive_dirty(&mut self, now: Instant) {
        let mut batch = Vec::new();
        while !self.dirty.is_empty() {
            batch.extend(self.dirty.drain());
            for ch in batch.drain(..) {
                self.drive(ch, now);
            }
        }
    }

    /// Runs one connection's machinery: endpoint events, application
    /// events, outgoing packets, its next timer, and its removal once drained.
    fn drive(&mut self, ch: ConnectionHandle, now: Instant) {
        loop {
            let Some(c) = self.clients.get_mut(&ch) else {
                return;
            };
            let Some(event) = c.conn.poll_endpoint_events() else {
                break;
            };
            if let Some(back) = self.endpoint.handle_event(ch, event) {
                c.conn.handle_event(back);
            }
        }
        loop {
            let Some(c) = self.clients.get_mut(&ch) else {
                return;
            };
            let Some(event) = c.conn.poll() else { break };
            self.app_event(ch, event, now);
        }
        loop {
            let Some(c) = self.clients.get_mut(&ch) else {
                return;
            };
            self.buf.clear();
            match c.conn.poll_transmit(now, 1, &mut self.buf) {
                Some(t) => self.send(&t),
                None => break,
            }
        }
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.conn.is_drained() {
            self.remove(ch, now);
            return;
        }
        let next = c.conn.poll_timeout();
        if next != c.timer {
            c.timer = next;
            if let Some(at) = next {
                self.timers.push(Reverse((at, ch.0)));
            }
        }
    }

    fn app_event(&mut self, ch: ConnectionHandle, event: Event, now: Instant) {
        match event {
            Event::Stream(StreamEvent::Opened { dir: Dir::Bi }) => {
                let Some(c) = self.clients.get_mut(&ch) else {
                    return;
                };
                if let Some(id) = c.conn.streams().accept(Dir::Bi) {
                    if c.control.is_none() {
                        c.control = Some(id);
                        self.read_control(ch, now);
                    }
                }
            }
            Event::Stream(StreamEvent::Readable { id }) => {
                if self.clients.get(&ch).is_some_and(|c| c.control == Some(id)) {
                    self.read_control(ch, now);
                }
            }
            Event::Stream(StreamEvent::Writable { .. }) => self.flush(ch),
            Event::Stream(StreamEvent::Finished { id } | StreamEvent::Stopped { id, .. }) => {
                let Some(c) = self.clients.get_mut(&ch) else {
                    return;
                };
                if c.control == Some(id) && c.closing_since.is_some() {
                    close(&mut c.conn, now, CloseReason::BadRequest);
                }
            }
            Event::DatagramReceived => self.forward(ch),
            Event::ConnectionLost { .. } => self.leave(ch, now),
            Event::Stream(_)
            | Event::HandshakeDataReady
            | Event::Connected
            | Event::DatagramsUnblocked => {}
        }
    }

    /// Reads what arrived on the control stream and handles whole frames as
    /// they complete. At most one frame's worth is buffered; a client that
    /// left or was refused is read no further (its bytes are discarded).
    fn read_control(&mut self, ch: ConnectionHandle, now: Instant) {
        loop {
            let (got, end) = self.read_some(ch);
            loop {
                let Some(c) = self.clients.get_mut(&ch) else {
                    return;
                };
                if c.gone || c.inbox.len() < LENGTH_PREFIX {
                    break;
                }
                let mut prefix = [0u8; LENGTH_PREFIX];
                prefix.copy_from_slice(&c.inbox[..LENGTH_PREFIX]);
                let len = match frame::body_len(prefix, MAX_CONTROL_FRAME) {
                    Ok(len) => len,
                    Err(e) => return self.bad_request(ch, now, e.to_string()),
                };
                if c.inbox.len() < LENGTH_PREFIX + len {
                    break;
                }
                let decoded = frame::decode_body::<ClientMsg>(
                    &c.inbox[LENGTH_PREFIX..LENGTH_PREFIX + len],
                    MAX_CONTROL_FRAME,
                );
                c.inbox.drain(..LENGTH_PREFIX + len);
                if c.inbox.is_empty() {
                    c.inbox = Vec::new(); // an idle client holds no buffer
                }
                let outcome = match decoded {
                    Ok(msg) => self.message(ch, msg, now),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(problem) = outcome {
                    return self.bad_request(ch, now, problem);
                }
            }
            match end {
                StreamEnd::Open if got > 0 => continue,
                StreamEnd::Open => return,
                StreamEnd::Finished | StreamEnd::Reset => {
                    self.leave(ch, now);
                    if let Some(c) = self.clients.get_mut(&ch) {
                        close(&mut c.conn, now, CloseReason::Bye);
                    }
                    return;
                }
            }
        }
    }

    /// Moves what the control stream holds into the client's inbox, up to
    /// one whole frame's worth; returns how much, and whether the stream
    /// ended. A gone client's bytes are read and dropped, and its stream's
    /// end changes nothing (it already left).
    fn read_some(&mut self, ch: ConnectionHandle) -> (usize, StreamEnd) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return (0, StreamEnd::Open);
        };
        let Some(id) = c.control else {
            return (0, StreamEnd::Open);
        };
        let room = (LENGTH_PREFIX + MAX_CONTROL_FRAME)
            .saturating_sub(c.inbox.len())
            .max(1);
        let gone = c.gone;
        let mut stream = c.conn.recv_stream(id);
        let Ok(mut chunks) = stream.read(true) else {
            return (0, StreamEnd::Open);
        };
        let mut received = None;
        let (got, end) = match chunks.next(room) {
            Ok(Some(chunk)) => {
                let n = chunk.bytes.len();
                received = Some(chunk.bytes);
                (n, StreamEnd::Open)
            }
            Ok(None) => (0, StreamEnd::Finished),
            Err(quinn_proto::ReadError::Blocked) => (0, StreamEnd::Open),
            Err(quinn_proto::ReadError::Reset(_)) => (0, StreamEnd::Reset),
        };
        let _ = chunks.finalize();
        if let (Some(bytes), false) = (received, gone) {
            c.inbox.extend_from_slice(&bytes);
        }
        (got, if gone { StreamEnd::Open } else { end })
    }

    fn message(
        &mut self,
        ch: ConnectionHandle,
        msg: ClientMsg,
        now: Instant,
    ) -> Result<(), String> {
        let role = self.clients.get(&ch).map(|c| c.role);
        match (msg, role) {
            (ClientMsg::Register, Some(Role::Fresh)) => self.register(ch, now),
            (ClientMsg::Register, _) => {
                return Err("register while already registered or paired".into())
            }
            (ClientMsg::Join { nameplate }, Some(Role::Fresh)) => self.join(ch, nameplate, now),
            (ClientMsg::Join { .. }, _) => return Err("join while registered or paired".into()),
            (ClientMsg::Mailbox { payload }, Some(Role::Paired(pair))) => {
                self.mailbox(ch, pair, payload)?
            }
            (ClientMsg::Mailbox { payload }, _) => {
                let late = self.clients.get(&ch).is_some_and(|c| c.was_paired);
                if !late {
                    return Err("mailbox before pairing".into());
                }
                // The peer left while this was in flight: dropped.
                drop(payload);
            }
            (ClientMsg::Burn, Some(Role::Paired(pair))) => {
                if self.pairs.get(&pair).is_some_and(|p| p.agent == ch) {
                    self.unpair(pair, "burned", now);
                } else {
                    return Err("only the agent may burn its code".into());
                }
            }
            (ClientMsg::Burn, _) => {
                if let Some(id) = self.id_of(ch) {
                    self.settings.registry.unregister(id, now);
                }
                self.set_role(ch, Role::Fresh);
            }
            (ClientMsg::Close, _) => {
                self.leave(ch, now);
                if let Some(c) = self.clients.get_mut(&ch) {
                    close(&mut c.conn, now, CloseReason::Bye);
                }
            }
        }
        Ok(())
    }

    fn id_of(&self, ch: ConnectionHandle) -> Option<ConnId> {
        self.clients.get(&ch).map(|c| c.id)
    }

    fn set_role(&mut self, ch: ConnectionHandle, role: Role) {
        if let Some(c) = self.clients.get_mut(&ch) {
            c.role = role;
            if matches!(role, Role::Paired(_)) {
                c.was_paired = true;
            }
        }
    }

    fn update_waiting(&self) {
        self.settings
            .metrics
            .waiting
            .store(self.settings.registry.waiting() as u64, Ordering::Relaxed);
    }

    fn register(&mut self, ch: ConnectionHandle, now: Instant) {
        let Some((id, addr)) = self
            .clients
            .get(&ch)
            .map(|c| (c.id, c.conn.remote_address()))
        else {
            return;
        };
        let result = self.settings.registry.register(id, addr.ip(), now);
        self.update_waiting();
        match result {
            Ok((nameplate, ttl)) => {
                self.set_role(ch, Role::Waiting);
                self.queue(
                    ch,
                    &RelayMsg::Registered {
                        nameplate,
                        expires_in_secs: u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX),
                    },
                );
            }
            Err(reason) => self.refuse(ch, reason),
        }
    }

    fn join(&mut self, viewer: ConnectionHandle, nameplate: Nameplate, now: Instant) {
        let Some(viewer_addr) = self.clients.get(&viewer).map(|c| c.conn.remote_address()) else {
            return;
        };
        let target = self.settings.interceptor.join(nameplate);
        let pairing = match self.settings.registry.join(target, viewer_addr.ip(), now) {
            Ok(p) => p,
            Err(reason) => return self.refuse(viewer, reason),
        };
        self.update_waiting();
        let Some(&agent) = self.by_id.get(&pairing.agent) else {
            return self.refuse(viewer, Refusal::UnknownNameplate);
        };
        let Some(agent_addr) = self
            .clients
            .get(&agent)
            .filter(|c| !c.gone)
            .map(|c| c.conn.remote_address())
        else {
            return self.refuse(viewer, Refusal::UnknownNameplate);
        };
        let id = self.next_pair;
        self.next_pair += 1;
        self.pairs.insert(
            id,
            Pair {
                agent,
                viewer,
                session_id: pairing.session_id,
                nameplate,
                started_at: SystemTime::now(),
                agent_addr,
                viewer_addr,
                a2v: 0,
                v2a: 0,
                mailbox_sent: [0, 0],
            },
        );
        self.set_role(agent, Role::Paired(id));
        self.set_role(viewer, Role::Paired(id));
        let m = &self.settings.metrics;
        m.pairs_total.fetch_add(1, Ordering::Relaxed);
        m.pairs_active.fetch_add(1, Ordering::Relaxed);
        let paired = RelayMsg::Paired {
            session_id: pairing.session_id,
        };
        self.queue(agent, &paired);
        self.queue(viewer, &paired);
    }

    /// The other end of a pair, and which way traffic from `ch` goes.
    fn peer(&self, ch: ConnectionHandle, pair: u64) -> Option<(ConnectionHandle, Direction)> {
        let p = self.pairs.get(&pair)?;
        if p.agent == ch {
            Some((p.viewer, Direction::AgentToViewer))
        } else {
            Some((p.agent, Direction::ViewerToAgent))
        }
    }

    fn mailbox(&mut self, ch: ConnectionHandle, pair: u64, payload: Vec<u8>) -> Result<(), String> {
        if payload.len() > MAX_MAILBOX_PAYLOAD {
            return Err(format!(
                "mailbox payload of {} bytes over the limit",
                payload.len()
            ));
        }
        let Some((peer, dir)) = self.peer(ch, pair) else {
            return Ok(());
        };
        let Some(p) = self.pairs.get_mut(&pair) else {
            return Ok(());
        };
        let sent = &mut p.mailbox_sent[usize::from(dir == Direction::ViewerToAgent)];
        *sent += 1;
        if *sent > MAX_MAILBOX_MESSAGES {
            return Err("too many mailbox messages".into());
        }
        for payload in self.settings.interceptor.mailbox(dir, payload) {
            self.queue(peer, &RelayMsg::Mailbox { payload });
        }
        Ok(())
    }

    /// Forwards every datagram that arrived on `ch` to its peer, blindly.
    fn forward(&mut self, ch: ConnectionHandle) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        let pair = match c.role {
            Role::Paired(pair) => pair,
            _ => {
                while c.conn.datagrams().recv().is_some() {} // not paired: dropped
                return;
            }
        };
        let mut incoming = Vec::new();
        while let Some(d) = c.conn.datagrams().recv() {
            incoming.push(d);
        }
        let Some((peer, dir)) = self.peer(ch, pair) else {
            return;
        };
        let mut bytes = 0u64;
        for datagram in incoming {
            for d in self.settings.interceptor.datagram(dir, datagram) {
                bytes += d.len() as u64;
                if let Some(p) = self.clients.get_mut(&peer) {
                    // Too large or buffer full: dropped, as a router would.
                    let _ = p.conn.datagrams().send(d, true);
                }
            }
        }
        self.settings
            .metrics
            .bytes_forwarded_total
            .fetch_add(bytes, Ordering::Relaxed);
        if let Some(p) = self.pairs.get_mut(&pair) {
            match dir {
                Direction::AgentToViewer => p.a2v += bytes,
                Direction::ViewerToAgent => p.v2a += bytes,
            }
        }
        self.dirty.insert(peer);
    }

    /// Queues a control message for a client and writes what the stream takes.
    fn queue(&mut self, ch: ConnectionHandle, msg: &RelayMsg) {
        let Ok(bytes) = frame::encode(msg, MAX_CONTROL_FRAME) else {
            return;
        };
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.gone {
            return;
        }
        if c.outbox.len() + bytes.len() > MAX_OUTBOX {
            // It does not read what it is sent: it gets nothing more.
            tracing::info!(addr = %c.conn.remote_address(), "closing a client that does not read");
            c.outbox = Vec::new();
            close(
                &mut c.conn,
                Instant::now(),
                CloseReason::ControlStreamNotRead,
            );
            self.dirty.insert(ch);
            return;
        }
        c.outbox.extend_from_slice(&bytes);
        self.flush(ch);
        self.dirty.insert(ch);
    }

    fn flush(&mut self, ch: ConnectionHandle) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        let Some(id) = c.control else { return };
        if c.outbox.is_empty() {
            return;
        }
        match c.conn.send_stream(id).write(&c.outbox) {
            Ok(n) => {
                c.outbox.drain(..n);
                if c.outbox.is_empty() {
                    c.outbox = Vec::new();
                    if c.closing_since.is_some() {
                        let _ = c.conn.send_stream(id).finish();
                    }
                }
            }
            Err(quinn_proto::WriteError::Blocked) => {} // Writable comes later
            Err(_) => c.outbox = Vec::new(),
        }
        self.dirty.insert(ch);
    }

    fn refuse(&mut self, ch: ConnectionHandle, reason: Refusal) {
        self.settings
            .metrics
            .refusals_total
            .fetch_add(1, Ordering::Relaxed);
        self.queue(ch, &RelayMsg::Refused { reason });
    }

    /// Malformed, oversized, wrong-version or out-of-place: say so, deliver
    /// it, then close; the relay goes on serving everyone else.
    fn bad_request(&mut self, ch: ConnectionHandle, now: Instant, problem: String) {
        if self
            .clients
            .get(&ch)
            .is_none_or(|c| c.closing_since.is_some())
        {
            return; // already refused: its countdown runs on
        }
        self.settings
            .metrics
            .bad_requests_total
            .fetch_add(1, Ordering::Relaxed);
        if let Some(c) = self.clients.get(&ch) {
            tracing::info!(addr = %c.conn.remote_address(), "closing a client: {problem}");
        }
        self.leave(ch, now);
        let Ok(bytes) = frame::encode(
            &RelayMsg::Refused {
                reason: Refusal::BadRequest,
            },
            MAX_CONTROL_FRAME,
        ) else {
            return;
        };
        // Gone for the rendezvous, but the refusal is still delivered.
        if let Some(c) = self.clients.get_mut(&ch) {
            c.inbox = Vec::new();
            c.outbox.extend_from_slice(&bytes);
            c.closing_since = Some(now);
        }
        self.flush(ch);
    }

    /// Ends forwarding for a pair, tells both sides, logs the record.
    fn unpair(&mut self, pair: u64, end: &'static str, _now: Instant) {
        let Some(p) = self.pairs.remove(&pair) else {
            return;
        };
        for ch in [p.agent, p.viewer] {
            if self
                .clients
                .get(&ch)
                .is_some_and(|c| c.role == Role::Paired(pair))
            {
                self.set_role(ch, Role::Fresh);
                self.queue(ch, &RelayMsg::PeerLeft);
            }
        }
        self.settings
            .metrics
            .pairs_active
            .fetch_sub(1, Ordering::Relaxed);
        self.settings.log.write(&SessionRecord {
            session_id: p.session_id.iter().map(|b| format!("{b:02x}")).collect(),
            nameplate: p.nameplate,
            started_at: humantime::format_rfc3339_millis(p.started_at).to_string(),
            ended_at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            agent_addr: p.agent_addr,
            viewer_addr: p.viewer_addr,
            bytes_agent_to_viewer: p.a2v,
            bytes_viewer_to_agent: p.v2a,
            end,
        });
    }

    /// A client is leaving or lost: release its registration or end its pair.
    fn leave(&mut self, ch: ConnectionHandle, now: Instant) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.gone {
            return;
        }
        c.gone = true;
        let (role, id) = (c.role, c.id);
        c.role = Role::Fresh;
        if let Role::Paired(pair) = role {
            let end = match self.pairs.get(&pair) {
                Some(p) if p.agent == ch => "agent_left",
                _ => "viewer_left",
            };
            self.unpair(pair, end, now);
        }
        self.settings.registry.unregister(id, now);
        self.update_waiting();
    }

    fn remove(&mut self, ch: ConnectionHandle, now: Instant) {
        self.leave(ch, now);
        if let Some(c) = self.clients.remove(&ch) {
            self.by_id.remove(&c.id);
            self.settings
                .metrics
                .connections_open
                .fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Expiries, clients that never opened a control stream, refused
    /// clients that linger.
    fn sweep(&mut self, now: Instant) {
        for agent in self.settings.registry.expire(now) {
            if let Some(&ch) = self.by_id.get(&agent) {
                self.set_role(ch, Role::Fresh);
                self.refuse(ch, Refusal::Expired);
            }
        }
        self.update_waiting();
        let timeout = self.settings.handshake_timeout;
        let stale: Vec<(ConnectionHandle, CloseReason)> = self
            .clients
            .iter()
            .filter_map(|(ch, c)| {
                if c.conn.is_closed() {
                    None
                } else if c.control.is_none() && now.duration_since(c.opened_at) > timeout {
                    Some((*ch, CloseReason::NoControlStream))
                } else if c
                    .closing_since
                    .is_some_and(|t| now.duration_since(t) > LINGER)
                {
                    Some((*ch, CloseReason::BadRequest))
                } else {
                    None
                }
            })
            .collect();
        for (ch, reason) in stale {
            self.leave(ch, now);
            if let Some(c) = self.clients.get_mut(&ch) {
                close(&mut c.conn, now, reason);
                self.dirty.insert(ch);
            }
        }
    }

    fn shut_down(&mut self, now: Instant) {
        self.shutting_down = true;
        let all: Vec<ConnectionHandle> = self.clients.keys().copied().collect();
        for ch in all {
            self.leave(ch, now);
            if let Some(c) = self.clients.get_mut(&ch) {
                close(&mut c.conn, now, CloseReason::ShuttingDown);
            }
            self.dirty.insert(ch);
        }
    }
}

/// Closes a connection with the code and phrase of `reason`.
fn close(conn: &mut quinn_proto::Connection, now: Instant, reason: CloseReason) {
    conn.close(
        now,
        reason.code().into(),
        Bytes::from_static(reason.phrase()),
    );
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
