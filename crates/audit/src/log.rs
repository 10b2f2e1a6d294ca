//! A session log as its writer keeps it, sans-IO: facts in, the exact
//! lines to append (and when to make them durable) out. It holds only
//! the tree's frontier, the leaves since the checkpoint last sent to the
//! other end, and the session's log key, which never leaves memory.
//!
//! Each stretch of activity is sealed by [`Log::seal`]: a `tick` leaf
//! (the wall clock), then a signed checkpoint of the tree. The writer
//! makes the leaves durable before it writes the checkpoint line, so a
//! checkpoint on disk never covers a leaf that is not.

use crate::checkpoint::Checkpoint;
use crate::cosignature::{verify_cosignature, CosignatureError};
use crate::merkle::{leaf_hash, Frontier, Hash};
use crate::note::{self, Note, NoteError};
use crate::proof::{consistency_proof, ProofError, Since};
use crate::record::{link, Fact, Leaf, RecordError};
use crate::wire::Hex;
use ring::signature::{Ed25519KeyPair, KeyPair};

/// The most checkpoints sent and not yet cosigned: past this many (two
/// minutes of activity), the other end has stopped witnessing and the
/// session must end ([`Log::peer_stopped_cosigning`]). The log itself
/// still takes every fact, so the end is recorded.
pub const MAX_PENDING: usize = 120;

/// Why the log cannot take a fact or a cosignature.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The fact does not make a leaf.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Leaf 0 must be `log_opened`, with this log's key, and only leaf 0.
    #[error("the first leaf must be log_opened with the log's key, and only the first")]
    Opening,
    /// Nothing can follow `log_closed`.
    #[error("the log is closed")]
    Closed,
    /// The other end cosigned a checkpoint this log did not send.
    #[error("cosignature for size {0}, which is not a pending checkpoint")]
    UnknownCheckpoint(u64),
    /// The cosignature line does not read or does not verify.
    #[error("cosignature does not hold: {0}")]
    Cosignature(String),
    /// A signature or proof could not be made.
    #[error("checkpoint could not be made: {0}")]
    Signing(String),
}

impl From<NoteError> for LogError {
    fn from(error: NoteError) -> Self {
        LogError::Signing(error.to_string())
    }
}

impl From<ProofError> for LogError {
    fn from(error: ProofError) -> Self {
        LogError::Signing(error.to_string())
    }
}

impl From<CosignatureError> for LogError {
    fn from(error: CosignatureError) -> Self {
        LogError::Cosignature(error.to_string())
    }
}

/// What [`Log::seal`] gives the writer to do, in order.
#[derive(Debug)]
pub struct Sealed {
    /// Leaf lines (each ending in a line feed) to append, then make
    /// durable.
    pub leaves: Vec<u8>,
    /// The checkpoint line to append after them, then make durable.
    pub checkpoint_line: Vec<u8>,
    /// The signed note, as sent to the other end.
    pub note: String,
    /// What it states.
    pub checkpoint: Checkpoint,
}

/// One checkpoint line of a log file: not a leaf, the signed note.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct CheckpointLine {
    /// The whole signed note.
    pub checkpoint: String,
}

/// A checkpoint for the other end: the signed note and the proof that
/// it extends the one sent before (`from` is that one's size; 0 and an
/// empty proof for the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForPeer {
    /// The signed note.
    pub note: String,
    /// The size of the checkpoint sent before.
    pub from: u64,
    /// The consistency proof from that one.
    pub proof: Vec<Hash>,
}

/// A line of a closed log: the other end's checkpoint that came after
/// this end closed. Not a leaf (nothing can follow `log_closed`), but
/// signed by the other end, so it stands on its own.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PeerCheckpointLine {
    /// The whole signed note.
    pub peer_checkpoint: String,
}

/// A non-leaf line, line feed included.
fn line_of<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, LogError> {
    let mut line = serde_json::to_vec(value).map_err(|e| LogError::Signing(e.to_string()))?;
    line.push(b'\n');
    Ok(line)
}

