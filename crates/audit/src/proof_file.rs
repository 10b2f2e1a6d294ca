//! C2SP tlog proofs (<https://c2sp.org/tlog-proof>): one file that shows,
//! offline, that a record is in a log: the leaf's index, its inclusion
//! path, and the signed (and cosigned) checkpoint the path leads to. An
//! auditor hands one record over on its own with it, and any tlog-proof
//! reader checks it.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64, optional and unauthenticated>
//! index <decimal>
//! <base64 of each path hash, the leaf's sibling first>
//!
//! <the checkpoint's note, verbatim>
//! ```
//!
//! Read strictly and within bounds; the note is kept as written and only
//! read as a note when the proof is verified.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::Hash;
use crate::note::{Note, NoteError, MAX_NOTE_BYTES};
use crate::proof::{verify_inclusion, ProofError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The first line of every proof, its format and version.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// The most path hashes read: a tree of up to 2^64 leaves needs no more.
pub const MAX_PATH: usize = 64;
/// The most extra bytes read.
pub const MAX_EXTRA_BYTES: usize = 64 * 1024;
/// The largest file read: room for the largest extra and path, plus the
/// largest note.
pub const MAX_PROOF_FILE_BYTES: usize = 128 * 1024 + MAX_NOTE_BYTES;

/// One record's proof of inclusion, as a tlog-proof file holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque data for the application (not authenticated: never trust it
    /// without checking it against the leaf).
    pub extra: Option<Vec<u8>>,
    /// The leaf's index in the log.
    pub index: u64,
    /// The inclusion path, the leaf's sibling first (RFC 6962 PATH).
    pub path: Vec<Hash>,
    /// The checkpoint's note (text, blank line, signature lines), as
    /// written.
    pub note: String,
}

/// Why a tlog-proof file was refused, or does not prove inclusion.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofFileError {
    /// Over [`MAX_PROOF_FILE_BYTES`].
    #[error("tlog proof of {0} bytes (at most {MAX_PROOF_FILE_BYTES})")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("tlog proof is not UTF-8")]
    NotUtf8,
    /// The first line is not [`HEADER`].
    #[error("tlog proof does not start with {HEADER}")]
    MissingHeader,
    /// An `extra` line whose data is not standard padded base64.
    #[error("tlog proof extra data is not base64")]
    ExtraNotBase64,
    /// Extra data over [`MAX_EXTRA_BYTES`].
    #[error("tlog proof extra data of {0} bytes (at most {MAX_EXTRA_BYTES})")]
    ExtraTooLarge(usize),
    /// No `index` line where one is due.
    #[error("tlog proof has no index line")]
    MissingIndex,
    /// Not a decimal number without leading zeros, or too large.
    #[error("tlog proof index {0:?} is not a number")]
    BadIndex(String),
    /// A path line that is not standard padded base64 (its number, from 1).
    #[error("tlog proof hash {0} is not base64")]
    HashNotBase64(usize),
    /// A path hash that is not 32 bytes.
    #[error("tlog proof hash {number} is {len} bytes (not 32)")]
    HashLength {
        /// The hash's number, from 1.
        number: usize,
        /// Its length.
        len: usize,
    },
    /// More than [`MAX_PATH`] path hashes.
    #[error("tlog proof has more than {MAX_PATH} hashes")]
    TooManyHashes,
    /// The file ends before the empty line that ends the path.
    #[error("tlog proof has no empty line before its checkpoint")]
    NoBlankLine,
    /// Nothing after the empty line.
    #[error("tlog proof has no checkpoint")]
    NoNote,
    /// A note over [`MAX_NOTE_BYTES`].
    #[error("tlog proof's note of {0} bytes (at most {MAX_NOTE_BYTES})")]
    NoteTooLarge(usize),
    /// The note does not read, or is not signed by the log's key.
    #[error("tlog proof's note: {0}")]
    Note(NoteError),
    /// The note's text is not a checkpoint.
    #[error("tlog proof's checkpoint: {0}")]
    Checkpoint(CheckpointError),
    /// The path does not lead from the leaf to the checkpoint's root.
    #[error("tlog proof's inclusion: {0}")]
    Inclusion(ProofError),
}

