//! A session record being kept on disk: [`SessionRecord`] joined to its
//! [`RecordFiles`] and the clocks. Both ends' programs hold one from
//! pairing to the end; every error is worded for the person and means
//! the session must end ("no unrecorded session").

use crate::files::{folder_name, RecordFiles};
use crate::record::{origin, Certification, Certifier, Fact, Side, TypedText};
use crate::recording::Kind;
use crate::session_record::{Opening, Outputs, SessionRecord, Write};
use crate::wire::Base64;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tessera_input::{InputEvent, RefusalKind};
use tessera_proto::audit::AuditMsg;

/// What a session machine asks of its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recording {
    /// Open the record of this session (the relay paired us, with this
    /// session id): its log key is made now, and the other end is sent it.
    Open([u8; 16]),
    /// Record a fact. (Boxed: facts are large and many actions small.)
    Fact(Box<Fact>),
    /// Record a remote input event, injected (`refused: None`) or not.
    Input {
        /// The event as the technician sent it.
        event: InputEvent,
        /// Why it was refused, if it was.
        refused: Option<RefusalKind>,
    },
    /// The other end's audit message, for the record to check and answer.
    FromPeer(Box<AuditMsg>),
    /// Close the record now: its pairing ended before a session (the
    /// agent then waits with a new code, and a new pairing opens a new
    /// record).
    Close,
}

/// Signs with the key that vouches for log keys (the technician's or
/// the device's, which stays with its owner).
pub type Signer = Box<dyn Fn(&[u8]) -> [u8; 64] + Send>;

/// Keeps one end's record as its session machine asks: opened at
/// pairing, fed facts, ticked every second, closed at the end.
pub struct Keeper {
    /// Where record folders go.
    pub parent: std::path::PathBuf,
    /// Which end.
    pub side: Side,
    /// The relay, as reached.
    pub relay: String,
    /// This program and its version.
    pub software: String,
    /// Typed text kept or counted.
    pub typed_text: TypedText,
    /// The key that vouches for each session's log key.
    pub certifier: (Certifier, [u8; 32]),
    /// Signs with that key.
    pub sign: Signer,
    /// The record under way.
    pub live: Option<LiveRecord>,
}

impl Keeper {
    /// Does what the machine asked. An error ends the session.
    pub fn apply(&mut self, recording: Recording) -> Result<(), String> {
        match (recording, self.live.as_mut()) {
            (Recording::Open(session_id), None) => {
                let opening = LiveOpening {
                    parent: &self.parent,
                    side: self.side,
                    session_id,
                    relay: self.relay.clone(),
                    software: self.software.clone(),
                    typed_text: self.typed_text,
                    certifier: self.certifier,
                };
                self.live = Some(LiveRecord::open(opening, &self.sign)?);
                Ok(())
            }
            (Recording::Open(_), Some(_)) => Err("a second session on one record".into()),
            (Recording::Close, Some(live)) => {
                let closed = live.close();
                self.live = None;
                closed
            }
            (Recording::Fact(fact), Some(live)) => live.fact(*fact),
            (Recording::Input { event, refused }, Some(live)) => live.input(&event, refused),
            (Recording::FromPeer(msg), Some(live)) => live.from_peer(&msg),
            // Nothing to record before pairing.
            (_, None) => Ok(()),
        }
    }

    /// Records a screen message as it crossed, when a record is open.
    pub fn screen(&mut self, kind: Kind, message: &[u8]) -> Result<(), String> {
        match self.live.as_mut() {
            Some(live) => live.screen(kind, message),
            None => Ok(()),
        }
    }

    /// The one-second tick, when a record is open.
    pub fn tick(&mut self) -> Result<(), String> {
        match self.live.as_mut() {
            Some(live) => live.tick(),
            None => Ok(()),
        }
    }

    /// Closes the record; where it is, if there was one.
    pub fn close(&mut self) -> Option<Result<std::path::PathBuf, String>> {
        let live = self.live.as_mut()?;
        Some(live.close().map(|()| live.dir().to_path_buf()))
    }

    /// Whether the record is closed with every checkpoint cosigned by
    /// the other end (or there is no record): nothing left to wait for.
    pub fn settled(&self) -> bool {
        self.live.as_ref().is_none_or(LiveRecord::all_cosigned)
    }

    /// The audit messages for the other end.
    pub fn take_to_peer(&mut self) -> Vec<AuditMsg> {
        self.live
            .as_mut()
            .map(LiveRecord::take_to_peer)
            .unwrap_or_default()
    }
}

