//! The remote picture put straight onto the X server, the way X11 VNC
//! viewers show it: a child window of the technician's window, over the
//! picture's place, into which each update's changed areas are put
//! (PutImage) from the session's own thread the moment they are decoded.
//!
//! Why: egui repaints the whole window for any change, and without a GPU
//! (a virtual machine, Mesa's llvmpipe) one repaint of a 1280x860 window
//! costs about 10 ms, twice per keystroke (the key's own pass, then the
//! picture's). Here a keystroke's echo costs one small PutImage and no
//! repaint at all. Used only when it can show the picture exactly: on
//! X11, at one remote pixel per physical pixel, all of it, and with no
//! window of ours (a menu, a dialog, a tooltip) over it; otherwise the
//! child is unmapped and egui draws the picture from its texture.
//!
//! The child takes no input: its input shape is empty (SHAPE), so the
//! pointer stays in the technician's window as far as X, winit and egui
//! know, and the cursor is that window's. The remote cursor is drawn into
//! the pixels at the remote pointer, except while the technician drives
//! with their pointer over the picture: their own cursor then has the
//! remote shape (set by the window).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tessera_screen::{CursorShape, Frame, Pointer, Rect};
use tessera_session::view_layout::PixelPlacement;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::shape::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{self, ConnectionExt as _};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// What the child window shows, and how the pixels go to it.
struct Shared {
    conn: RustConnection,
    window: xproto::Window,
    gc: xproto::Gcontext,
    /// The parent's depth: 24, or 32 (whose fourth byte must be opaque).
    depth: u8,
    /// Tells the reader thread to stop.
    stop: AtomicBool,
    state: Mutex<State>,
}

/// Changes with the session.
#[derive(Default)]
struct State {
    /// The newest picture (BGRX), kept to show exposed areas again.
    picture: Option<Frame>,
    /// Where the child window is and what part of the picture it shows;
    /// `None`: unmapped.
    placement: Option<PixelPlacement>,
    /// The remote pointer and the newest cursor shape.
    cursor: Option<(Pointer, Option<CursorShape>)>,
    /// The technician's own cursor shows the remote shape over the
    /// picture: it is not drawn into the pixels.
    local_cursor: bool,
}

/// The child window, while this value lives.
pub struct DirectPicture {
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DirectPicture {
    /// A child window of X window `parent` on `$DISPLAY`, unmapped until
    /// placed. Fails where pixels cannot be put as they are: the parent's
    /// visual must be TrueColor with 8-bit red, green and blue in BGRX
    /// order (32 bits a pixel, least significant byte first), and the
    /// server must have SHAPE.
    pub fn start(parent: u32) -> Result<Self, String> {
        let failed = |e: &dyn std::fmt::Display| format!("direct picture: {e}");
        let (conn, _) = x11rb::connect(None).map_err(|e| failed(&e))?;
        check_pixel_format(&conn, parent)?;
        if conn
            .extension_information(shape::X11_EXTENSION_NAME)
            .map_err(|e| failed(&e))?
            .is_none()
        {
            return Err(failed(&"no SHAPE extension"));
        }
        let depth = conn
            .get_geometry(parent)
            .map_err(|e| failed(&e))?
            .reply()
            .map_err(|e| failed(&e))?
            .depth;
        let window = conn.generate_id().map_err(|e| failed(&e))?;
        // No background: the server never clears it, so nothing flashes
        // before the picture is put.
        let attributes = xproto::CreateWindowAux::new()
            .background_pixmap(x11rb::NONE)
            .event_mask(xproto::EventMask::EXPOSURE | xproto::EventMask::STRUCTURE_NOTIFY);
        conn.create_window(
            0, // the parent's depth, visual and colormap
            window,
            parent,
            0,
            0,
            1,
            1,
            0,
            xproto::WindowClass::INPUT_OUTPUT,
            0,
            &attributes,
        )
        .map_err(|e| failed(&e))?;
        // An empty input shape: the pointer goes through to the parent.
        conn.shape_rectangles(
            shape::SO::SET,
            shape::SK::INPUT,
            xproto::ClipOrdering::UNSORTED,
            window,
            0,
            0,
            &[],
        )
        .map_err(|e| failed(&e))?;
        let gc = conn.generate_id().map_err(|e| failed(&e))?;
        conn.create_gc(
            gc,
            window,
            &xproto::CreateGCAux::new().graphics_exposures(0),
        )
        .map_err(|e| failed(&e))?;
        conn.flush().map_err(|e| failed(&e))?;
        let shared = Arc::new(Shared {
            conn,
            window,
            gc,
            depth,
            stop: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        });
        let reader = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("direct-picture".into())
                .spawn(move || shared.read_events())
                .map_err(|e| failed(&e))?
        };
        Ok(Self {
            shared,
            reader: Some(reader),
        })
    }

