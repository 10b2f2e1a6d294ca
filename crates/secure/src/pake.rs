//! SPAKE2 (Ed25519 group) on the six secret digits, with both identities
//! bound to the relay's session id and the nameplate, so that a transcript
//! from one pairing is worthless in any other.

use crate::{keys::SessionKeys, PakeError};
use ring::digest;
use spake2::{Ed25519Group, Identity, Password, Spake2};
use tessera_proto::{relay::SessionId, Nameplate, Secret};

/// Which end of the pairing we are. The agent is SPAKE2 side A.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The machine being helped (SPAKE2 side A, inner QUIC server).
    Agent,
    /// The technician (SPAKE2 side B, inner QUIC client).
    Viewer,
}

impl Role {
    /// The other end.
    pub fn peer(self) -> Role {
        match self {
            Role::Agent => Role::Viewer,
            Role::Viewer => Role::Agent,
        }
    }
}

/// What both sides agree on before the PAKE: the relay's pairing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairingContext {
    /// The relay's identifier for this pairing.
    pub session_id: SessionId,
    /// The nameplate both sides used.
    pub nameplate: Nameplate,
}

impl PairingContext {
    fn identity(&self, role: Role) -> Identity {
        let label: &[u8] = match role {
            Role::Agent => b"tessera/1 agent",
            Role::Viewer => b"tessera/1 viewer",
        };
        let mut id = Vec::with_capacity(label.len() + 20);
        id.extend_from_slice(label);
        id.extend_from_slice(&self.session_id);
        id.extend_from_slice(&self.nameplate.get().to_be_bytes());
        Identity::new(&id)
    }
}

/// A PAKE in progress: our message is sent, the peer's is awaited.
pub struct Pake {
    role: Role,
    context: PairingContext,
    state: Spake2<Ed25519Group>,
    own_msg: Vec<u8>,
}

impl std::fmt::Debug for Pake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pake")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Length of an Ed25519-group SPAKE2 message: a side byte and a point.
const PAKE_MSG_LEN: usize = 33;

impl Pake {
    /// Starts the exchange; returns the message to send to the peer.
    pub fn start(role: Role, secret: &Secret, context: PairingContext) -> (Self, Vec<u8>) {
        let password = Password::new(secret.password_bytes());
        let (id_a, id_b) = (
            context.identity(Role::Agent),
            context.identity(Role::Viewer),
        );
        let (state, own_msg) = match role {
            Role::Agent => Spake2::<Ed25519Group>::start_a(&password, &id_a, &id_b),
            Role::Viewer => Spake2::<Ed25519Group>::start_b(&password, &id_a, &id_b),
        };
        let pake = Self {
            role,
            context,
            state,
            own_msg: own_msg.clone(),
        };
        (pake, own_msg)
    }

    /// Finishes with the peer's message. A wrong code is *not* detected
    /// here (SPAKE2 just yields different keys): the confirmations catch it.
    pub fn finish(self, peer_msg: &[u8]) -> Result<SessionKeys, PakeError> {
        if peer_msg.len() != PAKE_MSG_LEN {
            return Err(PakeError::BadMessage);
        }
        let shared = zeroize::Zeroizing::new(
            self.state
                .finish(peer_msg)
                .map_err(|_| PakeError::BadMessage)?,
        );
        let (msg_a, msg_b) = match self.role {
            Role::Agent => (self.own_msg.as_slice(), peer_msg),
            Role::Viewer => (peer_msg, self.own_msg.as_slice()),
        };
        let transcript = transcript_hash(&self.context, msg_a, msg_b);
        Ok(SessionKeys::derive(&shared, transcript))
    }
}

/// SHA-256 over everything both sides saw, each part length-prefixed.
fn transcript_hash(ctx: &PairingContext, msg_a: &[u8], msg_b: &[u8]) -> [u8; 32] {
    let mut h = digest::Context::new(&digest::SHA256);
    h.update(b"tessera/1 transcript");
    h.update(&ctx.session_id);
    h.update(&ctx.nameplate.get().to_be_bytes());
    for part in [msg_a, msg_b] {
        h.update(&(part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(h.finish().as_ref());
    out
}
