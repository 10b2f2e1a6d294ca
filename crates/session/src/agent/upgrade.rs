//! Asking for more mid-session: a new prompt with the first one's rules
//! (Deny focused and the default, a time limit, never more than asked),
//! offering only what is new. A no keeps the session as it was; repeated
//! asking is limited so the person cannot be worn down.

use super::remote_input::RemoteControl;
use super::running::{Asking, Running};
use super::{AgentAction, Out};
use crate::event::SessionEvent;
use crate::prompt::ConsentRequest;
use crate::{Timeouts, Timer};
use std::time::Duration;
use tessera_proto::peer::AgentMsg;
use tessera_proto::{Grants, Permission, UpgradeRefusal};

/// After the person denies an upgrade, lets it time out, or takes a
/// permission back, new requests are refused this long (`too_soon`), so a
/// caller cannot wear them down with prompt after prompt.
pub const UPGRADE_COOLDOWN: Duration = Duration::from_secs(30);

/// After this many denied or timed-out upgrade requests, every further
/// request in the session is refused (`too_many`).
pub const MAX_UPGRADE_DENIALS: u32 = 3;

/// What past requests leave behind for the next.
#[derive(Default)]
pub(super) struct Upgrades {
    /// Requests are refused as `too_soon` until the cooldown ends.
    cooling: bool,
    /// Requests the person denied or let time out.
    denials: u32,
}

impl Upgrades {
    /// No request for [`UPGRADE_COOLDOWN`].
    pub(super) fn cool_down(&mut self, out: &mut Out) {
        self.cooling = true;
        out.push(AgentAction::SetTimer(
            Timer::UpgradeCooldown,
            UPGRADE_COOLDOWN,
        ));
    }

    /// The cooldown is over.
    pub(super) fn cooled_down(&mut self) {
        self.cooling = false;
    }

    /// Why a request for what is `new` (of which `offered` may be offered)
    /// is refused without asking, if it is.
    fn refusal(&self, new: Grants, offered: Grants, busy: bool) -> Option<UpgradeRefusal> {
        if new.is_empty() {
            Some(UpgradeRefusal::NothingNew)
        } else if offered.is_empty() {
            Some(UpgradeRefusal::Unavailable)
        } else if busy {
            Some(UpgradeRefusal::Busy)
        } else if self.denials >= MAX_UPGRADE_DENIALS {
            Some(UpgradeRefusal::TooMany)
        } else if self.cooling {
            Some(UpgradeRefusal::TooSoon)
        } else {
            None
        }
    }
}

impl Running {
    /// The technician asks for more: refused at once when nothing is new,
    /// another question is open, or the person said no moments ago or too
    /// often; otherwise the person is asked about what is new.
    pub(super) fn upgrade_request(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        asked: Grants,
        timeouts: &Timeouts,
    ) {
        let new = asked.difference(self.granted);
        out.emit(SessionEvent::UpgradeRequested { requested: new });
        let offered = control.offerable(new);
        if let Some(refusal) = self.upgrades.refusal(new, offered, self.asking.is_some()) {
            return tell_refused(out, refusal);
        }
        // Nothing the technician holds stays pressed while they cannot
        // type.
        control.release_all(out);
        self.asking = Some(Asking::Upgrade(offered));
        out.push(AgentAction::SetTimer(Timer::Consent, timeouts.consent));
        out.push(AgentAction::AskConsent(ConsentRequest {
            technician: self.technician.clone(),
            requested: offered,
            already: Some(self.granted),
            timeout: timeouts.consent,
        }));
    }

    /// The person answered the upgrade prompt for `asked`.
    pub(super) fn upgrade_answer(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        asked: Grants,
        answer: Option<Grants>,
        timeouts: &Timeouts,
    ) {
        out.answered();
        self.asking = None;
        out.push(AgentAction::CancelTimer(Timer::Consent));
        // Control may have been lost while the prompt was open.
        let answer = answer.map(|g| control.offerable(g.intersect(asked)));
        match answer.filter(|g| !g.is_empty()) {
            Some(added) => {
                let had = self.granted;
                let now = had.union(added);
                self.granted = now;
                if added.contains(Permission::View) && !had.contains(Permission::View) {
                    out.push(AgentAction::ShareScreen(true));
                }
                if added.contains(Permission::Clipboard) && !had.contains(Permission::Clipboard) {
                    out.push(AgentAction::WatchClipboard(true));
                }
                out.push(AgentAction::ToViewer(AgentMsg::UpgradeGranted {
                    granted: now,
                }));
                out.emit(SessionEvent::UpgradeGranted { granted: now });
            }
            None => self.refused_by_person(out, UpgradeRefusal::Denied),
        }
        self.after_question(out, control, timeouts);
    }

    /// The upgrade prompt's time ran out: a refusal.
    pub(super) fn upgrade_timed_out(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) {
        if let Some(Asking::Upgrade(_)) = self.asking {
            out.push(AgentAction::DismissConsent);
            self.asking = None;
            self.refused_by_person(out, UpgradeRefusal::Timeout);
            self.after_question(out, control, timeouts);
        }
    }

    /// The person said no (or nothing): counted, and a pause before the
    /// next request.
    fn refused_by_person(&mut self, out: &mut Out, reason: UpgradeRefusal) {
        self.upgrades.denials = self.upgrades.denials.saturating_add(1);
        self.upgrades.cool_down(out);
        tell_refused(out, reason);
    }
}

fn tell_refused(out: &mut Out, reason: UpgradeRefusal) {
    out.push(AgentAction::ToViewer(AgentMsg::UpgradeRefused { reason }));
    out.emit(SessionEvent::UpgradeRefused { reason });
}
