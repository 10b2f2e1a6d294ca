//! Remote input for Tessera: the events a technician's viewer sends (by
//! physical key, so the two keyboard layouts need not match), and the
//! [`Gate`] every event passes at the agent before anything is injected:
//! grants, an open prompt, the local user, rates and bounds are all
//! decided there, and what the agent pressed is always released.
//!
//! No I/O: the agent injects what the gate lets through.
#![forbid(unsafe_code)]

mod event;
mod gate;
mod keys;

pub use event::{Button, InputError, InputEvent, MAX_SCROLL, MAX_TEXT_CHARS, NOTCH};
pub use gate::{Context, Gate, Refusal, Verdict, FLOOD_BURST, FLOOD_RATE, LOCAL_PAUSE};
pub use keys::Key;
