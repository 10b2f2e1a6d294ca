//! The agent's side of a session: register, show a code, pair through the
//! PAKE, accept the viewer's end-to-end channel, ask for consent, run.
//!
//! This machine is the authority on grants: every message from the viewer
//! is checked here against what the person granted. Grants only grow
//! through a prompt the person answers (the first one, or an upgrade
//! request mid-session); they shrink whenever the person says so.
//!
//! Where each rule lives:
//! * this file: the states before the session runs (code, pairing,
//!   channel, introduction) and the dispatch;
//! * [`introduction`]: the technician's `Hello` checked, the first prompt
//!   and its answer;
//! * [`running`]: what a running session allows, permission by permission;
//! * [`upgrade`]: asking for more mid-session, and the limits that keep a
//!   person from being worn down;
//! * [`continuation`]: the continue check of a long session;
//! * [`remote_input`]: the gate for the technician's keyboard and mouse,
//!   the person's own input, refusal reports;
//! * [`ending`]: how every state ends, and inputs out of place.

mod continuation;
mod ending;
mod files;
mod introduction;
mod remote_input;
mod running;
mod upgrade;

pub use files::FetchRequest;
pub use upgrade::{MAX_UPGRADE_DENIALS, UPGRADE_COOLDOWN};

use crate::event::{BurnReason, SessionEvent, Technician};
use crate::pairing::{Pairing, Progress};
use crate::prompt::ConsentRequest;
use crate::record::{facts_of, Recording};
use crate::{Timeouts, Timer};
use ending::Ending;
use remote_input::RemoteControl;
use running::Running;
use std::mem;
use std::time::{Duration, Instant};
use tessera_audit::record::Fact;
use tessera_input::InputEvent;
use tessera_proto::peer::{AgentMsg, DisplayInfo, Hello, ViewerMsg};
use tessera_proto::relay::{ClientMsg, Refusal, SessionId};
use tessera_proto::{Code, EndReason, Fingerprint, Grants, Nameplate, Permission, Secret};
use tessera_secure::identity::{SessionBinding, TrustStore};
use tessera_secure::Role;

/// What the agent's surroundings tell it.
#[derive(Debug)]
pub enum AgentInput {
    /// The relay allocated a nameplate; `secret` is fresh from the OS CSPRNG.
    Registered {
        /// The public part of the code.
        nameplate: Nameplate,
        /// Seconds until it expires.
        expires_in_secs: u32,
        /// The secret part, drawn by the caller.
        secret: Secret,
    },
    /// A viewer joined our nameplate; `local_fingerprint` is that of the
    /// fresh certificate the caller made for this pairing.
    Paired {
        /// The relay's pairing id.
        session_id: SessionId,
        /// Our certificate's fingerprint.
        local_fingerprint: Fingerprint,
    },
    /// A mailbox payload from the viewer, relayed (decoded here: anything
    /// undecodable counts as a failed guess).
    Mailbox(Vec<u8>),
    /// The relay says the viewer left.
    PeerLeft,
    /// The relay refused us.
    Refused(Refusal),
    /// The end-to-end channel is established with the pinned viewer.
    ChannelUp,
    /// A message from the viewer on the end-to-end channel.
    FromViewer(ViewerMsg),
    /// The person answered the consent or upgrade prompt: `Some(grants)`
    /// to accept those, `None` to deny.
    ConsentAnswer(Option<Grants>),
    /// The person answered the continue check: `true` to go on.
    ContinueAnswer(bool),
    /// The person typed a chat line.
    UserChat(String),
    /// The person takes a permission back.
    Revoke(Permission),
    /// The person ends the session.
    UserEnd,
    /// An armed timer ran out.
    TimerFired(Timer),
    /// The end-to-end channel or the relay connection was lost.
    ConnectionLost,
    /// The relay closed our connection, with its reason if it gave one.
    RelayClosed(Option<String>),
    /// The viewer sent bytes that are not a valid message.
    ProtocolViolation(String),
    /// The viewer's introduction, with the wall-clock time it arrived
    /// (Unix seconds, to check the certificate's validity).
    Introduced {
        /// The `Hello`, decoded but not yet checked.
        hello: Box<Hello>,
        /// Seconds since the Unix epoch.
        now: u64,
    },
    /// Keyboard or mouse input from the viewer, with when it arrived (for
    /// the rate limit and the local user's pause).
    RemoteInput {
        /// The event, decoded but not yet checked.
        event: InputEvent,
        /// When it arrived.
        at: Instant,
    },
    /// The person used their own keyboard or mouse: remote input pauses
    /// while they hold anything down, and for `LOCAL_PAUSE` after.
    LocalInput {
        /// When.
        at: Instant,
        /// Whether they still hold a key, a button or a touch down.
        held: bool,
    },
    /// Remote control can no longer be offered safely (the agent lost its
    /// view of the person's own keyboard and mouse): `control` is taken
    /// back as if the person had revoked it.
    ControlLost,
    /// The session record cannot be kept (a disk full, a folder not
    /// writable) or the viewer's record failed its checks: no session
    /// goes on unrecorded.
    RecordFailed(String),
    /// The person answered the question about fetch `id` (an answer to
    /// a question no longer open is ignored).
    FetchAnswer {
        /// The transfer asked about.
        id: tessera_proto::files::TransferId,
        /// `true` to let the technician have the file.
        yes: bool,
    },
    /// The person stops a transfer (its Stop in the indicator).
    StopFile(tessera_proto::files::TransferId),
    /// The file worker reports.
    Files(crate::transfers::FileNews),
    /// The person copied something on their computer (noticed only while
    /// `clipboard` is granted: see [`AgentAction::WatchClipboard`]).
    LocalClipboard(tessera_proto::clipboard::Clip),
    /// The technician copied something to the person's clipboard.
    RemoteClipboard(tessera_proto::clipboard::Clip),
    /// The screen's displays, as the capture sees them (when sharing
    /// starts, and on every change).
    Displays {
        /// The displays.
        displays: Vec<DisplayInfo>,
        /// Index of the one shown.
        showing: u32,
    },
}

