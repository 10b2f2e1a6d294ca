//! The `agent_authority` target's input: what the technician asks for,
//! then a script of what happens to the agent, one step after another, in
//! a byte format both the fuzzer (which mutates it) and the seed writer
//! (which writes it from [`Step`]s) understand. Every byte string is a
//! script: a tag is taken modulo the number of kinds, and a script ends
//! where its bytes do.

use tessera_proto::{Grants, Permission};
use tessera_session::Timer;

/// Every timer, in the order the script numbers them.
pub const TIMERS: [Timer; 7] = [
    Timer::Handshake,
    Timer::Consent,
    Timer::InputRefusals,
    Timer::LocalPause,
    Timer::UpgradeCooldown,
    Timer::ContinueCheck,
    Timer::ContinueAnswer,
];

/// How the connection goes away, or is broken by the viewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// The end-to-end channel or the relay connection dropped.
    Connection,
    /// The relay says the viewer left.
    PeerLeft,
    /// The relay closed the connection.
    RelayClosed,
    /// The viewer sent bytes that are not a message.
    Violation,
}

const LOSSES: [Loss; 4] = [
    Loss::Connection,
    Loss::PeerLeft,
    Loss::RelayClosed,
    Loss::Violation,
];

/// One thing that happens to the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A control-stream frame body from the viewer (version byte and
    /// postcard), decoded as the agent's channel decodes it. Bodies that
    /// do not decode are skipped: [`Loss::Violation`] is that path.
    FromViewer(Vec<u8>),
    /// The person answers the consent or upgrade prompt (or a stale
    /// answer arrives after it closed).
    ConsentAnswer(Option<Grants>),
    /// The person answers the continue check.
    ContinueAnswer(bool),
    /// The person takes a permission back.
    Revoke(Permission),
    /// A timer runs out (armed or not: a late timer must be harmless).
    Timer(Timer),
    /// The person uses their own keyboard or mouse.
    LocalInput {
        /// Whether they still hold something down.
        held: bool,
    },
    /// The agent can no longer watch the person's keyboard and mouse.
    ControlLost,
    /// The capture reports its displays.
    Displays {
        /// Width and height of each (at most four).
        sizes: Vec<(u16, u16)>,
        /// Index of the one shown (maybe out of range).
        showing: u8,
    },
    /// The person types a chat line.
    UserChat(String),
    /// The person ends the session.
    UserEnd,
    /// The connection goes away.
    Lost(Loss),
    /// Time passes, in milliseconds (input rate limit, local pause).
    Wait(u16),
    /// The person answers a fetch question (or a stale answer arrives).
    FetchAnswer(bool),
}

/// The number of step kinds; a tag is taken modulo this.
const KINDS: u8 = 13;

/// Grants from the low five bits of a byte, one bit per permission.
pub fn grants_from_bits(bits: u8) -> Grants {
    Permission::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, p)| p)
        .collect()
}

/// The five bits [`grants_from_bits`] reads.
pub fn grants_to_bits(grants: Grants) -> u8 {
    Permission::ALL
        .into_iter()
        .enumerate()
        .filter(|(_, p)| grants.contains(*p))
        .fold(0, |bits, (i, _)| bits | (1 << i))
}

/// Reads bytes front to back; `None` once they run out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    /// Up to `n` bytes (fewer if the input ends first).
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
}

impl Step {
    fn read(r: &mut Reader) -> Option<Step> {
        Some(match r.byte()? % KINDS {
            0 => {
                let len = usize::from(r.u16()?);
                Step::FromViewer(r.take(len).to_vec())
            }
            1 => match r.byte()? {
                b if b & 0x80 != 0 => Step::ConsentAnswer(None),
                b => Step::ConsentAnswer(Some(grants_from_bits(b))),
            },
            2 => Step::ContinueAnswer(r.byte()? & 1 == 1),
            3 => Step::Revoke(Permission::ALL[usize::from(r.byte()?) % Permission::ALL.len()]),
            4 => Step::Timer(TIMERS[usize::from(r.byte()?) % TIMERS.len()]),
            5 => Step::LocalInput {
                held: r.byte()? & 1 == 1,
            },
            6 => Step::ControlLost,
            7 => {
                let count = r.byte()? % 5;
                let showing = r.byte()?;
                let sizes = (0..count)
                    .map(|_| Some((r.u16()?, r.u16()?)))
                    .collect::<Option<Vec<_>>>()?;
                Step::Displays { sizes, showing }
            }
            8 => {
                let len = usize::from(r.byte()?);
                Step::UserChat(String::from_utf8_lossy(r.take(len)).into_owned())
            }
            9 => Step::UserEnd,
            10 => Step::Lost(LOSSES[usize::from(r.byte()?) % LOSSES.len()]),
            11 => Step::Wait(r.u16()?),
            _ => Step::FetchAnswer(r.byte()? & 1 == 1),
        })
    }

    /// Appends the step's bytes (for seeds); [`parse`] reads them back.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Step::FromViewer(body) => {
                out.push(0);
                let len = u16::try_from(body.len()).expect("a seed body under 64 KiB");
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(body);
            }
            Step::ConsentAnswer(answer) => {
                out.push(1);
                out.push(answer.map_or(0x80, grants_to_bits));
            }
            Step::ContinueAnswer(go_on) => out.extend([2, u8::from(*go_on)]),
            Step::Revoke(p) => out.extend([3, index(&Permission::ALL, p)]),
            Step::Timer(t) => out.extend([4, index(&TIMERS, t)]),
            Step::LocalInput { held } => out.extend([5, u8::from(*held)]),
            Step::ControlLost => out.push(6),
            Step::Displays { sizes, showing } => {
                out.extend([
                    7,
                    u8::try_from(sizes.len()).expect("at most four"),
                    *showing,
                ]);
                for (w, h) in sizes {
                    out.extend_from_slice(&w.to_le_bytes());
                    out.extend_from_slice(&h.to_le_bytes());
                }
            }
            Step::UserChat(text) => {
                out.push(8);
                out.push(u8::try_from(text.len()).expect("a seed chat line under 256 bytes"));
                out.extend_from_slice(text.as_bytes());
            }
            Step::UserEnd => out.push(9),
            Step::Lost(loss) => out.extend([10, index(&LOSSES, loss)]),
            Step::Wait(ms) => {
                out.push(11);
                out.extend_from_slice(&ms.to_le_bytes());
            }
            Step::FetchAnswer(yes) => out.extend([12, u8::from(*yes)]),
        }
    }
}

fn index<T: PartialEq>(all: &[T], item: &T) -> u8 {
    let i = all.iter().position(|x| x == item).expect("listed");
    u8::try_from(i).expect("a short list")
}

/// What the technician asks for, and what happens next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The grants the technician's `Hello` requests.
    pub requested: Grants,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Reads a script: the first byte's low five bits are the request, the
/// rest are steps; `None` for an empty input.
pub fn parse(data: &[u8]) -> Option<Script> {
    let mut r = Reader(data);
    let requested = grants_from_bits(r.byte()?);
    let mut steps = Vec::new();
    while let Some(step) = Step::read(&mut r) {
        steps.push(step);
    }
    Some(Script { requested, steps })
}

impl Script {
    /// The script's bytes (for seeds).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![grants_to_bits(self.requested)];
        for step in &self.steps {
            step.write(&mut out);
        }
        out
    }
}
