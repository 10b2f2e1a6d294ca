//! The two state machines wired to each other in memory, through a fake
//! relay mailbox, for the flow tests: no I/O, every action recorded.
#![allow(dead_code)] // each test file uses part of it

use tessera_proto::pairing::PairingMsg;
use tessera_proto::peer::{Hello, ViewerMsg};
use tessera_proto::relay::ClientMsg;
use tessera_proto::{Code, EndReason, Fingerprint, Grants, Nameplate, Secret};
use tessera_secure::identity::{Introduction, SigningKey, TrustStore, NO_SIGNATURE};
use tessera_session::agent::{AgentAction, AgentInput, AgentSession};
use tessera_session::viewer::{ViewerAction, ViewerInput, ViewerSession};
use tessera_session::{SessionEvent, Timeouts, Timer};

/// The agent's clock when the `Hello` arrives (Unix seconds).
pub const NOW: u64 = 1_800_000_000;

pub const AGENT_FP: Fingerprint = Fingerprint([0xa; 32]);
pub const VIEWER_FP: Fingerprint = Fingerprint([0xb; 32]);

pub fn secret(n: u8) -> Secret {
    Secret::from_digits([n, 1, 3, 5, 7, 7]).expect("digits")
}

pub fn grants(list: &str) -> Grants {
    Grants::parse_list(list).expect("grants")
}

/// A `Hello` signed for no session (what a forger without the session's
/// transcript can send).
pub fn unsigned_hello(name: &str, requested: &str) -> Box<Hello> {
    Box::new(Hello {
        name: name.into(),
        org: None,
        requested: grants(requested),
        key: SigningKey::generate().expect("key").public(),
        certificate: None,
        ticket: None,
        signature: NO_SIGNATURE,
    })
}

/// Both machines and what they have emitted and finished with.
pub struct Pair {
    pub agent: AgentSession,
    pub viewer: ViewerSession,
    pub agent_events: Vec<SessionEvent>,
    pub viewer_events: Vec<SessionEvent>,
    pub agent_relay: Vec<ClientMsg>,
    pub agent_finish: Option<EndReason>,
    pub viewer_finish: Option<EndReason>,
    pub prompt_open: bool,
    /// Every consent or upgrade prompt: (asked, already granted).
    pub asked: Vec<(Grants, Option<Grants>)>,
    /// How many continue checks were shown.
    pub continue_asked: u32,
    pub agent_timers: Vec<Timer>,
    pub screen_on: bool,
    pub keyframes: u32,
    pub shown: Vec<u64>,
    /// Video pictures acknowledged to the agent's video encoder.
    pub video_shown: Vec<u64>,
    pub show_display: Vec<u32>,
    pub injected: Vec<tessera_input::InputEvent>,
    /// What the agent asked its record to keep.
    pub agent_records: Vec<tessera_session::record::Recording>,
    /// What each file worker was told.
    pub agent_files: Vec<tessera_session::transfers::FileOrder>,
    pub viewer_files: Vec<tessera_session::transfers::FileOrder>,
    /// The fetch questions put to the person.
    pub fetch_asked: Vec<tessera_session::agent::FetchRequest>,
    /// Whether the person's copies are noticed.
    pub watching: bool,
    /// Copies the agent sent, and put on the person's clipboard.
    pub clips_sent: Vec<tessera_proto::clipboard::Clip>,
    pub clips_set: Vec<tessera_proto::clipboard::Clip>,
    /// What the viewer asked its record to keep.
    pub viewer_records: Vec<tessera_session::record::Recording>,
    pub queue: std::collections::VecDeque<Delivery>,
}

/// A message in flight, delivered in order like the relay's streams.
pub enum Delivery {
    Agent(AgentInput),
    Viewer(ViewerInput),
}

pub fn unbox(msg: &ClientMsg) -> Option<Vec<u8>> {
    match msg {
        ClientMsg::Mailbox { payload } => Some(payload.clone()),
        _ => None,
    }
}

pub fn boxed(msg: PairingMsg) -> Vec<u8> {
    tessera_proto::frame::encode_payload(&msg)
}

