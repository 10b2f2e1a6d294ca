//! Notices the person using their own keyboard or mouse on an X11
//! display, so remote input can pause for them (the local user wins).
//!
//! XInput2 raw events name the device an event came from. Injected input
//! (ours, and any other XTest client's) comes from the XTest devices, the
//! slaves the server makes for each master and names after it; anything
//! else is a real device in the person's hands. They are told apart by
//! what no client can change (a device's name and, for XTest devices,
//! their master), never by the `XTEST Device` property, which any client
//! may put on the person's own keyboard. What those devices hold down
//! (keys, buttons, touches) is tracked, so a key held still keeps the
//! pause going although raw events do not repeat.

use std::collections::HashSet;
use x11rb::connection::Connection;
use x11rb::protocol::xinput::{self, ConnectionExt as _, Device, EventMask, XIEventMask};
use x11rb::protocol::xproto::Window;
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
    Ok(devices
        .infos
        .iter()
        .filter(|device| is_xtest(device, &devices.infos))
        .map(|device| device.deviceid)
        .collect())
}

/// Whether `device` is the XTest slave the X server made for its master:
/// for a master named `NAME pointer` (`NAME keyboard`), the server names
/// its XTest slaves `NAME XTEST pointer` and `NAME XTEST keyboard` and
/// refuses to float or reattach them, and no client can rename a device.
///
/// The `XTEST Device` property is not used: the server guards it on its
/// XTest devices, but any client may set it on any other device, such as
/// the person's keyboard, which would then go unwatched.
fn is_xtest(device: &xinput::XIDeviceInfo, devices: &[xinput::XIDeviceInfo]) -> bool {
    let (xtest_suffix, master_type, master_suffix): (_, _, &[u8]) = match device.type_ {
        xinput::DeviceType::SLAVE_POINTER => (
            b" XTEST pointer".as_slice(),
            xinput::DeviceType::MASTER_POINTER,
            b" pointer",
        ),
        xinput::DeviceType::SLAVE_KEYBOARD => (
            b" XTEST keyboard".as_slice(),
            xinput::DeviceType::MASTER_KEYBOARD,
            b" keyboard",
        ),
        _ => return false,
    };
    let Some(master) = devices
        .iter()
        .find(|d| d.deviceid == device.attachment && d.type_ == master_type)
    else {
        return false;
    };
    master
        .name
        .strip_suffix(master_suffix)
        .is_some_and(|base| device.name == [base, xtest_suffix].concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, PropMode};

    /// An Xvfb on a free display, stopped on drop.
    struct Xvfb(Child, String);

    impl Xvfb {
        fn start() -> Self {
            let mut child = Command::new("Xvfb")
                .args(["-displayfd", "1", "-nolisten", "tcp"])
                .args(["-screen", "0", "640x480x24"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb is installed (tests/setup.sh installs it)");
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("stdout"))
                .read_line(&mut line)
                .expect("display number");
            Self(child, format!(":{}", line.trim()))
        }
    }

    impl Drop for Xvfb {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn device_names(conn: &RustConnection) -> Vec<(u16, String)> {
        let reply = conn
            .xinput_xi_query_device(Device::ALL)
            .expect("query")
            .reply()
            .expect("devices");
        reply
            .infos
            .iter()
            .map(|d| (d.deviceid, String::from_utf8_lossy(&d.name).into_owned()))
            .collect()
    }

    #[test]
    fn only_the_servers_own_xtest_devices_count_as_injected_whatever_clients_set() {
        let x = Xvfb::start();
        let (conn, _) = x11rb::connect(Some(&x.1)).expect("connect");
        let marker = conn
            .intern_atom(false, b"XTEST Device")
            .expect("atom")
            .reply()
            .expect("atom")
            .atom;
        // Any client (a technician with control can start one) marks the
        // person's real keyboard and mouse as XTest devices...
        let real: Vec<u16> = device_names(&conn)
            .into_iter()
            .filter(|(_, name)| name.starts_with("Xvfb "))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(real.len(), 2, "Xvfb's keyboard and mouse");
        for &id in &real {
            conn.xinput_xi_change_property(
                id,
                PropMode::REPLACE,
                marker,
                u32::from(AtomEnum::INTEGER),
                1,
                &xinput::XIChangePropertyAux::Data8(vec![1]),
            )
            .expect("send")
            .check()
            .expect("the server lets any client set it");
            let forged = conn
                .xinput_xi_get_property(id, false, marker, u32::from(AtomEnum::ANY), 0, 1)
                .expect("send")
                .reply()
                .expect("read back");
            assert!(
                matches!(forged.items, xinput::XIGetPropertyItems::Data8(ref v) if v == &[1]),
                "the forged property reads back"
            );
        }
        // ...and makes a master device whose names end like XTest ones.
        let created = Command::new("xinput")
            .args(["create-master", "Forged XTEST"])
            .env("DISPLAY", &x.1)
            .status()
            .expect("xinput (tests/setup.sh installs it)");
        assert!(created.success());

        let watch = LocalInputWatch::open(Some(&x.1)).expect("watch");
        let names = device_names(&conn);
        let mut injected: Vec<&str> = names
            .iter()
            .filter(|(id, _)| watch.injected.contains(id))
            .map(|(_, name)| name.as_str())
            .collect();
        injected.sort_unstable();
        assert_eq!(
            injected,
            [
                "Forged XTEST XTEST keyboard",
                "Forged XTEST XTEST pointer",
                "Virtual core XTEST keyboard",
                "Virtual core XTEST pointer",
            ],
            "the person's own devices must never be taken for injected ones"
        );
    }
}
