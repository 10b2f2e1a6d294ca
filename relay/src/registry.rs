//! The relay's nameplate registry, sans-IO: nameplate allocation, expiry,
//! pairing once only, quarantine of used numbers, and per-address limits.
//! The relay's protocol rules (`rules.rs`) feed it requests with the
//! current time; it holds no socket.

use rand::Rng;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};
use tessera_proto::relay::{Refusal, SessionId};
use tessera_proto::Nameplate;

/// Identifies one client connection at the relay.
pub type ConnId = u64;

/// Limits an operator may tune; defaults suit a public relay.
#[derive(Clone, Debug)]
pub struct Limits {
    /// How long a nameplate waits for a viewer.
    pub nameplate_ttl: Duration,
    /// How long a used, burned or expired nameplate stays unallocatable, so
    /// an old code can never reach a new agent.
    pub quarantine: Duration,
    /// Waiting registrations one address may hold.
    pub max_waiting_per_ip: u32,
    /// Join attempts one address may make in a burst...
    pub join_burst: u32,
    /// ...refilled at this many per minute.
    pub joins_per_minute: u32,
    /// Registrations one address may make in a burst (every one quarantines
    /// a nameplate, so cycling them must be bounded)...
    pub register_burst: u32,
    /// ...refilled at this many per minute.
    pub registers_per_minute: u32,
    /// Waiting registrations in all.
    pub max_waiting: usize,
    /// The per-address limits count an IPv6 address by its first this many
    /// bits (32 to 128, others are clamped; default 64), since one host
    /// commonly holds a whole /64. IPv4 addresses, and IPv4 addresses
    /// mapped into IPv6, count whole.
    pub ipv6_prefix: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            nameplate_ttl: Duration::from_secs(600),
            quarantine: Duration::from_secs(600),
            max_waiting_per_ip: 20,
            join_burst: 10,
            joins_per_minute: 30,
            register_burst: 20,
            registers_per_minute: 60,
            max_waiting: 200_000,
            ipv6_prefix: 64,
        }
    }
}

#[derive(Debug)]
struct Waiting {
    agent: ConnId,
    /// The [`Source`] the registration counts against.
    source: Source,
    expires_at: Instant,
}

/// What the per-address limits count against: an IPv4 address, or an
/// IPv6 address with every bit past the configured prefix cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Source(IpAddr);

impl Source {
    fn of(ip: IpAddr, ipv6_prefix: u8) -> Self {
        match ip {
            IpAddr::V4(v4) => Source(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => {
                    let bits = u32::from(ipv6_prefix.clamp(MIN_IPV6_PREFIX, MAX_IPV6_PREFIX));
                    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                    Source(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)))
                }
            },
        }
    }
}

/// The shortest IPv6 prefix [`Limits::ipv6_prefix`] may name: coarser
/// would lump whole providers together.
pub const MIN_IPV6_PREFIX: u8 = 32;
/// The longest: one address.
pub const MAX_IPV6_PREFIX: u8 = 128;

/// A token bucket of one address for one kind of request.
#[derive(Debug)]
struct Tokens {
    tokens: f64,
    at: Instant,
}

/// The kinds of request that are rate limited per address.
#[derive(Clone, Copy, Debug)]
enum Bucket {
    Join,
    Register,
}

/// A successful join.
#[derive(Debug, PartialEq, Eq)]
pub struct Pairing {
    /// The agent's connection.
    pub agent: ConnId,
    /// The new pairing's identifier.
    pub session_id: SessionId,
}

/// The rendezvous state of one relay.
#[derive(Debug)]
pub struct Registry {
    limits: Limits,
    waiting: HashMap<Nameplate, Waiting>,
    /// The nameplate each waiting agent holds, so a departure costs O(1).
    by_agent: HashMap<ConnId, Nameplate>,
    /// Nameplates that may not be allocated again yet: until when, and
    /// what a viewer trying one is told.
    quarantined: HashMap<Nameplate, (Instant, Refusal)>,
    waiting_per_source: HashMap<Source, u32>,
    joins: HashMap<Source, Tokens>,
    registers: HashMap<Source, Tokens>,
}

/// The ranges nameplates come from, shortest first.
const RANGES: [(u32, u32); 7] = [
    (100, 999),
    (1_000, 9_999),
    (10_000, 99_999),
    (100_000, 999_999),
    (1_000_000, 9_999_999),
    (10_000_000, 99_999_999),
    (100_000_000, 999_999_999),
];

