//! Where frames come from. The X11 backend and the synthetic source both
//! implement this, so everything after capture is the same.

use crate::frame::{Frame, FrameError};

/// A source of screen pictures.
pub trait Capture {
    /// Grabs the screen as it is now. The frame stays valid until the next
    /// grab; its size can change between grabs (a resolution change).
    fn grab(&mut self) -> Result<&Frame, CaptureError>;
}

/// Why a grab failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The source reported a size no frame can have.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The display is gone or refused the request.
    #[error("screen capture failed: {0}")]
    Source(String),
}
