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
//! X11, at one remote pixel per physical pixel, and with no window of
//! ours (a menu, a dialog, a tooltip) over the picture; otherwise this
//! window is unmapped and egui draws the picture from its texture.
//!
//! The remote cursor: while the technician has control, it is the child
//! window's own X cursor (the remote shape, drawn by the X server at the
//! technician's pointer, with no round trip); otherwise it is drawn into
//! the pixels at the remote pointer's place.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tessera_screen::{CursorShape, Frame, Pointer, Rect};
use tessera_session::view_layout::PixelPlacement;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::render::{self, ConnectionExt as _};
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
    /// The technician has control: the cursor is the X cursor.
    driving: bool,
    /// The X cursor made from the shape of this serial, if any.
    x_cursor: Option<(u32, xproto::Cursor)>,
}

/// The child window, while this value lives.
pub struct DirectPicture {
    shared: Arc<Shared>,
    /// The ARGB picture format cursors are made from (Render).
    cursor_format: Option<render::Pictformat>,
    root: xproto::Window,
    reader: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DirectPicture {
    /// A child window of X window `parent` on `$DISPLAY`, unmapped until
    /// placed. Fails where pixels cannot be put as they are (not 32 bits a
    /// pixel, least significant byte first, depth 24 or 32).
    pub fn start(parent: u32) -> Result<Self, String> {
        let failed = |e: &dyn std::fmt::Display| format!("direct picture: {e}");
        let (conn, screen) = x11rb::connect(None).map_err(|e| failed(&e))?;
        let setup = conn.setup();
        let root = setup
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or("no such X screen")?;
        let depth = conn
            .get_geometry(parent)
            .map_err(|e| failed(&e))?
            .reply()
            .map_err(|e| failed(&e))?
            .depth;
        let bits = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map(|f| f.bits_per_pixel);
        if !matches!(depth, 24 | 32)
            || bits != Some(32)
            || setup.image_byte_order != xproto::ImageOrder::LSB_FIRST
        {
            return Err(format!(
                "direct picture: depth {depth}, {bits:?} bits a pixel"
            ));
        }
        let window = conn.generate_id().map_err(|e| failed(&e))?;
        // No background: the server never clears it, so nothing flashes
        // before the picture is put.
        let attributes = xproto::CreateWindowAux::new()
            .background_pixmap(x11rb::NONE)
            .event_mask(xproto::EventMask::EXPOSURE | xproto::EventMask::STRUCTURE_NOTIFY);
        conn.create_window(
            0, // the parent's depth
            window,
            parent,
            0,
            0,
            1,
            1,
            0,
            xproto::WindowClass::INPUT_OUTPUT,
            0, // the parent's visual
            &attributes,
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
        let cursor_format = argb_format(&conn);
        let shared = Arc::new(Shared {
            conn,
            window,
            gc,
            depth,
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
            cursor_format,
            root,
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

    /// Places the child window (or unmaps it: `None`), and shows what it
    /// newly covers.
    pub fn place(&self, placement: Option<PixelPlacement>) {
        let mut state = lock(&self.shared.state);
        self.shared.place(&mut state, placement);
    }

    /// Whether the technician's pointer is over the child window. The
    /// toolkit hears "pointer gone" when the pointer moves from the
    /// technician's window into ours, which this tells apart from a real
    /// leave (one round trip; asked only then).
    pub fn pointer_inside(&self) -> bool {
        let Some(placement) = lock(&self.shared.state).placement else {
            return false;
        };
        let reply = self
            .shared
            .conn
            .query_pointer(self.shared.window)
            .ok()
            .and_then(|c| c.reply().ok());
        reply.is_some_and(|r| {
            let inside = |v: i16, size: u32| u32::try_from(v).is_ok_and(|v| v < size);
            r.same_screen && inside(r.win_x, placement.size.0) && inside(r.win_y, placement.size.1)
        })
    }

    /// The remote pointer moved or changed shape. Returns whether the
    /// window shows it (otherwise the window must draw it).
    pub fn cursor(&self, pointer: Pointer, shape: Option<&CursorShape>) -> bool {
        let mut state = lock(&self.shared.state);
        let before = self.shared.cursor_area(&state);
        let kept = state.cursor.take().and_then(|(_, s)| s);
        state.cursor = Some((pointer, shape.cloned().or(kept)));
        if state.driving {
            self.follow_x_cursor(&mut state);
        } else {
            for area in [before, self.shared.cursor_area(&state)].iter().flatten() {
                self.shared.show(&state, area);
            }
        }
        let _ = self.shared.conn.flush();
        state.placement.is_some()
    }

    /// Control granted or taken back: the cursor is then the X cursor at
    /// the technician's pointer, or drawn at the remote pointer.
    pub fn set_driving(&self, driving: bool) {
        let mut state = lock(&self.shared.state);
        if state.driving == driving {
            return;
        }
        let drawn = self.shared.cursor_area(&state);
        state.driving = driving;
        let now = self.shared.cursor_area(&state);
        for area in [drawn, now].iter().flatten() {
            self.shared.show(&state, area);
        }
        self.follow_x_cursor(&mut state);
        let _ = self.shared.conn.flush();
    }

    /// Sets the child window's X cursor: the remote shape while driving,
    /// else none of its own (the parent's).
    fn follow_x_cursor(&self, state: &mut State) {
        let conn = &self.shared.conn;
        let wanted = match (&state.cursor, state.driving) {
            (Some((_, Some(shape))), true) => Some(shape),
            _ => None,
        };
        let cursor = match wanted {
            Some(shape)
                if state
                    .x_cursor
                    .is_some_and(|(serial, _)| serial == shape.serial) =>
            {
                return;
            }
            Some(shape) => match self.make_x_cursor(shape) {
                Some(made) => {
                    if let Some((_, old)) = state.x_cursor.replace((shape.serial, made)) {
                        let _ = conn.free_cursor(old);
                    }
                    made
                }
                None => x11rb::NONE,
            },
            None => x11rb::NONE,
        };
        let aux = xproto::ChangeWindowAttributesAux::new().cursor(cursor);
        let _ = conn.change_window_attributes(self.shared.window, &aux);
    }

    /// An X cursor of `shape` (premultiplied RGBA: put as ARGB32, which is
    /// B, G, R, A in memory), through Render.
    fn make_x_cursor(&self, shape: &CursorShape) -> Option<xproto::Cursor> {
        let format = self.cursor_format?;
        shape.validate().ok()?;
        let conn = &self.shared.conn;
        let (w, h) = (
            u16::try_from(shape.width).ok()?,
            u16::try_from(shape.height).ok()?,
        );
        let bgra: Vec<u8> = shape
            .rgba
            .chunks_exact(4)
            .flat_map(|p| [p[2], p[1], p[0], p[3]])
            .collect();
        let pixmap = conn.generate_id().ok()?;
        let gc = conn.generate_id().ok()?;
        let picture = conn.generate_id().ok()?;
        let cursor = conn.generate_id().ok()?;
        conn.create_pixmap(32, pixmap, self.root, w, h).ok()?;
        conn.create_gc(gc, pixmap, &xproto::CreateGCAux::new())
            .ok()?;
        conn.put_image(
            xproto::ImageFormat::Z_PIXMAP,
            pixmap,
            gc,
            w,
            h,
            0,
            0,
            0,
            32,
            &bgra,
        )
        .ok()?;
        conn.render_create_picture(picture, pixmap, format, &Default::default())
            .ok()?;
        let hot = |v: u32| u16::try_from(v).unwrap_or(0);
        conn.render_create_cursor(cursor, picture, hot(shape.hot_x), hot(shape.hot_y))
            .ok()?;
        let _ = conn.render_free_picture(picture);
        let _ = conn.free_gc(gc);
        let _ = conn.free_pixmap(pixmap);
        Some(cursor)
    }
}

impl Shared {
    /// Moves, maps or unmaps the child window; shows the picture in it
    /// when it newly covers something.
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
                if !was_mapped {
                    let _ = self.conn.map_window(self.window);
                }
                let shown = Rect {
                    x: p.picture.0,
                    y: p.picture.1,
                    w: p.size.0,
                    h: p.size.1,
                };
                self.show(state, &shown);
            }
        }
        let _ = self.conn.flush();
    }

    /// Where the remote cursor is drawn into the pixels, if it is.
    fn cursor_area(&self, state: &State) -> Option<Rect> {
        let picture = state.picture.as_ref()?;
        match (&state.cursor, state.driving) {
            (Some((pointer, Some(shape))), false) => {
                shape.area_at((pointer.x, pointer.y), picture.width(), picture.height())
            }
            _ => None,
        }
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
        let shown = Rect {
            x: placement.picture.0,
            y: placement.picture.1,
            w: placement.size.0,
            h: placement.size.1,
        };
        let Some(part) = area.intersection(&shown) else {
            return;
        };
        let mut pixels = Vec::new();
        picture.read_rect(&part, &mut pixels);
        if let (Some((pointer, Some(shape))), Some(_)) = (
            &state.cursor,
            self.cursor_area(state).and_then(|c| c.intersection(&part)),
        ) {
            shape.draw_over((pointer.x, pointer.y), &part, &mut pixels);
        }
        if self.depth == 32 {
            pixels.iter_mut().skip(3).step_by(4).for_each(|a| *a = 0xff);
        }
        // In bands of rows, each within the server's largest request.
        let row = part.w as usize * 4;
        let room = self.conn.maximum_request_bytes().saturating_sub(64);
        let rows = (room / row.max(1)).clamp(1, part.h as usize);
        for (i, band) in pixels.chunks(rows * row).enumerate() {
            let offset = (i * rows) as u32;
            let (Ok(w), Ok(h)) = (u16::try_from(part.w), u16::try_from(band.len() / row)) else {
                return;
            };
            let at = |v: u32, from: u32| i16::try_from(v - from).unwrap_or(i16::MAX);
            let _ = self.conn.put_image(
                xproto::ImageFormat::Z_PIXMAP,
                self.window,
                self.gc,
                w,
                h,
                at(part.x, shown.x),
                at(part.y + offset, shown.y),
                0,
                self.depth,
                band,
            );
        }
    }

    /// Shows exposed areas again, until told to stop (or the window is
    /// gone).
    fn read_events(&self) {
        loop {
            match self.conn.wait_for_event() {
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
                Ok(Event::ClientMessage(m)) if m.window == self.window => return,
                // Gone with the technician's window.
                Ok(Event::DestroyNotify(d)) if d.window == self.window => return,
                Ok(Event::Error(e)) if e.bad_value == self.window => return,
                Ok(_) => {}
                Err(_) => return,
            }
        }
    }
}

/// Render's 32-bit ARGB picture format, for cursors.
fn argb_format(conn: &RustConnection) -> Option<render::Pictformat> {
    let formats = conn.render_query_pict_formats().ok()?.reply().ok()?;
    formats
        .formats
        .iter()
        .find(|f| {
            f.type_ == render::PictType::DIRECT
                && f.depth == 32
                && f.direct.alpha_shift == 24
                && f.direct.red_shift == 16
                && f.direct.green_shift == 8
                && f.direct.blue_shift == 0
        })
        .map(|f| f.id)
}

impl Drop for DirectPicture {
    fn drop(&mut self) {
        let conn = &self.shared.conn;
        // Wakes the reader (an event sent to our own window comes to us).
        let stop = xproto::ClientMessageEvent::new(32, self.shared.window, x11rb::NONE, [0u32; 5]);
        let _ = conn.send_event(false, self.shared.window, xproto::EventMask::NO_EVENT, stop);
        let _ = conn.flush();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        if let Some((_, cursor)) = lock(&self.shared.state).x_cursor.take() {
            let _ = conn.free_cursor(cursor);
        }
        let _ = conn.free_gc(self.shared.gc);
        let _ = conn.destroy_window(self.shared.window);
        let _ = conn.flush();
    }
}
