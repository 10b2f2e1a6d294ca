//! The person's terminal: where the code, the consent prompt, chat and
//! notices are shown, and where answers and chat lines are typed. It is
//! always the controlling terminal (`/dev/tty`), never standard input, so
//! no pipe or script feeding the agent can answer the prompt.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::time::Instant;
use tessera_net::lines::{read_line, Line};
use tessera_session::terminal::printable;
use tokio::sync::mpsc;

/// The longest line the person may type (a chat message is at most 4000
/// characters of up to 4 bytes).
const MAX_LINE: usize = 16 * 1024;

/// The controlling terminal, split into a writer and a stream of lines.
pub struct Tty {
    out: Option<File>,
    /// Lines typed by the person, without their newline, each with when
    /// it was read (a question's answer must be read after it showed).
    pub lines: mpsc::Receiver<(Line, Instant)>,
    /// Keeps `lines` open when there is no terminal (it never yields).
    _none: Option<mpsc::Sender<(Line, Instant)>>,
}

impl Tty {
    /// Opens `/dev/tty`; fails when the process has no controlling terminal.
    pub fn open() -> io::Result<Self> {
        let input = File::open("/dev/tty")?;
        let out = File::options().write(true).open("/dev/tty")?;
        let (tx, lines) = mpsc::channel(16);
        std::thread::spawn(move || {
            let mut input = BufReader::new(input);
            while let Ok(Some(line)) = read_line(&mut input, MAX_LINE) {
                if tx.blocking_send((line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            out: Some(out),
            lines,
            _none: None,
        })
    }

    /// No terminal (the agent was started from a desktop, with its
    /// window): nothing is shown there and nothing is typed.
    pub fn none() -> Self {
        let (tx, lines) = mpsc::channel(1);
        Self {
            out: None,
            lines,
            _none: Some(tx),
        }
    }

    /// Shows `text`, with every control character but the newline made
    /// harmless: whatever reached it from the network cannot drive the
    /// terminal.
    pub fn say(&mut self, text: &str) {
        if let Some(out) = &mut self.out {
            let _ = out.write_all(printable(text).as_bytes());
            let _ = out.flush();
        }
    }

    /// Discards what was typed but not yet read (a line begun before a
    /// question, which must not answer it).
    pub fn discard_pending(&mut self) {
        if let Some(out) = &self.out {
            if let Err(e) = rustix::termios::tcflush(out, rustix::termios::QueueSelector::IFlush) {
                tracing::warn!("could not discard pending terminal input: {e}");
            }
        }
    }

    /// Shows `text` on a line of its own.
    pub fn line(&mut self, text: &str) {
        self.say(&format!("{text}\n"));
    }
}
