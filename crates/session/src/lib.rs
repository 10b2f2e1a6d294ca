//! The session logic of Tessera as sans-IO state machines, in the manner of
//! quinn-proto and rustls: the agent and the viewer are each a plain value
//! fed [inputs](agent::AgentInput) and returning [actions](agent::AgentAction).
//! No sockets, threads or clocks: timers are actions the caller arms and
//! inputs it feeds back, so every transition is tested without I/O.
//!
//! Everything that happens is also emitted as a typed [`SessionEvent`]: the
//! `--events json` output renders that stream, and the audit log records it.
#![forbid(unsafe_code)]

pub mod agent;
pub mod code_entry;
pub mod command;
pub mod consent;
pub mod continue_check;
mod event;
pub mod held_input;
mod pairing;
pub mod prompt;
pub mod record;
pub mod render;
pub mod system_keys;
pub mod terminal;
pub mod transfer_list;
pub mod transfers;
pub use event::BurnReason;
pub mod view_layout;
pub mod view_stats;
pub mod viewer;
pub mod viewer_view;
pub mod viewer_words;
pub mod wheel;
pub mod words;

pub use event::{CursorInfo, SessionEvent, Side, Technician};

use std::time::Duration;

/// The timers a session arms. The caller runs them and feeds
/// `TimerFired` back; arming one that is already armed restarts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// From pairing until the end-to-end channel is up and the technician
    /// introduced (a stalled handshake ends or burns the code).
    Handshake,
    /// How long the person has to answer the consent prompt.
    Consent,
    /// When refused input not yet reported is reported (refusals are
    /// reported at most once a second, with their count).
    InputRefusals,
    /// When the local user's pause is over ([`tessera_input::LOCAL_PAUSE`]
    /// after their last keystroke or movement), so the viewer is told.
    LocalPause,
    /// After a denied or timed-out upgrade request, or a permission taken
    /// back, the technician must wait this long before asking again.
    UpgradeCooldown,
    /// When a long session's continue check is due.
    ContinueCheck,
    /// How long the person has to answer the continue check.
    ContinueAnswer,
}

/// Durations the state machines use; defaults follow the design brief.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Pairing to introduction.
    pub handshake: Duration,
    /// Consent and upgrade prompts, after which they deny by themselves.
    pub consent: Duration,
    /// Running time after which the person is asked whether to go on
    /// (and again after each yes).
    pub continue_after: Duration,
    /// How long the person has to answer that; no answer ends the session.
    pub continue_answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            handshake: Duration::from_secs(30),
            consent: Duration::from_secs(60),
            continue_after: Duration::from_secs(30 * 60),
            continue_answer: Duration::from_secs(5 * 60),
        }
    }
}
