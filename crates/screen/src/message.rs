//! What travels on the agent's screen streams: picture updates on one,
//! cursor moves on another (so a moving cursor never waits behind a large
//! update). Both are framed, versioned and bounded like every message.

use crate::codec::{DecodeError, Update, MAX_UPDATE_BYTES};
use crate::cursor::{CursorShape, Pointer};
use serde::{Deserialize, Serialize};
use tessera_proto::frame::{decode_body, encode};

/// One message on a screen stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScreenMsg {
    /// A picture update.
    Update(Update),
    /// The cursor moved or changed shape; `shape` comes with the first
    /// position that uses it.
    Cursor {
        /// Position and shape serial.
        pointer: Pointer,
        /// The image, when the serial is new to the viewer.
        shape: Option<CursorShape>,
    },
}

impl ScreenMsg {
    /// The message as bytes (versioned frame, length prefix included).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Bounded by construction: updates of at most MAX_SIDE² pixels,
        // cursors of at most MAX_CURSOR_SIDE².
        encode(self, MAX_UPDATE_BYTES).unwrap_or_default()
    }

    /// Parses a message body (after the length prefix), bounded.
    pub fn from_body(body: &[u8]) -> Result<Self, DecodeError> {
        Ok(decode_body(body, MAX_UPDATE_BYTES)?)
    }
}
