//! The agent's side of a session: register, show a code, pair through the
//! PAKE, accept the viewer's end-to-end channel, ask for consent, run.
//!
//! This machine is the authority on grants: every message from the viewer
//! is checked here against what the person granted. Grants only grow
//! through a prompt the person answers (the first one, or an upgrade
//! request mid-session); they shrink whenever the person says so.

use crate::event::{BurnReason, SessionEvent, Side, Technician};
use crate::prompt::ConsentRequest;
use crate::{mailbox, pairing_msg, Timeouts, Timer};
use std::mem;
use std::time::{Duration, Instant};
use tessera_input::{Context, Gate, InputEvent, RefusalKind, Verdict, LOCAL_PAUSE};
use tessera_proto::pairing::PairingMsg;
use tessera_proto::peer::{validate_chat, AgentMsg, DisplayInfo, Hello, ViewerMsg};
use tessera_proto::relay::{ClientMsg, Refusal, SessionId};
use tessera_proto::{
    Code, EndReason, Fingerprint, Grants, Nameplate, Permission, Secret, UpgradeRefusal,
};
use tessera_secure::identity::{assess, SessionBinding, TrustStore};
use tessera_secure::{PairingContext, Pake, PeerConfirmation, Role};

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
    /// Show this display instead (an index the capture checks).
    ShowDisplay(u32),
    /// Inject this input (the gate let it through, or it releases what
    /// the agent pressed).
    Inject(InputEvent),
    /// Report something that happened.
    Emit(SessionEvent),
    /// The session is over: close everything and exit with this reason.
    Finish(EndReason),
}

enum State {
    Registering,
    Waiting {
        nameplate: Nameplate,
        secret: Secret,
    },
    AwaitPeerPake {
        pake: Pake,
        local_fingerprint: Fingerprint,
    },
    AwaitPeerConfirm {
        confirm: PeerConfirmation,
        transcript: [u8; 32],
        local_fingerprint: Fingerprint,
    },
    Connecting {
        peer_fingerprint: Fingerprint,
        binding: SessionBinding,
    },
    AwaitHello {
        binding: SessionBinding,
    },
    Consent {
        requested: Grants,
    },
    Running {
        granted: Grants,
    },
    Ended,
}

/// The question open mid-session, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asking {
    /// An upgrade prompt for these (not yet granted) permissions.
    Upgrade(Grants),
    /// The continue check.
    Continue,
}

/// The agent's session state machine.
pub struct AgentSession {
    state: State,
    /// Whether a prompt is shown (consent, upgrade or continue check): no
    /// remote input meanwhile, and whatever ends the session must take it
    /// down.
    prompting: bool,
    /// Who asked, once introduced (named again by upgrade prompts).
    technician: Option<Technician>,
    /// The question open while running.
    asking: Option<Asking>,
    /// The continue check fell due while another prompt was open.
    continue_due: bool,
    /// Upgrade requests refused as `too_soon` until the cooldown ends.
    upgrade_cooling: bool,
    /// Upgrade requests the person denied or let time out.
    upgrade_denials: u32,
    /// The agent lost its view of the person's keyboard and mouse:
    /// `control` is never granted again in this session.
    control_lost: bool,
    timeouts: Timeouts,
    /// The organisations trusted to vouch for technicians.
    trust: TrustStore,
    out: Vec<AgentAction>,
    /// The input gate, from the first remote event on.
    gate: Option<Gate>,
    /// Size of the display shown, for the bounds of pointer positions.
    display: Option<(u32, u32)>,
    /// The last refusal reported, and refusals since not yet reported.
    refusals: Option<(RefusalKind, Instant)>,
    /// Whether the viewer was told the person is using their computer.
    local_told: bool,
    unreported: u32,
}

/// Refusals of the same kind are reported at most this often.
const REFUSAL_REPORT_EVERY: Duration = Duration::from_secs(1);

