//! egui's keyboard, mouse and wheel, named as the agent expects them:
//! physical keys by their W3C code, buttons, and the wheel's units. Only
//! names change here; what is sent and when is the rule of
//! `tessera_session::held_input`, and how scrolling adds up that of
//! `tessera_session::wheel`.
//!
//! Limits, from egui-winit's key table: the numeric keypad arrives as the
//! main keys (Numpad1 as Digit1, NumpadEnter as Enter, NumpadDivide as
//! Slash), and keys egui does not know (NumpadMultiply, NumpadDecimal,
//! media keys) are not sent.

use eframe::egui;
use tessera_input::{Button, Key};
use tessera_session::wheel::WheelUnit;

/// The physical key egui names `key` (`None`: no such key on the remote
/// keyboard).
pub fn remote_key(key: egui::Key) -> Option<Key> {
    use egui::Key as E;
    Some(match key {
        E::ArrowDown => Key::ArrowDown,
        E::ArrowLeft => Key::ArrowLeft,
        E::ArrowRight => Key::ArrowRight,
        E::ArrowUp => Key::ArrowUp,
        E::Escape => Key::Escape,
        E::Tab => Key::Tab,
        E::Backspace => Key::Backspace,
        E::Enter => Key::Enter,
        E::Space => Key::Space,
        E::Insert => Key::Insert,
        E::Delete => Key::Delete,
        E::Home => Key::Home,
        E::End => Key::End,
        E::PageUp => Key::PageUp,
        E::PageDown => Key::PageDown,
        E::Comma => Key::Comma,
        E::Backslash => Key::Backslash,
        E::Slash => Key::Slash,
        E::OpenBracket => Key::BracketLeft,
        E::CloseBracket => Key::BracketRight,
        E::Backtick => Key::Backquote,
        E::Minus => Key::Minus,
        E::Period => Key::Period,
        E::Plus => Key::NumpadAdd,
        E::Equals => Key::Equal,
        E::Semicolon => Key::Semicolon,
        E::Quote => Key::Quote,
        E::Num0 => Key::Digit0,
        E::Num1 => Key::Digit1,
        E::Num2 => Key::Digit2,
        E::Num3 => Key::Digit3,
        E::Num4 => Key::Digit4,
        E::Num5 => Key::Digit5,
        E::Num6 => Key::Digit6,
        E::Num7 => Key::Digit7,
        E::Num8 => Key::Digit8,
        E::Num9 => Key::Digit9,
        E::A => Key::KeyA,
        E::B => Key::KeyB,
        E::C => Key::KeyC,
        E::D => Key::KeyD,
        E::E => Key::KeyE,
        E::F => Key::KeyF,
        E::G => Key::KeyG,
        E::H => Key::KeyH,
        E::I => Key::KeyI,
        E::J => Key::KeyJ,
        E::K => Key::KeyK,
        E::L => Key::KeyL,
        E::M => Key::KeyM,
        E::N => Key::KeyN,
        E::O => Key::KeyO,
        E::P => Key::KeyP,
        E::Q => Key::KeyQ,
        E::R => Key::KeyR,
        E::S => Key::KeyS,
        E::T => Key::KeyT,
        E::U => Key::KeyU,
        E::V => Key::KeyV,
        E::W => Key::KeyW,
        E::X => Key::KeyX,
        E::Y => Key::KeyY,
        E::Z => Key::KeyZ,
        E::F1 => Key::F1,
        E::F2 => Key::F2,
        E::F3 => Key::F3,
        E::F4 => Key::F4,
        E::F5 => Key::F5,
        E::F6 => Key::F6,
        E::F7 => Key::F7,
        E::F8 => Key::F8,
        E::F9 => Key::F9,
        E::F10 => Key::F10,
        E::F11 => Key::F11,
        E::F12 => Key::F12,
        E::ShiftLeft => Key::ShiftLeft,
        E::ShiftRight => Key::ShiftRight,
        E::ControlLeft => Key::ControlLeft,
        E::ControlRight => Key::ControlRight,
        E::AltLeft => Key::AltLeft,
        E::AltRight => Key::AltRight,
        E::SuperLeft => Key::MetaLeft,
        E::SuperRight => Key::MetaRight,
        E::IntlBackslash => Key::IntlBackslash,
        E::CapsLock => Key::CapsLock,
        E::NumLock => Key::NumLock,
        E::ScrollLock => Key::ScrollLock,
        E::PrintScreen => Key::PrintScreen,
        E::Pause => Key::Pause,
        E::Menu => Key::ContextMenu,
        _ => return None,
    })
}

/// The remote mouse button for egui's `button`.
pub fn remote_button(button: egui::PointerButton) -> Button {
    match button {
        egui::PointerButton::Primary => Button::Left,
        egui::PointerButton::Secondary => Button::Right,
        egui::PointerButton::Middle => Button::Middle,
        egui::PointerButton::Extra1 => Button::Back,
        egui::PointerButton::Extra2 => Button::Forward,
    }
}

/// egui's wheel unit as the wheel rule's.
pub fn wheel_unit(unit: egui::MouseWheelUnit) -> WheelUnit {
    match unit {
        egui::MouseWheelUnit::Point => WheelUnit::Point,
        egui::MouseWheelUnit::Line => WheelUnit::Line,
        egui::MouseWheelUnit::Page => WheelUnit::Page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_place_not_their_letter() {
        assert_eq!(remote_key(egui::Key::Q), Some(Key::KeyQ));
        assert_eq!(remote_key(egui::Key::Num1), Some(Key::Digit1));
        assert_eq!(remote_key(egui::Key::SuperLeft), Some(Key::MetaLeft));
        assert_eq!(remote_key(egui::Key::OpenBracket), Some(Key::BracketLeft));
        assert_eq!(remote_key(egui::Key::F35), None);
    }

    #[test]
    fn every_named_key_maps_to_a_distinct_remote_key() {
        let mut seen = std::collections::BTreeSet::new();
        for key in egui::Key::ALL {
            if let Some(k) = remote_key(*key) {
                assert!(seen.insert(k), "{key:?} maps to {k:?} twice");
            }
        }
        // What egui-winit cannot tell apart: the keypad (module doc).
        let unreachable: Vec<&str> = Key::ALL
            .iter()
            .filter(|k| !seen.contains(*k))
            .map(|k| k.name())
            .collect();
        assert!(
            unreachable.iter().all(|k| k.starts_with("Numpad")),
            "{unreachable:?}"
        );
        assert!(!unreachable.contains(&"NumpadAdd"), "Plus is NumpadAdd");
    }

    #[test]
    fn wheel_units_keep_their_meaning() {
        assert_eq!(wheel_unit(egui::MouseWheelUnit::Point), WheelUnit::Point);
        assert_eq!(wheel_unit(egui::MouseWheelUnit::Line), WheelUnit::Line);
        assert_eq!(wheel_unit(egui::MouseWheelUnit::Page), WheelUnit::Page);
    }
}
