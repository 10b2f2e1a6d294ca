//! Fixed-size byte strings as a record writes them: hashes and ids in
//! lowercase hex, keys and signatures in standard base64 (the forms
//! `sha256sum` and the C2SP notes use). Reading checks the length, so a
//! record with a short hash is refused where it is read, not used.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `N` bytes written as `2N` lowercase hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Hex<const N: usize>(pub [u8; N]);

/// `N` bytes written in standard, padded base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Base64<const N: usize>(pub [u8; N]);

impl<const N: usize> Serialize for Hex<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Hex<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        if text.len() != 2 * N || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(D::Error::custom(format!(
                "expected {} lowercase hex digits",
                2 * N
            )));
        }
        let mut bytes = [0; N];
        hex::decode_to_slice(text.as_bytes(), &mut bytes)
            .map_err(|_| D::Error::custom(format!("expected {} lowercase hex digits", 2 * N)))?;
        Ok(Hex(bytes))
    }
}

impl<const N: usize> Serialize for Base64<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(self.0))
    }
}

impl<'de, const N: usize> Deserialize<'de> for Base64<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        let wrong = || D::Error::custom(format!("expected {N} bytes in base64"));
        // Longer text cannot hold N bytes; refuse it before decoding.
        if text.len() != N.div_ceil(3) * 4 {
            return Err(wrong());
        }
        let bytes = STANDARD.decode(text.as_bytes()).map_err(|_| wrong())?;
        Ok(Base64(bytes.try_into().map_err(|_| wrong())?))
    }
}
