//! The local clipboard in a session, on X11: one owner for the whole
//! session (an `arboard` clipboard on a thread of its own, which keeps
//! serving what was put there: dropping it would lose it), copies
//! noticed through XFixes (the selection's owner changed, no polling),
//! and never an echo: a change whose contents are the last this side put
//! there or reported is not reported again.
//!
//! Nothing is read unless the session says so ([`LocalClipboard::watch`],
//! while `clipboard` is granted), and what was there when the watch
//! starts is never reported: it is the baseline. A side may ask to catch
//! up when its watch starts again (the technician's window gaining the
//! focus): a copy made while not watched is then reported; the person's
//! side never asks, so nothing copied while `clipboard` was not granted
//! crosses later.
//!
//! Text and images: an image is read as pixels and sent as PNG
//! ([`image`]); one received is decoded with bounds before its pixels
//! are put there, and its echo is recognised by its pixels.

pub mod image;

use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use tessera_proto::clipboard::{Clip, ClipKind};
use tokio::sync::mpsc;
use x11rb::connection::Connection as _;
use x11rb::protocol::xfixes::{ConnectionExt as _, SelectionEventMask};
use x11rb::protocol::xproto::{
    ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

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
    /// Start or stop reporting copies; `catch_up`: report a copy made
    /// while not watched.
    Watch { on: bool, catch_up: bool },
    /// The session is over.
    Quit,
}

/// The session's clipboard. Dropping it ends its threads.
pub struct LocalClipboard {
    commands: std_mpsc::Sender<Command>,
    /// The watcher's connection and its own window, to wake it at the end.
    watcher: (Arc<RustConnection>, Window),
}

impl LocalClipboard {
    /// Opens the clipboard of `$DISPLAY`; the copies noticed while
    /// watching come out of the receiver.
    pub fn open() -> Result<(Self, mpsc::UnboundedReceiver<Clip>), ClipboardError> {
        let watch = |e: &dyn std::fmt::Display| ClipboardError::Watch(e.to_string());
        let (conn, screen) = x11rb::connect(None).map_err(|e| watch(&e))?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots[screen].root;
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
        // A window of the watcher's own, never shown: the end of the
        // session is sent to it, which wakes the watcher to stop.
        let own = conn.generate_id().map_err(|e| watch(&e))?;
        conn.create_window(
            0,
            own,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )
        .map_err(|e| watch(&e))?;
        conn.flush().map_err(|e| watch(&e))?;
        let clipboard =
            arboard::Clipboard::new().map_err(|e| ClipboardError::Open(e.to_string()))?;
        let (commands, commands_rx) = std_mpsc::channel();
        let (copies, copies_rx) = mpsc::unbounded_channel();
        let notices = commands.clone();
        let watcher = conn.clone();
        std::thread::spawn(move || {
            while let Ok(event) = watcher.wait_for_event() {
                match event {
                    Event::XfixesSelectionNotify(_) if notices.send(Command::Changed).is_err() => {
                        return
                    }
                    Event::ClientMessage(_) => return, // the session is over
                    _ => {}
                }
            }
        });
        let owner = Owner {
            clipboard,
            copies,
            watching: false,
            changed_while_off: false,
            last: None,
        };
        std::thread::spawn(move || owner.run(commands_rx));
        let local = Self {
            commands,
            watcher: (conn, own),
        };
        Ok((local, copies_rx))
    }

    /// The clipboard of this desktop, when there is one (`$DISPLAY` set)
    /// and it opens; else `None`, with the reason in the log: sharing
    /// the clipboard is then off, the session goes on.
    pub fn open_desktop() -> Option<(Self, mpsc::UnboundedReceiver<Clip>)> {
        std::env::var_os("DISPLAY").filter(|d| !d.is_empty())?;
        match Self::open() {
            Ok(opened) => Some(opened),
            Err(e) => {
                tracing::warn!("{e}: clipboard sharing is off");
                None
            }
        }
    }

    /// Starts (`true`) or stops reporting copies. What is there when it
    /// starts is not reported, unless `catch_up` and it was copied while
    /// not watched.
    pub fn watch(&self, on: bool, catch_up: bool) {
        let _ = self.commands.send(Command::Watch { on, catch_up });
    }

    /// Puts `clip` on the clipboard (not reported back as a copy).
    pub fn set(&self, clip: Clip) {
        let _ = self.commands.send(Command::Set(clip));
    }
}