/// What opens a live record.
pub struct LiveOpening<'a> {
    /// Where record folders go.
    pub parent: &'a Path,
    /// Which end.
    pub side: Side,
    /// The relay's session id.
    pub session_id: [u8; 16],
    /// The relay, as reached.
    pub relay: String,
    /// This program and its version.
    pub software: String,
    /// Typed text kept or counted.
    pub typed_text: TypedText,
    /// The longer-lived key that vouches for the session's log key: its
    /// kind and its public key (`open` is given a way to sign with it).
    pub certifier: (Certifier, [u8; 32]),
}

/// A session record being written.
pub struct LiveRecord {
    record: SessionRecord,
    files: RecordFiles,
    opened: Instant,
    to_peer: Vec<AuditMsg>,
}

/// The wall clock, in ms since the Unix epoch.
fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl LiveRecord {
    /// Makes the session's log key (in memory only), has `sign` certify
    /// it (the certifier's signature over [`crate::certificate_message`]),
    /// creates the record's folder and writes its first lines.
    pub fn open(
        opening: LiveOpening<'_>,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> Result<LiveRecord, String> {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| "the session's record key could not be made".to_string())?;
        let log_key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .map_err(|_| "the session's record key could not be made".to_string())?;
        let mut public = [0; 32];
        public.copy_from_slice(log_key.public_key().as_ref());
        let origin = origin(&opening.session_id, opening.side);
        let signature = sign(&crate::certificate_message(&origin, &public));
        let wall = wall_ms();
        let name = folder_name(wall, &opening.session_id, opening.side);
        let files = RecordFiles::create(opening.parent, &name).map_err(|e| {
            format!(
                "the session record cannot be created in {}: {e}",
                opening.parent.display()
            )
        })?;
        let (certifier, certifier_key) = opening.certifier;
        let (record, outputs) = SessionRecord::open(
            Opening {
                side: opening.side,
                session_id: opening.session_id,
                relay: opening.relay,
                software: opening.software,
                log_key,
                certification: Certification {
                    kind: certifier,
                    key: Base64(certifier_key),
                    signature: Base64(signature),
                },
                wall_ms: wall,
                typed_text: opening.typed_text,
            },
            0,
        )
        .map_err(|e| e.to_string())?;
        let mut live = LiveRecord {
            record,
            files,
            opened: Instant::now(),
            to_peer: Vec::new(),
        };
        live.apply(outputs)?;
        Ok(live)
    }

    /// The record's folder.
    pub fn dir(&self) -> &Path {
        self.files.dir()
    }

    fn t(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn apply(&mut self, outputs: Outputs) -> Result<(), String> {
        let dir = self.files.dir().display().to_string();
        let failed =
            |e: std::io::Error| format!("the session record cannot be written in {dir}: {e}");
        for write in outputs.writes {
            match write {
                Write::Log { bytes, durable } => match durable {
                    true => self.files.append_log_synced(&bytes),
                    false => self.files.append_log(&bytes),
                }
                .map_err(failed)?,
                Write::Screen(bytes) => self.files.write_screen(&bytes).map_err(failed)?,
                Write::Sealed(sealed) => self.files.write_sealed(&sealed).map_err(failed)?,
            }
        }
        self.to_peer.extend(outputs.to_peer);
        Ok(())
    }

    /// Records a fact now.
    pub fn fact(&mut self, fact: Fact) -> Result<(), String> {
        let outputs = self
            .record
            .record(self.t(), fact)
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// Records a remote input event, injected or refused.
    pub fn input(
        &mut self,
        event: &InputEvent,
        refused: Option<RefusalKind>,
    ) -> Result<(), String> {
        let outputs = self
            .record
            .input(self.t(), event, refused)
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// Records a screen message as it crossed.
    pub fn screen(&mut self, kind: Kind, message: &[u8]) -> Result<(), String> {
        let outputs = self
            .record
            .screen(self.t(), kind, message)
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// Takes the other end's audit message.
    pub fn from_peer(&mut self, msg: &AuditMsg) -> Result<(), String> {
        let unix_secs = wall_ms() / 1000;
        let outputs = self
            .record
            .from_peer(self.t(), unix_secs, msg)
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// The one-second tick: seal and send the checkpoint.
    pub fn tick(&mut self) -> Result<(), String> {
        let outputs = self
            .record
            .tick(self.t(), wall_ms())
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// Closes the record (the other end's last cosignature may follow).
    pub fn close(&mut self) -> Result<(), String> {
        let outputs = self
            .record
            .close(self.t(), wall_ms())
            .map_err(|e| e.to_string())?;
        self.apply(outputs)
    }

    /// The audit messages for the other end, in order.
    pub fn take_to_peer(&mut self) -> Vec<AuditMsg> {
        std::mem::take(&mut self.to_peer)
    }

    /// Whether the other end cosigned every checkpoint sent.
    pub fn all_cosigned(&self) -> bool {
        self.record.all_cosigned()
    }
}
