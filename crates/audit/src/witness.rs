//! The other end's log as this end witnesses it, sans-IO. Each of the
//! peer's checkpoints arrives with a proof that it extends one this end
//! already checked; once it holds, this end cosigns it and records it in
//! its own log. Neither end can then rewrite its past alone: the other's
//! record holds its signed checkpoints, and a rewritten log could not be
//! proved to extend them.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::cosignature::{cosign, CosignatureError};
use crate::log::{Log, LogError};
use crate::merkle::{Hash, EMPTY_ROOT};
use crate::note::{Note, NoteError, NoteSignature};
use crate::proof::{verify_consistency, ProofError};

/// Why the peer's checkpoint was refused. Each one means the peer's
/// record cannot be trusted, and ends the session.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The note does not read.
    #[error("the other side's checkpoint does not read: {0}")]
    Note(#[from] NoteError),
    /// Its text is not a checkpoint.
    #[error("the other side's checkpoint does not read: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// Another log's checkpoint.
    #[error("checkpoint of {0:?}, not of the other side's log")]
    Origin(String),
    /// The log went back in size.
    #[error("the other side's log went back from {latest} to {size} events")]
    Shrank {
        /// The largest size seen.
        latest: u64,
        /// The size now claimed.
        size: u64,
    },
    /// The proof does not start from the last checkpoint checked.
    #[error("proof from size {from}, but the last checkpoint checked has {latest} events")]
    WrongBase {
        /// The size the proof starts from.
        from: u64,
        /// The last checked size.
        latest: u64,
    },
    /// The new checkpoint does not extend the old: the past was changed.
    #[error("the other side's record was rewritten: {0}")]
    Inconsistent(#[from] ProofError),
    /// This end could not cosign or record it.
    #[error(transparent)]
    Cosign(#[from] CosignatureError),
    /// This end's log refused the fact.
    #[error(transparent)]
    Log(#[from] LogError),
}

/// What this end knows of the other end's log.
pub struct Witness {
    peer_origin: String,
    peer_key: [u8; 32],
    /// The last checkpoint checked: (size, root).
    latest: (u64, Hash),
}

/// A checkpoint checked, cosigned and recorded.
#[derive(Debug)]
pub struct Witnessed {
    /// What the peer's checkpoint states.
    pub checkpoint: Checkpoint,
    /// The cosignature line to send back (line feed included).
    pub cosignature: NoteSignature,
    /// This end's line recording it, to write.
    pub line: Vec<u8>,
}

impl Witness {
    /// Witnesses the log named `peer_origin` signed by `peer_key` (both
    /// from the peer's certified `peer_log_key`).
    pub fn new(peer_origin: String, peer_key: [u8; 32]) -> Self {
        Witness {
            peer_origin,
            peer_key,
            latest: (0, EMPTY_ROOT),
        }
    }

    /// The peer's log name and key.
    pub fn peer(&self) -> (&str, &[u8; 32]) {
        (&self.peer_origin, &self.peer_key)
    }

    /// The largest checkpoint of the peer checked so far: (size, root).
    pub fn latest(&self) -> (u64, Hash) {
        self.latest
    }

    /// Checks the peer's signed `note` and the proof that it extends
    /// the last one checked (of size `from`: checkpoints come in order);
    /// then cosigns it with `log`'s key at
    /// `time` (Unix seconds) and records it in `log` at `t`.
    pub fn witness(
        &mut self,
        log: &mut Log,
        t: u64,
        time: u64,
        note: &str,
        from: u64,
        proof: &[Hash],
    ) -> Result<Witnessed, WitnessError> {
        let parsed = Note::parse(note.as_bytes())?;
        parsed.verify(&self.peer_origin, &self.peer_key)?;
        let checkpoint = Checkpoint::parse(&parsed.text)?;
        if checkpoint.origin != self.peer_origin {
            return Err(WitnessError::Origin(checkpoint.origin));
        }
        let (latest, base) = self.latest;
        if checkpoint.size < latest {
            return Err(WitnessError::Shrank {
                latest,
                size: checkpoint.size,
            });
        }
        if from != latest {
            return Err(WitnessError::WrongBase { from, latest });
        }
        verify_consistency(from, checkpoint.size, &base, &checkpoint.root, proof)?;
        let cosignature = log.cosign(&parsed.text, time)?;
        let line = log.peer_checkpoint(t, note)?;
        self.latest = (checkpoint.size, checkpoint.root);
        Ok(Witnessed {
            checkpoint,
            cosignature,
            line,
        })
    }
}

impl Log {
    /// Cosigns a checkpoint's text with this log's key, named as this
    /// log (`cosignature/v1`).
    fn cosign(&self, text: &str, time: u64) -> Result<NoteSignature, CosignatureError> {
        cosign(text, self.origin(), self.key(), time)
    }
}
