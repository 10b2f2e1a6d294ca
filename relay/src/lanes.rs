//! The relay's lanes, sans-IO: which UDP address belongs to which paired
//! client, and the tickets and challenges that prove it (see
//! [`tessera_proto::lane`]).
//!
//! Each paired client gets a random ticket. A `Bind` carrying a live
//! ticket, from an address that is no client's connection, earns that
//! address a challenge nonce (one outstanding per client, at most
//! [`MAX_BINDS`] per pairing); the ticket's client that returns the nonce
//! on its control stream within [`CHALLENGE_TTL`] binds the address. A
//! `Bind` without a live ticket costs nothing and is never answered. A
//! client holds at most one lane (a new one replaces the old), an address
//! belongs to at most one client, and a lane ends with its client's pair.

use crate::registry::ConnId;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tessera_proto::lane::{LaneNonce, LanePacket, LaneTicket, LANE_PACKET_LEN};

/// How long a challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(5);
/// Challenges one pairing's client may be sent (its `Bind`s retried, a
/// lane replaced): enough for any honest client, bounded for any other.
pub const MAX_BINDS: u32 = 16;

/// One client's outstanding challenge.
struct Pending {
    nonce: LaneNonce,
    addr: SocketAddr,
    expires: Instant,
}

/// Every lane of the relay.
pub struct Lanes {
    enabled: bool,
    tickets: HashMap<LaneTicket, ConnId>,
    ticket_of: HashMap<ConnId, (LaneTicket, u32)>,
    pending: HashMap<ConnId, Pending>,
    by_addr: HashMap<SocketAddr, ConnId>,
    addr_of: HashMap<ConnId, SocketAddr>,
}

