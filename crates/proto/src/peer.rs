//! Messages between agent and viewer on the control stream of the inner,
//! end-to-end encrypted QUIC connection. The relay never sees them.

use crate::identity::{Certificate, PublicKey, Signature};
use crate::{EndReason, Grants};
use serde::{Deserialize, Serialize};

/// ALPN of the inner (agent ↔ viewer) QUIC connection.
pub const PEER_ALPN: &[u8] = b"tessera-peer/1";
/// Largest control-stream frame body between peers.
pub const MAX_PEER_FRAME: usize = 64 * 1024;
/// Longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 4000;
/// Longest technician name or organisation, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// The technician's introduction, the first message the viewer sends,
/// signed for this session with the technician's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Name as typed by the technician (verified only through
    /// `certificate`).
    pub name: String,
    /// Organisation as typed by the technician, if any.
    pub org: Option<String>,
    /// What the technician asks to do.
    pub requested: Grants,
    /// The technician's public key (Ed25519).
    pub key: PublicKey,
    /// Their organisation's certificate for `key`, if they have one.
    pub certificate: Option<Certificate>,
    /// The support ticket this session is for, as the technician gives
    /// it (shown to the person as said by the technician).
    pub ticket: Option<Ticket>,
    /// `key`'s signature over all of the above and this session's
    /// transcript and certificate fingerprints (`tessera-secure`).
    pub signature: Signature,
}

/// Longest ticket id or priority, in characters.
pub const MAX_TICKET_CHARS: usize = 64;

/// A support ticket: its id in the technician's tracker, and how urgent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Such as `INC-1042`.
    pub id: String,
    /// Such as `high` or `P2`.
    pub priority: Option<String>,
}

impl Ticket {
    /// Checks lengths and characters, as for names.
    pub fn validate(&self) -> Result<(), ContentError> {
        check_text("ticket", &self.id, MAX_TICKET_CHARS, false)?;
        if let Some(priority) = &self.priority {
            check_text("ticket priority", priority, MAX_TICKET_CHARS, false)?;
        }
        Ok(())
    }
}

/// Viewer → agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ViewerMsg {
    /// Introduction and request; exactly once, first. (Boxed: it is by
    /// far the largest message and is sent once.)
    Hello(Box<Hello>),
    /// A chat line from the technician.
    Chat {
        /// At most [`MAX_CHAT_CHARS`] characters.
        text: String,
    },
    /// The technician's side ends the session, and why: the technician
    /// ended it, or the viewer's own failure (`recording_failed`,
    /// `protocol_error`, `consent_timeout`), so both records say the same.
    End {
        /// Why.
        reason: EndReason,
    },
    /// The viewer lost its picture (or never had one): send a whole frame.
    NeedKeyframe,
    /// The viewer has shown the screen update with this sequence number.
    /// The agent keeps at most a couple of updates unacknowledged, so a
    /// slow link gets the newest picture instead of a backlog.
    Shown {
        /// The update's sequence number.
        seq: u64,
    },
    /// Show this display (an index into the agent's last `Displays` list).
    ShowDisplay {
        /// Index of the display.
        index: u32,
    },
    /// Keyboard or mouse input for the person's computer. Sent whatever
    /// the grants: the agent decides, counts and reports refusals.
    Input(tessera_input::InputEvent),
    /// Ask for more than is granted, mid-session. The person answers a new
    /// prompt; the agent answers with `UpgradeGranted` or `UpgradeRefused`.
    Request {
        /// What the technician asks for (what is already granted is
        /// ignored).
        grants: Grants,
    },
    /// A line of the technician's intervention report, for both records
    /// (checked with [`validate_chat`]'s rules).
    Note {
        /// At most [`MAX_CHAT_CHARS`] characters.
        text: String,
    },
    /// About the session records: the viewer's log key, checkpoints,
    /// cosignatures of the agent's checkpoints. (Boxed: the log key is
    /// large.)
    Audit(Box<crate::audit::AuditMsg>),
    /// About files: a fetch, an offer, an answer, a cancel, a file kept
    /// ([`crate::files`]; checked with `FileMsg::validate`).
    Files(crate::files::FileMsg),
    /// The viewer has shown the video picture with this sequence number
    /// (its own count, apart from `Shown`'s): the agent codes a new
    /// picture only while at most a couple wait, so a slow link gets the
    /// newest motion instead of a backlog.
    VideoShown {
        /// The video picture's sequence number.
        seq: u64,
    },
}

