//! The key schedule: HKDF-SHA256 (ring) over the SPAKE2 output, salted with
//! the transcript hash, one distinct label per purpose.

use crate::confirm::{OwnConfirmation, PeerConfirmation};
use crate::Role;
use ring::hkdf;
use zeroize::Zeroizing;

/// Every purpose a key is derived for. Distinct labels make keys for
/// different purposes independent even though they share one PAKE output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLabel {
    /// Seals the agent's confirmation (its certificate fingerprint).
    AgentConfirm,
    /// Seals the viewer's confirmation (its certificate fingerprint).
    ViewerConfirm,
}

impl KeyLabel {
    /// Every label, for tests that check they are distinct.
    pub const ALL: [KeyLabel; 2] = [KeyLabel::AgentConfirm, KeyLabel::ViewerConfirm];

    /// The HKDF `info` string.
    pub fn info(self) -> &'static [u8] {
        match self {
            KeyLabel::AgentConfirm => b"tessera/1 agent confirmation key",
            KeyLabel::ViewerConfirm => b"tessera/1 viewer confirmation key",
        }
    }

    fn confirming(role: Role) -> Self {
        match role {
            Role::Agent => KeyLabel::AgentConfirm,
            Role::Viewer => KeyLabel::ViewerConfirm,
        }
    }
}

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

/// The keys of one pairing. Secrets are zeroized on drop.
pub struct SessionKeys {
    prk: hkdf::Prk,
    transcript: [u8; 32],
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

impl SessionKeys {
    pub(crate) fn derive(shared: &[u8], transcript: [u8; 32]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &transcript).extract(shared);
        Self { prk, transcript }
    }

    /// The key for `label` (exposed for the key-schedule tests).
    pub fn key(&self, label: KeyLabel) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        // Expanding 32 bytes from SHA-256 cannot fail (limit is 255 * 32).
        if let Ok(okm) = self.prk.expand(&[label.info()], Len32) {
            let _ = okm.fill(out.as_mut());
        }
        out
    }

    /// The transcript hash both sides must share.
    pub fn transcript(&self) -> [u8; 32] {
        self.transcript
    }

    /// Splits into the one confirmation we seal and the one we open. Each
    /// key is used for exactly one message, so its nonce never repeats.
    pub fn confirmations(self, role: Role) -> (OwnConfirmation, PeerConfirmation) {
        let own = OwnConfirmation::new(self.key(KeyLabel::confirming(role)), self.transcript);
        let peer =
            PeerConfirmation::new(self.key(KeyLabel::confirming(role.peer())), self.transcript);
        (own, peer)
    }
}
