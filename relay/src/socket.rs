//! The relay's one UDP socket, through `quinn-udp`: many datagrams per
//! system call (`recvmmsg`, and GRO, which hands a run of same-sized
//! packets of one flow over as one buffer), and runs of packets sent as one
//! buffer (GSO). A lane's packets arrive in such runs and leave the same
//! way, so forwarding costs the relay a few system calls per run instead of
//! two per packet.

use quinn::udp::{RecvMeta, Transmit, UdpSockRef, UdpSocketState, BATCH_SIZE};
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Room for one received run: GRO never hands over more than 64 KiB.
pub(crate) const SLOT: usize = 64 * 1024;
/// Kernel buffers asked for (the kernel may grant less): room for bursts
/// of a few fast sessions.
const KERNEL_BUFFER: usize = 4 * 1024 * 1024;

/// One received run: `len` bytes from `from`, packets of `stride` bytes
/// (the last may be shorter).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Received {
    pub from: SocketAddr,
    pub len: usize,
    pub stride: usize,
}

/// Largest buffer one GSO send may carry (a UDP datagram's limit, with
/// room for headers).
const MAX_GSO_BYTES: usize = 65_000;
/// Largest packet a lane run is sent with GSO at: quinn's largest (its MTU
/// discovery stops there), which fits a 1500-byte link under IPv4 or
/// IPv6. A larger one goes packet by packet: a GSO segment larger than
/// the outgoing link makes the kernel answer EINVAL, and `quinn-udp` then
/// stops using GSO on that socket state for good.
const MAX_GSO_STRIDE: usize = 1452;
/// Packets the outer connections put in one GSO batch (quinn's own cap).
const MAX_QUIC_SEGMENTS: usize = 10;

/// The socket and what `quinn-udp` learnt of it (GSO and GRO support):
/// one state for the relay's own QUIC packets and another for forwarded
/// lane runs, so a lane that trips the kernel's GSO checks cannot turn
/// GSO off for the relay's connections.
pub(crate) struct RelaySocket {
    io: UdpSocket,
    state: UdpSocketState,
    lanes: UdpSocketState,
}

impl RelaySocket {
    /// Wraps a bound, non-blocking socket.
    pub fn new(io: UdpSocket) -> io::Result<Self> {
        let state = UdpSocketState::new(UdpSockRef::from(&io))?;
        let lanes = UdpSocketState::new(UdpSockRef::from(&io))?;
        // Best effort: a smaller buffer only means earlier drops.
        let _ = state.set_recv_buffer_size(UdpSockRef::from(&io), KERNEL_BUFFER);
        let _ = state.set_send_buffer_size(UdpSockRef::from(&io), KERNEL_BUFFER);
        Ok(Self { io, state, lanes })
    }

    /// A buffer for [`recv`](Self::recv): one slot per message of a batch.
    pub fn receive_buffer() -> Vec<u8> {
        vec![0u8; SLOT * BATCH_SIZE]
    }

    /// Waits until something can be read.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Reads what is waiting, without blocking: up to one batch of runs
    /// into `buf` (from [`receive_buffer`](Self::receive_buffer)), each
    /// at `i * SLOT`. Empty when nothing is waiting.
    pub fn recv(&self, buf: &mut [u8], out: &mut Vec<Received>) {
        out.clear();
        let mut metas = [RecvMeta::default(); BATCH_SIZE];
        let mut slices: Vec<IoSliceMut<'_>> = buf.chunks_mut(SLOT).map(IoSliceMut::new).collect();
        let received = self.io.try_io(Interest::READABLE, || {
            self.state
                .recv(UdpSockRef::from(&self.io), &mut slices, &mut metas)
        });
        let Ok(n) = received else { return };
        out.extend(metas.iter().take(n).map(|m| Received {
            from: m.addr,
            len: m.len,
            stride: m.stride.max(1),
        }));
    }

    /// Sends the relay's own QUIC packets: `contents`, a batch of
    /// `stride`-byte packets from quinn-proto, in as few calls as GSO
    /// allows. What the socket cannot take now is dropped, as a router
    /// would; QUIC recovers.
    pub fn send_run(&self, to: SocketAddr, contents: &[u8], stride: usize) {
        self.send_with(&self.state, to, contents, stride);
    }

    /// Forwards a lane's run of `stride`-byte packets: with GSO when the
    /// packets are no larger than [`MAX_GSO_STRIDE`], else one by one.
    pub fn forward_run(&self, to: SocketAddr, contents: &[u8], stride: usize) {
        if stride > MAX_GSO_STRIDE {
            for packet in contents.chunks(stride.max(1)) {
                self.send_with(&self.lanes, to, packet, packet.len());
            }
        } else {
            self.send_with(&self.lanes, to, contents, stride);
        }
    }

    fn send_with(&self, state: &UdpSocketState, to: SocketAddr, contents: &[u8], stride: usize) {
        let stride = stride.max(1);
        let segments = state.max_gso_segments().min(MAX_GSO_BYTES / stride).max(1);
        for chunk in contents.chunks(stride * segments) {
            let transmit = Transmit {
                destination: to,
                ecn: None,
                contents: chunk,
                segment_size: (chunk.len() > stride).then_some(stride),
                src_ip: None,
            };
            let sent = self.io.try_io(Interest::WRITABLE, || {
                state.send(UdpSockRef::from(&self.io), &transmit)
            });
            // A batch the kernel refused (GSO unsupported on this path):
            // its packets go one by one rather than being lost.
            if let (Err(e), Some(_)) = (&sent, transmit.segment_size) {
                if e.kind() != std::io::ErrorKind::WouldBlock {
                    for packet in chunk.chunks(stride) {
                        let one = Transmit {
                            contents: packet,
                            segment_size: None,
                            ..transmit
                        };
                        let _ = self.io.try_io(Interest::WRITABLE, || {
                            state.send(UdpSockRef::from(&self.io), &one)
                        });
                    }
                }
            }
        }
    }

    /// Sends one packet (dropped if the socket cannot take it now).
    pub fn send(&self, to: SocketAddr, packet: &[u8]) {
        self.send_run(to, packet, packet.len());
    }

    /// How many packets quinn-proto may put in one batch for
    /// [`send_run`](Self::send_run).
    pub fn max_segments(&self) -> usize {
        self.state.max_gso_segments().clamp(1, MAX_QUIC_SEGMENTS)
    }
}