/// After the person denies an upgrade, lets it time out, or takes a
/// permission back, new requests are refused this long (`too_soon`), so a
/// caller cannot wear them down with prompt after prompt.
pub const UPGRADE_COOLDOWN: Duration = Duration::from_secs(30);

/// After this many denied or timed-out upgrade requests, every further
/// request in the session is refused (`too_many`).
pub const MAX_UPGRADE_DENIALS: u32 = 3;

impl AgentSession {
    /// A new session; call [`start`](Self::start) to get its first actions.
    pub fn new(timeouts: Timeouts, trust: TrustStore) -> Self {
        Self {
            state: State::Registering,
            prompting: false,
            technician: None,
            asking: None,
            continue_due: false,
            upgrade_cooling: false,
            upgrade_denials: 0,
            control_lost: false,
            timeouts,
            trust,
            out: Vec::new(),
            gate: None,
            display: None,
            refusals: None,
            local_told: false,
            unreported: 0,
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
        match self.state {
            State::Running { granted } => granted,
            _ => Grants::NONE,
        }
    }

    /// Feeds one input; returns the actions to carry out, in order.
    pub fn handle(&mut self, input: AgentInput) -> Vec<AgentAction> {
        if !self.is_ended() {
            self.step(input);
        }
        mem::take(&mut self.out)
    }

    fn push(&mut self, action: AgentAction) {
        match action {
            AgentAction::AskConsent(_) | AgentAction::AskContinue { .. } => self.prompting = true,
            AgentAction::DismissConsent if !self.prompting => return,
            AgentAction::DismissConsent => self.prompting = false,
            _ => {}
        }
        self.out.push(action);
    }

    fn emit(&mut self, event: SessionEvent) {
        self.out.push(AgentAction::Emit(event));
    }

    fn step(&mut self, input: AgentInput) {
        match (mem::replace(&mut self.state, State::Ended), input) {
            (
                State::Registering,
                AgentInput::Registered {
                    nameplate,
                    expires_in_secs,
                    secret,
                },
            ) => {
                let code = Code::new(nameplate, secret.clone()).display();
                self.emit(SessionEvent::Code {
                    code,
                    expires_in_secs,
                });
                self.state = State::Waiting { nameplate, secret };
            }
            (
                State::Waiting { nameplate, secret },
                AgentInput::Paired {
                    session_id,
                    local_fingerprint,
                },
            ) => {
                let context = PairingContext {
                    session_id,
                    nameplate,
                };
                let (pake, msg) = Pake::start(Role::Agent, &secret, context);
                self.push(AgentAction::Relay(mailbox(PairingMsg::Pake(msg))));
                self.push(AgentAction::SetTimer(
                    Timer::Handshake,
                    self.timeouts.handshake,
                ));
                self.emit(SessionEvent::Paired);
                self.state = State::AwaitPeerPake {
                    pake,
                    local_fingerprint,
                };
            }
            (
                State::AwaitPeerPake {
                    pake,
                    local_fingerprint,
                },
                AgentInput::Mailbox(bytes),
            ) => match pairing_msg(&bytes).and_then(|m| match m {
                PairingMsg::Pake(msg) => pake.finish(&msg).ok(),
                PairingMsg::Confirm(_) => None,
            }) {
                Some(keys) => {
                    let transcript = keys.transcript();
                    let (own, confirm) = keys.confirmations(Role::Agent);
                    let sealed = own.seal(&local_fingerprint);
                    self.push(AgentAction::Relay(mailbox(PairingMsg::Confirm(sealed))));
                    self.state = State::AwaitPeerConfirm {
                        confirm,
                        transcript,
                        local_fingerprint,
                    };
                }
                None => self.burn(BurnReason::WrongCode),
            },
            (
                State::AwaitPeerConfirm {
                    confirm,
                    transcript,
                    local_fingerprint,
                },
                AgentInput::Mailbox(bytes),
            ) => {
                match pairing_msg(&bytes).and_then(|m| match m {
                    PairingMsg::Confirm(c) => confirm.open(&c).ok(),
                    PairingMsg::Pake(_) => None,
                }) {
                    Some(peer_fingerprint) => {
                        self.push(AgentAction::StartChannel { peer_fingerprint });
                        let binding = SessionBinding {
                            transcript,
                            agent: local_fingerprint,
                            viewer: peer_fingerprint,
                        };
                        self.state = State::Connecting {
                            peer_fingerprint,
                            binding,
                        };
                    }
                    None => self.burn(BurnReason::WrongCode),
                }
            }
            (
                State::AwaitPeerPake { .. } | State::AwaitPeerConfirm { .. },
                AgentInput::PeerLeft | AgentInput::TimerFired(Timer::Handshake),
            ) => self.burn(BurnReason::Abandoned),
            (
                State::Connecting {
                    peer_fingerprint,
                    binding,
                },
                AgentInput::ChannelUp,
            ) => {
                self.emit(SessionEvent::Secured {
                    peer_fingerprint: peer_fingerprint.to_string(),
                });
                self.state = State::AwaitHello { binding };
            }
            (State::AwaitHello { binding }, AgentInput::Introduced { hello, now }) => {
                self.ask_consent(*hello, &binding, now)
            }
            (State::Consent { requested }, AgentInput::ConsentAnswer(answer)) => {
                // Answered at the prompt itself: it closes on its own.
                self.prompting = false;
                self.push(AgentAction::CancelTimer(Timer::Consent));
                match answer.map(|g| self.offerable(g.intersect(requested))) {
                    Some(granted) if !granted.is_empty() => {
                        self.push(AgentAction::ToViewer(AgentMsg::Accepted { granted }));
                        self.emit(SessionEvent::SessionStarted { granted });
                        if granted.contains(Permission::View) {
                            self.push(AgentAction::ShareScreen(true));
                        }
                        self.push(AgentAction::SetTimer(
                            Timer::ContinueCheck,
                            self.timeouts.continue_after,
                        ));
                        self.state = State::Running { granted };
                    }
                    _ => self.end_telling_viewer(EndReason::Denied),
                }
            }
            (State::Consent { .. }, AgentInput::TimerFired(Timer::Consent)) => {
                self.push(AgentAction::DismissConsent);
                self.end_telling_viewer(EndReason::ConsentTimeout)
            }
            (State::Consent { .. }, AgentInput::FromViewer(ViewerMsg::End)) => {
                self.push(AgentAction::DismissConsent);
                self.end(EndReason::TechnicianEnded, None)
            }
            (State::Running { granted }, input) => self.running(granted, input),
            (state, input) => self.anywhere(state, input),
        }
    }

    fn ask_consent(&mut self, hello: Hello, binding: &SessionBinding, now: u64) {
        if let Err(e) = hello.validate() {
            return self.end_telling_viewer_detail(EndReason::ProtocolError, e.to_string());
        }
        let verification = match assess(&hello, binding, &self.trust, now) {
            Ok(v) => v,
            Err(e) => {
                return self.end_telling_viewer_detail(EndReason::ProtocolError, e.to_string())
            }
        };
        let technician = Technician::new(hello.name, hello.org, verification);
        self.technician = Some(technician.clone());
        self.push(AgentAction::CancelTimer(Timer::Handshake));
        self.push(AgentAction::SetTimer(Timer::Consent, self.timeouts.consent));
        self.push(AgentAction::AskConsent(ConsentRequest {
            technician: technician.clone(),
            requested: hello.requested,
            already: None,
            timeout: self.timeouts.consent,
        }));
        self.emit(SessionEvent::ConsentRequested {
            technician,
            requested: hello.requested,
        });
        self.state = State::Consent {
            requested: hello.requested,
        };
    }

    fn running(&mut self, granted: Grants, input: AgentInput) {
        self.state = State::Running { granted };
        match input {
            AgentInput::FromViewer(ViewerMsg::Chat { text }) => {
                if !granted.contains(Permission::Chat) {
                    return self.refuse(Permission::Chat);
                }
                if let Err(e) = validate_chat(&text) {
                    return self.end_telling_viewer_detail(EndReason::ProtocolError, e.to_string());
                }
                self.emit(SessionEvent::Chat {
                    from: Side::Viewer,
                    text,
                });
            }
            AgentInput::UserChat(text) => {
                if granted.contains(Permission::Chat) && validate_chat(&text).is_ok() {
                    self.push(AgentAction::ToViewer(AgentMsg::Chat { text: text.clone() }));
                    self.emit(SessionEvent::Chat {
                        from: Side::Agent,
                        text,
                    });
                }
            }
            AgentInput::Revoke(permission) if granted.contains(permission) => {
                self.take_back(granted, permission);
                // Not asked again at once for what was just taken back.
                self.cool_down_upgrades();
            }
            AgentInput::Revoke(_) => {}
            AgentInput::FromViewer(ViewerMsg::NeedKeyframe) => {
                if granted.contains(Permission::View) {
                    self.push(AgentAction::SendKeyframe);
                } else {
                    self.refuse(Permission::View);
                }
            }
            AgentInput::FromViewer(ViewerMsg::Shown { seq }) => {
                // Late acknowledgements after a revoke are harmless.
                if granted.contains(Permission::View) {
                    self.push(AgentAction::ScreenShown(seq));
                }
            }
            AgentInput::FromViewer(ViewerMsg::ShowDisplay { index }) => {
                if granted.contains(Permission::View) {
                    self.push(AgentAction::ShowDisplay(index));
                } else {
                    self.refuse(Permission::View);
                }
            }
            AgentInput::RemoteInput { event, at } => self.remote_input(granted, event, at),
            AgentInput::TimerFired(Timer::InputRefusals) => {
                if let Some((reason, at)) = self.refusals {
                    self.flush_refusals(reason, at + REFUSAL_REPORT_EVERY);
                }
            }
            AgentInput::LocalInput { at, held } => self.local_input(granted, at, held),
            AgentInput::ControlLost => {
                self.control_lost = true;
                if granted.contains(Permission::Control) {
                    self.take_back(granted, Permission::Control);
                }
            }
            AgentInput::TimerFired(Timer::LocalPause) => {
                // Still held: the release re-arms the timer.
                let held = self.gate.as_ref().is_some_and(Gate::local_held);
                if !held && mem::take(&mut self.local_told) {
                    self.push(AgentAction::ToViewer(AgentMsg::LocalUser { active: false }));
                    self.emit(SessionEvent::LocalUser { active: false });
                }
            }
            AgentInput::Displays { displays, showing } => {
                self.display = displays.get(showing as usize).map(|d| (d.width, d.height));
                if granted.contains(Permission::View) {
                    self.push(AgentAction::ToViewer(AgentMsg::Displays {
                        displays,
                        showing,
                    }));
                }
            }
            AgentInput::FromViewer(ViewerMsg::Request { grants }) => {
                self.upgrade_request(granted, grants)
            }
            AgentInput::ConsentAnswer(answer) => {
                // Otherwise stale: that prompt is gone.
                if let Some(Asking::Upgrade(asked)) = self.asking {
                    self.upgrade_answer(granted, asked, answer)
                }
            }
            AgentInput::TimerFired(Timer::Consent) => {
                if let Some(Asking::Upgrade(_)) = self.asking {
                    self.push(AgentAction::DismissConsent);
                    self.asking = None;
                    self.upgrade_refused_by_person(UpgradeRefusal::Timeout);
                    self.after_prompt();
                }
            }
            AgentInput::TimerFired(Timer::UpgradeCooldown) => self.upgrade_cooling = false,
            AgentInput::TimerFired(Timer::ContinueCheck) => match self.asking {
                Some(_) => self.continue_due = true,
                None => self.ask_continue(),
            },
            AgentInput::ContinueAnswer(go_on) if self.asking == Some(Asking::Continue) => {
                // Answered at the prompt itself: it closes on its own.
                self.prompting = false;
                self.asking = None;
                self.push(AgentAction::CancelTimer(Timer::ContinueAnswer));
                if !go_on {
                    return self.end_telling_viewer(EndReason::UserEnded);
                }
                self.push(AgentAction::SetTimer(
                    Timer::ContinueCheck,
                    self.timeouts.continue_after,
                ));
                self.push(AgentAction::ToViewer(AgentMsg::ContinueCheck {
                    open: false,
                }));
                self.emit(SessionEvent::ContinueCheck { open: false });
            }
            AgentInput::TimerFired(Timer::ContinueAnswer) => {
                if self.asking == Some(Asking::Continue) {
                    self.end_telling_viewer(EndReason::ContinueTimeout)
                }
            }
            AgentInput::UserEnd => self.end_telling_viewer(EndReason::UserEnded),
            AgentInput::FromViewer(ViewerMsg::End) => self.end(EndReason::TechnicianEnded, None),
            AgentInput::FromViewer(ViewerMsg::Hello(_)) | AgentInput::Introduced { .. } => self
                .end_telling_viewer_detail(
                    EndReason::ProtocolError,
                    "the viewer introduced itself twice".into(),
                ),
            other => self.anywhere(State::Running { granted }, other),
        }
    }

    /// Inputs with the same meaning in every state, and everything that is
    /// out of place in the current state.
    fn anywhere(&mut self, state: State, input: AgentInput) {
        let channel_up = matches!(
            state,
            State::AwaitHello { .. } | State::Consent { .. } | State::Running { .. }
        );
        let prompting = matches!(state, State::Consent { .. });
        self.state = state;
        if prompting
            && matches!(
                input,
                AgentInput::ConnectionLost
                    | AgentInput::RelayClosed(_)
                    | AgentInput::ProtocolViolation(_)
                    | AgentInput::PeerLeft
            )
        {
            self.push(AgentAction::DismissConsent);
        }
        match input {
            AgentInput::ConnectionLost => self.end(EndReason::ConnectionLost, None),
            // Before the session runs: remembered, so it is never granted.
            AgentInput::ControlLost => self.control_lost = true,
            AgentInput::PeerLeft
                if channel_up || matches!(self.state, State::Connecting { .. }) =>
            {
                self.end(EndReason::ConnectionLost, None)
            }
            AgentInput::RelayClosed(why) => self.end(EndReason::RelayClosed, why),
            AgentInput::Refused(Refusal::Expired) => self.end(
                EndReason::CodeExpired,
                Some(
                    "the code expired before a technician used it: start again for a new code"
                        .into(),
                ),
            ),
            AgentInput::Refused(r) => self.end(EndReason::RelayClosed, Some(r.describe().into())),
            AgentInput::ProtocolViolation(detail) if channel_up => {
                self.end_telling_viewer_detail(EndReason::ProtocolError, detail)
            }
            AgentInput::ProtocolViolation(detail) => {
                self.end(EndReason::ProtocolError, Some(detail))
            }
            AgentInput::TimerFired(Timer::Handshake) if channel_up => {
                self.end_telling_viewer(EndReason::ConnectionLost)
            }
            AgentInput::TimerFired(Timer::Handshake) => self.end(EndReason::ConnectionLost, None),
            AgentInput::UserEnd if channel_up => self.end_telling_viewer(EndReason::UserEnded),
            AgentInput::UserEnd => self.end(EndReason::UserEnded, None),
            // Chat before the session runs is refused like any ungranted act.
            AgentInput::FromViewer(ViewerMsg::Chat { .. }) if channel_up => {
                self.refuse(Permission::Chat)
            }
            AgentInput::FromViewer(ViewerMsg::End) => self.end(EndReason::TechnicianEnded, None),
            AgentInput::FromViewer(_) | AgentInput::Introduced { .. } | AgentInput::ChannelUp => {
                self.end_telling_viewer_detail(
                    EndReason::ProtocolError,
                    "the viewer sent a message out of order".into(),
                )
            }
            AgentInput::Registered { .. } | AgentInput::Paired { .. } => self.end(
                EndReason::ProtocolError,
                Some("the relay sent a message out of order".into()),
            ),
            // Stale answers, timers and user acts that no longer apply.
            AgentInput::Mailbox(_)
            | AgentInput::PeerLeft
            | AgentInput::ConsentAnswer(_)
            | AgentInput::ContinueAnswer(_)
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
            ) => {}
            // Refusals held back (input during the prompt) still get told.
            AgentInput::TimerFired(Timer::InputRefusals) if channel_up => {
                if let Some((reason, at)) = self.refusals {
                    self.flush_refusals(reason, at + REFUSAL_REPORT_EVERY);
                }
            }
            AgentInput::TimerFired(Timer::InputRefusals) => {}
            // Input while the person decides, or before: never injected.
            AgentInput::RemoteInput { at, .. } if channel_up => {
                let kind = match prompting {
                    true => RefusalKind::PromptOpen,
                    false => RefusalKind::NotGranted,
                };
                self.report_refusal(kind, at);
            }
            AgentInput::RemoteInput { .. } => {}
        }
    }

