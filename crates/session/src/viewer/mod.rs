//! The viewer's side of a session: join with the code, pair through the
//! PAKE, open the end-to-end channel, introduce the technician, wait for
//! consent, run.
//!
//! The viewer's own checks of grants are a courtesy to the technician; the
//! agent enforces them.

use crate::event::{CursorInfo, SessionEvent, Side};
use crate::pairing::{Pairing, Progress};
use crate::record::{facts_of, Recording};
use crate::transfers::{End, FileNews, FileOrder, FileStep, Transfers};
use crate::{Timeouts, Timer};
use std::mem;
use std::time::Duration;
use tessera_audit::record::Fact;
use tessera_proto::peer::{validate_asking, validate_chat, validate_displays, AgentMsg, ViewerMsg};
use tessera_proto::relay::{ClientMsg, Refusal, SessionId};
use tessera_proto::{Code, EndReason, Fingerprint, Grants, Permission, UpgradeRefusal};
use tessera_secure::identity::{signed_hello, Introduction, SessionBinding, SigningKey};
use tessera_secure::Role;

mod running;

/// What the viewer's surroundings tell it.
#[derive(Debug)]
pub enum ViewerInput {
    /// The relay paired us with the agent; `local_fingerprint` is that of
    /// the fresh certificate the caller made for this session.
    Paired {
        /// The relay's pairing id.
        session_id: SessionId,
        /// Our certificate's fingerprint.
        local_fingerprint: Fingerprint,
    },
    /// A mailbox payload from the agent, relayed (decoded here).
    Mailbox(Vec<u8>),
    /// The relay refused the join.
    Refused(Refusal),
    /// The relay says the agent left.
    PeerLeft,
    /// The end-to-end channel is established with the pinned agent.
    ChannelUp,
    /// A message from the agent on the end-to-end channel.
    FromAgent(AgentMsg),
    /// A screen update was decoded (the picture is up to date with it).
    FrameDecoded {
        /// Sequence number.
        seq: u64,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Size on the wire.
        bytes: usize,
        /// Agent capture time, µs since the Unix epoch.
        captured_at_us: u64,
    },
    /// A video picture was decoded and shown over the picture.
    VideoDecoded {
        /// Its sequence number.
        seq: u64,
        /// Size on the wire.
        bytes: usize,
        /// Agent capture time, µs since the Unix epoch.
        captured_at_us: u64,
    },
    /// A screen update could not be applied: the picture is lost until a
    /// keyframe comes.
    FrameRejected(String),
    /// The agent's cursor moved or changed shape (checked by the caller).
    Cursor {
        /// Hot spot, relative to the shown display.
        x: i32,
        /// Hot spot, vertically.
        y: i32,
        /// Identifies the shape.
        serial: u32,
        /// The new shape's description, when one came.
        shape: Option<CursorInfo>,
    },
    /// The technician picks the display to see.
    UserShowDisplay(u32),
    /// The technician's keyboard or mouse (sent to the agent, which
    /// decides whatever the grants say here).
    UserInput(tessera_input::InputEvent),
    /// The technician sends a chat line.
    UserChat(String),
    /// The technician asks for more than is granted.
    UserRequest(Grants),
    /// The technician asks what is granted now.
    UserStatus,
    /// The technician ends the session.
    UserEnd,
    /// The technician's window was hidden or minimised (`false`), or is
    /// shown again (`true`). While hidden, screen data is dropped unread
    /// and unacknowledged, so the agent's pacer stops sending after its
    /// window of updates; shown again, a keyframe is asked for.
    WindowShown(bool),
    /// An armed timer ran out.
    TimerFired(Timer),
    /// The end-to-end channel or the relay connection was lost.
    ConnectionLost,
    /// The relay closed our connection, with its reason if it gave one.
    RelayClosed(Option<String>),
    /// The agent sent bytes that are not a valid message.
    ProtocolViolation(String),
    /// The technician adds a line to the intervention report.
    UserNote(String),
    /// The technician sends this file or folder to the person.
    UserSendFile(std::path::PathBuf),
    /// The technician asks for this file or folder of the person's.
    UserFetchFile(String),
    /// The technician stops a transfer.
    UserCancelFile(tessera_proto::files::TransferId),
    /// The file worker reports.
    Files(FileNews),
    /// The technician copies text to the person's clipboard.
    UserClipboard(String),
    /// The technician copies an image (a PNG file's bytes) to the
    /// person's clipboard.
    UserImage(Vec<u8>),
    /// The person copied something (read and checked by the caller).
    RemoteClipboard(tessera_proto::clipboard::Clip),
    /// The session record cannot be kept, or the agent's record failed
    /// its checks: no session goes on unrecorded.
    RecordFailed(String),
}