/// A log being written.
pub struct Log {
    origin: String,
    key: Ed25519KeyPair,
    tree: Frontier,
    previous: Hash,
    last_t: u64,
    closed: bool,
    /// The tree at the last checkpoint signed, and its note.
    sealed: Frontier,
    sealed_note: String,
    /// The tree at the last checkpoint sent to the other end, and every
    /// leaf since: what the next proof is made of.
    sent: Frontier,
    since_sent: Vec<Hash>,
    /// Checkpoints sent and not yet cosigned: (size, note text).
    pending: Vec<(u64, String)>,
}

impl Log {
    /// Opens a log with its first leaf, which must be `log_opened`
    /// naming `key`'s public half. Returns the log and the line to write.
    pub fn open(key: Ed25519KeyPair, t: u64, opening: Fact) -> Result<(Log, Vec<u8>), LogError> {
        let Fact::LogOpened {
            origin, log_key, ..
        } = &opening
        else {
            return Err(LogError::Opening);
        };
        if log_key.0 != key.public_key().as_ref() || !note::valid_name(origin) {
            return Err(LogError::Opening);
        }
        let mut log = Log {
            origin: origin.clone(),
            key,
            tree: Frontier::new(),
            previous: [0; 32],
            last_t: t,
            closed: false,
            sealed: Frontier::new(),
            sealed_note: String::new(),
            sent: Frontier::new(),
            since_sent: Vec::new(),
            pending: Vec::new(),
        };
        let line = log.push(t, opening)?;
        Ok((log, line))
    }

    /// The log's name (its checkpoints' key name).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Records the other end's checkpoint `note` (checked by the caller):
    /// a `peer_checkpoint` leaf, or a [`PeerCheckpointLine`] once closed.
    pub(crate) fn peer_checkpoint(&mut self, t: u64, note: &str) -> Result<Vec<u8>, LogError> {
        match self.closed {
            true => line_of(&PeerCheckpointLine {
                peer_checkpoint: note.into(),
            }),
            false => self.append(t, Fact::PeerCheckpoint { note: note.into() }),
        }
    }

    /// The key that signs its checkpoints and cosigns the other end's.
    pub(crate) fn key(&self) -> &Ed25519KeyPair {
        &self.key
    }

    /// The public key that signs its checkpoints.
    pub fn public_key(&self) -> [u8; 32] {
        let mut key = [0; 32];
        key.copy_from_slice(self.key.public_key().as_ref());
        key
    }

    /// How many leaves it holds.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Whether the other end left over [`MAX_PENDING`] checkpoints without a
    /// cosignature: the session should end.
    pub fn peer_stopped_cosigning(&self) -> bool {
        self.pending.len() > MAX_PENDING
    }

    /// Whether every checkpoint sent was cosigned (at the end: the final
    /// one too, so the record is vouched for by the other end whole).
    pub fn all_cosigned(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether leaves were added since the last checkpoint.
    pub fn has_unsealed(&self) -> bool {
        self.tree.size() > self.sealed.size()
    }

    /// Appends a fact at `t` (µs since the log opened; an earlier time
    /// than the last leaf's is taken as the last's). Returns its line,
    /// line feed included.
    pub fn append(&mut self, t: u64, fact: Fact) -> Result<Vec<u8>, LogError> {
        if matches!(fact, Fact::LogOpened { .. }) {
            return Err(LogError::Opening);
        }
        self.push(t, fact)
    }

    fn push(&mut self, t: u64, fact: Fact) -> Result<Vec<u8>, LogError> {
        if self.closed {
            return Err(LogError::Closed);
        }
        let closing = matches!(fact, Fact::LogClosed);
        let t = t.max(self.last_t);
        let leaf = Leaf {
            n: self.tree.size(),
            t,
            p: match self.tree.size() {
                0 => Hex([0; 8]),
                _ => link(&self.previous),
            },
            fact,
        };
        let mut line = leaf.encode()?;
        let hash = leaf_hash(&line);
        self.tree.append(hash);
        self.since_sent.push(hash);
        self.previous = hash;
        self.last_t = t;
        self.closed = closing;
        line.push(b'\n');
        Ok(line)
    }

    /// Seals what was added since the last checkpoint: a `tick` leaf with
    /// the wall clock, and `log_closed` when `closing`, then a checkpoint
    /// signed with the log key. `None` when nothing was added and the
    /// log stays open.
    pub fn seal(
        &mut self,
        t: u64,
        wall_ms: u64,
        closing: bool,
    ) -> Result<Option<Sealed>, LogError> {
        if !self.has_unsealed() && !closing {
            return Ok(None);
        }
        let mut leaves = self.push(t, Fact::Tick { wall_ms })?;
        if closing {
            leaves.extend(self.push(t, Fact::LogClosed)?);
        }
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size: self.tree.size(),
            root: self.tree.root(),
        };
        let text = checkpoint.text();
        let signature = note::sign(&text, &self.origin, &self.key)?;
        let note = Note {
            text: text.clone(),
            signatures: vec![signature],
        }
        .to_text();
        let checkpoint_line = line_of(&CheckpointLine {
            checkpoint: note.clone(),
        })?;
        self.sealed = self.tree.clone();
        self.sealed_note = note.clone();
        Ok(Some(Sealed {
            leaves,
            checkpoint_line,
            note,
            checkpoint,
        }))
    }

