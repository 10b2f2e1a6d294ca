//! The headless viewer's commands: one JSON object a line on stdin, the
//! shapes of the command-line contract. Parsing is bounded and every
//! mistake gets a message naming it.

use serde::Deserialize;
use tessera_input::{Button, InputEvent, Key, MAX_SCROLL, NOTCH};

/// Longest command line accepted.
pub const MAX_COMMAND_LINE: usize = 64 * 1024;

/// A command from the technician's automation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Send a chat line.
    Chat {
        /// The text.
        text: String,
    },
    /// Add a line to the intervention report (the cause found, what was
    /// done, advice): signed into both ends' records.
    Note {
        /// The text.
        text: String,
    },
    /// End the session.
    End,
    /// Say what is granted now (a `status` event).
    Status,
    /// Ask the person for more permissions mid-session (what is already
    /// granted is ignored); they answer a new prompt.
    Request {
        /// Permission names: view, control, clipboard, files, chat.
        grants: tessera_proto::Grants,
    },
    /// Write the picture as decoded so far to a PNG file.
    Snapshot {
        /// Where.
        path: String,
    },
    /// Send a file or a folder to the person (with `files` granted): it
    /// lands in their receive folder; `file_offered`, `file_progress`,
    /// `file_done`, `file_complete` or `file_failed` follow.
    SendFile {
        /// On this computer.
        path: String,
    },
    /// Ask for a file or a folder of the person's: they are asked, Deny
    /// by default; a yes brings it to this viewer's receive folder.
    FetchFile {
        /// On the person's computer (`~/` is their home).
        path: String,
    },
    /// Put text on the person's clipboard (with `clipboard` granted).
    Clipboard {
        /// The text.
        text: String,
    },
    /// Put an image, a PNG file of this computer's, on the person's
    /// clipboard (with `clipboard` granted; at most 8 MiB).
    ClipboardImage {
        /// The PNG file.
        path: String,
    },
    /// Stop a transfer.
    CancelFile {
        /// Its number (from `file_offered` or `file_failed`).
        id: u32,
    },
    /// Show another of the agent's displays (an index of its `displays`
    /// event).
    Display {
        /// The display's index.
        index: u32,
    },
    /// Type text, whatever keys the person's layout needs.
    Text {
        /// The text.
        text: String,
    },
    /// A physical key, by W3C `code` name ("Enter", "KeyA", "ShiftLeft").
    Key {
        /// Its name.
        key: String,
        /// `press` (down then up, the default), `down` or `up`.
        #[serde(default)]
        action: KeyAction,
    },
    /// Move the pointer to this position of the shown display.
    MouseMove {
        /// From the left.
        x: u32,
        /// From the top.
        y: u32,
    },
    /// Click where the pointer is; `down` and `up` hold and let go of a
    /// button, for drags.
    Click {
        /// `left` (default), `middle`, `right`, `back`, `forward`.
        #[serde(default = "left")]
        button: String,
        /// 1 (default) for a click, 2 for a double click; at most 3. Only
        /// for `press`.
        #[serde(default = "one")]
        count: u32,
        /// `press` (down then up, the default), `down` or `up`.
        #[serde(default)]
        action: KeyAction,
    },
    /// Scroll by wheel notches (fractions scroll smoothly); positive `dy`
    /// scrolls down.
    Scroll {
        /// Horizontal notches.
        #[serde(default)]
        dx: f64,
        /// Vertical notches.
        #[serde(default)]
        dy: f64,
    },
}

/// What a `key` or `click` command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyAction {
    /// Down, then up.
    #[default]
    Press,
    /// Down only.
    Down,
    /// Up only.
    Up,
}

impl KeyAction {
    /// The name the command uses.
    pub fn name(self) -> &'static str {
        match self {
            KeyAction::Press => "press",
            KeyAction::Down => "down",
            KeyAction::Up => "up",
        }
    }
}

fn left() -> String {
    "left".into()
}

fn one() -> u32 {
    1
}

impl Command {
    /// The input events a command stands for (`None`: not an input
    /// command), or what is wrong with it.
    pub fn input_events(&self) -> Option<Result<Vec<InputEvent>, String>> {
        Some(match self {
            Command::Text { text } => Ok(vec![InputEvent::Text { text: text.clone() }]),
            Command::Key { key, action } => Key::from_name(key)
                .ok_or_else(|| {
                    format!("unknown key {key:?} (W3C code names: Enter, KeyA, ShiftLeft, ...)")
                })
                .map(|key| {
                    let event = |down| InputEvent::Key {
                        key,
                        down,
                        text: None,
                    };
                    match action {
                        KeyAction::Press => vec![event(true), event(false)],
                        KeyAction::Down => vec![event(true)],
                        KeyAction::Up => vec![event(false)],
                    }
                }),
            Command::MouseMove { x, y } => Ok(vec![InputEvent::Move { x: *x, y: *y }]),
            Command::Click {
                button,
                count,
                action,
            } => match (Button::from_name(button), count, action) {
                (None, _, _) => Err(format!(
                    "unknown button {button:?} (left, middle, right, back, forward)"
                )),
                (_, c, _) if !(1..=3).contains(c) => Err(format!("click count {c}: 1 to 3")),
                (Some(_), c, KeyAction::Down | KeyAction::Up) if *c != 1 => Err(format!(
                    "click count {c} with action {}: a count is only for press",
                    action.name()
                )),
                (Some(button), count, KeyAction::Press) => Ok((0..*count)
                    .flat_map(|_| [true, false].map(|down| InputEvent::Button { button, down }))
                    .collect()),
                (Some(button), _, held) => Ok(vec![InputEvent::Button {
                    button,
                    down: *held == KeyAction::Down,
                }]),
            },
            Command::Scroll { dx, dy } => {
                let units = |n: f64| (n * f64::from(NOTCH)).round();
                let (x, y) = (units(*dx), units(*dy));
                let limit = f64::from(MAX_SCROLL);
                if !(x.abs() <= limit && y.abs() <= limit) {
                    Err(format!(
                        "scroll of ({dx}, {dy}) notches: at most 100 either way"
                    ))
                } else {
                    Ok(vec![InputEvent::Scroll {
                        dx: x as i32,
                        dy: y as i32,
                    }])
                }
            }
            Command::Chat { .. }
            | Command::Note { .. }
            | Command::End
            | Command::Status
            | Command::Request { .. }
            | Command::Snapshot { .. }
            | Command::SendFile { .. }
            | Command::FetchFile { .. }
            | Command::CancelFile { .. }
            | Command::Clipboard { .. }
            | Command::ClipboardImage { .. }
            | Command::Display { .. } => return None,
        })
    }
}

