//! The local clipboard in a session, on X11: one owner for the whole
//! session (an `arboard` clipboard on a thread of its own, which keeps
//! serving what was put there: dropping it would lose it), copies
//! noticed through XFixes (the selection's owner changed, no polling),
//! and never an echo: a change whose contents are what this side put
//! there itself, or what it already reported, is not reported again.
//!
//! Nothing is read unless the session says so ([`LocalClipboard::watch`],
//! while `clipboard` is granted), and nothing that was there before is
//! reported: only copies made after the watch starts.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use tessera_proto::clipboard::Clip;
use tokio::sync::mpsc;
use x11rb::connection::Connection as _;
use x11rb::protocol::xfixes::{ConnectionExt as _, SelectionEventMask};
use x11rb::protocol::xproto::ConnectionExt as _;
use x11rb::protocol::Event;

/// Why the clipboard cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    /// No X server, or no XFixes.
    #[error("cannot watch the clipboard: {0}")]
    Watch(String),
    /// `arboard` could not open the clipboard.
    #[error("cannot open the clipboard: {0}")]
    Open(String),
}

enum Command {
    /// Put this on the clipboard.
    Set(Clip),
    /// The selection's owner changed.
    Changed,
}

/// The session's clipboard. Dropping it ends its threads.
pub struct LocalClipboard {
    commands: std_mpsc::Sender<Command>,
    watching: Arc<AtomicBool>,
}

impl LocalClipboard {
    /// Opens the clipboard of `$DISPLAY`; the copies noticed while
    /// watching come out of the receiver.
    pub fn open() -> Result<(Self, mpsc::UnboundedReceiver<Clip>), ClipboardError> {
        let (commands, commands_rx) = std_mpsc::channel();
        let (copies, copies_rx) = mpsc::unbounded_channel();
        let watching = Arc::new(AtomicBool::new(false));
        let (conn, screen) =
            x11rb::connect(None).map_err(|e| ClipboardError::Watch(e.to_string()))?;
        let root = conn.setup().roots[screen].root;
        let watch = |e: &dyn std::fmt::Display| ClipboardError::Watch(e.to_string());
        conn.xfixes_query_version(5, 0)
            .map_err(|e| watch(&e))?
            .reply()
            .map_err(|e| watch(&e))?;
        let atom = conn
            .intern_atom(false, b"CLIPBOARD")
            .map_err(|e| watch(&e))?
            .reply()
            .map_err(|e| watch(&e))?
            .atom;
        conn.xfixes_select_selection_input(root, atom, SelectionEventMask::SET_SELECTION_OWNER)
            .map_err(|e| watch(&e))?;
        conn.flush().map_err(|e| watch(&e))?;
        let clipboard =
            arboard::Clipboard::new().map_err(|e| ClipboardError::Open(e.to_string()))?;
        let notices = commands.clone();
        std::thread::spawn(move || {
            // Ends when the clipboard is dropped (the send fails) or the
            // X connection goes.
            while let Ok(event) = conn.wait_for_event() {
                if let Event::XfixesSelectionNotify(_) = event {
                    if notices.send(Command::Changed).is_err() {
                        return;
                    }
                }
            }
        });
        let owner = Owner {
            clipboard,
            watching: watching.clone(),
            copies,
            put: None,
            told: None,
        };
        std::thread::spawn(move || owner.run(commands_rx));
        Ok((Self { commands, watching }, copies_rx))
    }

    /// Starts (`true`) or stops reporting copies.
    pub fn watch(&self, on: bool) {
        self.watching.store(on, Ordering::SeqCst);
    }

    /// Puts `clip` on the clipboard (not reported back as a copy).
    pub fn set(&self, clip: Clip) {
        let _ = self.commands.send(Command::Set(clip));
    }
}

impl Drop for LocalClipboard {
    fn drop(&mut self) {
        self.watch(false);
    }
}

/// The thread that owns the clipboard.
struct Owner {
    clipboard: arboard::Clipboard,
    watching: Arc<AtomicBool>,
    copies: mpsc::UnboundedSender<Clip>,
    /// The hash of what this side put there last.
    put: Option<[u8; 32]>,
    /// The hash of what was reported last.
    told: Option<[u8; 32]>,
}

impl Owner {
    fn run(mut self, commands: std_mpsc::Receiver<Command>) {
        while let Ok(command) = commands.recv() {
            match command {
                Command::Set(clip) => {
                    let Some(text) = clip.as_text() else { continue };
                    self.put = Some(clip.sha256());
                    if let Err(e) = self.clipboard.set_text(text) {
                        tracing::warn!("the clipboard could not be set: {e}");
                    }
                }
                Command::Changed if self.watching.load(Ordering::SeqCst) => self.changed(),
                Command::Changed => {}
            }
        }
    }

    /// The owner changed: what is there now, unless it is ours or told.
    fn changed(&mut self) {
        let Ok(text) = self.clipboard.get_text() else {
            return; // not text, or nothing
        };
        let clip = match Clip::text(text) {
            Ok(clip) => clip,
            Err(e) => return tracing::warn!("a copy not sent: {e}"),
        };
        let hash = Some(clip.sha256());
        if hash == self.put || hash == self.told {
            return; // our own, or already told: no echo
        }
        self.told = hash;
        let _ = self.copies.send(clip);
    }
}
