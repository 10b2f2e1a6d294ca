//! Notices the person using their own keyboard or mouse on an X11
//! display, so remote input can pause for them (the local user wins).
//!
//! XInput2 raw events name the device an event came from. Injected input
//! (ours, and any other XTest client's) comes from the XTest devices,
//! which the server marks with the `XTEST Device` property; anything else
//! is a real device in the person's hands. What those devices hold down
//! (keys, buttons, touches) is tracked, so a key held still keeps the
//! pause going although raw events do not repeat.

use std::collections::HashSet;
use x11rb::connection::Connection;
use x11rb::protocol::xinput::{self, ConnectionExt as _, Device, EventMask, XIEventMask};
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, Window};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// The XInput2 version raw events and the hierarchy need.
const XI_VERSION: (u16, u16) = (2, 2);

/// Why the person's own keyboard and mouse cannot be watched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot watch the local keyboard and mouse ({what}): {detail}")]
pub struct WatchError {
    /// The step that failed.
    pub what: &'static str,
    /// What the X server or the connection said.
    pub detail: String,
}

fn err(what: &'static str, e: impl std::fmt::Display) -> WatchError {
    WatchError {
        what,
        detail: e.to_string(),
    }
}

/// What kind of thing is held down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Held {
    Key,
    Button,
    Touch,
}

/// A watch on one display's input devices.
pub struct LocalInputWatch {
    conn: RustConnection,
    /// Devices whose events are injected rather than typed by the person.
    injected: HashSet<u16>,
    /// What the person holds down: (device, kind, key/button/touch).
    held: HashSet<(u16, Held, u32)>,
}

impl LocalInputWatch {
    /// Connects to `display` (`None`: `$DISPLAY`) and asks for the raw
    /// events of every device in use (the sources of the master devices);
    /// fails where XInput 2.2 is missing.
    pub fn open(display: Option<&str>) -> Result<Self, WatchError> {
        let (conn, screen) = x11rb::connect(display).map_err(|e| err("connect", e))?;
        let root: Window = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| err("connect", "no such X screen"))?;
        let version = conn
            .xinput_xi_query_version(XI_VERSION.0, XI_VERSION.1)
            .map_err(|e| err("XInput2", e))?
            .reply()
            .map_err(|e| err("XInput2", e))?;
        if (version.major_version, version.minor_version) < XI_VERSION {
            let (major, minor) = (version.major_version, version.minor_version);
            return Err(err(
                "XInput2",
                format!("the server has {major}.{minor}, 2.2 is needed"),
            ));
        }
        let raw = XIEventMask::RAW_KEY_PRESS
            | XIEventMask::RAW_KEY_RELEASE
            | XIEventMask::RAW_BUTTON_PRESS
            | XIEventMask::RAW_BUTTON_RELEASE
            | XIEventMask::RAW_MOTION
            | XIEventMask::RAW_TOUCH_BEGIN
            | XIEventMask::RAW_TOUCH_UPDATE
            | XIEventMask::RAW_TOUCH_END;
        let masks = [
            EventMask {
                deviceid: Device::ALL_MASTER.into(),
                mask: vec![raw],
            },
            EventMask {
                deviceid: Device::ALL.into(),
                mask: vec![XIEventMask::HIERARCHY],
            },
        ];
        conn.xinput_xi_select_events(root, &masks)
            .map_err(|e| err("select events", e))?
            .check()
            .map_err(|e| err("select events", e))?;
        let injected = injected_devices(&conn)?;
        Ok(Self {
            conn,
            injected,
            held: HashSet::new(),
        })
    }

    /// Blocks, calling `seen(held)` for each event from the person's own
    /// devices (`held`: they still hold a key, button or touch down),
    /// until `seen` returns `false` (nobody listens any more), the display
    /// goes away or its device list cannot be read.
    pub fn run(mut self, mut seen: impl FnMut(bool) -> bool) -> Result<(), WatchError> {
        loop {
            let event = self
                .conn
                .wait_for_event()
                .map_err(|e| err("display lost", e))?;
            // The source, and what it pressed (true) or let go (false).
            let (source, change) = match event {
                Event::XinputRawKeyPress(e) => (e.sourceid, Some((Held::Key, e.detail, true))),
                Event::XinputRawKeyRelease(e) => (e.sourceid, Some((Held::Key, e.detail, false))),
                Event::XinputRawButtonPress(e) => {
                    (e.sourceid, Some((Held::Button, e.detail, true)))
                }
                Event::XinputRawButtonRelease(e) => {
                    (e.sourceid, Some((Held::Button, e.detail, false)))
                }
                Event::XinputRawMotion(e) => (e.sourceid, None),
                Event::XinputRawTouchBegin(e) => (e.sourceid, Some((Held::Touch, e.detail, true))),
                Event::XinputRawTouchUpdate(e) => (e.sourceid, None),
                Event::XinputRawTouchEnd(e) => (e.sourceid, Some((Held::Touch, e.detail, false))),
                Event::XinputHierarchy(_) => {
                    // A device came or went: learn the XTest ones again,
                    // and forget what vanished devices held.
                    self.injected = injected_devices(&self.conn)?;
                    self.held.clear();
                    continue;
                }
                _ => continue,
            };
            if self.injected.contains(&source) {
                continue;
            }
            match change {
                Some((kind, which, true)) => {
                    self.held.insert((source, kind, which));
                }
                Some((kind, which, false)) => {
                    self.held.remove(&(source, kind, which));
                }
                None => {}
            }
            if !seen(!self.held.is_empty()) {
                return Ok(());
            }
        }
    }
}

/// The XTest devices, whose events are injected rather than typed.
fn injected_devices(conn: &RustConnection) -> Result<HashSet<u16>, WatchError> {
    let devices = conn
        .xinput_xi_query_device(Device::ALL)
        .map_err(|e| err("list devices", e))?
        .reply()
        .map_err(|e| err("list devices", e))?;
    let marker = conn
        .intern_atom(true, b"XTEST Device")
        .map_err(|e| err("list devices", e))?
        .reply()
        .map_err(|e| err("list devices", e))?
        .atom;
    let mut injected = HashSet::new();
    for device in devices.infos {
        if is_xtest(conn, &device, marker)? {
            injected.insert(device.deviceid);
        }
    }
    Ok(injected)
}

/// Whether `device` is an XTest device: named as X servers name them, or
/// marked so by the server.
fn is_xtest(
    conn: &RustConnection,
    device: &xinput::XIDeviceInfo,
    marker: u32,
) -> Result<bool, WatchError> {
    if device.name.ends_with(b" XTEST pointer") || device.name.ends_with(b" XTEST keyboard") {
        return Ok(true);
    }
    if marker == u32::from(AtomEnum::NONE) {
        return Ok(false);
    }
    let reply = conn
        .xinput_xi_get_property(
            device.deviceid,
            false,
            marker,
            u32::from(AtomEnum::ANY),
            0,
            1,
        )
        .map_err(|e| err("read device property", e))?
        .reply();
    // A device that vanished since the list is no longer a source.
    let Ok(reply) = reply else { return Ok(false) };
    Ok(match reply.items {
        xinput::XIGetPropertyItems::Data8(v) => v.first().is_some_and(|b| *b != 0),
        xinput::XIGetPropertyItems::Data16(v) => v.first().is_some_and(|b| *b != 0),
        xinput::XIGetPropertyItems::Data32(v) => v.first().is_some_and(|b| *b != 0),
        _ => false,
    })
}
