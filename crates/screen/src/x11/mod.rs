//! X11 capture through the MIT-SHM extension, with a private memfd segment,
//! XDamage for what changed, XFixes for the cursor and RandR for monitors.
//!
//! Not `scrap`: scrap creates a SysV shared-memory segment with mode 0777,
//! so any local user could read (or overwrite) the captured screen; it also
//! lags a frame, ignores X errors and cannot follow a resolution change. A
//! memfd is shared only with the X server, by passing its descriptor over
//! the X connection. The server writes the image into it; we read it back
//! with `pread` (straight into the frame for a whole grab, through a
//! scratch buffer for a damaged area), so no memory mapping and no
//! `unsafe` code are needed.
//!
//! XDamage reports are used as a hint of where to look, and only the
//! damaged area is fetched; once a second a whole grab checks the hint
//! (drivers have been known to miss damage, x11vnc learned that too).

mod displays;
mod segment;

use crate::capture::{Capture, CaptureError, Damage, News};
use crate::cursor::{CursorShape, Pointer, MAX_CURSOR_SIDE};
use crate::frame::{Frame, Rect};
use displays::X11Display;
use segment::Segment;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};
use tessera_proto::peer::DisplayInfo;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::damage::{self, ConnectionExt as _, ReportLevel};
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::shm::ConnectionExt as _;
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    ChangeWindowAttributesAux, ConnectionExt as _, EventMask, ImageFormat,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// How often a whole grab checks what XDamage reported.
const VERIFY_EVERY: Duration = Duration::from_secs(1);
/// More damaged rectangles than this are merged into their bounding box.
const MAX_RECTS: usize = 64;

/// The displays of one X server.
pub struct X11Capture {
    conn: RustConnection,
    name: String,
    has_damage: bool,
    has_monitors: bool,
    displays: Vec<X11Display>,
    showing: usize,
    /// XDamage object on the shown display's root, and the region its
    /// reports are fetched into.
    damage: Option<(damage::Damage, xfixes::Region)>,
    segment: Option<Segment>,
    frame: Frame,
    /// The next grab must be whole (first grab, new display, verification).
    whole: bool,
    last_whole: Instant,
    cursor_serial: u32,
    scratch: Vec<u8>,
}

fn err(what: &str, e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Source(format!("{what}: {e}"))
}

impl X11Capture {
    /// Connects to `display` (such as `:1`; `None` uses `$DISPLAY`), checks
    /// that it can be captured (MIT-SHM with descriptor passing, 24-bit
    /// colour in 32 bits a pixel, XFixes) and attaches the capture segment
    /// now, so a display that cannot be captured is known before anyone
    /// is asked to consent.
    pub fn open(display: Option<&str>) -> Result<Self, CaptureError> {
        let name = display
            .map(str::to_owned)
            .or_else(|| std::env::var("DISPLAY").ok())
            .unwrap_or_default();
        let (conn, _) = x11rb::connect(display).map_err(|e| {
            err(
                &format!("cannot open the X display {name:?} (is it running? try --display :N)"),
                e,
            )
        })?;
        check_pixels(&conn, &name)?;
        check_shm(&conn, &name)?;
        let query = |e: &dyn std::fmt::Display| err(&format!("display {name:?}"), e);
        conn.xfixes_query_version(5, 0)
            .map_err(|e| query(&e))?
            .reply()
            .map_err(|e| err(&format!("display {name:?} lacks the XFixes extension"), e))?;
        let has_damage = conn
            .extension_information(damage::X11_EXTENSION_NAME)
            .map_err(|e| query(&e))?
            .is_some()
            && conn
                .damage_query_version(1, 1)
                .map_err(|e| query(&e))?
                .reply()
                .is_ok();
        let has_randr = conn
            .extension_information(randr::X11_EXTENSION_NAME)
            .map_err(|e| query(&e))?
            .is_some();
        let has_monitors = has_randr
            && conn
                .randr_query_version(1, 5)
                .map_err(|e| query(&e))?
                .reply()
                .is_ok_and(|v| (v.major_version, v.minor_version) >= (1, 5));
        for screen in &conn.setup().roots {
            let watch = ChangeWindowAttributesAux::new().event_mask(EventMask::STRUCTURE_NOTIFY);
            conn.change_window_attributes(screen.root, &watch)
                .map_err(|e| query(&e))?;
            if has_randr {
                let mask = randr::NotifyMask::SCREEN_CHANGE
                    | randr::NotifyMask::CRTC_CHANGE
                    | randr::NotifyMask::OUTPUT_CHANGE;
                conn.randr_select_input(screen.root, mask)
                    .map_err(|e| query(&e))?;
            }
        }
        let displays = displays::list(&conn, has_monitors);
        let first = displays.first().ok_or_else(|| {
            CaptureError::Source(format!("display {name:?} has no screen to capture"))
        })?;
        let frame = Frame::new(first.rect.w, first.rect.h)?;
        let mut capture = Self {
            conn,
            name,
            has_damage,
            has_monitors,
            displays,
            showing: 0,
            damage: None,
            segment: None,
            frame,
            whole: true,
            last_whole: Instant::now(),
            cursor_serial: 0,
            scratch: Vec::new(),
        };
        capture.show(0)?;
        Ok(capture)
    }

