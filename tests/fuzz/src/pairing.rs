//! An agent brought to its consent prompt the way a real session gets
//! there: a real viewer machine pairs with it through the relay's mailbox
//! (SPAKE2 on the same code, then the sealed key confirmations), both ends
//! of the channel come up, and the viewer's `Hello`, signed for this
//! session, reaches the agent. What the agent does next is the fuzzer's.

use crate::fixtures::{self, Who, AGENT_FP, NOW, TECHNICIAN_NAME, VIEWER_FP};
use std::collections::VecDeque;
use std::time::Instant;
use tessera_proto::peer::ViewerMsg;
use tessera_proto::relay::ClientMsg;
use tessera_proto::{Code, Grants, Nameplate, Secret};
use tessera_secure::identity::Introduction;
use tessera_session::agent::{AgentAction, AgentInput, AgentSession};
use tessera_session::viewer::{ViewerAction, ViewerInput, ViewerSession};
use tessera_session::Timeouts;

/// A message in flight, delivered in order as the relay's streams do.
enum Delivery {
    Agent(AgentInput),
    Viewer(ViewerInput),
}

fn mailbox(msg: &ClientMsg) -> Option<Vec<u8>> {
    match msg {
        ClientMsg::Mailbox { payload } => Some(payload.clone()),
        _ => None,
    }
}

/// The two machines, wired together until the agent asks for consent.
struct Wire {
    agent: AgentSession,
    viewer: ViewerSession,
    queue: VecDeque<Delivery>,
    /// Everything the agent asked for, in order.
    log: Vec<AgentAction>,
}

impl Wire {
    fn run(&mut self) {
        while let Some(delivery) = self.queue.pop_front() {
            match delivery {
                Delivery::Agent(input) => self.agent_step(input),
                Delivery::Viewer(input) => self.viewer_step(input),
            }
        }
    }

    fn agent_step(&mut self, input: AgentInput) {
        for action in self.agent.handle(input) {
            match &action {
                AgentAction::Relay(msg) => {
                    if let Some(payload) = mailbox(msg) {
                        self.queue
                            .push_back(Delivery::Viewer(ViewerInput::Mailbox(payload)));
                    }
                }
                AgentAction::ToViewer(msg) => self
                    .queue
                    .push_back(Delivery::Viewer(ViewerInput::FromAgent(msg.clone()))),
                _ => {}
            }
            self.log.push(action);
        }
    }

    fn viewer_step(&mut self, input: ViewerInput) {
        for action in self.viewer.handle(input) {
            let input = match action {
                ViewerAction::Relay(msg) => match mailbox(&msg) {
                    Some(payload) => AgentInput::Mailbox(payload),
                    None => continue,
                },
                // As the agent binary does: the introduction carries the
                // wall-clock time, input its arrival.
                ViewerAction::ToAgent(ViewerMsg::Hello(hello)) => {
                    AgentInput::Introduced { hello, now: NOW }
                }
                ViewerAction::ToAgent(ViewerMsg::Input(event)) => AgentInput::RemoteInput {
                    event,
                    at: Instant::now(),
                },
                ViewerAction::ToAgent(msg) => AgentInput::FromViewer(msg),
                _ => continue,
            };
            self.queue.push_back(Delivery::Agent(input));
        }
    }
}

/// An agent trusting [`fixtures::trust`], paired with a viewer whose
/// technician asks for `requested`, and every action it took to get to
/// its consent prompt (the last ones ask for consent).
pub fn to_consent(requested: Grants) -> (AgentSession, Vec<AgentAction>) {
    let nameplate = Nameplate::new(482).expect("a valid nameplate");
    let secret = || Secret::from_digits([1, 2, 3, 4, 5, 6]).expect("six digits");
    let intro = Introduction {
        name: TECHNICIAN_NAME.into(),
        org: Some(fixtures::ORG_NAME.into()),
        requested,
        certificate: None,
        ticket: None,
    };
    let mut wire = Wire {
        agent: AgentSession::new(Timeouts::default(), fixtures::trust()),
        viewer: ViewerSession::new(
            Code::new(nameplate, secret()),
            intro,
            fixtures::key(Who::Technician),
            Timeouts::default(),
        ),
        queue: VecDeque::new(),
        log: Vec::new(),
    };
    wire.log = wire.agent.start();
    let _ = wire.viewer.start();
    let session_id = [7; 16];
    wire.queue.extend([
        Delivery::Agent(AgentInput::Registered {
            nameplate,
            expires_in_secs: 600,
            secret: secret(),
        }),
        Delivery::Agent(AgentInput::Paired {
            session_id,
            local_fingerprint: AGENT_FP,
        }),
        Delivery::Viewer(ViewerInput::Paired {
            session_id,
            local_fingerprint: VIEWER_FP,
        }),
    ]);
    wire.run();
    wire.queue.extend([
        Delivery::Agent(AgentInput::ChannelUp),
        Delivery::Viewer(ViewerInput::ChannelUp),
    ]);
    wire.run();
    (wire.agent, wire.log)
}
