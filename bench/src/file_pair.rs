//! Tessera's file machinery on both ends of one connection pair, driven
//! as a session drives it (offer, manifest pages, send, confirm), without
//! the session machines around it: the same bytes, hashes, writes and
//! syncs on a direct connection and through the relay, so their ratio is
//! what the relay costs a file.

use quinn::Connection;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tessera_files::worker::Worker;
use tessera_net::streams::{sort_streams, Sorted};
use tessera_proto::files::TransferId;
use tessera_session::transfers::{FileNews, FileOrder};
use tokio::sync::mpsc;

/// A sending worker on one connection, a receiving one on the other.
pub struct FilePair {
    sender: Worker,
    sender_news: mpsc::UnboundedReceiver<FileNews>,
    receiver: Worker,
    receiver_news: mpsc::UnboundedReceiver<FileNews>,
    receive_dir: PathBuf,
    next_id: TransferId,
}

impl FilePair {
    /// Workers on `from` (sends) and `to` (receives into `receive_dir`).
    pub fn new(from: &Connection, to: &Connection, receive_dir: &Path) -> Self {
        let (_none, no_streams) = mpsc::channel(1);
        let (sender, sender_news) =
            Worker::start(from.clone(), receive_dir.join("unused"), no_streams);
        let (files, streams) = mpsc::channel(16);
        sort_streams(
            to.clone(),
            Sorted {
                screen: None,
                files: Some(files),
                clipboard: None,
            },
        );
        let (receiver, receiver_news) = Worker::start(to.clone(), receive_dir.into(), streams);
        Self {
            sender,
            sender_news,
            receiver,
            receiver_news,
            receive_dir: receive_dir.into(),
            next_id: 2,
        }
    }

    /// Sends `file`; returns the time from the offer until the receiver
    /// kept it (hash checked, synced, named), and removes the copy.
    pub async fn send(&mut self, file: &Path) -> Duration {
        let id = self.next_id;
        self.next_id += 2;
        let started = Instant::now();
        self.sender.order(FileOrder::Offer {
            id,
            path: file.into(),
        });
        let pages = match next(&mut self.sender_news).await {
            FileNews::Scanned { pages, .. } => pages,
            other => unexpected(other),
        };
        for (i, page) in pages.into_iter().enumerate() {
            self.receiver.order(FileOrder::Take {
                page: Box::new(page),
                first: i == 0,
            });
        }
        let resume = match next(&mut self.receiver_news).await {
            FileNews::Ready { resume, .. } => resume,
            other => unexpected(other),
        };
        self.sender.order(FileOrder::Send { id, resume });
        let name = match next(&mut self.receiver_news).await {
            FileNews::Kept {
                entry,
                sha256,
                name,
                ..
            } => {
                self.sender
                    .order(FileOrder::Confirmed { id, entry, sha256 });
                name
            }
            other => unexpected(other),
        };
        let took = started.elapsed();
        loop {
            if let FileNews::Kept { .. } = next(&mut self.sender_news).await {
                break;
            }
        }
        std::fs::remove_file(self.receive_dir.join(name)).expect("remove the copy");
        took
    }
}

async fn next(news: &mut mpsc::UnboundedReceiver<FileNews>) -> FileNews {
    loop {
        match news.recv().await.expect("worker running") {
            FileNews::Progress { .. } => continue,
            FileNews::Failed { why, detail, .. } => panic!("transfer failed: {why:?}: {detail}"),
            other => return other,
        }
    }
}

fn unexpected(news: FileNews) -> ! {
    panic!("unexpected file news: {news:?}")
}
