//! The receiving half of the worker: a transfer's pages taken in order on
//! a thread of their own, then each file's stream written by a thread of
//! its own into the receive folder, through [`Incoming`]'s rules.
//!
//! A transfer stops three ways: for good (a cancel, an error: what it
//! half wrote goes), for now (the session ended: its parts stay for a
//! resume), or whole. Its `stop` signal wakes every thread blocked on its
//! streams, and each checks it under the transfer's lock before it
//! writes, so nothing lands once a stop is ordered.

use super::{lock, receive_stop, transfer_name, Shared};
use crate::incoming::{Incoming, IncomingError};
use quinn::RecvStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use tessera_proto::files::{
    EntryKind, ManifestPage, StreamEnd, StreamHead, TransferId, CHUNK_BYTES,
};
use tessera_session::transfers::{FileNews, Summary};
use tokio::sync::{mpsc, watch};

/// Largest head or end frame of a file stream.
const MAX_HEAD_BYTES: usize = 256;
/// Bytes read from a stream at a time.
const READ_BYTES: usize = 1024 * 1024;
/// The code a file stream is stopped with when its transfer is not one
/// this end receives (any more).
const NOT_RECEIVING: u32 = 2;

/// A transfer being received.
pub(super) struct Receiving {
    id: TransferId,
    /// `None` once stopped for good.
    incoming: Mutex<Option<Incoming>>,
    /// The pages not yet taken, for the thread that takes them in order;
    /// dropped when the transfer stops, which ends that thread.
    pages: Mutex<Option<std_mpsc::Sender<ManifestPage>>>,
    /// Set once the transfer stops, whichever way.
    stop: watch::Sender<bool>,
    /// Bytes received (resumed ones included) and announced, read by the
    /// progress report without waiting on the lock.
    received: AtomicU64,
    total: AtomicU64,
    listed: AtomicBool,
}