/// What the agent asks its surroundings to do, in order.
#[derive(Debug, PartialEq, Eq)]
pub enum AgentAction {
    /// Send to the relay on the control stream.
    Relay(ClientMsg),
    /// Start the end-to-end channel (inner QUIC server), pinning this
    /// viewer certificate.
    StartChannel {
        /// The viewer certificate fingerprint, authenticated by the PAKE.
        peer_fingerprint: Fingerprint,
    },
    /// Send to the viewer on the end-to-end channel.
    ToViewer(AgentMsg),
    /// Show the consent prompt, or an upgrade prompt mid-session.
    AskConsent(ConsentRequest),
    /// Ask the person whether the technician may have a file of theirs;
    /// remote input is refused until they answer.
    AskFetch(FetchRequest),
    /// Tell the file worker.
    Files(crate::transfers::FileOrder),
    /// Notice (`true`) or stop noticing the person's copies: only while
    /// `clipboard` is granted, never before (nothing is pushed at start).
    WatchClipboard(bool),
    /// Send this copy of the person's to the technician.
    SendClipboard(tessera_proto::clipboard::Clip),
    /// Put the technician's copy on the person's clipboard.
    SetClipboard(tessera_proto::clipboard::Clip),
    /// Ask the person whether the long session should go on; remote input
    /// is refused until they answer.
    AskContinue {
        /// When the session ends without an answer.
        timeout: Duration,
    },
    /// Take the open prompt down, whichever it is (answered elsewhere,
    /// timed out, or session over).
    DismissConsent,
    /// Arm a timer.
    SetTimer(Timer, Duration),
    /// Disarm a timer.
    CancelTimer(Timer),
    /// Start (`true`) or stop sending the screen: it follows the `view`
    /// grant, and stops before anything else when the grant goes.
    ShareScreen(bool),
    /// Send a whole picture next (the viewer lost its own).
    SendKeyframe,
    /// The viewer has shown this screen update (pacing).
    ScreenShown(u64),
    /// The viewer has shown this video picture (pacing the video).
    VideoShown(u64),
    /// Show this display instead (an index the capture checks).
    ShowDisplay(u32),
    /// Inject this input (the gate let it through, or it releases what
    /// the agent pressed).
    Inject(InputEvent),
    /// Report something that happened (and record what it tells).
    Emit(SessionEvent),
    /// Keep this on the session record.
    Record(Recording),
    /// The session is over: close everything and exit with this reason.
    Finish(EndReason),
}