    /// Takes the changed areas of the newest picture, and puts them on
    /// the screen when the window is placed. Returns whether they were
    /// shown (otherwise the window must draw them).
    pub fn put(&self, frame: &Frame, changed: &[Rect]) -> bool {
        let mut state = lock(&self.shared.state);
        let size = (frame.width(), frame.height());
        let same_size = state
            .picture
            .as_ref()
            .is_some_and(|p| (p.width(), p.height()) == size);
        if !same_size {
            // A new size: the window lays the picture out again first.
            state.picture = Some(frame.clone());
            self.shared.place(&mut state, None);
            return false;
        }
        let mut row = Vec::new();
        if let Some(picture) = state.picture.as_mut() {
            for area in changed.iter().filter(|a| a.fits(size.0, size.1)) {
                frame.read_rect(area, &mut row);
                picture.write_rect(area, &row);
            }
        }
        if state.placement.is_none() {
            return false;
        }
        for area in changed {
            self.shared.show(&state, area);
        }
        let _ = self.shared.conn.flush();
        true
    }

    /// Places the child window over the picture of `size` pixels, or
    /// unmaps it (`None`). Refuses (and unmaps) when the picture it holds
    /// is not of that size: the layout is older than the picture. Returns
    /// whether it shows the picture now, and whether it stopped showing
    /// it (the window must then repaint what it missed).
    pub fn place(&self, placement: Option<PixelPlacement>, size: (u32, u32)) -> Placed {
        let mut state = lock(&self.shared.state);
        let was = state.placement.is_some();
        let matches = state
            .picture
            .as_ref()
            .is_some_and(|p| (p.width(), p.height()) == size);
        let placement = placement.filter(|_| matches);
        self.shared.place(&mut state, placement);
        Placed {
            shown: placement.is_some(),
            stopped: was && placement.is_none(),
        }
    }

    /// Whether the child window shows the picture now.
    pub fn placed(&self) -> bool {
        lock(&self.shared.state).placement.is_some()
    }

    /// The remote pointer moved or changed shape. Returns whether the
    /// window has nothing to draw for it (it is drawn here, or by the
    /// technician's own cursor).
    pub fn cursor(&self, pointer: Pointer, shape: Option<&CursorShape>) -> bool {
        let mut state = lock(&self.shared.state);
        let before = cursor_area(&state);
        let kept = state.cursor.take().and_then(|(_, s)| s);
        state.cursor = Some((pointer, shape.cloned().or(kept)));
        for area in [before, cursor_area(&state)].iter().flatten() {
            self.shared.show(&state, area);
        }
        let _ = self.shared.conn.flush();
        state.placement.is_some()
    }

    /// Whether the technician's own cursor shows the remote shape over the
    /// picture (they drive, their pointer is over it): the remote cursor
    /// is then not drawn into the pixels.
    pub fn set_local_cursor(&self, local: bool) {
        let mut state = lock(&self.shared.state);
        if state.local_cursor == local {
            return;
        }
        let drawn = cursor_area(&state);
        state.local_cursor = local;
        for area in [drawn, cursor_area(&state)].iter().flatten() {
            self.shared.show(&state, area);
        }
        let _ = self.shared.conn.flush();
    }
}

/// What [`DirectPicture::place`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The child shows the picture.
    pub shown: bool,
    /// It showed it until now.
    pub stopped: bool,
}

/// Where the remote cursor is drawn into the pixels, if it is.
fn cursor_area(state: &State) -> Option<Rect> {
    let picture = state.picture.as_ref()?;
    match &state.cursor {
        Some((pointer, Some(shape))) if !state.local_cursor => {
            shape.area_at((pointer.x, pointer.y), picture.width(), picture.height())
        }
        _ => None,
    }
}

/// The part of the picture a placement shows.
fn shown_part(p: &PixelPlacement) -> Rect {
    Rect {
        x: p.picture.0,
        y: p.picture.1,
        w: p.size.0,
        h: p.size.1,
    }
}

impl Shared {
    /// Moves, maps or unmaps the child window; shows the picture in it
    /// when what it covers changed (a first map is shown on its Expose).
    fn place(&self, state: &mut State, placement: Option<PixelPlacement>) {
        if state.placement == placement {
            return;
        }
        let was_mapped = state.placement.is_some();
        state.placement = placement;
        match placement {
            None => {
                let _ = self.conn.unmap_window(self.window);
            }
            Some(p) => {
                let aux = xproto::ConfigureWindowAux::new()
                    .x(p.window.0)
                    .y(p.window.1)
                    .width(p.size.0)
                    .height(p.size.1)
                    .stack_mode(xproto::StackMode::ABOVE);
                let _ = self.conn.configure_window(self.window, &aux);
                if was_mapped {
                    self.show(state, &shown_part(&p));
                } else {
                    let _ = self.conn.map_window(self.window);
                }
            }
        }
        let _ = self.conn.flush();
    }

