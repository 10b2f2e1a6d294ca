//! `xev` (x11-utils) as the outside witness of pointer input: a real X
//! client, not ours, that prints every event its window receives.

use crate::xvfb::Xvfb;
use crate::{Lines, DEADLINE};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// One event as `xev` printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XEvent {
    /// Its type, such as `ButtonPress` or `MotionNotify`.
    pub kind: String,
    /// The button of a press or release.
    pub button: Option<u32>,
    /// The modifier and button state before the event (`0x100`: button 1
    /// held).
    pub state: u32,
    /// Where, on the screen.
    pub at: Option<(i32, i32)>,
    /// The key of a key press or release, by keysym name (`Tab`,
    /// `Alt_L`).
    pub key: Option<String>,
}

/// A running `xev` window, killed on drop.
pub struct Xev {
    child: Child,
    lines: Lines,
    /// An event whose lines are still being read.
    partial: Option<XEvent>,
}

impl Xev {
    /// Opens an `xev` window at `x`,`y` (400x300) and waits until it is
    /// mapped.
    pub fn start(display: &Xvfb, x: i32, y: i32) -> Self {
        let mut child = Command::new("xev")
            .args(["-geometry", &format!("400x300+{x}+{y}")])
            .env("DISPLAY", &display.display)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("xev (x11-utils)");
        let lines = Lines::spawn(child.stdout.take().expect("xev stdout"));
        display.wait_for_window_named("Event Tester");
        Self {
            child,
            lines,
            partial: None,
        }
    }

    /// Reads events until one satisfies `last`, and returns them all, that
    /// one included; panics with what was seen if it does not come.
    pub fn events_until(&mut self, last: impl Fn(&XEvent) -> bool) -> Vec<XEvent> {
        let deadline = Instant::now() + DEADLINE;
        let mut events = Vec::new();
        while let Some(line) = self.lines.next_line(deadline) {
            if line.trim().is_empty() {
                // xev starts each event with a blank line.
                events.extend(self.partial.take());
            } else if line.starts_with(char::is_whitespace) {
                if let Some(event) = self.partial.as_mut() {
                    read_detail(event, &line);
                    // The awaited event may be the last one xev printed:
                    // no blank line follows it yet.
                    if last(event) {
                        events.extend(self.partial.take());
                        return events;
                    }
                }
            } else {
                events.extend(self.partial.take());
                self.partial = begin(&line);
            }
        }
        panic!(
            "xev never printed the awaited event; it saw:\n{}",
            self.lines.seen().join("\n")
        );
    }
}

/// `ButtonPress event, serial 28, ...` starts an event.
fn begin(line: &str) -> Option<XEvent> {
    let (kind, _) = line.split_once(" event,")?;
    Some(XEvent {
        kind: kind.to_string(),
        button: None,
        state: 0,
        at: None,
        key: None,
    })
}

/// Picks the button, state, position and key out of an event's detail
/// lines (`keycode 23 (keysym 0xff09, Tab)`).
fn read_detail(event: &mut XEvent, line: &str) {
    if let Some((_, keysym)) = line.split_once("(keysym ") {
        event.key = keysym
            .split_once(", ")
            .and_then(|(_, name)| name.split(')').next())
            .map(str::to_string);
    }
    for field in line.split(", ") {
        let field = field.trim().trim_end_matches(',');
        if let Some(n) = field.strip_prefix("button ") {
            event.button = n.parse().ok();
        } else if let Some(hex) = field.strip_prefix("state 0x") {
            event.state = u32::from_str_radix(hex, 16).unwrap_or(0);
        } else if let Some(point) = field.strip_prefix("root:") {
            event.at = parse_point(point);
        }
    }
}

fn parse_point(text: &str) -> Option<(i32, i32)> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let (x, y) = inner.split_once(',')?;
    Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
}

impl Drop for Xev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
