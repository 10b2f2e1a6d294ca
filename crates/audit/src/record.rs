//! What a session record says: one fact a leaf, each leaf one line of
//! compact JSON. The leaf's hash is over its bytes exactly as stored, so
//! a verifier never re-encodes anything, and an auditor reads the record
//! with `jq` or any JSON library (`docs/audit.md` lists every kind).
//!
//! A line is `{"n":<index>,"t":<µs since the log opened>,"p":"<first 8
//! bytes of the previous leaf's hash, hex>","k":"<kind>",...}`. `n` and
//! `p` add no security (the tree gives it); they let a verifier say
//! exactly where an event was removed, moved or changed.

use crate::merkle::Hash;
use crate::wire::{Base64, Hex};
use serde::{Deserialize, Serialize};
use tessera_input::{Button, Key, RefusalKind};
use tessera_proto::{EndReason, Grants, UpgradeRefusal};

/// The longest leaf line (without its line feed).
pub const MAX_LEAF_BYTES: usize = 64 * 1024;
/// What `log_opened` names as the format of the record.
pub const FORMAT: &str = "tessera-audit/1";
/// What a leaf line starts with; anything else in the log is not a leaf.
pub const LEAF_PREFIX: &[u8] = br#"{"n":"#;

/// Which end keeps a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person helped.
    Agent,
    /// The technician.
    Viewer,
}

impl Side {
    /// The name in origins and file names.
    pub fn name(self) -> &'static str {
        match self {
            Side::Agent => "agent",
            Side::Viewer => "viewer",
        }
    }

    /// The other end.
    pub fn peer(self) -> Side {
        match self {
            Side::Agent => Side::Viewer,
            Side::Viewer => Side::Agent,
        }
    }
}

/// The log's name, `tessera/<session id, hex>/<side>`: what its
/// checkpoints are signed as, so one session's checkpoint cannot pass for
/// another's, nor one end's for the other's.
pub fn origin(session: &[u8; 16], side: Side) -> String {
    format!("tessera/{}/{}", hex::encode(session), side.name())
}

/// Which key vouches for a log key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certifier {
    /// The agent machine's device key (kept in the person's data folder).
    Device,
    /// The technician's identity key.
    Technician,
}

/// A log key and the longer-lived key that vouches for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// Which key signed.
    pub kind: Certifier,
    /// Its public key.
    pub key: Base64<32>,
    /// Its signature over [`crate::certificate_message`].
    pub signature: Base64<64>,
}

/// Whether the technician's typed text is kept or only counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypedText {
    /// Keys carry their character and text events their text.
    Recorded,
    /// Only how many keys and characters.
    Counted,
}

/// What became of a remote input event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Injected into the person's session.
    Injected,
    /// Refused (`why` says why).
    Refused,
}

/// Which way something crossed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the technician to the person's machine.
    ToAgent,
    /// From the person's machine to the technician.
    ToViewer,
}

