//! The continue check: a long session asks the person whether it should
//! go on, after `continue_after` and again after each yes. Remote input
//! waits for the answer; no answer in `continue_answer` ends the session,
//! so a forgotten session ends by itself.

use super::ending::Ending;
use super::remote_input::RemoteControl;
use super::running::{Asking, Running};
use super::{AgentAction, Out};
use crate::event::SessionEvent;
use crate::{Timeouts, Timer};
use tessera_proto::peer::AgentMsg;
use tessera_proto::EndReason;

impl Running {
    /// The check falls due: asked now, or right after the open question.
    pub(super) fn continue_check_due(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) {
        match self.asking {
            Some(_) => self.continue_due = true,
            None => self.ask_continue(out, control, timeouts),
        }
    }

    /// Asks whether the long session should go on; remote input is
    /// refused until the answer, and no answer ends it.
    pub(super) fn ask_continue(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) {
        control.release_all(out);
        self.asking = Some(Asking::Continue);
        out.push(AgentAction::SetTimer(
            Timer::ContinueAnswer,
            timeouts.continue_answer,
        ));
        out.push(AgentAction::AskContinue {
            timeout: timeouts.continue_answer,
        });
        out.push(AgentAction::ToViewer(AgentMsg::ContinueCheck {
            open: true,
        }));
        out.emit(SessionEvent::ContinueCheck { open: true });
    }

    /// The person answered the check: on to the next one, or the end.
    pub(super) fn continue_answer(
        &mut self,
        out: &mut Out,
        go_on: bool,
        timeouts: &Timeouts,
    ) -> Option<Ending> {
        out.answered();
        self.asking = None;
        out.push(AgentAction::CancelTimer(Timer::ContinueAnswer));
        if !go_on {
            return Some(Ending::telling_viewer(EndReason::UserEnded));
        }
        out.push(AgentAction::SetTimer(
            Timer::ContinueCheck,
            timeouts.continue_after,
        ));
        out.push(AgentAction::ToViewer(AgentMsg::ContinueCheck {
            open: false,
        }));
        out.emit(SessionEvent::ContinueCheck { open: false });
        None
    }
}