enum State {
    Registering,
    Waiting {
        nameplate: Nameplate,
        secret: Secret,
    },
    Pairing(Pairing),
    Connecting {
        peer_fingerprint: Fingerprint,
        binding: SessionBinding,
    },
    AwaitHello {
        binding: SessionBinding,
    },
    Consent {
        requested: Grants,
        technician: Technician,
    },
    Running(Running),
    Ended,
}

/// The actions a step queues, and whether the caller shows a prompt now
/// (no remote input meanwhile; whatever ends the session takes it down).
#[derive(Default)]
struct Out {
    actions: Vec<AgentAction>,
    prompt_shown: bool,
}

impl Out {
    fn push(&mut self, action: AgentAction) {
        match action {
            AgentAction::AskConsent(_)
            | AgentAction::AskContinue { .. }
            | AgentAction::AskFetch(_) => self.prompt_shown = true,
            AgentAction::DismissConsent if !self.prompt_shown => return,
            AgentAction::DismissConsent => self.prompt_shown = false,
            _ => {}
        }
        self.actions.push(action);
    }

    /// Reports `event`, after recording the facts it tells.
    fn emit(&mut self, event: SessionEvent) {
        for fact in facts_of(&event) {
            self.record(Recording::Fact(Box::new(fact)));
        }
        self.actions.push(AgentAction::Emit(event));
    }

    fn record(&mut self, recording: Recording) {
        self.actions.push(AgentAction::Record(recording));
    }

    /// The person answered at the prompt itself: it closes on its own.
    fn answered(&mut self) {
        self.prompt_shown = false;
    }
}

/// The agent's session state machine.
pub struct AgentSession {
    state: State,
    timeouts: Timeouts,
    /// The organisations trusted to vouch for technicians.
    trust: TrustStore,
    /// The technician's keyboard and mouse: the gate, what is held, the
    /// refusals, whether control was lost for good.
    control: RemoteControl,
    out: Out,
}

impl AgentSession {
    /// A new session; call [`start`](Self::start) to get its first actions.
    pub fn new(timeouts: Timeouts, trust: TrustStore) -> Self {
        Self {
            state: State::Registering,
            timeouts,
            trust,
            control: RemoteControl::default(),
            out: Out::default(),
        }
    }

    /// The first actions: register with the relay.
    pub fn start(&mut self) -> Vec<AgentAction> {
        vec![AgentAction::Relay(ClientMsg::Register)]
    }

    /// Whether the session is over.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    /// The grants in force (none unless running).
    pub fn granted(&self) -> Grants {
        match &self.state {
            State::Running(running) => running.granted,
            _ => Grants::NONE,
        }
    }

    /// Feeds one input; returns the actions to carry out, in order.
    pub fn handle(&mut self, input: AgentInput) -> Vec<AgentAction> {
        if !self.is_ended() {
            self.step(input);
        }
        mem::take(&mut self.out.actions)
    }

