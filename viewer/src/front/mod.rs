//! The two presentations of one viewer session: the headless one (JSON
//! commands on stdin, events on stdout) and the technician's window. The
//! session loop (`run.rs`) talks to either through [`Front`]; neither
//! holds a rule: every decision is the viewer machine's.

pub mod headless;

use std::path::PathBuf;
use std::time::Duration;
use tessera_screen::{CursorShape, Frame, Pointer, Rect};
use tessera_session::viewer::ViewerInput;
use tessera_session::SessionEvent;

/// What the technician asked for, from either presentation.
#[derive(Debug)]
pub enum Request {
    /// Something for the viewer machine (input, chat, a request, the end).
    Session(ViewerInput),
    /// Write the picture as decoded so far to this PNG file.
    Snapshot(PathBuf),
    /// The window has the keyboard focus (`true`) or lost it: the
    /// technician's own copies are shared only while it has it (and
    /// `clipboard` is granted).
    Focused(bool),
}

/// A presentation of the session: where requests come from and what is
/// shown. Only the session loop calls it, on its own task.
pub trait Front {
    /// The technician's next request; `None` once no more can come (the
    /// session goes on until it ends by itself).
    fn next(&mut self) -> impl std::future::Future<Output = Option<Request>> + Send;

    /// Something happened in the session.
    fn event(&mut self, event: &SessionEvent);

    /// A snapshot was written.
    fn snapshot_written(&mut self, path: &std::path::Path, width: u32, height: u32);

    /// A local problem with a request; the session goes on.
    fn error(&mut self, message: &str);

    /// The picture changed in these areas (a window redraws only those).
    fn picture(&mut self, _frame: &Frame, _changed: &[Rect]) {}

    /// The remote cursor moved, or changed shape (then `shape` is the new,
    /// validated one).
    fn cursor(&mut self, _pointer: Pointer, _shape: Option<&CursorShape>) {}

    /// The round-trip time of the end-to-end channel, as it changes.
    fn round_trip(&mut self, _rtt: Duration) {}

    /// The person copied this (with `clipboard` granted): a window puts
    /// it on the technician's clipboard; headless, the event carries it.
    fn clipboard(&mut self, _clip: &tessera_proto::clipboard::Clip) {}
}
