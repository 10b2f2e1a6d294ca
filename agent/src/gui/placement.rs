//! Where the window sits and how large it is. Before a session: where it
//! opened, large enough for the code and the prompt. During one: a bar at
//! the top centre of the screen, out of the way of the technician's work
//! and always on top, or opened there into the whole indicator (by the
//! person, a chat line or a question). Sizes are in the window system's
//! logical pixels, as the window was opened with, whatever the zoom.

use eframe::egui;
use std::time::{Duration, Instant};

/// The window's size before and after the session, and with the
/// indicator open.
pub const FULL: egui::Vec2 = egui::vec2(640.0, 600.0);
/// Where it opens.
pub const HOME: egui::Pos2 = egui::pos2(40.0, 40.0);
/// The bar's size: three lines.
const BAR: egui::Vec2 = egui::vec2(720.0, 116.0);
/// A window manager that will not resize the window still gets its
/// title named after this long.
const GIVE_UP: Duration = Duration::from_secs(1);

/// Where and how large.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Where it opened, full size (code, prompt, an end with no session).
    Home,
    /// The bar at the top centre (a session running).
    Bar,
    /// Full size at the top centre (the indicator, a question or the end
    /// notice after a session).
    Open,
}

impl Placement {
    fn size(self) -> egui::Vec2 {
        match self {
            Placement::Bar => BAR,
            Placement::Home | Placement::Open => FULL,
        }
    }
}

/// Moves the window when what it shows asks for another placement.
pub struct Placer {
    /// The placement last asked of the window system.
    asked: Placement,
    /// When.
    at: Instant,
    /// Always on top was asked of the window as shown.
    on_top: bool,
}

impl Placer {
    /// The window as it was opened.
    pub fn new() -> Self {
        Self {
            asked: Placement::Home,
            at: Instant::now(),
            on_top: false,
        }
    }

    /// Asks for always on top again at the next frame (after the window
    /// came back from being minimised).
    pub fn raise_again(&mut self) {
        self.on_top = false;
    }

    /// Always on top, asked once the window is shown: the window is
    /// created hidden (eframe shows it after its first frame), and window
    /// managers drop that request for a window they do not manage yet.
    fn keep_on_top(&mut self, ctx: &egui::Context) {
        if self.on_top {
            return;
        }
        if ctx.cumulative_frame_nr() == 0 {
            ctx.request_repaint();
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::WindowLevel(
            egui::WindowLevel::AlwaysOnTop,
        ));
        self.on_top = true;
    }

    /// Asks for `want` if it was not asked yet; returns whether the window
    /// has that size now (what is drawn is what `want` is for), or the
    /// window system has had its time to make it so.
    pub fn place(&mut self, ctx: &egui::Context, want: Placement) -> bool {
        // Points, as egui's commands take them.
        let zoom = ctx.zoom_factor();
        let size = want.size() / zoom;
        self.keep_on_top(ctx);
        if want != self.asked {
            self.asked = want;
            self.at = Instant::now();
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size));
            let monitor = ctx.input(|i| i.viewport().monitor_size);
            let position = match (want, monitor) {
                (Placement::Home, _) | (_, None) => HOME / zoom,
                (_, Some(monitor)) => egui::pos2(((monitor.x - size.x) / 2.0).max(0.0), 0.0),
            };
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(position));
        }
        let inner = ctx.input(|i| i.viewport().inner_rect);
        let sized = inner.is_none_or(|r| (r.size() - size).length() < 2.0);
        if sized || self.at.elapsed() >= GIVE_UP {
            return true;
        }
        ctx.request_repaint_after(Duration::from_millis(50));
        false
    }
}