    /// Takes `permission` back: it stops before anything else happens.
    fn take_back(&mut self, granted: Grants, permission: Permission) {
        if permission == Permission::View {
            self.push(AgentAction::ShareScreen(false));
        }
        if permission == Permission::Control {
            self.release_input(); // before anything else
                                  // Pauses are no longer the technician's business.
            self.local_told = false;
        }
        let granted = granted.without(permission);
        self.state = State::Running { granted };
        self.push(AgentAction::ToViewer(AgentMsg::GrantsChanged { granted }));
        self.emit(SessionEvent::GrantChanged { granted });
    }

    /// What can be offered: everything, but `control` once it was lost.
    fn offerable(&self, asked: Grants) -> Grants {
        match self.control_lost {
            true => asked.without(Permission::Control),
            false => asked,
        }
    }

    /// The technician asks for more: refused at once when nothing is new,
    /// another question is open, or the person said no moments ago or too
    /// often; otherwise the person is asked about what is new, with the
    /// same rules as the first prompt.
    fn upgrade_request(&mut self, granted: Grants, asked: Grants) {
        let new = asked.difference(granted);
        self.emit(SessionEvent::UpgradeRequested { requested: new });
        let offered = self.offerable(new);
        let refusal = if new.is_empty() {
            Some(UpgradeRefusal::NothingNew)
        } else if offered.is_empty() {
            Some(UpgradeRefusal::Unavailable)
        } else if self.asking.is_some() {
            Some(UpgradeRefusal::Busy)
        } else if self.upgrade_denials >= MAX_UPGRADE_DENIALS {
            Some(UpgradeRefusal::TooMany)
        } else if self.upgrade_cooling {
            Some(UpgradeRefusal::TooSoon)
        } else {
            None
        };
        // Running implies an introduction; without one nobody is asked.
        let technician = match (refusal, self.technician.clone()) {
            (None, Some(technician)) => technician,
            (refusal, _) => {
                return self.tell_upgrade_refused(refusal.unwrap_or(UpgradeRefusal::Busy))
            }
        };
        // Nothing the technician holds stays pressed while they cannot
        // type.
        self.release_input();
        self.asking = Some(Asking::Upgrade(offered));
        self.push(AgentAction::SetTimer(Timer::Consent, self.timeouts.consent));
        self.push(AgentAction::AskConsent(ConsentRequest {
            technician,
            requested: offered,
            already: Some(granted),
            timeout: self.timeouts.consent,
        }));
    }