    /// Grabs all of the shown display, whatever the damage reports say
    /// (what a keyframe or the periodic check costs; for benchmarks).
    pub fn grab_whole(&mut self) -> Result<&Frame, CaptureError> {
        self.whole = true;
        Ok(self.grab()?.0)
    }

    fn shown(&self) -> Result<&X11Display, CaptureError> {
        self.displays
            .get(self.showing)
            .ok_or(CaptureError::NoSuchDisplay(self.showing))
    }

    /// Watches the shown display's root: damage, cursor shape; sizes the
    /// frame and the segment.
    fn watch_shown(&mut self) -> Result<(), CaptureError> {
        let shown = self.shown()?.clone();
        if let Some((old, region)) = self.damage.take() {
            let _ = self.conn.damage_destroy(old);
            let _ = self.conn.xfixes_destroy_region(region);
        }
        if self.has_damage {
            let id = self.conn.generate_id().map_err(|e| err("X id", e))?;
            let region = self.conn.generate_id().map_err(|e| err("X id", e))?;
            self.conn
                .damage_create(id, shown.root, ReportLevel::NON_EMPTY)
                .map_err(|e| err("XDamage", e))?;
            self.conn
                .xfixes_create_region(region, &[])
                .map_err(|e| err("XFixes region", e))?;
            self.damage = Some((id, region));
        }
        self.conn
            .xfixes_select_cursor_input(shown.root, xfixes::CursorNotifyMask::DISPLAY_CURSOR)
            .map_err(|e| err("XFixes cursor", e))?;
        if (shown.rect.w, shown.rect.h) != (self.frame.width(), self.frame.height()) {
            self.frame = Frame::new(shown.rect.w, shown.rect.h)?;
        }
        let len = self.frame.pixels().len();
        if self.segment.as_ref().is_none_or(|s| s.len != len) {
            if let Some(old) = self.segment.take() {
                old.detach(&self.conn);
            }
            self.segment = Some(Segment::attach(&self.conn, len)?);
        }
        self.whole = true;
        Ok(())
    }

    /// Re-reads the display list after a change; the shown display stays
    /// shown if it still exists (its size may differ).
    fn relist(&mut self) -> Result<(), CaptureError> {
        let old = self.shown().ok().map(|d| d.info.name.clone());
        self.displays = displays::list(&self.conn, self.has_monitors);
        self.showing = old
            .and_then(|name| self.displays.iter().position(|d| d.info.name == name))
            .unwrap_or(0);
        self.watch_shown()
    }

    fn handle(&mut self, event: Event, news: &mut News) {
        match event {
            Event::DamageNotify(_) => news.damaged = true,
            Event::XfixesCursorNotify(e) => {
                self.cursor_serial = e.cursor_serial;
                news.cursor_changed = true;
            }
            Event::ConfigureNotify(_)
            | Event::RandrScreenChangeNotify(_)
            | Event::RandrNotify(_) => news.displays_changed = true,
            Event::Error(e) => tracing::warn!("X error on {:?}: {e:?}", self.name),
            _ => {}
        }
    }

