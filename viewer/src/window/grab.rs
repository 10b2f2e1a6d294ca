//! The optional keyboard grab: while it is on, every key of the
//! technician's keyboard comes to this window, Alt+Tab, Super and
//! Ctrl+Alt+F-keys included, which their own desktop would otherwise take
//! first (winit cannot see them: winit#2776). It is an X11 active grab on
//! the window, as TurboVNC's, made on a connection of our own: the X
//! server then reports the keys to that connection only, so a thread
//! reads them there and hands them to the window as physical keys (an X
//! keycode on an evdev keymap is the Linux key code plus 8). The same
//! forwarding rules (`held_input`) then apply to them.
//!
//! Only on X11. Auto-repeat is made detectable (XKB), so a held key
//! repeats as presses without releases, which the rules drop.

use eframe::egui;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use tessera_input::Key;
use x11rb::connection::Connection;
use x11rb::protocol::xkb::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{self, ConnectionExt as _, EventMask, GrabMode, GrabStatus};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::CURRENT_TIME;

/// A key of the technician's keyboard while the grab is on: which, and
/// whether it went down.
pub type GrabbedKey = (Key, bool);

/// The grab, held while this value lives.
pub struct KeyboardGrab {
    conn: Arc<RustConnection>,
    /// A window of our connection that nobody sees: an event sent to it
    /// reaches our reader thread, which is how it is told to stop.
    waker: xproto::Window,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// The keys, as they come.
    pub keys: mpsc::Receiver<GrabbedKey>,
}

impl KeyboardGrab {
    /// Grabs the keyboard for X window `window` on display `$DISPLAY`;
    /// wakes `ctx` at each key.
    pub fn start(window: u32, ctx: egui::Context) -> Result<Self, String> {
        let (conn, screen) =
            x11rb::connect(None).map_err(|e| format!("keyboard grab: no X display: {e}"))?;
        let conn = Arc::new(conn);
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or("keyboard grab: no such X screen")?;
        let failed = |e: &dyn std::fmt::Display| format!("keyboard grab: {e}");
        // Held keys repeat as presses alone (no release in between).
        if conn
            .xkb_use_extension(1, 0)
            .map_err(|e| failed(&e))?
            .reply()
            .is_ok_and(|r| r.supported)
        {
            let flag = xkb::PerClientFlag::DETECTABLE_AUTO_REPEAT;
            let none = xkb::BoolCtrl::from(0u32);
            let _ = conn
                .xkb_per_client_flags(xkb::ID::USE_CORE_KBD.into(), flag, flag, none, none, none)
                .map_err(|e| failed(&e))?
                .reply();
        }
        let waker = conn.generate_id().map_err(|e| failed(&e))?;
        conn.create_window(
            0,
            waker,
            root,
            0,
            0,
            1,
            1,
            0,
            xproto::WindowClass::INPUT_ONLY,
            0,
            &Default::default(),
        )
        .map_err(|e| failed(&e))?;
        let grabbed = conn
            .grab_keyboard(
                false,
                window,
                CURRENT_TIME,
                GrabMode::ASYNC,
                GrabMode::ASYNC,
            )
            .map_err(|e| failed(&e))?
            .reply()
            .map_err(|e| failed(&e))?;
        if grabbed.status != GrabStatus::SUCCESS {
            return Err(format!(
                "keyboard grab refused ({:?}): another program holds the keyboard",
                grabbed.status
            ));
        }
        let (tx, keys) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (conn, stop) = (Arc::clone(&conn), Arc::clone(&stop));
            std::thread::spawn(move || read_keys(&conn, &stop, &tx, &ctx))
        };
        Ok(Self {
            conn,
            waker,
            stop,
            reader: Some(reader),
            keys,
        })
    }
}

/// Hands each key to the window until told to stop or the connection
/// ends.
fn read_keys(
    conn: &RustConnection,
    stop: &AtomicBool,
    tx: &mpsc::Sender<GrabbedKey>,
    ctx: &egui::Context,
) {
    while let Ok(event) = conn.wait_for_event() {
        if stop.load(Ordering::Acquire) {
            return;
        }
        let (code, down) = match event {
            Event::KeyPress(e) => (e.detail, true),
            Event::KeyRelease(e) => (e.detail, false),
            _ => continue,
        };
        let Some(key) = code.checked_sub(8).and_then(|c| Key::from_evdev(c.into())) else {
            continue; // not a key the agent knows
        };
        if tx.send((key, down)).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

impl Drop for KeyboardGrab {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let _ = self.conn.ungrab_keyboard(CURRENT_TIME);
        // An event to our own window wakes the reader to see `stop`.
        let wake =
            xproto::ClientMessageEvent::new(32, self.waker, xproto::AtomEnum::NOTICE, [0u32; 5]);
        let _ = self
            .conn
            .send_event(false, self.waker, EventMask::NO_EVENT, wake);
        let _ = self.conn.destroy_window(self.waker);
        let _ = self.conn.flush();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
