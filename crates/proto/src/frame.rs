//! Framing shared by every stream Tessera speaks: a 4-byte big-endian length,
//! then one version byte, then the postcard encoding of the message.
//!
//! The length is checked against a per-stream limit before any allocation,
//! and the version byte before any decoding, so that a peer speaking another
//! version gets a clear error instead of garbage.

use serde::{de::DeserializeOwned, Serialize};

/// The one protocol version this build speaks.
pub const PROTOCOL_VERSION: u8 = 1;
/// Bytes of the length prefix.
pub const LENGTH_PREFIX: usize = 4;

/// What was wrong with a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix announced more than the stream allows.
    #[error("message of {len} bytes is larger than the {max}-byte limit")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// The limit for this stream.
        max: usize,
    },
    /// An empty frame (it cannot even hold the version byte).
    #[error("empty message")]
    Empty,
    /// The peer speaks another protocol version.
    #[error("peer speaks protocol version {0}, this build speaks version {PROTOCOL_VERSION}: update both sides")]
    UnsupportedVersion(u8),
    /// The bytes are not a valid message.
    #[error("malformed message: {0}")]
    Malformed(String),
}

/// Encodes `msg` as a whole frame, length prefix included.
///
/// Fails only if the encoded message exceeds `max` (a bug on our side: every
/// message we build is bounded).
pub fn encode<T: Serialize>(msg: &T, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; LENGTH_PREFIX];
    out.push(PROTOCOL_VERSION);
    let mut out =
        postcard::to_extend(msg, out).map_err(|e| FrameError::Malformed(e.to_string()))?;
    let len = out.len() - LENGTH_PREFIX;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let prefix = u32::try_from(len).map_err(|_| FrameError::TooLarge { len, max })?;
    out[..LENGTH_PREFIX].copy_from_slice(&prefix.to_be_bytes());
    Ok(out)
}

/// Encodes `msg` as a frame body without length prefix (version byte and
/// postcard), for payloads carried inside another message.
pub fn encode_payload<T: Serialize>(msg: &T) -> Vec<u8> {
    // Serializing our own plain data types into a Vec cannot fail.
    postcard::to_extend(msg, vec![PROTOCOL_VERSION]).unwrap_or_default()
}

/// Reads the length prefix and checks it against `max` before the body is
/// read or allocated.
pub fn body_len(prefix: [u8; LENGTH_PREFIX], max: usize) -> Result<usize, FrameError> {
    let len = usize::try_from(u32::from_be_bytes(prefix)).unwrap_or(usize::MAX);
    match len {
        0 => Err(FrameError::Empty),
        len if len > max => Err(FrameError::TooLarge { len, max }),
        len => Ok(len),
    }
}

/// Decodes a frame body (version byte and message, no length prefix).
/// Trailing bytes are an error. Encodings are not unique (postcard accepts
/// overlong varints, as the fuzzer found), so nothing may rely on a
/// message's bytes being canonical: signatures cover the bytes as sent.
pub fn decode_body<T: DeserializeOwned>(body: &[u8], max: usize) -> Result<T, FrameError> {
    if body.len() > max {
        return Err(FrameError::TooLarge {
            len: body.len(),
            max,
        });
    }
    let (&version, rest) = body.split_first().ok_or(FrameError::Empty)?;
    if version != PROTOCOL_VERSION {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let (msg, trailing) =
        postcard::take_from_bytes(rest).map_err(|e| FrameError::Malformed(e.to_string()))?;
    if !trailing.is_empty() {
        return Err(FrameError::Malformed(format!(
            "{} unexpected bytes after the message",
            trailing.len()
        )));
    }
    Ok(msg)
}

/// Decodes one whole frame, length prefix included (for datagram-like uses
/// and tests).
pub fn decode<T: DeserializeOwned>(frame: &[u8], max: usize) -> Result<T, FrameError> {
    let prefix: [u8; LENGTH_PREFIX] = frame
        .get(..LENGTH_PREFIX)
        .and_then(|p| p.try_into().ok())
        .ok_or_else(|| FrameError::Malformed("truncated length prefix".into()))?;
    let len = body_len(prefix, max)?;
    let body = &frame[LENGTH_PREFIX..];
    if body.len() != len {
        return Err(FrameError::Malformed(format!(
            "length prefix says {len} bytes, {} present",
            body.len()
        )));
    }
    decode_body(body, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::ClientMsg;

    #[test]
    fn round_trip() {
        let nameplate = crate::Nameplate::new(482).expect("plate");
        let msg = ClientMsg::Join { nameplate };
        let frame = encode(&msg, 64).expect("fits");
        assert_eq!(decode::<ClientMsg>(&frame, 64), Ok(msg));
    }

    #[test]
    fn rejects_oversized_before_reading() {
        let prefix = 1_000_000u32.to_be_bytes();
        assert_eq!(
            body_len(prefix, 1024),
            Err(FrameError::TooLarge {
                len: 1_000_000,
                max: 1024
            })
        );
        assert_eq!(body_len([0; 4], 1024), Err(FrameError::Empty));
    }

    #[test]
    fn rejects_other_versions_trailing_bytes_and_garbage() {
        let mut frame = encode(&ClientMsg::Register, 64).expect("fits");
        frame[LENGTH_PREFIX] = 9;
        assert_eq!(
            decode::<ClientMsg>(&frame, 64),
            Err(FrameError::UnsupportedVersion(9))
        );
        assert!(matches!(
            decode_body::<ClientMsg>(&[PROTOCOL_VERSION, 0, 0], 64),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            decode_body::<ClientMsg>(&[PROTOCOL_VERSION, 200], 64),
            Err(FrameError::Malformed(_))
        ));
    }
}