/// What the viewer asks its surroundings to do, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum ViewerAction {
    /// Send to the relay on the control stream.
    Relay(ClientMsg),
    /// Connect the end-to-end channel (inner QUIC client), pinning this
    /// agent certificate.
    StartChannel {
        /// The agent certificate fingerprint, authenticated by the PAKE.
        peer_fingerprint: Fingerprint,
    },
    /// Send to the agent on the end-to-end channel.
    ToAgent(ViewerMsg),
    /// Arm a timer.
    SetTimer(Timer, Duration),
    /// Disarm a timer.
    CancelTimer(Timer),
    /// Report something that happened (and record what it tells).
    Emit(SessionEvent),
    /// Keep this on the session record.
    Record(Recording),
    /// Tell the file worker.
    Files(FileOrder),
    /// Send this copy to the person's clipboard.
    SendClipboard(tessera_proto::clipboard::Clip),
    /// The person's copy, for the technician's clipboard (the window
    /// puts it there; headless, the event carries it).
    SetClipboard(tessera_proto::clipboard::Clip),
    /// The session is over: close everything and exit with this reason.
    Finish(EndReason),
}

/// What the viewer does with screen data (see [`ViewerSession::screen_use`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScreenUse {
    /// Leave it unread: consent is pending.
    Hold,
    /// Decode and show it.
    Use,
    /// Read and discard it (no decoding, no acknowledgement).
    Drop,
}

enum State {
    Joining,
    Pairing(Pairing),
    Connecting {
        peer_fingerprint: Fingerprint,
        binding: SessionBinding,
    },
    AwaitConsent {
        /// Whether the agent said its prompt is shown (`Asking`).
        told: bool,
    },
    Running {
        granted: Grants,
    },
    Ended,
}

/// The viewer's session state machine.
pub struct ViewerSession {
    code: Code,
    intro: Introduction,
    key: SigningKey,
    timeouts: Timeouts,
    state: State,
    /// Whether the technician's window is shown (see
    /// [`ViewerInput::WindowShown`]); a headless viewer never hides.
    window_shown: bool,
    /// The files being sent and fetched.
    transfers: Transfers,
    out: Vec<ViewerAction>,
}

impl ViewerSession {
    /// A session that will join with `code` and introduce the technician
    /// with `intro`, signed for the session with `key`. Call
    /// [`start`](Self::start) for its first actions.
    pub fn new(code: Code, intro: Introduction, key: SigningKey, timeouts: Timeouts) -> Self {
        Self {
            code,
            intro,
            key,
            timeouts,
            state: State::Joining,
            window_shown: true,
            transfers: Transfers::new(End::Viewer),
            out: Vec::new(),
        }
    }

    /// The first actions: join the agent's nameplate.
    pub fn start(&mut self) -> Vec<ViewerAction> {
        vec![
            ViewerAction::Relay(ClientMsg::Join {
                nameplate: self.code.nameplate,
            }),
            ViewerAction::SetTimer(Timer::Handshake, self.timeouts.handshake),
        ]
    }

    /// Whether the session is over.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    /// The grants in force as the agent last reported them.
    pub fn granted(&self) -> Grants {
        match self.state {
            State::Running { granted } => granted,
            _ => Grants::NONE,
        }
    }

    /// What to do with screen data from the agent now: hold it until the
    /// person answers, use it while `view` is granted and the window is
    /// shown, drop it otherwise (window hidden, after a revoke, or once
    /// the session is over).
    pub fn screen_use(&self) -> ScreenUse {
        match self.state {
            State::Running { granted } if granted.contains(Permission::View) => {
                if self.window_shown {
                    ScreenUse::Use
                } else {
                    ScreenUse::Drop
                }
            }
            State::Running { .. } | State::Ended => ScreenUse::Drop,
            _ => ScreenUse::Hold,
        }
    }

    /// Feeds one input; returns the actions to carry out, in order.
    pub fn handle(&mut self, input: ViewerInput) -> Vec<ViewerAction> {
        if !self.is_ended() {
            self.step(input);
        }
        mem::take(&mut self.out)
    }

    fn push(&mut self, action: ViewerAction) {
        self.out.push(action);
    }

    /// Reports `event`, after recording the facts it tells.
    fn emit(&mut self, event: SessionEvent) {
        for fact in facts_of(&event) {
            self.record(Recording::Fact(Box::new(fact)));
        }
        self.out.push(ViewerAction::Emit(event));
    }

    fn record(&mut self, recording: Recording) {
        self.out.push(ViewerAction::Record(recording));
    }

