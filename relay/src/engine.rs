//! The relay's network engine on quinn-proto: one task drives the UDP
//! socket, the QUIC endpoint and every client connection, with shared
//! buffers. Compared with one async task (and channel) per connection, an
//! idle client costs only its QUIC state, which is what lets one relay hold
//! tens of thousands of waiting and paired clients.
//!
//! Who may send what is decided by the sans-IO [`Rules`] (with the
//! nameplate registry under them); this file moves bytes, carries out the
//! rules' actions, and forwards datagrams and lane packets blindly.

mod forwarding;

use crate::client::{Client, StreamEnd};
use crate::intercept::Interceptor;
use crate::log::SessionLog;
use crate::metrics::Metrics;
use crate::registry::ConnId;
use crate::rules::{Action, Rules};
use crate::socket::{Received, RelaySocket, SLOT};
use bytes::BytesMut;
use quinn_proto::{ConnectionHandle, DatagramEvent, Dir, Endpoint, Event, StreamEvent};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tessera_proto::frame;
use tessera_proto::lane::{LanePacket, LANE_PACKET_LEN};
use tessera_proto::relay::{CloseReason, Refusal, RelayMsg, MAX_CONTROL_FRAME};
use tokio::sync::watch;

/// How often expiries and stalled clients are checked.
const SWEEP: Duration = Duration::from_millis(250);
/// How long a refused client has to read its refusal before the close.
const LINGER: Duration = Duration::from_secs(1);
/// Batches read per wake-up before other work gets a turn (each up to
/// `quinn::udp::BATCH_SIZE` runs of packets).
const RECV_ROUNDS: usize = 2;

/// What the engine needs from its owner.
pub(crate) struct Settings {
    /// Who may send what; the engine carries out their actions.
    pub rules: Rules,
    /// Counters, shared with the metrics endpoint.
    pub metrics: Arc<Metrics>,
    /// Where ended pairs are recorded.
    pub log: SessionLog,
    /// The forwarding seam, for datagrams (the rules hold it for the rest).
    pub interceptor: Arc<dyn Interceptor>,
    /// How long a client has to open its control stream.
    pub handshake_timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

/// The state the one task owns.
pub(crate) struct Engine {
    socket: RelaySocket,
    /// Where runs are received, `SLOT` bytes each, and what was received.
    rx: Vec<u8>,
    runs: Vec<Received>,
    endpoint: Endpoint,
    settings: Settings,
    clients: HashMap<ConnectionHandle, Client>,
    by_id: HashMap<ConnId, ConnectionHandle>,
    next_id: ConnId,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    dirty: HashSet<ConnectionHandle>,
    /// Scratch for building packets.
    buf: Vec<u8>,
    shutting_down: bool,
}

impl Engine {
    pub(crate) fn new(socket: RelaySocket, endpoint: Endpoint, settings: Settings) -> Self {
        Self {
            socket,
            rx: RelaySocket::receive_buffer(),
            runs: Vec::new(),
            endpoint,
            settings,
            clients: HashMap::new(),
            by_id: HashMap::new(),
            next_id: 1,
            timers: BinaryHeap::new(),
            dirty: HashSet::new(),
            buf: Vec::with_capacity(2048),
            shutting_down: false,
        }
    }

