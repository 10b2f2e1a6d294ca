//! Who may send what, and when: the relay's per-connection protocol rules,
//! sans-IO. The [engine](crate::engine) feeds in each client's messages,
//! departures and the sweep's ticks, with the time; the rules answer with
//! [`Action`]s for the engine to carry out. Nameplates themselves are the
//! [`Registry`]'s; this module adds the roles, the pairs, the mailbox caps
//! and how a pair ends.
//!
//! | role | allowed | anything else |
//! |---|---|---|
//! | fresh | `Register`, `Join`, `Burn` (no effect), `Close`; a late `Mailbox` (the client was paired before) is dropped | bad request |
//! | waiting | `Burn` (releases the nameplate), `Close` | bad request |
//! | paired | `Mailbox` (capped), `Burn` by the agent, `OpenLane`, `Close` | bad request |
//!
//! Right after `Paired`, each side gets its lane ticket (`LaneTicket`), or
//! `NoLane` on a relay without lanes. `OpenLane` is answered `LaneOpen`
//! or `LaneRefused` with its nonce; from a client that is not paired it
//! is refused (a pair can end while it is in flight).

use crate::intercept::{Direction, Interceptor};
use crate::lanes::Lanes;
use crate::log::{PairEnd, SessionRecord};
use crate::registry::{ConnId, Registry};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use tessera_proto::relay::{
    ClientMsg, CloseReason, Refusal, RelayMsg, SessionId, MAX_MAILBOX_MESSAGES, MAX_MAILBOX_PAYLOAD,
};
use tessera_proto::Nameplate;

/// Identifies one pair; never reused.
pub type PairId = u64;

/// What the engine must do for the rules.
#[derive(Debug)]
pub enum Action {
    /// Queue this message on the client's control stream.
    Send(ConnId, RelayMsg),
    /// Queue `Refused { reason }` (a refusal the client may recover from).
    Refuse(ConnId, Refusal),
    /// The client broke the protocol and is out of the rendezvous: deliver
    /// `Refused { BadRequest }`, then close with [`CloseReason::BadRequest`].
    BadRequest(ConnId, String),
    /// Close the client's connection; it is out of the rendezvous.
    Close(ConnId, CloseReason),
    /// A pair was made.
    Paired,
    /// A pair ended: its record for the session log.
    Unpaired(SessionRecord),
}

/// Where a paired client's datagrams go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The pair.
    pub pair: PairId,
    /// The other end.
    pub peer: ConnId,
    /// Which way the datagrams travel.
    pub dir: Direction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Fresh,
    Waiting,
    Paired(PairId),
}

#[derive(Debug)]
struct Client {
    addr: SocketAddr,
    role: Role,
    /// Was in a pair once: a mailbox message that crossed the peer's
    /// departure is dropped instead of refused.
    was_paired: bool,
}

/// Two clients forwarding to each other.
#[derive(Debug)]
struct Pair {
    agent: ConnId,
    viewer: ConnId,
    session_id: SessionId,
    nameplate: Nameplate,
    started_at: SystemTime,
    agent_addr: SocketAddr,
    viewer_addr: SocketAddr,
    a2v: u64,
    v2a: u64,
    /// Mailbox messages sent agent → viewer and viewer → agent.
    mailbox_sent: [u32; 2],
}

/// The protocol state of every client in the rendezvous.
pub struct Rules {
    registry: Registry,
    interceptor: Arc<dyn Interceptor>,
    clients: HashMap<ConnId, Client>,
    pairs: HashMap<PairId, Pair>,
    next_pair: PairId,
    lanes: Lanes,
}

impl Rules {
    /// No clients yet; nameplates from `registry`, forwarding through
    /// `interceptor`.
    pub fn new(registry: Registry, interceptor: Arc<dyn Interceptor>) -> Self {
        Self {
            registry,
            interceptor,
            clients: HashMap::new(),
            pairs: HashMap::new(),
            next_pair: 1,
            lanes: Lanes::new(true),
        }
    }

    /// The same rules on a relay that offers no lanes (for an operator
    /// whose load balancer would send a client's second UDP flow to
    /// another relay): paired clients are told `NoLane`.
    pub fn without_lanes(mut self) -> Self {
        self.lanes = Lanes::new(false);
        self
    }

    /// The lanes, for the engine's forwarding and its `Bind` answers.
    pub fn lanes(&mut self) -> &mut Lanes {
        &mut self.lanes
    }

    /// How many agents wait for a viewer.
    pub fn waiting(&self) -> usize {
        self.registry.waiting()
    }

    /// A client opened its control stream from `addr`.
    pub fn opened(&mut self, id: ConnId, addr: SocketAddr) {
        self.clients.insert(
            id,
            Client {
                addr,
                role: Role::Fresh,
                was_paired: false,
            },
        );
    }