    /// The person answered an upgrade prompt for `asked`.
    fn upgrade_answer(&mut self, granted: Grants, asked: Grants, answer: Option<Grants>) {
        // Answered at the prompt itself: it closes on its own.
        self.prompting = false;
        self.asking = None;
        self.push(AgentAction::CancelTimer(Timer::Consent));
        // Control may have been lost while the prompt was open.
        let answer = answer.map(|g| self.offerable(g.intersect(asked)));
        match answer.filter(|g| !g.is_empty()) {
            Some(added) => {
                let now = granted.union(added);
                self.state = State::Running { granted: now };
                if added.contains(Permission::View) && !granted.contains(Permission::View) {
                    self.push(AgentAction::ShareScreen(true));
                }
                self.push(AgentAction::ToViewer(AgentMsg::UpgradeGranted {
                    granted: now,
                }));
                self.emit(SessionEvent::UpgradeGranted { granted: now });
            }
            None => self.upgrade_refused_by_person(UpgradeRefusal::Denied),
        }
        self.after_prompt();
    }

    /// The person said no (or nothing): counted, and a pause before the
    /// next request.
    fn upgrade_refused_by_person(&mut self, reason: UpgradeRefusal) {
        self.upgrade_denials = self.upgrade_denials.saturating_add(1);
        self.cool_down_upgrades();
        self.tell_upgrade_refused(reason);
    }

