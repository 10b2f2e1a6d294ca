//! The `agent_authority` harness: a real pairing brings the agent to its
//! consent prompt, then a [script](crate::script) plays the technician's
//! viewer (any message), the person (answers, revocations, chat, their own
//! keyboard), the clock and the connection. Beside the agent runs a model
//! of what the *person* granted, kept from what the prompts showed and
//! what the person did, never from the agent's own state. After every
//! action the agent takes, its authority is checked against that model.
//!
//! The model: the person's grants are what they answered to an open
//! consent or upgrade prompt, within what that prompt offered (the first
//! answer sets them, an upgrade's adds to them); minus whatever they took
//! back; minus `control` once the agent lost sight of their keyboard and
//! mouse, for good. A prompt is open from the agent's `AskConsent` or
//! `AskContinue` until the person answers it or the agent dismisses it.

use crate::pairing;
use crate::script::{self, Loss, Step};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tessera_input::{Button, InputEvent, Key, LOCAL_PAUSE};
use tessera_proto::files::FileMsg;
use tessera_proto::frame::decode_body;
use tessera_proto::peer::{AgentMsg, DisplayInfo, ViewerMsg, MAX_PEER_FRAME};
use tessera_proto::{Grants, Permission};
use tessera_session::agent::{AgentAction, AgentInput, AgentSession};
use tessera_session::transfers::FileOrder;
use tessera_session::{SessionEvent, Side};

/// A consent or upgrade prompt on the person's screen.
#[derive(Clone, Copy, Debug)]
struct Offer {
    /// What it offers.
    requested: Grants,
    /// Whether it is the first prompt (its answer sets the grants) or an
    /// upgrade (its answer adds to them).
    first: bool,
}

/// Something the agent holds pressed on the person's computer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pressed {
    Key(Key),
    Button(Button),
}

/// What the person granted and sees, kept beside the agent.
#[derive(Debug, Default)]
struct Person {
    grants: Grants,
    offer: Option<Offer>,
    continue_open: bool,
    control_lost: bool,
    /// The person holds a key or button of their own down.
    local_held: bool,
    /// Remote input waits until then after the person's own input.
    paused_until: Option<Instant>,
    ended: bool,
    screen_on: bool,
    pressed: BTreeSet<Pressed>,
    /// The fetch question on the person's screen, by its transfer.
    fetch_open: Option<u32>,
    /// Fetches the person said yes to and the agent has not yet walked.
    fetch_yes: u32,
    /// The last fetch asked about (the script's answers name it).
    last_fetch: u32,
}

/// What a script did, for the seed writer to check its seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The agent asked for consent (pairing worked).
    pub asked: bool,
    /// Every grant the agent held at some point.
    pub ever_granted: Grants,
    /// Remote events injected (releases included).
    pub injected: usize,
    /// Upgrade prompts shown.
    pub upgrades: usize,
    /// Continue checks shown.
    pub continue_checks: usize,
    /// Chat lines from the technician shown to the person.
    pub viewer_chat: usize,
    /// Fetch questions put to the person.
    pub fetches: usize,
    /// The session ended.
    pub ended: bool,
}

fn is_release(event: &InputEvent) -> bool {
    matches!(
        event,
        InputEvent::Key { down: false, .. } | InputEvent::Button { down: false, .. }
    )
}

impl Person {
    fn may_act(&self) -> bool {
        !self.ended && self.offer.is_none() && !self.continue_open && self.fetch_open.is_none()
    }

    /// The person answers the prompt on their screen, if one is.
    fn answer(&mut self, answer: Option<Grants>) {
        let Some(offer) = self.offer.take() else {
            return; // stale: the prompt is gone
        };
        let mut added = answer.unwrap_or(Grants::NONE).intersect(offer.requested);
        if self.control_lost {
            added = added.without(Permission::Control);
        }
        self.grants = match offer.first {
            true => added,
            false => self.grants.union(added),
        };
    }

    /// What the person does, before the agent hears of it.
    fn before(&mut self, input: &AgentInput) {
        match input {
            AgentInput::ConsentAnswer(answer) => self.answer(*answer),
            AgentInput::ContinueAnswer(_) => self.continue_open = false,
            AgentInput::FetchAnswer { id, yes } => {
                if self.fetch_open == Some(*id) {
                    self.fetch_open = None;
                    if *yes {
                        self.fetch_yes += 1;
                    }
                }
            }
            AgentInput::Revoke(p) => {
                self.grants = self.grants.without(*p);
                if *p == Permission::Files {
                    self.fetch_yes = 0; // a yes does not outlive the grant
                }
            }
            AgentInput::ControlLost => {
                self.control_lost = true;
                self.grants = self.grants.without(Permission::Control);
            }
            AgentInput::LocalInput { at, held } => {
                self.local_held = *held;
                self.paused_until = Some(*at + LOCAL_PAUSE);
            }
            _ => {}
        }
    }

