//! The headless presentation: one JSON command a line on stdin (the
//! command-line contract of `tessera_session::command`), and on stdout
//! one JSON event a line (`--events json`) or a sentence an event.

use super::{Front, Request};
use std::collections::VecDeque;
use std::time::SystemTime;
use tessera_audit::record::Direction;
use tessera_net::lines::{read_line, Line};
use tessera_proto::clipboard::ClipKind;
use tessera_proto::Lang;
use tessera_session::command::{self, Command};
use tessera_session::terminal::file_words::{left_out_words, size_words, stop_words};
use tessera_session::terminal::printable;
use tessera_session::viewer::ViewerInput;
use tessera_session::{render, SessionEvent, Side};
use tokio::sync::mpsc;

/// Commands from stdin, events to stdout.
pub struct Headless {
    events_json: bool,
    commands: mpsc::Receiver<Line>,
    open: bool,
    /// Inputs of a command that stands for several (typed text).
    queued: VecDeque<ViewerInput>,
    /// A progress bar for each transfer under way (on stderr, when it is
    /// a terminal; sentences on stdout say how each began and ended).
    bars: std::collections::HashMap<u32, indicatif::ProgressBar>,
}

impl Headless {
    /// Starts reading stdin; `events_json` prints JSON lines, not sentences.
    pub fn new(events_json: bool) -> Self {
        Self {
            events_json,
            commands: spawn_stdin_reader(),
            open: true,
            queued: VecDeque::new(),
            bars: Default::default(),
        }
    }

    /// Turns one command line into a request, or reports its mistake.
    fn command(&mut self, line: &str) -> Option<Request> {
        if line.trim().is_empty() {
            return None;
        }
        let input = match command::parse(line) {
            Ok(Command::Chat { text }) => ViewerInput::UserChat(text),
            Ok(Command::Note { text }) => ViewerInput::UserNote(text),
            Ok(Command::End) => ViewerInput::UserEnd,
            Ok(Command::Request { grants }) => ViewerInput::UserRequest(grants),
            Ok(Command::Status) => ViewerInput::UserStatus,
            Ok(Command::Display { index }) => ViewerInput::UserShowDisplay(index),
            Ok(Command::SendFile { path }) => ViewerInput::UserSendFile(path.into()),
            Ok(Command::FetchFile { path }) => ViewerInput::UserFetchFile(path),
            Ok(Command::CancelFile { id }) => ViewerInput::UserCancelFile(id),
            Ok(Command::Clipboard { text }) => ViewerInput::UserClipboard(text),
            Ok(Command::ClipboardImage { path }) => match read_image(&path) {
                Ok(png) => ViewerInput::UserImage(png),
                Err(message) => {
                    self.error(&message);
                    return None;
                }
            },
            Ok(Command::Snapshot { path }) => return Some(Request::Snapshot(path.into())),
            Ok(other) => match other.input_events() {
                Some(Ok(events)) => {
                    self.queued
                        .extend(events.into_iter().map(ViewerInput::UserInput));
                    return self.queued.pop_front().map(Request::Session);
                }
                Some(Err(message)) => {
                    self.error(&message);
                    return None;
                }
                None => return None,
            },
            Err(message) => {
                self.error(&message);
                return None;
            }
        };
        Some(Request::Session(input))
    }
}

/// Reads stdin lines on a plain thread, so the loop can select on them.
/// (A tokio blocking read would hold the runtime open at exit.) A line
/// over the command limit is dropped unread and reported.
fn spawn_stdin_reader() -> mpsc::Receiver<Line> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Ok(Some(line)) = read_line(&mut stdin, command::MAX_COMMAND_LINE) {
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Front for Headless {
    async fn next(&mut self) -> Option<Request> {
        loop {
            if let Some(input) = self.queued.pop_front() {
                return Some(Request::Session(input));
            }
            if !self.open {
                return None;
            }
            match self.commands.recv().await {
                Some(Line::Text(line)) => {
                    if let Some(request) = self.command(&line) {
                        return Some(request);
                    }
                }
                Some(Line::TooLong) => self.error(&format!(
                    "command line over the {}-byte limit was dropped",
                    command::MAX_COMMAND_LINE
                )),
                None => {
                    // No more commands; the session goes on until it ends.
                    self.open = false;
                    return None;
                }
            }
        }
    }

    fn snapshot_written(&mut self, path: &std::path::Path, width: u32, height: u32) {
        if self.events_json {
            let event = serde_json::json!({
                "event": "snapshot", "path": path.to_string_lossy(),
                "width": width, "height": height,
            });
            println!("{event}");
        } else {
            println!(
                "Snapshot written to {}.",
                printable(&path.to_string_lossy())
            );
        }
    }

    fn error(&mut self, message: &str) {
        if self.events_json {
            println!(
                "{}",
                serde_json::json!({"event": "error", "message": message})
            );
        } else {
            eprintln!("tessera-viewer: {}", printable(message));
        }
    }

    fn event(&mut self, event: &SessionEvent) {
        if self.events_json {
            println!("{}", render::json_line(event, SystemTime::now()));
            return;
        }
        self.progress(event);
        if let Some(text) = sentence(event) {
            // Details and names come from the network: nothing in them
            // may drive the technician's terminal.
            println!("{}", printable(&text));
        }
    }
}

impl Headless {
    /// Moves the transfers' progress bars.
    fn progress(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::FileOffered {
                id,
                name,
                bytes,
                resumed,
                ..
            } => {
                let bar = indicatif::ProgressBar::new(*bytes);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(printable(&format!("{id} {name}")));
                bar.set_position(*resumed);
                self.bars.insert(*id, bar);
            }
            SessionEvent::FileProgress { id, bytes, .. } => {
                if let Some(bar) = self.bars.get(id) {
                    bar.set_position(*bytes);
                }
            }
            SessionEvent::FileComplete { id } | SessionEvent::FileFailed { id, .. } => {
                if let Some(bar) = self.bars.remove(id) {
                    bar.finish_and_clear();
                }
            }
            _ => {}
        }
    }
}

