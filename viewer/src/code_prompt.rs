//! Asks the technician for the code on their terminal (`/dev/tty`), so it
//! is typed where only they see it: not on the command line, where other
//! local users can read it in `/proc/PID/cmdline` and the shell keeps it
//! in its history. A typo (the check digit catches one) is said at once
//! and the code asked again, before it costs the person's code.

use std::io::{BufRead, BufReader, Write};
use tessera_net::lines::{read_line, Line};
use tessera_proto::Code;
use zeroize::Zeroizing;

/// Longest line read at the prompt: a code with generous spacing.
const MAX_CODE_LINE: usize = 128;

/// What the prompt says before each attempt.
const PROMPT: &str =
    "Code the person reads to you (typed here, it is kept out of your shell history): ";

/// Asks for the code on the controlling terminal until one is valid.
pub fn ask_on_terminal() -> Result<Code, String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| {
            format!(
                "no code given, and no terminal to ask for it on (/dev/tty: {e}): \
                 run `tessera-viewer connect` from a terminal and type the code at its prompt, \
                 or give the code as an argument"
            )
        })?;
    let mut output = tty.try_clone().map_err(|e| format!("/dev/tty: {e}"))?;
    ask(&mut BufReader::new(tty), &mut output)
}

/// Asks on `output` and reads from `input` until a line holds a valid
/// code; fails at the end of the input.
pub fn ask(input: &mut impl BufRead, output: &mut impl Write) -> Result<Code, String> {
    let say = |output: &mut dyn Write, text: &str| {
        output
            .write_all(text.as_bytes())
            .and_then(|()| output.flush())
            .map_err(|e| format!("cannot write to the terminal: {e}"))
    };
    loop {
        say(output, PROMPT)?;
        let line = read_line(input, MAX_CODE_LINE)
            .map_err(|e| format!("cannot read the code from the terminal: {e}"))?;
        match line {
            None => return Err("no code typed".into()),
            Some(Line::TooLong) => say(
                output,
                "That line is too long for a code. Type the digits the person reads to you.\n",
            )?,
            Some(Line::Text(text)) => {
                // The line holds the secret: wiped once parsed.
                let text = Zeroizing::new(text);
                match Code::parse(&text) {
                    Ok(code) => return Ok(code),
                    Err(e) => say(output, &format!("That is not a valid code: {e}.\n"))?,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_said_and_the_code_asked_again() {
        let mut input = std::io::Cursor::new(b"482 913 577 4\n\n482-913-577-2\n".to_vec());
        let mut shown = Vec::new();
        let code = ask(&mut input, &mut shown).expect("the third line is valid");
        assert_eq!(code.display(), "482 913 577 2");
        let shown = String::from_utf8(shown).expect("text");
        assert_eq!(shown.matches(PROMPT).count(), 3, "{shown}");
        assert!(shown.contains("the code has a typo"), "{shown}");
        assert!(shown.contains("the code is empty"), "{shown}");
    }

    #[test]
    fn the_end_of_the_input_is_no_code() {
        let mut input = std::io::Cursor::new(b"12\n".to_vec());
        let mut shown = Vec::new();
        assert_eq!(
            ask(&mut input, &mut shown).err().as_deref(),
            Some("no code typed")
        );
        let mut long = std::io::Cursor::new([b'1'; 500].to_vec());
        assert!(ask(&mut long, &mut Vec::new()).is_err());
    }
}
