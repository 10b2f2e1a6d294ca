//! The typed stream of everything that happens in a session.

use serde::Serialize;
use tessera_proto::{EndReason, Grants, Permission};
use tessera_secure::identity::Verification;

/// Which end did something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The person being helped.
    Agent,
    /// The technician.
    Viewer,
}

/// Who is asking, as shown at the consent prompt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Technician {
    /// Name as given.
    pub name: String,
    /// Organisation as given, if any.
    pub org: Option<String>,
    /// Whether an organisation this machine trusts vouches for this name
    /// and key (a valid certificate).
    pub verified: bool,
    /// The organisation that vouches, when verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<String>,
    /// Why not, when not verified (`no_certificate`, `unknown_org`,
    /// `expired`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_verified: Option<&'static str>,
    /// The support ticket, as the technician gives it (nobody vouches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<tessera_proto::peer::Ticket>,
}

impl Technician {
    /// Who the `Hello` says is calling, with what the agent concluded.
    pub fn new(name: String, org: Option<String>, verification: Verification) -> Self {
        let (verified_by, not_verified) = match verification {
            Verification::Verified { org } => (Some(org), None),
            Verification::NotVerified(why) => (None, Some(why.name())),
        };
        Self {
            name,
            org,
            verified: verified_by.is_some(),
            verified_by,
            not_verified,
            ticket: None,
        }
    }
}

