//! The person's terminal (`--ui tty`, and the notices beside the window):
//! what each typed line means, when a question may be answered, and every
//! word shown, in English and French. The agent binary only reads lines,
//! prints what this returns, and discards pending input when told to.
//!
//! A question is shown in two steps: its text at once, its answer line
//! (`Allow? [y/N]`) [`ARM_DELAY`] later. Only a line read after the answer
//! line showed answers it; pending input is discarded when the question
//! appears and again when the answer line shows, so nothing typed before
//! (a chat line, or a `y` the technician typed through remote control)
//! can answer it.

pub mod file_words;
mod words;

pub use words::{connecting, end_reason, recorded_in};

use crate::agent::AgentInput;
use crate::consent::{parse_answer, prompt_text, upgrade_prompt_text, Lang, ARM_DELAY};
use crate::continue_check::{continue_prompt_text, parse_continue};
use crate::event::SessionEvent;
use crate::prompt::ConsentRequest;
use std::time::{Duration, Instant};
use tessera_proto::{Grants, Permission};

/// A line the person typed, stamped when the terminal's reader got it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedLine {
    /// The line, without its newline.
    pub text: String,
    /// When it was read.
    pub at: Instant,
}

/// A question to show: its text now, then its answer line at `arm_at`.
/// Pending terminal input is to be discarded now and at `arm_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Everything but the answer line.
    pub text: String,
    /// When to show the answer line (call [`Terminal::arm`] then).
    pub arm_at: Instant,
}

/// What a typed line (or a line too long to read) leads to.
#[derive(Debug)]
pub enum Typed {
    /// Give this to the session machine.
    Input(AgentInput),
    /// Show this to the person; nothing else happens.
    Notice(&'static str),
    /// Nothing (an empty line outside a question).
    Nothing,
}

/// What the question asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asks {
    /// Consent or an upgrade: these permissions.
    Consent(Grants),
    /// The continue check.
    Continue,
    /// A fetch: may the technician have the file?
    Fetch(tessera_proto::files::TransferId),
}

/// The question open at the terminal.
#[derive(Debug)]
struct Open {
    asks: Asks,
    answer_line: String,
    arm_at: Instant,
    /// When the answer line showed; lines read before answer nothing.
    shown_at: Option<Instant>,
}

/// The terminal's side of the session.
#[derive(Debug)]
pub struct Terminal {
    lang: Lang,
    /// The technician's name, once introduced (chat lines, questions).
    technician: Option<String>,
    /// When the session started (the continue check says how long).
    started: Option<Instant>,
    question: Option<Open>,
}

