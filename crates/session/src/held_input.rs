//! What of the technician's keyboard and mouse goes to the remote machine,
//! and what must be let go there: the window only translates its toolkit's
//! events into these calls and sends what they return.
//!
//! The rules keep the remote machine's keyboard sane: a press is sent only
//! while the view has the keyboard and pointer ("capturing"); a release
//! only for what was sent pressed, so there is never an orphan release;
//! key repeats stay local, as the remote X server repeats by itself; and
//! whatever is held is let go when the window loses focus, or when the
//! technician releases the keyboard with [`RELEASE_COMBINATION`].

use tessera_input::{Button, InputEvent, Key};

/// The key combination that releases the keyboard to the technician's own
/// desktop, in the words the window shows: a Control key and an Alt key
/// pressed together, then both let go with no other key or button pressed
/// in between (as virtual machine viewers do).
pub const RELEASE_COMBINATION: &str = "Ctrl+Alt";

fn is_control(key: Key) -> bool {
    matches!(key, Key::ControlLeft | Key::ControlRight)
}

fn is_alt(key: Key) -> bool {
    matches!(key, Key::AltLeft | Key::AltRight)
}

/// Progress of the release combination, from the technician's own keys
/// (sent or not).
#[derive(Debug, Default)]
struct Combination {
    /// The Control and Alt keys down on the technician's keyboard now.
    down: Vec<Key>,
    /// A Control and an Alt key were down together.
    armed: bool,
    /// Another key or a button was pressed meanwhile: it was a shortcut
    /// such as Ctrl+Alt+T, not the release.
    spoiled: bool,
}

impl Combination {
    fn pressed(&mut self, key: Key) {
        if is_control(key) || is_alt(key) {
            if !self.down.contains(&key) {
                self.down.push(key);
            }
            let control = self.down.iter().any(|k| is_control(*k));
            let alt = self.down.iter().any(|k| is_alt(*k));
            self.armed |= control && alt;
        } else {
            self.other_pressed();
        }
    }

    fn other_pressed(&mut self) {
        if !self.down.is_empty() {
            self.spoiled = true;
        }
    }

    /// Whether letting go of `key` completes the combination.
    fn let_go(&mut self, key: Key) -> bool {
        if !(is_control(key) || is_alt(key)) {
            return false;
        }
        self.down.retain(|k| *k != key);
        if !self.down.is_empty() {
            return false;
        }
        let complete = self.armed && !self.spoiled;
        *self = Self::default();
        complete
    }
}

/// The keys and buttons the remote machine holds down because of us, and
/// whether the keyboard is released to the technician's desktop.
#[derive(Debug, Default)]
pub struct HeldInput {
    /// Keys sent down and not yet up, in press order.
    keys: Vec<Key>,
    /// Buttons sent down and not yet up, in press order.
    buttons: Vec<Button>,
    /// The release combination was completed: keys stay local until
    /// [`recapture`](HeldInput::recapture).
    released: bool,
    combination: Combination,
}

impl HeldInput {
    /// A key went down or up on the technician's keyboard; returns what to
    /// send. `repeat` is the toolkit's auto-repeat flag; `text` is what the
    /// key typed locally (control characters included, passed as they are:
    /// the agent checks them); `capturing` is whether the view has the
    /// keyboard and the pointer now.
    ///
    /// A press is sent when capturing, the keyboard is not released, and
    /// the key is not already held (a repeat never is). A release is sent
    /// for a held key, capturing or not, and nothing else. Completing the
    /// release combination also lets go of everything still held.
    pub fn key(
        &mut self,
        key: Key,
        down: bool,
        repeat: bool,
        text: Option<char>,
        capturing: bool,
    ) -> Vec<InputEvent> {
        if down {
            if repeat {
                return Vec::new();
            }
            self.combination.pressed(key);
            if !capturing || self.released || self.keys.contains(&key) {
                return Vec::new();
            }
            self.keys.push(key);
            return vec![InputEvent::Key {
                key,
                down: true,
                text,
            }];
        }
        let mut out = Vec::new();
        if let Some(at) = self.keys.iter().position(|k| *k == key) {
            self.keys.remove(at);
            out.push(InputEvent::Key {
                key,
                down: false,
                text,
            });
        }
        if self.combination.let_go(key) {
            self.released = true;
            out.extend(self.release_all());
        }
        out
    }

