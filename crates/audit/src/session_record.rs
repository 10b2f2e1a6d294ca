//! One end's record of a live session, sans-IO: the log, the screen
//! recording and the witness of the other end's log, driven together.
//! Facts, screen messages, the one-second tick and the other end's audit
//! messages go in; what to write (in order, and when to make it
//! durable) and what to send come out.
//!
//! Any error is the end of the session: ours means the record cannot be
//! kept ("no unrecorded session"), the other end's means its record can
//! no longer be trusted.

use crate::input_facts::InputFacts;
use crate::log::{Log, LogError, Sealed};
use crate::record::{origin, Certification, Certifier, Fact, Side, TypedText, FORMAT};
use crate::recording::{Kind, Recorder, RecordingError, SegmentInfo};
use crate::wire::{Base64, Hex};
use crate::witness::Witness;
use ring::signature::{Ed25519KeyPair, KeyPair};
use tessera_input::{InputEvent, RefusalKind};
use tessera_proto::audit::{AuditMsg, LogCertifier};
use tessera_proto::identity::{PublicKey, Signature};

/// What a record opens with.
pub struct Opening {
    /// Which end.
    pub side: Side,
    /// The relay's session id.
    pub session_id: [u8; 16],
    /// The relay, as the end reached it.
    pub relay: String,
    /// This program and its version.
    pub software: String,
    /// The session's log key: made for this session, held in memory only.
    pub log_key: Ed25519KeyPair,
    /// The longer-lived key's signature over it.
    pub certification: Certification,
    /// The wall clock now (ms since the Unix epoch).
    pub wall_ms: u64,
    /// Whether typed text is kept or only counted.
    pub typed_text: TypedText,
}

/// One thing to write, in the order given.
#[derive(Debug)]
pub enum Write {
    /// Append to the log; made durable by the next [`Write::Sealed`], or
    /// now when `durable`.
    Log {
        /// The lines.
        bytes: Vec<u8>,
        /// Whether to sync at once.
        durable: bool,
    },
    /// Append to the screen recording and make it durable (before the
    /// leaf that lists it is written).
    Screen(Vec<u8>),
    /// A sealed stretch: its leaves, sync, its checkpoint, sync.
    Sealed(Sealed),
}

/// What a step gives to do.
#[derive(Debug, Default)]
pub struct Outputs {
    /// To write, in order.
    pub writes: Vec<Write>,
    /// To send to the other end, in order, after the writes.
    pub to_peer: Vec<AuditMsg>,
}