    /// One message from a client. Messages from a client that left (or
    /// was never opened) change nothing.
    pub fn message(&mut self, id: ConnId, msg: ClientMsg, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        let Some(client) = self.clients.get(&id) else {
            return out;
        };
        let (role, was_paired) = (client.role, client.was_paired);
        let refused = match (msg, role) {
            (ClientMsg::Register, Role::Fresh) => {
                self.register(id, now, &mut out);
                None
            }
            (ClientMsg::Register, _) => Some("register while already registered or paired".into()),
            (ClientMsg::Join { nameplate }, Role::Fresh) => {
                self.join(id, nameplate, now, &mut out);
                None
            }
            (ClientMsg::Join { .. }, _) => Some("join while registered or paired".into()),
            (ClientMsg::Mailbox { payload }, Role::Paired(pair)) => {
                self.mailbox(id, pair, payload, &mut out).err()
            }
            // The peer left while this was in flight: dropped.
            (ClientMsg::Mailbox { .. }, _) if was_paired => None,
            (ClientMsg::Mailbox { .. }, _) => Some("mailbox before pairing".into()),
            (ClientMsg::Burn, Role::Paired(pair)) => {
                if self.pairs.get(&pair).is_some_and(|p| p.agent == id) {
                    self.unpair(pair, PairEnd::Burned, &mut out);
                    None
                } else {
                    Some("only the agent may burn its code".into())
                }
            }
            (ClientMsg::Burn, _) => {
                self.registry.unregister(id, now);
                self.set_role(id, Role::Fresh);
                None
            }
            (ClientMsg::OpenLane { nonce }, Role::Paired(_)) => {
                let reply = match self.lanes.claim(id, &nonce, now) {
                    Some(_) => RelayMsg::LaneOpen { nonce },
                    None => RelayMsg::LaneRefused { nonce },
                };
                out.push(Action::Send(id, reply));
                None
            }
            (ClientMsg::OpenLane { nonce }, _) => {
                out.push(Action::Send(id, RelayMsg::LaneRefused { nonce }));
                None
            }
            (ClientMsg::Close, _) => {
                self.leave(id, now, &mut out);
                out.push(Action::Close(id, CloseReason::Bye));
                None
            }
        };
        if let Some(problem) = refused {
            self.refuse_bad_request(id, problem, now, &mut out);
        }
        out
    }

    /// A client sent something that is not a message (a frame error):
    /// out of the rendezvous, and told so.
    pub fn bad_request(&mut self, id: ConnId, problem: String, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        if self.clients.contains_key(&id) {
            self.refuse_bad_request(id, problem, now, &mut out);
        }
        out
    }

    /// A client left, was lost or is being closed: its registration is
    /// released (quarantined) or its pair ended, and it is forgotten.
    pub fn left(&mut self, id: ConnId, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        self.leave(id, now, &mut out);
        out
    }

    /// Expires nameplates: their agents are told and are fresh again.
    pub fn sweep(&mut self, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        self.lanes.sweep(now);
        for agent in self.registry.expire(now) {
            if self.clients.contains_key(&agent) {
                self.set_role(agent, Role::Fresh);
                out.push(Action::Refuse(agent, Refusal::Expired));
            }
        }
        out
    }

    /// Where datagrams from `id` go, if it is paired.
    pub fn route(&self, id: ConnId) -> Option<Route> {
        let Role::Paired(pair) = self.clients.get(&id)?.role else {
            return None;
        };
        let p = self.pairs.get(&pair)?;
        Some(if p.agent == id {
            Route {
                pair,
                peer: p.viewer,
                dir: Direction::AgentToViewer,
            }
        } else {
            Route {
                pair,
                peer: p.agent,
                dir: Direction::ViewerToAgent,
            }
        })
    }

    /// Counts datagram bytes forwarded for a pair's record.
    pub fn forwarded(&mut self, route: Route, bytes: u64) {
        if let Some(p) = self.pairs.get_mut(&route.pair) {
            match route.dir {
                Direction::AgentToViewer => p.a2v += bytes,
                Direction::ViewerToAgent => p.v2a += bytes,
            }
        }
    }

    fn set_role(&mut self, id: ConnId, role: Role) {
        if let Some(c) = self.clients.get_mut(&id) {
            c.role = role;
            c.was_paired |= matches!(role, Role::Paired(_));
        }
    }

    fn refuse_bad_request(
        &mut self,
        id: ConnId,
        problem: String,
        now: Instant,
        out: &mut Vec<Action>,
    ) {
        self.leave(id, now, out);
        out.push(Action::BadRequest(id, problem));
    }