impl Pair {
    /// An agent that registered and shows a code, and a viewer holding
    /// `typed` (a code for the same nameplate, maybe another secret).
    pub fn new(agent_secret: u8, viewer_secret: u8, requested: &str) -> Self {
        let intro = Introduction {
            name: "Jane".into(),
            org: Some("Acme IT".into()),
            requested: grants(requested),
            certificate: None,
            ticket: None,
        };
        let key = SigningKey::generate().expect("key");
        Self::with(
            agent_secret,
            viewer_secret,
            intro,
            key,
            TrustStore::default(),
        )
    }

    /// As [`new`](Self::new), with the technician's identity and the
    /// agent's trust store given.
    pub fn with(
        agent_secret: u8,
        viewer_secret: u8,
        intro: Introduction,
        key: SigningKey,
        trust: TrustStore,
    ) -> Self {
        let nameplate = Nameplate::new(482).expect("valid");
        let code = Code::new(nameplate, secret(viewer_secret));
        let mut pair = Pair {
            agent: AgentSession::new(Timeouts::default(), trust),
            viewer: ViewerSession::new(code, intro, key, Timeouts::default()),
            agent_events: vec![],
            viewer_events: vec![],
            agent_relay: vec![],
            agent_finish: None,
            viewer_finish: None,
            prompt_open: false,
            asked: vec![],
            continue_asked: 0,
            agent_timers: vec![],
            screen_on: false,
            keyframes: 0,
            shown: vec![],
            video_shown: vec![],
            show_display: vec![],
            injected: vec![],
            agent_records: vec![],
            agent_files: vec![],
            viewer_files: vec![],
            fetch_asked: vec![],
            watching: false,
            clips_sent: vec![],
            clips_set: vec![],
            viewer_records: vec![],
            queue: Default::default(),
        };
        let first = pair.agent.start();
        assert_eq!(first, vec![AgentAction::Relay(ClientMsg::Register)]);
        pair.deliver_agent(AgentInput::Registered {
            nameplate,
            expires_in_secs: 600,
            secret: secret(agent_secret),
        });
        pair
    }

    pub fn deliver_agent(&mut self, input: AgentInput) {
        self.queue.push_back(Delivery::Agent(input));
        self.run();
    }

    pub fn deliver_viewer(&mut self, input: ViewerInput) {
        self.queue.push_back(Delivery::Viewer(input));
        self.run();
    }

    pub fn run(&mut self) {
        while let Some(d) = self.queue.pop_front() {
            match d {
                Delivery::Agent(i) if !self.agent.is_ended() => self.agent_step(i),
                Delivery::Viewer(i) if !self.viewer.is_ended() => self.viewer_step(i),
                _ => {}
            }
        }
    }

    pub fn agent_step(&mut self, input: AgentInput) {
        // An answer comes from the prompt, which closes itself.
        if matches!(
            input,
            AgentInput::ConsentAnswer(_)
                | AgentInput::ContinueAnswer(_)
                | AgentInput::FetchAnswer { .. }
        ) {
            self.prompt_open = false;
        }
        let actions = self.agent.handle(input);
        let mut to_viewer = vec![];
        for a in actions {
            match a {
                AgentAction::Relay(msg) => match unbox(&msg) {
                    Some(p) => to_viewer.push(ViewerInput::Mailbox(p)),
                    None => self.agent_relay.push(msg),
                },
                AgentAction::StartChannel { peer_fingerprint } => {
                    assert_eq!(peer_fingerprint, VIEWER_FP)
                }
                AgentAction::ToViewer(m) => to_viewer.push(ViewerInput::FromAgent(m)),
                AgentAction::AskConsent(ask) => {
                    self.prompt_open = true;
                    self.asked.push((ask.requested, ask.already));
                }
                AgentAction::AskContinue { .. } => {
                    self.prompt_open = true;
                    self.continue_asked += 1;
                }
                AgentAction::DismissConsent => self.prompt_open = false,
                AgentAction::SetTimer(t, _) => self.agent_timers.push(t),
                AgentAction::CancelTimer(t) => self.agent_timers.retain(|x| *x != t),
                AgentAction::Emit(e) => self.agent_events.push(e),
                AgentAction::Finish(r) => self.agent_finish = Some(r),
                AgentAction::ShareScreen(on) => self.screen_on = on,
                AgentAction::SendKeyframe => self.keyframes += 1,
                AgentAction::ScreenShown(seq) => self.shown.push(seq),
                AgentAction::VideoShown(seq) => self.video_shown.push(seq),
                AgentAction::ShowDisplay(index) => self.show_display.push(index),
                AgentAction::Inject(event) => self.injected.push(event),
                AgentAction::Record(r) => self.agent_records.push(r),
                AgentAction::Files(order) => self.agent_files.push(order),
                AgentAction::WatchClipboard(on) => self.watching = on,
                AgentAction::SendClipboard(clip) => {
                    to_viewer.push(ViewerInput::RemoteClipboard(clip.clone()));
                    self.clips_sent.push(clip);
                }
                AgentAction::SetClipboard(clip) => self.clips_set.push(clip),
                AgentAction::AskFetch(ask) => {
                    self.prompt_open = true;
                    self.fetch_asked.push(ask);
                }
            }
        }
        self.queue
            .extend(to_viewer.into_iter().map(Delivery::Viewer));
    }

