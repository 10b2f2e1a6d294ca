//! The headless viewer's commands: one JSON object a line on stdin, the
//! shapes of the command-line contract. Parsing is bounded and every
//! mistake gets a message naming it.

use serde::Deserialize;

/// Longest command line accepted.
pub const MAX_COMMAND_LINE: usize = 64 * 1024;

/// A command from the technician's automation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Send a chat line.
    Chat {
        /// The text.
        text: String,
    },
    /// End the session.
    End,
    /// Write the picture as decoded so far to a PNG file.
    Snapshot {
        /// Where.
        path: String,
    },
    /// Show another of the agent's displays (an index of its `displays`
    /// event).
    Display {
        /// The display's index.
        index: u32,
    },
}

/// Commands of the contract that this build does not carry out yet.
const LATER: [&str; 7] = [
    "text",
    "key",
    "mouse_move",
    "click",
    "scroll",
    "request",
    "send_file",
];

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
    let name = value
        .get("cmd")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string();
    if LATER.contains(&name.as_str()) {
        return Err(format!("command {name:?} is not available in this version"));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("invalid command: {e} (known: chat, end, snapshot, display)"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            parse(r#"{"cmd":"display","index":1}"#),
            Ok(Command::Display { index: 1 })
        );
    }

    #[test]
    fn names_what_is_wrong() {
        assert!(parse("hello").unwrap_err().contains("not a JSON object"));
        assert!(parse(r#"{"cmd":"dance"}"#)
            .unwrap_err()
            .contains("invalid command"));
        assert!(parse(r#"{"cmd":"chat"}"#).unwrap_err().contains("text"));
        assert!(parse(r#"{"cmd":"key","key":"Enter"}"#)
            .unwrap_err()
            .contains("not available"));
        assert!(parse(&"x".repeat(MAX_COMMAND_LINE + 1))
            .unwrap_err()
            .contains("limit"));
    }
}