/// One thing that happened. Serialized with an `event` tag, this is the
/// `--events json` line format of the command-line contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SessionEvent {
    /// Agent: a code to read aloud. Holds the secret: never audit-logged.
    Code {
        /// Grouped digits, e.g. `482 913 577 2`.
        code: String,
        /// Seconds until it expires unused.
        expires_in_secs: u32,
    },
    /// Both: the relay paired us with someone holding the nameplate.
    Paired,
    /// Agent: the code can no longer be used (a wrong guess, or a pairing
    /// that did not complete); a new code follows.
    CodeBurned {
        /// Why it was burned.
        reason: BurnReason,
    },
    /// Both: the end-to-end channel is up, its certificate pinned by the PAKE.
    Secured {
        /// SHA-256 of the peer's certificate, hex.
        peer_fingerprint: String,
    },
    /// Agent: the person is being asked.
    ConsentRequested {
        /// Who asks.
        technician: Technician,
        /// What they ask for.
        requested: Grants,
    },
    /// Viewer: the request was sent; the person is deciding.
    WaitingForConsent,
    /// Viewer: the consent prompt is on the person's screen, presenting
    /// the technician as verified by an organisation, or as not verified
    /// and why (the agent's verdict, as its `consent_requested` says).
    PromptShown {
        /// Whether the person sees the technician as verified.
        verified: bool,
        /// The organisation that vouches, when verified.
        #[serde(skip_serializing_if = "Option::is_none")]
        verified_by: Option<String>,
        /// Why not, when not verified (`no_certificate`, `unknown_org`,
        /// `expired`, ...).
        #[serde(skip_serializing_if = "Option::is_none")]
        not_verified: Option<String>,
    },
    /// Both: the session runs with these grants.
    SessionStarted {
        /// Grants in force.
        granted: Grants,
    },
    /// Viewer: what is granted now, when the technician asks (the
    /// `status` command); every change is also told as it happens.
    Status {
        /// Whether the session runs (consent given, not ended).
        running: bool,
        /// Grants in force.
        granted: Grants,
    },
    /// Both: the grants changed.
    GrantChanged {
        /// Grants in force.
        granted: Grants,
    },
    /// Both: a chat line.
    Chat {
        /// Who wrote it.
        from: Side,
        /// The text.
        text: String,
    },
    /// Both: a line of the technician's intervention report.
    Note {
        /// The text.
        text: String,
    },
    /// Viewer: a screen update was decoded.
    Frame {
        /// The update's sequence number.
        seq: u64,
        /// Picture width.
        width: u32,
        /// Picture height.
        height: u32,
        /// Its size on the wire.
        bytes: usize,
        /// When the agent captured it (µs since the Unix epoch).
        captured_at_us: u64,
    },
    /// Viewer: a video picture was shown over the picture.
    VideoFrame {
        /// The video picture's sequence number.
        seq: u64,
        /// Its size on the wire.
        bytes: usize,
        /// When the agent captured it (µs since the Unix epoch).
        captured_at_us: u64,
    },
    /// Viewer: the displays the agent can show, and which one it shows.
    Displays {
        /// The displays.
        displays: Vec<tessera_proto::peer::DisplayInfo>,
        /// Index of the one shown.
        showing: u32,
    },
    /// Viewer: the agent's cursor moved or changed shape.
    Cursor {
        /// Hot spot, relative to the shown display.
        x: i32,
        /// Hot spot, vertically.
        y: i32,
        /// Identifies the shape.
        serial: u32,
        /// The shape's size and hot spot, when it is new.
        shape: Option<CursorInfo>,
    },
    /// Both: remote input was refused (the first of a run, then at most
    /// once a second, with how many since).
    InputRefused {
        /// Why.
        reason: tessera_input::RefusalKind,
        /// Events refused since the last report, this one included.
        count: u32,
    },
    /// Both: the person started (`active: true`) or stopped using their
    /// own keyboard or mouse while `control` is granted; remote input is
    /// refused in between.
    LocalUser {
        /// Whether remote input is now paused for the person.
        active: bool,
    },
    /// Both: the technician asked for more mid-session (agent: what was
    /// asked and is not yet granted).
    UpgradeRequested {
        /// What was asked.
        requested: Grants,
    },
    /// Both: the person granted some or all of an upgrade request.
    UpgradeGranted {
        /// Grants in force.
        granted: Grants,
    },
    /// Both: an upgrade request got nothing.
    UpgradeRefused {
        /// Why.
        reason: tessera_proto::UpgradeRefusal,
    },
    /// Both: the person is asked whether the long session should go on
    /// (`open: true`, remote input refused meanwhile), or said yes.
    ContinueCheck {
        /// Whether the question is on the person's screen.
        open: bool,
    },
    /// Both: something was refused for lack of a grant.
    Refused {
        /// Which permission was missing.
        permission: Permission,
        /// Always `not_granted` for now.
        reason: &'static str,
    },
    /// Both: a transfer's list of files is offered (the sender) or was
    /// taken (the receiver): its bytes follow.
    FileOffered {
        /// The transfer's number (for `cancel_file`).
        id: tessera_proto::files::TransferId,
        /// Which way it goes.
        dir: tessera_audit::record::Direction,
        /// The file's or the top folder's name.
        name: String,
        /// How many files.
        files: u32,
        /// Their bytes.
        bytes: u64,
        /// The receiver: bytes it already held from a cut transfer of
        /// the same files, checked chunk by chunk, which are not sent
        /// again.
        resumed: u64,
        /// The sender's end: what its walk left out, "path: why" each
        /// (symbolic links, special files, names the receiver refuses).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        left_out: Vec<String>,
    },
    /// Both: something was copied from one side to the other's clipboard.
    Clipboard {
        /// Whose copy it was.
        from: Side,
        /// What it holds.
        kind: tessera_proto::clipboard::ClipKind,
        /// Its size.
        bytes: u64,
        /// Its SHA-256, hex (what the record keeps).
        sha256: String,
        /// Viewer: the text the person copied, for the technician's
        /// scripts (never on a record, never in a log).
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// Agent: the person answered a fetch (no answer in time is a no).
    FetchAnswered {
        /// The transfer asked about.
        id: tessera_proto::files::TransferId,
        /// The path, as the person read it.
        path: String,
        /// Whether they let the technician have it.
        allowed: bool,
    },
    /// Both: how far a transfer is (at most four times a second).
    FileProgress {
        /// The transfer.
        id: tessera_proto::files::TransferId,
        /// Bytes done (resumed ones included).
        bytes: u64,
        /// Of.
        of: u64,
    },
    /// Both: a file arrived whole, its SHA-256 checked by the receiver
    /// against the sender's.
    FileDone {
        /// The transfer.
        id: tessera_proto::files::TransferId,
        /// Which way it went.
        dir: tessera_audit::record::Direction,
        /// Its path in the transfer: as kept (the receiver, which may
        /// have numbered it) or as sent.
        name: String,
        /// Its size.
        bytes: u64,
        /// Its SHA-256, hex.
        sha256: String,
    },
    /// Both: every file of a transfer arrived.
    FileComplete {
        /// The transfer.
        id: tessera_proto::files::TransferId,
    },
    /// Both: a transfer stopped before its end; the receiver kept
    /// nothing of the file it was writing.
    FileFailed {
        /// The transfer.
        id: tessera_proto::files::TransferId,
        /// Why.
        why: tessera_proto::files::FileStop,
        /// More words, when there are.
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Both: the session is over.
    SessionEnded {
        /// Why.
        reason: EndReason,
        /// A sentence for a person, when more can be said than the reason.
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// Why the agent burned a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BurnReason {
    /// Someone tried it with the wrong secret.
    WrongCode,
    /// Someone joined but did not finish the handshake in time, or left.
    Abandoned,
}

/// A cursor shape's description (the pixels stay with the viewer).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CursorInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Hot spot from the left.
    pub hot_x: u32,
    /// Hot spot from the top.
    pub hot_y: u32,
}

/// The event for `clip`, copied by `from`; `text` only for the
/// technician's own event stream.
pub fn clipboard_event(
    from: Side,
    clip: &tessera_proto::clipboard::Clip,
    text: Option<String>,
) -> SessionEvent {
    SessionEvent::Clipboard {
        from,
        kind: clip.kind,
        bytes: clip.bytes().len() as u64,
        sha256: hex::encode(clip.sha256()),
        text,
    }
}