    /// What XDamage collected since the last grab, in display coordinates,
    /// and resets it. `None` means "look everywhere".
    fn take_damage(&mut self, shown: &Rect) -> Result<Option<Vec<Rect>>, CaptureError> {
        let Some((damage, region)) = self.damage else {
            return Ok(None);
        };
        self.conn
            .damage_subtract(damage, x11rb::NONE, region)
            .map_err(|e| err("XDamage", e))?;
        if self.whole {
            return Ok(None);
        }
        let reply = self
            .conn
            .xfixes_fetch_region(region)
            .map_err(|e| err("XFixes region", e))?
            .reply()
            .map_err(|e| err("XFixes region", e))?;
        let mut rects: Vec<Rect> = reply
            .rectangles
            .iter()
            .filter_map(|r| {
                let (x0, y0) = (i64::from(r.x), i64::from(r.y));
                let (x1, y1) = (x0 + i64::from(r.width), y0 + i64::from(r.height));
                let left = x0.max(i64::from(shown.x));
                let top = y0.max(i64::from(shown.y));
                let right = x1.min(i64::from(shown.x + shown.w));
                let bottom = y1.min(i64::from(shown.y + shown.h));
                (left < right && top < bottom).then(|| Rect {
                    x: (left - i64::from(shown.x)) as u32,
                    y: (top - i64::from(shown.y)) as u32,
                    w: (right - left) as u32,
                    h: (bottom - top) as u32,
                })
            })
            .collect();
        if rects.len() > MAX_RECTS {
            rects = Rect::bounding(&rects).into_iter().collect();
        }
        Ok(Some(rects))
    }

    /// Fetches `part` of the shown display into the frame.
    fn fetch(&mut self, shown: &X11Display, part: &Rect) -> Result<(), CaptureError> {
        let segment = self
            .segment
            .as_ref()
            .ok_or_else(|| CaptureError::Source("no capture segment".into()))?;
        let coord = |v: u32| i16::try_from(v).map_err(|_| err("X coordinate", v));
        let side = |v: u32| u16::try_from(v).map_err(|_| err("X size", v));
        let reply = self
            .conn
            .shm_get_image(
                shown.root,
                coord(shown.rect.x + part.x)?,
                coord(shown.rect.y + part.y)?,
                side(part.w)?,
                side(part.h)?,
                !0,
                ImageFormat::Z_PIXMAP.into(),
                segment.id,
                0,
            )
            .map_err(|e| err("MIT-SHM get image", e))?
            .reply()
            .map_err(|e| err("the X server refused the capture", e))?;
        let len = part.w as usize * part.h as usize * 4;
        if reply.size as usize != len {
            return Err(CaptureError::Source(format!(
                "the X server returned {} bytes for a {}x{} area, {len} expected",
                reply.size, part.w, part.h
            )));
        }
        if *part
            == (Rect {
                x: 0,
                y: 0,
                w: self.frame.width(),
                h: self.frame.height(),
            })
        {
            return segment.read(self.frame.pixels_mut());
        }
        self.scratch.resize(len, 0);
        segment.read(&mut self.scratch)?;
        self.frame.write_rect(part, &self.scratch);
        Ok(())
    }

    /// One grab attempt; the damage it found.
    fn try_grab(&mut self) -> Result<Damage, CaptureError> {
        let shown = self.shown()?.clone();
        let damage = self.take_damage(&shown.rect)?;
        let whole = Rect {
            x: 0,
            y: 0,
            w: self.frame.width(),
            h: self.frame.height(),
        };
        let damage = match damage {
            Some(rects) => {
                if let Some(area) = Rect::bounding(&rects) {
                    self.fetch(&shown, &area)?;
                }
                Damage::Rects(rects)
            }
            None => {
                self.fetch(&shown, &whole)?;
                self.whole = false;
                self.last_whole = Instant::now();
                Damage::Everything
            }
        };
        Ok(damage)
    }
}

/// Refuses displays whose pixels are not 24-bit colour in 32 bits.
fn check_pixels(conn: &RustConnection, name: &str) -> Result<(), CaptureError> {
    let setup = conn.setup();
    for screen in &setup.roots {
        let depth = screen.root_depth;
        let bpp = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map(|f| f.bits_per_pixel);
        if depth != 24 || bpp != Some(32) {
            return Err(CaptureError::Source(format!(
                "display {name:?} uses {depth}-bit colour in {bpp:?} bits a pixel; only 24-bit colour in 32 bits is supported"
            )));
        }
    }
    Ok(())
}

/// Refuses displays without MIT-SHM 1.2 (descriptor passing).
fn check_shm(conn: &RustConnection, name: &str) -> Result<(), CaptureError> {
    let version = conn
        .shm_query_version()
        .map_err(|e| err("MIT-SHM query", e))?
        .reply()
        .map_err(|e| err(&format!("display {name:?} lacks the MIT-SHM extension"), e))?;
    if (version.major_version, version.minor_version) < (1, 2) {
        return Err(CaptureError::Source(format!(
            "display {name:?} has MIT-SHM {}.{}; 1.2 (descriptor passing) is needed",
            version.major_version, version.minor_version
        )));
    }
    Ok(())
}

