//! The relay's session log: one JSON line per pairing, metadata only
//! (ids, times, addresses, byte counts, how it ended), never payload.

use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use tessera_proto::Nameplate;

/// How a pairing ended, as the log's `end` field spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairEnd {
    /// The agent voided its code (a wrong code, or a pairing that stalled
    /// or was left).
    Burned,
    /// The agent's connection closed or was lost first.
    AgentLeft,
    /// The viewer's connection closed or was lost first.
    ViewerLeft,
}

/// One finished pairing.
#[derive(Debug, Serialize)]
pub struct SessionRecord {
    /// The pairing id, hex.
    pub session_id: String,
    /// The nameplate used.
    pub nameplate: Nameplate,
    /// When the viewer joined (RFC 3339).
    pub started_at: String,
    /// When forwarding stopped (RFC 3339).
    pub ended_at: String,
    /// The agent's address.
    pub agent_addr: SocketAddr,
    /// The viewer's address.
    pub viewer_addr: SocketAddr,
    /// Datagram bytes forwarded agent → viewer.
    pub bytes_agent_to_viewer: u64,
    /// Datagram bytes forwarded viewer → agent.
    pub bytes_viewer_to_agent: u64,
    /// How it ended.
    pub end: PairEnd,
}

/// Where records go: a JSON-lines file (if configured) and the tracing log.
#[derive(Debug)]
pub struct SessionLog {
    file: Option<Mutex<std::fs::File>>,
}

impl SessionLog {
    /// Appends to `path` if given.
    pub fn open(path: Option<PathBuf>) -> std::io::Result<Self> {
        let file = match path {
            Some(p) => {
                use std::os::unix::fs::OpenOptionsExt;
                // It holds addresses: readable by the operator only.
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(p)?;
                Some(Mutex::new(file))
            }
            None => None,
        };
        Ok(Self { file })
    }

    /// Writes one record.
    pub fn write(&self, record: &SessionRecord) {
        let Ok(line) = serde_json::to_string(record) else {
            return;
        };
        tracing::info!(target: "tessera_relay::session", "{line}");
        if let Some(file) = &self.file {
            if let Ok(mut f) = file.lock() {
                if let Err(e) = writeln!(f, "{line}").and_then(|()| f.flush()) {
                    tracing::error!("cannot write the session log: {e}");
                }
            }
        }
    }
}
