//! Ed25519 signing keys (ring), for technicians and for organisations.
//! The private key is kept as its PKCS#8 document, zeroized on drop and
//! never printed.

use ring::rand::SystemRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair};
use tessera_proto::identity::{PublicKey, Signature};
use zeroize::Zeroizing;

/// A private signing key and its public half.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public())
    }
}

/// Bytes that are not an Ed25519 PKCS#8 key, or a system without a random
/// source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub &'static str);

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, KeyError> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| KeyError("the system's random source failed"))?;
        Self::from_pkcs8(doc.as_ref())
    }

    /// The key stored as a PKCS#8 document.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8)
            .map_err(|_| KeyError("not an Ed25519 private key (PKCS#8)"))?;
        Ok(Self {
            pair,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// The PKCS#8 document, to store the key.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public half, which others use to check signatures.
    pub fn public(&self) -> PublicKey {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(key)
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> Signature {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        Signature(out)
    }
}

/// Whether `signature` is `key`'s over `message`.
pub fn verify(key: &PublicKey, message: &[u8], signature: &Signature) -> bool {
    signature::UnparsedPublicKey::new(&signature::ED25519, key.0)
        .verify(message, &signature.0)
        .is_ok()
}
