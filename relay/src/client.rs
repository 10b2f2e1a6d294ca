//! One client connection as the [engine](crate::engine) holds it: its QUIC
//! state, and the buffers of its control stream, which hold at most one
//! frame coming in and [`MAX_OUTBOX`] bytes going out, and are released
//! when empty so an idle client costs only its QUIC state.

use crate::registry::ConnId;
use bytes::Bytes;
use quinn_proto::StreamId;
use std::time::Instant;
use tessera_proto::frame::{self, LENGTH_PREFIX};
use tessera_proto::relay::{ClientMsg, CloseReason, MAX_CONTROL_FRAME};

/// Control bytes queued for one client at most (a handful of messages is
/// all a rendezvous needs).
pub(crate) const MAX_OUTBOX: usize = 16 * 1024;

/// One client connection and what the engine knows of it.
pub(crate) struct Client {
    /// The relay's own id for this client, never reused (quinn reuses
    /// connection handles), so no stale rule can reach a later client.
    pub id: ConnId,
    /// Its QUIC state, driven by the engine.
    pub conn: quinn_proto::Connection,
    /// When its first packet arrived (for the handshake timeout).
    pub opened_at: Instant,
    /// The one bidirectional stream it opened, once it has.
    pub control: Option<StreamId>,
    /// Control bytes received but not yet a whole frame.
    inbox: Vec<u8>,
    /// Control bytes not yet accepted by the stream (flow control).
    outbox: Vec<u8>,
    /// Refused for a bad request: closed once the refusal is delivered.
    pub closing_since: Option<Instant>,
    /// The deadline last pushed on the timer heap.
    pub timer: Option<Instant>,
    /// Out of the rendezvous (left, lost, refused): only driven until
    /// drained; what it sends is read and dropped.
    pub gone: bool,
}

/// How a read of the control stream ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// More may come.
    Open,
    /// The client finished its side: it is leaving.
    Finished,
    /// The client reset its side: it is leaving.
    Reset,
}

/// Why a message could not be queued.
pub(crate) struct OutboxFull;

impl Client {
    /// A client just accepted.
    pub fn new(id: ConnId, conn: quinn_proto::Connection, now: Instant) -> Self {
        Self {
            id,
            conn,
            opened_at: now,
            control: None,
            inbox: Vec::new(),
            outbox: Vec::new(),
            closing_since: None,
            timer: None,
            gone: false,
        }
    }

    /// Moves what the control stream holds into the inbox, up to one whole
    /// frame's worth; returns how much, and whether the stream ended. A
    /// gone client's bytes are read and dropped, and its stream's end
    /// changes nothing (it already left).
    pub fn read_some(&mut self) -> (usize, StreamEnd) {
        let Some(id) = self.control else {
            return (0, StreamEnd::Open);
        };
        let room = (LENGTH_PREFIX + MAX_CONTROL_FRAME)
            .saturating_sub(self.inbox.len())
            .max(1);
        let mut stream = self.conn.recv_stream(id);
        let Ok(mut chunks) = stream.read(true) else {
            return (0, StreamEnd::Open);
        };
        let mut received = None;
        let (got, end) = match chunks.next(room) {
            Ok(Some(chunk)) => {
                let n = chunk.bytes.len();
                received = Some(chunk.bytes);
                (n, StreamEnd::Open)
            }
            Ok(None) => (0, StreamEnd::Finished),
            Err(quinn_proto::ReadError::Blocked) => (0, StreamEnd::Open),
            Err(quinn_proto::ReadError::Reset(_)) => (0, StreamEnd::Reset),
        };
        let _ = chunks.finalize();
        if self.gone {
            return (got, StreamEnd::Open);
        }
        if let Some(bytes) = received {
            self.inbox.extend_from_slice(&bytes);
        }
        (got, end)
    }

    /// The next whole frame of the inbox, decoded (or why it is not a
    /// message); `None` until one is complete.
    pub fn next_frame(&mut self) -> Option<Result<ClientMsg, String>> {
        let prefix: [u8; LENGTH_PREFIX] = self.inbox.get(..LENGTH_PREFIX)?.try_into().ok()?;
        let len = match frame::body_len(prefix, MAX_CONTROL_FRAME) {
            Ok(len) => len,
            Err(e) => return Some(Err(e.to_string())),
        };
        let body = self.inbox.get(LENGTH_PREFIX..LENGTH_PREFIX + len)?;
        let decoded = frame::decode_body::<ClientMsg>(body, MAX_CONTROL_FRAME);
        self.inbox.drain(..LENGTH_PREFIX + len);
        if self.inbox.is_empty() {
            self.inbox = Vec::new(); // an idle client holds no buffer
        }
        Some(decoded.map_err(|e| e.to_string()))
    }

    /// Queues an encoded message and writes what the stream takes. A client
    /// that lets more than [`MAX_OUTBOX`] bytes pile up is refused.
    pub fn queue(&mut self, bytes: &[u8]) -> Result<(), OutboxFull> {
        if self.outbox.len() + bytes.len() > MAX_OUTBOX {
            return Err(OutboxFull);
        }
        self.outbox.extend_from_slice(bytes);
        self.flush();
        Ok(())
    }

    /// Writes queued control bytes as far as flow control allows; once a
    /// refused client's last bytes are written, finishes the stream.
    pub fn flush(&mut self) {
        let Some(id) = self.control else { return };
        if self.outbox.is_empty() {
            return;
        }
        match self.conn.send_stream(id).write(&self.outbox) {
            Ok(n) => {
                self.outbox.drain(..n);
                if self.outbox.is_empty() {
                    self.outbox = Vec::new();
                    if self.closing_since.is_some() {
                        let _ = self.conn.send_stream(id).finish();
                    }
                }
            }
            Err(quinn_proto::WriteError::Blocked) => {} // Writable comes later
            Err(_) => self.outbox = Vec::new(),
        }
    }

    /// Out of the rendezvous for a bad request: what it sends is dropped,
    /// `refusal` (an encoded message) is delivered, then the connection is
    /// closed (see [`closing_since`](Self::closing_since)).
    pub fn refuse_and_close(&mut self, refusal: &[u8], now: Instant) {
        self.gone = true;
        self.inbox = Vec::new();
        self.outbox.extend_from_slice(refusal);
        self.closing_since = Some(now);
        self.flush();
    }

    /// Drops what is queued and closes the connection for `reason`.
    pub fn close(&mut self, now: Instant, reason: CloseReason) {
        self.outbox = Vec::new();
        self.conn.close(
            now,
            reason.code().into(),
            Bytes::from_static(reason.phrase()),
        );
    }
}
