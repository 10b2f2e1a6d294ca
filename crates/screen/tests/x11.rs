//! The X11 backend against a real X server (Xvfb) and a real X client
//! (xterm), checked by a tool that is not ours: ImageMagick's `import`
//! takes its own screenshot, and ours must equal it pixel for pixel.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use tessera_screen::{Capture, X11Capture};

/// An Xvfb server on a free display, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start(size: &str) -> Self {
        // -displayfd: Xvfb picks a free display and writes its number when
        // it is ready to accept clients.
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", size, "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is installed (tests/setup.sh installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("display number");
        Self {
            child,
            display: format!(":{}", line.trim()),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Child {
        Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e}"))
    }

    /// `import`'s screenshot of the whole screen, as raw BGRA bytes.
    fn screenshot(&self) -> Vec<u8> {
        let out = Command::new("import")
            .args(["-window", "root", "-depth", "8", "BGRA:-"])
            .env("DISPLAY", &self.display)
            .output()
            .expect("ImageMagick import");
        assert!(out.status.success(), "import failed");
        out.stdout
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Blue, green and red of every pixel (the fourth byte is padding in ours,
/// alpha in ImageMagick's).
fn bgr(pixels: &[u8]) -> Vec<u8> {
    pixels
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[test]
fn the_capture_equals_an_outside_screenshot_pixel_for_pixel() {
    let x = Xvfb::start("1280x720x24");
    let mut xterm = x.run(
        "xterm",
        &[
            "-geometry",
            "80x24+40+30",
            "-e",
            "sh",
            "-c",
            "printf 'Bonjour Tessera 0123456789 éàç\\n'; exec cat",
        ],
    );
    let found = Command::new("xdotool")
        .args(["search", "--sync", "--onlyvisible", "--class", "xterm"])
        .env("DISPLAY", &x.display)
        .output()
        .expect("xdotool");
    assert!(found.status.success(), "xterm never showed");

    let mut capture = X11Capture::open(Some(&x.display)).expect("open the display");
    // xterm draws asynchronously: compare once the screen holds still,
    // that is when two outside screenshots taken around ours agree.
    let mut compared = 0;
    for _ in 0..50 {
        let before = x.screenshot();
        let ours = capture.grab().expect("grab").clone();
        let after = x.screenshot();
        if before != after {
            continue;
        }
        assert_eq!((ours.width(), ours.height()), (1280, 720));
        assert_eq!(before.len(), ours.pixels().len(), "screenshot size");
        let theirs = bgr(&before);
        let mine = bgr(ours.pixels());
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
