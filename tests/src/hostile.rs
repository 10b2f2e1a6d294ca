//! A relay that does not deserve trust: the real relay library run
//! in-process with an interceptor that records, alters, replays, drops,
//! injects or re-pairs. The tests prove agent and viewer fail closed or
//! recover, and never accept forged data.

use bytes::Bytes;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tessera_proto::Nameplate;
use tessera_relay::tls::RelayIdentity;
use tessera_relay::{Direction, Interceptor, Relay, RelayConfig};

/// A relay with a hostile interceptor, running on its own runtime.
pub struct HostileRelay {
    runtime: Option<tokio::runtime::Runtime>,
    /// Its address.
    pub addr: String,
    /// Its certificate fingerprint.
    pub fingerprint: String,
}

impl HostileRelay {
    /// Starts on a free loopback port with `interceptor` in the path.
    pub fn start(data_dir: &Path, interceptor: Arc<dyn Interceptor>) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let identity = RelayIdentity::load_or_create(data_dir).expect("identity");
        let mut config = RelayConfig::new("127.0.0.1:0".parse().expect("addr"), identity);
        config.interceptor = interceptor;
        let relay = {
            let _guard = runtime.enter();
            Relay::bind(config).expect("bind")
        };
        let addr = relay.local_addr().expect("addr").to_string();
        let fingerprint = relay.fingerprint().to_string();
        runtime.spawn(relay.run());
        Self {
            runtime: Some(runtime),
            addr,
            fingerprint,
        }
    }

    /// The client flags that reach and pin this relay.
    pub fn client_args(&self) -> Vec<String> {
        crate::pinned_relay_args(&self.addr, &self.fingerprint)
    }
}

impl Drop for HostileRelay {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Records every byte it forwards, mailbox and datagrams.
#[derive(Default)]
pub struct Recorder {
    /// Everything seen, concatenated.
    pub bytes: Mutex<Vec<u8>>,
}

impl Interceptor for Recorder {
    fn mailbox(&self, _dir: Direction, payload: Vec<u8>) -> Vec<Vec<u8>> {
        if let Ok(mut b) = self.bytes.lock() {
            b.extend_from_slice(&payload);
        }
        vec![payload]
    }

    fn datagram(&self, _dir: Direction, datagram: Bytes) -> Vec<Bytes> {
        if let Ok(mut b) = self.bytes.lock() {
            b.extend_from_slice(&datagram);
        }
        vec![datagram]
    }
}

/// What a [`Tamperer`] does to datagrams.
#[derive(Clone, Copy, Debug)]
pub enum Tamper {
    /// Flip one bit in every n-th datagram.
    FlipEvery(u64),
    /// Deliver every datagram twice (replay).
    Duplicate,
    /// Drop every n-th datagram.
    DropEvery(u64),
    /// Add a forged datagram after every n-th.
    InjectEvery(u64),
    /// Flip one bit in every datagram after the first n (the channel
    /// becomes unusable: it must fail closed).
    FlipAllAfter(u64),
}

/// Alters datagrams as configured; counts what it altered.
pub struct Tamperer {
    mode: Tamper,
    seen: AtomicU64,
    /// How many datagrams were altered, dropped, duplicated or forged.
    pub tampered: AtomicU64,
}

impl Tamperer {
    /// A tamperer in `mode`.
    pub fn new(mode: Tamper) -> Arc<Self> {
        Arc::new(Self {
            mode,
            seen: AtomicU64::new(0),
            tampered: AtomicU64::new(0),
        })
    }
}

fn flipped(d: &Bytes, n: u64) -> Bytes {
    let mut v = d.to_vec();
    let i = (n as usize * 7 + 1) % v.len().max(1);
    if let Some(b) = v.get_mut(i) {
        *b ^= 0x10;
    }
    Bytes::from(v)
}

impl Interceptor for Tamperer {
    fn datagram(&self, _dir: Direction, d: Bytes) -> Vec<Bytes> {
        let n = self.seen.fetch_add(1, Ordering::Relaxed) + 1;
        let hit = |every: u64| n.is_multiple_of(every);
        let out = match self.mode {
            Tamper::FlipEvery(k) if hit(k) => vec![flipped(&d, n)],
            Tamper::Duplicate => vec![d.clone(), d],
            Tamper::DropEvery(k) if hit(k) => vec![],
            Tamper::InjectEvery(k) if hit(k) => {
                let forged: Vec<u8> = (0..d.len()).map(|i| (i as u64 * 31 + n) as u8).collect();
                vec![d, Bytes::from(forged)]
            }
            Tamper::FlipAllAfter(k) if n > k => vec![flipped(&d, n)],
            _ => return vec![d],
        };
        self.tampered.fetch_add(1, Ordering::Relaxed);
        out
    }
}

/// Flips a bit in every mailbox payload: the PAKE must fail.
#[derive(Default)]
pub struct MailboxFlipper;

impl Interceptor for MailboxFlipper {
    fn mailbox(&self, _dir: Direction, mut payload: Vec<u8>) -> Vec<Vec<u8>> {
        if let Some(last) = payload.last_mut() {
            *last ^= 1;
        }
        vec![payload]
    }
}

/// Pairs a viewer that joins nameplate `from` with the agent waiting under
/// `to` instead (a relay handing the session to a third party).
#[derive(Default)]
pub struct Swapper {
    /// `(from, to)`, set by the test once both codes are known.
    pub swap: Mutex<Option<(Nameplate, Nameplate)>>,
}

impl Interceptor for Swapper {
    fn join(&self, nameplate: Nameplate) -> Nameplate {
        match self.swap.lock().ok().and_then(|s| *s) {
            Some((from, to)) if from == nameplate => to,
            _ => nameplate,
        }
    }
}

/// Forwards faithfully until switched on, then drops every datagram: a
/// network partition between agent and viewer.
#[derive(Default)]
pub struct Blackhole {
    /// When true, nothing gets through.
    pub on: std::sync::atomic::AtomicBool,
}

impl Interceptor for Blackhole {
    fn datagram(&self, _dir: Direction, d: Bytes) -> Vec<Bytes> {
        if self.on.load(Ordering::Relaxed) {
            vec![]
        } else {
            vec![d]
        }
    }
}

/// A slow link from agent to viewer: a policer that forwards at most
/// `bytes_per_sec` (with a burst of a quarter second) and drops the rest,
/// as a congested network does. The other direction is untouched.
pub struct Throttle {
    bytes_per_sec: f64,
    bucket: std::sync::Mutex<(std::time::Instant, f64)>,
}

impl Throttle {
    /// A link of `bytes_per_sec`.
    pub fn new(bytes_per_sec: u32) -> Arc<Self> {
        Arc::new(Self {
            bytes_per_sec: f64::from(bytes_per_sec),
            bucket: std::sync::Mutex::new((std::time::Instant::now(), 0.0)),
        })
    }
}

impl Interceptor for Throttle {
    fn datagram(&self, dir: Direction, d: Bytes) -> Vec<Bytes> {
        if dir == Direction::ViewerToAgent {
            return vec![d];
        }
        let Ok(mut bucket) = self.bucket.lock() else {
            return vec![];
        };
        let (last, tokens) = *bucket;
        let now = std::time::Instant::now();
        let burst = self.bytes_per_sec / 4.0;
        let tokens =
            (tokens + now.duration_since(last).as_secs_f64() * self.bytes_per_sec).min(burst);
        let cost = d.len() as f64;
        if tokens >= cost {
            *bucket = (now, tokens - cost);
            vec![d]
        } else {
            *bucket = (now, tokens);
            vec![]
        }
    }
}
