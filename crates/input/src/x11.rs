//! Injection into an X11 session with enigo (XTest). Keys go by keycode,
//! the evdev code plus 8, so the person's layout decides what a key types,
//! as if they had pressed it; text goes through enigo, which maps
//! characters that have no key on the layout to a spare keycode.

use crate::event::{Button, InputEvent, NOTCH};
use crate::inject::{InjectError, Injector};
use enigo::{Axis, Coordinate, Direction, Enigo, Keyboard, Mouse, Settings};

/// The X11 injector of one display.
pub struct X11Injector {
    enigo: Enigo,
    origin: (i32, i32),
    /// Scroll units not yet a whole notch (smooth scrolling adds up).
    scroll_rest: (i32, i32),
}

fn err(e: impl std::fmt::Display) -> InjectError {
    InjectError(e.to_string())
}

impl X11Injector {
    /// Connects to `display` (`None`: `$DISPLAY`).
    pub fn open(display: Option<&str>) -> Result<Self, InjectError> {
        let settings = Settings {
            x11_display: display.map(str::to_owned),
            // No pause between events: the viewer's own timing is kept.
            linux_delay: 0,
            // A second guard besides the gate's own releases.
            release_keys_when_dropped: true,
            ..Settings::default()
        };
        let enigo = Enigo::new(&settings)
            .map_err(|e| InjectError(format!("cannot connect to the X display: {e}")))?;
        Ok(Self {
            enigo,
            origin: (0, 0),
            scroll_rest: (0, 0),
        })
    }
}

fn direction(down: bool) -> Direction {
    match down {
        true => Direction::Press,
        false => Direction::Release,
    }
}

impl Injector for X11Injector {
    fn inject(&mut self, event: &InputEvent) -> Result<(), InjectError> {
        match event {
            InputEvent::Key { key, down, .. } => self
                .enigo
                .raw(key.evdev() + 8, direction(*down))
                .map_err(err),
            InputEvent::Text { text } => self.enigo.text(text).map_err(err),
            InputEvent::Move { x, y } => {
                let x = self.origin.0.saturating_add_unsigned(*x);
                let y = self.origin.1.saturating_add_unsigned(*y);
                self.enigo.move_mouse(x, y, Coordinate::Abs).map_err(err)
            }
            InputEvent::Button { button, down } => {
                let button = match button {
                    Button::Left => enigo::Button::Left,
                    Button::Middle => enigo::Button::Middle,
                    Button::Right => enigo::Button::Right,
                    Button::Back => enigo::Button::Back,
                    Button::Forward => enigo::Button::Forward,
                };
                self.enigo.button(button, direction(*down)).map_err(err)
            }
            InputEvent::Scroll { dx, dy } => {
                // X11 wheels scroll by notches: carry what is left over.
                let x = self.scroll_rest.0 + dx;
                let y = self.scroll_rest.1 + dy;
                self.scroll_rest = (x % NOTCH, y % NOTCH);
                if x / NOTCH != 0 {
                    self.enigo
                        .scroll(x / NOTCH, Axis::Horizontal)
                        .map_err(err)?;
                }
                if y / NOTCH != 0 {
                    self.enigo.scroll(y / NOTCH, Axis::Vertical).map_err(err)?;
                }
                Ok(())
            }
        }
    }

    fn set_origin(&mut self, x: i32, y: i32) {
        self.origin = (x, y);
    }
}
