//! A running session: what each permission allows, checked on every
//! message from the viewer, and the person's power to take any of it back
//! at once. Asking for more is in [`upgrade`](super::upgrade), the long
//! session's check in [`continuation`](super::continuation).

use super::ending::{refuse, Ending};
use super::remote_input::RemoteControl;
use super::upgrade::Upgrades;
use super::{AgentAction, AgentInput, Out};
use crate::event::{clipboard_event, SessionEvent, Side, Technician};
use crate::transfers::{End, Transfers};
use crate::{Timeouts, Timer};
use tessera_proto::files::TransferId;
use tessera_proto::peer::{validate_chat, AgentMsg, ViewerMsg};
use tessera_proto::{EndReason, Grants, Permission};

/// The state of a running session.
pub(super) struct Running {
    /// What the person allows now.
    pub(super) granted: Grants,
    /// Who they allow it to (named again by upgrade prompts).
    pub(super) technician: Technician,
    /// The question open, if any: no remote input meanwhile.
    pub(super) asking: Option<Asking>,
    /// The continue check fell due while another question was open.
    pub(super) continue_due: bool,
    /// Past upgrade requests, which limit the next.
    pub(super) upgrades: Upgrades,
    /// The files being sent and fetched.
    pub(super) transfers: Transfers,
    /// The path of the fetch being asked about.
    pub(super) fetch_path: String,
}

/// The question open mid-session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Asking {
    /// An upgrade prompt for these (not yet granted) permissions.
    Upgrade(Grants),
    /// The continue check.
    Continue,
    /// A fetch: may the technician have this file?
    Fetch(TransferId),
}

/// What a step of the running session decided: `Ok(Some(_))` ends it,
/// `Err(input)` hands an input with no rule here to the rules for any
/// state.
pub(super) type Handled = Result<Option<Ending>, AgentInput>;

impl Running {
    /// A session that starts with what the person granted.
    pub(super) fn new(granted: Grants, technician: Technician) -> Self {
        Self {
            granted,
            technician,
            asking: None,
            continue_due: false,
            upgrades: Upgrades::default(),
            transfers: Transfers::new(End::Agent),
            fetch_path: String::new(),
        }
    }