    fn leave(&mut self, id: ConnId, now: Instant, out: &mut Vec<Action>) {
        self.lanes.release(id);
        let Some(client) = self.clients.remove(&id) else {
            return;
        };
        if let Role::Paired(pair) = client.role {
            let end = match self.pairs.get(&pair) {
                Some(p) if p.agent == id => PairEnd::AgentLeft,
                _ => PairEnd::ViewerLeft,
            };
            self.unpair(pair, end, out);
        }
        self.registry.unregister(id, now);
    }

    fn register(&mut self, id: ConnId, now: Instant, out: &mut Vec<Action>) {
        let Some(addr) = self.clients.get(&id).map(|c| c.addr) else {
            return;
        };
        match self.registry.register(id, addr.ip(), now) {
            Ok((nameplate, ttl)) => {
                self.set_role(id, Role::Waiting);
                out.push(Action::Send(
                    id,
                    RelayMsg::Registered {
                        nameplate,
                        expires_in_secs: u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX),
                    },
                ));
            }
            Err(reason) => out.push(Action::Refuse(id, reason)),
        }
    }

    fn join(&mut self, viewer: ConnId, nameplate: Nameplate, now: Instant, out: &mut Vec<Action>) {
        let Some(viewer_addr) = self.clients.get(&viewer).map(|c| c.addr) else {
            return;
        };
        let target = self.interceptor.join(nameplate);
        let pairing = match self.registry.join(target, viewer_addr.ip(), now) {
            Ok(p) => p,
            Err(reason) => return out.push(Action::Refuse(viewer, reason)),
        };
        // A waiting agent is always a present client (leaving unregisters);
        // this only guards that invariant.
        let Some(agent_addr) = self.clients.get(&pairing.agent).map(|c| c.addr) else {
            return out.push(Action::Refuse(viewer, Refusal::UnknownNameplate));
        };
        let pair = self.next_pair;
        self.next_pair += 1;
        self.pairs.insert(
            pair,
            Pair {
                agent: pairing.agent,
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
        self.set_role(pairing.agent, Role::Paired(pair));
        self.set_role(viewer, Role::Paired(pair));
        out.push(Action::Paired);
        let paired = RelayMsg::Paired {
            session_id: pairing.session_id,
        };
        out.push(Action::Send(pairing.agent, paired.clone()));
        out.push(Action::Send(viewer, paired));
        for id in [pairing.agent, viewer] {
            let lane = match self.lanes.issue(id, rand::random()) {
                Some(ticket) => RelayMsg::LaneTicket { ticket },
                None => RelayMsg::NoLane,
            };
            out.push(Action::Send(id, lane));
        }
    }

    fn mailbox(
        &mut self,
        id: ConnId,
        pair: PairId,
        payload: Vec<u8>,
        out: &mut Vec<Action>,
    ) -> Result<(), String> {
        if payload.len() > MAX_MAILBOX_PAYLOAD {
            return Err(format!(
                "mailbox payload of {} bytes over the limit",
                payload.len()
            ));
        }
        let Some(route) = self.route(id) else {
            return Ok(());
        };
        let Some(p) = self.pairs.get_mut(&pair) else {
            return Ok(());
        };
        let sent = &mut p.mailbox_sent[usize::from(route.dir == Direction::ViewerToAgent)];
        *sent += 1;
        if *sent > MAX_MAILBOX_MESSAGES {
            return Err("too many mailbox messages".into());
        }
        for payload in self.interceptor.mailbox(route.dir, payload) {
            out.push(Action::Send(route.peer, RelayMsg::Mailbox { payload }));
        }
        Ok(())
    }

    /// Ends a pair: both sides still in it are told and are fresh again.
    fn unpair(&mut self, pair: PairId, end: PairEnd, out: &mut Vec<Action>) {
        let Some(p) = self.pairs.remove(&pair) else {
            return;
        };
        for id in [p.agent, p.viewer] {
            self.lanes.release(id);
            if self
                .clients
                .get(&id)
                .is_some_and(|c| c.role == Role::Paired(pair))
            {
                self.set_role(id, Role::Fresh);
                out.push(Action::Send(id, RelayMsg::PeerLeft));
            }
        }
        out.push(Action::Unpaired(SessionRecord {
            session_id: p.session_id.iter().map(|b| format!("{b:02x}")).collect(),
            nameplate: p.nameplate,
            started_at: humantime::format_rfc3339_millis(p.started_at).to_string(),
            ended_at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            agent_addr: p.agent_addr,
            viewer_addr: p.viewer_addr,
            bytes_agent_to_viewer: p.a2v,
            bytes_viewer_to_agent: p.v2a,
            end,
        }));
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
