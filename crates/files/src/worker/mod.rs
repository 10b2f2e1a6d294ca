//! The file worker: carries out a session machine's [`FileOrder`]s over
//! the end-to-end connection and reports [`FileNews`]. It decides
//! nothing the machine decides (grants, numbers, questions); it holds the
//! rules of the bytes: the receiver's paths and hashes
//! ([`Incoming`](crate::incoming::Incoming)), the sender's walk and reads
//! ([`Source`](crate::source::Source)).
//!
//! Each file goes on a stream of its own (`F`, a `StreamHead`, the bytes,
//! a `StreamEnd`); at most [`SENDING_AT_ONCE`] are written at once, so
//! QUIC's flow control paces them and the control stream never waits.
//! Disk work runs on blocking threads, one per file being moved; the
//! worker's own task only dispatches.
//!
//! Dropping the worker (the session ended) stops its streams; what a
//! receiver had written stays under its temporary names, for the next
//! session's offer of the same files to resume.

mod receiving;
mod sending;

use crate::incoming::IncomingError;
use crate::receive::{ReceiveError, ReceiveFolder};
use quinn::{Connection, RecvStream};
use receiving::Receiving;
use sending::Sending;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tessera_proto::files::{FileStop, TransferId};
use tessera_session::transfers::{FileNews, FileOrder};
use tokio::sync::{mpsc, Semaphore};

/// Files written at once by one end.
pub const SENDING_AT_ONCE: usize = 4;
/// How often progress is reported (at most).
pub const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How long a file stream may take to say which file it carries before
/// it is stopped (the inner connection allows 16 streams at once: one
/// that says nothing must not hold a place).
pub const HEAD_WAIT: Duration = Duration::from_secs(10);

/// The handle a binary keeps: orders go in, news comes out.
pub struct Worker {
    orders: mpsc::UnboundedSender<FileOrder>,
}

impl Worker {
    /// Starts the worker on `conn`, receiving into `receive_dir` (made,
    /// owner-only, at the first transfer) the file streams `streams`
    /// hands over (see `tessera_net::streams`).
    pub fn start(
        conn: Connection,
        receive_dir: PathBuf,
        streams: mpsc::Receiver<RecvStream>,
    ) -> (Worker, mpsc::UnboundedReceiver<FileNews>) {
        let (orders, orders_rx) = mpsc::unbounded_channel();
        let (news, news_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            conn,
            receive_dir,
            folder: Mutex::new(None),
            news,
            receiving: Mutex::new(HashMap::new()),
            sending: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(SENDING_AT_ONCE)),
        });
        tokio::spawn(run(shared, orders_rx, streams));
        (Worker { orders }, news_rx)
    }

    /// Carries out `order`.
    pub fn order(&self, order: FileOrder) {
        let _ = self.orders.send(order);
    }
}

/// What the worker's task and its threads share.
struct Shared {
    conn: Connection,
    receive_dir: PathBuf,
    /// The receive folder, once opened.
    folder: Mutex<Option<Arc<ReceiveFolder>>>,
    news: mpsc::UnboundedSender<FileNews>,
    receiving: Mutex<HashMap<TransferId, Arc<Receiving>>>,
    sending: Mutex<HashMap<TransferId, Arc<Sending>>>,
    /// One permit a file stream being written.
    slots: Arc<Semaphore>,
}

impl Shared {
    fn tell(&self, news: FileNews) {
        let _ = self.news.send(news);
    }

    /// The receive folder, opened (and made) the first time.
    fn folder(&self) -> Result<Arc<ReceiveFolder>, ReceiveError> {
        let mut folder = lock(&self.folder);
        if let Some(folder) = folder.as_ref() {
            return Ok(folder.clone());
        }
        let opened = Arc::new(ReceiveFolder::open(&self.receive_dir)?);
        *folder = Some(opened.clone());
        Ok(opened)
    }

    fn receiving(&self, id: TransferId) -> Option<Arc<Receiving>> {
        lock(&self.receiving).get(&id).cloned()
    }

    fn sending(&self, id: TransferId) -> Option<Arc<Sending>> {
        lock(&self.sending).get(&id).cloned()
    }
}