impl Lanes {
    /// No lanes yet; `enabled: false` gives no tickets, so no `Bind` is
    /// ever answered (clients are told `NoLane` and stay on datagrams).
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            tickets: HashMap::new(),
            ticket_of: HashMap::new(),
            pending: HashMap::new(),
            by_addr: HashMap::new(),
            addr_of: HashMap::new(),
        }
    }

    /// Client `id` was just paired: its ticket (`ticket`, drawn by the
    /// caller), or `None` when lanes are off.
    pub fn issue(&mut self, id: ConnId, ticket: LaneTicket) -> Option<LaneTicket> {
        if !self.enabled {
            return None;
        }
        self.release(id);
        self.tickets.insert(ticket, id);
        self.ticket_of.insert(id, (ticket, 0));
        Some(ticket)
    }

    /// Whose `ticket` it is, while its pair lasts.
    pub fn ticket_owner(&self, ticket: &LaneTicket) -> Option<ConnId> {
        self.tickets.get(ticket).copied()
    }

    /// A `Bind` with client `id`'s ticket came from `from` (the caller has
    /// checked `from` is no client's connection): the challenge packet to
    /// send back there, or `None` once the client's binds are used up.
    pub fn challenge(
        &mut self,
        id: ConnId,
        from: SocketAddr,
        nonce: LaneNonce,
        now: Instant,
    ) -> Option<[u8; LANE_PACKET_LEN]> {
        let (_, binds) = self.ticket_of.get_mut(&id)?;
        if *binds >= MAX_BINDS {
            return None;
        }
        *binds += 1;
        self.pending.insert(
            id,
            Pending {
                nonce,
                addr: from,
                expires: now + CHALLENGE_TTL,
            },
        );
        Some(LanePacket::Challenge(nonce).encode())
    }

    /// Client `id` returned `nonce`: binds the address its challenge was
    /// sent to, and returns it; `None` if it is not `id`'s outstanding
    /// challenge, it expired, or the address is another client's lane.
    pub fn claim(&mut self, id: ConnId, nonce: &LaneNonce, now: Instant) -> Option<SocketAddr> {
        let pending = self.pending.get(&id)?;
        if pending.nonce != *nonce {
            return None;
        }
        let pending = self.pending.remove(&id)?;
        if pending.expires < now {
            return None;
        }
        let addr = pending.addr;
        if self.by_addr.get(&addr).is_some_and(|&owner| owner != id) {
            return None;
        }
        if let Some(old) = self.addr_of.insert(id, addr) {
            self.by_addr.remove(&old);
        }
        self.by_addr.insert(addr, id);
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

    /// Client `id`'s lane, ticket and challenge end (its pair ended, or it
    /// left).
    pub fn release(&mut self, id: ConnId) {
        if let Some(addr) = self.addr_of.remove(&id) {
            self.by_addr.remove(&addr);
        }
        if let Some((ticket, _)) = self.ticket_of.remove(&id) {
            self.tickets.remove(&ticket);
        }
        self.pending.remove(&id);
    }

    /// Forgets challenges no longer answerable.
    pub fn sweep(&mut self, now: Instant) {
        self.pending.retain(|_, p| p.expires >= now);
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

    /// Client `id` with ticket `[id; 16]`, its challenge for `port` sent
    /// with nonce `[nonce; 16]`.
    fn challenged(lanes: &mut Lanes, id: u8, port: u16, nonce: u8, now: Instant) {
        lanes.issue(ConnId::from(id), [id; 16]).unwrap();
        let packet = lanes
            .challenge(ConnId::from(id), addr(port), [nonce; 16], now)
            .unwrap();
        assert_eq!(
            LanePacket::parse(&packet),
            Some(LanePacket::Challenge([nonce; 16]))
        );
    }

    #[test]
    fn a_returned_nonce_binds_the_address_it_was_sent_to() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        challenged(&mut lanes, 7, 1, 1, now);
        assert_eq!(lanes.ticket_owner(&[7; 16]), Some(7));
        assert_eq!(lanes.claim(7, &[1; 16], now), Some(addr(1)));
        assert_eq!(lanes.owner(&addr(1)), Some(7));
        assert_eq!(lanes.address(7), Some(addr(1)));
        // A nonce binds once.
        assert_eq!(lanes.claim(7, &[1; 16], now), None);
    }

    #[test]
    fn only_the_ticket_holder_can_claim_its_fresh_challenge() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        challenged(&mut lanes, 7, 1, 1, now);
        lanes.issue(8, [8; 16]).unwrap();
        assert_eq!(
            lanes.claim(8, &[1; 16], now),
            None,
            "another client's nonce"
        );
        assert_eq!(lanes.claim(7, &[9; 16], now), None, "a wrong nonce");
        assert_eq!(
            lanes.claim(7, &[1; 16], now + CHALLENGE_TTL * 2),
            None,
            "stale"
        );
    }

    #[test]
    fn an_address_already_bound_is_not_taken_by_another() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        challenged(&mut lanes, 7, 2, 2, now);
        lanes.claim(7, &[2; 16], now).unwrap();
        challenged(&mut lanes, 8, 2, 3, now);
        assert_eq!(lanes.claim(8, &[3; 16], now), None);
        assert_eq!(lanes.owner(&addr(2)), Some(7));
    }

    #[test]
    fn a_new_lane_replaces_the_old_and_release_ends_all() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        challenged(&mut lanes, 7, 1, 1, now);
        lanes.claim(7, &[1; 16], now).unwrap();
        lanes.challenge(7, addr(2), [2; 16], now).unwrap();
        lanes.claim(7, &[2; 16], now).unwrap();
        assert_eq!(lanes.owner(&addr(1)), None);
        assert_eq!(lanes.address(7), Some(addr(2)));
        lanes.release(7);
        assert_eq!(lanes.owner(&addr(2)), None);
        assert_eq!(lanes.ticket_owner(&[7; 16]), None);
        assert_eq!(lanes.bound(), 0);
    }

    #[test]
    fn binds_are_bounded_per_pairing() {
        let mut lanes = Lanes::new(true);
        let now = Instant::now();
        lanes.issue(7, [7; 16]).unwrap();
        for i in 0..MAX_BINDS {
            assert!(lanes.challenge(7, addr(1), [i as u8; 16], now).is_some());
        }
        assert!(lanes.challenge(7, addr(1), [0xff; 16], now).is_none());
        // Without a ticket there is nothing to answer.
        assert!(lanes.challenge(9, addr(1), [1; 16], now).is_none());
    }

    #[test]
    fn a_relay_with_lanes_off_gives_no_tickets() {
        let mut lanes = Lanes::new(false);
        assert_eq!(lanes.issue(7, [7; 16]), None);
        assert_eq!(lanes.ticket_owner(&[7; 16]), None);
    }
}
