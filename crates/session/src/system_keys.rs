//! The "Send keys" menu: shortcuts the technician's own desktop would
//! catch before the window sees them (Ctrl+Alt+Del, Alt+Tab, the Super
//! key, Ctrl+Alt+F-keys, Print Screen), sent to the remote machine as
//! whole presses.

use tessera_input::{InputEvent, Key};

/// A shortcut the menu can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemShortcut {
    /// Control, Alt and Delete.
    CtrlAltDelete,
    /// Alt and Tab: switch windows.
    AltTab,
    /// The Super (Windows) key alone: the desktop's menu or overview.
    Super,
    /// Control, Alt and function key 1 to 12: switch virtual terminal.
    CtrlAltF(u8),
    /// Print Screen.
    PrintScreen,
}

/// Function keys by number, 1 to 12.
const FUNCTION_KEYS: [Key; 12] = [
    Key::F1,
    Key::F2,
    Key::F3,
    Key::F4,
    Key::F5,
    Key::F6,
    Key::F7,
    Key::F8,
    Key::F9,
    Key::F10,
    Key::F11,
    Key::F12,
];

impl SystemShortcut {
    /// The menu's entries, in order.
    pub const MENU: &'static [SystemShortcut] = &[
        SystemShortcut::CtrlAltDelete,
        SystemShortcut::AltTab,
        SystemShortcut::Super,
        SystemShortcut::PrintScreen,
        SystemShortcut::CtrlAltF(1),
        SystemShortcut::CtrlAltF(2),
        SystemShortcut::CtrlAltF(3),
        SystemShortcut::CtrlAltF(4),
        SystemShortcut::CtrlAltF(5),
        SystemShortcut::CtrlAltF(6),
        SystemShortcut::CtrlAltF(7),
        SystemShortcut::CtrlAltF(8),
        SystemShortcut::CtrlAltF(9),
        SystemShortcut::CtrlAltF(10),
        SystemShortcut::CtrlAltF(11),
        SystemShortcut::CtrlAltF(12),
    ];

    /// The menu entry's words (key names, the same in every language).
    pub fn label(self) -> String {
        match self {
            SystemShortcut::CtrlAltDelete => "Ctrl+Alt+Del".into(),
            SystemShortcut::AltTab => "Alt+Tab".into(),
            SystemShortcut::Super => "Super".into(),
            SystemShortcut::CtrlAltF(n) => format!("Ctrl+Alt+F{n}"),
            SystemShortcut::PrintScreen => "Print Screen".into(),
        }
    }

    /// The keys pressed, in order.
    fn keys(self) -> Option<Vec<Key>> {
        Some(match self {
            SystemShortcut::CtrlAltDelete => vec![Key::ControlLeft, Key::AltLeft, Key::Delete],
            SystemShortcut::AltTab => vec![Key::AltLeft, Key::Tab],
            SystemShortcut::Super => vec![Key::MetaLeft],
            SystemShortcut::CtrlAltF(n) => {
                let f = FUNCTION_KEYS.get(usize::from(n).checked_sub(1)?)?;
                vec![Key::ControlLeft, Key::AltLeft, *f]
            }
            SystemShortcut::PrintScreen => vec![Key::PrintScreen],
        })
    }

    /// The events that press the shortcut and let it go: every key down in
    /// order, then up in reverse, so nothing stays held. `None` for a
    /// function key outside 1 ..= 12.
    pub fn events(self) -> Option<Vec<InputEvent>> {
        let keys = self.keys()?;
        let downs = keys.iter().map(|&key| InputEvent::Key {
            key,
            down: true,
            text: None,
        });
        let ups = keys.iter().rev().map(|&key| InputEvent::Key {
            key,
            down: false,
            text: None,
        });
        Some(downs.chain(ups).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: Key, down: bool) -> InputEvent {
        InputEvent::Key {
            key,
            down,
            text: None,
        }
    }

    #[test]
    fn ctrl_alt_delete_presses_in_order_and_lets_go_in_reverse() {
        assert_eq!(
            SystemShortcut::CtrlAltDelete.events(),
            Some(vec![
                key(Key::ControlLeft, true),
                key(Key::AltLeft, true),
                key(Key::Delete, true),
                key(Key::Delete, false),
                key(Key::AltLeft, false),
                key(Key::ControlLeft, false),
            ])
        );
        assert_eq!(
            SystemShortcut::Super.events(),
            Some(vec![key(Key::MetaLeft, true), key(Key::MetaLeft, false)])
        );
    }

    #[test]
    fn function_keys_are_1_to_12() {
        let f3 = SystemShortcut::CtrlAltF(3).events().expect("F3");
        assert_eq!(f3[2], key(Key::F3, true));
        let f12 = SystemShortcut::CtrlAltF(12).events().expect("F12");
        assert_eq!(f12[2], key(Key::F12, true));
        assert_eq!(SystemShortcut::CtrlAltF(0).events(), None);
        assert_eq!(SystemShortcut::CtrlAltF(13).events(), None);
        assert_eq!(SystemShortcut::CtrlAltF(255).events(), None);
        assert_eq!(SystemShortcut::CtrlAltF(7).label(), "Ctrl+Alt+F7");
    }

    #[test]
    fn every_menu_entry_sends_balanced_presses_and_has_its_own_label() {
        let mut labels = std::collections::HashSet::new();
        for shortcut in SystemShortcut::MENU {
            assert!(labels.insert(shortcut.label()), "{shortcut:?}");
            let events = shortcut.events().expect("a menu entry sends keys");
            let (downs, ups) = events.split_at(events.len() / 2);
            assert!(downs.iter().all(|e| !e.is_release()), "{shortcut:?}");
            assert!(ups.iter().all(InputEvent::is_release), "{shortcut:?}");
            let pressed: Vec<_> = downs.iter().rev().map(|e| format!("{e:?}")).collect();
            let let_go: Vec<_> = ups
                .iter()
                .map(|e| format!("{e:?}").replace("down: false", "down: true"))
                .collect();
            assert_eq!(pressed, let_go, "{shortcut:?}");
        }
        assert_eq!(SystemShortcut::MENU.len(), 16);
    }
}
