//! The rendezvous protocol between a client (agent or viewer) and the relay,
//! spoken on the one bidirectional control stream a client opens.
//!
//! The relay sees only these messages. Mailbox payloads are opaque to it
//! (PAKE messages and sealed confirmations); after pairing, it forwards QUIC
//! datagrams it cannot read, or the packets of a client's lane
//! ([`crate::lane`]).

use crate::lane::{LaneNonce, LaneTicket};
use crate::Nameplate;
use serde::{Deserialize, Serialize};

/// ALPN of the outer (client ↔ relay) QUIC connection.
pub const RELAY_ALPN: &[u8] = b"tessera-relay/1";
/// Largest control-stream frame body, in either direction.
pub const MAX_CONTROL_FRAME: usize = 2048;
/// Largest mailbox payload the relay forwards.
pub const MAX_MAILBOX_PAYLOAD: usize = 1024;
/// How many mailbox messages one client may send (a pairing needs two).
pub const MAX_MAILBOX_MESSAGES: u32 = 8;

/// A 128-bit identifier the relay gives a pairing; both PAKE identities are
/// bound to it.
pub type SessionId = [u8; 16];

/// Client → relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// Agent: allocate a nameplate and wait for a viewer.
    Register,
    /// Viewer: pair with the agent waiting under this nameplate.
    Join {
        /// The public part of the code (an out-of-range number does not
        /// decode: the relay answers `BadRequest`).
        nameplate: Nameplate,
    },
    /// Forward this opaque payload to the paired peer.
    Mailbox {
        /// At most [`MAX_MAILBOX_PAYLOAD`] bytes.
        payload: Vec<u8>,
    },
    /// Agent: a wrong code was tried; destroy the nameplate and the pairing
    /// so the code can never be used again.
    Burn,
    /// Leave politely.
    Close,
    /// Paired client: bind the lane whose address received this
    /// challenge nonce (see [`crate::lane`]). Answered by `LaneOpen` or
    /// `LaneRefused`, with the same nonce.
    OpenLane {
        /// The nonce of the relay's `Challenge` packet.
        nonce: LaneNonce,
    },
}

/// Relay → client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelayMsg {
    /// A nameplate is allocated for the agent.
    Registered {
        /// The public part of the code.
        nameplate: Nameplate,
        /// Seconds until the nameplate expires unused.
        expires_in_secs: u32,
    },
    /// Both sides are present; from now on the relay forwards.
    Paired {
        /// The pairing's identifier, bound into the PAKE.
        session_id: SessionId,
    },
    /// An opaque payload from the paired peer.
    Mailbox {
        /// At most [`MAX_MAILBOX_PAYLOAD`] bytes.
        payload: Vec<u8>,
    },
    /// The paired peer left or its connection was lost.
    PeerLeft,
    /// The request was refused. After `BadRequest` the relay closes the
    /// connection; after the others the client may try again or leave.
    Refused {
        /// Why, for programs.
        reason: Refusal,
    },
    /// The lane whose challenge carried `nonce` is bound: from now on the
    /// relay delivers this client's end-to-end packets there.
    LaneOpen {
        /// The nonce the client returned.
        nonce: LaneNonce,
    },
    /// Right after `Paired`: this relay offers no lanes (`--no-lanes`); the
    /// end-to-end connection stays in the relay connection's datagrams.
    NoLane,
    /// Right after `Paired`: the ticket this client's `Bind` packets carry
    /// (see [`crate::lane`]).
    LaneTicket {
        /// 128 random bits, valid while the pair lasts.
        ticket: LaneTicket,
    },
    /// No lane for the challenge that carried `nonce`: unknown or stale,
    /// another client's address, or the client is not paired.
    LaneRefused {
        /// The nonce the client returned.
        nonce: LaneNonce,
    },
}

/// Why the relay refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// No agent waits under that nameplate (never existed, or expired).
    UnknownNameplate,
    /// That nameplate was already used by a viewer, or burned.
    NameplateUsed,
    /// The agent's nameplate expired before a viewer joined.
    Expired,
    /// Too many requests from this address; try again later.
    RateLimited,
    /// The relay is at capacity.
    Busy,
    /// The message was malformed, too large, of another version, or not
    /// allowed in this state.
    BadRequest,
}

