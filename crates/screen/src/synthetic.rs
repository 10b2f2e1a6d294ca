//! A screen without a display, for tests and benchmarks: a desktop-like
//! picture (background, a window of text lines) that can be typed into,
//! scrolled, or filled with noise, deterministically.

use crate::capture::{Capture, CaptureError, Damage, News};
use crate::cursor::{CursorShape, Pointer};
use crate::frame::{Frame, FrameError, Rect};
use std::time::Duration;
use tessera_proto::peer::DisplayInfo;

/// Height of a text line in the synthetic window.
const LINE: u32 = 16;
/// Width of a glyph.
const GLYPH: u32 = 8;

/// The synthetic screen.
pub struct Synthetic {
    frame: Frame,
    window: Rect,
    cursor: (u32, u32),
    state: u64,
    /// Changed since the last grab.
    dirty: bool,
    /// Resized since the last wait.
    resized: bool,
}

impl Synthetic {
    /// A `width` x `height` desktop with one text window filling most of it.
    pub fn new(width: u32, height: u32) -> Result<Self, FrameError> {
        let mut frame = Frame::new(width, height)?;
        frame.fill_rect(
            &Rect {
                x: 0,
                y: 0,
                w: width,
                h: height,
            },
            [0x80, 0x50, 0x30, 0],
        );
        let window = Rect {
            x: width / 16,
            y: height / 16,
            w: width - width / 8,
            h: height - height / 8,
        };
        frame.fill_rect(&window, [0xff, 0xff, 0xff, 0]);
        let mut screen = Self {
            frame,
            window,
            cursor: (0, 0),
            state: 0x9e37_79b9_7f4a_7c15,
            dirty: true,
            resized: false,
        };
        for _ in 0..(window.h / LINE).saturating_sub(1) {
            screen.type_line(60);
        }
        Ok(screen)
    }

    /// Restarts the source at another size, as a resolution change does.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<(), FrameError> {
        let state = self.state;
        *self = Self::new(width, height)?;
        self.state = state;
        self.resized = true;
        Ok(())
    }

    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, good enough for pictures.
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Types one character at the cursor (a keystroke-sized change).
    pub fn type_char(&mut self) {
        self.dirty = true;
        let (col, row) = self.cursor;
        let x = self.window.x + 4 + col * GLYPH;
        let y = self.window.y + 2 + row * LINE;
        if x + GLYPH > self.window.x + self.window.w || y + LINE > self.window.y + self.window.h {
            return self.newline();
        }
        let bits = self.next();
        for gy in 0..12 {
            for gx in 0..6 {
                if bits >> ((gy * 6 + gx) % 64) & 1 == 1 {
                    let r = Rect {
                        x: x + gx,
                        y: y + gy,
                        w: 1,
                        h: 1,
                    };
                    self.frame.fill_rect(&r, [0x20, 0x20, 0x20, 0]);
                }
            }
        }
        self.cursor.0 += 1;
    }

    /// Types `n` characters and a newline.
    pub fn type_line(&mut self, n: u32) {
        for _ in 0..n {
            self.type_char();
        }
        self.newline();
    }

    fn newline(&mut self) {
        self.cursor = (0, self.cursor.1 + 1);
        if self.window.y + 2 + (self.cursor.1 + 1) * LINE > self.window.y + self.window.h {
            self.scroll(1);
            self.cursor.1 -= 1;
        }
    }

    /// Scrolls the window's text up by `lines`, as a terminal does.
    pub fn scroll(&mut self, lines: u32) {
        self.dirty = true;
        let dy = (lines * LINE).min(self.window.h);
        let src = Rect {
            x: self.window.x,
            y: self.window.y + dy,
            w: self.window.w,
            h: self.window.h - dy,
        };
        self.frame.copy_within(&src, self.window.x, self.window.y);
        let exposed = Rect {
            x: self.window.x,
            y: self.window.y + self.window.h - dy,
            w: self.window.w,
            h: dy,
        };
        self.frame.fill_rect(&exposed, [0xff, 0xff, 0xff, 0]);
    }

    /// Fills the whole screen with noise (the worst case for a codec).
    pub fn noise(&mut self) {
        self.dirty = true;
        let mut i = 0;
        while i < self.frame.pixels().len() {
            let v = self.next().to_le_bytes();
            let end = (i + 8).min(self.frame.pixels().len());
            self.frame.pixels_mut()[i..end].copy_from_slice(&v[..end - i]);
            i = end;
        }
    }
}

impl Capture for Synthetic {
    fn displays(&self) -> Vec<DisplayInfo> {
        vec![DisplayInfo {
            name: "synthetic".into(),
            x: 0,
            y: 0,
            width: self.frame.width(),
            height: self.frame.height(),
            primary: true,
        }]
    }

    fn showing(&self) -> usize {
        0
    }

    fn show(&mut self, index: usize) -> Result<(), CaptureError> {
        match index {
            0 => Ok(()),
            _ => Err(CaptureError::NoSuchDisplay(index)),
        }
    }

    fn wait(&mut self, timeout: Duration) -> Result<News, CaptureError> {
        if !self.dirty {
            // Nothing drives this screen while waiting: the wait is pacing.
            std::thread::sleep(timeout);
        }
        let news = News {
            damaged: self.dirty,
            displays_changed: std::mem::take(&mut self.resized),
            cursor_changed: false,
        };
        Ok(news)
    }

    fn grab(&mut self) -> Result<(&Frame, Damage), CaptureError> {
        self.dirty = false;
        Ok((&self.frame, Damage::Everything))
    }

    fn pointer(&mut self) -> Result<Option<Pointer>, CaptureError> {
        Ok(None)
    }

    fn cursor_shape(&mut self) -> Result<Option<CursorShape>, CaptureError> {
        Ok(None)
    }
}