impl Receiving {
    /// Bytes received and announced, once the list is whole.
    pub(super) fn progress(&self) -> Option<(u64, u64)> {
        self.listed.load(Ordering::Relaxed).then(|| {
            (
                self.received.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            )
        })
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Stops its threads; what it wrote stays (for now, or until
    /// [`cancel`](Self::cancel)).
    pub(super) fn stop(&self) {
        self.stop.send_replace(true);
        lock(&self.pages).take();
    }

    /// Stops for good: what was half written and the folders made go.
    pub(super) fn cancel(&self, shared: &Shared) {
        self.stop();
        let incoming = lock(&self.incoming).take();
        if let (Some(incoming), Ok(folder)) = (incoming, shared.folder()) {
            incoming.cancel(&folder);
        }
    }

    /// Stops for good after an error, and says why.
    fn fail(&self, shared: &Shared, error: &IncomingError) {
        if lock(&shared.receiving).remove(&self.id).is_none() {
            return; // already stopped
        }
        self.cancel(shared);
        shared.tell(FileNews::Failed {
            id: self.id,
            why: receive_stop(error),
            detail: error.to_string(),
        });
    }

    /// The transfer's state, unless it stopped: checked under its lock
    /// before anything is written.
    fn live(&self) -> Option<MutexGuard<'_, Option<Incoming>>> {
        let guard = lock(&self.incoming);
        (!self.stopped() && guard.is_some()).then_some(guard)
    }

    fn count(&self, incoming: &Incoming) {
        let (received, total) = incoming.progress();
        self.received.store(received, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }
}

/// A page of a transfer to receive. The first (as the machine says)
/// starts the thread that takes them all, in order; a later page of a
/// transfer no longer here (stopped or failed) is dropped.
pub(super) fn take(shared: &Arc<Shared>, page: ManifestPage, first: bool) {
    let id = page.id;
    if !first {
        if let Some(receiving) = shared.receiving(id) {
            if let Some(pages) = lock(&receiving.pages).as_ref() {
                let _ = pages.send(page);
            }
        }
        return;
    }
    if shared.receiving(id).is_some() {
        return; // never twice
    }
    let (pages, pages_rx) = std_mpsc::channel();
    let _ = pages.send(page);
    let receiving = Arc::new(Receiving {
        id,
        incoming: Mutex::new(Some(Incoming::new(id))),
        pages: Mutex::new(Some(pages)),
        stop: watch::channel(false).0,
        received: AtomicU64::new(0),
        total: AtomicU64::new(0),
        listed: AtomicBool::new(false),
    });
    lock(&shared.receiving).insert(id, receiving.clone());
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || take_pages(&shared, &receiving, pages_rx));
}

/// Takes pages until the list is whole (then says so), refused, or the
/// transfer stopped (its sender of pages dropped).
fn take_pages(shared: &Shared, receiving: &Receiving, pages: std_mpsc::Receiver<ManifestPage>) {
    let folder = match shared.folder() {
        Ok(folder) => folder,
        Err(e) => return receiving.fail(shared, &IncomingError::Receive(e)),
    };
    while let Ok(page) = pages.recv() {
        let Some(mut guard) = receiving.live() else {
            return;
        };
        let Some(incoming) = guard.as_mut() else {
            return;
        };
        match incoming.page(&folder, &page) {
            Ok(None) => {}
            Ok(Some(resume)) => {
                let Some(manifest) = incoming.manifest() else {
                    return;
                };
                let first = manifest
                    .items
                    .first()
                    .and_then(|i| i.path.components().first());
                let summary = Summary {
                    name: transfer_name(first.map(String::as_str)),
                    files: u32::try_from(manifest.files).unwrap_or(u32::MAX),
                    bytes: manifest.bytes,
                    resumed: resume
                        .iter()
                        .map(|r| r.chunks.saturating_mul(CHUNK_BYTES))
                        .sum(),
                    left_out: Vec::new(),
                };
                receiving.received.store(summary.resumed, Ordering::Relaxed);
                receiving.total.store(summary.bytes, Ordering::Relaxed);
                receiving.listed.store(true, Ordering::Relaxed);
                let id = receiving.id;
                let done = incoming.complete();
                drop(guard);
                lock(&receiving.pages).take();
                shared.tell(FileNews::Ready {
                    id,
                    resume,
                    summary,
                });
                if done {
                    lock(&shared.receiving).remove(&id);
                }
                return;
            }
            Err(e) => {
                drop(guard);
                return receiving.fail(shared, &e);
            }
        }
    }
}

/// A file stream arrived: its head says which transfer and file; one
/// this end is not receiving is stopped unread.
pub(super) fn accept(shared: Arc<Shared>, mut recv: RecvStream) {
    tokio::spawn(async move {
        let read = tessera_net::framed::read::<StreamHead>(&mut recv, MAX_HEAD_BYTES);
        let head = match tokio::time::timeout(super::HEAD_WAIT, read).await {
            Ok(Ok(Some(head))) => head,
            _ => {
                let _ = recv.stop(NOT_RECEIVING.into());
                return;
            }
        };
        let Some(receiving) = shared.receiving(head.id) else {
            let _ = recv.stop(NOT_RECEIVING.into());
            return;
        };
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = receive_file(&shared, &receiving, &handle, recv, &head) {
                receiving.fail(&shared, &e);
            }
        });
    });
}

/// What a file stream brings, as its pump hands it to the writer.
enum Piece {
    /// The next bytes (up to [`READ_BYTES`] at once).
    Bytes(Vec<u8>),
    /// The file's end, with its hash.
    End(StreamEnd),
    /// Finished before the whole file and its hash came.
    EndedEarly,
    /// Reset by the sender, the connection gone, or the transfer stopped.
    Cut,
}

