//! Notices the person using their own keyboard or mouse on an X11
//! display, so remote input can pause for them (the local user wins).
//!
//! XInput2 raw events name the device an event came from. Injected input
//! (ours, and any other XTest client's) comes from the XTest devices,
//! which the server marks with the `XTEST Device` property; anything else
//! is a real device in the person's hands.

use crate::inject::InjectError;
use std::collections::HashSet;
use x11rb::connection::Connection;
use x11rb::protocol::xinput::{self, ConnectionExt as _, Device, EventMask, XIEventMask};
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, Window};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// The XInput2 version raw events and the hierarchy need.
const XI_VERSION: (u16, u16) = (2, 2);

/// A watch on one display's input devices.
pub struct LocalInputWatch {
    conn: RustConnection,
    /// Devices whose events are injected rather than typed by the person.
    injected: HashSet<u16>,
}

fn err(what: &str, e: impl std::fmt::Display) -> InjectError {
    InjectError(format!(
        "cannot watch the local keyboard and mouse ({what}): {e}"
    ))
}

impl LocalInputWatch {
    /// Connects to `display` (`None`: `$DISPLAY`) and asks for the raw
    /// events of every device; fails where XInput 2.2 is missing.
    pub fn open(display: Option<&str>) -> Result<Self, InjectError> {
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
            return Err(err(
                "XInput2",
                format!(
                    "the server has {}.{}, 2.2 is needed",
                    version.major_version, version.minor_version
                ),
            ));
        }
        let raw = XIEventMask::RAW_KEY_PRESS
            | XIEventMask::RAW_KEY_RELEASE
            | XIEventMask::RAW_BUTTON_PRESS
            | XIEventMask::RAW_BUTTON_RELEASE
            | XIEventMask::RAW_MOTION
            | XIEventMask::RAW_TOUCH_BEGIN;
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
        Ok(Self { conn, injected })
    }

    /// Blocks, calling `seen` for each event from the person's own devices,
    /// until `seen` returns `false` (nobody listens any more) or the
    /// display goes away.
    pub fn run(mut self, mut seen: impl FnMut() -> bool) -> Result<(), InjectError> {
        loop {
            let event = self
                .conn
                .wait_for_event()
                .map_err(|e| err("display lost", e))?;
            let source = match event {
                Event::XinputRawKeyPress(e) | Event::XinputRawKeyRelease(e) => e.sourceid,
                Event::XinputRawButtonPress(e)
                | Event::XinputRawButtonRelease(e)
                | Event::XinputRawMotion(e) => e.sourceid,
                Event::XinputRawTouchBegin(e) => e.sourceid,
                Event::XinputHierarchy(_) => {
                    // A device came or went: learn the XTest ones again.
                    self.injected = injected_devices(&self.conn)?;
                    continue;
                }
                _ => continue,
            };
            if !self.injected.contains(&source) && !seen() {
                return Ok(());
            }
        }
    }
}

/// The XTest devices, whose events are injected rather than typed.
fn injected_devices(conn: &RustConnection) -> Result<HashSet<u16>, InjectError> {
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

/// Whether the server marks `device` as an XTest device. Servers without
/// the marker are recognised by the names they give those devices.
fn is_xtest(
    conn: &RustConnection,
    device: &xinput::XIDeviceInfo,
    marker: u32,
) -> Result<bool, InjectError> {
    if marker == u32::from(AtomEnum::NONE) {
        return Ok(
            device.name.ends_with(b" XTEST pointer") || device.name.ends_with(b" XTEST keyboard")
        );
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