    /// Serves until `stop` turns true, then closes every connection and,
    /// once they are drained (or after two seconds) and the session log is
    /// written, reports on `closed`.
    pub(crate) async fn run(
        mut self,
        mut stop: watch::Receiver<bool>,
        closed: watch::Sender<bool>,
    ) {
        let mut sweep = tokio::time::interval(SWEEP);
        let mut stop_deadline: Option<Instant> = None;
        loop {
            let next = self.next_timer();
            tokio::select! {
                readable = self.socket.readable() => {
                    if readable.is_ok() {
                        self.receive(Instant::now());
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
                break;
            }
        }
        self.settings.log.close().await;
        let _ = closed.send(true);
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

    /// Reads what waits on the socket, a few batches at most.
    fn receive(&mut self, now: Instant) {
        let mut buf = std::mem::take(&mut self.rx);
        let mut runs = std::mem::take(&mut self.runs);
        for _ in 0..RECV_ROUNDS {
            self.socket.recv(&mut buf, &mut runs);
            if runs.is_empty() {
                break;
            }
            for (i, run) in runs.iter().enumerate() {
                let start = i * SLOT;
                if let Some(data) = buf.get(start..start + run.len.min(SLOT)) {
                    self.run_from(now, run.from, data, run.stride);
                }
            }
        }
        self.rx = buf;
        self.runs = runs;
    }

    /// One UDP datagram from an address without a lane: a lane's `Bind`,
    /// or QUIC for the endpoint.
    fn datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        if data.len() == LANE_PACKET_LEN {
            if let Some(LanePacket::Bind(ticket)) = LanePacket::parse(data) {
                return self.bind(now, from, &ticket);
            }
        }
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
                self.settings.rules.opened(id, conn.remote_address());
                self.clients.insert(ch, Client::new(id, conn, now));
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
        if let Some(data) = self.buf.get(..t.size) {
            let stride = t.segment_size.unwrap_or(t.size);
            self.socket.send_run(t.destination, data, stride);
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
            match c
                .conn
                .poll_transmit(now, self.socket.max_segments(), &mut self.buf)
            {
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
            Event::Stream(StreamEvent::Writable { .. }) => {
                if let Some(c) = self.clients.get_mut(&ch) {
                    c.flush();
                }
            }
            Event::Stream(StreamEvent::Finished { id } | StreamEvent::Stopped { id, .. }) => {
                let Some(c) = self.clients.get_mut(&ch) else {
                    return;
                };
                if c.control == Some(id) && c.closing_since.is_some() {
                    c.close(now, CloseReason::BadRequest);
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

    /// Reads what arrived on the control stream and hands whole frames to
    /// the rules as they complete. At most one frame's worth is buffered;
    /// a client that left or was refused is read no further (its bytes are
    /// discarded).
    fn read_control(&mut self, ch: ConnectionHandle, now: Instant) {
        loop {
            let Some(c) = self.clients.get_mut(&ch) else {
                return;
            };
            let (got, end) = c.read_some();
            loop {
                let Some(c) = self.clients.get_mut(&ch) else {
                    return;
                };
                if c.gone {
                    break;
                }
                let Some(frame) = c.next_frame() else { break };
                let id = c.id;
                let actions = match frame {
                    Ok(msg) => self.settings.rules.message(id, msg, now),
                    Err(problem) => self.settings.rules.bad_request(id, problem, now),
                };
                self.apply(actions, now);
            }
            match end {
                StreamEnd::Open if got > 0 => continue,
                StreamEnd::Open => return,
                StreamEnd::Finished | StreamEnd::Reset => {
                    self.leave(ch, now);
                    if let Some(c) = self.clients.get_mut(&ch) {
                        c.close(now, CloseReason::Bye);
                    }
                    return;
                }
            }
        }
    }

    /// Carries out what the rules decided, in order.
    fn apply(&mut self, actions: Vec<Action>, now: Instant) {
        for action in actions {
            let m = &self.settings.metrics;
            match action {
                Action::Send(id, msg) => self.queue(id, &msg),
                Action::Refuse(id, reason) => {
                    m.refusals_total.fetch_add(1, Ordering::Relaxed);
                    self.queue(id, &RelayMsg::Refused { reason });
                }
                Action::BadRequest(id, problem) => self.bad_request(id, now, &problem),
                Action::Close(id, reason) => {
                    let Some(&ch) = self.by_id.get(&id) else {
                        continue;
                    };
                    if let Some(c) = self.clients.get_mut(&ch) {
                        c.gone = true;
                        c.close(now, reason);
                        self.dirty.insert(ch);
                    }
                }
                Action::Paired => {
                    m.pairs_total.fetch_add(1, Ordering::Relaxed);
                    m.pairs_active.fetch_add(1, Ordering::Relaxed);
                }
                Action::Unpaired(record) => {
                    m.pairs_active.fetch_sub(1, Ordering::Relaxed);
                    self.settings.log.write(&record);
                }
            }
        }
        let m = &self.settings.metrics;
        m.waiting
            .store(self.settings.rules.waiting() as u64, Ordering::Relaxed);
        m.lanes_open.store(
            self.settings.rules.lanes().bound() as u64,
            Ordering::Relaxed,
        );
    }

    /// Queues a control message for a client and writes what the stream
    /// takes. A client that does not read what it is sent gets nothing more.
    fn queue(&mut self, id: ConnId, msg: &RelayMsg) {
        let Some(&ch) = self.by_id.get(&id) else {
            return;
        };
        let Ok(bytes) = frame::encode(msg, MAX_CONTROL_FRAME) else {
            return;
        };
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.gone {
            return;
        }
        if c.queue(&bytes).is_err() {
            tracing::info!(addr = %c.conn.remote_address(), "closing a client that does not read");
            c.close(Instant::now(), CloseReason::ControlStreamNotRead);
        }
        self.dirty.insert(ch);
    }

    /// Malformed, oversized, wrong-version or out-of-place (the rules have
    /// already taken the client out of the rendezvous): say so, deliver
    /// it, then close; the relay goes on serving everyone else.
    fn bad_request(&mut self, id: ConnId, now: Instant, problem: &str) {
        let Some(&ch) = self.by_id.get(&id) else {
            return;
        };
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.closing_since.is_some() {
            return; // already refused: its countdown runs on
        }
        self.settings
            .metrics
            .bad_requests_total
            .fetch_add(1, Ordering::Relaxed);
        tracing::info!(addr = %c.conn.remote_address(), "closing a client: {problem}");
        let refusal = RelayMsg::Refused {
            reason: Refusal::BadRequest,
        };
        match frame::encode(&refusal, MAX_CONTROL_FRAME) {
            Ok(bytes) => c.refuse_and_close(&bytes, now),
            Err(_) => {
                c.gone = true;
                c.close(now, CloseReason::BadRequest);
            }
        }
        self.dirty.insert(ch);
    }

    /// A client is leaving or lost: the rules release its registration or
    /// end its pair.
    fn leave(&mut self, ch: ConnectionHandle, now: Instant) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        if c.gone {
            return;
        }
        c.gone = true;
        let actions = self.settings.rules.left(c.id, now);
        self.apply(actions, now);
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
        let actions = self.settings.rules.sweep(now);
        self.apply(actions, now);
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
                c.close(now, reason);
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
                c.close(now, CloseReason::ShuttingDown);
            }
            self.dirty.insert(ch);
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}
