//! Transport errors, each phrased so a person knows what to try.

use std::net::SocketAddr;
use tessera_proto::{Fingerprint, FrameError};

/// What went wrong moving bytes or checking certificates.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The relay address could not be resolved.
    #[error("cannot resolve relay address {addr:?}: {reason} (check --relay HOST:PORT)")]
    Resolve {
        /// As given.
        addr: String,
        /// Why.
        reason: String,
    },
    /// No QUIC handshake with the relay completed.
    #[error("relay unreachable at {addr}: is it running? try --relay HOST:PORT ({reason})")]
    Unreachable {
        /// Where we tried.
        addr: SocketAddr,
        /// quinn's explanation.
        reason: String,
    },
    /// The relay answered, but its certificate was not accepted by the CA
    /// policy (or the TLS handshake failed for another reason).
    #[error("the relay at {addr} could not be verified: {reason} (check --relay-ca, or pin its certificate with --relay-fingerprint)")]
    RelayRejected {
        /// Where.
        addr: SocketAddr,
        /// quinn's and rustls' explanation.
        reason: String,
    },
    /// The relay's certificate differs from the one pinned or recorded.
    #[error("the relay at {addr} presented certificate {seen}, but {expected} was expected ({source_of_trust}). If the relay operator changed its certificate, update it; otherwise someone may be intercepting")]
    RelayCertificateChanged {
        /// Where.
        addr: String,
        /// What it presented.
        seen: Fingerprint,
        /// What we expected.
        expected: Fingerprint,
        /// Where the expectation came from (flag or known-relays file).
        source_of_trust: String,
    },
    /// A local file (certificate, key, known relays) could not be used.
    #[error("{path}: {reason}")]
    File {
        /// Which file.
        path: String,
        /// Why.
        reason: String,
    },
    /// TLS configuration could not be built (a bug or a bad certificate).
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// A message on a stream was malformed, too large or of another version.
    #[error("{0}")]
    Frame(#[from] FrameError),
    /// The connection closed or was lost.
    #[error("connection closed: {0}")]
    Closed(String),
    /// Local I/O.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<quinn::ConnectionError> for NetError {
    fn from(e: quinn::ConnectionError) -> Self {
        NetError::Closed(connection_error_text(&e))
    }
}

impl From<quinn::WriteError> for NetError {
    fn from(e: quinn::WriteError) -> Self {
        NetError::Closed(match e {
            quinn::WriteError::ConnectionLost(e) => connection_error_text(&e),
            other => printable(&other.to_string()),
        })
    }
}

/// Why a connection ended, in words fit for a terminal: quinn's own
/// `Display` quotes the reason bytes of the peer's close frame, which a
/// hostile peer or relay fills with escape sequences, so those bytes are
/// left out and only the code is told.
pub(crate) fn connection_error_text(e: &quinn::ConnectionError) -> String {
    match e {
        quinn::ConnectionError::ApplicationClosed(close) => {
            format!("closed by peer (code {})", close.error_code)
        }
        quinn::ConnectionError::ConnectionClosed(close) => {
            format!("aborted by peer ({})", close.error_code)
        }
        other => printable(&other.to_string()),
    }
}

/// Why reading a stream failed, without the peer's close reason.
pub(crate) fn read_error_text(e: &quinn::ReadExactError) -> String {
    match e {
        quinn::ReadExactError::ReadError(quinn::ReadError::ConnectionLost(e)) => {
            connection_error_text(e)
        }
        other => printable(&other.to_string()),
    }
}

/// `text` with every control character replaced, as a last guard on
/// messages composed by quinn and rustls.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