    fn step(&mut self, input: ViewerInput) {
        if let ViewerInput::UserStatus = input {
            let running = matches!(self.state, State::Running { .. });
            let granted = self.granted();
            return self.emit(SessionEvent::Status { running, granted });
        }
        if let ViewerInput::WindowShown(shown) = input {
            return self.window_shown(shown);
        }
        match (mem::replace(&mut self.state, State::Ended), input) {
            (
                State::Joining,
                ViewerInput::Paired {
                    session_id,
                    local_fingerprint,
                },
            ) => {
                let (pairing, msg) = Pairing::start(
                    Role::Viewer,
                    &self.code.secret,
                    session_id,
                    self.code.nameplate,
                    local_fingerprint,
                );
                self.record(Recording::Open(session_id));
                self.record(Recording::Fact(Box::new(Fact::Nameplate {
                    nameplate: self.code.nameplate.to_string(),
                })));
                self.push(ViewerAction::Relay(msg));
                self.emit(SessionEvent::Paired);
                self.state = State::Pairing(pairing);
            }
            (State::Pairing(pairing), ViewerInput::Mailbox(bytes)) => {
                match pairing.mailbox(&bytes) {
                    Progress::Send(pairing, msg) => {
                        self.push(ViewerAction::Relay(msg));
                        self.state = State::Pairing(pairing);
                    }
                    Progress::Paired {
                        peer_fingerprint,
                        binding,
                    } => {
                        self.push(ViewerAction::StartChannel { peer_fingerprint });
                        self.state = State::Connecting {
                            peer_fingerprint,
                            binding,
                        };
                    }
                    Progress::Failed => self.end(EndReason::WrongCode, None),
                }
            }
            (
                State::Connecting {
                    peer_fingerprint,
                    binding,
                },
                ViewerInput::ChannelUp,
            ) => {
                self.emit(SessionEvent::Secured {
                    peer_fingerprint: peer_fingerprint.to_string(),
                });
                let hello = signed_hello(&self.intro, &self.key, &binding);
                self.push(ViewerAction::ToAgent(ViewerMsg::Hello(Box::new(hello))));
                if let Some(ticket) = &self.intro.ticket {
                    self.record(Recording::Fact(Box::new(Fact::Ticket {
                        id: ticket.id.clone(),
                        priority: ticket.priority.clone(),
                    })));
                }
                self.record(Recording::Fact(Box::new(Fact::ConsentRequested {
                    requested: self.intro.requested,
                })));
                self.push(ViewerAction::CancelTimer(Timer::Handshake));
                // The agent's prompt times out first; this only guards
                // against an agent that never answers.
                let wait = self.timeouts.consent + self.timeouts.handshake;
                self.push(ViewerAction::SetTimer(Timer::Consent, wait));
                self.emit(SessionEvent::WaitingForConsent);
                self.state = State::AwaitConsent { told: false };
            }
            (
                State::AwaitConsent { told: false },
                ViewerInput::FromAgent(AgentMsg::Asking {
                    verified,
                    verified_by,
                    not_verified,
                }),
            ) => {
                self.state = State::AwaitConsent { told: true };
                match validate_asking(verified, verified_by.as_deref(), not_verified.as_deref()) {
                    Ok(()) => self.emit(SessionEvent::PromptShown {
                        verified,
                        verified_by,
                        not_verified,
                    }),
                    Err(e) => self.protocol_error(e.to_string()),
                }
            }
            (
                State::AwaitConsent { .. },
                ViewerInput::FromAgent(AgentMsg::Accepted { granted }),
            ) => {
                self.push(ViewerAction::CancelTimer(Timer::Consent));
                self.emit(SessionEvent::SessionStarted { granted });
                self.state = State::Running { granted };
            }
            (State::AwaitConsent { .. }, ViewerInput::TimerFired(Timer::Consent)) => {
                self.push(ViewerAction::ToAgent(ViewerMsg::End {
                    reason: EndReason::ConsentTimeout,
                }));
                self.end(EndReason::ConsentTimeout, None)
            }
            (State::Running { granted }, input) => self.running(granted, input),
            (state, input) => self.anywhere(state, input),
        }
    }

