//! The mouse cursor, which travels apart from the picture: its position
//! changes far more often than the screen, and the viewer can draw it
//! without waiting for a frame.

use serde::{Deserialize, Serialize};

/// Widest or tallest cursor image accepted (X11 allows larger, nobody
/// uses them).
pub const MAX_CURSOR_SIDE: u32 = 256;

/// Where the cursor is, and which shape it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    /// Hot spot, relative to the shown display's top-left corner (may be
    /// outside it: the cursor is on another display).
    pub x: i32,
    /// Hot spot, vertically.
    pub y: i32,
    /// Identifies the shape; it changes whenever the shape does.
    pub serial: u32,
}

/// A cursor image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorShape {
    /// The [`Pointer::serial`] this shape belongs to.
    pub serial: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Hot spot, from the image's left edge.
    pub hot_x: u32,
    /// Hot spot, from the image's top edge.
    pub hot_y: u32,
    /// Pixels, RGBA with premultiplied alpha (as X11 gives them), rows
    /// packed.
    pub rgba: Vec<u8>,
}

/// What is wrong with a cursor shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Too large or empty.
    #[error("cursor of {0}x{1} pixels (1 to {MAX_CURSOR_SIDE} a side)")]
    Size(u32, u32),
    /// The hot spot is outside the image.
    #[error("cursor hot spot ({0}, {1}) outside the image")]
    HotSpot(u32, u32),
    /// The pixel data does not match the size.
    #[error("cursor pixels are {0} bytes, {1} expected")]
    Pixels(usize, usize),
}

impl CursorShape {
    /// Checks sizes before anyone draws it.
    pub fn validate(&self) -> Result<(), CursorError> {
        let sides = 1..=MAX_CURSOR_SIDE;
        if !sides.contains(&self.width) || !sides.contains(&self.height) {
            return Err(CursorError::Size(self.width, self.height));
        }
        if self.hot_x >= self.width || self.hot_y >= self.height {
            return Err(CursorError::HotSpot(self.hot_x, self.hot_y));
        }
        let expected = self.width as usize * self.height as usize * 4;
        if self.rgba.len() != expected {
            return Err(CursorError::Pixels(self.rgba.len(), expected));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(width: u32, height: u32) -> CursorShape {
        CursorShape {
            serial: 1,
            width,
            height,
            hot_x: 0,
            hot_y: 0,
            rgba: vec![0; (width * height * 4) as usize],
        }
    }

    #[test]
    fn shapes_are_bounded() {
        assert_eq!(shape(16, 16).validate(), Ok(()));
        assert_eq!(shape(0, 16).validate(), Err(CursorError::Size(0, 16)));
        assert_eq!(shape(300, 16).validate(), Err(CursorError::Size(300, 16)));
        let mut hot = shape(16, 16);
        hot.hot_y = 16;
        assert_eq!(hot.validate(), Err(CursorError::HotSpot(0, 16)));
        let mut short = shape(16, 16);
        short.rgba.pop();
        assert_eq!(short.validate(), Err(CursorError::Pixels(1023, 1024)));
    }
}
