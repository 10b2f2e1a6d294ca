//! A real X server (Xvfb) for end-to-end screen tests, and ImageMagick's
//! `import` as the outside witness of what it shows.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// An Xvfb server on a free display, stopped on drop.
pub struct Xvfb {
    child: Child,
    /// Its display name, such as `:3`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb with one screen of `size` (such as `1280x720x24`).
    pub fn start(size: &str) -> Self {
        // -displayfd: Xvfb picks a free display and writes its number when
        // it accepts clients (an event to wait on, not a delay).
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

    /// Starts an X client on this display.
    pub fn client(&self, program: &str, args: &[&str]) -> Child {
        Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e}"))
    }

    /// Starts an xterm at (40, 30) that shows `text` and then echoes what
    /// is typed, and waits until its window is mapped.
    pub fn xterm_showing(&self, text: &str) -> Child {
        let script = format!("printf '%s\\n' '{text}'; exec cat");
        let xterm = self.client(
            "xterm",
            &["-geometry", "80x24+40+30", "-e", "sh", "-c", &script],
        );
        self.wait_for_window("xterm");
        xterm
    }

    /// Waits until a window of `class` is mapped (xdotool's own wait).
    pub fn wait_for_window(&self, class: &str) {
        let found = Command::new("xdotool")
            .args(["search", "--sync", "--onlyvisible", "--class", class])
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool");
        assert!(found.status.success(), "no {class} window appeared");
    }

    /// `import`'s screenshot of the whole screen as RGB bytes.
    pub fn screenshot_rgb(&self) -> Vec<u8> {
        let out = Command::new("import")
            .args(["-window", "root", "-depth", "8", "RGB:-"])
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

/// The RGB pixels and size of a PNG file.
pub fn read_png_rgb(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png file"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}