    /// Inputs with the same meaning in every state, and everything that is
    /// out of place in the current state.
    fn anywhere(&mut self, state: State, input: ViewerInput) {
        let channel_up = matches!(state, State::AwaitConsent { .. } | State::Running { .. });
        let pairing = matches!(state, State::Pairing(_));
        self.state = state;
        match input {
            ViewerInput::FromAgent(AgentMsg::End { reason }) => self.end(reason, None),
            ViewerInput::UserEnd => {
                if channel_up {
                    self.push(ViewerAction::ToAgent(ViewerMsg::End {
                        reason: EndReason::TechnicianEnded,
                    }));
                }
                self.end(EndReason::TechnicianEnded, None)
            }
            ViewerInput::Refused(
                r @ (Refusal::UnknownNameplate | Refusal::NameplateUsed | Refusal::Expired),
            ) => self.end(EndReason::CodeExpired, Some(r.describe().into())),
            ViewerInput::Refused(r) => self.end(EndReason::RelayClosed, Some(r.describe().into())),
            // The agent leaving mid-pairing means it burned the code.
            ViewerInput::PeerLeft if pairing => self.end(EndReason::WrongCode, None),
            ViewerInput::PeerLeft | ViewerInput::ConnectionLost => {
                self.end(EndReason::ConnectionLost, None)
            }
            ViewerInput::TimerFired(Timer::Handshake) => self.end(
                EndReason::ConnectionLost,
                Some("the agent did not complete the handshake in time".into()),
            ),
            ViewerInput::RelayClosed(why) => self.end(EndReason::RelayClosed, why),
            ViewerInput::ProtocolViolation(detail) => self.protocol_error(detail),
            // The agent's record, from the channel's start to its end.
            ViewerInput::FromAgent(AgentMsg::Audit(msg)) if channel_up => {
                self.record(Recording::FromPeer(msg))
            }
            ViewerInput::RecordFailed(why) => {
                if channel_up {
                    self.push(ViewerAction::ToAgent(ViewerMsg::End {
                        reason: EndReason::RecordingFailed,
                    }));
                }
                self.end(EndReason::RecordingFailed, Some(why))
            }
            ViewerInput::FromAgent(_) | ViewerInput::ChannelUp | ViewerInput::Paired { .. } => {
                self.protocol_error("a message arrived out of order".into())
            }
            ViewerInput::UserNote(text) if channel_up => self.note(text),
            ViewerInput::UserNote(_) => {}
            ViewerInput::UserChat(_) => self.emit(SessionEvent::Refused {
                permission: Permission::Chat,
                reason: "not_granted",
            }),
            ViewerInput::UserInput(_) => self.emit(SessionEvent::InputRefused {
                reason: tessera_input::RefusalKind::NotGranted,
                count: 1,
            }),
            ViewerInput::UserShowDisplay(_) => self.emit(SessionEvent::Refused {
                permission: Permission::View,
                reason: "not_granted",
            }),
            ViewerInput::UserSendFile(_) | ViewerInput::UserFetchFile(_) => {
                self.emit(SessionEvent::Refused {
                    permission: Permission::Files,
                    reason: "not_granted",
                })
            }
            ViewerInput::UserClipboard(_) | ViewerInput::UserImage(_) => {
                self.emit(SessionEvent::Refused {
                    permission: Permission::Clipboard,
                    reason: "not_granted",
                })
            }
            ViewerInput::UserCancelFile(_)
            | ViewerInput::Files(_)
            | ViewerInput::RemoteClipboard(_) => {}
            ViewerInput::UserStatus | ViewerInput::WindowShown(_) => {} // answered in `step`
            // Before the session runs, the first prompt is still open.
            ViewerInput::UserRequest(_) => self.emit(SessionEvent::UpgradeRefused {
                reason: UpgradeRefusal::Busy,
            }),
            // Screen data outside a running session is dropped.
            ViewerInput::FrameDecoded { .. }
            | ViewerInput::VideoDecoded { .. }
            | ViewerInput::FrameRejected(_)
            | ViewerInput::Cursor { .. }
            | ViewerInput::Mailbox(_)
            | ViewerInput::TimerFired(
                Timer::Consent
                | Timer::InputRefusals
                | Timer::LocalPause
                | Timer::UpgradeCooldown
                | Timer::ContinueCheck
                | Timer::ContinueAnswer,
            ) => {}
        }
    }

    /// The window was hidden or shown: the state is untouched; shown
    /// again while the picture is in use, the agent is asked for a whole
    /// one, as every update in between was dropped.
    fn window_shown(&mut self, shown: bool) {
        let was_hidden = !self.window_shown;
        self.window_shown = shown;
        if shown && was_hidden && self.screen_use() == ScreenUse::Use {
            self.push(ViewerAction::ToAgent(ViewerMsg::NeedKeyframe));
        }
    }

    fn protocol_error(&mut self, detail: String) {
        if matches!(
            self.state,
            State::AwaitConsent { .. } | State::Running { .. }
        ) {
            self.push(ViewerAction::ToAgent(ViewerMsg::End {
                reason: EndReason::ProtocolError,
            }));
        }
        self.end(EndReason::ProtocolError, Some(detail))
    }

    fn end(&mut self, reason: EndReason, detail: Option<String>) {
        self.push(ViewerAction::CancelTimer(Timer::Handshake));
        self.push(ViewerAction::CancelTimer(Timer::Consent));
        self.emit(SessionEvent::SessionEnded { reason, detail });
        self.push(ViewerAction::Finish(reason));
        self.state = State::Ended;
    }
}