    fn require(&self, p: Permission, what: &dyn std::fmt::Debug) {
        assert!(
            !self.ended && self.grants.contains(p),
            "{what:?} without {p:?} granted by the person (model: {self:?})"
        );
    }

    fn within(&self, granted: Grants, what: &dyn std::fmt::Debug) {
        assert_eq!(
            granted.difference(self.grants),
            Grants::NONE,
            "{what:?} claims more than the person granted (model: {self:?})"
        );
    }

    /// Checks one action of the agent against the model, then notes what
    /// it changes on the person's screen and computer.
    fn observe(&mut self, action: &AgentAction, now: Instant) {
        match action {
            AgentAction::AskConsent(ask) => {
                assert!(self.may_act(), "a prompt over another: {self:?}");
                if let Some(already) = ask.already {
                    self.within(already, action);
                }
                if self.control_lost {
                    assert!(
                        !ask.requested.contains(Permission::Control),
                        "control offered after it was lost"
                    );
                }
                self.offer = Some(Offer {
                    requested: ask.requested,
                    first: ask.already.is_none(),
                });
            }
            AgentAction::AskContinue { .. } => self.continue_open = true,
            AgentAction::AskFetch(ask) => {
                self.require(Permission::Files, action);
                assert!(self.may_act(), "a fetch question over another: {self:?}");
                self.fetch_open = Some(ask.id);
                self.last_fetch = ask.id;
            }
            // A file of the person's is read only after their yes.
            AgentAction::Files(FileOrder::Offer { .. }) => {
                self.require(Permission::Files, action);
                assert!(self.fetch_yes > 0, "{action:?} without the person's yes");
                self.fetch_yes -= 1;
            }
            AgentAction::Files(FileOrder::Take { .. } | FileOrder::Send { .. }) => {
                self.require(Permission::Files, action)
            }
            AgentAction::DismissConsent => {
                self.offer = None;
                self.continue_open = false;
                self.fetch_open = None;
            }
            AgentAction::Inject(event) if is_release(event) => match event {
                InputEvent::Key { key, .. } => _ = self.pressed.remove(&Pressed::Key(*key)),
                InputEvent::Button { button, .. } => {
                    _ = self.pressed.remove(&Pressed::Button(*button))
                }
                _ => {}
            },
            AgentAction::Inject(event) => {
                self.require(Permission::Control, action);
                assert!(
                    self.may_act(),
                    "{action:?} while a prompt is open: {self:?}"
                );
                let paused = self.local_held || self.paused_until.is_some_and(|t| now < t);
                assert!(!paused, "{action:?} while the person uses their own input");
                match event {
                    InputEvent::Key { key, .. } => _ = self.pressed.insert(Pressed::Key(*key)),
                    InputEvent::Button { button, .. } => {
                        _ = self.pressed.insert(Pressed::Button(*button))
                    }
                    _ => {}
                }
            }
            AgentAction::ShareScreen(on) => {
                if *on {
                    self.require(Permission::View, action);
                }
                self.screen_on = *on;
            }
            AgentAction::SendKeyframe
            | AgentAction::ShowDisplay(_)
            | AgentAction::ScreenShown(_) => self.require(Permission::View, action),
            AgentAction::ToViewer(msg) => match msg {
                AgentMsg::Displays { .. } => self.require(Permission::View, action),
                AgentMsg::Chat { .. } => self.require(Permission::Chat, action),
                AgentMsg::LocalUser { .. } => self.require(Permission::Control, action),
                AgentMsg::Files(FileMsg::Offer(_) | FileMsg::Accept { .. }) => {
                    self.require(Permission::Files, action)
                }
                AgentMsg::Accepted { granted }
                | AgentMsg::GrantsChanged { granted }
                | AgentMsg::UpgradeGranted { granted } => self.within(*granted, action),
                _ => {}
            },
            AgentAction::Emit(event) => match event {
                SessionEvent::Chat {
                    from: Side::Viewer, ..
                } => self.require(Permission::Chat, action),
                SessionEvent::SessionStarted { granted }
                | SessionEvent::GrantChanged { granted }
                | SessionEvent::UpgradeGranted { granted } => self.within(*granted, action),
                _ => {}
            },
            AgentAction::Finish(_) => self.ended = true,
            _ => {}
        }
    }

