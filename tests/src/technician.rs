//! The technician's window on an X server, driven as a person would
//! (`xdotool`), and ImageMagick screenshots to find the remote screen in
//! it and compare it with the person's own screen, pixel for pixel.

use crate::xvfb::Xvfb;
use crate::{bin, Viewer};
use std::path::Path;
use std::process::Command;

/// The window's titles (regular expressions).
pub const CONNECT: &str = "Tessera: Connect";
/// While the session runs.
pub const IN_SESSION: &str = "Tessera: In session";

/// `tessera-viewer connect` with its window on `x` (no code: it is typed
/// into the window), as Jane Doe of Acme IT asking for `request`, with
/// its settings and snapshots in `home` and more flags in `extra`. Its
/// events come as JSON lines.
pub fn open_window(
    x: &Xvfb,
    relay_args: &[String],
    request: &str,
    home: &Path,
    extra: &[&str],
) -> Viewer {
    std::fs::create_dir_all(home).expect("home");
    let mut command = Command::new(bin("tessera-viewer"));
    command
        .arg("connect")
        .args(relay_args)
        .args(["--name", "Jane Doe", "--org", "Acme IT"])
        .args(["--request", request, "--events", "json", "--lang", "en"])
        .args(extra)
        .env("DISPLAY", &x.display)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"));
    Viewer::spawn(command)
}

/// An RGB picture.
pub struct Picture {
    /// Width.
    pub width: usize,
    /// Height.
    pub height: usize,
    /// Rows of RGB.
    pub rgb: Vec<u8>,
}

impl Picture {
    /// The whole of X screen 0 of `x`, by ImageMagick's `import`.
    pub fn of_screen(x: &Xvfb, width: usize, height: usize) -> Picture {
        let rgb = x.screenshot_rgb();
        assert_eq!(rgb.len(), width * height * 3, "screen size");
        Picture { width, height, rgb }
    }

    fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let at = (y * self.width + x) * 3;
        &self.rgb[at..at + 3]
    }

    /// Where `small` appears in this picture, top left, if it does: row
    /// `row` of it is looked for whole, then the rest compared, leaving
    /// out the square `skip` (x, y, side) of `small`.
    pub fn find(
        &self,
        small: &Picture,
        row: usize,
        skip: Option<(usize, usize, usize)>,
    ) -> Option<(usize, usize)> {
        let line = &small.rgb[row * small.width * 3..(row + 1) * small.width * 3];
        let last_y = self.height - (small.height - row);
        for y in row..=last_y {
            for x in 0..=self.width - small.width {
                let at = (y * self.width + x) * 3;
                if self.rgb[at..at + line.len()] == *line {
                    let origin = (x, y - row);
                    if self.differences(small, origin, skip) == 0 {
                        return Some(origin);
                    }
                }
            }
        }
        None
    }

    /// How many pixels of exactly colour `rgb` rows `rows` hold (text
    /// drawn in that colour has some at its core).
    pub fn count(&self, rgb: [u8; 3], rows: std::ops::Range<usize>) -> usize {
        self.rgb[rows.start * self.width * 3..rows.end * self.width * 3]
            .chunks_exact(3)
            .filter(|px| *px == rgb)
            .count()
    }

    /// The centre of the pixels of exactly colour `rgb` (a button found
    /// by its colour), if any.
    pub fn centre_of(&self, rgb: [u8; 3]) -> Option<(usize, usize)> {
        let mut bounds: Option<(usize, usize, usize, usize)> = None;
        for (i, px) in self.rgb.chunks_exact(3).enumerate() {
            if px == rgb {
                let (x, y) = (i % self.width, i / self.width);
                let b = bounds.get_or_insert((x, y, x, y));
                *b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            }
        }
        bounds.map(|(l, t, r, b)| ((l + r) / 2, (t + b) / 2))
    }

    /// How many pixels of `small` differ from this picture at `origin`,
    /// leaving out the square `skip` (x, y, side) of `small`.
    pub fn differences(
        &self,
        small: &Picture,
        origin: (usize, usize),
        skip: Option<(usize, usize, usize)>,
    ) -> usize {
        let skipped = |x: usize, y: usize| {
            skip.is_some_and(|(sx, sy, side)| {
                (sx..sx + side).contains(&x) && (sy..sy + side).contains(&y)
            })
        };
        let mut differ = 0;
        for y in 0..small.height {
            for x in 0..small.width {
                if !skipped(x, y) && self.pixel(origin.0 + x, origin.1 + y) != small.pixel(x, y) {
                    differ += 1;
                }
            }
        }
        differ
    }
}

/// A child window of the technician's window, as `xwininfo` sees it: the
/// window puts the picture straight into one when it can (1:1, nothing
/// of its own over it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildWindow {
    /// Size and place in the parent, as `xwininfo` writes it:
    /// `WxH+X+Y`.
    pub geometry: String,
    /// Shown (`IsViewable`) or not.
    pub viewable: bool,
}

/// The child windows of X window `parent` on `x` (`xwininfo -children`,
/// then `xwininfo -id` for each one's map state).
pub fn child_windows(x: &Xvfb, parent: &str) -> Vec<ChildWindow> {
    let xwininfo = |args: &[&str]| {
        let out = Command::new("xwininfo")
            .args(args)
            .env("DISPLAY", &x.display)
            .output()
            .expect("xwininfo");
        assert!(out.status.success(), "xwininfo {args:?} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tree = xwininfo(&["-children", "-id", parent]);
    // Child lines: `     0x400003 (has no name): ()  1024x768+128+46  +128+46`.
    tree.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let id = words.next().filter(|w| w.starts_with("0x"))?;
            let geometry = line.split_whitespace().rev().nth(1)?.to_string();
            let info = xwininfo(&["-id", id]);
            let viewable = info.contains("Map State: IsViewable");
            Some(ChildWindow { geometry, viewable })
        })
        .collect()
}
