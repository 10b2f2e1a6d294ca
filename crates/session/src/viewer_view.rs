//! One session as the technician's window shows it: where it is, what is
//! granted, the displays, the chat, the person's own input, the passing
//! notice and the status figures, all from the [`SessionEvent`]s the
//! viewer machine emits. The window only draws this and acts on the
//! [`ViewEffect`]s it returns; the small decisions of the bar (may the
//! technician ask for more, why does their input do nothing) are made
//! here too, so that every rule is tested without a window.
//!
//! Every string from the network goes through [`printable`] before it is
//! kept.

use crate::consent::Lang;
use crate::terminal::printable;
use crate::view_stats::{StatusFigures, ViewStats};
use crate::viewer_words::viewer_words;
use crate::{SessionEvent, Side};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tessera_proto::peer::DisplayInfo;
use tessera_proto::{Grants, Permission};

/// How long a passing notice ("Snapshot saved to...") stays.
pub const NOTICE: Duration = Duration::from_secs(8);
/// The most chat lines kept: the oldest go first.
pub const MAX_CHAT_LINES: usize = 500;
/// How often the figures are looked at again while they move: they fall
/// to zero when pictures stop, which no event says.
const FIGURES_EVERY: Duration = Duration::from_secs(1);

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
    /// That organisation (printable).
    pub verified_by: Option<String>,
    /// Why not, when not (a reason code of a closed list; printable).
    pub not_verified: Option<String>,
}

/// A line of the chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatLine {
    /// Who wrote it.
    pub from: Side,
    /// What (printable; line breaks kept).
    pub text: String,
}

impl ChatLine {
    /// The text on one line: a line break shows as ` ↵ `, so that it
    /// cannot pass for a new line of someone else's.
    pub fn single_line(&self) -> String {
        self.text.replace('\n', " ↵ ")
    }
}

/// What the window must do after an event, beyond drawing the new state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewEffect {
    /// `control` is not granted: forget every key and button held on the
    /// remote machine. Their releases need not be sent: the agent lets go
    /// of them itself when control is taken back.
    ReleaseHeldInput,
    /// `chat` is not granted: drop the line being written.
    ClearChatDraft,
}

/// Whether the technician may ask for more, as the bar's button says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AskMore {
    /// Yes: these are not granted and may be asked for.
    Allowed(Grants),
    /// No: a request waits for the person's answer.
    Pending,
    /// No: everything is granted already.
    AllGranted,
}

impl AskMore {
    /// Why the button does nothing, in `lang`; `None` when it works.
    pub fn why_not(self, lang: Lang) -> Option<&'static str> {
        let words = viewer_words(lang);
        match self {
            AskMore::Allowed(_) => None,
            AskMore::Pending => Some(words.asking_for_more),
            AskMore::AllGranted => Some(words.ask_more_all_granted),
        }
    }
}

/// Why the technician's input does nothing now, first reason first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputPause {
    /// `control` is not granted.
    ViewOnly,
    /// The person is asked whether the long session goes on.
    ContinueCheck,
    /// The person is using their own keyboard or mouse.
    LocalUser,
    /// The technician released the keyboard to their own desktop.
    KeyboardReleased,
}

impl InputPause {
    /// What the status line says, in `lang`.
    pub fn words(self, lang: Lang) -> &'static str {
        let words = viewer_words(lang);
        match self {
            InputPause::ViewOnly => words.view_only,
            InputPause::ContinueCheck => words.continue_check,
            InputPause::LocalUser => words.input_paused,
            InputPause::KeyboardReleased => words.keyboard_released,
        }
    }
}

/// A display's label in the display menu: numbered from 1, its name,
/// size, and a star for the primary one (printable).
pub fn display_label(display: &DisplayInfo, index: u32) -> String {
    let primary = if display.primary { " ★" } else { "" };
    printable(&format!(
        "{}: {} {}x{}{primary}",
        u64::from(index) + 1,
        display.name,
        display.width,
        display.height
    ))
}

