//! The client's side of a lane (see [`tessera_proto::lane`]): its own UDP
//! socket to the relay, bound to the paired connection by a challenge,
//! on which the end-to-end connection then runs as plain QUIC over UDP.
//! The relay only moves those packets, where inside its connection's
//! datagrams each byte was sealed and opened three times.
//!
//! A lane is an optimisation, never a requirement: if the relay offers
//! none (an operator's `--no-lanes`, a load balancer, a firewall), the
//! end-to-end connection stays in the datagrams, with the same keys and
//! the same pins.

use crate::datagram::DatagramSocket;
use crate::framed;
use quinn::udp::{RecvMeta, Transmit};
use quinn::{AsyncUdpSocket, Connection, SendStream, UdpPoller};
use std::fmt;
use std::io::{self, IoSliceMut};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tessera_proto::lane::{LaneNonce, LanePacket, LaneTicket, LANE_PACKET_LEN};
use tessera_proto::relay::{ClientMsg, RelayMsg, MAX_CONTROL_FRAME};
use tokio::sync::Mutex;

/// When `Bind` is (re)sent, from the start of the attempt: a lost packet
/// costs little; a path on which no challenge ever comes costs
/// [`LAST_ANSWER`], once per session, while the PAKE runs in parallel.
const BIND_SCHEDULE: [Duration; 5] = [
    Duration::from_millis(0),
    Duration::from_millis(100),
    Duration::from_millis(300),
    Duration::from_millis(700),
    Duration::from_millis(1500),
];
/// When the wait for a challenge ends, from the first `Bind`.
const LAST_ANSWER: Duration = Duration::from_millis(2500);
/// How long the ticket (or `NoLane`) may take after `Paired`: both come
/// at once from a current relay; an older one sends neither.
pub const TICKET_WAIT: Duration = Duration::from_secs(2);

/// Where the end-to-end connection runs.
pub enum InnerPath {
    /// On a bound lane: a UDP socket whose only peer is the relay.
    Lane {
        /// The lane's socket (non-blocking).
        socket: UdpSocket,
        /// The relay's address, the only one packets are taken from.
        relay: SocketAddr,
    },
    /// Inside the relay connection's datagrams.
    Datagrams(Connection),
}

impl fmt::Debug for InnerPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InnerPath::Lane { relay, .. } => write!(f, "lane to {relay}"),
            InnerPath::Datagrams(_) => f.write_str("relay datagrams"),
        }
    }
}

impl InnerPath {
    /// The socket the inner endpoint runs on, and the address it sees its
    /// peer at (`datagram_peer` and `datagram_local` name the two ends
    /// inside the datagrams, where no real address exists).
    pub(crate) fn into_socket(
        self,
        datagram_local: SocketAddr,
        datagram_peer: SocketAddr,
    ) -> io::Result<(Arc<dyn AsyncUdpSocket>, SocketAddr)> {
        match self {
            InnerPath::Lane { socket, relay } => {
                let inner = quinn::Runtime::wrap_udp_socket(&quinn::TokioRuntime, socket)?;
                Ok((Arc::new(FromRelayOnly { inner, relay }), relay))
            }
            InnerPath::Datagrams(outer) => Ok((
                DatagramSocket::new(outer, datagram_local, datagram_peer),
                datagram_peer,
            )),
        }
    }
}

/// Opens a lane to `relay` for a paired client: waits for this pairing's
/// ticket (`LaneTicket`, tagged `pairing` by the link), sends `Bind` from
/// a fresh socket until the relay's challenge comes back, returns the
/// nonce on the control stream `control`, and reads the relay's answer
/// for that nonce from `replies`. `None` when the relay offers no lane
/// (`NoLane`, no ticket within [`TICKET_WAIT`], no challenge, or a
/// refusal); the caller then stays on datagrams. Once `OpenLane` is sent
/// the answer is awaited without a deadline: the control stream is
/// reliable, and giving up early would leave the relay delivering to a
/// lane no one reads.
pub async fn open(
    relay: SocketAddr,
    control: Arc<Mutex<SendStream>>,
    replies: Arc<Mutex<crate::relay_client::LaneReplies>>,
    pairing: u64,
) -> Option<UdpSocket> {
    let mut replies = replies.lock().await;
    let ticket = loop {
        match tokio::time::timeout(TICKET_WAIT, replies.recv()).await {
            Ok(Some((p, RelayMsg::LaneTicket { ticket }))) if p == pairing => break ticket,
            Ok(Some((p, RelayMsg::NoLane))) if p == pairing => return None,
            Ok(Some(_)) => continue, // an earlier pairing's
            _ => return None,
        }
    };
    let bind: SocketAddr = if relay.is_ipv6() {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    };
    let socket = tokio::net::UdpSocket::bind(bind).await.ok()?;
    let nonce = challenged(&socket, relay, ticket).await?;
    let open = ClientMsg::OpenLane { nonce };
    framed::write(&mut *control.lock().await, &open, MAX_CONTROL_FRAME)
        .await
        .ok()?;
    loop {
        match replies.recv().await? {
            (p, RelayMsg::LaneOpen { nonce: n }) if p == pairing && n == nonce => {
                return socket.into_std().ok()
            }
            (p, RelayMsg::LaneRefused { nonce: n }) if p == pairing && n == nonce => return None,
            _ => continue,
        }
    }
}