    fn cool_down_upgrades(&mut self) {
        self.upgrade_cooling = true;
        self.push(AgentAction::SetTimer(
            Timer::UpgradeCooldown,
            UPGRADE_COOLDOWN,
        ));
    }

    fn tell_upgrade_refused(&mut self, reason: UpgradeRefusal) {
        self.push(AgentAction::ToViewer(AgentMsg::UpgradeRefused { reason }));
        self.emit(SessionEvent::UpgradeRefused { reason });
    }

    /// A prompt closed: the continue check waits for no other.
    fn after_prompt(&mut self) {
        if mem::take(&mut self.continue_due) {
            self.ask_continue();
        }
    }

    /// Asks whether the long session should go on; remote input is
    /// refused until the answer, and no answer ends it.
    fn ask_continue(&mut self) {
        self.release_input();
        self.asking = Some(Asking::Continue);
        self.push(AgentAction::SetTimer(
            Timer::ContinueAnswer,
            self.timeouts.continue_answer,
        ));
        self.push(AgentAction::AskContinue {
            timeout: self.timeouts.continue_answer,
        });
        self.push(AgentAction::ToViewer(AgentMsg::ContinueCheck {
            open: true,
        }));
        self.emit(SessionEvent::ContinueCheck { open: true });
    }

    /// Passes a remote event through the gate: inject it, or refuse it.
    fn remote_input(&mut self, granted: Grants, event: InputEvent, at: Instant) {
        let (width, height) = self.display.unwrap_or((u32::MAX, u32::MAX));
        let ctx = Context {
            control: granted.contains(Permission::Control),
            prompt_open: self.prompting,
            width,
            height,
        };
        match self
            .gate
            .get_or_insert_with(|| Gate::new(at))
            .admit(event, &ctx, at)
        {
            Verdict::Inject(event) => self.push(AgentAction::Inject(event)),
            Verdict::Refuse(refusal) => self.report_refusal(refusal.kind(), at),
            Verdict::Ignore => {}
        }
    }

