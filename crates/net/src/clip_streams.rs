//! Clipboard copies on the end-to-end connection: each on a stream of its
//! own (kind `C`), a [`ClipHead`] frame then its bytes. One task sends
//! them one after the other, numbered; the reader takes one stream at a
//! time, so a peer's copies never hold more than one copy's worth
//! ([`MAX_CLIPBOARD_BYTES`]) in memory, checks each (size, UTF-8 for
//! text, the announced hash) and drops one older than the last it passed
//! on (the other clipboard keeps the newest copy).

use crate::framed;
use crate::streams::{self, StreamKind};
use quinn::{Connection, RecvStream};
use std::time::Duration;
use tessera_proto::clipboard::{Clip, ClipHead, MAX_CLIPBOARD_BYTES};
use tokio::sync::mpsc;

/// Largest head frame.
const MAX_HEAD_BYTES: usize = 128;
/// How long a copy's stream may bring nothing before the copy is dropped
/// (a slow link is not a broken peer: only silence drops it).
const IDLE: Duration = Duration::from_secs(10);
/// Copies waiting to be sent; more, and the newest are dropped.
const WAITING: usize = 4;

/// Starts the task that sends copies on `conn`, one after the other.
pub fn sender(conn: Connection) -> mpsc::Sender<Clip> {
    let (tx, mut rx) = mpsc::channel::<Clip>(WAITING);
    tokio::spawn(async move {
        let mut seq = 0u64;
        while let Some(clip) = rx.recv().await {
            seq += 1;
            if let Err(e) = send(&conn, &clip, seq).await {
                tracing::warn!("a copy was not sent: {e}");
            }
        }
    });
    tx
}

async fn send(conn: &Connection, clip: &Clip, seq: u64) -> Result<(), crate::NetError> {
    let mut stream = streams::open(conn, StreamKind::Clipboard).await?;
    framed::write(&mut stream, &clip.head(seq), MAX_HEAD_BYTES).await?;
    stream.write_all(clip.bytes()).await?;
    let _ = stream.finish();
    Ok(())
}

/// Why a copy did not come through.
enum NotRead {
    /// The peer broke the rules (a bad head, too large, not what the head
    /// said): the session ends.
    Broken(String),
    /// Cut or silent: dropped, said in the log.
    Dropped(String),
}

/// Reads the copies of the clipboard streams `streams` hands over, one
/// after the other: each checked copy, or why the peer broke the rules.
pub fn read(mut streams: mpsc::Receiver<RecvStream>) -> mpsc::Receiver<Result<Clip, String>> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut last = 0u64;
        while let Some(mut recv) = streams.recv().await {
            let copy = match read_one(&mut recv).await {
                Ok((seq, _)) if seq <= last => {
                    tracing::debug!("an older copy came after a newer one: dropped");
                    continue;
                }
                Ok((seq, clip)) => {
                    last = seq;
                    Ok(clip)
                }
                Err(NotRead::Dropped(why)) => {
                    tracing::warn!("a copy was dropped: {why}");
                    let _ = recv.stop(0u32.into());
                    continue;
                }
                Err(NotRead::Broken(why)) => {
                    let _ = recv.stop(0u32.into());
                    Err(why)
                }
            };
            if tx.send(copy).await.is_err() {
                return;
            }
        }
    });
    rx
}

async fn read_one(recv: &mut RecvStream) -> Result<(u64, Clip), NotRead> {
    let head = tokio::time::timeout(IDLE, framed::read::<ClipHead>(recv, MAX_HEAD_BYTES))
        .await
        .map_err(|_| NotRead::Dropped("its head did not come".into()))?;
    let head = match head {
        Ok(Some(head)) => head,
        Ok(None) => return Err(NotRead::Broken("a copy without its head".into())),
        Err(crate::NetError::Frame(e)) => {
            return Err(NotRead::Broken(format!("a copy's head: {e}")))
        }
        Err(e) => return Err(NotRead::Dropped(e.to_string())),
    };
    let len = head.bytes as usize;
    if len > MAX_CLIPBOARD_BYTES {
        return Err(NotRead::Broken(format!(
            "a copy of {len} bytes (at most {MAX_CLIPBOARD_BYTES})"
        )));
    }
    let mut bytes = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match tokio::time::timeout(IDLE, recv.read(&mut bytes[filled..])).await {
            Ok(Ok(Some(n))) => filled += n,
            Ok(Ok(None)) => {
                return Err(NotRead::Broken("a copy shorter than its head said".into()))
            }
            Ok(Err(e)) => return Err(NotRead::Dropped(e.to_string())),
            Err(_) => return Err(NotRead::Dropped("it stopped coming".into())),
        }
    }
    let clip = Clip::received(&head, bytes).map_err(|e| NotRead::Broken(e.to_string()))?;
    Ok((head.seq, clip))
}