    fn step(&mut self, input: AgentInput) {
        let out = &mut self.out;
        let ending = match (mem::replace(&mut self.state, State::Ended), input) {
            (
                State::Registering,
                AgentInput::Registered {
                    nameplate,
                    expires_in_secs,
                    secret,
                },
            ) => {
                let code = Code::new(nameplate, secret.clone()).display();
                out.emit(SessionEvent::Code {
                    code,
                    expires_in_secs,
                });
                self.state = State::Waiting { nameplate, secret };
                None
            }
            (
                State::Waiting { nameplate, secret },
                AgentInput::Paired {
                    session_id,
                    local_fingerprint,
                },
            ) => {
                let (pairing, msg) = Pairing::start(
                    Role::Agent,
                    &secret,
                    session_id,
                    nameplate,
                    local_fingerprint,
                );
                out.record(Recording::Open(session_id));
                out.record(Recording::Fact(Box::new(Fact::Nameplate {
                    nameplate: nameplate.to_string(),
                })));
                out.push(AgentAction::Relay(msg));
                out.push(AgentAction::SetTimer(
                    Timer::Handshake,
                    self.timeouts.handshake,
                ));
                out.emit(SessionEvent::Paired);
                self.state = State::Pairing(pairing);
                None
            }
            (State::Pairing(pairing), AgentInput::Mailbox(bytes)) => {
                match pairing.mailbox(&bytes) {
                    Progress::Send(pairing, msg) => {
                        out.push(AgentAction::Relay(msg));
                        self.state = State::Pairing(pairing);
                    }
                    Progress::Paired {
                        peer_fingerprint,
                        binding,
                    } => {
                        out.push(AgentAction::StartChannel { peer_fingerprint });
                        self.state = State::Connecting {
                            peer_fingerprint,
                            binding,
                        };
                    }
                    Progress::Failed => self.state = burn(out, BurnReason::WrongCode),
                }
                None
            }
            (
                State::Pairing(_),
                AgentInput::PeerLeft | AgentInput::TimerFired(Timer::Handshake),
            ) => {
                self.state = burn(out, BurnReason::Abandoned);
                None
            }
            (
                State::Connecting {
                    peer_fingerprint,
                    binding,
                },
                AgentInput::ChannelUp,
            ) => {
                out.emit(SessionEvent::Secured {
                    peer_fingerprint: peer_fingerprint.to_string(),
                });
                self.state = State::AwaitHello { binding };
                None
            }
            (State::AwaitHello { binding }, AgentInput::Introduced { hello, now }) => {
                match introduction::check(*hello, &binding, &self.trust, now) {
                    Ok((technician, requested)) => {
                        introduction::ask(out, &technician, requested, &self.timeouts);
                        self.state = State::Consent {
                            requested,
                            technician,
                        };
                        None
                    }
                    Err(ending) => Some(ending),
                }
            }
            (
                State::Consent {
                    requested,
                    technician,
                },
                AgentInput::ConsentAnswer(answer),
            ) => {
                let answer = answer.map(|g| self.control.offerable(g.intersect(requested)));
                match introduction::answered(out, answer, &self.timeouts) {
                    Some(granted) => {
                        self.state = State::Running(Running::new(granted, technician));
                        None
                    }
                    None => Some(Ending::telling_viewer(EndReason::Denied)),
                }
            }
            (State::Consent { .. }, AgentInput::TimerFired(Timer::Consent)) => {
                out.push(AgentAction::DismissConsent);
                Some(Ending::telling_viewer(EndReason::ConsentTimeout))
            }
            (State::Consent { .. }, AgentInput::FromViewer(ViewerMsg::End { reason })) => {
                out.push(AgentAction::DismissConsent);
                Some(Ending::viewer_ended(reason))
            }
            (State::Running(mut running), input) => {
                let handled = running.handle(input, out, &mut self.control, &self.timeouts);
                self.state = State::Running(running);
                match handled {
                    Ok(ending) => ending,
                    Err(input) => self.anywhere(input),
                }
            }
            (state, input) => {
                self.state = state;
                self.anywhere(input)
            }
        };
        if let Some(ending) = ending {
            self.end(ending);
        }
    }

    /// Inputs with the same meaning in every state, and everything that is
    /// out of place in the current state.
    fn anywhere(&mut self, input: AgentInput) -> Option<Ending> {
        let place = ending::Place {
            channel_up: matches!(
                self.state,
                State::AwaitHello { .. } | State::Consent { .. } | State::Running(_)
            ),
            connecting: matches!(self.state, State::Connecting { .. }),
            consent_open: matches!(self.state, State::Consent { .. }),
        };
        ending::anywhere(place, input, &mut self.out, &mut self.control)
    }

    /// Ends the session, whatever its state: nothing stays pressed, the
    /// screen stops, the prompt goes, every timer is disarmed.
    fn end(&mut self, ending: Ending) {
        ending::finish(ending, &mut self.out, &mut self.control);
        self.state = State::Ended;
    }
}

/// The code was tried and failed (or abandoned): destroy it at the relay
/// and get a new one. One guess per code.
fn burn(out: &mut Out, reason: BurnReason) -> State {
    out.push(AgentAction::CancelTimer(Timer::Handshake));
    out.push(AgentAction::Relay(ClientMsg::Burn));
    out.emit(SessionEvent::CodeBurned { reason });
    // That pairing's record ends here; the next code's pairing opens its own.
    out.record(Recording::Fact(Box::new(Fact::SessionEnded {
        reason: match reason {
            BurnReason::WrongCode => EndReason::WrongCode,
            BurnReason::Abandoned => EndReason::ConnectionLost,
        },
        detail: Some("the pairing did not complete; the code was replaced".into()),
    })));
    out.record(Recording::Close);
    out.push(AgentAction::Relay(ClientMsg::Register));
    State::Registering
}