    /// The person used their own keyboard or mouse: remote input pauses
    /// while they hold anything down and for [`LOCAL_PAUSE`] after (what
    /// the agent held pressed is released), and a technician with
    /// `control` is told when the pause starts and when it is over.
    fn local_input(&mut self, granted: Grants, at: Instant, held: bool) {
        let gate = self.gate.get_or_insert_with(|| Gate::new(at));
        for release in gate.local_input(at, held) {
            self.push(AgentAction::Inject(release));
        }
        self.push(AgentAction::SetTimer(Timer::LocalPause, LOCAL_PAUSE));
        if granted.contains(Permission::Control) && !self.local_told {
            self.local_told = true;
            self.push(AgentAction::ToViewer(AgentMsg::LocalUser { active: true }));
            self.emit(SessionEvent::LocalUser { active: true });
        }
    }

    /// Counts a refusal; tells the viewer and the event stream on the
    /// first of a run, on a new reason, or a second after the last report.
    fn report_refusal(&mut self, reason: RefusalKind, at: Instant) {
        self.unreported = self.unreported.saturating_add(1);
        let due = match self.refusals {
            Some((last, when)) => {
                last != reason || at.saturating_duration_since(when) >= REFUSAL_REPORT_EVERY
            }
            None => true,
        };
        if due {
            self.flush_refusals(reason, at);
        } else if self.unreported == 1 {
            // The first held back: reported when the second is over.
            self.push(AgentAction::SetTimer(
                Timer::InputRefusals,
                REFUSAL_REPORT_EVERY,
            ));
        }
    }

