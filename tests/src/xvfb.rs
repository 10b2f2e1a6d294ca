//! A real X server (Xvfb) for end-to-end screen tests, and ImageMagick's
//! `import` as the outside witness of what it shows.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// An X server on a free display (Xvfb, or Xephyr nested in an Xvfb),
/// stopped on drop.
pub struct Xvfb {
    child: Child,
    /// Its display name, such as `:3`.
    pub display: String,
    /// The Xvfb an Xephyr runs in.
    host: Option<Box<Xvfb>>,
}

/// Starts an X server that picks a free display and writes its number on
/// stdout once it accepts clients (-displayfd: an event to wait on, not a
/// delay).
fn start_server(program: &str, args: &[&str], host: Option<&str>) -> (Child, String) {
    let mut command = Command::new(program);
    command
        .args(["-displayfd", "1", "-nolisten", "tcp"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(host) = host {
        command.env("DISPLAY", host);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("{program} is installed (tests/setup.sh installs it): {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("display number");
    (child, format!(":{}", line.trim()))
}

impl Xvfb {
    /// Starts Xvfb with one screen of `size` (such as `1280x720x24`).
    pub fn start(size: &str) -> Self {
        Self::start_screens(&[size])
    }

    /// Starts Xvfb with one X screen per size (`:N.0`, `:N.1`, ...): a
    /// display with several monitors that Xvfb can make.
    pub fn start_screens(sizes: &[&str]) -> Self {
        let mut args = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            args.extend(["-screen".to_string(), i.to_string(), size.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (child, display) = start_server("Xvfb", &args, None);
        Self {
            child,
            display,
            host: None,
        }
    }

    /// Starts an X server whose resolution `xrandr -s WxH` can change
    /// (Xvfb cannot): Xephyr, inside an Xvfb large enough for it.
    pub fn resizable(width: u32, height: u32) -> Self {
        let host = Box::new(Self::start("1600x1200x24"));
        let size = format!("{width}x{height}");
        let (child, display) = start_server(
            "Xephyr",
            &["-screen", &size, "-resizeable", "-no-host-grab"],
            Some(&host.display),
        );
        Self {
            child,
            display,
            host: Some(host),
        }
    }

    /// Changes the resolution with `xrandr -s`, as a person would.
    pub fn set_resolution(&self, width: u32, height: u32) {
        let status = Command::new("xrandr")
            .args(["-s", &format!("{width}x{height}")])
            .env("DISPLAY", &self.display)
            .stderr(Stdio::null())
            .status()
            .expect("xrandr");
        assert!(status.success(), "xrandr -s {width}x{height} failed");
    }

    /// Runs `xdotool` with `args` on this display and returns its output.
    pub fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool");
        assert!(out.status.success(), "xdotool {args:?} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
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

    /// Starts an xterm at the top left (80x24) running a shell in `dir`,
    /// waits until its window is mapped, and returns it (closed on drop).
    pub fn shell_in(&self, dir: &std::path::Path) -> XClient {
        let script = format!("cd '{}' && exec sh", dir.display());
        self.xterm_running(&["sh", "-c", &script])
    }

    /// Starts an xterm at the top left (80x24) running `command`, waits
    /// until its window is mapped, and returns it (closed on drop).
    pub fn xterm_running(&self, command: &[&str]) -> XClient {
        let mut args = vec!["-geometry", "80x24+0+0", "-e"];
        args.extend(command);
        let xterm = self.client("xterm", &args);
        self.wait_for_window("xterm");
        XClient(xterm)
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

    /// Starts a window manager (openbox), as a person's desktop has one:
    /// a click on a window gives it the keyboard. Returns once it runs
    /// (it names itself on the root window), closed on drop.
    pub fn window_manager(&self) -> XClient {
        let managed = || {
            Command::new("xprop")
                .args(["-root", "_NET_SUPPORTING_WM_CHECK"])
                .env("DISPLAY", &self.display)
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("window id"))
        };
        let deadline = std::time::Instant::now() + crate::DEADLINE;
        let mut said = String::new();
        // Once in a while (seen under load) openbox gives up at start:
        // it is started again, and how it ended is kept for the failure.
        while std::time::Instant::now() < deadline {
            let mut wm = Command::new("openbox")
                .arg("--sm-disable")
                .env("DISPLAY", &self.display)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("openbox (tests/setup.sh installs it)");
            loop {
                if managed() {
                    return XClient(wm);
                }
                if let Ok(Some(status)) = wm.try_wait() {
                    said = format!("openbox exited ({status})");
                    break;
                }
                if std::time::Instant::now() >= deadline {
                    break;
                }
                // Polling the root window: openbox gives no event to wait on.
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        panic!("never: openbox manages {}; {said}", self.display);
    }

    /// Waits until a window of `class` is mapped (xdotool's own wait).
    pub fn wait_for_window(&self, class: &str) {
        self.wait_for("--class", class);
    }

    /// Waits until a window titled `name` is mapped.
    pub fn wait_for_window_named(&self, name: &str) {
        self.wait_for("--name", name);
    }

    fn wait_for(&self, by: &str, what: &str) {
        // Bounded: a client that died before mapping fails the test
        // instead of hanging it.
        let found = Command::new("timeout")
            .args([
                "30",
                "xdotool",
                "search",
                "--sync",
                "--onlyvisible",
                by,
                what,
            ])
            .env("DISPLAY", &self.display)
            .output()
            .expect("xdotool");
        assert!(
            found.status.success(),
            "no window {by} {what:?} appeared within 30 s"
        );
    }

    /// Waits until a window whose title matches `pattern` (a regular
    /// expression) is mapped, gives it the keyboard as a click on it would
    /// (there is no window manager), and returns its id.
    pub fn focus_window_titled(&self, pattern: &str) -> String {
        self.wait_for("--name", pattern);
        let id = self.xdotool(&["search", "--onlyvisible", "--name", pattern]);
        let id = id.lines().next().expect("a window id").to_string();
        self.xdotool(&["windowfocus", "--sync", &id]);
        id
    }

    /// Clicks the left button at (`x`, `y`) inside window `id`, as a
    /// person's mouse would (the pointer moves there first).
    pub fn click_in(&self, id: &str, x: i32, y: i32) {
        let (x, y) = (x.to_string(), y.to_string());
        self.xdotool(&["mousemove", "--sync", "--window", id, &x, &y, "click", "1"]);
    }

    /// Clicks the left button at (`x`, `y`) of the screen, the pointer
    /// moving there first.
    pub fn click_at(&self, x: impl ToString, y: impl ToString) {
        let (x, y) = (x.to_string(), y.to_string());
        self.xdotool(&["mousemove", "--sync", &x, &y, "click", "1"]);
    }

    /// Where window `id`'s top left corner is on the screen.
    pub fn window_position(&self, id: &str) -> (i32, i32) {
        let shell = self.xdotool(&["getwindowgeometry", "--shell", id]);
        (shell_number(&shell, "X"), shell_number(&shell, "Y"))
    }

    /// How large window `id` is, in pixels.
    pub fn window_size(&self, id: &str) -> (i32, i32) {
        let shell = self.xdotool(&["getwindowgeometry", "--shell", id]);
        (
            shell_number(&shell, "WIDTH"),
            shell_number(&shell, "HEIGHT"),
        )
    }

    /// Where the pointer is.
    pub fn pointer(&self) -> (i32, i32) {
        let shell = self.xdotool(&["getmouselocation", "--shell"]);
        (shell_number(&shell, "X"), shell_number(&shell, "Y"))
    }

    /// Types `keys` (xdotool key names, such as `Tab` or `shift+Tab`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["key", "--delay", "60"];
        args.extend(keys);
        self.xdotool(&args);
    }

    /// Saves `import`'s screenshot of the whole screen to `path` (PNG).
    pub fn screenshot_to(&self, path: &std::path::Path) {
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(path)
            .env("DISPLAY", &self.display)
            .status()
            .expect("ImageMagick import");
        assert!(status.success(), "import failed");
    }

    /// Runs `xdotool` on the X server this Xephyr runs in: its events
    /// reach this display through Xephyr's own keyboard and mouse devices,
    /// as a person's hands would, not through XTest.
    pub fn physical_xdotool(&self, args: &[&str]) -> String {
        self.host
            .as_ref()
            .expect("physical input needs a nested server (Xvfb::resizable)")
            .xdotool(args)
    }

    /// The keys and buttons `xinput query-state` shows held down on any
    /// input device (the XTest ones the agent injects through included),
    /// such as `key[50]` or `button[1]`.
    pub fn held(&self) -> Vec<String> {
        let xinput = |args: &[&str]| {
            Command::new("xinput")
                .args(args)
                .env("DISPLAY", &self.display)
                .stderr(Stdio::null())
                .output()
                .expect("xinput (tests/setup.sh installs it)")
        };
        let ids = xinput(&["list", "--id-only"]);
        assert!(ids.status.success(), "xinput list");
        let mut held = Vec::new();
        for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
            // Master devices have no state of their own to query.
            let state = xinput(&["query-state", id]);
            if !state.status.success() {
                continue;
            }
            held.extend(
                String::from_utf8_lossy(&state.stdout)
                    .split_whitespace()
                    .filter_map(|field| field.strip_suffix("=down"))
                    .map(|what| format!("{what} on device {id}")),
            );
        }
        held
    }

    /// `import`'s screenshot of the whole screen as RGB bytes.
    pub fn screenshot_rgb(&self) -> Vec<u8> {
        self.screenshot_rgb_of(0)
    }

    /// `import`'s screenshot of X screen `screen` as RGB bytes.
    pub fn screenshot_rgb_of(&self, screen: u32) -> Vec<u8> {
        let out = Command::new("import")
            .args(["-window", "root", "-depth", "8", "RGB:-"])
            .env("DISPLAY", format!("{}.{screen}", self.display))
            .output()
            .expect("ImageMagick import");
        assert!(out.status.success(), "import failed");
        out.stdout
    }
}

/// The number after `NAME=` in xdotool's `--shell` output.
fn shell_number(shell: &str, name: &str) -> i32 {
    shell
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {shell:?}"))
}

/// An X client that is closed when dropped.
pub struct XClient(pub(crate) Child);

impl From<Child> for XClient {
    /// Takes charge of an X client started by hand: closed when dropped.
    fn from(child: Child) -> Self {
        XClient(child)
    }
}

impl Drop for XClient {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(self.host.take());
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
