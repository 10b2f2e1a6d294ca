//! Files on the person's side: the rules are [`crate::transfers`]'; here
//! they meet the session's (the `files` grant, the one question open at a
//! time, a fetch asked like an upgrade: Deny by default, a time limit).

use super::ending::{refuse, Ending};
use super::remote_input::RemoteControl;
use super::running::{Asking, Handled, Running};
use super::{AgentAction, Out};
use crate::transfers::{FileStep, Violation};
use crate::{SessionEvent, Timeouts, Timer};
use std::path::PathBuf;
use std::time::Duration;
use tessera_proto::files::{FileMsg, FileStop, TransferId};
use tessera_proto::peer::AgentMsg;
use tessera_proto::{EndReason, Permission};

/// The question a fetch puts to the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    /// The transfer it would be (the answer names it).
    pub id: TransferId,
    /// Who asks (the name as the consent prompt showed it).
    pub technician: crate::event::Technician,
    /// The file or folder asked for, as typed (checked as one line).
    pub path: String,
    /// When it denies by itself.
    pub timeout: Duration,
}

impl Running {
    /// A files message from the viewer.
    pub(super) fn file_msg(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        msg: FileMsg,
        timeouts: &Timeouts,
    ) -> Handled {
        let granted = self.granted.contains(Permission::Files);
        let mut steps = Vec::new();
        let result = self.transfers.from_peer(msg, granted, &mut steps);
        self.carry(out, control, steps, timeouts);
        self.fetch_gone(out, control, timeouts);
        Ok(result.err().map(violation))
    }

    /// The person stops a transfer (a fetch still asked about included).
    pub(super) fn stop_file(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        id: TransferId,
        timeouts: &Timeouts,
    ) {
        let mut steps = Vec::new();
        self.transfers.stop(id, FileStop::Stopped, None, &mut steps);
        self.carry(out, control, steps, timeouts);
        self.fetch_gone(out, control, timeouts);
    }

    /// The fetch being asked about was cancelled meanwhile (by the
    /// technician, or by the person at the terminal): its question goes.
    fn fetch_gone(&mut self, out: &mut Out, control: &mut RemoteControl, timeouts: &Timeouts) {
        let Some(Asking::Fetch(id)) = self.asking else {
            return;
        };
        if self.transfers.is_open(id) {
            return;
        }
        self.asking = None;
        self.fetch_path.clear();
        out.push(AgentAction::DismissConsent);
        out.push(AgentAction::CancelTimer(Timer::Consent));
        self.after_question(out, control, timeouts);
    }

    /// Applies what the transfers decided.
    pub(super) fn carry(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        steps: Vec<FileStep>,
        timeouts: &Timeouts,
    ) {
        for step in steps {
            match step {
                FileStep::Peer(msg) => out.push(AgentAction::ToViewer(AgentMsg::Files(msg))),
                FileStep::Order(order) => out.push(AgentAction::Files(order)),
                FileStep::Emit(crate::SessionEvent::Refused { permission, .. }) => {
                    refuse(out, permission)
                }
                FileStep::Emit(event) => out.emit(event),
                FileStep::AskFetch { id, path } => self.ask_fetch(out, control, id, path, timeouts),
            }
        }
    }

    /// Asks the person about a fetch, unless another question is open
    /// (then it is refused: one question at a time).
    fn ask_fetch(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        id: TransferId,
        path: String,
        timeouts: &Timeouts,
    ) {
        if self.asking.is_some() {
            let mut steps = Vec::new();
            let busy = "the person is answering another question: ask again in a moment";
            self.transfers
                .stop(id, FileStop::Refused, Some(busy.into()), &mut steps);
            return self.carry(out, control, steps, timeouts);
        }
        // Nothing the technician holds stays pressed while they wait.
        control.release_all(out);
        self.asking = Some(Asking::Fetch(id));
        self.fetch_path = path.clone();
        out.push(AgentAction::SetTimer(Timer::Consent, timeouts.consent));
        out.push(AgentAction::AskFetch(FetchRequest {
            id,
            technician: self.technician.clone(),
            path,
            timeout: timeouts.consent,
        }));
    }

    /// The person answered the fetch question (`None`: it timed out).
    pub(super) fn fetch_answer(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        yes: Option<bool>,
        timeouts: &Timeouts,
    ) {
        let Some(Asking::Fetch(id)) = self.asking else {
            return; // stale: that question is gone
        };
        match yes {
            Some(_) => out.answered(),
            None => out.push(AgentAction::DismissConsent),
        }
        self.asking = None;
        out.push(AgentAction::CancelTimer(Timer::Consent));
        let path = std::mem::take(&mut self.fetch_path);
        let allowed = yes == Some(true);
        out.emit(SessionEvent::FetchAnswered {
            id,
            path: path.clone(),
            allowed,
        });
        // `files` may have been taken back while the question was open:
        // then the transfer is already stopped and this does nothing.
        let path = allowed.then(|| PathBuf::from(path));
        let mut steps = Vec::new();
        self.transfers.fetch_answered(id, path, &mut steps);
        self.carry(out, control, steps, timeouts);
        self.after_question(out, control, timeouts);
    }

    /// Every transfer stops: `files` was taken back.
    pub(super) fn stop_files(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) {
        if let Some(Asking::Fetch(_)) = self.asking {
            self.asking = None;
            out.push(AgentAction::DismissConsent);
            out.push(AgentAction::CancelTimer(Timer::Consent));
        }
        let mut steps = Vec::new();
        self.transfers.stop_all(FileStop::NotGranted, &mut steps);
        self.carry(out, control, steps, timeouts);
        self.after_question(out, control, timeouts);
    }
}

fn violation(why: Violation) -> Ending {
    Ending::telling_viewer_because(EndReason::ProtocolError, why)
}