/// One fact of a session, tagged `k` in its line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Fact {
    /// Always leaf 0: whose record this is and the key that signs it.
    LogOpened {
        /// [`FORMAT`].
        format: String,
        /// See [`origin`].
        origin: String,
        /// Which end.
        side: Side,
        /// The relay's session id.
        session_id: Hex<16>,
        /// The relay as dialled.
        relay: String,
        /// The program and version that wrote it.
        software: String,
        /// The public key that signs this log's checkpoints; its private
        /// half lives in memory only, for this session.
        log_key: Base64<32>,
        /// Who vouches for `log_key`.
        certified_by: Certification,
        /// Wall clock, ms since the Unix epoch.
        wall_ms: u64,
        /// Whether typed text is kept.
        typed_text: TypedText,
    },
    /// A second of activity went by (ends each checkpointed stretch).
    Tick {
        /// Wall clock, ms since the Unix epoch.
        wall_ms: u64,
    },
    /// The public half of the code (never the secret).
    Nameplate {
        /// As the relay gave it.
        nameplate: String,
    },
    /// The relay joined both ends.
    Paired,
    /// The end-to-end channel is up.
    Secured {
        /// SHA-256 of the peer's certificate, hex.
        peer_fingerprint: Hex<32>,
    },
    /// The other end's log key, as it sent it.
    PeerLogKey {
        /// Its origin.
        origin: String,
        /// Its key.
        key: Base64<32>,
        /// Who vouches for it.
        certified_by: Certification,
    },
    /// Who is calling and what the agent concluded of it.
    Technician {
        /// Name as given.
        name: String,
        /// Organisation as given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<String>,
        /// The organisation that vouches, when verified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verified_by: Option<String>,
        /// Why not, when not verified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_verified: Option<String>,
    },
    /// The ticket the technician works on, as they said it.
    Ticket {
        /// Its id.
        id: String,
        /// Its priority.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<String>,
    },
    /// The technician asked; the person is asked.
    ConsentRequested {
        /// What was asked.
        requested: Grants,
    },
    /// The person said yes to these.
    Consent {
        /// What was granted.
        granted: Grants,
    },
    /// The grants changed mid-session.
    GrantChanged {
        /// Grants in force.
        granted: Grants,
    },
    /// The technician asked for more.
    UpgradeRequested {
        /// What was asked.
        requested: Grants,
    },
    /// The person granted some or all of it.
    UpgradeGranted {
        /// Grants in force.
        granted: Grants,
    },
    /// The request got nothing.
    UpgradeRefused {
        /// Why.
        why: UpgradeRefusal,
    },
    /// The person was asked whether to go on (`open`), or said yes.
    ContinueCheck {
        /// Whether the question is open.
        open: bool,
    },
    /// A key pressed or released on the person's machine.
    Key {
        /// Which key.
        key: Key,
        /// Pressed or released.
        down: bool,
        /// Its character, when typed text is recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<char>,
        /// Injected or refused.
        outcome: Outcome,
        /// Why refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<RefusalKind>,
    },
    /// Text typed as a whole.
    Text {
        /// The text, when typed text is recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// How many characters.
        chars: u32,
        /// Injected or refused.
        outcome: Outcome,
        /// Why refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<RefusalKind>,
    },
    /// A mouse button pressed or released, where the pointer was.
    Click {
        /// Which button.
        button: Button,
        /// Pressed or released.
        down: bool,
        /// Pointer position on the shown display.
        x: u32,
        /// Vertically.
        y: u32,
        /// Injected or refused.
        outcome: Outcome,
        /// Why refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<RefusalKind>,
    },
    /// The wheel turned.
    Scroll {
        /// Horizontal units (120 a notch).
        dx: i32,
        /// Vertical units.
        dy: i32,
        /// Injected or refused.
        outcome: Outcome,
        /// Why refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<RefusalKind>,
    },
    /// Pointer moves of the last second, summed.
    Moves {
        /// How many.
        count: u32,
        /// Where the last went.
        x: u32,
        /// Vertically.
        y: u32,
        /// Injected or refused.
        outcome: Outcome,
        /// Why refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        why: Option<RefusalKind>,
    },
    /// A chat line.
    Chat {
        /// Who wrote it.
        from: Side,
        /// What.
        text: String,
    },
    /// Clipboard contents crossed.
    Clipboard {
        /// Which way.
        dir: Direction,
        /// Size.
        bytes: u64,
        /// SHA-256 of the contents.
        sha256: Hex<32>,
    },
    /// A file crossed.
    File {
        /// Which way.
        dir: Direction,
        /// Its name as sent.
        name: String,
        /// Size.
        bytes: u64,
        /// SHA-256 of the contents.
        sha256: Hex<32>,
    },
    /// A transfer's list was offered (the sender) or taken (the
    /// receiver): what was to cross, before any byte did.
    FileOffered {
        /// Which way.
        dir: Direction,
        /// The file's or the top folder's name.
        name: String,
        /// How many files.
        files: u32,
        /// Their bytes.
        bytes: u64,
    },
    /// The person answered the technician's request for a file or
    /// folder of theirs (no answer in time is a no).
    FetchAnswered {
        /// The path asked for, as the person read it.
        path: String,
        /// Whether they let the technician have it.
        allowed: bool,
    },
    /// The person started or stopped using their own keyboard or mouse.
    LocalUser {
        /// Whether remote input is paused for them.
        active: bool,
    },
    /// The technician's note for the intervention report.
    Note {
        /// What they wrote.
        text: String,
    },
    /// The other end's signed checkpoint, checked and cosigned.
    PeerCheckpoint {
        /// The whole signed note.
        note: String,
    },
    /// The other end's cosignature of one of our checkpoints.
    Cosigned {
        /// The checkpoint's size.
        size: u64,
        /// The cosignature line.
        line: String,
    },
    /// A segment of the screen recording, written before this leaf.
    ScreenSegment {
        /// Its number, from 0.
        i: u32,
        /// Where it starts in the recording file.
        offset: u64,
        /// How many bytes.
        len: u64,
        /// SHA-256 of those bytes.
        sha256: Hex<32>,
        /// Its first message's time (µs since the log opened).
        first_us: u64,
        /// Its last message's time.
        last_us: u64,
        /// Whether it holds a keyframe.
        keyframe: bool,
    },
    /// The technician saved a snapshot of the screen.
    Snapshot {
        /// The update it shows (the last applied).
        seq: u64,
        /// SHA-256 of the decoded picture's pixels (BGRX, rows packed:
        /// `Frame::pixels`), not of the PNG file.
        sha256: Hex<32>,
    },
    /// Something went wrong that the record should show.
    Error {
        /// What.
        what: String,
    },
    /// The session is over.
    SessionEnded {
        /// Why.
        reason: EndReason,
        /// More words, when there are.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The last leaf of a whole record.
    LogClosed,
}

