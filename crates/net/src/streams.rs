//! What a unidirectional stream of the end-to-end connection carries,
//! said by its first byte: the screen (`S`), a file (`F`) or clipboard
//! contents (`C`). The receiving end sorts each stream it accepts by that
//! byte and stops, unread, any stream of a kind it does not take.

use quinn::{Connection, RecvStream, SendStream};
use tokio::sync::mpsc;

/// The kinds of stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamKind {
    /// Screen updates and the cursor (agent to viewer).
    Screen,
    /// One file's bytes (`tessera_proto::files::StreamHead` first).
    File,
    /// Clipboard contents.
    Clipboard,
}

impl StreamKind {
    /// Its byte on the wire.
    pub fn byte(self) -> u8 {
        match self {
            StreamKind::Screen => b'S',
            StreamKind::File => b'F',
            StreamKind::Clipboard => b'C',
        }
    }

    /// The kind a byte names, if any.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'S' => Some(StreamKind::Screen),
            b'F' => Some(StreamKind::File),
            b'C' => Some(StreamKind::Clipboard),
            _ => None,
        }
    }
}

/// Opens a stream of `kind` (its byte written first).
pub async fn open(conn: &Connection, kind: StreamKind) -> Result<SendStream, crate::NetError> {
    let mut send = conn.open_uni().await?;
    send.write_all(&[kind.byte()]).await?;
    Ok(send)
}

/// The accepted streams, by kind. A kind whose receiver was not asked
/// for (or was dropped) has its streams stopped unread.
#[derive(Default)]
pub struct Sorted {
    /// Screen streams.
    pub screen: Option<mpsc::Sender<RecvStream>>,
    /// File streams.
    pub files: Option<mpsc::Sender<RecvStream>>,
    /// Clipboard streams.
    pub clipboard: Option<mpsc::Sender<RecvStream>>,
}

/// The code a stream of a kind not taken is stopped with.
const NOT_TAKEN: u32 = 1;

/// Accepts every unidirectional stream `conn` is opened and hands each
/// to its kind's channel, until the connection ends.
pub fn sort_streams(conn: Connection, sorted: Sorted) {
    let sorted = std::sync::Arc::new(sorted);
    tokio::spawn(async move {
        while let Ok(mut recv) = conn.accept_uni().await {
            let sorted = sorted.clone();
            // Each stream's byte is read on its own: one that never
            // sends it holds nothing else up.
            tokio::spawn(async move {
                let mut byte = [0u8; 1];
                if recv.read_exact(&mut byte).await.is_err() {
                    return;
                }
                let to = match StreamKind::from_byte(byte[0]) {
                    Some(StreamKind::Screen) => sorted.screen.as_ref(),
                    Some(StreamKind::File) => sorted.files.as_ref(),
                    Some(StreamKind::Clipboard) => sorted.clipboard.as_ref(),
                    None => None,
                };
                match to {
                    Some(to) => {
                        if let Err(mpsc::error::SendError(mut recv)) = to.send(recv).await {
                            let _ = recv.stop(NOT_TAKEN.into());
                        }
                    }
                    None => {
                        tracing::debug!("a stream of kind {:?} was not taken", byte[0]);
                        let _ = recv.stop(NOT_TAKEN.into());
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_byte() {
        for kind in [StreamKind::Screen, StreamKind::File, StreamKind::Clipboard] {
            assert_eq!(StreamKind::from_byte(kind.byte()), Some(kind));
        }
        assert_eq!(StreamKind::from_byte(0), None);
        assert_eq!(StreamKind::from_byte(b's'), None);
    }
}
