//! The shared-memory segment the X server writes captured pixels into: a
//! memfd, private to this process and the server it is passed to.

use crate::capture::CaptureError;
use std::fs::File;
use std::os::unix::fs::FileExt;
use x11rb::connection::Connection;
use x11rb::protocol::shm::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

/// A segment attached to the X server.
pub struct Segment {
    /// Its X id.
    pub id: u32,
    file: File,
    /// Its size in bytes.
    pub len: usize,
}

fn err(what: &str, e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Source(format!("{what}: {e}"))
}

impl Segment {
    /// A fresh segment of `len` bytes, attached to the server of `conn`.
    pub fn attach(conn: &RustConnection, len: usize) -> Result<Self, CaptureError> {
        let fd = rustix::fs::memfd_create("tessera-screen", rustix::fs::MemfdFlags::CLOEXEC)
            .map_err(|e| err("memfd_create", e))?;
        let file = File::from(fd);
        file.set_len(len as u64)
            .map_err(|e| err("sizing the capture segment", e))?;
        let for_server = file
            .try_clone()
            .map_err(|e| err("duplicating the segment", e))?;
        let id = conn.generate_id().map_err(|e| err("X id", e))?;
        // The server must be able to write into it: not read-only.
        conn.shm_attach_fd(id, std::os::fd::OwnedFd::from(for_server), false)
            .map_err(|e| err("MIT-SHM attach", e))?
            .check()
            .map_err(|e| err("the X server refused the capture segment", e))?;
        Ok(Self { id, file, len })
    }

    /// Reads the first `out.len()` bytes the server wrote.
    pub fn read(&self, out: &mut [u8]) -> Result<(), CaptureError> {
        self.file
            .read_exact_at(out, 0)
            .map_err(|e| err("reading the capture segment", e))
    }

    /// Detaches it from the server.
    pub fn detach(self, conn: &RustConnection) {
        let _ = conn.shm_detach(self.id);
        let _ = conn.flush();
    }
}
