//! Key confirmation that carries a payload: each side seals the SHA-256
//! fingerprint of its fresh certificate under its own confirmation key.
//! Opening the peer's proves it derived the same keys (it knew the code)
//! and authenticates the fingerprint the inner TLS connection will pin.

use crate::PakeError;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use tessera_proto::Fingerprint;
use zeroize::Zeroizing;

const CONFIRM_VERSION: u8 = 1;
const SEALED_LEN: usize = 1 + 32 + 16;

fn aead_key(key: &[u8; 32]) -> Option<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, key)
        .ok()
        .map(LessSafeKey::new)
}

/// Our confirmation key, consumed by sealing our single confirmation.
pub struct OwnConfirmation {
    key: Zeroizing<[u8; 32]>,
    transcript: [u8; 32],
}

impl OwnConfirmation {
    pub(crate) fn new(key: Zeroizing<[u8; 32]>, transcript: [u8; 32]) -> Self {
        Self { key, transcript }
    }

    /// Seals `fingerprint`; the transcript is the associated data.
    pub fn seal(self, fingerprint: &Fingerprint) -> Vec<u8> {
        let mut buf = Vec::with_capacity(SEALED_LEN);
        buf.push(CONFIRM_VERSION);
        buf.extend_from_slice(&fingerprint.0);
        // The nonce is fixed because this key seals exactly one message.
        let nonce = Nonce::assume_unique_for_key([0; 12]);
        if let Some(key) = aead_key(&self.key) {
            if key
                .seal_in_place_append_tag(nonce, Aad::from(self.transcript), &mut buf)
                .is_ok()
            {
                return buf;
            }
        }
        Vec::new() // unreachable with a 32-byte key; an empty seal never opens
    }
}

/// The peer's confirmation key, consumed by opening its confirmation.
pub struct PeerConfirmation {
    key: Zeroizing<[u8; 32]>,
    transcript: [u8; 32],
}

impl PeerConfirmation {
    pub(crate) fn new(key: Zeroizing<[u8; 32]>, transcript: [u8; 32]) -> Self {
        Self { key, transcript }
    }

    /// Opens the peer's confirmation; any failure means the codes differed
    /// (or the bytes were tampered with), reported as [`PakeError::WrongCode`].
    pub fn open(self, sealed: &[u8]) -> Result<Fingerprint, PakeError> {
        if sealed.len() != SEALED_LEN {
            return Err(PakeError::WrongCode);
        }
        let key = aead_key(&self.key).ok_or(PakeError::WrongCode)?;
        let mut buf = sealed.to_vec();
        let nonce = Nonce::assume_unique_for_key([0; 12]);
        let plain = key
            .open_in_place(nonce, Aad::from(self.transcript), &mut buf)
            .map_err(|_| PakeError::WrongCode)?;
        match plain.split_first() {
            Some((&CONFIRM_VERSION, fp)) if fp.len() == 32 => {
                let mut out = [0u8; 32];
                out.copy_from_slice(fp);
                Ok(Fingerprint(out))
            }
            _ => Err(PakeError::WrongCode),
        }
    }
}
