//! Watching and driving an X display from a benchmark, as the outside
//! witness of what a viewer window shows: every XDamage rectangle with
//! the instant it arrived (read on a thread of its own, so the instant is
//! not delayed by the benchmark's other work), images of an area, and
//! keys typed through XTest (no `xdotool` process to start, so less
//! jitter before the key).

use std::sync::mpsc;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::damage::{ConnectionExt as _, ReportLevel};
use x11rb::protocol::xproto::{self, ConnectionExt as _, ImageFormat};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// A rectangle of the screen, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Area {
    /// Whether the two rectangles share a pixel.
    pub fn intersects(&self, other: &Area) -> bool {
        let (r1, b1) = (self.x + self.w as i32, self.y + self.h as i32);
        let (r2, b2) = (other.x + other.w as i32, other.y + other.h as i32);
        self.x < r2 && other.x < r1 && self.y < b2 && other.y < b1
    }
}

/// One damaged rectangle of the screen and when the watcher read it.
#[derive(Debug, Clone, Copy)]
pub struct Damaged {
    /// When the event was read from the X connection.
    pub at: Instant,
    /// The rectangle drawn into.
    pub area: Area,
}

/// Every rectangle drawn on a display's screen, as XDamage reports it
/// (raw rectangles on the root window, which include every window's
/// drawing). The thread ends when the X server goes away.
pub struct DamageWatch {
    rx: mpsc::Receiver<Damaged>,
}

impl DamageWatch {
    /// Starts watching `display`; returns once the damage object exists,
    /// so nothing drawn after this returns is missed.
    pub fn start(display: &str) -> DamageWatch {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to the X server");
        let root = conn.setup().roots[screen].root;
        conn.damage_query_version(1, 1)
            .expect("XDamage")
            .reply()
            .expect("XDamage version");
        let id = conn.generate_id().expect("an X id");
        conn.damage_create(id, root, ReportLevel::RAW_RECTANGLES)
            .expect("damage_create");
        conn.sync().expect("X round trip");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(event) = conn.wait_for_event() {
                let at = Instant::now();
                if let Event::DamageNotify(n) = event {
                    let area = Area {
                        x: i32::from(n.area.x),
                        y: i32::from(n.area.y),
                        w: u32::from(n.area.width),
                        h: u32::from(n.area.height),
                    };
                    if tx.send(Damaged { at, area }).is_err() {
                        break;
                    }
                }
            }
        });
        DamageWatch { rx }
    }

    /// What was reported since the last look.
    pub fn take(&self) -> Vec<Damaged> {
        self.rx.try_iter().collect()
    }

    /// Forgets what was reported so far.
    pub fn drain(&self) {
        while self.rx.try_recv().is_ok() {}
    }

    /// The next damage that touches `area`, if one comes before
    /// `deadline`.
    pub fn next_in(&self, area: &Area, deadline: Instant) -> Option<Damaged> {
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            let d = self.rx.recv_timeout(wait).ok()?;
            if d.area.intersects(area) {
                return Some(d);
            }
        }
    }
}

/// How many repaints `damage` shows: rectangles closer in time than
/// `apart` are one repaint (one picture is often drawn as several
/// rectangles, one after the other).
pub fn repaints(damage: &[Damaged], apart: Duration) -> usize {
    let mut count = 0;
    let mut last: Option<Instant> = None;
    for d in damage {
        if last.is_none_or(|l| d.at.duration_since(l) > apart) {
            count += 1;
        }
        last = Some(d.at);
    }
    count
}

/// A connection that types keys through XTest and reads pixels back.
pub struct XDriver {
    conn: RustConnection,
    root: xproto::Window,
    min_keycode: u8,
    keysyms_per_keycode: usize,
    keysyms: Vec<u32>,
}

impl XDriver {
    /// Connects to `display` and reads its keyboard mapping.
    pub fn open(display: &str) -> XDriver {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to the X server");
        let root = conn.setup().roots[screen].root;
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        conn.xtest_get_version(2, 2)
            .expect("XTest")
            .reply()
            .expect("XTest version");
        let map = conn
            .get_keyboard_mapping(min, max - min + 1)
            .expect("keyboard mapping")
            .reply()
            .expect("keyboard mapping reply");
        XDriver {
            conn,
            root,
            min_keycode: min,
            keysyms_per_keycode: usize::from(map.keysyms_per_keycode),
            keysyms: map.keysyms,
        }
    }

    /// The keycode whose first keysym is `keysym` (such as 0x61 for `a`,
    /// 0xff0d for Return).
    pub fn keycode(&self, keysym: u32) -> u8 {
        let per = self.keysyms_per_keycode.max(1);
        let index = self
            .keysyms
            .chunks(per)
            .position(|syms| syms.first() == Some(&keysym))
            .unwrap_or_else(|| panic!("no key for keysym {keysym:#x}"));
        self.min_keycode + u8::try_from(index).expect("keycode in range")
    }

    /// Presses and releases `keycode`, as a quick typist's finger would;
    /// returns the instant just before the press was sent.
    pub fn tap(&self, keycode: u8) -> Instant {
        let start = Instant::now();
        for kind in [xproto::KEY_PRESS_EVENT, xproto::KEY_RELEASE_EVENT] {
            self.conn
                .xtest_fake_input(kind, keycode, x11rb::CURRENT_TIME, self.root, 0, 0, 0)
                .expect("XTest fake input");
        }
        self.conn.flush().expect("X flush");
        start
    }

    /// Moves `window` to (`x`, `y`), as a window manager does during a
    /// drag (no process to start, so a drag can go 60 steps a second).
    pub fn move_window(&self, window: u32, x: i32, y: i32) {
        self.conn
            .configure_window(window, &xproto::ConfigureWindowAux::new().x(x).y(y))
            .expect("ConfigureWindow");
        self.conn.sync().expect("X round trip");
    }

    /// The pixels of `area` of the screen, as the X server has them.
    pub fn image(&self, area: &Area) -> Vec<u8> {
        let to = |v: i32| i16::try_from(v).expect("coordinate");
        let size = |v: u32| u16::try_from(v).expect("size");
        self.conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                to(area.x),
                to(area.y),
                size(area.w),
                size(area.h),
                !0,
            )
            .expect("GetImage")
            .reply()
            .expect("GetImage reply")
            .data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_that_only_touch_do_not_intersect() {
        let a = Area {
            x: 0,
            y: 0,
            w: 10,
            h: 10,
        };
        let right = Area { x: 10, ..a };
        let overlapping = Area { x: 9, y: 9, ..a };
        assert!(!a.intersects(&right));
        assert!(a.intersects(&overlapping));
    }

    #[test]
    fn close_rectangles_are_one_repaint() {
        let t = Instant::now();
        let area = Area {
            x: 0,
            y: 0,
            w: 1,
            h: 1,
        };
        let at = |ms: u64| Damaged {
            at: t + Duration::from_millis(ms),
            area,
        };
        let damage = [at(0), at(1), at(2), at(40), at(41), at(80)];
        assert_eq!(repaints(&damage, Duration::from_millis(5)), 3);
    }
}
