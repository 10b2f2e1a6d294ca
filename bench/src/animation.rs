//! A stand-in for a video on the person's screen (no video player is
//! installed on the reference machine): an X client that draws a new
//! picture into a window of its own at a steady rate. The pictures are a
//! moving colour plasma, smooth as filmed scenes are, nearly every pixel
//! new in every picture; they are computed before the clock starts (a loop of
//! [`LOOP`] pictures), so drawing costs only the X server's work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;
use x11rb::COPY_DEPTH_FROM_PARENT;

/// Pictures computed in advance and shown in a loop (two seconds at 30
/// a second).
pub const LOOP: usize = 60;
/// Rows sent in one PutImage (under the core protocol's request size).
const STRIP: usize = 64;

/// A running animation; stopped by [`Animation::stop`].
pub struct Animation {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<u64>>,
}

impl Animation {
    /// Opens a `size` window at `at` on `display` (override-redirect: no
    /// window manager moves or decorates it) and draws `fps` pictures a
    /// second into it until stopped. Returns once the first is drawn.
    pub fn start(display: &str, at: (i16, i16), size: (u16, u16), fps: u32) -> Animation {
        let pictures = plasma(usize::from(size.0), usize::from(size.1));
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to the X server");
        let screen = &conn.setup().roots[screen];
        let bits = conn
            .setup()
            .pixmap_formats
            .iter()
            .find(|f| f.depth == screen.root_depth)
            .map(|f| f.bits_per_pixel);
        assert_eq!(bits, Some(32), "a 24-bit screen stored as 32 bits a pixel");
        let (root, depth) = (screen.root, screen.root_depth);
        let window = conn.generate_id().expect("an X id");
        conn.create_window(
            COPY_DEPTH_FROM_PARENT,
            window,
            root,
            at.0,
            at.1,
            size.0,
            size.1,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new().override_redirect(1),
        )
        .expect("create the window");
        let gc = conn.generate_id().expect("an X id");
        conn.create_gc(gc, window, &CreateGCAux::new())
            .expect("create a GC");
        conn.map_window(window).expect("map the window");
        conn.sync().expect("X round trip");

        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let period = Duration::from_secs_f64(1.0 / f64::from(fps));
            let row = usize::from(size.0) * 4;
            let mut next = Instant::now();
            let mut drawn = 0u64;
            while !stopped.load(Ordering::Relaxed) {
                let picture = &pictures[drawn as usize % LOOP];
                for (i, strip) in picture.chunks(row * STRIP).enumerate() {
                    let y = i16::try_from(i * STRIP).expect("row in range");
                    let rows = u16::try_from(strip.len() / row).expect("rows");
                    conn.put_image(
                        ImageFormat::Z_PIXMAP,
                        window,
                        gc,
                        size.0,
                        rows,
                        0,
                        y,
                        0,
                        depth,
                        strip,
                    )
                    .expect("PutImage");
                }
                conn.sync().expect("X round trip");
                if drawn == 0 {
                    let _ = ready_tx.send(());
                }
                drawn += 1;
                next += period;
                // Pacing the pictures, as a player does.
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            drawn
        });
        ready_rx
            .recv()
            .expect("the animation drew its first picture");
        Animation {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops drawing; returns how many pictures were drawn.
    pub fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().and_then(|t| t.join().ok()).unwrap_or(0)
    }
}

impl Drop for Animation {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// [`LOOP`] pictures of a `width` x `height` colour plasma, BGRX.
fn plasma(width: usize, height: usize) -> Vec<Vec<u8>> {
    use std::f32::consts::TAU;
    let palette: Vec<[u8; 4]> = (0..256)
        .map(|i| {
            let a = TAU * i as f32 / 256.0;
            let c = |phase: f32| (128.0 + 127.0 * (a + phase).sin()) as u8;
            [c(0.0), c(TAU / 3.0), c(2.0 * TAU / 3.0), 0]
        })
        .collect();
    (0..LOOP)
        .map(|t| {
            let t = t as f32 * TAU / LOOP as f32;
            let cols: Vec<f32> = (0..width).map(|x| (x as f32 / 41.0 + t).sin()).collect();
            let rows: Vec<f32> = (0..height)
                .map(|y| (y as f32 / 29.0 - 2.0 * t).sin())
                .collect();
            let mut picture = Vec::with_capacity(width * height * 4);
            for (y, row) in rows.iter().enumerate() {
                for (x, col) in cols.iter().enumerate() {
                    let diagonal = ((x + y) as f32 / 67.0 + 3.0 * t).sin();
                    let v = (row + col + diagonal + 3.0) / 6.0;
                    let shift = (t / TAU * 256.0) as usize;
                    let index = ((v * 255.0) as usize + shift) % 256;
                    picture.extend_from_slice(&palette[index]);
                }
            }
            picture
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_picture_differs_from_the_one_before() {
        let pictures = plasma(64, 32);
        assert_eq!(pictures.len(), LOOP);
        assert_eq!(pictures[0].len(), 64 * 32 * 4);
        for pair in pictures.windows(2) {
            assert_ne!(pair[0], pair[1]);
        }
    }
}
