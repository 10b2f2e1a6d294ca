//! C2SP cosignatures (<https://c2sp.org/tlog-cosignature>), Ed25519
//! `cosignature/v1`: the other end's signed statement "as of this time,
//! this is the largest tree of this log I have seen". It is one more
//! signature line on the checkpoint's note, so one note carries the log's
//! signature and its witnesses' side by side, and an auditor's existing
//! tools read it.
//!
//! The line's bytes are `timestamp (u64, big-endian) || Ed25519
//! signature`, and what is signed is `cosignature/v1\ntime <timestamp>\n`
//! followed by the checkpoint's text: the time is bound to the signature,
//! and the key id (type 0x04) keeps a cosignature from passing for the
//! same key's plain note signature, or the other way round.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{key_id, valid_name, Note, NoteSignature, ALG_COSIGNATURE_V1};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};

/// The length of a cosignature's bytes: the timestamp, then the Ed25519
/// signature.
pub const COSIGNATURE_BYTES: usize = 8 + 64;
/// The latest time a cosignature may carry, 2^63 - 1: the spec's bound,
/// so that every reader can hold it as a signed 64-bit number.
pub const MAX_TIME: u64 = i64::MAX as u64;

/// Why a cosignature could not be made or does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    /// What was to be cosigned is not a checkpoint's text.
    #[error("only a checkpoint is cosigned: {0}")]
    NotCheckpoint(CheckpointError),
    /// A key name that is empty, holds a space or a `+`.
    #[error("key name {0:?} is not valid")]
    BadName(String),
    /// A time past [`MAX_TIME`].
    #[error("cosignature time {0} is past 2^63 - 1")]
    TimeOutOfRange(u64),
    /// A line with this key's name and id, but not the length of a
    /// cosignature.
    #[error("cosignature by {name} is {len} bytes (not {COSIGNATURE_BYTES})")]
    WrongLength {
        /// The key's name.
        name: String,
        /// The line's signature bytes.
        len: usize,
    },
    /// No line with this key's name and cosignature id.
    #[error("no cosignature by {0}")]
    NotCosigned(String),
    /// A line with this key's name and id whose signature does not verify.
    #[error("cosignature by {0} does not verify")]
    BadSignature(String),
}

/// What a cosignature signs: the header line, the time line, then the
/// checkpoint's text.
fn message(text: &str, time: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {time}\n{text}").into_bytes()
}

/// Cosigns the checkpoint whose note text is `checkpoint_text` as key
/// `name`, at `time` (POSIX seconds). The text is checked to be a
/// checkpoint, so what is signed can always be read back and verified.
pub fn cosign(
    checkpoint_text: &str,
    name: &str,
    key: &Ed25519KeyPair,
    time: u64,
) -> Result<NoteSignature, CosignatureError> {
    Checkpoint::parse(checkpoint_text).map_err(CosignatureError::NotCheckpoint)?;
    if !valid_name(name) {
        return Err(CosignatureError::BadName(name.into()));
    }
    if time > MAX_TIME {
        return Err(CosignatureError::TimeOutOfRange(time));
    }
    let signature = key.sign(&message(checkpoint_text, time));
    let mut bytes = time.to_be_bytes().to_vec();
    bytes.extend_from_slice(signature.as_ref());
    Ok(NoteSignature {
        name: name.into(),
        key_id: key_id(name, ALG_COSIGNATURE_V1, key.public_key().as_ref()),
        bytes,
    })
}

/// The time a cosignature's bytes carry, or `None` when they are not a
/// cosignature's length or the time is past [`MAX_TIME`]. Not a check of
/// the signature: only [`verify_cosignature`] says who signed.
pub fn timestamp(signature: &NoteSignature) -> Option<u64> {
    if signature.bytes.len() != COSIGNATURE_BYTES {
        return None;
    }
    let (time, _) = signature.bytes.split_first_chunk::<8>()?;
    let time = u64::from_be_bytes(*time);
    (time <= MAX_TIME).then_some(time)
}

/// Checks one line already known to be by this key's name and id.
fn check(
    note: &Note,
    line: &NoteSignature,
    key: &UnparsedPublicKey<&[u8; 32]>,
) -> Result<u64, CosignatureError> {
    let name = &line.name;
    if line.bytes.len() != COSIGNATURE_BYTES {
        return Err(CosignatureError::WrongLength {
            name: name.clone(),
            len: line.bytes.len(),
        });
    }
    let Some((time, signature)) = line.bytes.split_first_chunk::<8>() else {
        return Err(CosignatureError::BadSignature(name.clone()));
    };
    let time = u64::from_be_bytes(*time);
    if time > MAX_TIME {
        return Err(CosignatureError::TimeOutOfRange(time));
    }
    key.verify(&message(&note.text, time), signature)
        .map_err(|_| CosignatureError::BadSignature(name.clone()))?;
    Ok(time)
}

/// Checks that Ed25519 key `public`, named `name`, cosigned the note, and
/// returns the time it states. Whether that time is acceptable (not in
/// the future, recent enough) is the caller's policy. With several lines
/// by this key, one that verifies suffices; otherwise the first one's
/// fault is reported.
pub fn verify_cosignature(
    note: &Note,
    name: &str,
    public: &[u8; 32],
) -> Result<u64, CosignatureError> {
    let id = key_id(name, ALG_COSIGNATURE_V1, public);
    let key = UnparsedPublicKey::new(&ED25519, public);
    let mut first = None;
    for line in note
        .signatures
        .iter()
        .filter(|s| s.name == name && s.key_id == id)
    {
        match check(note, line, &key) {
            Ok(time) => return Ok(time),
            Err(why) => {
                first.get_or_insert(why);
            }
        }
    }
    Err(first.unwrap_or_else(|| CosignatureError::NotCosigned(name.into())))
}
