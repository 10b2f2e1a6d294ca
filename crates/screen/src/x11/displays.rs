//! Which displays an X server has: every monitor RandR reports on every X
//! screen (a multi-head desktop), or each screen whole when RandR cannot
//! say.

use crate::frame::Rect;
use tessera_proto::peer::{DisplayInfo, MAX_DISPLAYS};
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

/// One display: a rectangle of one X screen's root window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct X11Display {
    /// The root window it is part of.
    pub root: Window,
    /// Its place on that root.
    pub rect: Rect,
    /// How it is described to the viewer.
    pub info: DisplayInfo,
}

/// Lists the displays, primary first if there is one marked.
pub fn list(conn: &RustConnection, has_monitors: bool) -> Vec<X11Display> {
    let screens = &conn.setup().roots;
    let mut displays = Vec::new();
    for (number, screen) in screens.iter().enumerate() {
        // The size now: the connection's setup is a snapshot from connect
        // time, and resolution changes happen since.
        let (w, h) = conn
            .get_geometry(screen.root)
            .ok()
            .and_then(|c| c.reply().ok())
            .map_or((screen.width_in_pixels, screen.height_in_pixels), |g| {
                (g.width, g.height)
            });
        let whole = Rect {
            x: 0,
            y: 0,
            w: w.into(),
            h: h.into(),
        };
        let prefix = if screens.len() > 1 {
            format!("screen {number}: ")
        } else {
            String::new()
        };
        let monitors = if has_monitors {
            monitors(conn, screen.root, &whole)
        } else {
            Vec::new()
        };
        if monitors.is_empty() {
            displays.push(X11Display {
                root: screen.root,
                rect: whole,
                info: info(format!("screen {number}"), &whole, number == 0),
            });
        }
        for (name, rect, primary) in monitors {
            displays.push(X11Display {
                root: screen.root,
                rect,
                info: info(format!("{prefix}{name}"), &rect, primary && number == 0),
            });
        }
    }
    displays.truncate(MAX_DISPLAYS);
    if let Some(primary) = displays.iter().position(|d| d.info.primary) {
        displays[..=primary].rotate_right(1);
    } else if let Some(first) = displays.first_mut() {
        first.info.primary = true;
    }
    displays
}

fn info(name: String, rect: &Rect, primary: bool) -> DisplayInfo {
    // Names come from the X server: keep them printable and short.
    let name: String = name
        .chars()
        .filter(|c| !c.is_control() && !tessera_proto::peer::is_invisible(*c))
        .take(tessera_proto::peer::MAX_NAME_CHARS)
        .collect();
    DisplayInfo {
        name,
        x: rect.x as i32,
        y: rect.y as i32,
        width: rect.w,
        height: rect.h,
        primary,
    }
}

/// The active RandR monitors of `root`, clipped to it.
fn monitors(conn: &RustConnection, root: Window, whole: &Rect) -> Vec<(String, Rect, bool)> {
    let Ok(reply) = conn
        .randr_get_monitors(root, true)
        .map_err(|e| e.to_string())
        .and_then(|c| c.reply().map_err(|e| e.to_string()))
    else {
        return Vec::new();
    };
    reply
        .monitors
        .iter()
        .filter_map(|m| {
            let x = u32::try_from(m.x).ok()?;
            let y = u32::try_from(m.y).ok()?;
            let w = u32::from(m.width).min(whole.w.checked_sub(x)?);
            let h = u32::from(m.height).min(whole.h.checked_sub(y)?);
            if w == 0 || h == 0 {
                return None;
            }
            let name = conn
                .get_atom_name(m.name)
                .ok()
                .and_then(|c| c.reply().ok())
                .map(|r| String::from_utf8_lossy(&r.name).into_owned())
                .unwrap_or_else(|| "monitor".into());
            Some((name, Rect { x, y, w, h }, m.primary))
        })
        .collect()
}
