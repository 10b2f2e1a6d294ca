//! One session in the technician's window: the requests it sends to the
//! session loop, the remote screen, the chat line being written and the
//! "Ask for more" dialog. What the events mean for the window is
//! `tessera_session::viewer_view`; this only acts on what it returns.

use super::remote_screen::RemoteScreen;
use crate::front::Request;
use std::time::Instant;
use tessera_proto::Grants;
use tessera_session::consent::Lang;
use tessera_session::viewer::ViewerInput;
use tessera_session::viewer_view::{ViewEffect, ViewerView};
use tessera_session::SessionEvent;
use tokio::sync::mpsc::UnboundedSender;

/// The window's record of one session.
pub struct SessionView {
    requests: UnboundedSender<Request>,
    /// What the session's events said, and the bar's decisions.
    pub view: ViewerView,
    /// The line being written.
    pub draft: String,
    /// The intervention report's line being written.
    pub note_draft: String,
    /// The "Ask for more" dialog, with what is ticked.
    pub ask_more: Option<Grants>,
    /// The picture and the input that goes to it.
    pub screen: RemoteScreen,
    /// End was asked; the window waits for the loop to finish.
    pub ending: bool,
    /// The files panel: its fields and the session's transfers.
    pub files: super::files_panel::Files,
}

impl SessionView {
    /// A session starting: requests go to the session loop on `requests`.
    pub fn new(requests: UnboundedSender<Request>, screen: RemoteScreen, lang: Lang) -> Self {
        Self {
            requests,
            view: ViewerView::new(lang),
            draft: String::new(),
            note_draft: String::new(),
            ask_more: None,
            screen,
            ending: false,
            files: Default::default(),
        }
    }

    /// Sends a request to the session loop (gone: the session is ending).
    pub fn send(&self, input: ViewerInput) {
        let _ = self.requests.send(Request::Session(input));
    }

    /// Tells the session loop whether the window has the focus.
    pub fn focused(&self, focused: bool) {
        let _ = self.requests.send(Request::Focused(focused));
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

    /// Takes in what the session reported, and does what it asks.
    pub fn apply(&mut self, event: SessionEvent, now: Instant) {
        // A transfer starting shows in the panel.
        if self.files.list.event(&event) {
            self.files.open = true;
        }
        for effect in self.view.apply(event, now) {
            match effect {
                // The agent lets go too: this keeps our record straight.
                ViewEffect::ReleaseHeldInput => {
                    let _ = self.screen.release_all();
                }
                ViewEffect::ClearChatDraft => self.draft.clear(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_proto::Permission;

    fn session() -> SessionView {
        let (requests, _) = tokio::sync::mpsc::unbounded_channel();
        let screen = RemoteScreen::new(Default::default());
        SessionView::new(requests, screen, Lang::En)
    }

    #[test]
    fn chat_taken_back_drops_the_line_being_written() {
        let now = Instant::now();
        let mut s = session();
        s.apply(
            SessionEvent::SessionStarted {
                granted: Grants::ALL,
            },
            now,
        );
        s.draft = "half a sentence".into();
        s.apply(
            SessionEvent::Status {
                running: true,
                granted: Grants::ALL,
            },
            now,
        );
        assert_eq!(s.draft, "half a sentence");
        let granted = Grants::ALL.without(Permission::Chat);
        s.apply(SessionEvent::GrantChanged { granted }, now);
        assert_eq!(s.draft, "");
        assert_eq!(s.view.granted(), granted);
    }
}
