//! The X11 backend against a real X server (Xvfb) and a real X client
//! (xterm), checked by a tool that is not ours: ImageMagick's `import`
//! takes its own screenshot, and ours must equal it pixel for pixel.

use tessera_screen::{Capture, X11Capture};
use tessera_tests::xvfb::Xvfb;

/// Red, green and blue of every pixel of our BGRX frame, as `import`'s
/// RGB screenshot has them.
fn rgb(pixels: &[u8]) -> Vec<u8> {
    pixels
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect()
}

#[test]
fn the_capture_equals_an_outside_screenshot_pixel_for_pixel() {
    let x = Xvfb::start("1280x720x24");
    let mut xterm = x.xterm_showing("Bonjour Tessera 0123456789 éàç");

    let mut capture = X11Capture::open(Some(&x.display)).expect("open the display");
    // xterm draws asynchronously: compare once the screen holds still,
    // that is when two outside screenshots taken around ours agree.
    let mut compared = 0;
    for _ in 0..50 {
        let before = x.screenshot_rgb();
        let ours = capture.grab().expect("grab").clone();
        let after = x.screenshot_rgb();
        if before != after {
            continue;
        }
        assert_eq!((ours.width(), ours.height()), (1280, 720));
        let theirs = before;
        let mine = rgb(ours.pixels());
        assert_eq!(theirs.len(), mine.len(), "screenshot size");
        let background = theirs[..3].to_vec();
        let drawn = theirs
            .chunks(3)
            .filter(|p| *p != background.as_slice())
            .count();
        if drawn < 1000 {
            continue; // the window is not drawn yet
        }
        let differing = mine
            .chunks(3)
            .zip(theirs.chunks(3))
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            differing, 0,
            "{differing} pixels differ from import's screenshot"
        );
        compared += 1;
        break;
    }
    assert_eq!(compared, 1, "the screen never held still with xterm drawn");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn a_missing_display_is_named_with_the_fix() {
    let err = X11Capture::open(Some(":999"))
        .err()
        .expect("no display :999");
    let text = err.to_string();
    assert!(
        text.contains(":999") && text.contains("--display"),
        "{text}"
    );
}