    pub fn viewer_step(&mut self, input: ViewerInput) {
        let actions = self.viewer.handle(input);
        let mut to_agent = vec![];
        for a in actions {
            match a {
                ViewerAction::Relay(msg) => {
                    if let Some(p) = unbox(&msg) {
                        to_agent.push(AgentInput::Mailbox(p));
                    }
                }
                ViewerAction::StartChannel { peer_fingerprint } => {
                    assert_eq!(peer_fingerprint, AGENT_FP)
                }
                // As the agent binary does: input carries its arrival time.
                ViewerAction::ToAgent(ViewerMsg::Input(event)) => {
                    to_agent.push(AgentInput::RemoteInput {
                        event,
                        at: std::time::Instant::now(),
                    })
                }
                // As the agent binary does: the introduction carries the
                // time, for the certificate's validity.
                ViewerAction::ToAgent(ViewerMsg::Hello(hello)) => {
                    to_agent.push(AgentInput::Introduced { hello, now: NOW })
                }
                ViewerAction::ToAgent(m) => to_agent.push(AgentInput::FromViewer(m)),
                ViewerAction::Emit(e) => self.viewer_events.push(e),
                ViewerAction::Files(order) => self.viewer_files.push(order),
                ViewerAction::SendClipboard(clip) => {
                    to_agent.push(AgentInput::RemoteClipboard(clip))
                }
                ViewerAction::SetClipboard(_) => {}
                ViewerAction::Record(r) => self.viewer_records.push(r),
                ViewerAction::Finish(r) => self.viewer_finish = Some(r),
                ViewerAction::SetTimer(..) | ViewerAction::CancelTimer(_) => {}
            }
        }
        self.queue.extend(to_agent.into_iter().map(Delivery::Agent));
    }

    /// The relay pairs them; both sides run the PAKE through the mailbox.
    pub fn pair(&mut self) {
        let _ = self.viewer.start();
        self.queue.push_back(Delivery::Agent(AgentInput::Paired {
            session_id: [7; 16],
            local_fingerprint: AGENT_FP,
        }));
        self.deliver_viewer(ViewerInput::Paired {
            session_id: [7; 16],
            local_fingerprint: VIEWER_FP,
        });
    }

    /// Pairing succeeded; the channel comes up on both sides.
    pub fn connect(&mut self) {
        self.pair();
        let secured = |events: &[SessionEvent]| {
            events
                .iter()
                .any(|e| matches!(e, SessionEvent::Secured { .. }))
        };
        assert!(
            !secured(&self.agent_events),
            "not secured before the channel is up"
        );
        self.deliver_agent(AgentInput::ChannelUp);
        self.deliver_viewer(ViewerInput::ChannelUp);
        assert!(secured(&self.agent_events) && secured(&self.viewer_events));
        assert!(self.prompt_open, "the consent prompt is shown");
    }

    pub fn running(requested: &str, answer: &str) -> Self {
        let mut pair = Pair::new(9, 9, requested);
        pair.connect();
        pair.deliver_agent(AgentInput::ConsentAnswer(Some(grants(answer))));
        pair
    }

    pub fn ended(&self) -> (Option<EndReason>, Option<EndReason>) {
        (self.agent_finish, self.viewer_finish)
    }
}