/// What the terminal says of an event (`None`: nothing).
fn sentence(event: &SessionEvent) -> Option<String> {
    Some(match event {
        SessionEvent::Paired => "Found the person's computer; checking the code...".to_string(),
        SessionEvent::Secured { .. } => {
            "Code confirmed: the connection is end-to-end encrypted.".into()
        }
        SessionEvent::WaitingForConsent => {
            "Waiting for the person to accept your request...".into()
        }
        SessionEvent::PromptShown {
            verified_by: Some(org),
            ..
        } => format!("The person sees you as verified by {org}."),
        SessionEvent::PromptShown { not_verified, .. } => format!(
            "The person sees you as NOT verified ({}).",
            not_verified.as_deref().unwrap_or("no reason given")
        ),
        SessionEvent::SessionStarted { granted } => {
            format!("Session started. Granted: {granted}.")
        }
        SessionEvent::GrantChanged { granted } => format!("Grants now: {granted}."),
        SessionEvent::Status { running: true, granted } => {
            format!("Session running. Grants now: {granted}.")
        }
        SessionEvent::Status { running: false, .. } => {
            "No session running yet: nothing is granted.".into()
        }
        SessionEvent::Chat {
            from: Side::Agent,
            text,
        } => format!("[them] {text}"),
        SessionEvent::Chat {
            from: Side::Viewer,
            text,
        } => format!("[you] {text}"),
        SessionEvent::Note { text } => format!("[report] {text}"),
        SessionEvent::Refused { permission, .. } => {
            format!("Refused: {} was not granted.", permission.name())
        }
        SessionEvent::SessionEnded { reason, detail } => format!(
            "Session ended: {}.{}",
            reason.describe(),
            detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        SessionEvent::Frame { .. }
        | SessionEvent::VideoFrame { .. }
        | SessionEvent::Cursor { .. } => return None,
        SessionEvent::FileOffered {
            id,
            dir,
            name,
            files,
            bytes,
            left_out,
            ..
        } => {
            let size = size_words(*bytes, Lang::En);
            let said = match dir {
                Direction::ToAgent => format!("Transfer {id}: sending \"{name}\" ({files} file(s), {size})."),
                Direction::ToViewer => format!("Transfer {id}: receiving \"{name}\" ({files} file(s), {size})."),
            };
            match left_out.is_empty() {
                true => said,
                false => format!("{said}\n{}\n  {}", left_out_words(Lang::En), left_out.join("\n  ")),
            }
        }
        SessionEvent::FileProgress { .. } | SessionEvent::FetchAnswered { .. } => return None,
        SessionEvent::Clipboard {
            from: Side::Agent,
            kind: ClipKind::Text,
            bytes,
            ..
        } => format!("The person copied {bytes} bytes of text (--events json carries it)."),
        SessionEvent::Clipboard {
            from: Side::Agent,
            bytes,
            ..
        } => format!("The person copied an image ({bytes} bytes of PNG)."),
        SessionEvent::Clipboard {
            kind: ClipKind::Text,
            bytes,
            ..
        } => format!("{bytes} bytes of text went to the person's clipboard."),
        SessionEvent::Clipboard { bytes, .. } => {
            format!("An image ({bytes} bytes of PNG) went to the person's clipboard.")
        }
        SessionEvent::FileDone {
            id, name, sha256, ..
        } => format!("Transfer {id}: \"{name}\" arrived whole (SHA-256 {sha256})."),
        SessionEvent::FileComplete { id } => format!("Transfer {id} is complete."),
        SessionEvent::FileFailed { id, why, detail } => format!(
            "Transfer {id} stopped: {}.{}",
            stop_words(*why, Lang::En),
            detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        SessionEvent::InputRefused { reason, count } => {
            format!("Input refused ({}): {count} event(s).", reason.name())
        }
        SessionEvent::LocalUser { active: true } => {
            "The person is using their keyboard or mouse: your input is paused until they stop."
                .into()
        }
        SessionEvent::LocalUser { active: false } => {
            "The person stopped using their keyboard and mouse: your input works again.".into()
        }
        SessionEvent::Displays { displays, showing } => {
            let list: Vec<String> = displays
                .iter()
                .enumerate()
                .map(|(i, d)| format!("{i}: {} {}x{}", d.name, d.width, d.height))
                .collect();
            format!("Displays: {} (showing {showing}).", list.join(", "))
        }
        SessionEvent::UpgradeRequested { requested } => {
            format!("Asked the person for: {requested}. Waiting for their answer...")
        }
        SessionEvent::UpgradeGranted { granted } => {
            format!("The person allowed more. Grants now: {granted}.")
        }
        SessionEvent::UpgradeRefused { reason } => {
            format!("Request refused: {}.", reason.describe())
        }
        SessionEvent::ContinueCheck { open: true } => {
            "The person is asked whether the session should go on: your input is paused until they answer.".into()
        }
        SessionEvent::ContinueCheck { open: false } => {
            "The person chose to go on: your input works again.".into()
        }
        SessionEvent::Code { .. }
        | SessionEvent::CodeBurned { .. }
        | SessionEvent::ConsentRequested { .. } => return None,
    })
}

/// The PNG file a `clipboard_image` command names, read up to one byte
/// past the limit (the session refuses a larger one by name).
fn read_image(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let limit = tessera_proto::clipboard::MAX_CLIPBOARD_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the image {}: {e}", printable(path)))?;
    Ok(bytes)
}
