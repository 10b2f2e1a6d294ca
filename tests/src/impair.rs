//! A UDP path with a real network's faults, between clients and the
//! relay: a bottleneck rate with a router's finite queue (tail drop),
//! delay each way, random loss, and reordering. These machines' kernels
//! have no `netem`, so the shaping is done here, in user space, on
//! loopback: clients are given the proxy's address as the relay's.
//!
//! Each client address (a client's connection, its lane) gets its own
//! upstream socket, so the relay sees one address per client flow, as
//! behind a NAT. Timing here is the emulated link's, not a test's
//! synchronisation: tests wait on events as always.

use rand::Rng;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What one direction of the link does to packets.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// The bottleneck, in bits a second (`None`: unlimited).
    pub rate_bps: Option<u64>,
    /// One-way delay (half the round trip it adds).
    pub delay: Duration,
    /// Chance that a packet is lost, 0 to 1.
    pub loss: f64,
    /// Chance that a packet is held back by `delay / 2` + 1 ms more, so
    /// later ones overtake it, 0 to 1.
    pub reorder: f64,
    /// The bottleneck's queue, in bytes: past it, packets are dropped
    /// as a router's full buffer drops them.
    pub queue_bytes: usize,
}

impl Link {
    /// A home connection as issue 15 describes it, each way: 10 Mbit/s,
    /// 20 ms (40 ms round trip), 0.5 % loss, a little reordering, a
    /// queue of 50 ms at the rate.
    pub fn home() -> Self {
        Self {
            rate_bps: Some(10_000_000),
            delay: Duration::from_millis(20),
            loss: 0.005,
            reorder: 0.01,
            queue_bytes: 10_000_000 / 8 / 20,
        }
    }
}

/// What the link did, for tests to check the faults happened.
#[derive(Debug, Default)]
pub struct Counts {
    /// Packets that entered the link.
    pub packets: AtomicU64,
    /// Lost at random.
    pub lost: AtomicU64,
    /// Dropped by the full queue.
    pub overflowed: AtomicU64,
    /// Held back to be overtaken.
    pub reordered: AtomicU64,
}

/// A packet on its way.
struct InFlight {
    due: Instant,
    seq: u64,
    /// Where it leaves from (an index into `sockets`) and to.
    from: usize,
    to: SocketAddr,
    bytes: Vec<u8>,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for InFlight {}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}

/// One direction: its shaping state and the packets in flight.
struct Direction {
    link: Link,
    state: Mutex<DirectionState>,
    wake: Condvar,
}

struct DirectionState {
    heap: BinaryHeap<Reverse<InFlight>>,
    /// When the bottleneck finishes sending what it holds.
    busy_until: Instant,
    seq: u64,
}

/// The shared parts: the client-facing socket, one upstream socket per
/// client flow, both directions.
struct Shared {
    relay: SocketAddr,
    front: Arc<UdpSocket>,
    sockets: Mutex<Vec<Arc<UdpSocket>>>,
    flows: Mutex<HashMap<SocketAddr, usize>>,
    up: Direction,
    down: Direction,
    counts: Counts,
    stop: AtomicBool,
}

/// The proxy; dropping it stops it.
pub struct ImpairedPath {
    /// The address clients use as the relay's.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

/// The socket index of the client-facing socket.
const FRONT: usize = 0;

impl ImpairedPath {
    /// Starts a proxy to `relay`; `up` shapes what clients send, `down`
    /// what they receive.
    pub fn start(relay: SocketAddr, up: Link, down: Link) -> Self {
        let front = Arc::new(UdpSocket::bind("127.0.0.1:0").expect("bind the proxy"));
        let addr = front.local_addr().expect("proxy address");
        let direction = |link| Direction {
            link,
            state: Mutex::new(DirectionState {
                heap: BinaryHeap::new(),
                busy_until: Instant::now(),
                seq: 0,
            }),
            wake: Condvar::new(),
        };
        let shared = Arc::new(Shared {
            relay,
            front: front.clone(),
            sockets: Mutex::new(vec![front]),
            flows: Mutex::new(HashMap::new()),
            up: direction(up),
            down: direction(down),
            counts: Counts::default(),
            stop: AtomicBool::new(false),
        });
        for up in [true, false] {
            let s = shared.clone();
            thread::spawn(move || s.deliver(up));
        }
        let s = shared.clone();
        thread::spawn(move || s.read_front());
        Self { addr, shared }
    }

    /// What the link did so far.
    pub fn counts(&self) -> &Counts {
        &self.shared.counts
    }

