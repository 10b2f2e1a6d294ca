//! Putting admitted events into the person's session. Behind a trait so
//! the agent does not care which desktop it drives; X11 first.

use crate::event::InputEvent;

/// Why an event could not be injected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input injection failed: {0}")]
pub struct InjectError(pub String);

/// Something that injects input events.
pub trait Injector {
    /// Injects one event (already admitted by the gate).
    fn inject(&mut self, event: &InputEvent) -> Result<(), InjectError>;

    /// Where the shown display's top-left corner is on the desktop, so
    /// positions (relative to that display) land where the viewer meant.
    fn set_origin(&mut self, x: i32, y: i32);
}
