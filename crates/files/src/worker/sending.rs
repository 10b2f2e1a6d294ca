//! The sending half of the worker: the walk that makes the offer, then
//! each file on a stream of its own, read and hashed on a thread of its
//! own, and the receiver's confirmations checked against what was read.

use super::{lock, transfer_name, Shared};
use crate::source::Source;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tessera_net::streams::{self, StreamKind};
use tessera_proto::files::{
    EntryKind, FileStop, ResumeFrom, StreamEnd, StreamHead, TransferId, CHUNK_BYTES,
};
use tessera_session::transfers::{FileNews, Summary, MAX_LEFT_OUT};
use tokio::sync::{mpsc, watch};

/// Largest head or end frame of a file stream.
const MAX_HEAD_BYTES: usize = 256;
/// Bytes read from the disk and written to the stream at a time.
const WRITE_BYTES: usize = 1024 * 1024;
/// The code a file stream is reset with when its transfer stops.
const STOPPED: u32 = 3;

/// A transfer being sent.
pub(super) struct Sending {
    id: TransferId,
    source: Source,
    /// Set when the transfer stops: wakes every write blocked on it.
    stopped: watch::Sender<bool>,
    /// Bytes the receiver has (resumed ones included).
    bytes: AtomicU64,
    /// Each file's SHA-256 as read, once its end was written.
    sent: Mutex<HashMap<u32, [u8; 32]>>,
    /// Files the receiver confirmed.
    confirmed: Mutex<u32>,
    files: u32,
    /// The slots of files written whole but not yet confirmed: a file
    /// counts against [`super::SENDING_AT_ONCE`] until the receiver kept
    /// it, so the receiver never holds more open than that (it refuses
    /// more than `MAX_OPEN` at once).
    unconfirmed: Mutex<HashMap<u32, tokio::sync::OwnedSemaphorePermit>>,
}

impl Sending {
    /// Stops its streams (they reset at their next write).
    pub(super) fn stop(&self) {
        self.stopped.send_replace(true);
        lock(&self.unconfirmed).clear();
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }

    /// Bytes sent and in all.
    pub(super) fn progress(&self) -> Option<(u64, u64)> {
        Some((self.bytes.load(Ordering::Relaxed), self.source.bytes))
    }
}

/// `~/…` as the person's home, as a shell would read it.
fn expand_home(path: PathBuf) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path,
    }
}

/// Walks `path` on a blocking thread and offers it as transfer `id`.
pub(super) fn scan(shared: Arc<Shared>, id: TransferId, path: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let path = expand_home(path);
        let (source, skipped) = match Source::scan(&path) {
            Ok(scanned) => scanned,
            Err(e) => {
                return shared.tell(FileNews::Failed {
                    id,
                    why: FileStop::Failed,
                    detail: e.to_string(),
                })
            }
        };
        let mut left_out: Vec<String> = skipped
            .iter()
            .take(MAX_LEFT_OUT)
            .map(|s| format!("{}: {}", s.path.display(), s.why))
            .collect();
        if skipped.len() > MAX_LEFT_OUT {
            left_out.push(format!("and {} more", skipped.len() - MAX_LEFT_OUT));
        }
        let files = source
            .entries
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::File { .. }))
            .count();
        let summary = Summary {
            name: transfer_name(source.entries.first().map(|e| e.path.as_str())),
            files: u32::try_from(files).unwrap_or(u32::MAX),
            bytes: source.bytes,
            resumed: 0,
            left_out,
        };
        let pages = source.pages(id);
        let sending = Arc::new(Sending {
            id,
            files: summary.files,
            source,
            stopped: watch::channel(false).0,
            bytes: AtomicU64::new(0),
            sent: Mutex::new(HashMap::new()),
            confirmed: Mutex::new(0),
            unconfirmed: Mutex::new(HashMap::new()),
        });
        lock(&shared.sending).insert(id, sending);
        shared.tell(FileNews::Scanned { id, pages, summary });
    });
}

/// The receiver accepted: every file goes, [`super::SENDING_AT_ONCE`] at
/// a time, each from where the receiver can resume it.
pub(super) fn send(shared: Arc<Shared>, sending: Arc<Sending>, resume: Vec<ResumeFrom>) {
    if sending.files == 0 {
        lock(&shared.sending).remove(&sending.id); // folders only: nothing to stream
        return;
    }
    let resume: HashMap<u32, ResumeFrom> = resume.into_iter().map(|r| (r.entry, r)).collect();
    tokio::spawn(async move {
        let handle = tokio::runtime::Handle::current();
        for (index, entry) in sending.source.entries.iter().enumerate() {
            if !matches!(entry.kind, EntryKind::File { .. }) {
                continue;
            }
            let Ok(slot) = shared.slots.clone().acquire_owned().await else {
                return;
            };
            if sending.is_stopped() {
                return;
            }
            let entry = index as u32;
            let from = resume.get(&entry).copied();
            let (shared, sending, handle) = (shared.clone(), sending.clone(), handle.clone());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = send_file(&shared, &sending, &handle, entry, from, slot) {
                    let path = sending.source.paths.get(entry as usize);
                    let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
                    if lock(&shared.sending).remove(&sending.id).is_some() {
                        sending.stop();
                        shared.tell(FileNews::Failed {
                            id: sending.id,
                            why: FileStop::Failed,
                            detail: format!("cannot read {shown}: {e}"),
                        });
                    }
                }
            });
        }
    });
}

/// What the reading thread hands the stream's writer.
enum Piece {
    /// The next bytes, read and hashed.
    Bytes(Vec<u8>),
    /// All of it was read: its SHA-256.
    End([u8; 32]),
}

