//! A pseudo-terminal that becomes the agent's controlling terminal, so the
//! test types at the consent prompt as a person would.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::mpsc;
use std::time::Instant;

/// Both ends, before the child starts.
pub struct Pair {
    master: OwnedFd,
    slave: OwnedFd,
}

impl Pair {
    /// Opens a new pty.
    pub fn open() -> Self {
        let (mut master, mut slave): (RawFd, RawFd) = (-1, -1);
        // SAFETY: openpty writes two descriptors into the pointers given.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both descriptors were just opened and are owned here.
        unsafe {
            Self {
                master: OwnedFd::from_raw_fd(master),
                slave: OwnedFd::from_raw_fd(slave),
            }
        }
    }

    /// Makes the slave the controlling terminal of the child `cmd` starts.
    pub fn make_controlling(&self, cmd: &mut Command) {
        use std::os::fd::AsRawFd;
        let slave = self.slave.as_raw_fd();
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 || libc::ioctl(slave, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    /// After spawning: keep the master side as the test's terminal.
    pub fn into_terminal(self) -> Terminal {
        drop(self.slave);
        let reader = File::from(self.master.try_clone().expect("dup master"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = reader;
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Terminal {
            writer: File::from(self.master),
            rx,
            screen: String::new(),
            consumed: 0,
        }
    }
}

/// The test's side of the agent's terminal.
pub struct Terminal {
    writer: File,
    rx: mpsc::Receiver<Vec<u8>>,
    screen: String,
    consumed: usize,
}

impl Terminal {
    /// Waits until `text` appears after what earlier waits consumed.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + crate::DEADLINE;
        loop {
            if let Some(pos) = self.screen[self.consumed..].find(text) {
                self.consumed += pos + text.len();
                return;
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(wait) {
                Ok(bytes) => self.screen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!("terminal never showed {text:?}; it shows:\n{}", self.screen),
            }
        }
    }

    /// Everything shown so far (after reading what is pending).
    pub fn shown(&mut self) -> &str {
        while let Ok(bytes) = self.rx.try_recv() {
            self.screen.push_str(&String::from_utf8_lossy(&bytes));
        }
        &self.screen
    }

    /// Types `text` without Enter (it waits in the terminal's line
    /// buffer, as half-typed input does).
    pub fn type_text(&mut self, text: &str) {
        self.writer
            .write_all(text.as_bytes())
            .expect("type on the terminal");
        self.writer.flush().expect("flush");
    }

    /// Types a line and Enter.
    pub fn type_line(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r").as_bytes())
            .expect("type on the terminal");
        self.writer.flush().expect("flush");
    }
}
