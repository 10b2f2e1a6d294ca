//! Where frames come from. The X11 backend and the synthetic source both
//! implement this, so everything after capture is the same.

use crate::cursor::{CursorShape, Pointer};
use crate::frame::{Frame, FrameError, Rect};
use std::time::Duration;
use tessera_proto::peer::DisplayInfo;

/// A source of screen pictures, one display at a time.
pub trait Capture {
    /// The displays this source can show (at least one).
    fn displays(&self) -> Vec<DisplayInfo>;

    /// The index of the display shown (the primary one at first).
    fn showing(&self) -> usize;

    /// Shows display `index` from the next grab on.
    fn show(&mut self, index: usize) -> Result<(), CaptureError>;

    /// Waits at most `timeout` for something to happen on the screen, and
    /// says what. Returns early as soon as there is news.
    fn wait(&mut self, timeout: Duration) -> Result<News, CaptureError>;

    /// Grabs the shown display as it is now, with what changed since the
    /// last grab. The frame stays valid until the next grab; its size can
    /// change between grabs (a resolution change).
    fn grab(&mut self) -> Result<(&Frame, Damage), CaptureError>;

    /// Where the cursor is, relative to the shown display (`None`: this
    /// source has no cursor).
    fn pointer(&mut self) -> Result<Option<Pointer>, CaptureError>;

    /// The cursor's current image (`None`: no cursor, or hidden).
    fn cursor_shape(&mut self) -> Result<Option<CursorShape>, CaptureError>;
}

/// What happened on the screen while waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct News {
    /// The picture may have changed: a grab will tell what.
    pub damaged: bool,
    /// The display list or a display's size changed.
    pub displays_changed: bool,
    /// The cursor's shape changed.
    pub cursor_changed: bool,
}

/// What may differ from the previous grab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// Anything: compare every tile.
    Everything,
    /// Only pixels inside these rectangles (the server's damage report).
    Rects(Vec<Rect>),
}

/// Why capture failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The source reported a size no frame can have.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The display is gone or refused the request.
    #[error("screen capture failed: {0}")]
    Source(String),
    /// The viewer asked for a display that does not exist.
    #[error("there is no display {0}")]
    NoSuchDisplay(usize),
}