impl Drop for LocalClipboard {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Quit);
        let (conn, own) = &self.watcher;
        let wake = ClientMessageEvent::new(32, *own, x11rb::NONE, [0u32; 5]);
        let _ = conn.send_event(false, *own, EventMask::NO_EVENT, wake);
        let _ = conn.flush();
    }
}

/// The thread that owns the clipboard.
struct Owner {
    clipboard: arboard::Clipboard,
    copies: mpsc::UnboundedSender<Clip>,
    watching: bool,
    /// The owner changed while not watched (a copy then, unread).
    changed_while_off: bool,
    /// The hash of what this side put there or reported last (or saw
    /// there when the watch started): never reported again.
    last: Option<[u8; 32]>,
}

impl Owner {
    fn run(mut self, commands: std_mpsc::Receiver<Command>) {
        while let Ok(command) = commands.recv() {
            match command {
                Command::Set(clip) => self.put(&clip),
                Command::Changed if self.watching => self.report(),
                Command::Changed => self.changed_while_off = true,
                Command::Watch { on: false, .. } => self.watching = false,
                Command::Watch { on: true, .. } if self.watching => {}
                Command::Watch { on: true, catch_up } => {
                    self.watching = true;
                    let copied = std::mem::take(&mut self.changed_while_off);
                    match catch_up && copied {
                        true => self.report(),
                        // What is there now is the baseline, not a copy.
                        false => self.last = self.read().map(|(_, id)| id).or(self.last),
                    }
                }
                Command::Quit => return,
            }
        }
    }

    /// Puts `clip` there: text as text, an image decoded (with bounds)
    /// into pixels. Remembers its identity, so it is not reported back.
    fn put(&mut self, clip: &Clip) {
        let (set, id) = match clip.kind {
            ClipKind::Text => {
                let Some(text) = clip.as_text() else { return };
                (self.clipboard.set_text(text), clip.sha256())
            }
            ClipKind::Png => match image::from_png(clip.bytes()) {
                Ok(rgba) => {
                    let id = rgba.identity();
                    let data = arboard::ImageData {
                        width: rgba.width as usize,
                        height: rgba.height as usize,
                        bytes: rgba.pixels.into(),
                    };
                    (self.clipboard.set_image(data), id)
                }
                Err(e) => {
                    tracing::warn!("a copied image not put on the clipboard: {e}");
                    return;
                }
            },
        };
        match set {
            Ok(()) => self.last = Some(id),
            Err(e) => tracing::warn!("the clipboard could not be set: {e}"),
        }
    }

    /// What the clipboard holds and its identity (the text's hash, or the
    /// image's pixels' hash): text if there is text, else an image, still
    /// as pixels (encoding waits until it is known to be a new copy).
    fn read(&mut self) -> Option<(Held, [u8; 32])> {
        if let Ok(text) = self.clipboard.get_text() {
            return match Clip::text(text) {
                Ok(clip) => {
                    let id = clip.sha256();
                    Some((Held::Text(clip), id))
                }
                Err(e) => {
                    tracing::warn!("a copy not sent: {e}");
                    None
                }
            };
        }
        let data = self.clipboard.get_image().ok()?; // nothing, or neither
        let rgba = image::Rgba {
            width: u32::try_from(data.width).ok()?,
            height: u32::try_from(data.height).ok()?,
            pixels: data.bytes.into_owned(),
        };
        let id = rgba.identity();
        Some((Held::Image(rgba), id))
    }

    /// What is there now, unless it is the last put or reported.
    fn report(&mut self) {
        let Some((held, id)) = self.read() else {
            return;
        };
        if Some(id) == self.last {
            return; // our own, or already told: no echo
        }
        self.last = Some(id);
        let clip = match held {
            Held::Text(clip) => clip,
            Held::Image(rgba) => {
                let encoded = image::to_png(&rgba)
                    .map_err(|e| e.to_string())
                    .and_then(|png| Clip::png(png).map_err(|e| e.to_string()));
                match encoded {
                    Ok(clip) => clip,
                    Err(e) => {
                        tracing::warn!("a copied image not sent: {e}");
                        return;
                    }
                }
            }
        };
        let _ = self.copies.send(clip);
    }
}

/// What the clipboard held when read.
enum Held {
    /// Text, checked.
    Text(Clip),
    /// An image, not yet encoded.
    Image(image::Rgba),
}
