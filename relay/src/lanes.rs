//! The relay's lanes, sans-IO: which UDP address belongs to which paired
//! client, and the challenges that prove it (see [`tessera_proto::lane`]).
//!
//! A `Bind` packet from an address earns that address a challenge nonce;
//! the client that returns the nonce on its control stream, within
//! [`CHALLENGE_TTL`], binds the address. A client holds at most one lane
//! (a new one replaces the old), an address belongs to at most one client,
//! and a lane ends with its client's pair.

use crate::registry::ConnId;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tessera_proto::lane::{LaneNonce, LanePacket, LANE_PACKET_LEN};

/// How long a challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(5);
/// Challenges outstanding at most; past it, `Bind` packets are ignored
/// until the sweep clears stale ones (each costs the relay a packet out).
pub const MAX_PENDING: usize = 4096;

/// Every lane of the relay.
pub struct Lanes {
    enabled: bool,
    pending: HashMap<LaneNonce, (SocketAddr, Instant)>,
    by_addr: HashMap<SocketAddr, ConnId>,
    addr_of: HashMap<ConnId, SocketAddr>,
}

impl Lanes {
    /// No lanes yet; `enabled: false` makes the relay ignore `Bind`
    /// packets and answer `NoLane` (clients then stay on datagrams).
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            pending: HashMap::new(),
            by_addr: HashMap::new(),
            addr_of: HashMap::new(),
        }
    }

    /// A `Bind` from `from`: the challenge packet to send back there, or
    /// `None` (lanes off, or too many outstanding).
    pub fn challenge(
        &mut self,
        from: SocketAddr,
        nonce: LaneNonce,
        now: Instant,
    ) -> Option<[u8; LANE_PACKET_LEN]> {
        if !self.enabled || self.pending.len() >= MAX_PENDING {
            return None;
        }
        self.pending.insert(nonce, (from, now + CHALLENGE_TTL));
        Some(LanePacket::Challenge(nonce).encode())
    }

    /// Client `id` returned `nonce`: binds the address it was sent to, and
    /// returns it; `None` if the nonce is unknown or expired, or the
    /// address is another client's lane. The caller checks `id` is paired.
    pub fn claim(&mut self, id: ConnId, nonce: &LaneNonce, now: Instant) -> Option<SocketAddr> {
        let (addr, expires) = self.pending.remove(nonce)?;
        if expires < now {
            return None;
        }
        match self.by_addr.get(&addr) {
            Some(&owner) if owner != id => return None,
            _ => {}
        }
        self.release(id);
        self.by_addr.insert(addr, id);
        self.addr_of.insert(id, addr);
        Some(addr)
    }

    /// Whose lane `addr` is.
    pub fn owner(&self, addr: &SocketAddr) -> Option<ConnId> {
        self.by_addr.get(addr).copied()
    }

    /// Where client `id`'s packets are delivered, if it has a lane.
    pub fn address(&self, id: ConnId) -> Option<SocketAddr> {
        self.addr_of.get(&id).copied()
    }

    /// Client `id`'s lane ends (its pair ended, or it left).
    pub fn release(&mut self, id: ConnId) {
        if let Some(addr) = self.addr_of.remove(&id) {
            self.by_addr.remove(&addr);
        }
    }

    /// Forgets challenges no longer answerable.
    pub fn sweep(&mut self, now: Instant) {
        self.pending.retain(|_, (_, expires)| *expires >= now);
    }

    /// How many lanes are bound (for metrics).
    pub fn bound(&self) -> usize {
        self.addr_of.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 9], port))
    }

    #[test]
    fn a_returned_nonce_binds_the_address_it_was_sent_to() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        let packet = lanes.challenge(addr(1), [1; 16], now).unwrap();
        assert_eq!(
            LanePacket::parse(&packet),
            Some(LanePacket::Challenge([1; 16]))
        );
        assert_eq!(lanes.claim(7, &[1; 16], now), Some(addr(1)));
        assert_eq!(lanes.owner(&addr(1)), Some(7));
        assert_eq!(lanes.address(7), Some(addr(1)));
        // A nonce binds once.
        assert_eq!(lanes.claim(8, &[1; 16], now), None);
    }

    #[test]
    fn unknown_stale_or_taken_nonces_bind_nothing() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        assert_eq!(lanes.claim(7, &[9; 16], now), None);
        lanes.challenge(addr(1), [1; 16], now).unwrap();
        assert_eq!(lanes.claim(7, &[1; 16], now + CHALLENGE_TTL * 2), None);
        // Client 7 holds addr(2); a challenge to addr(2) claimed by 8 fails.
        lanes.challenge(addr(2), [2; 16], now).unwrap();
        lanes.claim(7, &[2; 16], now).unwrap();
        lanes.challenge(addr(2), [3; 16], now).unwrap();
        assert_eq!(lanes.claim(8, &[3; 16], now), None);
        assert_eq!(lanes.owner(&addr(2)), Some(7));
    }

    #[test]
    fn a_new_lane_replaces_the_old_and_release_frees_the_address() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        lanes.challenge(addr(1), [1; 16], now).unwrap();
        lanes.claim(7, &[1; 16], now).unwrap();
        lanes.challenge(addr(2), [2; 16], now).unwrap();
        lanes.claim(7, &[2; 16], now).unwrap();
        assert_eq!(lanes.owner(&addr(1)), None);
        assert_eq!(lanes.address(7), Some(addr(2)));
        lanes.release(7);
        assert_eq!(lanes.owner(&addr(2)), None);
        assert_eq!(lanes.bound(), 0);
    }

    #[test]
    fn outstanding_challenges_are_capped_and_swept() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        for i in 0..MAX_PENDING {
            let nonce: [u8; 16] = (i as u128).to_le_bytes();
            assert!(lanes.challenge(addr(1), nonce, now).is_some());
        }
        assert!(lanes.challenge(addr(1), [0xff; 16], now).is_none());
        lanes.sweep(now + CHALLENGE_TTL * 2);
        assert!(lanes.challenge(addr(1), [0xff; 16], now).is_some());
    }

    #[test]
    fn a_relay_with_lanes_off_never_challenges() {
        let mut lanes = Lanes::new(false);
        assert!(lanes.challenge(addr(1), [1; 16], Instant::now()).is_none());
    }
}
