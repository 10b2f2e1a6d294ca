//! Length-prefixed, versioned, size-limited messages on QUIC streams.
//!
//! Reading is done by a task that owns the receive half and forwards whole
//! messages on a channel, so callers can `select!` on it safely.

use crate::NetError;
use quinn::{RecvStream, SendStream};
use serde::{de::DeserializeOwned, Serialize};
use tessera_proto::frame::{self, LENGTH_PREFIX};
use tokio::sync::mpsc;

/// Writes one message.
pub async fn write<T: Serialize>(
    send: &mut SendStream,
    msg: &T,
    max: usize,
) -> Result<(), NetError> {
    let bytes = frame::encode(msg, max)?;
    send.write_all(&bytes).await?;
    Ok(())
}

/// Reads one message; `Ok(None)` when the peer finished the stream cleanly
/// between messages.
pub async fn read<T: DeserializeOwned>(
    recv: &mut RecvStream,
    max: usize,
) -> Result<Option<T>, NetError> {
    Ok(read_sized(recv, max).await?.map(|(msg, _)| msg))
}

/// Like [`read`], with the message's size on the wire (length prefix
/// included), for traffic accounting.
pub async fn read_sized<T: DeserializeOwned>(
    recv: &mut RecvStream,
    max: usize,
) -> Result<Option<(T, usize)>, NetError> {
    let mut prefix = [0u8; LENGTH_PREFIX];
    match recv.read_exact(&mut prefix).await {
        Ok(()) => {}
        Err(quinn::ReadExactError::FinishedEarly(0)) => return Ok(None),
        Err(e) => return Err(NetError::Closed(crate::error::read_error_text(&e))),
    }
    let len = frame::body_len(prefix, max)?;
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body)
        .await
        .map_err(|e| NetError::Closed(crate::error::read_error_text(&e)))?;
    Ok(Some((frame::decode_body(&body, max)?, LENGTH_PREFIX + len)))
}

/// Spawns a task that reads messages with their sizes from `recv` (see
/// [`spawn_reader`]).
pub fn spawn_sized_reader<T>(
    mut recv: RecvStream,
    max: usize,
) -> mpsc::Receiver<Result<(T, usize), NetError>>
where
    T: DeserializeOwned + Send + 'static,
{
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        loop {
            let next = read_sized::<T>(&mut recv, max).await;
            let stop = !matches!(next, Ok(Some(_)));
            if let Some(item) = next.transpose() {
                if tx.send(item).await.is_err() {
                    return;
                }
            }
            if stop {
                return;
            }
        }
    });
    rx
}

/// Spawns a task that reads messages from `recv` and sends them on the
/// returned channel; it sends the first error (or nothing on a clean end)
/// and stops.
pub fn spawn_reader<T>(mut recv: RecvStream, max: usize) -> mpsc::Receiver<Result<T, NetError>>
where
    T: DeserializeOwned + Send + 'static,
{
    let (tx, rx) = mpsc::channel(32);
    tokio::spawn(async move {
        loop {
            match read::<T>(&mut recv, max).await {
                Ok(Some(msg)) => {
                    if tx.send(Ok(msg)).await.is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
        }
    });
    rx
}
