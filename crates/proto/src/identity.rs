//! The technician's identity on the wire: an Ed25519 public key, the
//! signatures made with such keys, and the certificate an organisation
//! signs for one of its technicians. The cryptography that makes and
//! checks them lives in `tessera-secure`; these are only the shapes.

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An Ed25519 public key: a technician's, or an organisation's.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicKey(pub [u8; 32]);

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::fingerprint::write_hex(f, &self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// A public key string that is not 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a public key is 64 hexadecimal digits (Ed25519)")]
pub struct PublicKeyParseError;

impl FromStr for PublicKey {
    type Err = PublicKeyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::fingerprint::parse_hex32(s.trim())
            .map(Self)
            .ok_or(PublicKeyParseError)
    }
}

/// An Ed25519 signature. Encoded as its 64 bytes, no length prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signature(")?;
        crate::fingerprint::write_hex(f, &self.0[..8])?;
        f.write_str("..)")
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(64)?;
        for b in &self.0 {
            tuple.serialize_element(b)?;
        }
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes64;
        impl<'de> Visitor<'de> for Bytes64 {
            type Value = Signature;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("64 signature bytes")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Signature, A::Error> {
                let mut out = [0u8; 64];
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = seq
                        .next_element()?
                        .ok_or_else(|| de::Error::invalid_length(i, &self))?;
                }
                Ok(Signature(out))
            }
        }
        deserializer.deserialize_tuple(64, Bytes64)
    }
}

/// An organisation's statement that `key` belongs to its technician
/// `name`, between two moments; signed with the organisation's key
/// (`issuer`). The agent trusts it only if it trusts `issuer` for `org`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// The technician's name, as the organisation knows it.
    pub name: String,
    /// The organisation's name.
    pub org: String,
    /// The technician's public key.
    pub key: PublicKey,
    /// Valid from (seconds since the Unix epoch).
    pub not_before: u64,
    /// Valid until (seconds since the Unix epoch, exclusive).
    pub not_after: u64,
    /// The organisation's public key, which made `signature`.
    pub issuer: PublicKey,
    /// The organisation's signature over everything above.
    pub signature: Signature,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_travel_as_64_bytes_and_keys_as_hex() {
        let sig = Signature([7; 64]);
        let bytes = postcard::to_allocvec(&sig).expect("encode");
        assert_eq!(bytes.len(), 64);
        assert_eq!(postcard::from_bytes::<Signature>(&bytes), Ok(sig));
        assert!(postcard::from_bytes::<Signature>(&bytes[..63]).is_err());
        let key = PublicKey([0xab; 32]);
        assert_eq!(key.to_string().parse::<PublicKey>(), Ok(key));
        assert_eq!("abc".parse::<PublicKey>(), Err(PublicKeyParseError));
    }
}