impl Registry {
    /// An empty registry.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            waiting: HashMap::new(),
            by_agent: HashMap::new(),
            quarantined: HashMap::new(),
            waiting_per_source: HashMap::new(),
            joins: HashMap::new(),
            registers: HashMap::new(),
        }
    }

    /// How many agents wait for a viewer.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Allocates a nameplate for `agent`: the shortest free number, chosen
    /// at random among the free ones of that length.
    pub fn register(
        &mut self,
        agent: ConnId,
        ip: IpAddr,
        now: Instant,
    ) -> Result<(Nameplate, Duration), Refusal> {
        let source = self.source(ip);
        self.take_token(Bucket::Register, source, now)?;
        if self.waiting.len() >= self.limits.max_waiting {
            return Err(Refusal::Busy);
        }
        let held = self.waiting_per_source.get(&source).copied().unwrap_or(0);
        if held >= self.limits.max_waiting_per_ip {
            return Err(Refusal::RateLimited);
        }
        let nameplate = self.free_nameplate().ok_or(Refusal::Busy)?;
        *self.waiting_per_source.entry(source).or_default() += 1;
        self.by_agent.insert(agent, nameplate);
        self.waiting.insert(
            nameplate,
            Waiting {
                agent,
                source,
                expires_at: now + self.limits.nameplate_ttl,
            },
        );
        Ok((nameplate, self.limits.nameplate_ttl))
    }

    fn source(&self, ip: IpAddr) -> Source {
        Source::of(ip, self.limits.ipv6_prefix)
    }

    fn taken(&self, n: u32) -> bool {
        Nameplate::new(n)
            .is_none_or(|n| self.waiting.contains_key(&n) || self.quarantined.contains_key(&n))
    }

    fn free_nameplate(&self) -> Option<Nameplate> {
        let mut rng = rand::thread_rng();
        for (lo, hi) in RANGES {
            // Random probes find a free number fast while the range is not
            // nearly full; a scan from a random start settles the rest.
            for _ in 0..64 {
                let n = rng.gen_range(lo..=hi);
                if !self.taken(n) {
                    return Nameplate::new(n);
                }
            }
            let start = rng.gen_range(lo..=hi);
            if let Some(n) = (start..=hi).chain(lo..start).find(|n| !self.taken(*n)) {
                return Nameplate::new(n);
            }
        }
        None
    }

    /// Pairs a viewer with the agent waiting under `nameplate`. The
    /// nameplate is consumed: a second join, or the right code after a
    /// wrong one, finds nothing. A nameplate past its expiry is refused
    /// even before the sweep (which tells its agent) has removed it.
    pub fn join(
        &mut self,
        nameplate: Nameplate,
        ip: IpAddr,
        now: Instant,
    ) -> Result<Pairing, Refusal> {
        let source = self.source(ip);
        self.take_token(Bucket::Join, source, now)?;
        if self
            .waiting
            .get(&nameplate)
            .is_some_and(|w| w.expires_at <= now)
        {
            return Err(Refusal::Expired);
        }
        match self.take(nameplate) {
            Some(w) => {
                self.quarantine(nameplate, now, Refusal::NameplateUsed);
                Ok(Pairing {
                    agent: w.agent,
                    session_id: rand::random(),
                })
            }
            None => Err(self
                .quarantined
                .get(&nameplate)
                .map_or(Refusal::UnknownNameplate, |(_, why)| *why)),
        }
    }

    fn take_token(&mut self, kind: Bucket, source: Source, now: Instant) -> Result<(), Refusal> {
        let (burst, per_minute, buckets) = match kind {
            Bucket::Join => (
                self.limits.join_burst,
                self.limits.joins_per_minute,
                &mut self.joins,
            ),
            Bucket::Register => (
                self.limits.register_burst,
                self.limits.registers_per_minute,
                &mut self.registers,
            ),
        };
        let burst = f64::from(burst);
        let rate = f64::from(per_minute) / 60.0;
        let bucket = buckets.entry(source).or_insert(Tokens {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return Err(Refusal::RateLimited);
        }
        bucket.tokens -= 1.0;
        Ok(())
    }

    /// The agent left before anyone joined: free its nameplate (quarantined,
    /// since the code may still be read aloud somewhere).
    pub fn unregister(&mut self, agent: ConnId, now: Instant) {
        if let Some(n) = self.by_agent.get(&agent).copied() {
            if self.take(n).is_some() {
                self.quarantine(n, now, Refusal::NameplateUsed);
            }
        }
    }

    /// Removes a waiting nameplate with everything that indexes it.
    fn take(&mut self, nameplate: Nameplate) -> Option<Waiting> {
        let w = self.waiting.remove(&nameplate)?;
        self.by_agent.remove(&w.agent);
        self.release_source(w.source);
        Some(w)
    }

    fn quarantine(&mut self, nameplate: Nameplate, now: Instant, why: Refusal) {
        self.quarantined
            .insert(nameplate, (now + self.limits.quarantine, why));
    }

    fn release_source(&mut self, source: Source) {
        if let Some(c) = self.waiting_per_source.get_mut(&source) {
            *c = c.saturating_sub(1);
            if *c == 0 {
                self.waiting_per_source.remove(&source);
            }
        }
    }

    /// Expires nameplates and quarantines that ran out; returns the agents
    /// whose nameplate expired, to be told.
    pub fn expire(&mut self, now: Instant) -> Vec<ConnId> {
        self.quarantined.retain(|_, (until, _)| *until > now);
        let expired: Vec<Nameplate> = self
            .waiting
            .iter()
            .filter(|(_, w)| w.expires_at <= now)
            .map(|(n, _)| *n)
            .collect();
        let mut agents = Vec::with_capacity(expired.len());
        for n in expired {
            if let Some(w) = self.take(n) {
                self.quarantine(n, now, Refusal::Expired);
                agents.push(w.agent);
            }
        }
        let window = Duration::from_secs(120);
        for buckets in [&mut self.joins, &mut self.registers] {
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < window);
        }
        agents
    }

    /// When the next nameplate expires, for the server's timer.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.waiting.values().map(|w| w.expires_at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    fn np(n: u32) -> Nameplate {
        Nameplate::new(n).expect("nameplate")
    }

    /// An address of the host holding 2001:db8:1:2::/64 (`n` in its
    /// interface identifier), or of its neighbour's /64 with `other`.
    fn v6(other: bool, n: u16) -> IpAddr {
        let subnet = if other { 3 } else { 2 };
        IpAddr::from([0x2001, 0xdb8, 1, subnet, 0, 0, n >> 8, n & 0xff])
    }

    fn unlimited() -> Limits {
        Limits {
            max_waiting_per_ip: 10_000,
            register_burst: 10_000,
            ..Limits::default()
        }
    }

    #[test]
    fn an_expired_nameplate_is_refused_before_the_sweep_and_announced_by_it() {
        let mut r = Registry::new(Limits::default());
        let now = Instant::now();
        let (n, _) = r.register(5, ip(1), now).expect("room");
        let late = now + Duration::from_secs(600);
        assert_eq!(r.join(n, ip(2), late), Err(Refusal::Expired));
        assert_eq!(r.expire(late), vec![5], "the sweep still tells the agent");
    }

    #[test]
    fn registrations_are_rate_limited_per_address() {
        let mut r = Registry::new(Limits {
            register_burst: 2,
            registers_per_minute: 60,
            ..Limits::default()
        });
        let now = Instant::now();
        for agent in 0..2 {
            r.register(agent, ip(1), now).expect("burst");
            r.unregister(agent, now);
        }
        assert_eq!(r.register(9, ip(1), now), Err(Refusal::RateLimited));
        r.register(9, ip(1), now + Duration::from_secs(1))
            .expect("refilled");
    }

    #[test]
    fn three_digits_while_there_is_room_then_longer() {
        let mut r = Registry::new(unlimited());
        let now = Instant::now();
        let mut lengths = Vec::new();
        for agent in 0..1000 {
            let (n, _) = r.register(agent, ip(1), now).expect("room");
            lengths.push(n.to_string().len());
        }
        assert!(
            lengths[..900].iter().all(|l| *l == 3),
            "the first 900 are 3 digits"
        );
        assert!(lengths[900..].iter().all(|l| *l == 4));
        assert_eq!(r.waiting(), 1000);
    }

    #[test]
    fn join_pairs_once_and_then_the_nameplate_is_used() {
        let mut r = Registry::new(Limits::default());
        let now = Instant::now();
        let (n, ttl) = r.register(7, ip(1), now).expect("room");
        assert_eq!(ttl, Duration::from_secs(600));
        let pairing = r.join(n, ip(2), now).expect("paired");
        assert_eq!(pairing.agent, 7);
        assert_eq!(r.join(n, ip(3), now), Err(Refusal::NameplateUsed));
        assert_eq!(
            r.join(np(999_999), ip(3), now),
            Err(Refusal::UnknownNameplate)
        );
    }

    #[test]
    fn used_nameplates_are_not_reallocated_during_quarantine() {
        let mut r = Registry::new(unlimited());
        let now = Instant::now();
        let (first, _) = r.register(1, ip(1), now).expect("room");
        r.join(first, ip(2), now).expect("paired");
        for agent in 2..900 {
            let (n, _) = r.register(agent, ip(1), now).expect("room");
            assert_ne!(n, first);
        }
        let later = now + Duration::from_secs(601);
        r.expire(later);
        assert!(!r.quarantined.contains_key(&first));
    }

    #[test]
    fn nameplates_expire_and_report_their_agent() {
        let mut r = Registry::new(Limits::default());
        let now = Instant::now();
        let (n, _) = r.register(5, ip(1), now).expect("room");
        assert_eq!(r.next_expiry(), Some(now + Duration::from_secs(600)));
        assert!(r.expire(now + Duration::from_secs(599)).is_empty());
        assert_eq!(r.expire(now + Duration::from_secs(600)), vec![5]);
        assert_eq!(
            r.join(n, ip(2), now + Duration::from_secs(601)),
            Err(Refusal::Expired)
        );
    }

    #[test]
    fn per_address_limits() {
        let mut r = Registry::new(Limits {
            max_waiting_per_ip: 2,
            join_burst: 3,
            joins_per_minute: 60,
            ..Limits::default()
        });
        let now = Instant::now();
        r.register(1, ip(1), now).expect("first");
        r.register(2, ip(1), now).expect("second");
        assert_eq!(r.register(3, ip(1), now), Err(Refusal::RateLimited));
        r.register(4, ip(2), now)
            .expect("another address is not limited");
        r.unregister(1, now);
        r.register(5, ip(1), now)
            .expect("room again after one left");
        for _ in 0..3 {
            assert_eq!(r.join(np(5555), ip(9), now), Err(Refusal::UnknownNameplate));
        }
        assert_eq!(r.join(np(5555), ip(9), now), Err(Refusal::RateLimited));
        let later = now + Duration::from_secs(1);
        assert_eq!(
            r.join(np(5555), ip(9), later),
            Err(Refusal::UnknownNameplate)
        );
    }

    #[test]
    fn one_ipv6_slash_64_is_one_address_for_the_limits() {
        let mut r = Registry::new(Limits::default());
        let now = Instant::now();
        for (agent, n) in (1..=20).zip(1u16..) {
            r.register(agent, v6(false, n), now)
                .expect("within the limit");
        }
        assert_eq!(
            r.register(21, v6(false, 21), now),
            Err(Refusal::RateLimited),
            "a 21st address of the same /64 is the same host"
        );
        r.register(22, v6(true, 1), now)
            .expect("the neighbouring /64 has its own limit");
        for n in 1..=10 {
            assert_eq!(
                r.join(np(5555), v6(false, 100 + n), now),
                Err(Refusal::UnknownNameplate)
            );
        }
        assert_eq!(
            r.join(np(5555), v6(false, 200), now),
            Err(Refusal::RateLimited)
        );
    }

    #[test]
    fn the_ipv6_prefix_is_configurable_and_mapped_ipv4_counts_as_ipv4() {
        let mut r = Registry::new(Limits {
            max_waiting_per_ip: 1,
            ipv6_prefix: 128,
            ..Limits::default()
        });
        let now = Instant::now();
        r.register(1, v6(false, 1), now).expect("first");
        r.register(2, v6(false, 2), now)
            .expect("with /128 every address counts alone");
        r.register(3, ip(7), now).expect("an IPv4 address");
        let mapped = IpAddr::from(std::net::Ipv4Addr::new(10, 0, 0, 7).to_ipv6_mapped());
        assert_eq!(
            r.register(4, mapped, now),
            Err(Refusal::RateLimited),
            "the same IPv4 address, mapped into IPv6"
        );
    }

    #[test]
    fn capacity_limit_says_busy() {
        let mut r = Registry::new(Limits {
            max_waiting: 1,
            ..Limits::default()
        });
        let now = Instant::now();
        r.register(1, ip(1), now).expect("first");
        assert_eq!(r.register(2, ip(2), now), Err(Refusal::Busy));
    }
}
