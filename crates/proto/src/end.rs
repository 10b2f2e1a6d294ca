//! Why a session ended. Every end has exactly one reason, and both sides,
//! the event stream and (later) the audit log name it the same way.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The person being helped ended it.
    UserEnded,
    /// The technician ended it.
    TechnicianEnded,
    /// The person said no at the consent prompt.
    Denied,
    /// Nobody answered the consent prompt in time.
    ConsentTimeout,
    /// The code typed did not match: the PAKE failed and the code is burned.
    WrongCode,
    /// The code was unknown, already used, or expired before anyone joined.
    CodeExpired,
    /// The other side stopped answering.
    ConnectionLost,
    /// The relay closed our connection or refused us.
    RelayClosed,
    /// The other side sent something the protocol does not allow.
    ProtocolError,
    /// The session record could not be written, so the session stopped.
    RecordingFailed,
    /// Nobody confirmed, when asked during a long session, that it should
    /// go on.
    ContinueTimeout,
}

impl EndReason {
    /// The stable name used in JSON events and exit messages.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::UserEnded => "user_ended",
            EndReason::TechnicianEnded => "technician_ended",
            EndReason::Denied => "denied",
            EndReason::ConsentTimeout => "consent_timeout",
            EndReason::WrongCode => "wrong_code",
            EndReason::CodeExpired => "code_expired",
            EndReason::ConnectionLost => "connection_lost",
            EndReason::RelayClosed => "relay_closed",
            EndReason::ProtocolError => "protocol_error",
            EndReason::RecordingFailed => "recording_failed",
            EndReason::ContinueTimeout => "continue_timeout",
        }
    }

    /// Whether this is a normal end (exit status 0).
    pub fn is_normal(self) -> bool {
        matches!(self, EndReason::UserEnded | EndReason::TechnicianEnded)
    }

    /// A sentence for a person.
    pub fn describe(self) -> &'static str {
        match self {
            EndReason::UserEnded => "the person being helped ended the session",
            EndReason::TechnicianEnded => "the technician ended the session",
            EndReason::Denied => "the person being helped declined the request",
            EndReason::ConsentTimeout => "nobody answered the request within 60 seconds",
            EndReason::WrongCode => {
                "the code did not match: it is now burned, ask for the new code"
            }
            EndReason::CodeExpired => {
                "the code is unknown, already used or expired: ask for a new code"
            }
            EndReason::ConnectionLost => "connection lost: the other side stopped answering",
            EndReason::RelayClosed => "the relay closed the connection",
            EndReason::ProtocolError => {
                "the other side broke the protocol, so the session was closed"
            }
            EndReason::RecordingFailed => {
                "the session record could not be written, so the session was stopped"
            }
            EndReason::ContinueTimeout => {
                "nobody confirmed that the long session should go on, so it was stopped"
            }
        }
    }
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
