//! The technician's introduction and the first consent prompt: the
//! `Hello` must be well-formed and signed for this very session (its
//! certificate, if any, decides "verified by ORG"); the person then sees
//! who asks for what, and only what they tick is granted.

use super::ending::Ending;
use super::{AgentAction, Out};
use crate::event::{SessionEvent, Technician};
use crate::prompt::ConsentRequest;
use crate::{Timeouts, Timer};
use tessera_proto::peer::{AgentMsg, Hello};
use tessera_proto::{EndReason, Grants, Permission};
use tessera_secure::identity::{assess, SessionBinding, TrustStore};

/// Checks the introduction: who the technician is (verified or not) and
/// what they ask for; a malformed `Hello`, or one not signed for this
/// session, ends it.
pub(super) fn check(
    hello: Hello,
    binding: &SessionBinding,
    trust: &TrustStore,
    now: u64,
) -> Result<(Technician, Grants), Ending> {
    let broken = |e: String| Ending::telling_viewer_because(EndReason::ProtocolError, e);
    hello.validate().map_err(|e| broken(e.to_string()))?;
    let verification = assess(&hello, binding, trust, now).map_err(|e| broken(e.to_string()))?;
    let ticket = hello.ticket;
    let mut technician = Technician::new(hello.name, hello.org, verification);
    technician.ticket = ticket;
    Ok((technician, hello.requested))
}

/// Shows the first prompt: the handshake is over, the person's time to
/// answer starts. The viewer is told how the prompt presents the
/// technician (`Asking`).
pub(super) fn ask(out: &mut Out, technician: &Technician, requested: Grants, timeouts: &Timeouts) {
    out.push(AgentAction::CancelTimer(Timer::Handshake));
    out.push(AgentAction::SetTimer(Timer::Consent, timeouts.consent));
    out.push(AgentAction::AskConsent(ConsentRequest {
        technician: technician.clone(),
        requested,
        already: None,
        timeout: timeouts.consent,
    }));
    // The technician sees what the person sees: verified by whom, or not
    // and why.
    out.push(AgentAction::ToViewer(AgentMsg::Asking {
        verified: technician.verified,
        verified_by: technician.verified_by.clone(),
        not_verified: technician.not_verified.map(str::to_string),
    }));
    out.emit(SessionEvent::ConsentRequested {
        technician: technician.clone(),
        requested,
    });
}

/// The person answered the first prompt with `answer`, already cut down
/// to what was asked and may be offered. Returns the grants the session
/// runs with, or `None` for a refusal (nothing ticked counts as one).
pub(super) fn answered(
    out: &mut Out,
    answer: Option<Grants>,
    timeouts: &Timeouts,
) -> Option<Grants> {
    out.answered();
    out.push(AgentAction::CancelTimer(Timer::Consent));
    let granted = answer.filter(|g| !g.is_empty())?;
    out.push(AgentAction::ToViewer(AgentMsg::Accepted { granted }));
    out.emit(SessionEvent::SessionStarted { granted });
    if granted.contains(Permission::View) {
        out.push(AgentAction::ShareScreen(true));
    }
    if granted.contains(Permission::Clipboard) {
        out.push(AgentAction::WatchClipboard(true));
    }
    out.push(AgentAction::SetTimer(
        Timer::ContinueCheck,
        timeouts.continue_after,
    ));
    Some(granted)
}