impl Fact {
    /// The `k` of its line.
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::LogOpened { .. } => "log_opened",
            Fact::Tick { .. } => "tick",
            Fact::Nameplate { .. } => "nameplate",
            Fact::Paired => "paired",
            Fact::Secured { .. } => "secured",
            Fact::PeerLogKey { .. } => "peer_log_key",
            Fact::Technician { .. } => "technician",
            Fact::Ticket { .. } => "ticket",
            Fact::ConsentRequested { .. } => "consent_requested",
            Fact::Consent { .. } => "consent",
            Fact::GrantChanged { .. } => "grant_changed",
            Fact::UpgradeRequested { .. } => "upgrade_requested",
            Fact::UpgradeGranted { .. } => "upgrade_granted",
            Fact::UpgradeRefused { .. } => "upgrade_refused",
            Fact::ContinueCheck { .. } => "continue_check",
            Fact::Key { .. } => "key",
            Fact::Text { .. } => "text",
            Fact::Click { .. } => "click",
            Fact::Scroll { .. } => "scroll",
            Fact::Moves { .. } => "moves",
            Fact::Chat { .. } => "chat",
            Fact::Clipboard { .. } => "clipboard",
            Fact::File { .. } => "file",
            Fact::FileOffered { .. } => "file_offered",
            Fact::FetchAnswered { .. } => "fetch_answered",
            Fact::LocalUser { .. } => "local_user",
            Fact::Note { .. } => "note",
            Fact::PeerCheckpoint { .. } => "peer_checkpoint",
            Fact::Cosigned { .. } => "cosigned",
            Fact::ScreenSegment { .. } => "screen_segment",
            Fact::Snapshot { .. } => "snapshot",
            Fact::Error { .. } => "error",
            Fact::SessionEnded { .. } => "session_ended",
            Fact::LogClosed => "log_closed",
        }
    }
}

/// One leaf: a fact, where it stands and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// Its index in the log, from 0.
    pub n: u64,
    /// When, in µs since the log opened (monotonic clock).
    pub t: u64,
    /// The first 8 bytes of the previous leaf's hash (zeros for leaf 0).
    pub p: Hex<8>,
    /// What happened.
    #[serde(flatten)]
    pub fact: Fact,
}

/// Why a leaf line could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Over [`MAX_LEAF_BYTES`].
    #[error("leaf of {0} bytes (at most {MAX_LEAF_BYTES})")]
    TooLarge(usize),
    /// Does not start as a leaf line does.
    #[error("not a leaf line (it must start with {{\"n\":)")]
    NotALeaf,
    /// Not the JSON of a known fact.
    #[error("leaf does not read: {0}")]
    Json(#[from] serde_json::Error),
    /// Reads, but is not written as the writer writes it (white space,
    /// field order, an unknown field, another escape): one fact has one
    /// line only, so no two tools can read a line differently.
    #[error("leaf is not in canonical form (compact JSON, fields in order, nothing more)")]
    NotCanonical,
}

/// The `p` of the leaf after one whose hash is `hash`.
pub fn link(hash: &Hash) -> Hex<8> {
    let mut first = [0; 8];
    first.copy_from_slice(&hash[..8]);
    Hex(first)
}

impl Leaf {
    /// The line as stored, without its line feed. Compact JSON escapes
    /// every control character, so a line never holds a line feed.
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let bytes = serde_json::to_vec(self)?;
        match bytes.len() > MAX_LEAF_BYTES {
            true => Err(RecordError::TooLarge(bytes.len())),
            false => Ok(bytes),
        }
    }

    /// Reads a stored line (without its line feed): only the exact bytes
    /// [`Leaf::encode`] gives for the fact it holds.
    pub fn decode(line: &[u8]) -> Result<Leaf, RecordError> {
        if line.len() > MAX_LEAF_BYTES {
            return Err(RecordError::TooLarge(line.len()));
        }
        if !line.starts_with(LEAF_PREFIX) {
            return Err(RecordError::NotALeaf);
        }
        let leaf: Leaf = serde_json::from_slice(line)?;
        match leaf.encode()? == line {
            true => Ok(leaf),
            false => Err(RecordError::NotCanonical),
        }
    }
}