/// Locks `mutex`; a thread that panicked while holding it left data
/// that is still whole enough to stop a transfer with.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn run(
    shared: Arc<Shared>,
    mut orders: mpsc::UnboundedReceiver<FileOrder>,
    mut streams: mpsc::Receiver<RecvStream>,
) {
    let mut tick = tokio::time::interval(PROGRESS_EVERY);
    let mut reported: HashMap<TransferId, u64> = HashMap::new();
    loop {
        tokio::select! {
            order = orders.recv() => match order {
                Some(order) => carry_out(&shared, order),
                None => break, // the session is over
            },
            Some(stream) = streams.recv() => receiving::accept(shared.clone(), stream),
            _ = tick.tick() => progress(&shared, &mut reported),
        }
    }
    // Stop everything; what was being received stays for a resume.
    for sending in lock(&shared.sending).drain().map(|(_, s)| s) {
        sending.stop();
    }
    for receiving in lock(&shared.receiving).drain().map(|(_, r)| r) {
        receiving.stop();
    }
}

fn carry_out(shared: &Arc<Shared>, order: FileOrder) {
    match order {
        FileOrder::Offer { id, path } => sending::scan(shared.clone(), id, path),
        FileOrder::Take { page, first } => receiving::take(shared, *page, first),
        FileOrder::Send { id, resume } => {
            if let Some(sending) = shared.sending(id) {
                sending::send(shared.clone(), sending, resume);
            }
        }
        FileOrder::Confirmed { id, entry, sha256 } => {
            if let Some(sending) = shared.sending(id) {
                sending::confirmed(shared, &sending, entry, sha256);
            }
        }
        FileOrder::Stop { id } => {
            if let Some(sending) = lock(&shared.sending).remove(&id) {
                sending.stop();
            }
            let receiving = lock(&shared.receiving).remove(&id);
            if let Some(receiving) = receiving {
                // At once: nothing more is written; then what was goes.
                receiving.stop();
                let shared = shared.clone();
                tokio::task::spawn_blocking(move || receiving.cancel(&shared));
            }
        }
    }
}

/// Reports each transfer whose count moved since the last report.
fn progress(shared: &Shared, reported: &mut HashMap<TransferId, u64>) {
    let mut now: Vec<(TransferId, u64, u64)> = Vec::new();
    // Counts kept beside each transfer: no transfer's lock is waited on.
    for (id, r) in lock(&shared.receiving).iter() {
        if let Some((bytes, of)) = r.progress() {
            now.push((*id, bytes, of));
        }
    }
    for (id, s) in lock(&shared.sending).iter() {
        if let Some((bytes, of)) = s.progress() {
            now.push((*id, bytes, of));
        }
    }
    reported.retain(|id, _| now.iter().any(|(open, _, _)| open == id));
    for (id, bytes, of) in now {
        if reported.insert(id, bytes) != Some(bytes) {
            shared.tell(FileNews::Progress { id, bytes, of });
        }
    }
}

/// Why a receiver's error stops a transfer, as the other end is told.
fn receive_stop(error: &IncomingError) -> FileStop {
    match error {
        IncomingError::Manifest(_) => FileStop::Refused,
        IncomingError::Receive(ReceiveError::DiskFull) => FileStop::DiskFull,
        // What the folder holds in the way: the list is refused as it is.
        IncomingError::Receive(
            ReceiveError::Symlink(_) | ReceiveError::NotAFolder(_) | ReceiveError::InTheWay(_),
        ) => FileStop::Refused,
        IncomingError::Receive(
            ReceiveError::Corrupt(_) | ReceiveError::TooLong(_) | ReceiveError::TooShort(..),
        ) => FileStop::Corrupt,
        IncomingError::Receive(_) => FileStop::Failed,
        IncomingError::EndedEarly(_) => FileStop::Corrupt,
        _ => FileStop::Refused, // the sender broke a stream rule
    }
}

/// The transfer's name for people: its first entry's top component (the
/// file, or the folder everything else is in).
fn transfer_name(first: Option<&str>) -> String {
    first
        .and_then(|path| path.split('/').next())
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_is_named_by_its_top_entry() {
        assert_eq!(transfer_name(Some("logs/a/b.txt")), "logs");
        assert_eq!(transfer_name(Some("patch.msi")), "patch.msi");
        assert_eq!(transfer_name(None), "");
    }

    #[test]
    fn each_receiver_error_is_told_by_its_reason() {
        let full = IncomingError::Receive(ReceiveError::DiskFull);
        assert_eq!(receive_stop(&full), FileStop::DiskFull);
        let corrupt = IncomingError::Receive(ReceiveError::Corrupt("a".into()));
        assert_eq!(receive_stop(&corrupt), FileStop::Corrupt);
        assert_eq!(receive_stop(&IncomingError::Twice(3)), FileStop::Refused);
    }
}
