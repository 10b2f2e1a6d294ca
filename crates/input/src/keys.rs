//! Physical keys, named as the W3C UI Events `KeyboardEvent.code` names
//! them ("KeyA" is the key left of "KeyS" whatever letter it prints). A
//! key travels as what it is, not what it prints, so the person's layout
//! (AZERTY, QWERTZ...) decides the character, as if they had pressed it.
//! The list is closed: an unknown key does not decode.

use serde::{Deserialize, Serialize};

macro_rules! keys {
    ($($name:ident = $evdev:literal,)*) => {
        /// A physical key of a PC keyboard.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Key {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl Key {
            /// Every key, in wire order.
            pub const ALL: &'static [Key] = &[$(Key::$name,)*];

            /// The W3C `code` name, as the headless viewer's commands use.
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$name => stringify!($name),)*
                }
            }

            /// The Linux input event code (X11 keycodes are this plus 8
            /// on the evdev keymaps every current X server uses).
            pub fn evdev(self) -> u16 {
                match self {
                    $(Key::$name => $evdev,)*
                }
            }
        }
    };
}

keys! {
    Escape = 1, Digit1 = 2, Digit2 = 3, Digit3 = 4, Digit4 = 5, Digit5 = 6,
    Digit6 = 7, Digit7 = 8, Digit8 = 9, Digit9 = 10, Digit0 = 11, Minus = 12,
    Equal = 13, Backspace = 14, Tab = 15, KeyQ = 16, KeyW = 17, KeyE = 18,
    KeyR = 19, KeyT = 20, KeyY = 21, KeyU = 22, KeyI = 23, KeyO = 24,
    KeyP = 25, BracketLeft = 26, BracketRight = 27, Enter = 28,
    ControlLeft = 29, KeyA = 30, KeyS = 31, KeyD = 32, KeyF = 33, KeyG = 34,
    KeyH = 35, KeyJ = 36, KeyK = 37, KeyL = 38, Semicolon = 39, Quote = 40,
    Backquote = 41, ShiftLeft = 42, Backslash = 43, KeyZ = 44, KeyX = 45,
    KeyC = 46, KeyV = 47, KeyB = 48, KeyN = 49, KeyM = 50, Comma = 51,
    Period = 52, Slash = 53, ShiftRight = 54, NumpadMultiply = 55,
    AltLeft = 56, Space = 57, CapsLock = 58, F1 = 59, F2 = 60, F3 = 61,
    F4 = 62, F5 = 63, F6 = 64, F7 = 65, F8 = 66, F9 = 67, F10 = 68,
    NumLock = 69, ScrollLock = 70, Numpad7 = 71, Numpad8 = 72, Numpad9 = 73,
    NumpadSubtract = 74, Numpad4 = 75, Numpad5 = 76, Numpad6 = 77,
    NumpadAdd = 78, Numpad1 = 79, Numpad2 = 80, Numpad3 = 81, Numpad0 = 82,
    NumpadDecimal = 83, IntlBackslash = 86, F11 = 87, F12 = 88,
    NumpadEnter = 96, ControlRight = 97, NumpadDivide = 98, PrintScreen = 99,
    AltRight = 100, Home = 102, ArrowUp = 103, PageUp = 104,
    ArrowLeft = 105, ArrowRight = 106, End = 107, ArrowDown = 108,
    PageDown = 109, Insert = 110, Delete = 111, Pause = 119, MetaLeft = 125,
    MetaRight = 126, ContextMenu = 127,
}

impl Key {
    /// The key named `name` (a W3C `code`, case-sensitive as there).
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The key whose Linux input event code is `code` (an X11 keycode on
    /// an evdev keymap is this plus 8), if it is one of ours.
    pub fn from_evdev(code: u16) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.evdev() == code)
    }

    /// Whether it is a modifier (Shift, Control, Alt, Meta).
    pub fn is_modifier(self) -> bool {
        matches!(
            self,
            Key::ShiftLeft
                | Key::ShiftRight
                | Key::ControlLeft
                | Key::ControlRight
                | Key::AltLeft
                | Key::AltRight
                | Key::MetaLeft
                | Key::MetaRight
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_are_unique_and_round_trip() {
        let mut names = std::collections::HashSet::new();
        let mut codes = std::collections::HashSet::new();
        for &key in Key::ALL {
            assert!(names.insert(key.name()), "{key:?}");
            assert!(codes.insert(key.evdev()), "{key:?}");
            assert_eq!(Key::from_name(key.name()), Some(key));
            assert_eq!(Key::from_evdev(key.evdev()), Some(key));
        }
        assert_eq!(Key::from_evdev(0), None);
        assert_eq!(Key::from_evdev(240), None, "not one of ours");
        assert_eq!(Key::from_name("KeyA").map(Key::evdev), Some(30));
        assert_eq!(Key::from_name("enter"), None, "names are exact");
    }
}