/// Sends `Bind` on the schedule until a challenge from `relay` arrives.
async fn challenged(
    socket: &tokio::net::UdpSocket,
    relay: SocketAddr,
    ticket: LaneTicket,
) -> Option<LaneNonce> {
    let bind = LanePacket::Bind(ticket).encode();
    let started = tokio::time::Instant::now();
    let mut buf = [0u8; LANE_PACKET_LEN + 1];
    for (i, at) in BIND_SCHEDULE.iter().enumerate() {
        tokio::time::sleep_until(started + *at).await;
        socket.send_to(&bind, relay).await.ok()?;
        let until = started + BIND_SCHEDULE.get(i + 1).copied().unwrap_or(LAST_ANSWER);
        while let Ok(Ok((n, from))) =
            tokio::time::timeout_at(until, socket.recv_from(&mut buf)).await
        {
            if from != relay {
                continue;
            }
            if let Some(LanePacket::Challenge(nonce)) = buf.get(..n).and_then(LanePacket::parse) {
                return Some(nonce);
            }
        }
    }
    None
}

/// Reads of nothing but foreign packets before yielding.
const FOREIGN_ROUNDS: usize = 8;

/// A lane socket as the inner endpoint sees it: packets from anyone but
/// the relay are dropped before QUIC sees them, so the end-to-end
/// endpoint answers no one else (its port is reachable from anywhere).
struct FromRelayOnly {
    inner: Arc<dyn AsyncUdpSocket>,
    relay: SocketAddr,
}

impl fmt::Debug for FromRelayOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromRelayOnly")
            .field("relay", &self.relay)
            .finish_non_exhaustive()
    }
}

impl AsyncUdpSocket for FromRelayOnly {
    fn create_io_poller(self: Arc<Self>) -> Pin<Box<dyn UdpPoller>> {
        self.inner.clone().create_io_poller()
    }

    fn try_send(&self, transmit: &Transmit) -> io::Result<()> {
        self.inner.try_send(transmit)
    }

    fn poll_recv(
        &self,
        cx: &mut Context,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        for _ in 0..FOREIGN_ROUNDS {
            let n = match self.inner.poll_recv(cx, bufs, meta) {
                Poll::Ready(Ok(n)) => n,
                other => return other,
            };
            let kept = keep_from(self.relay, n, bufs, meta);
            if kept > 0 || n == 0 {
                return Poll::Ready(Ok(kept));
            }
            // Everything read was from elsewhere: read again, which
            // registers the waker if nothing more is there.
        }
        // A flood from elsewhere: let the endpoint's other work run, and
        // come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn max_transmit_segments(&self) -> usize {
        self.inner.max_transmit_segments()
    }

    fn max_receive_segments(&self) -> usize {
        self.inner.max_receive_segments()
    }

    fn may_fragment(&self) -> bool {
        self.inner.may_fragment()
    }
}

/// Moves the first `n` received entries that came from `relay` to the
/// front of `bufs` and `meta`, in order; returns how many.
fn keep_from(
    relay: SocketAddr,
    n: usize,
    bufs: &mut [IoSliceMut<'_>],
    meta: &mut [RecvMeta],
) -> usize {
    let mut kept = 0;
    for i in 0..n.min(bufs.len()).min(meta.len()) {
        if meta[i].addr != relay {
            continue;
        }
        if kept != i {
            let (front, back) = bufs.split_at_mut(i);
            let len = meta[i].len.min(front[kept].len()).min(back[0].len());
            front[kept][..len].copy_from_slice(&back[0][..len]);
            meta[kept] = RecvMeta { len, ..meta[i] };
        }
        kept += 1;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(addr: SocketAddr, len: usize) -> RecvMeta {
        RecvMeta {
            addr,
            len,
            stride: len,
            ecn: None,
            dst_ip: None,
        }
    }

    #[test]
    fn only_the_relays_packets_are_kept_in_order() {
        let relay: SocketAddr = "192.0.2.1:7700".parse().unwrap();
        let other: SocketAddr = "192.0.2.66:7700".parse().unwrap();
        let mut storage = [[0u8; 4]; 4];
        storage[0] = *b"evil";
        storage[1] = *b"one.";
        storage[2] = *b"bad.";
        storage[3] = *b"two.";
        let mut metas = [
            meta(other, 4),
            meta(relay, 4),
            meta(other, 4),
            meta(relay, 4),
        ];
        let [a, b, c, d] = &mut storage;
        let mut bufs = [
            IoSliceMut::new(a),
            IoSliceMut::new(b),
            IoSliceMut::new(c),
            IoSliceMut::new(d),
        ];
        let kept = keep_from(relay, 4, &mut bufs, &mut metas);
        assert_eq!(kept, 2);
        assert_eq!(&bufs[0][..4], b"one.");
        assert_eq!(&bufs[1][..4], b"two.");
        assert!(metas[..2].iter().all(|m| m.addr == relay));
    }
}