/// The window's record of one session, fed its events.
#[derive(Debug)]
pub struct ViewerView {
    lang: Lang,
    phase: Phase,
    granted: Grants,
    displays: Vec<DisplayInfo>,
    showing: u32,
    chat: VecDeque<ChatLine>,
    chat_open: bool,
    unread: usize,
    /// A passing line for the technician, and when it goes.
    notice: Option<(String, Instant)>,
    local_user: bool,
    continue_check: bool,
    upgrade_pending: bool,
    stats: ViewStats,
    /// The figures were not all zero when last shown.
    moving: bool,
    rtt: Option<Duration>,
    ended_detail: Option<String>,
}

impl ViewerView {
    /// A session starting, its words in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            phase: Phase::Connecting,
            granted: Grants::NONE,
            displays: Vec::new(),
            showing: 0,
            chat: VecDeque::new(),
            chat_open: false,
            unread: 0,
            notice: None,
            local_user: false,
            continue_check: false,
            upgrade_pending: false,
            stats: ViewStats::default(),
            moving: false,
            rtt: None,
            ended_detail: None,
        }
    }

    /// Where the session is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Granted now, as the agent last said.
    pub fn granted(&self) -> Grants {
        self.granted
    }

    /// Whether `permission` is granted now.
    pub fn may(&self, permission: Permission) -> bool {
        self.granted.contains(permission)
    }

    /// The agent's displays (names as the agent sent them: show them
    /// through [`display_label`]).
    pub fn displays(&self) -> &[DisplayInfo] {
        &self.displays
    }

    /// Index of the shown display.
    pub fn showing(&self) -> u32 {
        self.showing
    }

    /// The chat so far, oldest first, at most [`MAX_CHAT_LINES`].
    pub fn chat(&self) -> &VecDeque<ChatLine> {
        &self.chat
    }

    /// Whether the chat panel is open.
    pub fn chat_open(&self) -> bool {
        self.chat_open
    }

    /// Opens or closes the chat panel; either way its lines count as read.
    pub fn toggle_chat(&mut self) {
        self.chat_open = !self.chat_open;
        self.unread = 0;
    }

    /// Lines from the person that came while the chat was closed.
    pub fn unread(&self) -> usize {
        self.unread
    }

    /// Whether the person is using their own keyboard or mouse.
    pub fn local_user(&self) -> bool {
        self.local_user
    }

    /// Whether the person is asked whether to go on (input paused).
    pub fn continue_check(&self) -> bool {
        self.continue_check
    }

    /// Whether a request for more waits for the person's answer.
    pub fn upgrade_pending(&self) -> bool {
        self.upgrade_pending
    }

    /// Why it ended, once it did: the reason's detail, if any (printable).
    pub fn ended_detail(&self) -> Option<&str> {
        self.ended_detail.as_deref()
    }

    /// Shows `text` (made printable) for [`NOTICE`] from `now`.
    pub fn notify(&mut self, text: &str, now: Instant) {
        self.notice = Some((printable(text), now + NOTICE));
    }

    /// The passing notice, while it lasts.
    pub fn notice(&self, now: Instant) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(text, _)| text.as_str())
    }

    /// The round-trip time, as the loop measured it.
    pub fn round_trip(&mut self, rtt: Duration) {
        self.rtt = Some(rtt);
    }

    /// The status line's figures at `now` (remembering whether they move,
    /// for [`next_wake`](Self::next_wake)).
    pub fn figures(&mut self, now: Instant) -> StatusFigures {
        let figures = self.stats.snapshot(now, self.rtt);
        self.moving = figures.fps > 0.0 || figures.bytes_per_sec > 0.0;
        figures
    }

    /// When the window must look again though nothing arrives: a second
    /// from now while the figures last shown moved (they fall to zero
    /// when pictures stop), when the passing notice goes, else never (an
    /// idle session costs no repaint at all).
    pub fn next_wake(&self, now: Instant) -> Option<Duration> {
        let figures = self.moving.then_some(FIGURES_EVERY);
        let notice = self
            .notice
            .as_ref()
            .and_then(|(_, until)| until.checked_duration_since(now));
        figures.into_iter().chain(notice).min()
    }

    /// Whether "Ask for more" works, and what it may ask: what is not
    /// granted, unless a request already waits.
    pub fn ask_more(&self) -> AskMore {
        let more = self.askable();
        if self.upgrade_pending {
            AskMore::Pending
        } else if more.is_empty() {
            AskMore::AllGranted
        } else {
            AskMore::Allowed(more)
        }
    }

    /// What a request for more may ask: everything not granted now.
    pub fn askable(&self) -> Grants {
        Grants::ALL.difference(self.granted)
    }

    /// Why the technician's input does nothing now, if it does not;
    /// `keyboard_released` is whether they released the keyboard to
    /// their own desktop.
    pub fn input_pause(&self, keyboard_released: bool) -> Option<InputPause> {
        if !self.may(Permission::Control) {
            Some(InputPause::ViewOnly)
        } else if self.continue_check {
            Some(InputPause::ContinueCheck)
        } else if self.local_user {
            Some(InputPause::LocalUser)
        } else if keyboard_released {
            Some(InputPause::KeyboardReleased)
        } else {
            None
        }
    }

    /// Takes in what the session reported at `now`; returns what the
    /// window must do besides drawing.
    pub fn apply(&mut self, event: SessionEvent, now: Instant) -> Vec<ViewEffect> {
        let words = viewer_words(self.lang);
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
                return self.set_granted(granted);
            }
            SessionEvent::UpgradeGranted { granted } => {
                self.upgrade_pending = false;
                self.notify(words.grants_changed, now);
                return self.set_granted(granted);
            }
            SessionEvent::GrantChanged { granted } => {
                // A grant taken back: any request for more is still open.
                // Noticed even with eyes on the picture: the bar changed.
                self.notify(words.grants_changed, now);
                return self.set_granted(granted);
            }
            SessionEvent::Status { granted, .. } => return self.set_granted(granted),
            SessionEvent::UpgradeRequested { .. } => self.upgrade_pending = true,
            SessionEvent::UpgradeRefused { reason } => {
                self.upgrade_pending = false;
                let why = reason.describe_in(self.lang);
                self.notify(&format!("{} {why}", words.request_refused), now);
            }
            SessionEvent::Chat { from, text } => self.chat_line(from, &text),
            SessionEvent::Displays { displays, showing } => {
                self.displays = displays;
                self.showing = showing;
            }
            SessionEvent::Frame { bytes, .. } | SessionEvent::VideoFrame { bytes, .. } => {
                self.stats.frame(now, bytes)
            }
            SessionEvent::LocalUser { active } => self.local_user = active,
            SessionEvent::ContinueCheck { open } => self.continue_check = open,
            SessionEvent::Refused { permission, .. } => {
                let name = words.permission(permission).0;
                self.notify(&format!("{} {name}", words.not_granted), now);
            }
            SessionEvent::SessionEnded { detail, .. } => {
                self.ended_detail = detail.map(|d| printable(&d));
            }
            _ => {}
        }
        Vec::new()
    }

    /// A chat line, counted as unread when from the person while the
    /// chat is closed.
    fn chat_line(&mut self, from: Side, text: &str) {
        if from == Side::Agent && !self.chat_open {
            self.unread = self.unread.saturating_add(1);
        }
        self.chat.push_back(ChatLine {
            from,
            text: printable(text),
        });
        while self.chat.len() > MAX_CHAT_LINES {
            self.chat.pop_front();
        }
    }

    /// What is granted now, and what the window must let go of.
    fn set_granted(&mut self, granted: Grants) -> Vec<ViewEffect> {
        self.granted = granted;
        let mut effects = Vec::new();
        if !granted.contains(Permission::Control) {
            effects.push(ViewEffect::ReleaseHeldInput);
        }
        if !granted.contains(Permission::Chat) {
            effects.push(ViewEffect::ClearChatDraft);
        }
        effects
    }
}

#[cfg(test)]
mod tests;
