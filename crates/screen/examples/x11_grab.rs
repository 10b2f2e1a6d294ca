//! Time a 1080p grab on a running X server, as the screen issue asks
//! (median of 100). Run: `DISPLAY=:N cargo run --release -p tessera-screen --example x11_grab`.

use std::time::Instant;
use tessera_screen::{Capture, X11Capture};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut capture = X11Capture::open(None)?;
    let mut times = Vec::with_capacity(100);
    for _ in 0..100 {
        let started = Instant::now();
        let frame = capture.grab()?;
        std::hint::black_box(frame.pixels()[0]);
        times.push(started.elapsed());
    }
    times.sort();
    let frame = capture.grab()?;
    println!(
        "{}x{} grab: median {:.2} ms, p90 {:.2} ms (100 grabs)",
        frame.width(),
        frame.height(),
        times[50].as_secs_f64() * 1e3,
        times[90].as_secs_f64() * 1e3
    );
    Ok(())
}