impl Refusal {
    /// A sentence naming the problem and the fix.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::UnknownNameplate => {
                "no one is waiting with this code: it is unknown or expired, ask the person for the code on their screen now"
            }
            Refusal::NameplateUsed => "this code was already used or burned: ask the person for their new code",
            Refusal::Expired => "this code expired before anyone used it: ask the person for a new code",
            Refusal::RateLimited => "too many attempts from this address: wait a minute and try again",
            Refusal::Busy => "the relay is full: try again shortly or use another relay",
            Refusal::BadRequest => "the relay did not understand the request: are both ends the same version?",
        }
    }
}

/// Why the relay closed a client's QUIC connection: the application close
/// code it sends, and a fixed sentence for it.
///
/// A client shows the sentence chosen by the code, never the reason bytes
/// that came with the close: those are the relay's words, and a hostile
/// relay could put terminal escapes in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client sent `Close` or finished its control stream.
    Bye,
    /// After `Refused { BadRequest }`.
    BadRequest,
    /// No control stream was opened within the relay's handshake timeout.
    NoControlStream,
    /// The client left more control bytes unread than the relay queues.
    ControlStreamNotRead,
    /// The relay is stopping.
    ShuttingDown,
}

impl CloseReason {
    /// Every reason, for tests and documentation.
    pub const ALL: [CloseReason; 5] = [
        CloseReason::Bye,
        CloseReason::BadRequest,
        CloseReason::NoControlStream,
        CloseReason::ControlStreamNotRead,
        CloseReason::ShuttingDown,
    ];

    /// The QUIC application error code it is sent as.
    pub fn code(self) -> u32 {
        match self {
            CloseReason::Bye => 0,
            CloseReason::BadRequest => 1,
            CloseReason::NoControlStream => 2,
            CloseReason::ControlStreamNotRead => 3,
            CloseReason::ShuttingDown => 4,
        }
    }

    /// The reason a code stands for, if it is one of the relay's.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|r| u64::from(r.code()) == code)
    }

    /// The short ASCII reason phrase the relay puts in its close frame, for
    /// packet captures and old clients; new clients ignore it.
    pub fn phrase(self) -> &'static [u8] {
        match self {
            CloseReason::Bye => b"bye",
            CloseReason::BadRequest => b"bad request",
            CloseReason::NoControlStream => b"no control stream opened in time",
            CloseReason::ControlStreamNotRead => b"control stream not read",
            CloseReason::ShuttingDown => b"relay shutting down",
        }
    }

    /// What a client tells the person.
    pub fn describe(self) -> &'static str {
        match self {
            CloseReason::Bye => "the relay closed the connection as this side left",
            CloseReason::BadRequest => {
                "the relay closed the connection after a request it did not understand: are both ends the same version?"
            }
            CloseReason::NoControlStream => {
                "the relay closed the connection: nothing was asked of it in time"
            }
            CloseReason::ControlStreamNotRead => {
                "the relay closed the connection: its messages were not being read"
            }
            CloseReason::ShuttingDown => {
                "the relay is shutting down: try again shortly or use another relay"
            }
        }
    }

    /// What a client tells the person about an application close `code`
    /// from the relay, whether or not the code is known.
    pub fn describe_code(code: u64) -> String {
        match Self::from_code(code) {
            Some(reason) => reason.describe().to_string(),
            None => format!("the relay closed the connection (code {code})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_are_distinct_and_round_trip() {
        for reason in CloseReason::ALL {
            assert_eq!(
                CloseReason::from_code(u64::from(reason.code())),
                Some(reason)
            );
            assert!(reason
                .phrase()
                .iter()
                .all(|b| b.is_ascii_graphic() || *b == b' '));
            assert!(!reason.describe().chars().any(char::is_control));
        }
        assert_eq!(CloseReason::from_code(5), None);
        assert_eq!(
            CloseReason::describe_code(77),
            "the relay closed the connection (code 77)"
        );
    }
}
