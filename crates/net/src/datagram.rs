//! Carries a whole QUIC connection inside another one's datagrams: a
//! `quinn::AsyncUdpSocket` whose "network" is the relay connection.
//!
//! The relay forwards these datagrams blindly; it holds no key of the
//! inner connection, so it sees only sizes and timing.

use bytes::Bytes;
use quinn::udp::{RecvMeta, Transmit};
use quinn::{AsyncUdpSocket, Connection, SendDatagramError, UdpPoller};
use std::fmt;
use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Datagrams buffered between the outer connection and the inner endpoint.
const QUEUE: usize = 256;

/// The adapter: sends become outer datagrams, outer datagrams become
/// receives from the one fixed peer address.
pub struct DatagramSocket {
    outer: Connection,
    incoming: Mutex<mpsc::Receiver<Bytes>>,
    local: SocketAddr,
    peer: SocketAddr,
}

impl fmt::Debug for DatagramSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatagramSocket")
            .field("local", &self.local)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl DatagramSocket {
    /// An adapter over `outer`; inner packets appear to come from `peer`
    /// and to be sent from `local` (placeholders: no real address is used).
    /// Spawns the task that drains the outer connection's datagrams.
    pub fn new(outer: Connection, local: SocketAddr, peer: SocketAddr) -> Arc<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let reader = outer.clone();
        tokio::spawn(async move {
            while let Ok(datagram) = reader.read_datagram().await {
                if tx.send(datagram).await.is_err() {
                    break;
                }
            }
        });
        Arc::new(Self {
            outer,
            incoming: Mutex::new(rx),
            local,
            peer,
        })
    }

    fn send_one(&self, contents: &[u8]) -> io::Result<()> {
        match self.outer.send_datagram(Bytes::copy_from_slice(contents)) {
            Ok(()) => Ok(()),
            // Too large for the path right now: drop it as a router would;
            // the inner connection's MTU discovery and recovery handle it.
            Err(SendDatagramError::TooLarge) => Ok(()),
            Err(e) => Err(io::Error::new(io::ErrorKind::ConnectionAborted, e)),
        }
    }
}

#[derive(Debug)]
struct AlwaysWritable;

impl UdpPoller for AlwaysWritable {
    fn poll_writable(self: Pin<&mut Self>, _cx: &mut Context) -> Poll<io::Result<()>> {
        // quinn drops the oldest queued datagram instead of blocking.
        Poll::Ready(Ok(()))
    }
}

impl AsyncUdpSocket for DatagramSocket {
    fn create_io_poller(self: Arc<Self>) -> Pin<Box<dyn UdpPoller>> {
        Box::pin(AlwaysWritable)
    }

    fn try_send(&self, transmit: &Transmit) -> io::Result<()> {
        match transmit.segment_size {
            Some(size) if size > 0 => transmit
                .contents
                .chunks(size)
                .try_for_each(|c| self.send_one(c)),
            _ => self.send_one(transmit.contents),
        }
    }

    fn poll_recv(
        &self,
        cx: &mut Context,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        let Ok(mut incoming) = self.incoming.lock() else {
            return Poll::Ready(Err(io::Error::other("datagram queue poisoned")));
        };
        let mut filled = 0;
        while filled < bufs.len().min(meta.len()) {
            let next = if filled == 0 {
                match incoming.poll_recv(cx) {
                    Poll::Ready(d) => d,
                    Poll::Pending => return Poll::Pending,
                }
            } else {
                incoming.try_recv().ok()
            };
            let Some(datagram) = next else {
                if filled == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "relay connection closed",
                    )));
                }
                break;
            };
            let buf = &mut bufs[filled];
            if datagram.len() > buf.len() {
                continue; // larger than any packet we accept: drop it
            }
            buf[..datagram.len()].copy_from_slice(&datagram);
            meta[filled] = RecvMeta {
                addr: self.peer,
                len: datagram.len(),
                stride: datagram.len(),
                ecn: None,
                dst_ip: None,
            };
            filled += 1;
        }
        Poll::Ready(Ok(filled))
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    fn may_fragment(&self) -> bool {
        // Lets the inner connection run MTU discovery up to what the outer
        // datagrams can carry.
        false
    }
}
