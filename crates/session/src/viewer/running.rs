//! The running session on the viewer's side: the picture, the
//! technician's input, chat, requests for more, and the report's notes,
//! each checked against what is granted (a courtesy: the agent enforces).

use super::*;
use crate::event::clipboard_event;
use tessera_proto::files::FileStop;

impl ViewerSession {
    pub(super) fn running(&mut self, granted: Grants, input: ViewerInput) {
        self.state = State::Running { granted };
        match input {
            ViewerInput::FromAgent(AgentMsg::Chat { text }) => match validate_chat(&text) {
                Ok(()) => self.emit(SessionEvent::Chat {
                    from: Side::Agent,
                    text,
                }),
                Err(e) => self.protocol_error(e.to_string()),
            },
            ViewerInput::FrameDecoded {
                seq,
                width,
                height,
                bytes,
                captured_at_us,
            } => {
                // The acknowledgement paces the agent: newest picture, no backlog.
                self.push(ViewerAction::ToAgent(ViewerMsg::Shown { seq }));
                self.emit(SessionEvent::Frame {
                    seq,
                    width,
                    height,
                    bytes,
                    captured_at_us,
                })
            }
            ViewerInput::VideoDecoded {
                seq,
                bytes,
                captured_at_us,
            } => {
                self.push(ViewerAction::ToAgent(ViewerMsg::VideoShown { seq }));
                self.emit(SessionEvent::VideoFrame {
                    seq,
                    bytes,
                    captured_at_us,
                })
            }
            ViewerInput::Cursor {
                x,
                y,
                serial,
                shape,
            } => self.emit(SessionEvent::Cursor {
                x,
                y,
                serial,
                shape,
            }),
            ViewerInput::FromAgent(AgentMsg::Displays { displays, showing }) => {
                match validate_displays(&displays, showing) {
                    Ok(()) => self.emit(SessionEvent::Displays { displays, showing }),
                    Err(e) => self.protocol_error(e.to_string()),
                }
            }
            ViewerInput::UserInput(event) => {
                // Sent even without `control`: the agent is the authority,
                // refuses, counts and reports it.
                self.push(ViewerAction::ToAgent(ViewerMsg::Input(event)));
            }
            ViewerInput::FromAgent(AgentMsg::InputRefused { reason, count }) => {
                self.emit(SessionEvent::InputRefused { reason, count })
            }
            ViewerInput::FromAgent(AgentMsg::LocalUser { active }) => {
                self.emit(SessionEvent::LocalUser { active })
            }
            ViewerInput::UserShowDisplay(index) => {
                if !granted.contains(Permission::View) {
                    return self.emit(SessionEvent::Refused {
                        permission: Permission::View,
                        reason: "not_granted",
                    });
                }
                self.push(ViewerAction::ToAgent(ViewerMsg::ShowDisplay { index }));
            }
            // On the record, and a keyframe asked for; a hidden window
            // asks for its keyframe when shown again.
            ViewerInput::FrameRejected(why) => {
                tracing::warn!("screen update rejected: {why}");
                self.record(Recording::Fact(Box::new(Fact::Error {
                    what: rejected_update(&why),
                })));
                if granted.contains(Permission::View) && self.window_shown {
                    self.push(ViewerAction::ToAgent(ViewerMsg::NeedKeyframe));
                }
            }
            ViewerInput::FromAgent(AgentMsg::GrantsChanged { granted }) => {
                self.state = State::Running { granted };
                self.emit(SessionEvent::GrantChanged { granted });
                if !granted.contains(Permission::Files) {
                    // The agent stops those it knows; a walk it does not
                    // know of yet stops here.
                    self.files(|t, out| {
                        t.stop_all(FileStop::NotGranted, out);
                        Ok(())
                    });
                }
            }
            ViewerInput::UserClipboard(text) => {
                self.user_copy(granted, tessera_proto::clipboard::Clip::text(text))
            }
            ViewerInput::UserImage(png) => {
                self.user_copy(granted, tessera_proto::clipboard::Clip::png(png))
            }
            // Only with the grant (the agent enforces it; a copy after a
            // revoke, in flight, is dropped).
            ViewerInput::RemoteClipboard(clip) => {
                if granted.contains(Permission::Clipboard) {
                    let text = clip.as_text().map(str::to_string);
                    self.emit(clipboard_event(Side::Agent, &clip, text));
                    self.push(ViewerAction::SetClipboard(clip));
                }
            }
            ViewerInput::FromAgent(AgentMsg::Files(msg)) => {
                let files = granted.contains(Permission::Files);
                self.files(|t, out| t.from_peer(msg, files, out))
            }
            ViewerInput::UserSendFile(path) => {
                let files = granted.contains(Permission::Files);
                self.files(|t, out| {
                    t.send(path, files, out);
                    Ok(())
                })
            }
            ViewerInput::UserFetchFile(path) => {
                let files = granted.contains(Permission::Files);
                self.files(|t, out| {
                    t.fetch(path, files, out);
                    Ok(())
                })
            }
            ViewerInput::UserCancelFile(id) => self.files(|t, out| {
                t.stop(id, FileStop::Stopped, None, out);
                Ok(())
            }),
            ViewerInput::Files(news) => self.files(|t, out| {
                t.news(news, out);
                Ok(())
            }),
            ViewerInput::UserRequest(grants) => {
                self.push(ViewerAction::ToAgent(ViewerMsg::Request { grants }));
                self.emit(SessionEvent::UpgradeRequested { requested: grants });
            }
            ViewerInput::FromAgent(AgentMsg::UpgradeGranted { granted }) => {
                self.state = State::Running { granted };
                self.emit(SessionEvent::UpgradeGranted { granted });
            }
            ViewerInput::FromAgent(AgentMsg::UpgradeRefused { reason }) => {
                self.emit(SessionEvent::UpgradeRefused { reason })
            }
            ViewerInput::FromAgent(AgentMsg::ContinueCheck { open }) => {
                self.emit(SessionEvent::ContinueCheck { open })
            }
            ViewerInput::FromAgent(AgentMsg::Refused { permission }) => {
                self.emit(SessionEvent::Refused {
                    permission,
                    reason: "not_granted",
                })
            }
            ViewerInput::UserChat(text) => {
                if !granted.contains(Permission::Chat) {
                    return self.emit(SessionEvent::Refused {
                        permission: Permission::Chat,
                        reason: "not_granted",
                    });
                }
                if validate_chat(&text).is_ok() {
                    self.push(ViewerAction::ToAgent(ViewerMsg::Chat {
                        text: text.clone(),
                    }));
                    self.emit(SessionEvent::Chat {
                        from: Side::Viewer,
                        text,
                    });
                }
            }
            ViewerInput::UserNote(text) => self.note(text),
            other => self.anywhere(State::Running { granted }, other),
        }
    }

