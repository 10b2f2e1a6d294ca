//! The person's terminal: where the code, the consent prompt, chat and
//! notices are shown, and where answers and chat lines are typed. It is
//! always the controlling terminal (`/dev/tty`), never standard input, so
//! no pipe or script feeding the agent can answer the prompt.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use tokio::sync::mpsc;

/// The controlling terminal, split into a writer and a stream of lines.
pub struct Tty {
    out: File,
    /// Lines typed by the person, without their newline.
    pub lines: mpsc::Receiver<String>,
}

impl Tty {
    /// Opens `/dev/tty`; fails when the process has no controlling terminal.
    pub fn open() -> io::Result<Self> {
        let input = File::open("/dev/tty")?;
        let out = File::options().write(true).open("/dev/tty")?;
        let (tx, lines) = mpsc::channel(16);
        std::thread::spawn(move || {
            for line in BufReader::new(input).lines() {
                let Ok(line) = line else { break };
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self { out, lines })
    }

    /// Shows `text` as is.
    pub fn say(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    /// Shows `text` on a line of its own.
    pub fn line(&mut self, text: &str) {
        self.say(&format!("{text}\n"));
    }
}
