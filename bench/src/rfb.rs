//! A minimal RFB (VNC) client, to measure what a VNC server sends for a
//! workload and how soon: it speaks RFB 3.8 without authentication, asks
//! for ZRLE and CopyRect (what common viewers ask of x11vnc), keeps one
//! incremental update request outstanding like a real viewer, counts the
//! bytes, notes when each update has fully arrived, and can press keys.
//! It does not decode pixels: it only needs the message boundaries.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const RAW: i32 = 0;
const COPY_RECT: i32 = 1;
const ZRLE: i32 = 16;
const DESKTOP_SIZE: i32 = -223;

/// Running totals, readable while the probe works.
#[derive(Debug, Default)]
pub struct Counters {
    /// Bytes received from the server.
    pub received: AtomicU64,
    /// Bytes sent to the server.
    pub sent: AtomicU64,
    /// Framebuffer updates received.
    pub updates: AtomicU64,
}

impl Counters {
    /// Bytes both ways.
    pub fn total(&self) -> u64 {
        self.received.load(Ordering::Relaxed) + self.sent.load(Ordering::Relaxed)
    }
}

/// A connected probe.
pub struct Probe {
    /// Bytes and updates so far.
    pub counters: Arc<Counters>,
    writer: Writer,
    /// When each update that changed pixels had fully arrived.
    updates: mpsc::Receiver<Instant>,
}

impl Probe {
    /// Presses and releases the key with X keysym `keysym` (as a VNC
    /// viewer does for a keystroke).
    pub fn key(&self, keysym: u32) -> io::Result<()> {
        for down in [1u8, 0] {
            let mut msg = vec![4, down, 0, 0];
            msg.extend(keysym.to_be_bytes());
            self.writer.send(&msg)?;
        }
        Ok(())
    }

    /// Waits until `deadline` for the next update that changed pixels;
    /// returns when it had fully arrived.
    pub fn next_update(&self, deadline: Instant) -> Option<Instant> {
        self.updates
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    }

    /// Forgets the updates that arrived so far.
    pub fn drain(&self) {
        while self.updates.try_recv().is_ok() {}
    }
}

/// The sending half, shared by the reading thread (update requests) and
/// the caller (keys); one message is one write under the lock.
#[derive(Clone)]
struct Writer {
    stream: Arc<Mutex<TcpStream>>,
    counters: Arc<Counters>,
}

impl Writer {
    fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let mut stream = self
            .stream
            .lock()
            .map_err(|_| io::Error::other("writer poisoned"))?;
        stream.write_all(bytes)?;
        self.counters
            .sent
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

struct Counted {
    stream: TcpStream,
    writer: Writer,
    counters: Arc<Counters>,
}

impl Counted {
    fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; n];
        self.stream.read_exact(&mut buf)?;
        self.counters
            .received
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(buf)
    }

    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        let mut buf = [0u8; 64 * 1024];
        while n > 0 {
            let chunk = n.min(buf.len() as u64) as usize;
            self.stream.read_exact(&mut buf[..chunk])?;
            n -= chunk as u64;
        }
        Ok(())
    }

    fn skip_counted(&mut self, n: u64) -> io::Result<()> {
        self.skip(n)?;
        self.counters.received.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }

    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.read(1)?[0])
    }

    fn u16(&mut self) -> io::Result<u16> {
        let b = self.read(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> io::Result<u32> {
        let b = self.read(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.send(bytes)
    }

    fn request(&mut self, incremental: bool, width: u16, height: u16) -> io::Result<()> {
        let mut msg = vec![3, u8::from(incremental), 0, 0, 0, 0];
        msg.extend(width.to_be_bytes());
        msg.extend(height.to_be_bytes());
        self.send(&msg)
    }
}

fn bad(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Connects to the VNC server at `addr` and starts reading on a thread,
/// which runs until the server closes the connection.
pub fn start(addr: &str) -> io::Result<Probe> {
    let counters = Arc::new(Counters::default());
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let writer = Writer {
        stream: Arc::new(Mutex::new(stream.try_clone()?)),
        counters: counters.clone(),
    };
    let mut c = Counted {
        stream,
        writer: writer.clone(),
        counters: counters.clone(),
    };
    let version = c.read(12)?;
    if !version.starts_with(b"RFB 003.") {
        return Err(bad(format!("not an RFB server: {version:?}")));
    }
    c.send(b"RFB 003.008\n")?;
    let types = c.u8()?;
    let offered = c.read(types.into())?;
    if !offered.contains(&1) {
        return Err(bad(format!("no 'None' security offered: {offered:?}")));
    }
    c.send(&[1])?;
    if c.u32()? != 0 {
        return Err(bad("security handshake failed".into()));
    }
    c.send(&[1])?; // ClientInit: shared
    let (mut width, mut height) = (c.u16()?, c.u16()?);
    c.read(16)?; // the server's pixel format
    let name_len = c.u32()?;
    c.skip_counted(name_len.into())?;
    // 32 bits a pixel, 24-bit true colour, little-endian.
    c.send(&[
        0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
    ])?;
    let encodings = [ZRLE, COPY_RECT, RAW, DESKTOP_SIZE];
    let mut msg = vec![2, 0];
    msg.extend((encodings.len() as u16).to_be_bytes());
    for e in encodings {
        msg.extend(e.to_be_bytes());
    }
    c.send(&msg)?;
    c.request(false, width, height)?;
    let (arrived, updates) = mpsc::channel();
    std::thread::spawn(move || -> io::Result<()> {
        loop {
            match c.u8()? {
                0 => {
                    c.u8()?;
                    let rects = c.u16()?;
                    let mut pixels = false;
                    for _ in 0..rects {
                        let (_x, _y, w, h) = (c.u16()?, c.u16()?, c.u16()?, c.u16()?);
                        let encoding = c.u32()? as i32;
                        match encoding {
                            RAW => c.skip_counted(u64::from(w) * u64::from(h) * 4)?,
                            COPY_RECT => {
                                c.read(4)?;
                            }
                            ZRLE => {
                                let len = c.u32()?;
                                c.skip_counted(len.into())?;
                            }
                            DESKTOP_SIZE => (width, height) = (w, h),
                            other => return Err(bad(format!("unexpected encoding {other}"))),
                        }
                        pixels |= encoding != DESKTOP_SIZE;
                    }
                    if pixels {
                        let _ = arrived.send(Instant::now());
                    }
                    c.counters.updates.fetch_add(1, Ordering::Relaxed);
                    c.request(true, width, height)?;
                }
                1 => {
                    c.read(3)?;
                    let colours = c.u16()?;
                    c.skip_counted(u64::from(colours) * 6)?;
                }
                2 => {} // bell
                3 => {
                    c.read(3)?;
                    let len = c.u32()?;
                    c.skip_counted(len.into())?;
                }
                other => return Err(bad(format!("unexpected message type {other}"))),
            }
        }
    });
    Ok(Probe {
        counters,
        writer,
        updates,
    })
}
