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

/// The socket and what `quinn-udp` learnt of it (GSO and GRO support).
pub(crate) struct RelaySocket {
    io: UdpSocket,
    state: UdpSocketState,
}

impl RelaySocket {
    /// Wraps a bound, non-blocking socket.
    pub fn new(io: UdpSocket) -> io::Result<Self> {
        let state = UdpSocketState::new(UdpSockRef::from(&io))?;
        // Best effort: a smaller buffer only means earlier drops.
        let _ = state.set_recv_buffer_size(UdpSockRef::from(&io), KERNEL_BUFFER);
        let _ = state.set_send_buffer_size(UdpSockRef::from(&io), KERNEL_BUFFER);
        Ok(Self { io, state })
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

    /// Sends `contents`, a run of packets of `stride` bytes, to `to`: as
    /// few system calls as GSO allows. What the socket cannot take now is
    /// dropped, as a router would; QUIC recovers.
    pub fn send_run(&self, to: SocketAddr, contents: &[u8], stride: usize) {
        let stride = stride.max(1);
        let per_call = stride * self.state.max_gso_segments().max(1);
        for chunk in contents.chunks(per_call) {
            let transmit = Transmit {
                destination: to,
                ecn: None,
                contents: chunk,
                segment_size: (chunk.len() > stride).then_some(stride),
                src_ip: None,
            };
            let _ = self.io.try_io(Interest::WRITABLE, || {
                self.state.send(UdpSockRef::from(&self.io), &transmit)
            });
        }
    }

    /// Sends one packet (dropped if the socket cannot take it now).
    pub fn send(&self, to: SocketAddr, packet: &[u8]) {
        self.send_run(to, packet, packet.len());
    }

    /// How many packets one [`send_run`](Self::send_run) call may carry.
    pub fn max_segments(&self) -> usize {
        self.state.max_gso_segments().max(1)
    }
}