    /// The last checkpoint for the other end, with the proof that it
    /// extends the one sent before; `None` when it was sent already.
    /// Checkpoints go in order on one stream, so the other end always
    /// holds the one a proof starts from.
    pub fn for_peer(&mut self) -> Result<Option<ForPeer>, LogError> {
        let (from, to) = (self.sent.size(), self.sealed.size());
        if to == from {
            return Ok(None);
        }
        let since = Since {
            base: &self.sent,
            leaves: &self.since_sent,
        };
        let proof = consistency_proof(&since, from, to)?;
        let covered = usize::try_from(to - from).map_err(|_| LogError::UnknownCheckpoint(to))?;
        self.since_sent.drain(..covered.min(self.since_sent.len()));
        self.sent = self.sealed.clone();
        let text = Checkpoint {
            origin: self.origin.clone(),
            size: to,
            root: self.sealed.root(),
        }
        .text();
        self.pending.push((to, text));
        Ok(Some(ForPeer {
            note: self.sealed_note.clone(),
            from,
            proof,
        }))
    }

    /// Takes the other end's cosignature `line` (a note signature line)
    /// of our checkpoint of `size`, made with its log key `peer` named
    /// `peer_origin`. Returns the line to write: a `cosigned` leaf, or,
    /// once the log is closed (the final checkpoint's cosignature comes
    /// after it), the checkpoint line again with the cosignature added.
    pub fn cosigned(
        &mut self,
        t: u64,
        size: u64,
        line: &str,
        peer_origin: &str,
        peer: &[u8; 32],
    ) -> Result<Vec<u8>, LogError> {
        let Some(at) = self.pending.iter().position(|(s, _)| *s == size) else {
            return Err(LogError::UnknownCheckpoint(size));
        };
        let text = &self.pending[at].1;
        let note = Note::parse(format!("{text}\n{line}").as_bytes())
            .map_err(|e| LogError::Cosignature(e.to_string()))?;
        if note.signatures.len() != 1 {
            return Err(LogError::Cosignature("one line expected".into()));
        }
        verify_cosignature(&note, peer_origin, peer)?;
        self.pending.drain(..=at);
        // After the close only the final checkpoint is restated: an
        // earlier one's cosignature (it crossed the end) adds nothing the
        // final one's does not, and a line at its smaller size would read
        // as events removed.
        if self.closed && size != self.sealed.size() {
            return Ok(Vec::new());
        }
        if self.closed {
            let ours = note::sign(&note.text, &self.origin, &self.key)?;
            let signatures = [vec![ours], note.signatures].concat();
            let note = Note { signatures, ..note }.to_text();
            return line_of(&CheckpointLine { checkpoint: note });
        }
        let line = line.strip_suffix('\n').unwrap_or(line);
        self.append(
            t,
            Fact::Cosigned {
                size,
                line: line.into(),
            },
        )
    }
}