    /// Checks the state the agent is left in after one input.
    fn settled(&self, agent: &AgentSession) {
        self.within(agent.granted(), &"the agent's grants");
        assert_eq!(
            agent.is_ended(),
            self.ended,
            "ended without Finish, or the reverse"
        );
        if self.screen_on {
            self.require(Permission::View, &"the screen still shared");
        }
        if !(self.may_act() && self.grants.contains(Permission::Control)) {
            assert!(self.pressed.is_empty(), "left pressed: {:?}", self.pressed);
        }
    }
}

/// The displays a script step describes.
fn displays(sizes: &[(u16, u16)]) -> Vec<DisplayInfo> {
    let mut x = 0;
    sizes
        .iter()
        .enumerate()
        .map(|(i, &(w, h))| {
            let display = DisplayInfo {
                name: format!("screen {}", i + 1),
                x,
                y: 0,
                width: u32::from(w),
                height: u32::from(h),
                primary: i == 0,
            };
            x += i32::from(w);
            display
        })
        .collect()
}

/// The agent's input for a step, as the agent binary would make it;
/// `None` for a viewer body that does not decode, or a pause.
fn input(step: Step, now: Instant) -> Option<AgentInput> {
    Some(match step {
        Step::FromViewer(body) => match decode_body::<ViewerMsg>(&body, MAX_PEER_FRAME).ok()? {
            ViewerMsg::Input(event) => AgentInput::RemoteInput { event, at: now },
            ViewerMsg::Hello(hello) => AgentInput::Introduced {
                hello,
                now: crate::fixtures::NOW,
            },
            msg => AgentInput::FromViewer(msg),
        },
        Step::ConsentAnswer(answer) => AgentInput::ConsentAnswer(answer),
        Step::ContinueAnswer(go_on) => AgentInput::ContinueAnswer(go_on),
        Step::Revoke(p) => AgentInput::Revoke(p),
        Step::Timer(t) => AgentInput::TimerFired(t),
        Step::LocalInput { held } => AgentInput::LocalInput { at: now, held },
        Step::ControlLost => AgentInput::ControlLost,
        Step::Displays { sizes, showing } => AgentInput::Displays {
            displays: displays(&sizes),
            showing: u32::from(showing),
        },
        Step::UserChat(text) => AgentInput::UserChat(text),
        Step::UserEnd => AgentInput::UserEnd,
        Step::Lost(Loss::Connection) => AgentInput::ConnectionLost,
        Step::Lost(Loss::PeerLeft) => AgentInput::PeerLeft,
        Step::Lost(Loss::RelayClosed) => AgentInput::RelayClosed(Some("fuzz".into())),
        Step::Lost(Loss::Violation) => AgentInput::ProtocolViolation("fuzz".into()),
        Step::Wait(_) => return None,
        // Answered by the harness, which knows the question's number.
        Step::FetchAnswer(_) => return None,
    })
}

/// Runs `data` as a script against a freshly paired agent, checking the
/// agent's authority after every action; panics on a breach.
pub fn run(data: &[u8]) -> Outcome {
    let Some(script) = script::parse(data) else {
        return Outcome::default();
    };
    let start = Instant::now();
    let mut now = start;
    let mut person = Person::default();
    let mut outcome = Outcome::default();
    let (mut agent, log) = pairing::to_consent(script.requested);
    for action in &log {
        person.observe(action, now);
    }
    outcome.asked = person.offer.is_some();
    assert!(
        outcome.asked,
        "pairing did not reach the consent prompt: {log:?}"
    );
    for step in script.steps {
        if let Step::Wait(ms) = step {
            now += Duration::from_millis(u64::from(ms));
        }
        let input = match step {
            // The question on screen, or the last one (then stale).
            Step::FetchAnswer(yes) => AgentInput::FetchAnswer {
                id: person.last_fetch,
                yes,
            },
            step => match input(step, now) {
                Some(input) => input,
                None => continue,
            },
        };
        person.before(&input);
        for action in agent.handle(input) {
            person.observe(&action, now);
            match action {
                AgentAction::Inject(_) => outcome.injected += 1,
                AgentAction::AskConsent(_) => outcome.upgrades += 1,
                AgentAction::AskContinue { .. } => outcome.continue_checks += 1,
                AgentAction::AskFetch(_) => outcome.fetches += 1,
                AgentAction::Emit(SessionEvent::Chat {
                    from: Side::Viewer, ..
                }) => outcome.viewer_chat += 1,
                _ => {}
            }
        }
        person.settled(&agent);
        outcome.ever_granted = outcome.ever_granted.union(agent.granted());
    }
    outcome.ended = person.ended;
    outcome
}