/// Parses one line. Errors say what was wrong, for the `error` event.
pub fn parse(line: &str) -> Result<Command, String> {
    if line.len() > MAX_COMMAND_LINE {
        return Err(format!(
            "command of {} bytes is over the {MAX_COMMAND_LINE}-byte limit",
            line.len()
        ));
    }
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    serde_json::from_value(value)
        .map_err(|e| format!("invalid command: {e} (known: chat, note, end, status, request, snapshot, display, send_file, fetch_file, cancel_file, clipboard, text, key, mouse_move, click, scroll)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(line: &str) -> Result<Vec<InputEvent>, String> {
        parse(line)?.input_events().expect("an input command")
    }

    #[test]
    fn input_commands_become_events() {
        assert_eq!(
            events(r#"{"cmd":"key","key":"Enter"}"#).map(|e| e.len()),
            Ok(2),
            "press is down then up"
        );
        assert_eq!(
            events(r#"{"cmd":"click","button":"left","count":2}"#).map(|e| e.len()),
            Ok(4)
        );
        assert_eq!(
            events(r#"{"cmd":"scroll","dy":-0.5}"#),
            Ok(vec![InputEvent::Scroll { dx: 0, dy: -60 }])
        );
        assert_eq!(
            events(r#"{"cmd":"mouse_move","x":100,"y":200}"#),
            Ok(vec![InputEvent::Move { x: 100, y: 200 }])
        );
        assert!(events(r#"{"cmd":"key","key":"Entr"}"#)
            .unwrap_err()
            .contains("unknown key"));
        assert!(events(r#"{"cmd":"click","button":"left","count":9}"#).is_err());
        assert_eq!(
            events(r#"{"cmd":"click","action":"down"}"#),
            Ok(vec![InputEvent::Button {
                button: Button::Left,
                down: true
            }]),
            "a drag holds the button"
        );
        assert!(events(r#"{"cmd":"click","action":"up","count":2}"#)
            .unwrap_err()
            .contains("only for press"));
        assert!(events(r#"{"cmd":"scroll","dy":1e9}"#).is_err());
        assert!(parse(r#"{"cmd":"chat","text":"x"}"#)
            .expect("chat")
            .input_events()
            .is_none());
    }

    #[test]
    fn parses_the_contract_shapes() {
        assert_eq!(
            parse(r#"{"cmd":"chat","text":"hello"}"#),
            Ok(Command::Chat {
                text: "hello".into()
            })
        );
        assert_eq!(parse(r#"{"cmd":"end"}"#), Ok(Command::End));
        assert_eq!(
            parse(r#"{"cmd":"send_file","path":"/tmp/patch.msi"}"#),
            Ok(Command::SendFile {
                path: "/tmp/patch.msi".into()
            })
        );
        assert_eq!(
            parse(r#"{"cmd":"cancel_file","id":4}"#),
            Ok(Command::CancelFile { id: 4 })
        );
        assert_eq!(parse(r#"{"cmd":"status"}"#), Ok(Command::Status));
        assert_eq!(
            parse(r#"{"cmd":"display","index":1}"#),
            Ok(Command::Display { index: 1 })
        );
        assert_eq!(
            parse(r#"{"cmd":"request","grants":["control","chat"]}"#),
            Ok(Command::Request {
                grants: tessera_proto::Grants::parse_list("control,chat").expect("grants")
            })
        );
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(parse("hello").unwrap_err().contains("not a JSON object"));
        assert!(parse(r#"{"cmd":"dance"}"#)
            .unwrap_err()
            .contains("invalid command"));
        assert!(parse(r#"{"cmd":"chat"}"#).unwrap_err().contains("text"));
        assert!(parse(r#"{"cmd":"send_file"}"#)
            .unwrap_err()
            .contains("path"));
        assert!(parse(r#"{"cmd":"request","grants":["root"]}"#)
            .unwrap_err()
            .contains("unknown variant"));
        assert!(parse(&"x".repeat(MAX_COMMAND_LINE + 1))
            .unwrap_err()
            .contains("limit"));
    }
}