    /// A mouse button went down or up; returns what to send. A press is
    /// sent when capturing (a click into the view should
    /// [`recapture`](Self::recapture) first) and the button is not already
    /// held; a release only for a held button, capturing or not.
    pub fn button(&mut self, button: Button, down: bool, capturing: bool) -> Vec<InputEvent> {
        if down {
            self.combination.other_pressed();
            if !capturing || self.buttons.contains(&button) {
                return Vec::new();
            }
            self.buttons.push(button);
            return vec![InputEvent::Button { button, down: true }];
        }
        match self.buttons.iter().position(|b| *b == button) {
            Some(at) => {
                self.buttons.remove(at);
                vec![InputEvent::Button {
                    button,
                    down: false,
                }]
            }
            None => Vec::new(),
        }
    }

    /// Lets go of everything held: buttons first (a drag ends with its
    /// modifiers still down, as the technician did it), then keys in
    /// reverse press order. For when the window loses focus, the session
    /// pauses input, or the keyboard is released; each is let go once.
    pub fn release_all(&mut self) -> Vec<InputEvent> {
        // Releases of the technician's own keys may never arrive now.
        self.combination = Combination::default();
        let buttons = self
            .buttons
            .drain(..)
            .rev()
            .map(|button| InputEvent::Button {
                button,
                down: false,
            });
        let keys = self.keys.drain(..).rev().map(|key| InputEvent::Key {
            key,
            down: false,
            text: None,
        });
        buttons.chain(keys).collect()
    }

    /// Whether the technician pressed the release combination: keys stay
    /// on their own desktop until [`recapture`](Self::recapture).
    pub fn keyboard_released(&self) -> bool {
        self.released
    }

    /// The keyboard goes to the remote machine again (a click into the
    /// view).
    pub fn recapture(&mut self) {
        self.released = false;
    }

