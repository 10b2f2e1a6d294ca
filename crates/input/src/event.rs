//! What a viewer can ask the agent to do with its keyboard and mouse.
//! Every event is checked here for bounds before the gate decides whether
//! it may be injected at all.

use crate::keys::Key;
use serde::{Deserialize, Serialize};

/// Longest text in one `Text` event, in characters.
pub const MAX_TEXT_CHARS: usize = 256;
/// One wheel notch, in scroll units (a smaller amount is smooth scrolling).
pub const NOTCH: i32 = 120;
/// Largest scroll in one event, either way: 100 notches.
pub const MAX_SCROLL: i32 = 100 * NOTCH;

/// A mouse button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Button {
    /// The primary button.
    Left,
    /// The wheel, pressed.
    Middle,
    /// The secondary button.
    Right,
    /// The "back" side button.
    Back,
    /// The "forward" side button.
    Forward,
}

impl Button {
    /// The name the headless viewer's commands use.
    pub fn name(self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Middle => "middle",
            Button::Right => "right",
            Button::Back => "back",
            Button::Forward => "forward",
        }
    }

    /// The button named `name`.
    pub fn from_name(name: &str) -> Option<Button> {
        [
            Button::Left,
            Button::Middle,
            Button::Right,
            Button::Back,
            Button::Forward,
        ]
        .into_iter()
        .find(|b| b.name() == name)
    }
}

/// One input event, viewer to agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputEvent {
    /// A physical key went down or up. `text` is what it produced on the
    /// technician's keyboard, for the record; the agent presses the same
    /// physical key, and the person's layout decides what it types.
    Key {
        /// Which key.
        key: Key,
        /// Down (`true`) or up.
        down: bool,
        /// What it typed at the viewer, if anything.
        text: Option<char>,
    },
    /// Type this text, whatever keys the person's layout needs for it
    /// (characters with no key on that layout included).
    Text {
        /// At most [`MAX_TEXT_CHARS`] characters; no control characters
        /// but newline and tab.
        text: String,
    },
    /// Move the pointer to this position of the shown display.
    Move {
        /// From the display's left edge.
        x: u32,
        /// From the display's top edge.
        y: u32,
    },
    /// A mouse button went down or up.
    Button {
        /// Which.
        button: Button,
        /// Down (`true`) or up.
        down: bool,
    },
    /// Scroll, in units of 1/120 of a wheel notch ([`NOTCH`]); positive
    /// `dy` scrolls down, positive `dx` right.
    Scroll {
        /// Horizontal amount.
        dx: i32,
        /// Vertical amount.
        dy: i32,
    },
}

/// What is wrong with an event, said so a person can fix their script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Text over the per-event limit.
    #[error("text of {0} characters; at most {MAX_TEXT_CHARS} an event")]
    TextTooLong(usize),
    /// Text holding control characters (other than newline and tab).
    #[error("text holds control characters (only newline and tab are typed)")]
    ControlCharacters,
    /// A position outside the shown display.
    #[error("position ({x}, {y}) is outside the {width}x{height} display")]
    OffScreen {
        /// Asked.
        x: u32,
        /// Asked.
        y: u32,
        /// Display width.
        width: u32,
        /// Display height.
        height: u32,
    },
    /// A scroll larger than [`MAX_SCROLL`] either way.
    #[error("scroll of ({0}, {1}) is beyond {MAX_SCROLL} units either way")]
    ScrollTooLarge(i32, i32),
}

impl InputEvent {
    /// Whether this lets go of a key or button: the one kind of event that
    /// can only ever give control back to the person.
    pub fn is_release(&self) -> bool {
        matches!(
            self,
            InputEvent::Key { down: false, .. } | InputEvent::Button { down: false, .. }
        )
    }

    /// Checks the event's bounds against a `width` x `height` display.
    pub fn validate(&self, width: u32, height: u32) -> Result<(), InputError> {
        match self {
            InputEvent::Text { text } => {
                let len = text.chars().count();
                if len > MAX_TEXT_CHARS {
                    return Err(InputError::TextTooLong(len));
                }
                if text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    return Err(InputError::ControlCharacters);
                }
            }
            InputEvent::Key { text: Some(c), .. }
                if c.is_control()
                    && !matches!(c, '\n' | '\t' | '\r' | '\u{8}' | '\u{1b}' | '\u{7f}') =>
            {
                return Err(InputError::ControlCharacters);
            }
            InputEvent::Move { x, y } if *x >= width || *y >= height => {
                return Err(InputError::OffScreen {
                    x: *x,
                    y: *y,
                    width,
                    height,
                });
            }
            InputEvent::Scroll { dx, dy }
                if !(-MAX_SCROLL..=MAX_SCROLL).contains(dx)
                    || !(-MAX_SCROLL..=MAX_SCROLL).contains(dy) =>
            {
                return Err(InputError::ScrollTooLarge(*dx, *dy));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_and_named() {
        let ok = InputEvent::Text {
            text: "bonjour é à ç € ù\n".into(),
        };
        assert_eq!(ok.validate(1920, 1080), Ok(()));
        let long = InputEvent::Text {
            text: "x".repeat(MAX_TEXT_CHARS + 1),
        };
        assert_eq!(long.validate(1920, 1080), Err(InputError::TextTooLong(257)));
        let escape = InputEvent::Text {
            text: "\x1b[2J".into(),
        };
        assert_eq!(
            escape.validate(1920, 1080),
            Err(InputError::ControlCharacters)
        );
        let off = InputEvent::Move { x: 1920, y: 5 };
        assert!(matches!(
            off.validate(1920, 1080),
            Err(InputError::OffScreen { .. })
        ));
        assert_eq!(
            InputEvent::Move { x: 1919, y: 1079 }.validate(1920, 1080),
            Ok(())
        );
        let wheel = InputEvent::Scroll {
            dx: 0,
            dy: MAX_SCROLL + 1,
        };
        assert!(matches!(
            wheel.validate(1920, 1080),
            Err(InputError::ScrollTooLarge(..))
        ));
        let enter = InputEvent::Key {
            key: Key::Enter,
            down: true,
            text: Some('\r'),
        };
        assert_eq!(enter.validate(1920, 1080), Ok(()));
        assert_eq!(Button::from_name("right"), Some(Button::Right));
        assert_eq!(Button::from_name("Right"), None);
    }
}
