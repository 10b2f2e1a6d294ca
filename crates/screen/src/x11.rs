//! X11 capture through the MIT-SHM extension, with a private memfd segment.
//!
//! Not `scrap`: scrap creates a SysV shared-memory segment with mode 0777,
//! so any local user could read (or overwrite) the captured screen; it also
//! lags a frame, ignores X errors and cannot follow a resolution change. A
//! memfd is shared only with the X server, by passing its descriptor over
//! the X connection. The server writes the image into it; we read it back
//! with `pread` straight into the frame (the one copy the encoder needs
//! anyway), so no memory mapping and no `unsafe` code are needed.

use crate::capture::{Capture, CaptureError};
use crate::frame::Frame;
use std::fs::File;
use std::os::unix::fs::FileExt;
use x11rb::connection::Connection;
use x11rb::protocol::shm::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

/// The X11 screen of one display.
pub struct X11Capture {
    conn: RustConnection,
    root: Window,
    segment: Option<Segment>,
    frame: Frame,
}

/// A shared-memory segment attached to the X server.
struct Segment {
    id: u32,
    file: File,
    len: usize,
}

fn err(what: &str, e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Source(format!("{what}: {e}"))
}

impl X11Capture {
    /// Connects to `display` (such as `:1`; `None` uses `$DISPLAY`) and
    /// checks that it can be captured: MIT-SHM with descriptor passing, and
    /// 24-bit colour stored in 32 bits a pixel.
    pub fn open(display: Option<&str>) -> Result<Self, CaptureError> {
        let name = display
            .map(str::to_owned)
            .or_else(|| std::env::var("DISPLAY").ok())
            .unwrap_or_default();
        let (conn, screen) = x11rb::connect(display).map_err(|e| {
            err(
                &format!("cannot open the X display {name:?} (is it running? try --display :N)"),
                e,
            )
        })?;
        let setup = conn.setup();
        let root_screen = setup.roots.get(screen).ok_or_else(|| {
            CaptureError::Source(format!("display {name:?} has no screen {screen}"))
        })?;
        let (root, depth) = (root_screen.root, root_screen.root_depth);
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
        let frame = Frame::new(
            root_screen.width_in_pixels.into(),
            root_screen.height_in_pixels.into(),
        )?;
        Ok(Self {
            conn,
            root,
            segment: None,
            frame,
        })
    }

    /// A segment of at least `len` bytes, attached (re-made on a resize).
    fn segment(&mut self, len: usize) -> Result<&Segment, CaptureError> {
        if self.segment.as_ref().is_some_and(|s| s.len != len) {
            if let Some(old) = self.segment.take() {
                let _ = self.conn.shm_detach(old.id);
            }
        }
        if self.segment.is_none() {
            let fd = rustix::fs::memfd_create("tessera-screen", rustix::fs::MemfdFlags::CLOEXEC)
                .map_err(|e| err("memfd_create", e))?;
            let file = File::from(fd);
            file.set_len(len as u64)
                .map_err(|e| err("sizing the capture segment", e))?;
            let for_server = file
                .try_clone()
                .map_err(|e| err("duplicating the segment", e))?;
            let id = self.conn.generate_id().map_err(|e| err("X id", e))?;
            self.conn
                .shm_attach_fd(id, std::os::fd::OwnedFd::from(for_server), false)
                .map_err(|e| err("MIT-SHM attach", e))?
                .check()
                .map_err(|e| err("the X server refused the capture segment", e))?;
            self.segment = Some(Segment { id, file, len });
        }
        self.segment
            .as_ref()
            .ok_or_else(|| CaptureError::Source("no capture segment".into()))
    }
}

impl Capture for X11Capture {
    fn grab(&mut self) -> Result<&Frame, CaptureError> {
        let geometry = self
            .conn
            .get_geometry(self.root)
            .map_err(|e| err("X geometry", e))?
            .reply()
            .map_err(|e| err("X geometry", e))?;
        let (width, height) = (u32::from(geometry.width), u32::from(geometry.height));
        if (width, height) != (self.frame.width(), self.frame.height()) {
            self.frame = Frame::new(width, height)?; // the resolution changed
        }
        let len = self.frame.pixels().len();
        let root = self.root;
        let id = self.segment(len)?.id;
        let reply = self
            .conn
            .shm_get_image(
                root,
                0,
                0,
                geometry.width,
                geometry.height,
                !0,
                ImageFormat::Z_PIXMAP.into(),
                id,
                0,
            )
            .map_err(|e| err("MIT-SHM get image", e))?
            .reply()
            .map_err(|e| err("the X server refused the capture", e))?;
        if reply.size as usize != len {
            return Err(CaptureError::Source(format!(
                "the X server returned {} bytes for a {width}x{height} screen, {len} expected",
                reply.size
            )));
        }
        let Some(segment) = self.segment.as_ref() else {
            return Err(CaptureError::Source("no capture segment".into()));
        };
        segment
            .file
            .read_exact_at(self.frame.pixels_mut(), 0)
            .map_err(|e| err("reading the capture segment", e))?;
        Ok(&self.frame)
    }
}

impl Drop for X11Capture {
    fn drop(&mut self) {
        if let Some(segment) = self.segment.take() {
            let _ = self.conn.shm_detach(segment.id);
            let _ = self.conn.flush();
        }
    }
}
