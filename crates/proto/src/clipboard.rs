//! Clipboard contents as they cross: each copy on a unidirectional stream
//! of its own (`C`), a [`ClipHead`] frame then the bytes. The receiver
//! checks the size and the hash before anything reaches its clipboard.

use serde::{Deserialize, Serialize};

/// Most bytes one copy may carry (a long log or a screenshot's worth of
/// text; larger is a file to send).
pub const MAX_CLIPBOARD_BYTES: usize = 8 * 1024 * 1024;

/// What a copy holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClipKind {
    /// UTF-8 text.
    Text,
    /// An image, as a PNG file's bytes (the receiver decodes it, with
    /// bounds, before its clipboard gets the pixels).
    Png,
}

/// The eight bytes every PNG file starts with.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

/// The first frame of a clipboard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipHead {
    /// Its number from the sender, from 1: a copy older than the last
    /// one passed on is dropped.
    pub seq: u64,
    /// What follows.
    pub kind: ClipKind,
    /// How many bytes follow (at most [`MAX_CLIPBOARD_BYTES`]).
    pub bytes: u32,
    /// Their SHA-256.
    pub sha256: [u8; 32],
}

/// One copy: its kind and bytes, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Clip {
    /// What it holds.
    pub kind: ClipKind,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Clip {
    /// Never the contents (a password copied must not reach a log).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clip({:?}, {} bytes)", self.kind, self.bytes.len())
    }
}

/// Why a copy is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClipError {
    /// Too large.
    #[error("a copy of {0} bytes (at most {MAX_CLIPBOARD_BYTES})")]
    TooLarge(usize),
    /// Text that is not UTF-8.
    #[error("copied text that is not UTF-8")]
    NotText,
    /// Not the bytes announced.
    #[error("a copy whose bytes are not the ones announced")]
    Mismatch,
    /// An image that does not start as a PNG file does.
    #[error("a copied image that is not a PNG file")]
    NotPng,
}

impl Clip {
    /// Text, checked for its size.
    pub fn text(text: String) -> Result<Clip, ClipError> {
        Clip::new(ClipKind::Text, text.into_bytes())
    }

    /// `bytes` of `kind`, checked.
    pub fn new(kind: ClipKind, bytes: Vec<u8>) -> Result<Clip, ClipError> {
        if bytes.len() > MAX_CLIPBOARD_BYTES {
            return Err(ClipError::TooLarge(bytes.len()));
        }
        match kind {
            ClipKind::Text if std::str::from_utf8(&bytes).is_err() => {
                return Err(ClipError::NotText)
            }
            ClipKind::Png if !bytes.starts_with(&PNG_SIGNATURE) => return Err(ClipError::NotPng),
            _ => {}
        }
        Ok(Clip { kind, bytes })
    }

    /// An image, as a PNG file's bytes, checked for its size and
    /// signature (the pixels are checked where they are decoded).
    pub fn png(bytes: Vec<u8>) -> Result<Clip, ClipError> {
        Clip::new(ClipKind::Png, bytes)
    }

    /// What arrived after `head`, checked against it.
    pub fn received(head: &ClipHead, bytes: Vec<u8>) -> Result<Clip, ClipError> {
        let sha256 = ring::digest::digest(&ring::digest::SHA256, &bytes);
        if bytes.len() != head.bytes as usize || sha256.as_ref() != head.sha256 {
            return Err(ClipError::Mismatch);
        }
        Clip::new(head.kind, bytes)
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text, for a text copy.
    pub fn as_text(&self) -> Option<&str> {
        match self.kind {
            ClipKind::Text => std::str::from_utf8(&self.bytes).ok(),
            ClipKind::Png => None,
        }
    }

    /// Its SHA-256 (what the record keeps, never the contents).
    pub fn sha256(&self) -> [u8; 32] {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.bytes);
        let mut hash = [0; 32];
        hash.copy_from_slice(digest.as_ref());
        hash
    }

    /// The frame that announces it as the sender's copy number `seq`.
    pub fn head(&self, seq: u64) -> ClipHead {
        ClipHead {
            seq,
            kind: self.kind,
            bytes: self.bytes.len() as u32,
            sha256: self.sha256(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_checked_for_size_text_and_hash() {
        let clip = Clip::text("ping 10.0.0.1".into()).expect("fits");
        let head = clip.head(1);
        assert_eq!(
            Clip::received(&head, clip.bytes().to_vec()),
            Ok(clip.clone())
        );
        assert_eq!(
            Clip::received(&head, b"ping 10.0.0.2".to_vec()),
            Err(ClipError::Mismatch)
        );
        assert_eq!(
            Clip::new(ClipKind::Text, vec![0xff, 0xfe]),
            Err(ClipError::NotText)
        );
        let huge = vec![b'a'; MAX_CLIPBOARD_BYTES + 1];
        assert_eq!(
            Clip::new(ClipKind::Text, huge),
            Err(ClipError::TooLarge(MAX_CLIPBOARD_BYTES + 1))
        );
        assert_eq!(
            format!("{clip:?}"),
            "Clip(Text, 13 bytes)",
            "never the text"
        );
    }

    #[test]
    fn an_image_must_start_as_a_png_file() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"rest");
        let clip = Clip::png(png).expect("a PNG");
        assert_eq!((clip.kind, clip.as_text()), (ClipKind::Png, None));
        assert_eq!(Clip::png(b"GIF89a".to_vec()), Err(ClipError::NotPng));
    }
}