impl Terminal {
    /// A terminal speaking `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            technician: None,
            started: None,
            question: None,
        }
    }

    /// The language it speaks.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Asks for consent, or for more mid-session, at `now`.
    pub fn ask_consent(&mut self, ask: &ConsentRequest, now: Instant) -> Question {
        self.technician = Some(ask.technician.name.clone());
        let secs = ask.timeout.as_secs();
        let text = match ask.already {
            None => prompt_text(&ask.technician, ask.requested, secs, self.lang),
            Some(had) => upgrade_prompt_text(&ask.technician, ask.requested, had, secs, self.lang),
        };
        self.open(Asks::Consent(ask.requested), &text, now)
    }

    /// Asks whether the long session should go on, at `now`.
    pub fn ask_continue(&mut self, timeout: Duration, now: Instant) -> Question {
        let name = self.technician.clone().unwrap_or_else(|| {
            match self.lang {
                Lang::En => "The technician",
                Lang::Fr => "Le technicien",
            }
            .into()
        });
        let connected = self
            .started
            .map_or(0, |s| now.saturating_duration_since(s).as_secs());
        let text = continue_prompt_text(&name, connected, timeout.as_secs(), self.lang);
        self.open(Asks::Continue, &text, now)
    }

    /// Asks whether the technician may have a file, at `now`.
    pub fn ask_fetch(&mut self, ask: &crate::agent::FetchRequest, now: Instant) -> Question {
        let text = file_words::fetch_prompt_text(
            &ask.technician.name,
            ask.technician.verified_by.as_deref(),
            &ask.path,
            ask.timeout.as_secs(),
            self.lang,
        );
        self.open(Asks::Fetch(ask.id), &text, now)
    }

    fn open(&mut self, asks: Asks, text: &str, now: Instant) -> Question {
        let (body, answer_line) = text.rsplit_once('\n').unwrap_or(("", text));
        let arm_at = now + ARM_DELAY;
        self.question = Some(Open {
            asks,
            answer_line: answer_line.to_string(),
            arm_at,
            shown_at: None,
        });
        Question {
            text: body.to_string(),
            arm_at,
        }
    }

    /// When the open question's answer line is due, if one is waiting.
    pub fn arm_due(&self) -> Option<Instant> {
        self.question
            .as_ref()
            .filter(|q| q.shown_at.is_none())
            .map(|q| q.arm_at)
    }

    /// The answer line to show now (discard pending input first), if its
    /// time came; lines read from `now` on may answer.
    pub fn arm(&mut self, now: Instant) -> Option<String> {
        let question = self.question.as_mut()?;
        if question.shown_at.is_some() || now < question.arm_at {
            return None;
        }
        question.shown_at = Some(now);
        Some(question.answer_line.clone())
    }

    /// The question was taken down (answered elsewhere, timed out, or the
    /// session ended): what to tell the person, if anything.
    pub fn dismiss(&mut self) -> Option<&'static str> {
        match self.question.take()?.asks {
            Asks::Consent(_) | Asks::Fetch(_) => Some(words::withdrawn(self.lang)),
            // The continue check's end is told by the session's end.
            Asks::Continue => None,
        }
    }

    /// What a line typed at the terminal means now.
    pub fn typed(&mut self, line: TypedLine) -> Typed {
        if let Some(question) = &self.question {
            // Read before the answer line showed: meant for something else.
            if question.shown_at.is_none_or(|shown| line.at < shown) {
                return Typed::Notice(words::typed_too_early(self.lang));
            }
            let asks = question.asks;
            self.question = None;
            return Typed::Input(match asks {
                Asks::Consent(requested) => {
                    AgentInput::ConsentAnswer(parse_answer(&line.text, requested))
                }
                Asks::Continue => AgentInput::ContinueAnswer(parse_continue(&line.text)),
                Asks::Fetch(id) => AgentInput::FetchAnswer {
                    id,
                    yes: parse_continue(&line.text),
                },
            });
        }
        let trimmed = line.text.trim();
        let (command, arg) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        match command {
            "/stop" | "/end" => Typed::Input(AgentInput::UserEnd),
            "/revoke" => match Permission::from_name(arg.trim()) {
                Some(p) => Typed::Input(AgentInput::Revoke(p)),
                None => Typed::Notice(words::revoke_usage(self.lang)),
            },
            "/cancel" => match arg.trim().parse() {
                Ok(id) => Typed::Input(AgentInput::StopFile(id)),
                Err(_) => Typed::Notice(words::cancel_usage(self.lang)),
            },
            "" => Typed::Nothing,
            other if other.starts_with('/') => Typed::Notice(words::commands(self.lang)),
            _ => Typed::Input(AgentInput::UserChat(line.text)),
        }
    }

    /// A line too long to be read was typed.
    pub fn too_long(&self) -> &'static str {
        words::too_long(self.lang)
    }

    /// What the person reads for `event` at `now`, if anything, made safe
    /// for a terminal.
    pub fn event_text(&mut self, event: &SessionEvent, now: Instant) -> Option<String> {
        match event {
            SessionEvent::ConsentRequested { technician, .. } => {
                self.technician = Some(technician.name.clone());
            }
            SessionEvent::SessionStarted { .. } => self.started = Some(now),
            _ => {}
        }
        let text = words::event_text(event, self.technician.as_deref(), self.lang)?;
        Some(printable(&text))
    }
}

/// `text` as a terminal may show it: every control character but the
/// newline, and every invisible or direction-changing character, becomes
/// U+FFFD. Text from the network (a relay's words, an error's detail)
/// cannot then clear the screen, draw fake instructions, or set the
/// clipboard (OSC 52).
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => c,
            c if c.is_control() || tessera_proto::peer::is_invisible(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests;