/// Sends one file: this (blocking) thread reads and hashes it in
/// buffers, a task on the runtime writes them on the file's stream, so
/// writing waits on QUIC's flow control without a thread woken for each
/// window. `Err` only when the file cannot be read (a stream the receiver
/// stopped, or a connection gone, ends quietly: the other end says why,
/// or the session is over). The slot goes with the writer.
fn send_file(
    shared: &Shared,
    sending: &Arc<Sending>,
    handle: &tokio::runtime::Handle,
    entry: u32,
    resume: Option<ResumeFrom>,
    slot: tokio::sync::OwnedSemaphorePermit,
) -> std::io::Result<()> {
    let mut reader = sending.source.read(entry, resume.as_ref())?;
    let (pieces, arriving) = mpsc::channel(2);
    let head = StreamHead {
        id: sending.id,
        entry,
        from_chunk: reader.from_chunk,
    };
    handle.spawn(write_stream(
        shared.conn.clone(),
        sending.clone(),
        head,
        arriving,
        slot,
    ));
    loop {
        if sending.is_stopped() {
            return Ok(());
        }
        let mut buffer = vec![0u8; WRITE_BYTES];
        let n = reader.next(&mut buffer)?.len();
        if n == 0 {
            break;
        }
        buffer.truncate(n);
        if pieces.blocking_send(Piece::Bytes(buffer)).is_err() {
            return Ok(()); // the writer stopped
        }
    }
    if let Some(sha256) = reader.sha256() {
        let _ = pieces.blocking_send(Piece::End(sha256));
    }
    Ok(())
}

/// Writes a file's stream from what its reading thread hands over: the
/// head, the bytes, then the end with the hash once all was read. The
/// reader gone without an end (it failed, or the transfer stopped)
/// resets the stream.
async fn write_stream(
    conn: quinn::Connection,
    sending: Arc<Sending>,
    head: StreamHead,
    mut arriving: mpsc::Receiver<Piece>,
    slot: tokio::sync::OwnedSemaphorePermit,
) {
    let mut stop = sending.stopped.subscribe();
    // A receiver that gives no stream credit, or reads nothing, holds
    // nothing past the transfer's stop: every wait also waits for it.
    let opened = tokio::select! {
        biased;
        _ = stop.wait_for(|stopped| *stopped) => return,
        opened = streams::open(&conn, StreamKind::File) => opened,
    };
    let Ok(mut stream) = opened else {
        return;
    };
    let headed = tokio::select! {
        biased;
        _ = stop.wait_for(|stopped| *stopped) => false,
        headed = tessera_net::framed::write(&mut stream, &head, MAX_HEAD_BYTES) => headed.is_ok(),
    };
    if !headed {
        let _ = stream.reset(STOPPED.into());
        return;
    }
    sending
        .bytes
        .fetch_add(head.from_chunk * CHUNK_BYTES, Ordering::Relaxed);
    loop {
        let piece = tokio::select! {
            biased;
            _ = stop.wait_for(|stopped| *stopped) => None,
            piece = arriving.recv() => piece,
        };
        match piece {
            Some(Piece::Bytes(bytes)) => {
                // A receiver that neither reads nor stops the stream
                // cannot hold it (and its slot) past the transfer's stop.
                let written = tokio::select! {
                    biased;
                    _ = stop.wait_for(|stopped| *stopped) => false,
                    written = stream.write_all(&bytes) => written.is_ok(),
                };
                if !written {
                    let _ = stream.reset(STOPPED.into());
                    return;
                }
                sending
                    .bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Some(Piece::End(sha256)) => {
                lock(&sending.sent).insert(head.entry, sha256);
                let end = StreamEnd { sha256 };
                let ended = tokio::select! {
                    biased;
                    _ = stop.wait_for(|stopped| *stopped) => false,
                    ended = tessera_net::framed::write(&mut stream, &end, MAX_HEAD_BYTES) => ended.is_ok(),
                };
                // Stopped meanwhile: the receiver must not keep the file.
                match ended && !sending.is_stopped() {
                    true => {
                        let _ = stream.finish();
                        // Its slot is freed when the receiver confirms it.
                        lock(&sending.unconfirmed).insert(head.entry, slot);
                    }
                    false => {
                        let _ = stream.reset(STOPPED.into());
                    }
                }
                return;
            }
            None => {
                let _ = stream.reset(STOPPED.into());
                return;
            }
        }
    }
}

/// The receiver kept a file: kept here too if its hash is what was read,
/// else the transfer fails as corrupt.
pub(super) fn confirmed(shared: &Shared, sending: &Sending, entry: u32, sha256: [u8; 32]) {
    // Each file is confirmed once: a second `Done` finds nothing.
    let read = lock(&sending.sent).remove(&entry);
    lock(&sending.unconfirmed).remove(&entry);
    let id = sending.id;
    if read != Some(sha256) {
        if lock(&shared.sending).remove(&id).is_some() {
            sending.stop();
            shared.tell(FileNews::Failed {
                id,
                why: FileStop::Corrupt,
                detail: format!(
                    "entry {entry} was confirmed twice, before it was sent, or under another SHA-256"
                ),
            });
        }
        return;
    }
    let (name, bytes) = match sending.source.entries.get(entry as usize) {
        Some(e) => match e.kind {
            EntryKind::File { size, .. } => (e.path.clone(), size),
            EntryKind::Folder => return,
        },
        None => return,
    };
    shared.tell(FileNews::Kept {
        id,
        entry,
        name,
        bytes,
        sha256,
        received: false,
    });
    let mut confirmed = lock(&sending.confirmed);
    *confirmed += 1;
    if *confirmed >= sending.files {
        lock(&shared.sending).remove(&id);
    }
}