    /// How many keys the remote machine holds down because of us.
    pub fn held_keys(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(key: Key) -> InputEvent {
        InputEvent::Key {
            key,
            down: true,
            text: None,
        }
    }

    fn up(key: Key) -> InputEvent {
        InputEvent::Key {
            key,
            down: false,
            text: None,
        }
    }

    /// Presses and lets go of `key` (no repeat, no text).
    fn press(h: &mut HeldInput, key: Key, capturing: bool) -> Vec<InputEvent> {
        h.key(key, true, false, None, capturing)
    }

    fn let_go(h: &mut HeldInput, key: Key, capturing: bool) -> Vec<InputEvent> {
        h.key(key, false, false, None, capturing)
    }

    #[test]
    fn a_press_is_sent_only_while_capturing() {
        let mut h = HeldInput::default();
        assert_eq!(press(&mut h, Key::KeyA, false), vec![]);
        assert_eq!(h.held_keys(), 0);
        assert_eq!(press(&mut h, Key::KeyB, true), vec![down(Key::KeyB)]);
        assert_eq!(h.held_keys(), 1);
        assert_eq!(
            h.key(Key::KeyC, true, false, Some('c'), true),
            vec![InputEvent::Key {
                key: Key::KeyC,
                down: true,
                text: Some('c')
            }]
        );
    }

    #[test]
    fn repeats_stay_local() {
        let mut h = HeldInput::default();
        assert_eq!(press(&mut h, Key::KeyA, true), vec![down(Key::KeyA)]);
        assert_eq!(h.key(Key::KeyA, true, true, Some('a'), true), vec![]);
        assert_eq!(press(&mut h, Key::KeyA, true), vec![], "a second down");
        // A repeat of a key never sent is not sent either.
        assert_eq!(h.key(Key::KeyB, true, true, Some('b'), true), vec![]);
        assert_eq!(let_go(&mut h, Key::KeyA, true), vec![up(Key::KeyA)]);
        assert_eq!(let_go(&mut h, Key::KeyB, true), vec![], "B was never sent");
    }

    #[test]
    fn a_release_is_sent_only_for_what_is_held_capturing_or_not() {
        let mut h = HeldInput::default();
        assert_eq!(let_go(&mut h, Key::KeyA, true), vec![], "no orphan up");
        assert_eq!(
            press(&mut h, Key::ShiftLeft, true),
            vec![down(Key::ShiftLeft)]
        );
        // The pointer left the view while Shift was held: it is let go.
        assert_eq!(
            let_go(&mut h, Key::ShiftLeft, false),
            vec![up(Key::ShiftLeft)]
        );
        assert_eq!(let_go(&mut h, Key::ShiftLeft, false), vec![], "once");
        assert_eq!(h.held_keys(), 0);
    }

    #[test]
    fn a_key_pressed_while_not_capturing_is_never_released_remotely() {
        let mut h = HeldInput::default();
        assert_eq!(press(&mut h, Key::KeyQ, false), vec![]);
        // The pointer enters the view with Q still down.
        assert_eq!(h.key(Key::KeyQ, true, true, Some('q'), true), vec![]);
        assert_eq!(let_go(&mut h, Key::KeyQ, true), vec![]);
        assert_eq!(h.release_all(), vec![]);
    }

    #[test]
    fn focus_loss_mid_keypress_releases_it_exactly_once() {
        let mut h = HeldInput::default();
        assert_eq!(press(&mut h, Key::KeyX, true), vec![down(Key::KeyX)]);
        assert_eq!(h.release_all(), vec![up(Key::KeyX)]);
        assert_eq!(h.held_keys(), 0);
        // The toolkit may still deliver the release later, or not at all.
        assert_eq!(let_go(&mut h, Key::KeyX, false), vec![]);
        assert_eq!(h.release_all(), vec![]);
    }

    #[test]
    fn release_all_lets_go_of_buttons_then_keys_in_reverse_order() {
        let mut h = HeldInput::default();
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::ShiftLeft, true);
        let _ = press(&mut h, Key::KeyK, true);
        let _ = h.button(Button::Left, true, true);
        let _ = h.button(Button::Right, true, true);
        assert_eq!(
            h.release_all(),
            vec![
                InputEvent::Button {
                    button: Button::Right,
                    down: false
                },
                InputEvent::Button {
                    button: Button::Left,
                    down: false
                },
                up(Key::KeyK),
                up(Key::ShiftLeft),
                up(Key::ControlLeft),
            ]
        );
        assert_eq!(h.held_keys(), 0);
    }

    #[test]
    fn buttons_follow_the_same_rules() {
        let mut h = HeldInput::default();
        let left = |down| InputEvent::Button {
            button: Button::Left,
            down,
        };
        assert_eq!(h.button(Button::Left, true, false), vec![]);
        assert_eq!(h.button(Button::Left, false, false), vec![], "no orphan up");
        assert_eq!(h.button(Button::Left, true, true), vec![left(true)]);
        assert_eq!(h.button(Button::Left, true, true), vec![], "held already");
        // Dragged out of the view: the release still goes.
        assert_eq!(h.button(Button::Left, false, false), vec![left(false)]);
        assert_eq!(h.button(Button::Left, false, true), vec![]);
    }

    #[test]
    fn control_characters_are_passed_as_they_are() {
        let mut h = HeldInput::default();
        for (key, c) in [
            (Key::KeyC, '\u{3}'),
            (Key::Enter, '\r'),
            (Key::Escape, '\u{1b}'),
        ] {
            assert_eq!(
                h.key(key, true, false, Some(c), true),
                vec![InputEvent::Key {
                    key,
                    down: true,
                    text: Some(c)
                }]
            );
        }
    }

