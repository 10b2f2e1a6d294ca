//! One session as the technician's window sees it: what the events said
//! (granted, displays, chat, the person's own input, the figures), and
//! the requests the window sends. The viewer machine decides everything;
//! this only remembers it for drawing.

use super::remote_screen::RemoteScreen;
use crate::front::Request;
use std::time::{Duration, Instant};
use tessera_proto::peer::DisplayInfo;
use tessera_proto::{Grants, Permission};
use tessera_session::consent::Lang;
use tessera_session::terminal::printable;
use tessera_session::view_stats::{StatusFigures, ViewStats};
use tessera_session::viewer::ViewerInput;
use tessera_session::{SessionEvent, Side};
use tokio::sync::mpsc::UnboundedSender;

/// How long a passing notice ("Snapshot saved to...") stays.
const NOTICE: Duration = Duration::from_secs(8);
/// The most chat lines kept on screen.
const MAX_CHAT_LINES: usize = 500;

/// Where the session is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reaching the relay, pairing, securing the channel.
    Connecting,
    /// The person's prompt is open; how they see the technician, once
    /// the agent said.
    Waiting(Option<SeenAs>),
    /// Consent given.
    Running,
}

/// How the person's prompt shows the technician.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenAs {
    /// Vouched for by an organisation the person's computer trusts.
    pub verified: bool,
    /// That organisation (filtered for the screen).
    pub verified_by: Option<String>,
    /// Why not, when not (a reason code of a closed list).
    pub not_verified: Option<String>,
}

/// A line of the chat.
pub struct ChatLine {
    /// Who wrote it.
    pub from: Side,
    /// What (filtered for the screen).
    pub text: String,
}

/// The window's record of one session.
pub struct SessionView {
    requests: UnboundedSender<Request>,
    /// Where the session is.
    pub phase: Phase,
    /// Granted now, as the agent last said.
    pub granted: Grants,
    /// The agent's displays and which is shown.
    pub displays: Vec<DisplayInfo>,
    /// Index of the shown display.
    pub showing: u32,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// The chat panel is open.
    pub chat_open: bool,
    /// Lines from the person not yet seen.
    pub unread: usize,
    /// The line being written.
    pub draft: String,
    /// A passing line for the technician, and when it goes.
    notice: Option<(String, Instant)>,
    /// The person is using their own keyboard or mouse.
    pub local_user: bool,
    /// The person is asked whether to go on (input paused).
    pub continue_check: bool,
    /// An "Ask for more" request is waiting for the person.
    pub upgrade_pending: bool,
    /// The "Ask for more" dialog, with what is ticked.
    pub ask_more: Option<Grants>,
    stats: ViewStats,
    /// The figures were not all zero when last shown.
    moving: bool,
    rtt: Option<Duration>,
    /// The picture and the input that goes to it.
    pub screen: RemoteScreen,
    /// Why it ended, once it did: the reason's detail, if any.
    pub ended_detail: Option<String>,
    /// End was asked; the window waits for the loop to finish.
    pub ending: bool,
    lang: Lang,
}

impl SessionView {
    /// A session starting: requests go to the session loop on `requests`.
    pub fn new(requests: UnboundedSender<Request>, screen: RemoteScreen, lang: Lang) -> Self {
        Self {
            requests,
            phase: Phase::Connecting,
            granted: Grants::NONE,
            displays: Vec::new(),
            showing: 0,
            chat: Vec::new(),
            chat_open: false,
            unread: 0,
            draft: String::new(),
            notice: None,
            local_user: false,
            continue_check: false,
            upgrade_pending: false,
            ask_more: None,
            stats: ViewStats::default(),
            moving: false,
            rtt: None,
            screen,
            ended_detail: None,
            ending: false,
            lang,
        }
    }

    /// Sends a request to the session loop (gone: the session is ending).
    pub fn send(&self, input: ViewerInput) {
        let _ = self.requests.send(Request::Session(input));
    }

    /// Asks the session loop to write a snapshot.
    pub fn snapshot(&self, path: std::path::PathBuf) {
        let _ = self.requests.send(Request::Snapshot(path));
    }