    /// Reports the refusals not yet reported.
    fn flush_refusals(&mut self, reason: RefusalKind, at: Instant) {
        let count = mem::take(&mut self.unreported);
        if count == 0 {
            return;
        }
        self.push(AgentAction::CancelTimer(Timer::InputRefusals));
        self.refusals = Some((reason, at));
        self.push(AgentAction::ToViewer(AgentMsg::InputRefused {
            reason,
            count,
        }));
        self.emit(SessionEvent::InputRefused { reason, count });
    }

    /// Releases every key and button the agent pressed for the viewer.
    fn release_input(&mut self) {
        let releases = self.gate.as_mut().map(Gate::release_all);
        for release in releases.into_iter().flatten() {
            self.push(AgentAction::Inject(release));
        }
    }

    fn refuse(&mut self, permission: Permission) {
        self.push(AgentAction::ToViewer(AgentMsg::Refused { permission }));
        self.emit(SessionEvent::Refused {
            permission,
            reason: "not_granted",
        });
    }

    /// The code was tried and failed (or abandoned): destroy it at the relay
    /// and get a new one. One guess per code.
    fn burn(&mut self, reason: BurnReason) {
        self.push(AgentAction::CancelTimer(Timer::Handshake));
        self.push(AgentAction::Relay(ClientMsg::Burn));
        self.emit(SessionEvent::CodeBurned { reason });
        self.push(AgentAction::Relay(ClientMsg::Register));
        self.state = State::Registering;
    }

    fn end_telling_viewer(&mut self, reason: EndReason) {
        self.push(AgentAction::ToViewer(AgentMsg::End { reason }));
        self.end(reason, None);
    }

    fn end_telling_viewer_detail(&mut self, reason: EndReason, detail: String) {
        self.push(AgentAction::ToViewer(AgentMsg::End { reason }));
        self.end(reason, Some(detail));
    }

    fn end(&mut self, reason: EndReason, detail: Option<String>) {
        self.release_input(); // nothing stays pressed, however it ends
        self.push(AgentAction::ShareScreen(false));
        self.push(AgentAction::DismissConsent);
        for timer in [
            Timer::Handshake,
            Timer::Consent,
            Timer::ContinueCheck,
            Timer::ContinueAnswer,
            Timer::UpgradeCooldown,
        ] {
            self.push(AgentAction::CancelTimer(timer));
        }
        self.asking = None;
        self.emit(SessionEvent::SessionEnded { reason, detail });
        self.push(AgentAction::Finish(reason));
        self.state = State::Ended;
    }
}