/// Reads a file stream on the runtime, gathering what comes a packet at
/// a time into buffers for the writer's thread (one wake-up and one
/// write a buffer, not a packet); `left` bytes, then the end frame. A
/// writer gone or the transfer stopped stops the stream.
async fn pump(
    mut recv: RecvStream,
    mut left: u64,
    pieces: mpsc::Sender<Piece>,
    mut stop: watch::Receiver<bool>,
) {
    let piece = loop {
        if left == 0 {
            // The end frame is all that is left: read to the stream's
            // finish, so a finish inside it reads as ended early, not cut.
            let end = tokio::select! {
                biased;
                _ = stop.wait_for(|stopped| *stopped) => break Piece::Cut,
                end = recv.read_to_end(MAX_HEAD_BYTES) => end,
            };
            break match end {
                Ok(bytes) => {
                    match tessera_proto::frame::decode::<StreamEnd>(&bytes, MAX_HEAD_BYTES) {
                        Ok(end) => Piece::End(end),
                        // Finished without its hash, or with something else.
                        Err(_) => Piece::EndedEarly,
                    }
                }
                Err(quinn::ReadToEndError::TooLong) => Piece::EndedEarly,
                Err(quinn::ReadToEndError::Read(_)) => Piece::Cut,
            };
        }
        let want = READ_BYTES.min(usize::try_from(left).unwrap_or(usize::MAX));
        let mut buffer = vec![0u8; want];
        let mut filled = 0;
        let mut ended = None;
        while filled < want {
            tokio::select! {
                read = recv.read(&mut buffer[filled..]) => match read {
                    Ok(Some(n)) => filled += n,
                    Ok(None) => {
                        ended = Some(Piece::EndedEarly);
                        break;
                    }
                    Err(_) => {
                        ended = Some(Piece::Cut);
                        break;
                    }
                },
                _ = stop.wait_for(|stopped| *stopped) => {
                    ended = Some(Piece::Cut);
                    break;
                }
            }
        }
        if filled > 0 {
            buffer.truncate(filled);
            left -= filled as u64;
            if pieces.send(Piece::Bytes(buffer)).await.is_err() {
                break Piece::Cut;
            }
        }
        if let Some(ended) = ended {
            break ended;
        }
    };
    let cut = matches!(piece, Piece::Cut);
    if pieces.send(piece).await.is_err() || cut {
        let _ = recv.stop(NOT_RECEIVING.into());
    }
}

/// Writes one file's stream; an error stops the whole transfer. A stream
/// cut (the sender stopped, the connection went) leaves the file's part
/// with the transfer: kept if the session ended, removed if the transfer
/// is cancelled.
fn receive_file(
    shared: &Shared,
    receiving: &Receiving,
    handle: &tokio::runtime::Handle,
    recv: RecvStream,
    head: &StreamHead,
) -> Result<(), IncomingError> {
    let folder = shared.folder().map_err(IncomingError::Receive)?;
    let entry = head.entry;
    let (size, path) = {
        let Some(mut guard) = receiving.live() else {
            return Ok(());
        };
        let Some(incoming) = guard.as_mut() else {
            return Ok(());
        };
        incoming.head(&folder, head)?;
        receiving.count(incoming);
        let item = incoming
            .manifest()
            .and_then(|m| m.items.get(entry as usize))
            .ok_or(IncomingError::NotAFile(entry))?;
        let EntryKind::File { size, .. } = item.kind else {
            return Err(IncomingError::NotAFile(entry));
        };
        (size, item.path.parents().to_vec())
    };
    let cut = |receiving: &Receiving| {
        if let Some(incoming) = lock(&receiving.incoming).as_mut() {
            incoming.reset(entry);
        }
    };
    // `head` checked `from_chunk` against what is held, so this fits.
    let left = size.saturating_sub(head.from_chunk.saturating_mul(CHUNK_BYTES));
    let (pieces, mut arriving) = mpsc::channel(2);
    handle.spawn(pump(recv, left, pieces, receiving.stop.subscribe()));
    let end = loop {
        match arriving.blocking_recv() {
            Some(Piece::Bytes(bytes)) => {
                let Some(mut guard) = receiving.live() else {
                    return Ok(());
                };
                let Some(incoming) = guard.as_mut() else {
                    return Ok(());
                };
                incoming.data(entry, &bytes)?;
                receiving.count(incoming);
            }
            Some(Piece::End(end)) => break end,
            Some(Piece::EndedEarly) => return Err(IncomingError::EndedEarly(entry)),
            Some(Piece::Cut) | None => {
                cut(receiving);
                return Ok(());
            }
        }
    };
    let Some(mut guard) = receiving.live() else {
        return Ok(());
    };
    let Some(incoming) = guard.as_mut() else {
        return Ok(());
    };
    let name = incoming.end(entry, &end)?;
    let complete = incoming.complete();
    drop(guard);
    let mut shown = path;
    shown.push(name);
    shared.tell(FileNews::Kept {
        id: receiving.id,
        entry,
        name: shown.join("/"),
        bytes: size,
        sha256: end.sha256,
        received: true,
    });
    if complete {
        lock(&shared.receiving).remove(&receiving.id);
    }
    Ok(())
}