    /// Ends the session (the loop reports when it is over).
    pub fn end(&mut self) {
        for event in self.screen.release_all() {
            self.send(ViewerInput::UserInput(event));
        }
        self.send(ViewerInput::UserEnd);
        self.ending = true;
    }

    /// Whether `permission` is granted now.
    pub fn may(&self, permission: Permission) -> bool {
        self.granted.contains(permission)
    }

    /// Shows `text` for a few seconds.
    pub fn notify(&mut self, text: String, now: Instant) {
        self.notice = Some((printable(&text), now + NOTICE));
    }

    /// The passing notice, while it lasts.
    pub fn notice(&self, now: Instant) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(text, _)| text.as_str())
    }

    /// The status line's figures.
    pub fn figures(&mut self, now: Instant) -> StatusFigures {
        let figures = self.stats.snapshot(now, self.rtt);
        self.moving = figures.fps > 0.0 || figures.bytes_per_sec > 0.0;
        figures
    }

    /// When the window must look again though nothing arrives: a second
    /// from now while the figures move (they fall to zero when pictures
    /// stop), when the passing notice goes, else never (an idle session
    /// costs no repaint at all).
    pub fn next_wake(&self, now: Instant) -> Option<Duration> {
        let figures = self.moving.then_some(Duration::from_secs(1));
        let notice = self
            .notice
            .as_ref()
            .and_then(|(_, until)| until.checked_duration_since(now));
        figures.into_iter().chain(notice).min()
    }

    /// The round-trip time, as the loop measured it.
    pub fn round_trip(&mut self, rtt: Duration) {
        self.rtt = Some(rtt);
    }

    /// Takes in what the session reported.
    pub fn apply(&mut self, event: SessionEvent, now: Instant) {
        let words = tessera_session::viewer_words::viewer_words(self.lang);
        match event {
            SessionEvent::WaitingForConsent => self.phase = Phase::Waiting(None),
            SessionEvent::PromptShown {
                verified,
                verified_by,
                not_verified,
            } => {
                self.phase = Phase::Waiting(Some(SeenAs {
                    verified,
                    verified_by: verified_by.map(|o| printable(&o)),
                    not_verified: not_verified.map(|r| printable(&r)),
                }))
            }
            SessionEvent::SessionStarted { granted } => {
                self.phase = Phase::Running;
                self.set_granted(granted);
            }
            SessionEvent::GrantChanged { granted } | SessionEvent::UpgradeGranted { granted } => {
                self.upgrade_pending = false;
                self.set_granted(granted);
                // Noticed even with eyes on the picture: the bar changed.
                self.notify(words.grants_changed.to_string(), now);
            }
            SessionEvent::Status { granted, .. } => self.set_granted(granted),
            SessionEvent::UpgradeRequested { .. } => self.upgrade_pending = true,
            SessionEvent::UpgradeRefused { reason } => {
                self.upgrade_pending = false;
                self.notify(
                    format!("{} {}", words.request_refused, reason.describe()),
                    now,
                );
            }
            SessionEvent::Chat { from, text } => {
                if from == Side::Agent && !self.chat_open {
                    self.unread += 1;
                }
                self.chat.push(ChatLine {
                    from,
                    text: printable(&text),
                });
                if self.chat.len() > MAX_CHAT_LINES {
                    self.chat.remove(0);
                }
            }
            SessionEvent::Displays { displays, showing } => {
                self.displays = displays;
                self.showing = showing;
            }
            SessionEvent::Frame { bytes, .. } => self.stats.frame(now, bytes),
            SessionEvent::LocalUser { active } => self.local_user = active,
            SessionEvent::ContinueCheck { open } => self.continue_check = open,
            SessionEvent::Refused { permission, .. } => {
                self.notify(format!("{} {}", words.not_granted, permission.name()), now)
            }
            SessionEvent::SessionEnded { detail, .. } => {
                self.ended_detail = detail.map(|d| printable(&d));
            }
            _ => {}
        }
    }

    fn set_granted(&mut self, granted: Grants) {
        if !granted.contains(Permission::Control) {
            // Nothing stays held on a machine we may no longer touch;
            // the agent lets go too, this keeps our record straight.
            let _ = self.screen.release_all();
        }
        if !granted.contains(Permission::Chat) {
            self.draft.clear();
        }
        self.granted = granted;
    }
}
