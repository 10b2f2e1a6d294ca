//! A seam in the forwarding path. The relay binary always uses
//! [`Passthrough`]; tests plug in a hostile interceptor that records,
//! alters, replays, drops, injects or re-pairs, to prove that agent and
//! viewer never need to trust the relay.

use bytes::Bytes;
use tessera_proto::Nameplate;

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the agent (registered side) to the viewer (joining side).
    AgentToViewer,
    /// From the viewer to the agent.
    ViewerToAgent,
}

/// Sees every forwarded message and decides what is delivered.
pub trait Interceptor: Send + Sync + 'static {
    /// The nameplate a join is actually paired with.
    fn join(&self, nameplate: Nameplate) -> Nameplate {
        nameplate
    }

    /// The mailbox payloads delivered for one sent (default: itself).
    fn mailbox(&self, _dir: Direction, payload: Vec<u8>) -> Vec<Vec<u8>> {
        vec![payload]
    }

    /// The datagrams delivered for one received (default: itself).
    fn datagram(&self, _dir: Direction, datagram: Bytes) -> Vec<Bytes> {
        vec![datagram]
    }

    /// True if this interceptor changes nothing, so the engine may forward
    /// a run of lane packets whole, without showing it each packet.
    fn passes_through(&self) -> bool {
        false
    }
}

/// The honest relay: forwards everything unchanged.
#[derive(Debug, Default)]
pub struct Passthrough;

impl Interceptor for Passthrough {
    fn passes_through(&self) -> bool {
        true
    }
}