/// A decimal number without leading zeros (but `0` itself), or `None`.
fn decimal(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let canonical = text == "0" || !text.starts_with('0');
    match digits && canonical {
        true => text.parse().ok(),
        false => None,
    }
}

impl TlogProof {
    /// The file as written; [`TlogProof::parse`] reads it back when it is
    /// within the bounds.
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", STANDARD.encode(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for hash in &self.path {
            out.push_str(&STANDARD.encode(hash));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note);
        out
    }

    /// Reads a file (bounded, strict: the lines in order, canonical
    /// numbers and base64). The note is kept verbatim, unread.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, ProofFileError> {
        if bytes.len() > MAX_PROOF_FILE_BYTES {
            return Err(ProofFileError::TooLarge(bytes.len()));
        }
        let all = std::str::from_utf8(bytes).map_err(|_| ProofFileError::NotUtf8)?;
        let rest = all
            .strip_prefix(HEADER)
            .and_then(|rest| rest.strip_prefix('\n'))
            .ok_or(ProofFileError::MissingHeader)?;
        let (mut line, mut rest) = rest.split_once('\n').ok_or(ProofFileError::MissingIndex)?;
        let mut extra = None;
        if let Some(data) = line.strip_prefix("extra ") {
            let data = STANDARD
                .decode(data)
                .map_err(|_| ProofFileError::ExtraNotBase64)?;
            if data.len() > MAX_EXTRA_BYTES {
                return Err(ProofFileError::ExtraTooLarge(data.len()));
            }
            extra = Some(data);
            (line, rest) = rest.split_once('\n').ok_or(ProofFileError::MissingIndex)?;
        }
        let index = line
            .strip_prefix("index ")
            .ok_or(ProofFileError::MissingIndex)?;
        let index = decimal(index).ok_or_else(|| ProofFileError::BadIndex(index.into()))?;
        let mut path = Vec::new();
        loop {
            let (line, after) = rest.split_once('\n').ok_or(ProofFileError::NoBlankLine)?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if path.len() == MAX_PATH {
                return Err(ProofFileError::TooManyHashes);
            }
            let number = path.len() + 1;
            let hash = STANDARD
                .decode(line)
                .map_err(|_| ProofFileError::HashNotBase64(number))?;
            let len = hash.len();
            path.push(
                hash.try_into()
                    .map_err(|_| ProofFileError::HashLength { number, len })?,
            );
        }
        if rest.is_empty() {
            return Err(ProofFileError::NoNote);
        }
        if rest.len() > MAX_NOTE_BYTES {
            return Err(ProofFileError::NoteTooLarge(rest.len()));
        }
        Ok(TlogProof {
            extra,
            index,
            path,
            note: rest.into(),
        })
    }

    /// The checkpoint's note, read: its signatures, including
    /// cosignatures, are checked on it.
    pub fn read_note(&self) -> Result<Note, ProofFileError> {
        Note::parse(self.note.as_bytes()).map_err(ProofFileError::Note)
    }

    /// Checks that the note is a checkpoint signed by the log's Ed25519 key
    /// `public`, named `name`, and that `leaf` (a leaf hash) is leaf
    /// [`TlogProof::index`] of its tree. Returns the checkpoint, whose
    /// origin the caller checks; cosignatures are checked on
    /// [`TlogProof::read_note`], as the caller's policy requires.
    pub fn verify(
        &self,
        name: &str,
        public: &[u8; 32],
        leaf: &Hash,
    ) -> Result<Checkpoint, ProofFileError> {
        let note = self.read_note()?;
        note.verify(name, public).map_err(ProofFileError::Note)?;
        let checkpoint = Checkpoint::parse(&note.text).map_err(ProofFileError::Checkpoint)?;
        verify_inclusion(
            self.index,
            checkpoint.size,
            leaf,
            &self.path,
            &checkpoint.root,
        )
        .map_err(ProofFileError::Inclusion)?;
        Ok(checkpoint)
    }
}