    /// Client flags that reach `fingerprint`'s relay through this path.
    pub fn client_args(&self, fingerprint: &str) -> Vec<String> {
        crate::pinned_relay_args(&self.addr.to_string(), fingerprint)
    }
}

impl Drop for ImpairedPath {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.up.wake.notify_all();
        self.shared.down.wake.notify_all();
    }
}

/// How long a blocking read waits before looking at `stop`.
const POLL: Duration = Duration::from_millis(100);

impl Shared {
    /// Reads what clients send; each new client address gets an upstream
    /// socket and a reader for the relay's answers to it.
    fn read_front(self: Arc<Self>) {
        let _ = self.front.set_read_timeout(Some(POLL));
        let mut buf = vec![0u8; 65_536];
        while !self.stop.load(Ordering::Relaxed) {
            let Ok((n, client)) = self.front.recv_from(&mut buf) else {
                continue;
            };
            let from = self.flow(client);
            self.enter(true, from, self.relay, &buf[..n]);
        }
    }

    /// The upstream socket index of `client`'s flow, made at its first
    /// packet.
    fn flow(self: &Arc<Self>, client: SocketAddr) -> usize {
        let mut flows = self.flows.lock().expect("flows");
        if let Some(&i) = flows.get(&client) {
            return i;
        }
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").expect("bind upstream"));
        let index = {
            let mut sockets = self.sockets.lock().expect("sockets");
            sockets.push(socket.clone());
            sockets.len() - 1
        };
        flows.insert(client, index);
        let s = self.clone();
        thread::spawn(move || {
            let _ = socket.set_read_timeout(Some(POLL));
            let mut buf = vec![0u8; 65_536];
            while !s.stop.load(Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    if from == s.relay {
                        s.enter(false, FRONT, client, &buf[..n]);
                    }
                }
            }
        });
        index
    }

    /// A packet enters one direction of the link: lost, dropped by the
    /// full queue, or scheduled for when the bottleneck and the delay
    /// let it out.
    fn enter(&self, up: bool, from: usize, to: SocketAddr, bytes: &[u8]) {
        let dir = if up { &self.up } else { &self.down };
        let link = dir.link;
        self.counts.packets.fetch_add(1, Ordering::Relaxed);
        let mut rng = rand::thread_rng();
        if rng.gen_bool(link.loss.clamp(0.0, 1.0)) {
            self.counts.lost.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut state = dir.state.lock().expect("link");
        let now = Instant::now();
        let sent = match link.rate_bps {
            Some(rate) => {
                // What waits for the bottleneck (not what is already on
                // its way): the queue a router would hold.
                let backlog = state
                    .busy_until
                    .saturating_duration_since(now)
                    .as_secs_f64()
                    * rate as f64
                    / 8.0;
                if backlog as usize + bytes.len() > link.queue_bytes {
                    self.counts.overflowed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                let wire = Duration::from_secs_f64(bytes.len() as f64 * 8.0 / rate as f64);
                let start = state.busy_until.max(now);
                state.busy_until = start + wire;
                start + wire
            }
            None => now,
        };
        let mut due = sent + link.delay;
        if rng.gen_bool(link.reorder.clamp(0.0, 1.0)) {
            due += link.delay / 2 + Duration::from_millis(1);
            self.counts.reordered.fetch_add(1, Ordering::Relaxed);
        }
        state.seq += 1;
        let seq = state.seq;
        state.heap.push(Reverse(InFlight {
            due,
            seq,
            from,
            to,
            bytes: bytes.to_vec(),
        }));
        dir.wake.notify_one();
    }

    /// Sends each packet of one direction when it is due (outside the
    /// lock, so packets keep entering meanwhile).
    fn deliver(self: Arc<Self>, up: bool) {
        let dir = if up { &self.up } else { &self.down };
        while let Some(packet) = self.next_due(dir) {
            let socket = self.sockets.lock().expect("sockets")[packet.from].clone();
            let _ = socket.send_to(&packet.bytes, packet.to);
        }
    }

    /// Waits for the next packet due in `dir`; `None` once stopped.
    fn next_due(&self, dir: &Direction) -> Option<InFlight> {
        let mut state = dir.state.lock().expect("link");
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            let now = Instant::now();
            let wait = match state.heap.peek() {
                Some(Reverse(p)) if p.due <= now => return state.heap.pop().map(|r| r.0),
                Some(Reverse(p)) => p.due - now,
                None => POLL,
            };
            state = dir.wake.wait_timeout(state, wait).expect("link").0;
        }
    }
}