    /// A copy of the technician's, sent only with the grant and only if
    /// it passes its checks (size, text or PNG).
    fn user_copy(
        &mut self,
        granted: Grants,
        made: Result<tessera_proto::clipboard::Clip, tessera_proto::clipboard::ClipError>,
    ) {
        use tessera_proto::clipboard::ClipError;
        if !granted.contains(Permission::Clipboard) {
            return self.emit(SessionEvent::Refused {
                permission: Permission::Clipboard,
                reason: "not_granted",
            });
        }
        match made {
            Ok(clip) => {
                self.emit(clipboard_event(Side::Viewer, &clip, None));
                self.push(ViewerAction::SendClipboard(clip));
            }
            Err(why) => self.emit(SessionEvent::Refused {
                permission: Permission::Clipboard,
                reason: match why {
                    ClipError::TooLarge(_) => "too_large",
                    ClipError::NotPng => "not_png",
                    ClipError::NotText | ClipError::Mismatch => "not_text",
                },
            }),
        }
    }

    /// Runs a step of the transfers and carries out what it decided; a
    /// violation ends the session.
    fn files(
        &mut self,
        step: impl FnOnce(&mut Transfers, &mut Vec<FileStep>) -> Result<(), String>,
    ) {
        let mut steps = Vec::new();
        let result = step(&mut self.transfers, &mut steps);
        for step in steps {
            match step {
                FileStep::Peer(msg) => self.push(ViewerAction::ToAgent(ViewerMsg::Files(msg))),
                FileStep::Order(order) => self.push(ViewerAction::Files(order)),
                FileStep::Emit(event) => self.emit(event),
                // Only the agent asks the person.
                FileStep::AskFetch { .. } => {}
            }
        }
        if let Err(why) = result {
            self.protocol_error(why);
        }
    }

    /// A line of the intervention report: on both records, whatever the
    /// grants (it is the technician's own account).
    pub(super) fn note(&mut self, text: String) {
        // Like chat, a line that could not be shown as written is not
        // sent (the headless front says why before it gets here).
        if validate_chat(&text).is_ok() {
            self.push(ViewerAction::ToAgent(ViewerMsg::Note {
                text: text.clone(),
            }));
            self.emit(SessionEvent::Note { text });
        }
    }
}

/// The record's words for a screen update the decoder refused: its
/// error, cut to 200 characters (a decoder's message is short; the record
/// keeps a bound whatever it says).
fn rejected_update(why: &str) -> String {
    let why: String = why.chars().take(200).collect();
    format!("screen update rejected: {why}")
}
