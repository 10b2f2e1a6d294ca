//! The X11 backend against a real X server (Xvfb) and a real X client
//! (xterm), checked by a tool that is not ours: ImageMagick's `import`
//! takes its own screenshot, and ours must equal it pixel for pixel.

use std::time::Duration;
use tessera_screen::{Capture, Damage, Decoder, Encoder, Frame, X11Capture};
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
        let ours = capture.grab().expect("grab").0.clone();
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

/// Grabs until the picture equals `import`'s screenshot of X screen
/// `screen` (X clients draw asynchronously; the screen settles).
fn settled(x: &Xvfb, screen: u32, capture: &mut X11Capture) -> Frame {
    for _ in 0..100 {
        let _ = capture.wait(Duration::from_millis(50)).expect("wait");
        let ours = capture.grab().expect("grab").0.clone();
        if rgb(ours.pixels()) == x.screenshot_rgb_of(screen) {
            return ours;
        }
    }
    panic!("the capture never equalled import's screenshot");
}

#[test]
fn xdamage_points_at_a_keystroke_and_nothing_else() {
    let x = Xvfb::start("1280x720x24");
    let mut xterm = x.xterm_showing("damage");
    let mut capture = X11Capture::open(Some(&x.display)).expect("open");
    let mut encoder = Encoder::new().expect("encoder");
    // No window manager: focus follows the pointer, into the xterm.
    x.xdotool(&["mousemove", "300", "200"]);
    let first = settled(&x, 0, &mut capture);
    encoder.encode(&first).expect("encode");
    // Settle the damage the drawing so far left behind.
    while capture
        .wait(Duration::from_millis(300))
        .expect("wait")
        .damaged
    {
        let (frame, damage) = capture.grab().expect("grab");
        encoder.encode_damage(frame, &damage).expect("encode");
    }

    // A whole grab now puts the periodic check a second away.
    capture.grab_whole().expect("grab");
    x.xdotool(&["type", "--delay", "0", "k"]);
    // (Other news, such as the cursor's shape, may come first.)
    while !capture.wait(Duration::from_secs(10)).expect("wait").damaged {}
    let mut sent = 0;
    let mut rects = Vec::new();
    for _ in 0..100 {
        let (frame, damage) = capture.grab().expect("grab");
        let frame = frame.clone();
        if let Damage::Rects(r) = &damage {
            rects.extend(r.iter().copied());
        }
        if let Some(update) = encoder.encode_damage(&frame, &damage).expect("encode") {
            sent += update.to_bytes().len();
        }
        if rgb(frame.pixels()) == x.screenshot_rgb() && sent > 0 {
            break;
        }
        capture.wait(Duration::from_millis(100)).expect("wait");
    }
    assert!(!rects.is_empty(), "no damage rectangles were reported");
    let area: u32 = rects.iter().map(|r| r.w * r.h).sum();
    assert!(
        area < 64 * 64 * 4,
        "a keystroke damaged {area} pixels: {rects:?}"
    );
    assert!(sent > 0 && sent <= 300, "a keystroke cost {sent} bytes");
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn every_x_screen_is_a_display_and_each_is_captured_exactly() {
    let x = Xvfb::start_screens(&["1280x720x24", "1024x768x24"]);
    let mut capture = X11Capture::open(Some(&x.display)).expect("open");
    let displays = capture.displays();
    assert_eq!(displays.len(), 2, "{displays:?}");
    assert!(displays[0].primary && !displays[1].primary);
    assert_eq!((displays[1].width, displays[1].height), (1024, 768));
    assert_eq!(capture.showing(), 0);
    let mut xterm = x.client(
        "xterm",
        &["-display", &format!("{}.1", x.display), "-e", "cat"],
    );
    capture.show(1).expect("show the second screen");
    let frame = settled(&x, 1, &mut capture);
    assert_eq!((frame.width(), frame.height()), (1024, 768));
    assert!(matches!(
        capture.show(2),
        Err(tessera_screen::CaptureError::NoSuchDisplay(2))
    ));
    let _ = xterm.kill();
    let _ = xterm.wait();
}

#[test]
fn a_resolution_change_is_followed() {
    let x = Xvfb::resizable(1024, 768);
    let mut capture = X11Capture::open(Some(&x.display)).expect("open");
    let (mut encoder, mut decoder) = (Encoder::new().expect("enc"), Decoder::new().expect("dec"));
    let first = settled(&x, 0, &mut capture);
    let update = encoder.encode(&first).expect("encode").expect("keyframe");
    decoder.apply(&update).expect("apply");

    x.set_resolution(800, 600);
    let mut news = capture.wait(Duration::from_secs(10)).expect("wait");
    while !news.displays_changed {
        news = capture.wait(Duration::from_secs(10)).expect("wait");
    }
    assert_eq!(
        (capture.displays()[0].width, capture.displays()[0].height),
        (800, 600)
    );
    let resized = settled(&x, 0, &mut capture);
    assert_eq!((resized.width(), resized.height()), (800, 600));
    let update = encoder.encode(&resized).expect("encode").expect("changed");
    assert!(update.keyframe, "a new size starts with a keyframe");
    assert!(decoder.apply(&update).expect("apply") == &resized);
}

#[test]
fn the_cursor_is_reported_apart_from_the_picture() {
    let x = Xvfb::start("1280x720x24");
    let mut capture = X11Capture::open(Some(&x.display)).expect("open");
    x.xdotool(&["mousemove", "300", "200"]);
    let pointer = capture.pointer().expect("pointer").expect("a pointer");
    assert_eq!((pointer.x, pointer.y), (300, 200));
    let shape = capture.cursor_shape().expect("shape").expect("a cursor");
    assert_eq!(shape.validate(), Ok(()));
    assert_eq!(
        shape.serial,
        capture.pointer().expect("p").expect("p").serial
    );
    assert!(
        shape.rgba.chunks(4).any(|p| p[3] != 0),
        "the cursor image is empty"
    );
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
