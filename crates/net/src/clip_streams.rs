//! Clipboard copies on the end-to-end connection: each on a stream of its
//! own (kind `C`), a [`ClipHead`] frame then its bytes. The reader takes
//! one stream at a time, so a peer's copies never hold more than one
//! copy's worth ([`MAX_CLIPBOARD_BYTES`]) in memory, and checks each one
//! (size, UTF-8 for text, the announced hash) before it goes further.

use crate::framed;
use crate::streams::{self, StreamKind};
use quinn::{Connection, RecvStream};
use std::time::Duration;
use tessera_proto::clipboard::{Clip, ClipHead, MAX_CLIPBOARD_BYTES};
use tokio::sync::mpsc;

/// Largest head frame.
const MAX_HEAD_BYTES: usize = 128;
/// How long a copy may take to arrive once its stream opened.
const ARRIVE_WITHIN: Duration = Duration::from_secs(30);

/// Sends `clip` on a stream of its own.
pub async fn send(conn: &Connection, clip: &Clip) -> Result<(), crate::NetError> {
    let mut stream = streams::open(conn, StreamKind::Clipboard).await?;
    framed::write(&mut stream, &clip.head(), MAX_HEAD_BYTES).await?;
    stream.write_all(clip.bytes()).await?;
    let _ = stream.finish();
    Ok(())
}

/// Reads the copies of the clipboard streams `streams` hands over, one
/// after the other: each checked copy, or why one was refused.
pub fn read(mut streams: mpsc::Receiver<RecvStream>) -> mpsc::Receiver<Result<Clip, String>> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(mut recv) = streams.recv().await {
            let read = tokio::time::timeout(ARRIVE_WITHIN, read_one(&mut recv));
            let copy = match read.await {
                Ok(copy) => copy,
                Err(_) => Err("a copy did not arrive in time".to_string()),
            };
            if copy.is_err() {
                let _ = recv.stop(0u32.into());
            }
            if tx.send(copy).await.is_err() {
                return;
            }
        }
    });
    rx
}

async fn read_one(recv: &mut RecvStream) -> Result<Clip, String> {
    let head: ClipHead = framed::read(recv, MAX_HEAD_BYTES)
        .await
        .map_err(|e| format!("a copy's head: {e}"))?
        .ok_or("a copy without its head")?;
    let len = head.bytes as usize;
    if len > MAX_CLIPBOARD_BYTES {
        return Err(format!(
            "a copy of {len} bytes (at most {MAX_CLIPBOARD_BYTES})"
        ));
    }
    let mut bytes = vec![0; len];
    recv.read_exact(&mut bytes)
        .await
        .map_err(|e| format!("a copy cut short: {e}"))?;
    Clip::received(&head, bytes).map_err(|e| e.to_string())
}
