//! C2SP signed notes (<https://c2sp.org/signed-note>): a text, a blank
//! line, then one line per signature, `— <name> <base64(key id ||
//! signature)>`. Checkpoints and cosignatures are notes; the format is
//! the transparency logs' own, so an auditor's existing tools read ours.
//! Ed25519 only, with ring.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::digest::{Context, SHA256};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

/// The largest note read (checkpoints are a few hundred bytes).
pub const MAX_NOTE_BYTES: usize = 16 * 1024;
/// The most signature lines read.
pub const MAX_SIGNATURES: usize = 32;
/// Signature type of an Ed25519 note signature.
pub const ALG_ED25519: u8 = 0x01;
/// Signature type of a C2SP `cosignature/v1` (Ed25519 over a timestamped
/// message).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

/// What starts a signature line: an em dash and a space.
const DASH: &str = "\u{2014} ";

/// The first four bytes of SHA-256(name || "\n" || type || public key):
/// which key a signature line claims.
pub type KeyId = [u8; 4];

/// Why a note was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Over [`MAX_NOTE_BYTES`].
    #[error("note of {0} bytes (at most {MAX_NOTE_BYTES})")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("note is not UTF-8")]
    NotUtf8,
    /// A control character other than a line feed.
    #[error("note holds a control character")]
    ControlCharacter,
    /// No blank line between the text and the signatures, or no text.
    #[error("note has no text followed by a blank line")]
    NoSeparator,
    /// No signature line, or over [`MAX_SIGNATURES`].
    #[error("note has {0} signature lines (1 to {MAX_SIGNATURES})")]
    SignatureCount(usize),
    /// A signature line that does not read as one (its number, from 1).
    #[error("signature line {0} is malformed")]
    BadLine(usize),
    /// A key name that is empty, holds a space or a `+`.
    #[error("key name {0:?} is not valid")]
    BadName(String),
    /// No signature by this key, or one that does not verify.
    #[error("no valid signature by {0}")]
    NotSigned(String),
    /// A verifier key that is not `<name>+<key id>+<base64(0x01 ||
    /// Ed25519 key)>` with the id its name and key give.
    #[error("verifier key is not <name>+<id>+<key> for an Ed25519 key: {0}")]
    BadVerifierKey(&'static str),
}

/// One signature line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key's name.
    pub name: String,
    /// The key's id.
    pub key_id: KeyId,
    /// The signature proper (for `cosignature/v1`, timestamp and
    /// signature).
    pub bytes: Vec<u8>,
}

impl NoteSignature {
    /// The line as it is written, final line feed included.
    pub fn line(&self) -> String {
        let mut blob = self.key_id.to_vec();
        blob.extend_from_slice(&self.bytes);
        format!("{DASH}{} {}\n", self.name, STANDARD.encode(blob))
    }
}

/// A note: its text (ending in a line feed) and its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What is signed.
    pub text: String,
    /// In the order written.
    pub signatures: Vec<NoteSignature>,
}

/// Whether `name` may name a key: not empty, no white space, no `+`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The id of key `public` of type `alg` named `name`.
pub fn key_id(name: &str, alg: u8, public: &[u8]) -> KeyId {
    let mut context = Context::new(&SHA256);
    context.update(name.as_bytes());
    context.update(b"\n");
    context.update(&[alg]);
    context.update(public);
    let mut id = [0; 4];
    id.copy_from_slice(&context.finish().as_ref()[..4]);
    id
}

/// A verifier key as Go's `sumdb/note` writes it:
/// `<name>+<key id, hex>+<base64(type || public key)>`.
pub fn verifier_key(name: &str, public: &[u8; 32]) -> String {
    let id = key_id(name, ALG_ED25519, public);
    let mut blob = vec![ALG_ED25519];
    blob.extend_from_slice(public);
    format!(
        "{name}+{:02x}{:02x}{:02x}{:02x}+{}",
        id[0],
        id[1],
        id[2],
        id[3],
        STANDARD.encode(blob)
    )
}

