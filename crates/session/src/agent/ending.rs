//! How a session ends, from any state, and what every input means where it
//! has no more specific rule: losses, the relay's refusals, messages out
//! of order, and stale answers or timers that no longer apply.

use super::remote_input::RemoteControl;
use super::{AgentAction, AgentInput, Out};
use crate::event::SessionEvent;
use crate::record::Recording;
use crate::Timer;
use tessera_input::RefusalKind;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::relay::Refusal;
use tessera_proto::{EndReason, Grants, Permission};

/// Why the session ends, and whether the viewer is told (it is not when
/// it said so itself, or cannot hear any more).
pub(super) struct Ending {
    reason: EndReason,
    detail: Option<String>,
    tell_viewer: bool,
}

impl Ending {
    /// Ends without a word to the viewer.
    pub(super) fn quietly(reason: EndReason) -> Self {
        Self {
            reason,
            detail: None,
            tell_viewer: false,
        }
    }

    /// Ends without a word to the viewer, with a detail for the person.
    pub(super) fn quietly_because(reason: EndReason, detail: Option<String>) -> Self {
        Self {
            reason,
            detail,
            tell_viewer: false,
        }
    }

    /// Ends and tells the viewer why.
    pub(super) fn telling_viewer(reason: EndReason) -> Self {
        Self {
            reason,
            detail: None,
            tell_viewer: true,
        }
    }

    /// Ends, tells the viewer why, and keeps a detail for the person.
    /// The viewer ended the session, for `reason`: its own failures are
    /// kept as it gives them (so both records say the same); anything
    /// else is the technician ending it.
    pub(super) fn viewer_ended(reason: EndReason) -> Self {
        let reason = match reason {
            EndReason::RecordingFailed | EndReason::ProtocolError | EndReason::ConsentTimeout => {
                reason
            }
            _ => EndReason::TechnicianEnded,
        };
        Self::quietly(reason)
    }

    pub(super) fn telling_viewer_because(reason: EndReason, detail: String) -> Self {
        Self {
            reason,
            detail: Some(detail),
            tell_viewer: true,
        }
    }
}

/// Where the session stands, as far as the rules below care.
pub(super) struct Place {
    /// The end-to-end channel is up (introduction, consent or running).
    pub channel_up: bool,
    /// The end-to-end channel is being set up.
    pub connecting: bool,
    /// The first consent prompt is open.
    pub consent_open: bool,
}

