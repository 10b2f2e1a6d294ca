//! The engine's forwarding: lanes' `Bind`s answered, runs from bound lanes
//! and datagrams from paired connections delivered to the peer (its lane
//! or its datagrams), through the interceptor, and counted.

use super::Engine;
use crate::rules::Route;
use bytes::Bytes;
use quinn_proto::ConnectionHandle;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tessera_proto::lane::LaneTicket;

impl Engine {
    /// A `Bind` with `ticket` from `from`: a challenge back there, if the
    /// ticket is live and `from` is no client's connection (a lane must
    /// never capture a connection's own packets).
    pub(super) fn bind(&mut self, now: Instant, from: SocketAddr, ticket: &LaneTicket) {
        let Some(id) = self.settings.rules.lanes().ticket_owner(ticket) else {
            return;
        };
        if self
            .clients
            .values()
            .any(|c| c.conn.remote_address() == from)
        {
            return;
        }
        let nonce = rand::random();
        if let Some(reply) = self.settings.rules.lanes().challenge(id, from, nonce, now) {
            self.socket.send(from, &reply);
        }
    }

    /// A run of packets of `stride` bytes from one address: a bound lane's
    /// (forwarded whole), or datagrams one by one.
    pub(super) fn run_from(&mut self, now: Instant, from: SocketAddr, data: &[u8], stride: usize) {
        if let Some(sender) = self.settings.rules.lanes().owner(&from) {
            if let Some(route) = self.settings.rules.route(sender) {
                self.deliver_run(route, data, stride);
            }
            return;
        }
        for packet in data.chunks(stride) {
            self.datagram(now, from, packet);
        }
    }

    /// Forwards every datagram that arrived on `ch` to its peer, blindly.
    pub(super) fn forward(&mut self, ch: ConnectionHandle) {
        let Some(c) = self.clients.get_mut(&ch) else {
            return;
        };
        let Some(route) = self.settings.rules.route(c.id) else {
            while c.conn.datagrams().recv().is_some() {} // not paired: dropped
            return;
        };
        let mut incoming = Vec::new();
        while let Some(d) = c.conn.datagrams().recv() {
            incoming.push(d);
        }
        self.deliver(route, incoming);
    }

    /// Delivers a run of lane packets: whole, in as few system calls as
    /// GSO allows, when the peer has a lane and nothing intercepts; else
    /// packet by packet.
    fn deliver_run(&mut self, route: Route, data: &[u8], stride: usize) {
        match self.settings.rules.lanes().address(route.peer) {
            Some(addr) if self.settings.interceptor.passes_through() => {
                self.socket.forward_run(addr, data, stride);
                self.count(route, data.len() as u64, true);
            }
            _ => self.deliver(route, data.chunks(stride).map(Bytes::copy_from_slice)),
        }
    }

    /// Delivers end-to-end packets to `route`'s peer, through the
    /// interceptor: on its lane if it has one, else as datagrams of its
    /// connection. A full buffer or a packet too large drops it, as a
    /// router would; the end-to-end connection recovers.
    fn deliver(&mut self, route: Route, incoming: impl IntoIterator<Item = Bytes>) {
        let lane = self.settings.rules.lanes().address(route.peer);
        let peer = self.by_id.get(&route.peer).copied();
        let mut bytes = 0u64;
        for packet in incoming {
            for d in self.settings.interceptor.datagram(route.dir, packet) {
                bytes += d.len() as u64;
                match (lane, peer) {
                    (Some(addr), _) => self.socket.forward_run(addr, &d, d.len()),
                    (None, Some(ch)) => {
                        if let Some(p) = self.clients.get_mut(&ch) {
                            let _ = p.conn.datagrams().send(d, true);
                        }
                    }
                    (None, None) => {}
                }
            }
        }
        self.count(route, bytes, lane.is_some());
        if let (None, Some(ch)) = (lane, peer) {
            self.dirty.insert(ch);
        }
    }

    /// Counts forwarded bytes for the metrics and the pair's record.
    fn count(&mut self, route: Route, bytes: u64, on_lane: bool) {
        let m = &self.settings.metrics;
        m.bytes_forwarded_total.fetch_add(bytes, Ordering::Relaxed);
        if on_lane {
            m.lane_bytes_total.fetch_add(bytes, Ordering::Relaxed);
        }
        self.settings.rules.forwarded(route, bytes);
    }
}
