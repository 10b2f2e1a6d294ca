//! The receiving half of the worker: a transfer's pages taken in order on
//! a thread of their own, then each file's stream written by a thread of
//! its own into the receive folder, through [`Incoming`]'s rules.

use super::{lock, receive_stop, transfer_name, Shared};
use crate::incoming::{Incoming, IncomingError};
use quinn::RecvStream;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use tessera_proto::files::{
    EntryKind, ManifestPage, StreamEnd, StreamHead, TransferId, CHUNK_BYTES,
};
use tessera_session::transfers::{FileNews, Summary};

/// Largest head or end frame of a file stream.
const MAX_HEAD_BYTES: usize = 256;
/// Bytes read from a stream at a time.
const READ_BYTES: usize = 256 * 1024;
/// The code a file stream is stopped with when its transfer is not one
/// this end receives (any more).
const NOT_RECEIVING: u32 = 2;

/// A transfer being received.
pub(super) struct Receiving {
    id: TransferId,
    /// `None` once stopped: threads still running find it gone and stop.
    incoming: Mutex<Option<Incoming>>,
    /// The pages not yet taken, in order, for the thread that takes them.
    pages: std_mpsc::Sender<ManifestPage>,
}

impl Receiving {
    /// Bytes received and announced, once the list is whole.
    pub(super) fn progress(&self) -> Option<(u64, u64)> {
        let incoming = lock(&self.incoming);
        let incoming = incoming.as_ref()?;
        incoming.manifest()?;
        Some(incoming.progress())
    }

    /// Stops for good: what was half written and the folders made go.
    pub(super) fn cancel(&self, shared: &Shared) {
        if let Some(incoming) = lock(&self.incoming).take() {
            if let Ok(folder) = shared.folder() {
                incoming.cancel(&folder);
            }
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
}

/// A page of a transfer to receive: the first starts the thread that
/// takes them all, in order.
pub(super) fn take(shared: &Arc<Shared>, page: ManifestPage) {
    let id = page.id;
    if let Some(receiving) = shared.receiving(id) {
        let _ = receiving.pages.send(page);
        return;
    }
    let (pages, pages_rx) = std_mpsc::channel();
    let receiving = Arc::new(Receiving {
        id,
        incoming: Mutex::new(Some(Incoming::new(id))),
        pages,
    });
    let _ = receiving.pages.send(page);
    lock(&shared.receiving).insert(id, receiving.clone());
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || take_pages(&shared, &receiving, pages_rx));
}

/// Takes pages until the list is whole (then says so) or refused.
fn take_pages(shared: &Shared, receiving: &Receiving, pages: std_mpsc::Receiver<ManifestPage>) {
    let folder = match shared.folder() {
        Ok(folder) => folder,
        Err(e) => return receiving.fail(shared, &IncomingError::Receive(e)),
    };
    while let Ok(page) = pages.recv() {
        let mut guard = lock(&receiving.incoming);
        let Some(incoming) = guard.as_mut() else {
            return; // stopped
        };
        match incoming.page(&folder, &page) {
            Ok(None) => {}
            Ok(Some(resume)) => {
                let Some(manifest) = incoming.manifest() else {
                    return;
                };
                let summary = Summary {
                    name: transfer_name(
                        manifest
                            .items
                            .first()
                            .map(|i| i.path.components())
                            .and_then(|c| c.first())
                            .map(String::as_str),
                    ),
                    files: u32::try_from(manifest.files).unwrap_or(u32::MAX),
                    bytes: manifest.bytes,
                    resumed: resume
                        .iter()
                        .map(|r| r.chunks.saturating_mul(CHUNK_BYTES))
                        .sum(),
                };
                let id = receiving.id;
                let done = incoming.complete();
                drop(guard);
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
        let head = match tessera_net::framed::read::<StreamHead>(&mut recv, MAX_HEAD_BYTES).await {
            Ok(Some(head)) => head,
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
            if let Err(e) = receive_file(&shared, &receiving, &handle, &mut recv, &head) {
                receiving.fail(&shared, &e);
                let _ = recv.stop(NOT_RECEIVING.into());
            }
        });
    });
}

/// Writes one file's stream; an error stops the whole transfer. A stream
/// cut short (the sender stopped, the connection went) leaves the file's
/// part for a later stream to resume.
fn receive_file(
    shared: &Shared,
    receiving: &Receiving,
    handle: &tokio::runtime::Handle,
    recv: &mut RecvStream,
    head: &StreamHead,
) -> Result<(), IncomingError> {
    let folder = shared.folder().map_err(IncomingError::Receive)?;
    let entry = head.entry;
    let (size, path) = {
        let mut guard = lock(&receiving.incoming);
        let Some(incoming) = guard.as_mut() else {
            return Ok(()); // stopped meanwhile
        };
        incoming.head(&folder, head)?;
        let item = incoming
            .manifest()
            .and_then(|m| m.items.get(entry as usize))
            .ok_or(IncomingError::NotAFile(entry))?;
        let EntryKind::File { size, .. } = item.kind else {
            return Err(IncomingError::NotAFile(entry));
        };
        (size, item.path.parents().to_vec())
    };
    // `head` checked `from_chunk` against what is held, so this fits.
    let mut left = size.saturating_sub(head.from_chunk.saturating_mul(CHUNK_BYTES));
    let mut buffer = vec![0u8; READ_BYTES];
    let cut = |receiving: &Receiving| {
        if let Some(incoming) = lock(&receiving.incoming).as_mut() {
            incoming.reset(entry);
        }
    };
    while left > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match handle.block_on(recv.read(&mut buffer[..want])) {
            Ok(Some(n)) => n,
            Ok(None) | Err(_) => {
                cut(receiving);
                return Ok(());
            }
        };
        let mut guard = lock(&receiving.incoming);
        let Some(incoming) = guard.as_mut() else {
            return Ok(());
        };
        incoming.data(entry, &buffer[..n])?;
        left -= n as u64;
    }
    let end = match handle.block_on(tessera_net::framed::read::<StreamEnd>(recv, MAX_HEAD_BYTES)) {
        Ok(Some(end)) => end,
        _ => {
            cut(receiving);
            return Ok(());
        }
    };
    let mut guard = lock(&receiving.incoming);
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
    });
    if complete {
        lock(&shared.receiving).remove(&receiving.id);
    }
    Ok(())
}