    /// Puts `area` of the picture (with the remote cursor drawn in, when
    /// it is) where the child window shows it.
    fn show(&self, state: &State, area: &Rect) {
        let (Some(picture), Some(placement)) = (&state.picture, state.placement) else {
            return;
        };
        if !area.fits(picture.width(), picture.height()) {
            return;
        }
        let shown = shown_part(&placement);
        let Some(part) = area.intersection(&shown) else {
            return;
        };
        let mut pixels = Vec::new();
        picture.read_rect(&part, &mut pixels);
        if let Some((pointer, Some(shape))) = &state.cursor {
            if cursor_area(state)
                .and_then(|c| c.intersection(&part))
                .is_some()
            {
                shape.draw_over((pointer.x, pointer.y), &part, &mut pixels);
            }
        }
        if self.depth == 32 {
            pixels.iter_mut().skip(3).step_by(4).for_each(|a| *a = 0xff);
        }
        // In bands of rows, each within the server's largest request.
        let row = part.w as usize * 4;
        let room = self.conn.maximum_request_bytes().saturating_sub(64);
        let rows = (room / row.max(1)).clamp(1, part.h as usize);
        for (i, band) in pixels.chunks(rows * row).enumerate() {
            let top = part.y + (i * rows) as u32;
            // All within the shown part: below MAX_SIDE, so they fit.
            let (Ok(w), Ok(h), Ok(x), Ok(y)) = (
                u16::try_from(part.w),
                u16::try_from(band.len() / row),
                i16::try_from(part.x - shown.x),
                i16::try_from(top - shown.y),
            ) else {
                return;
            };
            let _ = self.conn.put_image(
                xproto::ImageFormat::Z_PIXMAP,
                self.window,
                self.gc,
                w,
                h,
                x,
                y,
                0,
                self.depth,
                band,
            );
        }
    }

    /// Shows exposed areas again, until told to stop, the window is gone,
    /// or the connection is.
    fn read_events(&self) {
        loop {
            let event = self.conn.wait_for_event();
            if self.stop.load(Ordering::Acquire) {
                return;
            }
            match event {
                Ok(Event::Expose(e)) if e.window == self.window => {
                    let state = lock(&self.state);
                    if let Some(p) = state.placement {
                        let area = Rect {
                            x: p.picture.0 + u32::from(e.x),
                            y: p.picture.1 + u32::from(e.y),
                            w: u32::from(e.width),
                            h: u32::from(e.height),
                        };
                        self.show(&state, &area);
                        let _ = self.conn.flush();
                    }
                }
                // Gone with the technician's window.
                Ok(Event::DestroyNotify(d)) if d.window == self.window => return,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    }
}

/// Checks that pixels can be put as the picture holds them (BGRX): the
/// parent's visual is TrueColor, red 0xff0000, green 0xff00, blue 0xff,
/// at 32 bits a pixel, least significant byte first.
fn check_pixel_format(conn: &RustConnection, parent: u32) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| format!("direct picture: {e}");
    let visual = conn
        .get_window_attributes(parent)
        .map_err(|e| failed(&e))?
        .reply()
        .map_err(|e| failed(&e))?
        .visual;
    let setup = conn.setup();
    let found = setup
        .roots
        .iter()
        .flat_map(|s| &s.allowed_depths)
        .find_map(|d| {
            d.visuals
                .iter()
                .find(|v| v.visual_id == visual)
                .map(|v| (d.depth, v))
        });
    let Some((depth, v)) = found else {
        return Err(failed(&"the window's visual is unknown"));
    };
    let bits = setup
        .pixmap_formats
        .iter()
        .find(|f| f.depth == depth)
        .map(|f| f.bits_per_pixel);
    let bgrx = v.class == xproto::VisualClass::TRUE_COLOR
        && (v.red_mask, v.green_mask, v.blue_mask) == (0xff_0000, 0xff00, 0xff)
        && matches!(depth, 24 | 32)
        && bits == Some(32)
        && setup.image_byte_order == xproto::ImageOrder::LSB_FIRST;
    if !bgrx {
        return Err(failed(&format_args!(
            "depth {depth}, {bits:?} bits a pixel, not BGRX"
        )));
    }
    Ok(())
}

impl Drop for DirectPicture {
    fn drop(&mut self) {
        let conn = &self.shared.conn;
        // Wakes the reader (an event sent to our own window comes to us).
        self.shared.stop.store(true, Ordering::Release);
        let wake = xproto::ClientMessageEvent::new(32, self.shared.window, x11rb::NONE, [0u32; 5]);
        let _ = conn.send_event(false, self.shared.window, xproto::EventMask::NO_EVENT, wake);
        let _ = conn.free_gc(self.shared.gc);
        let _ = conn.destroy_window(self.shared.window);
        let _ = conn.flush();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