impl Capture for X11Capture {
    fn displays(&self) -> Vec<DisplayInfo> {
        self.displays.iter().map(|d| d.info.clone()).collect()
    }

    fn showing(&self) -> usize {
        self.showing
    }

    fn show(&mut self, index: usize) -> Result<(), CaptureError> {
        if index >= self.displays.len() {
            return Err(CaptureError::NoSuchDisplay(index));
        }
        let before = std::mem::replace(&mut self.showing, index);
        if let Err(e) = self.watch_shown() {
            // Keep showing what was shown (a display too large to capture).
            self.showing = before;
            self.watch_shown()?;
            return Err(e);
        }
        Ok(())
    }

    fn wait(&mut self, timeout: Duration) -> Result<News, CaptureError> {
        let deadline = Instant::now() + timeout;
        let mut news = News::default();
        loop {
            while let Some(event) = self
                .conn
                .poll_for_event()
                .map_err(|e| err("X connection", e))?
            {
                self.handle(event, &mut news);
            }
            if news != News::default() {
                break;
            }
            let now = Instant::now();
            let verify = match self.damage {
                // No damage reports: compare everything at every deadline.
                None => now >= deadline,
                // Once: until the whole grab happens, the check is pending.
                Some(_) => !self.whole && self.last_whole.elapsed() >= VERIFY_EVERY,
            };
            if verify {
                self.whole = true;
                news.damaged = true;
                break;
            }
            if now >= deadline {
                break;
            }
            self.conn.flush().map_err(|e| err("X connection", e))?;
            let wait = deadline - now;
            let timespec = rustix::event::Timespec {
                tv_sec: wait.as_secs() as i64,
                tv_nsec: i64::from(wait.subsec_nanos()),
            };
            let mut fds = [rustix::event::PollFd::from_borrowed_fd(
                self.conn.stream().as_fd(),
                rustix::event::PollFlags::IN,
            )];
            match rustix::event::poll(&mut fds, Some(&timespec)) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(err("waiting for the X server", e)),
            }
        }
        if news.displays_changed {
            self.relist()?;
            news.damaged = true;
        }
        Ok(news)
    }

    fn grab(&mut self) -> Result<(&Frame, Damage), CaptureError> {
        let damage = match self.try_grab() {
            Ok(damage) => damage,
            Err(e) => {
                // The screen may have changed under us (a resize between
                // the event and the grab): look again, try once more, whole.
                tracing::warn!("screen grab failed, retrying: {e}");
                self.relist()?;
                self.whole = true;
                self.try_grab()?
            }
        };
        Ok((&self.frame, damage))
    }

    fn pointer(&mut self) -> Result<Option<Pointer>, CaptureError> {
        let shown = self.shown()?.clone();
        let reply = self
            .conn
            .query_pointer(shown.root)
            .map_err(|e| err("X pointer", e))?
            .reply()
            .map_err(|e| err("X pointer", e))?;
        if !reply.same_screen {
            return Ok(None);
        }
        Ok(Some(Pointer {
            x: i32::from(reply.root_x) - shown.rect.x as i32,
            y: i32::from(reply.root_y) - shown.rect.y as i32,
            serial: self.cursor_serial,
        }))
    }

    fn cursor_shape(&mut self) -> Result<Option<CursorShape>, CaptureError> {
        let reply = self
            .conn
            .xfixes_get_cursor_image()
            .map_err(|e| err("XFixes cursor", e))?
            .reply()
            .map_err(|e| err("XFixes cursor", e))?;
        self.cursor_serial = reply.cursor_serial;
        let (width, height) = (u32::from(reply.width), u32::from(reply.height));
        if width == 0 || height == 0 || width > MAX_CURSOR_SIDE || height > MAX_CURSOR_SIDE {
            return Ok(None);
        }
        let rgba = reply
            .cursor_image
            .iter()
            .flat_map(|argb| {
                let [b, g, r, a] = argb.to_le_bytes();
                [r, g, b, a]
            })
            .collect();
        let shape = CursorShape {
            serial: reply.cursor_serial,
            width,
            height,
            hot_x: u32::from(reply.xhot).min(width - 1),
            hot_y: u32::from(reply.yhot).min(height - 1),
            rgba,
        };
        Ok(shape.validate().is_ok().then_some(shape))
    }
}

impl Drop for X11Capture {
    fn drop(&mut self) {
        if let Some(segment) = self.segment.take() {
            segment.detach(&self.conn);
        }
    }
}
