//! What of a session goes on its record (`docs/audit.md`): the machines
//! say it with [`Recording`] actions, and the record itself
//! (`tessera_audit::live`) keeps it. The facts the event
//! stream already tells are taken from it here, in one place, so nothing
//! told to a person or a script escapes the record.

use crate::event::{SessionEvent, Side};
use tessera_audit::record::{Fact, Side as RecordSide};
use tessera_audit::wire::Hex;

pub use tessera_audit::live::Recording;

/// The record's name for a side.
pub fn record_side(side: Side) -> RecordSide {
    match side {
        Side::Agent => RecordSide::Agent,
        Side::Viewer => RecordSide::Viewer,
    }
}

/// The facts an event tells. The code (with its secret) is never
/// recorded; frames, cursors and display lists go to the screen
/// recording, not the log; refusals are recorded event by event.
pub fn facts_of(event: &SessionEvent) -> Vec<Fact> {
    let fact = match event {
        SessionEvent::Paired => Fact::Paired,
        SessionEvent::Secured { peer_fingerprint } => {
            let mut hash = [0; 32];
            if hex::decode_to_slice(peer_fingerprint, &mut hash).is_err() {
                return Vec::new();
            }
            Fact::Secured {
                peer_fingerprint: Hex(hash),
            }
        }
        SessionEvent::ConsentRequested {
            technician,
            requested,
        } => {
            let ticket = technician.ticket.as_ref().map(|t| Fact::Ticket {
                id: t.id.clone(),
                priority: t.priority.clone(),
            });
            return [
                Some(Fact::Technician {
                    name: technician.name.clone(),
                    org: technician.org.clone(),
                    verified_by: technician.verified_by.clone(),
                    not_verified: technician.not_verified.map(str::to_string),
                }),
                ticket,
                Some(Fact::ConsentRequested {
                    requested: *requested,
                }),
            ]
            .into_iter()
            .flatten()
            .collect();
        }
        SessionEvent::SessionStarted { granted } => Fact::Consent { granted: *granted },
        SessionEvent::GrantChanged { granted } => Fact::GrantChanged { granted: *granted },
        SessionEvent::Chat { from, text } => Fact::Chat {
            from: record_side(*from),
            text: text.clone(),
        },
        SessionEvent::Note { text } => Fact::Note { text: text.clone() },
        SessionEvent::LocalUser { active } => Fact::LocalUser { active: *active },
        SessionEvent::UpgradeRequested { requested } => Fact::UpgradeRequested {
            requested: *requested,
        },
        SessionEvent::UpgradeGranted { granted } => Fact::UpgradeGranted { granted: *granted },
        SessionEvent::UpgradeRefused { reason } => Fact::UpgradeRefused { why: *reason },
        SessionEvent::ContinueCheck { open } => Fact::ContinueCheck { open: *open },
        SessionEvent::SessionEnded { reason, detail } => Fact::SessionEnded {
            reason: *reason,
            detail: detail.clone(),
        },
        SessionEvent::FileDone {
            dir,
            name,
            bytes,
            sha256,
            ..
        } => {
            let Some(sha256) = hash32(sha256) else {
                return Vec::new();
            };
            Fact::File {
                dir: *dir,
                name: name.clone(),
                bytes: *bytes,
                sha256,
            }
        }
        SessionEvent::Clipboard {
            from,
            bytes,
            sha256,
            ..
        } => {
            let Some(sha256) = hash32(sha256) else {
                return Vec::new();
            };
            Fact::Clipboard {
                dir: match from {
                    Side::Viewer => tessera_audit::record::Direction::ToAgent,
                    Side::Agent => tessera_audit::record::Direction::ToViewer,
                },
                bytes: *bytes,
                sha256,
            }
        }
        SessionEvent::FileOffered {
            dir,
            name,
            files,
            bytes,
            ..
        } => Fact::FileOffered {
            dir: *dir,
            name: name.clone(),
            files: *files,
            bytes: *bytes,
        },
        SessionEvent::FetchAnswered { path, allowed, .. } => Fact::FetchAnswered {
            path: path.clone(),
            allowed: *allowed,
        },
        SessionEvent::FileFailed { id, why, detail } => Fact::Error {
            what: match detail {
                Some(detail) => format!("file transfer {id} stopped ({}): {detail}", why.name()),
                None => format!("file transfer {id} stopped ({})", why.name()),
            },
        },
        SessionEvent::Code { .. }
        | SessionEvent::CodeBurned { .. }
        | SessionEvent::WaitingForConsent
        | SessionEvent::PromptShown { .. }
        | SessionEvent::Status { .. }
        | SessionEvent::Frame { .. }
        | SessionEvent::VideoFrame { .. }
        | SessionEvent::Displays { .. }
        | SessionEvent::Cursor { .. }
        | SessionEvent::InputRefused { .. }
        | SessionEvent::Refused { .. }
        | SessionEvent::FileProgress { .. }
        | SessionEvent::FileComplete { .. } => return Vec::new(),
    };
    vec![fact]
}

/// A SHA-256 as an event gives it (hex), as the record keeps it.
fn hash32(hex_text: &str) -> Option<Hex<32>> {
    let mut hash = [0; 32];
    hex::decode_to_slice(hex_text, &mut hash).ok()?;
    Some(Hex(hash))
}
