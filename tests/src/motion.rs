//! Motion on the person's screen for the video tests and benchmarks: a
//! real video player (`ffplay`, from Debian's ffmpeg) showing an ffmpeg
//! test source, and ImageMagick's PSNR to measure what the viewer shows.

use crate::xvfb::{XClient, Xvfb};
use std::path::Path;
use std::process::Command;

/// An area of the screen: left, top, width, height.
pub type Area = (u32, u32, u32, u32);

/// ffmpeg's test card at `w` x `h`, 30 pictures a second, its colours
/// turning so that every tile of it changes in every picture, as in a
/// filmed scene (the plain card moves only in a few small places).
pub fn scene(w: u32, h: u32) -> String {
    format!("testsrc2=size={w}x{h}:rate=30,hue=h=t*40")
}

/// What ffplay plays.
pub enum Source {
    /// An lavfi graph, made as it plays (cheap at small sizes).
    Lavfi(String),
    /// Raw I420 pictures of `w` x `h` in a file, played in a loop at 30 a
    /// second: the player's only work is showing them, so a large video
    /// keeps its pace on a small machine.
    Raw {
        /// The file ([`prerender`] writes one).
        path: std::path::PathBuf,
        /// Width.
        w: u32,
        /// Height.
        h: u32,
    },
}

impl Source {
    fn args(&self) -> Vec<String> {
        match self {
            Source::Lavfi(graph) => vec!["-f".into(), "lavfi".into(), "-i".into(), graph.clone()],
            Source::Raw { path, w, h } => [
                "-f",
                "rawvideo",
                "-pixel_format",
                "yuv420p",
                "-framerate",
                "30",
                "-video_size",
                &format!("{w}x{h}"),
                "-loop",
                "0",
                "-i",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain([path.display().to_string()])
            .collect(),
        }
    }
}

/// Writes `secs` seconds of [`scene`] at `w` x `h` as raw I420 to `path`
/// (ffmpeg), for [`Source::Raw`].
pub fn prerender(w: u32, h: u32, secs: u32, path: &Path) {
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(scene(w, h))
        .args([
            "-t",
            &secs.to_string(),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(path)
        .status()
        .expect("ffmpeg (apt-get install ffmpeg)");
    assert!(
        status.success(),
        "ffmpeg could not write {}",
        path.display()
    );
}

/// `ffplay` showing `source` in a borderless window at (`left`, `top`),
/// its size the source's (no scaling), titled `video`; returns once the
/// window is mapped. SDL takes the keyboard focus for it: give it back
/// with [`focus`] (there is no window manager).
pub fn ffplay(x: &Xvfb, source: &Source, left: u32, top: u32) -> XClient {
    let child = Command::new("ffplay")
        .args(["-hide_banner", "-loglevel", "error", "-an", "-noborder"])
        .args(["-window_title", "video"])
        .args(source.args())
        .args(["-left", &left.to_string(), "-top", &top.to_string()])
        .env("DISPLAY", &x.display)
        .env("SDL_AUDIODRIVER", "dummy")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ffplay (apt-get install ffmpeg)");
    x.wait_for_window_named("video");
    XClient(child)
}

/// Gives the keyboard to the window xdotool finds `by what` (such as
/// `--class xterm`), the pointer moving into it first.
pub fn focus(x: &Xvfb, by: &str, what: &str) {
    let id = x.xdotool(&["search", "--onlyvisible", by, what]);
    let id = id.lines().next().expect("a window");
    x.xdotool(&["mousemove", "--window", id, "100", "100"]);
    x.xdotool(&["windowfocus", "--sync", id]);
}

/// ImageMagick's PSNR (dB) between `area` of two PNG files, over RGB;
/// infinite when equal.
pub fn psnr(a: &Path, b: &Path, area: Area) -> f64 {
    psnr_as(a, b, area, &[])
}

/// As [`psnr`], of the pictures' luma (as video codecs are measured).
pub fn psnr_y(a: &Path, b: &Path, area: Area) -> f64 {
    psnr_as(a, b, area, &["-colorspace", "Gray"])
}

fn psnr_as(a: &Path, b: &Path, area: Area, how: &[&str]) -> f64 {
    let (x, y, w, h) = area;
    let crop = format!("{w}x{h}+{x}+{y}");
    let out = Command::new("compare")
        .args(how)
        .args(["-metric", "PSNR"])
        .arg(format!("{}[{crop}]", a.display()))
        .arg(format!("{}[{crop}]", b.display()))
        .arg("null:")
        .output()
        .expect("ImageMagick compare");
    let said = String::from_utf8_lossy(&out.stderr);
    match said.split_whitespace().next().unwrap_or("") {
        "inf" => f64::INFINITY,
        v => v
            .parse()
            .unwrap_or_else(|_| panic!("compare said {said:?}")),
    }
}