    #[test]
    fn the_release_combination_lets_go_of_everything_and_keeps_keys_local() {
        let mut h = HeldInput::default();
        assert_eq!(h.button(Button::Middle, true, true).len(), 1);
        assert_eq!(
            press(&mut h, Key::ControlLeft, true),
            vec![down(Key::ControlLeft)]
        );
        assert_eq!(press(&mut h, Key::AltLeft, true), vec![down(Key::AltLeft)]);
        assert_eq!(let_go(&mut h, Key::AltLeft, true), vec![up(Key::AltLeft)]);
        assert!(!h.keyboard_released(), "not until both are up");
        assert_eq!(
            let_go(&mut h, Key::ControlLeft, true),
            vec![
                up(Key::ControlLeft),
                InputEvent::Button {
                    button: Button::Middle,
                    down: false
                }
            ]
        );
        assert!(h.keyboard_released());
        assert_eq!(h.held_keys(), 0);
        // Keys stay local now, even over the view.
        assert_eq!(press(&mut h, Key::KeyA, true), vec![]);
        assert_eq!(let_go(&mut h, Key::KeyA, true), vec![]);
        // A click into the view takes the keyboard again.
        h.recapture();
        assert!(!h.keyboard_released());
        assert_eq!(press(&mut h, Key::KeyA, true), vec![down(Key::KeyA)]);
    }

    #[test]
    fn the_combination_works_either_way_round_and_with_either_hand() {
        let mut h = HeldInput::default();
        let _ = press(&mut h, Key::AltRight, true);
        let _ = press(&mut h, Key::ControlRight, true);
        let _ = let_go(&mut h, Key::ControlRight, true);
        let _ = let_go(&mut h, Key::AltRight, true);
        assert!(h.keyboard_released());
        // While released and not capturing: still recognised, nothing sent.
        h.recapture();
        let mut h2 = HeldInput::default();
        assert_eq!(press(&mut h2, Key::ControlLeft, false), vec![]);
        assert_eq!(press(&mut h2, Key::AltLeft, false), vec![]);
        assert_eq!(let_go(&mut h2, Key::ControlLeft, false), vec![]);
        assert_eq!(let_go(&mut h2, Key::AltLeft, false), vec![]);
        assert!(h2.keyboard_released());
    }

    #[test]
    fn a_shortcut_with_ctrl_and_alt_is_not_the_combination() {
        let mut h = HeldInput::default();
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::AltLeft, true);
        assert_eq!(press(&mut h, Key::KeyT, true), vec![down(Key::KeyT)]);
        let _ = let_go(&mut h, Key::KeyT, true);
        let _ = let_go(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::ControlLeft, true);
        assert!(!h.keyboard_released(), "Ctrl+Alt+T goes to the remote");

        // Nor is Ctrl+Alt+click.
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::AltLeft, true);
        let _ = h.button(Button::Left, true, true);
        let _ = h.button(Button::Left, false, true);
        let _ = let_go(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::ControlLeft, true);
        assert!(!h.keyboard_released());

        // Nor Control alone, nor Control then Alt one after the other.
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = let_go(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::AltLeft, true);
        assert!(!h.keyboard_released());

        // A spoiled attempt does not spoil the next one.
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::ControlLeft, true);
        assert!(h.keyboard_released());
    }

    #[test]
    fn focus_loss_forgets_a_half_pressed_combination() {
        let mut h = HeldInput::default();
        let _ = press(&mut h, Key::ControlLeft, true);
        let _ = press(&mut h, Key::AltLeft, true);
        assert_eq!(
            h.release_all(),
            vec![up(Key::AltLeft), up(Key::ControlLeft)]
        );
        // The window comes back; the releases arrive late or never.
        let _ = let_go(&mut h, Key::AltLeft, true);
        let _ = let_go(&mut h, Key::ControlLeft, true);
        assert!(!h.keyboard_released());
    }
}