/// What `input` means where no state has a rule for it.
pub(super) fn anywhere(
    place: Place,
    input: AgentInput,
    out: &mut Out,
    control: &mut RemoteControl,
) -> Option<Ending> {
    let Place {
        channel_up,
        connecting,
        consent_open,
    } = place;
    if consent_open
        && matches!(
            input,
            AgentInput::ConnectionLost
                | AgentInput::RelayClosed(_)
                | AgentInput::ProtocolViolation(_)
                | AgentInput::PeerLeft
        )
    {
        out.push(AgentAction::DismissConsent);
    }
    match input {
        AgentInput::ConnectionLost => Some(Ending::quietly(EndReason::ConnectionLost)),
        // Before the session runs: remembered, so it is never granted.
        AgentInput::ControlLost => {
            control.lose();
            None
        }
        AgentInput::PeerLeft if channel_up || connecting => {
            Some(Ending::quietly(EndReason::ConnectionLost))
        }
        AgentInput::RelayClosed(why) => Some(Ending::quietly_because(EndReason::RelayClosed, why)),
        AgentInput::Refused(Refusal::Expired) => Some(Ending::quietly_because(
            EndReason::CodeExpired,
            Some("the code expired before a technician used it: start again for a new code".into()),
        )),
        AgentInput::Refused(r) => Some(Ending::quietly_because(
            EndReason::RelayClosed,
            Some(r.describe().into()),
        )),
        AgentInput::ProtocolViolation(detail) if channel_up => Some(
            Ending::telling_viewer_because(EndReason::ProtocolError, detail),
        ),
        AgentInput::ProtocolViolation(detail) => Some(Ending::quietly_because(
            EndReason::ProtocolError,
            Some(detail),
        )),
        AgentInput::TimerFired(Timer::Handshake) if channel_up => {
            Some(Ending::telling_viewer(EndReason::ConnectionLost))
        }
        AgentInput::TimerFired(Timer::Handshake) => {
            Some(Ending::quietly(EndReason::ConnectionLost))
        }
        AgentInput::UserEnd if channel_up => Some(Ending::telling_viewer(EndReason::UserEnded)),
        AgentInput::UserEnd => Some(Ending::quietly(EndReason::UserEnded)),
        // Chat before the session runs is refused like any ungranted act.
        AgentInput::FromViewer(ViewerMsg::Chat { .. }) if channel_up => {
            refuse(out, Permission::Chat);
            None
        }
        AgentInput::FromViewer(ViewerMsg::End { reason }) => Some(Ending::viewer_ended(reason)),
        // The technician's report: recorded and shown, whatever the grants.
        AgentInput::FromViewer(ViewerMsg::Note { text }) if channel_up => {
            match tessera_proto::peer::validate_chat(&text) {
                Ok(()) => {
                    out.emit(SessionEvent::Note { text });
                    None
                }
                Err(e) => Some(Ending::telling_viewer_because(
                    EndReason::ProtocolError,
                    e.to_string(),
                )),
            }
        }
        // The viewer's record, from the channel's start to its end.
        AgentInput::FromViewer(ViewerMsg::Audit(msg)) if channel_up => {
            out.record(Recording::FromPeer(msg));
            None
        }
        AgentInput::RecordFailed(why) if channel_up => Some(Ending::telling_viewer_because(
            EndReason::RecordingFailed,
            why,
        )),
        AgentInput::RecordFailed(why) => Some(Ending::quietly_because(
            EndReason::RecordingFailed,
            Some(why),
        )),
        AgentInput::FromViewer(_) | AgentInput::Introduced { .. } | AgentInput::ChannelUp => {
            Some(Ending::telling_viewer_because(
                EndReason::ProtocolError,
                "the viewer sent a message out of order".into(),
            ))
        }
        AgentInput::Registered { .. } | AgentInput::Paired { .. } => Some(Ending::quietly_because(
            EndReason::ProtocolError,
            Some("the relay sent a message out of order".into()),
        )),
        // The person's own hands before the session runs (while they read
        // the prompt, say): the pause starts now, so the technician's
        // input cannot land the moment control is allowed. Nobody is
        // told: without control it is none of the technician's business.
        AgentInput::LocalInput { at, held } if channel_up => {
            control.local_input(out, Grants::NONE, at, held);
            None
        }
        // Stale answers, timers and user acts that no longer apply.
        AgentInput::Mailbox(_)
        | AgentInput::PeerLeft
        | AgentInput::ConsentAnswer(_)
        | AgentInput::ContinueAnswer(_)
        | AgentInput::FetchAnswer { .. }
        | AgentInput::StopFile(_)
        | AgentInput::Files(_)
        | AgentInput::LocalClipboard(_)
        | AgentInput::RemoteClipboard(_)
        | AgentInput::UserChat(_)
        | AgentInput::Revoke(_)
        | AgentInput::Displays { .. }
        | AgentInput::LocalInput { .. }
        | AgentInput::TimerFired(
            Timer::LocalPause
            | Timer::Consent
            | Timer::UpgradeCooldown
            | Timer::ContinueCheck
            | Timer::ContinueAnswer,
        ) => None,
        // Refusals held back (input during the prompt) still get told.
        AgentInput::TimerFired(Timer::InputRefusals) if channel_up => {
            control.refusals_due(out);
            None
        }
        AgentInput::TimerFired(Timer::InputRefusals) => None,
        // Input while the person decides, or before: never injected.
        AgentInput::RemoteInput { event, at } if channel_up => {
            let kind = match consent_open {
                true => RefusalKind::PromptOpen,
                false => RefusalKind::NotGranted,
            };
            out.record(Recording::Input {
                event,
                refused: Some(kind),
            });
            control.report_refusal(out, kind, at);
            None
        }
        AgentInput::RemoteInput { .. } => None,
    }
}

/// Tells the viewer and the event stream that `permission` is not granted.
pub(super) fn refuse(out: &mut Out, permission: Permission) {
    out.push(AgentAction::ToViewer(AgentMsg::Refused { permission }));
    out.emit(SessionEvent::Refused {
        permission,
        reason: "not_granted",
    });
}

/// The last actions of every session, however it ends.
pub(super) fn finish(ending: Ending, out: &mut Out, control: &mut RemoteControl) {
    let Ending {
        reason,
        detail,
        tell_viewer,
    } = ending;
    if tell_viewer {
        out.push(AgentAction::ToViewer(AgentMsg::End { reason }));
    }
    control.release_all(out); // nothing stays pressed, however it ends
    out.push(AgentAction::ShareScreen(false));
    out.push(AgentAction::WatchClipboard(false));
    out.push(AgentAction::DismissConsent);
    for timer in [
        Timer::Handshake,
        Timer::Consent,
        Timer::ContinueCheck,
        Timer::ContinueAnswer,
        Timer::UpgradeCooldown,
    ] {
        out.push(AgentAction::CancelTimer(timer));
    }
    out.emit(SessionEvent::SessionEnded { reason, detail });
    out.push(AgentAction::Finish(reason));
}