/// Most displays an agent lists.
pub const MAX_DISPLAYS: usize = 16;

/// One display (monitor) the agent can show, in the agent's desktop
/// coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayInfo {
    /// What the agent's system calls it (such as `DP-1`, or `screen 1`).
    pub name: String,
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether it is the primary display (shown by default).
    pub primary: bool,
}

/// Agent → viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentMsg {
    /// The person accepted: this is what was granted (never more than asked).
    Accepted {
        /// The grants now in force.
        granted: Grants,
    },
    /// The person took a grant back (an accepted upgrade is told by
    /// `UpgradeGranted`).
    GrantsChanged {
        /// The grants now in force.
        granted: Grants,
    },
    /// A chat line from the person being helped.
    Chat {
        /// At most [`MAX_CHAT_CHARS`] characters.
        text: String,
    },
    /// Something the technician tried was refused: it needs this permission.
    Refused {
        /// The permission that was not granted.
        permission: crate::Permission,
    },
    /// The session is over, and why (denied, timed out, user ended, ...).
    End {
        /// The reason both sides will report.
        reason: EndReason,
    },
    /// Input was refused (the first of a run, then at most once a second
    /// with how many since): why, and how many events.
    InputRefused {
        /// Why.
        reason: tessera_input::RefusalKind,
        /// Events refused since the last report, this one included.
        count: u32,
    },
    /// The displays the agent can show, and which one it shows; sent when
    /// sharing starts and whenever the list or a resolution changes.
    Displays {
        /// At most [`MAX_DISPLAYS`].
        displays: Vec<DisplayInfo>,
        /// Index of the one shown.
        showing: u32,
    },
    /// The person is using their own keyboard or mouse (`active: true`):
    /// remote input is refused until they have been still for
    /// `tessera_input::LOCAL_PAUSE`, which `active: false` announces. Sent
    /// only while `control` is granted, so the technician knows why their
    /// input stops instead of guessing.
    LocalUser {
        /// Whether the pause starts (`true`) or is over (`false`).
        active: bool,
    },
    /// The person granted some or all of an upgrade request.
    UpgradeGranted {
        /// The grants now in force.
        granted: Grants,
    },
    /// An upgrade request got nothing, and why.
    UpgradeRefused {
        /// Why.
        reason: crate::UpgradeRefusal,
    },
    /// The person is asked whether the session should go on (`open:
    /// true`; remote input is refused meanwhile), or said yes (`false`).
    /// No answer ends the session with `continue_timeout`.
    ContinueCheck {
        /// Whether the question is on the person's screen.
        open: bool,
    },
    /// The first consent prompt is on the person's screen now, and this
    /// is how it presents the technician: the viewer cannot know the
    /// agent's verdict on its certificate otherwise. Sent once, just
    /// after a valid `Hello`; checked with [`validate_asking`].
    Asking {
        /// Whether an organisation the agent trusts vouches for the
        /// technician.
        verified: bool,
        /// That organisation, when verified (a name, as
        /// [`validate_name`] allows).
        verified_by: Option<String>,
        /// Why not, when not verified: one of [`NOT_VERIFIED_REASONS`].
        not_verified: Option<String>,
    },
    /// About the session records: the agent's log key, checkpoints,
    /// cosignatures of the viewer's checkpoints. (Boxed: the log key is
    /// large.)
    Audit(Box<crate::audit::AuditMsg>),
    /// About files: an offer (a fetch the person allowed), an answer, a
    /// cancel, a file kept ([`crate::files`]; never a `Fetch`).
    Files(crate::files::FileMsg),
}