    /// Handles one input of a running session.
    pub(super) fn handle(
        &mut self,
        input: AgentInput,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) -> Handled {
        let granted = self.granted;
        match input {
            AgentInput::FromViewer(ViewerMsg::Chat { text }) => {
                if !granted.contains(Permission::Chat) {
                    refuse(out, Permission::Chat);
                } else if let Err(e) = validate_chat(&text) {
                    return Ok(Some(Ending::telling_viewer_because(
                        EndReason::ProtocolError,
                        e.to_string(),
                    )));
                } else {
                    out.emit(SessionEvent::Chat {
                        from: Side::Viewer,
                        text,
                    });
                }
            }
            AgentInput::UserChat(text) => {
                if granted.contains(Permission::Chat) && validate_chat(&text).is_ok() {
                    out.push(AgentAction::ToViewer(AgentMsg::Chat { text: text.clone() }));
                    out.emit(SessionEvent::Chat {
                        from: Side::Agent,
                        text,
                    });
                }
            }
            AgentInput::Revoke(permission) if granted.contains(permission) => {
                self.take_back(out, control, permission, timeouts);
                // Not asked again at once for what was just taken back.
                self.upgrades.cool_down(out);
            }
            AgentInput::Revoke(_) => {}
            AgentInput::FromViewer(ViewerMsg::NeedKeyframe) => {
                match granted.contains(Permission::View) {
                    true => out.push(AgentAction::SendKeyframe),
                    false => refuse(out, Permission::View),
                }
            }
            AgentInput::FromViewer(ViewerMsg::Shown { seq }) => {
                // Late acknowledgements after a revoke are harmless.
                if granted.contains(Permission::View) {
                    out.push(AgentAction::ScreenShown(seq));
                }
            }
            AgentInput::FromViewer(ViewerMsg::VideoShown { seq }) => {
                if granted.contains(Permission::View) {
                    out.push(AgentAction::VideoShown(seq));
                }
            }
            AgentInput::FromViewer(ViewerMsg::ShowDisplay { index }) => {
                match granted.contains(Permission::View) {
                    true => out.push(AgentAction::ShowDisplay(index)),
                    false => refuse(out, Permission::View),
                }
            }
            AgentInput::RemoteInput { event, at } => control.admit(out, granted, event, at),
            AgentInput::TimerFired(Timer::InputRefusals) => control.refusals_due(out),
            AgentInput::LocalInput { at, held } => control.local_input(out, granted, at, held),
            AgentInput::TimerFired(Timer::LocalPause) => control.local_pause_over(out),
            AgentInput::ControlLost => {
                control.lose();
                if granted.contains(Permission::Control) {
                    self.take_back(out, control, Permission::Control, timeouts);
                }
            }
            AgentInput::Displays { displays, showing } => {
                control.set_display(&displays, showing);
                if granted.contains(Permission::View) {
                    out.push(AgentAction::ToViewer(AgentMsg::Displays {
                        displays,
                        showing,
                    }));
                }
            }
            AgentInput::FromViewer(ViewerMsg::Request { grants }) => {
                self.upgrade_request(out, control, grants, timeouts)
            }
            AgentInput::ConsentAnswer(answer) => {
                // Otherwise stale: that prompt is gone.
                if let Some(Asking::Upgrade(asked)) = self.asking {
                    self.upgrade_answer(out, control, asked, answer, timeouts);
                }
            }
            AgentInput::TimerFired(Timer::Consent) => match self.asking {
                Some(Asking::Fetch(_)) => self.fetch_answer(out, control, None, timeouts),
                _ => self.upgrade_timed_out(out, control, timeouts),
            },
            AgentInput::FetchAnswer { id, yes } => {
                if self.asking == Some(Asking::Fetch(id)) {
                    self.fetch_answer(out, control, Some(yes), timeouts)
                }
            }
            AgentInput::LocalClipboard(clip) => {
                // Only a real copy of the person's, only with the grant
                // (the watch runs only then; a late one is dropped).
                if granted.contains(Permission::Clipboard) {
                    out.emit(clipboard_event(Side::Agent, &clip, None));
                    out.push(AgentAction::SendClipboard(clip));
                }
            }
            AgentInput::RemoteClipboard(clip) => match granted.contains(Permission::Clipboard) {
                true => {
                    out.emit(clipboard_event(Side::Viewer, &clip, None));
                    out.push(AgentAction::SetClipboard(clip));
                }
                false => refuse(out, Permission::Clipboard),
            },
            AgentInput::FromViewer(ViewerMsg::Files(msg)) => {
                return self.file_msg(out, control, msg, timeouts)
            }
            AgentInput::Files(news) => {
                let mut steps = Vec::new();
                self.transfers.news(news, &mut steps);
                self.carry(out, control, steps, timeouts);
            }
            AgentInput::StopFile(id) => self.stop_file(out, control, id, timeouts),
            AgentInput::TimerFired(Timer::UpgradeCooldown) => self.upgrades.cooled_down(),
            AgentInput::TimerFired(Timer::ContinueCheck) => {
                self.continue_check_due(out, control, timeouts)
            }
            AgentInput::ContinueAnswer(go_on) if self.asking == Some(Asking::Continue) => {
                return Ok(self.continue_answer(out, go_on, timeouts));
            }
            AgentInput::TimerFired(Timer::ContinueAnswer) => {
                if self.asking == Some(Asking::Continue) {
                    return Ok(Some(Ending::telling_viewer(EndReason::ContinueTimeout)));
                }
            }
            AgentInput::UserEnd => return Ok(Some(Ending::telling_viewer(EndReason::UserEnded))),
            AgentInput::FromViewer(ViewerMsg::End { reason }) => {
                return Ok(Some(Ending::viewer_ended(reason)))
            }
            AgentInput::FromViewer(ViewerMsg::Hello(_)) | AgentInput::Introduced { .. } => {
                return Ok(Some(Ending::telling_viewer_because(
                    EndReason::ProtocolError,
                    "the viewer introduced itself twice".into(),
                )))
            }
            other => return Err(other),
        }
        Ok(None)
    }

    /// Takes `permission` back: it stops before anything else happens.
    pub(super) fn take_back(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        permission: Permission,
        timeouts: &Timeouts,
    ) {
        if permission == Permission::Files {
            self.stop_files(out, control, timeouts);
        }
        if permission == Permission::View {
            out.push(AgentAction::ShareScreen(false));
        }
        if permission == Permission::Clipboard {
            out.push(AgentAction::WatchClipboard(false));
        }
        if permission == Permission::Control {
            control.control_taken_back(out); // before anything else
        }
        let granted = self.granted.without(permission);
        self.granted = granted;
        out.push(AgentAction::ToViewer(AgentMsg::GrantsChanged { granted }));
        out.emit(SessionEvent::GrantChanged { granted });
    }

    /// A question closed: the continue check waits for no other.
    pub(super) fn after_question(
        &mut self,
        out: &mut Out,
        control: &mut RemoteControl,
        timeouts: &Timeouts,
    ) {
        if std::mem::take(&mut self.continue_due) {
            self.ask_continue(out, control, timeouts);
        }
    }
}