/// Reads a verifier key as [`verifier_key`] writes it: the name and the
/// Ed25519 public key, once the id is seen to match them (a key copied
/// with a typo is refused, not silently another key).
pub fn parse_verifier_key(vkey: &str) -> Result<(String, [u8; 32]), NoteError> {
    let mut parts = vkey.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(blob)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::BadVerifierKey("it has not three parts"));
    };
    if !valid_name(name) {
        return Err(NoteError::BadVerifierKey("the name is not valid"));
    }
    let id = hex::decode(id).map_err(|_| NoteError::BadVerifierKey("the id is not hex"))?;
    let blob = STANDARD
        .decode(blob)
        .map_err(|_| NoteError::BadVerifierKey("the key is not base64"))?;
    let (Some((&ALG_ED25519, public)), 4) = (blob.split_first(), id.len()) else {
        return Err(NoteError::BadVerifierKey(
            "not a 4-byte id and an Ed25519 key",
        ));
    };
    let public: [u8; 32] = public
        .try_into()
        .map_err(|_| NoteError::BadVerifierKey("the key is not 32 bytes"))?;
    match key_id(name, ALG_ED25519, &public)[..] == id[..] {
        true => Ok((name.to_string(), public)),
        false => Err(NoteError::BadVerifierKey(
            "the id does not match the name and key",
        )),
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge(text.len()));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::NoSeparator);
    }
    Ok(())
}

/// Signs `text` (ending in a line feed) as key `name`.
pub fn sign(text: &str, name: &str, key: &Ed25519KeyPair) -> Result<NoteSignature, NoteError> {
    check_text(text)?;
    if !valid_name(name) {
        return Err(NoteError::BadName(name.into()));
    }
    let public = key.public_key().as_ref();
    Ok(NoteSignature {
        name: name.into(),
        key_id: key_id(name, ALG_ED25519, public),
        bytes: key.sign(text.as_bytes()).as_ref().to_vec(),
    })
}

impl Note {
    /// Reads a note (bounded, strict: a signature line must be well formed
    /// even when its key is unknown).
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge(bytes.len()));
        }
        let all = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
        if all.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let at = all.rfind("\n\n").ok_or(NoteError::NoSeparator)?;
        let (text, block) = (&all[..at + 1], &all[at + 2..]);
        let lines: Vec<&str> = match block.strip_suffix('\n') {
            Some(block) => block.split('\n').collect(),
            None => return Err(NoteError::SignatureCount(0)),
        };
        if lines.len() > MAX_SIGNATURES || lines == [""] {
            return Err(NoteError::SignatureCount(lines.len()));
        }
        let signatures = lines
            .iter()
            .enumerate()
            .map(|(i, line)| parse_line(line).ok_or(NoteError::BadLine(i + 1)))
            .collect::<Result<_, _>>()?;
        Ok(Note {
            text: text.into(),
            signatures,
        })
    }

    /// The note as written: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.text);
        for signature in &self.signatures {
            out.push_str(&signature.line());
        }
        out
    }

    /// Checks that Ed25519 key `public`, named `name`, signed the text.
    pub fn verify(&self, name: &str, public: &[u8; 32]) -> Result<(), NoteError> {
        let id = key_id(name, ALG_ED25519, public);
        let key = UnparsedPublicKey::new(&ED25519, public);
        let signed = self.signatures.iter().any(|s| {
            s.name == name && s.key_id == id && key.verify(self.text.as_bytes(), &s.bytes).is_ok()
        });
        match signed {
            true => Ok(()),
            false => Err(NoteError::NotSigned(name.into())),
        }
    }
}

/// `— <name> <base64(key id || signature)>`, or `None`.
fn parse_line(line: &str) -> Option<NoteSignature> {
    let rest = line.strip_prefix(DASH)?;
    let (name, blob) = rest.split_once(' ')?;
    if !valid_name(name) {
        return None;
    }
    let blob = STANDARD.decode(blob).ok()?;
    // A key id and at least one byte of signature.
    if blob.len() < 5 {
        return None;
    }
    let (id, bytes) = blob.split_at(4);
    Some(NoteSignature {
        name: name.into(),
        key_id: id.try_into().ok()?,
        bytes: bytes.to_vec(),
    })
}
