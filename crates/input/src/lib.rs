//! Remote input for Tessera: the events a technician's viewer sends (by
//! physical key, so the two keyboard layouts need not match), and the
//! [`Gate`] every event passes at the agent before anything is injected:
//! grants, an open prompt, the local user, rates and bounds are all
//! decided there, and what the agent pressed is always released.
//!
//! No I/O but the injection backends (the `x11` feature): the agent
//! injects what the gate lets through.
#![forbid(unsafe_code)]

mod event;
mod gate;
mod inject;
mod keys;
#[cfg(feature = "x11")]
mod x11;
#[cfg(feature = "x11")]
mod x11_local;

pub use event::{Button, InputError, InputEvent, MAX_SCROLL, MAX_TEXT_CHARS, NOTCH};
pub use gate::{
    Context, Gate, Refusal, RefusalKind, Verdict, FLOOD_BURST, FLOOD_RATE, LOCAL_PAUSE,
};
pub use inject::{InjectError, Injector};
pub use keys::Key;
#[cfg(feature = "x11")]
pub use x11::X11Injector;
#[cfg(feature = "x11")]
pub use x11_local::{LocalInputWatch, WatchError};
