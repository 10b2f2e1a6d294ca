//! Cost of capturing a 1920x1080 X screen (Xvfb, with an xterm showing
//! text): a whole grab, and the grab of a keystroke's damage (what XDamage
//! lets us fetch instead). Starts its own Xvfb.
//! Run: `cargo bench -p tessera-screen --bench capture`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tessera_screen::{Capture, X11Capture};
use tessera_tests::xvfb::Xvfb;

fn bench(c: &mut Criterion) {
    let x = Xvfb::start("1920x1080x24");
    let mut xterm = x.xterm_showing("capture benchmark");
    let mut capture = X11Capture::open(Some(&x.display)).expect("open the display");
    let mut group = c.benchmark_group("capture_1080p");
    group.sample_size(50);
    group.bench_function("whole", |b| {
        b.iter(|| black_box(capture.grab_whole().expect("grab").pixels()[0]))
    });
    group.bench_function("keystroke", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                x.xdotool(&["type", "--delay", "0", "k"]);
                while !capture.wait(Duration::from_secs(5)).expect("wait").damaged {}
                let started = std::time::Instant::now();
                black_box(capture.grab().expect("grab").1);
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
    let _ = xterm.kill();
    let _ = xterm.wait();
}

criterion_group!(benches, bench);
criterion_main!(benches);