/// Every reason an agent may give for not verifying a technician, as
/// `tessera-secure` names them (`NotVerified::name`): a closed set, so a
/// viewer shows only words it knows.
pub const NOT_VERIFIED_REASONS: &[&str] = &[
    "no_certificate",
    "other_key",
    "bad_signature",
    "unknown_org",
    "not_yet_valid",
    "expired",
    "name_mismatch",
];

/// Why a decoded message's content is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// A text field is longer than allowed.
    #[error("{field} is {len} characters long, the limit is {max}")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A text field holds control characters (they could fake prompt text).
    #[error("{0} holds control characters")]
    ControlCharacters(&'static str),
    /// A text field holds invisible or direction-changing characters (they
    /// could make a name read as something else).
    #[error("{0} holds invisible or text-direction characters")]
    InvisibleCharacters(&'static str),
    /// A display index beyond the list.
    #[error("there is no display {0}")]
    NoSuchDisplay(u32),
    /// A reason code outside its closed set.
    #[error("{0} is not a known reason")]
    UnknownReason(&'static str),
    /// Fields that contradict each other.
    #[error("{0}")]
    Inconsistent(&'static str),
}

/// Zero-width, direction override and isolate characters: invisible, yet
/// they change what a person reads.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{00AD}')
}

fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    allow_newline: bool,
) -> Result<(), ContentError> {
    let len = text.chars().count();
    if len > max {
        return Err(ContentError::TooLong { field, len, max });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(allow_newline && c == '\n'))
    {
        return Err(ContentError::ControlCharacters(field));
    }
    if text.chars().any(is_invisible) {
        return Err(ContentError::InvisibleCharacters(field));
    }
    Ok(())
}

impl Hello {
    /// Checks lengths and characters: what the prompt shows must be what
    /// was sent, with no terminal escapes or line tricks.
    pub fn validate(&self) -> Result<(), ContentError> {
        check_text("technician name", &self.name, MAX_NAME_CHARS, false)?;
        if let Some(org) = &self.org {
            check_text("organisation", org, MAX_NAME_CHARS, false)?;
        }
        if let Some(cert) = &self.certificate {
            check_text("certificate name", &cert.name, MAX_NAME_CHARS, false)?;
            check_text("certificate organisation", &cert.org, MAX_NAME_CHARS, false)?;
        }
        if let Some(ticket) = &self.ticket {
            ticket.validate()?;
        }
        Ok(())
    }
}

/// Checks a display list: bounded, names printable, `showing` in range.
pub fn validate_displays(displays: &[DisplayInfo], showing: u32) -> Result<(), ContentError> {
    if displays.len() > MAX_DISPLAYS {
        return Err(ContentError::TooLong {
            field: "display list",
            len: displays.len(),
            max: MAX_DISPLAYS,
        });
    }
    for display in displays {
        check_text("display name", &display.name, MAX_NAME_CHARS, false)?;
    }
    if showing as usize >= displays.len() {
        return Err(ContentError::NoSuchDisplay(showing));
    }
    Ok(())
}

/// Checks a person's or organisation's name as the prompt will show it:
/// at most [`MAX_NAME_CHARS`], no control, invisible or direction
/// characters. `field` names it in the error.
pub fn validate_name(field: &'static str, name: &str) -> Result<(), ContentError> {
    check_text(field, name, MAX_NAME_CHARS, false)
}

/// Checks one line of text a person will read (a path asked for, say):
/// at most `max` characters, no control, invisible or direction
/// characters.
pub fn validate_line(field: &'static str, text: &str, max: usize) -> Result<(), ContentError> {
    check_text(field, text, max, false)
}

/// Checks a chat line: bounded, no control characters but newlines.
pub fn validate_chat(text: &str) -> Result<(), ContentError> {
    check_text("chat message", text, MAX_CHAT_CHARS, true)
}

/// Checks an [`AgentMsg::Asking`]'s fields: verified with the vouching
/// organisation's name and no reason, or not verified with a reason from
/// [`NOT_VERIFIED_REASONS`] and no organisation.
pub fn validate_asking(
    verified: bool,
    verified_by: Option<&str>,
    not_verified: Option<&str>,
) -> Result<(), ContentError> {
    match (verified, verified_by, not_verified) {
        (true, Some(org), None) => validate_name("verifying organisation", org),
        (false, None, Some(reason)) if NOT_VERIFIED_REASONS.contains(&reason) => Ok(()),
        (false, None, Some(_)) => Err(ContentError::UnknownReason("not_verified")),
        (true, ..) => Err(ContentError::Inconsistent(
            "verified needs the vouching organisation and no reason",
        )),
        (false, ..) => Err(ContentError::Inconsistent(
            "not verified needs a reason and no organisation",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_rejects_escapes_and_long_names() {
        let mut hello = Hello {
            name: "Jane".into(),
            org: Some("Acme IT".into()),
            requested: Grants::NONE,
            key: crate::identity::PublicKey([1; 32]),
            certificate: None,
            ticket: None,
            signature: crate::identity::Signature([0; 64]),
        };
        assert!(hello.validate().is_ok());
        hello.name = "Jane\x1b[2J".into();
        assert_eq!(
            hello.validate(),
            Err(ContentError::ControlCharacters("technician name"))
        );
        hello.name = "Jane\u{202E}TI emcA".into();
        assert_eq!(
            hello.validate(),
            Err(ContentError::InvisibleCharacters("technician name"))
        );
        hello.name = "x".repeat(65);
        assert!(matches!(
            hello.validate(),
            Err(ContentError::TooLong { .. })
        ));
    }

    #[test]
    fn asking_is_verified_by_a_name_or_not_verified_for_a_known_reason() {
        assert_eq!(validate_asking(true, Some("Acme IT"), None), Ok(()));
        for reason in NOT_VERIFIED_REASONS {
            assert_eq!(validate_asking(false, None, Some(reason)), Ok(()));
        }
        assert_eq!(
            validate_asking(false, None, Some("trust me")),
            Err(ContentError::UnknownReason("not_verified"))
        );
        assert_eq!(
            validate_asking(true, Some("Acme\u{202E}TI"), None),
            Err(ContentError::InvisibleCharacters("verifying organisation"))
        );
        assert!(matches!(
            validate_asking(true, Some(&"x".repeat(MAX_NAME_CHARS + 1)), None),
            Err(ContentError::TooLong { .. })
        ));
        for (verified, by, why) in [
            (true, None, None),
            (true, Some("Acme IT"), Some("expired")),
            (false, None, None),
            (false, Some("Acme IT"), Some("expired")),
            (false, Some("Acme IT"), None),
        ] {
            assert!(
                matches!(
                    validate_asking(verified, by, why),
                    Err(ContentError::Inconsistent(_))
                ),
                "{verified} {by:?} {why:?}"
            );
        }
    }

    #[test]
    fn asking_travels_as_the_last_variant() {
        let msg = AgentMsg::Asking {
            verified: false,
            verified_by: None,
            not_verified: Some("no_certificate".into()),
        };
        let body = postcard::to_allocvec(&msg).expect("encode");
        assert_eq!(body[0], 11, "appended after ContinueCheck (10)");
        assert_eq!(postcard::from_bytes::<AgentMsg>(&body), Ok(msg));
    }

    #[test]
    fn chat_allows_newlines_only() {
        assert!(validate_chat("hello\nworld").is_ok());
        assert!(validate_chat("bell\x07").is_err());
        assert!(validate_chat(&"é".repeat(MAX_CHAT_CHARS + 1)).is_err());
    }
}