/// Why the record cannot go on; the session ends.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// This end's log refused something.
    #[error("the session record cannot be kept: {0}")]
    Log(#[from] LogError),
    /// The screen recording refused a message.
    #[error("the screen recording cannot be kept: {0}")]
    Screen(#[from] RecordingError),
    /// The other end's record failed a check.
    #[error("the other side's record does not hold: {0}")]
    Peer(String),
    /// The other end stopped countersigning ours.
    #[error("the other side stopped countersigning this record")]
    PeerSilent,
}

/// One end's record of a session.
pub struct SessionRecord {
    side: Side,
    session_id: [u8; 16],
    log: Log,
    screen: Recorder,
    witness: Option<Witness>,
    input: InputFacts,
    closed: bool,
}

impl SessionRecord {
    /// Opens the record: its first line (durable at once), the screen
    /// recording's header, and this end's log key for the other end.
    pub fn open(opening: Opening, t: u64) -> Result<(SessionRecord, Outputs), RecordError> {
        let origin = origin(&opening.session_id, opening.side);
        let mut key = [0; 32];
        key.copy_from_slice(opening.log_key.public_key().as_ref());
        let certification = opening.certification.clone();
        let fact = Fact::LogOpened {
            format: FORMAT.into(),
            origin: origin.clone(),
            side: opening.side,
            session_id: Hex(opening.session_id),
            relay: opening.relay,
            software: opening.software,
            log_key: Base64(key),
            certified_by: opening.certification,
            wall_ms: opening.wall_ms,
            typed_text: opening.typed_text,
        };
        let (log, line) = Log::open(opening.log_key, t, fact)?;
        let (screen, header) = Recorder::new(&origin);
        let record = SessionRecord {
            side: opening.side,
            session_id: opening.session_id,
            log,
            screen,
            witness: None,
            input: InputFacts::new(opening.typed_text),
            closed: false,
        };
        let outputs = Outputs {
            writes: vec![
                Write::Log {
                    bytes: line,
                    durable: true,
                },
                Write::Screen(header),
            ],
            to_peer: vec![AuditMsg::LogKey {
                origin,
                key: PublicKey(key),
                certifier: match certification.kind {
                    Certifier::Device => LogCertifier::Device,
                    Certifier::Technician => LogCertifier::Technician,
                },
                certifier_key: PublicKey(certification.key.0),
                signature: Signature(certification.signature.0),
            }],
        };
        Ok((record, outputs))
    }

    /// Whether the other end cosigned every checkpoint sent.
    pub fn all_cosigned(&self) -> bool {
        self.log.all_cosigned()
    }

    /// The log's name.
    pub fn origin(&self) -> &str {
        self.log.origin()
    }

    /// Records a fact at `t` (µs since the log opened).
    pub fn record(&mut self, t: u64, fact: Fact) -> Result<Outputs, RecordError> {
        let mut out = Outputs::default();
        self.append(&mut out, t, fact)?;
        Ok(out)
    }

    /// Records a remote input event, injected (`refused: None`) or not.
    pub fn input(
        &mut self,
        t: u64,
        event: &InputEvent,
        refused: Option<RefusalKind>,
    ) -> Result<Outputs, RecordError> {
        let mut out = Outputs::default();
        for fact in self.input.event(event, refused) {
            self.push(&mut out, t, fact)?;
        }
        Ok(out)
    }

    /// Appends `fact`, after the pointer moves before it.
    fn append(&mut self, out: &mut Outputs, t: u64, fact: Fact) -> Result<(), RecordError> {
        if let Some(moves) = self.input.flush() {
            self.push(out, t, moves)?;
        }
        self.push(out, t, fact)
    }

    fn push(&mut self, out: &mut Outputs, t: u64, fact: Fact) -> Result<(), RecordError> {
        let bytes = self.log.append(t, fact)?;
        out.writes.push(Write::Log {
            bytes,
            durable: false,
        });
        Ok(())
    }

    /// Records a screen message exactly as it crossed, at `t`.
    pub fn screen(&mut self, t: u64, kind: Kind, message: &[u8]) -> Result<Outputs, RecordError> {
        let mut out = Outputs::default();
        if let Some((bytes, info)) = self.screen.push(t, kind, message)? {
            self.segment(&mut out, t, bytes, info)?;
        }
        Ok(out)
    }

    /// A finished segment: written and durable, then listed in the log.
    fn segment(
        &mut self,
        out: &mut Outputs,
        t: u64,
        bytes: Vec<u8>,
        info: SegmentInfo,
    ) -> Result<(), RecordError> {
        out.writes.push(Write::Screen(bytes));
        let fact = Fact::ScreenSegment {
            i: info.i,
            offset: info.offset,
            len: info.len,
            sha256: Hex(info.sha256),
            first_us: info.first_us,
            last_us: info.last_us,
            keyframe: info.keyframe,
        };
        self.append(out, t, fact)
    }

    /// The one-second tick: the screen's second is cut into a segment,
    /// and what was recorded since the last checkpoint is sealed and its
    /// checkpoint sent to the other end. Past [`MAX_PENDING`] checkpoints
    /// not countersigned (`log::MAX_PENDING`), the other end has stopped witnessing.
    pub fn tick(&mut self, t: u64, wall_ms: u64) -> Result<Outputs, RecordError> {
        // Asked before sealing: a stretch sealed and then dropped with
        // the error would leave its events out of the file, and the next
        // line (the close's) would read as events removed.
        if self.log.peer_stopped_cosigning() {
            return Err(RecordError::PeerSilent);
        }
        let mut out = Outputs::default();
        self.seal(&mut out, t, wall_ms, false)?;
        Ok(out)
    }

    fn seal(
        &mut self,
        out: &mut Outputs,
        t: u64,
        wall_ms: u64,
        closing: bool,
    ) -> Result<(), RecordError> {
        if let Some(moves) = self.input.flush() {
            self.push(out, t, moves)?;
        }
        if let Some((bytes, info)) = self.screen.cut() {
            self.segment(out, t, bytes, info)?;
        }
        if let Some(sealed) = self.log.seal(t, wall_ms, closing)? {
            out.writes.push(Write::Sealed(sealed));
        }
        if let Some(sent) = self.log.for_peer()? {
            out.to_peer.push(AuditMsg::Checkpoint {
                note: sent.note,
                from: sent.from,
                proof: sent.proof,
            });
        }
        Ok(())
    }

    /// Closes the record: the last segment, `log_closed`, the final
    /// checkpoint (sent to the other end, whose cosignature may still
    /// come), the recording's index.
    pub fn close(&mut self, t: u64, wall_ms: u64) -> Result<Outputs, RecordError> {
        let mut out = Outputs::default();
        if self.closed {
            return Ok(out);
        }
        self.seal(&mut out, t, wall_ms, true)?;
        self.closed = true;
        out.writes.push(Write::Screen(self.screen.close()));
        Ok(out)
    }

    /// Takes an audit message from the other end at `t`, `unix_secs` by
    /// the wall clock (the time a cosignature states).
    pub fn from_peer(
        &mut self,
        t: u64,
        unix_secs: u64,
        msg: &AuditMsg,
    ) -> Result<Outputs, RecordError> {
        msg.validate()
            .map_err(|e| RecordError::Peer(e.to_string()))?;
        let mut out = Outputs::default();
        match msg {
            AuditMsg::LogKey {
                origin: theirs,
                key,
                certifier,
                certifier_key,
                signature,
            } => {
                let expected = origin(&self.session_id, self.side.peer());
                let wanted = match self.side {
                    Side::Agent => LogCertifier::Technician,
                    Side::Viewer => LogCertifier::Device,
                };
                if self.witness.is_some() || *theirs != expected || *certifier != wanted {
                    return Err(RecordError::Peer(format!(
                        "log key for {theirs:?} (expected {expected}, once)"
                    )));
                }
                let certification = Certification {
                    kind: match certifier {
                        LogCertifier::Device => Certifier::Device,
                        LogCertifier::Technician => Certifier::Technician,
                    },
                    key: Base64(certifier_key.0),
                    signature: Base64(signature.0),
                };
                crate::verify::certified(theirs, &key.0, &certification)
                    .map_err(|why| RecordError::Peer(format!("its log key {why}")))?;
                self.append(
                    &mut out,
                    t,
                    Fact::PeerLogKey {
                        origin: theirs.clone(),
                        key: Base64(key.0),
                        certified_by: certification,
                    },
                )?;
                self.witness = Some(Witness::new(theirs.clone(), key.0));
            }
            AuditMsg::Checkpoint { note, from, proof } => {
                let Some(witness) = self.witness.as_mut() else {
                    return Err(RecordError::Peer("a checkpoint before its log key".into()));
                };
                let witnessed = witness
                    .witness(&mut self.log, t, unix_secs, note, *from, proof)
                    .map_err(|e| RecordError::Peer(e.to_string()))?;
                out.writes.push(Write::Log {
                    bytes: witnessed.line,
                    durable: self.closed,
                });
                out.to_peer.push(AuditMsg::Cosignature {
                    size: witnessed.checkpoint.size,
                    line: witnessed.cosignature.line(),
                });
            }
            AuditMsg::Cosignature { size, line } => {
                let Some(witness) = self.witness.as_ref() else {
                    return Err(RecordError::Peer("a cosignature before its log key".into()));
                };
                let (name, key) = witness.peer();
                let bytes = self
                    .log
                    .cosigned(t, *size, line, name, key)
                    .map_err(|e| RecordError::Peer(e.to_string()))?;
                out.writes.push(Write::Log {
                    bytes,
                    durable: self.closed,
                });
            }
        }
        Ok(out)
    }
}
